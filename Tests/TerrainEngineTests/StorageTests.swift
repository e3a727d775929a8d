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
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("terrain-take-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
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
