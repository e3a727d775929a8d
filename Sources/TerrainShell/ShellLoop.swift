// The interactive loop: read a line, assemble statements, continue the previous query, run,
// keep history — behind protocols for the terminal's parts, so it runs without a terminal in
// tests and the executable only binds readline, signals and the spinner.

import Foundation
import TerrainEngine
import TerrainSyntax

/// What one call to `LineReader.readLine` got.
public enum LineEvent: Equatable, Sendable {
  /// A line (it may hold several lines when pasted); `moreWaiting` when input is already
  /// waiting behind it (a paste, or type-ahead).
  case line(String, moreWaiting: Bool)
  /// Ctrl-C: the line was abandoned.
  case interrupted
  /// Ctrl-D on an empty line, or the end of input.
  case endOfInput
}

/// What the reader may use while a line is typed: completion and the prompt's switch.
public struct LineContext {
  /// The earlier lines of the statement being typed (for completion).
  public var pendingText: String
  /// Whether a line starting with `|` (or `against`) turns the prompt into the continuation
  /// prompt: a fresh statement with a query to continue.
  public var pipePromptSwitch: Bool
  /// What a line starting with `|` would continue.
  public var continuation: QueryContinuation
}

/// A source of lines: GNU readline in the executable, a list of lines in tests.
public protocol LineReader: AnyObject {
  /// Reads one line, showing `prompt`.
  func readLine(prompt: String, context: LineContext) -> LineEvent
  /// Whether the end of input already ended the line on screen (no newline to add).
  var endOfInputEndedLine: Bool { get }
}

/// Where statements that ran are remembered (the history file in the executable).
public protocol StatementHistory: AnyObject {
  func add(_ statement: String)
}

/// Shows that a statement is running (a spinner after a second on a terminal).
public protocol ProgressDisplay: AnyObject {
  func start(label: String)
  func stop()
}

/// The interactive shell's loop over one session.
public final class ShellLoop {
  public static let mainPrompt = "terrain> "
  public static let continuationPrompt = "   ...> "

  private let session: Session
  private let reader: LineReader
  private let history: StatementHistory
  private let progress: ProgressDisplay?
  /// The shell's own output (the newline after Ctrl-D).
  private let screen: (String) -> Void
  /// The terminal's width in columns, asked before each statement.
  private let terminalWidth: () -> Int?
  /// Called after each statement (flushes standard output in the executable).
  private let afterStatement: () -> Void

  private var assembler = StatementAssembler()
  /// What a line starting with `|` continues.
  private var continuation = QueryContinuation()

  public init(
    session: Session, reader: LineReader, history: StatementHistory, progress: ProgressDisplay? = nil,
    screen: @escaping (String) -> Void, terminalWidth: @escaping () -> Int? = { nil },
    afterStatement: @escaping () -> Void = {}
  ) {
    self.session = session
    self.reader = reader
    self.history = history
    self.progress = progress
    self.screen = screen
    self.terminalWidth = terminalWidth
    self.afterStatement = afterStatement
  }

  /// Reads and runs statements until `.quit` or the end of input.
  public func run() {
    if let progress {
      let write = session.write
      let notify = session.notify
      session.write = { text in
        progress.stop()
        write(text)
      }
      session.notify = { text in
        progress.stop()
        notify(text)
      }
    }
    loop: while !session.quitRequested {
      let context = LineContext(
        pendingText: assembler.pendingText, pipePromptSwitch: !assembler.isContinuing, continuation: continuation)
      let prompt = assembler.isContinuing ? ShellLoop.continuationPrompt : ShellLoop.mainPrompt
      switch reader.readLine(prompt: prompt, context: context) {
      case .endOfInput:
        if let last = assembler.finish() { execute(last) }
        if !reader.endOfInputEndedLine { screen("\n") }
        break loop
      case .interrupted:
        assembler.reset()
      case .line(let text, let moreWaiting):
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (i, line) in lines.enumerated() {
          let more = moreWaiting || i + 1 < lines.count
          for statement in assembler.feed(String(line), moreInputWaiting: more) {
            execute(statement)
            if session.quitRequested { break loop }
          }
        }
      }
    }
  }

  private func execute(_ statement: String) {
    let text: String
    let continuing: Bool
    switch continuation.action(for: statement) {
    case .refuse(let error):
      history.add(statement)
      session.notify(error)
      return
    case .run(let t, let c):
      (text, continuing) = (t, c)
    }
    // History gets what ran: `| take 3` recalled later, or in another session, would continue
    // some other query; the whole statement runs the same anywhere and is edited in place.
    history.add(text)
    if let width = terminalWidth() { session.renderOptions.terminalWidth = width }
    session.cancel.reset()
    progress?.start(label: progressLabel(text))
    let ok = session.run(text, name: nil)
    progress?.stop()
    continuation.record(text, continuing: continuing, succeeded: ok, cancelled: !ok && session.cancel.isCancelled)
    afterStatement()
  }
}

/// What the spinner says for a statement: `loading file.csv`, or `running`.
public func progressLabel(_ statement: String) -> String {
  let trimmed = statement.trimmingCharacters(in: .whitespacesAndNewlines)
  if trimmed.lowercased().hasPrefix("load"), let q = trimmed.firstIndex(where: { $0 == "\"" || $0 == "'" }) {
    let rest = trimmed[trimmed.index(after: q)...]
    let path = rest.prefix { $0 != "\"" && $0 != "'" }
    return DiagnosticText.spinnerLoading((String(path) as NSString).lastPathComponent).string
  }
  return DiagnosticText.spinnerRunning.string
}
