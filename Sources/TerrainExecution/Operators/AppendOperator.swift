// The operator of `append TABLE`: each output column is the input's column followed by the
// table's, concatenated by bulk copies (no per-row work where the types match; text codes
// of the first side are kept as they are, the second side's remapped once per dictionary
// value). When either side has no row, the other side's columns are passed through untouched.

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import TerrainStorage
import TerrainSyntax
import TerrainPlanner

extension AppendStep: PhysicalStep {
  package func run(_ input: Relation, _ executor: Executor) throws -> Relation {
    let n1 = input.rowCount
    let n2 = table.rowCount
    let (total, overflow) = n1.addingReportingOverflow(n2)
    guard !overflow, total <= Int(Int32.max) else {
      throw Diagnostic(.tooManyRows, "append \(tableName)", String(n1) + " + " + String(n2), String(Int32.max))
    }
    var columns: [ColumnRef] = []
    for (i, f) in fields.enumerated() {
      let l = left[i].map { input.columns[$0] }
      let r = right[i].map { table.columns[$0] }
      // One side empty: the other side's column as it is (no copy, indices kept).
      if n2 == 0, let l, l.type == f.type {
        columns.append(l)
        continue
      }
      if n1 == 0, let r, r.type == f.type {
        columns.append(ColumnRef(column: r, indices: nil))
        continue
      }
      let a = try l.map { try converted(try denseColumn($0, cancel: executor.cancel), to: f.type) }
      let b = try r.map { try converted($0, to: f.type) }
      columns.append(ColumnRef(column: concatenate(a, n1, b, n2, type: f.type), indices: nil))
      try executor.cancel?.check()
    }
    return Relation(fields: fields, columns: columns, rowCount: total, sourceName: input.sourceName)
  }

  package func explain(_ input: [String]) -> [String] {
    let onlyLeft = zip(fields, right).filter { $1 == nil }.map(\.0.name)
    let onlyRight = zip(fields, left).filter { $1 == nil }.map(\.0.name)
    var line = "Append \(tableName) (\(table.rowCount) rows) by column name"
    if !onlyLeft.isEmpty { line += "; null on its rows: " + onlyLeft.joined(separator: ", ") }
    if !onlyRight.isEmpty { line += "; null on the rows so far: " + onlyRight.joined(separator: ", ") }
    return [line]
  }
}

/// `column` as `type` (an int column as float; other types are already `type`).
private func converted(_ column: Column, to type: DataType) throws -> Column {
  guard type == .float, case .int(let b) = column.values else { return column }
  let out = ColumnBuffer<Double>(zeroed: column.count)
  for i in 0..<column.count { out.base[i] = Double(b.base[i]) }
  return Column(values: .float(out), validity: column.validity)
}

/// `a` (n1 rows, or nulls when nil) then `b` (n2 rows, or nulls when nil), both of `type`.
private func concatenate(_ a: Column?, _ n1: Int, _ b: Column?, _ n2: Int, type: DataType) -> Column {
  let n = n1 + n2
  // Validity: none when neither side has a null.
  var validity: ColumnBuffer<UInt8>?
  if a == nil || b == nil || a?.validity != nil || b?.validity != nil {
    let v = ColumnBuffer<UInt8>(zeroed: n)
    if let a {
      if let av = a.validity { memcpy(v.base, av.base, n1) } else { memset(v.base, 1, n1) }
    }
    if let b {
      if let bv = b.validity { memcpy(v.base + n1, bv.base, n2) } else { memset(v.base + n1, 1, n2) }
    }
    validity = v
  }
  func joined<T>(_ pa: UnsafeMutablePointer<T>?, _ pb: UnsafeMutablePointer<T>?) -> ColumnBuffer<T> {
    let out = ColumnBuffer<T>(zeroed: n)  // nulls stay 0
    if let pa { memcpy(out.base, pa, n1 * MemoryLayout<T>.stride) }
    if let pb { memcpy(out.base + n1, pb, n2 * MemoryLayout<T>.stride) }
    return out
  }
  switch type {
  case .int:
    func p(_ c: Column?) -> UnsafeMutablePointer<Int64>? { if case .int(let x) = c?.values { return x.base }; return nil }
    return Column(values: .int(joined(p(a), p(b))), validity: validity)
  case .date:
    func p(_ c: Column?) -> UnsafeMutablePointer<Int64>? { if case .date(let x) = c?.values { return x.base }; return nil }
    return Column(values: .date(joined(p(a), p(b))), validity: validity)
  case .float:
    func p(_ c: Column?) -> UnsafeMutablePointer<Double>? { if case .float(let x) = c?.values { return x.base }; return nil }
    return Column(values: .float(joined(p(a), p(b))), validity: validity)
  case .bool:
    func p(_ c: Column?) -> UnsafeMutablePointer<UInt8>? { if case .bool(let x) = c?.values { return x.base }; return nil }
    return Column(values: .bool(joined(p(a), p(b))), validity: validity)
  case .text:
    func t(_ c: Column?) -> (ColumnBuffer<UInt32>, TextDictionary)? { if case .text(let x, let d) = c?.values { return (x, d) }; return nil }
    let ta = t(a)
    let tb = t(b)
    // The dictionary: the first side's when the second has none or shares it; else a new one
    // holding the first's values in the same order (its codes unchanged), then the second's.
    let dict: TextDictionary
    var remap: [UInt32]?
    if let (_, da) = ta, tb == nil || tb?.1 === da, da.count > 0 {
      dict = da
    } else if ta == nil, let (_, db) = tb, db.count > 0 {
      dict = db
    } else {
      dict = TextDictionary(capacity: (ta?.1.count ?? 0) + (tb?.1.count ?? 0) + 1)
      if let (_, da) = ta { for c in 0..<UInt32(da.count) { _ = dict.intern(bytes: da.bytes(of: c)) } }
      if let (_, db) = tb { remap = (0..<UInt32(db.count)).map { dict.intern(bytes: db.bytes(of: $0)) } }
      if dict.count == 0 { _ = dict.intern("") }
    }
    let out = ColumnBuffer<UInt32>(zeroed: n)
    if let (ca, _) = ta { memcpy(out.base, ca.base, n1 * 4) }
    if let (cb, _) = tb {
      if let remap {
        remap.withUnsafeBufferPointer { m in
          for i in 0..<n2 {
            let c = Int(cb.base[i])
            out.base[n1 + i] = c < m.count ? m[c] : 0
          }
        }
      } else {
        memcpy(out.base + n1, cb.base, n2 * 4)
      }
    }
    return Column(values: .text(out, dict), validity: validity)
  }
}
