import TerrainStorage
import TerrainSyntax
import TerrainPlanner
import TerrainExecution

/// `avg(x)`, `stddev(x)`, `share(x)`: floats from the count, sum (and Welford moments) per group.
struct Moment: AggregateImplementation {
  let name: String
  let help: FunctionHelp
  let moment: FloatMomentsAccumulator.Moment

  static let avg = Moment(name: "avg",
    help: FunctionHelp("avg(x)", "mean", example: "from communes | aggregate v = avg(population) by code_region | take 3"),
    moment: .avg)
  static let stddev = Moment(name: "stddev",
    help: FunctionHelp("stddev(x)", "sample standard deviation",
      example: "from communes | aggregate v = stddev(population) by code_region | take 3"),
    moment: .stddev)
  static let share = Moment(name: "share",
    help: FunctionHelp("share(x)", "sum(x) of the group divided by sum(x) over all rows; in `derive … by k`, x / sum(x) of the row's group",
      example: "from communes | aggregate v = share(population) by code_region | take 3"),
    moment: .share)

  func bind(_ call: AggregateCall) throws -> BoundAggregate {
    let argument = try call.single()
    _ = try call.numericType(argument)
    return BoundAggregate(argument: argument, resultType: .float)
  }

  func makeAccumulator(_ spec: AggregateSpec, groups: Int) -> Accumulator {
    FloatMomentsAccumulator(groups: groups, function: moment, argType: spec.argument?.type ?? .int, span: spec.span)
  }
}

extension AggregateFunction {
  package static let avg = AggregateFunction(Moment.avg)
}
