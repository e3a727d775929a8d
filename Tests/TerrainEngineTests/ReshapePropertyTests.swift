// Property tests of `take N by` (with and without a `sort` before it), `append`, `unpivot` and
// `pivot`: the engine against a plain reference over rows of boxed values (the same random
// tables as PropertyTests, with ties, nulls, one-row and empty inputs). Sort keys are numeric
// here so that the reference does not depend on the session's text collation.
//
// The seed is printed in every failure; set TERRAIN_PROPERTY_SEED to replay a run.

import Foundation
import XCTest

import TerrainEngine
import TerrainExecution
import TerrainIO
import TerrainPlanner
import TerrainStorage
import TerrainSyntax

final class ReshapePropertyTests: XCTestCase {
  typealias Row = [Value]
  static let columns = PropertyTests.columns

  static func index(_ name: String) -> Int { columns.firstIndex { $0.name == name } ?? -1 }

  /// A grouping key of the row's values (exact: text by its bytes, -0.0 with 0.0).
  static func key(_ vs: [Value]) -> String {
    vs.map { v -> String in
      switch v {
      case .null: return "∅"
      case .text(let s): return "t:" + Array(s.utf8).map(String.init).joined(separator: ".")
      case .float(let d): return "f:\(d == 0 ? 0 : d)"
      default: return "v:\(v)"
      }
    }.joined(separator: "|")
  }

  /// `a` before `b` in `sort` order on a numeric value: nulls last in both directions.
  static func before(_ a: Value, _ b: Value, descending: Bool) -> Bool? {
    func num(_ v: Value) -> Double? {
      switch v {
      case .int(let i): return Double(i)
      case .float(let d): return d
      default: return nil
      }
    }
    switch (num(a), num(b)) {
    case (nil, nil): return nil
    case (nil, _): return false
    case (_, nil): return true
    case (let x?, let y?): return x == y ? nil : (descending ? x > y : x < y)
    }
  }

  static func stableSort(_ rows: [Row], by column: Int, descending: Bool) -> [Row] {
    rows.enumerated().sorted { l, r in
      before(l.element[column], r.element[column], descending: descending) ?? (l.offset < r.offset)
    }.map(\.element)
  }

  static func takeBy(_ rows: [Row], _ n: Int, keys: [Int]) -> [Row] {
    var taken: [String: Int] = [:]
    return rows.filter { r in
      let k = key(keys.map { r[$0] })
      let c = taken[k, default: 0]
      taken[k] = c + 1
      return c < n
    }
  }

  func session(_ table: Table) -> Session {
    let s = Session.shell()
    s.catalog.set("t", table, origin: .query)
    return s
  }

  func ids(_ t: Table) -> [Value] { (0..<t.rowCount).map { t.columns[0].value(at: $0) } }

  func testTakeByMatchesReference() throws {
    let seed = PropertyTests.seed &+ 11
    var rng = SplitMix64(seed: seed)
    var failures: [String] = []
    var queries = 0
    for size in [0, 1, 7, 5000] {
      let (data, table) = PropertyTests.makeTable(rows: size, extremes: false, rng: &rng)
      let s = session(table)
      for _ in 0..<25 {
        let n = [0, 1, 2, 3, 50, 3000][Int(rng.next() % 6)]
        let keys = [["a"], ["s"], ["p"], ["s", "p"], ["u", "b"]][Int(rng.next() % 5)]
        let sortKey = ["b", "x", "a", nil][Int(rng.next() % 4)]
        let desc = rng.next() % 2 == 0
        let filtered = rng.next() % 3 == 0
        var rows = filtered ? data.filter { if case .int(let i) = $0[0] { return i % 3 != 1 } else { return false } } : data
        var query = "from t" + (filtered ? " | where id % 3 != 1" : "")
        if let sortKey {
          rows = Self.stableSort(rows, by: Self.index(sortKey), descending: desc)
          query += " | sort \(sortKey)\(desc ? " desc" : "")"
        }
        query += " | take \(n) by \(keys.joined(separator: ", ")) | select id"
        let expected = Self.takeBy(rows, n, keys: keys.map(Self.index)).map { $0[0] }
        queries += 1
        do {
          let got = ids(try s.query(query))
          if got != expected {
            failures.append("rows \(size): expected \(expected.count) ids \(expected.prefix(8))…, got \(got.count) \(got.prefix(8))…\n  query: \(query)")
          }
        } catch {
          failures.append("engine error \(error)\n  query: \(query)")
        }
      }
    }
    print("ReshapePropertyTests: \(queries) take-by queries, seed \(seed)")
    if !failures.isEmpty { XCTFail("seed \(seed): \(failures.count) mismatches\n\n" + failures.prefix(8).joined(separator: "\n\n")) }
  }

  func testAppendAndUnpivotMatchReference() throws {
    let seed = PropertyTests.seed &+ 12
    var rng = SplitMix64(seed: seed)
    var failures: [String] = []
    for size in [0, 1, 3000] {
      let (data, table) = PropertyTests.makeTable(rows: size, extremes: false, rng: &rng)
      let (data2, table2) = PropertyTests.makeTable(rows: [0, 1, 2500][Int(rng.next() % 3)], extremes: false, rng: &rng)
      // The second table: `id`, `a` as float, `s`, and a column `z` the first lacks.
      let second = Table(names: ["z", "a", "s", "id"], columns: [
        Column.from(data2.map { $0[Self.index("u")] }, type: .text),
        Column.from(data2.map { v -> Value in if case .int(let i) = v[1] { return .float(Double(i) / 2) } else { return .null } }, type: .float),
        table2.columns[Self.index("s")], table2.columns[0],
      ])
      let s = session(table)
      s.catalog.set("t2", second, origin: .query)
      // append: id, a (float), s, b, then z.
      let got = try s.query("from t | select id, a, s, b | append t2")
      var expected: [Row] = data.map { r in
        [r[0], { if case .int(let i) = r[1] { return .float(Double(i)) } else { return .null } }(), r[Self.index("s")], r[2], .null]
      }
      for i in 0..<second.rowCount {
        expected.append([second.columns[3].value(at: i), second.columns[1].value(at: i), second.columns[2].value(at: i), .null,
          second.columns[0].value(at: i)])
      }
      XCTAssertEqual(got.columnNames, ["id", "a", "s", "b", "z"])
      if (0..<got.rowCount).map({ got.row($0) }) != expected {
        failures.append("append of \(size) and \(second.rowCount) rows differs")
      }
      // unpivot of an int, an int and a float column: float values, row by row.
      let long = try s.query("from t | select id, a, b, x | unpivot a, b, x into k, v")
      var want: [Row] = []
      for r in data {
        for c in ["a", "b", "x"] {
          let v = r[Self.index(c)]
          let f: Value = { if case .int(let i) = v { return .float(Double(i)) } else { return v } }()
          want.append([r[0], .text(c), f])
        }
      }
      let gotLong = (0..<long.rowCount).map { long.row($0) }
      if gotLong.count != want.count || zip(gotLong, want).contains(where: { !zip($0, $1).allSatisfy { PropertyTests.same($0, $1) } }) {
        failures.append("unpivot of \(size) rows differs")
      }
    }
    if !failures.isEmpty { XCTFail("seed \(seed): " + failures.joined(separator: "\n")) }
  }

  func testPivotMatchesReference() throws {
    let seed = PropertyTests.seed &+ 13
    var rng = SplitMix64(seed: seed)
    var failures: [String] = []
    for size in [1, 9, 5000] {
      let (data, table) = PropertyTests.makeTable(rows: size, extremes: false, rng: &rng)
      let s = session(table)
      for (names, by) in [("b", "s"), ("a", "p"), ("b", "u, p")] {
        let query = "from t | pivot \(names) using n = count(), m = sum(x), c = count(s) by \(by)"
        let got: Table
        do { got = try s.query(query) } catch {
          failures.append("engine error \(error)\n  query: \(query)")
          continue
        }
        let byCols = by.split(separator: ",").map { Self.index($0.trimmingCharacters(in: .whitespaces)) }
        let ni = Self.index(names)
        // Values in ascending numeric order, null last.
        var values: [Value] = []
        var seen = Set<String>()
        for r in data where seen.insert(Self.key([r[ni]])).inserted { values.append(r[ni]) }
        values.sort { Self.before($0, $1, descending: false) ?? false }
        let expectedNames = byCols.map { Self.columns[$0].name }
          + values.flatMap { v in ["n", "m", "c"].map { "\(v.isNull ? "null" : v.description)_\($0)" } }
        if got.columnNames != expectedNames {
          failures.append("columns \(got.columnNames.prefix(10))…, expected \(expectedNames.prefix(10))…\n  query: \(query)")
          continue
        }
        var groups: [String: [Row]] = [:]
        for r in data { groups[Self.key(byCols.map { r[$0] }), default: []].append(r) }
        if got.rowCount != groups.count { failures.append("\(got.rowCount) rows, expected \(groups.count)\n  query: \(query)") }
        for g in 0..<got.rowCount {
          let row = got.row(g)
          guard let members = groups[Self.key(Array(row.prefix(byCols.count)))] else {
            failures.append("unexpected group \(row.prefix(byCols.count))")
            continue
          }
          for (vi, v) in values.enumerated() {
            let cell = members.filter { Self.key([$0[ni]]) == Self.key([v]) }
            let base = byCols.count + vi * 3
            let want: [Value] = cell.isEmpty ? [.null, .null, .null] : [.int(Int64(cell.count)),
              PropertyTests.referenceAggregate("sum", Self.index("x"), .float, cell),
              PropertyTests.referenceAggregate("count", Self.index("s"), .text, cell)]
            for j in 0..<3 where !PropertyTests.same(want[j], row[base + j], tol: 1e-9) {
              failures.append("group \(row.prefix(byCols.count)), value \(v), aggregate \(j): expected \(want[j]), got \(row[base + j])\n  query: \(query)")
            }
          }
        }
        if failures.count > 8 { break }
      }
    }
    if !failures.isEmpty { XCTFail("seed \(seed): \(failures.count) mismatches\n" + failures.prefix(8).joined(separator: "\n")) }
  }
}
