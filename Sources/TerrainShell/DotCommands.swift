// Dot commands: the shell's settings and introspection, kept in one table from which `.help`,
// completion and the argument checks are derived. The engine knows none of them: a session runs
// `.name argument` lines through the `DotCommandRunner` it is given (`Session.shell()`).

import Foundation
import TerrainStorage
import TerrainSyntax
import TerrainIO
import TerrainPlanner
import TerrainExecution
import TerrainEngine

/// One dot command: its name, argument synopsis, one-line help and handler.
package struct DotCommand {
  package var name: String
  package var arguments: String
  package var help: String
  /// Example that runs on the bundled data.
  package var example: String
  /// Whether an argument is required / allowed.
  package var minArguments: Int
  package var maxArguments: Int
  package var run: (Session, [String], Span) throws -> Void
}

/// The shell's dot commands as a session's `DotCommandRunner`.
package struct ShellCommands: DotCommandRunner {
  package init() {}

  /// Every dot command, in `.help` order.
  package static let all: [DotCommand] = [
    DotCommand(name: "help", arguments: "[TOPIC]", help: "overview, or help on a stage, function, statement or dot command",
      example: ".help aggregate", minArguments: 0, maxArguments: 1) { s, args, span in
      s.write(try helpText(args.first, at: span))
    },
    DotCommand(name: "tables", arguments: "", help: "tables with their row and column counts and where they came from",
      example: ".tables", minArguments: 0, maxArguments: 0) { s, _, _ in try s.showTables() },
    DotCommand(name: "schema", arguments: "[TABLE]", help: "columns, types and null counts",
      example: ".schema communes", minArguments: 0, maxArguments: 1) { s, args, span in try s.showSchema(args.first, span) },
    DotCommand(name: "describe", arguments: "TABLE", help: "per column: type, nulls, distinct, min, max, mean",
      example: ".describe epci", minArguments: 1, maxArguments: 1) { s, args, span in try s.describeTable(args[0], span) },
    DotCommand(name: "mode", arguments: "table|csv|tsv|markdown|json|line", help: "how results are printed",
      example: ".mode csv", minArguments: 1, maxArguments: 1) { s, args, span in
      guard let m = OutputMode(rawValue: args[0].lowercased()) else {
        throw Diagnostic(.unknownMode, args[0], at: span, help: .modesList(OutputMode.allCases.map(\.rawValue).joined(separator: ", ")))
      }
      s.renderOptions.mode = m
    },
    DotCommand(name: "maxrows", arguments: "N", help: "in table mode, show the first and last rows of longer results (0 = all)",
      example: ".maxrows 20", minArguments: 1, maxArguments: 1) { s, args, span in
      guard let n = Int(args[0]), n >= 0 else { throw Diagnostic(.maxrowsNeedsNumber, at: span) }
      s.renderOptions.maxRows = n
    },
    DotCommand(name: "decimals", arguments: "[N|auto]",
      help: "in table mode, every float column with N decimals; auto (the default) picks them per column; alone, shows it",
      example: ".decimals 2", minArguments: 0, maxArguments: 1) { s, args, span in try s.setDecimals(args.first, span) },
    DotCommand(name: "timer", arguments: "on|off", help: "print `time: N ms` on stderr after each statement",
      example: ".timer on", minArguments: 1, maxArguments: 1) { s, args, span in s.timer = try onOff(args[0], span) },
    DotCommand(name: "echo", arguments: "on|off", help: "print each statement before its result",
      example: ".echo on", minArguments: 1, maxArguments: 1) { s, args, span in s.echo = try onOff(args[0], span) },
    DotCommand(name: "read", arguments: "FILE", help: "run a script inside the session",
      example: ".read examples/jour1_decouverte.tq", minArguments: 1, maxArguments: 1) { s, args, span in
      try s.readScript(args[0], span)
    },
    DotCommand(name: "explain", arguments: "STATEMENT", help: "the optimised plan and the compiled expressions",
      example: ".explain from communes | where population > 10000 | aggregate n = count() by code_departement",
      minArguments: 1, maxArguments: Int.max) { s, args, span in try s.explain(args.joined(separator: " "), span) },
    DotCommand(name: "sql", arguments: "STATEMENT", help: "the PostgreSQL statement a pipeline compiles to, printed, not run (`.help sql`)",
      example: ".sql from communes | where population > 10000 | aggregate n = count() by code_departement",
      minArguments: 1, maxArguments: Int.max) { s, args, span in try s.showSQL(args.joined(separator: " "), span) },
    DotCommand(name: "drop", arguments: "TABLE", help: "forget a table",
      example: ".drop communes", minArguments: 1, maxArguments: 1) { s, args, span in
      guard s.catalog.drop(args[0]) else {
        throw Diagnostic(.unknownTable, args[0], at: span,
          help: closestName(to: args[0], in: s.catalog.names).map { .didYouMean($0) })
      }
      s.notify(DiagnosticText.droppedTable(args[0]).string + "\n")
    },
    DotCommand(name: "detach", arguments: "NAME", help: "forget a database attached by `attach … as NAME` (its tables are no longer `NAME.table`)",
      example: ".detach pg", minArguments: 1, maxArguments: 1) { s, args, span in try s.detach(args[0], span: span) },
    DotCommand(name: "pilots", arguments: "", help: "the pilot territories and their display names",
      example: ".pilots", minArguments: 0, maxArguments: 0) { s, _, _ in
      guard let p = s.pilots else { return s.notify(DiagnosticText.noPilotsYetNotice.string + "\n") }
      let t = Table(names: [p.keyColumn, "name"], columns: [
        Column.from(p.keys, type: p.keys.first?.type ?? .text), Column.from(p.displayNames.map(Value.text), type: .text),
      ])
      s.write(render(t, options: s.renderOptions))
    },
    DotCommand(name: "save", arguments: "FILE",
      help: "write every table in memory and the pilots to one file (a zip of Arrow IPC files), for `.open`",
      example: ".save /tmp/travail.terrain", minArguments: 1, maxArguments: 1) { s, args, span in
      try s.saveSession(args[0], span)
    },
    DotCommand(name: "open", arguments: "FILE",
      help: "restore the tables and pilots of a file written by `.save`, in place of the session's (`terrain --open FILE` at start)",
      example: ".open /tmp/travail.terrain", minArguments: 1, maxArguments: 1) { s, args, span in
      try s.openSession(args[0], span)
    },
    DotCommand(name: "collation", arguments: "[fr|binary]",
      help: "how text is sorted: fr (French order, the default) or binary (code points); alone, shows it (`.help collation`)",
      example: ".collation binary", minArguments: 0, maxArguments: 1) { s, args, span in
      guard let name = args.first else { return s.write(DiagnosticText.collationIs(s.collation.rawValue).string + "\n") }
      guard let c = Collation(rawValue: name.lowercased()) else {
        throw Diagnostic(.unknownCollation, name, at: span, help: .collationsList)
      }
      s.collation = c
    },
    DotCommand(name: "param", arguments: "[NAME [VALUE]]",
      help: "set the parameter $NAME to the text VALUE (as -p NAME=VALUE); NAME alone shows it; alone, lists them",
      example: ".param siren 244000675", minArguments: 0, maxArguments: Int.max - 1) { s, args, span in
      try s.parameterCommand(args, span)
    },
    DotCommand(name: "record", arguments: "[FILE.md|off]",
      help: "write every statement and its result to FILE.md as Markdown until `.record off` (an existing file is continued)",
      example: ".record /tmp/atelier.md", minArguments: 0, maxArguments: 1) { s, args, span in
      try s.recordCommand(args.first, span)
    },
    DotCommand(name: "lesson", arguments: "[FILE]",
      help: "open a lesson file and show its current exercise (`.help lessons`); alone, shows the exercise again",
      example: ".lesson examples/exercices.lesson", minArguments: 0, maxArguments: 1) { s, args, span in
      try s.lessonCommand(args.first, span)
    },
    DotCommand(name: "check", arguments: "", help: "compare the last result with the exercise's solution: ✓, or what differs",
      example: ".check", minArguments: 0, maxArguments: 0) { s, _, span in try s.checkCommand(span) },
    DotCommand(name: "hint", arguments: "", help: "the exercise's next hint",
      example: ".hint", minArguments: 0, maxArguments: 0) { s, _, span in try s.hintCommand(span) },
    DotCommand(name: "solution", arguments: "", help: "the exercise's solution",
      example: ".solution", minArguments: 0, maxArguments: 0) { s, _, span in try s.solutionCommand(span) },
    DotCommand(name: "next", arguments: "", help: "the lesson's next exercise",
      example: ".next", minArguments: 0, maxArguments: 0) { s, _, span in try s.nextCommand(span) },
    DotCommand(name: "lang", arguments: "[fr|en]",
      help: "the language of messages, notices and help: fr (français) or en (English); alone, shows it",
      example: ".lang fr", minArguments: 0, maxArguments: 1) { s, args, span in try s.setLanguage(args.first, span) },
    DotCommand(name: "quit", arguments: "", help: "leave terrain", example: ".quit", minArguments: 0, maxArguments: 0) { s, _, _ in
      s.quitRequested = true
    },
  ]

  /// Runs `.name argument` in `session`; `span` covers the whole command, `argumentStart` is the
  /// byte offset of the argument in the source, so that errors can point into it.
  package func runDotCommand(_ name: String, _ argument: String, span: Span, argumentStart: Int, in session: Session) throws {
    let lowered = name.lowercased()
    guard let command = Self.all.first(where: { $0.name == lowered }) ?? (lowered == "exit" ? Self.all.last : nil) else {
      throw Diagnostic(.unknownCommand, name, at: span, label: .notACommand,
        help: closestName(to: name, in: Self.all.map(\.name)).map { .didYouMeanCommand($0) } ?? .helpListsThem)
    }
    let args = command.maxArguments == Int.max ? (argument.isEmpty ? [] : [argument]) : splitArguments(argument).map(unquote)
    guard args.count >= command.minArguments && args.count <= command.maxArguments else {
      let usage: DiagnosticMessage = command.arguments.isEmpty ? .usageNoArgument : .usage
      throw Diagnostic(usage, arguments: command.arguments.isEmpty ? [command.name] : [command.name, command.arguments],
        at: span, label: .wrongArguments, help: .example(command.example))
    }
    // Errors about the argument point at it.
    let argumentSpan = argument.isEmpty ? span : Span(argumentStart, argumentStart + argument.utf8.count)
    try command.run(session, args, argumentSpan)
  }
}

extension Session {
  /// A session for the shell and scripts: the engine's, with the shell's dot commands
  /// (`.tables`, `.mode csv`, `.help`, …), which a plain `Session()` does not run. A program
  /// embedding terrain that wants them imports TerrainShell and starts from this.
  public static func shell() -> Session {
    let session = Session()
    session.dotCommands = ShellCommands()
    return session
  }

  // MARK: handlers

  package func showTables() throws {
    var names: [Value] = []
    var rows: [Value] = []
    var cols: [Value] = []
    var origins: [Value] = []
    var failures: [String] = []
    for n in catalog.names {
      // A file that cannot be loaded is listed without counts (and said why), not a failure
      // of the whole listing.
      // (A file whose columns are decoded on demand is counted from its footer.)
      var t: (rows: Int, columns: Int)?
      do {
        t = try catalog.shape(n)
      } catch let e as LoadError {
        failures.append(DiagnosticText.cannotLoadTable(n).string + relativeToWorkingDirectory(e.description))
      }
      names.append(.text(n))
      rows.append(t.map { .int(Int64($0.rows)) } ?? .null)
      cols.append(t.map { .int(Int64($0.columns)) } ?? .null)
      switch catalog.origin(of: n) {
      case .file(let p)?, .lazyFile(let p)?: origins.append(.text(displayPath(p, in: workingDirectory)))
      case .query?: origins.append(.text("let"))
      case .registered?: origins.append(.text("registered"))
      case nil: origins.append(.null)
      }
    }
    // Attached tables: their row counts are the server's to give (not counted here).
    for name in attachedTableNames {
      guard let (a, t) = try? attachedTable(name, at: Span(0, 0)) else { continue }
      names.append(.text(name))
      rows.append(.null)
      cols.append(.int(Int64(t.columns.count)))
      origins.append(.text("postgresql \(a.connection.displayName) schema \(a.schema)"))
    }
    let t = Table(names: ["table", "rows", "columns", "source"], columns: [
      Column.from(names, type: .text), Column.from(rows, type: .int), Column.from(cols, type: .int), Column.from(origins, type: .text),
    ])
    write(render(t, options: renderOptions))
    for f in failures { notify(f + "\n") }
  }

  package func showSchema(_ name: String?, _ span: Span) throws {
    let names = name.map { [$0] } ?? (catalog.names + attachedTableNames)
    for n in names {
      if let (_, t) = try attachedTable(n, at: span) {
        // An attached table: its columns as terrain reads them and as PostgreSQL declares them.
        let schema = Table(names: ["column", "type", "postgresql"], columns: [
          Column.from(t.columns.map { .text($0.name) }, type: .text),
          Column.from(t.columns.map { .text($0.terrainType.rawValue) }, type: .text),
          Column.from(t.columns.map { .text($0.typeName) }, type: .text),
        ])
        if name == nil { write("\(n)\n") }
        write(render(schema, options: introspectionOptions))
        continue
      }
      let t = try table(named: n, at: span)
      let schema = Table(names: ["column", "type", "nulls"], columns: [
        Column.from(t.fields.map { .text($0.name) }, type: .text),
        Column.from(t.fields.map { .text($0.type.rawValue) }, type: .text),
        Column.from(t.columns.map { .int(Int64($0.nullCount)) }, type: .int),
      ])
      if name == nil { write("\(n)\n") }
      write(render(schema, options: introspectionOptions))
    }
  }

  package func describeTable(_ name: String, _ span: Span) throws {
    let t = try table(named: name, at: span)
    var cols: [Value] = [], types: [Value] = [], nulls: [Value] = [], distinct: [Value] = []
    var mins: [Value] = [], maxs: [Value] = [], means: [Value] = []
    let onScreen = renderOptions.mode == .table
    for (i, f) in t.fields.enumerated() {
      // One column at a time: a relation over the whole table per column would make a wide
      // table's description quadratic in its columns.
      try cancel.check()
      let ref = Relation(table: Table(fields: [f], columns: [t.columns[i]], rowCount: t.rowCount), name: name)
      let arg = BoundExpr.column(0, f.type)
      var specs = [
        AggregateSpec(function: .countDistinct, argument: arg, fraction: 0, resultType: .int, span: span),
        AggregateSpec(function: .min, argument: arg, fraction: 0, resultType: f.type, span: span, collation: collation),
        AggregateSpec(function: .max, argument: arg, fraction: 0, resultType: f.type, span: span, collation: collation),
      ]
      if f.type.isNumeric { specs.append(AggregateSpec(function: .avg, argument: arg, fraction: 0, resultType: .float, span: span)) }
      let r = try aggregate(ref, keys: [], keyNames: [], specs: specs, cancel: cancel).materialize()
      cols.append(.text(f.name))
      types.append(.text(f.type.rawValue))
      nulls.append(.int(Int64(t.columns[i].nullCount)))
      distinct.append(r.columns[0].value(at: 0))
      mins.append(.text(r.columns[1].value(at: 0).isNull ? "null" : r.columns[1].value(at: 0).description))
      maxs.append(.text(r.columns[2].value(at: 0).isNull ? "null" : r.columns[2].value(at: 0).description))
      // On screen, a mean with the digits worth reading (about five significant ones, each
      // row its own scale), not 17 of them; the other modes keep every digit.
      let mean = f.type.isNumeric ? r.columns[3].value(at: 0) : .null
      if onScreen, let m = mean.numeric {
        means.append(.text(screenNumber(m, decimals: sharedDecimals([m]), mark: renderOptions.decimalMark)))
      } else {
        means.append(mean)
      }
    }
    let out = Table(names: ["column", "type", "nulls", "distinct", "min", "max", "mean"], columns: [
      Column.from(cols, type: .text), Column.from(types, type: .text), Column.from(nulls, type: .int),
      Column.from(distinct, type: .int), Column.from(mins, type: .text), Column.from(maxs, type: .text),
      Column.from(means, type: onScreen ? .text : .float),
    ])
    var options = introspectionOptions
    options.rightAlignedColumns = [6]
    write(render(out, options: options))
  }

  package func readScript(_ path: String, _ span: Span) throws {
    guard readDepth < 16 else { throw Diagnostic(.readTooDeep, at: span) }
    let text: String
    do {
      text = try readScriptText(path: fileSystemPath(path), cancel: cancel)
    } catch let e as LoadError {
      // Dot commands are not statements: `$name` is not a parameter there.
      throw Diagnostic(.cannotReadScript, path, e.reason, at: span, label: .notRead,
        help: path.hasPrefix("$") ? .noParametersInDotCommands : nil)
    }
    readDepth += 1
    defer { readDepth -= 1 }
    if !run(text, name: path) {
      throw Diagnostic(.stoppedAtError, path, at: span, label: .whileReading)
    }
  }

  package func explain(_ text: String, _ span: Span) throws {
    // `text` starts at `span.start` in the source: errors found in it are moved there.
    do {
      write(try explainText(text).joined(separator: "\n") + "\n")
    } catch var d as Diagnostic {
      d.span = d.span.map { Span($0.start + span.start, $0.end + span.start) }
      throw d
    }
  }

  private func explainText(_ text: String) throws -> [String] {
    let (_, pipeline) = try onePipeline(text, else: .explainOneStatement, .explainNeedsPipeline)
    let plan: QueryPlan
    switch try explainAttached(pipeline) {
    case .pushedDown(let lines)?:
      return lines
    case .inMemory(let attachedPlan, let database?)?:
      // Planned over the attached tables' columns: nothing is fetched to explain.
      return explainLines(attachedPlan,
        scan: "Scan \(attachedPlan.sourceName) (\(attachedPlan.source.fields.count) columns, fetched from \(database) when the statement runs)")
    case .inMemory(let attachedPlan, nil)?:
      plan = attachedPlan
    case nil:
      plan = try planQuery(pipeline, decoding: false)
    }
    var lines = explainLines(plan)
    if case .table = pipeline.source, let file = try catalog.deferredFile(plan.sourceName) {
      lines.insert("  " + scanLine(try scanOf(plan), file), at: 1)
    }
    return lines
  }

  /// What a statement reads of a file decoded on demand: `reads parquet: columns 3 of 10
  /// (ftth, debit, annee); row groups 2 of 10 (8 skipped by their statistics)`.
  private func scanLine(_ scan: (columns: Set<Int>, parts: [Int]?, partCount: Int), _ file: any DeferredTable) -> String {
    let names = scan.columns.sorted().map { file.fields[$0].name }
    let read = scan.parts?.count ?? scan.partCount
    let skipped = scan.partCount - read
    return "reads \(file.formatName): columns \(names.count) of \(file.fields.count)"
      + (names.isEmpty ? "" : " (\(names.joined(separator: ", ")))")
      + "; row groups \(read) of \(scan.partCount)"
      + (skipped > 0 ? " (\(skipped) skipped by their statistics)" : "")
  }

  /// `Scan …` then one indented line per operator of `plan` (and the sub-plans a step runs).
  /// `scan` replaces the first line (`Scan name (rows, columns)`).
  package func explainLines(_ plan: QueryPlan, scan: String? = nil) -> [String] {
    var lines = [scan ?? "Scan \(plan.sourceName) (\(groupedCount(plan.source.rowCount)) rows, \(plan.source.fields.count) columns)"]
    let (steps, depth) = explainSteps(plan.steps.indices.map { (plan.steps[$0], plan.fieldsAfter[$0].map(\.name)) }, depth: 1)
    lines += steps
    if let e = plan.export { lines.append(String(repeating: "  ", count: depth) + "→ Export \"\(e.path)\"") }
    if let c = plan.chart { lines.append(String(repeating: "  ", count: depth) + c.explainLine) }
    return lines
  }
}

/// A path as the user would write it: relative to the working directory (`directory`, else the
/// process's current one) when inside it.
package func displayPath(_ p: String, in directory: String? = nil) -> String {
  var base = directory ?? FileManager.default.currentDirectoryPath
  if !base.hasSuffix("/") { base += "/" }
  if p.hasPrefix(base) { return String(p.dropFirst(base.count)) }
  return p
}

private func onOff(_ s: String, _ span: Span) throws -> Bool {
  switch s.lowercased() {
  case "on", "true", "1": return true
  case "off", "false", "0": return false
  default: throw Diagnostic(.expectedOnOrOff, s, at: span)
  }
}

private func unquote(_ s: String) -> String {
  if s.count >= 2, let f = s.first, let l = s.last, f == l, f == "\"" || f == "'" || f == "`" {
    return String(s.dropFirst().dropLast())
  }
  return s
}

/// Splits a dot command's argument text on spaces, keeping quoted parts together.
package func splitArguments(_ s: String) -> [String] {
  var out: [String] = []
  var cur = ""
  var quote: Character?
  for ch in s {
    if let q = quote {
      cur.append(ch)
      if ch == q { quote = nil }
    } else if ch == "\"" || ch == "'" || ch == "`" {
      quote = ch
      cur.append(ch)
    } else if ch == " " || ch == "\t" {
      if !cur.isEmpty { out.append(cur); cur = "" }
    } else {
      cur.append(ch)
    }
  }
  if !cur.isEmpty { out.append(cur) }
  return out
}
