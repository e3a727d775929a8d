// A session: the catalog, the settings, and the running of statements.

import Foundation
import TerrainStorage
import TerrainSyntax
import TerrainIO
import TerrainPlanner
import TerrainExecution
import TerrainFunctions
import TerrainPostgres

/// Everything one user's shell, script run or embedding program holds: tables, parameters,
/// settings.
///
/// A program embedding terrain runs statements with `execute(_:)`, which returns what each
/// statement gave (a `Table`, a notice, a dot command's text when the session has the shell's
/// commands — TerrainShell's `Session.shell()` — or a `StatementDiagnostic`) and
/// prints nothing. The shell and scripts use `run(_:name:)`, the same statements printed through
/// `write` (results) and `notify` (notices and errors). A statement that fails changes no
/// table. A session is used from one thread at a time; only `cancel` may be used from another.
///
/// ```swift
/// let session = Session()
/// session.register(try Table(columns: [("nom", .text(["a", "b"])), ("pop", .int([10, 2000]))]), as: "t")
/// session.setParameter("min", .int(1000))
/// for result in session.execute("from t | where pop >= $min") {
///   if let t = result.table { print(t.column(named: "nom")?.text(at: 0) ?? "null") }
/// }
/// ```
public final class Session {
  package let catalog = Catalog()
  /// The parameters as the binder reads them: text typed by use, or typed values set from Swift.
  package var parameterValues: [String: ParameterValue] = [:]
  package var renderOptions = RenderOptions()
  /// `.timer on`: `time: N ms` on stderr after each statement (`run` only).
  package var timer = false
  /// `--echo` / `.echo on`: each statement is printed before its result (`run` only).
  package var echo = false
  /// The order of text in `sort`, windows, `min`/`max`, `rank` and `pivot` columns: French by
  /// default, `.collation binary` for code point order. Given to the planner as a value with
  /// each statement (a statement planned before a change keeps the order it was planned with).
  public var collation: Collation = .default
  /// The language of messages, notices and `.help`: English unless set (the shell sets it from
  /// `LC_ALL`, `LC_MESSAGES` or `LANG`; `.lang fr` in a session). French also writes floats
  /// with a decimal comma on screen in table mode (csv, json and exports keep the dot). The
  /// language is made current (`MessageLanguage.current`) while the session runs statements.
  public var language: MessageLanguage = .english {
    didSet {
      renderOptions.decimalMark = language == .french ? "," : "."
      MessageLanguage.current = language
    }
  }
  /// Cancels the statement running: call `cancel.cancel()` from another thread (the flag is
  /// `Sendable`; take it from the session first). Long work polls it between chunks and the
  /// statement fails with `cancelled: nothing was changed`. Each statement clears it when it
  /// starts.
  public let cancel = CancellationFlag()
  /// Asked before each statement of a `run`: true stops there (the run returns false), for a
  /// process told to terminate (SIGTERM, SIGHUP) while a script runs. nil: never.
  public var shouldStop: (@Sendable () -> Bool)?
  /// Where `run` prints results (standard output by default).
  public var write: (String) -> Void = { FileHandle.standardOutput.write(Data($0.utf8)) }
  /// Where `run` prints notices and errors (standard error by default).
  public var notify: (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }
  /// When set, large csv/tsv/json/markdown results are streamed to this file descriptor
  /// instead of being built as one string for `write`; `flush` is called first so that earlier
  /// buffered output comes before them.
  package var resultFileDescriptor: Int32?
  package var flush: () -> Void = {}
  /// The pilot territories set by `pilots`.
  package internal(set) var pilots: PilotSet?
  /// Set by `.quit`.
  package var quitRequested = false
  /// The folder that relative paths start from in `load`, `export`, `.read` and
  /// `registerDirectory`; nil: the process's current directory. Notices and errors still name
  /// a file as it was written (paths under this folder are shown relative to it).
  public var workingDirectory: String?
  package var readDepth = 0
  /// Folders holding the outlines `chart map` draws (`departements.geojson.gz`,
  /// `regions.geojson.gz`), searched in order; `registerDirectory` adds the `contours`
  /// folder of a data folder that has one.
  public var outlineFolders: [String] = []
  /// The colours of `chart map` in the terminal; nil: none without `renderOptions.color`, else
  /// true colour when `COLORTERM` says `truecolor` or `24bit`, else the 256-colour palette.
  public var terminalColours: TerminalColours?
  /// Outlines read by `chart map`, kept for the session.
  private var outlineCache: [MapOutlineSource: MapOutlines] = [:]
  /// What runs the `.name argument` lines of scripts: the shell's commands (TerrainShell's
  /// `Session.shell()` installs them); nil, the default of an embedded session, makes such a
  /// line an error saying the command belongs to the shell.
  package var dotCommands: (any DotCommandRunner)?
  /// Set while `execute` runs: receives a query's rows instead of their being printed.
  private var rowsSink: ((Table) -> Void)?
  /// The last result a query showed (printed or given to `execute`), for `.check`.
  package var lastResult: Table?
  /// The lesson open (`.lesson`), if any.
  package var lesson: LessonState?
  /// The lessons' progress file (`LessonProgressStore`); nil: progress lasts the session.
  public var lessonProgressPath: String?
  /// The transcript being recorded (`.record FILE.md`), if any.
  package var transcript: Transcript?
  /// The PostgreSQL databases attached (`attach … as NAME`), by name.
  package var attachments: [String: Attachment] = [:]
  /// How an attached table is read by the planning under way (see `planReadingAttached`);
  /// outside one, `.schema`/`.describe` read every column.
  package var attachedReading: AttachedReading = .fetch(columns: nil)
  /// The attached tables fetched by the planning under way (nil outside one: nothing kept).
  package var attachedFetched: [String: Table]?
  /// The SELECTs sent to attached databases by the last pipeline planned (what was fetched).
  package var attachedQueriesSent: [String] = []

  /// An empty session: no table, no parameter. Installs nothing process-wide (see
  /// `installSignalHandlers()`).
  public init() {
    // Tables registered from a folder load on first use, stoppable by Ctrl-C like `load`.
    let cancel = self.cancel
    catalog.loader = { path in try openFile(path: path, options: LoadOptions(), cancel: cancel) }
    catalog.cancel = cancel
  }

  /// Registers the CSV files of a folder as tables named after the files, each read on first
  /// use. Returns the names added.
  @discardableResult
  public func registerDirectory(_ path: String) throws -> [String] {
    let folder = fileSystemPath(path)
    let added = try catalog.registerDirectory(folder)
    let contours = (folder as NSString).appendingPathComponent("contours")
    var isFolder: ObjCBool = false
    if FileManager.default.fileExists(atPath: contours, isDirectory: &isFolder), isFolder.boolValue, !outlineFolders.contains(contours) {
      outlineFolders.append(contours)
    }
    return added
  }

  /// `path` for the file system: a relative path starts from `workingDirectory`.
  package func fileSystemPath(_ path: String) -> String { resolvingPath(path, in: workingDirectory) }

  /// `text` (a notice or an error naming files) with the paths under `workingDirectory` written
  /// relative to it, as they were typed; unchanged when there is no working directory.
  package func relativeToWorkingDirectory(_ text: String) -> String {
    guard let directory = workingDirectory, !directory.isEmpty else { return text }
    return text.replacingOccurrences(of: directory.hasSuffix("/") ? directory : directory + "/", with: "")
  }

  // MARK: parameters

  /// The `$NAME` parameters as text, as `-p NAME=VALUE` gives them: each is a constant typed by
  /// where it is used (`code == $d` reads text, `take $n` a number). Setting this replaces every
  /// parameter by untyped text, except that a typed parameter (`setParameter(_:_:)`) whose text
  /// is unchanged stays typed, so `parameters["x"] = "1"` leaves the others as they were.
  /// Reading gives typed values as text (`Value.description`).
  public var parameters: [String: String] {
    get {
      parameterValues.mapValues {
        switch $0 {
        case .untyped(let s): return s
        case .typed(let v): return v.description
        }
      }
    }
    set {
      var values: [String: ParameterValue] = [:]
      for (name, text) in newValue {
        if case .typed(let v)? = parameterValues[name], v.description == text {
          values[name] = .typed(v)
        } else {
          values[name] = .untyped(text)
        }
      }
      parameterValues = values
    }
  }

  /// Sets `$name` to a typed value: `setParameter("min", .int(1000))`. It keeps its type wherever
  /// it is used (an int where a float is expected is widened; `.null` takes the type of its
  /// place, as `null` does); a type that does not fit is an error of the statement, as for a
  /// literal of that type (`$min` as text in a path is refused: a path piece must be text).
  public func setParameter(_ name: String, _ value: Value) {
    parameterValues[name] = .typed(value)
  }

  /// Sets `$name` to untyped text, exactly as `-p name=text` does (typed by where it is used).
  public func setParameter(_ name: String, text: String) {
    parameterValues[name] = .untyped(text)
  }

  /// Removes `$name`; using it is then an error naming it.
  public func removeParameter(_ name: String) {
    parameterValues[name] = nil
  }

  // MARK: tables

  /// Registers `table` under `name`, replacing any table of that name (as `let name = …` does).
  /// Statements read it as `from name`; `.tables` lists it like a `let`.
  public func register(_ table: Table, as name: String) {
    catalog.set(name, table, origin: .registered)
  }

  /// The table called `name`, or nil if there is none. A table registered from a file and not
  /// read yet is read now.
  /// - Throws: `StatementDiagnostic` when that file cannot be read.
  public func table(named name: String) throws -> Table? {
    guard catalog.contains(name) else { return nil }
    do {
      return try catalog.table(name)
    } catch {
      let source = SourceText(name: nil, text: "")
      throw StatementDiagnostic(diagnostic(for: error, span: nil, prefix: .cannotLoadTable(name)), source: source)
    }
  }

  /// The names of the session's tables, in the order they were first registered.
  public var tableNames: [String] { catalog.names }

  // MARK: running

  /// Runs every statement of `text` in order and returns what each gave, one result per
  /// statement run. It stops at the first error, whose result (a `.diagnostic`) is the last:
  /// a parse error gives a single result and runs nothing, and so does a `$parameter` used
  /// without being defined (one error naming every such parameter). Nothing is printed: results, notices
  /// and dot commands' text are in the results; `.echo` and `.timer` apply to `run` only.
  /// Positions are relative to `text` (without a leading byte-order mark, which is skipped).
  public func execute(_ text: String) -> [StatementResult] {
    var results: [StatementResult] = []
    var rows: Table?
    var output = ""
    var notices = ""
    let (savedWrite, savedNotify, savedSink) = (write, notify, rowsSink)
    write = { output += $0 }
    notify = { notices += $0 }
    rowsSink = { rows = $0 }
    defer { (write, notify, rowsSink) = (savedWrite, savedNotify, savedSink) }
    _ = speaking { runStatements(text, name: nil, printing: false) { node, source, error in
      let lines = notices.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
      let noticeLines = lines.last == "" ? Array(lines.dropLast()) : lines
      let outcome: StatementResult.Outcome
      if let error {
        outcome = .diagnostic(StatementDiagnostic(diagnostic(for: error, span: node?.span), source: source))
      } else if let rows {
        outcome = .table(rows)
      } else if !output.isEmpty {
        outcome = .output(output)
      } else if !noticeLines.isEmpty {
        outcome = .notice(noticeLines.joined(separator: "\n"))
      } else {
        outcome = .done
      }
      let at = node.map { source.location(of: $0.span.start) } ?? (line: 1, column: 1)
      results.append(StatementResult(outcome: outcome, notices: noticeLines,
        statement: node.map { statementText($0, source) } ?? source.text, line: at.line, column: at.column))
      rows = nil
      output = ""
      notices = ""
    } }
    return results
  }

  /// Runs every statement of `text` in order, printing results through `write` and notices
  /// through `notify`. On the first error, prints it through `notify` (located in `name`, a file
  /// name, or as interactive input when nil) and returns false. Parameters are checked before
  /// the first statement runs, as parsing is. With `.record` on, each statement and what it gave
  /// go to the transcript too.
  @discardableResult
  public func run(_ text: String, name: String? = nil) -> Bool {
    let savedSink = rowsSink
    rowsSink = nil
    defer { rowsSink = savedSink }
    return speaking {
      runStatements(text, name: name, printing: true) { node, source, error in
        guard let error else { return }
        let rendered = source.render(diagnostic(for: error, span: node?.span))
        if let transcript {
          transcript.muted = true
          defer { transcript.muted = false }
          notify(rendered)
          transcript.error(rendered)
        } else {
          notify(rendered)
        }
      }
    }
  }

  /// The one loop behind `run` and `execute`: parses `text`, runs its statements in order and
  /// stops at the first error. `finished` is called after each statement run, with its error
  /// if it failed (and with a nil node for a parse error). `printing` adds `run`'s echo and timer.
  private func runStatements(_ text: String, name: String?, printing: Bool,
    finished: (_ node: StatementNode?, _ source: SourceText, _ error: Error?) -> Void) -> Bool {
    let (source, parsed) = parseScript(text, name: name)
    let statements: [StatementNode]
    do {
      statements = try parsed.get()
      // Every parameter the statements use must be defined before the first one runs.
      try checkParametersDefined(source.text)
    } catch {
      if printing { transcript?.statement(text) }
      finished(nil, source, error)
      saveTranscript()
      return false
    }
    for node in statements {
      if quitRequested { return true }
      // The transcript gets the statement, then what it printed (its own wrappers of `write`
      // and `notify`, which record only at this `.read` depth: deeper statements record
      // themselves).
      let (savedWrite, savedNotify) = (write, notify)
      if printing, let transcript, !isRecordCommand(node) {
        let depth = readDepth
        transcript.statement(statementText(node, source))
        write = { [unowned self] text in
          savedWrite(text)
          if self.readDepth == depth { transcript.output(text) }
        }
        notify = { [unowned self] text in
          savedNotify(text)
          if self.readDepth == depth { transcript.notice(text) }
        }
      }
      defer {
        (write, notify) = (savedWrite, savedNotify)
        if readDepth == 0 { saveTranscript() }
      }
      if printing && echo {
        transcript?.muted = true
        write(statementText(node, source) + "\n")
        transcript?.muted = false
      }
      cancel.reset()
      // A termination signal between two statements: the next one does not start. (One that
      // arrives after this check sets `cancel`, which the statement notices.)
      if let stop = shouldStop, stop() { return false }
      let started = DispatchTime.now()
      do {
        try execute(node, source: source)
      } catch {
        finished(node, source, error)
        return false
      }
      finished(node, source, nil)
      if printing && timer {
        let ms = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e6
        notify(DiagnosticText.timeMs(String(format: "%.3f", ms)).string + "\n")
      }
    }
    return true
  }

  /// The statements of a script (`name`, nil for interactive input) and its text for messages.
  /// A script saved by Windows Notepad starts with a byte-order mark: not part of the statement.
  package func parseScript(_ text: String, name: String?) -> (SourceText, Result<[StatementNode], Error>) {
    let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
    return (SourceText(name: name, text: text), Result { try Parser.parse(text, grammar: .terrain) })
  }

  /// Runs one pipeline and returns its rows. Throws the statement's error (its description is
  /// the message); `execute(_:)` gives it with its position.
  public func query(_ text: String) throws -> Table {
    try speaking { try runQuery(text) }
  }

  /// Runs `body` with the session's language current; it stays current afterwards, for what the
  /// shell says between statements.
  private func speaking<T>(_ body: () throws -> T) rethrows -> T {
    MessageLanguage.current = language
    return try body()
  }

  private func runQuery(_ text: String) throws -> Table {
    let nodes = try Parser.parse(text, grammar: .terrain)
    guard nodes.count == 1, case .query(let pipeline) = nodes[0].statement else {
      throw Diagnostic(.expectedOnePipeline)
    }
    let plan = try planQuery(pipeline)
    return try executor.run(plan).materialize(cancel: cancel)
  }

  private func statementText(_ node: StatementNode, _ source: SourceText) -> String {
    let bytes = Array(source.text.utf8)
    let a = max(0, min(node.span.start, bytes.count))
    let b = max(a, min(node.span.end, bytes.count))
    return String(decoding: bytes[a..<b], as: UTF8.self)
  }

  /// The diagnostic for an error thrown by a statement at `span`.
  /// The diagnostic for an error thrown by a statement at `span`, its message after `prefix`
  /// (`cannot load table `t`: `). A file's error keeps its catalog identity; its text is framed
  /// with the path and position (`data/x.csv:3:7: …`).
  package func diagnostic(for error: Error, span: Span?, prefix: DiagnosticText? = nil) -> Diagnostic {
    let before = prefix?.string ?? ""
    switch error {
    case var d as Diagnostic:
      d.message = before + d.message
      return d
    case let e as LoadError:
      return fileDiagnostic(e.entry, e.arguments, before + relativeToWorkingDirectory(e.description), at: span)
    case let e as ExportError:
      return fileDiagnostic(e.entry, e.arguments, before + relativeToWorkingDirectory(e.description), at: span)
    case is CancelledError:
      return Diagnostic(.cancelled, at: nil)
    case let failure as AllocationFailure:
      // A buffer of the statement's operators (sized by its rows) that the memory refused:
      // the statement fails, nothing is stored, the session goes on.
      let (block, available) = outOfMemoryArguments(failure)
      var d = Diagnostic(.statementOutOfMemory, block, available, at: span)
      d.message = before + d.message
      return d
    default:
      return Diagnostic(.otherError, before + "\(error)", at: span)
    }
  }

  /// The diagnostic of a file's error (`LoadError`, `ExportError`): the identity of its catalog
  /// entry, and `text`, the entry's message framed with the path and position.
  package func fileDiagnostic(
    _ entry: DiagnosticMessage, _ arguments: [String], _ text: String, at span: Span?, label: DiagnosticText? = nil
  ) -> Diagnostic {
    var d = Diagnostic(entry, arguments: arguments, at: span, label: label)
    d.message = text
    return d
  }

  // MARK: statements

  package func execute(_ node: StatementNode, source: SourceText) throws {
    switch node.statement {
    case .load(let path, let alias, let options):
      try load(path, alias: alias, options: options)
    case .assign(let name, let pipeline):
      let plan = try planQuery(pipeline)
      if plan.export != nil {
        throw Diagnostic(.letCannotExport, at: name.span)
      }
      if plan.chart != nil {
        throw Diagnostic(.letCannotChart, at: name.span)
      }
      let table = try executor.run(plan).materialize(cancel: cancel)
      catalog.set(name.text, table, origin: .query)
    case .query(let pipeline):
      let plan = try planQuery(pipeline)
      // A comparison shown as a table has its footer under the table, not before it.
      var footer: String?
      var runner = executor
      if case .compare = pipeline.source, plan.export == nil, plan.chart == nil, rowsSink == nil, renderOptions.mode == .table {
        runner = Executor(cancel: cancel, notify: { footer = (footer ?? "") + $0 })
      }
      let relation = try runner.run(plan)
      let table = try relation.materialize(cancel: cancel)
      if let sink = plan.export, exportsToAttached(sink.path) {
        try exportToAttached(table, path: sink.path, options: sink.options, span: sink.span)
      } else if let sink = plan.export {
        if let source = catalog.dataSourceTable(at: fileSystemPath(sink.path)) {
          throw Diagnostic(.exportOverDataSource, sink.path, source, at: sink.span, label: .notWritten)
        }
        var options = sink.options
        // A comparison's int indicators share float columns with the others: written whole.
        if case .compare = pipeline.source { options.wholeFloatsAsIntegers = true }
        do {
          let n = try exportTable(table, to: fileSystemPath(sink.path), options: options, cancel: cancel)
          notify(DiagnosticText.wroteRows(formatCount(n, .oneRowCount, .rowsCount), sink.path).string + "\n")
        } catch let e as ExportError {
          throw fileDiagnostic(e.entry, e.arguments, relativeToWorkingDirectory(e.description), at: sink.span, label: .notWritten)
        }
      } else if let chart = plan.chart {
        try drawChart(chart, table)
      } else if let sink = rowsSink {
        lastResult = table
        sink(table)
      } else {
        lastResult = table
        if let transcript {
          transcript.table(transcriptMarkdown(table, pipeline: pipeline))
          transcript.muted = true
        }
        defer { transcript?.muted = false }
        if let fd = resultFileDescriptor, renderOptions.mode != .table, renderOptions.mode != .line, table.rowCount > 10_000 {
          flush()
          try render(table, options: renderOptions, toFileDescriptor: fd, cancel: cancel)
        } else {
          write(renderResult(table, pipeline: pipeline, footer: footer))
        }
      }
    case .pilots(let p):
      try setPilots(p)
    case .attach(let conninfo, let name, let options):
      try attach(conninfo, name: name, options: options, span: node.span)
    case .dot(let name, let argument):
      guard let dotCommands else { throw Diagnostic(.dotCommandOutsideShell, name, at: node.span, label: .notACommand) }
      try dotCommands.runDotCommand(name, argument, span: node.span,
        argumentStart: dotArgumentStart(node.span, name: name, in: source), in: self)
    }
  }

  /// Draws a `chart`: its lines through `write` (fitted to the terminal, 80 columns outside
  /// one), or its SVG file; notes (rows left out, the file written) through `notify`.
  private func drawChart(_ chart: ChartSink, _ table: Table) throws {
    let output: ChartOutput
    do {
      if chart.kind == .map {
        output = try chart.drawMap(table, width: renderOptions.terminalWidth ?? 80, colours: mapColours, cancel: cancel,
          fileSystemPath: fileSystemPath, outlines: mapOutlines)
      } else {
        output = try chart.draw(table, width: renderOptions.terminalWidth ?? 80, cancel: cancel, fileSystemPath: fileSystemPath)
      }
    } catch let e as ExportError {
      throw fileDiagnostic(e.entry, e.arguments, relativeToWorkingDirectory(e.description), at: chart.span, label: .notWritten)
    } catch let e as LoadError {
      throw fileDiagnostic(e.entry, e.arguments, relativeToWorkingDirectory(e.description), at: chart.span, label: .notWritten)
    }
    if let text = output.text { write(text) }
    for note in output.notes { notify(note + "\n") }
  }

  /// The colours of a map drawn in the terminal (`terminalColours`, else from the render
  /// options and `COLORTERM`).
  private var mapColours: TerminalColours {
    if let terminalColours { return terminalColours }
    guard renderOptions.color else { return .none }
    let colourTerm = (ProcessInfo.processInfo.environment["COLORTERM"] ?? "").lowercased()
    return colourTerm.contains("truecolor") || colourTerm.contains("24bit") ? .trueColour : .palette256
  }

  /// The outlines of `source`, read once per session (nil: the bundled ones are not installed).
  private func mapOutlines(_ source: MapOutlineSource) throws -> MapOutlines? {
    if let known = outlineCache[source] { return known }
    guard let outlines = try loadMapOutlines(source, folders: outlineFolders, cancel: cancel) else { return nil }
    // A user's file may change between statements; the bundled sets do not.
    if case .bundled = source { outlineCache[source] = outlines }
    return outlines
  }

  /// Renders a result; `compare` results get their bars and `footer` (the peers' line) in
  /// table mode, and write their int indicators whole in the other modes.
  package func renderResult(_ table: Table, pipeline: Pipeline, footer: String? = nil) -> String {
    guard case .compare(let spec) = pipeline.source else { return render(table, options: renderOptions) }
    if renderOptions.mode == .table {
      let ascending = Set(zip(spec.indicators, spec.ascending).filter(\.1).map(\.0.name.text))
      if let shown = compareDisplay(table, ascendingIndicators: ascending, footer: footer) { return shown }
      return render(table, options: renderOptions) + (footer ?? "")
    }
    var options = renderOptions
    options.wholeFloatsAsIntegers = true
    return render(table, options: options)
  }

  /// The plan of `pipeline`, bound and checked; nothing runs (a `compare` is a `CompareStep`
  /// over the pilots' table, run by its operator), except that `pivot` asks the probe for the
  /// values that name its columns.
  ///
  /// A source whose columns are decoded on demand (`load "x.parquet"`) is planned over its
  /// fields; then, when `decoding`, only the columns the plan reads are decoded (`scan`), and
  /// only the row groups its leading `where` may keep rows of. Without `decoding` (`.explain`,
  /// completion) nothing is read beyond the footer. A pipeline over attached tables runs in
  /// its database when it can (`pushedDownPlan`), else reads the columns it names.
  package func planQuery(_ pipeline: Pipeline, decoding: Bool = true) throws -> QueryPlan {
    if attachedFetched == nil, readsAttached(pipeline) {
      if let pushed = try pushedDownPlan(pipeline) { return pushed }
      return try planReadingAttached(pipeline) { try planQueryReading(pipeline) }
    }
    return try planQueryReading(pipeline, decoding: decoding)
  }

  /// `planQuery(_:decoding:)` with attached tables read as `attachedReading` says.
  package func planQueryReading(_ pipeline: Pipeline, decoding: Bool = true) throws -> QueryPlan {
    let planner = PipelinePlanner(tables: self, parameters: parameterValues, constants: KernelConstants(), functions: .standard,
      probe: ExecutingProbe(cancel: cancel), collation: collation)
    switch pipeline.source {
    case .table(let name):
      // `pivot` reads data while planning: its source is decoded whole first.
      if try deferredFile(name.text, at: name.span) != nil, !pipeline.stages.contains(where: { $0.stage is PivotStage }) {
        var plan = try planner.plan(pipeline, source: try scanTable(name.text, at: name.span, columns: [], parts: nil),
          sourceName: name.text)
        if decoding {
          let scan = try scanOf(plan)
          // A plan that only counts rows reads the file batch by batch, never a whole column.
          if countsRowsOnly(plan.steps, over: Relation(table: plan.source, name: plan.sourceName)),
            !catalog.hasDecoded(name.text, anyOf: scan.columns),
            let source = try reading(name.text, at: name.span, { try catalog.batchSource(name.text, columns: scan.columns, parts: scan.parts) }) {
            let (table, span) = (name.text, name.span)
            plan.batches = { body in try self.reading(table, at: span) { try source(body) } }
            return plan
          }
          plan.source = try scanTable(name.text, at: name.span, columns: scan.columns, parts: scan.parts)
        }
        return plan
      }
      let t = try table(named: name.text, at: name.span)
      return try planner.plan(pipeline, source: t, sourceName: name.text)
    case .compare(let spec):
      return try planner.plan(pipeline, compare: spec, pilots: pilots)
    }
  }

  /// What a plan over a deferred table reads of it: the columns (`sourceColumnsRead`) and the
  /// row groups its leading `where` steps may keep rows of (nil: all).
  package func scanOf(_ plan: QueryPlan) throws -> (columns: Set<Int>, parts: [Int]?, partCount: Int) {
    let columns = plan.sourceColumnsRead
    guard let file = try catalog.deferredFile(plan.sourceName) else { return (columns, nil, 0) }
    var filters: [BoundExpr] = []
    for step in plan.steps {
      guard let f = step as? FilterStep else { break }
      filters.append(f.predicate)
    }
    let count = file.partRowCounts.count
    // A condition that can fail must meet every row, as it would in memory; and once a
    // column the statement reads is decoded, the others are decoded whole and kept, and the
    // condition runs in memory (see `Catalog.scanTable`).
    guard !filters.isEmpty, !filters.contains(where: \.canFail), !catalog.hasDecoded(plan.sourceName, anyOf: columns) else {
      return (columns, nil, count)
    }
    let parts = partsToScan(filters, table: file)
    return (columns, parts.count < count ? parts : nil, count)
  }

  /// `planQuery(_:)`: planning announces nothing (a `compare` announces its peers when it
  /// runs), so `announce` changes nothing.
  package func planQuery(_ pipeline: Pipeline, announce: Bool) throws -> QueryPlan { try planQuery(pipeline) }

  /// An executor for the session's statements: cancelled by `cancel`, announcing through `notify`.
  package var executor: Executor { Executor(cancel: cancel, notify: { [unowned self] in self.notify($0) }) }

  private func load(_ pathText: PathText, alias: Name?, options: [OptionItem]) throws {
    let path = try PipelinePlanner(tables: self, parameters: parameterValues, constants: KernelConstants(), functions: .standard,
      collation: collation).resolvePath(pathText)
    let pathSpan = pathText.span
    let o = try loadOptions(options)
    let given = options.compactMap { LoadOptions.schema.option(named: $0.name.text)?.name }
    let name = alias?.text ?? tableName(forPath: path)
    let opened: OpenedFile
    do {
      opened = try openFile(path: fileSystemPath(path), options: o, given: given, cancel: cancel)
    } catch let e as LoadError {
      // An option the format does not read: point at the option rather than the path.
      let at = e.option.flatMap { option in
        options.first { LoadOptions.schema.option(named: $0.name.text)?.name == option }?.name.span
      } ?? pathSpan
      throw fileDiagnostic(e.entry, e.arguments, relativeToWorkingDirectory(e.description), at: at, label: .notLoaded)
    }
    let replacing = catalog.contains(name)
    let notices: [String]
    let rows: Int
    switch opened {
    case .loaded(let result):
      catalog.set(name, result.table, origin: .file(path))
      (notices, rows) = (result.notices, result.table.rowCount)
    case .deferred(let file):
      // Only the footer is read: each statement decodes the columns it reads (`planQuery`).
      catalog.set(name, deferred: file, origin: .file(path))
      (notices, rows) = (file.notices, file.rowCount)
    }
    for n in notices { notify("\(path): \(relativeToWorkingDirectory(n))\n") }
    let loaded = formatCount(rows, .oneRowCount, .rowsCount)
    notify((replacing ? DiagnosticText.replacedLoaded(name, loaded) : .loadedInto(loaded, name)).string + "\n")
  }

  private func loadOptions(_ items: [OptionItem]) throws -> LoadOptions {
    try OptionBinder(parameters: parameterValues, constants: KernelConstants(), functions: .standard).bind(items, LoadOptions.schema, into: LoadOptions())
  }
}

extension Session: TableProvider {
  package func table(named name: String, at span: Span) throws -> Table {
    if let (a, t) = try attachedTable(name, at: span) {
      return try readAttached(a, t, qualifiedName: name, at: span)
    }
    if let t = try reading(name, at: span, { try catalog.table(name) }) { return t }
    throw unknownTable(name, at: span)
  }

  /// The file behind `name` when its columns are decoded on demand, else nil.
  func deferredFile(_ name: String, at span: Span) throws -> (any DeferredTable)? {
    try reading(name, at: span) { try catalog.deferredFile(name) }
  }

  /// `name` with the columns `columns` decoded (see `Catalog.scanTable`).
  func scanTable(_ name: String, at span: Span, columns: Set<Int>, parts: [Int]?) throws -> Table {
    if let t = try reading(name, at: span, { try catalog.scanTable(name, columns: columns, parts: parts) }) { return t }
    throw unknownTable(name, at: span)
  }

  /// `body`'s result, a file's error made a diagnostic at `span` (`cannot load table …`).
  private func reading<T>(_ name: String, at span: Span, _ body: () throws -> T) throws -> T {
    do {
      return try body()
    } catch let e as LoadError {
      throw fileDiagnostic(e.entry, e.arguments, DiagnosticText.cannotLoadTable(name).string + relativeToWorkingDirectory(e.description), at: span)
    }
  }

  /// The error for a table that does not exist, with a suggestion.
  private func unknownTable(_ name: String, at span: Span) -> Diagnostic {
    let names = catalog.names
    var help: DiagnosticText? = closestName(to: name, in: names).map { .didYouMean($0) }
    if help == nil { help = names.isEmpty ? .noTableYet : .tablesList(names.joined(separator: ", ")) }
    return Diagnostic(.unknownTable, name, at: span, label: .noSuchTable, help: help)
  }
}
