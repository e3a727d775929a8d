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
    throw Diagnostic(.windowNoKernel, spec.function.rawValue, at: spec.span)
  }
  return try builder.makeWindowKernel(spec, arguments: arguments, rowCount: rowCount)
}

/// The output of a window kernel: one value and validity byte per input row, written by row.
package final class WindowOutput<T> {
  package let values: UnsafeMutablePointer<T>
  package let validity: UnsafeMutablePointer<UInt8>
  package let count: Int
  private var handedOver = false

  /// Throws `AllocationFailure` when the memory cannot hold `count` values and flags.
  package init(count: Int, zero: T) throws {
    self.count = count
    let raw = try allocateCheckedBytes(try byteCount(count, of: T.self))
    do {
      validity = try allocateCheckedBytes(count).bindMemory(to: UInt8.self, capacity: max(1, count))
    } catch {
      raw.deallocate()
      throw error
    }
    values = raw.bindMemory(to: T.self, capacity: max(1, count))
    values.initialize(repeating: zero, count: count)
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
      ids = try ColumnBuffer(checkedZeroed: n)
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
      let keys = try order.map { try encodeKey(try compiler.evaluateColumn($0.0, cancel: cancel), descending: $0.descending, collation: collation) }
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
  var starts: [Int] = try checkedArray(repeating: 0, count: partitionCount + 1)
  let rows = try ColumnBuffer<Int32>(checkedZeroed: n)
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
  let peerFlags = peers ? try ColumnBuffer<UInt8>(checkedZeroed: n) : nil
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
/// word, then the row (input order for ties). Least significant key first, each pass a stable
/// radix sort of the present words (8-bit digits, digits that are the same for every row
/// skipped) with the nulls after them in their current order; short partitions use an
/// insertion sort. One sorter per worker, its scratch reused from partition to partition.
private final class PartitionSorter {
  let keys: [EncodedKey]
  private var capacity = 0
  private var words = UnsafeMutablePointer<UInt64>.allocate(capacity: 1)
  private var words2 = UnsafeMutablePointer<UInt64>.allocate(capacity: 1)
  private var rows2 = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
  private var nulls = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
  private let counts = UnsafeMutablePointer<Int>.allocate(capacity: 8 * 256)

  init(_ keys: [EncodedKey]) { self.keys = keys }

  deinit {
    words.deallocate()
    words2.deallocate()
    rows2.deallocate()
    nulls.deallocate()
    counts.deallocate()
  }

  private func reserve(_ m: Int) {
    guard m > capacity else { return }
    words.deallocate()
    words2.deallocate()
    rows2.deallocate()
    nulls.deallocate()
    capacity = max(m, 2 * capacity)
    words = .allocate(capacity: capacity)
    words2 = .allocate(capacity: capacity)
    rows2 = .allocate(capacity: capacity)
    nulls = .allocate(capacity: capacity)
  }

  func sort(_ rows: UnsafeMutablePointer<Int32>, _ m: Int) {
    guard m > 1 else { return }
    reserve(m)
    for key in keys.reversed() {
      key.words.withUnsafeBufferPointer { w in
        guard let w = w.baseAddress else { return }
        // The present rows' words, in the current order; the null rows apart.
        var present = 0
        var absent = 0
        if let valid = key.valid {
          for j in 0..<m {
            let r = rows[j]
            if valid[Int(r)] == 0 {
              nulls[absent] = r
              absent += 1
            } else {
              words[present] = w[Int(r)]
              rows[present] = r
              present += 1
            }
          }
        } else {
          for j in 0..<m { words[j] = w[Int(rows[j])] }
          present = m
        }
        sortPairs(words, rows, present)
        for j in 0..<absent { rows[present + j] = nulls[j] }
      }
    }
  }

  /// Stable sort of `rows[0..<m]` by `keys[0..<m]` (both reordered).
  private func sortPairs(_ keys: UnsafeMutablePointer<UInt64>, _ rows: UnsafeMutablePointer<Int32>, _ m: Int) {
    if m < 48 {
      if m < 2 { return }
      for a in 1..<m {
        let k = keys[a]
        let r = rows[a]
        var b = a
        while b > 0 && keys[b - 1] > k {
          keys[b] = keys[b - 1]
          rows[b] = rows[b - 1]
          b -= 1
        }
        keys[b] = k
        rows[b] = r
      }
      return
    }
    counts.initialize(repeating: 0, count: 8 * 256)
    for i in 0..<m {
      let k = keys[i]
      for d in 0..<8 { counts[d * 256 + Int((k >> UInt64(d * 8)) & 0xFF)] += 1 }
    }
    var srcK = keys
    var srcR = rows
    var dstK = words2
    var dstR = rows2
    for d in 0..<8 {
      let c = counts + d * 256
      // A digit every key shares orders nothing.
      if c[Int((srcK[0] >> UInt64(d * 8)) & 0xFF)] == m { continue }
      var total = 0
      for b in 0..<256 {
        let n = c[b]
        c[b] = total
        total += n
      }
      let shift = UInt64(d * 8)
      for i in 0..<m {
        let k = srcK[i]
        let b = Int((k >> shift) & 0xFF)
        let at = c[b]
        dstK[at] = k
        dstR[at] = srcR[i]
        c[b] = at + 1
      }
      swap(&srcK, &dstK)
      swap(&srcR, &dstR)
    }
    if srcR != rows {
      rows.update(from: srcR, count: m)
      keys.update(from: srcK, count: m)
    }
  }

  /// Flags the positions whose keys differ from the previous position's (the first is 1).
  func markPeers(_ rows: UnsafePointer<Int32>, _ m: Int, _ out: UnsafeMutablePointer<UInt8>) {
    guard m > 0 else { return }
    out[0] = 1
    guard m > 1 else { return }
    for j in 1..<m { out[j] = 0 }
    for key in keys {
      key.words.withUnsafeBufferPointer { w in
        guard let w = w.baseAddress else { return }
        if let valid = key.valid {
          for j in 1..<m {
            let a = Int(rows[j - 1])
            let b = Int(rows[j])
            let na = valid[a] == 0
            let nb = valid[b] == 0
            if na != nb || (!na && w[a] != w[b]) { out[j] = 1 }
          }
        } else {
          for j in 1..<m where w[Int(rows[j - 1])] != w[Int(rows[j])] { out[j] = 1 }
        }
      }
    }
  }
}
