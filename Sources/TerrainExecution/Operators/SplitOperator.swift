// The operator of `split COL on "SEP"`: each dictionary value is cut once (not each row), the
// other columns are read through one index vector repeating each row once per part.

import TerrainStorage
import TerrainSyntax
import TerrainPlanner

extension SplitStep: PhysicalStep {
  package func run(_ input: Relation, _ executor: Executor) throws -> Relation {
    let n = input.rowCount
    let source = try denseColumn(input.columns[column], cancel: executor.cancel)
    guard case .text(let codes, let dict) = source.values else {
      throw Diagnostic(.splitNotTextInternal)
    }
    let valid = source.validity?.base
    let sep = Array(separator.utf8)
    let parts = TextDictionary()
    // Per code of `dict`: its parts' codes in `partCodes[start[c]..<start[c] + count[c]]`,
    // computed on first use.
    var start: [Int] = try checkedArray(repeating: -1, count: dict.count)
    var count: [Int] = try checkedArray(repeating: 0, count: dict.count)
    var partCodes: [UInt32] = []
    func cut(_ c: Int) throws {
      start[c] = partCodes.count
      let bytes = dict.bytes(of: UInt32(c))
      let m = bytes.count
      var from = 0
      var i = 0
      try sep.withUnsafeBufferPointer { s in
        let k = s.count
        while i + k <= m {
          var hit = true
          for t in 0..<k where bytes[i + t] != s[t] {
            hit = false
            break
          }
          if hit {
            partCodes.append(try parts.checkedIntern(bytes: UnsafeRawBufferPointer(rebasing: bytes[from..<i])))
            i += k
            from = i
          } else {
            i += 1
          }
        }
      }
      partCodes.append(try parts.checkedIntern(bytes: UnsafeRawBufferPointer(rebasing: bytes[from..<m])))
      count[c] = partCodes.count - start[c]
    }
    // Parts multiply rows: both grow through checked appends.
    let rows = try BufferBuilder<Int32>(checkedCapacity: n + 16)
    let out = try BufferBuilder<UInt32>(checkedCapacity: n + 16)
    let validity = ValidityBuilder()
    for r in 0..<n {
      if let valid, valid[r] == 0 {
        try rows.append(Int32(r))
        try out.append(0)
        try validity.appendNull()
        continue
      }
      let c = Int(codes.base[r])
      guard c < start.count else { continue }
      if start[c] < 0 { try cut(c) }
      let s = start[c]
      for j in 0..<count[c] {
        try rows.append(Int32(r))
        try out.append(partCodes[s + j])
        try validity.appendValid()
      }
      guard rows.count <= Int(Int32.max) - 1_000_000 else {
        throw Diagnostic(.tooManyRows, "split", "more than \(rows.count)", String(Int32.max))
      }
      if r & 0xFFFF == 0 { try executor.cancel?.check() }
    }
    if parts.count == 0 { _ = parts.intern("") }
    let index = IndexVector(rows.finish())
    let repeated = try input.selecting(index)
    var columns = repeated.columns
    columns[column] = ColumnRef(column: Column(values: .text(out.finish(), parts), validity: validity.finish()), indices: nil)
    return Relation(fields: input.fields, columns: columns, rowCount: index.count, sourceName: input.sourceName)
  }

  package func explain(_ input: [String]) -> [String] {
    let name = column < input.count ? input[column] : "#\(column)"
    return ["Split \(name) on \"\(separator)\" (each distinct value cut once; one row per part)"]
  }
}
