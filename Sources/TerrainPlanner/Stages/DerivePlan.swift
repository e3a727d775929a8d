// `derive`: a projection keeping every column, with the derived ones added or replaced. With
// aggregates or window functions in its items, a window step first computes them per group
// (`by`), in the window's order (`sort`), as columns after the input's; the projection then
// reads them.

import TerrainStorage
import TerrainSyntax

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
