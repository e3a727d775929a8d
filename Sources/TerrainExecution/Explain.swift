// `.explain`: the steps of a plan as they will run, with constants folded as the kernels fold them.

import TerrainStorage
import TerrainPlanner

extension LogicalStep {
  /// The lines `.explain` shows for this step, with constants folded as they will run (each
  /// operator's `explain`).
  package func describe(_ input: [String]) -> [String] {
    (self as? any PhysicalStep)?.explain(input) ?? ["\(type(of: self)) (no operator)"]
  }
}

/// `e` as `.explain` shows it: folded as the kernels fold it, columns named by `names`.
package func explained(_ e: BoundExpr, _ names: [String]) -> String { ExpressionCompiler.fold(e).describe(names) }

/// Constant folding for the planner, by the kernels the expression would run with.
package struct KernelConstants: ConstantEvaluator {
  package init() {}

  package func value(of e: BoundExpr) throws -> Value {
    try ExpressionCompiler.evaluateConstant(e)
  }
}
