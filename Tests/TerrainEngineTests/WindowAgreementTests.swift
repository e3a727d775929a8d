// Windows on the real files of ../shared/data compared with DuckDB 2.0.1's answers to the same
// questions (computed once with DuckDB's Python package on this data; the SQL is quoted with
// each figure: `nulls last` and, for row_number, the file order as the tie-break spell out
// terrain's window order). Skipped with a message when ../shared/data is absent. Also the
// window's completion and shell continuation, which need no data.

import Foundation
import XCTest
import TerrainEngine
import TerrainShell
import TerrainStorage
import TerrainSyntax

final class WindowAgreementTests: XCTestCase {

  /// Loaded once for all the tests of this class.
  nonisolated(unsafe) static var shared: Session?

  func session() throws -> Session {
    if let s = Self.shared { return s }
    let s = try TestSupport.sharedDataSession(["communes.csv": "c", "barometre_transition.csv": "b"],
      skipping: "the window agreement tests with DuckDB")
    Self.shared = s
    return s
  }

  private func rows(_ t: Table) -> [[Value]] { (0..<t.rowCount).map { t.row($0) } }

  private func assertClose(_ got: [Value], _ want: [Value], _ tol: Double = 1e-12, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(got.count, want.count, file: file, line: line)
    for (g, w) in zip(got, want) {
      if case .float(let a) = g, case .float(let b) = w {
        XCTAssertEqual(a, b, accuracy: Swift.abs(b) * tol, file: file, line: line)
      } else {
        XCTAssertEqual(g, w, file: file, line: line)
      }
    }
  }

  func testRanksWithinDepartementsAgree() throws {
    let s = try session()
    // select count(*), sum(population_municipale) from (select population_municipale, rank() over
    //   (partition by code_departement order by population_municipale desc nulls last) r from c) where r <= 3
    let top = try s.query("""
      from c | derive r = rank() by code_departement sort population_municipale desc | where r <= 3
        | aggregate n = count(), s = sum(population_municipale)
      """)
    XCTAssertEqual(rows(top), [[.int(301), .int(18_917_887)]])
    // … where r <= 3 and code_departement = '69' order by r
    let rhone = try s.query("""
      from c | derive r = rank() by code_departement sort population_municipale desc
        | where r <= 3 and code_departement == "69" | sort r | select code_insee, r
      """)
    XCTAssertEqual(rows(rhone), [[.text("69123"), .int(1)], [.text("69266"), .int(2)], [.text("69259"), .int(3)]])
    // Ties and nulls (births are small counts, some missing): select sum(rank() over w), sum(dense_rank() over w),
    //   sum(row_number() over (partition by code_departement order by naissances_2022 desc nulls last, rowid))
    //   from c window w as (partition by code_departement order by naissances_2022 desc nulls last)
    let ties = try s.query("""
      from c | derive r = rank(), dr = dense_rank(), rn = row_number() by code_departement sort naissances_2022 desc
        | aggregate a = sum(r), b = sum(dr), c = sum(rn)
      """)
    XCTAssertEqual(rows(ties), [[.int(7_151_961), .int(1_582_707), .int(7_852_181)]])
  }

  func testSharesOfTheDepartementAgree() throws {
    let s = try session()
    // select max(p), sum(p), count(p) from (select population_municipale / sum(population_municipale)
    //   over (partition by code_departement) p from c)
    let shares = try s.query("from c | derive p = share(population_municipale) by code_departement | aggregate m = max(p), s = sum(p), n = count(p)")
    assertClose(shares.row(0), [.float(1.0), .float(100.99999999999982), .int(34875)])
    // … where code_insee = '69123'
    let lyon = try s.query("from c | derive p = population_municipale / sum(population_municipale) by code_departement | where code_insee == \"69123\" | select p")
    assertClose(lyon.row(0), [.float(0.2711317424909919)])
  }

  func testLagOverTheBarometreSeriesAgrees() throws {
    let s = try session()
    // The dates are ISO text, so their text order is the calendar order.
    // select sum(indic_va - prev), count(prev), count(*) from (select indic_va, lag(indic_va) over
    //   (partition by indic_id, maille, code_zone order by metric_enforce_date) prev from b)
    let lag = try s.query("""
      from b | derive prev = lag(indic_va) by indic_id, maille, code_zone sort metric_enforce_date
        | aggregate s = sum(indic_va - prev), n = count(prev), t = count()
      """)
    assertClose(lag.row(0), [.float(45_921_429.51000002), .int(13091), .int(15129)], 1e-9)
    // … where indic_id = 'IND-208' and code_zone = 'FR' order by metric_enforce_date desc limit 2
    let last = try s.query("""
      from b | derive prev = lag(indic_va) by indic_id, maille, code_zone sort metric_enforce_date
        | where indic_id == "IND-208" and code_zone == "FR" | sort metric_enforce_date desc | take 2 | select indic_va, prev
      """)
    XCTAssertEqual(rows(last), [[.null, .float(20.1)], [.float(20.1), .float(15.4)]])
  }

  // MARK: shell

  func testWindowFunctionsCompleteInDeriveOnly() {
    let completer = ShellCompleter(tableNames: { ["communes"] }, columns: { _ in ["population", "nom"] })
    XCTAssertEqual(completer.complete(before: "from communes | derive r = ", word: "ra").list, ["rank("])
    XCTAssertEqual(completer.complete(before: "from communes | derive r = ", word: "cum").list, ["cumsum(", "cummin(", "cummax("])
    XCTAssertEqual(completer.complete(before: "from communes | where ", word: "ra").list, [])
    XCTAssertTrue(completer.complete(before: "from communes | derive r = rank() ", word: "s").list.contains("sort"))
  }

  func testByAndSortContinueALine() {
    XCTAssertTrue(statementNeedsMore("from communes | derive r = rank() by"))
    XCTAssertTrue(statementNeedsMore("from communes | derive r = rank() by code_departement sort"))
    XCTAssertFalse(statementNeedsMore("from communes | derive r = rank() by code_departement sort population desc"))
  }

  func testPastedByAndSortLinesContinue() {
    var a = StatementAssembler()
    XCTAssertEqual(a.feed("from communes | derive r = rank()", moreInputWaiting: true), [])
    XCTAssertEqual(a.feed("  by code_departement", moreInputWaiting: true), [])
    XCTAssertEqual(a.feed("  sort population desc", moreInputWaiting: true), [])
    XCTAssertEqual(a.feed("from regions", moreInputWaiting: false),
      ["from communes | derive r = rank()\n  by code_departement\n  sort population desc", "from regions"])
  }

  func testByAndSortOnTheNextLineOfAScript() throws {
    let s = Session.shell()
    var out = ""
    var errors = ""
    s.write = { out += $0 }
    s.notify = { errors += $0 }
    s.renderOptions.mode = .csv
    XCTAssertTrue(s.run("""
      load "\(TestSupport.datasets.path)/departements.csv.gz" as d
      from d | derive r = rank()
        by code_region
        sort population desc
        | where r == 1 | aggregate n = count()
      """), errors)
    XCTAssertEqual(out, "n\n18\n")
  }
}
