// A pipeline whose tables are all in one attached database runs there: compiled to one SQL
// statement (TerrainSQL) and its result brought back through COPY binary (TerrainPostgres).
// What SQL cannot express, or cannot order the French way on that server, runs the mixed way
// instead (`planReadingAttached`: the columns fetched, the stages run in memory).

import TerrainStorage
import TerrainSyntax
import TerrainPlanner
import TerrainExecution
import TerrainSQL
import TerrainPostgres

extension Session {
  /// The plan of `pipeline` run inside its database: a scan of the rows the SQL statement
  /// returned (the sinks, `export` and `chart`, kept for terrain to do), or nil when the
  /// pipeline does not qualify — a table outside the database, a `pivot` (whose columns come
  /// from the data), a stage or function SQL cannot express, French text order on a server
  /// without the ICU collation, or a result whose types differ from the plan's.
  ///
  /// - Throws: the pipeline's own name and type errors (found before anything is sent), and
  ///   the server's errors at the statement.
  func pushedDownPlan(_ pipeline: Pipeline) throws -> QueryPlan? {
    guard let attachment = pushDownCandidate(pipeline), case .table(let source) = pipeline.source else { return nil }
    // Planned over the tables' columns only: every error is found before a row is read.
    let schemaPlan = try planWithoutReading(pipeline)
    guard let compiled = compiledSQL(of: schemaPlan, for: attachment) else { return nil }
    let parts = scanParts(of: schemaPlan, in: attachment)
    attachedQueriesSent = parts.isEmpty ? [compiled.sql] : parts
    let fetched = try placed(at: pipeline.stages.first?.span ?? source.span) {
      let notices: (String) -> Void = { [unowned self] in self.notify("\(attachment.name): \($0)\n") }
      if parts.count > 1 {
        return try attachment.connection.fetchParts(parts, whole: compiled.sql,
          helpers: attachment.helperConnections(parts.count - 1), cancel: cancel, notices: notices)
      }
      return try attachment.connection.fetch(sql: compiled.sql, cancel: cancel, notices: notices)
    }
    let fields = schemaPlan.outputFields
    guard fetched.fields.count == fields.count,
      zip(fetched.fields, fields).allSatisfy({ $0.type == $1.type })
    else { return nil }
    let result = Table(fields: fields, columns: fetched.columns, rowCount: fetched.rowCount)
    var pushed = QueryPlan(source: result, sourceName: source.text, steps: [], fieldsAfter: [fields], export: schemaPlan.export)
    pushed.chart = schemaPlan.chart
    return pushed
  }

  /// The plan of `pipeline` with its attached tables read as their columns only: what `.sql`,
  /// `terrain --sql`, completion and push-down plan over, nothing fetched or run on the server.
  /// `decoding: false` leaves a local file read on demand undecoded, as `planQuery` does.
  package func planWithoutReading(_ pipeline: Pipeline, decoding: Bool = true) throws -> QueryPlan {
    guard attachedFetched == nil, readsAttached(pipeline) else { return try planQuery(pipeline, decoding: decoding) }
    let saved = attachedReading
    attachedReading = .schemaOnly(columns: nil)
    attachedFetched = [:]
    defer {
      attachedReading = saved
      attachedFetched = nil
    }
    return try planQueryReading(pipeline, decoding: decoding)
  }

  /// A scan of one large table, with only `where` and `select`/`derive` after it (stages that
  /// take each row on its own): its statement once per range of the table's pages
  /// (`ctid`), to be read at once on several connections (`fetchParts`), the server scanning
  /// each range in its own process. Empty when the plan is not such a scan, the table is not a
  /// plain table, the server has no TID range scan (before PostgreSQL 14), one range would be
  /// under 8 MB, or the machine has one core.
  func scanParts(of plan: QueryPlan, in attachment: Attachment) -> [String] {
    let count = min(workerCount, 4)
    guard count > 1, plan.export == nil, plan.chart == nil,
      plan.steps.allSatisfy({ $0 is FilterStep || $0 is ProjectStep }),
      let dot = plan.sourceName.firstIndex(of: "."),
      let table = attachment.table(String(plan.sourceName[plan.sourceName.index(after: dot)...])),
      let row = (try? attachment.connection.query("""
        select c.relkind::text, pg_catalog.pg_relation_size(c.oid) / current_setting('block_size')::int8,
          current_setting('server_version_num')::int8
        from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where n.nspname = $1 and c.relname = $2
        """, [attachment.schema, table.name], cancel: cancel))?.first, row.count == 3,
      row[0] == "r", let pages = row[1].flatMap({ Int($0) }), let version = row[2].flatMap({ Int($0) }),
      version >= 140_000, pages / count >= 1024
    else { return [] }
    let relation = quoteSQLIdentifier(attachment.schema) + "." + quoteSQLIdentifier(table.name)
    var parts: [String] = []
    for k in 0..<count {
      // Page bounds: the first range open below, the last open above (pages added since the
      // size was read are still read).
      var bounds: [String] = []
      if k > 0 { bounds.append("ctid >= '(\(pages / count * k),0)'::tid") }
      if k < count - 1 { bounds.append("ctid < '(\(pages / count * (k + 1)),0)'::tid") }
      let range = "(SELECT * FROM \(relation) WHERE \(bounds.joined(separator: " AND ")))"
      guard let c = compiledSQL(of: plan, for: attachment, relation: range) else { return [] }
      parts.append(c.sql)
    }
    return parts
  }

  /// The SQL that runs `plan` (its sinks left to terrain) inside `attachment`'s database, in
  /// the French order through the server's ICU collation when the session sorts that way; nil
  /// when SQL cannot express it or the server cannot order it as terrain would. `relation`,
  /// when given, is read in place of the plan's source table (a range of its rows).
  func compiledSQL(of plan: QueryPlan, for attachment: Attachment, relation: String? = nil) -> CompiledSQL? {
    var sqlPlan = plan
    sqlPlan.export = nil
    sqlPlan.chart = nil
    let french = collation == .french && attachment.hasICUFrench
    guard let compiled = try? compileToSQL(sqlPlan, at: nil, options: SQLOptions(frenchCollation: french ? SQLOptions.icuFrench : nil),
      source: { name in relation.flatMap { name == plan.sourceName ? SQLSource(relation: $0) : nil } ?? self.sqlSource(name) }),
      !compiled.textOrderedAfter
    else { return nil }
    return compiled
  }

  /// What `.explain` shows of a pipeline that reads attached tables, found without reading
  /// them: `.pushedDown` with the statement sent when the pipeline runs inside its database;
  /// `.inMemory` with its plan over the attached tables' columns only (their rows are fetched
  /// when the statement runs). nil when `pipeline` reads no attached table, or has a `pivot`
  /// (whose columns come from the data, so planning it reads them).
  package func explainAttached(_ pipeline: Pipeline) throws -> AttachedExplanation? {
    guard attachedFetched == nil, readsAttached(pipeline),
      !pipeline.stages.contains(where: { type(of: $0.stage).keyword == "pivot" })
    else { return nil }
    let plan = try planWithoutReading(pipeline, decoding: false)
    guard let attachment = pushDownCandidate(pipeline), let compiled = compiledSQL(of: plan, for: attachment) else {
      let database = plan.sourceName.firstIndex(of: ".").flatMap { attachments[String(plan.sourceName[..<$0])] }
      return .inMemory(plan, sourceDatabase: database?.name)
    }
    var lines = ["Remote \(attachment.name) (PostgreSQL): the whole pipeline, one statement"]
    lines += compiled.sql.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }
    let parts = scanParts(of: plan, in: attachment).count
    if parts > 1 { lines.append("  (read in \(parts) parts at once: ranges of the table's pages by ctid, one connection each)") }
    if let e = plan.export { lines.append("  → Export \"\(e.path)\"") }
    if let c = plan.chart { lines.append("  " + c.explainLine) }
    return .pushedDown(lines)
  }

  /// The one attached database every table of `pipeline` is in, when there is one and the
  /// pipeline has no `pivot` (whose columns come from the data); nil otherwise.
  func pushDownCandidate(_ pipeline: Pipeline) -> Attachment? {
    guard case .table(let source) = pipeline.source else { return nil }
    let names = pipeline.stages.flatMap { $0.stage.tablesRead.map(\.text) } + [source.text]
    let databases = Set(names.map { n in n.firstIndex(of: ".").map { String(n[..<$0]) } ?? "" })
    guard databases.count == 1, let database = databases.first, let attachment = attachments[database] else { return nil }
    guard !pipeline.stages.contains(where: { type(of: $0.stage).keyword == "pivot" }) else { return nil }
    return attachment
  }
}

extension Attachment {
  /// `count` more connections to the same database (opened once, kept while attached), for
  /// reading the parts of a scan at once; fewer when one cannot be opened.
  func helperConnections(_ count: Int) -> [PostgresConnection] {
    while helpers.count < count, let c = try? PostgresConnection(conninfo: connection.conninfo, cancel: connection.interrupt) { helpers.append(c) }
    return Array(helpers.prefix(count))
  }

  /// Whether the server has the ICU French collation (`fr-FR-x-icu`), asked once.
  var hasICUFrench: Bool {
    if let known = icuFrenchKnown { return known }
    let has = ((try? connection.query(SQLOptions.icuFrenchProbe))?.isEmpty == false)
    icuFrenchKnown = has
    return has
  }
}

/// `.explain` of a pipeline reading attached tables (`Session.explainAttached`).
package enum AttachedExplanation {
  /// The pipeline runs inside its database: the lines showing the statement sent.
  case pushedDown([String])
  /// The pipeline runs in memory over the attached tables' fetched columns: its plan, made
  /// over their columns only (no row read; the tables' row counts are 0 in it), and the
  /// attached database of its source table when the source is one.
  case inMemory(QueryPlan, sourceDatabase: String?)
}
