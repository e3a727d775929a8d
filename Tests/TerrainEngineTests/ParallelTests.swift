// The parallel paths (filters, computed columns, aggregates split over workers) give the same
// answers as one thread.

import Foundation
import XCTest
import TerrainEngine
import TerrainExecution
import TerrainIO
import TerrainPlanner
import TerrainStorage
import TerrainSyntax

final class ParallelTests: XCTestCase {
  override func tearDown() { parallelThreshold = 1 << 17 }

  func makeSession() -> Session {
    var rng = SplitMix64(seed: 0x1234_5678)
    func next() -> UInt64 { rng.next() }
    let n = 50_000
    var ids: [Value] = [], ks: [Value] = [], xs: [Value] = [], ys: [Value] = [], ts: [Value] = []
    for i in 0..<n {
      ids.append(.int(Int64(i)))
      ks.append(next() % 10 == 0 ? .null : .int(Int64(next() % 50)))
      xs.append(next() % 7 == 0 ? .null : .float(Double(next() % 100_000) / 7))
      ys.append(.int(Int64(next() % 1000) - 500))
      ts.append(next() % 9 == 0 ? .null : .text(["a", "b", "é", "東京", ""][Int(next() % 5)]))
    }
    let t = Table(names: ["id", "k", "x", "y", "t"], columns: [
      Column.from(ids, type: .int), Column.from(ks, type: .int), Column.from(xs, type: .float),
      Column.from(ys, type: .int), Column.from(ts, type: .text),
    ])
    let s = Session.shell()
    s.catalog.set("t", t, origin: .query)
    s.catalog.set("u", Table(names: ["t", "label"], columns: [
      Column.from([.text("a"), .text("é"), .text("é"), .text("zz"), .null], type: .text),
      Column.from([.text("A"), .text("E1"), .text("E2"), .text("Z"), .text("N")], type: .text),
    ]), origin: .query)
    s.catalog.set("v", Table(names: ["kk", "w"], columns: [
      Column.from((0..<40).map { .int(Int64($0 % 30)) }, type: .int), Column.from((0..<40).map { .int(Int64($0)) }, type: .int),
    ]), origin: .query)
    return s
  }

  func rows(_ t: Table) -> [[Value]] { (0..<t.rowCount).map { t.row($0) } }

  func testParallelAnswersEqualSequentialOnes() throws {
    let s = makeSession()
    let queries = [
      "from t | where x > 5000 and (k < 20 or t == \"é\") | select id",
      "from t | derive z = x * 2 + y, w = y % 7, b = x > 100 | select z, w, b",
      "from t | aggregate n = count(), c = count(x), s = sum(y), a = avg(x), mn = min(x), mx = max(t), md = median(x), sd = stddev(x), q = quantile(y, 0.3), d = count_distinct(t), dk = count_distinct(k), sh = share(y)",
      "from t | aggregate n = count(), s = sum(y), a = avg(x), sd = stddev(x), mx = max(t), mn = min(y), d = count_distinct(t) by k | sort k",
      "from t | where y > 0 | aggregate n = count(), s = sum(x) by t | sort t",
      "from t | sort x desc, id | take 20 | select id, x",
      "from t | join u on t | aggregate n = count(), s = sum(y) by label | sort label",
      "from t | join left u on t | aggregate n = count(), c = count(label) by t | sort t",
      "from t | join v on k == v.kk | aggregate n = count(), s = sum(w) by k | sort k",
    ]
    for q in queries {
      parallelThreshold = Int.max
      let sequential = try s.query(q)
      parallelThreshold = chunkSize
      let parallel = try s.query(q)
      XCTAssertEqual(sequential.fields, parallel.fields, q)
      let a = rows(sequential)
      let b = rows(parallel)
      XCTAssertEqual(a.count, b.count, q)
      for (r1, r2) in zip(a, b) {
        for (v1, v2) in zip(r1, r2) {
          if case .float(let x) = v1, case .float(let y) = v2 {
            XCTAssertEqual(x, y, accuracy: Swift.abs(x) * 1e-12 + 1e-12, q)
          } else {
            XCTAssertEqual(v1, v2, q)
          }
        }
      }
    }
  }

  /// `where` + whole-table `aggregate` runs as one masked pass; rows the condition removes must
  /// not raise errors (here: overflow) nor count.
  func testMaskedAggregateSeesOnlyKeptRows() throws {
    let s = Session.shell()
    s.catalog.set("big", Table(names: ["v"], columns: [
      Column.from([.int(1), .int(Int64.max), .int(2), .null, .int(3)], type: .int),
    ]), origin: .query)
    let t = try s.query("from big | where v < 10 | aggregate s = sum(v * 2), n = count(), c = count(v), a = avg(v), m = max(v)")
    XCTAssertEqual(t.row(0), [.int(12), .int(3), .int(3), .float(2), .int(3)])
    let u = try s.query("from big | where v > 100 | aggregate n = count(), s = sum(float(v))")
    XCTAssertEqual(u.row(0), [.int(1), .float(Double(Int64.max))])
  }
}
