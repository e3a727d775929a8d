// The operator of a windowed `derive`: partitions the rows by the `by` keys with the hash
// tables of aggregation (`groupRows`), computes each aggregate per partition with its
// accumulator (repeated on the partition's rows through an index vector, nothing copied),
// orders each partition by the window's keys encoded as `sort` encodes them (nulls last, text in
// the session's order), and runs each window function as a typed loop over each partition, the
// partitions split over the workers. Rows stay in input order.

import TerrainStorage
import TerrainSyntax
import TerrainPlanner

/// The rows of a window, partition after partition, each partition's rows in the window's
/// order (ties in input order).
package struct WindowOrder {
  /// Row indices into the input, partition after partition.
  package let rows: UnsafePointer<Int32>
  /// Partition `p` is `rows[starts[p]..<starts[p + 1]]`.
  package let starts: UnsafePointer<Int>
  package let partitionCount: Int
  /// Per position of `rows`: 1 where the row's order keys differ from the previous position's in
  /// its partition (1 at each partition's start); nil unless a function asked for it.
  package let peerStarts: UnsafePointer<UInt8>?

  /// The positions of partition `p` in `rows`.
  @inline(__always) package func positions(_ p: Int) -> Range<Int> { starts[p]..<starts[p + 1] }
}

/// One window function's computation: its output over every input row, filled partition by
/// partition. `compute` is called concurrently on disjoint partition ranges, so it writes only
/// the rows of those partitions.
package protocol WindowKernel: AnyObject {
  func compute(_ partitions: Range<Int>, _ order: WindowOrder) throws
  func finish() throws -> Column
}

/// What execution needs of a window function: its kernel over the argument columns (dense,
/// evaluated on the input rows). Adopted by the definitions in TerrainFunctions/Window.
package protocol WindowKernelBuilder {
  func makeWindowKernel(_ spec: WindowSpec, arguments: [Column], rowCount: Int) throws -> WindowKernel
}

package func makeWindowKernel(_ spec: WindowSpec, arguments: [Column], rowCount: Int) throws -> WindowKernel {
  guard let builder = spec.function.definition as? WindowKernelBuilder else {
    throw Diagnostic("window function `\(spec.function.rawValue)` has no kernel", at: spec.span)
  }
  return try builder.makeWindowKernel(spec, arguments: arguments, rowCount: rowCount)
}

/// The output of a window kernel: one value and validity byte per input row, written by row.
package final class WindowOutput<T> {
  package let values: UnsafeMutablePointer<T>
  package let validity: UnsafeMutablePointer<UInt8>
  package let count: Int
  private var handedOver = false

  package init(count: Int, zero: T) {
    self.count = count
    values = allocateBytes(count * MemoryLayout<T>.stride).bindMemory(to: T.self, capacity: max(1, count))
    values.initialize(repeating: zero, count: count)
    validity = allocateBytes(count).bindMemory(to: UInt8.self, capacity: max(1, count))
    validity.initialize(repeating: 1, count: count)
  }

  deinit {
    if !handedOver {
      values.deallocate()
      validity.deallocate()
    }
  }

  /// Stores `v` (present) at `row`.
  @inline(__always) package func set(_ row: Int32, _ v: T) { values[Int(row)] = v }
  /// Makes `row` null (its value stays the zero it was initialised with).
  @inline(__always) package func setNull(_ row: Int32) { validity[Int(row)] = 0 }

  /// The column (the memory is handed over, no copy); `wrap` picks the column's type.
  package func finish(_ wrap: (ColumnBuffer<T>) -> ColumnValues) -> Column {
    handedOver = true
    var anyNull = false
    for i in 0..<count where validity[i] == 0 {
      anyNull = true
      break
    }
    let valid: ColumnBuffer<UInt8>?
    if anyNull {
      valid = ColumnBuffer(adopting: validity, count: count)
    } else {
      validity.deallocate()
      valid = nil
    }
    return Column(values: wrap(ColumnBuffer(adopting: values, count: count)), validity: valid)
  }
}

extension WindowStep: PhysicalStep {
  package func run(_ input: Relation, _ executor: Executor) throws -> Relation {
    let n = input.rowCount
    let cancel = executor.cancel
    let compiler = ExpressionCompiler(relation: input)
    // Partitions: a group id per row, in first-appearance order.
    let ids: ColumnBuffer<Int32>
    let partitionCount: Int
    if partition.isEmpty {
      ids = ColumnBuffer(zeroed: n)
      partitionCount = n > 0 ? 1 : 0
    } else {
      let keys = try partition.map { try compiler.evaluateColumn($0, cancel: cancel) }
      let grouped = try groupRows(keys, rowCount: n, cancel: cancel)
      ids = grouped.ids
      partitionCount = grouped.firstRows.count
    }
    var fields = input.fields
    var columns = input.columns
    // Aggregates: one value per partition, read by each row through its partition id.
    let byPartition = IndexVector(ids)
    let ranges = workerRanges(n)
    for (i, spec) in aggregates.enumerated() {
      let acc = try accumulate(spec, groups: partitionCount, relation: input, ranges: ranges, cancel: cancel) { start, _ in
        UnsafePointer(ids.base + start)
      }
      fields.append(Field(name: "a\(i)", type: spec.resultType))
      columns.append(ColumnRef(column: try acc.finish(), indices: byPartition))
    }
    if !functions.isEmpty {
      let keys = try order.map { encodeKey(try compiler.evaluateColumn($0.0, cancel: cancel), descending: $0.descending) }
      let needPeers = functions.contains { $0.function.definition.needsPeers }
      let ordered = try windowOrder(ids, partitionCount: partitionCount, rowCount: n, keys: keys, peers: needPeers, cancel: cancel)
      let kernels = try functions.map { spec in
        try makeWindowKernel(spec, arguments: try spec.args.map { try compiler.evaluateColumn($0, cancel: cancel) }, rowCount: n)
      }
      try ordered.withOrder { order in
        _ = try runRanges(partitionRanges(order, rowCount: n)) { _, range -> Int in
          for k in kernels { try k.compute(range, order) }
          try cancel?.check()
          return 0
        }
      }
      for (i, (spec, k)) in zip(functions, kernels).enumerated() {
        fields.append(Field(name: "w\(i)", type: spec.resultType))
        columns.append(ColumnRef(column: try k.finish(), indices: nil))
      }
    }
    return Relation(fields: fields, columns: columns, rowCount: n, sourceName: input.sourceName)
  }

  package func explain(_ input: [String]) -> [String] {
    var head = "Window"
    if !partition.isEmpty { head += " by " + partition.map { explained($0, input) }.joined(separator: ", ") }
    if !order.isEmpty {
      head += " order " + order.map { "\(explained($0.0, input))\($0.descending ? " desc" : "")" }.joined(separator: ", ")
    }
    let aggs = aggregates.enumerated().map { i, s in
      "a\(i) = \(s.function.rawValue)(\(s.argument.map { explained($0, input) } ?? ""))"
    }
    let funcs = functions.enumerated().map { i, s in
      var args = s.args.map { explained($0, input) }
      // Constant parameters go where they were written: `lag(x, 2, default)`, `ntile(4)`.
      let params = s.parameters.map(String.init)
      if args.isEmpty { args = params } else { args.insert(contentsOf: params, at: 1) }
      return "w\(i) = \(s.function.rawValue)(\(args.joined(separator: ", ")))"
    }
    return [head + ": " + (aggs + funcs).joined(separator: ", ")]
  }
}

/// Partition ranges of about equal numbers of rows, one per worker (one range when small).
private func partitionRanges(_ order: WindowOrder, rowCount: Int) -> [Range<Int>] {
  let p = order.partitionCount
  guard p > 1, workerCount > 1, rowCount >= parallelThreshold else { return [0..<p] }
  let per = (rowCount + workerCount - 1) / workerCount
  var out: [Range<Int>] = []
  var first = 0
  for k in 0..<p where order.starts[k + 1] - order.starts[first] >= per {
    out.append(first..<(k + 1))
    first = k + 1
  }
  if first < p { out.append(first..<p) }
  return out
}

/// The storage behind a `WindowOrder`.
private struct OrderedRows {
  var rows: ColumnBuffer<Int32>
  var starts: [Int]
  var peers: ColumnBuffer<UInt8>?

  func withOrder<R>(_ body: (WindowOrder) throws -> R) rethrows -> R {
    try starts.withUnsafeBufferPointer { s in
      guard let sb = s.baseAddress else { throw CancelledError() }
      return try body(WindowOrder(rows: UnsafePointer(rows.base), starts: sb, partitionCount: starts.count - 1,
        peerStarts: peers.map { UnsafePointer($0.base) }))
    }
  }
}

/// Rows grouped by partition (a stable counting sort on the ids), then each partition sorted
/// on the encoded keys (ties by row, so stable), partitions split over the workers.
private func windowOrder(_ ids: ColumnBuffer<Int32>, partitionCount: Int, rowCount n: Int, keys: [EncodedKey], peers: Bool,
  cancel: CancellationFlag?) throws -> OrderedRows {
  var starts = [Int](repeating: 0, count: partitionCount + 1)
  let rows = ColumnBuffer<Int32>(zeroed: n)
  let id = ids.base
  starts.withUnsafeMutableBufferPointer { st in
    for r in 0..<n { st[Int(id[r]) + 1] += 1 }
    if partitionCount > 0 { for k in 0..<partitionCount { st[k + 1] += st[k] } }
    var next = Array(st.dropLast())
    next.withUnsafeMutableBufferPointer { nx in
      for r in 0..<n {
        let k = Int(id[r])
        rows.base[nx[k]] = Int32(truncatingIfNeeded: r)
        nx[k] += 1
      }
    }
  }
  try cancel?.check()
  var out = OrderedRows(rows: rows, starts: starts, peers: nil)
  guard !keys.isEmpty else { return out }
  let peerFlags = peers ? ColumnBuffer<UInt8>(zeroed: n) : nil
  try out.withOrder { order in
    _ = try runRanges(partitionRanges(order, rowCount: n)) { _, range -> Int in
      let sorter = PartitionSorter(keys)
      for p in range {
        let pos = order.positions(p)
        sorter.sort(rows.base + pos.lowerBound, pos.count)
        if let peerFlags { sorter.markPeers(rows.base + pos.lowerBound, pos.count, peerFlags.base + pos.lowerBound) }
      }
      try cancel?.check()
      return 0
    }
  }
  out.peers = peerFlags
  return out
}

/// Sorts the rows of one partition on encoded keys: nulls last for each key, then the key's
/// word, then the row (input order for ties).
private final class PartitionSorter {
  let keys: [EncodedKey]
  private var pairs: [(UInt64, Int32)] = []
  private var nulls: [Int32] = []

  init(_ keys: [EncodedKey]) { self.keys = keys }

  func sort(_ rows: UnsafeMutablePointer<Int32>, _ m: Int) {
    guard m > 1 else { return }
    if keys.count == 1 { return sortOneKey(rows, m, keys[0]) }
    var buffer = UnsafeMutableBufferPointer(start: rows, count: m)
    let ks = keys
    buffer.sort { a, b in
      let i = Int(a)
      let j = Int(b)
      for k in ks {
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
  }

  private func sortOneKey(_ rows: UnsafeMutablePointer<Int32>, _ m: Int, _ key: EncodedKey) {
    pairs.removeAll(keepingCapacity: true)
    nulls.removeAll(keepingCapacity: true)
    key.words.withUnsafeBufferPointer { w in
      if let valid = key.valid {
        for j in 0..<m {
          let r = rows[j]
          if valid[Int(r)] == 0 { nulls.append(r) } else { pairs.append((w[Int(r)], r)) }
        }
      } else {
        for j in 0..<m {
          let r = rows[j]
          pairs.append((w[Int(r)], r))
        }
      }
    }
    pairs.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
    for (j, p) in pairs.enumerated() { rows[j] = p.1 }
    for (j, r) in nulls.enumerated() { rows[pairs.count + j] = r }
  }

  /// Flags the positions whose keys differ from the previous position's (the first is 1).
  func markPeers(_ rows: UnsafePointer<Int32>, _ m: Int, _ out: UnsafeMutablePointer<UInt8>) {
    guard m > 0 else { return }
    out[0] = 1
    guard m > 1 else { return }
    for j in 1..<m {
      let a = Int(rows[j - 1])
      let b = Int(rows[j])
      var differs = false
      for k in keys {
        let na = k.valid.map { $0[a] == 0 } ?? false
        let nb = k.valid.map { $0[b] == 0 } ?? false
        if na != nb || (!na && k.words[a] != k.words[b]) {
          differs = true
          break
        }
      }
      out[j] = differs ? 1 : 0
    }
  }
}
