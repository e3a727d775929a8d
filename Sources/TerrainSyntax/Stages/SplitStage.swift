// `| split COL on "SEP"`

/// One row per part of a text column cut at a separator.
public struct SplitStage: StageSyntax {
  public var column: Name
  public var separator: String
  public var separatorSpan: Span

  public static let keyword = "split"
  public static let continuationWords = ["on"]
  public static let completionWords = ["on"]
  public static let otherNames = ["explode", "unnest", "separate_rows"]
  public static let otherNameHelp = "use `split COL on \"SEP\"`"
  public static let help = StageHelp(synopsis: "| split COL on \"SEP\"",
    text: "One row per part of the text COL cut at SEP, the other columns repeated; an empty text gives one row with an empty part, a null one row with null.",
    example: "from epci | take 2 | select siren, nom | split nom on \" \"")

  public static func parse(_ p: inout Parser) throws -> SplitStage {
    let column = try p.name("a text column after `split`")
    guard p.acceptClause("on") else {
      throw p.unexpected("expected `on \"SEP\"` after `split \(column.text)`", help: "e.g. split \(column.text) on \"|\"")
    }
    p.skipNewlines()
    guard case .string(let s) = p.current.kind else {
      throw p.unexpected("expected the separator as a string after `on`", help: "e.g. split \(column.text) on \"|\"")
    }
    let t = p.advance()
    if s.isEmpty {
      throw Diagnostic("`split` needs a separator of at least one character", at: t.span, label: "empty separator",
        help: "e.g. split \(column.text) on \",\"")
    }
    return SplitStage(column: column, separator: s, separatorSpan: t.span)
  }
}
