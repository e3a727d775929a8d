import Foundation
import TerrainStorage
import TerrainSyntax
import TerrainPlanner
import TerrainExecution

/// `sqrt ln log10 exp`: a float function of a float, null outside its domain; `exp` overflows.
struct FloatFunction: ScalarFunctionImplementation {
  let name: String
  let help: FunctionHelp
  /// With a name, a non-finite result from a finite input is an overflow of the function.
  let overflowName: String?
  let f: @Sendable (Double) -> Double?
  let signatures: [[DataType]] = [[.int], [.float]]

  static let sqrt = FloatFunction(name: "sqrt",
    help: FunctionHelp("sqrt(x)", "square root (null for x < 0)", example: "from regions | select s = sqrt(superficie) | take 3"),
    overflowName: nil) { $0 < 0 ? nil : Foundation.sqrt($0) }
  static let ln = FloatFunction(name: "ln",
    help: FunctionHelp("ln(x)", "natural logarithm (null for x ≤ 0)", example: "from regions | select l = ln(population) | take 3"),
    overflowName: nil) { $0 <= 0 ? nil : Foundation.log($0) }
  static let log10 = FloatFunction(name: "log10",
    help: FunctionHelp("log10(x)", "base-10 logarithm", example: "from regions | select l = log10(population) | take 3"),
    overflowName: nil) { $0 <= 0 ? nil : Foundation.log10($0) }
  static let exp = FloatFunction(name: "exp",
    help: FunctionHelp("exp(x)", "e to the x (overflow is an error)", example: "from regions | select e = exp(1) | take 1"),
    overflowName: "`exp`") { Foundation.exp($0) }

  func bind(_ call: FunctionCall) throws -> BoundCall {
    try call.arity(1)
    return BoundCall([call.cast(try call.numeric(0), .float)], .float)
  }

  func canFail(_ args: [BoundExpr], type: DataType) -> Bool { overflowName != nil }

  func kernel(_ args: [BoundExpr], type: DataType, span: Span, compiler: ExpressionCompiler) throws -> Kernel {
    let kernels = try args.kernels(compiler)
    return compiler.floatMap(kernels[0], span: span, overflowName: overflowName, f)
  }
}
