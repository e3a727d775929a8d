// `| chart map`: the Lambert-93 projection, the classes (quantiles checked against numpy, equal
// intervals, Jenks), the SVG (parsed with FoundationXML: one path per territory, each with the
// colour of the class an independent computation gives its value; rendered to PNG with
// `rsvg-convert` where installed and not blank), the terminal drawings (half blocks in colour,
// ranked bars without), overseas values listed, outlines of a file drawn in insets, and the
// errors: malformed GeoJSON, a text value column, a code with several rows; an unknown code
// is a warning naming it.

import Foundation
import TerrainEngine
import TerrainIO
import TerrainStorage
import TerrainSyntax
import XCTest

#if canImport(FoundationXML)
  import FoundationXML
#endif

final class ChartMapTests: XCTestCase {
  /// A session on the bundled data (and its outlines) whose relative paths start in a new
  /// temporary folder, and what it prints.
  private func session() throws -> (Session, URL, TestSupport.Printed) {
    try TestSupport.bundledSession("map", for: self)
  }

  /// The elements of an SVG document with their attributes, in order; fails the test when the
  /// document is not well-formed XML.
  private func elements(_ svg: String, file: StaticString = #filePath, line: UInt = #line) -> [(String, [String: String])] {
    final class Collector: NSObject, XMLParserDelegate {
      var found: [(String, [String: String])] = []
      func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]) {
        found.append((name, attributes))
      }
    }
    let parser = XMLParser(data: Data(svg.utf8))
    let collector = Collector()
    parser.delegate = collector
    XCTAssertTrue(parser.parse(), "not well-formed XML: \(String(describing: parser.parserError))", file: file, line: line)
    return collector.found
  }

  // MARK: projection and classes

  func testLambert93() {
    let l = Lambert93()
    // The projection's origin.
    let origin = l.project(longitude: 3, latitude: 46.5)
    XCTAssertEqual(origin.x, 700_000, accuracy: 0.001)
    XCTAssertEqual(origin.y, 6_600_000, accuracy: 0.001)
    // Paris lies about 48 km west and 262 km north of the origin (Lambert-93 coordinates
    // of Paris are commonly quoted as about 652 000 m, 6 862 000 m).
    let paris = l.project(longitude: 2.3499, latitude: 48.8530)
    XCTAssertEqual(paris.x, 652_000, accuracy: 2_000)
    XCTAssertEqual(paris.y, 6_862_000, accuracy: 2_000)
    // Conformal with two standard parallels: along 44° N and 49° N the scale is exactly 1 (a
    // short step east measures N·cos φ·Δλ on the GRS 80 ellipsoid), between them less than 1.
    func scale(_ latitude: Double) -> Double {
      let a = 6_378_137.0
      let f = 1 / 298.257222101
      let e2 = f * (2 - f)
      let phi = latitude * .pi / 180
      let n = a / (1 - e2 * sin(phi) * sin(phi)).squareRoot()
      let step = 1e-4
      let p = l.project(longitude: 3, latitude: latitude)
      let q = l.project(longitude: 3 + step, latitude: latitude)
      return ((q.x - p.x) * (q.x - p.x) + (q.y - p.y) * (q.y - p.y)).squareRoot() / (n * cos(phi) * step * .pi / 180)
    }
    XCTAssertEqual(scale(44), 1, accuracy: 1e-6)
    XCTAssertEqual(scale(49), 1, accuracy: 1e-6)
    XCTAssertLessThan(scale(46.5), 0.9995)
    // Points on a meridian keep their order north to south, and the map is north up.
    XCTAssertGreaterThan(l.project(longitude: 3, latitude: 50).y, l.project(longitude: 3, latitude: 43).y)
  }

  func testQuantileClassesMatchNumpy() throws {
    let python = try TestSupport.python(modules: ["numpy"])
    let values: [Double] = [3.5, 12, 7, 7, 40.25, 19, 1, 88, 23.5, 5, 61, 14, 9.75, 30, 2]
    let script = """
      import numpy, sys
      v = numpy.array([float(x) for x in sys.argv[1].split(',')])
      for k in (2, 3, 4, 5, 7):
          b = numpy.quantile(v, [i / k for i in range(1, k)])
          print(k, ' '.join(repr(float(x)) for x in b), '|', ' '.join(str(int(numpy.searchsorted(b, x, side='left'))) for x in v))
      """
    let r = try TestSupport.runProcess(python, ["-c", script, values.map { String($0) }.joined(separator: ",")],
      in: URL(fileURLWithPath: NSTemporaryDirectory()))
    XCTAssertEqual(r.status, 0, r.err)
    for line in r.out.split(separator: "\n") {
      let halves = line.split(separator: "|")
      let head = halves[0].split(separator: " ")
      guard let k = Int(head[0]) else { return XCTFail(String(line)) }
      let breaks = head.dropFirst().compactMap { Double($0) }
      let expectedClasses = halves[1].split(separator: " ").compactMap { Int($0) }
      let c = mapClasses(values, count: k, method: .quantile)
      XCTAssertEqual(c.uppers.count, k, "\(k) classes")
      for (ours, theirs) in zip(c.uppers.dropLast(), breaks) { XCTAssertEqual(ours, theirs, accuracy: 1e-9, "k = \(k)") }
      XCTAssertEqual(c.uppers.last, 88)
      XCTAssertEqual(values.map { c.index(of: $0) }, expectedClasses, "k = \(k)")
      XCTAssertEqual(Set(c.colours).count, k, "one colour per class")
      XCTAssertFalse(c.diverging)
    }
  }

  func testEqualJenksAndDivergingClasses() {
    let equal = mapClasses([0, 10, 20, 100], count: 4, method: .equal)
    XCTAssertEqual(equal.uppers, [25, 50, 75, 100])
    XCTAssertEqual([0.0, 10, 20, 100].map { equal.index(of: $0) }, [0, 0, 0, 3])
    // Three clear groups: Jenks finds them.
    let jenks = mapClasses([1, 2, 3, 10, 11, 12, 20, 21, 22], count: 3, method: .jenks)
    XCTAssertEqual(jenks.uppers, [3, 12, 22])
    // Fewer distinct values than classes: fewer classes.
    XCTAssertEqual(mapClasses([5, 5, 7], count: 5, method: .quantile).uppers.count, 2)
    // Values on both sides of zero: reds below, blues above, the darkest at the ends.
    let d = mapClasses([-10, -6, -2, 1, 4, 8, 12, 20], count: 4, method: .equal)
    XCTAssertTrue(d.diverging)
    XCTAssertEqual(d.uppers, [-2.5, 5, 12.5, 20])
    let (r0, _, b0) = rgbOfHex(d.colours[0])
    XCTAssertGreaterThan(r0, b0, "the most negative class is red")
    let (r3, _, b3) = rgbOfHex(d.colours[3])
    XCTAssertGreaterThan(b3, r3, "the most positive class is blue")
    XCTAssertEqual(d.colours[1], mapNeutralColour, "the class across zero is neutral")
  }

  func testCodesAndLevels() {
    XCTAssertEqual(normalisedMapCode("1"), "01")
    XCTAssertEqual(normalisedMapCode(" 2a "), "2A")
    XCTAssertEqual(normalisedMapCode("971"), "971")
    XCTAssertEqual(detectMapLevel(["11", "84", "93", "01"]), .region)
    XCTAssertEqual(detectMapLevel(["01", "02", "03"]), .departement)
    XCTAssertEqual(detectMapLevel(["11", "84", "2A"]), .departement)
  }

  // MARK: SVG

  /// The SVG of the départements' population density: one path per outline (96), each filled
  /// with the legend's colour of the class numpy puts its value in; the overseas values listed.
  func testSVGMapHasOnePathPerTerritoryInItsClassColour() throws {
    let python = try TestSupport.python(modules: ["numpy"])
    let (s, folder, printed) = try session()
    XCTAssertTrue(s.run("""
      from departements | derive densite = population / superficie | select code_departement, densite | export "d.csv"
      from departements | derive densite = population / superficie | chart map code_departement, densite to "carte.svg" with (source = "INSEE")
      """), printed.notes)
    XCTAssertTrue(printed.notes.contains("wrote a map of 96 départements to carte.svg"), printed.notes)
    XCTAssertTrue(printed.notes.contains("Guadeloupe (971)"), printed.notes)
    let svg = try String(contentsOf: folder.appendingPathComponent("carte.svg"), encoding: .utf8)
    let found = elements(svg)
    let paths = found.filter { $0.0 == "path" && $0.1["class"] == "territory" }
    XCTAssertEqual(paths.count, 96)
    XCTAssertEqual(Set(paths.compactMap { $0.1["data-code"] }).count, 96)
    XCTAssertTrue(paths.contains { $0.1["data-code"] == "2A" } && paths.contains { $0.1["data-code"] == "2B" })
    var legend: [Int: String] = [:]
    for (_, a) in found where a["class"] == "legend-swatch" {
      if let c = a["data-class"].flatMap(Int.init), let fill = a["fill"] { legend[c] = fill }
    }
    XCTAssertEqual(legend.count, 5)
    XCTAssertEqual(Set(legend.values).count, 5)
    // The independent computation: numpy's quantiles over the 100 values (96 + 4 overseas;
    // Mayotte has no area), each value's class by where it falls among them.
    let script = """
      import csv, numpy, sys
      rows = [(r['code_departement'], r['densite']) for r in csv.DictReader(open(sys.argv[1]))]
      v = numpy.array([float(x) for _, x in rows if x != ''])
      b = numpy.quantile(v, [0.2, 0.4, 0.6, 0.8])
      for code, x in rows:
          if x != '': print(code, int(numpy.searchsorted(b, float(x), side='left')) + 1)
      """
    let r = try TestSupport.runProcess(python, ["-c", script, folder.appendingPathComponent("d.csv").path], in: folder)
    XCTAssertEqual(r.status, 0, r.err)
    var expected: [String: Int] = [:]
    for line in r.out.split(separator: "\n") {
      let parts = line.split(separator: " ")
      if parts.count == 2, let c = Int(parts[1]) { expected[String(parts[0])] = c }
    }
    XCTAssertEqual(expected.count, 100)
    for (_, a) in paths {
      guard let code = a["data-code"], let c = expected[code] else { XCTFail("no expected class for \(a)"); continue }
      XCTAssertEqual(a["data-class"], String(c), code)
      XCTAssertEqual(a["fill"], legend[c], "\(code): class \(c)")
    }
    // Paris is in the densest class, the Lozère in the least dense.
    XCTAssertEqual(paths.first { $0.1["data-code"] == "75" }?.1["data-class"], "5")
    XCTAssertEqual(paths.first { $0.1["data-code"] == "48" }?.1["data-class"], "1")
    // Overseas values listed with their class; Mayotte (no value) listed too.
    let listed = found.filter { $0.1["class"] == "listed-swatch" }
    XCTAssertEqual(listed.compactMap { $0.1["data-code"] }, ["971", "972", "973", "974", "976"])
    XCTAssertEqual(listed.first { $0.1["data-code"] == "974" }?.1["data-class"], expected["974"].map(String.init))
    XCTAssertEqual(listed.last?.1["fill"], "url(#no-value)")
    // Legend bounds in French format, the source line, the title.
    XCTAssertTrue(svg.contains("19 959,9"), "French number format in the legend")
    XCTAssertTrue(svg.contains("Source : INSEE"))
    XCTAssertTrue(svg.contains("Fond de carte : IGN"))
    XCTAssertTrue(svg.contains(">densite</text>"))
  }

  func testTerritoriesWithoutValueAreHatchedAndRegionsDetected() throws {
    let (s, folder, printed) = try session()
    XCTAssertTrue(s.run("from regions | where code_region != \"84\" | chart map code_region, population to \"r.svg\" with (classes = 3, method = \"jenks\")"),
      printed.notes)
    XCTAssertTrue(printed.notes.contains("wrote a map of 13 régions"), printed.notes)
    let found = elements(try String(contentsOf: folder.appendingPathComponent("r.svg"), encoding: .utf8))
    let paths = found.filter { $0.1["class"] == "territory" }
    XCTAssertEqual(paths.count, 13)
    XCTAssertEqual(paths.first { $0.1["data-code"] == "84" }?.1["fill"], "url(#no-value)")
    XCTAssertNil(paths.first { $0.1["data-code"] == "84" }?.1["data-class"])
    XCTAssertTrue(found.contains { $0.0 == "pattern" && $0.1["id"] == "no-value" })
    XCTAssertEqual(found.filter { $0.1["class"] == "legend-swatch" && $0.1["data-class"] != nil }.count, 3)
  }

  func testSVGMapRendersToANonBlankPicture() throws {
    let rsvg = try TestSupport.rsvgConvert()
    let python = try TestSupport.python(modules: ["zlib"])
    let (s, folder, printed) = try session()
    XCTAssertTrue(s.run("from departements | chart map code_departement, share_ftth to \"f.svg\""), printed.notes)
    let svg = try String(contentsOf: folder.appendingPathComponent("f.svg"), encoding: .utf8)
    // The darkest class's colour, from the legend.
    let darkest = elements(svg).filter { $0.1["class"] == "legend-swatch" }.compactMap { $0.1["fill"] }.filter { $0.hasPrefix("#") }.last ?? ""
    let png = folder.appendingPathComponent("f.png").path
    let r = try TestSupport.runProcess(rsvg, ["-w", "400", folder.appendingPathComponent("f.svg").path, "-o", png], in: folder)
    XCTAssertEqual(r.status, 0, "rsvg-convert: \(r.err)")
    let counts = try TestSupport.runProcess(python, ["-c", ChartTests.pngColourCount, png, darkest], in: folder)
    XCTAssertEqual(counts.status, 0, counts.err)
    let numbers = counts.out.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    XCTAssertEqual(numbers.count, 3, counts.out)
    guard numbers.count == 3 else { return }
    XCTAssertGreaterThan(Double(numbers[1]) / Double(numbers[0]), 0.01, "too little of the darkest class \(numbers)")
    XCTAssertGreaterThan(Double(numbers[2]) / Double(numbers[0]), 0.1, "the map is not drawn \(numbers)")
  }

  /// Outlines of a file (`outlines`), one of them overseas: drawn in an inset.
  func testOutlinesOfAFileAndInsets() throws {
    let (s, folder, printed) = try session()
    let geojson = """
      {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "01", "nom": "Carré"},
         "geometry": {"type": "Polygon", "coordinates": [[[5, 46], [5.5, 46], [5.5, 46.5], [5, 46.5], [5, 46]]]}},
        {"type": "Feature", "properties": {"code": 971, "nom": "Île"},
         "geometry": {"type": "MultiPolygon", "coordinates": [[[[-61.8, 16], [-61.2, 16], [-61.5, 16.5], [-61.8, 16]]]]}}
      ]}
      """
    try geojson.write(to: folder.appendingPathComponent("f.geojson"), atomically: true, encoding: .utf8)
    XCTAssertTrue(s.run("from departements | where code_departement in (\"01\", \"971\") | chart map code_departement, population to \"i.svg\" with (outlines = \"f.geojson\")"),
      printed.notes)
    let found = elements(try String(contentsOf: folder.appendingPathComponent("i.svg"), encoding: .utf8))
    XCTAssertEqual(found.filter { $0.1["class"] == "territory" }.compactMap { $0.1["data-code"] }, ["01", "971"])
    XCTAssertEqual(found.filter { $0.1["class"] == "inset" }.count, 1)
    XCTAssertFalse(found.contains { $0.1["class"] == "listed-swatch" && $0.1["data-code"] == "971" }, "drawn, not listed")
  }

  // MARK: terminal

  func testTerminalMapInColourAndRankedWithout() throws {
    let (s, _, printed) = try session()
    s.terminalColours = .trueColour
    XCTAssertTrue(s.run("from departements | chart map code_departement, population with (width = 60)"), printed.notes)
    let lines = printed.out.split(separator: "\n").map(String.init)
    XCTAssertTrue(printed.out.contains("\u{1B}[38;2;") && printed.out.contains("▀"), "half blocks in true colour")
    let visible = lines.map { $0.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression) }
    XCTAssertTrue(visible.allSatisfy { displayWidth($0) <= 60 }, visible.joined(separator: "\n"))
    XCTAssertTrue(visible.contains { $0.hasPrefix("██ ") && $0.contains(" – ") }, "legend under the map")
    XCTAssertTrue(visible.contains("outre-mer :"))
    XCTAssertTrue(visible.contains { $0.contains("Mayotte (976)") })
    // 256 colours.
    printed.out = ""
    s.terminalColours = .palette256
    XCTAssertTrue(s.run("from departements | chart map code_departement, population with (width = 60)"))
    XCTAssertTrue(printed.out.contains("\u{1B}[38;5;") && !printed.out.contains("\u{1B}[38;2;"))
    // No colours: ranked bars, the classes under them.
    printed.out = ""
    s.terminalColours = TerminalColours.none
    XCTAssertTrue(s.run("from regions | chart map code_region, population"))
    XCTAssertFalse(printed.out.contains("\u{1B}["))
    let ranked = printed.out.split(separator: "\n").map(String.init)
    XCTAssertTrue(ranked[1].hasPrefix("1. Île-de-France (11)"), printed.out)
    XCTAssertTrue(ranked.contains("classes (quantiles) :"), printed.out)
    XCTAssertTrue(ranked.contains { $0.contains("Mayotte (06)") })
    // Every line fits narrow widths too, in every mode.
    for colours in [TerminalColours.trueColour, .palette256, .none] {
      s.terminalColours = colours
      for width in [20, 33] {
        printed.out = ""
        XCTAssertTrue(s.run("from departements | where code_region != \"84\" | chart map code_departement, population with (width = \(width))"))
        let shown = printed.out.split(separator: "\n").map { $0.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression) }
        XCTAssertTrue(shown.allSatisfy { displayWidth($0) <= width }, "\(colours) at \(width):\n" + shown.joined(separator: "\n"))
      }
    }
  }

  // MARK: errors and warnings

  func testMalformedGeoJSONIsAClearError() throws {
    let (s, folder, printed) = try session()
    let cases: [(String, String)] = [
      ("{\"type\": \"FeatureCollection\", \"features\": [{\"type\": ", "is not valid GeoJSON: unexpected end of the file at byte"),
      ("{\"type\": \"Topology\"}", "is not a GeoJSON collection of outlines: not a GeoJSON FeatureCollection"),
      ("{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\", \"properties\": {}, \"geometry\": null}]}",
        "feature 1 has no code"),
      ("{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\", \"properties\": {\"code\": \"01\"}, \"geometry\": {\"type\": \"Polygon\", \"coordinates\": [[[700000, 6600000], [1, 2], [3, 4]]]}}]}",
        "feature 1 (code `01`): [700000.0, 6600000.0] is not a longitude and latitude"),
      (String(repeating: "[", count: 100), "nested more than 64 deep"),
    ]
    for (i, (text, message)) in cases.enumerated() {
      try text.write(to: folder.appendingPathComponent("bad\(i).geojson"), atomically: true, encoding: .utf8)
      printed.notes = ""
      XCTAssertFalse(s.run("from departements | chart map code_departement, population to \"m\(i).svg\" with (outlines = \"bad\(i).geojson\")"))
      XCTAssertTrue(printed.notes.contains("bad\(i).geojson") && printed.notes.contains(message), "\(message):\n\(printed.notes)")
      XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("m\(i).svg").path), "nothing written")
    }
    // The session is intact.
    XCTAssertTrue(s.run("from departements | chart map code_departement, population to \"ok.svg\""), printed.notes)
  }

  /// Every truncation of a valid file and every byte of it replaced by a few others is
  /// either read or a `LoadError` naming the file: never a trap.
  func testDamagedGeoJSONNeverTraps() throws {
    let text = #"{"type":"FeatureCollection","features":[{"type":"Feature","id":7,"properties":{"code":"2A","nom":"Corse-\u00e9\ud83d\ude00"},"#
      + #""geometry":{"type":"MultiPolygon","coordinates":[[[[8.5,41.5],[9.5,41.5],[9,42.5],[8.5,41.5]]]]}}]}"#
    let valid = Array(text.utf8)
    let outlines = try valid.withUnsafeBufferPointer { try readGeoJSONOutlines($0, path: "t.geojson", attribution: "t") }
    XCTAssertEqual(outlines.territories.map(\.code), ["2A"])
    XCTAssertEqual(outlines.territories.first?.name, "Corse-é😀")
    var variants: [[UInt8]] = (0..<valid.count).map { Array(valid.prefix($0)) }
    for i in valid.indices {
      for b: UInt8 in [0x00, 0x22, 0x5B, 0x7D, 0x2C, 0x2D, 0x45, 0xFF] {
        var v = valid
        v[i] = b
        variants.append(v)
      }
    }
    var errors = 0
    for v in variants {
      do {
        _ = try v.withUnsafeBufferPointer { try readGeoJSONOutlines($0, path: "t.geojson", attribution: "t") }
      } catch let e as LoadError {
        errors += 1
        XCTAssertTrue(e.description.contains("t.geojson"), e.description)
      }
    }
    XCTAssertGreaterThan(errors, valid.count)
  }

  func testTextValueColumnAndOtherMistakesAreErrors() throws {
    let (s, _, printed) = try session()
    let cases = [
      ("from departements | chart map code_departement, nom", "the VALUE of `chart map` must be a number, but `nom` is text"),
      ("from departements | chart map superficie, population", "the CODE of `chart map` must be text or a whole number"),
      ("from communes | chart map code_departement, population", "one value per territory, but code `01` has"),
      ("from departements | chart map code_departement, population with (classes = 12)", "a map has from 2 to 9 classes, not 12"),
      ("from departements | chart map code_departement, population with (method = \"kmeans\")", "unknown class method \"kmeans\""),
      ("from departements | chart bar nom, population with (classes = 3)", "`classes` is an option of `chart map` only"),
    ]
    for (statement, message) in cases {
      printed.notes = ""
      XCTAssertFalse(s.run(statement), statement)
      XCTAssertTrue(printed.notes.contains(message), "\(statement):\n\(printed.notes)")
    }
  }

  func testUnknownCodeWarnsAndIntegerCodesArePadded() throws {
    let (s, folder, printed) = try session()
    try "code,valeur\n1,10\n2,20\n99,5\nZZ,7\n2A,3\n".write(to: folder.appendingPathComponent("v.csv"), atomically: true, encoding: .utf8)
    XCTAssertTrue(s.run("load \"v.csv\" as v"), printed.notes)
    printed.notes = ""
    XCTAssertTrue(s.run("from v | chart map code, valeur to \"v.svg\""), printed.notes)
    XCTAssertTrue(printed.notes.contains("warning: chart map: 2 codes match no outline of the départements: `99`, `ZZ`"), printed.notes)
    try "code,valeur\n1,10\n2,20\n".write(to: folder.appendingPathComponent("w.csv"), atomically: true, encoding: .utf8)
    XCTAssertTrue(s.run("load \"w.csv\" as w"))
    XCTAssertTrue(s.run("from w | chart map code, valeur to \"w.svg\""), printed.notes)
    let found = elements(try String(contentsOf: folder.appendingPathComponent("w.svg"), encoding: .utf8))
    let coloured = found.filter { $0.1["class"] == "territory" && $0.1["data-class"] != nil }.compactMap { $0.1["data-code"] }
    XCTAssertEqual(Set(coloured), ["01", "02"], "int codes 1 and 2 are 01 and 02")
  }
}
