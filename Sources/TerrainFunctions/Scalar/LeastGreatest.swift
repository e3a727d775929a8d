import Foundation
import TerrainStorage
import TerrainSyntax
import TerrainPlanner
import TerrainExecution

/// `least(a, b, …)`, `greatest(a, b, …)`: nulls skipped; one typed pass per argument except on text.
struct Extreme: ScalarFunctionImplementation {
  let name: String
  let help: FunctionHelp
  let least: Bool
  let signatures: [[DataType]] = [[.int, .int], [.float, .float], [.int, .float], [.bool, .bool], [.text, .text], [.int]]

  static let least = Extreme(name: "least",
    help: FunctionHelp("least(a, b, …)", "smallest non-null argument", example: "from communes | select m = least(population, 1000) | take 3"),
    least: true)
  static let greatest = Extreme(name: "greatest",
    help: FunctionHelp("greatest(a, b, …)", "largest non-null argument",
      example: "from communes | select m = greatest(population, 1000) | take 3"),
    least: false)

  func bind(_ call: FunctionCall) throws -> BoundCall {
    try call.arityAtLeastOne()
    return try call.compared()
  }

  func canFail(_ args: [BoundExpr], type: DataType) -> Bool { false }

  func kernel(_ args: [BoundExpr], type: DataType, span: Span, compiler: ExpressionCompiler) throws -> Kernel {
    let kernels = try args.kernels(compiler)
    if type != .text { return compiler.extremeKernel(kernels, type: type, least: least) }
    let wantLess = least
    return compiler.rowwiseKernel(kernels, args.map(\.type), type) { v in
      var best: Value = .null
      for x in v where !x.isNull {
        if best.isNull || (valueLess(x, best) == wantLess && !valueEqual(x, best)) { best = x }
      }
      return best
    }
  }
}
