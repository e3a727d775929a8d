// Answers on the real files of ../shared/data compared with DuckDB 2.0.1's answers to the same
// questions (computed once with DuckDB's Python package on this data; the SQL is quoted with
// each figure). Skipped with a message when ../shared/data is absent.

import Foundation
import XCTest
import TerrainEngine
import TerrainExecution
import TerrainIO
import TerrainPlanner
import TerrainStorage
import TerrainSyntax

final class DuckDBAgreementTests: XCTestCase {

  /// Loaded once for all the tests of this class (the debug-build load takes seconds).
  nonisolated(unsafe) static var shared: Session?

  func session() throws -> Session {
    if let s = Self.shared { return s }
    let s = try TestSupport.sharedDataSession(["communes.csv": "c", "epci.csv": "e"], skipping: "the DuckDB agreement tests")
    Self.shared = s
    return s
  }

  func testAggregatesAgree() throws {
    let t = try session().query("""
      from c | aggregate s = sum(population_municipale), a = avg(superficie_km2), m = median(population_municipale),
        q = quantile(population_municipale, 0.9), sd = stddev(superficie_km2), n = count(), nd = count_distinct(epci_siren)
      """)
    // select sum(population_municipale), avg(superficie_km2), quantile_cont(population_municipale, 0.5),
    //   quantile_cont(population_municipale, 0.9), stddev_samp(superficie_km2), count(*), count(distinct epci_siren) from c
    // Exact for counts and integer sums; floats to 1e-12 relative (the order of float additions
    // differs between engines, as BENCHMARKS.md allows).
    let expected: [Value] = [.int(68_350_798), .float(18.150813129429327), .float(459.0), .float(3234.0),
      .float(147.6765171767889), .int(34875), .int(1255)]
    XCTAssertEqual(t.row(0).count, expected.count)
    for (got, want) in zip(t.row(0), expected) {
      if case .float(let g) = got, case .float(let w) = want {
        XCTAssertEqual(g, w, accuracy: Swift.abs(w) * 1e-12)
      } else {
        XCTAssertEqual(got, want)
      }
    }
  }

  func testJoinAndGroupAgree() throws {
    let t = try session().query(
      "from c | join e on epci_siren | aggregate n = count(), p = sum(population_municipale) by nature_juridique | sort nature_juridique")
    // select nature_juridique, count(*), sum(population_municipale) from c join e using (epci_siren) group by 1 order by 1
    let expected: [[Value]] = [
      [.text("CA"), .int(7599), .int(23_965_921)], [.text("CC"), .int(25644), .int(21_370_857)],
      [.text("CU"), .int(659), .int(3_136_604)], [.text("MET69"), .int(58), .int(1_436_354)],
      [.text("METRO"), .int(911), .int(18_434_627)],
    ]
    XCTAssertEqual((0..<t.rowCount).map { t.row($0) }, expected)
  }

  func testSortsWithNullsLastAgree() throws {
    let s = try session()
    // select code_insee, naissances_2022 from c order by naissances_2022 desc nulls last limit 3
    let desc = try s.query("from c | sort naissances_2022 desc | take 3 | select code_insee, naissances_2022")
    XCTAssertEqual((0..<3).map { desc.row($0) }, [[.text("75056"), .int(23785)], [.text("13055"), .int(11938)], [.text("69123"), .int(6303)]])
    // … order by naissances_2022 asc nulls last limit 3 (stable: file order among ties)
    let asc = try s.query("from c | sort naissances_2022 | take 3 | select code_insee, naissances_2022")
    XCTAssertEqual((0..<3).map { asc.row($0) }, [[.text("01023"), .int(0)], [.text("01035"), .int(0)], [.text("01100"), .int(0)]])
  }
}
