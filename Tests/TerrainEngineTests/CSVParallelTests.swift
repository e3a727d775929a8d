import Foundation
import XCTest

import TerrainEngine
import TerrainExecution
import TerrainIO
import TerrainPlanner
import TerrainStorage
import TerrainSyntax

/// The reader's two-thread path (both passes split in two, one text dictionary per range
/// merged at the end) must give exactly what the one-thread path gives: rows, types, values,
/// nulls, text codes, notices and errors. Small files are forced through it by lowering the
/// size threshold and the rows per chunk. Likewise, int and float types taken from a sample
/// and checked in pass 2 (the sample lowered to two rows) must give exactly what inferring
/// every value gives.
final class CSVParallelTests: XCTestCase {
  private enum Outcome {
    case loaded(LoadResult)
    case failed(String)
  }

  private func load(
    _ text: String, parallel: Bool, sampleRows: Int = Int.max, _ configure: (inout LoadOptions) -> Void = { _ in }
  ) -> Outcome {
    let savedThreshold = csvParallelThreshold
    let savedRows = csvRowsPerCheckpoint
    let savedSample = csvInferenceSampleRows
    defer {
      csvParallelThreshold = savedThreshold
      csvRowsPerCheckpoint = savedRows
      csvInferenceSampleRows = savedSample
    }
    csvParallelThreshold = parallel ? 0 : Int.max
    csvRowsPerCheckpoint = parallel ? 3 : 1 << 16
    csvInferenceSampleRows = sampleRows
    var options = LoadOptions()
    configure(&options)
    let bytes = Array(text.utf8)
    do {
      return .loaded(try bytes.withUnsafeBytes { try loadCSV(bytes: $0, name: "t.csv", options: options) })
    } catch let e as LoadError {
      return .failed("\(e.line):\(e.column): \(e.message)")
    } catch {
      return .failed("\(error)")
    }
  }

  /// Loads `text` on one thread inferring every value, then on two threads, and with types
  /// from a sample of `sampleRows` rows on one and two threads, and checks that the outcomes
  /// are the same.
  private func assertSame(
    _ text: String, sampleRows: Int = 2, _ configure: (inout LoadOptions) -> Void = { _ in }, file: StaticString = #filePath,
    line: UInt = #line
  ) {
    let a = load(text, parallel: false, configure)
    for (parallel, sample) in [(true, Int.max), (false, sampleRows), (true, sampleRows)] {
      assertSameOutcome(a, load(text, parallel: parallel, sampleRows: sample, configure), text, file: file, line: line)
    }
  }

  private func assertSameOutcome(_ a: Outcome, _ b: Outcome, _ text: String, file: StaticString, line: UInt) {
    switch (a, b) {
    case (.failed(let x), .failed(let y)):
      XCTAssertEqual(x, y, text, file: file, line: line)
    case (.loaded(let x), .loaded(let y)):
      XCTAssertEqual(x.notices, y.notices, text, file: file, line: line)
      let s = x.table
      let t = y.table
      XCTAssertEqual(s.rowCount, t.rowCount, text, file: file, line: line)
      XCTAssertEqual(s.fields.map(\.name), t.fields.map(\.name), text, file: file, line: line)
      XCTAssertEqual(s.fields.map(\.type), t.fields.map(\.type), text, file: file, line: line)
      guard s.rowCount == t.rowCount, s.columns.count == t.columns.count else { return }
      for (c, d) in zip(s.columns, t.columns) {
        XCTAssertEqual((0..<c.count).map { c.value(at: $0) }, (0..<d.count).map { d.value(at: $0) }, text, file: file, line: line)
        XCTAssertEqual(c.validity.map { Array($0.buffer) }, d.validity.map { Array($0.buffer) }, text, file: file, line: line)
        if case .text(let codes1, let dict1) = c.values, case .text(let codes2, let dict2) = d.values {
          XCTAssertEqual(Array(codes1.buffer), Array(codes2.buffer), text, file: file, line: line)
          XCTAssertEqual(dict1.allStrings(), dict2.allStrings(), text, file: file, line: line)
        }
      }
    default:
      XCTFail("one thread, full inference: \(a), other: \(b)\n\(text)", file: file, line: line)
    }
  }

  func testRandomFilesReadTheSameOnTwoThreads() {
    var rng = SystemRandomNumberGenerator()
    let words = ["habitation", "mixte", "professionnel", "a", "", "NA", "x y", "une valeur assez longue pour le cache"]
    for round in 0..<300 {
      let rows = Int.random(in: 0...60, using: &rng)
      let lineEnd = round % 3 == 0 ? "\r\n" : "\n"
      var csv = "id,cat,v,q,n" + lineEnd
      for i in 0..<rows {
        let cat = words[Int.random(in: 0..<words.count, using: &rng)]
        let v = Int.random(in: 0..<6, using: &rng) == 0 ? "" : String(Double(Int.random(in: -999...999, using: &rng)) / 8)
        var q = words[Int.random(in: 0..<words.count, using: &rng)]
        if Bool.random(using: &rng) { q = "\"\(q)\n\(i % 7),x,y\"" }
        if Int.random(in: 0..<8, using: &rng) == 0 { q = "\"a \"\"quoted\"\" \(i % 3)\"" }
        let n = Int.random(in: 0..<10, using: &rng) == 0 ? "NA" : String(i % 4)
        csv += "\(i),\(cat),\(v),\(q),\(n)" + lineEnd
        if Int.random(in: 0..<20, using: &rng) == 0 { csv += lineEnd }
      }
      assertSame(csv)
      assertSame(csv) { $0.types = ["n": .text] }
    }
  }

  func testSampledTypesAreThoseOfFullInference() {
    // Rows 0..<200 of an int column `i` and a float column `f`, then one late value.
    func file(late: String, column: Int, header: String = "i,f,t", separator: String = ",", at: Int = 170) -> String {
      var csv = header.replacingOccurrences(of: ",", with: separator) + "\n"
      for r in 0..<200 {
        var fields = ["\(r * 37 - 900)", "\(Double(r) / 4 - 3)", "w\(r % 5)"]
        if separator == ";" { fields[1] = fields[1].replacingOccurrences(of: ".", with: ",") }
        if r == at { fields[column] = late }
        csv += fields.joined(separator: separator) + "\n"
      }
      return csv
    }
    let late = [
      "text", "2.5", "007", "-01", "+5", "-0", "0", "01.5", "0.5", "-0.25", "1e5", "1E-3", "123e-45678", "1e400", "1,5",
      "99999999999999999999", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "", "NA", " 12 ",
      "\"12\"", "\"1\"\"2\"", "1 234", "1 234,5", "1 234.5", "\u{A0}007\u{A0}", "\u{A0}12\u{A0}", "12\u{202F}345",
      "true", "2024-01-31", "31/01/2024", ".5", "5.", "-", ".", "e5", "0x10", "1_000", "١٢",
    ]
    for value in late {
      for column in 0..<2 {
        for at in [2, 170] {
          assertSame(file(late: value, column: column, at: at))
          assertSame(file(late: value, column: column, at: at), sampleRows: 50)
        }
      }
      assertSame(file(late: value, column: 1, separator: ";"))
      assertSame(file(late: value, column: 0, header: "code_i,f,t"))
      assertSame(file(late: value, column: 1)) { $0.nulls = ["NA"] }
      assertSame(file(late: value, column: 0)) { $0.types = ["f": .float] }
      assertSame(file(late: value, column: 0)) { $0.thousands = "_" }
      assertSame(file(late: value, column: 1)) { $0.encoding = "windows-1252" }
    }
    // Nulls only in the sample: the column is inferred from the values after it.
    var csv = "a,b\n"
    for r in 0..<100 { csv += "\(r),\(r < 10 ? "" : String(r % 3))\n" }
    assertSame(csv)
    assertSame(csv + "9,x\n")
  }

  func testShortTextCacheOnALargeFile() {
    // From 65,536 rows on, text values of up to 16 bytes go through a per-lane cache: many
    // distinct values (evictions), every length around 8 and 16, escaped and null values,
    // and short values in the last 16 bytes of the file.
    let pool = [
      "", "a", "ab", "abcdefg", "abcdefgh", "abcdefghi", "abcdefghijklmno", "abcdefghijklmnop", "abcdefghijklmnopq",
      "NA", "é", "éé€", "\"a,b\"", "\"x \"\"y\"\"\"", "habitation", "professionnel", "mixte",
    ]
    var csv = "i,s\n"
    var expected: [String?] = []
    for r in 0..<70_003 {
      let v = r % 3 == 0 ? "v\(r * 7919 % 40_000)" : pool[r % pool.count]
      csv += "\(r),\(v)\n"
      switch v {
      case "", "NA": expected.append(nil)
      case "\"a,b\"": expected.append("a,b")
      case "\"x \"\"y\"\"\"": expected.append("x \"y\"")
      default: expected.append(v)
      }
    }
    csv += "70003,ab"
    expected.append("ab")
    for parallel in [false, true] {
      guard case .loaded(let r) = load(csv, parallel: parallel) else {
        XCTFail("not loaded")
        return
      }
      let column = r.table.columns[1]
      let got: [String?] = (0..<column.count).map {
        if case .text(let s) = column.value(at: $0) { return s }
        return nil
      }
      XCTAssertEqual(got, expected)
      if case .text(_, let d) = column.values {
        var seen = Set<String>()
        let firstOccurrences = expected.compactMap { $0 }.filter { seen.insert($0).inserted }
        XCTAssertEqual(d.allStrings().filter { !$0.isEmpty }, firstOccurrences)
      }
    }
  }

  func testQuotedNewlineAcrossTheMiddle() {
    // The middle falls inside a quoted field whose lines look like records of the wrong
    // width: read from there, the second half would fail.
    var csv = "a,b\n"
    for i in 0..<20 { csv += "\(i),x\(i % 3)\n" }
    csv += "20,\"" + String(repeating: "1,2,3\n", count: 40) + "\"\n"
    for i in 21..<30 { csv += "\(i),y\(i % 4)\n" }
    assertSame(csv)
    assertSame(String(csv.dropLast(60)))
  }

  func testErrorsAreTheFirstInFileOrder() {
    var rows: [String] = []
    for i in 0..<100 { rows.append("\(i),t\(i % 9),\(Double(i) / 2)") }
    let ok = "i,t,f\n" + rows.joined(separator: "\n") + "\n"
    assertSame(ok)
    for bad in [3, 48, 52, 97] {
      var r = rows
      r[bad] = "\(bad),ragged"
      assertSame("i,t,f\n" + r.joined(separator: "\n") + "\n")
      assertSame("i,t,f\n" + r.joined(separator: "\n") + "\n") { $0.skipBadRows = true }
      r[99] = "99,x,y,z"
      assertSame("i,t,f\n" + r.joined(separator: "\n") + "\n")
      var q = rows
      q[bad] = "\(bad),\"never closed,1"
      assertSame("i,t,f\n" + q.joined(separator: "\n") + "\n")
      assertSame("i,t,f\n" + q.joined(separator: "\n") + "\n") { $0.skipBadRows = true }
      var f = rows
      f[bad] = "\(bad),t,not a number"
      assertSame("i,t,f\n" + f.joined(separator: "\n") + "\n") { $0.types = ["f": .float] }
      assertSame("i,t,f\n" + f.joined(separator: "\n") + "\n") { $0.types = ["i": .int, "f": .int] }
      assertSame("i,t,f\n" + f.joined(separator: "\n") + "\n")
    }
  }

  func testTypesDecidedOverBothHalves() {
    // A value that turns the column to text only in the second half.
    var csv = "a,b,c\n"
    for i in 0..<200 { csv += "\(i),\(i % 2 == 0 ? "true" : "false"),\(i)\n" }
    csv += "x,maybe,01\n"
    assertSame(csv)
    // Nulls only in the second half of a text column, none in the first.
    var t = "k,s\n"
    for i in 0..<200 { t += "\(i),\(i < 100 ? "v\(i % 5)" : "")\n" }
    assertSame(t)
    // A text column null everywhere in the second half, all-null columns.
    var n = "k,s,e\n"
    for i in 0..<200 { n += "\(i),\(i < 100 ? "v" : "NA"),\n" }
    assertSame(n)
  }

  func testDictionaryCodesStableThroughGrowth() {
    let d = TextDictionary(capacity: 2)
    var values = ["", "a", "é", "a\u{0}b", "une valeur plus longue que seize octets"]
    for i in 0..<20_000 { values.append("v\(i * 7919 % 100_003)") }
    var codes: [String: UInt32] = [:]
    for v in values {
      let c = d.intern(v)
      if let old = codes[v] { XCTAssertEqual(c, old, v) } else { XCTAssertEqual(Int(c), codes.count, v) }
      codes[v] = c
    }
    XCTAssertEqual(d.count, codes.count)
    for (v, c) in codes {
      XCTAssertEqual(d.intern(v), c)
      XCTAssertEqual(d.code(of: v), c)
      XCTAssertEqual(d.string(Int(c)), v)
    }
    XCTAssertNil(d.code(of: "absent"))
    // Byte equality, not canonical equivalence: é precomposed and decomposed differ.
    XCTAssertNotEqual(d.intern("\u{E9}"), d.intern("e\u{301}"))
    let ranks = d.sortRanks(.binary)
    let sorted = (0..<d.count).sorted { ranks[$0] < ranks[$1] }.map { d.string($0) }
    XCTAssertEqual(sorted, d.allStrings().sorted { utf8Less($0, $1) })
  }

  func testUTF8CheckInHalvesFindsTheSameByte() {
    let saved = csvParallelThreshold
    defer { csvParallelThreshold = saved }
    csvParallelThreshold = 0
    var rng = SystemRandomNumberGenerator()
    let pieces: [[UInt8]] = [[0x61], [0x2C], [0x0A], [0xC3, 0xA9], [0xE2, 0x82, 0xAC], [0xF0, 0x9F, 0x98, 0x80], [0xFF], [0x80], [0xC3], [0xE2, 0x82]]
    for _ in 0..<3000 {
      var bytes: [UInt8] = []
      for _ in 0..<Int.random(in: 0...24, using: &rng) {
        let k = Int.random(in: 0..<pieces.count, using: &rng)
        // Mostly valid, so that the invalid byte lands anywhere.
        bytes += k >= 6 && Int.random(in: 0..<4, using: &rng) != 0 ? pieces[0] : pieces[k]
      }
      bytes.withUnsafeBufferPointer { b in
        guard let base = b.baseAddress else { return }
        XCTAssertEqual(firstInvalidUTF8InHalves(base, b.count), firstInvalidUTF8(base, b.count), "\(bytes)")
      }
    }
  }
}
