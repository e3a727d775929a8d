// A session: the catalog, the settings, and the running of statements.

import Foundation
import TerrainStorage
import TerrainSyntax
import TerrainIO
import TerrainPlanner
import TerrainExecution
import TerrainFunctions

/// Everything one user's shell or script run holds: tables, parameters, output settings.
///
/// The shell, the script runner, the tests and the benchmarks all drive terrain through
/// `run(_:name:)`. Results go to `write` (standard output), notices and errors to `notify`
/// (standard error). A statement that fails changes no table.
public final class Session {
  public let catalog = Catalog()
  /// `-p NAME=VALUE` parameters, used as `$NAME`.
  public var parameters: [String: String] = [:]
  public var renderOptions = RenderOptions()
  /// `.timer on`: `time: N ms` on stderr after each statement.
  public var timer = false
  /// `--echo` / `.echo on`: each statement is printed before its result.
  public var echo = false
  /// Set by Ctrl-C; polled by long work.
  public let cancel = CancellationFlag()
  /// Results (standard output).
  public var write: (String) -> Void = { FileHandle.standardOutput.write(Data($0.utf8)) }
  /// Notices and errors (standard error).
  public var notify: (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }
  /// When set, large csv/tsv/json/markdown results are streamed to this file descriptor
  /// instead of being built as one string for `write`; `flush` is called first so that earlier
  /// buffered output comes before them.
  public var resultFileDescriptor: Int32?
  public var flush: () -> Void = {}
  /// The pilot territories set by `pilots`.
  public internal(set) var pilots: PilotSet?
  /// Set by `.quit`.
  public internal(set) var quitRequested = false
  package var readDepth = 0

  public init() {}

  /// Registers the CSV files of a folder as lazily loaded tables.
  @discardableResult
  public func registerDirectory(_ path: String) throws -> [String] { try catalog.registerDirectory(path) }

  // MARK: running

  /// Runs every statement of `text` in order. On the first error, prints it (located in
  /// `name`, a file name, or as interactive input when nil) and returns false.
  @discardableResult
  public func run(_ text: String, name: String? = nil) -> Bool {
    // A script saved by Windows Notepad starts with a byte-order mark: not part of the statement.
    let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
    let source = SourceText(name: name, text: text)
    let statements: [StatementNode]
    do {
      statements = try Parser.parse(text)
    } catch {
      report(error, source: source, span: nil)
      return false
    }
    for node in statements {
      if quitRequested { return true }
      if echo { write(statementText(node, source) + "\n") }
      cancel.reset()
      let started = DispatchTime.now()
      do {
        try execute(node, source: source)
      } catch {
        report(error, source: source, span: node.span)
        return false
      }
      if timer {
        let ms = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e6
        notify(String(format: "time: %.3f ms\n", ms))
      }
    }
    return true
  }

  /// Runs one pipeline and returns its rows (for tests and embedding).
  public func query(_ text: String) throws -> Table {
    let nodes = try Parser.parse(text)
    guard nodes.count == 1, case .query(let pipeline) = nodes[0].statement else {
      throw Diagnostic("expected exactly one pipeline")
    }
    let plan = try planQuery(pipeline)
    return try Executor(cancel: cancel).run(plan).materialize(cancel: cancel)
  }

  private func statementText(_ node: StatementNode, _ source: SourceText) -> String {
    let bytes = Array(source.text.utf8)
    let a = max(0, min(node.span.start, bytes.count))
    let b = max(a, min(node.span.end, bytes.count))
    return String(decoding: bytes[a..<b], as: UTF8.self)
  }

  package func report(_ error: Error, source: SourceText, span: Span?) {
    switch error {
    case let d as Diagnostic:
      notify(source.render(d))
    case let e as CSVError:
      notify(source.render(Diagnostic(e.description, at: span)))
    case let e as ExportError:
      notify(source.render(Diagnostic(e.description, at: span)))
    case is CancelledError:
      notify(source.render(Diagnostic("cancelled: nothing was changed", at: nil)))
    default:
      notify(source.render(Diagnostic("\(error)", at: span)))
    }
  }

  // MARK: statements

  package func execute(_ node: StatementNode, source: SourceText) throws {
    switch node.statement {
    case .load(let path, let alias, let options):
      try load(path, alias: alias, options: options)
    case .assign(let name, let pipeline):
      let plan = try planQuery(pipeline)
      if plan.export != nil {
        throw Diagnostic("`let` names a result; it cannot end with `export`", at: name.span)
      }
      let table = try Executor(cancel: cancel).run(plan).materialize(cancel: cancel)
      catalog.set(name.text, table, origin: .query)
    case .query(let pipeline):
      let plan = try planQuery(pipeline)
      let relation = try Executor(cancel: cancel).run(plan)
      let table = try relation.materialize(cancel: cancel)
      if let sink = plan.export {
        do {
          let n = try exportTable(table, to: sink.path, options: sink.options, cancel: cancel)
          notify("wrote \(groupedCount(n)) \(n == 1 ? "row" : "rows") to \(sink.path)\n")
        } catch let e as ExportError {
          throw Diagnostic(e.description, at: sink.span, label: "not written")
        }
      } else if let fd = resultFileDescriptor, renderOptions.mode != .table, renderOptions.mode != .line,
        table.rowCount > 10_000 {
        flush()
        try render(table, options: renderOptions, toFileDescriptor: fd, cancel: cancel)
      } else {
        write(renderResult(table, pipeline: pipeline))
      }
    case .pilots(let p):
      try setPilots(p)
    case .dot(let name, let argument):
      try runDotCommand(name, argument, span: node.span, argumentStart: dotArgumentStart(node.span, name: name, in: source))
    }
  }

  /// Renders a result; `compare` results get their bars in table mode.
  package func renderResult(_ table: Table, pipeline: Pipeline) -> String {
    if case .compare = pipeline.source, renderOptions.mode == .table, let (shown, options) = compareDisplay(table) {
      return render(shown, options: options)
    }
    return render(table, options: renderOptions)
  }

  package func planQuery(_ pipeline: Pipeline, announce: Bool = true) throws -> QueryPlan {
    let planner = PipelinePlanner(tables: self, parameters: parameters, constants: KernelConstants(), functions: .standard)
    switch pipeline.source {
    case .table(let name):
      let t = try table(named: name.text, at: name.span)
      return try planner.plan(pipeline, source: t, sourceName: name.text)
    case .compare(let spec):
      let t = try compareTable(spec, announce: announce)
      return try planner.plan(pipeline, source: t, sourceName: "compare")
    }
  }

  private func load(_ pathText: PathText, alias: Name?, options: [OptionItem]) throws {
    let path = try PipelinePlanner(tables: self, parameters: parameters, constants: KernelConstants(), functions: .standard).resolvePath(pathText)
    let pathSpan = pathText.span
    let o = try csvOptions(options)
    let name = alias?.text ?? tableName(forPath: path)
    let result: CSVLoadResult
    do {
      result = try loadCSV(path: path, options: o, cancel: cancel)
    } catch let e as CSVError {
      throw Diagnostic(e.description, at: pathSpan, label: "not loaded")
    }
    catalog.set(name, result.table, origin: .file(path))
    for n in result.notices { notify("\(path): \(n)\n") }
    let rows = result.table.rowCount
    notify("loaded \(groupedCount(rows)) \(rows == 1 ? "row" : "rows") into \(name)\n")
  }

  private func csvOptions(_ items: [OptionItem]) throws -> CSVLoadOptions {
    var o = CSVLoadOptions()
    let planner = PipelinePlanner(tables: self, parameters: parameters, constants: KernelConstants(), functions: .standard)
    func single(_ e: Expr) throws -> UInt8 {
      let s = try planner.textOption(e)
      if s == "\\t" || s.lowercased() == "tab" { return 9 }
      guard s.utf8.count == 1, let b = s.utf8.first else {
        throw Diagnostic("expected a single character", at: e.span, label: "not one character")
      }
      return b
    }
    for item in items {
      let key = item.name.text.lowercased()
      switch (key, item.value) {
      case ("types", .typeList(let pairs)):
        for (col, type) in pairs {
          guard let t = DataType(rawValue: type.text.lowercased()) else {
            throw Diagnostic("unknown type `\(type.text)`", at: type.span, label: "not a type", help: "types: int, float, text, bool")
          }
          o.types[col.text] = t
        }
      case ("nulls", .list(let exprs)):
        o.nulls = try exprs.map { try planner.textOption($0) }
      case ("nulls", .expr(let e)):
        o.nulls = [try planner.textOption(e)]
      case (_, .expr(let e)):
        switch key {
        case "sep", "separator":
          o.separator = try single(e)
          guard [UInt8(ascii: ","), UInt8(ascii: ";"), 9, UInt8(ascii: "|")].contains(o.separator ?? 0) else {
            throw Diagnostic("`sep` must be \",\", \";\", \"\\t\" or \"|\"", at: e.span, label: "unsupported separator")
          }
        case "quote": o.quote = try single(e)
        case "decimal":
          o.decimal = try single(e)
          guard o.decimal == UInt8(ascii: ".") || o.decimal == UInt8(ascii: ",") else {
            throw Diagnostic("`decimal` must be \".\" or \",\"", at: e.span, label: "unsupported")
          }
        case "header": o.header = try planner.boolOption(e)
        case "encoding": o.encoding = try planner.textOption(e)
        case "skip_bad_rows": o.skipBadRows = try planner.boolOption(e)
        default:
          let known = ["sep", "header", "quote", "decimal", "encoding", "nulls", "types", "skip_bad_rows"]
          throw Diagnostic("unknown load option `\(item.name.text)`", at: item.name.span, label: "unknown",
            help: closestName(to: item.name.text, in: known).map { "did you mean `\($0)`?" } ?? "options: " + known.joined(separator: ", "))
        }
      default:
        throw Diagnostic("option `\(item.name.text)` does not take a list", at: item.name.span)
      }
    }
    return o
  }
}

extension Session: TableProvider {
  package func table(named name: String, at span: Span) throws -> Table {
    do {
      if let t = try catalog.table(name) { return t }
    } catch let e as CSVError {
      throw Diagnostic("cannot load table `\(name)`: \(e.description)", at: span)
    }
    let names = catalog.names
    var help = closestName(to: name, in: names).map { "did you mean `\($0)`?" }
    if help == nil { help = names.isEmpty ? "no table yet: `load \"file.csv\"` first" : "tables: " + names.joined(separator: ", ") }
    throw Diagnostic("unknown table `\(name)`", at: span, label: "no such table", help: help)
  }
}

/// `34,875`: a count for notices.
package func groupedCount(_ n: Int) -> String {
  let s = String(n)
  var out = ""
  for (i, ch) in s.enumerated() {
    if i > 0 && (s.count - i) % 3 == 0 && ch != "-" { out.append(",") }
    out.append(ch)
  }
  return out
}
