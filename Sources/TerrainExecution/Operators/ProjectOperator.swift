// The operator of `select`, `derive` and `drop`: exactly these output columns.

import TerrainStorage
import TerrainSyntax
import TerrainPlanner

extension ProjectStep: PhysicalStep {
  package func run(_ input: Relation, _ executor: Executor) throws -> Relation {
    try executor.project(input, exprs, names)
  }

  package func explain(_ input: [String]) -> [String] {
    var kept = 0
    var items: [String] = []
    for (n, e) in zip(names, exprs) {
      if case .column(let i, _) = e, i < input.count, input[i] == n { kept += 1 } else { items.append("\(n) = \(explained(e, input))") }
    }
    if items.isEmpty { return ["Project " + names.joined(separator: ", ")] }
    let keeps = kept > 0 ? " (and \(kept) column\(kept == 1 ? "" : "s") kept)" : ""
    return ["Project " + items.joined(separator: ", ") + keeps]
  }
}
