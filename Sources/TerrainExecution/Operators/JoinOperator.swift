// The operator of `join`: a hash join (HashJoin.swift), then the kept right columns.

import TerrainStorage
import TerrainSyntax
import TerrainPlanner

extension JoinStep: PhysicalStep {
  package func run(_ input: Relation, _ executor: Executor) throws -> Relation {
    let rel = input
    let build = Relation(table: table, name: tableName)
    let (probeRows, buildRows) = try hashJoin(probe: rel, probeKeys: probeKeys, build: build, buildKeys: buildKeys,
      left: left, cancel: executor.cancel)
    let leftPart = try rel.selecting(probeRows)
    let rightCols = keptRight.map { ColumnRef(column: table.columns[$0], indices: buildRows) }
    return Relation(fields: zip(names, leftPart.columns.map(\.type) + rightCols.map(\.type)).map { Field(name: $0, type: $1) },
      columns: leftPart.columns + rightCols, rowCount: probeRows.count, sourceName: rel.sourceName)
  }

  package func explain(_ input: [String]) -> [String] {
    let right = table.columnNames
    let name = tableName
    return ["HashJoin\(left ? " left" : "") \(name) on " + zip(probeKeys.map { explained($0, input) }, buildKeys).map { "\($0) == \(name).\($1.describe(right))" }.joined(separator: " and ")]
  }
}
