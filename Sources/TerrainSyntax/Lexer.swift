// Turns statement text into tokens with spans.


import Foundation
/// One lexical token.
public struct Token: Sendable {
  public enum Kind: Equatable, Sendable {
    /// A name; `quoted` when written with backquotes (never a keyword then).
    case identifier(String, quoted: Bool)
    /// Digits of an integer literal, underscores removed.
    case integer(String)
    case float(Double)
    case string(String)
    /// `$name`.
    case parameter(String)
    /// A punctuation or operator symbol: `| , ( ) = == != < <= > >= + - * / % || . ; :`.
    case symbol(String)
    /// A line end outside brackets (statements may end there).
    case newline
    /// A dot command line such as `.schema communes`: the name and the rest of the line.
    case dotCommand(String, String)
    case end
  }
  public var kind: Kind
  public var span: Span

  /// Whether this token is the (case-insensitive, unquoted) keyword `word`.
  public func isKeyword(_ word: String) -> Bool {
    if case .identifier(let s, false) = kind { return s.lowercased() == word }
    return false
  }

  public func isSymbol(_ s: String) -> Bool { kind == .symbol(s) }
}

/// Splits source text into tokens. Newlines inside brackets are dropped; a `.` that starts a
/// line at statement level begins a dot command that runs to the end of the line.
public struct Lexer {
  /// Deepest bracket nesting accepted before a clear error.
  public static let maxNesting = 200

  private let bytes: [UInt8]
  private var pos = 0
  private var depth = 0
  private var tokens: [Token] = []
  /// Tolerant mode (`scan`): errors are collected instead of thrown, and an unterminated string
  /// or quoted name at the end is reported as open.
  private var tolerant = false
  private var problems: [Diagnostic] = []
  private var openQuote: (quote: UInt8, start: Int)?
  private var openBackquote: Int?

  public init(_ text: String) { bytes = Array(text.utf8) }

  /// The tokens of possibly unfinished text (a statement being typed), never throwing: what a
  /// tokenize error would have been is in `problems`, a string or quoted name left open at
  /// the end is reported, and so is the bracket depth there.
  public static func scan(_ text: String) -> LexedText {
    var lexer = Lexer(text)
    lexer.tolerant = true
    let tokens = (try? lexer.run()) ?? lexer.tokens
    return LexedText(tokens: tokens, depth: lexer.depth, openString: lexer.openQuote, openQuotedName: lexer.openBackquote,
      problems: lexer.problems)
  }

  /// All tokens of the text, ending with `.end`.
  public static func tokenize(_ text: String) throws -> [Token] {
    var lexer = Lexer(text)
    return try lexer.run()
  }

  private mutating func run() throws -> [Token] {
    while true {
      skipSpaceAndComments()
      guard pos < bytes.count else { break }
      let start = pos
      let c = bytes[pos]
      if c == UInt8(ascii: "\n") {
        pos += 1
        if depth == 0 { push(.newline, start) }
        continue
      }
      if c == UInt8(ascii: "."), atStatementStart(), pos + 1 < bytes.count, isIdentStart(bytes[pos + 1]) {
        lexDotCommand()
        continue
      }
      do {
        try lexToken(c, start)
      } catch let d as Diagnostic where tolerant {
        problems.append(d)
      }
    }
    tokens.append(Token(kind: .end, span: Span(bytes.count, bytes.count)))
    return tokens
  }

  private mutating func lexToken(_ c: UInt8, _ start: Int) throws {
    if isIdentStart(c) {
      lexIdentifier()
    } else if isDigit(c) || (c == UInt8(ascii: ".") && pos + 1 < bytes.count && isDigit(bytes[pos + 1])) {
      try lexNumber()
    } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
      try lexString(quote: c)
    } else if c == UInt8(ascii: "`") {
      try lexQuotedIdentifier()
    } else if c == UInt8(ascii: "$") {
      pos += 1
      let nameStart = pos
      while pos < bytes.count && isIdentContinue(bytes[pos]) { pos += 1 }
      guard pos > nameStart else {
        throw Diagnostic(.expectedParameterName, at: Span(start, pos), label: .here)
      }
      push(.parameter(text(nameStart, pos)), start)
    } else {
      try lexSymbol()
    }
  }

  private func atStatementStart() -> Bool {
    guard depth == 0, let last = tokens.last else { return true }
    switch last.kind {
    case .newline, .dotCommand: return true
    case .symbol(";"): return true
    default: return false
    }
  }

  private mutating func push(_ kind: Token.Kind, _ start: Int) {
    tokens.append(Token(kind: kind, span: Span(start, pos)))
  }

  private func text(_ a: Int, _ b: Int) -> String { String(decoding: bytes[a..<b], as: UTF8.self) }

  private mutating func skipSpaceAndComments() {
    while pos < bytes.count {
      let c = bytes[pos]
      if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r") {
        pos += 1
      } else if c == UInt8(ascii: "#") {
        while pos < bytes.count && bytes[pos] != UInt8(ascii: "\n") { pos += 1 }
      } else {
        return
      }
    }
  }

  private mutating func lexDotCommand() {
    let start = pos
    pos += 1
    let nameStart = pos
    while pos < bytes.count && isIdentContinue(bytes[pos]) { pos += 1 }
    let name = text(nameStart, pos)
    var end = pos
    while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
    let rest = text(pos, end).trimmingCharacters(in: CharacterSet(charactersIn: " \t\r;"))
    pos = end
    push(.dotCommand(name, rest), start)
  }

  private mutating func lexIdentifier() {
    let start = pos
    while pos < bytes.count && isIdentContinue(bytes[pos]) { pos += 1 }
    push(.identifier(text(start, pos), quoted: false), start)
  }

  private mutating func lexQuotedIdentifier() throws {
    let start = pos
    pos += 1
    let nameStart = pos
    while pos < bytes.count && bytes[pos] != UInt8(ascii: "`") && bytes[pos] != UInt8(ascii: "\n") { pos += 1 }
    guard pos < bytes.count && bytes[pos] == UInt8(ascii: "`") else {
      if tolerant && pos >= bytes.count {
        openBackquote = start
        return
      }
      throw Diagnostic(.unterminatedQuotedName, at: Span(start, start + 1), label: .openedHere)
    }
    let name = text(nameStart, pos)
    pos += 1
    guard !name.isEmpty else { throw Diagnostic(.emptyQuotedName, at: Span(start, pos)) }
    push(.identifier(name, quoted: true), start)
  }

  private mutating func lexNumber() throws {
    let start = pos
    var isFloat = false
    // Digits, with `_` allowed only between two digits (`1_000_000`, not `10_` or `1__0`).
    func digits() throws {
      while pos < bytes.count {
        if isDigit(bytes[pos]) {
          pos += 1
        } else if bytes[pos] == UInt8(ascii: "_") {
          guard pos > start, isDigit(bytes[pos - 1]), pos + 1 < bytes.count, isDigit(bytes[pos + 1]) else {
            throw malformedNumber(from: start, label: .underscoreBetweenDigits, help: .exampleUnderscoreNumber)
          }
          pos += 1
        } else {
          return
        }
      }
    }
    try digits()
    if pos < bytes.count && bytes[pos] == UInt8(ascii: "."), pos + 1 < bytes.count, isDigit(bytes[pos + 1]) {
      isFloat = true
      pos += 1
      try digits()
    } else if pos < bytes.count && bytes[pos] == UInt8(ascii: "."), !(pos + 1 < bytes.count && isIdentStart(bytes[pos + 1])) {
      // `1.` is a float
      isFloat = true
      pos += 1
    }
    if pos < bytes.count && (bytes[pos] == UInt8(ascii: "e") || bytes[pos] == UInt8(ascii: "E")) {
      var p = pos + 1
      if p < bytes.count && (bytes[p] == UInt8(ascii: "+") || bytes[p] == UInt8(ascii: "-")) { p += 1 }
      if p < bytes.count && isDigit(bytes[p]) {
        isFloat = true
        pos = p
        try digits()
      }
    }
    // `1.5.3`: the second decimal point is the mistake.
    if isFloat, pos < bytes.count, bytes[pos] == UInt8(ascii: ".") {
      let dot = pos
      let secondPoint = bytes[start..<dot].contains(UInt8(ascii: "."))
      skipNumberLike()
      throw Diagnostic(.malformedNumberNamed, text(start, pos), at: Span(dot, dot + 1),
        label: secondPoint ? .secondDecimalPoint : .pointAfterExponent,
        help: secondPoint ? .oneDecimalPoint : .pointBeforeExponent)
    }
    if pos < bytes.count && isIdentStart(bytes[pos]) {
      throw malformedNumber(from: start, label: .notANumber, help: nil)
    }
    let raw = text(start, pos).replacingOccurrences(of: "_", with: "")
    guard !raw.isEmpty else { throw Diagnostic(.malformedNumber, at: Span(start, pos)) }
    if isFloat {
      guard let v = Double(raw), v.isFinite else {
        throw Diagnostic(.numberOutOfFloatRange, raw, at: Span(start, pos))
      }
      push(.float(v), start)
    } else {
      push(.integer(raw), start)
    }
  }

  /// Moves past the rest of a malformed number (digits, letters, `_`, `.`), so that the error
  /// shows it whole.
  private mutating func skipNumberLike() {
    while pos < bytes.count && (isIdentContinue(bytes[pos]) || bytes[pos] == UInt8(ascii: ".")) { pos += 1 }
  }

  /// `malformed number `10_``, pointing at the whole literal that starts at `start`.
  private mutating func malformedNumber(from start: Int, label: DiagnosticText, help: DiagnosticText?) -> Diagnostic {
    skipNumberLike()
    return Diagnostic(.malformedNumberNamed, text(start, pos), at: Span(start, pos), label: label, help: help)
  }

  private mutating func lexString(quote: UInt8) throws {
    let start = pos
    pos += 1
    var out: [UInt8] = []
    while true {
      guard pos < bytes.count else {
        if tolerant {
          openQuote = (quote, start)
          return
        }
        throw Diagnostic(.unterminatedString, at: Span(start, start + 1), label: .stringStartsHere,
          help: .closeItWith(quote == UInt8(ascii: "\"") ? "\"" : "'"))
      }
      let c = bytes[pos]
      if c == quote {
        pos += 1
        break
      }
      if c == UInt8(ascii: "\\") {
        guard pos + 1 < bytes.count else { pos += 1; continue }
        let e = bytes[pos + 1]
        switch e {
        case UInt8(ascii: "n"): out.append(10)
        case UInt8(ascii: "t"): out.append(9)
        case UInt8(ascii: "r"): out.append(13)
        case UInt8(ascii: "0"): out.append(0)
        case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "'"): out.append(e)
        default:
          let d = Diagnostic(.unknownEscape, String(Character(Unicode.Scalar(e))),
            at: Span(pos, pos + 2), label: .here, help: .escapesAre)
          guard tolerant else { throw d }
          problems.append(d)
        }
        pos += 2
        continue
      }
      out.append(c)
      pos += 1
    }
    push(.string(String(decoding: out, as: UTF8.self)), start)
  }

  private mutating func lexSymbol() throws {
    let start = pos
    let c = bytes[pos]
    let next: UInt8 = pos + 1 < bytes.count ? bytes[pos + 1] : 0
    let two = String(decoding: [c, next], as: UTF8.self)
    if ["==", "!=", "<=", ">=", "||", "<>"].contains(two) {
      pos += 2
      if two == "<>" {
        throw Diagnostic(.notEqualIsNotAnOperator, at: Span(start, pos), label: .here, help: .useBangEqual)
      }
      push(.symbol(two), start)
      return
    }
    let singles = "|,()=<>+-*/%.;:"
    let ch = Character(Unicode.Scalar(c))
    if c < 128, singles.contains(ch) {
      pos += 1
      if c == UInt8(ascii: "(") {
        depth += 1
        if depth > Lexer.maxNesting {
          throw Diagnostic(.bracketsTooDeep, String(Lexer.maxNesting), at: Span(start, pos))
        }
      } else if c == UInt8(ascii: ")") {
        depth = max(0, depth - 1)
      }
      push(.symbol(String(ch)), start)
      return
    }
    // Report the whole (possibly multi-byte) character.
    var end = pos + 1
    while end < bytes.count && (bytes[end] & 0xC0) == 0x80 { end += 1 }
    pos = end
    // `&&` (C, JavaScript, pandas' `&`): terrain's `and`.
    let ampersand = bytes[start] == UInt8(ascii: "&")
    if ampersand && end < bytes.count && bytes[end] == UInt8(ascii: "&") { end += 1 }
    throw Diagnostic(.unexpectedCharacter, text(start, end), at: Span(start, end), label: .notUnderstoodHere,
      help: ampersand ? .useAndNotAmpersands : nil)
  }
}

/// The tokens of text that may be unfinished, from `Lexer.scan`.
public struct LexedText: Sendable {
  /// The tokens read, ending with `.end`; where a token was malformed there is none (see
  /// `problems`), and a string or quoted name left open is not among them.
  public var tokens: [Token]
  /// Brackets still open at the end.
  public var depth: Int
  /// A string left open at the end: its quote character and where it starts (the quote).
  public var openString: (quote: UInt8, start: Int)?
  /// Where a backquoted name left open at the end starts.
  public var openQuotedName: Int?
  /// What tokenizing would have thrown, in order.
  public var problems: [Diagnostic]
}

package func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
/// Letters (any non-ASCII byte counts as a letter, so `densité` is a name) and `_`.
package func isIdentStart(_ c: UInt8) -> Bool {
  (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
    || c == UInt8(ascii: "_") || c >= 0x80
}
package func isIdentContinue(_ c: UInt8) -> Bool { isIdentStart(c) || isDigit(c) }
/// Whether `$name` reads as the parameter `name` (what `-p NAME=VALUE` may define).
public func isParameterName(_ name: String) -> Bool { !name.isEmpty && name.utf8.allSatisfy(isIdentContinue) }
