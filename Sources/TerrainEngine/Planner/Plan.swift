// The bound, executable form of a pipeline.

/// One step of a bound pipeline. Expressions are bound against the step's input fields.
enum PlanStep {
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

  /// The lines `.explain` shows for this step, with constants folded as they will run.
  func describe(_ input: [String]) -> [String] {
    func d(_ e: BoundExpr, _ names: [String]) -> String { ExpressionCompiler.fold(e).describe(names) }
    switch self {
    case .filter(let e): return ["Filter \(d(e, input))"]
    case .project(let es, let names):
      var kept = 0
      var items: [String] = []
      for (n, e) in zip(names, es) {
        if case .column(let i, _) = e, i < input.count, input[i] == n { kept += 1 } else { items.append("\(n) = \(d(e, input))") }
      }
      if items.isEmpty { return ["Project " + names.joined(separator: ", ")] }
      let keeps = kept > 0 ? " (and \(kept) column\(kept == 1 ? "" : "s") kept)" : ""
      return ["Project " + items.joined(separator: ", ") + keeps]
    case .aggregate(let keys, let keyNames, let specs, let outputs, let names):
      let aggs = specs.enumerated().map { i, s in
        "agg\(i) = \(s.function.rawValue)(\(s.argument.map { d($0, input) } ?? ""))"
      }
      var head = "HashAggregate " + aggs.joined(separator: ", ")
      if !keys.isEmpty { head += " by " + zip(keyNames, keys).map { n, k in d(k, input) == n ? n : "\(n) = \(d(k, input))" }.joined(separator: ", ") }
      let inner = keyNames + specs.indices.map { "agg\($0)" }
      let post = zip(names, outputs).map { n, e in d(e, inner) == n ? n : "\(n) = \(d(e, inner))" }
      return [head, "Project " + post.joined(separator: ", ")]
    case .sort(let keys, let limit):
      let k = keys.map { "\(d($0.0, input))\($0.descending ? " desc" : "")" }.joined(separator: ", ")
      return [limit.map { "TopN \($0) by \(k)" } ?? "Sort \(k)"]
    case .take(let n): return ["Take \(n)"]
    case .join(let table, let name, let left, let pk, let bk, _, _):
      let right = table.columnNames
      return ["HashJoin\(left ? " left" : "") \(name) on " + zip(pk.map { d($0, input) }, bk).map { "\($0) == \(name).\($1.describe(right))" }.joined(separator: " and ")]
    case .distinct(let cols): return ["Distinct " + cols.map { $0 < input.count ? input[$0] : "#\($0)" }.joined(separator: ", ")]
    }
  }
}

/// A pipeline ready to run: a source table and steps, each with its output field names.
struct QueryPlan {
  var source: Table
  var sourceName: String
  var steps: [PlanStep]
  /// Field names after each step (index 0 = the source's).
  var fieldsAfter: [[Field]]
  /// The `export` sink, if any.
  var export: ExportSink?

  var outputFields: [Field] { fieldsAfter.last ?? source.fields }
}

/// Where an `export` stage writes.
struct ExportSink {
  var path: String
  var options: ExportOptions
  var span: Span
}
