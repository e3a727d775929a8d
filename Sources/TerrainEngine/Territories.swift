// `pilots`, `.pilots` and the display of `compare` (planned in TerrainPlanner/Compare.swift, run
// by TerrainExecution/Operators/CompareOperator.swift): pilot territories side by side and
// against their peers.

import Foundation
import TerrainStorage
import TerrainSyntax
import TerrainIO
import TerrainPlanner
import TerrainExecution
import TerrainFunctions

extension Session {
  package func setPilots(_ p: PilotsStatement) throws {
    let table = try self.table(named: p.table.text, at: p.table.span)
    let keyName = p.key?.text ?? table.fields.first?.name ?? ""
    guard let keyIndex = table.index(of: keyName) else {
      throw unknownColumnError(keyName, at: p.key?.span ?? p.table.span, in: p.table.text, columns: table.columnNames)
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
