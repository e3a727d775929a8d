// The operator of `sort` (a top-N when a `take` follows): a permutation (Sorting.swift).

import TerrainStorage
import TerrainSyntax
import TerrainPlanner

extension SortStep: PhysicalStep {
  package func run(_ input: Relation, _ executor: Executor) throws -> Relation {
    let compiler = ExpressionCompiler(relation: input)
    let columns = try keys.map { (try compiler.evaluateColumn($0.0, cancel: executor.cancel), $0.descending) }
    let perm = try sortPermutation(columns, rowCount: input.rowCount, limit: limit, collation: collation,
      cancel: executor.cancel)
    return try input.selecting(IndexVector(ColumnBuffer(checkedCopying: perm)))
  }

  package func explain(_ input: [String]) -> [String] {
    let k = keys.map { "\(explained($0.0, input))\($0.descending ? " desc" : "")" }.joined(separator: ", ")
    return [limit.map { "TopN \($0) by \(k)" } ?? "Sort \(k)"]
  }
}
