// `| drop col, …`

public struct DropStage: StageSyntax {
  public var columns: [Name]

  public static let keyword = "drop"
  public static let help = StageHelp(synopsis: "| drop col, …", text: "Removes columns.",
    example: "from regions | drop superficie | take 3")

  public static func parse(_ p: inout Parser) throws -> DropStage {
    DropStage(columns: try p.parseNameList())
  }
}
