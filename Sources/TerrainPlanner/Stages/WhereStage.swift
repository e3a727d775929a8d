// `| where CONDITION`
// `where`: a filter step.

import TerrainSyntax

public struct WhereStage: StageSyntax {
  public var condition: Expr

  public static let keyword = "where"
  public static let otherNames = ["filter", "having"]
  public static let help = StageHelp(synopsis: "| where CONDITION",
    text: "Keeps the rows where the condition is true (null counts as false).",
    example: "from communes | where code_departement == \"69\" and population > 10000")

  public static func parse(_ p: inout Parser) throws -> WhereStage {
    p.skipNewlines()
    return WhereStage(condition: try p.parseExpr())
  }
}

/// Keeps the rows where the predicate is true.
package struct FilterStep: LogicalStep {
  package var predicate: BoundExpr

  package init(_ predicate: BoundExpr) { self.predicate = predicate }
}

extension WhereStage: PlannableStage {
  package func plan(_ p: inout StagePlanning) throws {
    p.emit(FilterStep(try p.binder.bindPredicate(condition)), fields: p.fields)
  }
}
