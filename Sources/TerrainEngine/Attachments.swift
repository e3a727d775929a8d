// Attached PostgreSQL databases (`attach "…" as pg`): their tables are `pg.table` in `from`,
// `join` and `append`, listed by `.tables` and `.schema`, read through COPY binary (only the
// columns a pipeline reads), and written by `export "pg.table"`.

import TerrainStorage
import TerrainSyntax
import TerrainIO
import TerrainPlanner
import TerrainExecution
import TerrainFunctions
import TerrainPostgres

/// One attached database: its connection, the schema its tables are read from, and those
/// tables as listed when it was attached.
package final class Attachment {
  package let name: String
  package let connection: PostgresConnection
  package let schema: String
  package var tables: [PostgresTable]
  /// Whether the server has the ICU French collation, once asked (`hasICUFrench`).
  var icuFrenchKnown: Bool?
  /// More connections to the same database, for reading a large scan in parts at once
  /// (`helperConnections`).
  var helpers: [PostgresConnection] = []

  init(name: String, connection: PostgresConnection, schema: String, tables: [PostgresTable]) {
    self.name = name
    self.connection = connection
    self.schema = schema
    self.tables = tables
  }

  /// The table called `name` (exactly, else ignoring case), if the schema has it.
  package func table(_ name: String) -> PostgresTable? {
    tables.first { $0.name == name } ?? tables.first { $0.name.lowercased() == name.lowercased() }
  }
}

/// The options of `attach`.
package struct AttachOptions: Sendable {
  /// The schema whose tables are attached (`public` by default).
  package var schema = "public"

  package static let schema = OptionSchema<AttachOptions>(statement: "attach", options: [
    OptionSpec("schema", .text, "the schema whose tables are attached (default \"public\")") { o, v in
      if case .text(let s) = v { o.schema = s }
    },
  ])
}

/// How attached tables are read while a pipeline is planned: their columns only (an empty
/// table, to plan without reading rows), or their rows, restricted to some columns.
package enum AttachedReading {
  /// An empty table with the columns named (nil: all).
  case schemaOnly(columns: Set<String>?)
  /// The rows of the columns named (nil: all), fetched once per table and planning.
  case fetch(columns: Set<String>?)
}

extension Session {
  // MARK: attach, detach

  /// `attach "CONNINFO" as NAME [with (schema = …)]`: connects, lists the schema's tables,
  /// and replaces any database attached under that name.
  func attach(_ conninfoText: PathText, name: Name, options: [OptionItem], span: Span) throws {
    let conninfo = try PipelinePlanner(tables: self, parameters: parameterValues, constants: KernelConstants(), functions: .standard,
      collation: collation).resolvePath(conninfoText)
    let o = try OptionBinder(parameters: parameterValues, constants: KernelConstants(), functions: .standard)
      .bind(options, AttachOptions.schema, into: AttachOptions())
    let connection = try placed(at: conninfoText.span) { try PostgresConnection(conninfo: conninfo, cancel: cancel) }
    guard try placed(at: span, { try connection.schemaExists(o.schema) }) else {
      throw Diagnostic(.pgUnknownSchema, o.schema, connection.displayName, at: options.first?.name.span ?? span)
    }
    let tables = try placed(at: span) { try connection.tables(schema: o.schema, cancel: cancel) }
    let replacing = attachments[name.text] != nil
    attachments[name.text] = Attachment(name: name.text, connection: connection, schema: o.schema, tables: tables)
    let n = tables.count
    notify("\(replacing ? "re-attached" : "attached") \(name.text): \(n) \(n == 1 ? "table" : "tables") of schema \(o.schema) at \(connection.displayName)\n")
  }

  /// `.detach NAME`: forgets an attached database (and closes its connection).
  package func detach(_ name: String, span: Span) throws {
    guard attachments.removeValue(forKey: name) != nil else {
      throw Diagnostic(.notAttached, name, at: span,
        help: attachments.isEmpty ? nil : .attachedList(attachments.keys.sorted().joined(separator: ", ")))
    }
    notify("detached \(name)\n")
  }

  /// Runs `body`, giving a diagnostic of the database (which has no place) the span `span`.
  func placed<T>(at span: Span, _ body: () throws -> T) throws -> T {
    do {
      return try body()
    } catch var d as Diagnostic {
      if d.span == nil { d.span = span }
      throw d
    }
  }

  // MARK: names

  /// The attached database and table of `pg.table`, or nil when `name` is not of that form or
  /// `pg` is not attached. - Throws: `pg-unknown-table` when `pg` is attached but has no such table.
  package func attachedTable(_ name: String, at span: Span) throws -> (Attachment, PostgresTable)? {
    guard let dot = name.firstIndex(of: "."), let a = attachments[String(name[..<dot])] else { return nil }
    let tableName = String(name[name.index(after: dot)...])
    guard let t = a.table(tableName) else {
      let names = a.tables.map(\.name)
      let help: DiagnosticText? = closestName(to: tableName, in: names).map { .didYouMean(a.name + "." + $0) }
        ?? (names.isEmpty ? nil : .tablesList(names.prefix(20).map { a.name + "." + $0 }.joined(separator: ", ")))
      throw Diagnostic(.pgUnknownTable, tableName, a.name, a.schema, at: span, label: .noSuchTable, help: help)
    }
    return (a, t)
  }

  /// `pg.table` for every table of every attached database, for completion and `.tables`.
  package var attachedTableNames: [String] {
    attachments.keys.sorted().flatMap { n in attachments[n].map { a in a.tables.map { n + "." + $0.name } } ?? [] }
  }

  /// The session's tables and the attached ones (`pg.table`), for completion.
  package var completionTableNames: [String] { catalog.names + attachedTableNames }

  /// The columns of an attached table `pg.table` (nil for another name), for completion.
  package func attachedColumns(_ name: String) -> [String]? {
    guard let found = try? attachedTable(name, at: Span(0, 0)) else { return nil }
    return found.1.columns.map(\.name)
  }

  // MARK: reading

  /// The table `pg.table` as the current planning reads it (`attachedReading`): its columns
  /// only, or its rows through `SELECT cols FROM schema.table`, fetched once per planning.
  func readAttached(_ a: Attachment, _ t: PostgresTable, qualifiedName: String, at span: Span) throws -> Table {
    let wanted: Set<String>?
    var fetching = false
    switch attachedReading {
    case .schemaOnly(let c): wanted = c
    case .fetch(let c): wanted = c; fetching = true
    }
    var columns = t.columns.filter { wanted?.contains($0.name) ?? true }
    if columns.isEmpty, let first = t.columns.first { columns = [first] }
    guard fetching else {
      return Table(fields: columns.map { Field(name: $0.name, type: $0.terrainType) },
        columns: columns.map { Column.empty($0.terrainType) }, rowCount: 0)
    }
    if let cached = attachedFetched?[qualifiedName] { return cached }
    let sql = "select " + columns.map { quoteIdentifier($0.name) }.joined(separator: ", ")
      + " from " + quoteIdentifier(a.schema) + "." + quoteIdentifier(t.name)
    attachedQueriesSent.append(sql)
    let table = try placed(at: span) {
      try a.connection.fetch(sql: sql, cancel: cancel, notices: { [unowned self] in self.notify("\(qualifiedName): \($0)\n") })
    }
    if attachedFetched != nil { attachedFetched?[qualifiedName] = table }
    return table
  }

  /// The plan of a pipeline that reads attached tables: planned first over their columns only
  /// (every name and type error found before a row is read), then over only the columns the
  /// pipeline names — kept when it gives the same output, so a column passed through unnamed
  /// is still fetched — and last over the rows of those columns, fetched from the server. The
  /// rest runs in memory.
  func planReadingAttached(_ pipeline: Pipeline, _ plan: () throws -> QueryPlan) throws -> QueryPlan {
    let saved = attachedReading
    attachedFetched = [:]
    attachedQueriesSent = []
    defer {
      attachedReading = saved
      attachedFetched = nil
    }
    attachedReading = .schemaOnly(columns: nil)
    let full = try plan().outputFields
    let named = namesWritten(in: pipeline)
    attachedReading = .schemaOnly(columns: named)
    let chosen: Set<String>? = (try? plan().outputFields) == full ? named : nil
    attachedReading = .fetch(columns: chosen)
    return try plan()
  }

  /// Whether `pipeline` reads an attached table (`from pg.t`, `join pg.t`, `append pg.t`).
  func readsAttached(_ pipeline: Pipeline) -> Bool {
    var names = pipeline.stages.flatMap { $0.stage.tablesRead.map(\.text) }
    if case .table(let n) = pipeline.source { names.append(n.text) }
    return names.contains { n in n.firstIndex(of: ".").map { attachments[String(n[..<$0])] != nil } ?? false }
  }

  // MARK: writing

  /// Whether `path` of an `export` names a table of an attached database (`pg.table`, with
  /// no `/`): such a path writes there, not to a file.
  func exportsToAttached(_ path: String) -> Bool {
    guard !path.contains("/"), let dot = path.firstIndex(of: ".") else { return false }
    return attachments[String(path[..<dot])] != nil
  }

  /// `export "pg.table" [with (mode = …)]`: writes `table` in one transaction.
  func exportToAttached(_ table: Table, path: String, options: ExportOptions, span: Span) throws {
    guard let dot = path.firstIndex(of: "."), let a = attachments[String(path[..<dot])] else { return }
    if let stray = options.givenNames.first(where: { $0 != "mode" }) {
      throw Diagnostic(.pgExportOption, stray, at: span, label: .notWritten)
    }
    let name = String(path[path.index(after: dot)...])
    let mode = options.mode.flatMap(PostgresExportMode.init(rawValue:)) ?? .create
    let n = try placed(at: span) { try a.connection.export(table, schema: a.schema, name: name, mode: mode, cancel: cancel) }
    // The new or changed table is listed from now on.
    if let tables = try? a.connection.tables(schema: a.schema) { a.tables = tables }
    notify("wrote \(groupedCount(n)) \(n == 1 ? "row" : "rows") to \(path) (\(mode == .append ? "appended" : "table \(mode == .replace ? "replaced" : "created")"))\n")
  }
}

/// Every name written in `pipeline` (columns, and harmlessly functions and options): the
/// columns a pipeline can read are among them. Walks the syntax tree by reflection, as stages
/// are values of their own types; the parser bounds its depth.
func namesWritten(in pipeline: Pipeline) -> Set<String> {
  var names = Set<String>()
  func walk(_ value: Any, depth: Int) {
    guard depth < 2_000 else { return }
    if let n = value as? Name {
      names.insert(n.text)
      return
    }
    for child in Mirror(reflecting: value).children { walk(child.value, depth: depth + 1) }
  }
  walk(pipeline.stages, depth: 0)
  return names
}
