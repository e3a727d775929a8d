// The interactive shell on a pseudo-terminal: prompt, completion, continuation, history,
// Ctrl-C, Ctrl-D and colour. Every wait is bounded, and the child is killed in teardown.

import Foundation
import TerrainSyntax
import XCTest

final class ShellPTYTests: XCTestCase {
  var home = URL(fileURLWithPath: "/nonexistent")
  private var sessions: [PTYSession] = []

  override func setUpWithError() throws {
    #if !os(Linux) && !os(macOS)
      throw XCTSkip("pseudo-terminals need Linux or macOS")
    #endif
    guard PTYSession.terrainBinary() != nil else { throw XCTSkip("the terrain binary is not built (swift build)") }
    home = try TestSupport.temporaryFolder("terrain-pty", for: self)
    // The children are killed before their home folder is removed (teardown blocks run last
    // registered first, and before `tearDown`): a live shell would write its state there again.
    addTeardownBlock { [unowned self] in
      sessions.forEach { $0.terminate() }
      sessions = []
    }
  }

  func start(noColor: Bool = false, extra: [String: String] = [:], columns: UInt16 = 160, arguments: [String] = []) throws -> PTYSession {
    var env: [String: String] = [
      "TERM": "xterm",
      "HOME": home.path,
      "XDG_STATE_HOME": home.appendingPathComponent("state").path,
      "INPUTRC": "/dev/null",
      "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
      "LANG": "C.UTF-8",
      "TERRAIN_DATASETS": PTYSession.repositoryRoot().appendingPathComponent("datasets").path,
    ]
    if noColor { env["NO_COLOR"] = "1" }
    env.merge(extra) { $1 }
    let binary = try XCTUnwrap(PTYSession.terrainBinary())
    let s = try PTYSession(executable: binary, arguments: arguments, environment: env, columns: columns)
    sessions.append(s)
    XCTAssertTrue(s.expect("terrain> ", timeout: 10), "no prompt; screen:\n\(s.rawText)")
    return s
  }

  func testPromptAndBanner() throws {
    let s = try start()
    XCTAssertTrue(s.rawText.contains("tables from datasets/"), s.rawText)
    XCTAssertTrue(s.rawText.contains(".help for help"), s.rawText)
  }

  /// With a French locale the banner, errors, notices, counts and decimals are French; `.lang en`
  /// switches back in the same session.
  func testFrenchPromptMessages() throws {
    let s = try start(noColor: true, extra: ["LANG": "fr_FR.UTF-8"])
    XCTAssertTrue(s.rawText.contains("tables de datasets/"), s.rawText)
    XCTAssertTrue(s.rawText.contains(".help pour l'aide"), s.rawText)
    s.type("| take 1\r")
    XCTAssertTrue(s.expect("erreur : rien à continuer", timeout: 5), "screen:\n\(s.rawText)")
    s.type("from regions | where nomm == 1\r")
    XCTAssertTrue(s.expect("erreur : colonne inconnue `nomm` dans `regions`", timeout: 10), "screen:\n\(s.rawText)")
    XCTAssertTrue(s.expect("= aide : vouliez-vous dire `nom` ?", timeout: 5), "screen:\n\(s.rawText)")
    s.type("from regions | aggregate m = avg(2.5) | take 1\r")
    XCTAssertTrue(s.expect("2,5", timeout: 10), "screen:\n\(s.rawText)")
    XCTAssertTrue(s.expect("1 ligne", timeout: 5), "screen:\n\(s.rawText)")
    s.type(".lang\r")
    XCTAssertTrue(s.expect("langue : fr", timeout: 5), "screen:\n\(s.rawText)")
    s.type(".lang en\r")
    s.type("from regions | where nomm == 1\r")
    XCTAssertTrue(s.expect("error: unknown column `nomm` in `regions`", timeout: 10), "screen:\n\(s.rawText)")
  }

  func testTableNameCompletes() throws {
    let s = try start()
    s.type("from com\t")
    XCTAssertTrue(s.expect("from communes", timeout: 5), "screen:\n\(s.rawText)")
    s.type("| take 1\r")
    XCTAssertTrue(s.expect("1 row", timeout: 10), "screen:\n\(s.rawText)")
  }

  func testColumnNameCompletes() throws {
    let s = try start()
    s.type("from communes | select nom, popu\t")
    XCTAssertTrue(s.expect("select nom, population", timeout: 20), "screen:\n\(s.rawText)")
  }

  func testChartFitsTheTerminal() throws {
    let s = try start(columns: 60)
    s.type("from epci | sort population desc | take 3 | chart bar nom, population\r")
    XCTAssertTrue(s.expect("Métropole de Lyon", timeout: 10), "screen:\n\(s.rawText)")
    s.drain(for: 0.3)
    let bars = PTYSession.stripEscapes(Array(s.rawText.utf8)).split(whereSeparator: { $0 == "\n" || $0 == "\r" })
      .map(String.init).filter { $0.contains("│█") }
    XCTAssertEqual(bars.count, 3, "screen:\n\(s.rawText)")
    // The longest bar and its value end at the terminal's last column.
    XCTAssertEqual(bars.map(displayWidth).max(), 60, bars.joined(separator: "\n"))
  }

  func testFilePathCompletesInsideQuotesAfterLoad() throws {
    XCTAssertTrue(FileManager.default.createFile(atPath: home.appendingPathComponent("donnees_test.csv").path, contents: Data("a,b\n1,2\n".utf8)))
    let s = try start()
    s.type("load \"\(home.path)/donnees_t\t")
    XCTAssertTrue(s.expect("donnees_test.csv\"", timeout: 5), "screen:\n\(s.rawText)")
    s.type("\r")
    XCTAssertTrue(s.expect("loaded 1 row into donnees_test", timeout: 10), "screen:\n\(s.rawText)")
  }

  func testContinuationPrompt() throws {
    let s = try start()
    s.type("from regions |\r")
    XCTAssertTrue(s.expect("   ...> ", timeout: 5), "screen:\n\(s.rawText)")
    s.type("take 2\r")
    XCTAssertTrue(s.expect("2 rows", timeout: 10), "screen:\n\(s.rawText)")
    XCTAssertTrue(s.expect("terrain> ", timeout: 5), "screen:\n\(s.rawText)")
  }

  func testAnEmptyHomeKeepsHistoryOutOfTheCurrentFolder() throws {
    let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".terrain_history")
    let existed = FileManager.default.fileExists(atPath: here.path)
    let s = try start(extra: ["HOME": "", "XDG_STATE_HOME": ""])
    s.type("from regions | take 1\r")
    XCTAssertTrue(s.expect("1 row", timeout: 10), "screen:\n\(s.rawText)")
    s.type(".quit\r")
    XCTAssertEqual(s.waitForExit(timeout: 5), 0)
    if !existed { XCTAssertFalse(FileManager.default.fileExists(atPath: here.path), "history written to the current folder") }
  }

  func testHistoryPastAFileSizeLimitKeepsWholeEntries() throws {
    // `ulimit -f 1` (1 KB): appends start failing part-way; every entry in the file is whole.
    let binary = try XCTUnwrap(PTYSession.terrainBinary())
    let env: [String: String] = [
      "TERM": "xterm", "HOME": home.path, "XDG_STATE_HOME": home.appendingPathComponent("state").path,
      "INPUTRC": "/dev/null", "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "LANG": "C.UTF-8",
      "TERRAIN_DATASETS": PTYSession.repositoryRoot().appendingPathComponent("datasets").path,
    ]
    let s = try PTYSession(executable: "/bin/sh", arguments: ["-c", "ulimit -f 1 && exec \"$0\"", binary], environment: env)
    sessions.append(s)
    XCTAssertTrue(s.expect("terrain> ", timeout: 10), "screen:\n\(s.rawText)")
    var typed: [String] = []
    for i in 0..<20 {
      let statement = "from regions | where nom != \"\(String(repeating: "x", count: 40 + i))\" | take 1"
      typed.append(statement)
      s.type(statement + "\r")
      XCTAssertTrue(s.expect("1 row", timeout: 10), "screen:\n\(s.rawText)")
    }
    XCTAssertTrue(s.rawText.contains("warning: cannot write history"), "screen:\n\(s.rawText)")
    s.type(".quit\r")
    XCTAssertEqual(s.waitForExit(timeout: 5), 0, "the file size limit does not end terrain")
    let file = home.appendingPathComponent("state/terrain/history")
    let saved = try String(contentsOf: file, encoding: .utf8)
    XCTAssertLessThanOrEqual(saved.utf8.count, 1024)
    XCTAssertTrue(saved.hasSuffix("\n"), "no half entry at the end")
    let lines = saved.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
    XCTAssertFalse(lines.isEmpty)
    for (k, line) in lines.enumerated() {
      if k % 2 == 0 {
        XCTAssertTrue(line.hasPrefix("#") && line.dropFirst().allSatisfy(\.isNumber), "timestamp line: \(line)")
      } else {
        XCTAssertTrue(typed.contains(String(line)) || line == ".quit", "whole entry: \(line)")
      }
    }
  }

  func testHistoryAcrossSessions() throws {
    let first = try start()
    first.type("from regions | take 1\r")
    XCTAssertTrue(first.expect("1 row", timeout: 10), "screen:\n\(first.rawText)")
    XCTAssertTrue(first.expect("terrain> ", timeout: 5), "screen:\n\(first.rawText)")
    first.type(".quit\r")
    XCTAssertEqual(first.waitForExit(timeout: 5), 0)
    let file = home.appendingPathComponent("state/terrain/history")
    let saved = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
    XCTAssertTrue(saved.contains("from regions | take 1"), "history file: \(saved)")

    let second = try start()
    second.type("\u{1b}[A")
    XCTAssertTrue(second.expect(".quit", timeout: 5), "screen:\n\(second.rawText)")
    second.type("\u{1b}[A")
    XCTAssertTrue(second.expect("from regions | take 1", timeout: 5), "screen:\n\(second.rawText)")
    second.type("\r")
    XCTAssertTrue(second.expect("1 row", timeout: 10), "screen:\n\(second.rawText)")
    XCTAssertTrue(second.expect("terrain> ", timeout: 5))

    // readline's reverse search finds it too.
    second.type("\u{12}regions | t")
    XCTAssertTrue(second.expect("reverse-i-search", timeout: 5), "screen:\n\(second.rawText)")
    XCTAssertTrue(second.expect("from regions | take 1", timeout: 5), "screen:\n\(second.rawText)")
  }

  func testCtrlCWhileTypingClearsTheLine() throws {
    let s = try start()
    s.type("from communes | wher")
    XCTAssertTrue(s.expect("wher", timeout: 5))
    s.type("\u{03}")
    XCTAssertTrue(s.expect("terrain> ", timeout: 5), "screen:\n\(s.rawText)")
    s.type("from regions | take 1\r")
    XCTAssertTrue(s.expect("1 row", timeout: 10), "screen:\n\(s.rawText)")
    XCTAssertFalse(s.rawText.contains("error"), "screen:\n\(s.rawText)")
  }

  func testTerminationSignalsAtThePromptRestoreTheTerminal() throws {
    for (sig, code) in [(SIGTERM, 143), (SIGHUP, 129), (SIGQUIT, 131)] {
      let s = try start()
      s.type("from regi")
      XCTAssertTrue(s.expect("from regi", timeout: 5))
      let raw = try XCTUnwrap(s.localModes())
      XCTAssertEqual(raw & tcflag_t(ICANON), 0, "readline runs the terminal in raw mode")
      kill(s.pid, sig)
      XCTAssertEqual(s.waitForExit(timeout: 10), Int32(code), "signal \(sig); screen:\n\(s.rawText)")
      let after = try XCTUnwrap(s.localModes())
      XCTAssertNotEqual(after & tcflag_t(ICANON), 0, "signal \(sig): line mode is back")
      XCTAssertNotEqual(after & tcflag_t(ECHO), 0, "signal \(sig): echo is back")
      XCTAssertFalse(s.rawText.contains("Crash") || s.rawText.contains("Fatal"), s.rawText)
    }
  }

  func testCtrlCCancelsALongStatementAndKeepsTables() throws {
    // About 2.5 million rows, well over a second to load even in release builds.
    let big = home.appendingPathComponent("big.csv")
    var block = ""
    for i in 0..<1000 { block += "\(i),nom_\(i % 97),\(Double(i) * 1.5),\(i % 7 == 0 ? "" : "x\(i)")\n" }
    XCTAssertTrue(FileManager.default.createFile(atPath: big.path, contents: Data("id,nom,valeur,etiquette\n".utf8)))
    let handle = try FileHandle(forWritingTo: big)
    handle.seekToEndOfFile()
    let chunk = Data(String(repeating: block, count: 50).utf8)
    for _ in 0..<50 { handle.write(chunk) }
    handle.closeFile()

    let s = try start()
    s.type("let petit = from regions | take 3\r")
    XCTAssertTrue(s.expect("terrain> ", timeout: 10), "screen:\n\(s.rawText)")
    s.type("load \"\(big.path)\" as gros\r")
    s.drain(for: 0.4)
    s.type("\u{03}")
    XCTAssertTrue(s.expect("cancelled", timeout: 10), "screen:\n\(s.rawText)")
    XCTAssertTrue(s.expect("terrain> ", timeout: 5), "screen:\n\(s.rawText)")
    s.type("from petit | aggregate n = count()\r")
    XCTAssertTrue(s.expect("1 row", timeout: 10), "screen:\n\(s.rawText)")
    s.type(".tables\r")
    XCTAssertTrue(s.expect("petit", timeout: 60), "screen:\n\(s.rawText)")
    XCTAssertTrue(s.expect("terrain> ", timeout: 5))
    XCTAssertFalse(s.rawText.contains("gros  "), "the cancelled load must not leave a table:\n\(s.rawText)")
  }

  func testPastedLinesStartingWithPipeContinueTheStatement() throws {
    let s = try start()
    // Both lines arrive at once, as a paste does: the first is held until the second shows
    // that it continues it.
    s.type("from regions\r| take 1\r")
    XCTAssertTrue(s.expect("1 row", timeout: 10), "screen:\n\(s.rawText)")
    XCTAssertFalse(s.rawText.contains("error"), "screen:\n\(s.rawText)")
  }

  // MARK: a line starting with `|` continues the previous query

  /// Types `line` and Enter, then expects each of `shows` in order and the next main prompt.
  private func enter(_ s: PTYSession, _ line: String, shows: [String], file: StaticString = #filePath, lineNo: UInt = #line) {
    s.type(line + "\r")
    for text in shows + ["terrain> "] {
      XCTAssertTrue(s.expect(text, timeout: 10), "expected \(text); screen:\n\(s.rawText)", file: file, line: lineNo)
    }
  }

  func testPipeLinesRefineThePreviousQueryStepByStep() throws {
    let s = try start(noColor: true)
    enter(s, "from regions | select nom", shows: ["18 rows"])
    // `|` typed first turns the prompt into the continuation prompt.
    s.type("|")
    XCTAssertTrue(s.expect("   ...> |", timeout: 5), "screen:\n\(s.rawText)")
    enter(s, " where nom > \"N\"", shows: ["6 rows"])
    enter(s, "| take 2", shows: ["Île-de-France", "Normandie", "2 rows"])
    XCTAssertFalse(s.rawText.contains("error"), "screen:\n\(s.rawText)")
    // ↑ recalls the whole statement that ran, to edit any step of it.
    s.type("\u{1b}[A")
    XCTAssertTrue(s.expect("from regions | select nom | where nom > \"N\" | take 2", timeout: 5), "screen:\n\(s.rawText)")
    s.type("\u{15}\u{04}")
    XCTAssertEqual(s.waitForExit(timeout: 5), 0)
    let saved = (try? String(contentsOf: home.appendingPathComponent("state/terrain/history"), encoding: .utf8)) ?? ""
    let entries = saved.split(separator: "\n").filter { !$0.hasPrefix("#") }
    XCTAssertEqual(entries, ["from regions | select nom", "from regions | select nom | where nom > \"N\"",
      "from regions | select nom | where nom > \"N\" | take 2"], saved)
  }

  func testPipeLineWithNothingToContinueIsAnErrorAtThePipe() throws {
    let s = try start(noColor: true)
    enter(s, "| take 3", shows: ["error: nothing to continue: a line starting with `|` adds stages to the previous query",
      "1 │ | take 3", "│ ^ no query before it"])
    // With nothing to continue, `|` leaves the prompt as it is.
    s.type("|")
    s.drain(for: 0.3)
    XCTAssertFalse(s.rawTextSinceMark.contains("...>"), "screen:\n\(s.rawText)")
    enter(s, "\u{15}from nope", shows: ["unknown table `nope`"])
    enter(s, "| take 1", shows: ["error: nothing to continue: the previous statement failed"])
    enter(s, "load \"\(PTYSession.repositoryRoot().path)/datasets/regions.csv.gz\" as r", shows: ["loaded 18 rows into r"])
    enter(s, "| take 1", shows: ["error: `load` takes no stages", "help: query the table with `from r | …`"])
  }

  func testFailedStepKeepsTheQueryAndDotCommandsDoNotInterrupt() throws {
    let s = try start(noColor: true)
    enter(s, "from regions | select nom", shows: ["18 rows"])
    // The error points into the whole statement that ran.
    enter(s, "| wher nom > \"N\"", shows: ["unknown stage `wher`", "1 │ from regions | select nom | wher nom > \"N\""])
    enter(s, ".timer on", shows: [])
    enter(s, ".explain | take 2", shows: ["Take 2"])
    enter(s, "| take 1", shows: ["Guadeloupe", "1 row", "time: "])
  }

  func testPastedPipeLinesRunOnceAsOneStep() throws {
    let s = try start(noColor: true)
    enter(s, "from regions | select nom", shows: ["18 rows"])
    // Two lines at once, as a paste: they join each other first, then continue the query.
    enter(s, "| where nom > \"N\"\r| take 2", shows: ["2 rows"])
    s.drain(for: 0.3)
    XCTAssertFalse(s.rawText.contains("6 rows"), "the paste must run once:\n\(s.rawText)")
    XCTAssertFalse(s.rawText.contains("error"), "screen:\n\(s.rawText)")
  }

  func testAgainstOnItsOwnLineAndCompletionOfAPipeLine() throws {
    let s = try start(noColor: true)
    enter(s, "pilots epci key siren = \"200066918\", \"244000675\"", shows: ["2 pilots"])
    // As in the specification's sketch: the peers on the next line.
    enter(s, "compare pilots on population, densite = population / superficie", shows: ["peers: 1255 rows of epci"])
    s.type("  against ")
    XCTAssertTrue(s.expect("   ...>   against ", timeout: 5), "screen:\n\(s.rawText)")
    enter(s, "peers where population between 50000 and 150000", shows: ["2 indicators · peers: 217 rows of epci"])
    // Tab in a `|` line completes the columns of the query it continues.
    enter(s, "from communes | take 1", shows: ["1 row"])
    s.type("| where popu\t")
    XCTAssertTrue(s.expect("| where population", timeout: 5), "screen:\n\(s.rawText)")
  }

  func testCtrlCDuringAContinuedQueryKeepsTheTablesAndTheQuery() throws {
    let s = try start(noColor: true)
    enter(s, "let dep = from communes | select code_departement", shows: [])
    // Some 15 million joined rows: seconds of work, cancelled after a moment.
    s.type("| join communes on code_departement | join departements on code_departement | aggregate n = count()\r")
    s.drain(for: 0.25)
    s.type("\u{03}")
    XCTAssertTrue(s.expect("cancelled", timeout: 15), "screen:\n\(s.rawText)")
    XCTAssertTrue(s.expect("terrain> ", timeout: 5), "screen:\n\(s.rawText)")
    // `dep` is still the select, and the query continued next is still the `let` without the joins.
    enter(s, ".tables", shows: ["dep", "875 │       1 │ let"])
    enter(s, "| distinct", shows: [])
    enter(s, "from dep | aggregate n = count()", shows: ["101", "1 row"])
  }

  func testMultiLineStatementIsOneHistoryEntry() throws {
    let first = try start()
    first.type("from regions |\r")
    XCTAssertTrue(first.expect("   ...> ", timeout: 5))
    first.type("take 1\r")
    XCTAssertTrue(first.expect("1 row", timeout: 10), "screen:\n\(first.rawText)")
    XCTAssertTrue(first.expect("terrain> ", timeout: 5), "screen:\n\(first.rawText)")
    first.type("\u{04}")
    XCTAssertEqual(first.waitForExit(timeout: 5), 0)

    let second = try start()
    second.type("\u{1b}[A\r")
    XCTAssertTrue(second.expect("1 row", timeout: 10), "screen:\n\(second.rawText)")
    XCTAssertFalse(second.rawText.contains("error"), "screen:\n\(second.rawText)")
  }

  func testTwoShellsShareTheHistoryFile() throws {
    let a = try start()
    let b = try start()
    for i in 0..<5 {
      a.type("from regions | take \(i + 1)\r")
      b.type("from departements | take \(i + 1)\r")
      XCTAssertTrue(a.expect("terrain> ", timeout: 10))
      XCTAssertTrue(b.expect("terrain> ", timeout: 10))
    }
    a.type("\u{04}")
    b.type("\u{04}")
    XCTAssertEqual(a.waitForExit(timeout: 5), 0)
    XCTAssertEqual(b.waitForExit(timeout: 5), 0)
    let text = try String(contentsOf: home.appendingPathComponent("state/terrain/history"), encoding: .utf8)
    let entries = text.split(separator: "\n").filter { !$0.hasPrefix("#") }
    XCTAssertEqual(entries.count, 10, text)
    for i in 1...5 {
      XCTAssertTrue(entries.contains("from regions | take \(i)"), text)
      XCTAssertTrue(entries.contains("from departements | take \(i)"), text)
    }
  }

  func testUnwritableHistoryWarnsOnceAndGoesOn() throws {
    let s = try start(extra: ["XDG_STATE_HOME": "/dev/null/terrain-state"])
    s.type("from regions | take 1\r")
    XCTAssertTrue(s.expect("1 row", timeout: 10), "screen:\n\(s.rawText)")
    s.type("from regions | take 2\r")
    XCTAssertTrue(s.expect("2 rows", timeout: 10), "screen:\n\(s.rawText)")
    let warnings = s.rawText.components(separatedBy: "cannot write history").count - 1
    XCTAssertEqual(warnings, 1, "screen:\n\(s.rawText)")
  }

  func testResultsFitTheTerminalWidth() throws {
    let s = try start(columns: 80)
    s.type("from communes | take 3\r")
    XCTAssertTrue(s.expect("3 rows", timeout: 10), "screen:\n\(s.rawText)")
    let screen = PTYSession.stripEscapes(Array(s.rawText.utf8))
    let tableLines = screen.split(separator: "\n").filter { $0.contains("│") }
    XCTAssertFalse(tableLines.isEmpty, screen)
    for line in tableLines {
      XCTAssertLessThanOrEqual(line.count, 80, "line wider than the terminal: \(line)")
    }
  }

  func testCtrlDExitsWithZero() throws {
    let s = try start()
    s.type("\u{04}")
    XCTAssertEqual(s.waitForExit(timeout: 5), 0, "screen:\n\(s.rawText)")
  }

  func testColourOnTerminalAndNoneWithNoColor() throws {
    let coloured = try start()
    coloured.type("from regions | take 2\r")
    XCTAssertTrue(coloured.expect("2 rows", timeout: 10), "screen:\n\(coloured.rawText)")
    XCTAssertTrue(containsColorEscape(resultPart(coloured.rawText)), "expected colour:\n\(coloured.rawText)")

    let plain = try start(noColor: true)
    plain.type("from regions | take 2\r")
    XCTAssertTrue(plain.expect("2 rows", timeout: 10), "screen:\n\(plain.rawText)")
    XCTAssertFalse(containsColorEscape(resultPart(plain.rawText)), "expected no colour:\n\(plain.rawText)")
  }

  /// The part of the screen after the statement typed, up to the rows footer.
  private func resultPart(_ screen: String) -> String {
    guard let start = screen.range(of: "take 2") else { return "" }
    let rest = screen[start.upperBound...]
    guard let end = rest.range(of: "2 rows") else { return String(rest) }
    return String(rest[..<end.lowerBound])
  }
}
