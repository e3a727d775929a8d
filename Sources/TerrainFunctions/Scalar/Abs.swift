import Foundation
import TerrainStorage
import TerrainSyntax
import TerrainPlanner
import TerrainExecution

/// `abs(x)`: on ints, `abs` of the smallest int overflows.
struct Abs: ScalarFunctionImplementation {
  let name = "abs"
  let help = FunctionHelp("abs(x)", "absolute value", example: "from regions | select nom, d = abs(population - 5000000) | take 3")
  let signatures: [[DataType]] = [[.int], [.float]]

  func bind(_ call: FunctionCall) throws -> BoundCall {
    try call.arity(1)
    let x = try call.numeric(0, expected: nil)
    return BoundCall([x], x.type)
  }

  func canFail(_ args: [BoundExpr], type: DataType) -> Bool { type == .int }

  func kernel(_ args: [BoundExpr], type: DataType, span: Span, compiler: ExpressionCompiler) throws -> Kernel {
    let kernels = try args.kernels(compiler)
    return try compiler.numericMap(kernels[0], type: type, span: span) { x in Swift.abs(x) } intOp: { x in
      x == Int64.min ? nil : Swift.abs(x)
    }
  }
}
