// `attach` against a real PostgreSQL server (scripts/pg-test-cluster; skipped without one), and
// the COPY binary decoder on hostile streams (no server needed).

import Foundation
import XCTest
import TerrainStorage
import TerrainEngine
import TerrainPostgres
import TerrainExecution
import TerrainShell

final class PostgresTests: XCTestCase {
  /// A session with the bundled tables and the test server attached as `pg` (schema public:
  /// the real files) and `pgb` (schema bundled: the bundled tables, loaded by PostgreSQL).
  private func attachedSession(_ conninfo: String? = nil) throws -> Session {
    let pg = try conninfo ?? TestSupport.postgres()
    let s = Session.shell()
    try s.registerDirectory(TestSupport.datasets.path)
    s.notify = { _ in }
    s.write = { _ in }
    try expectOK(s, "attach \"\(pg)\" as pg")
    try expectOK(s, "attach \"\(pg)\" as pgb with (schema = \"bundled\")")
    return s
  }

  @discardableResult
  private func expectOK(_ s: Session, _ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> [StatementResult] {
    let results = s.execute(text)
    if let d = results.last?.diagnostic {
      XCTFail("`\(text)` failed: \(d.rendered)", file: file, line: line)
    }
    return results
  }

  private func table(_ s: Session, _ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> Table {
    let r = try expectOK(s, text, file: file, line: line)
    guard let t = r.last?.table else {
      XCTFail("`\(text)` gave no table", file: file, line: line)
      throw XCTSkip("no table")
    }
    return t
  }

  /// What `text` (a dot command) printed.
  private func output(_ s: Session, _ text: String) -> String {
    guard case .output(let out)? = s.execute(text).last?.outcome else { return "" }
    return out
  }

  /// The identity of the error `text` ends with (nil when it succeeds).
  private func errorID(_ s: Session, _ text: String) -> String? {
    s.execute(text).last?.diagnostic?.id
  }

  private func rows(_ t: Table) -> [[Value]] {
    (0..<t.rowCount).map { i in t.columns.map { $0.value(at: i) } }
  }

  // MARK: connecting

  func testAttachWithKeyValueStringAndURI() throws {
    let pg = try TestSupport.postgres()
    guard let host = TestSupport.conninfoValue(pg, "host"), let port = TestSupport.conninfoValue(pg, "port"),
      let db = TestSupport.conninfoValue(pg, "dbname"), let user = TestSupport.conninfoValue(pg, "user")
    else { return XCTFail("unexpected TERRAIN_TEST_PG: \(pg)") }
    let encodedHost = host.replacingOccurrences(of: "/", with: "%2F")
    let s = Session.shell()
    let first = try expectOK(s, "attach \"\(pg)\" as a")
    let second = try expectOK(s, "attach \"postgresql://\(user)@/\(db)?host=\(encodedHost)&port=\(port)\" as b")
    XCTAssertTrue(first.last?.notices.first?.contains(" tables of schema public at postgres@") ?? false && first.last?.notices.first?.hasPrefix("attached a: ") ?? false, "\(first)")
    XCTAssertTrue(second.last?.notices.first?.hasPrefix("attached b: ") ?? false, "\(second)")
    let a = try table(s, "from a.regions | aggregate n = count()")
    let b = try table(s, "from b.regions | aggregate n = count()")
    XCTAssertEqual(a.columns[0].int(at: 0), 18)
    XCTAssertEqual(b.columns[0].int(at: 0), 18)
    // A parameter gives the connection string too.
    s.setParameter("url", text: pg)
    try expectOK(s, "attach $url as c")
    // .detach forgets it; its tables are then unknown.
    try expectOK(s, ".detach c")
    XCTAssertEqual(errorID(s, "from c.regions"), "bind.unknown-table")
    XCTAssertEqual(errorID(s, ".detach c"), "session.not-attached")
  }

  func testTablesAndSchemaListAttachedTablesWithTerrainTypes() throws {
    let s = try attachedSession()
    var out = output(s, ".tables")
    XCTAssertTrue(out.contains("pg.communes"), out)
    XCTAssertTrue(out.contains("pgb.regions"), out)
    out = output(s, ".schema pgb.communes")
    XCTAssertTrue(out.contains("population"), out)
    XCTAssertTrue(out.range(of: #"code_departement\s*│\s*text\s*│\s*text"#, options: .regularExpression) != nil, out)
    XCTAssertTrue(out.range(of: #"population\s*│\s*int\s*│\s*bigint"#, options: .regularExpression) != nil, out)
    XCTAssertTrue(out.range(of: #"superficie\s*│\s*float\s*│\s*double precision"#, options: .regularExpression) != nil, out)
    // An unknown table of an attached database suggests the near one.
    let r = s.execute("from pg.comunes")
    XCTAssertEqual(r.last?.diagnostic?.id, "bind.pg-unknown-table")
    XCTAssertEqual(r.last?.diagnostic?.help, "did you mean `pg.communes`?")
    // Completion offers them and their columns, without fetching rows.
    var completer = ShellCompleter(tableNames: { s.completionTableNames }, columns: { s.attachedColumns($0) })
    completer.queryColumns = { s.outputColumns(of: $0) }
    XCTAssertEqual(completer.complete(before: "from ", word: "pgb.reg"), .words(["pgb.regions"]))
    XCTAssertEqual(completer.complete(before: "from communes | join ", word: "pg.ep"), .words(["pg.epci"]))
    guard case .words(let columns) = completer.complete(before: "from pgb.regions | where ", word: "code_r") else {
      return XCTFail("no columns completed")
    }
    XCTAssertTrue(columns.contains("code_region"), "\(columns)")
    XCTAssertEqual(s.outputColumns(of: "from pgb.regions | select code_region, n = nom"), ["code_region", "n"])
    XCTAssertEqual(s.attachedQueriesSent, [])
  }

  func testAttachSyntaxErrors() throws {
    let s = Session.shell()
    XCTAssertEqual(errorID(s, "attach 12 as pg"), "syntax.expected-conninfo")
    XCTAssertEqual(errorID(s, "attach \"host=/nowhere\""), "syntax.expected-as-after-attach")
    XCTAssertEqual(errorID(s, "attach \"host=/nowhere\" as pg with (shema = \"x\")"), "bind.unknown-option")
    XCTAssertEqual(errorID(s, ".detach pg"), "session.not-attached")
    // Without a database attached as `pg`, `pg.x` is an unknown table and `export "pg.x"` a file.
    XCTAssertEqual(errorID(s, "from pg.communes"), "bind.unknown-table")
  }

  // MARK: transfer in

  func testEverySupportedTypeWithNulls() throws {
    let admin = try TestSupport.postgresAdmin()
    try admin.query("drop table if exists public.all_types")
    try admin.query("""
      create table public.all_types (
        i2 smallint, i4 integer, i8 bigint, f4 real, f8 double precision, n numeric, n10 numeric(10),
        n12_2 numeric(12, 2), t text, v varchar(10), c char(5), nm name, b boolean, d date,
        ts timestamp, tz timestamptz, u uuid, j jsonb, iv interval)
      """)
    try admin.query("""
      insert into public.all_types values
        (-32768, 2147483647, -9223372036854775808, 1.5, 0.1, 12345.678, 9999999999, -0.05, 'Évian', 'Lyon', 'ab', 'nom',
         true, '1969-12-31', '1999-12-31 23:59:59', '2024-03-15 23:30:00+00', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
         '{"a": 1}', '1 day'),
        (null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null),
        (1, -1, 42, -2.25, -1e300, 'NaN', -12, 1e9, '', 'é', 'xyz  ', 'n', false, 'infinity', '2000-01-01 00:00:00',
         null, null, null, null)
      """)
    defer { _ = try? admin.query("drop table if exists public.all_types") }
    let s = try attachedSession()
    try expectOK(s, "attach \"\(try TestSupport.postgres()) options=-ctimezone=UTC\" as pg")
    let t = try table(s, "from pg.all_types")
    let types = Dictionary(uniqueKeysWithValues: t.fields.map { ($0.name, $0.type) })
    XCTAssertEqual(types, [
      "i2": .int, "i4": .int, "i8": .int, "f4": .float, "f8": .float, "n": .float, "n10": .int, "n12_2": .float,
      "t": .text, "v": .text, "c": .text, "nm": .text, "b": .bool, "d": .date, "ts": .date, "tz": .date,
      "u": .text, "j": .text, "iv": .text,
    ])
    let r = rows(t)
    XCTAssertEqual(r.count, 3)
    XCTAssertEqual(r[0], [
      .int(-32768), .int(2147483647), .int(Int64.min), .float(1.5), .float(0.1), .float(12345.678), .int(9999999999),
      .float(-0.05), .text("Évian"), .text("Lyon"), .text("ab"), .text("nom"), .bool(true), .date(-1),
      .date(10956), .date(19797), .text("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), .text("{\"a\": 1}"), .text("1 day"),
    ])
    XCTAssertEqual(r[1], Array(repeating: .null, count: 19))
    XCTAssertEqual(r[2][0...14], [
      .int(1), .int(-1), .int(42), .float(-2.25), .float(-1e300), .null, .int(-12), .float(1e9), .text(""), .text("é"),
      .text("xyz"), .text("n"), .bool(false), .null, .date(10957),
    ])
  }

  /// `numeric` values of every size and scale decode to the double PostgreSQL's own
  /// `numeric → float8` cast gives (the nearest one).
  func testNumericsDecodeToTheNearestDouble() throws {
    let admin = try TestSupport.postgresAdmin()
    try admin.query("drop table if exists public.numerics")
    try admin.query("""
      create table public.numerics as
        select n, n::float8 as f from (
          select round((random() * 10 ^ (g % 40 - 12))::numeric, g % 15) * (case when g % 3 = 0 then -1 else 1 end) as n
          from generate_series(1, 3000) g) t
        union all
        select x, x::float8 from (values (0::numeric), (1e-30), (123456789012345678901234567890.123), (0.1),
          (1e300), (-1e-300), (9007199254740993), (99999999.99999999)) v(x)
      """)
    defer { _ = try? admin.query("drop table if exists public.numerics") }
    let s = try attachedSession()
    let t = try table(s, "from pg.numerics | where n != f or n is null | aggregate bad = count()")
    XCTAssertEqual(t.columns[0].int(at: 0), 0)
    XCTAssertEqual(try table(s, "from pg.numerics | aggregate n = count()").columns[0].int(at: 0), 3008)
  }

  func testPipelinesOverAttachedTablesAgreeWithTheBundledTables() throws {
    let s = try attachedSession()
    let pipelines = [
      "| where population > 10000 | aggregate n = count(), p = sum(population), s = sum(superficie) by code_departement | sort code_departement",
      "| sort population desc, code_insee | take 7 | select nom, population, densite = population / superficie",
      "| where nom like \"Saint-%\" | aggregate n = count() by code_region | sort n desc, code_region",
      "| derive r = rank() by code_departement sort population desc | where r == 1 | select code_insee, nom | sort code_insee | take 20",
      "| join pgb.departements on code_departement == pgb.departements.code_departement | aggregate n = count() by code_region | sort code_region",
    ]
    for p in pipelines {
      let remote = try table(s, "from pgb.communes " + p)
      let local = try table(s, "from communes " + p.replacingOccurrences(of: "pgb.departements", with: "departements"))
      XCTAssertEqual(remote.fields, local.fields, p)
      XCTAssertEqual(rows(remote), rows(local), p)
      XCTAssertGreaterThan(remote.rowCount, 0, p)
    }
    // A local table joined with an attached one, and `let` bringing a result into memory.
    let joined = try table(s, "from departements | join pgb.regions on code_region == pgb.regions.code_region | aggregate n = count()")
    XCTAssertEqual(joined.columns[0].int(at: 0), 101)
    try expectOK(s, "let grandes = from pgb.communes | where population > 100000 | select code_insee, nom, population")
    let grandes = try table(s, "from grandes | aggregate n = count()")
    let expected = try table(s, "from communes | where population > 100000 | aggregate n = count()")
    XCTAssertEqual(grandes.columns[0].int(at: 0), expected.columns[0].int(at: 0))
  }

  /// A pipeline whose tables are all in one attached database runs there, as one statement
  /// (only its result comes back); one that mixes in a local table fetches only the attached
  /// columns it names, and one that passes the others through gets them all.
  func testPushDownAndTheColumnsFetched() throws {
    let s = try attachedSession()
    _ = try table(s, "from pgb.communes | where population > 100000 | select nom")
    XCTAssertEqual(s.attachedQueriesSent.count, 1)
    let sent = s.attachedQueriesSent.first ?? ""
    XCTAssertTrue(sent.contains(#"WHERE (t0."population" > 100000)"#), sent)
    XCTAssertFalse(sent.contains("code_insee"), sent)
    let counted = try table(s, "from pgb.communes | aggregate n = count()")
    XCTAssertEqual(counted.rowCount, 1)
    XCTAssertTrue(s.attachedQueriesSent.first?.contains("count(*)") == true, s.attachedQueriesSent.first ?? "")
    // `.explain` shows the statement, and runs nothing.
    guard case .output(let explained)? = s.execute(".explain from pgb.communes | aggregate n = count()").last?.outcome else {
      return XCTFail("no .explain output")
    }
    XCTAssertTrue(explained.contains("Remote pgb (PostgreSQL)"), explained)
    // `.explain` of a pipeline run in memory over an attached table (joined with a local one)
    // shows its plan, and fetches nothing to make it.
    s.attachedQueriesSent = ["(nothing since)"]
    for (statement, scan) in [
      ("from pgb.communes | join departements on code_departement | aggregate n = count()", "Scan pgb.communes ("),
      ("from departements | join pgb.regions on code_region == pgb.regions.code_region | aggregate n = count()", "Scan departements ("),
    ] {
      guard case .output(let mixedPlan)? = s.execute(".explain " + statement).last?.outcome else {
        return XCTFail("no .explain output for \(statement)")
      }
      let lines = mixedPlan.split(separator: "\n").map(String.init)
      XCTAssertTrue(lines.first?.hasPrefix(scan) == true, mixedPlan)
      XCTAssertTrue(lines.contains { $0.contains("HashJoin") }, mixedPlan)
      XCTAssertFalse(mixedPlan.contains("Remote"), mixedPlan)
      XCTAssertEqual(s.attachedQueriesSent, ["(nothing since)"], statement)
    }
    guard case .output(let mixedScan)? = s.execute(".explain from pgb.communes | join departements on code_departement").last?.outcome else {
      return XCTFail("no .explain output")
    }
    XCTAssertTrue(mixedScan.hasPrefix("Scan pgb.communes ("), mixedScan)
    XCTAssertTrue(mixedScan.contains("columns, fetched from pgb when the statement runs)"), mixedScan)
    // Mixed: the attached side's named columns only, the join and aggregate in memory.
    let mixed = try table(s, "from pgb.communes | join departements on code_departement | aggregate n = count()")
    XCTAssertEqual(s.attachedQueriesSent, [#"select "code_departement" from "bundled"."communes""#])
    XCTAssertEqual(mixed.columns[0].int(at: 0), try table(s, "from communes | join departements on code_departement | aggregate n = count()").columns[0].int(at: 0))
    let all = try table(s, "from pgb.regions | where nom == \"Corse\"")
    XCTAssertEqual(all.fields.count, try table(s, "from regions").fields.count)
    XCTAssertEqual(s.attachedQueriesSent.count, 1)
    XCTAssertTrue(s.attachedQueriesSent[0].contains(#""nb_epci_siege""#) || s.attachedQueriesSent[0].contains(#""code_region""#))
  }

  func testLargeScanIsReadInPartsAsOneStatementWould() throws {
    // A plain table over 8 MB per part, read with only `where` and `derive`: one statement per
    // range of pages, on as many connections, concatenated in the table's order.
    let admin = try TestSupport.postgresAdmin()
    _ = try admin.query("drop table if exists public.big_scan")
    _ = try admin.query("""
      create table public.big_scan as select g as id, md5(g::text) as t,
        case when g % 10 = 0 then null else g * 0.5 end as f from generate_series(1, 500000) g
      """)
    defer { _ = try? admin.query("drop table if exists public.big_scan") }
    let pages = (try admin.query("select pg_relation_size('public.big_scan') / 8192").first?.first ?? nil).flatMap { Int($0) } ?? 0
    let version = (try admin.query("select current_setting('server_version_num')").first?.first ?? nil).flatMap { Int($0) } ?? 0
    let s = try attachedSession()
    let t = try table(s, "from pg.big_scan | where id % 3 != 0 | derive g = f * 2")
    let partCount = min(workerCount, 4)
    if partCount > 1, pages / partCount >= 1024, version >= 140_000 {
      XCTAssertEqual(s.attachedQueriesSent.count, partCount)
      XCTAssertTrue(s.attachedQueriesSent.allSatisfy { $0.contains("ctid") }, "\(s.attachedQueriesSent)")
    }
    let expected = try admin.query("""
      select count(*), sum(id), count(f), sum(f * 2), count(distinct t) from public.big_scan where id % 3 <> 0
      """).first ?? []
    XCTAssertEqual(t.fields.map(\.name), ["id", "t", "f", "g"])
    XCTAssertEqual(String(t.rowCount), expected[0] ?? "")
    let ids = (0..<t.rowCount).compactMap { t.columns[0].int(at: $0) }
    XCTAssertEqual(String(ids.reduce(0, +)), expected[1] ?? "")
    XCTAssertEqual(ids, ids.sorted(), "the parts come in the table's order")
    let g = (0..<t.rowCount).compactMap { t.columns[3].float(at: $0) }
    XCTAssertEqual(String(g.count), expected[2] ?? "")
    XCTAssertEqual(g.reduce(0, +), Double(expected[3] ?? "") ?? -1, accuracy: 1e-6 * g.reduce(0, +))
    XCTAssertEqual(Set((0..<t.rowCount).compactMap { t.columns[1].text(at: $0) }).count, Int(expected[4] ?? "") ?? -1)
    // Not a plain scan (an aggregate): one statement.
    _ = try table(s, "from pg.big_scan | aggregate n = count()")
    XCTAssertEqual(s.attachedQueriesSent.count, 1)
  }

  // MARK: transfer out

  func testExportCreateReplaceAppendRoundTrip() throws {
    let s = try attachedSession()
    let admin = try TestSupport.postgresAdmin()
    try admin.query("drop table if exists public.regions_export")
    defer { _ = try? admin.query("drop table if exists public.regions_export") }
    try expectOK(s, "from regions | export \"pg.regions_export\"")
    let back = try table(s, "from pg.regions_export")
    let local = try table(s, "from regions")
    XCTAssertEqual(back.fields, local.fields)
    XCTAssertEqual(rows(back), rows(local))
    // Again: an error by default, nothing changed.
    XCTAssertEqual(errorID(s, "from regions | export \"pg.regions_export\""), "export.pg-table-exists")
    try expectOK(s, "from regions | where code_region == \"84\" | export \"pg.regions_export\" with (mode = \"append\")")
    XCTAssertEqual(try admin.query("select count(*) from public.regions_export").first?.first, "19")
    try expectOK(s, "from regions | take 2 | export \"pg.regions_export\" with (mode = \"replace\")")
    XCTAssertEqual(try admin.query("select count(*) from public.regions_export").first?.first, "2")
    // A failure in the middle leaves the table as it was: text into an int column.
    try admin.query("drop table if exists public.counts_export")
    defer { _ = try? admin.query("drop table if exists public.counts_export") }
    try expectOK(s, "from regions | take 2 | select code_region, n = 1 | export \"pg.counts_export\"")
    let bad = s.execute("from regions | select code_region, n = nom | export \"pg.counts_export\" with (mode = \"append\")")
    XCTAssertEqual(bad.last?.diagnostic?.id, "session.pg-server-error")
    XCTAssertEqual(try admin.query("select count(*) from public.counts_export").first?.first, "2")
    XCTAssertEqual(try admin.query("select count(*) from pg_tables where tablename like 'terrain_append%'").first?.first, "0")
    // Dates and booleans and nulls go through.
    try admin.query("drop table if exists public.dates_export")
    defer { _ = try? admin.query("drop table if exists public.dates_export") }
    try expectOK(s, "from regions | take 3 | select d = date(\"1969-12-31\") + 0, b = code_region == \"01\", x = if(code_region == \"02\", null, 1.5) | export \"pg.dates_export\"")
    XCTAssertEqual(try admin.query("select d::text, b::text, x::text from public.dates_export order by b desc, x nulls first"),
      [["1969-12-31", "true", "1.5"], ["1969-12-31", "false", nil], ["1969-12-31", "false", "1.5"]])
    // `mode` means nothing for a file; other options mean nothing for a database.
    XCTAssertEqual(errorID(s, "from regions | export \"/tmp/x.csv\" with (mode = \"append\")"), "export.option-does-not-apply")
    XCTAssertEqual(errorID(s, "from regions | export \"pg.x\" with (sep = \";\")"), "export.pg-export-option")
    XCTAssertEqual(errorID(s, "from regions | export \"pg.x\" with (mode = \"merge\")"), "export.pg-bad-export-mode")
  }

  // MARK: errors

  func testServerErrorsAreClearAndLeaveTheSessionIntact() throws {
    let pg = try TestSupport.postgres()
    let admin = try TestSupport.postgresAdmin()
    let s = try attachedSession()
    // A table dropped after `attach`.
    try admin.query("drop table if exists public.gone; create table public.gone (x int)")
    try expectOK(s, "attach \"\(pg)\" as pg")
    try admin.query("drop table public.gone")
    let gone = s.execute("from pg.gone")
    XCTAssertEqual(gone.last?.diagnostic?.id, "session.pg-missing-table")
    XCTAssertTrue(gone.last?.diagnostic?.message.contains("does not exist") ?? false)
    XCTAssertEqual(gone.last?.diagnostic?.column, 6)
    // A bad password, an unknown host.
    let bad = s.execute("attach \"\(pg.replacingOccurrences(of: "user=postgres", with: "user=terrain_reader password=faux"))\" as r")
    XCTAssertEqual(bad.last?.diagnostic?.id, "session.pg-cannot-connect")
    XCTAssertTrue(bad.last?.diagnostic?.message.contains("password authentication failed") ?? false, bad.last?.diagnostic?.message ?? "")
    XCTAssertFalse(bad.last?.diagnostic?.message.contains("faux") ?? true, "the password is not shown")
    XCTAssertEqual(errorID(s, "attach \"host=nowhere.invalid connect_timeout=2\" as r"), "session.pg-cannot-connect")
    // A role that may read communes only.
    try expectOK(s, "attach \"\(pg.replacingOccurrences(of: "user=postgres", with: "user=terrain_reader password=lecture"))\" as r")
    XCTAssertEqual(try table(s, "from r.communes | aggregate n = count()").columns[0].int(at: 0), 34875)
    let denied = s.execute("from r.epci | take 1")
    XCTAssertEqual(denied.last?.diagnostic?.id, "session.pg-permission-denied")
    XCTAssertEqual(errorID(s, "from regions | export \"r.nope\""), "session.pg-permission-denied")
    XCTAssertEqual(try admin.query("select to_regclass('public.nope') is null").first?.first, "t")
    // A schema that does not exist.
    XCTAssertEqual(errorID(s, "attach \"\(pg)\" as z with (schema = \"nulle_part\")"), "session.pg-unknown-schema")
    // A statement timeout.
    try admin.query("create or replace view public.slow as select pg_sleep(3)::text as x")
    defer { _ = try? admin.query("drop view if exists public.slow") }
    try expectOK(s, "attach \"\(pg) options=-cstatement_timeout=200\" as t")
    let started = Date()
    XCTAssertEqual(errorID(s, "from t.slow"), "session.pg-statement-timeout")
    XCTAssertLessThan(Date().timeIntervalSince(started), 2.5)
    // After each, the session and the connections still work.
    XCTAssertEqual(try table(s, "from t.regions | aggregate n = count()").columns[0].int(at: 0), 18)
    XCTAssertEqual(try table(s, "from regions | aggregate n = count()").columns[0].int(at: 0), 18)
  }

  /// A view that streams rows slowly, for killing or cancelling a transfer under way.
  private func slowStream(_ admin: PostgresConnection) throws {
    try admin.query("""
      create or replace view public.trickle as
        select g, (pg_sleep(0.005) is not null) as slept from generate_series(1, 4000) g
      """)
  }

  private func waitForCopy(_ admin: PostgresConnection) throws -> String? {
    for _ in 0..<200 {
      if let pid = try admin.query(
        "select pid::text from pg_stat_activity where query like 'copy (%trickle%' and pid <> pg_backend_pid()").first?.first {
        return pid
      }
      Thread.sleep(forTimeInterval: 0.02)
    }
    return nil
  }

  /// Runs `from pg.trickle | aggregate n = count()` in a session with the test server
  /// attached, calling `during` with the server process's id (and the session's cancel flag)
  /// from another thread 0.1 s after
  /// its COPY shows on the server. Returns the session, its results and an admin connection.
  private func runTrickle(during: @escaping @Sendable (String, PostgresConnection, CancellationFlag) -> Void) throws
    -> (Session, [StatementResult], PostgresConnection) {
    let admin = try TestSupport.postgresAdmin()
    try slowStream(admin)
    addTeardownBlock { _ = try? admin.query("drop view if exists public.trickle") }
    let s = try attachedSession()
    let flag = s.cancel
    let watcher = Thread {
      if let pid = try? self.waitForCopy(admin) {
        Thread.sleep(forTimeInterval: 0.1)
        during(pid, admin, flag)
      }
    }
    watcher.start()
    return (s, s.execute("from pg.trickle | aggregate n = count()"), admin)
  }

  func testConnectionKilledMidTransfer() throws {
    let (s, r, _) = try runTrickle { pid, admin, _ in _ = try? admin.query("select pg_terminate_backend(\(pid))") }
    XCTAssertEqual(r.last?.diagnostic?.id, "session.pg-connection-lost", r.last?.diagnostic?.message ?? "no error")
    // The next statement reconnects.
    XCTAssertEqual(try table(s, "from pg.regions | aggregate n = count()").columns[0].int(at: 0), 18)
  }

  func testCancelStopsTheServerAndKeepsTheSession() throws {
    let started = Date()
    let (s, r, admin) = try runTrickle { _, _, cancel in cancel.cancel() }
    XCTAssertEqual(r.last?.diagnostic?.id, "session.cancelled", r.last?.diagnostic?.message ?? "no error")
    XCTAssertLessThan(Date().timeIntervalSince(started), 15)
    // Nothing left running on the server, and the same connection answers.
    XCTAssertEqual(try admin.query("select count(*) from pg_stat_activity where query like 'copy (%trickle%' and state = 'active' and pid <> pg_backend_pid()").first?.first, "0")
    XCTAssertEqual(try table(s, "from pg.regions | aggregate n = count()").columns[0].int(at: 0), 18)
  }

  /// Ctrl-C in the real shell while rows stream from the server: the statement is cancelled on
  /// the server, and the shell and its connection go on.
  func testCtrlCInTheShellCancelsOnTheServer() throws {
    let pg = try TestSupport.postgres()
    let binary = try XCTUnwrap(PTYSession.terrainBinary(), "the terrain binary is not built (swift build)")
    let admin = try TestSupport.postgresAdmin()
    try slowStream(admin)
    defer { _ = try? admin.query("drop view if exists public.trickle") }
    let home = try TestSupport.temporaryFolder("terrain-pg-pty", for: self)
    let s = try PTYSession(executable: binary, environment: [
      "TERM": "xterm", "HOME": home.path, "XDG_STATE_HOME": home.path, "INPUTRC": "/dev/null", "LANG": "C.UTF-8",
      "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
      "TERRAIN_DATASETS": TestSupport.datasets.path,
    ])
    defer { s.terminate() }
    XCTAssertTrue(s.expect("terrain> ", timeout: 10), "screen:\n\(s.rawText)")
    s.type("attach \"\(pg)\" as pg\r")
    XCTAssertTrue(s.expect("attached pg", timeout: 10), "screen:\n\(s.rawText)")
    s.type("from pg.trickle | aggregate n = count()\r")
    XCTAssertNotNil(try waitForCopy(admin), "the COPY never started; screen:\n\(s.rawText)")
    s.type("\u{03}")
    XCTAssertTrue(s.expect("cancelled", timeout: 10), "screen:\n\(s.rawText)")
    XCTAssertTrue(s.expect("terrain> ", timeout: 5), "screen:\n\(s.rawText)")
    s.type("from pg.regions | aggregate n = count()\r")
    XCTAssertTrue(s.expect("1 row", timeout: 10), "screen:\n\(s.rawText)")
    XCTAssertEqual(try admin.query(
      "select count(*) from pg_stat_activity where query like 'copy (%trickle%' and state = 'active'").first?.first, "0")
  }

  // MARK: the decoder on hostile streams (no server)

  func testLongStreamsDecodeInBatchesWithNullsAndAnySplit() throws {
    // Past one batch (256 KB): every type the batches decode column by column, with nulls.
    let n = 30_000
    var ints: [Int64?] = []
    var floats: [Double?] = []
    var texts: [String?] = []
    var bools: [Bool?] = []
    for i in 0..<n {
      let big: Int64 = Int64(i) * 1_000_003 - 7
      ints.append(i % 11 == 0 ? nil : big)
      floats.append(i % 13 == 0 ? nil : Double(i) / 7)
      let text: String = i % 5 == 0 ? "é\(i % 997)" : "commune \(i % 3001)"
      texts.append(i % 17 == 0 ? nil : text)
      bools.append(i % 19 == 0 ? nil : i % 2 == 0)
    }
    let table = try Table(columns: [("i", .int(ints)), ("f", .float(floats)), ("t", .text(texts)), ("b", .bool(bools))])
    var encoder = CopyBinaryEncoder(table: table)
    var stream: [UInt8] = []
    while let piece = try encoder.next(maxBytes: 1 << 16) { stream += piece }
    XCTAssertGreaterThan(stream.count, 2 * CopyBinaryDecoder.batchBytes)
    for split in [1_000, 65_536, 262_144, stream.count] {
      let (columns, rows) = try decodeInPieces(stream, [.int8, .float8, .text(trimPadding: false), .bool], split)
      XCTAssertEqual(rows, n)
      XCTAssertEqual(columns.map(\.boxedValues), table.columns.map(\.boxedValues), "split \(split)")
    }
  }

  /// `stream` fed to a decoder of `types` in pieces of `split` bytes: the columns and rows.
  private func decodeInPieces(_ stream: [UInt8], _ types: [PostgresWireType], _ split: Int) throws -> ([Column], Int) {
    var d = CopyBinaryDecoder(types: types)
    var at = 0
    while at < stream.count {
      let end = min(stream.count, at + split)
      try stream[at..<end].withUnsafeBytes { try d.feed($0) }
      at = end
    }
    let columns = try d.finish()
    return (columns, d.rows)
  }

  func testTruncatedOrCorruptCopyStreamsAreErrors() throws {
    let table = try Table(columns: [
      ("i", .int([1, -2, 3])), ("f", .float([0.5, -1e10, 3])), ("t", .text(["a", "éé", ""])),
    ])
    var encoder = CopyBinaryEncoder(table: table)
    var stream: [UInt8] = []
    while let piece = try encoder.next(maxBytes: 1 << 20) { stream += piece }
    let types: [PostgresWireType] = [.int8, .float8, .text(trimPadding: false)]
    // The whole stream, in any split, decodes to the table.
    for split in [1, 2, 3, 7, 19, stream.count] {
      let (columns, _) = try decodeInPieces(stream, types, split)
      XCTAssertEqual(columns.map(\.boxedValues), table.columns.map(\.boxedValues))
    }
    // Every truncation is an error (at the end, when the trailer never came).
    for n in 0..<stream.count {
      var d = CopyBinaryDecoder(types: types)
      XCTAssertThrowsError(try stream[0..<n].withUnsafeBytes { try d.feed($0); _ = try d.finish() }, "prefix \(n)")
    }
    // Every single-byte corruption is an error or a value, never a crash; the type-checked parts
    // (signature, field counts, lengths) are errors.
    for i in 0..<stream.count {
      for v: UInt8 in [0x00, 0x7F, 0x80, 0xFF] where stream[i] != v {
        var bad = stream
        bad[i] = v
        var d = CopyBinaryDecoder(types: types)
        _ = try? bad.withUnsafeBytes { try d.feed($0); _ = try d.finish() }
      }
    }
    var wrongSignature = stream
    wrongSignature[0] = UInt8(ascii: "X")
    var d1 = CopyBinaryDecoder(types: types)
    XCTAssertThrowsError(try wrongSignature.withUnsafeBytes { try d1.feed($0); _ = try d1.finish() })
    var d2 = CopyBinaryDecoder(types: [.int8, .float8])
    XCTAssertThrowsError(try stream.withUnsafeBytes { try d2.feed($0); _ = try d2.finish() }) { e in
      XCTAssertTrue("\(e)".contains("3 fields where 2 were expected"), "\(e)")
    }
    // A field length beyond the data, a negative length, a wrong fixed size, bytes after the end.
    var d3 = CopyBinaryDecoder(types: [.int4])
    let header = Array(stream[0..<19])
    XCTAssertThrowsError(try (header + [0, 1, 0, 0, 0, 8] + [UInt8](repeating: 0, count: 8) + [0xFF, 0xFF]).withUnsafeBytes {
      try d3.feed($0); _ = try d3.finish()
    })
    var d4 = CopyBinaryDecoder(types: [.int4])
    XCTAssertThrowsError(try (header + [0, 1, 0xFF, 0xFF, 0xFF, 0xF0]).withUnsafeBytes { try d4.feed($0); _ = try d4.finish() })
    var d5 = CopyBinaryDecoder(types: [.int4])
    XCTAssertThrowsError(try (header + [0, 1, 0x7F, 0xFF, 0xFF, 0xFF]).withUnsafeBytes { try d5.feed($0); _ = try d5.finish() })
    var d6 = CopyBinaryDecoder(types: [.int4])
    XCTAssertThrowsError(try (header + [0xFF, 0xFF, 0]).withUnsafeBytes { try d6.feed($0); _ = try d6.finish() })
    // Text that is not UTF-8, a malformed numeric.
    var d7 = CopyBinaryDecoder(types: [.text(trimPadding: false)])
    XCTAssertThrowsError(try (header + [0, 1, 0, 0, 0, 1, 0xC3, 0xFF, 0xFF]).withUnsafeBytes { try d7.feed($0); _ = try d7.finish() })
    var d8 = CopyBinaryDecoder(types: [.numeric(asInt: false)])
    XCTAssertThrowsError(try (header + [0, 1, 0, 0, 0, 10, 0, 1, 0, 0, 0x12, 0x34, 0, 0, 0x27, 0x10, 0xFF, 0xFF]).withUnsafeBytes {
      try d8.feed($0); _ = try d8.finish()
    })
  }
}
