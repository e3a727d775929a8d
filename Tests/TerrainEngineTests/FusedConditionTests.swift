// `and` chains of comparisons between a column and a constant run as one fused loop per chunk
// (MaskKernels.swift, `RangeLeaf`): every operator turned into a closed range of values. Checked
// against the reference interpreter on the property tests' tables, extremes included (Int64's
// ends, NaN, infinities, ±0.0 in the data; constants at Int64's ends, ±0.0, tiny and huge
// floats), in `where` (selection) and `where` + `aggregate` (mask), alone, mixed with other
// conditions, and under an `or`.

import Foundation
import XCTest

import TerrainEngine
import TerrainStorage

final class FusedConditionTests: XCTestCase {
  func testAndOfColumnComparisonsMatchesReference() throws {
    let seed = PropertyTests.seed &+ 16
    var rng = SplitMix64(seed: seed)
    let (data, table) = PropertyTests.makeTable(rows: 3000, extremes: true, rng: &rng)
    let session = Session.shell()
    session.catalog.set("w", table, origin: .query)
    func pick<T>(_ xs: [T]) -> T { xs[Int(rng.next() % UInt64(xs.count))] }
    let ints: [Int64] = [0, 1, -1, 7, -30, 30, 31, -31, Int64.max, Int64.max - 1, Int64.min + 1, 3_037_000_500]
    let floats: [Double] = [0, -0.0, 0.5, -2.5, 1e308, -1e308, Double.leastNonzeroMagnitude, 42.125, -9.223372036854775808e18]
    let ops = ["==", "!=", "<", "<=", ">", ">="]
    let numeric = PropertyTests.columns.enumerated().filter { $0.element.type == .int || $0.element.type == .float }
    func leaf() -> RExpr {
      let (index, column) = pick(numeric)
      let value: Value = column.type == .int ? .int(pick(ints)) : .float(pick(floats))
      let sides = (RExpr.column(column.name, index, column.type), RExpr.literal(value, column.type))
      // Now and then the constant on the left.
      return rng.next() % 5 == 0 ? .compare(pick(ops), sides.1, sides.0) : .compare(pick(ops), sides.0, sides.1)
    }
    let other: [RExpr] = [
      .compare("==", .column("s", 5, .text), .literal(.text("a"), .text)),
      .column("p", 7, .bool),
      .compare(">", .arith("+", .column("a", 1, .int), .column("b", 2, .int), .int), .literal(.int(3), .int)),
    ]
    var failures: [String] = []
    for k in 0..<300 {
      var terms = (0..<(2 + Int(rng.next() % 5))).map { _ in leaf() }
      if k % 4 == 1 { terms.insert(pick(other), at: Int(rng.next() % UInt64(terms.count + 1))) }
      var p = terms.dropFirst().reduce(terms[0]) { RExpr.and($0, $1) }
      if k % 4 == 3 { p = .or(p, leaf()) }
      if k % 5 == 4 { p = .and(leaf(), .and(p, leaf())) }
      let ids = Result { try data.filter { try Reference.eval(p, $0) == .bool(true) }.map { $0[0] } }
      if let f = PropertyTests.check(session, "from w | where \(p.source) | select id", expected: ids, type: .int) {
        failures.append(f)
      }
      let count = ids.map { [Value.int(Int64($0.count))] }
      if let f = PropertyTests.check(session, "from w | where \(p.source) | aggregate n = count()", expected: count, type: .int) {
        failures.append(f)
      }
      if failures.count >= 8 { break }
    }
    if !failures.isEmpty {
      XCTFail("seed \(seed): \(failures.count) mismatches\n\n" + failures.joined(separator: "\n\n"))
    }
  }
}
