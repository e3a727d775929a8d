// Rendering of diagnostics: carets by display width, notes and helps, identities.

import TerrainSyntax
import XCTest

final class DiagnosticTests: XCTestCase {
  static let boom = DiagnosticMessage(.session, "test-boom", "boom")

  /// A span after wide (CJK) characters: the caret stands under it on a terminal, two cells per
  /// wide character, while the column in `LINE:COL` still counts characters.
  func testCaretIsPlacedByDisplayWidth() {
    let text = "from t | where 名前 == \"東京\" and x > 1"
    let bytes = Array(text.utf8)
    let start = (text.range(of: "x >").map { text.utf8.distance(from: text.startIndex, to: $0.lowerBound) }) ?? 0
    XCTAssertLessThan(start, bytes.count)
    let source = SourceText(name: nil, text: text)
    let out = source.render(Diagnostic(Self.boom, at: Span(start, start + 1), label: .here))
    let lines = out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    XCTAssertEqual(lines[1], "  ╭─ 1:31")
    // Prefix "from t | where " (15 cells) + 名前 (4) + " == \"" (5) + 東京 (4) + "\" and " (6) = 34 cells.
    XCTAssertEqual(lines[3], "  │ " + String(repeating: " ", count: 34) + "^ here")
  }

  func testCombiningAccentTakesNoCell() {
    let text = "from t | where nom == \"Cafe\u{301}\" and y"
    let start = text.utf8.count - 1
    let out = SourceText(name: "s.tq", text: text).render(Diagnostic(Self.boom, at: Span(start, start + 1)))
    let caretLine = out.split(separator: "\n").map(String.init)[2]
    // "from t | where nom == \"Café\" and " is 33 cells: the é is one cell.
    XCTAssertEqual(caretLine, "  │ " + String(repeating: " ", count: 33) + "^")
  }

  func testNotesAndHelpsAreRenderedInOrder() {
    var d = Diagnostic(DiagnosticMessage(.bind, "test-message", "unknown column `{}` in `{}`"), "pop", "communes", at: Span(0, 4))
    d.notes = ["columns are matched exactly"]
    d.helps = ["did you mean `population`?", "`.schema communes` lists them"]
    XCTAssertEqual(d.id.description, "bind.test-message")
    XCTAssertEqual(d.message, "unknown column `pop` in `communes`")
    let out = SourceText(name: nil, text: "from communes").render(d)
    XCTAssertTrue(out.hasSuffix("  = note: columns are matched exactly\n  = help: did you mean `population`?\n  = help: `.schema communes` lists them\n"), out)
  }
}
