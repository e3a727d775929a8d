// The steps of a plan applied to the relational form (`SelectBlock`), each in the SELECT it
// meets when SQL lets it share that SELECT, else in a new SELECT over it (`wrap()`).

import TerrainStorage
import TerrainSyntax
import TerrainPlanner

struct SQLCompiler {
  let plan: QueryPlan
  let span: Span?
  let options: SQLOptions
  /// The source of each table the plan reads, by terrain name.
  let sources: [String: SQLSource]
  /// Whether every source has a row order, so that terrain's stable order is carried.
  let tracksOrder: Bool
  var block: SelectBlock
  var aliasCount = 0
  var textOrderedAfter = false

  init(plan: QueryPlan, span: Span?, options: SQLOptions, source: (String) -> SQLSource?) throws {
    self.plan = plan
    self.span = span
    self.options = options
    if plan.steps.contains(where: { $0 is CompareStep }) {
      throw Diagnostic(.sqlStageNotCompiled, "compare", DiagnosticText.sqlReasonCompare.string, at: span, label: .notInSQL,
        help: .sqlRunInTerrain)
    }
    var names = [plan.sourceName]
    for step in plan.steps {
      if let j = step as? JoinStep { names.append(j.tableName) }
      if let a = step as? AppendStep { names.append(a.tableName) }
    }
    var sources: [String: SQLSource] = [:]
    for n in names {
      guard let s = source(n) else {
        throw Diagnostic(.sqlTableNotInDatabase, n, at: span, label: .notInSQL, help: .sqlRunInTerrain)
      }
      sources[n] = s
    }
    self.sources = sources
    tracksOrder = sources.values.allSatisfy { $0.rowOrder != nil }
    guard let first = sources[plan.sourceName] else {
      throw Diagnostic(.sqlTableNotInDatabase, plan.sourceName, at: span, label: .notInSQL, help: .sqlRunInTerrain)
    }
    let alias = "t0"
    aliasCount = 1
    block = SelectBlock(from: "\(first.relation) AS \(alias)",
      columns: plan.source.fields.map { SQLColumn(sql: "\(alias).\(quoteSQLIdentifier($0.name))", name: $0.name, type: $0.type) },
      order: [])
    if tracksOrder, let o = first.rowOrder {
      block.order = [OrderKey(sql: "\(alias).\(quoteSQLIdentifier(o))", descending: false, collation: nil, hidden: true)]
    }
  }

  mutating func compile() throws -> CompiledSQL {
    if let e = plan.export {
      throw Diagnostic(.sqlStageNotCompiled, "export", DiagnosticText.sqlReasonExport.string, at: e.span, label: .notInSQL)
    }
    if plan.chart != nil {
      throw Diagnostic(.sqlStageNotCompiled, "chart", DiagnosticText.sqlReasonChart.string, at: span, label: .notInSQL)
    }
    var i = 0
    while i < plan.steps.count {
      let step = plan.steps[i]
      if let a = step as? AggregateStep, i + 1 < plan.steps.count, let p = plan.steps[i + 1] as? PivotStep {
        try pivot(a, p)
        i += 2
        continue
      }
      try apply(step)
      i += 1
    }
    let body = render(block, final: true)
    var notes = ["-- terrain: \(plan.sourceName), \(plan.steps.count) step\(plan.steps.count == 1 ? "" : "s"), compiled to PostgreSQL"]
    if !tracksOrder {
      notes.append("-- rows that tie in terrain's order come in the server's order (the tables have no row order)")
    }
    if textOrderedAfter {
      notes.append("-- text is ordered by code points here (no French collation on the server): terrain orders the result after")
    }
    return CompiledSQL(sql: (notes + Array(Set(collectedNotes)).sorted()).joined(separator: "\n") + "\n" + body,
      textOrderedAfter: textOrderedAfter, localOrder: textOrderedAfter ? localOrder() : nil, fields: plan.outputFields)
  }

  /// Whether text was ordered in code points elsewhere than in the final ORDER BY (a window,
  /// min/max, a take after a sort): then the rows themselves are not terrain's.
  var textOrderChangesRows = false

  /// The final order as output columns, for the caller to sort again in terrain (stably) when
  /// the server had no French collation; nil when that cannot give terrain's answer.
  func localOrder() -> [SQLLocalSortKey]? {
    if textOrderChangesRows { return nil }
    // The keys up to the first tie breaker that is not text (the row order: the server's order
    // of the ties is then terrain's); a text key after it could not be sorted again.
    var keys: [SQLLocalSortKey] = []
    var tail = false
    for key in block.order {
      if key.hidden && key.collation == nil { tail = true }
      if tail {
        if key.collation != nil { return nil }
        continue
      }
      guard let i = block.columns.firstIndex(where: { $0.sql == key.sql }) else { return nil }
      keys.append(SQLLocalSortKey(column: i, descending: key.descending, collation: key.collation))
    }
    return keys
  }

  /// Notes gathered while compiling expressions (how a rule is kept).
  var collectedNotes: [String] = []

  mutating func note(_ s: String) { collectedNotes.append("-- " + s) }

  /// Text compared for equality (`==`, `in`, a join, a group, distinct): exact in both, said once.
  mutating func textEquality() {
    note("text equality (==, in, joins, groups, distinct) is exact, as in terrain: PostgreSQL's deterministic collations compare bytes")
  }

  mutating func apply(_ step: PlanStep) throws {
    switch step {
    case let s as FilterStep:
      if block.aggregated || block.hasWindow || block.limit != nil { wrap() }
      block.filters.append(try sql(s.predicate, block.columns))
    case let s as ProjectStep:
      try project(s.exprs, names: s.names)
    case let s as WindowStep:
      try window(s)
    case let s as AggregateStep:
      try aggregate(keys: s.keys, specs: s.specs, outputs: s.outputs, names: s.names)
    case let s as DistinctStep:
      let fields = block.columns
      try aggregate(keys: s.columns.map { .column($0, fields[$0].type) }, specs: [],
        outputs: s.columns.indices.map { .column($0, fields[s.columns[$0]].type) }, names: s.columns.map { fields[$0].name })
    case let s as SortStep:
      try sort(s.keys, collation: s.collation)
      if let n = s.limit { take(n) }
    case let s as TakeStep:
      take(s.count)
    case let s as TakeByStep:
      try takeBy(s.count, keys: s.keys)
    case let s as SortTakeByStep:
      try sort(s.keys, collation: s.collation)
      try takeBy(s.limit, keys: s.groupKeys)
    case let s as JoinStep:
      try join(s)
    case let s as AppendStep:
      try append(s)
    case let s as UnpivotStep:
      try unpivot(s)
    case let s as SplitStep:
      try split(s)
    default:
      throw Diagnostic(.sqlStageNotCompiled, "\(type(of: step))", DiagnosticText.sqlReasonUnknown.string, at: span,
        label: .notInSQL, help: .sqlRunInTerrain)
    }
  }

  // MARK: blocks

  mutating func nextAlias(_ prefix: String) -> String {
    defer { aliasCount += 1 }
    return "\(prefix)\(aliasCount)"
  }

  /// A name not among `taken` (`__order1`, `__order1_`, …).
  func fresh(_ base: String, _ taken: Set<String>) -> String {
    var n = base
    while taken.contains(n) { n += "_" }
    return n
  }

  /// Turns the current SELECT into a subquery of a new one that reads its columns (and its
  /// order keys, exposed as hidden columns).
  mutating func wrap() {
    let alias = nextAlias("s")
    var inner = block
    var taken = Set(inner.columns.map(\.name))
    var order: [OrderKey] = []
    for (k, key) in inner.order.enumerated() {
      let n = fresh("__order\(k + 1)", taken)
      taken.insert(n)
      inner.columns.append(SQLColumn(sql: key.sql, name: n, type: .int))
      order.append(OrderKey(sql: "\(alias).\(quoteSQLIdentifier(n))", descending: key.descending, collation: key.collation,
        hidden: key.hidden))
    }
    block = SelectBlock(from: "⟦\(alias)⟧",
      columns: block.columns.map { SQLColumn(sql: "\(alias).\(quoteSQLIdentifier($0.name))", name: $0.name, type: $0.type) },
      order: order)
    block.subqueries = [(alias, inner)]
  }

  func indent(_ s: String) -> String {
    s.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
  }

  /// The SQL of an order key in ORDER BY (`x COLLATE "fr-FR-x-icu" DESC NULLS LAST`).
  mutating func orderSQL(_ key: OrderKey, final: Bool = false) -> String {
    var s = key.sql
    if let c = key.collation { s = "(\(s)) COLLATE " + collationName(c, final: final) }
    return s + (key.descending ? " DESC" : "") + " NULLS LAST"
  }

  /// The server's name of a collation; French without an ICU collation is code points, and
  /// the result is ordered after.
  mutating func collationName(_ c: Collation, final: Bool = false) -> String {
    switch c {
    case .binary: return "\"C\""
    case .french:
      if let f = options.frenchCollation { return quoteSQLIdentifier(f) }
      textOrderedAfter = true
      // Only the final ORDER BY can be applied again to the rows that come back.
      if !final { textOrderChangesRows = true }
      return "\"C\""
    }
  }

  mutating func render(_ b: SelectBlock, final: Bool) -> String {
    let cols = b.columns.map { c -> String in
      let q = quoteSQLIdentifier(c.name)
      return c.sql.hasSuffix("." + q) || c.sql == q ? c.sql : "\(c.sql) AS \(q)"
    }
    var lines = ["SELECT " + (cols.isEmpty ? "NULL" : cols.joined(separator: ",\n       "))]
    lines.append("FROM " + b.from)
    if !b.filters.isEmpty { lines.append("WHERE " + b.filters.map { "(\($0))" }.joined(separator: "\n  AND ")) }
    if !b.groupBy.isEmpty { lines.append("GROUP BY " + b.groupBy.joined(separator: ", ")) }
    if (final || b.limit != nil) && !b.order.isEmpty {
      lines.append("ORDER BY " + b.order.map { orderSQL($0, final: final && b.limit == nil) }.joined(separator: ", "))
    }
    if let n = b.limit { lines.append("LIMIT \(n)") }
    var text = (b.notes + lines).joined(separator: "\n")
    // Each subquery keeps the columns the text around it reads (`s1."nom"`), its GROUP BY,
    // WHERE and LIMIT unchanged, so its rows are the same.
    for (alias, inner) in b.subqueries {
      var pruned = inner
      pruned.columns = inner.columns.filter { text.contains("\(alias).\(quoteSQLIdentifier($0.name))") }
      let sub = render(pruned, final: false)
      text = text.replacingOccurrences(of: "⟦\(alias)⟧", with: "(\n" + indent(sub) + "\n) AS \(alias)")
    }
    return text
  }

  // MARK: steps

  mutating func project(_ exprs: [BoundExpr], names: [String]) throws {
    var columns: [SQLColumn] = []
    for (e, n) in zip(exprs, names) {
      let read = e.columnsRead
      columns.append(SQLColumn(sql: try sql(e, block.columns), name: n, type: e.type,
        windowed: read.contains { $0 < block.columns.count && block.columns[$0].windowed },
        aggregated: read.contains { $0 < block.columns.count && block.columns[$0].aggregated }))
    }
    // Inlining is bounded: an expression that grew large is read from a subquery instead.
    if columns.contains(where: { $0.sql.utf8.count > 4_000 }) && !block.from.isEmpty && block.columns.contains(where: { $0.sql.utf8.count > 200 }) {
      wrap()
      return try project(exprs, names: names)
    }
    block.columns = columns
  }

  mutating func sort(_ keys: [(BoundExpr, descending: Bool)], collation: Collation) throws {
    if block.limit != nil { wrap() }
    var order: [OrderKey] = []
    for (e, desc) in keys {
      order.append(OrderKey(sql: try sql(e, block.columns), descending: desc, collation: e.type == .text ? collation : nil,
        hidden: false))
    }
    block.order = order + block.order.map { var k = $0; k.hidden = true; return k }
  }

  mutating func take(_ n: Int) {
    block.limit = min(block.limit ?? n, n)
  }

  /// The window clause over the current rows' order (`ORDER BY …`), the window's own keys first.
  mutating func windowOrder(_ keys: [OrderKey], tieBreakers: Bool) -> String {
    let all = keys + (tieBreakers ? block.order : [])
    return all.isEmpty ? "" : "ORDER BY " + all.map { orderSQL($0) }.joined(separator: ", ")
  }

  mutating func takeBy(_ n: Int, keys: [BoundExpr]) throws {
    if block.aggregated || block.limit != nil || block.hasWindow { wrap() }
    let partition = try keys.map { try sql($0, block.columns) }
    let over = [partition.isEmpty ? "" : "PARTITION BY " + partition.joined(separator: ", "), windowOrder([], tieBreakers: true)]
      .filter { !$0.isEmpty }.joined(separator: " ")
    let visible = block.columns
    let n0 = fresh("__row_in_group", Set(visible.map(\.name)))
    block.columns.append(SQLColumn(sql: "row_number() OVER (\(over))", name: n0, type: .int, windowed: true))
    wrap()
    block.filters.append("\(block.columns[block.columns.count - 1].sql) <= \(n)")
    block.columns.removeLast()
  }

  /// Adds a single ordinal of the rows' order (for the first appearance of groups), and
  /// returns its SQL in the new SELECT.
  mutating func ordinal() -> OrderKey? {
    guard tracksOrder, !block.order.isEmpty else { return nil }
    if block.order.count == 1, block.order[0].hidden, !block.order[0].descending, !block.aggregated { return block.order[0] }
    if block.aggregated || block.limit != nil { wrap() }
    let n = fresh("__ordinal", Set(block.columns.map(\.name)))
    block.columns.append(SQLColumn(sql: "row_number() OVER (\(windowOrder([], tieBreakers: true)))", name: n, type: .int, windowed: true))
    wrap()
    let key = OrderKey(sql: block.columns[block.columns.count - 1].sql, descending: false, collation: nil, hidden: true)
    block.columns.removeLast()
    block.order = [key]
    return key
  }

  mutating func aggregate(keys: [BoundExpr], specs: [AggregateSpec], outputs: [BoundExpr], names: [String]) throws {
    if block.aggregated || block.hasWindow || block.limit != nil { wrap() }
    let first = keys.isEmpty ? nil : ordinal()
    let keySQL = try keys.map { try sql($0, block.columns) }
    if keys.contains(where: { $0.type == .text }) { textEquality() }
    var inputs = zip(keys, keySQL).map { SQLColumn(sql: $1, name: "", type: $0.type) }
    for s in specs {
      let (text, windowed) = try aggregateSQL(s, filter: nil)
      inputs.append(SQLColumn(sql: text, name: "", type: s.resultType, windowed: windowed, aggregated: true))
    }
    var columns: [SQLColumn] = []
    for (e, n) in zip(outputs, names) {
      let read = e.columnsRead
      columns.append(SQLColumn(sql: try sql(e, inputs), name: n, type: e.type,
        windowed: read.contains { $0 < inputs.count && inputs[$0].windowed }, aggregated: true))
    }
    block.groupBy = keySQL
    block.aggregated = true
    block.columns = columns
    block.order = first.map { [OrderKey(sql: "min(\($0.sql))", descending: false, collation: nil, hidden: true)] } ?? []
  }

  /// `pivot`: the aggregate by (k…, NAMES) and the spread into one column per value, as one
  /// GROUP BY k… with each aggregate filtered on a value (`FILTER (WHERE NAMES = v)`), null
  /// where no row has the value (`CASE WHEN count(*) FILTER (…) > 0`).
  mutating func pivot(_ a: AggregateStep, _ p: PivotStep) throws {
    if block.aggregated || block.hasWindow || block.limit != nil { wrap() }
    let byKeys = Array(a.keys.prefix(p.byCount))
    guard let namesKey = a.keys.last else { return }
    let first = byKeys.isEmpty ? nil : ordinal()
    let keySQL = try byKeys.map { try sql($0, block.columns) }
    let namesSQL = try sql(namesKey, block.columns)
    var columns = zip(byKeys, zip(keySQL, a.names)).map { SQLColumn(sql: $1.0, name: $1.1, type: $0.type, aggregated: true) }
    var out = p.byCount
    for v in p.values {
      let filter = "(\(namesSQL)) IS NOT DISTINCT FROM \(literal(v, namesKey.type))"
      var inputs = zip(a.keys, keySQL + [namesSQL]).map { SQLColumn(sql: $1, name: "", type: $0.type) }
      for s in a.specs {
        let (text, windowed) = try aggregateSQL(s, filter: filter)
        inputs.append(SQLColumn(sql: text, name: "", type: s.resultType, windowed: windowed, aggregated: true))
      }
      for e in a.outputs.dropFirst(a.keys.count) {
        guard out < p.fields.count else { break }
        let f = p.fields[out]
        out += 1
        columns.append(SQLColumn(sql: "CASE WHEN count(*) FILTER (WHERE \(filter)) > 0 THEN \(try sql(e, inputs)) END",
          name: f.name, type: f.type, windowed: e.columnsRead.contains { $0 < inputs.count && inputs[$0].windowed }, aggregated: true))
      }
    }
    block.groupBy = keySQL
    block.aggregated = true
    block.columns = columns
    block.order = first.map { [OrderKey(sql: "min(\($0.sql))", descending: false, collation: nil, hidden: true)] } ?? []
  }

  mutating func join(_ s: JoinStep) throws {
    if block.aggregated || block.hasWindow || block.limit != nil { wrap() }
    guard let right = sources[s.tableName] else {
      throw Diagnostic(.sqlTableNotInDatabase, s.tableName, at: span, label: .notInSQL, help: .sqlRunInTerrain)
    }
    let alias = nextAlias("j")
    let rightColumns = s.table.fields.map { SQLColumn(sql: "\(alias).\(quoteSQLIdentifier($0.name))", name: $0.name, type: $0.type) }
    var conditions: [String] = []
    for (l, r) in zip(s.probeKeys, s.buildKeys) {
      if l.type == .text { textEquality() }
      // `=` never matches a null key, as terrain's hash join; text keys compare byte for byte.
      conditions.append("\(try sql(l, block.columns)) = \(try sql(r, rightColumns))")
    }
    block.from += "\n  \(s.left ? "LEFT JOIN" : "JOIN") \(right.relation) AS \(alias) ON " + (conditions.isEmpty ? "TRUE" : conditions.joined(separator: " AND "))
    var columns = block.columns
    for (k, i) in s.keptRight.enumerated() where i < rightColumns.count && block.columns.count + k < s.names.count {
      var c = rightColumns[i]
      c.name = s.names[block.columns.count + k]
      columns.append(c)
    }
    block.columns = columns
    if tracksOrder, let o = right.rowOrder {
      block.order.append(OrderKey(sql: "\(alias).\(quoteSQLIdentifier(o))", descending: false, collation: nil, hidden: true))
    }
  }

  mutating func append(_ s: AppendStep) throws {
    guard let right = sources[s.tableName] else {
      throw Diagnostic(.sqlTableNotInDatabase, s.tableName, at: span, label: .notInSQL, help: .sqlRunInTerrain)
    }
    let leftOrder = ordinal()
    let rightAlias = nextAlias("a")
    var left = block
    var rightCols: [String] = []
    left.columns = []
    for (k, f) in s.fields.enumerated() {
      let l = s.left[k].flatMap { $0 < block.columns.count ? block.columns[$0] : nil }
      let lsql = l.map { $0.type == f.type ? $0.sql : castSQL($0.sql, from: $0.type, to: f.type) } ?? "NULL::\(sqlType(f.type))"
      left.columns.append(SQLColumn(sql: lsql, name: f.name, type: f.type))
      let r = s.right[k].flatMap { $0 < s.table.fields.count ? s.table.fields[$0] : nil }
      let rsql = r.map { c -> String in
        let ref = "\(rightAlias).\(quoteSQLIdentifier(c.name))"
        return c.type == f.type ? ref : castSQL(ref, from: c.type, to: f.type)
      } ?? "NULL::\(sqlType(f.type))"
      rightCols.append(rsql + " AS " + quoteSQLIdentifier(f.name))
    }
    let taken = Set(s.fields.map(\.name))
    let part = fresh("__part", taken)
    let ord = fresh("__ordinal", taken.union([part]))
    left.columns.append(SQLColumn(sql: "0", name: part, type: .int))
    rightCols.append("1 AS " + quoteSQLIdentifier(part))
    if let o = leftOrder, let ro = right.rowOrder {
      left.columns.append(SQLColumn(sql: o.sql, name: ord, type: .int))
      rightCols.append("\(rightAlias).\(quoteSQLIdentifier(ro)) AS " + quoteSQLIdentifier(ord))
    }
    left.order = left.limit == nil ? [] : left.order
    let leftSQL = render(left, final: false)
    let rightSQL = "SELECT " + rightCols.joined(separator: ",\n       ") + "\nFROM \(right.relation) AS \(rightAlias)"
    let alias = nextAlias("u")
    let leftPart = left.limit == nil ? leftSQL : "(\n" + indent(leftSQL) + "\n)"
    block = SelectBlock(from: "(\n" + indent(leftPart + "\nUNION ALL\n" + rightSQL) + "\n) AS \(alias)",
      columns: s.fields.map { SQLColumn(sql: "\(alias).\(quoteSQLIdentifier($0.name))", name: $0.name, type: $0.type) },
      order: [OrderKey(sql: "\(alias).\(quoteSQLIdentifier(part))", descending: false, collation: nil, hidden: true)])
    if leftOrder != nil && right.rowOrder != nil {
      block.order.append(OrderKey(sql: "\(alias).\(quoteSQLIdentifier(ord))", descending: false, collation: nil, hidden: true))
    }
  }

  /// `unpivot`: one row per input row and listed column, through a LATERAL VALUES list.
  mutating func unpivot(_ s: UnpivotStep) throws {
    if block.aggregated || block.hasWindow || block.limit != nil { wrap() }
    let alias = nextAlias("v")
    guard s.fields.count >= 2 else { return }
    let nameField = s.fields[s.fields.count - 2]
    let valueField = s.fields[s.fields.count - 1]
    let rows = s.listed.enumerated().compactMap { k, i -> String? in
      guard i < block.columns.count else { return nil }
      let c = block.columns[i]
      let v = c.type == s.valueType ? c.sql : castSQL(c.sql, from: c.type, to: s.valueType)
      return "(\(quoteSQLText(c.name)), \(v), \(k + 1))"
    }
    block.from += "\n  CROSS JOIN LATERAL (VALUES " + rows.joined(separator: ", ") + ") AS \(alias)(name, value, position)"
    block.columns = s.kept.compactMap { $0 < block.columns.count ? block.columns[$0] : nil }
      + [SQLColumn(sql: "\(alias).name", name: nameField.name, type: .text),
        SQLColumn(sql: "\(alias).value", name: valueField.name, type: s.valueType)]
    if tracksOrder { block.order.append(OrderKey(sql: "\(alias).position", descending: false, collation: nil, hidden: true)) }
  }

  /// `split`: one row per part, through a LATERAL unnest; an empty text gives one empty part
  /// and a null one null part, as in terrain (`string_to_array` alone would give no row).
  mutating func split(_ s: SplitStep) throws {
    if block.aggregated || block.hasWindow || block.limit != nil { wrap() }
    guard s.column < block.columns.count else { return }
    let alias = nextAlias("p")
    let c = block.columns[s.column].sql
    block.from += "\n  CROSS JOIN LATERAL unnest(CASE WHEN (\(c)) IS NULL THEN ARRAY[NULL::text] WHEN (\(c)) = '' THEN ARRAY[''] "
      + "ELSE string_to_array(\(c), \(quoteSQLText(s.separator))) END) WITH ORDINALITY AS \(alias)(part, position)"
    block.columns[s.column] = SQLColumn(sql: "\(alias).part", name: block.columns[s.column].name, type: .text)
    if tracksOrder { block.order.append(OrderKey(sql: "\(alias).position", descending: false, collation: nil, hidden: true)) }
  }
}
