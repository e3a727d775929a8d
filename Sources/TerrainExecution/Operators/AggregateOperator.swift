// The operator of `aggregate`: a hash aggregation (Aggregation.swift), then the outputs over it.

import TerrainStorage
import TerrainSyntax
import TerrainPlanner

extension AggregateStep: PhysicalStep {
  package func run(_ input: Relation, _ executor: Executor) throws -> Relation {
    let grouped = try aggregate(input, keys: keys, keyNames: keyNames, specs: specs, cancel: executor.cancel)
    return try executor.project(grouped, outputs, names)
  }

  package func explain(_ input: [String]) -> [String] {
    let aggs = specs.enumerated().map { i, s in
      "agg\(i) = \(s.function.rawValue)(\(s.argument.map { explained($0, input) } ?? ""))"
    }
    var head = "HashAggregate " + aggs.joined(separator: ", ")
    if !keys.isEmpty { head += " by " + zip(keyNames, keys).map { n, k in explained(k, input) == n ? n : "\(n) = \(explained(k, input))" }.joined(separator: ", ") }
    let inner = keyNames + specs.indices.map { "agg\($0)" }
    let post = zip(names, outputs).map { n, e in explained(e, inner) == n ? n : "\(n) = \(explained(e, inner))" }
    return [head, "Project " + post.joined(separator: ", ")]
  }
}
