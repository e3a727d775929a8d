import Foundation
import TerrainStorage
import TerrainSyntax
import TerrainPlanner
import TerrainExecution

/// `starts_with(s, prefix)`, `contains(s, part)`: on UTF-8 bytes; once per distinct value when
/// the second argument is a constant.
struct TextTest: ScalarFunctionImplementation {
  let name: String
  let help: FunctionHelp
  let test: @Sendable (String, String) -> Bool
  let signatures: [[DataType]] = [[.text, .text]]

  static let startsWith = TextTest(name: "starts_with",
    help: FunctionHelp("starts_with(s, prefix)", "true when s starts with prefix",
      example: "from communes | where starts_with(nom, \"Saint\") | take 3")) { s, p in s.utf8.starts(with: p.utf8) }
  static let contains = TextTest(name: "contains",
    help: FunctionHelp("contains(s, part)", "true when s contains part",
      example: "from communes | where contains(nom, \"sur\") | take 3")) { s, p in containsBytes(s, p) }

  func bind(_ call: FunctionCall) throws -> BoundCall {
    try call.arity(2)
    return BoundCall(try call.args.indices.map { try call.text($0) }, .bool)
  }

  func canFail(_ args: [BoundExpr], type: DataType) -> Bool { false }

  func kernel(_ args: [BoundExpr], type: DataType, span: Span, compiler: ExpressionCompiler) throws -> Kernel {
    let kernels = try args.kernels(compiler)
    let test = self.test
    if args.restAreConstant {
      guard case .text(let p) = args.constant(1) else {
        return compiler.textToValueKernel(kernels[0], zero: UInt8(0)) { _ in nil }
      }
      return compiler.textToValueKernel(kernels[0], zero: UInt8(0)) { s in test(s, p) ? 1 : 0 }
    }
    return compiler.rowwiseKernel(kernels, args.map(\.type), type) { v in
      guard case .text(let s) = v[0] else { return .null }
      guard case .text(let p) = v[1] else { return .null }
      return .bool(test(s, p))
    }
  }
}
