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

  /// A one-line description for `.explain`.
  func describe(_ input: [String]) -> String {
    switch self {
    case .filter(let e): return "Filter \(e.describe(input))"
    case .project(let es, let names):
      return "Project " + zip(names, es).map { n, e in
        let d = e.describe(input)
        return d == n ? n : "\(n) = \(d)"
      }.joined(separator: ", ")
    case .aggregate(let keys, let keyNames, let specs, let outputs, let names):
      let aggs = specs.enumerated().map { i, s in
        "agg\(i) = \(s.function.rawValue)(\(s.argument.map { $0.describe(input) } ?? ""))"
      }
      var s = "HashAggregate " + aggs.joined(separator: ", ")
      if !keys.isEmpty { s += " by " + zip(keyNames, keys).map { "\($0) = \($1.describe(input))" }.joined(separator: ", ") }
      let inner = keyNames + specs.indices.map { "agg\($0)" }
      s += "\n  → Project " + zip(names, outputs).map { "\($0) = \($1.describe(inner))" }.joined(separator: ", ")
      return s
    case .sort(let keys, let limit):
      let k = keys.map { "\($0.0.describe(input))\($0.descending ? " desc" : "")" }.joined(separator: ", ")
      return limit.map { "TopN \($0) by \(k)" } ?? "Sort \(k)"
    case .take(let n): return "Take \(n)"
    case .join(_, let name, let left, let pk, let bk, _, _):
      let names = pk.map { $0.describe(input) }
      return "HashJoin\(left ? " left" : "") \(name) on " + zip(names, bk).map { "\($0) == \(name).\($1.describe([]))" }.joined(separator: " and ")
    case .distinct(let cols): return "Distinct " + cols.map { $0 < input.count ? input[$0] : "#\($0)" }.joined(separator: ", ")
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
