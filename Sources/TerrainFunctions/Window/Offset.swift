import TerrainStorage
import TerrainSyntax
import TerrainPlanner
import TerrainExecution

/// `lag(x[, n[, default]])`, `lead(…)`: x from n rows before / after in the window's order
/// (n = 1), else `default` (null).
struct Offset: WindowFunctionDefinition, WindowKernelBuilder {
  let name: String
  let help: FunctionHelp
  /// -1 for `lag` (rows before), +1 for `lead`.
  let direction: Int

  static let lag = Offset(name: "lag",
    help: FunctionHelp("lag(x[, n[, default]])", "x from n rows before in the window's order (n = 1), else default (null)",
      example: "from communes | derive avant = lag(population) by code_departement sort population desc | take 3"),
    direction: -1)
  static let lead = Offset(name: "lead",
    help: FunctionHelp("lead(x[, n[, default]])", "x from n rows after in the window's order (n = 1), else default (null)",
      example: "from communes | derive apres = lead(nom, 1, \"—\") by code_departement sort population desc | take 3"),
    direction: 1)

  func bind(_ call: WindowCall) throws -> BoundWindowCall {
    try call.arity(1...3)
    let x = try call.any(0)
    let n = call.args.count >= 2 ? try call.constantInt(1, minimum: 0, what: .theNumberOfRows) : 1
    guard call.args.count == 3 else { return BoundWindowCall(args: [x], parameters: [n], type: x.type) }
    // A text constant default of a date (`lag(d, 1, "2024-01-01")`) is read as a date.
    let (_, d) = try call.binder.dateComparisonOperands(x, try call.any(2, expected: x.type), call.args[0], call.args[2])
    let t = try call.binder.commonType(x.type, d.type, call.args[0], call.args[2], opSpan: call.args[2].span, what: "combine")
    return BoundWindowCall(args: [call.binder.cast(x, t), call.binder.cast(d, t)], parameters: [n], type: t)
  }

  func makeWindowKernel(_ spec: WindowSpec, arguments: [Column], rowCount: Int) throws -> WindowKernel {
    let offset = (spec.parameters.first ?? 1) * direction
    var fallback = arguments.count > 1 ? arguments[1] : nil
    if let f = fallback, f.validity != nil, (0..<f.count).allSatisfy({ !f.isValid($0) }) { fallback = nil }
    guard let x = arguments.first else { throw Diagnostic(.windowNoArgument, name, at: spec.span) }
    return try SourceRowKernel(argument: x, fallback: fallback, rowCount: rowCount) { pos, rows, source in
      for j in pos {
        let k = j + offset
        if k >= pos.lowerBound && k < pos.upperBound { source[Int(rows[j])] = rows[k] }
      }
    }
  }
}
