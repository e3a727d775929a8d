// `| derive name = EXPR, … [by k, …] [sort KEY [asc|desc], …]`
//
// With `by` or `sort` (or an aggregate in an item), a derive is a window: each row gets values
// computed over its group (the rows with the same `by` keys, the whole table without `by`), in
// the `sort` order for the window functions (`rank()`, `lag(x)`, `cumsum(x)`, …).
// `derive`: a projection keeping every column, with the derived ones added or replaced. With
// aggregates or window functions in its items, a window step first computes them per group
// (`by`), in the window's order (`sort`), as columns after the input's; the projection then
// reads them.

import TerrainStorage
import TerrainSyntax

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

/// Computes `aggregates` over each partition of `partition` (repeated on its rows) and
/// `functions` over each partition in `order`; the output is the input's columns followed by
/// one column per aggregate, then one per function. Rows stay in input order.
package struct WindowStep: LogicalStep {
  package var partition: [BoundExpr]
  package var order: [(BoundExpr, descending: Bool)]
  package var aggregates: [AggregateSpec]
  package var functions: [WindowSpec]
  /// The order of text in `order` (the session's when the pipeline was planned).
  package var collation: Collation

  package init(partition: [BoundExpr], order: [(BoundExpr, descending: Bool)], aggregates: [AggregateSpec], functions: [WindowSpec],
    collation: Collation = .default) {
    self.partition = partition
    self.order = order
    self.aggregates = aggregates
    self.functions = functions
    self.collation = collation
  }

  /// Names of the computed columns in `.explain` (`a0`, `w0`, …).
  package var outputNames: [String] { aggregates.indices.map { "a\($0)" } + functions.indices.map { "w\($0)" } }
}

extension DeriveStage: PlannableStage {
  package func plan(_ p: inout StagePlanning) throws {
    let fields = p.fields
    let collector = WindowCollector(hasOrder: !sort.isEmpty, hasPartition: !by.isEmpty)
    var exprs = fields.indices.map { BoundExpr.column($0, fields[$0].type) }
    var names = fields.map(\.name)
    // Each item sees the columns derived before it in the same stage.
    var scope = p.binder
    scope.windows = collector
    for item in items {
      collector.definitions = exprs
      let e = try scope.bind(item.expr)
      let resolved = substituteColumns(e, exprs)
      if let i = names.firstIndex(of: item.name.text) {
        exprs[i] = resolved
      } else {
        names.append(item.name.text)
        exprs.append(resolved)
      }
      scope.fields = zip(names, exprs).map { Field(name: $0, type: $1.type) }
    }
    let outFields = zip(names, exprs).map { Field(name: $0, type: $1.type) }
    if collector.isEmpty {
      // `by`/`sort` without anything computed over the window still check their names.
      _ = try by.map { try p.binder.bind($0) }
      _ = try sort.map { try p.binder.bind($0.expr) }
      p.emit(ProjectStep(exprs, names: names), fields: outFields)
      return
    }
    let binder = p.binder
    let partition = try by.map { try binder.bind($0) }
    let order = try sort.map { (try binder.bind($0.expr), descending: $0.descending) }
    let collation = p.planner.collation
    let step = WindowStep(partition: partition, order: order, aggregates: collector.aggregates,
      functions: collector.functions.map { var f = $0; f.collation = collation; return f }, collation: collation)
    // Placeholders become the window step's columns: aggregates first, then functions.
    let n = fields.count
    let slots = collector.slots
    let aggregateCount = collector.aggregates.count
    let mapped = exprs.map { e in
      e.replacingColumns { i, t in
        guard i >= WindowCollector.placeholderBase, i - WindowCollector.placeholderBase < slots.count else { return .column(i, t) }
        let slot = slots[i - WindowCollector.placeholderBase]
        return .column(n + (slot.window ? aggregateCount + slot.index : slot.index), t)
      }
    }
    let windowFields = fields + zip(step.outputNames, step.aggregates.map(\.resultType) + step.functions.map(\.resultType)).map {
      Field(name: $0, type: $1)
    }
    p.emit(step, fields: windowFields)
    p.emit(ProjectStep(mapped, names: names), fields: outFields)
  }

  /// Replaces references to the current columns by their defining expressions.
  private func substituteColumns(_ e: BoundExpr, _ defs: [BoundExpr]) -> BoundExpr {
    e.replacingColumns { i, t in i < defs.count ? defs[i] : .column(i, t) }
  }
}
