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
    // One pilot per key (a predicate may match two rows with the same key).
    var seenKeys = Set<Value>()
    rows = rows.filter { seenKeys.insert(keyColumn.value(at: $0)).inserted }
    let nameColumn = displayColumn(table)
    let keys = rows.map { keyColumn.value(at: $0) }
    let names = uniqueDisplayNames(rows.map { r -> String in
      if let c = nameColumn, case .text(let s) = c.value(at: r) { return s }
      return keyColumn.value(at: r).description
    }, keys: keys)
    pilots = PilotSet(tableName: p.table.text, keyColumn: keyName, keys: keys, displayNames: names)
    notify(DiagnosticText.pilotsSet(formatCount(rows.count, .onePilotCount, .pilotsCount), names.joined(separator: ", ")).string + "\n")
  }

  /// The pilots' display names made unique (SPEC §5): a name that two pilots share, or that
  /// is one of the comparison's own column names, gets the pilot's key in brackets
  /// (`CC des Quatre Rivières (247000623)`); a name still taken after that gets a number.
  private func uniqueDisplayNames(_ names: [String], keys: [Value]) -> [String] {
    let reserved: Set<String> = ["indicator", "median", "min", "max", "pooled"]
    var count: [String: Int] = [:]
    for n in names { count[n, default: 0] += 1 }
    var taken = Set<String>()
    var result: [String] = []
    for (n, k) in zip(names, keys) {
      var name = count[n, default: 0] > 1 || reserved.contains(n) ? "\(n) (\(k.description))" : n
      var suffix = 2
      // The name and its `… rank` and `… of` columns must all be free.
      func columns(_ name: String) -> [String] { [name, CompareStep.rankName(name), CompareStep.ofName(name)] }
      while columns(name).contains(where: { taken.contains($0) || reserved.contains($0) }) {
        name = "\(n) (\(k.description)) \(suffix)"
        suffix += 1
      }
      taken.formUnion(columns(name))
      result.append(name)
    }
    return result
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
}
