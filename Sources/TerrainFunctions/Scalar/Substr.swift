import Foundation
import TerrainStorage
import TerrainSyntax
import TerrainPlanner
import TerrainExecution

/// `substr(s, start[, len])`: 1-based, in Unicode scalars; once per distinct value when the
/// positions are constants.
struct Substr: ScalarFunctionImplementation {
  let name = "substr"
  let help = FunctionHelp("substr(s, start[, len])", "part of a text, 1-based",
    example: "from communes | select d = substr(code_insee, 1, 2) | take 3")
  let signatures: [[DataType]] = [[.text, .int], [.text, .int, .int]]

  func bind(_ call: FunctionCall) throws -> BoundCall {
    try call.arity(2...3)
    var bound = [try call.text(0), try call.int(1)]
    if call.args.count == 3 { bound.append(try call.int(2)) }
    return BoundCall(bound, .text)
  }

  func canFail(_ args: [BoundExpr], type: DataType) -> Bool { false }

  func kernel(_ args: [BoundExpr], type: DataType, span: Span, compiler: ExpressionCompiler) throws -> Kernel {
    let kernels = try args.kernels(compiler)
    if args.restAreConstant {
      let a = args.constant(1)
      let b = args.count > 2 ? args.constant(2) : .int(Int64.max)
      return compiler.textMapKernel(kernels[0]) { s in substring(s, a, b) }
    }
    return compiler.rowwiseKernel(kernels, args.map(\.type), type) { v in
      guard case .text(let s) = v[0] else { return .null }
      return substring(s, v[1], v.count > 2 ? v[2] : .int(Int64.max)).map(Value.text) ?? .null
    }
  }
}
