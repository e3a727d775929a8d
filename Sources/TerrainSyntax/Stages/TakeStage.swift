// `| take N`

public struct TakeStage: StageSyntax {
  public var count: Expr

  public static let keyword = "take"
  public static let otherNames = ["limit", "head"]
  public static let help = StageHelp(synopsis: "| take N", text: "The first N rows.", example: "from communes | take 3")

  public static func parse(_ p: inout Parser) throws -> TakeStage {
    TakeStage(count: try p.parseExpr())
  }
}
