// The bound, executable form of a pipeline.

import TerrainStorage
import TerrainSyntax
import TerrainIO

/// One step of a bound pipeline. Expressions are bound against the step's input fields.
package enum PlanStep {
  /// `where`: keep rows where the predicate is true.
  case filter(BoundExpr)
  /// `select`, `derive`, `drop`: exactly these output columns.
  case project([BoundExpr], names: [String])
  /// `aggregate`: group by `keys`, compute `specs`, then `outputs` over [keys…, specs…].
  case aggregate(keys: [BoundExpr], keyNames: [String], specs: [AggregateSpec], outputs: [BoundExpr], names: [String])
  /// `sort`, with `limit` when a `take` follows (top-N).
  case sort([(BoundExpr, descending: Bool)], limit: Int?)
  /// `take N`.
  case take(Int)
  /// `join`: `probeKeys` over the input, `buildKeys` over `table`; the output is the input's
  /// columns then `table`'s columns at `keptRight`, named `names`.
  case join(table: Table, tableName: String, left: Bool, probeKeys: [BoundExpr], buildKeys: [BoundExpr], keptRight: [Int], names: [String])
  /// `distinct`: unique combinations of the columns at these indices (all when empty… resolved at bind).
  case distinct([Int])
}

/// A pipeline ready to run: a source table and steps, each with its output field names.
package struct QueryPlan {
  package var source: Table
  package var sourceName: String
  package var steps: [PlanStep]
  /// Field names after each step (index 0 = the source's).
  package var fieldsAfter: [[Field]]
  /// The `export` sink, if any.
  package var export: ExportSink?

  package var outputFields: [Field] { fieldsAfter.last ?? source.fields }

  package init(source: Table, sourceName: String, steps: [PlanStep], fieldsAfter: [[Field]], export: ExportSink? = nil) {
    self.source = source
    self.sourceName = sourceName
    self.steps = steps
    self.fieldsAfter = fieldsAfter
    self.export = export
  }
}

/// Where an `export` stage writes.
package struct ExportSink {
  package var path: String
  package var options: ExportOptions
  package var span: Span

  package init(path: String, options: ExportOptions, span: Span) {
    self.path = path
    self.options = options
    self.span = span
  }
}
