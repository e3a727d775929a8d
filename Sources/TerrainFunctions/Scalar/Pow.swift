import Foundation
import TerrainStorage
import TerrainSyntax
import TerrainPlanner
import TerrainExecution

/// `pow(x, y)`: NaN gives null, as does an infinite result from 0; other infinite results from
/// finite inputs overflow.
struct Pow: ScalarFunctionImplementation {
  let name = "pow"
  let help = FunctionHelp("pow(x, y)", "x to the y", example: "from regions | select p = pow(superficie, 0.5) | take 3")
  let signatures: [[DataType]] = [[.float, .float], [.int, .int]]

  func bind(_ call: FunctionCall) throws -> BoundCall {
    try call.arity(2)
    return BoundCall([call.cast(try call.numeric(0), .float), call.cast(try call.numeric(1), .float)], .float)
  }

  func canFail(_ args: [BoundExpr], type: DataType) -> Bool { true }

  func kernel(_ args: [BoundExpr], type: DataType, span: Span, compiler: ExpressionCompiler) throws -> Kernel {
    let kernels = try args.kernels(compiler)
    let fail = compiler.failures(at: span)
    return compiler.rowwiseKernel(kernels, [.float, .float], .float) { v in
      guard case .float(let x) = v[0], case .float(let y) = v[1] else { return .null }
      let r = Foundation.pow(x, y)
      if r.isNaN { return .null }
      if r.isInfinite && x.isFinite && y.isFinite {
        if x == 0 { return .null }
        throw fail.floatOverflow("`pow`")
      }
      return .float(r)
    }
  }
}
