// Multi-line statement assembly for the interactive shell: when is a statement finished?

import TerrainEngine
import TerrainIO
import TerrainPlanner
import TerrainSyntax

/// Whether `text` is visibly unfinished: an open bracket, quote or backquoted name, or a last
/// token (`|`, `,`, an operator, a keyword such as `and`) that needs something after it. The
/// syntax module answers (`StatementScan`), on the real lexer.
public func statementNeedsMore(_ text: String) -> Bool {
  StatementScan(text, grammar: .terrain).needsMore
}

/// Gathers typed lines into statements.
///
/// A statement continues while it is visibly unfinished (see `statementNeedsMore`). A line
/// that looks complete is run at once, unless more input is already waiting (a paste): then it
/// is held, and runs only once the next line shows it is not a continuation (a line starting
/// with `|`, `against` or a stage's clause word such as `by` or `sort` continues it). An empty
/// line runs what is pending. A dot command line runs at once.
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
      if trimmed.hasPrefix("|") || startsWithWord(trimmed, "against") || startsWithClauseWord(trimmed) {
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
    if moreInputWaiting && !StatementScan(text, grammar: .terrain).endsWithSemicolon {
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

/// Whether `s` starts with a word a stage continues with (`by`, `sort` of `derive`, `on` of
/// `join`): no statement starts with one, so such a line continues the one above.
func startsWithClauseWord(_ s: Substring) -> Bool {
  Grammar.terrain.stages.contains { stage in stage.continuationWords.contains { startsWithWord(s, $0) } }
}

func startsWithWord(_ s: Substring, _ word: String) -> Bool {
  guard s.lowercased().hasPrefix(word) else { return false }
  let rest = s.dropFirst(word.count)
  guard let next = rest.first else { return true }
  return !(next.isLetter || next.isNumber || next == "_")
}
