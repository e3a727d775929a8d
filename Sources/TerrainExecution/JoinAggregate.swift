// `join T on k | aggregate … by <columns of T>` in one pass over the pipeline's rows: each
// row's group is read through its key's dictionary code (an array per code, filled once),
// so neither the joined relation's index vectors nor its gathered key column are built.

import TerrainStorage
import TerrainSyntax
import TerrainPlanner

/// `join` then `aggregate`, fused, when: the join has one text key; every `by` key is a bare
/// column of the joined table; every aggregate argument reads only the pipeline's columns; and
/// every pipeline row finds exactly one row of the joined table (so the join neither drops nor
/// repeats a row, and `left` changes nothing). The groups come out in the order the unfused
/// steps give (first appearance along the pipeline's rows) and each group's rows are
/// accumulated in the same order and ranges, so the answers are the same to the bit. nil when
/// it does not apply — including when some row matches no row or several — and the caller
/// runs the two steps.
package func joinedAggregate(_ rel: Relation, join: JoinStep, aggregate: AggregateStep,
  cancel: CancellationFlag?) throws -> Relation? {
  let leftCount = rel.columns.count
  guard join.probeKeys.count == 1, join.buildKeys.count == 1, join.probeKeys[0].type == .text,
    join.buildKeys[0].type == .text, !aggregate.keys.isEmpty, rel.rowCount < Int(Int32.max)
  else { return nil }
  var keyColumns: [Column] = []
  for key in aggregate.keys {
    guard case .column(let i, _) = key, i >= leftCount, i - leftCount < join.keptRight.count,
      join.keptRight[i - leftCount] < join.table.columns.count
    else { return nil }
    keyColumns.append(join.table.columns[join.keptRight[i - leftCount]])
  }
  guard aggregate.specs.allSatisfy({ $0.argument?.columnsRead.allSatisfy { $0 < leftCount } ?? true }) else { return nil }

  // The joined table: the row of each key code (-1 none, -2 several), and its rows grouped.
  let build = Relation(table: join.table, name: join.tableName)
  let buildKey = try ExpressionCompiler(relation: build).evaluateColumn(join.buildKeys[0], cancel: cancel)
  guard case .text(let buildCodes, let buildDict) = buildKey.values, buildKey.count == build.rowCount else { return nil }
  var rowOfCode: [Int32] = try checkedArray(repeating: -1, count: buildDict.count)
  let buildValid = buildKey.validity?.base
  for r in 0..<build.rowCount where buildValid?[r] ?? 1 != 0 {
    let c = Int(buildCodes.base[r])
    guard c < rowOfCode.count else { return nil }
    rowOfCode[c] = rowOfCode[c] == -1 ? Int32(r) : -2
  }
  let (buildGroups, buildFirsts) = try groupRows(keyColumns, rowCount: build.rowCount, cancel: cancel)
  let groupCount = buildFirsts.count

  // One pass over the pipeline's rows: each row's group (a group of the joined table's rows)
  // and, per range, each group's first row; nil from a range with a row that does not match
  // exactly one row.
  let ids = try BufferBuilder<Int32>(checkedCapacity: rel.rowCount)
  let out = try ids.tail(reserving: rel.rowCount)
  ids.advance(by: rel.rowCount)
  let ranges = workerRanges(rel.rowCount)
  let firsts = try runRanges(ranges) { _, range -> [Int32]? in
    var first: [Int32] = try checkedArray(repeating: -1, count: groupCount)
    var groupOfCode: [Int32] = []
    var mapped: TextDictionary? = nil
    var matched = true
    let compiler = ExpressionCompiler(relation: rel)
    try compiler.forEachChunk(join.probeKeys[0], in: range, cancel: cancel) { start, n, v in
      guard matched, let d = v.dictionary else {
        matched = false
        return
      }
      if mapped !== d {
        mapped = d
        groupOfCode = groupsOfCodes(d, buildDict, rowOfCode, buildGroups)
      }
      let codes = v.codes()
      let valid = v.validity
      matched = groupOfCode.withUnsafeBufferPointer { g in
        first.withUnsafeMutableBufferPointer { f in
          for i in 0..<n {
            let c = Int(codes[i])
            guard valid?[i] ?? 1 != 0, c < g.count else { return false }
            let group = g[c]
            guard group >= 0 else { return false }
            out[start + i] = group
            if f[Int(group)] < 0 { f[Int(group)] = Int32(truncatingIfNeeded: start + i) }
          }
          return true
        }
      }
    }
    return matched ? first : nil
  }
  // The groups in order of their first row along the pipeline.
  var firstRow: [Int32] = try checkedArray(repeating: -1, count: groupCount)
  for part in firsts {
    guard let part else { return nil }
    for g in 0..<groupCount where firstRow[g] < 0 { firstRow[g] = part[g] }
  }
  let order = (0..<groupCount).filter { firstRow[$0] >= 0 }.sorted { firstRow[$0] < firstRow[$1] }
  let picked = IndexVector(ColumnBuffer(order.map { Int32(truncatingIfNeeded: $0) }))
  let keyRows = IndexVector(ColumnBuffer(order.map { buildFirsts[$0] }))

  let groupIDs = ids.finish()
  var fields: [Field] = []
  var columns: [ColumnRef] = []
  for (k, col) in keyColumns.enumerated() {
    fields.append(Field(name: aggregate.keyNames[k], type: col.type))
    columns.append(ColumnRef(column: try gatherColumn(col, keyRows, cancel: cancel), indices: nil))
  }
  for (i, spec) in aggregate.specs.enumerated() {
    let acc = try accumulate(spec, groups: groupCount, relation: rel, ranges: ranges, cancel: cancel) { start, _ in
      UnsafePointer(groupIDs.base + start)
    }
    fields.append(Field(name: "agg\(i)", type: spec.resultType))
    columns.append(ColumnRef(column: try gatherColumn(try acc.finish(), picked, cancel: cancel), indices: nil))
  }
  return Relation(fields: fields, columns: columns, rowCount: order.count, sourceName: rel.sourceName)
}

/// For each code of `dict` (the pipeline's key column), the group of the one row of the joined
/// table with that value: -1 when no row or several rows have it.
private func groupsOfCodes(_ dict: TextDictionary, _ buildDict: TextDictionary, _ rowOfCode: [Int32],
  _ buildGroups: ColumnBuffer<Int32>) -> [Int32] {
  return (0..<dict.count).map { c in
    let code = dict === buildDict ? c : buildDict.code(of: dict.string(c)).map { Int($0) } ?? -1
    guard code >= 0, code < rowOfCode.count else { return -1 }
    let row = rowOfCode[code]
    return row >= 0 ? buildGroups.base[Int(row)] : -1
  }
}
