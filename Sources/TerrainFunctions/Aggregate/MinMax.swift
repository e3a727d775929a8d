import TerrainStorage
import TerrainSyntax
import TerrainPlanner
import TerrainExecution

/// `min(x)`, `max(x)`: of any type (text in the session's collation, French by default), NaN
/// skipped.
struct MinMax: AggregateImplementation {
  let name: String
  let help: FunctionHelp
  let wantMax: Bool

  static let min = MinMax(name: "min",
    help: FunctionHelp("min(x)", "smallest value", example: "from communes | aggregate v = min(population) by code_region | take 3"),
    wantMax: false)
  static let max = MinMax(name: "max",
    help: FunctionHelp("max(x)", "largest value", example: "from communes | aggregate v = max(population) by code_region | take 3"),
    wantMax: true)

  func bind(_ call: AggregateCall) throws -> BoundAggregate {
    let argument = try call.single()
    return BoundAggregate(argument: argument, resultType: argument.type)
  }

  func makeAccumulator(_ spec: AggregateSpec, groups: Int) -> Accumulator {
    ExtremumAccumulator(groups: groups, type: spec.argument?.type ?? .int, wantMax: wantMax, collation: spec.collation)
  }
}

extension AggregateFunction {
  package static let min = AggregateFunction(MinMax.min)
  package static let max = AggregateFunction(MinMax.max)
}
