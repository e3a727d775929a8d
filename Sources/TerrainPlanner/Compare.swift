// `compare pilots on …`: a plan rewrite. Planning binds the indicators, the pilots' key filter
// and the peers' condition, and knows the comparison table's columns; `CompareStep`'s operator
// (TerrainExecution/Operators/CompareOperator.swift) runs the two sub-plans and pivots their
// results. Nothing runs while planning.

import TerrainStorage
import TerrainSyntax

/// The pilot territories of a session: rows of one table picked by key (set by `pilots`).
package struct PilotSet {
  package var tableName: String
  package var keyColumn: String
  package var keys: [Value]
  /// A display name per key (the first text column named nom/name/libelle, else the key).
  package var displayNames: [String]

  package init(tableName: String, keyColumn: String, keys: [Value], displayNames: [String]) {
    self.tableName = tableName
    self.keyColumn = keyColumn
    self.keys = keys
    self.displayNames = displayNames
  }
}

/// `compare`: over the pilots' table, the comparison table of SPEC §5 (one row per indicator:
/// `indicator`, per pilot its value, `<name> rank` and `<name> of` (the rank and the N it is
/// out of, two ints), then `median`, `min`, `max`, `pooled`). Its operator runs
/// `pilotValuesSteps`, then `peerSteps(pilotValue:)` built from those values (a rank counts the
/// peers better than the pilot's value: above it, or below it for an `asc` indicator), and
/// announces the peer group.
package struct CompareStep: LogicalStep {
  /// One indicator: its name (a row of the result) and its expression over the pilots' table.
  package struct Indicator {
    package var name: String
    package var expr: BoundExpr
    /// `asc`: a lower value is better (rank 1 is the lowest).
    package var ascending: Bool = false
  }

  package var pilots: PilotSet
  /// The key column, in the pilots' table.
  package var keyColumn: Int
  package var indicators: [Indicator]
  /// The peers' condition (`against peers where …`); nil: every row of the table.
  package var peers: BoundExpr?
  /// `.int` when every indicator is an integer, else `.float`: the type of values, min and max.
  package var valueType: DataType
  /// The fields of the pilots' table (the step's input).
  package var inputFields: [Field]
  /// The `compare` source, for the aggregates' messages.
  package var span: Span
  /// The aggregates the peers' figures use, from the planner's registry.
  package var aggregates: Aggregates

  /// `median`, `min`, `max`, `count` and `sum`, as the registry defines them.
  package struct Aggregates {
    package var median: AggregateFunction
    package var min: AggregateFunction
    package var max: AggregateFunction
    package var count: AggregateFunction
    package var sum: AggregateFunction
  }

  /// The comparison table's columns.
  package var outputFields: [Field] {
    var fields = [Field(name: "indicator", type: .text)]
    for n in pilots.displayNames {
      fields += [Field(name: n, type: valueType), Field(name: CompareStep.rankName(n), type: .int),
        Field(name: CompareStep.ofName(n), type: .int)]
    }
    fields += [Field(name: "median", type: .float), Field(name: "min", type: valueType), Field(name: "max", type: valueType),
      Field(name: "pooled", type: .float)]
    return fields
  }

  /// The name of the column holding a pilot's rank: `<name> rank`.
  package static func rankName(_ pilot: String) -> String { pilot + " rank" }
  /// The name of the column holding the number of peers a pilot's rank is out of: `<name> of`.
  package static func ofName(_ pilot: String) -> String { pilot + " of" }

  /// The pilots' values: `where key in (…) | select key, indicators…` (one row per pilot found).
  package var pilotValuesSteps: [(PlanStep, [Field])] {
    let key = BoundExpr.column(keyColumn, inputFields[keyColumn].type)
    let pilotFields = [inputFields[keyColumn]] + indicators.map { Field(name: $0.name, type: $0.expr.type) }
    return [
      (FilterStep(.inList(key, pilots.keys, negated: false)), inputFields),
      (ProjectStep([key] + indicators.map(\.expr), names: pilotFields.map(\.name)), pilotFields),
    ]
  }

  /// The peers' condition as steps (none without one).
  package var peerFilterSteps: [(PlanStep, [Field])] {
    peers.map { [(FilterStep($0), inputFields)] } ?? []
  }

  /// The pilots among the peers: `where key in (…) | where peers | select key` (nil without a
  /// condition: every pilot is a peer).
  package var pilotsAmongPeersSteps: [(PlanStep, [Field])]? {
    guard let peers else { return nil }
    let key = BoundExpr.column(keyColumn, inputFields[keyColumn].type)
    return [
      (FilterStep(.inList(key, pilots.keys, negated: false)), inputFields), (FilterStep(peers), inputFields),
      (ProjectStep([key], names: ["key"]), [inputFields[keyColumn]]),
    ]
  }

  /// Where each indicator's figures are among the peers' aggregate outputs.
  package struct IndicatorStats {
    package var name: String
    package var median: Int
    package var min: Int
    package var max: Int
    package var count: Int
    /// Per pilot: the output counting the peers better than it, above its value or below it
    /// for an `asc` indicator (nil when the pilot's value is null).
    package var better: [Int?]
    /// The indicator over the table's columns; its columns are replaced by their sums.
    package var pooled: BoundExpr
    /// For each column the indicator reads, the output holding its sum over the peers whose
    /// indicator is not null (so a rate's numerator and denominator come from the same rows).
    package var sums: [Int: Int]
  }

  /// The peers' figures: `[where peers] | aggregate …`, one aggregate computing per indicator
  /// its median, min, max, count and, per pilot, how many peers are above it; and the sums the
  /// pooled values are computed from. `pilotValue(p, i)` is what the peers are compared with
  /// for pilot `p`'s indicator `i` (nil: the pilot has no value there, hence no rank).
  package func peerSteps(pilotValue: (Int, Int) -> BoundExpr?) -> (steps: [(PlanStep, [Field])], stats: [IndicatorStats]) {
    var specs: [AggregateSpec] = []
    var specNames: [String] = []
    func add(_ f: AggregateFunction, _ e: BoundExpr, _ t: DataType, _ name: String) -> Int {
      specs.append(AggregateSpec(function: f, argument: e, fraction: 0.5, resultType: t, span: span))
      specNames.append(name)
      return specs.count - 1
    }
    var stats: [IndicatorStats] = []
    for (i, indicator) in indicators.enumerated() {
      let e = indicator.expr
      let n = indicator.name
      let median = add(aggregates.median, e, .float, "median_\(n)")
      let lo = add(aggregates.min, e, e.type, "min_\(n)")
      let hi = add(aggregates.max, e, e.type, "max_\(n)")
      let count = add(aggregates.count, e, .int, "n_\(n)")
      let better = pilots.keys.indices.map { p -> Int? in
        guard let value = pilotValue(p, i) else { return nil }
        let isBetter = BoundExpr.conditional(.compare(indicator.ascending ? .less : .greater, e, value), .constant(.int(1), .int),
          .constant(.int(0), .int), .int)
        return add(aggregates.sum, isBetter, .int, "better_\(n)_\(p + 1)")
      }
      // Pooled: the indicator over the sums of the columns it reads, on the peers where it
      // has a value (the N of the ranks).
      var sums: [Int: Int] = [:]
      for c in e.columnsRead.sorted() {
        let f = inputFields[c]
        let whereDefined = BoundExpr.conditional(.isNull(e, negated: true), .column(c, f.type), .constant(.null, f.type), f.type)
        sums[c] = add(aggregates.sum, whereDefined, f.type, "sum_\(f.name)_\(n)")
      }
      stats.append(IndicatorStats(name: n, median: median, min: lo, max: hi, count: count, better: better, pooled: e, sums: sums))
    }
    let outputs = specs.indices.map { BoundExpr.column($0, specs[$0].resultType) }
    let statFields = zip(specNames, specs).map { Field(name: $0, type: $1.resultType) }
    let aggregate = AggregateStep(keys: [], keyNames: [], specs: specs, outputs: outputs, names: specNames)
    return (peerFilterSteps + [(aggregate, statFields)], stats)
  }
}

extension PipelinePlanner {
  /// `compare pilots on …` then the pipeline's stages: a plan over the pilots' table whose
  /// first step is a `CompareStep`, the stages bound on the comparison table's columns (named
  /// `compare` in messages). `pilots` is the session's pilot set (nil: none yet, an error).
  package func plan(_ pipeline: Pipeline, compare spec: CompareSource, pilots: PilotSet?) throws -> QueryPlan {
    guard let pilots else {
      throw Diagnostic(.noPilotsYet, at: spec.span, label: .noPilots,
        help: .namePilotsFirst)
    }
    let table = try tables.table(named: pilots.tableName, at: spec.span)
    let binder = ExpressionBinder(fields: table.fields, sourceName: pilots.tableName, parameters: parameters, constants: constants, functions: functions)
    // Each indicator names a row of the result: a name given twice is an error at its second use.
    try checkNamesUnique(spec.indicators.map(\.name), .indicatorAppearsTwice, label: .duplicateName,
      help: .giveAnotherName)
    var bound: [BoundExpr] = []
    for item in spec.indicators {
      let e = try binder.bind(item.expr)
      guard e.type.isNumeric else {
        throw Diagnostic(.indicatorNotNumeric, item.name.text, "\(e.type)", at: item.expr.span,
          label: .notNumeric, help: .indicatorIsNumeric)
      }
      bound.append(e)
    }
    guard let keyIndex = table.index(of: pilots.keyColumn) else {
      throw Diagnostic(.pilotKeyGone, pilots.keyColumn, pilots.tableName, at: spec.span)
    }
    let peers = try spec.peers.map { try binder.bindPredicate($0) }
    func aggregate(_ name: String) throws -> AggregateFunction {
      guard let f = functions.aggregate(named: name) else {
        throw Diagnostic(.compareNeedsAggregate, name, at: spec.span)
      }
      return f
    }
    let aggregates = CompareStep.Aggregates(median: try aggregate("median"), min: try aggregate("min"), max: try aggregate("max"),
      count: try aggregate("count"), sum: try aggregate("sum"))
    let step = CompareStep(pilots: pilots, keyColumn: keyIndex,
      indicators: spec.indicators.indices.map {
        CompareStep.Indicator(name: spec.indicators[$0].name.text, expr: bound[$0],
          ascending: spec.ascending.indices.contains($0) && spec.ascending[$0])
      }, peers: peers,
      valueType: bound.allSatisfy { $0.type == .int } ? .int : .float, inputFields: table.fields, span: spec.span,
      aggregates: aggregates)
    let start = QueryPlan(source: table, sourceName: pilots.tableName, steps: [step],
      fieldsAfter: [table.fields, step.outputFields])
    return try plan(pipeline.stages, after: start, sourceName: "compare")
  }
}
