// `pivot NAMES using AGG, … [by k, …]`: an aggregate by (k…, NAMES), then a redistribution of
// its rows into one row per group of k and one column per value of NAMES (and aggregate).
//
// The output columns depend on the data, so planning asks the `DataProbe` for the distinct
// values of NAMES over the rows coming in (DataProbe.swift): the one place planning reads data.

import TerrainStorage
import TerrainSyntax

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
