// The operator of `unpivot`: the kept columns read through one repeating index vector (no
// copy), NAME as codes into a dictionary of the listed names (interned once), VALUE as the
// listed columns interleaved by typed loops.

import TerrainStorage
import TerrainSyntax
import TerrainPlanner

extension UnpivotStep: PhysicalStep {
  package func run(_ input: Relation, _ executor: Executor) throws -> Relation {
    let n = input.rowCount
    let k = listed.count
    let (total, overflow) = n.multipliedReportingOverflow(by: k)
    guard !overflow, total <= Int(Int32.max) else {
      throw Diagnostic(.tooManyRows, "unpivot", "\(n) × \(k)", String(Int32.max))
    }
    let cancel = executor.cancel
    // Each input row k times.
    let repeated = try ColumnBuffer<Int32>(checkedZeroed: total)
    let rows = repeated.base
    for i in 0..<n {
      for j in 0..<k { rows[i * k + j] = Int32(i) }
    }
    let keptPart = try input.projecting(kept, names: kept.map { input.fields[$0].name }).selecting(IndexVector(repeated))
    // NAME: the listed names, each interned once.
    let names = TextDictionary(capacity: k)
    for s in listedNames { _ = names.intern(s) }
    let codes = try ColumnBuffer<UInt32>(checkedZeroed: total)
    for i in 0..<n {
      for j in 0..<k { codes.base[i * k + j] = UInt32(j) }
    }
    let nameColumn = Column(values: .text(codes, names), validity: nil)
    // VALUE: the listed columns interleaved.
    let sources = try listed.map { try denseColumn(input.columns[$0], cancel: cancel) }
    try cancel?.check()
    let valueColumn = try interleave(sources, rowCount: n, type: valueType)
    return Relation(fields: fields,
      columns: keptPart.columns + [ColumnRef(column: nameColumn, indices: nil), ColumnRef(column: valueColumn, indices: nil)],
      rowCount: total, sourceName: input.sourceName)
  }

  package func explain(_ input: [String]) -> [String] {
    let shown = listedNames.count > 8 ? listedNames.prefix(8).joined(separator: ", ") + ", … (\(listedNames.count) columns)" : listedNames.joined(separator: ", ")
    return ["Unpivot \(shown) into \(fields[fields.count - 2].name), \(fields[fields.count - 1].name) (\(valueType.rawValue)); \(listedNames.count) rows per row"]
  }
}

/// Row `i * k + j` of the result is row `i` of `sources[j]` (each of `rowCount` rows), as `type`
/// (int sources become float when `type` is float; text codes are remapped into one dictionary
/// when the sources do not share theirs). Throws `AllocationFailure` when the memory cannot
/// hold the column.
private func interleave(_ sources: [Column], rowCount n: Int, type: DataType) throws -> Column {
  let k = sources.count
  let total = n * k
  var validity: ColumnBuffer<UInt8>?
  if sources.contains(where: { $0.validity != nil }) {
    let v = try ColumnBuffer<UInt8>(checkedZeroed: total)
    for (j, s) in sources.enumerated() {
      if let sv = s.validity {
        for i in 0..<n { v.base[i * k + j] = sv.base[i] }
      } else {
        for i in 0..<n { v.base[i * k + j] = 1 }
      }
    }
    validity = v
  }
  func fill<T>(_ out: ColumnBuffer<T>, _ j: Int, _ src: UnsafeMutablePointer<T>) {
    let o = out.base
    for i in 0..<n { o[i * k + j] = src[i] }
  }
  switch type {
  case .int:
    let out = try ColumnBuffer<Int64>(checkedZeroed: total)
    for (j, s) in sources.enumerated() { if case .int(let b) = s.values { fill(out, j, b.base) } }
    return Column(values: .int(out), validity: validity)
  case .date:
    let out = try ColumnBuffer<Int64>(checkedZeroed: total)
    for (j, s) in sources.enumerated() { if case .date(let b) = s.values { fill(out, j, b.base) } }
    return Column(values: .date(out), validity: validity)
  case .float:
    let out = try ColumnBuffer<Double>(checkedZeroed: total)
    for (j, s) in sources.enumerated() {
      switch s.values {
      case .float(let b): fill(out, j, b.base)
      case .int(let b):
        let o = out.base
        for i in 0..<n { o[i * k + j] = Double(b.base[i]) }
      default: break
      }
    }
    return Column(values: .float(out), validity: validity)
  case .bool:
    let out = try ColumnBuffer<UInt8>(checkedZeroed: total)
    for (j, s) in sources.enumerated() { if case .bool(let b) = s.values { fill(out, j, b.base) } }
    return Column(values: .bool(out), validity: validity)
  case .text:
    let out = try ColumnBuffer<UInt32>(checkedZeroed: total)
    var dicts: [TextDictionary] = []
    for s in sources { if case .text(_, let d) = s.values { dicts.append(d) } }
    let shared = dicts.first.flatMap { d in dicts.allSatisfy { $0 === d } ? d : nil }
    let dict = shared ?? TextDictionary()
    for (j, s) in sources.enumerated() {
      guard case .text(let codes, let d) = s.values else { continue }
      if shared != nil {
        fill(out, j, codes.base)
        continue
      }
      let remap = try (0..<UInt32(d.count)).map { try dict.checkedIntern(bytes: d.bytes(of: $0)) }
      remap.withUnsafeBufferPointer { m in
        let o = out.base
        for i in 0..<n {
          let c = Int(codes.base[i])
          o[i * k + j] = c < m.count ? m[c] : 0
        }
      }
    }
    if dict.count == 0 { _ = dict.intern("") }
    return Column(values: .text(out, dict), validity: validity)
  }
}
