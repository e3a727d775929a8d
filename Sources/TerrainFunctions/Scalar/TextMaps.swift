import Foundation
import TerrainStorage
import TerrainSyntax
import TerrainPlanner
import TerrainExecution

/// `lower upper trim`: text to text, computed once per distinct value.
struct TextMap: ScalarFunctionImplementation {
  let name: String
  let help: FunctionHelp
  let f: @Sendable (String) -> String
  let signatures: [[DataType]] = [[.text]]

  static let lower = TextMap(name: "lower",
    help: FunctionHelp("lower(s)", "lower case", example: "from regions | select l = lower(nom) | take 3")) { $0.lowercased() }
  static let upper = TextMap(name: "upper",
    help: FunctionHelp("upper(s)", "upper case", example: "from regions | select u = upper(nom) | take 3")) { $0.uppercased() }
  static let trim = TextMap(name: "trim",
    help: FunctionHelp("trim(s)", "removes surrounding spaces", example: "from regions | select t = trim(nom) | take 3")) {
      $0.trimmingCharacters(in: .whitespacesAndNewlines)
    }

  func bind(_ call: FunctionCall) throws -> BoundCall {
    try call.arity(1)
    return BoundCall([try call.text(0)], .text)
  }

  func canFail(_ args: [BoundExpr], type: DataType) -> Bool { false }

  func kernel(_ args: [BoundExpr], type: DataType, span: Span, compiler: ExpressionCompiler) throws -> Kernel {
    let kernels = try args.kernels(compiler)
    return compiler.textMapKernel(kernels[0], f)
  }
}
