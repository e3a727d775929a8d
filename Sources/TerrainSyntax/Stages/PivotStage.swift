// `| pivot NAMES using AGG, … [by k, …]`

/// Long to wide: one row per group of `by`, one column per distinct value of NAMES.
public struct PivotStage: StageSyntax {
  /// The column whose distinct values name the new columns.
  public var names: Name
  /// The aggregates; `name` is nil for a lone unnamed one (`using count()`).
  public var aggregates: [(name: Name?, expr: Expr)]
  public var by: [NamedExpr]

  public static let keyword = "pivot"
  public static let continuationWords = ["using", "by"]
  public static let completionWords = ["using", "by"]
  public static let definingWords = ["using"]
  public static let otherNames = ["pivot_wider", "spread", "crosstab"]
  public static let otherNameHelp = "use `pivot NAMES using AGG [by k, …]`"
  public static let help = StageHelp(synopsis: "| pivot NAMES using AGG, … [by k, …]",
    text: "Long to wide: one row per group of `by` (one row in all without it), then one column per distinct value of NAMES in ascending order, holding the aggregate over the group's rows with that value (null where there are none). Several aggregates are each named (`using n = count(), s = sum(x)`) and give columns `VALUE_name`, value by value. A column is named by the value's text (`2017`, `T3`, `null`); at most 1,000 values. Planning reads the distinct values of NAMES (the one place planning reads data; `.explain` shows it).",
    example: "from communes | where code_region == \"84\" | pivot code_departement using count() by code_region")

  public static func parse(_ p: inout Parser) throws -> PivotStage {
    let names = try p.name(.thePivotColumn)
    guard p.acceptClause("using") else {
      throw p.unexpected(.pivotNeedsUsing, names.text,
        help: .pivotExample(names.text))
    }
    var aggregates: [(name: Name?, expr: Expr)] = []
    repeat {
      p.skipNewlines()
      if case .identifier(let s, _) = p.current.kind, p.nextIsSymbol("=") {
        let t = p.advance()
        _ = p.advance()  // =
        p.skipNewlines()
        aggregates.append((Name(text: s, span: t.span), try p.parseExpr()))
      } else {
        aggregates.append((nil, try p.parseExpr()))
      }
    } while p.acceptSymbol(",")
    if aggregates.count > 1, let unnamed = aggregates.first(where: { $0.name == nil }) {
      throw Diagnostic(.pivotAggregatesUnnamed, at: unnamed.expr.span, label: .noName,
        help: .pivotNameEach)
    }
    var by: [NamedExpr] = []
    if p.acceptClause("by") { by = try p.parseNamedList() }
    return PivotStage(names: names, aggregates: aggregates, by: by)
  }
}
