// `where`: a filter step.

import TerrainSyntax

/// Keeps the rows where the predicate is true.
package struct FilterStep: LogicalStep {
  package var predicate: BoundExpr

  package init(_ predicate: BoundExpr) { self.predicate = predicate }
}

extension WhereStage: PlannableStage {
  package func plan(_ p: inout StagePlanning) throws {
    p.emit(FilterStep(try p.binder.bindPredicate(condition)), fields: p.fields)
  }
}
