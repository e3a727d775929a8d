// `| take N [by k, …]`

public struct TakeStage: StageSyntax {
  public var count: Expr
  /// `by k, …`: the first N rows of each group (empty: the first N rows in all).
  public var by: [Expr] = []

  public static let keyword = "take"
  public static let continuationWords = ["by"]
  public static let completionWords = ["by"]
  public static let otherNames = ["limit", "head"]
  public static let help = StageHelp(synopsis: "| take N [by k, …]",
    text: "The first N rows; with `by`, the first N rows of each group, in the current order (after `sort`: the top N of each group), rows keeping their relative order.",
    example: "from communes | sort population desc | take 2 by code_region | take 6")

  public static func parse(_ p: inout Parser) throws -> TakeStage {
    let count = try p.parseExpr()
    var by: [Expr] = []
    if p.acceptClause("by") {
      repeat {
        p.skipNewlines()
        by.append(try p.parseExpr())
      } while p.acceptSymbol(",")
    }
    return TakeStage(count: count, by: by)
  }
}
