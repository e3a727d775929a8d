// `| sort KEY [asc|desc], …`
// `sort`: a stable sort, with the row count of a `take` right after it (top-N).

import TerrainStorage
import TerrainSyntax

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

/// Sorts on `keys`, text in `collation` order; with `limit` when a `take` follows (top-N).
package struct SortStep: LogicalStep {
  package var keys: [(BoundExpr, descending: Bool)]
  package var limit: Int?
  /// The session's collation when the pipeline was planned.
  package var collation: Collation

  package init(_ keys: [(BoundExpr, descending: Bool)], limit: Int?, collation: Collation) {
    self.keys = keys
    self.limit = limit
    self.collation = collation
  }
}

extension SortStage: PlannableStage {
  package func plan(_ p: inout StagePlanning) throws {
    let binder = p.binder
    let bound = try keys.map { (try binder.bind($0.expr), descending: $0.descending) }
    var limit: Int?
    if let take = p.next?.stage as? TakeStage {
      // `take N by k`: the top N of each group, not a global limit (TakeByPlan.swift).
      guard take.by.isEmpty else {
        p.emit(SortTakeByStep(bound, limit: try take.rowCount(binder), groupKeys: try take.groupKeys(binder),
          collation: p.planner.collation), fields: p.fields)
        return
      }
      limit = try take.rowCount(binder)
    }
    p.emit(SortStep(bound, limit: limit, collation: p.planner.collation), fields: p.fields)
  }
}
