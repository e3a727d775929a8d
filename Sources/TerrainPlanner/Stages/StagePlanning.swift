// How a stage is planned: each stage type (its grammar, `StageSyntax`) conforms to
// `PlannableStage` in its own file here, beside the step it produces. The planner looks the
// conformance up on the parsed node; `StageRegistryTests` checks that every registered stage
// has one and that its steps run.

import TerrainStorage
import TerrainSyntax
import TerrainIO

/// A stage the planner can bind: it reads the fields coming in and adds its steps.
package protocol PlannableStage: StageSyntax {
  func plan(_ p: inout StagePlanning) throws
}

/// What a stage's planning works with: the fields coming in, a binder over them, the stage
/// after it (`sort` looks for a `take`), and what it produces.
package struct StagePlanning {
  package let planner: PipelinePlanner
  /// The fields coming in.
  package let fields: [Field]
  /// The pipeline's source table, for messages.
  package let sourceName: String
  /// The stage after this one, if any.
  package let next: StageNode?
  /// The pipeline's source table and the steps planned before this stage: what `pivot` hands
  /// to the `DataProbe` to read the distinct values of its column.
  package let source: Table?
  package let before: [PlanStep]
  /// Binds expressions over `fields` (columns may be qualified by the source's name).
  package let binder: ExpressionBinder
  /// The steps added, each with the fields coming out of it.
  package private(set) var steps: [(PlanStep, [Field])] = []
  /// Set by a sink (`export`).
  package var export: ExportSink?
  /// Set by `chart`.
  package var chart: ChartSink?

  package init(planner: PipelinePlanner, fields: [Field], sourceName: String, next: StageNode?, source: Table? = nil,
    before: [PlanStep] = []) {
    self.planner = planner
    self.fields = fields
    self.sourceName = sourceName
    self.next = next
    self.source = source
    self.before = before
    var binder = ExpressionBinder(fields: fields, sourceName: sourceName, parameters: planner.parameters,
      constants: planner.constants, functions: planner.functions, qualifier: sourceName)
    binder.collation = planner.collation
    self.binder = binder
  }

  /// Adds `step`, whose output columns are `fields`.
  package mutating func emit(_ step: PlanStep, fields: [Field]) {
    steps.append((step, fields))
  }

  /// The index of the column `name` coming in, or the "unknown column" error at its span.
  package func column(_ name: Name) throws -> Int {
    guard let i = fields.firstIndex(where: { $0.name == name.text }) else {
      throw planner.unknownColumn(name, fields, sourceName)
    }
    return i
  }
}
