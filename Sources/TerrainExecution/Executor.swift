// Runs a bound plan step by step over relations.

import TerrainStorage
import TerrainSyntax
import TerrainPlanner

/// Whether `where` then `aggregate` run as one masked pass: an aggregate without `by` whose
/// arguments cannot fail on the rows the condition removes.
package func fusesAsMaskedAggregate(_ first: PlanStep, _ second: PlanStep) -> Bool {
  guard case .filter = first, case .aggregate(let keys, _, let specs, _, _) = second, keys.isEmpty else { return false }
  return !specs.contains { $0.argument?.canFail ?? false }
}

/// Executes query plans, checking the cancellation flag between chunks.
package struct Executor {
  package let cancel: CancellationFlag?

  /// The rows of `plan` (before any export).
  package func run(_ plan: QueryPlan) throws -> Relation {
    var rel = Relation(table: plan.source, name: plan.sourceName)
    var i = 0
    while i < plan.steps.count {
      // `where` then `aggregate` without `by`: one pass with the condition as a mask, no
      // selection vector and no gather (faster than selecting rows for a whole-table total).
      if i + 1 < plan.steps.count, fusesAsMaskedAggregate(plan.steps[i], plan.steps[i + 1]),
        case .filter(let predicate) = plan.steps[i],
        case .aggregate(_, _, let specs, let outputs, let names) = plan.steps[i + 1] {
        let totals = try aggregateWhere(rel, predicate: predicate, specs: specs, cancel: cancel)
        rel = try project(totals, outputs, names)
        i += 2
        continue
      }
      let fields = plan.fieldsAfter[min(i + 1, plan.fieldsAfter.count - 1)]
      rel = try run(plan.steps[i], on: rel, fields: fields)
      try cancel?.check()
      i += 1
    }
    return rel
  }

  private func run(_ step: PlanStep, on rel: Relation, fields: [Field]) throws -> Relation {
    switch step {
    case .filter(let predicate):
      return try filterRows(rel, predicate, cancel: cancel)
    case .project(let exprs, let names):
      return try project(rel, exprs, names)
    case .aggregate(let keys, let keyNames, let specs, let outputs, let names):
      let grouped = try aggregate(rel, keys: keys, keyNames: keyNames, specs: specs, cancel: cancel)
      return try project(grouped, outputs, names)
    case .sort(let keys, let limit):
      let compiler = ExpressionCompiler(relation: rel)
      let columns = try keys.map { (try compiler.evaluateColumn($0.0, cancel: cancel), $0.descending) }
      let perm = try sortPermutation(columns, rowCount: rel.rowCount, limit: limit, cancel: cancel)
      return rel.selecting(IndexVector(ColumnBuffer(perm)))
    case .take(let n):
      return rel.prefix(n)
    case .join(let table, let tableName, let left, let probeKeys, let buildKeys, let kept, let names):
      let build = Relation(table: table, name: tableName)
      let (probeRows, buildRows) = try hashJoin(probe: rel, probeKeys: probeKeys, build: build, buildKeys: buildKeys,
        left: left, cancel: cancel)
      let leftPart = rel.selecting(probeRows)
      let rightCols = kept.map { ColumnRef(column: table.columns[$0], indices: buildRows) }
      return Relation(fields: zip(names, leftPart.columns.map(\.type) + rightCols.map(\.type)).map { Field(name: $0, type: $1) },
        columns: leftPart.columns + rightCols, rowCount: probeRows.count, sourceName: rel.sourceName)
    case .distinct(let cols):
      let compiler = ExpressionCompiler(relation: rel)
      let keyColumns = try cols.map { try compiler.evaluateColumn(.column($0, rel.fields[$0].type), cancel: cancel) }
      let (_, firstRows) = try groupRows(keyColumns, rowCount: rel.rowCount, cancel: cancel)
      let rows = rel.rowCount == 0 ? [] : firstRows
      return rel.projecting(cols, names: cols.map { rel.fields[$0].name }).selecting(IndexVector(ColumnBuffer(rows)))
    }
  }

  private func project(_ rel: Relation, _ exprs: [BoundExpr], _ names: [String]) throws -> Relation {
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

  package init(cancel: CancellationFlag? = nil) {
    self.cancel = cancel
  }
}

/// Keeps the rows where `predicate` is true, as a selection over the input's columns.
package func filterRows(_ rel: Relation, _ predicate: BoundExpr, cancel: CancellationFlag?) throws -> Relation {
  let ranges = workerRanges(rel.rowCount)
  let parts = try runRanges(ranges) { _, range in try selectRows(rel, predicate, range, cancel: cancel) }
  let total = parts.reduce(0) { $0 + $1.count }
  if total == rel.rowCount { return rel }
  if parts.count == 1, let only = parts.first { return rel.selecting(IndexVector(only.finish())) }
  let all = BufferBuilder<Int32>(capacity: total)
  for p in parts {
    let dst = all.tail(reserving: p.count)
    dst.update(from: p.base, count: p.count)
    all.advance(by: p.count)
  }
  return rel.selecting(IndexVector(all.finish()))
}

/// The positions in `range` where `predicate` is true.
private func selectRows(_ rel: Relation, _ predicate: BoundExpr, _ range: Range<Int>, cancel: CancellationFlag?) throws -> BufferBuilder<Int32> {
  let compiler = ExpressionCompiler(relation: rel)
  let positions = BufferBuilder<Int32>(capacity: 1024)
  let condition = try compiler.compileMask(predicate)
  let mask = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
  defer { mask.deallocate() }
  try forEachChunkRange(range, cancel: cancel) { start, n in
    try condition(start, n, mask, .assign)
    let dst = positions.tail(reserving: n)
    var k = 0
    for i in 0..<n {
      dst[k] = Int32(truncatingIfNeeded: start + i)
      k += Int(mask[i])
    }
    positions.advance(by: k)
  }
  return positions
}
