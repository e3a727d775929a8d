// Step-by-step refinement at the interactive prompt: a statement typed at the prompt that
// starts with `|` adds its stages to the previous query.
//
// In a script, a line starting with `|` joins the statement above by the grammar. At the
// prompt that statement has already run, so the shell runs it again with the new stages:
//
//   terrain> from communes                    # runs
//   terrain> | where population > 10000       # runs `from communes | where population > 10000`
//   terrain> | take 3                         # runs `from communes | where population > 10000 | take 3`
//
// The rules (the shell feeds every statement it runs to `record`):
// - The query continued is the previous statement, as in a script: a pipeline (`from …`,
//   `compare …`) or `let NAME = PIPELINE`, which is run again with the stages added.
// - A refinement that fails (or is cancelled) changes nothing: the query before it is still
//   the one continued, so a typo in a step is fixed by typing the step again.
// - A new statement that fails leaves nothing to continue (continuing an older query would run
//   something the user has moved away from).
// - `load` and `pilots` take no stages, a query that ends with `export` can take no more, and
//   `let t = from t …` read the table it replaced: a `|` line after them is refused, with why.
// - A query that ends with `chart` continues without its chart (`| take 3` after
//   `… | chart bar a, b` runs `… | take 3`): the chart is a view of the query.
// - Dot commands are not statements: they leave the query being built alone, so `.schema` or
//   `.timer on` can come between two steps; `.explain | STAGES` explains the query with them.
// - A line starting with `against` gives the peers of a `compare` that has none yet (and no
//   stages), as the next line of a script does.

import TerrainEngine
import TerrainIO
import TerrainPlanner
import TerrainSyntax

/// What the shell does with a statement typed at the prompt.
public enum ShellAction: Equatable {
  /// Run `text`: the statement as typed, or the previous query with the statement's stages
  /// added (`continuing`).
  case run(String, continuing: Bool)
  /// Run nothing; print this error (already rendered, with its caret under the `|`).
  case refuse(String)
}

/// The query a line starting with `|` continues, and the decision of what to run.
public struct QueryContinuation {
  /// Why the previous statement cannot take more stages.
  public enum Closed: Equatable {
    /// `load`; the name of the table it loaded.
    case load(table: String)
    case pilots
    /// A query ending with `export`.
    case export
    /// `let NAME = …` reading `NAME` itself.
    case selfReference(String)
  }

  /// What the previous statement left to continue.
  public enum Previous: Equatable {
    /// Nothing has run yet.
    case nothing
    /// A statement that can take more stages, as one line.
    case query(String)
    /// A statement that ran but cannot take more stages.
    case closed(Closed)
    /// The previous statement failed (or was cancelled).
    case failed(cancelled: Bool)
  }

  public private(set) var previous: Previous = .nothing
  /// Whether the previous query is a `compare` that `against peers where …` may still follow.
  public private(set) var peersMayFollow = false

  public init() {}

  /// Whether `typed` (a line, or the lines of a statement so far) would continue the previous
  /// query: it starts with `|`, or with `against` and a blank after a `compare` without peers.
  public func continues(_ typed: String) -> Bool {
    guard canContinue else { return false }
    if QueryContinuation.leadingPipe(typed) != nil { return true }
    guard peersMayFollow, let a = QueryContinuation.leadingAgainst(typed) else { return false }
    let rest = typed.utf8.dropFirst(a + 7)
    return rest.first == UInt8(ascii: " ") || rest.first == UInt8(ascii: "\t")
  }

  /// The text completion reads for `typed` (the statement typed so far): the previous query
  /// and `typed` when `typed` continues it, so `| where popu⇥` completes the query's columns
  /// (and `against peers where popu⇥`, after a `compare`, the pilots' table's).
  public func completionContext(_ typed: String) -> String {
    guard case .query(let base) = previous else { return typed }
    let continues = QueryContinuation.leadingPipe(typed) != nil
      || (peersMayFollow && QueryContinuation.leadingAgainst(typed) != nil)
    return continues ? base + " " + typed : typed
  }

  /// Whether a statement starting with `|` would be run now (rather than refused).
  public var canContinue: Bool {
    if case .query = previous { return true }
    return false
  }

  /// What to run for `statement`, a complete statement typed at the prompt (as the
  /// `StatementAssembler` hands it over).
  public func action(for statement: String) -> ShellAction {
    if let pipe = QueryContinuation.leadingPipe(statement) {
      guard case .query(let base) = previous else { return .refuse(refusal(statement, pipe: pipe)) }
      return .run(base + " " + QueryContinuation.trimmed(statement), continuing: true)
    }
    if let at = QueryContinuation.leadingAgainst(statement) {
      guard case .query(let base) = previous, peersMayFollow else { return .refuse(againstRefusal(statement, at: at)) }
      return .run(base + " " + QueryContinuation.trimmed(statement), continuing: true)
    }
    if let (argument, pipe) = explainArgument(statement) {
      guard case .query(let base) = previous else { return .refuse(refusal(statement, pipe: pipe)) }
      return .run(".explain " + base + " " + QueryContinuation.trimmed(argument), continuing: true)
    }
    return .run(statement, continuing: false)
  }

  /// Notes that `text` (what `action(for:)` said to run) ran, and how it ended.
  public mutating func record(_ text: String, continuing: Bool, succeeded: Bool, cancelled: Bool = false) {
    // Dot commands (`.explain` included) leave the query being built alone.
    if isDotCommandLine(text.drop { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }) { return }
    guard succeeded else {
      if !continuing {
        previous = .failed(cancelled: cancelled)
        peersMayFollow = false
      }
      return
    }
    if let (p, peers) = QueryContinuation.previous(after: text) {
      previous = p
      peersMayFollow = peers
    }
  }

  // MARK: reading statements

  /// The byte offset of the `|` that starts `statement` (after blanks), if it does; `||` (an
  /// operator) does not count.
  public static func leadingPipe(_ statement: String) -> Int? {
    let b = Array(statement.utf8)
    var i = 0
    while i < b.count, b[i] == UInt8(ascii: " ") || b[i] == UInt8(ascii: "\t") || b[i] == UInt8(ascii: "\n")
      || b[i] == UInt8(ascii: "\r")
    {
      i += 1
    }
    guard i < b.count, b[i] == UInt8(ascii: "|") else { return nil }
    if i + 1 < b.count, b[i + 1] == UInt8(ascii: "|") { return nil }
    return i
  }

  /// The byte offset of the word `against` that starts `statement` (after blanks), if it does.
  public static func leadingAgainst(_ statement: String) -> Int? {
    let lead = statement.prefix { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
    guard startsWithWord(statement.dropFirst(lead.count), "against") else { return nil }
    return lead.utf8.count
  }

  /// For `.explain | STAGES`: the argument (from the `|`) and the `|`'s byte offset.
  private func explainArgument(_ statement: String) -> (String, Int)? {
    let lead = statement.prefix { $0 == " " || $0 == "\t" }
    let rest = statement.dropFirst(lead.count)
    guard rest.lowercased().hasPrefix(".explain") else { return nil }
    let argument = rest.dropFirst(".explain".count)
    guard let first = argument.first, first == " " || first == "\t" else { return nil }
    guard let pipe = QueryContinuation.leadingPipe(String(argument)) else { return nil }
    let offset = lead.utf8.count + ".explain".utf8.count + pipe
    return (String(argument), offset)
  }

  private static func trimmed(_ s: String) -> String {
    let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
    var t = Substring(s)
    while let c = t.first, blank(c) { t = t.dropFirst() }
    while let c = t.last, blank(c) { t = t.dropLast() }
    return String(t)
  }

  /// What a statement text that ran leaves to continue: its last statement, and whether it is a
  /// `compare` that peers may still follow. Nil when it holds none (comments only, or dot commands).
  static func previous(after text: String) -> (Previous, Bool)? {
    guard let nodes = try? Parser.parse(text, grammar: .terrain) else { return (.nothing, false) }
    guard let node = nodes.last(where: { if case .dot = $0.statement { return false } else { return true } })
    else { return nil }
    switch node.statement {
    case .load(let path, let alias, _):
      var name = alias?.text ?? ""
      if name.isEmpty, path.pieces.count == 1, let piece = path.pieces.first, case .literal(let p) = piece.kind {
        name = tableName(forPath: p)
      }
      return (.closed(.load(table: name)), false)
    case .pilots:
      return (.closed(.pilots), false)
    case .attach:
      // Nothing a `|` line could continue: it starts a query anew (`from NAME.table | …`).
      return (.nothing, false)
    case .dot:
      return nil
    case .query(let pipeline):
      if let last = pipeline.stages.last, last.stage is ChartStage {
        // A chart is a view of its query: a `|` line continues the query it drew, without it.
        var before = oneLine(text, Span(node.span.start, last.span.start))
        while let c = before.last, c == " " || c == "\t" || c == "|" { before.removeLast() }
        return (.query(before), peersMayFollow(pipeline))
      }
      if pipeline.stages.last?.isSink == true { return (.closed(.export), false) }
      return (.query(oneLine(text, node.span)), peersMayFollow(pipeline))
    case .assign(let name, let pipeline):
      if reads(pipeline, name.text) { return (.closed(.selfReference(name.text)), false) }
      return (.query(oneLine(text, node.span)), peersMayFollow(pipeline))
    }
  }

  /// Whether `pipeline` is a `compare` without peers nor stages.
  private static func peersMayFollow(_ pipeline: Pipeline) -> Bool {
    guard case .compare(let spec) = pipeline.source else { return false }
    return spec.peers == nil && pipeline.stages.isEmpty
  }

  /// Whether `pipeline` reads table `name` (as its source or in a join).
  private static func reads(_ pipeline: Pipeline, _ name: String) -> Bool {
    if case .table(let t) = pipeline.source, t.text == name { return true }
    for s in pipeline.stages {
      if s.stage.tablesRead.contains(where: { $0.text == name }) { return true }
    }
    return false
  }

  /// The statement at `span` of `text` on one line: line ends and comments between its tokens
  /// become one space (inside one statement a line end is never an end), strings are kept as
  /// they are. Adding ` | STAGE` at the end then continues it.
  static func oneLine(_ text: String, _ span: Span) -> String {
    let bytes = Array(text.utf8)
    let a = max(0, min(span.start, bytes.count))
    let b = max(a, min(span.end, bytes.count))
    let slice = Array(bytes[a..<b])
    let source = String(decoding: slice, as: UTF8.self)
    guard let tokens = try? Lexer.tokenize(source) else { return source }
    var out: [UInt8] = []
    var previousEnd: Int?
    for t in tokens {
      switch t.kind {
      case .newline, .end: continue
      default: break
      }
      let s = max(0, min(t.span.start, slice.count))
      let e = max(s, min(t.span.end, slice.count))
      if let p = previousEnd, p <= s {
        let gap = slice[p..<s]
        if gap.contains(UInt8(ascii: "\n")) || gap.contains(UInt8(ascii: "#")) || gap.contains(UInt8(ascii: "\r")) {
          out.append(UInt8(ascii: " "))
        } else {
          out.append(contentsOf: gap)
        }
      }
      out.append(contentsOf: slice[s..<e])
      previousEnd = e
    }
    return String(decoding: out, as: UTF8.self)
  }

  // MARK: refusals

  /// The error for a `|` line that has nothing to continue, with a caret under the `|`.
  private func refusal(_ statement: String, pipe: Int) -> String {
    let entry: DiagnosticMessage
    var arguments: [String] = []
    let label: DiagnosticText
    let help: DiagnosticText
    switch previous {
    case .query:
      return ""  // not refused
    case .nothing:
      entry = .nothingToContinue
      label = .noQueryBeforeIt
      help = .startWithFrom
    case .failed(let cancelled):
      entry = cancelled ? .previousWasCancelled : .previousFailed
      label = .wouldAddStages
      help = cancelled ? .runItAgain : .fixIt
    case .closed(.load(let table)):
      entry = .loadTakesNoStages
      label = .followsALoad
      help = table.isEmpty ? .queryTheTable : .queryTableNamed(table)
    case .closed(.pilots):
      entry = .pilotsTakesNoStages
      label = .followsPilots
      help = .comparePilotsUsesThem
    case .closed(.export):
      entry = .nothingAfterExport
      label = .followsExport
      help = .putStagesBeforeExport
    case .closed(.selfReference(let name)):
      entry = .selfReferenceTwice
      arguments = [name, name]
      label = .wouldRunAgain
      help = .queryNewTable(name)
    }
    let source = SourceText(name: nil, text: statement)
    return source.render(Diagnostic(entry, arguments: arguments, at: Span(pipe, pipe + 1), label: label, help: help))
  }

  /// The error for an `against` line with no `compare` to give the peers of.
  private func againstRefusal(_ statement: String, at: Int) -> String {
    let source = SourceText(name: nil, text: statement)
    return source.render(Diagnostic(
      .nothingToContinueAgainst,
      at: Span(at, at + 7), label: canContinue ? .notACompareWithoutPeers : .noCompareBeforeIt,
      help: .compareAgainstPeers))
  }
}
