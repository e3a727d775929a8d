import TerrainStorage
import TerrainSyntax
import TerrainPlanner
import TerrainExecution

/// `count_distinct(x)`: distinct non-null values.
struct CountDistinct: AggregateImplementation {
  let name = "count_distinct"
  let help = FunctionHelp("count_distinct(x)", "distinct non-null values",
    example: "from communes | aggregate v = count_distinct(population) by code_region | take 3")

  func bind(_ call: AggregateCall) throws -> BoundAggregate {
    BoundAggregate(argument: try call.single(), resultType: .int)
  }

  func makeAccumulator(_ spec: AggregateSpec, groups: Int) throws -> Accumulator {
    try CountDistinctAccumulator(groups: groups, type: spec.argument?.type ?? .int)
  }
}

extension AggregateFunction {
  package static let countDistinct = AggregateFunction(CountDistinct())
}
