// TerrainSQL: the SQL text of a few plan shapes (one SELECT when the stages share it,
// subqueries when they cannot), the errors for what SQL cannot express, and equivalence: each
// statement of a broad set runs in memory and, compiled, in a real PostgreSQL on the same data
// (the tables exported by terrain and copied in), the answers compared cell by cell.
// The server is `$TERRAIN_TEST_PG` (a libpq conninfo); without it those tests skip, saying so.

import Foundation
import XCTest
import TerrainEngine
import TerrainPlanner
import TerrainSQL
import TerrainStorage
import TerrainSyntax

/// A PostgreSQL server for the tests, driven through `psql`.
struct PostgresForTests {
  let conninfo: String
  let psql: URL

  /// The server of `$TERRAIN_TEST_PG`, or a visible skip.
  static func fromEnvironment() throws -> PostgresForTests {
    guard let c = ProcessInfo.processInfo.environment["TERRAIN_TEST_PG"], !c.isEmpty else {
      throw XCTSkip("TERRAIN_TEST_PG is not set (a libpq conninfo of a throwaway PostgreSQL): SQL equivalence not tested")
    }
    let candidates = ["/usr/bin/psql", "/usr/local/bin/psql"].map(URL.init(fileURLWithPath:))
    guard let p = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
      throw XCTSkip("psql is not installed: SQL equivalence not tested")
    }
    return PostgresForTests(conninfo: c, psql: p)
  }

  /// How psql writes a null (its CSV writes an empty text and a null alike).
  static let null = "<terrain-null>"

  /// Runs `command` (SQL or a psql backslash command); its CSV output.
  @discardableResult
  func run(_ command: String) throws -> String {
    let r = try TestSupport.runProcess(psql, [conninfo, "-X", "-q", "-v", "ON_ERROR_STOP=1", "--csv", "-P", "null=\(Self.null)", "-c", command],
      in: FileManager.default.temporaryDirectory, environment: ["PGOPTIONS": "-c client_min_messages=warning"])
    guard r.status == 0 else { throw PostgresError(message: r.err, command: command) }
    return r.out
  }

  struct PostgresError: Error, CustomStringConvertible {
    var message: String
    var command: String
    var description: String { "psql: \(message)\n\(command)" }
  }

  /// Creates `schema.name` with terrain's column types and a `terrain_row` numbering the rows
  /// in file order, and copies `csv` (written by terrain's export) into it.
  func load(_ table: Table, name: String, schema: String, csv: URL) throws {
    let columns = table.fields.map { quoteSQLIdentifier($0.name) + " " + sqlType($0.type) }.joined(separator: ", ")
    let relation = "\(quoteSQLIdentifier(schema)).\(quoteSQLIdentifier(name))"
    try run("CREATE TABLE \(relation) (\(columns), terrain_row bigserial)")
    let list = table.fields.map { quoteSQLIdentifier($0.name) }.joined(separator: ", ")
    try run("\\copy \(relation) (\(list)) FROM '\(csv.path)' WITH (FORMAT csv, HEADER true)")
  }
}

/// psql's CSV: each cell's text, nil for a null (written `PostgresForTests.null`).
func parsePsqlCSV(_ text: String) -> [[String?]] {
  var rows: [[String?]] = []
  var row: [String?] = []
  var cell = ""
  var quoted = false
  var inQuotes = false
  var chars = Array(text)[...]
  func endCell() {
    row.append(cell == PostgresForTests.null && !quoted ? nil : cell)
    cell = ""
    quoted = false
  }
  while let c = chars.popFirst() {
    if inQuotes {
      if c == "\"" {
        if chars.first == "\"" {
          cell.append("\"")
          chars.removeFirst()
        } else {
          inQuotes = false
        }
      } else {
        cell.append(c)
      }
      continue
    }
    switch c {
    case "\"":
      inQuotes = true
      quoted = true
    case ",": endCell()
    case "\n", "\r\n":
      endCell()
      rows.append(row)
      row = []
    default: cell.append(c)
    }
  }
  if !cell.isEmpty || quoted || !row.isEmpty {
    endCell()
    rows.append(row)
  }
  return rows
}

final class SQLCompilerTests: XCTestCase {

  // MARK: a session over the bundled tables and small test tables

  nonisolated(unsafe) static var sharedSession: Session?
  nonisolated(unsafe) static var loadedServer: String?
  static let schema = "terrain_sql_test"
  static let smallTables = ["t", "dep", "rs", "rs2", "rs3", "dates", "w", "collation"]
  static let bundledTables = ["communes", "departements", "epci", "regions", "fibre", "barometre"]

  func session() throws -> Session {
    if let s = Self.sharedSession { return s }
    let s = Session.shell()
    s.write = { _ in }
    s.notify = { _ in }
    _ = try s.registerDirectory(TestSupport.datasets.path)
    let data = TestSupport.repositoryRoot.appendingPathComponent("Tests/TerrainEngineTests/Golden/data")
    for t in Self.smallTables {
      XCTAssertTrue(s.run("load \"\(data.appendingPathComponent(t + ".csv").path)\" as \(t)"), "load \(t)")
    }
    Self.sharedSession = s
    return s
  }

  func plan(_ text: String, in s: Session) throws -> QueryPlan {
    let nodes = try Parser.parse(text, grammar: .terrain)
    guard let node = nodes.first else { throw XCTSkip("no statement") }
    switch node.statement {
    case .query(let p), .assign(_, let p): return try s.planQuery(p)
    default: throw XCTSkip("not a pipeline: \(text)")
    }
  }

  func compile(_ text: String, ordered: Bool = false, collation: String? = "fr-FR-x-icu") throws -> CompiledSQL {
    let s = try session()
    return try compileToSQL(try plan(text, in: s), options: SQLOptions(frenchCollation: collation)) { name in
      SQLSource(relation: quoteSQLIdentifier(name), rowOrder: ordered ? "terrain_row" : nil)
    }
  }

  func selectCount(_ sql: String) -> Int { sql.components(separatedBy: "SELECT").count - 1 }

  // MARK: SQL text

  func testStagesThatShareASelectGiveOne() throws {
    let c = try compile(
      "from communes | where population > 10000 | derive d = population / superficie | select nom, d | sort d desc | take 5")
    XCTAssertEqual(selectCount(c.sql), 1, c.sql)
    XCTAssertTrue(c.sql.contains("WHERE (t0.\"population\" > 10000)"), c.sql)
    XCTAssertTrue(c.sql.contains("NULLIF"), "x / 0 is null: \(c.sql)")
    XCTAssertTrue(c.sql.contains("DESC NULLS LAST"), c.sql)
    XCTAssertTrue(c.sql.hasSuffix("LIMIT 5"), c.sql)
    XCTAssertFalse(c.textOrderedAfter)
  }

  func testAConstantDivisorOtherThanZeroNeedsNoNullif() throws {
    let c = try compile("from communes | derive a = population / 100, b = population / 0, c = superficie / 2.5, d = 1 / superficie")
    let body = c.sql.split(separator: "\n").filter { !$0.hasPrefix("--") }.joined(separator: "\n")
    XCTAssertEqual(body.components(separatedBy: "NULLIF(").count - 1, 2, "only `/ 0` and `/ superficie`: \(c.sql)")
    XCTAssertTrue(body.contains("NULLIF(0") || body.contains("NULLIF('0"), c.sql)
  }

  func testAggregateThenFilterNeedsASubquery() throws {
    let c = try compile("from communes | aggregate n = count(), p = sum(population) by code_departement | where n > 500 | sort p desc")
    XCTAssertEqual(selectCount(c.sql), 2, c.sql)
    XCTAssertTrue(c.sql.contains("GROUP BY t0.\"code_departement\""), c.sql)
    XCTAssertTrue(c.sql.contains("sum(t0.\"population\")::bigint"), "overflow kept as an error: \(c.sql)")
  }

  func testWindowsShareTheSelectUntilAFilterReadsThem() throws {
    let one = try compile("from regions | derive r = rank() sort population desc | select nom, r | sort r")
    XCTAssertEqual(selectCount(one.sql), 1, one.sql)
    XCTAssertTrue(one.sql.contains("rank() OVER (ORDER BY t0.\"population\" DESC NULLS LAST)"), one.sql)
    let two = try compile("from regions | derive r = rank() sort population desc | where r <= 3")
    XCTAssertEqual(selectCount(two.sql), 2, two.sql)
    let median = try compile("from communes | derive m = median(population) by code_region | select code_insee, m")
    XCTAssertTrue(median.sql.contains("percentile_cont(0.5) WITHIN GROUP"), median.sql)
    XCTAssertTrue(median.sql.contains("IS NOT DISTINCT FROM g1.\"__key1\""), median.sql)
  }

  func testAppendIsAUnionInOrder() throws {
    let c = try compile("from regions | select nom | append departements | select nom", ordered: true)
    XCTAssertTrue(c.sql.contains("UNION ALL"), c.sql)
    XCTAssertTrue(c.sql.contains("ORDER BY u2.\"__part\" NULLS LAST, u2.\"__ordinal\" NULLS LAST"), c.sql)
  }

  func testTakeThenFilterNeedsASubquery() throws {
    let c = try compile("from communes | take 10 | where population > 1000")
    XCTAssertEqual(selectCount(c.sql), 2, c.sql)
    XCTAssertTrue(c.sql.contains("LIMIT 10\n) AS s1"), c.sql)
  }

  func testTextOrderUsesTheICUCollationOrSaysItIsAppliedAfter() throws {
    let icu = try compile("from regions | sort nom | select nom")
    XCTAssertTrue(icu.sql.contains("COLLATE \"fr-FR-x-icu\""), icu.sql)
    XCTAssertFalse(icu.textOrderedAfter)
    let none = try compile("from regions | sort nom | select nom", collation: nil)
    XCTAssertTrue(none.sql.contains("COLLATE \"C\""), none.sql)
    XCTAssertTrue(none.textOrderedAfter)
    XCTAssertTrue(none.sql.contains("terrain orders the result after"), none.sql)
  }

  func testRowOrderIsCarriedWhenTheTablesHaveOne() throws {
    let c = try compile("from communes | aggregate n = count() by code_departement", ordered: true)
    XCTAssertTrue(c.sql.contains("ORDER BY min(t0.\"terrain_row\") NULLS LAST"), c.sql)
    let plain = try compile("from communes | aggregate n = count() by code_departement")
    XCTAssertFalse(plain.sql.contains("ORDER BY"), plain.sql)
    XCTAssertTrue(plain.sql.contains("server's order"), plain.sql)
  }

  func testSimpleAPIGivesTheSQL() throws {
    let s = try session()
    let sql = try compileToSQL(try plan("from regions | select nom", in: s)) { "\"public\".\"\($0)\"" }
    XCTAssertTrue(sql.contains("FROM \"public\".\"regions\" AS t0"), sql)
  }

  func testWhatSQLCannotExpressIsAnErrorAtItsSpan() throws {
    let text = "from communes | select s = split_part(nom, \"\", 2)"
    XCTAssertNoThrow(try compile("from communes | derive m = count_distinct(epci), q = median(population) by code_departement"))
    XCTAssertThrowsError(try compile(text)) { e in
      guard let d = e as? Diagnostic else { return XCTFail("\(e)") }
      XCTAssertEqual(d.id, DiagnosticMessage.sqlFunctionNotCompiled.id)
      XCTAssertEqual(d.span.map { String(text.utf8.dropFirst($0.start).prefix($0.end - $0.start)) ?? "" }, "split_part(nom, \"\", 2)")
    }
    XCTAssertThrowsError(try compile("from communes | select r = round(population, if(code_region == \"84\", 1, 0))"))
    XCTAssertThrowsError(try compile("from communes | export \"/tmp/x.csv\"")) { e in
      XCTAssertEqual((e as? Diagnostic)?.id, DiagnosticMessage.sqlStageNotCompiled.id)
    }
    let s = try session()
    XCTAssertThrowsError(try compileToSQL(try plan("from communes | join epci on epci == epci.siren", in: s)) {
      $0 == "communes" ? "communes" : nil
    }) { e in
      XCTAssertEqual((e as? Diagnostic)?.id, DiagnosticMessage.sqlTableNotInDatabase.id)
    }
  }

  func testDotSQLPrintsTheStatementAndPointsErrorsIntoIt() throws {
    let s = Session.shell()
    var out = ""
    var err = ""
    s.write = { out += $0 }
    s.notify = { err += $0 }
    _ = try s.registerDirectory(TestSupport.datasets.path)
    XCTAssertTrue(s.run(".sql from regions | where population > 1000000 | select nom"))
    XCTAssertTrue(out.contains("FROM \"regions\" AS t0\nWHERE (t0.\"population\" > 1000000)"), out)
    XCTAssertTrue(out.hasSuffix(";\n"), out)
    XCTAssertFalse(s.run(".sql from regions | select r = round(population, if(population > 0, 1, 2))"))
    XCTAssertTrue(err.contains("`round` cannot be compiled to SQL"), err)
    XCTAssertTrue(err.contains("^^^^^^^^^^^^ not expressible in SQL"), err)
  }

  func testCommandLinePrintsTheSQLOfEachStatement() throws {
    guard let terrain = TestSupport.terrainBinary else { throw XCTSkip("terrain is not built") }
    let folder = try TestSupport.temporaryFolder("terrain-sql-cli", for: self)
    let data = TestSupport.repositoryRoot.appendingPathComponent("Tests/TerrainEngineTests/Golden/data/t.csv")
    let script = folder.appendingPathComponent("s.tq")
    try """
      load "\(data.path)" as t
      let grands = from t | where x > 0 | select id, grp, x
      from grands | aggregate n = count() by grp | export "out.csv"
      from grands | join left regions on grp == regions.code_region | take 2
      """.write(to: script, atomically: true, encoding: .utf8)
    let r = try TestSupport.runProcess(terrain, ["--sql", script.path], in: folder)
    XCTAssertEqual(r.status, 0, r.err)
    XCTAssertTrue(r.out.contains("CREATE TEMPORARY TABLE \"grands\" AS\n"), r.out)
    XCTAssertTrue(r.out.contains("FROM \"grands\" AS t0\nGROUP BY t0.\"grp\""), r.out)
    XCTAssertTrue(r.out.contains("-- export \"out.csv\""), r.out)
    XCTAssertTrue(r.out.contains("LEFT JOIN \"regions\" AS j1"), r.out)
    XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("out.csv").path), "nothing runs")
    try "from t | take 1\npilots t key id = 1\nfrom t | select id\n".write(to: script, atomically: true, encoding: .utf8)
    let bad = try TestSupport.runProcess(terrain, ["--sql", script.path, "--no-data"], in: folder)
    XCTAssertEqual(bad.status, 1)
    XCTAssertTrue(bad.err.contains("unknown table `t`"), bad.err)
  }

  // MARK: equivalence with PostgreSQL

  /// Statements over the bundled tables and the golden tests' small tables.
  static let equivalence: [String] = [
    // where, select, derive, drop
    "from regions | select code_region, nom, population",
    "from communes | where population > 10000 and code_region == \"84\" | select nom, population",
    "from communes | where population between 1000 and 1200 or nom in (\"Lyon\", \"Paris\") | select code_insee, nom",
    "from communes | where naissances_2022 is null | select code_insee | take 20",
    "from communes | where not (population >= 500) and code_departement != \"01\" | select code_insee | take 30",
    "from communes | derive densite = population / superficie, r = population % 7, neg = -population | select code_insee, densite, r, neg | take 50",
    "from t | derive q = x / 0, m = x % 0, z = x * 2 - 1 | select id, q, m, z",
    "from communes | select code_insee, r1 = round(superficie, 1), r0 = round(superficie), rm = round(population, -2), rf = round(superficie * 3.7, 2) | take 200",
    "from communes | derive a = abs(population - 5000), f = floor(superficie), c = ceil(superficie), s = sqrt(superficie), l = ln(population), g = log10(population + 1) | select code_insee, a, f, c, s, l, g | take 100",
    "from communes | select code_insee, p = pow(superficie, 0.5), e = exp(superficie / 1000), lg = least(population, 1000), gr = greatest(pop_2015, pop_2021) | take 100",
    "from communes | select code_insee, u = upper(nom), lo = lower(nom), n = length(nom), s = substr(nom, 2, 4), s2 = substr(nom, 3) | take 200",
    "from communes | select code_insee, r = replace(nom, \"-\", \" \"), sw = starts_with(nom, \"Saint\"), ct = contains(nom, \"sur\"), le = left(nom, 3), ri = right(nom, 2), lp = lpad(code_region, 4, \"0\"), sp = split_part(nom, \"-\", 2) | take 300",
    "from communes | where nom like \"Saint-%\" | select nom | take 40",
    "from communes | where nom ilike \"%SUR%\" and nom not like \"%-sur-Mer\" | select nom | take 40",
    "from communes | select code_insee, m = matches(nom, \"^[A-C]\"), rr = regexp_replace(nom, \"([a-z]+)-([a-z]+)\", \"$2 $1\"), rx = regexp_extract(nom, \"([A-Z])[a-z]+\", 1) | take 100",
    "from communes | select code_insee, i = int(superficie), fl = float(population), tx = text(population), ty = text(superficie), tb = text(population > 100) | take 100",
    "from communes | select nom, c = if(population > 1000, \"grande\", \"petite\"), k = case when population > 10000 then 3 when population > 1000 then 2 else 1 end, z = coalesce(naissances_2022, 0) | take 100",
    "from communes | select code_insee, s = nom || \" (\" || code_departement || \")\", n = text(population) || \" hab.\" | take 50",
    "from t | drop x",
    // aggregate
    "from communes | aggregate n = count(), s = sum(population), a = avg(superficie), mi = min(population), ma = max(population), md = median(population), q = quantile(superficie, 0.9), sd = stddev(superficie), nd = count_distinct(epci), nn = count(naissances_2022)",
    "from communes | aggregate n = count(), p = sum(population), mn = min(nom), mx = max(nom) by code_departement",
    "from communes | aggregate part = share(population), n = count() by code_region | sort part desc",
    "from communes | aggregate d = avg(population) / avg(superficie), x = max(superficie) - min(superficie) by code_region, code_departement",
    "from communes | where population > 1000000000 | aggregate n = count(), s = sum(population), a = avg(population)",
    "from t | aggregate n = count(), s = sum(x) by grp",
    "from communes | distinct code_region",
    "from communes | distinct code_region, code_departement | take 20",
    "from t | distinct",
    // sort, take
    "from communes | sort population desc | take 10 | select nom, population",
    "from communes | sort naissances_2022 | take 10 | select code_insee, naissances_2022",
    "from communes | sort naissances_2022 desc, nom | select code_insee, naissances_2022 | take 40",
    "from communes | where code_departement == \"01\" | sort nom | select nom",
    "from regions | sort nom desc | select nom",
    "from epci | sort nom | select nom | take 300",
    "from communes | take 25 | select code_insee",
    "from communes | sort superficie | take 100 | sort population desc | take 10 | select code_insee",
    "from communes | sort population desc | take 3 by code_departement | select code_departement, nom, population | take 60",
    "from communes | take 2 by code_region | select code_insee, code_region",
    "from rs | sort v desc | take 2 by g | select id, g, v",
    "from rs | take 1 by g, k | select id, g, k",
    // windows
    "from communes | derive r = rank() by code_departement sort population desc | where r <= 2 | select code_insee, r | take 100",
    "from communes | derive rn = row_number(), dr = dense_rank(), pr = percent_rank(), nt = ntile(4) by code_region sort population | select code_insee, rn, dr, pr, nt | take 300",
    "from communes | derive prev = lag(population), next = lead(population, 2, 0), f = first(nom), l = last(nom) by code_departement sort population desc | select code_insee, prev, next, f, l | take 300",
    "from communes | derive cs = cumsum(population), cmi = cummin(superficie), cma = cummax(nom) by code_departement sort code_insee | select code_insee, cs, cmi, cma | take 300",
    "from communes | derive rs = rolling_sum(population, 3), ra = rolling_avg(superficie, 5) by code_departement sort code_insee | select code_insee, rs, ra | take 300",
    "from communes | derive part = population / sum(population), n = count() by code_departement | select code_insee, part, n | take 100",
    "from communes | derive part = share(population), tot = sum(population), m = max(nom), a = avg(superficie) by code_region | select code_insee, part, tot, m, a | take 100",
    "from communes | derive r = row_number() sort population desc | where r <= 10 | select nom, r",
    "from communes | derive nd = count_distinct(epci), nn = count_distinct(naissances_2022), nt = count_distinct(nom) by code_departement | select code_insee, nd, nn, nt | take 300",
    "from rs | derive nd = count_distinct(f), nk = count_distinct(k) by g | select id, nd, nk",
    "from communes | derive m = median(population), q = quantile(superficie, 0.25), a = avg(population) by code_departement | select code_insee, m, q, a | take 300",
    "from communes | where code_region == \"84\" | derive m = median(population) | select code_insee, m | take 10",
    "from rs | derive m = median(v) by g | select id, m",
    "from communes | join epci on epci == epci.siren | derive m = median(population_epci) by nature | select code_insee, m | take 50",
    "from communes | aggregate p = sum(population) by code_departement | derive r = rank() sort p desc | sort r | take 10",
    // join
    "from communes | join epci on epci == epci.siren | select code_insee, nom, nom_epci, nature | take 200",
    "from communes | join left fibre on code_insee | select code_insee, nom, nom_fibre, locaux | take 200",
    "from t | join dep on grp | select id, grp, label, x, x_dep",
    "from t | join left dep on grp | sort id",
    "from communes | join departements on code_departement | aggregate n = count(), p = sum(population) by nom_departements | sort n desc | take 10",
    "from departements | join regions on code_region | select code_departement, nom, nom_regions, population_regions",
    // append, unpivot, pivot, split
    "from rs | select id, g, v | append rs2",
    "from rs2 | append rs2 | select id, extra",
    "from rs | select id | append rs3 | select id",
    "from regions | select nom, pop_2015, pop_2021 | unpivot pop_* into recensement, habitants",
    "from rs | select id, v, f | unpivot v, f into name, value",
    "from rs | pivot k using count() by g | sort g",
    "from rs | pivot k using n = count(), s = sum(v) by g | sort g",
    "from rs | pivot g using count()",
    "from rs | pivot v using m = max(f) by k | sort k",
    "from communes | where code_region == \"84\" | pivot code_departement using count() by code_region",
    "from rs | select id, s | split s on \"|\"",
    "from communes | where code_departement == \"01\" | select code_insee, codes_postaux | split codes_postaux on \"|\" | take 100",
    // stages that cannot share a SELECT: each order of them
    "from communes | take 1000 | aggregate n = count() by code_departement",
    "from communes | sort population desc | aggregate n = count(), m = max(population) by code_region",
    "from communes | sort nom | distinct code_departement",
    "from communes | aggregate p = sum(population) by code_departement | join departements on code_departement | select code_departement, p, nom",
    "from regions | take 3 | select nom | append departements | select nom, code_region | take 10",
    "from communes | aggregate a = sum(pop_2015), b = sum(pop_2021) by code_region | unpivot a, b into annee, pop",
    "from communes | where code_departement == \"01\" | split codes_postaux on \"|\" | aggregate n = count() by codes_postaux | sort n desc, codes_postaux | take 20",
    "from communes | take 100 | sort nom | select nom",
    "from communes | derive d = population / superficie | derive r = rank() sort d desc | where r <= 5 | select nom, d, r",
    "from communes | derive c = cumsum(population) sort code_insee | derive r = rank() sort c desc | select code_insee, c, r | take 50",
    "from rs | pivot k using s = share(v) by g",
    "from communes | where code_region == \"84\" | pivot code_departement using p = sum(population), n = count() by code_region",
    "from communes | where nom like \"L_on\" or nom like \"%\\\\%\" | select nom",
    "from communes | aggregate x = sum(population) * 2 + 1, y = count() - count(naissances_2022) by code_region",
    "from communes | where population not between 100 and 200000 and code_region not in (\"84\", \"11\") | select code_insee | take 100",
    "from communes | select code_departement, code_region | distinct | take 50",
    "from t | where x in (10, 0) or x is null | select id, x",
    "from communes | where population > 100000 | derive rang = row_number() sort population desc | take 5 by code_region | select nom, rang",
    "from communes | take 10 | join left epci on epci == epci.siren | take 5 | select code_insee, nom_epci",
    "from regions | append regions | distinct nom | take 30",
    // text order (French collation), min/max of text, bools
    "from communes | sort nom | select nom",
    "from collation | sort s | select s",
    "from collation | sort s desc | select s",
    "from collation | aggregate mn = min(s), mx = max(s), n = count_distinct(s)",
    "from communes | aggregate mn = min(nom), mx = max(nom) by code_region",
    "from epci | sort nom desc | select nom",
    "from t | aggregate a = min(flag), b = max(flag), n = count(flag) by grp",
    "from t | select id, name, up = name < \"b\", g = greatest(name, \"beta\") | sort id",
    "from w | derive c = cummax(s), r = rank() by g sort s | select id, c, r",
    "from fibre | where locaux > 0 | derive t = locaux_fibre / locaux | sort t desc, code_insee | take 50 | select code_insee, t",
    // dates
    "from barometre | where date >= \"2020-01-01\" | select indicateur, date, y = year(date), m = month(date), d = day(date), q = quarter(date), w = weekday(date) | take 200",
    "from barometre | select date, t = date_trunc(\"quarter\", date), tm = date_trunc(\"month\", date), ty = date_trunc(\"year\", date), p = date + 30, diff = date - date(\"2020-01-01\") | take 200",
    "from barometre | aggregate first = min(date), last = max(date), n = count_distinct(date) by maille",
    "from dates | select d1 = date(\"15/03/2024\"), d2 = date(\"2024-02-30\"), d3 = date(\"bad\"), m = make_date(2024, 2, 29), m2 = make_date(2023, 2, 29) | take 1",
    "from barometre | derive prev = lag(date) by indicateur sort date | select indicateur, date, prev | take 200",
  ]

  func prepareServer() throws -> (PostgresForTests, Session) {
    let pg = try PostgresForTests.fromEnvironment()
    let s = try session()
    if Self.loadedServer == pg.conninfo { return (pg, s) }
    let folder = try TestSupport.temporaryFolder("terrain-sql", for: self)
    try pg.run("DROP SCHEMA IF EXISTS \(Self.schema) CASCADE; CREATE SCHEMA \(Self.schema)")
    for name in Self.bundledTables + Self.smallTables {
      let csv = folder.appendingPathComponent("\(name).csv")
      XCTAssertTrue(s.run("from \(name) | export \"\(csv.path)\""), "export \(name)")
      guard let t = try s.table(named: name) else { throw XCTSkip("no table \(name)") }
      try pg.load(t, name: name, schema: Self.schema, csv: csv)
    }
    Self.loadedServer = pg.conninfo
    return (pg, s)
  }

  func testStatementsGiveTheSameAnswersInPostgreSQL() throws {
    let (pg, s) = try prepareServer()
    let icu = try pg.run(SQLOptions.icuFrenchProbe).contains(SQLOptions.icuFrench)
    var failures: [String] = []
    for text in Self.equivalence {
      do {
        let expected = try s.query(text)
        let compiled = try onServer(text, s, SQLOptions(frenchCollation: icu ? "fr-FR-x-icu" : nil))
        let got = parsePsqlCSV(try pg.run(compiled.sql))
        if let problem = compare(expected, got, orderedAfter: compiled.textOrderedAfter) {
          failures.append("\(text)\n  \(problem)\n\(compiled.sql)")
        }
      } catch {
        failures.append("\(text)\n  \(error)")
      }
    }
    XCTAssertTrue(failures.isEmpty, "\(failures.count) of \(Self.equivalence.count) differ:\n\n" + failures.joined(separator: "\n\n"))
  }

  /// The golden files' queries over the same tables (the bundled ones and the small test tables
  /// loaded under their file names), run in memory and in PostgreSQL. A query terrain rejects,
  /// or one SQL cannot express (an error from the compiler), is counted, not compared.
  func testGoldenQueriesGiveTheSameAnswersInPostgreSQL() throws {
    let (pg, s) = try prepareServer()
    let names = Set(Self.bundledTables + Self.smallTables)
    let folder = TestSupport.repositoryRoot.appendingPathComponent("Tests/TerrainEngineTests/Golden")
    let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".test") }.sorted()
    var failures: [String] = []
    var compared = 0
    var notExpressible: [String] = []
    for file in files {
      let golden = try GoldenFile(name: file, text: try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8))
      for record in golden.records where record.kind == .query {
        let text = record.text
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard words.count > 1, words[0] == "from", names.contains(String(words[1])),
          !text.contains("$"), !text.contains("export"), !text.contains("chart"), !text.contains("today()") else { continue }
        guard let expected = try? s.query(text) else { continue }
        do {
          let compiled = try onServer(text, s, SQLOptions())
          compared += 1
          if let problem = compare(expected, parsePsqlCSV(try pg.run(compiled.sql)), orderedAfter: false) {
            failures.append("\(file):\(record.textLine): \(text)\n  \(problem)\n\(compiled.sql)")
          }
        } catch let d as Diagnostic where d.id == DiagnosticMessage.sqlFunctionNotCompiled.id || d.id == DiagnosticMessage.sqlStageNotCompiled.id {
          notExpressible.append(text)
        } catch {
          failures.append("\(file):\(record.textLine): \(text)\n  \(error)")
        }
      }
    }
    XCTAssertGreaterThan(compared, 50, "golden queries compared")
    XCTAssertTrue(failures.isEmpty, "\(failures.count) of \(compared) differ:\n\n" + failures.joined(separator: "\n\n"))
    print("SQL equivalence: \(compared) golden queries compared, \(notExpressible.count) not expressible in SQL: \(notExpressible)")
  }

  /// A server without the ICU collation: text ordered by code points there, then sorted again
  /// in terrain by `localOrder` (stably), gives terrain's order; where sorting again cannot,
  /// `localOrder` is nil.
  func testTextOrderAppliedAfterTheResultComesBack() throws {
    let (pg, s) = try prepareServer()
    let texts = ["from communes | where code_departement == \"01\" | sort nom | select nom, population",
      "from communes | sort code_region, nom desc | select code_region, nom | take 2000",
      "from collation | derive big = id > 50 | sort s | sort big | select s, big"]
    for text in [texts[0], texts[2]] {
      let expected = try s.query(text)
      let compiled = try onServer(text, s, SQLOptions(frenchCollation: nil))
      XCTAssertTrue(compiled.textOrderedAfter, text)
      guard let keys = compiled.localOrder else { XCTFail("no local order: \(text)"); continue }
      let rows = Array(parsePsqlCSV(try pg.run(compiled.sql)).dropFirst())
      let sorted = stableSorted(rows, keys, types: expected.fields.map(\.type))
      XCTAssertNil(compare(expected, [expected.fields.map(\.name)] + sorted, orderedAfter: true), text)
    }
    let limited = try compileToSQL(try plan(texts[1], in: s), options: SQLOptions(frenchCollation: nil)) { SQLSource(relation: $0) }
    XCTAssertTrue(limited.textOrderedAfter)
    XCTAssertNil(limited.localOrder, "a take after a text sort picks other rows")
    let windowed = try compileToSQL(try plan("from regions | derive r = rank() sort nom", in: s), options: SQLOptions(frenchCollation: nil)) {
      SQLSource(relation: $0)
    }
    XCTAssertNil(windowed.localOrder)
  }

  /// `text` compiled for the test tables of the server (in `schema`, with their row order).
  func onServer(_ text: String, _ s: Session, _ options: SQLOptions) throws -> CompiledSQL {
    try compileToSQL(try plan(text, in: s), options: options) {
      SQLSource(relation: "\(quoteSQLIdentifier(Self.schema)).\(quoteSQLIdentifier($0))", rowOrder: "terrain_row")
    }
  }

  func stableSorted(_ rows: [[String?]], _ keys: [SQLLocalSortKey], types: [DataType]) -> [[String?]] {
    func less(_ a: String?, _ b: String?, _ key: SQLLocalSortKey) -> Bool? {
      guard let a else { return b == nil ? nil : false }
      guard let b else { return true }
      if a == b { return nil }
      let ascending: Bool
      if let c = key.collation { ascending = c.less(a, b) } else if types[key.column] == .text || types[key.column] == .bool { ascending = a < b } else {
        ascending = (Double(a) ?? 0) < (Double(b) ?? 0)
      }
      return key.descending ? !ascending : ascending
    }
    return rows.enumerated().sorted { x, y in
      for k in keys {
        if let l = less(x.element[k.column], y.element[k.column], k) { return l }
      }
      return x.offset < y.offset
    }.map(\.element)
  }

  /// Integer overflow is an error in both: terrain's at the span, PostgreSQL's "bigint out of range".
  func testIntegerOverflowFailsInBoth() throws {
    let (pg, s) = try prepareServer()
    for text in ["from communes | select x = population * 9223372036854775807", "from communes | aggregate s = sum(population * 1000000000000000)",
      "from communes | derive c = cumsum(population * 1000000000000000) sort code_insee"] {
      XCTAssertThrowsError(try s.query(text), text)
      let compiled = try onServer(text, s, SQLOptions())
      XCTAssertThrowsError(try pg.run(compiled.sql), text) { e in
        XCTAssertTrue("\(e)".contains("out of range"), "\(e)")
      }
    }
  }

  /// nil when `got` (psql's CSV, header first) holds `expected`'s names and values in order.
  func compare(_ expected: Table, _ got: [[String?]], orderedAfter: Bool) -> String? {
    guard let header = got.first else { return "no output" }
    let names = expected.fields.map(\.name)
    if header.map({ $0 ?? "" }) != names { return "columns \(header) instead of \(names)" }
    let rows = Array(got.dropFirst())
    if rows.count != expected.rowCount { return "\(rows.count) rows instead of \(expected.rowCount)" }
    for (r, row) in rows.enumerated() {
      for (c, cell) in row.enumerated() where c < names.count {
        let want = expected.value(row: r, column: c)
        if !same(want, cell) { return "row \(r + 1), column \(names[c]): \(cell ?? "null") instead of \(want)" }
      }
    }
    return nil
  }

  func same(_ v: Value, _ cell: String?) -> Bool {
    switch v {
    case .null: return cell == nil
    case .int(let i): return cell.flatMap { Int64($0) } == i
    case .float(let d):
      guard let g = cell.flatMap(Double.init) else { return false }
      return g == d || Swift.abs(g - d) <= 1e-9 * max(Swift.abs(g), Swift.abs(d))
    case .text(let s): return cell == s
    case .bool(let b): return cell == (b ? "t" : "f")
    case .date(let d): return cell == CalendarDate.iso(d)
    }
  }
}
