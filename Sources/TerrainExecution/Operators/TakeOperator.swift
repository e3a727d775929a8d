// The operator of `take N`: the first N rows.

import TerrainStorage
import TerrainSyntax
import TerrainPlanner

extension TakeStep: PhysicalStep {
  package func run(_ input: Relation, _ executor: Executor) throws -> Relation {
    input.prefix(count)
  }

  package func explain(_ input: [String]) -> [String] { ["Take \(count)"] }
}
