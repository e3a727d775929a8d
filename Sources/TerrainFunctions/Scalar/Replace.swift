import Foundation
import TerrainStorage
import TerrainSyntax
import TerrainPlanner
import TerrainExecution

/// `replace(s, from, to)`: every occurrence, on UTF-8 bytes.
struct Replace: ScalarFunctionImplementation {
  let name = "replace"
  let help = FunctionHelp("replace(s, from, to)", "replaces every occurrence",
    example: "from regions | select r = replace(nom, \"-\", \" \") | take 3")
  let signatures: [[DataType]] = [[.text, .text, .text]]

  func bind(_ call: FunctionCall) throws -> BoundCall {
    try call.arity(3)
    return BoundCall(try call.args.indices.map { try call.text($0) }, .text)
  }

  func canFail(_ args: [BoundExpr], type: DataType) -> Bool { false }

  func kernel(_ args: [BoundExpr], type: DataType, span: Span, compiler: ExpressionCompiler) throws -> Kernel {
    let kernels = try args.kernels(compiler)
    if args.restAreConstant {
      guard case .text(let from) = args.constant(1), case .text(let to) = args.constant(2) else {
        return compiler.textMapKernel(kernels[0]) { _ in nil }
      }
      return compiler.textMapKernel(kernels[0]) { s in replaceBytes(s, from, to) }
    }
    return compiler.rowwiseKernel(kernels, args.map(\.type), type) { v in
      guard case .text(let s) = v[0] else { return .null }
      guard case .text(let a) = v[1], case .text(let b) = v[2] else { return .null }
      return .text(replaceBytes(s, a, b))
    }
  }
}
