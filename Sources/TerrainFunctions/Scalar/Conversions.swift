import Foundation
import TerrainStorage
import TerrainSyntax
import TerrainPlanner
import TerrainExecution

/// `int(x)`, `float(x)`, `text(x)`: the casts, with errors at the call (a float too large for an
/// int fails; text that is not a number gives null).
struct Conversion: ScalarFunctionImplementation {
  let name: String
  let help: FunctionHelp
  let target: DataType
  let signatures: [[DataType]] = [[.int], [.float], [.text], [.bool]]

  static let int = Conversion(name: "int",
    help: FunctionHelp("int(x)", "converts to int (floats truncate; bad text gives null)",
      example: "from regions | select i = int(superficie) | take 3"),
    target: .int)
  static let float = Conversion(name: "float",
    help: FunctionHelp("float(x)", "converts to float", example: "from regions | select f = float(population) | take 3"),
    target: .float)
  static let text = Conversion(name: "text",
    help: FunctionHelp("text(x)", "converts to text", example: "from regions | select t = text(population) | take 3"),
    target: .text)

  func bind(_ call: FunctionCall) throws -> BoundCall {
    try call.arity(1)
    return BoundCall([try call.any(0)], target)
  }

  func canFail(_ args: [BoundExpr], type: DataType) -> Bool { target == .int && args[0].type == .float }

  func kernel(_ args: [BoundExpr], type: DataType, span: Span, compiler: ExpressionCompiler) throws -> Kernel {
    let kernels = try args.kernels(compiler)
    return try compiler.castKernel(kernels[0], from: args[0].type, to: target, span: span)
  }
}
