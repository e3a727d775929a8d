// `| sort KEY [asc|desc], …`

public struct SortStage: StageSyntax {
  public var keys: [SortKey]

  public static let keyword = "sort"
  public static let completionWords = ["asc", "desc"]
  public static let otherNames = ["order", "orderby", "arrange"]
  public static let help = StageHelp(synopsis: "| sort KEY [asc|desc], …",
    text: "Stable sort on columns or expressions; nulls last in both directions; text in French order by default (`.help collation`).",
    example: "from epci | sort population desc | take 5")

  public static func parse(_ p: inout Parser) throws -> SortStage {
    SortStage(keys: try p.parseSortKeys())
  }
}
