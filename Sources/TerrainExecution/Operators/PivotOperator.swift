// The operator of `pivot`: the aggregate by (k…, NAMES) has already run (an AggregateStep just
// before); this redistributes its rows into one row per group of k and one column per value of
// NAMES and aggregate, by one typed scatter per aggregate. Also the engine's `DataProbe`, which
// reads the values of NAMES while planning.

import TerrainStorage
import TerrainSyntax
import TerrainPlanner

extension PivotStep: PhysicalStep {
  package func run(_ input: Relation, _ executor: Executor) throws -> Relation {
    let cancel = executor.cancel
    let rowCount = input.rowCount
    let aggregates = aggregateNames.count
    // The group of each row (by the `by` columns), and the output's key columns.
    var groups = 1
    var ids: ColumnBuffer<Int32>
    var columns: [ColumnRef] = []
    if byCount > 0 {
      let keyColumns = try (0..<byCount).map { try denseColumn(input.columns[$0], cancel: cancel) }
      let (g, firsts) = try groupRows(keyColumns, rowCount: rowCount, cancel: cancel)
      ids = g
      groups = rowCount == 0 ? 0 : firsts.count
      let at = IndexVector(ColumnBuffer(rowCount == 0 ? [] : firsts))
      columns = try keyColumns.map { ColumnRef(column: try gatherColumn($0, at, cancel: cancel), indices: nil) }
    } else {
      ids = try ColumnBuffer<Int32>(checkedZeroed: rowCount)
    }
    // The value of NAMES of each row, as its position in `values`.
    let names = try denseColumn(input.columns[byCount], cancel: cancel)
    let position = try valuePositions(names)
    // One scatter per aggregate into its `values.count` columns.
    var made = [[Column]](repeating: [], count: values.count)
    for a in 0..<aggregates {
      let source = try denseColumn(input.columns[byCount + 1 + a], cancel: cancel)
      let out = try scatter(source, ids: ids.base, positions: position, values: values.count, groups: groups)
      for v in values.indices { made[v].append(out[v]) }
      try cancel?.check()
    }
    for v in values.indices {
      for c in made[v] { columns.append(ColumnRef(column: c, indices: nil)) }
    }
    return Relation(fields: fields, columns: columns, rowCount: groups, sourceName: input.sourceName)
  }

  /// For each row of `names`, the position of its value in `values` (found by the probe while
  /// planning, from the same rows).
  private func valuePositions(_ names: Column) throws -> [Int32] {
    let n = names.count
    var out: [Int32] = try checkedArray(repeating: -1, count: n)
    let nullAt = values.firstIndex(of: .null).map { Int32($0) } ?? -1
    let valid = names.validity?.base
    switch names.values {
    case .text(let codes, let dict):
      var byCode: [Int32] = try checkedArray(repeating: -1, count: dict.count)
      for (i, v) in values.enumerated() {
        if case .text(let s) = v, let c = dict.code(of: s) { byCode[Int(c)] = Int32(i) }
      }
      for r in 0..<n {
        let c = Int(codes.base[r])
        out[r] = valid.map { $0[r] == 0 } ?? false ? nullAt : (c < byCode.count ? byCode[c] : -1)
      }
    case .int(let b), .date(let b):
      var map: [Int64: Int32] = [:]
      for (i, v) in values.enumerated() {
        switch v {
        case .int(let x), .date(let x): map[x] = Int32(i)
        default: break
        }
      }
      for r in 0..<n { out[r] = valid.map { $0[r] == 0 } ?? false ? nullAt : (map[b.base[r]] ?? -1) }
    case .float(let b):
      func key(_ x: Double) -> UInt64 { x.isNaN ? UInt64.max : (x == 0 ? 0 : x).bitPattern }
      var map: [UInt64: Int32] = [:]
      for (i, v) in values.enumerated() { if case .float(let x) = v { map[key(x)] = Int32(i) } }
      for r in 0..<n { out[r] = valid.map { $0[r] == 0 } ?? false ? nullAt : (map[key(b.base[r])] ?? -1) }
    case .bool(let b):
      var at: [Int32] = [-1, -1]
      for (i, v) in values.enumerated() { if case .bool(let x) = v { at[x ? 1 : 0] = Int32(i) } }
      for r in 0..<n { out[r] = valid.map { $0[r] == 0 } ?? false ? nullAt : at[b.base[r] != 0 ? 1 : 0] }
    }
    if let missing = out.firstIndex(of: -1) {
      // The data changed between planning and running (it cannot within one statement).
      throw Diagnostic(.pivotValueNotPlanned, namesColumn, names.value(at: missing).description)
    }
    return out
  }

  package func explain(_ input: [String]) -> [String] {
    let shown = values.prefix(12).map(pivotColumnName).joined(separator: ", ") + (values.count > 12 ? ", …" : "")
    let by = input.prefix(byCount).joined(separator: ", ")
    return ["Pivot \(namesColumn) into \(values.count) values × \(aggregateNames.count) aggregate\(aggregateNames.count == 1 ? "" : "s")"
      + (by.isEmpty ? " (one row)" : ", one row per \(by)")
      + " [values read while planning by running the pipeline above — the one place planning reads data: \(shown)]"]
  }
}

/// Row `r` of `source` goes to row `ids[r]` of column `positions[r]`; every other cell is null.
/// Throws `AllocationFailure` when the memory cannot hold the `values` columns of `groups` rows.
private func scatter(_ source: Column, ids: UnsafePointer<Int32>, positions: [Int32], values: Int, groups: Int) throws -> [Column] {
  let n = source.count
  let validity = try (0..<values).map { _ in try ColumnBuffer<UInt8>(checkedZeroed: groups) }
  let sv = source.validity?.base
  for r in 0..<n {
    validity[Int(positions[r])].base[Int(ids[r])] = sv?[r] ?? 1
  }
  func spread<T>(_ src: UnsafeMutablePointer<T>) throws -> [ColumnBuffer<T>] {
    let out = try (0..<values).map { _ in try ColumnBuffer<T>(checkedZeroed: groups) }
    let bases = out.map(\.base)
    bases.withUnsafeBufferPointer { b in
      for r in 0..<n { b[Int(positions[r])][Int(ids[r])] = src[r] }
    }
    return out
  }
  switch source.values {
  case .int(let b): return zip(try spread(b.base), validity).map { Column(values: .int($0), validity: $1) }
  case .date(let b): return zip(try spread(b.base), validity).map { Column(values: .date($0), validity: $1) }
  case .float(let b): return zip(try spread(b.base), validity).map { Column(values: .float($0), validity: $1) }
  case .bool(let b): return zip(try spread(b.base), validity).map { Column(values: .bool($0), validity: $1) }
  case .text(let c, let d):
    if d.count == 0 { _ = d.intern("") }
    return zip(try spread(c.base), validity).map { Column(values: .text($0, d), validity: $1) }
  }
}

/// The engine's `DataProbe`: runs the steps planned so far with the executor, then takes the
/// distinct values of the column (grouped as `aggregate … by` groups) in `sort`'s order.
package struct ExecutingProbe: DataProbe {
  package let cancel: CancellationFlag?

  package init(cancel: CancellationFlag?) { self.cancel = cancel }

  package func distinctValues(of column: Int, source: Table, sourceName: String, steps: [PlanStep], limit: Int,
    collation: Collation) throws -> ProbedValues {
    let plan = QueryPlan(source: source, sourceName: sourceName, steps: steps, fieldsAfter: [source.fields])
    let rel = try Executor(cancel: cancel).run(plan)
    let col = try denseColumn(rel.columns[column], cancel: cancel)
    if rel.rowCount == 0 { return ProbedValues(values: [], distinctCount: 0) }
    let (_, firsts) = try groupRows([col], rowCount: rel.rowCount, cancel: cancel)
    if firsts.count > limit { return ProbedValues(values: [], distinctCount: firsts.count) }
    let distinct = try gatherColumn(col, IndexVector(ColumnBuffer(firsts)), cancel: cancel)
    let order = try sortPermutation([(distinct, false)], rowCount: distinct.count, limit: nil, collation: collation, cancel: cancel)
    return ProbedValues(values: order.map { distinct.value(at: Int($0)) }, distinctCount: firsts.count)
  }
}
