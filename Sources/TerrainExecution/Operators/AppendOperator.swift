// The operator of `append TABLE`: each output column is the input's column followed by the
// table's, concatenated by bulk copies (no per-row work where the types match; text codes
// of the first side are kept as they are, the second side's remapped once per dictionary
// value). When either side has no row, the other side's columns are passed through untouched.

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
      columns.append(ColumnRef(column: try concatenatedColumn(a, n1, b, n2, type: f.type), indices: nil))
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
  let out = try ColumnBuffer<Double>(checkedZeroed: column.count)
  for i in 0..<column.count { out.base[i] = Double(b.base[i]) }
  return Column(values: .float(out), validity: column.validity)
}
