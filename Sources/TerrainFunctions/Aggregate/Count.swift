import TerrainStorage
import TerrainSyntax
import TerrainPlanner
import TerrainExecution

/// `count()` (rows), `count(x)` (non-null values).
struct Count: AggregateImplementation {
  let name = "count"
  let help = FunctionHelp("count() | count(x)", "rows, or non-null values of x",
    example: "from communes | aggregate v = count() by code_region | take 3")

  func bind(_ call: AggregateCall) throws -> BoundAggregate {
    BoundAggregate(argument: call.args.isEmpty ? nil : try call.single(), resultType: .int)
  }

  func makeAccumulator(_ spec: AggregateSpec, groups: Int) -> Accumulator {
    CountAccumulator(groups: groups, countsRows: spec.argument == nil)
  }
}

extension AggregateFunction {
  package static let count = AggregateFunction(Count())
}
