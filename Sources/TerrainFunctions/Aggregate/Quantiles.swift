import TerrainStorage
import TerrainSyntax
import TerrainPlanner
import TerrainExecution

/// `median(x)`: interpolated linearly between the two middle values.
struct Median: AggregateImplementation {
  let name = "median"
  let help = FunctionHelp("median(x)", "median, interpolated",
    example: "from communes | aggregate v = median(population) by code_region | take 3")

  func bind(_ call: AggregateCall) throws -> BoundAggregate {
    let argument = try call.single()
    _ = try call.numericType(argument)
    return BoundAggregate(argument: argument, resultType: .float)
  }

  func makeAccumulator(_ spec: AggregateSpec, groups: Int) -> Accumulator {
    QuantileAccumulator(groups: groups, argType: spec.argument?.type ?? .int, fraction: 0.5)
  }
}

/// `quantile(x, q)`: q a constant between 0 and 1 (any expression reading no column).
struct Quantile: AggregateImplementation {
  let name = "quantile"
  let help = FunctionHelp("quantile(x, q)", "q-quantile (0 ≤ q ≤ 1), interpolated linearly",
    example: "from communes | aggregate v = quantile(population, 0.9) by code_region | take 3")

  func bind(_ call: AggregateCall) throws -> BoundAggregate {
    guard call.args.count == 2 else { throw call.arityError(.exactly(2)) }
    let argument = try call.binder.bind(call.args[0])
    let q = try call.binder.bind(call.args[1], expected: .float)
    guard let v = try call.binder.constants.constantValue(of: q), let qv = v.numeric, qv >= 0, qv <= 1 else {
      throw Diagnostic(.quantileFraction, at: call.args[1].span,
        label: .notAFraction, help: .exampleQuantile)
    }
    _ = try call.numericType(argument)
    return BoundAggregate(argument: argument, fraction: qv, resultType: .float)
  }

  func makeAccumulator(_ spec: AggregateSpec, groups: Int) -> Accumulator {
    QuantileAccumulator(groups: groups, argType: spec.argument?.type ?? .int, fraction: spec.fraction)
  }
}

extension AggregateFunction {
  package static let median = AggregateFunction(Median())
}
