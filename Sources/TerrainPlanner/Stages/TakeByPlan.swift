// `take N by k, …`: the first N rows of each group, in the current order; fused with a `sort`
// just before it into a top N per group.

import TerrainStorage
import TerrainSyntax

/// The first `count` rows of each group of `keys`, rows keeping their order.
package struct TakeByStep: LogicalStep {
  package var count: Int
  package var keys: [BoundExpr]

  package init(_ count: Int, keys: [BoundExpr]) {
    self.count = count
    self.keys = keys
  }
}

/// `sort KEYS | take N by GROUPS`: the rows of the sort's order that are among the first
/// `limit` of their group, without sorting every row when the groups' tops are few (a bounded
/// heap per group, then a sort of the kept rows only).
package struct SortTakeByStep: LogicalStep {
  package var keys: [(BoundExpr, descending: Bool)]
  package var limit: Int
  package var groupKeys: [BoundExpr]
  /// The order of text in `keys` (the session's when the pipeline was planned).
  package var collation: Collation

  package init(_ keys: [(BoundExpr, descending: Bool)], limit: Int, groupKeys: [BoundExpr], collation: Collation) {
    self.keys = keys
    self.limit = limit
    self.groupKeys = groupKeys
    self.collation = collation
  }
}

extension TakeStage {
  /// The bound `by` keys (any value expression; no aggregate).
  func groupKeys(_ binder: ExpressionBinder) throws -> [BoundExpr] {
    try by.map { try binder.bind($0) }
  }
}
