import Foundation
import XCTest
import TerrainEngine
import TerrainExecution
import TerrainIO
import TerrainPlanner
import TerrainStorage
import TerrainSyntax
final class StorageTests: XCTestCase {
  func testDictionary() {
    let d = TextDictionary()
    XCTAssertEqual(d.intern("a"), 0)
    XCTAssertEqual(d.intern("b"), 1)
    XCTAssertEqual(d.intern("a"), 0)
    for i in 0..<1000 { _ = d.intern("x\(i)") }
    XCTAssertEqual(d.code(of: "x999"), 1001)
    XCTAssertNil(d.code(of: "zz"))
    // byte equality, not canonical equivalence
    XCTAssertNotEqual(d.intern("\u{E9}"), d.intern("e\u{301}"))
  }

  /// A dictionary keeps only bytes: each value comes back as the same `String` (long, short,
  /// empty, multi-byte), found by its bytes too; codes past the end give "" and no bytes.
  func testDictionaryValuesComeBackFromTheirBytes() throws {
    let d = TextDictionary()
    let values = ["", "Saint-Étienne", String(repeating: "é", count: 400), "a\u{0}b", "🇫🇷", "x"]
    let codes = try values.map { try d.checkedIntern($0) }
    XCTAssertEqual(codes, (0..<UInt32(values.count)).map { $0 })
    XCTAssertEqual(d.count, values.count)
    XCTAssertEqual(d.allStrings(), values)
    XCTAssertEqual(d.valueBytes, values.reduce(0) { $0 + $1.utf8.count })
    for (k, v) in values.enumerated() {
      XCTAssertEqual(d.string(k), v)
      var v = v
      XCTAssertEqual(v.withUTF8 { d.code(ofBytes: UnsafeRawBufferPointer($0)) }, UInt32(k))
    }
    XCTAssertEqual(d.string(values.count), "")
    XCTAssertEqual(d.string(-1), "")
    XCTAssertEqual(d.bytes(of: UInt32(values.count)).count, 0)
  }

  /// `compareBytes` (two dictionaries' values compared in place) orders as `compareUTF8`.
  func testByteOrderIsCodePointOrder() {
    let samples = ["", "a", "ab", "b", "é", "e\u{301}", "z", "\u{7F}", "\u{80}", "ÿ", "\u{FFFF}", "😀", "Z", "aé", "a\u{0}"]
    for x in samples {
      for y in samples {
        var a = x
        var b = y
        let byBytes = a.withUTF8 { p in b.withUTF8 { q in compareBytes(UnsafeRawBufferPointer(p), UnsafeRawBufferPointer(q)) } }
        XCTAssertEqual(byBytes, compareUTF8(x, y), "\(x.debugDescription) vs \(y.debugDescription)")
      }
    }
  }

  /// A prefix shares its column's memory and keeps it alive after the column is gone
  /// (`take n` returns such views instead of copying rows).
  func testPrefixViewOutlivesItsColumn() throws {
    var prefix: Column?
    do {
      let values = BufferBuilder<Int64>(capacity: 4)
      for v: Int64 in [10, 20, 30, 40] { try values.append(v) }
      let valid = BufferBuilder<UInt8>(capacity: 4)
      for v: UInt8 in [1, 0, 1, 1] { try valid.append(v) }
      let column = Column(values: .int(values.finish()), validity: valid.finish())
      prefix = column.prefix(3)
      XCTAssertTrue(column.prefix(9) === column)
    }
    let p = try XCTUnwrap(prefix)
    XCTAssertEqual(p.count, 3)
    XCTAssertEqual((0..<3).map { p.value(at: $0) }, [.int(10), .null, .int(30)])
    XCTAssertEqual(p.nullCount, 1)
    XCTAssertEqual(p.prefix(0).count, 0)
  }

  /// `take` after a filter and after a join keeps the right rows (prefixes of index vectors).
  func testTakeOfSelections() throws {
    let session = Session.shell()
    let rows = (0..<5000).map { "\($0),\($0 % 7 == 0 ? "" : String($0 % 3))" }.joined(separator: "\n")
    let dir = try TestSupport.temporaryFolder("terrain-take", for: self)
    let path = dir.appendingPathComponent("t.csv").path
    try ("id,k\n" + rows + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    XCTAssertTrue(session.run("load \"\(path)\" as t", name: nil))
    let plain = try session.query("from t | take 3 | select id, k")
    XCTAssertEqual((0..<plain.rowCount).map { plain.columns[1].value(at: $0) }, [.null, .int(1), .int(2)])
    let filtered = try session.query("from t | where k == 2 | take 4 | select id")
    XCTAssertEqual((0..<filtered.rowCount).map { filtered.columns[0].value(at: $0) }, [.int(2), .int(5), .int(8), .int(11)])
    XCTAssertTrue(session.run("load \"\(path)\" as u", name: nil))
    let joined = try session.query("from t | join u on id == u.id | where k is null | take 2 | select id")
    XCTAssertEqual((0..<joined.rowCount).map { joined.columns[0].value(at: $0) }, [.int(0), .int(7)])
  }
}
