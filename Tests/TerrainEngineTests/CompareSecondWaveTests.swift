// `compare`, second wave (SPEC §5) and readable numbers on screen: exports whose ranks are
// numbers (no cell a spreadsheet could read as a date) and whose int indicators stay whole;
// the block layout of a narrow terminal and the side by side of a wide one; the footer under
// the table; a float column's shared decimals and `.decimals`; `.schema` and `.describe` of a
// wide table outside a terminal.

import Foundation
import XCTest
import TerrainEngine
import TerrainIO
import TerrainStorage
import TerrainSyntax

final class CompareSecondWaveTests: XCTestCase {
  static let datasets = TestSupport.repositoryRoot.appendingPathComponent("datasets").path
  /// Four real pilot EPCI of the workshop examples.
  static let pilots = #"pilots epci key siren = "244000675", "200066918", "247100290", "200067460""#
  static let comparison = """
    compare pilots on population, densite = population / superficie,
      chomage = 100 * chomeurs_15_64_2021 / actifs_15_64_2021 asc
      against peers where population between 50000 and 150000
    """

  /// A session on the bundled data printing into `out` (results and notices alike, in order).
  func session(_ out: Screen, width: Int? = nil) throws -> Session {
    let s = try out.session(datasets: Self.datasets)
    s.notify = { [unowned out] in out.text += $0 }
    s.renderOptions.terminalWidth = width
    return s
  }

  func testExcelFrExportHasNumericRanksNoDateLikeCellAndWholeIntegers() throws {
    let dir = try TestSupport.temporaryFolder("terrain-cmp", for: self)
    let out = Screen()
    let s = try session(out)
    s.workingDirectory = dir.path
    XCTAssertTrue(s.run(Self.pilots + "\n" + Self.comparison + #" | export "cmp.csv" with (dialect = "excel-fr")"#), out.text)
    let bytes = try Data(contentsOf: dir.appendingPathComponent("cmp.csv"))
    XCTAssertEqual(Array(bytes.prefix(3)), [0xEF, 0xBB, 0xBF], "excel-fr starts with a BOM")
    let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
    let lines = text.components(separatedBy: "\r\n").filter { !$0.isEmpty }
    XCTAssertEqual(lines.count, 4, text)
    let header = lines[0].components(separatedBy: ";")
    let names = try XCTUnwrap(s.pilots?.displayNames)
    for name in names {
      XCTAssertTrue(header.contains(name), "\(name) in \(header)")
      XCTAssertTrue(header.contains("\(name) rank"), "\(name) rank in \(header)")
      XCTAssertTrue(header.contains("\(name) of"), "\(name) of in \(header)")
    }
    // What French Excel turns into a date: d/m, d-m, d.m, with or without a year.
    let dateLike = try NSRegularExpression(pattern: #"^\d{1,4}[/.\-]\d{1,2}([/.\-]\d{1,4})?$"#)
    let rows = lines.dropFirst().map { $0.components(separatedBy: ";") }
    for row in rows {
      XCTAssertEqual(row.count, header.count, row.joined(separator: ";"))
      for cell in row {
        let range = NSRange(cell.startIndex..., in: cell)
        XCTAssertNil(dateLike.firstMatch(in: cell, range: range), "a cell Excel could read as a date: \(cell)")
      }
    }
    func cell(_ row: [String], _ column: String) -> String {
      header.firstIndex(of: column).map { row.indices.contains($0) ? row[$0] : "" } ?? ""
    }
    let whole = try NSRegularExpression(pattern: #"^\d+$"#)
    func isWhole(_ s: String) -> Bool { whole.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil }
    guard let population = rows.first(where: { $0.first == "population" }),
      let chomage = rows.first(where: { $0.first == "chomage" })
    else { return XCTFail(text) }
    for name in names {
      // population is an int indicator beside float ones: written whole, not `137470,0`.
      XCTAssertTrue(isWhole(cell(population, name)), "\(name): \(cell(population, name))")
      for row in rows {
        let rank = cell(row, "\(name) rank")
        let n = cell(row, "\(name) of")
        XCTAssertTrue(isWhole(rank) && isWhole(n), "\(name): rank \(rank) of \(n)")
        XCTAssertLessThanOrEqual(Int(rank) ?? .max, Int(n) ?? 0)
      }
      XCTAssertTrue(cell(chomage, name).contains(","), "a decimal comma: \(cell(chomage, name))")
    }
    XCTAssertEqual(cell(population, "min"), "50011")
    XCTAssertEqual(cell(population, "max"), "149282")
    XCTAssertEqual(cell(population, "pooled"), "17649818")
  }

  /// The lines of the workshop's comparison on a terminal `width` wide, and the session.
  func comparisonLines(width: Int) throws -> (Session, Screen, [String]) {
    let out = Screen()
    let s = try session(out, width: width)
    XCTAssertTrue(s.run(Self.pilots))
    out.text = ""
    XCTAssertTrue(s.run(Self.comparison), out.text)
    return (s, out, out.text.split(separator: "\n").map(String.init))
  }

  func testNarrowTerminalShowsOneBlockPerPilotAndTheFooterUnderIt() throws {
    let (s, out, lines) = try comparisonLines(width: 80)
    for line in lines where line.contains("│") || line.contains("─") {
      XCTAssertLessThanOrEqual(displayWidth(line), 80, "wider than the terminal: \(line)")
    }
    XCTAssertFalse(out.text.contains("not shown"), out.text)
    for name in try XCTUnwrap(s.pilots?.displayNames) + ["peers"] {
      XCTAssertTrue(lines.contains(name), "a block titled \(name):\n\(out.text)")
    }
    // Each pilot's block: indicator, value with its bar, rank r/N, median.
    XCTAssertTrue(lines.contains { $0.hasPrefix("│ indicator") && $0.contains("value") && $0.contains("rank") && $0.contains("median") },
      out.text)
    XCTAssertTrue(lines.contains { $0.hasPrefix("│ population") && $0.contains("137\u{2009}470 ▕") && $0.contains("6/217") }, out.text)
    // The footer comes after the last table.
    let lastBox = try XCTUnwrap(lines.lastIndex { $0.hasPrefix("└") })
    let footer = try XCTUnwrap(lines.firstIndex { $0.contains("3 indicators · peers: 217 rows of epci") })
    XCTAssertGreaterThan(footer, lastBox, out.text)
  }

  func testWideTerminalShowsThePilotsSideBySide() throws {
    let (_, out, lines) = try comparisonLines(width: 250)
    XCTAssertEqual(lines.filter { $0.hasPrefix("┌") }.count, 1, out.text)
    XCTAssertTrue(lines.contains { $0.contains("CA du Grand Dax") && $0.contains("CA Alès Agglomération") && $0.contains("… rank") }, out.text)
    let lastBox = try XCTUnwrap(lines.lastIndex { $0.hasPrefix("└") })
    let footer = try XCTUnwrap(lines.firstIndex { $0.contains("peers: 217 rows of epci") })
    XCTAssertEqual(footer, lastBox + 1, out.text)
  }

  /// A linear bar puts every pilot at the far left when one peer is far above the others; on
  /// skewed peers the bar follows the rank, and the footer says so.
  func testBarsFollowTheRankOnSkewedPeers() throws {
    let out = Screen()
    let s = try session(out)
    XCTAssertTrue(s.run(Self.pilots))
    out.text = ""
    XCTAssertTrue(s.run("compare pilots on densite = population / superficie against peers where population between 50000 and 150000"))
    XCTAssertTrue(out.text.contains("bars by rank (skewed peers): densite"), out.text)
    // CA du Grand Dax, 95th of 214: (214 − 95) / 213 of 6 cells ≈ 3.35 cells, 27 eighths.
    XCTAssertTrue(out.text.contains("171.5 ▕███▍  ▏"), out.text)
  }

  func testFloatColumnSharesItsDecimalsAndDecimalsFixesThem() throws {
    let out = Screen()
    let s = Session.shell()
    s.write = { [unowned out] in out.text += $0 }
    s.notify = { [unowned out] in out.text += $0 }
    s.register(try Table(columns: [("x", .float([8_293_506.511485045, 8_123_645.8])), ("r", .float([0.125, 2.5]))]), as: "t")
    XCTAssertTrue(s.run("from t"), out.text)
    XCTAssertTrue(out.text.contains("8\u{2009}293\u{2009}506.5 "), out.text)
    XCTAssertTrue(out.text.contains("8\u{2009}123\u{2009}645.8 "), out.text)
    XCTAssertTrue(out.text.contains(" 0.125 ") && out.text.contains(" 2.500 "), out.text)
    out.text = ""
    XCTAssertTrue(s.run(".decimals 2\n.decimals\nfrom t"), out.text)
    XCTAssertTrue(out.text.hasPrefix("decimals: 2\n"), out.text)
    XCTAssertTrue(out.text.contains("8\u{2009}293\u{2009}506.51 ") && out.text.contains(" 2.50 "), out.text)
    out.text = ""
    XCTAssertTrue(s.run(".decimals auto\n.decimals\nfrom t"), out.text)
    XCTAssertTrue(out.text.hasPrefix("decimals: auto\n") && out.text.contains("8\u{2009}293\u{2009}506.5 "), out.text)
    // csv keeps every digit.
    out.text = ""
    XCTAssertTrue(s.run(".decimals 1\n.mode csv\nfrom t"), out.text)
    XCTAssertEqual(out.text, "x,r\n8293506.511485045,0.125\n8123645.8,2.5\n")
    for bad in ["16", "-1", "deux"] {
      let results = s.execute(".decimals \(bad)")
      XCTAssertEqual(results.last?.diagnostic?.id, "session.decimals-needs-number", bad)
    }
  }

  func testSchemaAndDescribeOfAWideTableShowEveryRowOutsideATerminal() throws {
    let out = Screen()
    let s = Session.shell()
    s.write = { [unowned out] in out.text += $0 }
    s.notify = { _ in }
    // 56 columns; c0's mean is 506.05416 (written 506.05415999999997 before).
    var columns: [(String, ColumnData)] = [("c0", .float([500.0, 512.10832]))]
    for c in 1..<56 {
      let values: [Int64] = [Int64(c), Int64(2 * c)]
      columns.append(("c\(c)", .int(values)))
    }
    s.register(try Table(columns: columns), as: "wide")
    XCTAssertTrue(s.run(".schema wide"), out.text)
    for c in 0..<56 { XCTAssertTrue(out.text.contains("│ c\(c) "), "c\(c) in:\n\(out.text)") }
    XCTAssertFalse(out.text.contains(" rows …"), out.text)
    out.text = ""
    XCTAssertTrue(s.run(".describe wide"), out.text)
    for c in 0..<56 { XCTAssertTrue(out.text.contains("│ c\(c) "), "c\(c) in:\n\(out.text)") }
    XCTAssertFalse(out.text.contains(" rows …"), out.text)
    let c0 = try XCTUnwrap(out.text.split(separator: "\n").first { $0.hasPrefix("│ c0 ") })
    XCTAssertTrue(c0.hasSuffix(" 506.05 │"), String(c0))
    // On a terminal, long listings are still elided (`.maxrows`).
    out.text = ""
    s.renderOptions.terminalWidth = 200
    XCTAssertTrue(s.run(".schema wide"), out.text)
    XCTAssertTrue(out.text.contains(" rows …"), out.text)
  }
}
