// Helps for habits from other tools (SQL, dplyr, pandas) on the parse errors they cause:
// `SELECT … FROM …` gets the same query written as a pipeline, `nom as n` gets `n = nom`,
// `group by` / `order by` / `limit` / `having` after a stage get the stage that does it.

extension Parser {
  /// The longest pipeline sketch a help shows; a longer SQL statement gets the general shape.
  static let maxSketchLength = 160

  /// The help for a statement that starts with SQL's `SELECT` (the current token): the same
  /// query as a pipeline when its clauses are recognised (`from t | where c | select a, b`),
  /// else the general shape.
  func sqlHelp() -> DiagnosticText {
    sqlSketch().map { .sqlAsPipeline($0) } ?? .sqlShape
  }

  /// `SELECT list FROM table [JOIN t ON c] [WHERE c] [GROUP BY k] [HAVING c] [ORDER BY k] [LIMIT n]`
  /// as a pipeline, or nil when the statement does not have that shape.
  private func sqlSketch() -> String? {
    // The statement's tokens, up to `;` or the end (SQL statements run over several lines).
    var words: [Token] = []
    var i = index
    while i < tokens.count, !tokens[i].isSymbol(";"), tokens[i].kind != .end {
      if tokens[i].kind != .newline { words.append(tokens[i]) }
      i += 1
    }
    let clauseWords = ["select", "from", "join", "where", "group", "having", "order", "limit"]
    var clauses: [(String, [Token])] = []
    var depth = 0
    for t in words {
      if t.isSymbol("(") { depth += 1 }
      if t.isSymbol(")") { depth -= 1 }
      if depth == 0, case .identifier(let s, false) = t.kind, clauseWords.contains(s.lowercased()) {
        clauses.append((s.lowercased(), []))
        continue
      }
      // `left join`, `inner join`: the word before `join` is dropped (`join left` is terrain's).
      guard !clauses.isEmpty else { return nil }
      clauses[clauses.count - 1].1.append(t)
    }
    func clause(_ name: String) -> [Token]? { clauses.first { $0.0 == name }?.1 }
    func dropBy(_ ts: [Token]) -> [Token] { ts.first?.isKeyword("by") == true ? Array(ts.dropFirst()) : ts }
    guard let select = clause("select"), !select.isEmpty, let from = clause("from"), from.count == 1,
      case .identifier(let table, _) = from[0].kind
    else { return nil }
    var out = "from \(table)"
    for (name, ts) in clauses where name == "join" {
      // `t ON cond` → `| join t on cond`; `ON a = b` conditions become `==`.
      out += " | join " + render(ts, comparing: true)
    }
    if let w = clause("where") { out += " | where " + render(w, comparing: true) }
    let order = clause("order").map { " | sort " + render(dropBy($0), comparing: false) } ?? ""
    let limit = clause("limit").map { " | take " + render($0, comparing: false) } ?? ""
    if let g = clause("group") {
      // Grouped: the aggregate (every item named), then the groups' filter, order and limit.
      let keys = splitItems(dropBy(g)).map { render($0, comparing: false) }
      let aggregates = splitItems(select).map { renamed($0, naming: true) }.filter { !keys.contains($0) }
      out += " | aggregate " + aggregates.joined(separator: ", ") + " by " + keys.joined(separator: ", ")
      if let h = clause("having") { out += " | where " + render(h, comparing: true) }
      out += order + limit
    } else {
      // Sorted and cut before the columns are chosen, as SQL's ORDER BY sees every column.
      let items = splitItems(select).map { renamed($0, naming: false) }
      out += order + limit + (items == ["*"] ? "" : " | select " + items.joined(separator: ", "))
    }
    return out.count <= Parser.maxSketchLength ? out : nil
  }

  /// `expr AS name` → `name = expr`; other items as they are, or with `naming` a call gets a
  /// name made of its words (`sum(population)` → `sum_population = sum(population)`).
  private func renamed(_ item: [Token], naming: Bool) -> String {
    if item.count >= 3, item[item.count - 2].isKeyword("as"), case .identifier(let n, _) = item[item.count - 1].kind {
      return n + " = " + render(Array(item.dropLast(2)), comparing: false)
    }
    let text = render(item, comparing: false)
    guard naming, item.contains(where: { $0.isSymbol("(") }) else { return text }
    let words = item.compactMap { t -> String? in if case .identifier(let s, _) = t.kind { return s.lowercased() } else { return nil } }
    return words.joined(separator: "_") + " = " + text
  }

  /// The items of a list, cut at its top-level commas.
  private func splitItems(_ ts: [Token]) -> [[Token]] {
    var items: [[Token]] = [[]]
    var depth = 0
    for t in ts {
      if t.isSymbol("(") { depth += 1 }
      if t.isSymbol(")") { depth -= 1 }
      if depth == 0 && t.isSymbol(",") {
        items.append([])
      } else {
        items[items.count - 1].append(t)
      }
    }
    return items.filter { !$0.isEmpty }
  }

  /// Tokens written back as terrain text: keywords in lower case, `count(*)` as `count()`, and
  /// in conditions SQL's `=` and `<>` as `==` and `!=`.
  private func render(_ ts: [Token], comparing: Bool) -> String {
    var out = ""
    var previous: Token?
    for (k, t) in ts.enumerated() {
      var text: String
      switch t.kind {
      case .identifier(let s, let quoted):
        let keywords: Set<String> = ["and", "or", "not", "in", "is", "null", "between", "like", "asc", "desc", "on", "as", "left"]
        text = quoted ? "`\(s)`" : (keywords.contains(s.lowercased()) ? s.lowercased() : s)
      case .integer(let s): text = s
      case .float(let v): text = String(v)
      case .string(let s): text = "\"\(s)\""
      case .parameter(let p): text = "$" + p
      case .symbol(let s): text = comparing && s == "=" ? "==" : (comparing && s == "<>" ? "!=" : s)
      default: text = ""
      }
      if t.isSymbol("*"), previous?.isSymbol("(") == true, k + 1 < ts.count, ts[k + 1].isSymbol(")") { text = "" }
      let glued = t.isSymbol(",") || t.isSymbol(")") || t.isSymbol(".") || previous?.isSymbol("(") == true
        || previous?.isSymbol(".") == true
        || (t.isSymbol("(") && previous.map { if case .identifier = $0.kind { return true } else { return false } } == true)
      if !out.isEmpty && !glued && !text.isEmpty { out += " " }
      out += text
      previous = t
    }
    return out
  }

  /// The help for a word after a complete stage where the statement should end: SQL's `AS`,
  /// `GROUP BY`, `ORDER BY`, `LIMIT`, `HAVING` get what terrain writes instead.
  func habitHelpAtEndOfStatement() -> DiagnosticText? {
    guard case .identifier(let word, false) = current.kind else { return nil }
    switch word.lowercased() {
    case "as":
      let before = index > 0 ? tokens[index - 1] : nil
      let after = index + 1 < tokens.count ? tokens[index + 1] : nil
      if case .identifier(let expr, _)? = before?.kind, case .identifier(let name, _)? = after?.kind {
        return .nameWithEquals(name, expr)
      }
      return .nameFirst
    case "group": return .sqlGroupBy
    case "order": return .sqlOrderBy
    case "limit": return .sqlLimit
    case "having": return .sqlHaving
    default: return nil
    }
  }
}
