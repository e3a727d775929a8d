import TerrainStorage
import TerrainSyntax
import TerrainPlanner
import TerrainExecution

/// `first(x)`, `last(x)`: x of the first / last row of the group in the window's order.
struct FirstLast: WindowFunctionDefinition, WindowKernelBuilder {
  let name: String
  let help: FunctionHelp
  let last: Bool

  static let first = FirstLast(name: "first",
    help: FunctionHelp("first(x)", "x of the first row of the group in the window's order",
      example: "from communes | derive plus_peuplee = first(nom) by code_departement sort population desc | take 3"),
    last: false)
  static let last = FirstLast(name: "last",
    help: FunctionHelp("last(x)", "x of the last row of the group in the window's order",
      example: "from communes | derive moins_peuplee = last(nom) by code_departement sort population desc | take 3"),
    last: true)

  func bind(_ call: WindowCall) throws -> BoundWindowCall {
    try call.arity(1...1)
    let x = try call.any(0)
    return BoundWindowCall(args: [x], type: x.type)
  }

  func makeWindowKernel(_ spec: WindowSpec, arguments: [Column], rowCount: Int) throws -> WindowKernel {
    guard let x = arguments.first else { throw Diagnostic(.windowNoArgument, name, at: spec.span) }
    let last = self.last
    return try SourceRowKernel(argument: x, fallback: nil, rowCount: rowCount) { pos, rows, source in
      guard !pos.isEmpty else { return }
      let pick = rows[last ? pos.upperBound - 1 : pos.lowerBound]
      for j in pos { source[Int(rows[j])] = pick }
    }
  }
}
