// Helpers the window functions share: a result read from another row of the partition (or a
// default), and the values of one partition's argument as a typed loop sees them.

import TerrainStorage
import TerrainSyntax
import TerrainPlanner
import TerrainExecution

/// A result that is, per row, the argument's value at another row (`lag`, `lead`, `first`,
/// `last`): the kernel fills `source` (-1: none), and `finish` gathers the argument through it
/// (text keeps its dictionary), then puts the default where there is no such row.
final class SourceRowKernel: WindowKernel {
  let source: UnsafeMutablePointer<Int32>
  let count: Int
  let argument: Column
  /// The default's values per row, when not a null constant.
  let fallback: Column?
  let fill: (_ partition: Range<Int>, _ rows: UnsafePointer<Int32>, _ source: UnsafeMutablePointer<Int32>) -> Void

  init(argument: Column, fallback: Column?, rowCount: Int,
    fill: @escaping (Range<Int>, UnsafePointer<Int32>, UnsafeMutablePointer<Int32>) -> Void) throws {
    self.argument = argument
    self.fallback = fallback
    count = rowCount
    source = try allocateCheckedBytes(try byteCount(rowCount, of: Int32.self)).bindMemory(to: Int32.self, capacity: max(1, rowCount))
    source.initialize(repeating: -1, count: rowCount)
    self.fill = fill
  }

  func compute(_ partitions: Range<Int>, _ order: WindowOrder) {
    for p in partitions { fill(order.positions(p), order.rows, source) }
  }

  func finish() throws -> Column {
    let indices = ColumnBuffer(adopting: source, count: count)
    let gathered = try gatherColumn(argument, IndexVector(indices, hasNullRows: true), cancel: nil)
    guard let fallback else { return gathered }
    return try withDefault(gathered, fallback, missing: indices)
  }
}

/// `value` where `missing[row] >= 0`, else `fallback` (same type).
/// Throws `AllocationFailure` when the memory cannot hold the new column.
private func withDefault(_ value: Column, _ fallback: Column, missing: ColumnBuffer<Int32>) throws -> Column {
  let n = value.count
  let m = missing.base
  func typed<T>(_ a: UnsafeMutablePointer<T>, _ b: UnsafeMutablePointer<T>, _ zero: T) throws -> (ColumnBuffer<T>, ColumnBuffer<UInt8>?) {
    let values = try BufferBuilder<T>(checkedCapacity: n)
    let out = try values.tail(reserving: n)
    let valid = try ColumnBuffer<UInt8>(checkedZeroed: n)
    var anyNull = false
    for i in 0..<n {
      let fromValue = m[i] >= 0
      let ok = fromValue ? value.isValid(i) : fallback.isValid(i)
      out[i] = ok ? (fromValue ? a[i] : b[i]) : zero
      valid.base[i] = ok ? 1 : 0
      if !ok { anyNull = true }
    }
    values.advance(by: n)
    return (values.finish(), anyNull ? valid : nil)
  }
  switch (value.values, fallback.values) {
  case (.int(let a), .int(let b)):
    let (v, valid) = try typed(a.base, b.base, 0)
    return Column(values: .int(v), validity: valid)
  case (.date(let a), .date(let b)):
    let (v, valid) = try typed(a.base, b.base, 0)
    return Column(values: .date(v), validity: valid)
  case (.float(let a), .float(let b)):
    let (v, valid) = try typed(a.base, b.base, 0)
    return Column(values: .float(v), validity: valid)
  case (.bool(let a), .bool(let b)):
    let (v, valid) = try typed(a.base, b.base, 0)
    return Column(values: .bool(v), validity: valid)
  case (.text(let a, let da), .text(let b, let db)):
    // Two dictionaries: the values are copied into a new one, by their bytes.
    let builder = ColumnBuilder(type: .text, capacity: 0)
    try builder.reserve(n)
    guard let out = builder.dictionary else { return builder.finish() }
    for i in 0..<n {
      let (column, codes, dictionary) = m[i] >= 0 ? (value, a, da) : (fallback, b, db)
      if column.isValid(i) {
        try builder.append(code: try out.checkedIntern(bytes: dictionary.bytes(of: codes.base[i])))
      } else {
        try builder.appendNull()
      }
    }
    return builder.finish()
  default:
    // Columns of different types (not made by the planner): value by value.
    let builder = ColumnBuilder(type: value.type, capacity: 0)
    try builder.reserve(n)
    for i in 0..<n { try builder.append(m[i] >= 0 ? value.value(at: i) : fallback.value(at: i)) }
    return builder.finish()
  }
}
