// `| where CONDITION`

public struct WhereStage: StageSyntax {
  public var condition: Expr

  public static let keyword = "where"
  public static let otherNames = ["filter"]
  public static let help = StageHelp(synopsis: "| where CONDITION",
    text: "Keeps the rows where the condition is true (null counts as false).",
    example: "from communes | where code_departement == \"69\" and population > 10000")

  public static func parse(_ p: inout Parser) throws -> WhereStage {
    p.skipNewlines()
    return WhereStage(condition: try p.parseExpr())
  }
}
