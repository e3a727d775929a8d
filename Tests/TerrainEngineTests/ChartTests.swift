// `| chart`: the number format and ticks, the terminal charts (bars proportional to the values,
// every line within the width, truncation notes), and the SVG documents, parsed with
// FoundationXML (title, bars and points, French tick labels, labels that do not overlap, XML
// escaping) and, where `rsvg-convert` is installed, rendered to PNG and checked not blank.
// The golden file 73_charts.test holds whole terminal charts and the errors.

import Foundation
import TerrainEngine
import TerrainIO
import TerrainShell
import TerrainStorage
import TerrainSyntax
import XCTest

#if canImport(FoundationXML)
  import FoundationXML
#endif

final class ChartTests: XCTestCase {
  /// A session on the bundled data whose relative paths start in a new temporary folder
  /// (removed after the test), and what it prints.
  private func session() throws -> (Session, URL, TestSupport.Printed) {
    try TestSupport.bundledSession("chart", for: self)
  }

  // MARK: numbers and axes

  func testFrenchNumbers() {
    XCTAssertEqual(frenchNumber(1234.5, decimals: 1, group: " "), "1 234,5")
    XCTAssertEqual(frenchNumber(1_411_571, decimals: 0, group: " "), "1 411 571")
    XCTAssertEqual(frenchNumber(-2_500_000, decimals: 0, group: " "), "-2 500 000")
    XCTAssertEqual(frenchNumber(12_345.678, decimals: 2, group: " "), "12 345,68")
    XCTAssertEqual(frenchNumber(999, decimals: 0, group: " "), "999")
    XCTAssertEqual(frenchNumber(2024, decimals: 0, group: " ", groupFour: false), "2024")
    XCTAssertEqual(frenchNumber(-0.0001, decimals: 2, group: " "), "0,00")
    XCTAssertEqual(frenchNumber(0.25, decimals: 2, group: " "), "0,25")
    XCTAssertEqual(frenchNumber(2e15, decimals: 0, group: " "), "2,000e+15")
    XCTAssertEqual(chartDecimals([1, 2, 3]), 0)
    XCTAssertEqual(chartDecimals([0.1834, 0.05]), 4)
    XCTAssertEqual(chartDecimals([1_411_571.5, 3]), 1)
  }

  func testTicksAreRoundAndCoverTheValues() {
    let a = numericAxis([0, 7_142_540], count: 4, zero: true, group: " ")
    XCTAssertEqual(a.ticks.map(\.label), ["0", "2 000 000", "4 000 000", "6 000 000", "8 000 000"])
    let b = numericAxis([-2100, 4800.5], count: 4, zero: true, group: " ")
    XCTAssertEqual(b.ticks.map(\.value), [-4000, -2000, 0, 2000, 4000, 6000])
    XCTAssertEqual(b.ticks.map(\.label).last, "6 000")
    let c = numericAxis([0.5, 3.5], count: 6, zero: false, group: " ")
    XCTAssertEqual(c.ticks.map(\.label), ["0,5", "1,0", "1,5", "2,0", "2,5", "3,0", "3,5"])
    let years = numericAxis([2015, 2024], count: 4, zero: false, group: " ", years: true)
    XCTAssertEqual(years.ticks.map(\.label), ["2014", "2016", "2018", "2020", "2022", "2024"])
    // Dates: days since 1970 (2024-01-15 … 2024-06-15) give month ticks.
    let d0 = Double(CalendarDate.days(year: 2024, month: 1, day: 15) ?? 0)
    let d1 = Double(CalendarDate.days(year: 2024, month: 6, day: 15) ?? 0)
    XCTAssertEqual(dateAxis([d0, d1], count: 5).ticks.map(\.label), ["2024-02", "2024-03", "2024-04", "2024-05", "2024-06"])
    let y0 = Double(CalendarDate.days(year: 2011, month: 1, day: 1) ?? 0)
    let y1 = Double(CalendarDate.days(year: 2026, month: 12, day: 1) ?? 0)
    XCTAssertEqual(dateAxis([y0, y1], count: 4).ticks.map(\.label), ["2015", "2020", "2025"])
  }

  // MARK: terminal

  /// The length in eighths of a cell of a bar growing right in `line` (after the axis `│`).
  private func eighths(_ line: String) -> Int {
    let partial: [Character: Int] = ["▏": 1, "▎": 2, "▍": 3, "▌": 4, "▋": 5, "▊": 6, "▉": 7, "█": 8]
    guard let axis = line.firstIndex(of: "│") else { return -1 }
    return line[line.index(after: axis)...].prefix { partial[$0] != nil }.reduce(0) { $0 + (partial[$1] ?? 0) }
  }

  func testBarLengthsAreProportionalToTheValues() {
    let ys: [Double] = [7_142_540, 1_939_077, 1_436_354, 854_334, 3]
    let data = ChartData(kind: .bar, title: "population", xName: "nom", yName: "population",
      labels: ["Grand Paris", "Aix-Marseille", "Lyon", "Bordeaux", "Tiny"], ys: ys)
    for width in [40, 80, 132] {
      let lines = drawTerminalChart(data, width: width).text.split(separator: "\n").map(String.init)
      XCTAssertEqual(lines.first, "population")
      let bars = Array(lines.dropFirst())
      XCTAssertEqual(bars.count, ys.count)
      let longest = eighths(bars[0])
      for (line, v) in zip(bars, ys) {
        XCTAssertLessThanOrEqual(displayWidth(line), width, line)
        let expected = v / ys[0] * Double(longest)
        XCTAssertEqual(Double(eighths(line)), max(1, expected), accuracy: 1, "\(line) at width \(width)")
      }
      // The value is written on the right, in French format.
      XCTAssertTrue(bars[0].hasSuffix(" 7\u{2009}142\u{2009}540"), bars[0])
    }
  }

  func testNegativeBarsGrowLeftFromTheZeroAxis() {
    let data = ChartData(kind: .bar, title: "t", xName: "l", yName: "v", labels: ["a", "b", "c"], ys: [10, -10, 0])
    let lines = drawTerminalChart(data, width: 40).text.split(separator: "\n").map(String.init)
    let axis = lines[1].firstIndex(of: "│").map { lines[1].distance(from: lines[1].startIndex, to: $0) }
    // The axis is in the same column on every line; `b`'s bar ends at it, `a`'s starts there.
    for line in lines.dropFirst() {
      XCTAssertEqual(line.firstIndex(of: "│").map { line.distance(from: line.startIndex, to: $0) }, axis, line)
    }
    XCTAssertTrue(lines[2].contains("█│ -10"), lines[2])
    XCTAssertTrue(lines[1].contains("│█"), lines[1])
    XCTAssertTrue(lines[3].hasSuffix("│ 0"), lines[3])
  }

  func testEveryKindFitsTheWidth() {
    var generator = SystemRandomNumberGenerator()
    let labels = (0..<60).map { i in i % 7 == 0 ? "Communauté d'agglomération n° \(i) — très long nom" : "é\(i)\u{1B}[31m" }
    for kind in ChartKind.allCases {
      for width in [20, 33, 80, 200] {
        for _ in 0..<5 {
          let n = Int.random(in: 1...60, using: &generator)
          let ys = (0..<n).map { _ in Double(Int.random(in: -1_000_000...5_000_000, using: &generator)) / 7 }
          let xs = (0..<n).map { _ in Double(Int.random(in: 18_000...20_000, using: &generator)) }
          let data = ChartData(kind: kind, title: String(repeating: "titre ", count: 40), xName: "x", yName: "y",
            labels: Array(labels.prefix(n)), xs: xs, ys: ys, xIsDate: kind == .scatter)
          let drawing = drawTerminalChart(data, width: width, height: 6)
          for line in drawing.text.split(separator: "\n") {
            XCTAssertLessThanOrEqual(displayWidth(String(line)), width, "\(kind) at \(width): \(line)")
            XCTAssertFalse(line.contains("\u{1B}"), "a label drove the terminal: \(line)")
          }
          XCTAssertLessThanOrEqual(drawing.drawn, n)
          if kind != .column { XCTAssertEqual(drawing.drawn, n) }
        }
      }
    }
  }

  /// Values whose spans overflow, tiny ones, one value, equal values, no value: every kind
  /// draws something in the terminal and a parsable SVG, without trapping.
  func testExtremeValuesDrawSafely() throws {
    let cases: [[Double]] = [[1e308, -1e308], [.greatestFiniteMagnitude, 0], [1e-300, 2e-300], [5], [3, 3, 3], [], [0, 0],
      [-1e15, 2e15]]
    for ys in cases {
      for kind in ChartKind.allCases {
        let data = ChartData(kind: kind, title: "t", xName: "x", yName: "y", labels: ys.map { "\($0)" },
          xs: ys.indices.map { Double($0) * 1e307 }, ys: ys)
        for width in [20, 80] {
          let text = drawTerminalChart(data, width: width, height: 4).text
          XCTAssertTrue(text.split(separator: "\n").allSatisfy { displayWidth(String($0)) <= width }, "\(kind) \(ys): \(text)")
        }
        let all = try parse(drawSVGChart(data).text)
        XCTAssertEqual(elements(all, kind.isCategorical ? "bar" : "point").count, ys.count, "\(kind) \(ys)")
      }
    }
    // Labels beyond the values (or values beyond the labels) are not indexed.
    let uneven = ChartData(kind: .bar, title: "t", xName: "x", yName: "y", labels: ["a"], ys: [1, 2, 3])
    XCTAssertEqual(uneven.count, 1)
  }

  func testTooManyRowsAreLeftOutWithANote() throws {
    let (s, _, printed) = try session()
    XCTAssertTrue(s.run("from communes | chart bar nom, population"))
    XCTAssertEqual(printed.out.split(separator: "\n").count, 1 + terminalBarLimit)
    XCTAssertEqual(printed.notes, "chart: drew the first 100 of 34\u{2009}875 rows (`| sort … | take N` chooses them)\n")
    (printed.out, printed.notes) = ("", "")
    XCTAssertTrue(s.run("from regions | chart column nom, population with (width = 30)"))
    XCTAssertTrue(printed.notes.hasPrefix("chart: drew the first "), printed.notes)
    XCTAssertTrue(printed.out.split(separator: "\n").allSatisfy { displayWidth(String($0)) <= 30 }, printed.out)
  }

  func testChartIsAnOutputOfExecute() throws {
    let s = Session.shell()
    try s.registerDirectory(TestSupport.datasets.path)
    let results = s.execute("from regions | sort population desc | take 3 | chart bar nom, population")
    guard case .output(let text)? = results.last?.outcome else { return XCTFail("\(results)") }
    XCTAssertEqual(text.split(separator: "\n").count, 4)
    XCTAssertTrue(text.hasPrefix("population\nÎle-de-France"), text)
  }

  func testAPipeLineAfterAChartContinuesItsQuery() {
    var c = QueryContinuation()
    c.record("from epci | sort population desc | take 10 |\n  chart bar nom, population", continuing: false, succeeded: true)
    XCTAssertEqual(c.action(for: "| take 3"), .run("from epci | sort population desc | take 10 | take 3", continuing: true))
    c.record("from epci | sort population desc | take 10 | take 3", continuing: true, succeeded: true)
    XCTAssertEqual(c.action(for: "| chart column nom, population"),
      .run("from epci | sort population desc | take 10 | take 3 | chart column nom, population", continuing: true))
  }

  func testTheShellCompletesChartWords() {
    let completer = ShellCompleter(tableNames: { ["epci"] }, columns: { $0 == "epci" ? ["nom", "population"] : nil })
    XCTAssertEqual(completer.complete(before: "from epci | ", word: "ch"), .words(["chart"]))
    XCTAssertEqual(completer.complete(before: "from epci | chart ", word: ""), .words(["bar", "column", "line", "scatter", "map"]))
    XCTAssertEqual(completer.complete(before: "from epci | chart ", word: "sc"), .words(["scatter"]))
    XCTAssertEqual(completer.complete(before: "from epci | chart bar nom, population to \"", word: "top"), .files)
    guard case .words(let columns) = completer.complete(before: "from epci | chart bar nom, ", word: "po") else { return XCTFail() }
    XCTAssertTrue(columns.contains("population"), "\(columns)")
  }

  func testTheTerminalWidthOfTheSession() throws {
    let (s, _, printed) = try session()
    s.renderOptions.terminalWidth = 44
    XCTAssertTrue(s.run("from epci | sort population desc | take 5 | chart bar nom, population"))
    let lines = printed.out.split(separator: "\n").map(String.init)
    XCTAssertEqual(lines.count, 6)
    XCTAssertEqual(lines.map(displayWidth).max(), 44, printed.out)
    // `width` wins over the terminal's.
    printed.out = ""
    XCTAssertTrue(s.run("from epci | sort population desc | take 5 | chart bar nom, population with (width = 100)"))
    XCTAssertEqual(printed.out.split(separator: "\n").map { displayWidth(String($0)) }.max(), 100, printed.out)
  }

  // MARK: SVG

  /// The elements of an SVG document with their attributes and text.
  private struct Element {
    var name: String
    var attributes: [String: String]
    var text: String
    func number(_ key: String) -> Double { Double(attributes[key] ?? "") ?? .nan }
  }

  private func parse(_ svg: String, file: StaticString = #filePath, line: UInt = #line) throws -> [Element] {
    let document = try XMLDocument(data: Data(svg.utf8), options: [])
    guard let root = document.rootElement() else {
      XCTFail("no root element", file: file, line: line)
      return []
    }
    XCTAssertEqual(root.name, "svg")
    var out: [Element] = []
    func walk(_ node: XMLElement) {
      var attributes: [String: String] = [:]
      for a in node.attributes ?? [] { attributes[a.name ?? ""] = a.stringValue ?? "" }
      let text = (node.children ?? []).filter { $0.kind == .text }.map { $0.stringValue ?? "" }.joined()
      out.append(Element(name: node.name ?? "", attributes: attributes, text: text))
      for case let child as XMLElement in node.children ?? [] { walk(child) }
    }
    walk(root)
    return out
  }

  private func elements(_ all: [Element], _ cls: String) -> [Element] { all.filter { $0.attributes["class"] == cls } }

  /// The box of a text element by the renderers' width estimate, before any rotation: x from,
  /// x to, baseline.
  private func box(_ e: Element) -> (from: Double, to: Double, y: Double) {
    let size = Double(e.attributes["font-size"] ?? "") ?? svgFontSize
    let w = Double(e.text.count) * size * svgCharWidth
    let x = e.number("x")
    switch e.attributes["text-anchor"] {
    case "middle": return (x - w / 2, x + w / 2, e.number("y"))
    case "end": return (x - w, x, e.number("y"))
    default: return (x, x + w, e.number("y"))
    }
  }

  /// No two labels of the same line (same baseline) overlap; labels on different lines are a
  /// line of text apart.
  private func assertNoOverlap(_ labels: [Element], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    let boxes = labels.map(box)
    for i in boxes.indices {
      for j in boxes.indices where j > i {
        let (a, b) = (boxes[i], boxes[j])
        let sameLine = Swift.abs(a.y - b.y) < svgFontSize
        let apart = a.to <= b.from || b.to <= a.from
        XCTAssertTrue(!sameLine || apart, "\(what): `\(labels[i].text)` and `\(labels[j].text)` overlap", file: file, line: line)
      }
    }
  }

  private let frenchNumberPattern = #"^-?\d{1,3}( \d{3})*(,\d+)?$"#

  func testBarChartSVG() throws {
    let data = ChartData(kind: .bar, title: "Les 5 plus grands & <les autres>", xName: "nom", yName: "population",
      labels: ["Métropole du Grand Paris", "Métropole d'Aix-Marseille-Provence", "Lyon", "Lille \u{1}", "Bordeaux"],
      ys: [7_142_540, 1_939_077, 1_436_354, -1_195_234.5, 854_334])
    let svg = drawSVGChart(data).text
    let all = try parse(svg)
    XCTAssertEqual(all.first { $0.name == "title" }?.text, "Les 5 plus grands & <les autres>")
    XCTAssertEqual(elements(all, "chart-title").first?.text, "Les 5 plus grands & <les autres>")
    let bars = elements(all, "bar")
    XCTAssertEqual(bars.count, 5)
    // Widths proportional to the values; the negative one in the second colour.
    let unit = bars[0].number("width") / 7_142_540
    for (bar, v) in zip(bars, data.ys) { XCTAssertEqual(bar.number("width"), Swift.abs(v) * unit, accuracy: 0.2) }
    XCTAssertEqual(bars[3].attributes["fill"], svgPalette.negative)
    XCTAssertEqual(bars[0].attributes["fill"], svgPalette.main)
    let ticks = elements(all, "tick-label").map(\.text)
    XCTAssertTrue(ticks.contains("2 000 000"), "\(ticks)")
    XCTAssertTrue(ticks.contains("-2 000 000"), "\(ticks)")
    for t in ticks { XCTAssertNotNil(t.range(of: frenchNumberPattern, options: .regularExpression), t) }
    XCTAssertEqual(elements(all, "value-label").map(\.text)[3], "-1 195 234,5")
    XCTAssertTrue(elements(all, "category-label").map(\.text).contains("Lille \u{FFFD}"))
    assertNoOverlap(elements(all, "category-label"), "bar labels")
    assertNoOverlap(elements(all, "tick-label"), "ticks")
    // Labels and values stay inside the picture.
    let width = try XCTUnwrap(Double(try XCTUnwrap(all.first?.attributes["width"])))
    for e in elements(all, "category-label") + elements(all, "value-label") + elements(all, "tick-label") {
      XCTAssertGreaterThanOrEqual(box(e).from, 0, e.text)
      XCTAssertLessThanOrEqual(box(e).to, width, e.text)
    }
  }

  func testColumnLabelsTurnAndThinRatherThanOverlap() throws {
    let labels = (1...60).map { "Communauté de communes n° \($0)" }
    let data = ChartData(kind: .column, title: "t", xName: "nom", yName: "population", labels: labels,
      ys: (1...60).map { Double($0 * 1000) })
    let all = try parse(drawSVGChart(data, width: 800).text)
    XCTAssertEqual(elements(all, "bar").count, 60)
    let shown = elements(all, "category-label")
    XCTAssertLessThan(shown.count, 60, "60 labels cannot all be shown in 800 pixels")
    XCTAssertGreaterThan(shown.count, 10)
    // Turned labels: parallel lines of text, a line of text apart measured across them.
    for e in shown { XCTAssertTrue(e.attributes["transform"]?.hasPrefix("rotate(-45") ?? false) }
    let across = shown.map { ($0.number("x") + $0.number("y")) * sin(Double.pi / 4) }
    for (a, b) in zip(across, across.dropFirst()) { XCTAssertGreaterThanOrEqual(Swift.abs(b - a), svgFontSize, "turned labels overlap") }
    // Few short labels stay level and do not overlap.
    let few = ChartData(kind: .column, title: "t", xName: "code", yName: "v", labels: ["01", "02", "03"], ys: [3, -1, 2])
    let level = elements(try parse(drawSVGChart(few).text), "category-label")
    XCTAssertEqual(level.map(\.text), ["01", "02", "03"])
    XCTAssertNil(level[0].attributes["transform"])
    assertNoOverlap(level, "level labels")
  }

  func testPlotSVGHasEveryPointAndReadableAxes() throws {
    let days = (0..<40).map { Double((CalendarDate.days(year: 2011, month: 1, day: 1) ?? 0) + Int64($0 * 140)) }
    let line = ChartData(kind: .line, title: "IND", xName: "date", yName: "valeur", xs: days,
      ys: days.indices.map { 1234.5 * Double($0) }, xIsDate: true)
    let all = try parse(drawSVGChart(line).text)
    XCTAssertEqual(elements(all, "point").count, 40)
    let path = try XCTUnwrap(elements(all, "line").first?.attributes["d"])
    XCTAssertEqual(path.split(separator: "L").count, 40)
    let ticks = elements(all, "tick-label")
    assertNoOverlap(ticks, "ticks")
    XCTAssertTrue(ticks.map(\.text).contains("2012"), "\(ticks.map(\.text))")
    XCTAssertTrue(ticks.map(\.text).contains("10 000"), "\(ticks.map(\.text))")
    // Years on an int X axis keep four digits together.
    let years = ChartData(kind: .scatter, title: "t", xName: "annee", yName: "n", xs: [2015, 2019, 2024], ys: [1, 2, 3], xIsInteger: true)
    let yearTicks = elements(try parse(drawSVGChart(years).text), "tick-label").map(\.text)
    XCTAssertTrue(yearTicks.contains("2020"), "\(yearTicks)")
    XCTAssertEqual(elements(try parse(drawSVGChart(years).text), "point").count, 3)
  }

  func testSVGFileThroughTheSession() throws {
    let (s, folder, printed) = try session()
    XCTAssertTrue(s.run("from epci | sort population desc | take 10 | chart bar nom, population to \"top.svg\" with (title = \"Les 10 EPCI les plus peuplés\")"))
    XCTAssertEqual(printed.out, "")
    XCTAssertEqual(printed.notes, "wrote a chart of 10 bars to top.svg\n")
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["top.svg"], "no temporary file left")
    let svg = try String(contentsOf: folder.appendingPathComponent("top.svg"), encoding: .utf8)
    let all = try parse(svg)
    XCTAssertEqual(elements(all, "chart-title").first?.text, "Les 10 EPCI les plus peuplés")
    XCTAssertEqual(elements(all, "bar").count, 10)
    XCTAssertEqual(elements(all, "category-label").first?.text, "Métropole du Grand Paris")
    // A failed chart leaves the previous file as it was.
    XCTAssertFalse(s.run("from epci | chart scatter population, nom to \"top.svg\""))
    XCTAssertEqual(try String(contentsOf: folder.appendingPathComponent("top.svg"), encoding: .utf8), svg)
  }

  /// A Python script (standard library only) that decodes the PNG file `argv[1]` (8-bit RGB or
  /// RGBA) and prints its number of pixels, how many are near the colour `argv[2]` (`#RRGGBB`),
  /// and how many are neither that nor white.
  static let pngColourCount = """
    import struct, sys, zlib
    data = open(sys.argv[1], 'rb').read()
    want = bytes.fromhex(sys.argv[2].lstrip('#'))
    assert data[:8] == b'\\x89PNG\\r\\n\\x1a\\n'
    pos, idat = 8, b''
    while pos < len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b'IHDR': w, h, depth, colour = struct.unpack('>IIBB', body[:10])
        if kind == b'IDAT': idat += body
        pos += 12 + n
    assert depth == 8 and colour in (2, 6), (depth, colour)
    bpp = 4 if colour == 6 else 3
    raw, stride, rows, prev = zlib.decompress(idat), w * bpp, [], bytearray(w * bpp)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    blue = other = 0
    for line in rows:
        for x in range(0, stride, bpp):
            r, g, b = line[x], line[x + 1], line[x + 2]
            if abs(r - want[0]) < 40 and abs(g - want[1]) < 40 and abs(b - want[2]) < 40: blue += 1
            elif (r, g, b) != (255, 255, 255): other += 1
    print(w * h, blue, other)
    """

  /// Renders the four kinds with `rsvg-convert` and checks, by decoding the PNG (Python's
  /// standard library), that the marks are there in the palette's blue.
  func testSVGRendersToANonBlankPicture() throws {
    let rsvg = try TestSupport.rsvgConvert()
    let python = try TestSupport.python(modules: ["zlib"])
    let (s, folder, _) = try session()
    let statements = [
      "from epci | sort population desc | take 10 | chart bar nom, population to \"bar.svg\"",
      "from regions | chart column nom, population to \"column.svg\"",
      "from barometre | where maille == \"NAT\" and indicateur == \"IND-208\" | chart line date, valeur to \"line.svg\"",
      "from communes | where code_departement == \"69\" | chart scatter superficie, population to \"scatter.svg\"",
    ]
    for (statement, name) in zip(statements, ["bar", "column", "line", "scatter"]) {
      XCTAssertTrue(s.run(statement), statement)
      let svg = folder.appendingPathComponent("\(name).svg").path
      let png = folder.appendingPathComponent("\(name).png").path
      let r = try TestSupport.runProcess(rsvg, ["-w", "400", svg, "-o", png], in: folder)
      XCTAssertEqual(r.status, 0, "rsvg-convert: \(r.err)")
      let counts = try TestSupport.runProcess(python, ["-c", Self.pngColourCount, png, "#0072B2"], in: folder)
      XCTAssertEqual(counts.status, 0, counts.err)
      let numbers = counts.out.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
      XCTAssertEqual(numbers.count, 3, counts.out)
      guard numbers.count == 3 else { continue }
      // The marks cover a visible part of the picture in blue, and text and axes are drawn.
      XCTAssertGreaterThan(Double(numbers[1]) / Double(numbers[0]), 0.002, "\(name): too little blue \(numbers)")
      XCTAssertGreaterThan(Double(numbers[2]) / Double(numbers[0]), 0.005, "\(name): no text or axes \(numbers)")
    }
  }
}
