// `sort | take N` (top-N with a heap and zone maps) gives exactly the first N rows of the full
// stable sort, with nulls last, ties in row order, NaN after numbers.

import Foundation
import XCTest
import TerrainEngine
import TerrainExecution
import TerrainIO
import TerrainPlanner
import TerrainStorage
import TerrainSyntax

final class TopNTests: XCTestCase {
  func testTopNEqualsPrefixOfFullSort() throws {
    var rng = SplitMix64(seed: 42)
    func next() -> UInt64 { rng.next() }
    let n = 30_000
    var ints: [Value] = []
    var floats: [Value] = []
    for i in 0..<n {
      // Sorted runs, duplicates and nulls, so zone maps both skip and keep chunks.
      ints.append(next() % 13 == 0 ? .null : .int(Int64(i / 100) - Int64(next() % 50)))
      let f: Value = next() % 11 == 0 ? .null : next() % 97 == 0 ? .float(.nan) : .float(Double(next() % 1000) / 8 - 40)
      floats.append(f)
    }
    let s = Session.shell()
    s.catalog.set("t", Table(names: ["i", "f", "id"], columns: [
      Column.from(ints, type: .int), Column.from(floats, type: .float), Column.from((0..<n).map { .int(Int64($0)) }, type: .int),
    ]), origin: .query)
    for key in ["i", "f"] {
      for dir in ["", " desc"] {
        let full = try s.query("from t | sort \(key)\(dir) | select id")
        for limit in [0, 1, 7, 100, 2000] {
          let top = try s.query("from t | sort \(key)\(dir) | take \(limit) | select id")
          XCTAssertEqual(top.rowCount, limit, "\(key)\(dir) take \(limit)")
          for r in 0..<limit {
            XCTAssertEqual(top.columns[0].value(at: r), full.columns[0].value(at: r), "\(key)\(dir) take \(limit), row \(r)")
          }
        }
      }
    }
  }
}
