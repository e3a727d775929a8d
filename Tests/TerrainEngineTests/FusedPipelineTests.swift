// The executor's fused step pairs give what the steps give one by one: `join | aggregate by`
// columns of the joined table (JoinAggregate.swift) and `[where |] select | sort | take`
// (`filteredTopRows`), on one thread and split over workers, with nulls, NaN, signed zeros,
// ties, unmatched and repeated join keys.

import Foundation
import XCTest
import TerrainEngine
import TerrainExecution
import TerrainIO
import TerrainPlanner
import TerrainStorage
import TerrainSyntax

final class FusedPipelineTests: XCTestCase {
  override func tearDown() { parallelThreshold = 1 << 17 }

  private func makeSession(n: Int = 30_000) -> Session {
    var rng = SplitMix64(seed: 0x5EED_0016)
    func next() -> UInt64 { rng.next() }
    let codes = (0..<40).map { String(format: "c%02d", $0) }
    var ids: [Value] = [], cs: [Value] = [], full: [Value] = [], xs: [Value] = [], zs: [Value] = [], ys: [Value] = []
    var fs: [Value] = []
    for i in 0..<n {
      ids.append(.int(Int64(i)))
      // `c`: every value found once in `g` except c38/c39 (absent) and nulls; `cf`: always found.
      cs.append(next() % 17 == 0 ? .null : .text(codes[Int(next() % 40)]))
      full.append(.text(codes[Int(next() % 30)]))
      // `x`: ties, ±0 and nulls; `z`: the same with NaN.
      let x: Value = next() % 9 == 0 ? .null : .float([0.0, -0.0, 1.5, -2.25][Int(next() % 4)] * Double(next() % 4))
      xs.append(x)
      zs.append(next() % 13 == 0 ? .float(.nan) : x)
      ys.append(.int(Int64(next() % 1000) - 500))
      fs.append(next() % 8 == 0 ? .null : .int(Int64(next() % 5)))
    }
    let s = Session.shell()
    s.catalog.set("t", Table(names: ["id", "c", "cf", "x", "z", "y", "f"], columns: [
      Column.from(ids, type: .int), Column.from(cs, type: .text), Column.from(full, type: .text),
      Column.from(xs, type: .float), Column.from(zs, type: .float), Column.from(ys, type: .int), Column.from(fs, type: .int),
    ]), origin: .query)
    // The joined table: one row per code c00…c37 (c37 twice in `dup`), groups with nulls.
    let keys = (0..<38).map { Value.text(codes[$0]) }
    let grp = (0..<38).map { $0 % 7 == 3 ? Value.null : .text(["n", "s", "e", "o"][$0 % 4]) }
    let num = (0..<38).map { $0 % 5 == 0 ? Value.null : .int(Int64($0 % 3)) }
    s.catalog.set("g", Table(names: ["cf", "grp", "num"], columns: [
      Column.from(keys, type: .text), Column.from(grp, type: .text), Column.from(num, type: .int),
    ]), origin: .query)
    s.catalog.set("dup", Table(names: ["cf", "grp", "num"], columns: [
      Column.from(keys + [.text("c07")], type: .text), Column.from(grp + [.text("x")], type: .text),
      Column.from(num + [.int(9)], type: .int),
    ]), origin: .query)
    return s
  }

  private func rows(_ t: Table) -> [[Value]] { (0..<t.rowCount).map { t.row($0) } }

  /// Values equal, NaN equal to NaN, -0.0 apart from 0.0 (the fused paths must not change
  /// which of the two a result shows).
  private func assertSame(_ a: Table, _ b: Table, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.fields, b.fields, what, file: file, line: line)
    let ra = rows(a), rb = rows(b)
    XCTAssertEqual(ra.count, rb.count, what, file: file, line: line)
    for (r, (x, y)) in zip(ra, rb).enumerated() {
      for (v, w) in zip(x, y) {
        if case .float(let p) = v, case .float(let q) = w {
          XCTAssertTrue(p.bitPattern == q.bitPattern || (p.isNaN && q.isNaN), "\(what), row \(r): \(p) vs \(q)", file: file, line: line)
        } else {
          XCTAssertEqual(v, w, "\(what), row \(r)", file: file, line: line)
        }
      }
    }
  }

  func testJoinThenAggregateEqualsTheStepsOneByOne() throws {
    let s = makeSession()
    let aggregates = "n = count(), k = count(x), sy = sum(y), ax = avg(x), mn = min(x), mx = max(y), md = median(y), fc = count_distinct(f), sd = stddev(x)"
    let joins = [
      "join g on cf",  // every row found once: fused
      "join left g on cf",  // the same rows: fused
      "join g on c == g.cf",  // unmatched and null keys: the steps one by one
      "join left g on c == g.cf",
      "join dup on cf",  // a key found twice: the steps one by one
    ]
    for threshold in [Int.max, chunkSize] {
      parallelThreshold = threshold
      for join in joins {
        for by in ["grp", "num", "grp, num"] {
          let fused = try s.query("from t | \(join) | aggregate \(aggregates) by \(by)")
          // A step between the two keeps them apart.
          let steps = try s.query("from t | \(join) | derive zz = 1 | aggregate \(aggregates) by \(by)")
          assertSame(fused, steps, "\(join) by \(by), threshold \(threshold)")
        }
      }
    }
  }

  func testTopAfterSelectEqualsThePrefixOfTheFullSort() throws {
    let s = makeSession()
    let selects = [
      ("z", "float, nulls, NaN, ±0, ties"),
      ("z * 2 + 1", "computed float"),
      ("y", "int"),
      ("x / f", "float, null where f is 0 or null"),
    ]
    for threshold in [Int.max, chunkSize] {
      parallelThreshold = threshold
      for (expr, what) in selects {
        for filter in ["", "where f >= 2 | ", "where c == \"c03\" or x > 2 | "] {
          for dir in ["", " desc"] {
            let full = try s.query("from t | \(filter)select id, k = \(expr), c | sort k\(dir)")
            for limit in [0, 1, 37, 1000] {
              let top = try s.query("from t | \(filter)select id, k = \(expr), c | sort k\(dir) | take \(limit)")
              let prefix = try s.query("from t | \(filter)select id, k = \(expr), c | sort k\(dir) | derive zz = 1 | take \(limit) | select id, k, c")
              XCTAssertEqual(top.rowCount, min(limit, full.rowCount), "\(what) \(filter) \(dir) \(limit)")
              assertSame(top, prefix, "\(what): \(filter)sort k\(dir) | take \(limit), threshold \(threshold)")
            }
          }
        }
      }
    }
  }

  /// An int key that can overflow is not computed on the rows the condition removes: the fused
  /// top-N leaves it to the steps, which raise no error here.
  func testFailingKeyOnRemovedRowsIsNoError() throws {
    let s = Session.shell()
    s.catalog.set("m", Table(names: ["a", "b"], columns: [
      Column.from([.int(Int64.max), .int(1), .int(2), .int(3), .int(4), .int(5)], type: .int),
      Column.from([.int(0), .int(1), .int(1), .int(1), .int(1), .int(1)], type: .int),
    ]), origin: .query)
    let top = try s.query("from m | where b == 1 | select a, k = a + 1 | sort k desc | take 1")
    XCTAssertEqual(top.row(0), [.int(5), .int(6)])
  }
}
