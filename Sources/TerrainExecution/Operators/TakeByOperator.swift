// The operators of `take N by k` (one pass counting rows per group) and of `sort … | take N
// by k` (a bounded heap per group, then a sort of the kept rows only).

import TerrainStorage
import TerrainSyntax
import TerrainPlanner

/// A relation column read densely (gathered through its indices when it has some), keeping
/// its dictionary.
package func denseColumn(_ ref: ColumnRef, cancel: CancellationFlag?) throws -> Column {
  guard let idx = ref.indices else { return ref.column }
  return try gatherColumn(ref.column, idx, cancel: cancel)
}

/// Group ids of the rows of `input` by `keys`, and the number of groups.
private func groupIDs(_ input: Relation, _ keys: [BoundExpr], cancel: CancellationFlag?) throws -> (ColumnBuffer<Int32>, Int) {
  let compiler = ExpressionCompiler(relation: input)
  let columns = try keys.map { try compiler.evaluateColumn($0, cancel: cancel) }
  let (ids, firsts) = try groupRows(columns, rowCount: input.rowCount, cancel: cancel)
  return (ids, input.rowCount == 0 ? 0 : firsts.count)
}

/// The rows of `order` (row numbers, in output order) that are among the first `limit` of
/// their group. Throws `AllocationFailure` when the memory cannot hold them.
private func firstPerGroup(_ order: UnsafeBufferPointer<Int32>, ids: UnsafePointer<Int32>, groups: Int, limit: Int) throws
  -> ColumnBuffer<Int32>
{
  var taken: [Int] = try checkedArray(repeating: 0, count: groups)
  let out = try BufferBuilder<Int32>(checkedCapacity: min(order.count, max(16, groups * min(limit, 64))))
  try taken.withUnsafeMutableBufferPointer { t in
    for r in order {
      let g = Int(ids[Int(r)])
      if t[g] < limit {
        t[g] += 1
        try out.append(r)
      }
    }
  }
  return out.finish()
}

extension TakeByStep: PhysicalStep {
  package func run(_ input: Relation, _ executor: Executor) throws -> Relation {
    let n = input.rowCount
    if count == 0 { return input.prefix(0) }
    let (ids, groups) = try groupIDs(input, keys, cancel: executor.cancel)
    let rows = try ColumnBuffer<Int32>(checkedZeroed: n)
    for i in 0..<n { rows.base[i] = Int32(i) }
    let kept = try firstPerGroup(rows.buffer, ids: ids.base, groups: groups, limit: count)
    if kept.count == n { return input }
    return try input.selecting(IndexVector(kept))
  }

  package func explain(_ input: [String]) -> [String] {
    ["TakeBy \(count) per group of " + keys.map { explained($0, input) }.joined(separator: ", ") + "  [one pass, rows in order]"]
  }
}

extension SortTakeByStep: PhysicalStep {
  package func run(_ input: Relation, _ executor: Executor) throws -> Relation {
    let n = input.rowCount
    let cancel = executor.cancel
    if limit == 0 || n == 0 { return input.prefix(0) }
    let compiler = ExpressionCompiler(relation: input)
    let sortColumns = try keys.map { (try compiler.evaluateColumn($0.0, cancel: cancel), $0.descending) }
    let (ids, groups) = try groupIDs(input, groupKeys, cancel: cancel)
    var sizes: [Int] = try checkedArray(repeating: 0, count: groups)
    for r in 0..<n { sizes[Int(ids.base[r])] += 1 }
    var kept = 0
    var bigGroups = 0
    for s in sizes {
      kept += min(s, limit)
      if s > limit { bigGroups += 1 }
    }
    // Few rows kept: select each large group's top with a bounded heap, then sort those rows.
    // Otherwise a full sort, then the first `limit` of each group in one pass.
    if kept.multipliedReportingOverflow(by: 4).partialValue < n, bigGroups.multipliedReportingOverflow(by: limit).partialValue < n {
      let candidates = try heapCandidates(sortColumns, ids: ids.base, sizes: sizes, rowCount: n, cancel: cancel)
      let sub = try Relation(table: Table(names: sortColumns.indices.map { "k\($0)" }, columns: sortColumns.map(\.0)), name: "")
        .selecting(IndexVector(candidates))
      let subColumns = try sub.columns.map { try denseColumn($0, cancel: cancel) }
      let perm = try sortPermutation(zip(subColumns, sortColumns.map(\.1)).map { ($0, $1) }, rowCount: candidates.count,
        limit: nil, collation: collation, cancel: cancel)
      let out = try ColumnBuffer<Int32>(checkedZeroed: perm.count)
      for (i, p) in perm.enumerated() { out.base[i] = candidates.base[Int(p)] }
      return try input.selecting(IndexVector(out))
    }
    let perm = try sortPermutation(sortColumns, rowCount: n, limit: nil, collation: collation, cancel: cancel)
    let kept2 = try perm.withUnsafeBufferPointer { try firstPerGroup($0, ids: ids.base, groups: groups, limit: limit) }
    return try input.selecting(IndexVector(kept2))
  }

  /// The rows among the first `limit` of their group in the sort's order, in row order: every
  /// row of a group of at most `limit` rows, and for each larger group a bounded max-heap.
  private func heapCandidates(_ columns: [(Column, Bool)], ids: UnsafePointer<Int32>, sizes: [Int], rowCount n: Int,
    cancel: CancellationFlag?) throws -> ColumnBuffer<Int32> {
    let encoded = try columns.map { try encodeKey($0.0, descending: $0.1, collation: collation) }
    // a before b in the sort's order (nulls last, ties by row).
    func less(_ a: Int32, _ b: Int32) -> Bool {
      let i = Int(a)
      let j = Int(b)
      for k in encoded {
        let ni = k.valid.map { $0[i] == 0 } ?? false
        let nj = k.valid.map { $0[j] == 0 } ?? false
        if ni != nj { return nj }
        if ni { continue }
        let x = k.words[i]
        let y = k.words[j]
        if x != y { return x < y }
      }
      return a < b
    }
    // Heap storage: `limit` slots for each group larger than `limit`.
    var offset: [Int] = try checkedArray(repeating: -1, count: sizes.count)
    var slots = 0
    for (g, s) in sizes.enumerated() where s > limit {
      offset[g] = slots
      slots += limit
    }
    var heap: [Int32] = try checkedArray(repeating: 0, count: slots)
    var filled: [Int] = try checkedArray(repeating: 0, count: sizes.count)
    var keep: [UInt8] = try checkedArray(repeating: 0, count: n)
    for r in 0..<n {
      let g = Int(ids[r])
      let base = offset[g]
      if base < 0 {
        keep[r] = 1
        continue
      }
      let row = Int32(r)
      let c = filled[g]
      if c < limit {
        // sift up
        var i = c
        heap[base + i] = row
        while i > 0 {
          let p = (i - 1) / 2
          if less(heap[base + p], heap[base + i]) {
            heap.swapAt(base + p, base + i)
            i = p
          } else { break }
        }
        filled[g] = c + 1
      } else if less(row, heap[base]) {
        heap[base] = row
        var i = 0
        while true {
          let l = 2 * i + 1
          let rr = l + 1
          var m = i
          if l < limit && less(heap[base + m], heap[base + l]) { m = l }
          if rr < limit && less(heap[base + m], heap[base + rr]) { m = rr }
          if m == i { break }
          heap.swapAt(base + i, base + m)
          i = m
        }
      }
      if r & 0xFFFF == 0 { try cancel?.check() }
    }
    for r in heap { keep[Int(r)] = 1 }
    let out = try BufferBuilder<Int32>(checkedCapacity: slots + 16)
    for r in 0..<n where keep[r] != 0 { try out.append(Int32(r)) }
    return out.finish()
  }

  package func explain(_ input: [String]) -> [String] {
    let k = keys.map { "\(explained($0.0, input))\($0.descending ? " desc" : "")" }.joined(separator: ", ")
    let g = groupKeys.map { explained($0, input) }.joined(separator: ", ")
    return ["TopN \(limit) per group of \(g) by \(k)  [a bounded heap per group, then a sort of the kept rows; a full sort when most rows are kept]"]
  }
}
