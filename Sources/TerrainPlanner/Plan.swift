// The bound, executable form of a pipeline.

import TerrainStorage
import TerrainSyntax
import TerrainIO

/// One step of a bound pipeline, as a stage's planning makes it (each stage's step is declared
/// beside its planning, in Stages/). Expressions are bound against the step's input fields.
/// TerrainExecution runs a step by the operator it attaches to the step's type
/// (`PhysicalStep`); a step type without one fails the test that runs every stage.
package protocol LogicalStep {}

package typealias PlanStep = any LogicalStep

/// `select`, `derive`, `drop`: exactly these output columns.
package struct ProjectStep: LogicalStep {
  package var exprs: [BoundExpr]
  package var names: [String]

  package init(_ exprs: [BoundExpr], names: [String]) {
    self.exprs = exprs
    self.names = names
  }
}

/// A pipeline ready to run: a source table and steps, each with its output field names.
/// A source read batch by batch: calls its argument with each batch as a table (possibly from
/// several threads at once, in any order), which must not be kept once it returns.
package typealias BatchedSource = (_ body: @escaping @Sendable (Table) throws -> Void) throws -> Void

package struct QueryPlan {
  package var source: Table
  /// The source read batch by batch instead, for a plan that counts its rows only
  /// (`countsRowsOnly`): `source` then holds placeholders, never read.
  package var batches: BatchedSource?
  package var sourceName: String
  package var steps: [PlanStep]
  /// Field names after each step (index 0 = the source's).
  package var fieldsAfter: [[Field]]
  /// The `export` sink, if any.
  package var export: ExportSink?
  /// The `chart` sink, if any.
  package var chart: ChartSink?

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
