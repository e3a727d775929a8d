import Foundation
import TerrainStorage
import TerrainSyntax
import TerrainPlanner
import TerrainExecution

/// `round(x[, digits])`: half away from zero; negative digits round to tens, hundreds…
struct Round: ScalarFunctionImplementation {
  let name = "round"
  let help = FunctionHelp("round(x[, digits])", "rounds half away from zero",
    example: "from epci | select nom, d = round(population / superficie, 1) | take 3")
  let signatures: [[DataType]] = [[.int], [.float], [.int, .int], [.float, .int]]

  func bind(_ call: FunctionCall) throws -> BoundCall {
    try call.arity(1...2)
    let x = try call.numeric(0, expected: nil)
    let digits = call.args.count == 2 ? try call.int(1) : .constant(.int(0), .int)
    return BoundCall([x, digits], x.type)
  }

  /// On ints, rounding to tens… can overflow; on floats only with negative (or unknown) digits:
  /// round(1.7e308, -308) would be 2e308.
  func canFail(_ args: [BoundExpr], type: DataType) -> Bool {
    if type == .int { return true }
    switch args[1].constantValue {
    case .int(let digits)?: return digits < 0
    case .null?: return false
    default: return true
    }
  }

  func kernel(_ args: [BoundExpr], type: DataType, span: Span, compiler: ExpressionCompiler) throws -> Kernel {
    let kernels = try args.kernels(compiler)
    if case .int(let digits)? = args[1].constantValue {
      // round(1.7e308, -308) would be 2e308: an overflow.
      return try compiler.numericMap(kernels[0], type: type, span: span, name: "`round`") { roundHalfAway($0, digits: digits) } intOp: {
        roundInt($0, digits: digits)
      }
    }
    let fail = compiler.failures(at: span)
    return compiler.rowwiseKernel(kernels, args.map(\.type), type) { v in
      guard case .int(let d) = v[1] else { return .null }
      switch v[0] {
      case .int(let x):
        guard let r = roundInt(x, digits: d) else { throw fail.overflow() }
        return .int(r)
      case .float(let x):
        let r = roundHalfAway(x, digits: d)
        if !r.isFinite && x.isFinite { throw fail.floatOverflow("`round`") }
        return .float(r)
      default: return .null
      }
    }
  }
}
