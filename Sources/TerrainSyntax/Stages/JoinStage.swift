// `| join [left] TABLE on COND`

public struct JoinStage: StageSyntax {
  public var table: Name
  public var on: Expr
  public var left: Bool

  public static let keyword = "join"
  public static let continuationWords = ["on"]
  public static let completionWords = ["on", "left"]
  public static let tableWords = ["join"]
  public static let help = StageHelp(synopsis: "| join [left] TABLE on col | on a == TABLE.b [and …]",
    text: "Hash join; a shared column appears once; clashing right columns get `_TABLE`.",
    example: "from communes | join epci on epci == epci.siren | take 3")

  public var tablesRead: [Name] { [table] }

  public static func parse(_ p: inout Parser) throws -> JoinStage {
    let left = p.acceptKeyword("left")
    let table = try p.name(.tableNameAfterJoin)
    guard p.acceptKeyword("on") else {
      throw p.unexpected(.expectedOnAfterJoin, table.text, help: .exampleJoinOn)
    }
    return JoinStage(table: table, on: try p.parseExpr(), left: left)
  }
}
