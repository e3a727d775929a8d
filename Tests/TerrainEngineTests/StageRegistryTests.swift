// The stage registry: every stage the parser knows is planned, its steps run through an
// operator, and its words reach the shell (what a stage forgotten in one layer would break).

import Foundation
import TerrainEngine
import TerrainExecution
import TerrainPlanner
import TerrainShell
import TerrainSyntax
import XCTest

final class StageRegistryTests: XCTestCase {
  func testEveryStageIsPlannedAndEveryStepHasAnOperator() throws {
    let s = Session.shell()
    try s.registerDirectory(HelpTests.datasets)
    var keywords = Set<String>()
    for syntax in Grammar.terrain.stages {
      XCTAssertTrue(keywords.insert(syntax.keyword).inserted, "`\(syntax.keyword)` registered twice")
      XCTAssertEqual(syntax.keyword, syntax.keyword.lowercased())
      XCTAssertTrue(syntax is any PlannableStage.Type, "`\(syntax.keyword)` has no planning (TerrainPlanner/Stages)")
      let example = syntax.help.example.replacingOccurrences(of: "/tmp/", with: NSTemporaryDirectory())
      let nodes = try Parser.parse(example, grammar: .terrain)
      guard let node = nodes.first, case .query(let pipeline) = node.statement else {
        XCTFail("the example of `\(syntax.keyword)` is not a query")
        continue
      }
      XCTAssertTrue(pipeline.stages.contains { $0.keyword == syntax.keyword }, "the example of `\(syntax.keyword)` does not use it")
      let plan = try s.planQuery(pipeline, announce: false)
      for step in plan.steps {
        XCTAssertTrue(step is any PhysicalStep, "\(type(of: step)) (from `\(syntax.keyword)`) has no operator")
      }
    }
    XCTAssertEqual(Grammar.terrain.stageKeywords, Grammar.terrain.stages.map { $0.keyword })
  }

  func testStageWordsReachTheShell() {
    for syntax in Grammar.terrain.stages {
      XCTAssertEqual(statementNeedsMore("from communes | \(syntax.keyword)"), !syntax.mayEndAfterKeyword, syntax.keyword)
      for w in syntax.continuationWords { XCTAssertTrue(Grammar.terrain.continuation.contains(w), w) }
      for w in syntax.completionWords { XCTAssertTrue(ShellCompleter.keywords.contains(w), w) }
    }
    XCTAssertEqual(ShellCompleter.keywords.count, Set(ShellCompleter.keywords).count)
  }

  func testUnknownStageHelpComesFromTheStages() {
    func help(_ text: String) -> String? {
      do {
        _ = try Parser.parse(text, grammar: .terrain)
        return nil
      } catch let d as Diagnostic {
        return d.help
      } catch {
        return nil
      }
    }
    XCTAssertEqual(help("from communes | filter x"), "did you mean `where`?")
    XCTAssertEqual(help("from communes | groupby x"), "use `aggregate name = agg(x) by col`")
    XCTAssertEqual(help("from communes | head 3"), "did you mean `take`?")
    XCTAssertEqual(help("from communes | arrange x"), "did you mean `sort`?")
    XCTAssertEqual(help("from communes | mutate x = 1"), "did you mean `derive`?")
    XCTAssertEqual(help("from communes | selct x"), "did you mean `select`?")
  }

  func testStatementScanOnTheLexer() {
    // A backquoted keyword is a name, not the keyword; a parameter named like one is a value.
    XCTAssertFalse(statementNeedsMore("from communes | select `by`"))
    XCTAssertFalse(statementNeedsMore("from communes | where x == $and"))
    // Malformed at the end: complete, so that the parser reports it.
    XCTAssertFalse(statementNeedsMore("from communes | where x <>"))
    XCTAssertTrue(statementNeedsMore("from communes | where nom == \"a\\q"))
    XCTAssertTrue(statementNeedsMore("from `communes"))
    let scan = StatementScan("from a; from communes | where nom == \"Ly", grammar: .terrain)
    XCTAssertEqual(scan.openString?.start, 37)
    XCTAssertEqual(scan.statementStart, 7)
    XCTAssertEqual(scan.lastPipe, 22)
    XCTAssertTrue(StatementScan("from a; # done", grammar: .terrain).endsWithSemicolon)
    // An open `case` goes on to the next line until its `end` (a line ending with `case` too:
    // `when` may follow on the next; a column named `case` is backquoted there).
    XCTAssertTrue(statementNeedsMore("from communes | select t = case when population > 1000 then \"v\""))
    XCTAssertTrue(statementNeedsMore("from communes | select t = case\n  when population > 1000 then \"v\"\n  else \"w\""))
    XCTAssertFalse(statementNeedsMore("from communes | select t = case when population > 1000 then \"v\" end"))
    XCTAssertTrue(statementNeedsMore("from communes | select t =\n  case"))
    XCTAssertFalse(statementNeedsMore("from communes | select `case`"))
    XCTAssertFalse(statementNeedsMore("from communes | select case, nom"))
    XCTAssertTrue(statementNeedsMore("from communes | where nom like"))
    XCTAssertFalse(statementNeedsMore("from a | select t = case when x then 1; from b | select `case`"))
  }
}
