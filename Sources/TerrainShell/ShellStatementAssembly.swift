// Multi-line statement assembly for the interactive shell: when is a statement finished?

import TerrainEngine
import TerrainIO
import TerrainPlanner
import TerrainSyntax

/// A light scan of statement text: enough to know whether it is visibly unfinished and what
/// the last tokens are, without the full lexer (which throws on half-typed input).
struct ShellScan {
  enum Token: Equatable {
    case word(String)
    case symbol(String)
    case string
    case other
  }

  /// Tokens of the current statement (after the last top-level `;`).
  var tokens: [Token] = []
  /// Bracket depth at the end.
  var depth = 0
  /// The quote character of a string left open at the end, if any.
  var openQuote: UInt8?
  /// Byte offset (in the scanned text) where the open string's contents start.
  var openQuoteStart = 0
  /// Whether the text ended inside a backquoted name.
  var openBackquote = false
  /// Whether the last statement was ended by `;` with nothing after it.
  var endsWithSemicolon = false
  /// Byte offsets in the scanned text: where the current statement starts (after the last
  /// top-level `;`), and its last `|` outside brackets (the start of the stage being typed).
  var statementStart = 0
  var lastPipe: Int?

  init(_ text: String) {
    let b = Array(text.utf8)
    var i = 0
    let n = b.count
    func isIdent(_ c: UInt8) -> Bool {
      (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c == 95 || c >= 0x80 || (c >= 48 && c <= 57)
    }
    while i < n {
      let c = b[i]
      switch c {
      case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"):
        i += 1
      case UInt8(ascii: "#"):
        while i < n && b[i] != UInt8(ascii: "\n") { i += 1 }
      case UInt8(ascii: "\""), UInt8(ascii: "'"):
        let start = i
        i += 1
        var closed = false
        while i < n {
          if b[i] == UInt8(ascii: "\\") {
            i += 2
            continue
          }
          if b[i] == c {
            closed = true
            i += 1
            break
          }
          i += 1
        }
        if closed {
          tokens.append(.string)
          endsWithSemicolon = false
        } else {
          openQuote = c
          openQuoteStart = start + 1
          i = n
        }
      case UInt8(ascii: "`"):
        i += 1
        let s = i
        while i < n && b[i] != UInt8(ascii: "`") && b[i] != UInt8(ascii: "\n") { i += 1 }
        if i < n && b[i] == UInt8(ascii: "`") {
          tokens.append(.word(String(decoding: b[s..<i], as: UTF8.self)))
          i += 1
        } else if i >= n {
          openBackquote = true
        }
        endsWithSemicolon = false
      case UInt8(ascii: ";") where depth == 0:
        tokens.removeAll()
        endsWithSemicolon = true
        i += 1
        statementStart = i
        lastPipe = nil
      case UInt8(ascii: "."):
        // A dot command runs to the end of its line.
        if tokens.isEmpty, i + 1 < n, isIdent(b[i + 1]) {
          var e = i
          while e < n && b[e] != UInt8(ascii: "\n") { e += 1 }
          tokens.append(.other)
          i = e
        } else {
          tokens.append(.symbol("."))
          i += 1
        }
        endsWithSemicolon = false
      default:
        endsWithSemicolon = false
        if isIdent(c) {
          let s = i
          while i < n && isIdent(b[i]) { i += 1 }
          tokens.append(.word(String(decoding: b[s..<i], as: UTF8.self)))
        } else {
          let two = i + 1 < n ? String(decoding: b[i...(i + 1)], as: UTF8.self) : ""
          if ["==", "!=", "<=", ">=", "||"].contains(two) {
            tokens.append(.symbol(two))
            i += 2
          } else {
            if c == UInt8(ascii: "(") { depth += 1 }
            if c == UInt8(ascii: ")") { depth = max(0, depth - 1) }
            if c == UInt8(ascii: "|") && depth == 0 { lastPipe = i }
            tokens.append(c < 128 ? .symbol(String(UnicodeScalar(c))) : .other)
            i += 1
          }
        }
      }
    }
  }
}

/// Keywords after which a statement cannot end.
let continuationKeywords: Set<String> = [
  "and", "or", "not", "by", "on", "in", "between", "is", "as", "with", "key", "against", "from", "join",
  "let", "load", "where", "select", "derive", "drop", "aggregate", "sort", "take", "export", "compare",
  "pilots",
]

/// Symbols after which a statement cannot end.
let continuationSymbols: Set<String> = ["|", ",", "=", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%", "||", "(", "."]

/// Whether `text` is visibly unfinished: an open bracket, quote or backquoted name, or a last
/// token (`|`, `,`, an operator, a keyword such as `and`) that needs something after it.
public func statementNeedsMore(_ text: String) -> Bool {
  let scan = ShellScan(text)
  if scan.openQuote != nil || scan.openBackquote || scan.depth > 0 { return true }
  guard let last = scan.tokens.last else { return false }
  switch last {
  case .symbol(let s): return continuationSymbols.contains(s)
  case .word(let w): return continuationKeywords.contains(w.lowercased())
  case .string, .other: return false
  }
}

/// Gathers typed lines into statements.
///
/// A statement continues while it is visibly unfinished (see `statementNeedsMore`). A line
/// that looks complete is run at once, unless more input is already waiting (a paste): then it
/// is held, and runs only once the next line shows it is not a continuation (a line starting
/// with `|` or `against` continues it). An empty line runs what is pending. A dot command line
/// runs at once.
public struct StatementAssembler {
  /// Lines of the statement being typed.
  public private(set) var lines: [String] = []
  private var held = false

  public init() {}

  /// Whether a statement is being continued (the continuation prompt is due).
  public var isContinuing: Bool { !lines.isEmpty }

  /// The text typed so far for the current statement.
  public var pendingText: String { lines.joined(separator: "\n") }

  /// Forgets the statement being typed (Ctrl-C).
  public mutating func reset() {
    lines = []
    held = false
  }

  /// Feeds one line (without its line end). Returns the statements now ready to run, in order.
  public mutating func feed(_ line: String, moreInputWaiting: Bool) -> [String] {
    var out: [String] = []
    let trimmed = line.drop { $0 == " " || $0 == "\t" }
    if held {
      if trimmed.hasPrefix("|") || startsWithWord(trimmed, "against") {
        held = false
        lines.append(line)
        settle(moreInputWaiting, into: &out)
        return out
      }
      out.append(flush())
    }
    if lines.isEmpty {
      if trimmed.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) { return out }
      if isDotCommandLine(trimmed) {
        out.append(line)
        return out
      }
    } else if trimmed.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) {
      out.append(flush())
      return out
    }
    lines.append(line)
    settle(moreInputWaiting, into: &out)
    return out
  }

  /// End of input: the pending statement if it looks complete (an unfinished one is dropped).
  public mutating func finish() -> String? {
    defer { reset() }
    guard !lines.isEmpty else { return nil }
    let text = pendingText
    return held || !statementNeedsMore(text) ? text : nil
  }

  private mutating func settle(_ moreInputWaiting: Bool, into out: inout [String]) {
    let text = pendingText
    if statementNeedsMore(text) { return }
    if moreInputWaiting && !ShellScan(text).endsWithSemicolon {
      held = true
      return
    }
    out.append(flush())
  }

  private mutating func flush() -> String {
    let text = pendingText
    reset()
    return text
  }
}

func isDotCommandLine(_ s: Substring) -> Bool {
  guard s.first == ".", let second = s.dropFirst().first else { return false }
  return second.isLetter
}

func startsWithWord(_ s: Substring, _ word: String) -> Bool {
  guard s.lowercased().hasPrefix(word) else { return false }
  let rest = s.dropFirst(word.count)
  guard let next = rest.first else { return true }
  return !(next.isLetter || next.isNumber || next == "_")
}
