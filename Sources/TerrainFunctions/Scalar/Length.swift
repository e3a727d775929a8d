import Foundation
import TerrainStorage
import TerrainSyntax
import TerrainPlanner
import TerrainExecution

/// `length(s)`: Unicode scalars, once per distinct value.
struct Length: ScalarFunctionImplementation {
  let name = "length"
  let help = FunctionHelp("length(s)", "number of characters", example: "from regions | select nom, n = length(nom) | take 3")
  let signatures: [[DataType]] = [[.text]]

  func bind(_ call: FunctionCall) throws -> BoundCall {
    try call.arity(1)
    return BoundCall([try call.text(0)], .int)
  }

  func canFail(_ args: [BoundExpr], type: DataType) -> Bool { false }

  func kernel(_ args: [BoundExpr], type: DataType, span: Span, compiler: ExpressionCompiler) throws -> Kernel {
    let kernels = try args.kernels(compiler)
    return compiler.textToValueKernel(kernels[0], zero: Int64(0)) { Int64($0.unicodeScalars.count) }
  }
}
