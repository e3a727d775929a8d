// `.explain`: the steps of a plan as they will run, with constants folded as the kernels fold them.

import TerrainStorage
import TerrainPlanner

extension PlanStep {
  /// The lines `.explain` shows for this step, with constants folded as they will run.
  package func describe(_ input: [String]) -> [String] {
    func d(_ e: BoundExpr, _ names: [String]) -> String { ExpressionCompiler.fold(e).describe(names) }
    switch self {
    case .filter(let e): return ["Filter \(d(e, input))"]
    case .project(let es, let names):
      var kept = 0
      var items: [String] = []
      for (n, e) in zip(names, es) {
        if case .column(let i, _) = e, i < input.count, input[i] == n { kept += 1 } else { items.append("\(n) = \(d(e, input))") }
      }
      if items.isEmpty { return ["Project " + names.joined(separator: ", ")] }
      let keeps = kept > 0 ? " (and \(kept) column\(kept == 1 ? "" : "s") kept)" : ""
      return ["Project " + items.joined(separator: ", ") + keeps]
    case .aggregate(let keys, let keyNames, let specs, let outputs, let names):
      let aggs = specs.enumerated().map { i, s in
        "agg\(i) = \(s.function.rawValue)(\(s.argument.map { d($0, input) } ?? ""))"
      }
      var head = "HashAggregate " + aggs.joined(separator: ", ")
      if !keys.isEmpty { head += " by " + zip(keyNames, keys).map { n, k in d(k, input) == n ? n : "\(n) = \(d(k, input))" }.joined(separator: ", ") }
      let inner = keyNames + specs.indices.map { "agg\($0)" }
      let post = zip(names, outputs).map { n, e in d(e, inner) == n ? n : "\(n) = \(d(e, inner))" }
      return [head, "Project " + post.joined(separator: ", ")]
    case .sort(let keys, let limit):
      let k = keys.map { "\(d($0.0, input))\($0.descending ? " desc" : "")" }.joined(separator: ", ")
      return [limit.map { "TopN \($0) by \(k)" } ?? "Sort \(k)"]
    case .take(let n): return ["Take \(n)"]
    case .join(let table, let name, let left, let pk, let bk, _, _):
      let right = table.columnNames
      return ["HashJoin\(left ? " left" : "") \(name) on " + zip(pk.map { d($0, input) }, bk).map { "\($0) == \(name).\($1.describe(right))" }.joined(separator: " and ")]
    case .distinct(let cols): return ["Distinct " + cols.map { $0 < input.count ? input[$0] : "#\($0)" }.joined(separator: ", ")]
    }
  }
}

/// Constant folding for the planner, by the kernels the expression would run with.
package struct KernelConstants: ConstantEvaluator {
  package init() {}

  package func value(of e: BoundExpr) throws -> Value {
    try ExpressionCompiler.evaluateConstant(e)
  }
}
