// `pilots`, `.pilots` and `compare`: pilot territories side by side and against their peers.

import Foundation
import TerrainStorage
import TerrainSyntax
import TerrainIO
import TerrainPlanner
import TerrainExecution
import TerrainFunctions

/// The pilot territories of a session: rows of one table picked by key.
package struct PilotSet {
  package var tableName: String
  package var keyColumn: String
  package var keys: [Value]
  /// A display name per key (the first text column named nom/name/libelle, else the key).
  package var displayNames: [String]
}

extension Session {
  package func setPilots(_ p: PilotsStatement) throws {
    let table = try self.table(named: p.table.text, at: p.table.span)
    let keyName = p.key?.text ?? table.fields.first?.name ?? ""
    guard let keyIndex = table.index(of: keyName) else {
      throw Diagnostic(.unknownColumn, keyName, p.table.text, at: p.key?.span ?? p.table.span, label: .notFound,
        help: closestName(to: keyName, in: table.columnNames).map { .didYouMean($0) })
    }
    let keyColumn = table.columns[keyIndex]
    var rows: [Int] = []
    if let predicate = p.predicate {
      let binder = ExpressionBinder(fields: table.fields, sourceName: p.table.text, parameters: parameterValues, constants: KernelConstants(), functions: .standard)
      let plan = QueryPlan(source: table, sourceName: p.table.text, steps: [FilterStep(try binder.bindPredicate(predicate))],
        fieldsAfter: [table.fields, table.fields], export: nil)
      let marked = try Executor(cancel: cancel).run(plan)
      rows = try rowNumbers(of: marked, in: table)
      guard !rows.isEmpty else {
        throw Diagnostic(.noPilotMatches, p.table.text, at: predicate.span, label: .noPilot)
      }
    } else {
      let binder = ExpressionBinder(fields: table.fields, sourceName: p.table.text, parameters: parameterValues, constants: KernelConstants(), functions: .standard)
      var index: [Value: Int] = [:]
      for r in 0..<table.rowCount where index[keyColumn.value(at: r)] == nil { index[keyColumn.value(at: r)] = r }
      for k in p.keys {
        let bound = binder.cast(try binder.bind(k, expected: keyColumn.type), keyColumn.type)
        let v = try ExpressionCompiler.evaluateConstant(bound)
        guard let r = index[v] else {
          let shown = v.description
          let candidates = index.keys.compactMap { k -> String? in if case .text(let s) = k { return s } else { return nil } }
            .sorted(by: utf8Less)
          throw Diagnostic(.noPilotKey, p.table.text, keyName, shown, at: k.span, label: .unknownKey,
            help: closestName(to: shown, in: candidates).map { .didYouMeanText($0) })
        }
        if !rows.contains(r) { rows.append(r) }
      }
    }
    let nameColumn = displayColumn(table)
    let keys = rows.map { keyColumn.value(at: $0) }
    let names = rows.map { r -> String in
      if let c = nameColumn, case .text(let s) = c.value(at: r) { return s }
      return keyColumn.value(at: r).description
    }
    pilots = PilotSet(tableName: p.table.text, keyColumn: keyName, keys: keys, displayNames: names)
    notify("\(rows.count) pilot\(rows.count == 1 ? "" : "s"): \(names.joined(separator: ", "))\n")
  }

  private func displayColumn(_ table: Table) -> Column? {
    for candidate in ["nom", "name", "libelle", "libellé"] {
      if let i = table.fields.firstIndex(where: { $0.name.lowercased() == candidate && $0.type == .text }) {
        return table.columns[i]
      }
    }
    return nil
  }

  /// The row numbers in `table` of the rows of `relation` (a filter of it).
  private func rowNumbers(of relation: Relation, in table: Table) throws -> [Int] {
    guard let ref = relation.columns.first else { return [] }
    guard let idx = ref.indices else { return Array(0..<table.rowCount) }
    return (0..<idx.count).map { Int(idx.indices.base[$0]) }
  }

  /// The comparison table of SPEC §5. `compare` is rewritten into two ordinary plans (see
  /// `ComparePlans`): the pilots' values, then one aggregate over the peers whose results are
  /// pivoted into one row per indicator.
  func compareTable(_ spec: CompareSource, announce: Bool = true) throws -> Table {
    let plans = try comparePlans(spec)
    let stats = try Executor(cancel: cancel).run(plans.peerStats).materialize(cancel: cancel)
    let pilots = plans.pilots
    var names: [String] = ["indicator"]
    var types: [DataType] = [.text]
    for n in pilots.displayNames {
      names += [n, "\(n) rank"]
      types += [plans.valueType, .text]
    }
    names += ["median", "min", "max", "pooled"]
    types += [.float, plans.valueType, plans.valueType, .float]
    let builders = types.map { ColumnBuilder(type: $0) }
    func stat(_ i: Int) -> Value { stats.columns[i].value(at: 0) }
    for (i, indicator) in plans.indicators.enumerated() {
      builders[0].append(text: indicator.name)
      let n = stat(indicator.count)
      for (p, value) in plans.pilotValues.enumerated() {
        let v = value[i]
        builders[1 + 2 * p].append(plans.valueType == .float ? (v.numeric.map(Value.float) ?? .null) : v)
        if let above = indicator.above[p], case .int(let a) = stat(above), case .int(let count) = n, count > 0 {
          builders[2 + 2 * p].append(text: "\(a + 1)/\(count)")
        } else {
          builders[2 + 2 * p].appendNull()
        }
      }
      let base = 1 + 2 * pilots.displayNames.count
      builders[base].append(stat(indicator.median))
      for (k, column) in [indicator.min, indicator.max].enumerated() {
        let v = stat(column)
        builders[base + 1 + k].append(plans.valueType == .float ? (v.numeric.map(Value.float) ?? .null) : v)
      }
      let pooled = try ExpressionCompiler.evaluateConstant(
        ExpressionCompiler.fold(indicator.pooled.replacingColumns { c, t in .constant(indicator.sums[c].map(stat) ?? .null, t) }))
      builders[base + 3].append(pooled.numeric.map(Value.float) ?? .null)
    }
    if announce {
      var line = "\(plans.indicators.count) indicator\(plans.indicators.count == 1 ? "" : "s") · peers: "
        + "\(groupedCount(plans.peerCount)) row\(plans.peerCount == 1 ? "" : "s") of \(pilots.tableName)"
      let outside = plans.pilotsOutsidePeers.compactMap { pilots.displayNames.indices.contains($0) ? pilots.displayNames[$0] : nil }
      if !outside.isEmpty {
        line += " · not among the peers (ranked as if they were): " + outside.joined(separator: ", ")
      }
      notify(line + "\n")
    }
    return Table(names: names, columns: builders.map { $0.finish() })
  }

  /// The plans `compare` runs, for execution and for `.explain`.
  func comparePlans(_ spec: CompareSource) throws -> ComparePlans {
    guard let pilots else {
      throw Diagnostic(.noPilotsYet, at: spec.span, label: .noPilots,
        help: .namePilotsFirst)
    }
    let table = try self.table(named: pilots.tableName, at: spec.span)
    let binder = ExpressionBinder(fields: table.fields, sourceName: pilots.tableName, parameters: parameterValues, constants: KernelConstants(), functions: .standard)
    // Each indicator names a row of the result: a name given twice is an error at its second use.
    try checkNamesUnique(spec.indicators.map(\.name), .indicatorAppearsTwice, label: .duplicateName,
      help: .giveAnotherName)
    var bound: [BoundExpr] = []
    for item in spec.indicators {
      let e = try binder.bind(item.expr)
      guard e.type.isNumeric else {
        throw Diagnostic(.indicatorNotNumeric, item.name.text, "\(e.type)", at: item.expr.span,
          label: .notNumeric, help: .indicatorIsNumeric)
      }
      bound.append(e)
    }
    guard let keyIndex = table.index(of: pilots.keyColumn) else {
      throw Diagnostic(.pilotKeyGone, pilots.keyColumn, pilots.tableName, at: spec.span)
    }
    // 1. The pilots' values: from T | where key in (…) | select key, indicators….
    let key = BoundExpr.column(keyIndex, table.fields[keyIndex].type)
    let pilotFields = [table.fields[keyIndex]] + zip(spec.indicators, bound).map { Field(name: $0.name.text, type: $1.type) }
    let pilotPlan = QueryPlan(source: table, sourceName: pilots.tableName,
      steps: [FilterStep(.inList(key, pilots.keys, negated: false)), ProjectStep([key] + bound, names: pilotFields.map(\.name))],
      fieldsAfter: [table.fields, table.fields, pilotFields], export: nil)
    let pilotTable = try Executor(cancel: cancel).run(pilotPlan).materialize(cancel: cancel)
    var rowOfKey: [Value: Int] = [:]
    for r in 0..<pilotTable.rowCount where rowOfKey[pilotTable.columns[0].value(at: r)] == nil {
      rowOfKey[pilotTable.columns[0].value(at: r)] = r
    }
    let pilotValues = pilots.keys.map { k -> [Value] in
      guard let r = rowOfKey[k] else { return bound.map { _ in .null } }
      return (1...bound.count).map { pilotTable.columns[$0].value(at: r) }
    }
    // 2. One aggregate over the peers: per indicator its median, min, max, count and, per
    //    pilot, how many peers are above it; and the sums the pooled values are computed from.
    var specs: [AggregateSpec] = []
    var specNames: [String] = []
    func add(_ f: AggregateFunction, _ e: BoundExpr, _ t: DataType, _ name: String) -> Int {
      specs.append(AggregateSpec(function: f, argument: e, fraction: 0.5, resultType: t, span: spec.span))
      specNames.append(name)
      return specs.count - 1
    }
    var indicators: [ComparePlans.Indicator] = []
    for (i, item) in spec.indicators.enumerated() {
      let e = bound[i]
      let n = item.name.text
      let median = add(.median, e, .float, "median_\(n)")
      let lo = add(.min, e, e.type, "min_\(n)")
      let hi = add(.max, e, e.type, "max_\(n)")
      let count = add(.count, e, .int, "n_\(n)")
      let above = pilotValues.enumerated().map { p, values -> Int? in
        guard !values[i].isNull else { return nil }
        let higher = BoundExpr.conditional(.compare(.greater, e, .constant(values[i], e.type)), .constant(.int(1), .int),
          .constant(.int(0), .int), .int)
        return add(.sum, higher, .int, "above_\(n)_\(p + 1)")
      }
      // Pooled: the indicator over the sums of the columns it reads, on the peers where it
      // has a value (the N of the ranks).
      var sums: [Int: Int] = [:]
      for c in e.columnsRead.sorted() {
        let f = table.fields[c]
        let whereDefined = BoundExpr.conditional(.isNull(e, negated: true), .column(c, f.type), .constant(.null, f.type), f.type)
        sums[c] = add(.sum, whereDefined, f.type, "sum_\(f.name)_\(n)")
      }
      indicators.append(ComparePlans.Indicator(name: n, median: median, min: lo, max: hi, count: count, above: above,
        pooled: e, sums: sums))
    }
    let peerFilter: [PlanStep] = try spec.peers.map { [FilterStep(try binder.bindPredicate($0))] } ?? []
    let outputs = specs.indices.map { BoundExpr.column($0, specs[$0].resultType) }
    let statFields = zip(specNames, specs).map { Field(name: $0, type: $1.resultType) }
    let peerPlan = QueryPlan(source: table, sourceName: pilots.tableName,
      steps: peerFilter + [AggregateStep(keys: [], keyNames: [], specs: specs, outputs: outputs, names: specNames)],
      fieldsAfter: [table.fields] + peerFilter.map { _ in table.fields } + [statFields], export: nil)
    let peerCount = try peerFilter.isEmpty ? table.rowCount
      : Executor(cancel: cancel).run(QueryPlan(source: table, sourceName: pilots.tableName, steps: peerFilter,
        fieldsAfter: [table.fields, table.fields], export: nil)).rowCount
    // The pilots that are not peers themselves: their rank is the one they would have among them.
    var outside: [Int] = []
    if !peerFilter.isEmpty {
      let inside = try Executor(cancel: cancel).run(QueryPlan(source: table, sourceName: pilots.tableName,
        steps: [FilterStep(.inList(key, pilots.keys, negated: false))] + peerFilter + [ProjectStep([key], names: ["key"])],
        fieldsAfter: [table.fields, table.fields] + peerFilter.map { _ in table.fields } + [[table.fields[keyIndex]]],
        export: nil)).materialize(cancel: cancel)
      let peerKeys = Set((0..<inside.rowCount).map { inside.columns[0].value(at: $0) })
      outside = pilots.keys.indices.filter { rowOfKey[pilots.keys[$0]] != nil && !peerKeys.contains(pilots.keys[$0]) }
    }
    return ComparePlans(pilots: pilots, pilotValuesPlan: pilotPlan, peerStats: peerPlan, pilotValues: pilotValues,
      indicators: indicators, valueType: bound.allSatisfy { $0.type == .int } ? .int : .float,
      peerCount: peerCount, pilotsOutsidePeers: outside)
  }

  /// The comparison as shown in table mode (SPEC §8): per indicator, every number with the
  /// same decimals (none when all are whole, else about four significant digits of the
  /// median), each pilot's value right-aligned beside a bar placing it between the peers' min
  /// and max, ranks and statistics right-aligned, `… rank` headers and no types row. Other
  /// modes and exports keep the plain table with full precision. nil if `table` is not one.
  func compareDisplay(_ table: Table) -> (Table, RenderOptions)? {
    guard let minI = table.index(of: "min"), let maxI = table.index(of: "max"), let medianI = table.index(of: "median")
    else { return nil }
    let rows = 0..<table.rowCount
    func number(_ c: Int, _ r: Int) -> Double? { table.columns[c].value(at: r).numeric }
    // Decimals per indicator row (nil: scientific notation with four significant digits,
    // for rows whose scale fixed decimals cannot show: below 1e-6 or from 1e15 up).
    let numericColumns = table.fields.indices.filter { $0 > 0 && table.fields[$0].type.isNumeric }
    let decimals = rows.map { r -> Int? in
      let values = numericColumns.compactMap { number($0, r) }
      // The median of whole numbers may end in .5: it alone then shows it (below).
      if numericColumns.filter({ $0 != medianI }).compactMap({ number($0, r) })
        .allSatisfy({ $0 == $0.rounded() && Swift.abs($0) < 1e15 }) { return 0 }
      // The median's scale, or the largest value's when the median is zero (or missing), so
      // that a row whose peers are mostly zero still shows its pilots' values.
      let median = Swift.abs(number(medianI, r) ?? 0)
      let scale = median > 0 ? median : values.map { Swift.abs($0) }.max() ?? 0
      guard scale > 0, scale.isFinite else { return 2 }
      if scale >= 1e15 { return nil }
      let d = 3 - Int(Foundation.log10(scale).rounded(.down))
      return d > 9 ? nil : max(1, d)
    }
    func text(_ c: Int, _ r: Int) -> String? {
      guard let v = number(c, r) else { return nil }
      guard var d = decimals[r] else { return unsignedZero(String(format: "%.3e", v)) }
      if d == 0 && c == medianI && v != v.rounded() { d = 1 }
      return groupDigits(unsignedZero(String(format: "%.\(d)f", v)))
    }
    var fields: [Field] = []
    var columns: [Column] = []
    var options = renderOptions
    options.typesRow = false
    options.rightAlignedColumns = []
    func add(_ name: String, _ cells: [String?], rightAligned: Bool) {
      if rightAligned { options.rightAlignedColumns.insert(fields.count) }
      fields.append(Field(name: name, type: .text))
      columns.append(Column.from(cells.map { $0.map(Value.text) ?? .null }, type: .text))
    }
    for (c, f) in table.fields.enumerated() {
      if c == 0 {
        add(f.name, rows.map { table.columns[0].value(at: $0).description }, rightAligned: false)
      } else if f.name.hasSuffix(" rank") {
        add("… rank", rows.map { r in table.columns[c].value(at: r).isNull ? nil : table.columns[c].value(at: r).description },
          rightAligned: true)
      } else if c < minI - 1 {
        // A pilot: its value padded to the column's widest, then the bar, so bars line up.
        let shown = rows.map { text(c, $0) }
        let width = shown.map { $0.map(displayWidth) ?? 0 }.max() ?? 0
        add(f.name, rows.map { r in
          guard let s = shown[r], let v = number(c, r) else { return nil }
          let padded = String(repeating: " ", count: width - displayWidth(s)) + s + " "
          // No peer has a value: nothing to place it between.
          guard let lo = number(minI, r), let hi = number(maxI, r) else { return padded + String(repeating: " ", count: 8) }
          return padded + bar(v, lo, hi)
        }, rightAligned: false)
      } else {
        add(f.name, rows.map { text(c, $0) }, rightAligned: true)
      }
    }
    return (Table(fields: fields, columns: columns, rowCount: table.rowCount), options)
  }
}

/// `s`, a formatted number, without its minus sign when every digit of its mantissa is zero
/// (`-0`, `-0.00` from a tiny negative value, `-0.000e+00`).
func unsignedZero(_ s: String) -> String {
  guard s.hasPrefix("-") else { return s }
  let mantissa = s.prefix { $0 != "e" && $0 != "E" }
  return mantissa.contains(where: { $0.isNumber && $0 != "0" }) ? s : String(s.dropFirst())
}

/// A 6-cell bar showing where `v` sits between `lo` and `hi`.
func bar(_ v: Double, _ lo: Double, _ hi: Double) -> String {
  let width = 6
  let fraction = hi > lo ? max(0, min(1, (v - lo) / (hi - lo))) : 1
  let eighths = Int((fraction * Double(width * 8)).rounded())
  let blocks = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
  var s = String(repeating: "█", count: eighths / 8)
  if eighths % 8 > 0 { s += blocks[eighths % 8] }
  let used = eighths / 8 + (eighths % 8 > 0 ? 1 : 0)
  return "▕" + s + String(repeating: " ", count: max(0, width - used)) + "▏"
}

/// `e` with each column reference replaced.

/// `compare` rewritten into ordinary plans (shown by `.explain`).
struct ComparePlans {
  /// Where each indicator's figures are among the peer aggregate's outputs.
  struct Indicator {
    var name: String
    var median: Int
    var min: Int
    var max: Int
    var count: Int
    /// Per pilot: the output counting peers above it (nil when the pilot's value is null).
    var above: [Int?]
    /// The indicator over the table's columns; its columns are replaced by their sums.
    var pooled: BoundExpr
    /// For each column the indicator reads, the output holding its sum over the peers whose
    /// indicator is not null (so a rate's numerator and denominator come from the same rows).
    var sums: [Int: Int]
  }
  var pilots: PilotSet
  /// from T | where key in (…) | select key, indicators…
  var pilotValuesPlan: QueryPlan
  /// from T [| where peers] | aggregate median, min, max, count, above…, sums…
  var peerStats: QueryPlan
  /// Per pilot (in `pilots` order), per indicator.
  var pilotValues: [[Value]]
  var indicators: [Indicator]
  var valueType: DataType
  var peerCount: Int
  /// The pilots (indices into `pilots.keys`) that the peers' condition leaves out.
  var pilotsOutsidePeers: [Int]
}
