// The lesson commands of the shell: `.lesson`, `.check`, `.hint`, `.solution`, `.next`, over the
// lesson state a session holds (`Session.lesson`) and the comparison of TerrainEngine's
// `ResultComparison.swift`.
// What they print is the lessons' interface (catalog texts, on standard output like other dot
// commands' text); a wrong answer is not an error: `.check` shows how the results differ.

import Foundation
import TerrainStorage
import TerrainSyntax
import TerrainIO
import TerrainExecution
import TerrainEngine

extension Session {
  /// How many rows of each kind, and how many differing rows, `.check` lists.
  static let checkListLimit = 5

  /// `.lesson FILE`: reads and checks the lesson, runs its setup statements, restores the
  /// participant's place from the progress file and shows the exercise. `.lesson` alone shows
  /// the current exercise again.
  package func lessonCommand(_ path: String?, _ span: Span?) throws {
    guard let path else {
      guard let state = lesson else { throw Diagnostic(.noLessonOpen, at: span, help: .openALesson) }
      return showExercise(state)
    }
    let fsPath = fileSystemPath(path)
    let text: String
    do {
      text = try readScriptText(path: fsPath, cancel: cancel)
    } catch let e as LoadError {
      throw Diagnostic(.cannotReadLesson, path, e.reason, at: span)
    }
    let parsed: Lesson
    do {
      parsed = try parseLesson(text, name: path)
    } catch let d as Diagnostic {
      // The error is in the lesson file: shown there, then the command fails.
      notify(SourceText(name: path, text: text).render(d))
      throw Diagnostic(.stoppedAtError, path, at: span, label: .whileReading)
    }
    if let setup = parsed.setup {
      guard readDepth < 16 else { throw Diagnostic(.readTooDeep, at: span) }
      readDepth += 1
      defer { readDepth -= 1 }
      if !run(setup, name: path) { throw Diagnostic(.lessonSetupFailed, path, at: span) }
    }
    let key = URL(fileURLWithPath: fsPath).standardizedFileURL.path
    let saved = lessonProgressPath.flatMap { LessonProgressStore(path: $0).load(key) }
    let titles = parsed.exercises.map(\.title)
    let state = LessonState(lesson: parsed, key: key,
      index: saved.flatMap { p in titles.firstIndex(of: p.current) } ?? 0,
      solved: saved?.solved.filter { titles.contains($0) } ?? [])
    lesson = state
    lastResult = nil
    let count = String(parsed.exercises.count)
    let opened: DiagnosticText = saved == nil ? .lessonOpened(path, count) : .lessonResumed(path, count, String(state.solved.count))
    write(opened.string + "\n")
    showExercise(state)
  }

  private func showExercise(_ state: LessonState) {
    let (n, count) = (String(state.index + 1), String(state.lesson.exercises.count))
    let title = state.solved.contains(state.exercise.title)
      ? DiagnosticText.lessonExerciseSolved(n, count, state.exercise.title) : .lessonExercise(n, count, state.exercise.title)
    write("\n" + title.string + "\n" + DiagnosticText.lessonCommands.string + "\n")
  }

  private func openLesson(_ span: Span?) throws -> LessonState {
    guard let state = lesson else { throw Diagnostic(.noLessonOpen, at: span, help: .openALesson) }
    return state
  }

  /// `.hint`: the next hint of the exercise.
  package func hintCommand(_ span: Span?) throws {
    let state = try openLesson(span)
    let hints = state.exercise.hints
    guard !hints.isEmpty else { return write(DiagnosticText.lessonNoHint.string + "\n") }
    guard state.hintsShown < hints.count else {
      return write(DiagnosticText.lessonNoMoreHints(String(hints.count)).string + "\n")
    }
    state.hintsShown += 1
    write(DiagnosticText.lessonHint(String(state.hintsShown), String(hints.count), hints[state.hintsShown - 1]).string + "\n")
  }

  /// `.solution`: the solution as written in the lesson.
  package func solutionCommand(_ span: Span?) throws {
    let state = try openLesson(span)
    write(DiagnosticText.lessonSolution(String(state.index + 1)).string + "\n" + state.exercise.solution + "\n")
  }

  /// `.next`: the next exercise (solved or not), kept in the progress file.
  package func nextCommand(_ span: Span?) throws {
    let state = try openLesson(span)
    let count = state.lesson.exercises.count
    guard state.index + 1 < count else {
      return write(DiagnosticText.lessonLastExercise(String(state.solved.count), String(count)).string + "\n")
    }
    state.index += 1
    state.hintsShown = 0
    lastResult = nil
    saveProgress(state)
    showExercise(state)
  }

  /// `.check`: the last result against the solution's: `✓` (and the exercise marked solved),
  /// or what differs.
  package func checkCommand(_ span: Span?) throws {
    let state = try openLesson(span)
    guard let actual = lastResult else { throw Diagnostic(.nothingToCheck, at: span) }
    let expected = try solutionResult(state, span)
    let comparison = compareResults(actual, expected, ordered: state.exercise.ordered)
    guard comparison.matches else {
      return write(describeDifferences(comparison, actual: actual, expected: expected))
    }
    if !state.solved.contains(state.exercise.title) { state.solved.append(state.exercise.title) }
    saveProgress(state)
    let count = state.lesson.exercises.count
    let (n, total, solved) = (String(state.index + 1), String(count), String(state.solved.count))
    let done: DiagnosticText = state.index + 1 < count
      ? .lessonRightAnswer(n, total, solved, total) : .lessonRightAnswerLast(n, total, solved, total)
    write(done.string + "\n")
  }

  /// The rows of the current exercise's solution, run in this session (its tables, parameters
  /// and collation), announcing nothing.
  package func solutionResult(_ state: LessonState, _ span: Span?) throws -> Table {
    let n = String(state.index + 1)
    do {
      let plan = try planQuery(state.exercise.pipeline)
      return try Executor(cancel: cancel, notify: { _ in }).run(plan).materialize(cancel: cancel)
    } catch let d as Diagnostic {
      // Where the solution failed, in the lesson file, then the command's own error.
      notify(SourceText(name: state.lesson.name, text: state.lesson.solutionTexts[state.index]).render(d))
      throw Diagnostic(.solutionFailed, n, d.message, at: span)
    } catch is CancelledError {
      throw Diagnostic(.cancelled, at: nil)
    } catch {
      throw Diagnostic(.solutionFailed, n, diagnostic(for: error, span: nil).message, at: span)
    }
  }

  private func saveProgress(_ state: LessonState) {
    guard let path = lessonProgressPath else { return }
    do {
      try LessonProgressStore(path: path).save(LessonProgress(current: state.exercise.title, solved: state.solved), for: state.key)
    } catch {
      let reason = (error as? ExportError)?.description ?? "\(error)"
      notify(DiagnosticMessage.progressNotSaved.text([reason]) + "\n")
    }
  }

  /// What `.check` shows for a wrong answer: the counts, then the missing and extra rows as
  /// small tables and the differing cells one per line (each list cut at a few items).
  package func describeDifferences(_ c: ResultComparison, actual: Table, expected: Table) -> String {
    var out = DiagnosticText.lessonWrongAnswer.string + "\n"
    if let counts = c.columnCounts {
      out += DiagnosticText.checkColumnCount(String(counts.actual), actual.columnNames.joined(separator: ", "),
        String(counts.expected), expected.columnNames.joined(separator: ", ")).string + "\n"
      return out
    }
    if actual.rowCount != expected.rowCount {
      out += DiagnosticText.checkRowCounts(groupedCount(actual.rowCount), groupedCount(expected.rowCount)).string + "\n"
    }
    var options = renderOptions
    options.maxRows = 0
    options.footer = false
    func rows(_ title: DiagnosticText, _ table: Table, _ list: [Int]) {
      guard !list.isEmpty else { return }
      out += title.string + "\n" + render(tableRows(table, Array(list.prefix(Self.checkListLimit))), options: options)
      if list.count > Self.checkListLimit { out += DiagnosticText.checkMoreRows(groupedCount(list.count - Self.checkListLimit)).string + "\n" }
    }
    rows(.checkMissingRows(groupedCount(c.missing.count)), expected, c.missing)
    rows(.checkExtraRows(groupedCount(c.extra.count)), actual, c.extra)
    if !c.differing.isEmpty {
      out += DiagnosticText.checkDifferingRows.string + "\n"
      for d in c.differing.prefix(Self.checkListLimit) {
        for column in d.columns {
          out += DiagnosticText.checkCell(String(d.actualRow + 1), String(column + 1), expected.fields[column].name,
            cellText(actual.value(row: d.actualRow, column: column)),
            cellText(expected.value(row: d.expectedRow, column: column))).string + "\n"
        }
      }
      if c.differing.count > Self.checkListLimit {
        out += DiagnosticText.checkMoreRows(groupedCount(c.differing.count - Self.checkListLimit)).string + "\n"
      }
    }
    if let row = c.firstOutOfOrder { out += DiagnosticText.checkOrder(String(row + 1)).string + "\n" }
    return out
  }

  private func cellText(_ v: Value) -> String {
    switch v {
    case .null: return DiagnosticText.checkNullValue.string
    case .text(let s): return "\"\(s)\""
    default: return v.description
    }
  }
}
