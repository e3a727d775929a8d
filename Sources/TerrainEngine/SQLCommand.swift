// `.sql STATEMENT` and `terrain --sql FILE.tq`: the PostgreSQL statement a pipeline compiles to
// (TerrainSQL), printed, nothing run. The handlers live here, apart from the dot command table,
// so that they move with it.

import TerrainStorage
import TerrainSyntax
import TerrainPlanner
import TerrainSQL

extension Session {
  /// The SQL relation of a table: for an attached one (`pg.communes`), its schema and name in
  /// that database; for a table of the session, its bare name, quoted (taken to exist under the
  /// same name in the database the SQL is meant for).
  package func sqlSource(_ name: String) -> SQLSource? {
    if let dot = name.firstIndex(of: "."), let a = attachments[String(name[..<dot])],
      let t = a.table(String(name[name.index(after: dot)...])) {
      return SQLSource(relation: quoteSQLIdentifier(a.schema) + "." + quoteSQLIdentifier(t.name))
    }
    return SQLSource(relation: quoteSQLIdentifier(name))
  }

  /// The SQL of one pipeline, as `.sql` prints it.
  package func sqlText(of plan: QueryPlan, at span: Span?) throws -> String {
    try compileToSQL(plan, at: span, options: SQLOptions(), source: { self.sqlSource($0) }).sql
  }

  /// `.sql STATEMENT`: prints the SQL of one pipeline; `span` is where the statement's text
  /// starts in the source (errors in it are moved there).
  package func showSQL(_ text: String, _ span: Span) throws {
    do {
      let (node, pipeline) = try onePipeline(text, else: .sqlNeedsOnePipeline, .sqlNeedsOnePipeline)
      write(try sqlText(of: try planWithoutReading(pipeline), at: node.span) + ";\n")
    } catch var d as Diagnostic {
      d.span = d.span.map { Span($0.start + span.start, $0.end + span.start) }
      throw d
    }
  }

  /// The one statement of `text`, a pipeline (`from …` or `let NAME = from …`); else
  /// `notOne` (several statements, or none) or `notPipeline`, over the whole text.
  package func onePipeline(_ text: String, else notOne: DiagnosticMessage, _ notPipeline: DiagnosticMessage) throws
    -> (StatementNode, Pipeline) {
    let nodes = try Parser.parse(text, grammar: .terrain)
    let whole = Span(0, text.utf8.count)
    guard let node = nodes.first, nodes.count == 1 else { throw Diagnostic(notOne, at: whole) }
    switch node.statement {
    case .query(let p), .assign(_, let p): return (node, p)
    default: throw Diagnostic(notPipeline, at: whole)
    }
  }

  /// `terrain --sql`: prints the SQL of each statement of `text` instead of running it. `load`
  /// runs (planning needs the columns), a `let` becomes `CREATE TEMPORARY TABLE name AS …` and
  /// its columns are known to the next statements without running it, a pipeline ending in
  /// `export` gives its SELECT (the file is written by terrain, not by this SQL); dot commands
  /// run (`.collation`). A statement that cannot be compiled is reported (in `name`) and the
  /// others still printed; returns false if one was.
  package func printSQL(of text: String, name: String?) -> Bool {
    let (source, parsed) = parseScript(text, name: name)
    let statements: [StatementNode]
    do {
      statements = try parsed.get()
    } catch {
      notify(source.render(diagnostic(for: error, span: nil)))
      return false
    }
    var ok = true
    for node in statements {
      do {
        switch node.statement {
        case .load, .dot, .attach:
          try execute(node, source: source)
        case .pilots:
          throw Diagnostic(.sqlStageNotCompiled, "pilots", DiagnosticText.sqlReasonCompare.string, at: node.span, label: .notInSQL)
        case .assign(let n, let pipeline):
          let plan = try planWithoutReading(pipeline)
          write("CREATE TEMPORARY TABLE \(quoteSQLIdentifier(n.text)) AS\n" + (try sqlText(of: plan, at: node.span)) + ";\n\n")
          let fields = plan.outputFields
          catalog.set(n.text, Table(names: fields.map(\.name), columns: fields.map { Column.empty($0.type) }), origin: .query)
        case .query(let pipeline):
          var plan = try planWithoutReading(pipeline)
          var header = ""
          if let sink = plan.export {
            header = "-- export \"\(sink.path)\": terrain writes the file; the rows are those of:\n"
            plan.export = nil
          }
          write(header + (try sqlText(of: plan, at: node.span)) + ";\n\n")
        }
      } catch {
        notify(source.render(diagnostic(for: error, span: node.span)))
        ok = false
      }
    }
    return ok
  }
}
