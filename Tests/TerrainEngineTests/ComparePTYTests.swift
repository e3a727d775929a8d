// `compare` on a real terminal: the binary on a pseudo-terminal of 80 columns (a projector)
// shows one block per pilot, nothing cut; on a wide one, the pilots side by side. The footer
// comes under the table in both.

import Foundation
import XCTest
import TerrainSyntax

extension ShellPTYTests {
  /// Runs the workshop's comparison on a terminal `columns` wide; the lines shown for it
  /// (escape sequences removed), up to its footer.
  private func comparisonScreen(columns: UInt16) throws -> [String] {
    let s = try start(noColor: true, columns: columns)
    s.type(CompareSecondWaveTests.pilots + "\r")
    XCTAssertTrue(s.expect("4 pilots", timeout: 10), "screen:\n\(s.rawText)")
    s.type(CompareSecondWaveTests.comparison.replacingOccurrences(of: "\n", with: " ") + "\r")
    XCTAssertTrue(s.expect("peers: 217 rows of epci", timeout: 20), "screen:\n\(s.rawText)")
    let screen = PTYSession.stripEscapes(Array(s.rawText.utf8)).replacingOccurrences(of: "\r", with: "")
    // The result starts at the line before its first box (a block's title, or the table's
    // top). The echoed statement is not searched for: readline may wrap it at any column
    let lines = screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    // (readline may also scroll it horizontally: `terrain> <nst peers where …`.) The line after
    // the pilots' notice is the comparison's prompt.
    guard let notice = lines.lastIndex(where: { $0.hasPrefix("4 pilots") }),
      let typed = lines[notice...].firstIndex(where: { $0.hasPrefix("terrain> ") }),
      let box = lines[typed...].firstIndex(where: { $0.hasPrefix("┌") })
    else {
      XCTFail("no result found; screen:\n\(screen)")
      return []
    }
    return Array(lines[max(typed + 1, box - 1)...])
  }

  func testCompareOnAnEightyColumnTerminalShowsOneBlockPerPilot() throws {
    let lines = try comparisonScreen(columns: 80)
    let text = lines.joined(separator: "\n")
    for line in lines where line.contains("│") || line.contains("─") {
      XCTAssertLessThanOrEqual(displayWidth(line), 80, "wider than the terminal: \(line)")
    }
    for title in ["CA du Grand Dax", "CA Alès Agglomération", "CU Le Creusot Montceau-les-Mines",
      "CC Loudéac Communauté - Bretagne Centre", "peers"]
    {
      XCTAssertTrue(lines.contains(title), "a block titled \(title):\n\(text)")
    }
    XCTAssertFalse(text.contains("not shown"), text)
    XCTAssertFalse(text.contains("…"), "nothing elided or cut:\n\(text)")
    XCTAssertTrue(lines.contains { $0.hasPrefix("│ population") && $0.contains("137\u{2009}470 ▕") && $0.contains("6/217") }, text)
    let lastBox = try XCTUnwrap(lines.lastIndex { $0.hasPrefix("└") }, text)
    let footer = try XCTUnwrap(lines.firstIndex { $0.contains("3 indicators · peers: 217 rows of epci") }, text)
    XCTAssertGreaterThan(footer, lastBox, text)
  }

  func testCompareOnAWideTerminalShowsThePilotsSideBySide() throws {
    let lines = try comparisonScreen(columns: 250)
    let text = lines.joined(separator: "\n")
    XCTAssertEqual(lines.filter { $0.hasPrefix("┌") }.count, 1, text)
    XCTAssertTrue(lines.contains { $0.contains("CA du Grand Dax") && $0.contains("CC Loudéac Communauté - Bretagne Centre") }, text)
    XCTAssertFalse(text.contains("not shown"), text)
    let lastBox = try XCTUnwrap(lines.lastIndex { $0.hasPrefix("└") }, text)
    let footer = try XCTUnwrap(lines.firstIndex { $0.contains("3 indicators · peers: 217 rows of epci") }, text)
    XCTAssertEqual(footer, lastBox + 1, text)
  }
}
