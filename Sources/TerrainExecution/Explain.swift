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

/// `.explain`'s lines for `steps`, each given with the names of the columns coming into it:
/// one line per operator, each under the one before and indented one level deeper (the first
/// at `depth`), a step's details (the sub-plans it runs) under it. Returns the lines and the
/// depth after the last.
package func explainSteps(_ steps: [(step: PlanStep, input: [String])], depth start: Int) -> (lines: [String], depth: Int) {
  func indent(_ d: Int) -> String { String(repeating: "  ", count: d) }
  var lines: [String] = []
  var depth = start
  for (i, s) in steps.enumerated() {
    var described = s.step.describe(s.input)
    if i + 1 < steps.count, fusesAsMaskedAggregate(s.step, steps[i + 1].step) {
      described = described.map { $0 + "  [as a mask of the aggregate below: one pass, no row selection]" }
    }
    for line in described {
      lines.append(indent(depth) + "→ " + line)
      depth += 1
    }
    if let op = s.step as? any PhysicalStep {
      lines += op.explainDetails(s.input).map { indent(depth) + "  " + $0 }
    }
  }
  return (lines, depth)
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
