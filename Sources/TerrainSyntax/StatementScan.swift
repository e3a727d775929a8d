// "Is this statement finished?": the question the interactive shell asks of what has been
// typed so far, answered on the real lexer (in its tolerant mode) and with the words the
// grammar and the stages declare.

/// The grammar's own words (the stages' are in `Grammar`): the shell offers them on Tab, and a
/// statement cannot end after the symbols.
public enum SyntaxWords {
  /// Expression words (`and`, `in`, `is null`, …).
  public static let expression = ["and", "or", "not", "in", "between", "is", "null", "true", "false", "like", "ilike",
    "case", "when", "then", "else", "end"]
  /// Words of the statements themselves: `load … as … with`, `pilots … key … where`,
  /// `compare pilots on … against peers where …`.
  public static let statementClauses = ["as", "with", "against", "peers", "where", "key", "on"]

  /// Symbols after which a statement cannot end.
  public static let continuationSymbols: Set<String> = [
    "|", ",", "=", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%", "||", "(", ".",
  ]
}

/// What the text typed so far holds at its end, from the tolerant lexer: the tokens of the
/// statement being typed, what is left open, and where its stage being typed starts.
public struct StatementScan: Sendable {
  /// Tokens of the current statement (after the last `;` outside brackets), without line ends.
  public var tokens: [Token] = []
  /// Brackets open at the end.
  public var depth = 0
  /// A string left open at the end: its quote and where it starts.
  public var openString: (quote: UInt8, start: Int)?
  /// Where a backquoted name left open at the end starts.
  public var openQuotedName: Int?
  /// Whether the text ends with a `;` (outside brackets) that ended the last statement.
  public var endsWithSemicolon = false
  /// Byte offsets in the text: where the current statement starts (after the last `;` outside
  /// brackets), and its last `|` outside brackets (the start of the stage being typed).
  public var statementStart = 0
  public var lastPipe: Int?
  /// Whether something malformed (a bad number, an unknown character) follows the last token.
  public var malformedAtEnd = false
  /// `case when …` opened in the current statement and not yet closed by `end`.
  public var openCases = 0
  /// The stages the statement is read with (their words decide `needsMore`).
  public let grammar: Grammar

  public init(_ text: String, grammar: Grammar) {
    self.grammar = grammar
    let lexed = Lexer.scan(text)
    depth = lexed.depth
    openString = lexed.openString
    openQuotedName = lexed.openQuotedName
    var level = 0
    var lastEnd = 0
    for (k, t) in lexed.tokens.enumerated() {
      switch t.kind {
      case .newline, .end: continue
      case .identifier(let w, quoted: false) where w.lowercased() == "case":
        // `case` opens only before `when` (a column may be named `case`).
        if lexed.tokens[(k + 1)...].first(where: { $0.kind != .newline })?.isKeyword("when") ?? false { openCases += 1 }
      case .identifier(let w, quoted: false) where w.lowercased() == "end" && openCases > 0: openCases -= 1
      case .symbol(";") where level == 0:
        openCases = 0
        tokens.removeAll()
        statementStart = t.span.end
        lastPipe = nil
        lastEnd = t.span.end
        endsWithSemicolon = true
        continue
      case .symbol("("): level += 1
      case .symbol(")"): level = max(0, level - 1)
      case .symbol("|") where level == 0: lastPipe = t.span.start
      default: break
      }
      tokens.append(t)
      lastEnd = t.span.end
      endsWithSemicolon = false
    }
    malformedAtEnd = lexed.problems.contains { ($0.span?.start ?? 0) >= lastEnd }
    if malformedAtEnd || openString != nil || openQuotedName != nil { endsWithSemicolon = false }
  }

  /// Whether the statement is visibly unfinished: an open bracket, string or backquoted name,
  /// or a last token (`|`, `,`, an operator, a keyword such as `and`) that needs something
  /// after it.
  public var needsMore: Bool {
    if openString != nil || openQuotedName != nil || depth > 0 || openCases > 0 { return true }
    guard let last = tokens.last, !malformedAtEnd else { return false }
    switch last.kind {
    case .symbol(let s): return SyntaxWords.continuationSymbols.contains(s)
    case .identifier(let w, quoted: false): return grammar.continuation.contains(w.lowercased())
    default: return false
    }
  }
}

extension Token {
  /// The name this token spells (a keyword or a name, backquoted or not), if it is one.
  public var word: String? {
    if case .identifier(let s, _) = kind { return s }
    return nil
  }
}
