// `| derive name = EXPR, … [by k, …] [sort KEY [asc|desc], …]`
//
// With `by` or `sort` (or an aggregate in an item), a derive is a window: each row gets values
// computed over its group (the rows with the same `by` keys, the whole table without `by`), in
// the `sort` order for the window functions (`rank()`, `lag(x)`, `cumsum(x)`, …).

public struct DeriveStage: StageSyntax {
  public var items: [NamedExpr]
  /// The window's partition keys (`by k, …`), empty without `by`.
  public var by: [Expr]
  /// The window's order (`sort KEY [asc|desc], …`), empty without `sort`.
  public var sort: [SortKey]

  public init(items: [NamedExpr], by: [Expr] = [], sort: [SortKey] = []) {
    self.items = items
    self.by = by
    self.sort = sort
  }

  public static let keyword = "derive"
  public static let continuationWords = ["by", "sort"]
  public static let completionWords = ["by", "sort", "asc", "desc"]
  public static let definingWords = ["derive"]
  public static let otherNames = ["mutate"]
  public static let help = StageHelp(synopsis: "| derive name = EXPR, … [by k, …] [sort KEY [asc|desc], …]",
    text: "Adds or replaces columns. With `by`/`sort` it is a window: aggregates are computed over the row's group (the whole table without `by`) and window functions (rank(), lag(x), cumsum(x), …) follow the `sort` order.",
    example: "from communes | derive r = rank() by code_departement sort population desc | where r <= 3 | take 6")

  public static func parse(_ p: inout Parser) throws -> DeriveStage {
    let items = try p.parseNamedList(requireExplicit: "derive")
    var by: [Expr] = []
    var sort: [SortKey] = []
    if p.acceptClause("by") {
      repeat {
        p.skipNewlines()
        by.append(try p.parseExpr())
      } while p.acceptSymbol(",")
    }
    if p.acceptClause("sort") {
      sort = try p.parseSortKeys()
    }
    return DeriveStage(items: items, by: by, sort: sort)
  }
}
