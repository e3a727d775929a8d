// Recursive-descent parser from tokens to statements.

/// Parses a script or a command line into statements.
///
/// A line end ends a statement unless the statement is visibly unfinished: inside brackets, after
/// `|`, `,`, an operator or a keyword that needs more, or when the next line starts with `|` or
/// `against`.
public struct Parser {
  /// Deepest expression nesting accepted before a clear error (keeps recursion bounded).
  public static let maxDepth = 200

  public static let statementKeywords = ["from", "load", "let", "pilots", "compare", "attach"]

  private(set) var tokens: [Token]
  var index = 0
  private var depth = 0

  /// The stages this parser knows.
  public let grammar: Grammar

  public init(tokens: [Token], grammar: Grammar) {
    self.tokens = tokens
    self.grammar = grammar
  }

  /// Parses every statement of `text`, with the stages of `grammar`.
  public static func parse(_ text: String, grammar: Grammar) throws -> [StatementNode] {
    var parser = Parser(tokens: try Lexer.tokenize(text), grammar: grammar)
    return try parser.parseScript()
  }

  // MARK: token helpers

  package var current: Token { tokens[min(index, tokens.count - 1)] }

  package mutating func advance() -> Token {
    let t = current
    if index < tokens.count - 1 { index += 1 }
    return t
  }

  package mutating func skipNewlines() {
    while current.kind == .newline { index += 1 }
  }

  /// The next token that is not a line end, without consuming anything.
  func peekPastNewlines() -> Token {
    var i = index
    while i < tokens.count - 1 && tokens[i].kind == .newline { i += 1 }
    return tokens[i]
  }

  private mutating func expectSymbol(_ s: String, _ what: DiagnosticText) throws -> Token {
    guard current.isSymbol(s) else { throw unexpected(.expected, what.string) }
    return advance()
  }

  package mutating func acceptSymbol(_ s: String) -> Bool {
    if current.isSymbol(s) {
      index += 1
      return true
    }
    return false
  }

  /// Whether the token after the current one is the symbol `s` (`name =` in a list).
  package func nextIsSymbol(_ s: String) -> Bool {
    index + 1 < tokens.count && tokens[index + 1].isSymbol(s)
  }

  package mutating func acceptKeyword(_ k: String) -> Bool {
    if current.isKeyword(k) {
      index += 1
      return true
    }
    return false
  }

  private func describe(_ t: Token) -> String {
    switch t.kind {
    case .identifier(let s, _): return "`\(s)`"
    case .integer(let s): return "`\(s)`"
    case .float(let v): return "`\(v)`"
    case .string: return DiagnosticText.aString.string
    case .parameter(let p): return "`$\(p)`"
    case .symbol(let s): return "`\(s)`"
    case .newline: return DiagnosticText.theEndOfTheLine.string
    case .dotCommand(let n, _): return "`.\(n)`"
    case .end: return DiagnosticText.theEndOfTheStatement.string
    }
  }

  /// `entry` with `arguments`, then a description of the current token (the entry's last
  /// `{}`, as in `expected `=` after `let t`, found `x``), at the current token.
  package func unexpected(_ entry: DiagnosticMessage, _ arguments: String..., help: DiagnosticText? = nil) -> Diagnostic {
    let t = current
    let span = t.kind == .end || t.kind == .newline ? Span(t.span.start, t.span.start + 1) : t.span
    return Diagnostic(entry, arguments: arguments + [describe(t)], at: span, label: .unexpected, help: help)
  }

  package mutating func name(_ what: DiagnosticText) throws -> Name {
    if case .identifier(let s, _) = current.kind {
      let t = advance()
      return Name(text: s, span: t.span)
    }
    throw unexpected(.expected, what.string)
  }

  // MARK: statements

  package mutating func parseScript() throws -> [StatementNode] {
    var out: [StatementNode] = []
    while true {
      while current.kind == .newline || current.isSymbol(";") { index += 1 }
      if current.kind == .end { break }
      out.append(try parseStatement())
      // A statement ends at `;`, a line end or the end.
      if current.isSymbol(";") || current.kind == .newline || current.kind == .end { continue }
      if case .dotCommand = current.kind { continue }
      throw unexpected(.expectedEndOfStatement, help: habitHelpAtEndOfStatement() ?? .stagesAreChained)
    }
    return out
  }

  package mutating func parseStatement() throws -> StatementNode {
    let start = current.span.start
    if case .dotCommand(let name, let arg) = current.kind {
      let t = advance()
      return StatementNode(statement: .dot(name: name, argument: arg), span: t.span)
    }
    let stmt: Statement
    if acceptKeyword("load") {
      stmt = try parseLoad()
    } else if acceptKeyword("let") {
      let n = try name(.tableNameAfterLet)
      guard acceptSymbol("=") else { throw unexpected(.expectedEqualsAfterLet, n.text) }
      skipNewlines()
      stmt = .assign(n, try parsePipeline())
    } else if acceptKeyword("pilots") {
      stmt = .pilots(try parsePilots())
    } else if acceptKeyword("attach") {
      stmt = try parseAttach()
    } else if current.isKeyword("from") || current.isKeyword("compare") {
      stmt = .query(try parsePipeline())
    } else {
      var help: DiagnosticText? = nil
      if case .identifier(let s, _) = current.kind {
        if s.lowercased() == "select" {
          help = sqlHelp()
        } else if let k = closestName(to: s, in: Parser.statementKeywords) {
          help = .didYouMean(k)
        } else if grammar.stageKeywords.contains(s.lowercased()) {
          help = .pipelineStartsWithFrom(s.lowercased())
        }
      }
      throw unexpected(.expectedStatement,
        help: help)
    }
    return StatementNode(statement: stmt, span: Span(start, tokens[max(0, index - 1)].span.end))
  }

  private mutating func parseLoad() throws -> Statement {
    let path = try parsePath(after: "load", example: "load \"data/communes.csv\"")
    var alias: Name?
    if acceptKeyword("as") {
      if case .parameter(let p) = current.kind {
        throw Diagnostic(.tableNameIsParameter, at: current.span, label: .parameterIsAValue(p),
          help: .leaveAsOut)
      }
      alias = try name(.tableNameAfterAs)
    }
    let options = try parseWithOptions()
    return .load(path: path, alias: alias, options: options)
  }

  /// `attach "CONNINFO" as NAME [with (…)]` (after `attach`).
  private mutating func parseAttach() throws -> Statement {
    switch current.kind {
    case .string, .parameter: break
    default: throw unexpected(.expectedConninfo, help: .attachExample)
    }
    let conninfo = try parsePath(after: "attach", example: "attach \"postgresql://user@host/db\" as pg")
    guard acceptKeyword("as") else { throw unexpected(.expectedAsAfterAttach, help: .attachExample) }
    let name = try name(.tableNameAfterAs)
    return .attach(conninfo: conninfo, name: name, options: try parseWithOptions())
  }

  /// A table name where a pipeline reads one (`from`, `join`, `append`): `communes`, or
  /// `pg.communes` for a table of an attached database (one name, its span over both parts).
  package mutating func tableName(_ what: DiagnosticText) throws -> Name {
    let first = try name(what)
    guard current.isSymbol("."), current.span.start == first.span.end, index + 1 < tokens.count,
      case .identifier(let s, _) = tokens[index + 1].kind, tokens[index + 1].span.start == current.span.end
    else { return first }
    index += 2
    return Name(text: first.text + "." + s, span: first.span.merged(tokens[index - 1].span))
  }

  /// The file path of `load` or `export`: a string, a `$parameter`, or pieces of those joined
  /// with `||` (`"fiche_" || $siren || ".csv"`).
  package mutating func parsePath(after keyword: String, example: String) throws -> PathText {
    var pieces: [PathText.Piece] = []
    repeat {
      if !pieces.isEmpty { skipNewlines() }
      switch current.kind {
      case .string(let s):
        pieces.append(PathText.Piece(kind: .literal(s), span: advance().span))
      case .parameter(let p):
        pieces.append(PathText.Piece(kind: .parameter(p), span: advance().span))
      default:
        if pieces.isEmpty {
          throw unexpected(.expectedFilePath, keyword,
            help: .example(example))
        }
        throw unexpected(.expectedPathPiece,
          help: .pathIsBuiltFrom)
      }
    } while acceptSymbol("||")
    if current.isSymbol("+") {
      throw Diagnostic(.pathPiecesJoinedWithBars, at: current.span, label: .notPlus,
        help: .examplePathPieces(keyword))
    }
    let span = (pieces.first?.span ?? current.span).merged(pieces.last?.span ?? current.span)
    return PathText(pieces: pieces, span: span)
  }

  package mutating func parseWithOptions() throws -> [OptionItem] {
    guard acceptKeyword("with") else { return [] }
    _ = try expectSymbol("(", .openAfterWith)
    var items: [OptionItem] = []
    if acceptSymbol(")") { return items }
    repeat {
      let n = try name(.anOptionName)
      if items.contains(where: { $0.name.text.lowercased() == n.text.lowercased() }) {
        throw Diagnostic(.optionGivenTwice, n.text, at: n.span, label: .givenAgain,
          help: .keepOneOfThem)
      }
      guard acceptSymbol("=") else { throw unexpected(.expectedEqualsAfterOption, n.text) }
      if n.text.lowercased() == "types" {
        _ = try expectSymbol("(", .openTypeList)
        var pairs: [(Name, Name)] = []
        repeat {
          let col = try name(.aColumnName)
          _ = try expectSymbol(":", .colonBeforeType)
          pairs.append((col, try name(.aType)))
        } while acceptSymbol(",")
        _ = try expectSymbol(")", .closeTypeList)
        items.append(OptionItem(name: n, value: .typeList(pairs)))
      } else if current.isSymbol("(") {
        index += 1
        var list: [Expr] = []
        if !current.isSymbol(")") {
          repeat { list.append(try parseExpr()) } while acceptSymbol(",")
        }
        _ = try expectSymbol(")", .closeList)
        items.append(OptionItem(name: n, value: .list(list)))
      } else {
        items.append(OptionItem(name: n, value: .expr(try parseExpr())))
      }
    } while acceptSymbol(",")
    _ = try expectSymbol(")", .closeOptions)
    return items
  }

  private mutating func parsePilots() throws -> PilotsStatement {
    let table = try name(.tableNameAfterPilots)
    if acceptKeyword("where") {
      return PilotsStatement(table: table, key: nil, keys: [], predicate: try parseExpr())
    }
    guard acceptKeyword("key") else {
      throw unexpected(.expectedPilotsKey, table.text)
    }
    let key = try name(.theKeyColumn)
    guard acceptSymbol("=") else { throw unexpected(.expectedEqualsAfterKey) }
    var keys: [Expr] = []
    repeat {
      skipNewlines()
      keys.append(try parseExpr())
    } while acceptSymbol(",")
    return PilotsStatement(table: table, key: key, keys: keys, predicate: nil)
  }

  package mutating func parsePipeline() throws -> Pipeline {
    let start = current.span.start
    let source: PipelineSource
    if acceptKeyword("from") {
      source = .table(try tableName(.tableNameAfterFrom))
    } else if current.isKeyword("compare") {
      source = .compare(try parseCompare())
    } else {
      throw unexpected(.expectedFrom)
    }
    var stages: [StageNode] = []
    while true {
      if current.isSymbol("|") || (current.kind == .newline && peekPastNewlines().isSymbol("|")) {
        skipNewlines()
        index += 1
        skipNewlines()
        stages.append(try parseStage())
      } else {
        break
      }
    }
    return Pipeline(source: source, stages: stages, span: Span(start, tokens[max(0, index - 1)].span.end))
  }

  private mutating func parseCompare() throws -> CompareSource {
    let start = advance().span.start  // compare
    guard acceptKeyword("pilots") else { throw unexpected(.expectedPilotsAfterCompare) }
    guard acceptKeyword("on") else { throw unexpected(.expectedOnAfterComparePilots) }
    // `IND [asc|desc], …`: a named list whose items may each carry a direction.
    var items: [NamedExpr] = []
    var ascending: [Bool] = []
    repeat {
      skipNewlines()
      items.append(try parseNamedItem(requireExplicit: nil))
      if acceptKeyword("asc") { ascending.append(true) } else { _ = acceptKeyword("desc"); ascending.append(false) }
    } while acceptSymbol(",")
    var peers: Expr?
    if current.isKeyword("against") || (current.kind == .newline && peekPastNewlines().isKeyword("against")) {
      skipNewlines()
      index += 1
      guard acceptKeyword("peers") else { throw unexpected(.expectedPeersAfterAgainst) }
      if acceptKeyword("where") {
        skipNewlines()
        peers = try parseExpr()
      }
    }
    return CompareSource(indicators: items, ascending: ascending, peers: peers, span: Span(start, tokens[max(0, index - 1)].span.end))
  }

  private mutating func parseStage() throws -> StageNode {
    let kw = current
    guard case .identifier(let word, false) = kw.kind else {
      throw unexpected(.expectedStage, help: .stagesList(grammar.stageKeywords.joined(separator: ", ")))
    }
    index += 1
    guard let syntax = grammar.stage(forKeyword: word) else {
      let lower = word.lowercased()
      let help = grammar.stages.first { $0.otherNames.contains(lower) }?.otherNameHelp
        ?? closestName(to: word, in: grammar.stageKeywords).map { .didYouMean($0) }
        ?? .stagesList(grammar.stageKeywords.joined(separator: ", "))
      throw Diagnostic(.unknownStage, word, at: kw.span, label: .notAStage, help: help)
    }
    let stage = try syntax.parse(&self)
    return StageNode(stage: stage, span: Span(kw.span.start, tokens[max(0, index - 1)].span.end), keywordSpan: kw.span)
  }

  /// A clause keyword that continues a stage, on this line or at the start of the next
  /// (`by` of `aggregate`); consumed when present.
  package mutating func acceptClause(_ keyword: String) -> Bool {
    guard current.isKeyword(keyword) || (current.kind == .newline && peekPastNewlines().isKeyword(keyword)) else {
      return false
    }
    skipNewlines()
    index += 1
    return true
  }

  /// `KEY [asc|desc], …` (of `sort`).
  package mutating func parseSortKeys() throws -> [SortKey] {
    var keys: [SortKey] = []
    repeat {
      skipNewlines()
      let e = try parseExpr()
      var desc = false
      if acceptKeyword("desc") { desc = true } else { _ = acceptKeyword("asc") }
      keys.append(SortKey(expr: e, descending: desc))
    } while acceptSymbol(",")
    return keys
  }

  /// `a, b = expr, …`
  package mutating func parseNamedList(requireExplicit stage: String? = nil) throws -> [NamedExpr] {
    var items: [NamedExpr] = []
    repeat {
      skipNewlines()
      items.append(try parseNamedItem(requireExplicit: stage))
    } while acceptSymbol(",")
    return items
  }

  /// One item of a named list: `name = expr`, or a column alone (named after it) unless
  /// `stage` requires every item to be named.
  private mutating func parseNamedItem(requireExplicit stage: String?) throws -> NamedExpr {
    if case .identifier(let s, _) = current.kind, index + 1 < tokens.count, tokens[index + 1].isSymbol("=") {
      let t = advance()
      index += 1  // =
      skipNewlines()
      return NamedExpr(name: Name(text: s, span: t.span), expr: try parseExpr(), explicit: true)
    }
    let e = try parseExpr()
    guard case .column(let n, _) = e.kind else {
      throw Diagnostic(.expressionNeedsName, at: e.span, label: .unnamed, help: .writeNameEquals)
    }
    if let stage {
      throw Diagnostic(.stageNeedsName, stage, at: e.span, label: .noNameGiven, help: .exampleNamedItem(stage, n.text, n.text))
    }
    return NamedExpr(name: n, expr: e, explicit: false)
  }

  package mutating func parseNameList() throws -> [Name] {
    var names: [Name] = []
    repeat {
      skipNewlines()
      names.append(try name(.aColumnName))
    } while acceptSymbol(",")
    return names
  }

  // MARK: expressions

  public mutating func parseExpr() throws -> Expr {
    depth += 1
    defer { depth -= 1 }
    if depth > Parser.maxDepth {
      throw Diagnostic(.expressionTooDeep, String(Parser.maxDepth), at: current.span, label: .tooDeep)
    }
    return try parseOr()
  }

  private mutating func binaryLoop(_ ops: [String: BinaryOperator], keywords: Bool, next: (inout Parser) throws -> Expr) throws -> Expr {
    var lhs = try next(&self)
    var chain = 0
    while true {
      var op: BinaryOperator?
      if keywords, case .identifier(let w, false) = current.kind { op = ops[w.lowercased()] }
      if !keywords, case .symbol(let s) = current.kind { op = ops[s] }
      guard let o = op else { return lhs }
      let opToken = advance()
      // A chain `a + b + c …` nests to the left: bound it like brackets so that binding and
      // compiling (recursive) stay within the stack.
      chain += 1
      if chain + depth > Parser.maxDepth {
        throw Diagnostic(.expressionTooDeep, String(Parser.maxDepth), at: opToken.span, label: .tooLong,
          help: .splitWithDerive)
      }
      skipNewlines()
      let rhs = try next(&self)
      lhs = Expr(kind: .binary(o, lhs, rhs, operatorSpan: opToken.span), span: lhs.span.merged(rhs.span))
    }
  }

  private mutating func parseOr() throws -> Expr {
    try binaryLoop(["or": .or], keywords: true) { try $0.parseAnd() }
  }

  private mutating func parseAnd() throws -> Expr {
    try binaryLoop(["and": .and], keywords: true) { try $0.parseNot() }
  }

  private mutating func parseNot() throws -> Expr {
    if current.isKeyword("not") {
      let t = advance()
      depth += 1
      defer { depth -= 1 }
      if depth > Parser.maxDepth { throw Diagnostic(.expressionNestedTooDeeply, at: t.span) }
      let e = try parseNot()
      return Expr(kind: .not(e), span: t.span.merged(e.span))
    }
    return try parseComparison()
  }

  private mutating func parseComparison() throws -> Expr {
    let lhs = try parseAdditive()
    if current.isSymbol("=") {
      throw Diagnostic(.equalsIsNotComparison, at: current.span, label: .assignmentSign,
        help: .toCompareUseDoubleEquals)
    }
    if case .symbol(let s) = current.kind, let op = BinaryOperator(rawValue: s), op.isComparison {
      let t = advance()
      skipNewlines()
      let rhs = try parseAdditive()
      if case .symbol(let s2) = current.kind, let op2 = BinaryOperator(rawValue: s2), op2.isComparison {
        // `a > 1 || b == 2`: `||` joins texts, so it took `1 || b` as one operand.
        var bars = false
        if case .binary(.concat, _, _, _) = rhs.kind { bars = true }
        throw Diagnostic(.chainedComparison, at: current.span, label: .secondComparison,
          help: bars ? .useOrNotBars : .combineWithAnd)
      }
      return Expr(kind: .binary(op, lhs, rhs, operatorSpan: t.span), span: lhs.span.merged(rhs.span))
    }
    var negated = false
    let save = index
    if current.isKeyword("not") {
      negated = true
      index += 1
    }
    if acceptKeyword("in") {
      _ = try expectSymbol("(", .openAfterIn)
      var items: [Expr] = []
      repeat { items.append(try parseExpr()) } while acceptSymbol(",")
      let close = try expectSymbol(")", .closeList)
      return Expr(kind: .inList(lhs, items, negated: negated), span: lhs.span.merged(close.span))
    }
    if acceptKeyword("between") {
      let lo = try parseAdditive()
      guard acceptKeyword("and") else { throw unexpected(.expectedAndInBetween) }
      let hi = try parseAdditive()
      return Expr(kind: .between(lhs, lo, hi, negated: negated), span: lhs.span.merged(hi.span))
    }
    if current.isKeyword("like") || current.isKeyword("ilike") {
      let keyword = advance()
      skipNewlines()
      let pattern = try parseAdditive()
      let operatorSpan = negated ? tokens[save].span.merged(keyword.span) : keyword.span
      return Expr(kind: .like(lhs, pattern: pattern, negated: negated, caseInsensitive: keyword.isKeyword("ilike"),
        operatorSpan: operatorSpan), span: lhs.span.merged(pattern.span))
    }
    if negated {
      index = save
      return lhs
    }
    if current.isKeyword("is") {
      index += 1
      let neg = acceptKeyword("not")
      guard current.isKeyword("null") else { throw unexpected(.expectedNullAfterIs) }
      let t = advance()
      return Expr(kind: .isNull(lhs, negated: neg), span: lhs.span.merged(t.span))
    }
    return lhs
  }

  private mutating func parseAdditive() throws -> Expr {
    try binaryLoop(["+": .add, "-": .subtract, "||": .concat], keywords: false) { try $0.parseMultiplicative() }
  }

  private mutating func parseMultiplicative() throws -> Expr {
    try binaryLoop(["*": .multiply, "/": .divide, "%": .remainder], keywords: false) { try $0.parseUnary() }
  }

  private mutating func parseUnary() throws -> Expr {
    if current.isSymbol("-") {
      let t = advance()
      depth += 1
      defer { depth -= 1 }
      if depth > Parser.maxDepth { throw Diagnostic(.expressionNestedTooDeeply, at: t.span) }
      let e = try parseUnary()
      // Fold `-` into a bare literal so that -9223372036854775808 is representable; `-(-5)`
      // stays a negation.
      if case .integer(let digits) = e.kind, !digits.hasPrefix("-") {
        return Expr(kind: .integer("-" + digits), span: t.span.merged(e.span))
      }
      return Expr(kind: .negate(e), span: t.span.merged(e.span))
    }
    if current.isSymbol("+") {
      _ = advance()
      return try parseUnary()
    }
    return try parsePrimary()
  }

  /// `case when COND then VALUE [when …] [else VALUE] end`, after `case`.
  private mutating func parseCase(_ start: Token) throws -> Expr {
    var clauses: [WhenClause] = []
    skipNewlines()
    while current.isKeyword("when") {
      let when = advance()
      // Each clause nests one `if` deeper when compiled: bound them like brackets.
      if clauses.count + depth >= Parser.maxDepth {
        throw Diagnostic(.caseTooManyWhens, String(Parser.maxDepth), at: when.span, label: .tooMany, help: .splitCase)
      }
      skipNewlines()
      let condition = try parseExpr()
      skipNewlines()
      guard acceptKeyword("then") else {
        throw unexpected(.expectedThenAfterWhen, help: .caseSynopsis)
      }
      skipNewlines()
      let value = try parseExpr()
      clauses.append(WhenClause(condition: condition, value: value))
      skipNewlines()
    }
    var otherwise: Expr?
    if acceptKeyword("else") {
      skipNewlines()
      otherwise = try parseExpr()
      skipNewlines()
    }
    guard current.isKeyword("end") else {
      var d = unexpected(otherwise == nil ? .expectedInCase : .expectedEndOfCase, help: .caseSynopsis)
      d.secondaryLabels.append(Diagnostic.Label(start.span, DiagnosticText.caseStartsHere.string))
      throw d
    }
    let end = advance()
    return Expr(kind: .caseWhen(clauses, otherwise: otherwise), span: start.span.merged(end.span))
  }

  private mutating func parsePrimary() throws -> Expr {
    let t = current
    switch t.kind {
    case .integer(let s):
      index += 1
      return Expr(kind: .integer(s), span: t.span)
    case .float(let v):
      index += 1
      return Expr(kind: .float(v), span: t.span)
    case .string(let s):
      index += 1
      return Expr(kind: .string(s), span: t.span)
    case .parameter(let p):
      index += 1
      return Expr(kind: .parameter(p), span: t.span)
    case .symbol("("):
      index += 1
      skipNewlines()
      let e = try parseExpr()
      skipNewlines()
      let close = try expectSymbol(")", .closingBracket)
      return Expr(kind: e.kind, span: t.span.merged(close.span))
    case .identifier(let word, let quoted):
      index += 1
      if !quoted {
        switch word.lowercased() {
        case "true": return Expr(kind: .bool(true), span: t.span)
        case "false": return Expr(kind: .bool(false), span: t.span)
        case "null": return Expr(kind: .null, span: t.span)
        case "case" where peekPastNewlines().isKeyword("when"): return try parseCase(t)
        default: break
        }
        if current.isSymbol("(") {
          index += 1
          var args: [Expr] = []
          skipNewlines()
          if !current.isSymbol(")") {
            repeat {
              skipNewlines()
              args.append(try parseExpr())
            } while acceptSymbol(",")
          }
          skipNewlines()
          let close = try expectSymbol(")", .closeCall(word))
          return Expr(kind: .call(Name(text: word.lowercased(), span: t.span), args), span: t.span.merged(close.span))
        }
      }
      if current.isSymbol("."), index + 1 < tokens.count, case .identifier(let col, _) = tokens[index + 1].kind {
        index += 1
        let c = advance()
        // `pg.communes.population`: a column of an attached database's table.
        if current.isSymbol("."), index + 1 < tokens.count, case .identifier(let third, _) = tokens[index + 1].kind {
          index += 1
          let d = advance()
          return Expr(kind: .column(Name(text: third, span: d.span), table: Name(text: word + "." + col, span: t.span.merged(c.span))),
            span: t.span.merged(d.span))
        }
        return Expr(kind: .column(Name(text: col, span: c.span), table: Name(text: word, span: t.span)),
          span: t.span.merged(c.span))
      }
      return Expr(kind: .column(Name(text: word, span: t.span), table: nil), span: t.span)
    default:
      // SQL habits: `count(*)`, `select *`.
      throw unexpected(.expectedExpression, help: current.isSymbol("*")
        ? .noStarInSelect : nil)
    }
  }
}
