// Lessons without a terminal: `.check`'s comparison and the diff it shows, lesson files and
// their errors, progress kept between sessions, and every exercise of
// examples/exercices.lesson (its solution accepted, wrong answers refused with the right diff).

import Foundation
import XCTest
import TerrainEngine
import TerrainShell
import TerrainStorage
import TerrainSyntax

final class LessonTests: XCTestCase {
  // MARK: the comparison

  func testColumnsByPositionRowsInAnyOrderNumbersWithinTolerance() throws {
    let expected = try Table(columns: [("nom", .text(["a", "b", "c"])), ("x", .float([1.0, 2.5, nil]))])
    // Other names, other order, an int for a float, a difference of 1e-12 relative.
    let actual = try Table(columns: [("name", .text(["c", "a", "b"])), ("valeur", .float([nil, 1.0 + 1e-12, 2.5]))])
    XCTAssertTrue(compareResults(actual, expected, ordered: false).matches)
    let ints = try Table(columns: [("n", .text(["a", "b"])), ("x", .int([1, 3]))])
    let floats = try Table(columns: [("n", .text(["b", "a"])), ("x", .float([3.0, 1.0]))])
    XCTAssertTrue(compareResults(ints, floats, ordered: false).matches)
    // 1e-6 relative is a difference.
    let off = try Table(columns: [("n", .text(["a", "b"])), ("x", .float([1.000001, 3.0]))])
    let c = compareResults(off, floats, ordered: false)
    XCTAssertEqual(c.differing, [RowDifference(actualRow: 0, expectedRow: 1, columns: [1])])
    XCTAssertEqual(c.missing, [])
    XCTAssertEqual(c.extra, [])
  }

  func testOrderCountsOnlyWhenTheSolutionSorts() throws {
    let expected = try Table(columns: [("x", .int([3, 2, 1]))])
    let actual = try Table(columns: [("x", .int([1, 2, 3]))])
    XCTAssertTrue(compareResults(actual, expected, ordered: false).matches)
    let c = compareResults(actual, expected, ordered: true)
    XCTAssertFalse(c.matches)
    XCTAssertEqual(c.firstOutOfOrder, 0)
    XCTAssertEqual(c.missing, [])
    XCTAssertEqual(c.extra, [])
  }

  func testMissingExtraAndDifferingRows() throws {
    let expected = try Table(columns: [("k", .text(["a", "b", "c", "d"])), ("x", .int([1, 2, 3, 4]))])
    // `a` is right, `b` has another value, `c` is missing twice over (absent), `e` is extra.
    let actual = try Table(columns: [("k", .text(["e", "b", "a"])), ("x", .int([5, 20, 1]))])
    let c = compareResults(actual, expected, ordered: false)
    XCTAssertEqual(c.missing, [2, 3])
    XCTAssertEqual(c.extra, [0])
    XCTAssertEqual(c.differing, [RowDifference(actualRow: 1, expectedRow: 1, columns: [1])])
    // A repeated row counts as many times as it appears.
    let twice = try Table(columns: [("k", .text(["a", "a"]))])
    let once = try Table(columns: [("k", .text(["a"]))])
    XCTAssertEqual(compareResults(twice, once, ordered: false).extra, [1])
    XCTAssertEqual(compareResults(once, twice, ordered: false).missing, [1])
  }

  func testWrongColumnCountStopsThere() throws {
    let expected = try Table(columns: [("k", .text(["a"])), ("x", .int([1]))])
    let actual = try Table(columns: [("k", .text(["a"]))])
    let c = compareResults(actual, expected, ordered: false)
    XCTAssertEqual(c.columnCounts?.actual, 1)
    XCTAssertEqual(c.columnCounts?.expected, 2)
    XCTAssertFalse(c.matches)
  }

  func testNullsTextAndNumbersNeverMatchEachOther() {
    XCTAssertTrue(sameCell(.null, .null))
    XCTAssertFalse(sameCell(.null, .int(0)))
    XCTAssertFalse(sameCell(.text("1"), .int(1)))
    XCTAssertTrue(sameCell(.int(1_000_000_000_000), .float(1_000_000_000_000.0005)))
    XCTAssertFalse(sameCell(.float(0), .float(1e-300)))
    XCTAssertTrue(sameCell(.float(.nan), .float(.nan)))
    XCTAssertFalse(sameCell(.float(.infinity), .float(-.infinity)))
  }

  func testTheDiffAsShown() throws {
    let s = Session.shell()
    s.renderOptions.mode = .csv
    let expected = try Table(columns: [("k", .text(["a", "b", "c", "d"])), ("x", .int([1, 2, 3, 4]))])
    let actual = try Table(columns: [("k", .text(["e", "b", "a"])), ("x", .int([5, 20, 1]))])
    let text = s.describeDifferences(compareResults(actual, expected, ordered: false), actual: actual, expected: expected)
    XCTAssertEqual(text, """
      ✗ not yet: your last result differs from the solution's
      rows: yours 3, the solution's 4
      missing rows (2): in the solution's result, not in yours
      k,x
      c,3
      d,4
      extra rows (1): in your result, not in the solution's
      k,x
      e,5
      differing cells:
        your row 2, column 2 `x`: 20, expected 2

      """)
    let narrow = try Table(columns: [("k", .text(["a"]))])
    XCTAssertEqual(s.describeDifferences(compareResults(narrow, expected, ordered: false), actual: narrow, expected: expected), """
      ✗ not yet: your last result differs from the solution's
      wrong number of columns: yours has 1 (k), the solution's has 2 (k, x)

      """)
  }

  // MARK: lesson files

  func testLessonFileStructure() throws {
    let text = """
      # a comment
      let grands = from t | where x > 1

      exercise "Un"
        hint "premier indice"
        hint 'second \\"indice\\"'
        solution from grands
          | sort x desc
          # a comment inside is the language's
          | select k

      exercise "Deux"
        solution from t | aggregate n = count() by k

      """
    let lesson = try parseLesson(text, name: "l.lesson")
    XCTAssertEqual(lesson.exercises.map(\.title), ["Un", "Deux"])
    XCTAssertEqual(lesson.exercises[0].hints, ["premier indice", "second \"indice\""])
    XCTAssertEqual(lesson.exercises[0].solution, "from grands\n  | sort x desc\n  # a comment inside is the language's\n  | select k")
    XCTAssertTrue(lesson.exercises[0].ordered)
    XCTAssertFalse(lesson.exercises[1].ordered)
    XCTAssertEqual(lesson.exercises[1].line, 12)
    // The setup keeps its lines (errors point at the file's lines).
    let setup = try XCTUnwrap(lesson.setup)
    XCTAssertEqual(setup.split(separator: "\n", omittingEmptySubsequences: false)[1], "let grands = from t | where x > 1")
    XCTAssertEqual(setup.utf8.count, text.utf8.count)
  }

  func testLessonErrorsPointIntoTheFile() {
    func error(_ text: String) -> String {
      do {
        _ = try parseLesson(text, name: "l.lesson")
        return "no error"
      } catch let d as Diagnostic {
        return SourceText(name: "l.lesson", text: text).render(d).split(separator: "\n").first.map(String.init) ?? ""
      } catch {
        return "\(error)"
      }
    }
    XCTAssertEqual(error("exercise Un\n  solution from t"), "l.lesson:1:10: error: expected the exercise's title in quotes after `exercise`")
    XCTAssertEqual(error("hint \"h\""), "l.lesson:1:1: error: `hint` belongs to an exercise: it comes after an `exercise \"…\"` line")
    XCTAssertEqual(error("exercise \"Un\"\n  hint \"h\""), "l.lesson:1:1: error: exercise \"Un\" has no `solution`")
    XCTAssertEqual(error("exercise \"Un\"\n  solution from t |\n"), "l.lesson:3:1: error: expected a stage after `|`, found the end of the statement")
    XCTAssertEqual(error("exercise \"Un\"\n  solution from t | where x = 1"), "l.lesson:2:29: error: `=` is not a comparison")
    XCTAssertEqual(error("exercise \"Un\"\n  solution load \"x.csv\""), "l.lesson:2:12: error: a solution is one pipeline (`from …` or `compare …`), without `export` or `chart`")
    XCTAssertEqual(error("exercise \"Un\"\n  solution from t | export \"x.csv\""), "l.lesson:2:12: error: a solution is one pipeline (`from …` or `compare …`), without `export` or `chart`")
    XCTAssertEqual(error("exercise \"Un\"\n  solution from t\n  solution from t"), "l.lesson:3:3: error: exercise \"Un\" has two solutions")
    XCTAssertEqual(error("exercise \"Un\"\n  solution from t\n\nexercise \"Un\"\n  solution from t"), "l.lesson:4:1: error: two exercises are called \"Un\" (progress is kept by title)")
    XCTAssertEqual(error("exercise \"Un\"\n  solution from t\n\nfrom t"), "l.lesson:4:1: error: expected `hint`, `solution` or the next `exercise` (statements that prepare the lesson go before the first exercise)")
    XCTAssertEqual(error("# nothing\n"), "l.lesson: error: no exercise in l.lesson: a lesson holds `exercise \"…\"` lines, each with its `solution`")
    XCTAssertEqual(error("exercise \"Un\" \"Deux\"\n  solution from t"), "l.lesson:1:15: error: one text in quotes per line: nothing may follow it")
  }

  // MARK: the example lesson, on the bundled data

  /// A new empty folder, removed after the test.
  private func temporaryFolder() throws -> URL {
    try TestSupport.temporaryFolder("terrain-lesson", for: self)
  }

  /// A session on the bundled tables, printing into `out` and `err`.
  final class Captured {
    let session = Session.shell()
    var out = ""
    var err = ""
    init() throws {
      session.workingDirectory = TestSupport.repositoryRoot.path
      session.write = { [unowned self] in self.out += $0 }
      session.notify = { [unowned self] in self.err += $0 }
      session.renderOptions.mode = .csv
      try session.registerDirectory(TestSupport.datasets.path)
    }
    /// Runs `text`; what it printed on both streams.
    func run(_ text: String) -> (ok: Bool, out: String, err: String) {
      (out, err) = ("", "")
      let ok = session.run(text)
      return (ok, out, err)
    }
  }

  func testEveryExerciseOfTheExampleLesson() throws {
    let c = try Captured()
    let opened = c.run(".lesson examples/exercices.lesson")
    XCTAssertTrue(opened.ok, opened.err)
    XCTAssertTrue(opened.out.hasPrefix("lesson examples/exercices.lesson: 13 exercises\n\nExercise 1/13: Les cinq communes les plus peuplées\n"), opened.out)
    let lesson = try parseLesson(
      String(contentsOf: TestSupport.repositoryRoot.appendingPathComponent("examples/exercices.lesson"), encoding: .utf8),
      name: "examples/exercices.lesson")
    XCTAssertGreaterThanOrEqual(lesson.exercises.count, 10)
    for (i, exercise) in lesson.exercises.enumerated() {
      let place = "exercise \(i + 1) \"\(exercise.title)\""
      XCTAssertFalse(exercise.hints.isEmpty, "\(place): no hint")
      // Nothing: the result is empty, every row of the solution is missing.
      let empty = c.run(exercise.solution + "\n  | take 0")
      XCTAssertTrue(empty.ok, "\(place): \(empty.err)")
      let expectedRows = try XCTUnwrap(c.session.solutionResult(XCTUnwrap(c.session.lesson), nil)).rowCount
      XCTAssertGreaterThan(expectedRows, 0, place)
      let refused = c.run(".check")
      XCTAssertTrue(refused.ok, "\(place): \(refused.err)")
      XCTAssertTrue(refused.out.hasPrefix("✗ not yet"), "\(place): \(refused.out)")
      XCTAssertTrue(refused.out.contains("missing rows (\(expectedRows)): in the solution's result, not in yours"), "\(place): \(refused.out)")
      // The solution itself is right.
      let solved = c.run(exercise.solution)
      XCTAssertTrue(solved.ok, "\(place): \(solved.err)")
      let accepted = c.run(".check")
      XCTAssertTrue(accepted.out.hasPrefix("✓ right: exercise \(i + 1)/\(lesson.exercises.count) solved (\(i + 1) of 13)"), "\(place): \(accepted.out)")
      XCTAssertTrue(c.run(".next").ok, place)
    }
    XCTAssertEqual(c.run(".next").out, "that was the last exercise: 13 of 13 solved\n")
  }

  func testWrongAnswersGetTheRightDiff() throws {
    let c = try Captured()
    XCTAssertTrue(c.run(".lesson examples/exercices.lesson").ok)
    // Exercise 1 sorts: the right rows in another order are refused, and said so.
    _ = c.run("from communes | sort population desc | take 5 | select nom, code_departement, population | sort nom")
    XCTAssertEqual(c.run(".check").out, """
      ✗ not yet: your last result differs from the solution's
      the right rows, in another order: the solution sorts them (first difference at row 1)

      """)
    // One column too few.
    _ = c.run("from communes | sort population desc | take 5 | select nom, population")
    XCTAssertEqual(c.run(".check").out, """
      ✗ not yet: your last result differs from the solution's
      wrong number of columns: yours has 2 (nom, population), the solution's has 3 (nom, code_departement, population)

      """)
    // Exercise 4: counted over 10,000 inhabitants instead of 100,000.
    XCTAssertTrue(c.run(".next\n.next\n.next").ok)
    let n10k = try c.session.query("from epci | where population > 10000 | aggregate n = count()").value(row: 0, column: 0)
    let n100k = try c.session.query("from epci | where population > 100000 | aggregate n = count()").value(row: 0, column: 0)
    _ = c.run("from epci | where population > 10000 | aggregate n = count()")
    XCTAssertEqual(c.run(".check").out, """
      ✗ not yet: your last result differs from the solution's
      differing cells:
        your row 1, column 1 `n`: \(n10k), expected \(n100k)

      """)
    // Exercise 6 (regions' unemployment): rounded to whole numbers, and Mayotte left out.
    XCTAssertTrue(c.run(".next\n.next").ok)
    _ = c.run("""
      from regions | where nom != "Mayotte"
        | derive chomage = round(100 * chomeurs_15_64_2021 / actifs_15_64_2021, 1)
        | select nom, chomage | sort chomage desc
      """)
    let check = c.run(".check").out
    XCTAssertTrue(check.hasPrefix("""
      ✗ not yet: your last result differs from the solution's
      rows: yours 17, the solution's 18
      missing rows (1): in the solution's result, not in yours
      nom,chomage
      Mayotte,
      """), check)
    XCTAssertFalse(check.contains("extra rows"), check)
    // No result yet after `.next`; `.check` says what to do.
    XCTAssertTrue(c.run(".next").ok)
    let nothing = c.run(".check")
    XCTAssertFalse(nothing.ok)
    XCTAssertTrue(nothing.err.contains("error: nothing to check yet: run a pipeline first"), nothing.err)
  }

  func testHintsSolutionAndNoLesson() throws {
    let c = try Captured()
    let none = c.run(".hint")
    XCTAssertFalse(none.ok)
    XCTAssertTrue(none.err.contains("error: no lesson open"), none.err)
    XCTAssertTrue(none.err.contains("= help: open one with `.lesson FILE`"), none.err)
    XCTAssertTrue(c.run(".lesson examples/exercices.lesson").ok)
    XCTAssertEqual(c.run(".hint").out, "hint 1/2: from communes ouvre la table ; sort population desc met les plus peuplées en tête\n")
    XCTAssertEqual(c.run(".hint").out, "hint 2/2: take 5 garde les cinq premières ; select nom, code_departement, population les colonnes\n")
    XCTAssertEqual(c.run(".hint").out, "no more hints (all 2 shown): `.solution` shows the answer\n")
    XCTAssertEqual(c.run(".solution").out, """
      solution of exercise 1:
      from communes
        | sort population desc
        | take 5
        | select nom, code_departement, population

      """)
    let missing = c.run(".lesson examples/nope.lesson")
    XCTAssertFalse(missing.ok)
    XCTAssertTrue(missing.err.contains("error: cannot read lesson \"examples/nope.lesson\""), missing.err)
  }

  func testProgressIsKeptInTheStateFolder() throws {
    let folder = try temporaryFolder()
    let lessonFile = folder.appendingPathComponent("l.lesson")
    try """
      let petites = from regions | where population < 500000

      exercise "Un"
        hint "h"
        solution from petites | select nom

      exercise "Deux"
        solution from regions | aggregate n = count()

      exercise "Trois"
        solution from regions | take 1 | select nom

      """.write(to: lessonFile, atomically: true, encoding: .utf8)
    let progress = folder.appendingPathComponent("lessons.json").path
    let first = try Captured()
    first.session.lessonProgressPath = progress
    XCTAssertTrue(first.run(".lesson \(lessonFile.path)").ok)
    XCTAssertTrue(first.run("from petites | select nom\n.check\n.next").ok)
    // Another lesson's progress in the same file is kept.
    try LessonProgressStore(path: progress).save(LessonProgress(current: "x", solved: ["x"]), for: "/elsewhere.lesson")

    let second = try Captured()
    second.session.lessonProgressPath = progress
    let resumed = second.run(".lesson \(lessonFile.path)")
    XCTAssertTrue(resumed.out.hasPrefix("lesson \(lessonFile.path): 3 exercises, 1 solved; back where you were\n\nExercise 2/3: Deux\n"), resumed.out)
    XCTAssertEqual(LessonProgressStore(path: progress).load("/elsewhere.lesson"), LessonProgress(current: "x", solved: ["x"]))
    XCTAssertEqual(LessonProgressStore(path: progress).load(lessonFile.path), LessonProgress(current: "Deux", solved: ["Un"]))
    // A progress file that is not ours counts as empty.
    try "not json".write(toFile: progress, atomically: true, encoding: .utf8)
    XCTAssertNil(LessonProgressStore(path: progress).load(lessonFile.path))
    // A folder where the file should be: the save fails, says so, and the lesson goes on.
    try FileManager.default.removeItem(atPath: progress)
    try FileManager.default.createDirectory(atPath: progress, withIntermediateDirectories: false)
    let third = try Captured()
    third.session.lessonProgressPath = progress
    XCTAssertTrue(third.run(".lesson \(lessonFile.path)").ok)
    let next = third.run(".next")
    XCTAssertTrue(next.ok)
    XCTAssertTrue(next.err.hasPrefix("warning: progress not saved:"), next.err)
    XCTAssertTrue(next.out.contains("Exercise 2/3: Deux"), next.out)
  }

  func testSetupErrorsAndSolutionErrorsPointIntoTheLesson() throws {
    let folder = try temporaryFolder()
    let broken = folder.appendingPathComponent("broken.lesson")
    try "# setup\nfrom nope\n\nexercise \"Un\"\n  solution from regions\n".write(to: broken, atomically: true, encoding: .utf8)
    let c = try Captured()
    let r = c.run(".lesson \(broken.path)")
    XCTAssertFalse(r.ok)
    XCTAssertTrue(r.err.contains("\(broken.path):2:6: error: unknown table `nope`"), r.err)
    XCTAssertTrue(r.err.contains("error: the lesson \(broken.path) did not open"), r.err)
    XCTAssertNil(c.session.lesson)

    let wrong = folder.appendingPathComponent("wrong.lesson")
    try "exercise \"Un\"\n  solution from regions\n    | select nope\n".write(to: wrong, atomically: true, encoding: .utf8)
    XCTAssertTrue(c.run(".lesson \(wrong.path)").ok)
    _ = c.run("from regions | take 1")
    let check = c.run(".check")
    XCTAssertFalse(check.ok)
    XCTAssertTrue(check.err.contains("\(wrong.path):3:14: error: unknown column `nope`"), check.err)
    XCTAssertTrue(check.err.contains("error: the solution of exercise 1 did not run: unknown column `nope`"), check.err)
  }
}
