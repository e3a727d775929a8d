// `| pivot NAMES using AGG, … [by k, …]`
// `pivot NAMES using AGG, … [by k, …]`: an aggregate by (k…, NAMES), then a redistribution of
// its rows into one row per group of k and one column per value of NAMES (and aggregate).
//
// The output columns depend on the data, so planning asks the `DataProbe` for the distinct
// values of NAMES over the rows coming in (DataProbe.swift): the one place planning reads data.

import TerrainStorage
import TerrainSyntax

/// Long to wide: one row per group of `by`, one column per distinct value of NAMES.
public struct PivotStage: StageSyntax {
  /// The column whose distinct values name the new columns.
  public var names: Name
  /// The aggregates; `name` is nil for a lone unnamed one (`using count()`).
  public var aggregates: [(name: Name?, expr: Expr)]
  public var by: [NamedExpr]

  public static let keyword = "pivot"
  public static let continuationWords = ["using", "by"]
  public static let completionWords = ["using", "by"]
  public static let definingWords = ["using"]
  public static let otherNames = ["pivot_wider", "spread", "crosstab"]
  public static let otherNameHelp = "use `pivot NAMES using AGG [by k, …]`"
  public static let help = StageHelp(synopsis: "| pivot NAMES using AGG, … [by k, …]",
    text: "Long to wide: one row per group of `by` (one row in all without it), then one column per distinct value of NAMES in ascending order, holding the aggregate over the group's rows with that value (null where there are none). Several aggregates are each named (`using n = count(), s = sum(x)`) and give columns `VALUE_name`, value by value. A column is named by the value's text (`2017`, `T3`, `null`); at most 1,000 values. Planning reads the distinct values of NAMES (the one place planning reads data; `.explain` shows it).",
    example: "from communes | where code_region == \"84\" | pivot code_departement using count() by code_region")

  public static func parse(_ p: inout Parser) throws -> PivotStage {
    let names = try p.name(.thePivotColumn)
    guard p.acceptClause("using") else {
      throw p.unexpected(.pivotNeedsUsing, names.text,
        help: .pivotExample(names.text))
    }
    var aggregates: [(name: Name?, expr: Expr)] = []
    repeat {
      p.skipNewlines()
      if case .identifier(let s, _) = p.current.kind, p.nextIsSymbol("=") {
        let t = p.advance()
        _ = p.advance()  // =
        p.skipNewlines()
        aggregates.append((Name(text: s, span: t.span), try p.parseExpr()))
      } else {
        aggregates.append((nil, try p.parseExpr()))
      }
    } while p.acceptSymbol(",")
    if aggregates.count > 1, let unnamed = aggregates.first(where: { $0.name == nil }) {
      throw Diagnostic(.pivotAggregatesUnnamed, at: unnamed.expr.span, label: .noName,
        help: .pivotNameEach)
    }
    var by: [NamedExpr] = []
    if p.acceptClause("by") { by = try p.parseNamedList() }
    return PivotStage(names: names, aggregates: aggregates, by: by)
  }
}

/// Redistributes the rows of the aggregate before it — `byCount` key columns, then NAMES, then
/// one column per aggregate — into one row per group of the keys: the keys, then for each of
/// `values` (in order) one column per aggregate, null where the group has no row with it.
package struct PivotStep: LogicalStep {
  package var byCount: Int
  package var namesColumn: String
  package var values: [Value]
  package var aggregateNames: [String?]
  package var fields: [Field]

  package init(byCount: Int, namesColumn: String, values: [Value], aggregateNames: [String?], fields: [Field]) {
    self.byCount = byCount
    self.namesColumn = namesColumn
    self.values = values
    self.aggregateNames = aggregateNames
    self.fields = fields
  }
}

/// The most columns one `pivot` may make from the values of NAMES.
package let pivotValueLimit = 1_000

/// `40,000`: a count for messages.
func grouped(_ n: Int) -> String {
  let s = String(n)
  var out = ""
  for (i, ch) in s.enumerated() {
    if i > 0 && (s.count - i) % 3 == 0 && ch != "-" { out.append(",") }
    out.append(ch)
  }
  return out
}

/// The name `pivot` gives the column of `v`: its text (`2017`, `T3`, `null`).
package func pivotColumnName(_ v: Value) -> String {
  switch v {
  case .null: return "null"
  default: return v.description
  }
}

extension PivotStage: PlannableStage {
  package func plan(_ p: inout StagePlanning) throws {
    let nameIndex = try p.column(names)
    let nameType = p.fields[nameIndex].type
    let (byKeys, byNames) = try p.planner.bindItems(by, p.binder)
    let keys = byKeys + [BoundExpr.column(nameIndex, nameType)]
    let keyNames = byNames + [names.text]
    if byNames.contains(names.text), let n = by.first(where: { $0.name.text == names.text }) {
      throw Diagnostic(.pivotNamesAlsoBy, names.text, at: n.name.span,
        label: .alsoAfterPivot, help: .pivotGroupByOther(names.text))
    }
    let collector = AggregateCollector(keyNames: keyNames, keyTypes: keys.map(\.type))
    var aggBinder = p.binder
    aggBinder.aggregates = collector
    var outputs: [BoundExpr] = []
    var aggNames: [String?] = []
    for a in aggregates {
      outputs.append(try aggBinder.bind(a.expr))
      aggNames.append(a.name?.text)
    }
    try checkNamesUnique(aggregates.compactMap(\.name), .aggregateNamedTwice, label: .duplicateName,
      help: .giveEachAggregateAName)
    let inner = AggregateStep(keys: keys, keyNames: keyNames, specs: collector.specs,
      outputs: keys.indices.map { BoundExpr.column($0, keys[$0].type) } + outputs,
      names: keyNames + aggregates.indices.map { "agg\($0)" })
    let innerFields = zip(inner.names, inner.outputs).map { Field(name: $0, type: $1.type) }

    // The values of NAMES, read from the rows coming in.
    guard let probe = p.planner.probe, let source = p.source else {
      throw Diagnostic(.pivotNoProbe, names.text, at: names.span, label: .needsTheData)
    }
    let probed = try probe.distinctValues(of: nameIndex, source: source, sourceName: p.sourceName, steps: p.before,
      limit: pivotValueLimit, collation: p.planner.collation)
    let columnsMade = probed.distinctCount * aggregates.count
    if probed.distinctCount > pivotValueLimit {
      throw Diagnostic(.pivotTooManyValues, names.text, grouped(columnsMade), names.text,
        grouped(probed.distinctCount), grouped(pivotValueLimit), at: names.span,
        label: .distinctValuesCount(grouped(probed.distinctCount)),
        help: nameType == .float ? .pivotFloatColumn(names.text, names.text) : .pivotFewerValues(names.text))
    }
    if probed.values.isEmpty && by.isEmpty {
      throw Diagnostic(.pivotNoValues, names.text, names.text, at: names.span, label: .noValues,
        help: .pivotEmptyInput)
    }
    var fields = zip(byNames, byKeys).map { Field(name: $0, type: $1.type) }
    var seen = Set(byNames)
    for v in probed.values {
      for (k, a) in aggNames.enumerated() {
        let name = a.map { "\(pivotColumnName(v))_\($0)" } ?? pivotColumnName(v)
        guard seen.insert(name).inserted else {
          throw Diagnostic(.pivotNameClash, names.text, name, at: names.span, label: .nameTwice(name),
            help: byNames.contains(name) ? .renameByColumn(name, name) : .pivotValuesCollide(names.text, names.text))
        }
        fields.append(Field(name: name, type: outputs[k].type))
      }
    }
    p.emit(inner, fields: innerFields)
    p.emit(PivotStep(byCount: byKeys.count, namesColumn: names.text, values: probed.values, aggregateNames: aggNames,
      fields: fields), fields: fields)
  }
}
