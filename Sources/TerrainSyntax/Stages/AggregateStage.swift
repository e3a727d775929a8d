// `| aggregate name = AGG(x), … [by col, …]`

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
