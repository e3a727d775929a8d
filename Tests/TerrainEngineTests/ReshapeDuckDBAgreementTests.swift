// `unpivot`, `pivot`, `take N by` and `append` on the real ARCEP fibre file of ../shared/data
// compared with DuckDB 2.0.1's answers to the same questions (computed once with DuckDB's
// Python package; the SQL is quoted with each figure). Skipped when the data is absent.

import Foundation
import XCTest
import TerrainEngine
import TerrainStorage

final class ReshapeDuckDBAgreementTests: XCTestCase {
  nonisolated(unsafe) static var shared: Session?

  func session() throws -> Session {
    if let s = Self.shared { return s }
    let s = try TestSupport.sharedDataSession(["fibre_ftth_communes_arcep_2017_2018.csv": "f"],
      skipping: "the DuckDB agreement tests of the reshaping stages")
    Self.shared = s
    return s
  }

  func rows(_ t: Table) -> [[Value]] { (0..<t.rowCount).map { t.row($0) } }

  func testUnpivotOfTheQuartersAgrees() throws {
    let t = try session().query("""
      from f | unpivot locaux_raccordables_ftth_* into trimestre, locaux
        | aggregate n = count(), s = sum(locaux), nn = count(locaux) by trimestre | sort trimestre
      """)
    // select trimestre, count(*), sum(locaux), count(locaux) from f unpivot include nulls (locaux for trimestre in
    //   (locaux_raccordables_ftth_2017t3, locaux_raccordables_ftth_2017t4, locaux_raccordables_ftth_2018t1)) group by 1 order by 1
    XCTAssertEqual(rows(t), [
      [.text("locaux_raccordables_ftth_2017t3"), .int(35361), .int(9_557_404), .int(35361)],
      [.text("locaux_raccordables_ftth_2017t4"), .int(35361), .int(10_296_296), .int(35361)],
      [.text("locaux_raccordables_ftth_2018t1"), .int(35361), .int(10_965_667), .int(35361)],
    ])
  }

  func testPivotBackAgrees() throws {
    let t = try session().query("""
      from f | unpivot locaux_raccordables_ftth_* into trimestre, locaux
        | pivot trimestre using sum(locaux) by code_departement | sort code_departement | take 3
      """)
    // with u as (… the unpivot above, with code_departement) pivot u on trimestre using sum(locaux)
    //   group by code_departement order by code_departement limit 3 — the same as the sums of the wide columns
    XCTAssertEqual(t.columnNames, ["code_departement", "locaux_raccordables_ftth_2017t3", "locaux_raccordables_ftth_2017t4",
      "locaux_raccordables_ftth_2018t1"])
    XCTAssertEqual(rows(t), [
      [.text("01"), .int(106_868), .int(112_817), .int(116_403)],
      [.text("02"), .int(43088), .int(53928), .int(65809)],
      [.text("03"), .int(35456), .int(38385), .int(42072)],
    ])
    // Pivoting back by commune gives the wide table again, value for value.
    let back = try session().query("""
      from f | select code_commune, locaux_raccordables_ftth_2017t3, locaux_raccordables_ftth_2018t1
        | unpivot locaux_raccordables_ftth_* into q, n | pivot q using max(n) by code_commune
        | join f on code_commune
        | where locaux_raccordables_ftth_2017t3 != locaux_raccordables_ftth_2017t3_f or locaux_raccordables_ftth_2018t1 != locaux_raccordables_ftth_2018t1_f
        | aggregate n = count()
      """)
    XCTAssertEqual(back.row(0), [.int(0)])
  }

  func testTopThreePerDepartementAgrees() throws {
    let t = try session().query("""
      from f | sort logements desc | take 3 by code_departement | aggregate n = count(), s = sum(logements)
      """)
    // select count(*), sum(logements) from (select *, row_number() over (partition by code_departement
    //   order by logements desc nulls last, rid) rn from f) where rn <= 3
    XCTAssertEqual(t.row(0), [.int(305), .int(10_407_235)])
    let ain = try session().query("from f | sort logements desc | take 3 by code_departement | where code_departement == \"01\" | select code_commune")
    // … string_agg(code_commune order by logements desc nulls last, rid) filter (where code_departement = '01')
    XCTAssertEqual(rows(ain), [[.text("01053")], [.text("01283")], [.text("01004")]])
  }

  func testAppendToItselfAgrees() throws {
    let t = try session().query("from f | append f | aggregate n = count(), s = sum(logements)")
    // select count(*), sum(logements) from (select * from f union all select * from f)
    XCTAssertEqual(t.row(0), [.int(70722), .int(69_772_814)])
  }
}
