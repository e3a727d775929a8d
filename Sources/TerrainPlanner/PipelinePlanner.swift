// Binds a parsed pipeline stage by stage into a `QueryPlan`, checking every name and type
// before any row is read.

import TerrainStorage
import TerrainSyntax
import TerrainIO

/// Looks up a table by name for the planner (loading a lazily registered one if needed).
package protocol TableProvider {
  /// The table called `name`, or a diagnostic at `span` with a suggestion.
  func table(named name: String, at span: Span) throws -> Table
}

package struct PipelinePlanner {
  package let tables: TableProvider
  package let parameters: [String: ParameterValue]
  package let constants: any ConstantEvaluator
  /// The scalar functions and aggregates calls are bound against.
  package let functions: FunctionRegistry
  /// Reads data for the one stage whose output columns depend on it (`pivot`); nil where no
  /// data may be read (then `pivot` is an error).
  package let probe: (any DataProbe)?

  /// The session's order of text (`.collation`), recorded in the steps that order rows
  /// (`sort`, windows, `pivot`) and in the `min`/`max` aggregates.
  package let collation: Collation

  package init(
    tables: TableProvider, parameters: [String: ParameterValue], constants: any ConstantEvaluator, functions: FunctionRegistry,
    probe: (any DataProbe)? = nil, collation: Collation = .default
  ) {
    self.tables = tables
    self.parameters = parameters
    self.constants = constants
    self.functions = functions
    self.probe = probe
    self.collation = collation
  }

  /// Binds `pipeline`, whose source must already be resolved (`from TABLE`); a `compare`
  /// source is planned by `plan(_:compare:pilots:)` (Compare.swift).
  package func plan(_ pipeline: Pipeline, source: Table, sourceName: String) throws -> QueryPlan {
    try plan(pipeline.stages, after: QueryPlan(source: source, sourceName: sourceName, steps: [], fieldsAfter: [source.fields]),
      sourceName: sourceName)
  }

  /// Binds `stages` after the steps of `start`, on its output columns; `sourceName` names
  /// what they read in messages.
  func plan(_ stages: [StageNode], after start: QueryPlan, sourceName: String) throws -> QueryPlan {
    var fields = start.outputFields
    var fieldsAfter = start.fieldsAfter
    var steps = start.steps
    var export: ExportSink?
    var chart: ChartSink?
    for (position, node) in stages.enumerated() {
      if export != nil {
        throw Diagnostic(.exportMustBeLast, at: node.keywordSpan, label: .afterExport)
      }
      if chart != nil {
        throw Diagnostic(.chartMustBeLast, at: node.keywordSpan, label: .afterChart)
      }
      guard let stage = node.stage as? any PlannableStage else {
        throw Diagnostic(.stageNotPlanned, node.keyword, at: node.keywordSpan, label: .notPlanned)
      }
      let next = position + 1 < stages.count ? stages[position + 1] : nil
      var planning = StagePlanning(planner: self, fields: fields, sourceName: sourceName, next: next, source: start.source,
        before: steps)
      try stage.plan(&planning)
      for (step, out) in planning.steps {
        steps.append(step)
        fields = out
        fieldsAfter.append(fields)
      }
      if let sink = planning.export { export = sink }
      if let sink = planning.chart { chart = sink }
    }
    var plan = QueryPlan(source: start.source, sourceName: start.sourceName, steps: steps, fieldsAfter: fieldsAfter, export: export)
    plan.chart = chart
    return plan
  }

  func bindItems(_ items: [NamedExpr], _ binder: ExpressionBinder) throws -> ([BoundExpr], [String]) {
    let exprs = try items.map { try binder.bind($0.expr) }
    try checkUnique(items.map(\.name))
    return (exprs, items.map(\.name.text))
  }

  /// Output names must be unique; the error points at the second use of a name.
  func checkUnique(_ names: [Name]) throws {
    try checkNamesUnique(names, .columnAppearsTwice, label: .duplicateName, help: .giveAnotherName)
  }

  func unknownColumn(_ c: Name, _ fields: [Field], _ source: String) -> Diagnostic {
    unknownColumnError(c.text, at: c.span, in: source, columns: fields.map(\.name))
  }

  /// The text of a `load` or `export` path: its pieces end to end, each parameter read as text
  /// (an undefined one is reported at its span).
  package func resolvePath(_ path: PathText) throws -> String {
    let binder = ExpressionBinder(fields: [], sourceName: "path", parameters: parameters, constants: constants, functions: functions)
    var out = ""
    for piece in path.pieces {
      switch piece.kind {
      case .literal(let s):
        out += s
      case .parameter(let p):
        guard case .constant(.text(let s), _) = try binder.bind(Expr(kind: .parameter(p), span: piece.span), expected: .text) else {
          throw Diagnostic(.parameterNotText, p, at: piece.span)
        }
        out += s
      }
    }
    return out
  }
}

/// A name given twice (`drop a, a`) is an error at its second mention: `entry` with the name
/// ("column `a` … twice").
package func checkNamesUnique(_ names: [Name], _ entry: DiagnosticMessage, label: DiagnosticText, help: DiagnosticText) throws {
  var seen = Set<String>()
  for n in names where !seen.insert(n.text).inserted {
    throw Diagnostic(entry, n.text, at: n.span, label: label, help: help)
  }
}
