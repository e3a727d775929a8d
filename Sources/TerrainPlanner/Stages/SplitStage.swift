// `| split COL on "SEP"`
// `split COL on "SEP"`: one row per part of a text column.

import TerrainStorage
import TerrainSyntax

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
    example: "from communes | where code_insee == \"69123\" | select nom, codes_postaux | split codes_postaux on \"|\"")

  public static func parse(_ p: inout Parser) throws -> SplitStage {
    let column = try p.name(.aTextColumnAfterSplit)
    guard p.acceptClause("on") else {
      throw p.unexpected(.splitNeedsOn, column.text, help: .splitExample(column.text, "|"))
    }
    p.skipNewlines()
    guard case .string(let s) = p.current.kind else {
      throw p.unexpected(.splitNeedsSeparator, help: .splitExample(column.text, "|"))
    }
    let t = p.advance()
    if s.isEmpty {
      throw Diagnostic(.splitEmptySeparator, at: t.span, label: .emptySeparator,
        help: .splitExample(column.text, ","))
    }
    return SplitStage(column: column, separator: s, separatorSpan: t.span)
  }
}

/// Column `column` (text) cut at `separator`, one row per part, the other columns repeated.
package struct SplitStep: LogicalStep {
  package var column: Int
  package var separator: String

  package init(column: Int, separator: String) {
    self.column = column
    self.separator = separator
  }
}

extension SplitStage: PlannableStage {
  package func plan(_ p: inout StagePlanning) throws {
    let i = try p.column(column)
    let t = p.fields[i].type
    guard t == .text else {
      throw Diagnostic(.splitNotText, column.text, t.rawValue, at: column.span, label: .typeNotText(t.rawValue),
        help: .convertToTextFirst(column.text, column.text))
    }
    p.emit(SplitStep(column: i, separator: separator), fields: p.fields)
  }
}
