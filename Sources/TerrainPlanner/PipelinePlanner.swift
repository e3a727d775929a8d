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

  package init(
    tables: TableProvider, parameters: [String: ParameterValue], constants: any ConstantEvaluator, functions: FunctionRegistry,
    probe: (any DataProbe)? = nil
  ) {
    self.tables = tables
    self.parameters = parameters
    self.constants = constants
    self.functions = functions
    self.probe = probe
  }

  /// Binds `pipeline`, whose source must already be resolved (`from TABLE`); `compare` sources
  /// are rewritten by the caller into a table before this.
  package func plan(_ pipeline: Pipeline, source: Table, sourceName: String) throws -> QueryPlan {
    var fields = source.fields
    var fieldsAfter = [fields]
    var steps: [PlanStep] = []
    var export: ExportSink?
    for (position, node) in pipeline.stages.enumerated() {
      if export != nil {
        throw Diagnostic("`export` must be the last stage", at: node.keywordSpan, label: "after export")
      }
      guard let stage = node.stage as? any PlannableStage else {
        throw Diagnostic("stage `\(node.keyword)` has no planning", at: node.keywordSpan, label: "not planned")
      }
      let next = position + 1 < pipeline.stages.count ? pipeline.stages[position + 1] : nil
      var planning = StagePlanning(planner: self, fields: fields, sourceName: sourceName, next: next, source: source,
        before: steps)
      try stage.plan(&planning)
      for (step, out) in planning.steps {
        steps.append(step)
        fields = out
        fieldsAfter.append(fields)
      }
      if let sink = planning.export { export = sink }
    }
    return QueryPlan(source: source, sourceName: sourceName, steps: steps, fieldsAfter: fieldsAfter, export: export)
  }

  func bindItems(_ items: [NamedExpr], _ binder: ExpressionBinder) throws -> ([BoundExpr], [String]) {
    let exprs = try items.map { try binder.bind($0.expr) }
    try checkUnique(items.map(\.name))
    return (exprs, items.map(\.name.text))
  }

  /// Output names must be unique; the error points at the second use of a name.
  func checkUnique(_ names: [Name]) throws {
    try checkNamesUnique(names, what: "appears", label: "duplicate name", help: "give one of them another name with `other = …`")
  }

  func unknownColumn(_ c: Name, _ fields: [Field], _ source: String) -> Diagnostic {
    Diagnostic("unknown column `\(c.text)` in `\(source)`", at: c.span, label: "not found",
      help: closestName(to: c.text, in: fields.map(\.name)).map { "did you mean `\($0)`?" })
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
          throw Diagnostic("parameter `$\(p)` cannot be read as text", at: piece.span)
        }
        out += s
      }
    }
    return out
  }
}

/// A name given twice (`drop a, a`) is an error at its second mention: "column `a` … twice".
package func checkNamesUnique(_ names: [Name], noun: String = "column", what: String, label: String, help: String) throws {
  var seen = Set<String>()
  for n in names where !seen.insert(n.text).inserted {
    throw Diagnostic("\(noun) `\(n.text)` \(what) twice", at: n.span, label: label, help: help)
  }
}
