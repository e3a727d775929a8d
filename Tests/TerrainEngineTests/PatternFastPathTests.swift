// The per-dictionary-code paths of `like` / `ilike` (value kernel and `where` mask, byte
// shapes and the wildcard matcher) and of the text functions with constant arguments, against
// the row-by-row paths (a pattern or argument read from a column) and plain Swift.

import Foundation
import XCTest

import TerrainEngine
import TerrainExecution
import TerrainPlanner
import TerrainStorage

final class PatternFastPathTests: XCTestCase {
  static let texts: [Value] = [
    .text(""), .text("a"), .text("abc"), .text("Abc"), .text("é"), .text("e\u{301}"), .text("É"), .text("école"),
    .text("ÉCOLE"), .text("東京都"), .text("100%"), .text("a_c"), .text("a%c"), .text("Saint-Étienne"), .text("saint-genis-laval"),
    .text("69123"), .text("6912"), .text("x y"), .text("a\\b"), .text("🙂x"), .null,
  ]
  static let patterns = [
    "", "%", "%%", "_", "__", "a%", "%c", "%b%", "a_c", "a%c", "%_%", "_%_", "69%", "%-%-%", "É%", "é%", "%É%", "e_",
    "%東%", "__都", "100%", "a\\b", "%%%a", "S%e", "%🙂%", "🙂_",
  ]

  /// `t` with `id`, `s` cycling through `texts`, and `p` holding `pattern` on every row.
  func session(rows: Int, pattern: String) -> Session {
    let s = Session.shell()
    let texts = Self.texts
    s.catalog.set("t", Table(names: ["id", "s", "p"], columns: [
      Column.from((0..<rows).map { .int(Int64($0)) }, type: .int),
      Column.from((0..<rows).map { texts[($0 * 7) % texts.count] }, type: .text),
      Column.from([Value](repeating: .text(pattern), count: rows), type: .text),
    ]), origin: .query)
    return s
  }

  func column(_ s: Session, _ query: String) throws -> [Value] {
    let t = try s.query(query)
    return (0..<t.rowCount).map { t.columns[0].value(at: $0) }
  }

  func literal(_ p: String) -> String { "\"" + p.replacingOccurrences(of: "\\", with: "\\\\") + "\"" }

  func testLikeConstantPatternAgreesWithRowByRowAndReference() throws {
    let rows = 3000
    for pattern in Self.patterns {
      let s = session(rows: rows, pattern: pattern)
      let values = (0..<rows).map { Self.texts[($0 * 7) % Self.texts.count] }
      for (op, ci, neg) in [("like", false, false), ("not like", false, true), ("ilike", true, false), ("not ilike", true, true)] {
        let expected = values.map { v -> Value in
          guard case .text(let x) = v else { return .null }
          return .bool(Reference.likeReference(ci ? x.lowercased() : x, ci ? pattern.lowercased() : pattern) != neg)
        }
        let perCode = try column(s, "from t | select r = s \(op) \(literal(pattern))")
        let rowwise = try column(s, "from t | select r = s \(op) p")
        XCTAssertEqual(perCode, expected, "s \(op) \(literal(pattern))")
        XCTAssertEqual(rowwise, expected, "s \(op) p (= \(literal(pattern)))")
        // The mask kernel of `where`, alone and under `or` / `and`.
        let kept = try column(s, "from t | where s \(op) \(literal(pattern)) | select id")
        XCTAssertEqual(kept, expected.indices.filter { expected[$0] == .bool(true) }.map { .int(Int64($0)) }, "where s \(op) \(literal(pattern))")
        let either = try column(s, "from t | where id % 5 == 0 or s \(op) \(literal(pattern)) | select id")
        XCTAssertEqual(either, expected.indices.filter { $0 % 5 == 0 || expected[$0] == .bool(true) }.map { .int(Int64($0)) })
      }
    }
  }

  func testRegexPerCodeAgreesWithFoundationPerRow() throws {
    let rows = 500
    let s = session(rows: rows, pattern: "")
    let values = (0..<rows).map { Self.texts[($0 * 7) % Self.texts.count] }
    for pattern in ["^[a-z]", "c$", "[0-9]{4}", "(.)(.)$", "^$", "é", "\\p{Lu}", ".", "-([^-]+)$"] {
      let regex = try NSRegularExpression(pattern: pattern)
      let expected = values.map { v -> Value in
        guard case .text(let x) = v else { return .null }
        return .bool(regex.firstMatch(in: x, range: NSRange(x.startIndex..., in: x)) != nil)
      }
      XCTAssertEqual(try column(s, "from t | select r = matches(s, \(literal(pattern)))"), expected, pattern)
      XCTAssertEqual(try column(s, "from t | where matches(s, \(literal(pattern))) | select id"),
        expected.indices.filter { expected[$0] == .bool(true) }.map { .int(Int64($0)) }, pattern)
      let replaced = values.map { v -> Value in
        guard case .text(let x) = v else { return .null }
        return .text(regex.stringByReplacingMatches(in: x, range: NSRange(x.startIndex..., in: x), withTemplate: "<$0>"))
      }
      XCTAssertEqual(try column(s, "from t | select r = regexp_replace(s, \(literal(pattern)), \"<$0>\")"), replaced, pattern)
      let extracted = values.map { v -> Value in
        guard case .text(let x) = v, let m = regex.firstMatch(in: x, range: NSRange(x.startIndex..., in: x)) else { return .null }
        return .text((x as NSString).substring(with: m.range))
      }
      XCTAssertEqual(try column(s, "from t | select r = regexp_extract(s, \(literal(pattern)))"), extracted, pattern)
    }
  }

  func testTextFunctionsConstantArgumentsAgreeWithRowByRow() throws {
    let rows = 400
    let s = Session.shell()
    let texts = Self.texts
    let ns: [Int64] = [-9_223_372_036_854_775_808, -5, -2, -1, 0, 1, 2, 3, 9, 9_223_372_036_854_775_807]
    for n in ns {
      s.catalog.set("t", Table(names: ["s", "n", "sep", "pad"], columns: [
        Column.from((0..<rows).map { texts[$0 % texts.count] }, type: .text),
        Column.from([Value](repeating: .int(n), count: rows), type: .int),
        Column.from([Value](repeating: .text("-"), count: rows), type: .text),
        Column.from([Value](repeating: .text("*é"), count: rows), type: .text),
      ]), origin: .query)
      for (constant, variable) in [
        ("left(s, \(n))", "left(s, n)"), ("right(s, \(n))", "right(s, n)"),
        ("split_part(s, \"-\", \(n))", "split_part(s, sep, n)"), ("split_part(s, \"\", \(n))", "split_part(s, \"\", n)"),
        ("lpad(s, \(min(n, 50)), \"*é\")", "lpad(s, least(n, 50), pad)"),
      ] {
        XCTAssertEqual(try column(s, "from t | select r = \(constant)"), try column(s, "from t | select r = \(variable)"), constant)
      }
    }
  }
}
