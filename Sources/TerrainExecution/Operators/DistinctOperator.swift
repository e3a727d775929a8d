// The operator of `distinct`: the first row of each combination of the columns (KeyTable).

import TerrainStorage
import TerrainSyntax
import TerrainPlanner

extension DistinctStep: PhysicalStep {
  package func run(_ input: Relation, _ executor: Executor) throws -> Relation {
    let rel = input
    let cols = columns
    let compiler = ExpressionCompiler(relation: rel)
    let keyColumns = try cols.map { try compiler.evaluateColumn(.column($0, rel.fields[$0].type), cancel: executor.cancel) }
    let (_, firstRows) = try groupRows(keyColumns, rowCount: rel.rowCount, cancel: executor.cancel)
    let rows = rel.rowCount == 0 ? [] : firstRows
    return try rel.projecting(cols, names: cols.map { rel.fields[$0].name }).selecting(IndexVector(ColumnBuffer(checkedCopying: rows)))
  }

  package func explain(_ input: [String]) -> [String] {
    ["Distinct " + columns.map { $0 < input.count ? input[$0] : "#\($0)" }.joined(separator: ", ")]
  }
}
