// `| aggregate name = AGG(x), … [by col, …]`
// `aggregate`: group by the `by` items, compute the aggregates, then the outputs over them.

import TerrainStorage
import TerrainSyntax

public struct AggregateStage: StageSyntax {
  public var items: [NamedExpr]
  public var by: [NamedExpr]

  public static let keyword = "aggregate"
  public static let continuationWords = ["by"]
  public static let completionWords = ["by"]
  public static let definingWords = ["aggregate", "by"]
  public static let otherNames = ["group", "groupby", "summarize", "summarise"]
  public static let otherNameHelp: DiagnosticText = .useAggregateForGroups
  public static let help = StageHelp(synopsis: "| aggregate name = AGG(x), … [by col, …]",
    text: "One row per group (one row in all without `by`); group columns come first.",
    example: "from communes | aggregate n = count(), pop = sum(population) by code_region")

  public static func parse(_ p: inout Parser) throws -> AggregateStage {
    if p.current.isKeyword("by") {
      throw Diagnostic(.aggregateNeedsItemBeforeBy, at: p.current.span,
        label: .noAggregate, help: .exampleAggregateBy)
    }
    let items = try p.parseNamedList(requireExplicit: "aggregate")
    var by: [NamedExpr] = []
    if p.acceptClause("by") {
      by = try p.parseNamedList()
    }
    return AggregateStage(items: items, by: by)
  }
}

/// Groups by `keys`, computes `specs`, then `outputs` over [keys…, specs…].
package struct AggregateStep: LogicalStep {
  package var keys: [BoundExpr]
  package var keyNames: [String]
  package var specs: [AggregateSpec]
  package var outputs: [BoundExpr]
  package var names: [String]

  package init(keys: [BoundExpr], keyNames: [String], specs: [AggregateSpec], outputs: [BoundExpr], names: [String]) {
    self.keys = keys
    self.keyNames = keyNames
    self.specs = specs
    self.outputs = outputs
    self.names = names
  }
}

extension AggregateStage: PlannableStage {
  package func plan(_ p: inout StagePlanning) throws {
    let (keys, keyNames) = try p.planner.bindItems(by, p.binder)
    let collector = AggregateCollector(keyNames: keyNames, keyTypes: keys.map(\.type))
    var aggBinder = p.binder
    aggBinder.aggregates = collector
    var outputs: [BoundExpr] = []
    var names: [String] = []
    for item in items {
      outputs.append(try aggBinder.bind(item.expr))
      names.append(item.name.text)
    }
    // Group columns come first, in `by` order.
    let allOutputs = keys.indices.map { BoundExpr.column($0, keys[$0].type) } + outputs
    let allNames = keyNames + names
    try p.planner.checkUnique((by + items).map(\.name))
    p.emit(AggregateStep(keys: keys, keyNames: keyNames, specs: collector.specs, outputs: allOutputs, names: allNames),
      fields: zip(allNames, allOutputs).map { Field(name: $0, type: $1.type) })
  }
}
