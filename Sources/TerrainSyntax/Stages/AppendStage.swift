// `| append TABLE`

/// The rows of another table after the current rows, columns matched by name.
public struct AppendStage: StageSyntax {
  public var table: Name

  public static let keyword = "append"
  public static let tableWords = ["append"]
  public static let otherNames = ["union", "concat", "rbind", "bind_rows"]
  public static let otherNameHelp = "use `append TABLE` (columns matched by name)"
  public static let help = StageHelp(synopsis: "| append TABLE",
    text: "The rows of TABLE after the current rows. Columns are matched by name, in the order of the first table, then TABLE's other columns; a column absent on one side is null on its rows; int with float gives float; any other type clash is an error.",
    example: "from regions | where code_region == \"84\" | append departements | take 3")

  public var tablesRead: [Name] { [table] }

  public static func parse(_ p: inout Parser) throws -> AppendStage {
    AppendStage(table: try p.name(.aTableNameAfterAppend))
  }
}
