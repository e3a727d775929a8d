// `pilots`, `.pilots` and `compare`: pilot territories side by side and against their peers.

import Foundation

/// The pilot territories of a session: rows of one table picked by key.
public struct PilotSet {
  public var tableName: String
  public var keyColumn: String
  public var keys: [Value]
  /// A display name per key (the first text column named nom/name/libelle, else the key).
  public var displayNames: [String]
}

extension Session {
  func setPilots(_ p: PilotsStatement) throws {
    let table = try self.table(named: p.table.text, at: p.table.span)
    let keyName = p.key?.text ?? table.fields.first?.name ?? ""
    guard let keyIndex = table.index(of: keyName) else {
      throw Diagnostic("unknown column `\(keyName)` in `\(p.table.text)`", at: p.key?.span ?? p.table.span, label: "not found",
        help: closestName(to: keyName, in: table.columnNames).map { "did you mean `\($0)`?" })
    }
    let keyColumn = table.columns[keyIndex]
    var rows: [Int] = []
    if let predicate = p.predicate {
      let binder = ExpressionBinder(fields: table.fields, sourceName: p.table.text, parameters: parameters)
      let plan = QueryPlan(source: table, sourceName: p.table.text, steps: [.filter(try binder.bindPredicate(predicate))],
        fieldsAfter: [table.fields, table.fields], export: nil)
      let marked = try Executor(cancel: cancel).run(plan)
      rows = try rowNumbers(of: marked, in: table)
      guard !rows.isEmpty else {
        throw Diagnostic("no row of `\(p.table.text)` matches this condition", at: predicate.span, label: "no pilot")
      }
    } else {
      let binder = ExpressionBinder(fields: table.fields, sourceName: p.table.text, parameters: parameters)
      var index: [Value: Int] = [:]
      for r in 0..<table.rowCount where index[keyColumn.value(at: r)] == nil { index[keyColumn.value(at: r)] = r }
      for k in p.keys {
        let bound = binder.cast(try binder.bind(k, expected: keyColumn.type), keyColumn.type)
        let v = try ExpressionCompiler.evaluateConstant(bound)
        guard let r = index[v] else {
          let shown = v.description
          let candidates = index.keys.compactMap { k -> String? in if case .text(let s) = k { return s } else { return nil } }
            .sorted(by: utf8Less)
          throw Diagnostic("no row of `\(p.table.text)` has \(keyName) = \(shown)", at: k.span, label: "unknown key",
            help: closestName(to: shown, in: candidates).map { "did you mean \"\($0)\"?" })
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

  /// The comparison table of SPEC §5, computed with the engine's own operators.
  func compareTable(_ spec: CompareSource) throws -> Table {
    guard let pilots else {
      throw Diagnostic("no pilot territories yet", at: spec.span, label: "no pilots",
        help: "name them first, e.g. pilots epci key siren = \"200069177\", \"200040046\"")
    }
    let table = try self.table(named: pilots.tableName, at: spec.span)
    let binder = ExpressionBinder(fields: table.fields, sourceName: pilots.tableName, parameters: parameters)
    // Peers: the whole table, or the rows matching `against peers where …`.
    var peerSteps: [PlanStep] = []
    if let p = spec.peers { peerSteps.append(.filter(try binder.bindPredicate(p))) }
    let peers = try Executor(cancel: cancel).run(QueryPlan(source: table, sourceName: pilots.tableName, steps: peerSteps,
      fieldsAfter: [table.fields, table.fields], export: nil)).materialize(cancel: cancel)
    let pilotTable = try pilotRows(table, pilots)

    // Pooled: the indicator over a one-row table holding the sums of the peers' columns.
    var sumSteps: [AggregateSpec] = []
    var numericFields: [Field] = []
    for f in table.fields where f.type.isNumeric {
      sumSteps.append(AggregateSpec(function: .sum, argument: .column(table.index(of: f.name) ?? 0, f.type), fraction: 0,
        resultType: f.type, span: spec.span))
      numericFields.append(f)
    }
    let sums = try aggregate(Relation(table: peers, name: pilots.tableName), keys: [], keyNames: [], specs: sumSteps, cancel: cancel)
    let sumTable = Table(fields: numericFields, columns: try sums.materialize().columns, rowCount: 1)
    let sumBinder = ExpressionBinder(fields: sumTable.fields, sourceName: "sums of \(pilots.tableName)", parameters: parameters)

    let allInt = try spec.indicators.allSatisfy { try binder.bind($0.expr).type == .int }
    let valueType: DataType = allInt ? .int : .float
    var names: [String] = ["indicator"]
    var types: [DataType] = [.text]
    for n in pilots.displayNames {
      names += [n, "\(n) rank"]
      types += [valueType, .text]
    }
    names += ["median", "min", "max", "pooled"]
    types += [.float, valueType, valueType, .float]
    let builders = types.map { ColumnBuilder(type: $0) }
    for item in spec.indicators {
      let e = try binder.bind(item.expr)
      guard e.type.isNumeric else {
        throw Diagnostic("indicator `\(item.name.text)` is \(e.type), not a number", at: item.expr.span,
          label: "not numeric", help: "an indicator is a numeric expression, e.g. densite = population / superficie")
      }
      let peerValues = try numbers(e, on: peers)
      let present = peerValues.compactMap { $0 }.filter { !$0.isNaN }.sorted()
      let pilotValues = try numbers(e, on: pilotTable)
      var col = 0
      builders[col].append(text: item.name.text)
      col += 1
      for v in pilotValues {
        append(v, to: builders[col], asInt: allInt)
        if let v {
          let above = present.count - upperBound(present, v)
          builders[col + 1].append(text: "\(above + 1)/\(present.count)")
        } else {
          builders[col + 1].appendNull()
        }
        col += 2
      }
      if present.isEmpty {
        for k in 0..<3 { builders[col + k].appendNull() }
      } else {
        builders[col].append(float: interpolatedQuantile(present, 0.5))
        append(present.first, to: builders[col + 1], asInt: allInt)
        append(present.last, to: builders[col + 2], asInt: allInt)
      }
      let pooled = try ExpressionCompiler.evaluateConstant(
        substituteSums(try sumBinder.bind(item.expr), sumTable))
      switch pooled {
      case .int(let i): builders[col + 3].append(float: Double(i))
      case .float(let d): builders[col + 3].append(float: d)
      default: builders[col + 3].appendNull()
      }
    }
    notify("\(spec.indicators.count) indicator\(spec.indicators.count == 1 ? "" : "s") · peers: \(groupedCount(peers.rowCount)) rows of \(pilots.tableName)\n")
    return Table(names: names, columns: builders.map { $0.finish() })
  }

  private func append(_ v: Double?, to b: ColumnBuilder, asInt: Bool) {
    guard let v else { return b.appendNull() }
    if asInt { b.append(int: Int64(exactly: v) ?? 0) } else { b.append(float: v) }
  }

  /// Number of values ≤ v in sorted `xs`.
  private func upperBound(_ xs: [Double], _ v: Double) -> Int {
    var lo = 0
    var hi = xs.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if xs[mid] <= v { lo = mid + 1 } else { hi = mid }
    }
    return lo
  }

  private func pilotRows(_ table: Table, _ pilots: PilotSet) throws -> Table {
    guard let k = table.index(of: pilots.keyColumn) else { return table }
    let key = table.columns[k]
    var rows: [Int32] = []
    for want in pilots.keys {
      if let r = (0..<table.rowCount).first(where: { key.value(at: $0) == want }) { rows.append(Int32(r)) }
    }
    return try Relation(table: table, name: pilots.tableName).selecting(IndexVector(ColumnBuffer(rows))).materialize()
  }

  private func numbers(_ e: BoundExpr, on table: Table) throws -> [Double?] {
    let column = try ExpressionCompiler(relation: Relation(table: table, name: "")).evaluateColumn(e, cancel: cancel)
    return (0..<column.count).map { column.value(at: $0).numeric }
  }

  /// Replaces column references of an expression bound over the sums table by the sums.
  private func substituteSums(_ e: BoundExpr, _ sums: Table) throws -> BoundExpr {
    try ExpressionCompiler.fold(replaceColumns(e) { i, _ in .constant(sums.columns[i].value(at: 0), sums.fields[i].type) })
  }

  /// The bars drawn in table mode: each pilot value with a bar between the peers' min and max.
  func compareBars(_ table: Table) -> Table? {
    guard let minI = table.index(of: "min"), let maxI = table.index(of: "max") else { return nil }
    var columns = table.columns
    var fields = table.fields
    for (i, f) in table.fields.enumerated() where i > 0 && i < minI - 1 && !f.name.hasSuffix(" rank") && f.type.isNumeric {
      let b = ColumnBuilder(type: .text)
      for r in 0..<table.rowCount {
        guard let v = table.columns[i].value(at: r).numeric else {
          b.appendNull()
          continue
        }
        let lo = table.columns[minI].value(at: r).numeric ?? v
        let hi = table.columns[maxI].value(at: r).numeric ?? v
        b.append(text: "\(displayNumber(table.columns[i].value(at: r))) \(bar(v, lo, hi))")
      }
      columns[i] = b.finish()
      fields[i] = Field(name: f.name, type: .text)
    }
    return Table(fields: fields, columns: columns, rowCount: table.rowCount)
  }

  private func displayNumber(_ v: Value) -> String {
    switch v {
    case .int(let i): return groupDigits(String(i))
    case .float(let d):
      if d == d.rounded(), Swift.abs(d) < 1e15 { return groupDigits(String(Int64(d))) }
      let magnitude = Swift.abs(d)
      let digits = magnitude >= 100 ? 1 : magnitude >= 1 ? 2 : 3
      return groupDigits(String(format: "%.\(digits)f", d))
    default: return v.description
    }
  }
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
func replaceColumns(_ e: BoundExpr, _ f: (Int, DataType) -> BoundExpr) -> BoundExpr {
  func walk(_ e: BoundExpr) -> BoundExpr {
    switch e {
    case .column(let i, let t): return f(i, t)
    case .constant: return e
    case .cast(let a, let t): return .cast(walk(a), t)
    case .arithmetic(let op, let a, let b, let t, let s): return .arithmetic(op, walk(a), walk(b), t, span: s)
    case .negate(let a, let t, let s): return .negate(walk(a), t, span: s)
    case .compare(let op, let a, let b): return .compare(op, walk(a), walk(b))
    case .and(let a, let b): return .and(walk(a), walk(b))
    case .or(let a, let b): return .or(walk(a), walk(b))
    case .not(let a): return .not(walk(a))
    case .isNull(let a, let n): return .isNull(walk(a), negated: n)
    case .inList(let a, let vs, let n): return .inList(walk(a), vs, negated: n)
    case .concat(let a, let b): return .concat(walk(a), walk(b))
    case .function(let fn, let args, let t, let s): return .function(fn, args.map(walk), t, span: s)
    case .conditional(let c, let a, let b, let t): return .conditional(walk(c), walk(a), walk(b), t)
    case .coalesce(let args, let t): return .coalesce(args.map(walk), t)
    }
  }
  return walk(e)
}
