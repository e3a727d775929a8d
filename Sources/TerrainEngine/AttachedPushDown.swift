// A pipeline whose tables are all in one attached database runs there: compiled to one SQL
// statement (TerrainSQL) and its result brought back through COPY binary (TerrainPostgres).
// What SQL cannot express, or cannot order the French way on that server, runs the mixed way
// instead (`planReadingAttached`: the columns fetched, the stages run in memory).

import TerrainStorage
import TerrainSyntax
import TerrainPlanner
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
    attachedQueriesSent = [compiled.sql]
    let fetched = try placed(at: pipeline.stages.first?.span ?? source.span) {
      try attachment.connection.fetch(sql: compiled.sql, cancel: cancel,
        notices: { [unowned self] in self.notify("\(attachment.name): \($0)\n") })
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
  package func planWithoutReading(_ pipeline: Pipeline) throws -> QueryPlan {
    guard attachedFetched == nil, readsAttached(pipeline) else { return try planQuery(pipeline) }
    let saved = attachedReading
    attachedReading = .schemaOnly(columns: nil)
    attachedFetched = [:]
    defer {
      attachedReading = saved
      attachedFetched = nil
    }
    return try planQueryReading(pipeline)
  }

  /// The SQL that runs `plan` (its sinks left to terrain) inside `attachment`'s database, in
  /// the French order through the server's ICU collation when the session sorts that way; nil
  /// when SQL cannot express it or the server cannot order it as terrain would.
  func compiledSQL(of plan: QueryPlan, for attachment: Attachment) -> CompiledSQL? {
    var sqlPlan = plan
    sqlPlan.export = nil
    sqlPlan.chart = nil
    let french = collation == .french && attachment.hasICUFrench
    guard let compiled = try? compileToSQL(sqlPlan, at: nil, options: SQLOptions(frenchCollation: french ? SQLOptions.icuFrench : nil),
      source: { self.sqlSource($0) }), !compiled.textOrderedAfter
    else { return nil }
    return compiled
  }

  /// `.explain`'s lines for a pipeline that runs inside its database: the statement sent; nil
  /// when `pipeline` runs in memory (in part or whole).
  package func explainPushedDown(_ pipeline: Pipeline) throws -> [String]? {
    guard let attachment = pushDownCandidate(pipeline) else { return nil }
    let plan = try planWithoutReading(pipeline)
    guard let compiled = compiledSQL(of: plan, for: attachment) else { return nil }
    var lines = ["Remote \(attachment.name) (PostgreSQL): the whole pipeline, one statement"]
    lines += compiled.sql.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }
    if let e = plan.export { lines.append("  → Export \"\(e.path)\"") }
    if let c = plan.chart { lines.append("  " + c.explainLine) }
    return lines
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
  /// Whether the server has the ICU French collation (`fr-FR-x-icu`), asked once.
  var hasICUFrench: Bool {
    if let known = icuFrenchKnown { return known }
    let has = ((try? connection.query(SQLOptions.icuFrenchProbe))?.isEmpty == false)
    icuFrenchKnown = has
    return has
  }
}
