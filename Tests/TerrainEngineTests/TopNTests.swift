// `sort | take N` (top-N with a heap and zone maps) gives exactly the first N rows of the full
// stable sort, with nulls last, ties in row order, NaN after numbers.

import Foundation
import XCTest
@testable import TerrainEngine

final class TopNTests: XCTestCase {
  func testTopNEqualsPrefixOfFullSort() throws {
    var seed: UInt64 = 42
    func next() -> UInt64 {
      seed &+= 0x9E37_79B9_7F4A_7C15
      var z = seed
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    let n = 30_000
    var ints: [Value] = []
    var floats: [Value] = []
    for i in 0..<n {
      // Sorted runs, duplicates and nulls, so zone maps both skip and keep chunks.
      ints.append(next() % 13 == 0 ? .null : .int(Int64(i / 100) - Int64(next() % 50)))
      let f: Value = next() % 11 == 0 ? .null : next() % 97 == 0 ? .float(.nan) : .float(Double(next() % 1000) / 8 - 40)
      floats.append(f)
    }
    let s = Session()
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
