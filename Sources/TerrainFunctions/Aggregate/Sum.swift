import TerrainStorage
import TerrainSyntax
import TerrainPlanner
import TerrainExecution

/// `sum(x)`: of ints an int (overflow is an error), of floats a float.
struct Sum: AggregateImplementation {
  let name = "sum"
  let help = FunctionHelp("sum(x)", "total (null when no value; overflow is an error)",
    example: "from communes | aggregate v = sum(population) by code_region | take 3")

  func bind(_ call: AggregateCall) throws -> BoundAggregate {
    let argument = try call.single()
    return BoundAggregate(argument: argument, resultType: try call.numericType(argument))
  }

  func makeAccumulator(_ spec: AggregateSpec, groups: Int) -> Accumulator {
    let argType = spec.argument?.type ?? .int
    if argType == .int { return IntSumAccumulator(groups: groups, span: spec.span) }
    return FloatMomentsAccumulator(groups: groups, function: .sum, argType: argType, span: spec.span)
  }
}

extension AggregateFunction {
  package static let sum = AggregateFunction(Sum())
}
