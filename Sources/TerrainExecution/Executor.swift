// Runs a bound plan step by step over relations.

import TerrainStorage
import TerrainSyntax
import TerrainPlanner

/// Whether `where` then `aggregate` run as one masked pass: an aggregate without `by` whose
/// arguments cannot fail on the rows the condition removes.
package func fusesAsMaskedAggregate(_ first: PlanStep, _ second: PlanStep) -> Bool {
  guard first is FilterStep, let aggregate = second as? AggregateStep, aggregate.keys.isEmpty else { return false }
  return !aggregate.specs.contains { $0.argument?.canFail ?? false }
}

/// A plan step the executor can run: the operator of a stage, attached to the step type its
/// planning produces (one file per operator, in Operators/).
package protocol PhysicalStep: LogicalStep {
  /// The rows coming out of the step, given the rows coming in.
  func run(_ input: Relation, _ executor: Executor) throws -> Relation
  /// The lines `.explain` shows for the step (constants folded as they will run), given the
  /// names of the columns coming in.
  func explain(_ input: [String]) -> [String]
  /// Lines `.explain` shows under the step's own, not as steps of the pipeline: the sub-plans
  /// an operator runs (none by default).
  func explainDetails(_ input: [String]) -> [String]
}

extension PhysicalStep {
  package func explainDetails(_ input: [String]) -> [String] { [] }
}

/// The operator of `step`; a step type without one is an error here (and fails the tests
/// that run every stage), never a silent no-op.
package func physical(_ step: PlanStep) throws -> any PhysicalStep {
  guard let op = step as? any PhysicalStep else {
    throw Diagnostic(.noOperator, "\(type(of: step))")
  }
  return op
}

/// Executes query plans, checking the cancellation flag between chunks.
package struct Executor {
  package let cancel: CancellationFlag?
  /// Receives the notices operators announce while running (`compare`'s peer group), each a
  /// line ending in a line break; nil: they are dropped.
  package let notify: ((String) -> Void)?

  /// The rows of `plan` (before any export).
  package func run(_ plan: QueryPlan) throws -> Relation {
    let source = Relation(table: plan.source, name: plan.sourceName)
    // A source read batch by batch: the plan counts rows (`countsRowsOnly`, checked when the
    // batches were chosen), batch by batch.
    if let batches = plan.batches, countsRowsOnly(plan.steps, over: source), let filter = plan.steps[0] as? FilterStep,
      let aggregate = plan.steps[1] as? AggregateStep {
      let totals = try countInBatches(batches, predicate: filter.predicate, specs: aggregate.specs, sourceName: plan.sourceName,
        cancel: cancel)
      return try run(Array(plan.steps.dropFirst(2)), on: try project(totals, aggregate.outputs, aggregate.names))
    }
    return try run(plan.steps, on: source)
  }

  /// The rows of `steps` run over `input` (an operator runs its sub-plans with it).
  package func run(_ steps: [PlanStep], on input: Relation) throws -> Relation {
    var rel = input
    var i = 0
    while i < steps.count {
      // `where` then `aggregate` without `by`: one pass with the condition as a mask, no
      // selection vector and no gather (faster than selecting rows for a whole-table total).
      if i + 1 < steps.count, fusesAsMaskedAggregate(steps[i], steps[i + 1]),
        let filter = steps[i] as? FilterStep, let aggregate = steps[i + 1] as? AggregateStep {
        let totals = try aggregateWhere(rel, predicate: filter.predicate, specs: aggregate.specs, cancel: cancel)
        rel = try project(totals, aggregate.outputs, aggregate.names)
        i += 2
        continue
      }
      // `[where C |] select … | sort k | take N` with `k` a selected int/float value: the top
      // rows found in one pass over the input, the selection computed on them only.
      if let (top, next) = try selectedTop(steps, at: i, rel) {
        rel = top
        i = next
        continue
      }
      // `join` then `aggregate` by columns of the joined table: one grouped pass over the
      // pipeline's rows when each finds exactly one joined row (JoinAggregate.swift).
      if i + 1 < steps.count, let join = steps[i] as? JoinStep, let aggregate = steps[i + 1] as? AggregateStep,
        let grouped = try joinedAggregate(rel, join: join, aggregate: aggregate, cancel: cancel) {
        rel = try project(grouped, aggregate.outputs, aggregate.names)
        i += 2
        continue
      }
      rel = try physical(steps[i]).run(rel, self)
      try cancel?.check()
      i += 1
    }
    return rel
  }

  /// Runs `[where C |] select/derive … | sort k | take N` from step `i` as one top-N pass
  /// (`filteredTopRows`) when `k` is one of the selected values and no selected value can fail
  /// (they are computed on the N kept rows only); the result and the index of the step after
  /// the sort, or nil.
  private func selectedTop(_ steps: [PlanStep], at i: Int, _ rel: Relation) throws -> (Relation, Int)? {
    let filter = steps[i] as? FilterStep
    let j = filter == nil ? i : i + 1
    guard j + 1 < steps.count, let select = steps[j] as? ProjectStep, let sort = steps[j + 1] as? SortStep,
      let limit = sort.limit, sort.keys.count == 1, case .column(let k, _) = sort.keys[0].0, k < select.exprs.count,
      !select.exprs.contains(where: { $0.canFail }),
      let rows = try filteredTopRows(rel, predicate: filter?.predicate, key: select.exprs[k],
        descending: sort.keys[0].descending, limit: limit, cancel: cancel)
    else { return nil }
    let top = try rel.selecting(IndexVector(ColumnBuffer(checkedCopying: rows)))
    return (try project(top, select.exprs, select.names), j + 2)
  }

  /// `exprs` over `rel`, named `names` (a bare column is passed through, not copied).
  package func project(_ rel: Relation, _ exprs: [BoundExpr], _ names: [String]) throws -> Relation {
    let compiler = ExpressionCompiler(relation: rel)
    var columns: [ColumnRef] = []
    for e in exprs {
      if case .column(let i, _) = e {
        columns.append(rel.columns[i])
      } else {
        columns.append(ColumnRef(column: try compiler.evaluateColumn(e, cancel: cancel), indices: nil))
      }
    }
    let fields = zip(names, exprs).map { Field(name: $0, type: $1.type) }
    return Relation(fields: fields, columns: columns, rowCount: rel.rowCount, sourceName: rel.sourceName)
  }

  package init(cancel: CancellationFlag? = nil, notify: ((String) -> Void)? = nil) {
    self.cancel = cancel
    self.notify = notify
  }
}
