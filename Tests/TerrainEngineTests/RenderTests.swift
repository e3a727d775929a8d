import Foundation
import XCTest

import TerrainEngine
import TerrainExecution
import TerrainIO
import TerrainPlanner
import TerrainStorage
import TerrainSyntax

/// A small table with every awkward value: accents, quotes, commas, newlines, wide
/// characters, empty and space-padded text, -0.0, 1e-05, large numbers, bools and nulls.
func sampleTable() -> Table {
  Table(
    names: ["nom", "pop", "part", "ok", "code"],
    columns: [
      Column.from(
        [.text("Alès"), .text("Saint-Étienne, \"la\" ville"), .null, .text("ligne1\nligne2"), .text("東京")],
        type: .text),
      Column.from([.int(1_411_571), .int(2024), .null, .int(-74925), .int(0)], type: .int),
      Column.from([.float(-0.0), .float(1e-05), .float(123456.5), .null, .float(12.5)], type: .float),
      Column.from([.bool(true), .bool(false), .null, .bool(true), .bool(false)], type: .bool),
      Column.from([.text("01001"), .text(""), .text(" x "), .null, .text("a|b")], type: .text),
    ])
}

/// Lines joined with `\n`, each ending with one; `˙` stands for the thin space.
func lines(_ ls: [String]) -> String {
  ls.map { $0.replacingOccurrences(of: "˙", with: "\u{2009}") + "\n" }.joined()
}

func options(_ mode: OutputMode) -> RenderOptions {
  var o = RenderOptions()
  o.mode = mode
  return o
}

/// A table of `n` rows: `i` (int) and `name` (text).
func numberedTable(_ n: Int) -> Table {
  Table(
    names: ["i", "name"],
    columns: [
      Column.from((0..<n).map { .int(Int64($0)) }, type: .int),
      Column.from((0..<n).map { .text("row \($0)") }, type: .text),
    ])
}

final class RenderTests: XCTestCase {

  // MARK: table mode

  func testTableMode() {
    XCTAssertEqual(
      render(sampleTable(), options: RenderOptions()),
      lines([
        "┌───────────────────────────┬───────────┬─────────────┬───────┬───────┐",
        "│ nom                       │       pop │        part │ ok    │ code  │",
        "│ text                      │       int │       float │ bool  │ text  │",
        "├───────────────────────────┼───────────┼─────────────┼───────┼───────┤",
        "│ Alès                      │ 1˙411˙571 │       0.000 │ true  │ 01001 │",
        "│ Saint-Étienne, \"la\" ville │      2024 │       1e-05 │ false │       │",
        "│ null                      │      null │ 123˙456.500 │ null  │  x    │",
        "│ ligne1\\nligne2            │   -74˙925 │        null │ true  │ null  │",
        "│ 東京                      │         0 │      12.500 │ false │ a|b   │",
        "└───────────────────────────┴───────────┴─────────────┴───────┴───────┘",
        "5 rows",
      ]))
  }

  func testTableSketchLayout() {
    // SPEC §8.
    let t = Table(
      names: ["epci", "n", "pop"],
      columns: [
        Column.from([.text("200046977"), .text("200040566"), .text("246900740")], type: .text),
        Column.from([.int(59), .int(27), .int(32)], type: .int),
        Column.from([.int(1_411_571), .int(150_872), .int(74925)], type: .int),
      ])
    XCTAssertEqual(
      render(t, options: RenderOptions()),
      lines([
        "┌───────────┬─────┬───────────┐",
        "│ epci      │   n │       pop │",
        "│ text      │ int │       int │",
        "├───────────┼─────┼───────────┤",
        "│ 200046977 │  59 │ 1˙411˙571 │",
        "│ 200040566 │  27 │   150˙872 │",
        "│ 246900740 │  32 │    74˙925 │",
        "└───────────┴─────┴───────────┘",
        "3 rows",
      ]))
  }

  func testEmptyAndSingleRowFooters() {
    let empty = Table(names: ["a"], columns: [Column.from([], type: .int)])
    XCTAssertEqual(
      render(empty, options: RenderOptions()),
      lines([
        "┌─────┐",
        "│   a │",
        "│ int │",
        "└─────┘",
        "0 rows",
      ]))
    let one = Table(names: ["a"], columns: [Column.from([.text("x")], type: .text)])
    XCTAssertTrue(render(one, options: RenderOptions()).hasSuffix("└──────┘\n1 row\n"))
    var noFooter = RenderOptions()
    noFooter.footer = false
    XCTAssertTrue(render(one, options: noFooter).hasSuffix("└──────┘\n"))
    XCTAssertEqual(render(Table(names: [], columns: []), options: RenderOptions()), "0 rows\n")
  }

  func testElision() {
    var o = RenderOptions()
    o.maxRows = 4
    XCTAssertEqual(
      render(numberedTable(100), options: o),
      lines([
        "┌─────┬────────┐",
        "│   i │ name   │",
        "│ int │ text   │",
        "├─────┼────────┤",
        "│   0 │ row 0  │",
        "│   1 │ row 1  │",
        "│ … 96 rows …  │",
        "│  98 │ row 98 │",
        "│  99 │ row 99 │",
        "└─────┴────────┘",
        "100 rows",
      ]))
    // Odd limit: one more row at the top; a narrow table widens to hold the line.
    o.maxRows = 3
    let t = Table(names: ["i"], columns: [Column.from((0..<12345).map { .int(Int64($0)) }, type: .int)])
    XCTAssertEqual(
      render(t, options: o),
      lines([
        "┌─────────────────┐",
        "│               i │",
        "│             int │",
        "├─────────────────┤",
        "│               0 │",
        "│               1 │",
        "│ … 12˙342 rows … │",
        "│          12˙344 │",
        "└─────────────────┘",
        "12˙345 rows",
      ]))
    o.maxRows = 1
    XCTAssertEqual(
      render(numberedTable(3), options: o),
      lines([
        "┌─────┬───────┐",
        "│   i │ name  │",
        "│ int │ text  │",
        "├─────┼───────┤",
        "│   0 │ row 0 │",
        "│ … 2 rows …  │",
        "└─────┴───────┘",
        "3 rows",
      ]))
    // No limit, and no elision at the limit itself.
    o.maxRows = 0
    XCTAssertEqual(render(numberedTable(100), options: o).split(separator: "\n").count, 100 + 6)
    o.maxRows = 40
    XCTAssertFalse(render(numberedTable(40), options: o).contains("…"))
    XCTAssertTrue(render(numberedTable(41), options: o).contains("│  … 1 row …   │"))
  }

  func testColour() {
    var o = RenderOptions()
    o.color = true
    let s = render(sampleTable(), options: o)
    XCTAssertTrue(s.contains("│ \u{1B}[1mnom\u{1B}[0m                       │"))
    XCTAssertTrue(s.contains("│ \u{1B}[2mtext\u{1B}[0m "))
    XCTAssertTrue(s.contains("│ \u{1B}[2mnull\u{1B}[0m                      │"))
    XCTAssertTrue(s.contains("│      \u{1B}[2mnull\u{1B}[0m │"))
    // Same layout once the escapes are removed.
    let plain = s.replacingOccurrences(of: "\u{1B}[1m", with: "").replacingOccurrences(of: "\u{1B}[2m", with: "")
      .replacingOccurrences(of: "\u{1B}[0m", with: "")
    XCTAssertEqual(plain, render(sampleTable(), options: RenderOptions()))
    XCTAssertFalse(render(sampleTable(), options: RenderOptions()).contains("\u{1B}"))
    // A value cannot drive the terminal.
    let evil = Table(names: ["x"], columns: [Column.from([.text("a\u{1B}[31mred\tb\r")], type: .text)])
    let out = render(evil, options: RenderOptions())
    XCTAssertFalse(out.contains("\u{1B}"))
    XCTAssertTrue(out.contains("a\\x1B[31mred\\tb\\r"))
  }

  func testDigitGrouping() {
    XCTAssertEqual(groupDigits("1411571"), "1\u{2009}411\u{2009}571")
    XCTAssertEqual(groupDigits("74925"), "74\u{2009}925")
    XCTAssertEqual(groupDigits("2024"), "2024")
    XCTAssertEqual(groupDigits("-12345"), "-12\u{2009}345")
    XCTAssertEqual(groupDigits("-1234"), "-1234")
    XCTAssertEqual(groupDigits("123456.25"), "123\u{2009}456.25")
    XCTAssertEqual(groupDigits("1234.56789"), "1234.56789")
    XCTAssertEqual(groupDigits("1e+16"), "1e+16")
    XCTAssertEqual(groupDigits("1.5e-07"), "1.5e-07")
    XCTAssertEqual(groupDigits("NaN"), "NaN")
    XCTAssertEqual(groupDigits("-inf"), "-inf")
    XCTAssertEqual(groupDigits("9223372036854775807"), "9\u{2009}223\u{2009}372\u{2009}036\u{2009}854\u{2009}775\u{2009}807")
    XCTAssertEqual(formatCount(1, .oneRowCount, .rowsCount), "1 row")
    XCTAssertEqual(formatCount(0, .oneRowCount, .rowsCount), "0 rows")
    XCTAssertEqual(formatCount(34875, .oneRowCount, .rowsCount), "34\u{2009}875 rows")
  }

  func testDisplayWidth() {
    XCTAssertEqual(displayWidth("abc"), 3)
    XCTAssertEqual(displayWidth("Alès"), 4)
    XCTAssertEqual(displayWidth("Ale\u{300}s"), 4)  // combining grave accent
    XCTAssertEqual(displayWidth("東京"), 4)
    XCTAssertEqual(displayWidth("한국어"), 6)
    XCTAssertEqual(displayWidth("ｆｕｌｌ"), 8)
    XCTAssertEqual(displayWidth("🇫🇷"), 2)
    XCTAssertEqual(displayWidth("👍🏽"), 2)
    XCTAssertEqual(displayWidth("1\u{2009}411"), 5)
    XCTAssertEqual(truncateToWidth("Saint-Étienne", 8), "Saint-É…")
    XCTAssertEqual(truncateToWidth("東京都庁", 5), "東京…")
    XCTAssertEqual(truncateToWidth("short", 8), "short")
    XCTAssertEqual(escapeControls("a\nb\tc\u{7}"), "a\\nb\\tc\\x07")
  }

  func testWideCharactersAlign() {
    let t = Table(
      names: ["ville", "n"],
      columns: [
        Column.from([.text("東京"), .text("Ale\u{300}s"), .text("Zürich")], type: .text),
        Column.from([.int(1), .int(22), .int(333)], type: .int),
      ])
    XCTAssertEqual(
      render(t, options: RenderOptions()),
      lines([
        "┌────────┬─────┐",
        "│ ville  │   n │",
        "│ text   │ int │",
        "├────────┼─────┤",
        "│ 東京   │   1 │",
        "│ Ale\u{300}s   │  22 │",
        "│ Zürich │ 333 │",
        "└────────┴─────┘",
        "3 rows",
      ]))
  }

  func testFitTruncatesTextFirst() {
    let t = Table(
      names: ["nom", "population", "commentaire"],
      columns: [
        Column.from([.text("Communauté d'agglomération du Grand Dax"), .text("Alès")], type: .text),
        Column.from([.int(59038), .int(137_470)], type: .int),
        Column.from([.text("un commentaire assez long pour déborder"), .null], type: .text),
      ])
    var o = RenderOptions()
    o.terminalWidth = 50
    let out = render(t, options: o)
    XCTAssertEqual(
      out,
      lines([
        "┌─────────────────┬────────────┬─────────────────┐",
        "│ nom             │ population │ commentaire     │",
        "│ text            │        int │ text            │",
        "├─────────────────┼────────────┼─────────────────┤",
        "│ Communauté d'a… │     59˙038 │ un commentaire… │",
        "│ Alès            │    137˙470 │ null            │",
        "└─────────────────┴────────────┴─────────────────┘",
        "2 rows",
      ]))
    for line in out.split(separator: "\n") { XCTAssertLessThanOrEqual(displayWidth(String(line)), 50) }
    // Without a width, nothing is cut.
    XCTAssertTrue(render(t, options: RenderOptions()).contains("Communauté d'agglomération du Grand Dax"))
  }

  func testFitDropsColumns() {
    let names = (1...12).map { "colonne_\($0)" }
    let t = Table(
      names: names,
      columns: (1...12).map { c in Column.from([.int(Int64(c * 1000)), .null], type: .int) })
    var o = RenderOptions()
    o.terminalWidth = 60
    let out = render(t, options: o)
    // Names shrink to 8 cells before columns go; numbers are never cut.
    XCTAssertEqual(
      out,
      lines([
        "┌──────────┬──────────┬──────────┬───┬──────────┬──────────┐",
        "│ colonne… │ colonne… │ colonne… │ … │ colonne… │ colonne… │",
        "│      int │      int │      int │   │      int │      int │",
        "├──────────┼──────────┼──────────┼───┼──────────┼──────────┤",
        "│     1000 │     2000 │     3000 │ … │   11˙000 │   12˙000 │",
        "│     null │     null │     null │ … │     null │     null │",
        "└──────────┴──────────┴──────────┴───┴──────────┴──────────┘",
        "2 rows (7 columns not shown)",
      ]))
    for line in out.split(separator: "\n") { XCTAssertLessThanOrEqual(displayWidth(String(line)), 60) }
    // Very narrow: the first column and the `…` column remain.
    o.terminalWidth = 20
    let narrow = render(t, options: o)
    XCTAssertTrue(narrow.contains("│ colonne_1 │ … │"))
    XCTAssertTrue(narrow.hasSuffix("2 rows (11 columns not shown)\n"))
  }

  func testFitWidthBoundsEveryLine() {
    let t = sampleTable()
    for width in [30, 40, 50, 60, 80, 120] {
      var o = RenderOptions()
      o.terminalWidth = width
      let out = render(t, options: o)
      for line in out.split(separator: "\n") where line.hasPrefix("│") || line.hasPrefix("┌") {
        XCTAssertLessThanOrEqual(displayWidth(String(line)), width, "width \(width): \(line)")
      }
    }
  }

  // MARK: other modes

  func testCSVMode() {
    XCTAssertEqual(
      render(sampleTable(), options: options(.csv)),
      lines([
        "nom,pop,part,ok,code",
        "Alès,1411571,-0.0,true,01001",
        "\"Saint-Étienne, \"\"la\"\" ville\",2024,1e-05,false,\"\"",
        ",,123456.5,,\" x \"",
        "\"ligne1",
        "ligne2\",-74925,,true,",
        "東京,0,12.5,false,a|b",
      ]))
  }

  func testTSVMode() {
    XCTAssertEqual(
      render(sampleTable(), options: options(.tsv)),
      lines([
        "nom\tpop\tpart\tok\tcode",
        "Alès\t1411571\t-0.0\ttrue\t01001",
        "Saint-Étienne, \"la\" ville\t2024\t1e-05\tfalse\t",
        "\t\t123456.5\t\t x ",
        "ligne1\\nligne2\t-74925\t\ttrue\t",
        "東京\t0\t12.5\tfalse\ta|b",
      ]))
    let tabs = Table(names: ["a\tb"], columns: [Column.from([.text("x\ty\r\nz")], type: .text)])
    XCTAssertEqual(render(tabs, options: options(.tsv)), "a\\tb\nx\\ty\\r\\nz\n")
  }

  func testMarkdownMode() {
    XCTAssertEqual(
      render(sampleTable(), options: options(.markdown)),
      lines([
        "| nom                       |     pop |     part | ok    | code  |",
        "|---------------------------|--------:|---------:|-------|-------|",
        "| Alès                      | 1411571 |     -0.0 | true  | 01001 |",
        "| Saint-Étienne, \"la\" ville |    2024 |    1e-05 | false |       |",
        "|                           |         | 123456.5 |       |  x    |",
        "| ligne1<br>ligne2          |  -74925 |          | true  |       |",
        "| 東京                      |       0 |     12.5 | false | a\\|b  |",
      ]))
  }

  func testJSONMode() throws {
    let s = render(sampleTable(), options: options(.json))
    XCTAssertEqual(
      s,
      lines([
        "[",
        "{\"nom\":\"Alès\",\"pop\":1411571,\"part\":-0.0,\"ok\":true,\"code\":\"01001\"},",
        "{\"nom\":\"Saint-Étienne, \\\"la\\\" ville\",\"pop\":2024,\"part\":1e-05,\"ok\":false,\"code\":\"\"},",
        "{\"nom\":null,\"pop\":null,\"part\":123456.5,\"ok\":null,\"code\":\" x \"},",
        "{\"nom\":\"ligne1\\nligne2\",\"pop\":-74925,\"part\":null,\"ok\":true,\"code\":null},",
        "{\"nom\":\"東京\",\"pop\":0,\"part\":12.5,\"ok\":false,\"code\":\"a|b\"}",
        "]",
      ]))
    let parsed = try JSONSerialization.jsonObject(with: Data(s.utf8)) as? [[String: Any]]
    XCTAssertEqual(parsed?.count, 5)
    XCTAssertEqual(parsed?[1]["nom"] as? String, "Saint-Étienne, \"la\" ville")
    XCTAssertEqual(parsed?[3]["nom"] as? String, "ligne1\nligne2")
    XCTAssertEqual(parsed?[0]["pop"] as? Int, 1_411_571)
    XCTAssertTrue(parsed?[2]["nom"] is NSNull)

    XCTAssertEqual(render(numberedTable(0), options: options(.json)), "[]\n")
    let odd = Table(
      names: ["k\"ey"],
      columns: [Column.from([.float(.nan), .float(.infinity), .float(-.infinity), .float(1e300)], type: .float)])
    XCTAssertEqual(
      render(odd, options: options(.json)),
      lines(["[", "{\"k\\\"ey\":null},", "{\"k\\\"ey\":null},", "{\"k\\\"ey\":null},", "{\"k\\\"ey\":1e+300}", "]"]))
    let control = Table(names: ["c"], columns: [Column.from([.text("\u{1}\u{8}\u{C}\\/é")], type: .text)])
    XCTAssertEqual(render(control, options: options(.json)), "[\n{\"c\":\"\\u0001\\b\\f\\\\/é\"}\n]\n")
  }

  func testLineMode() {
    XCTAssertEqual(
      render(sampleTable(), options: options(.line)),
      lines([
        " nom = Alès",
        " pop = 1411571",
        "part = -0.0",
        "  ok = true",
        "code = 01001",
        "",
        " nom = Saint-Étienne, \"la\" ville",
        " pop = 2024",
        "part = 1e-05",
        "  ok = false",
        "code =",
        "",
        " nom = null",
        " pop = null",
        "part = 123456.5",
        "  ok = null",
        "code =  x ",
        "",
        " nom = ligne1\\nligne2",
        " pop = -74925",
        "part = null",
        "  ok = true",
        "code = null",
        "",
        " nom = 東京",
        " pop = 0",
        "part = 12.5",
        "  ok = false",
        "code = a|b",
      ]))
    XCTAssertEqual(render(numberedTable(0), options: options(.line)), "")
  }

  func testEmptyTablesInEveryMode() {
    let t = numberedTable(0)
    XCTAssertEqual(render(t, options: options(.csv)), "i,name\n")
    XCTAssertEqual(render(t, options: options(.tsv)), "i\tname\n")
    XCTAssertEqual(render(t, options: options(.markdown)), "|   i | name |\n|----:|------|\n")
  }

  func testNoTrailingSpaces() {
    // Outside box cells, no line ends with a space (unless a value itself does).
    let t = Table(
      names: ["a", "b"],
      columns: [
        Column.from([.text(""), .null, .text("x")], type: .text),
        Column.from([.null, .int(1), .null], type: .int),
      ])
    for mode in OutputMode.allCases {
      for line in render(t, options: options(mode)).split(separator: "\n", omittingEmptySubsequences: false) {
        XCTAssertFalse(line.hasSuffix(" "), "\(mode): \(line)")
      }
    }
  }

  func testSingleColumnCSVNullsAreNotBlankLines() {
    let t = Table(names: ["a"], columns: [Column.from([.text("x"), .null, .text("")], type: .text)])
    XCTAssertEqual(render(t, options: options(.csv)), "a\nx\n\"\"\n\"\"\n")
  }

  // MARK: number formatting

  func testFloatTextMatchesFormatFloat() {
    var rng = SystemRandomNumberGenerator()
    var values: [Double] = [
      0, -0.0, 1, -1, 0.1, 0.2, 0.30000000000000004, 1e-05, 0.001, 0.0001, 123456.5, 1e14, 99999999999999.98,
      1e15, 1e16, 9007199254740992, 2.5, 0.5, 0.25, 1024, 1.7976931348623157e308, .leastNonzeroMagnitude, 2.2250738585072014e-308,
      .nan, .infinity, -.infinity, 12.5, 149.3, 1241.4, 0.1 + 0.7, 4.35, 1.005, 2.675,
    ]
    for i in 0..<20000 {
      switch i % 5 {
      case 0: values.append(Double(Int.random(in: -10_000_000...10_000_000, using: &rng)) / 100)
      case 1: values.append(Double.random(in: -1e6...1e6, using: &rng))
      case 2: values.append(Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &rng)))
      case 3: values.append(Double(Int.random(in: 1...99_999_999, using: &rng)) / pow(10, Double(i % 13)))
      default: values.append(Double(1 << (i % 60)) * (i % 2 == 0 ? 1 : 0.5))
      }
    }
    let t = Table(names: ["x"], columns: [Column.from(values.map { .float($0) }, type: .float)])
    let out = render(t, options: options(.tsv)).split(separator: "\n", omittingEmptySubsequences: false)
    for (i, v) in values.enumerated() {
      XCTAssertEqual(String(out[i + 1]), formatFloat(v), "bits \(v.bitPattern)")
    }
    // Decimal comma.
    let w = ByteWriter()
    writeFloat(12.5, decimalComma: true, to: w)
    w.append(UInt8(ascii: " "))
    writeFloat(0.30000000000000004, decimalComma: true, to: w)
    w.append(UInt8(ascii: " "))
    writeFloat(-3, decimalComma: true, to: w)
    XCTAssertEqual(w.string(), "12,5 0,30000000000000004 -3,0")
  }

  func testIntText() {
    let values: [Int64] = [0, 1, -1, 9, 10, 99, 100, 12345, -74925, Int64.max, Int64.min, 1_000_000_000_000]
    let t = Table(names: ["n"], columns: [Column.from(values.map { .int($0) }, type: .int)])
    XCTAssertEqual(render(t, options: options(.csv)), "n\n" + values.map { String($0) + "\n" }.joined())
  }

  // MARK: large results (the parallel path)

  func testLargeResultsMatchValueByValue() throws {
    let n = 150_000
    let t = Table(
      names: ["i", "f", "t", "b"],
      columns: [
        Column.from((0..<n).map { $0 % 7 == 0 ? .null : .int(Int64($0) * 37 - 1000) }, type: .int),
        Column.from((0..<n).map { $0 % 11 == 0 ? .null : .float(Double($0) / 7) }, type: .float),
        Column.from((0..<n).map { $0 % 13 == 0 ? .null : .text("v\($0 % 100), \"q\"") }, type: .text),
        Column.from((0..<n).map { .bool($0 % 2 == 0) }, type: .bool),
      ])
    var expected = "i,f,t,b\n"
    for r in 0..<n {
      let cells = t.row(r).map { v -> String in
        switch v {
        case .null: return ""
        case .text(let s): return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        default: return v.description
        }
      }
      expected += cells.joined(separator: ",") + "\n"
    }
    XCTAssertEqual(render(t, options: options(.csv)), expected)
    let json = render(t, options: options(.json))
    let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]]
    XCTAssertEqual(parsed?.count, n)
    XCTAssertEqual(parsed?[n - 1]["i"] as? Int, (n - 1) * 37 - 1000)
  }

  func testRenderToFileDescriptor() throws {
    let dir = try TestSupport.temporaryFolder("terrain-render", for: self)
    let path = dir.appendingPathComponent("out.txt").path
    for mode in OutputMode.allCases {
      let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
      XCTAssertGreaterThanOrEqual(fd, 0)
      try render(sampleTable(), options: options(mode), toFileDescriptor: fd)
      close(fd)
      XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), render(sampleTable(), options: options(mode)))
    }
    let cancel = CancellationFlag()
    cancel.cancel()
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    defer { close(fd) }
    XCTAssertThrowsError(try render(numberedTable(10), options: options(.csv), toFileDescriptor: fd, cancel: cancel)) {
      XCTAssertTrue($0 is CancelledError)
    }
  }
}
