// A line typed at the prompt that starts with `|` continues the previous query: what runs,
// what is refused and why (QueryContinuation), without a terminal. Scripts, `-c` and standard
// input join such a line to the statement above by the grammar: checked here too.

import Foundation
import TerrainEngine
import TerrainExecution
import TerrainIO
import TerrainPlanner
import TerrainStorage
import TerrainShell
import TerrainSyntax
import XCTest

final class ShellContinuationTests: XCTestCase {
  /// What `statement` runs after `previous` ran successfully, or nil when it is refused.
  private func runs(_ statement: String, after previous: [String]) -> String? {
    var c = QueryContinuation()
    for p in previous {
      guard case .run(let text, let continuing) = c.action(for: p) else {
        XCTFail("refused: \(p)")
        return nil
      }
      c.record(text, continuing: continuing, succeeded: true)
    }
    if case .run(let text, _) = c.action(for: statement) { return text }
    return nil
  }

  private func refusal(_ c: QueryContinuation, _ statement: String) -> String {
    if case .refuse(let error) = c.action(for: statement) { return error }
    XCTFail("not refused: \(statement)")
    return ""
  }

  func testLeadingPipe() {
    XCTAssertEqual(QueryContinuation.leadingPipe("| take 3"), 0)
    XCTAssertEqual(QueryContinuation.leadingPipe("  |take 3"), 2)
    XCTAssertEqual(QueryContinuation.leadingPipe("\n\t| take 3"), 2)
    XCTAssertNil(QueryContinuation.leadingPipe("|| \"x\""))
    XCTAssertNil(QueryContinuation.leadingPipe("from communes | take 3"))
    XCTAssertNil(QueryContinuation.leadingPipe(""))
  }

  func testStepByStepRefinement() {
    var c = QueryContinuation()
    XCTAssertEqual(c.action(for: "from communes"), .run("from communes", continuing: false))
    c.record("from communes", continuing: false, succeeded: true)
    XCTAssertTrue(c.canContinue)
    XCTAssertEqual(c.action(for: "| where population > 10000"),
      .run("from communes | where population > 10000", continuing: true))
    c.record("from communes | where population > 10000", continuing: true, succeeded: true)
    XCTAssertEqual(c.action(for: "  | take 3  "), .run("from communes | where population > 10000 | take 3", continuing: true))
  }

  func testAStatementNotStartingWithPipeRunsAsTyped() {
    XCTAssertEqual(runs("from regions | take 1", after: ["from communes"]), "from regions | take 1")
    XCTAssertEqual(runs("load \"x.csv\"", after: ["from communes"]), "load \"x.csv\"")
  }

  func testNothingToContinueAtTheStart() {
    let c = QueryContinuation()
    XCTAssertFalse(c.canContinue)
    let e = refusal(c, "| take 3")
    XCTAssertTrue(e.hasPrefix("error: nothing to continue: a line starting with `|` adds stages to the previous query\n"), e)
    XCTAssertTrue(e.contains("╭─ 1:1\n1 │ | take 3\n  │ ^ no query before it\n"), e)
    XCTAssertTrue(e.contains("help: start with `from TABLE`"), e)
    // The caret follows the `|` when it is indented.
    XCTAssertTrue(refusal(c, "   | take 3").contains("1:4"))
  }

  func testFailedRefinementKeepsTheQuery() {
    var c = QueryContinuation()
    c.record("from communes", continuing: false, succeeded: true)
    c.record("from communes | where populaton > 1", continuing: true, succeeded: false)
    XCTAssertEqual(c.previous, .query("from communes"))
    c.record("from communes | take 99999999", continuing: true, succeeded: false, cancelled: true)
    XCTAssertEqual(c.action(for: "| where population > 1"), .run("from communes | where population > 1", continuing: true))
  }

  func testFailedNewStatementLeavesNothingToContinue() {
    var c = QueryContinuation()
    c.record("from communes", continuing: false, succeeded: true)
    c.record("from comunes", continuing: false, succeeded: false)
    let e = refusal(c, "| take 3")
    XCTAssertTrue(e.hasPrefix("error: nothing to continue: the previous statement failed\n"), e)
    XCTAssertTrue(e.contains("fix it (↑ recalls it)"), e)
    c.record("from communes | sort population", continuing: false, succeeded: false, cancelled: true)
    XCTAssertTrue(refusal(c, "| take 3").hasPrefix("error: nothing to continue: the previous statement was cancelled\n"))
    // A new query that runs starts over.
    c.record("from regions", continuing: false, succeeded: true)
    XCTAssertEqual(c.action(for: "| take 1"), .run("from regions | take 1", continuing: true))
  }

  func testDotCommandsLeaveTheQueryAlone() {
    XCTAssertEqual(runs("| take 3", after: ["from communes", ".schema communes", ".timer on", ".mode csv"]),
      "from communes | take 3")
    XCTAssertEqual(runs("| take 3", after: ["from communes", ".explain from regions"]), "from communes | take 3")
  }

  func testExplainWithPipeExplainsTheQueryWithTheStages() {
    XCTAssertEqual(runs(".explain | take 3", after: ["from communes | select nom"]),
      ".explain from communes | select nom | take 3")
    XCTAssertEqual(runs(".EXPLAIN   | take 3", after: ["from regions"]), ".explain from regions | take 3")
    // Explaining does not change the query being built.
    XCTAssertEqual(runs("| take 1", after: ["from regions", ".explain | take 3"]), "from regions | take 1")
    // Without a query, refused with the caret under that `|`.
    let e = refusal(QueryContinuation(), ".explain | take 3")
    XCTAssertTrue(e.contains("╭─ 1:10\n"), e)
    // `.explain` of a whole statement is left to the engine.
    XCTAssertEqual(runs(".explain from regions", after: []), ".explain from regions")
  }

  func testLetAndCompareTakeMoreStages() {
    XCTAssertEqual(runs("| take 3", after: ["let big = from communes | where population > 10000"]),
      "let big = from communes | where population > 10000 | take 3")
    XCTAssertEqual(runs("| where indicator == \"population\"", after: ["compare pilots on population, d = population / superficie"]),
      "compare pilots on population, d = population / superficie | where indicator == \"population\"")
  }

  func testStatementsThatTakeNoStages() {
    var c = QueryContinuation()
    c.record("load \"data/Mes Communes.csv\"", continuing: false, succeeded: true)
    var e = refusal(c, "| take 3")
    XCTAssertTrue(e.hasPrefix("error: `load` takes no stages"), e)
    XCTAssertTrue(e.contains("help: query the table with `from Mes_Communes | …`"), e)
    c.record("load \"x.csv\" as brut", continuing: false, succeeded: true)
    XCTAssertTrue(refusal(c, "| take 3").contains("query the table with `from brut | …`"))

    c.record("pilots epci key siren = \"200069177\"", continuing: false, succeeded: true)
    XCTAssertTrue(refusal(c, "| take 3").hasPrefix("error: `pilots` takes no stages"))

    c.record("from regions | export \"r.csv\"", continuing: false, succeeded: true)
    e = refusal(c, "| take 3")
    XCTAssertTrue(e.hasPrefix("error: nothing can follow `export`"), e)

    // `let t = from t …` read the table it replaced: running it again would apply it twice.
    c.record("let c = from c | derive x = x * 2", continuing: false, succeeded: true)
    e = refusal(c, "| take 3")
    XCTAssertTrue(e.hasPrefix("error: cannot add stages to `let c = …`"), e)
    XCTAssertTrue(e.contains("`from c | …`"), e)
    c.record("let j = from regions | join j on code_region", continuing: false, succeeded: true)
    XCTAssertTrue(refusal(c, "| take 3").contains("`let j = …`"))
  }

  func testTheLastStatementOfALineIsContinued() {
    XCTAssertEqual(runs("| take 1", after: ["from regions; from communes"]), "from communes | take 1")
    XCTAssertEqual(runs("| take 1", after: ["from regions | take 3; from communes;"]), "from communes | take 1")
    var c = QueryContinuation()
    c.record("from regions; load \"x.csv\" as x", continuing: false, succeeded: true)
    XCTAssertFalse(c.canContinue)
    // A refinement followed by another statement: that one is continued next.
    XCTAssertEqual(runs("| take 2", after: ["from communes", "| take 3; from regions"]), "from regions | take 2")
  }

  func testCommentsLeaveTheQueryAlone() {
    XCTAssertEqual(runs("| take 1", after: ["from regions", "# a note"]), "from regions | take 1")
  }

  func testAMultiLineQueryIsContinuedOnOneLine() {
    XCTAssertEqual(runs("| take 1", after: ["from communes |\n  where population > 10000 # big ones\n  | select nom"]),
      "from communes | where population > 10000 | select nom | take 1")
    // Strings are kept as they are, `#` and line ends included; brackets too.
    XCTAssertEqual(runs("| take 1", after: ["from communes | where nom in (\"a # b\",\n  'c')  # note"]),
      "from communes | where nom in (\"a # b\", 'c') | take 1")
    XCTAssertEqual(runs("| take 1", after: ["from `ma table` | where `la col` > 1"]),
      "from `ma table` | where `la col` > 1 | take 1")
    // A refinement typed over several lines.
    XCTAssertEqual(runs("| take 1", after: ["from communes", "| where population > 1 and\n  population < 5"]),
      "from communes | where population > 1 and population < 5 | take 1")
  }

  func testAgainstOnItsOwnLineGivesThePeersOfTheCompare() {
    let compare = "compare pilots on population, d = population / superficie"
    XCTAssertEqual(runs("  against peers where population between 50000 and 150000", after: [compare]),
      compare + " against peers where population between 50000 and 150000")
    XCTAssertEqual(runs("against peers where population > 1", after: ["let c = " + compare]),
      "let c = " + compare + " against peers where population > 1")
    // Not after a compare that has its peers or stages, nor after anything else.
    for previous in [compare + " against peers where population > 1", compare + " | take 1", "from epci"] {
      var c = QueryContinuation()
      c.record(previous, continuing: false, succeeded: true)
      let e = refusal(c, "against peers where population > 1")
      XCTAssertTrue(e.hasPrefix("error: nothing to continue: a line starting with `against` gives the peers"), e)
      XCTAssertTrue(e.contains("│ ^^^^^^^ the previous query is not a `compare` without peers"), e)
    }
    XCTAssertTrue(refusal(QueryContinuation(), "against peers").contains("^^^^^^^ no `compare` before it"))
    // `againstx` is a name, not the keyword.
    XCTAssertNil(QueryContinuation.leadingAgainst("againstx"))
  }

  func testWhatContinuesForThePrompt() {
    var c = QueryContinuation()
    XCTAssertFalse(c.continues("|"))
    c.record("from communes", continuing: false, succeeded: true)
    XCTAssertTrue(c.continues("|"))
    XCTAssertTrue(c.continues("  | where"))
    XCTAssertFalse(c.continues("||"))
    XCTAssertFalse(c.continues("from"))
    XCTAssertFalse(c.continues("against "))
    c.record("compare pilots on population", continuing: false, succeeded: true)
    XCTAssertTrue(c.peersMayFollow)
    XCTAssertFalse(c.continues("against"))
    XCTAssertTrue(c.continues("against "))
  }

  func testCompletionReadsTheQueryALineContinues() {
    var c = QueryContinuation()
    XCTAssertEqual(c.completionContext("| where "), "| where ")
    c.record("from communes |\n where population > 1", continuing: false, succeeded: true)
    XCTAssertEqual(c.completionContext("| where "), "from communes | where population > 1 | where ")
    XCTAssertEqual(c.completionContext("from epci | "), "from epci | ")
    // Against a completer: the columns of the continued query's table.
    let completer = ShellCompleter(tableNames: { ["communes"] },
      columns: { $0 == "communes" ? ["population", "nom"] : nil })
    XCTAssertEqual(completer.complete(before: c.completionContext("| select nom, "), word: "pop").list, ["population"])
  }

  func testAssemblerHandsOverPipeLinesAndStillJoinsPastes() {
    var a = StatementAssembler()
    XCTAssertEqual(a.feed("| take 3", moreInputWaiting: false), ["| take 3"])
    XCTAssertEqual(a.feed("|", moreInputWaiting: false), [])
    XCTAssertEqual(a.feed("take 3", moreInputWaiting: false), ["|\ntake 3"])
    // Pasted lines still join before anything runs: the statement does not start with `|`.
    XCTAssertEqual(a.feed("from regions", moreInputWaiting: true), [])
    XCTAssertEqual(a.feed("| take 1", moreInputWaiting: false), ["from regions\n| take 1"])
    XCTAssertNil(QueryContinuation.leadingPipe("from regions\n| take 1"))
  }

  func testHelpOverviewSaysWhatALineStartingWithPipeDoes() {
    let s = Session.shell()
    var out = ""
    s.write = { out += $0 }
    XCTAssertTrue(s.run(".help"))
    XCTAssertTrue(out.contains("the\n            next line starts with |;"), out)
    XCTAssertTrue(out.contains("At the prompt, a line starting with | adds its stages"), out)
  }

  // MARK: scripts, -c and standard input: the grammar joins the line

  private static let root = TestSupport.repositoryRoot

  func testScriptLineStartingWithPipeJoinsTheStatementAbove() throws {
    let s = Session.shell()
    try s.registerDirectory(Self.root.appendingPathComponent("datasets").path)
    s.renderOptions.mode = .csv
    var out = ""
    var err = ""
    s.write = { out += $0 }
    s.notify = { err += $0 }
    XCTAssertTrue(s.run("from regions | select nom\n| take 2\n  | sort nom", name: "x.tq"), err)
    XCTAssertEqual(out, "nom\nGuadeloupe\nMartinique\n")
    // A script that starts with `|` has nothing above it: the parser's error, at the `|`.
    XCTAssertFalse(s.run("| take 2", name: "y.tq"))
    XCTAssertTrue(err.hasPrefix("y.tq:1:1: error: expected a statement"), err)
  }

  func testCommandAndStandardInputJoinLinesStartingWithPipe() throws {
    guard let binary = TestSupport.terrainBinary else { throw XCTSkip("terrain binary not built") }
    func terrain(_ args: [String], stdin: String) throws -> (Int32, String) {
      let p = Process()
      p.executableURL = binary
      p.arguments = ["--mode", "csv"] + args
      var env = ProcessInfo.processInfo.environment
      env["TERRAIN_DATASETS"] = Self.root.appendingPathComponent("datasets").path
      p.environment = env
      let out = Pipe()
      let inp = Pipe()
      p.standardOutput = out
      p.standardError = FileHandle.nullDevice
      p.standardInput = inp
      try p.run()
      inp.fileHandleForWriting.write(Data(stdin.utf8))
      try inp.fileHandleForWriting.close()
      let o = out.fileHandleForReading.readDataToEndOfFile()
      p.waitUntilExit()
      return (p.terminationStatus, String(decoding: o, as: UTF8.self))
    }
    let c = try terrain(["-c", "from regions | select nom\n| take 2"], stdin: "")
    XCTAssertEqual(c.0, 0)
    XCTAssertEqual(c.1, "nom\nGuadeloupe\nMartinique\n")
    let piped = try terrain([], stdin: "from regions | select nom\n| take 1\nfrom regions | select nom\n\n| take 1\n")
    XCTAssertEqual(piped.0, 0)
    XCTAssertEqual(piped.1, "nom\nGuadeloupe\nnom\nGuadeloupe\n")
  }
}
