// The bundled tables (`datasets/*.csv.gz`): `build.py --gzip` rebuilds them byte for byte from
// the shared data (so its output is deterministic), and what datasets/README.md promises holds when
// terrain reads them: the aggregate tables are the sums of their communes, the EPCI's fibre
// counts the sums of the `fibre` rows of their communes, the establishment sectors add up.

import Foundation
import XCTest
import TerrainEngine
import TerrainStorage

final class DatasetsTests: XCTestCase {
  static let names = ["barometre", "communes", "departements", "epci", "fibre", "regions"]

  func python() throws -> URL {
    let env = ProcessInfo.processInfo.environment
    if let p = env["TERRAIN_PYTHON"], FileManager.default.isExecutableFile(atPath: p) { return URL(fileURLWithPath: p) }
    for dir in (env["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
      let p = "\(dir)/python3"
      if FileManager.default.isExecutableFile(atPath: p) { return URL(fileURLWithPath: p) }
    }
    throw XCTSkip("python3 not found: skipping the rebuild of datasets/")
  }

  func temporaryFolder() throws -> URL {
    try TestSupport.temporaryFolder("terrain-datasets", for: self)
  }

  /// Runs `datasets/build.py` with `arguments` (the shared data as its source).
  func build(_ arguments: [String]) throws {
    guard FileManager.default.fileExists(atPath: TestSupport.sharedData.appendingPathComponent("communes.csv").path) else {
      throw XCTSkip("../shared/data not found: skipping the rebuild of datasets/")
    }
    let script = TestSupport.datasets.appendingPathComponent("build.py").path
    let run = try TestSupport.runProcess(
      try python(), [script, "--source", TestSupport.sharedData.path] + arguments, in: TestSupport.repositoryRoot)
    XCTAssertEqual(run.status, 0, run.err)
  }

  /// The bundled files are `build.py --gzip`'s output, byte for byte — so that output is
  /// deterministic (no name, mtime 0 in the gzip header) — and decompress to exactly its
  /// plain `.csv` output.
  func testBuildReproducesTheBundledFiles() throws {
    let (packed, plain) = (try temporaryFolder(), try temporaryFolder())
    try build(["--gzip", "--out", packed.path])
    for name in Self.names {
      let built = try Data(contentsOf: packed.appendingPathComponent("\(name).csv.gz"))
      let bundled = try Data(contentsOf: TestSupport.datasets.appendingPathComponent("\(name).csv.gz"))
      XCTAssertTrue(built == bundled, "datasets/\(name).csv.gz differs from what build.py writes: run python3 datasets/build.py --gzip")
      // gzip header: magic, deflate, no flags (no file name), mtime 0.
      XCTAssertEqual(Array(built.prefix(8)), [0x1F, 0x8B, 8, 0, 0, 0, 0, 0], name)
    }
    // The outlines of `chart map`: the shared GeoJSON files, byte for byte, compressed.
    for name in ["departements", "regions"] {
      let built = try Data(contentsOf: packed.appendingPathComponent("contours/\(name).geojson.gz"))
      let bundled = try Data(contentsOf: TestSupport.datasets.appendingPathComponent("contours/\(name).geojson.gz"))
      XCTAssertTrue(built == bundled, "datasets/contours/\(name).geojson.gz differs from what build.py writes")
    }
    let bundled = try FileManager.default.contentsOfDirectory(atPath: TestSupport.datasets.path)
      .filter { $0.contains(".csv") }.sorted()
    XCTAssertEqual(bundled, Self.names.map { "\($0).csv.gz" }, "every bundled table is built by build.py, compressed")
    try build(["--out", plain.path])
    let check = """
      import gzip, sys
      for name in sys.argv[3:]:
          with gzip.open(sys.argv[1] + '/' + name + '.csv.gz', 'rb') as z, open(sys.argv[2] + '/' + name + '.csv', 'rb') as f:
              if z.read() != f.read(): print(name)
      """
    let run = try TestSupport.runProcess(
      try python(), ["-c", check, TestSupport.datasets.path, plain.path] + Self.names, in: TestSupport.repositoryRoot)
    XCTAssertEqual(run.status, 0, run.err)
    XCTAssertEqual(run.out, "", "these bundled .csv.gz do not decompress to build.py's plain .csv output")
  }

  /// The number of rows `statement` returns (a query whose rows are the mismatches).
  func rows(_ s: Session, _ statement: String, file: StaticString = #filePath, line: UInt = #line) -> Int {
    do {
      return try s.query(statement).rowCount
    } catch {
      XCTFail("\(statement): \(error)", file: file, line: line)
      return -1
    }
  }

  func testAggregatesAreTheSumsOfTheirCommunes() throws {
    let s = Session.shell()
    try s.registerDirectory(TestSupport.datasets.path)
    // Every sum as documented, recomputed by terrain; `is distinct` written out (null = null).
    let ints = ["population", "population_totale", "pop_2015", "pop_2021", "naissances_2022", "deces_2022", "menages_2021",
                "actifs_15_64_2021", "chomeurs_15_64_2021", "etablissements_2018"]
    let decimals = [("superficie", 2), ("logements_2018", 1), ("residences_secondaires_2018", 1),
                    ("logements_vacants_2018", 1), ("emplois_2018", 1)]
    let sums = (ints.map { "\($0) = sum(\($0))" } + decimals.map { "\($0.0) = round(sum(\($0.0)), \($0.1))" })
      .joined(separator: ", ")
    func differs(_ name: String, _ suffix: String) -> String {
      "not ((\(name) is null and \(name)_\(suffix) is null) or \(name) == \(name)_\(suffix))"
    }
    let columns = ints + decimals.map(\.0) + ["nb_communes"]
    for (table, key, other) in [("epci", "epci", "siren"), ("departements", "code_departement", "code_departement"),
                                ("regions", "code_region", "code_region")] {
      let on = key == other ? key : "\(key) == \(table).\(other)"
      let mismatches = rows(s, """
        from communes | where \(key) is not null | aggregate nb_communes = count(), \(sums) by \(key)
          | join \(table) on \(on)
          | where \(columns.map { differs($0, table) }.joined(separator: " or "))
        """)
      XCTAssertEqual(mismatches, 0, "\(table): rows whose sums differ from their communes'")
      XCTAssertEqual(rows(s, "from \(table)"), rows(s, "from communes | where \(key) is not null | distinct \(key)"), table)
    }
    // The fibre counts of the EPCI are the sums of their communes' rows of `fibre`; share_ftth
    // is their ratio in percent, one decimal.
    XCTAssertEqual(rows(s, """
      from fibre | join communes on code_insee
        | aggregate l = sum(locaux), f = sum(locaux_fibre) by epci
        | join epci on epci == epci.siren
        | where l != locaux or f != locaux_fibre or abs(100 * f / l - share_ftth) > 0.0501
      """), 0)
    // Each eligible count is at most the premises; the five sectors add up to the establishments.
    XCTAssertEqual(rows(s, """
      from fibre | where (locaux_fibre > locaux or locaux_cable > locaux or locaux_dsl > locaux
        or locaux_thd_radio > locaux or locaux_4g_fixe > locaux or locaux_hd_radio > locaux or locaux_satellite > locaux)
      """), 0)
    XCTAssertEqual(rows(s, """
      from communes | where (etab_agriculture_2018 + etab_industrie_2018 + etab_construction_2018
        + etab_commerce_services_2018 + etab_administration_2018) != etablissements_2018
      """), 0)
    // The national figures datasets/README.md quotes.
    let total = try s.query("from communes | aggregate p = sum(population), n = count()")
    XCTAssertEqual(total.row(0), [.int(68_350_798), .int(34_875)])
    XCTAssertEqual(rows(s, "from epci | where population between 50000 and 150000"), 217)
    XCTAssertEqual(rows(s, "from barometre | where date is null"), 0)
  }
}
