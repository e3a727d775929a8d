// Tab completion for the interactive shell, as pure functions of the text before the cursor.

import TerrainEngine
import TerrainFunctions
import TerrainIO
import TerrainPlanner
import TerrainStorage
import TerrainSyntax

/// What to offer for the word under the cursor.
public enum CompletionResult: Equatable, Sendable {
  /// These words (already filtered by the typed prefix, sorted, without duplicates).
  case words([String])
  /// File names (the line editor's own filename completion).
  case files
  /// Nothing.
  case none
}

/// Completion logic: given the statement text before the word being completed and the word
/// itself, what can follow. Tables and their columns come from closures so that tests need no
/// session.
public struct ShellCompleter {
  /// Table names.
  public var tableNames: () -> [String]
  /// The column names of a table (nil when unknown).
  public var columns: (String) -> [String]?
  /// The columns coming out of a query's text (the statement before the stage being typed),
  /// nil when it cannot be planned; without it, columns are guessed from the statement's words.
  public var queryColumns: ((String) -> [String]?)?
  /// The columns of the pilots' table, which `compare pilots on …` and its `against peers
  /// where …` read (nil when there are no pilots).
  public var pilotColumns: (() -> [String]?)?

  /// Keywords offered in expressions and after stage arguments (the grammar's and the stages').
  public static let keywords = Grammar.terrain.completion

  public init(tableNames: @escaping () -> [String], columns: @escaping (String) -> [String]?) {
    self.tableNames = tableNames
    self.columns = columns
  }

  /// Function names, each followed by `(`: every name the registry can call (scalars, the
  /// special forms `if` and `coalesce`, aggregates), so that a new function is completed
  /// without a change here.
  public static var functionCandidates: [String] { FunctionRegistry.standard.callableNames.map { $0 + "(" } }

  /// Window function names (`rank(`, `lag(`), offered in a `derive` stage only.
  public static var windowCandidates: [String] { FunctionRegistry.standard.windows.map { $0.rawValue + "(" } }

  /// Whether the stage being typed is a `derive` (where window functions are allowed).
  private func inDerive(_ scan: StatementScan) -> Bool {
    guard let pipe = scan.lastPipe, let i = scan.tokens.firstIndex(where: { $0.span.start == pipe }), i + 1 < scan.tokens.count
    else { return false }
    return scan.tokens[i + 1].word?.lowercased() == "derive"
  }

  /// Candidates for `word`, typed after `before` (the whole statement so far, earlier lines included).
  public func complete(before: String, word: String) -> CompletionResult {
    let scan = StatementScan(before, grammar: .terrain)
    let currentLine = before.split(separator: "\n", omittingEmptySubsequences: false).last.map(String.init) ?? ""
    let lineTrimmed = currentLine.drop { $0 == " " || $0 == "\t" }

    // Dot commands: `.na` at the start of a statement line, then their arguments.
    if scan.tokens.isEmpty && lineTrimmed.isEmpty && word.hasPrefix(".") {
      return filtered(ShellCommands.all.map { "." + $0.name }, word)
    }
    if isDotCommandLine(lineTrimmed),
      scan.openString == nil || [".read", ".save", ".open", ".lesson", ".record"].contains(where: { lineTrimmed.hasPrefix($0) }) {
      let name = lineTrimmed.dropFirst().prefix { $0.isLetter }.lowercased()
      let args = lineTrimmed.dropFirst(1 + name.count).split(separator: " ")
      switch name {
      case "schema", "describe", "drop": return args.isEmpty ? filtered(tableNames(), word) : .none
      case "read", "save", "open", "lesson", "record": return .files
      case "help": return args.isEmpty ? filtered(allHelpTopicNames, word) : .none
      case "mode": return args.isEmpty ? filtered(OutputMode.allCases.map(\.rawValue), word) : .none
      case "timer", "echo": return args.isEmpty ? filtered(["on", "off"], word) : .none
      case "collation": return args.isEmpty ? filtered(Collation.allCases.map(\.rawValue), word) : .none
      case "lang": return args.isEmpty ? filtered(MessageLanguage.allCases.map(\.rawValue), word) : .none
      case "explain":
        let rest = String(lineTrimmed.dropFirst(1 + name.count))
        return complete(before: rest, word: word)
      default: return .none
      }
    }

    // Inside quotes: file names after `load` and `export`.
    if scan.openString != nil {
      guard let w = scan.tokens.last?.word else { return .none }
      return (["load"] + Grammar.terrain.stagePathWords).contains(w.lowercased()) ? .files : .none
    }

    let words = scan.tokens
    guard let last = words.last else { return filtered(Parser.statementKeywords, word) }
    // An option name inside `with (…)`: the options of the statement or stage it belongs to.
    if let options = optionNames(words) { return filtered(options, word) }
    switch last.kind {
    case .symbol("|"):
      return filtered(Grammar.terrain.stageKeywords, word)
    case .identifier(let w, _):
      switch w.lowercased() {
      case "from", "pilots", "compare", "against": return filtered(tableNames(), word)
      case let s where Grammar.terrain.stageTableWords.contains(s): return filtered(tableNames(), word)
      case "let", "load": return .none
      case ChartStage.keyword: return filtered(ChartKind.allCases.map(\.rawValue), word)
      case let s where Grammar.terrain.stagePathWords.contains(s): return .none
      default: break
      }
    case .symbol("="):
      if words.count == 2, let first = words[0].word, first.lowercased() == "let" {
        return filtered(["from", "compare"], word)
      }
    default: break
    }

    // Qualified column: `communes.pop`.
    if let dot = word.lastIndex(of: "."), dot != word.startIndex {
      let table = String(word[..<dot])
      let rest = String(word[word.index(after: dot)...])
      guard let cols = columns(table) else { return .none }
      return .words(filtered(cols, rest).list.map { table + "." + $0 })
    }

    let windows = inDerive(scan) ? ShellCompleter.windowCandidates : []
    return filtered(columnsInScope(before, scan) + ShellCompleter.functionCandidates + windows + ShellCompleter.keywords, word)
  }

  /// The columns the stage being typed can read: those of the query before its `|`, planned by
  /// `queryColumns` (so `select`, `aggregate`, `join` are followed), with the names the stage
  /// itself defines; else every column the statement's words mention.
  func columnsInScope(_ before: String, _ scan: StatementScan) -> [String] {
    let guess = statementColumns(scan.tokens)
    guard let queryColumns, let pipe = scan.lastPipe, pipe > scan.statementStart else { return guess }
    let bytes = Array(before.utf8)
    let query = String(decoding: bytes[scan.statementStart..<pipe], as: UTF8.self)
    guard let known = queryColumns(query) else { return guess }
    let stage = StatementScan(String(decoding: bytes[pipe...], as: UTF8.self), grammar: .terrain)
    return known + statementColumns(stage.tokens).filter { !known.contains($0) }
  }

  /// Columns of the tables named in the statement (`from`, `join`, the pilots' after
  /// `compare pilots`) and names it creates (`name = …` in `select`, `derive`, `aggregate`).
  func statementColumns(_ tokens: [Token]) -> [String] {
    var out: [String] = []
    var seen = Set<String>()
    func add(_ s: String) {
      if seen.insert(s).inserted { out.append(s) }
    }
    for (i, t) in tokens.enumerated() {
      guard let w = t.word else { continue }
      let lw = w.lowercased()
      if (lw == "from" || lw == "against" || Grammar.terrain.stageTableWords.contains(lw)), i + 1 < tokens.count, let table = tokens[i + 1].word,
        let cols = columns(table)
      {
        cols.forEach(add)
      }
      if lw == "compare", i + 1 < tokens.count, tokens[i + 1].word?.lowercased() == "pilots", let cols = pilotColumns?() {
        cols.forEach(add)
      }
      if i > 0, i + 1 < tokens.count, tokens[i + 1].isSymbol("=") {
        switch tokens[i - 1].kind {
        case .symbol(","): add(w)
        case .identifier(let p, _) where Grammar.terrain.definingWords.contains(p.lowercased()): add(w)
        default: break
        }
      }
    }
    return out
  }

  /// The option names `with (` offers, when the word being typed is an option name: after
  /// `with (` or after a `,` that ends an option's value, inside the brackets. The statement or
  /// stage that owns the `with` decides (`load`, `export`, `chart`).
  func optionNames(_ tokens: [Token]) -> [String]? {
    guard let last = tokens.last, last.isSymbol("(") || last.isSymbol(",") else { return nil }
    // Find the `with (` whose bracket is still open, at depth 0 of that bracket.
    var depth = 0
    var i = tokens.count - 1
    while i >= 1 {
      let t = tokens[i]
      if t.isSymbol(")") {
        depth += 1
      } else if t.isSymbol("(") {
        if depth == 0 {
          guard tokens[i - 1].word?.lowercased() == "with" else { return nil }
          break
        }
        depth -= 1
      }
      i -= 1
    }
    guard i >= 1 else { return nil }
    // The nearest statement or stage keyword before `with`.
    for t in tokens[..<(i - 1)].reversed() {
      switch t.word?.lowercased() {
      case "load"?: return LoadOptions.schema.names
      case "export"?: return ExportOptions.schema.names
      case ChartStage.keyword?: return ChartOptions.schema.names
      default: continue
      }
    }
    return nil
  }

  private func filtered(_ candidates: [String], _ prefix: String) -> CompletionResult {
    let p = prefix.lowercased()
    var seen = Set<String>()
    let list = candidates.filter { $0.lowercased().hasPrefix(p) && seen.insert($0).inserted }
    return list.isEmpty ? .none : .words(list)
  }
}

extension CompletionResult {
  /// The words, or an empty list.
  public var list: [String] {
    if case .words(let w) = self { return w }
    return []
  }
}
