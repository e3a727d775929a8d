// The standard registry: every built-in scalar function and aggregate, in `.help` order. Each
// definition (its own file under Scalar/ or Aggregate/) holds the name, binding and result-type
// rule, whether it can fail, the kernel or accumulator, and the help with an example.

import TerrainStorage
import TerrainPlanner
import TerrainExecution

/// A scalar function as this module defines it: binding (planner) and kernel (execution) in one value.
package typealias ScalarFunctionImplementation = ScalarFunctionDefinition & ScalarKernelBuilder

/// An aggregate as this module defines it: binding (planner) and accumulator (execution) in one value.
package typealias AggregateImplementation = AggregateDefinition & AccumulatorBuilder

/// A window function as this module defines it: binding (planner) and per-partition kernel
/// (execution) in one value.
package typealias WindowImplementation = WindowFunctionDefinition & WindowKernelBuilder

extension FunctionRegistry {
  /// The built-in functions and aggregates, in the order `.help` lists them.
  package static let standard = FunctionRegistry(
    scalars: [
      Abs(), Round(), Rounding.floor, Rounding.ceil,
      FloatFunction.sqrt, FloatFunction.ln, FloatFunction.log10, FloatFunction.exp, Pow(),
      Extreme.least, Extreme.greatest,
      TextMap.lower, TextMap.upper, Length(), TextMap.trim, Substr(), Replace(),
      TextTest.startsWith, TextTest.contains,
      TextPart.left, TextPart.right, TextPart.lpad, TextPart.splitPart,
      RegexFunction.matches, RegexFunction.replace, RegexFunction.extract,
      Conversion.int, Conversion.float, Conversion.text,
      DateParse(), DatePart.year, DatePart.month, DatePart.day, DatePart.quarter, DatePart.weekday, DateTrunc(), MakeDate(),
      Today(),
    ] as [any ScalarFunctionImplementation],
    aggregates: [
      Count(), CountDistinct(), Sum(), Moment.avg, MinMax.min, MinMax.max, Median(), Quantile(), Moment.stddev,
      Moment.share,
    ] as [any AggregateImplementation],
    windows: [
      Ranking.rowNumber, Ranking.rank, Ranking.denseRank, Ranking.percentRank, Ntile(),
      Offset.lag, Offset.lead, FirstLast.first, FirstLast.last,
      Cumulative.cumsum, Cumulative.cummin, Cumulative.cummax, Rolling.sum, Rolling.avg,
    ] as [any WindowImplementation])
}

extension FunctionRegistry {
  package init(scalars: [any ScalarFunctionImplementation], aggregates: [any AggregateImplementation],
    windows: [any WindowImplementation] = []) {
    self.init(scalars: scalars.map { $0 as any ScalarFunctionDefinition }, aggregates: aggregates.map { $0 as any AggregateDefinition },
      windows: windows.map { $0 as any WindowFunctionDefinition })
  }
}

extension ScalarFunction {
  /// The standard registry's scalar functions, in `.help` order.
  package static var allCases: [ScalarFunction] { FunctionRegistry.standard.scalars }
}

extension AggregateFunction {
  /// The standard registry's aggregates, in `.help` order.
  package static var allCases: [AggregateFunction] { FunctionRegistry.standard.aggregates }
}

extension Array where Element == BoundExpr {
  /// Whether every argument after the first is a constant (the fast paths then compute the
  /// function once per distinct value of the first).
  var restAreConstant: Bool { dropFirst().allSatisfy { $0.constantValue != nil } }

  /// The value of argument `i` when it is a constant, else (or when absent) null.
  func constant(_ i: Int) -> Value { i < count ? (self[i].constantValue ?? .null) : .null }

  /// Each argument's kernel.
  func kernels(_ compiler: ExpressionCompiler) throws -> [Kernel] { try map { try compiler.compile($0) } }
}
