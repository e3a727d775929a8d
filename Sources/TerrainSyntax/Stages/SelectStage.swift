// `| select col, name = EXPR, …`

public struct SelectStage: StageSyntax {
  public var items: [NamedExpr]

  public static let keyword = "select"
  public static let definingWords = ["select"]
  public static let help = StageHelp(synopsis: "| select col, name = EXPR, …",
    text: "Keeps or computes exactly these columns.", example: "from communes | select nom, densite = population / superficie | take 5")

  public static func parse(_ p: inout Parser) throws -> SelectStage {
    SelectStage(items: try p.parseNamedList())
  }
}
