// Hash aggregation: group ids per row, then one typed accumulator per aggregate.

import Foundation
import TerrainStorage
import TerrainSyntax
import TerrainPlanner
import CVectorKernels

/// Computes `keys` and `specs` per group of `relation`; the result has the key columns first
/// (in `by` order), then one column per spec. Without keys there is exactly one row.
package func aggregate(_ relation: Relation, keys: [BoundExpr], keyNames: [String], specs: [AggregateSpec],
  cancel: CancellationFlag?) throws -> Relation {
  let compiler = ExpressionCompiler(relation: relation)
  if keys.isEmpty { return try aggregateAll(relation, compiler: compiler, specs: specs, cancel: cancel) }
  let keyColumns = try keys.map { try compiler.evaluateColumn($0, cancel: cancel) }
  let (ids, firstRows) = try groupRows(keyColumns, rowCount: relation.rowCount, cancel: cancel)
  let groups = keys.isEmpty ? 1 : firstRows.count
  var fields: [Field] = []
  var columns: [ColumnRef] = []
  let firsts = IndexVector(ColumnBuffer(firstRows))
  for (k, col) in keyColumns.enumerated() {
    fields.append(Field(name: keyNames[k], type: col.type))
    columns.append(ColumnRef(column: try gatherColumn(col, firsts, cancel: cancel), indices: nil))
  }
  let ranges = workerRanges(relation.rowCount)
  for (i, spec) in specs.enumerated() {
    let acc = try accumulate(spec, groups: groups, relation: relation, ranges: ranges, cancel: cancel) { start, _ in UnsafePointer(ids.base + start) }
    fields.append(Field(name: "agg\(i)", type: spec.resultType))
    columns.append(ColumnRef(column: try acc.finish(), indices: nil))
  }
  return Relation(fields: fields, columns: columns, rowCount: groups, sourceName: relation.sourceName)
}

/// Runs one aggregate over the relation, split over workers when its state can be merged;
/// `groupIDs(start, count)` gives the group of each row of a chunk.
package func accumulate(_ spec: AggregateSpec, groups: Int, relation: Relation, ranges: [Range<Int>],
  cancel: CancellationFlag?, groupIDs: @escaping (Int, Int) -> UnsafePointer<Int32>) throws -> Accumulator {
  let parallel = try ranges.count > 1 && makeAccumulator(spec, groups: 0).isMergeable
  let parts = try runRanges(parallel ? ranges : [0..<relation.rowCount]) { _, range -> Accumulator in
    let acc = try makeAccumulator(spec, groups: groups)
    if let arg = spec.argument {
      let compiler = ExpressionCompiler(relation: relation)
      try compiler.forEachChunk(arg, in: range, cancel: cancel) { start, n, v in
        try acc.add(v, count: n, groups: groupIDs(start, n))
      }
    } else {
      try forEachChunkRange(range, cancel: cancel) { start, n in acc.addRows(count: n, groups: groupIDs(start, n)) }
    }
    return acc
  }
  guard let first = parts.first else { return try makeAccumulator(spec, groups: groups) }
  for other in parts.dropFirst() { try first.merge(other) }
  return first
}

/// `aggregate` without `by`: one group, so no group ids are computed (every chunk points at a
/// chunk of zeros).
private func aggregateAll(_ relation: Relation, compiler: ExpressionCompiler, specs: [AggregateSpec],
  cancel: CancellationFlag?) throws -> Relation {
  var fields: [Field] = []
  var columns: [ColumnRef] = []
  let ranges = workerRanges(relation.rowCount)
  for (i, spec) in specs.enumerated() {
    let acc = try accumulate(spec, groups: 1, relation: relation, ranges: ranges, cancel: cancel) { _, _ in
      UnsafePointer(groupZero)
    }
    fields.append(Field(name: "agg\(i)", type: spec.resultType))
    columns.append(ColumnRef(column: try acc.finish(), indices: nil))
  }
  return Relation(fields: fields, columns: columns, rowCount: 1, sourceName: relation.sourceName)
}

/// `aggregate` without `by` over the rows where `predicate` is true, in one pass: each chunk's
/// condition becomes a mask that is and-ed into the validity of the aggregates' arguments.
package func aggregateWhere(_ relation: Relation, predicate: BoundExpr, specs: [AggregateSpec], cancel: CancellationFlag?) throws -> Relation {
  do {
    return try maskedAggregate(relation, predicate: predicate, specs: specs, cancel: cancel)
  } catch is Diagnostic {
    // The arguments ran on every row, so a float overflow may come from a row the condition
    // removes: redo it on the kept rows only, which raise the error again if it is theirs.
    let kept = try filterRows(relation, predicate, cancel: cancel)
    return try aggregateAll(kept, compiler: ExpressionCompiler(relation: kept), specs: specs, cancel: cancel)
  }
}

private func maskedAggregate(_ relation: Relation, predicate: BoundExpr, specs: [AggregateSpec], cancel: CancellationFlag?) throws -> Relation {
  if let counted = try countedWhere(relation, predicate: predicate, specs: specs, cancel: cancel) { return counted }
  let ranges = try specs.allSatisfy({ try makeAccumulator($0, groups: 0).isMergeable }) ? workerRanges(relation.rowCount) : [0..<relation.rowCount]
  let parts = try runRanges(ranges) { _, range -> [Accumulator] in
    let compiler = ExpressionCompiler(relation: relation)
    let condition = try compiler.compileMask(predicate)
    let arguments = try specs.map { try $0.argument.map { try compiler.compile($0) } }
    let accumulators = try specs.map { try makeAccumulator($0, groups: 1) }
    let mask = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
    let combined = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
    defer {
      mask.deallocate()
      combined.deallocate()
    }
    try forEachChunkRange(range, cancel: cancel) { start, n in
      try condition(start, n, mask, .assign)
      for (k, acc) in accumulators.enumerated() {
        guard let argument = arguments[k] else {
          // count(): the rows of the mask.
          try acc.add(Vec(data: UnsafeRawPointer(mask), validity: UnsafePointer(mask), dictionary: nil), count: n, groups: groupZero)
          continue
        }
        var v = try argument(start, n)
        if let valid = v.validity { zipLoop(n, valid, mask, combined) { $0 & $1 } } else { combined.update(from: mask, count: n) }
        v.validity = UnsafePointer(combined)
        try acc.add(v, count: n, groups: groupZero)
      }
    }
    return accumulators
  }
  var fields: [Field] = []
  var columns: [ColumnRef] = []
  for (i, spec) in specs.enumerated() {
    guard let first = parts.first?[i] else { continue }
    for other in parts.dropFirst() { try first.merge(other[i]) }
    fields.append(Field(name: "agg\(i)", type: spec.resultType))
    columns.append(ColumnRef(column: try first.finish(), indices: nil))
  }
  return Relation(fields: fields, columns: columns, rowCount: 1, sourceName: relation.sourceName)
}

/// `where C | aggregate n = count(), …` with only `count()`s, when `C` has a fused counter
/// (`compileCount`): the rows are counted in the condition's own loop, no mask written; nil
/// when it does not apply.
private func countedWhere(_ relation: Relation, predicate: BoundExpr, specs: [AggregateSpec], cancel: CancellationFlag?) throws -> Relation? {
  guard countsOnly(specs), try ExpressionCompiler(relation: relation).compileCount(predicate) != nil else { return nil }
  let parts = try runRanges(workerRanges(relation.rowCount)) { _, range -> Int64 in
    try countRows(relation, predicate: predicate, in: range, cancel: cancel)
  }
  return countsRelation(parts.reduce(0, &+), specs: specs, sourceName: relation.sourceName)
}

/// Whether `specs` are `count()`s only.
private func countsOnly(_ specs: [AggregateSpec]) -> Bool {
  !specs.isEmpty && specs.allSatisfy { $0.argument == nil && $0.resultType == .int }
}

/// The rows of `range` where `predicate` is true, by its fused counter (`compileCount`), on
/// this thread.
private func countRows(_ relation: Relation, predicate: BoundExpr, in range: Range<Int>, cancel: CancellationFlag?) throws -> Int64 {
  guard let counter = try ExpressionCompiler(relation: relation).compileCount(predicate) else {
    throw Diagnostic(.noOperator, "count without a fused counter")
  }
  var total: Int64 = 0
  try forEachChunkRange(range, cancel: cancel) { start, n in total &+= Int64(try counter(start, n)) }
  return total
}

/// The one-row result of `aggregate` with the `count()`s `specs`, each `n`.
private func countsRelation(_ n: Int64, specs: [AggregateSpec], sourceName: String) -> Relation {
  let fields = specs.indices.map { Field(name: "agg\($0)", type: .int) }
  let columns = specs.map { _ in ColumnRef(column: Column(values: .int(ColumnBuffer([n])), validity: nil), indices: nil) }
  return Relation(fields: fields, columns: columns, rowCount: 1, sourceName: sourceName)
}

/// Whether `steps` start with `where C | aggregate …` of `count()`s only, `C` having a fused
/// counter over `relation`'s columns (`compileCount`): such a plan reads its source's rows
/// once and keeps none of them, so it can run over a source read batch by batch
/// (`QueryPlan.batches`, `countInBatches`).
package func countsRowsOnly(_ steps: [PlanStep], over relation: Relation) -> Bool {
  guard steps.count >= 2, fusesAsMaskedAggregate(steps[0], steps[1]), let filter = steps[0] as? FilterStep,
    let aggregate = steps[1] as? AggregateStep, countsOnly(aggregate.specs)
  else { return false }
  return (try? ExpressionCompiler(relation: relation).compileCount(filter.predicate)) != nil
}

/// The result of `aggregate` (its `count()`s) after `where predicate` over a source read batch
/// by batch: each batch counted on the thread that read it.
package func countInBatches(_ batches: BatchedSource, predicate: BoundExpr, specs: [AggregateSpec], sourceName: String,
  cancel: CancellationFlag?) throws -> Relation {
  let total = LockedCount()
  try batches { table in
    let relation = Relation(table: table, name: sourceName)
    total.add(try countRows(relation, predicate: predicate, in: 0..<relation.rowCount, cancel: cancel))
  }
  return countsRelation(total.value, specs: specs, sourceName: sourceName)
}

/// A count added to from several threads.
private final class LockedCount: @unchecked Sendable {
  private let lock = SimpleLock()
  private var n: Int64 = 0

  func add(_ k: Int64) { lock.withLock { n &+= k } }

  var value: Int64 { lock.withLock { n } }
}

/// The sum of the present values of a chunk and their count, with eight independent partial
/// sums so that the additions overlap (four two-lane vectors: with two, each iteration waited
/// on the latency of the previous iteration's additions).
///
/// Branch-free: an absent value is replaced by +0.0 by and-ing its bits with a mask made from
/// the validity byte (a branch per row mispredicts on a mask such as a filter's, and a
/// multiplication by 0 would turn an infinite value in a masked row into NaN).
@inline(__always)
package func maskedSum<T>(_ a: UnsafePointer<T>, _ valid: UnsafePointer<UInt8>, _ n: Int, _ f: (T) -> Double) -> (Double, Int64) {
  @inline(__always) func term(_ i: Int) -> Double {
    Double(bitPattern: f(a[i]).bitPattern & (0 &- UInt64(valid[i] & 1)))
  }
  var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0, s4 = 0.0, s5 = 0.0, s6 = 0.0, s7 = 0.0
  var c = 0
  var i = 0
  while i + 8 <= n {
    s0 += term(i)
    s1 += term(i + 1)
    s2 += term(i + 2)
    s3 += term(i + 3)
    s4 += term(i + 4)
    s5 += term(i + 5)
    s6 += term(i + 6)
    s7 += term(i + 7)
    i += 8
  }
  while i < n {
    s0 += term(i)
    i += 1
  }
  // The count eight validity bytes at a time: each byte's low bit, summed by one multiplication.
  var j = 0
  while j + 8 <= n {
    let w = UnsafeRawPointer(valid + j).loadUnaligned(as: UInt64.self) & 0x0101_0101_0101_0101
    c &+= Int(truncatingIfNeeded: (w &* 0x0101_0101_0101_0101) >> 56)
    j += 8
  }
  while j < n {
    c &+= Int(valid[j] & 1)
    j += 1
  }
  return (((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)), Int64(c))
}

/// `chunkSize` group ids of 0.
private let groupZero: UnsafeMutablePointer<Int32> = {
  let p = UnsafeMutablePointer<Int32>.allocate(capacity: chunkSize)
  p.initialize(repeating: 0, count: chunkSize)
  return p
}()

/// Per-group state of one aggregate.
package protocol Accumulator: AnyObject {
  /// Whether partial states over row ranges can be merged (`merge`) into the state over all.
  var isMergeable: Bool { get }
  /// Adds the state of `other` (same kind, same groups, over other rows).
  func merge(_ other: Accumulator) throws
  /// Adds one chunk of argument values with each row's group.
  func add(_ v: Vec, count: Int, groups: UnsafePointer<Int32>) throws
  /// `count()`: adds rows without an argument.
  func addRows(count: Int, groups: UnsafePointer<Int32>)
  func finish() throws -> Column
}

extension Accumulator {
  package func addRows(count: Int, groups: UnsafePointer<Int32>) {}
  package var isMergeable: Bool { true }
}

/// What execution needs of an aggregate: its per-group state. Adopted by the definitions
/// (TerrainFunctions), next to their `AggregateDefinition`; the accumulators below are the
/// shapes they pick from.
package protocol AccumulatorBuilder {
  func makeAccumulator(_ spec: AggregateSpec, groups: Int) throws -> Accumulator
}

/// The accumulator of `spec` over `groups` groups. Its per-group arrays (Swift arrays, up to
/// four words a group, and the column `finish` makes) are probed first: a group-by result
/// the memory cannot hold throws `AllocationFailure` instead of stopping the process.
package func makeAccumulator(_ spec: AggregateSpec, groups: Int) throws -> Accumulator {
  guard let builder = spec.function.definition as? AccumulatorBuilder else {
    throw Diagnostic(.noAccumulator, spec.function.rawValue, at: spec.span)
  }
  return try withCheckedRoom(for: try byteCount(groups, of: (Int64, Double, Double, Double, Double).self)) {
    try builder.makeAccumulator(spec, groups: groups)
  }
}

// The accumulators' per-group arrays are `@exclusivity(unchecked)`: an accumulator is used by
// one worker at a time (parts run in parallel on their own accumulators, merged on one thread),
// and no access to an array is held across code that touches the same array (the
// `withUnsafeMutableBufferPointer` loops use only the pointer); the runtime checks cost a
// swift_beginAccess per row or group in `add`, `merge` and `update`.
package final class CountAccumulator: Accumulator {
  @exclusivity(unchecked) package var counts: [Int64]
  package let countsRows: Bool
  package init(groups: Int, countsRows: Bool) {
    counts = [Int64](repeating: 0, count: groups)
    self.countsRows = countsRows
  }
  package func add(_ v: Vec, count n: Int, groups g: UnsafePointer<Int32>) {
    if counts.count == 1 {
      // One group (no `by`): a plain sum, without the per-row dependency on one counter.
      var total = 0
      if let valid = v.validity {
        for i in 0..<n { total &+= Int(valid[i]) }
      } else {
        total = n
      }
      counts[0] &+= Int64(total)
      return
    }
    counts.withUnsafeMutableBufferPointer { c in
      if let valid = v.validity {
        for i in 0..<n { c[Int(g[i])] &+= Int64(valid[i]) }
      } else {
        for i in 0..<n { c[Int(g[i])] &+= 1 }
      }
    }
  }
  package func addRows(count n: Int, groups g: UnsafePointer<Int32>) {
    if counts.count == 1 {
      counts[0] &+= Int64(n)
      return
    }
    counts.withUnsafeMutableBufferPointer { c in
      for i in 0..<n { c[Int(g[i])] &+= 1 }
    }
  }
  package func merge(_ other: Accumulator) {
    guard let o = other as? CountAccumulator else { return }
    for k in counts.indices { counts[k] &+= o.counts[k] }
  }
  package func finish() -> Column { Column(values: .int(ColumnBuffer(counts)), validity: nil) }
}

package final class IntSumAccumulator: Accumulator {
  @exclusivity(unchecked) package var sums: [Int64]
  @exclusivity(unchecked) package var seen: [UInt8]
  package let span: Span
  package init(groups: Int, span: Span) {
    sums = [Int64](repeating: 0, count: groups)
    seen = [UInt8](repeating: 0, count: groups)
    self.span = span
  }
  package func add(_ v: Vec, count n: Int, groups g: UnsafePointer<Int32>) throws {
    let a = v.ints()
    var overflow = false
    sums.withUnsafeMutableBufferPointer { s in
      seen.withUnsafeMutableBufferPointer { seen in
        for i in 0..<n {
          let present = v.validity?[i] ?? 1
          if present == 0 { continue }
          let k = Int(g[i])
          let (r, o) = s[k].addingReportingOverflow(a[i])
          s[k] = r
          seen[k] = 1
          if o { overflow = true }
        }
      }
    }
    if overflow {
      throw Diagnostic(.sumOverflow, at: span, label: .overflows,
        help: .sumFloatsInstead)
    }
  }
  package func merge(_ other: Accumulator) throws {
    guard let o = other as? IntSumAccumulator else { return }
    for k in sums.indices {
      let (r, overflow) = sums[k].addingReportingOverflow(o.sums[k])
      if overflow {
        throw Diagnostic(.sumOverflow, at: span, label: .overflows,
          help: .sumFloatsInstead)
      }
      sums[k] = r
      seen[k] |= o.seen[k]
    }
  }
  package func finish() -> Column {
    Column(values: .int(ColumnBuffer(sums)), validity: seen.contains(0) ? ColumnBuffer(seen) : nil)
  }
}

/// sum (float), avg, share and stddev: count, sum and a Welford mean/M2 per group.
///
/// A result that is not finite although every value added was is a float overflow, raised at
/// `finish` at the aggregate's span. Whether a value was not finite is kept for the whole
/// aggregate, not per group, and costs nothing in the loops: a non-finite value makes its
/// chunk's total non-finite, and only such chunks (rare) are scanned for one.
package final class FloatMomentsAccumulator: Accumulator {
  /// Which of the moments `finish` gives (its name is the aggregate's, for messages).
  package enum Moment: String {
    case sum, avg, share, stddev
  }
  package let function: Moment
  package let argType: DataType
  package let span: Span
  @exclusivity(unchecked) package var counts: [Int64]
  @exclusivity(unchecked) package var sums: [Double]
  @exclusivity(unchecked) package var means: [Double]
  @exclusivity(unchecked) package var m2: [Double]
  package var total = 0.0
  /// Whether some value added was ±inf or NaN.
  package var sawNonFinite = false
  package init(groups: Int, function: Moment, argType: DataType, span: Span) {
    self.function = function
    self.argType = argType
    self.span = span
    counts = [Int64](repeating: 0, count: groups)
    sums = [Double](repeating: 0, count: groups)
    means = function == .stddev ? [Double](repeating: 0, count: groups) : []
    m2 = function == .stddev ? [Double](repeating: 0, count: groups) : []
  }
  package func add(_ v: Vec, count n: Int, groups g: UnsafePointer<Int32>) {
    let valid = v.validity ?? UnsafePointer(allValid)
    if function == .stddev { return addWelford(v, n, g, valid) }
    if g == UnsafePointer(groupZero) {
      // One group (no `by`): a branch-free masked sum with independent partial sums.
      var (sum, count) = (0.0, Int64(0))
      if argType == .int {
        (sum, count) = maskedSum(v.ints(), valid, n) { Double($0) }
      } else {
        // The same eight partial sums as `maskedSum`, in AVX2 when the processor has it.
        terrain_f64_masked_sum(n, v.floats(), valid, &sum, &count)
      }
      if !sum.isFinite { noteNonFinite(v, valid, n) }
      counts[0] &+= count
      sums[0] += sum
      total += sum
      return
    }
    var chunkTotal = 0.0
    counts.withUnsafeMutableBufferPointer { c in
      sums.withUnsafeMutableBufferPointer { s in
        if argType == .int {
          let a = v.ints()
          for i in 0..<n {
            let x = valid[i] != 0 ? Double(a[i]) : 0
            let k = Int(g[i])
            c[k] &+= Int64(valid[i])
            s[k] += x
            chunkTotal += x
          }
        } else {
          let a = v.floats()
          for i in 0..<n {
            let x = valid[i] != 0 ? a[i] : 0
            let k = Int(g[i])
            c[k] &+= Int64(valid[i])
            s[k] += x
            chunkTotal += x
          }
        }
      }
    }
    total += chunkTotal
    if !chunkTotal.isFinite { noteNonFinite(v, valid, n) }
  }

  /// Sets `sawNonFinite` when a present float value of the chunk is ±inf or NaN (ints never are).
  private func noteNonFinite(_ v: Vec, _ valid: UnsafePointer<UInt8>, _ n: Int) {
    guard argType == .float else { return }
    let a = v.floats()
    for i in 0..<n where valid[i] != 0 && !a[i].isFinite {
      sawNonFinite = true
      return
    }
  }

  /// stddev: Welford's running mean and M2 per group.
  private func addWelford(_ v: Vec, _ n: Int, _ g: UnsafePointer<Int32>, _ valid: UnsafePointer<UInt8>) {
    let isInt = argType == .int
    let fa = v.floats()
    let ia = v.ints()
    for i in 0..<n where valid[i] != 0 {
      let x = isInt ? Double(ia[i]) : fa[i]
      let k = Int(g[i])
      if !x.isFinite { sawNonFinite = true }
      counts[k] &+= 1
      sums[k] += x
      total += x
      let d = x - means[k]
      means[k] += d / Double(counts[k])
      m2[k] += d * (x - means[k])
    }
  }
  package func merge(_ other: Accumulator) {
    guard let o = other as? FloatMomentsAccumulator else { return }
    total += o.total
    sawNonFinite = sawNonFinite || o.sawNonFinite
    for k in counts.indices {
      let na = Double(counts[k])
      let nb = Double(o.counts[k])
      if function == .stddev && nb > 0 {
        // Chan et al.: combine two (count, mean, M2) summaries.
        let n = na + nb
        let delta = o.means[k] - means[k]
        means[k] += delta * nb / n
        m2[k] += o.m2[k] + delta * delta * na * nb / n
      }
      counts[k] &+= o.counts[k]
      sums[k] += o.sums[k]
    }
  }
  package func finish() throws -> Column {
    let b = ColumnBuilder(type: .float, capacity: 0)
    try b.reserve(counts.count)
    var overflow = false
    for k in 0..<counts.count {
      let c = counts[k]
      let r: Double?
      switch function {
      case .sum: r = c == 0 ? nil : sums[k]
      case .avg: r = c == 0 ? nil : sums[k] / Double(c)
      case .share: r = c == 0 || total == 0 ? nil : sums[k] / total
      default: r = c < 2 ? nil : (m2[k] / Double(c - 1)).squareRoot()
      }
      if let r {
        try b.append(float: r)
        if !r.isFinite { overflow = true }
      } else {
        try b.appendNull()
      }
    }
    // `share` also divides by the total of every row, which may overflow when no group's does.
    if function == .share && !total.isFinite { overflow = true }
    if overflow && !sawNonFinite {
      let entry: DiagnosticMessage = function == .stddev ? .aggregateResultOverflow : .aggregateTotalOverflow
      throw Diagnostic(entry, function.rawValue, at: span,
        label: .overflows, help: .scaleValuesDown)
    }
    return b.finish()
  }
}

package final class ExtremumAccumulator: Accumulator {
  package let type: DataType
  package let wantMax: Bool
  // Unchecked (see CountAccumulator): `update` holds `ints` inout and reads only `seen`.
  @exclusivity(unchecked) package var seen: [UInt8]
  @exclusivity(unchecked) package var ints: [Int64] = []
  @exclusivity(unchecked) package var floats: [Double] = []
  @exclusivity(unchecked) package var texts: [String?] = []
  /// The order of text values.
  package let collation: Collation
  package init(groups: Int, type: DataType, wantMax: Bool, collation: Collation = .default) {
    self.type = type
    self.wantMax = wantMax
    self.collation = collation
    seen = [UInt8](repeating: 0, count: groups)
    switch type {
    case .int, .bool, .date: ints = [Int64](repeating: 0, count: groups)
    case .float: floats = [Double](repeating: 0, count: groups)
    case .text: texts = [String?](repeating: nil, count: groups)
    }
  }
  package func add(_ v: Vec, count n: Int, groups g: UnsafePointer<Int32>) {
    switch type {
    case .int, .date: update(v, n, g, v.ints(), &ints) { $0 }
    case .bool: update(v, n, g, v.bytes(), &ints) { Int64($0) }
    case .float:
      let a = v.floats()
      for i in 0..<n where (v.validity?[i] ?? 1) != 0 && !a[i].isNaN {
        let k = Int(g[i])
        if seen[k] == 0 || (wantMax ? a[i] > floats[k] : a[i] < floats[k]) { floats[k] = a[i] }
        seen[k] = 1
      }
    case .text:
      guard let d = v.dictionary else { return }
      // Best code per group in this chunk by rank in the collation's order, then one string
      // comparison per group.
      let ranks = d.sortRanks(collation)
      let codes = v.codes()
      var best: [Int: UInt32] = [:]
      for i in 0..<n where (v.validity?[i] ?? 1) != 0 {
        let c = codes[i]
        guard Int(c) < ranks.count else { continue }
        let k = Int(g[i])
        if let b = best[k] {
          if wantMax ? ranks[Int(c)] > ranks[Int(b)] : ranks[Int(c)] < ranks[Int(b)] { best[k] = c }
        } else {
          best[k] = c
        }
      }
      for (k, c) in best {
        let s = d.string(Int(c))
        if let cur = texts[k] {
          if wantMax ? collation.less(cur, s) : collation.less(s, cur) { texts[k] = s }
        } else {
          texts[k] = s
        }
        seen[k] = 1
      }
    }
  }
  package func merge(_ other: Accumulator) {
    guard let o = other as? ExtremumAccumulator else { return }
    for k in seen.indices where o.seen[k] != 0 {
      switch type {
      case .int, .bool, .date:
        if seen[k] == 0 || (wantMax ? o.ints[k] > ints[k] : o.ints[k] < ints[k]) { ints[k] = o.ints[k] }
      case .float:
        if seen[k] == 0 || (wantMax ? o.floats[k] > floats[k] : o.floats[k] < floats[k]) { floats[k] = o.floats[k] }
      case .text:
        if let s = o.texts[k] {
          if let cur = texts[k] {
            if wantMax ? collation.less(cur, s) : collation.less(s, cur) { texts[k] = s }
          } else {
            texts[k] = s
          }
        }
      }
      seen[k] = 1
    }
  }
  private func update<T>(_ v: Vec, _ n: Int, _ g: UnsafePointer<Int32>, _ a: UnsafePointer<T>, _ acc: inout [Int64], _ conv: (T) -> Int64) {
    for i in 0..<n where (v.validity?[i] ?? 1) != 0 {
      let k = Int(g[i])
      let x = conv(a[i])
      if seen[k] == 0 || (wantMax ? x > acc[k] : x < acc[k]) { acc[k] = x }
      seen[k] = 1
    }
  }
  package func finish() throws -> Column {
    let validity: ColumnBuffer<UInt8>? = seen.contains(0) ? ColumnBuffer(seen) : nil
    switch type {
    case .int: return Column(values: .int(ColumnBuffer(ints)), validity: validity)
    case .date: return Column(values: .date(ColumnBuffer(ints)), validity: validity)
    case .bool: return Column(values: .bool(ColumnBuffer(ints.map { UInt8(truncatingIfNeeded: $0) })), validity: validity)
    case .float: return Column(values: .float(ColumnBuffer(floats)), validity: validity)
    case .text: return Column.from(texts.map { $0.map(Value.text) ?? .null }, type: .text)
    }
  }
}

/// median and quantile: every value of each group, then the one or two order statistics the
/// fraction needs, found by selection (no full sort); linear interpolation between the two
/// nearest ranks (numpy's default, DuckDB's `quantile_cont`).
///
/// The values are kept in one array in row order (with each one's group when there are
/// several), and moved group by group into contiguous segments at the end.
package final class QuantileAccumulator: Accumulator {
  package let argType: DataType
  package let fraction: Double
  package let groups: Int
  /// The present, non-NaN values in row order.
  package var values: [Double] = []
  /// The group of each of `values` (empty with one group).
  package var groupOf: [Int32] = []
  package init(groups: Int, argType: DataType, fraction: Double) {
    self.argType = argType
    self.fraction = fraction
    self.groups = groups
  }
  /// One chunk's kept values and their groups, appended to the arrays in one copy each.
  private let chunkValues = UnsafeMutablePointer<Double>.allocate(capacity: chunkSize)
  private let chunkGroups = UnsafeMutablePointer<Int32>.allocate(capacity: chunkSize)
  deinit {
    chunkValues.deallocate()
    chunkGroups.deallocate()
  }
  package func add(_ v: Vec, count n: Int, groups g: UnsafePointer<Int32>) {
    let valid = v.validity ?? UnsafePointer(allValid)
    var kept = 0
    // Branch-free compaction: every row is written, and the next slot moves on only for a
    // present (non-NaN) value.
    if argType == .int {
      let a = v.ints()
      for i in 0..<n {
        chunkValues[kept] = Double(a[i])
        chunkGroups[kept] = g[i]
        kept += Int(valid[i] & 1)
      }
    } else {
      let a = v.floats()
      for i in 0..<n {
        chunkValues[kept] = a[i]
        chunkGroups[kept] = g[i]
        kept += Int(valid[i] & 1) & (a[i].isNaN ? 0 : 1)
      }
    }
    values.append(contentsOf: UnsafeBufferPointer(start: chunkValues, count: kept))
    if groups > 1 { groupOf.append(contentsOf: UnsafeBufferPointer(start: chunkGroups, count: kept)) }
  }
  package func merge(_ other: Accumulator) {
    guard let o = other as? QuantileAccumulator else { return }
    values.append(contentsOf: o.values)
    groupOf.append(contentsOf: o.groupOf)
  }
  package func finish() throws -> Column {
    let b = ColumnBuilder(type: .float, capacity: 0)
    try b.reserve(groups)
    func append(_ r: Double?) throws { if let r { try b.append(float: r) } else { try b.appendNull() } }
    if groups <= 1 {
      if groups == 1 { try append(values.withUnsafeMutableBufferPointer { quantile(of: $0) }) }
      return b.finish()
    }
    // Counting sort by group (stable: each segment keeps row order). Group ids are below
    // `groups`, and each segment receives exactly its count of values.
    var starts: [Int] = try checkedArray(repeating: 0, count: groups + 1)
    starts.withUnsafeMutableBufferPointer { st in
      for k in groupOf { st[Int(k) + 1] += 1 }
      for k in 0..<groups { st[k + 1] += st[k] }
    }
    var next = starts
    var segments = [Double](unsafeUninitializedCapacity: values.count) { seg, count in
      guard let base = seg.baseAddress else { return }
      next.withUnsafeMutableBufferPointer { nx in
        values.withUnsafeBufferPointer { vs in
          groupOf.withUnsafeBufferPointer { gs in
            for i in 0..<vs.count {
              let k = Int(gs[i])
              (base + nx[k]).initialize(to: vs[i])
              nx[k] += 1
            }
          }
        }
      }
      count = values.count
    }
    values = []
    groupOf = []
    // The groups split into runs of about equal numbers of values, one per worker.
    var parts: [Range<Int>] = []
    let perWorker = segments.count >= parallelThreshold ? (segments.count + workerCount - 1) / workerCount : segments.count + 1
    var first = 0
    for k in 0..<groups where starts[k + 1] - starts[first] >= perWorker {
      parts.append(first..<(k + 1))
      first = k + 1
    }
    if first < groups { parts.append(first..<groups) }
    let results = try segments.withUnsafeMutableBufferPointer { all in
      try runRanges(parts) { _, range in
        range.map { k in quantile(of: UnsafeMutableBufferPointer(rebasing: all[starts[k]..<starts[k + 1]])) }
      }
    }
    for part in results { for r in part { try append(r) } }
    return b.finish()
  }

  /// The quantile of one group's values (in row order; reordered here), nil if none.
  private func quantile(of vs: UnsafeMutableBufferPointer<Double>) -> Double? {
    guard let p = vs.baseAddress, !vs.isEmpty else { return nil }
    let (lo, hi, frac) = quantileRanks(count: vs.count, fraction)
    if hasBothZeros(vs) {
      // `0.0` and `-0.0` are equal but print differently: which one lands at a rank is the
      // one a stable sort of the row order puts there, so sort as before.
      var sorted = Array(vs)
      sorted.sort()
      return interpolate(sorted[lo], sorted[hi], frac)
    }
    // Otherwise equal values are the same bits, and any selection gives the sorted ranks.
    selectNth(p, vs.count, lo)
    var upper = p[lo]
    if hi > lo {
      upper = p[hi]
      for i in (hi + 1)..<vs.count where p[i] < upper { upper = p[i] }
    }
    return interpolate(p[lo], upper, frac)
  }
}

/// Whether the values hold both `0.0` and `-0.0`.
private func hasBothZeros(_ vs: UnsafeMutableBufferPointer<Double>) -> Bool {
  var positive = false
  var negative = false
  for x in vs {
    let bits = x.bitPattern
    positive = positive || bits == 0
    negative = negative || bits == 0x8000_0000_0000_0000
  }
  return positive && negative
}

/// The two ranks (0-based, in sorted order) the `q` quantile of `count` values lies between,
/// and the weight of the upper one.
package func quantileRanks(count: Int, _ q: Double) -> (lo: Int, hi: Int, frac: Double) {
  let pos = q * Double(count - 1)
  let lo = Int(pos.rounded(.down))
  let hi = min(lo + 1, count - 1)
  return (lo, hi, lo == hi ? 0 : pos - Double(lo))
}

/// Linear interpolation between the values at the two ranks of `quantileRanks`.
package func interpolate(_ lower: Double, _ upper: Double, _ frac: Double) -> Double {
  if frac == 0 { return lower }
  let gap = upper - lower
  // Values of opposite signs near the float limit: their gap overflows, their weighted mean not.
  if !gap.isFinite { return lower * (1 - frac) + upper * frac }
  return lower + gap * frac
}

/// The `q` quantile of sorted values by linear interpolation.
package func interpolatedQuantile(_ sorted: [Double], _ q: Double) -> Double {
  let (lo, hi, frac) = quantileRanks(count: sorted.count, q)
  return interpolate(sorted[lo], sorted[hi], frac)
}

/// Reorders `p[0..<n]` so that `p[k]` is the value a sort would put there, with no greater
/// value before it and no smaller one after (Hoare's FIND with a median-of-three pivot; the
/// values must not be NaN). A range that partitions badly too often is sorted instead.
package func selectNth(_ p: UnsafeMutablePointer<Double>, _ n: Int, _ k: Int) {
  guard k >= 0, k < n else { return }
  @inline(__always) func swap(_ a: Int, _ b: Int) {
    let t = p[a]
    p[a] = p[b]
    p[b] = t
  }
  var lo = 0
  var hi = n - 1
  var budget = 2 * (Int.bitWidth - n.leadingZeroBitCount) + 8
  while hi - lo > 16 {
    if budget == 0 {
      var rest = UnsafeMutableBufferPointer(start: p + lo, count: hi - lo + 1)
      rest.sort()
      return
    }
    budget -= 1
    let mid = lo + (hi - lo) / 2
    if p[mid] < p[lo] { swap(mid, lo) }
    if p[hi] < p[lo] { swap(hi, lo) }
    if p[hi] < p[mid] { swap(hi, mid) }
    // p[lo] <= pivot <= p[hi]: the scans below stop inside the range.
    let pivot = p[mid]
    var i = lo
    var j = hi
    while i <= j {
      while p[i] < pivot { i += 1 }
      while pivot < p[j] { j -= 1 }
      if i <= j {
        swap(i, j)
        i += 1
        j -= 1
      }
    }
    // p[lo...j] <= pivot, p[i...hi] >= pivot, and whatever lies between equals the pivot.
    if k <= j {
      hi = j
    } else if k >= i {
      lo = i
    } else {
      return
    }
  }
  // Insertion sort of the last few.
  if hi > lo {
    for a in (lo + 1)...hi {
      let x = p[a]
      var b = a
      while b > lo && x < p[b - 1] {
        p[b] = p[b - 1]
        b -= 1
      }
      p[b] = x
    }
  }
}

package final class CountDistinctAccumulator: Accumulator {
  package let normalizer: KeyNormalizer
  package let groups: Int
  /// The distinct (group, value word) pairs seen; only the word when there is one group.
  package let seen: KeyTable
  package let words = UnsafeMutablePointer<UInt64>.allocate(capacity: chunkSize)
  package let valid = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
  package init(groups: Int, type: DataType) throws {
    normalizer = KeyNormalizer(type: type)
    self.groups = groups
    seen = try KeyTable(width: groups > 1 ? 2 : 1)
  }
  deinit {
    words.deallocate()
    valid.deallocate()
  }
  package func add(_ v: Vec, count n: Int, groups g: UnsafePointer<Int32>) throws {
    valid.initialize(repeating: 1, count: n)
    try normalizer.normalize(v, count: n, into: words, stride: 1, valid: valid)
    if seen.width == 1 {
      for i in 0..<n where valid[i] != 0 { _ = try seen.insert(words + i) }
      return
    }
    var pair: (UInt64, UInt64) = (0, 0)
    try withUnsafeMutablePointer(to: &pair) { raw in
      try raw.withMemoryRebound(to: UInt64.self, capacity: 2) { key in
        for i in 0..<n where valid[i] != 0 {
          key[0] = UInt64(UInt32(bitPattern: g[i]))
          key[1] = words[i]
          _ = try seen.insert(key)
        }
      }
    }
  }
  /// Text values are words of a per-worker dictionary, so partial sets cannot be merged.
  package var isMergeable: Bool { normalizer.type != .text }
  package func merge(_ other: Accumulator) throws {
    guard let o = other as? CountDistinctAccumulator, o.seen.width == seen.width else { return }
    try o.seen.keys.withUnsafeBufferPointer { keys in
      guard let base = keys.baseAddress else { return }
      for id in 0..<o.seen.count { _ = try seen.insert(base + id * seen.width) }
    }
  }
  package func finish() throws -> Column {
    var counts: [Int64] = try checkedArray(repeating: 0, count: groups)
    if seen.width == 1 {
      if !counts.isEmpty { counts[0] = Int64(seen.count) }
    } else {
      let keys = seen.keys
      for id in 0..<seen.count {
        let g = Int(keys[id * 2])
        if g < counts.count { counts[g] += 1 }
      }
    }
    return Column(values: .int(ColumnBuffer(counts)), validity: nil)
  }
}
