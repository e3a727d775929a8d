// `| distinct [col, …]`

public struct DistinctStage: StageSyntax {
  /// Empty: every column.
  public var columns: [Name]

  public static let keyword = "distinct"
  public static let mayEndAfterKeyword = true
  public static let help = StageHelp(synopsis: "| distinct [col, …]",
    text: "Unique rows, or each combination of the given columns once.", example: "from communes | distinct code_region")

  public static func parse(_ p: inout Parser) throws -> DistinctStage {
    if case .identifier = p.current.kind { return DistinctStage(columns: try p.parseNameList()) }
    return DistinctStage(columns: [])
  }
}
