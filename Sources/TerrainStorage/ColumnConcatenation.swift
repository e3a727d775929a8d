// Two columns of one type, one after the other, in a new column (see `concatenatedColumn`).

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `a` (n1 rows, or nulls when nil) then `b` (n2 rows, or nulls when nil), both of `type`: bulk
/// copies, text codes of `a` kept and those of `b` remapped once per dictionary value (`append`,
/// and the parts of a table read from PostgreSQL on several connections). Throws
/// `AllocationFailure` when the memory cannot hold the new column.
package func concatenatedColumn(_ a: Column?, _ n1: Int, _ b: Column?, _ n2: Int, type: DataType) throws -> Column {
  let (n, overflow) = n1.addingReportingOverflow(n2)
  if overflow { throw AllocationFailure(bytes: Int.max) }
  // Validity: none when neither side has a null.
  var validity: ColumnBuffer<UInt8>?
  if a == nil || b == nil || a?.validity != nil || b?.validity != nil {
    let v = try ColumnBuffer<UInt8>(checkedZeroed: n)
    if let a {
      if let av = a.validity { memcpy(v.base, av.base, n1) } else { memset(v.base, 1, n1) }
    }
    if let b {
      if let bv = b.validity { memcpy(v.base + n1, bv.base, n2) } else { memset(v.base + n1, 1, n2) }
    }
    validity = v
  }
  func joined<T>(_ pa: UnsafeMutablePointer<T>?, _ pb: UnsafeMutablePointer<T>?) throws -> ColumnBuffer<T> {
    let out = try ColumnBuffer<T>(checkedZeroed: n)  // nulls stay 0
    if let pa { memcpy(out.base, pa, n1 * MemoryLayout<T>.stride) }
    if let pb { memcpy(out.base + n1, pb, n2 * MemoryLayout<T>.stride) }
    return out
  }
  switch type {
  case .int:
    func p(_ c: Column?) -> UnsafeMutablePointer<Int64>? { if case .int(let x) = c?.values { return x.base }; return nil }
    return Column(values: .int(try joined(p(a), p(b))), validity: validity)
  case .date:
    func p(_ c: Column?) -> UnsafeMutablePointer<Int64>? { if case .date(let x) = c?.values { return x.base }; return nil }
    return Column(values: .date(try joined(p(a), p(b))), validity: validity)
  case .float:
    func p(_ c: Column?) -> UnsafeMutablePointer<Double>? { if case .float(let x) = c?.values { return x.base }; return nil }
    return Column(values: .float(try joined(p(a), p(b))), validity: validity)
  case .bool:
    func p(_ c: Column?) -> UnsafeMutablePointer<UInt8>? { if case .bool(let x) = c?.values { return x.base }; return nil }
    return Column(values: .bool(try joined(p(a), p(b))), validity: validity)
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
      if let (_, da) = ta { for c in 0..<UInt32(da.count) { _ = try dict.checkedIntern(bytes: da.bytes(of: c)) } }
      if let (_, db) = tb { remap = try (0..<UInt32(db.count)).map { try dict.checkedIntern(bytes: db.bytes(of: $0)) } }
      if dict.count == 0 { _ = dict.intern("") }
    }
    let out = try ColumnBuffer<UInt32>(checkedZeroed: n)
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
