// What the planner needs from the layer that runs expressions.

import TerrainStorage

/// Computes the value of an expression that reads no column (`take 2 * 5`, `quantile(x, 1/2)`,
/// an option's value). The execution layer implements it with the kernels the expression would
/// run with, so a constant fails with the error it would raise at run time (an overflow at its
/// span), and the planner never depends on the execution layer.
package protocol ConstantEvaluator {
  /// The value of `e`, which reads no column.
  func value(of e: BoundExpr) throws -> Value
}

extension ConstantEvaluator {
  /// The value of `e` when it reads no column, nil when it does.
  package func constantValue(of e: BoundExpr) throws -> Value? {
    e.isConstant ? try value(of: e) : nil
  }
}
