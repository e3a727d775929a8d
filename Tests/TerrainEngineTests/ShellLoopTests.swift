// The interactive loop without a terminal: a scripted line reader, a history in memory.

import XCTest

import TerrainEngine
import TerrainShell
import TerrainStorage

final class ShellLoopTests: XCTestCase {
  final class ScriptedReader: LineReader {
    var events: [LineEvent]
    var prompts: [String] = []
    var contexts: [LineContext] = []
    var endOfInputEndedLine = false
    init(_ events: [LineEvent]) { self.events = events }
    func readLine(prompt: String, context: LineContext) -> LineEvent {
      prompts.append(prompt)
      contexts.append(context)
      return events.isEmpty ? .endOfInput : events.removeFirst()
    }
  }

  final class MemoryHistory: StatementHistory {
    var entries: [String] = []
    func add(_ statement: String) { entries.append(statement) }
  }

  private func run(_ events: [LineEvent]) -> (out: String, err: String, screen: String, history: [String], reader: ScriptedReader) {
    let session = Session.shell()
    var out = ""
    var err = ""
    var screen = ""
    session.write = { out += $0 }
    session.notify = { err += $0 }
    session.renderOptions.mode = .csv
    session.catalog.set(
      "t", Table(names: ["n"], columns: [Column.from([.int(1), .int(2), .int(3)], type: .int)]), origin: .query)
    let reader = ScriptedReader(events)
    let history = MemoryHistory()
    ShellLoop(session: session, reader: reader, history: history, screen: { screen += $0 }).run()
    return (out, err, screen, history.entries, reader)
  }

  func testALineStartingWithAPipeContinuesTheQueryThatRan() {
    let r = run([.line("from t", moreWaiting: false), .line("| where n > 1", moreWaiting: false), .line("| take 1", moreWaiting: false)])
    XCTAssertEqual(r.out, "n\n1\n2\n3\nn\n2\n3\nn\n2\n")
    XCTAssertEqual(r.history, ["from t", "from t | where n > 1", "from t | where n > 1 | take 1"])
    XCTAssertEqual(r.screen, "\n", "Ctrl-D at the prompt ends the line on screen")
  }

  func testAStatementSpreadOverLinesUsesTheContinuationPromptAndCtrlCAbandonsIt() {
    let r = run([
      .line("from t |", moreWaiting: false), .interrupted,
      .line("from t |", moreWaiting: false), .line("take 2", moreWaiting: false),
    ])
    XCTAssertEqual(r.reader.prompts, ["terrain> ", "   ...> ", "terrain> ", "   ...> ", "terrain> "])
    XCTAssertEqual(r.out, "n\n1\n2\n")
    XCTAssertEqual(r.reader.contexts[3].pendingText, "from t |")
  }

  func testQuitStopsReadingAndEndOfInputRunsTheLastStatement() {
    let quit = run([.line(".quit", moreWaiting: false), .line("from t", moreWaiting: false)])
    XCTAssertEqual(quit.out, "")
    XCTAssertEqual(quit.reader.prompts.count, 1)
    let last = run([.line("from t\n| take 1", moreWaiting: true)])
    XCTAssertEqual(last.out, "n\n1\n")
  }

  func testAFailedStepIsNotContinued() {
    let r = run([.line("from t | where nope > 1", moreWaiting: false), .line("| take 1", moreWaiting: false)])
    XCTAssertTrue(r.err.contains("unknown column `nope`"), r.err)
    XCTAssertTrue(r.err.contains("error:"), r.err)
    XCTAssertEqual(r.out, "")
    XCTAssertEqual(r.history.count, 2)
  }
}
