import Foundation
import TerrainStorage
import TerrainSyntax
import TerrainPlanner
import TerrainExecution

/// `floor(x)`, `ceil(x)`: the int of an int (said to fail on ints, as `abs` and `round` do).
struct Rounding: ScalarFunctionImplementation {
  let name: String
  let help: FunctionHelp
  let rule: FloatingPointRoundingRule
  let signatures: [[DataType]] = [[.int], [.float]]

  static let floor = Rounding(name: "floor",
    help: FunctionHelp("floor(x)", "largest integer ≤ x", example: "from regions | select f = floor(superficie) | take 3"), rule: .down)
  static let ceil = Rounding(name: "ceil",
    help: FunctionHelp("ceil(x)", "smallest integer ≥ x", example: "from regions | select c = ceil(superficie) | take 3"), rule: .up)

  func bind(_ call: FunctionCall) throws -> BoundCall {
    try call.arity(1)
    let x = try call.numeric(0, expected: nil)
    return BoundCall([x], x.type)
  }

  func canFail(_ args: [BoundExpr], type: DataType) -> Bool { type == .int }

  func kernel(_ args: [BoundExpr], type: DataType, span: Span, compiler: ExpressionCompiler) throws -> Kernel {
    let kernels = try args.kernels(compiler)
    if rule == .down {
      return try compiler.numericMap(kernels[0], type: type, span: span) { x in x.rounded(.down) } intOp: { x in x }
    }
    return try compiler.numericMap(kernels[0], type: type, span: span) { x in x.rounded(.up) } intOp: { x in x }
  }
}
