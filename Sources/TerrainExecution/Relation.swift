// An intermediate result: columns that may be read through a shared row-index vector, so that
// filters, sorts, takes and joins pick rows without copying column data.

import TerrainStorage
import TerrainSyntax
import TerrainPlanner

/// Row indices into a column; `-1` means null (rows a left join did not match).
package final class IndexVector {
  package let indices: ColumnBuffer<Int32>
  package let hasNullRows: Bool

  package init(_ indices: ColumnBuffer<Int32>, hasNullRows: Bool = false) {
    self.indices = indices
    self.hasNullRows = hasNullRows
  }

  package var count: Int { indices.count }
}

/// A column as seen by a relation: its stored column, read directly or through indices.
package struct ColumnRef {
  package var column: Column
  package var indices: IndexVector?

  package var type: DataType { column.type }
}

/// The rows flowing between pipeline stages.
package final class Relation {
  package let fields: [Field]
  package let columns: [ColumnRef]
  package let rowCount: Int
  /// For messages: the table this relation started from.
  package let sourceName: String

  package init(fields: [Field], columns: [ColumnRef], rowCount: Int, sourceName: String) {
    self.fields = fields
    self.columns = columns
    self.rowCount = rowCount
    self.sourceName = sourceName
  }

  package convenience init(table: Table, name: String) {
    self.init(fields: table.fields, columns: table.columns.map { ColumnRef(column: $0, indices: nil) },
      rowCount: table.rowCount, sourceName: name)
  }

  /// The same rows with every column read through `positions` (indices into this relation's rows,
  /// `-1` for a null row). Index vectors shared by several columns are composed once.
  /// Throws `AllocationFailure` when the memory cannot hold a composed index vector.
  package func selecting(_ positions: IndexVector, fields newFields: [Field]? = nil) throws -> Relation {
    var composed: [ObjectIdentifier: IndexVector] = [:]
    let cols = try columns.map { ref -> ColumnRef in
      guard let inner = ref.indices else { return ColumnRef(column: ref.column, indices: positions) }
      let key = ObjectIdentifier(inner)
      if let done = composed[key] { return ColumnRef(column: ref.column, indices: done) }
      let out = try compose(inner, positions)
      composed[key] = out
      return ColumnRef(column: ref.column, indices: out)
    }
    return Relation(fields: newFields ?? fields, columns: cols, rowCount: positions.count, sourceName: sourceName)
  }

  private func compose(_ inner: IndexVector, _ outer: IndexVector) throws -> IndexVector {
    let n = outer.count
    let b = try BufferBuilder<Int32>(checkedCapacity: n)
    let dst = try b.tail(reserving: n)
    let o = outer.indices.base
    let idx = inner.indices.base
    if outer.hasNullRows {
      for i in 0..<n {
        let p = o[i]
        dst[i] = p < 0 ? -1 : idx[Int(p)]
      }
    } else {
      for i in 0..<n { dst[i] = idx[Int(o[i])] }
    }
    b.advance(by: n)
    return IndexVector(b.finish(), hasNullRows: outer.hasNullRows || inner.hasNullRows)
  }

  /// The first `n` rows: a prefix view of each column or index vector, nothing copied.
  package func prefix(_ n: Int) -> Relation {
    if n >= rowCount { return self }
    var cut: [ObjectIdentifier: IndexVector] = [:]  // columns sharing indices keep sharing
    let cols = columns.map { ref -> ColumnRef in
      guard let idx = ref.indices else { return ColumnRef(column: ref.column.prefix(n), indices: nil) }
      let key = ObjectIdentifier(idx)
      let head = cut[key] ?? IndexVector(idx.indices.prefix(n), hasNullRows: idx.hasNullRows)
      cut[key] = head
      return ColumnRef(column: ref.column, indices: head)
    }
    return Relation(fields: fields, columns: cols, rowCount: max(0, n), sourceName: sourceName)
  }

  /// Only the columns at `indices`, renamed.
  package func projecting(_ indices: [Int], names: [String]) -> Relation {
    let cols = indices.map { columns[$0] }
    let fs = zip(indices, names).map { Field(name: $1, type: fields[$0].type) }
    return Relation(fields: fs, columns: cols, rowCount: rowCount, sourceName: sourceName)
  }

  /// A table with dense columns (gathering through indices where needed).
  package func materialize(cancel: CancellationFlag? = nil) throws -> Table {
    let cols = try columns.map { ref -> Column in
      guard let idx = ref.indices else { return ref.column }
      return try gatherColumn(ref.column, idx, cancel: cancel)
    }
    return Table(fields: fields, columns: cols, rowCount: rowCount)
  }
}

/// The values of `column` at `idx` as a new dense column. Throws `AllocationFailure` when the
/// memory cannot hold it.
package func gatherColumn(_ column: Column, _ idx: IndexVector, cancel: CancellationFlag?) throws -> Column {
  let n = idx.count
  let src = idx.indices.base
  let validity = ValidityBuilder()
  var start = 0
  let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
  defer { scratch.deallocate() }
  let srcValid = column.validity?.base
  let needValidity = srcValid != nil || idx.hasNullRows
  func gathered<T>(_ base: UnsafeMutablePointer<T>, _ zero: T) throws -> ColumnBuffer<T> {
    let b = try BufferBuilder<T>(checkedCapacity: n)
    let dst = try b.tail(reserving: n)
    if idx.hasNullRows {
      for i in 0..<n {
        let p = Int(src[i])
        dst[i] = p < 0 ? zero : base[p]
      }
    } else {
      for i in 0..<n { dst[i] = base[Int(src[i])] }
    }
    b.advance(by: n)
    return b.finish()
  }
  if needValidity {
    // The mask, a byte a row, grows to twice the rows at most: checked once here.
    try probeRoom(for: try byteCount(n, of: UInt16.self))
    while start < n {
      let m = min(chunkSize, n - start)
      for i in 0..<m {
        let p = Int(src[start + i])
        scratch[i] = p < 0 ? 0 : (srcValid?[p] ?? 1)
      }
      try validity.append(flags: scratch, count: m)
      start += m
    }
  }
  try cancel?.check()
  let values: ColumnValues
  switch column.values {
  case .int(let b): values = .int(try gathered(b.base, 0))
  case .date(let b): values = .date(try gathered(b.base, 0))
  case .float(let b): values = .float(try gathered(b.base, 0))
  case .bool(let b): values = .bool(try gathered(b.base, 0))
  case .text(let b, let d): values = .text(try gathered(b.base, 0), d)
  }
  return Column(values: values, validity: needValidity ? validity.finish() : nil)
}
