import Foundation
import XCTest

import TerrainEngine
import TerrainExecution
import TerrainIO
import TerrainPlanner
import TerrainStorage
import TerrainSyntax

/// The CSV reader on the real French open-data files of `../shared/data` (read in place;
/// skipped when the folder is absent, as in a user's clone). Expected figures come from that
/// folder's README or are recomputed here with plain string splitting.
final class CSVRealDataTests: XCTestCase {
  // MARK: helpers

  private func dataFolder() throws -> URL {
    let folder = TestSupport.repositoryRoot.appendingPathComponent("../shared/data").standardizedFileURL
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw XCTSkip("../shared/data not found: skipping real-data tests")
    }
    return folder
  }

  private func path(_ file: String) throws -> String {
    try dataFolder().appendingPathComponent(file).path
  }

  /// Files loaded with default options, shared by the tests (debug builds are slow).
  nonisolated(unsafe) private static var loaded: [String: LoadResult] = [:]

  private func load(_ file: String) throws -> LoadResult {
    if let r = CSVRealDataTests.loaded[file] { return r }
    let r = try loadCSV(path: path(file), options: LoadOptions())
    CSVRealDataTests.loaded[file] = r
    return r
  }

  private func column(_ t: Table, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> Column {
    guard let c = t.column(name) else {
      XCTFail("no column \(name)", file: file, line: line)
      throw XCTSkip("missing column")
    }
    return c
  }

  private func type(_ t: Table, _ name: String) -> DataType? { t.column(name)?.type }

  private func texts(_ c: Column) -> [String?] {
    (0..<c.count).map { i -> String? in
      if case .text(let s) = c.value(at: i) { return s }
      return nil
    }
  }

  private func intSum(_ c: Column) -> Int64 {
    guard case .int(let b) = c.values else { return -1 }
    var s: Int64 = 0
    for i in 0..<c.count where c.isValid(i) { s += b[i] }
    return s
  }

  /// The file's lines split on `separator` with plain Swift string functions (for files
  /// without quotes), header first.
  private func plainSplit(_ file: String, separator: Character) throws -> [[String]] {
    var text = try String(contentsOfFile: path(file), encoding: .utf8)
    if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
    // "\r\n" is one Character in Swift: split on both forms.
    return text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map { line in
      line.split(separator: separator, omittingEmptySubsequences: false).map(String.init)
    }
  }

  // MARK: every file

  func testEveryFileLoadsWithDefaultOptions() throws {
    let expected: [String: Int] = [
      "communes.csv": 34_875, "communes_fr_excel.csv": 34_875, "epci.csv": 1_255, "departements.csv": 101,
      "regions.csv": 18, "fibre_communes_arcep_2024.csv": 34_941, "fibre_ftth_communes_arcep_2017_2018.csv": 35_361,
      "barometre_transition.csv": 15_129, "populations_legales_2023_insee_brut.csv": 34_900,
    ]
    let folder = try dataFolder()
    let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".csv") }
    XCTAssertFalse(files.isEmpty)
    for file in files.sorted() {
      let r = try load(file)
      XCTAssertEqual(r.notices, [], file)
      if let rows = expected[file] { XCTAssertEqual(r.table.rowCount, rows, file) }
      for c in r.table.columns { XCTAssertEqual(c.count, r.table.rowCount, file) }
      // No column name is generated: every file has a real, unique header.
      XCTAssertEqual(Set(r.table.columnNames).count, r.table.columnNames.count, file)
      XCTAssertFalse(r.table.columnNames.contains { $0.hasPrefix("column") }, file)
    }
  }

  // MARK: communes

  func testCommunesCodesStayText() throws {
    let t = try load("communes.csv").table
    for name in ["code_insee", "code_departement", "code_region", "code_arrondissement", "epci_siren",
                 "commune_siren", "codes_postaux", "nom", "harmonisation_cog2024"] {
      XCTAssertEqual(type(t, name), .text, name)
    }
    let codes = texts(try column(t, "code_insee")).compactMap { $0 }
    XCTAssertEqual(codes.count, 34_875)
    XCTAssertEqual(Set(codes).count, 34_875)
    XCTAssertTrue(codes.allSatisfy { $0.utf8.count == 5 })
    XCTAssertEqual(codes.filter { $0.hasPrefix("0") }.count, 3_135)
    XCTAssertTrue(codes.contains("01001"))
    XCTAssertTrue(codes.contains("2A004"))
    let deps = texts(try column(t, "code_departement"))
    XCTAssertEqual(deps.filter { $0 == "2A" }.count, 124)
    XCTAssertEqual(deps.filter { $0 == "2B" }.count, 236)
    XCTAssertTrue(deps.contains("01") && deps.contains("971"))
    XCTAssertTrue(texts(try column(t, "code_region")).contains("01"))
    // The four island communes without EPCI: null SIREN.
    let siren = try column(t, "epci_siren")
    XCTAssertEqual(siren.nullCount, 4)
    XCTAssertTrue(texts(siren).compactMap { $0 }.allSatisfy { $0.utf8.count == 9 && $0.hasPrefix("2") })
    let row = codes.firstIndex(of: "01001") ?? 0
    XCTAssertEqual(t.column("nom")?.value(at: row), .text("L'Abergement-Clémenciat"))
    XCTAssertEqual(t.column("population_millesime")?.value(at: row), .int(2023))
  }

  func testCommunesPopulationsAreIntAndSumRight() throws {
    let t = try load("communes.csv").table
    for name in ["population_municipale", "population_totale", "population_comptee_a_part", "population_millesime",
                 "population_2021", "P18_POP", "NBMENFISC19", "ETTOT18"] {
      XCTAssertEqual(type(t, name), .int, name)
    }
    for name in ["superficie_km2", "latitude", "longitude", "P18_MEN", "P18_LOG"] {
      XCTAssertEqual(type(t, name), .float, name)
    }
    // Figures of the data README.
    XCTAssertEqual(intSum(try column(t, "population_municipale")), 68_350_798)
    XCTAssertEqual(intSum(try column(t, "population_totale")), 69_557_000)
    XCTAssertEqual(try column(t, "NBMENFISC19").nullCount, 3_657)
    // The same sums recomputed from the raw lines (communes.csv has no quotes).
    let lines = try plainSplit("communes.csv", separator: ",")
    guard let header = lines.first else { return XCTFail("empty") }
    for name in ["population_municipale", "population_totale", "population_2015", "ETTOT18"] {
      guard let k = header.firstIndex(of: name) else { return XCTFail(name) }
      let expected = lines.dropFirst().reduce(Int64(0)) { $0 + (Int64($1[k]) ?? 0) }
      XCTAssertEqual(intSum(try column(t, name)), expected, name)
    }
  }

  func testCommunesEveryValueMatchesPlainParsing() throws {
    let t = try load("communes.csv").table
    let lines = try plainSplit("communes.csv", separator: ",")
    guard let header = lines.first else { return XCTFail("empty") }
    XCTAssertEqual(t.columnNames, header)
    XCTAssertEqual(lines.count - 1, t.rowCount)
    for (k, c) in t.columns.enumerated() {
      var mismatches = 0
      for (i, fields) in lines.dropFirst().enumerated() {
        let raw = fields[k]
        let v = c.value(at: i)
        let ok: Bool
        if raw.isEmpty {
          ok = v == .null
        } else {
          switch c.type {
          case .int: ok = v == .int(Int64(raw) ?? Int64.min)
          case .float:
            if case .float(let d) = v, let e = Double(raw) { ok = d.bitPattern == e.bitPattern } else { ok = false }
          case .text: ok = v == .text(raw)
          case .bool: ok = false
          case .date: ok = CalendarDate.parse(raw).map { v == .date($0) } ?? false
          }
        }
        if !ok {
          mismatches += 1
          if mismatches <= 3 { XCTFail("\(header[k]) row \(i): \(raw) read as \(v)") }
        }
      }
      XCTAssertEqual(mismatches, 0, header[k])
    }
  }

  func testFrenchExcelVariantGivesTheSameTable() throws {
    let a = try load("communes.csv").table
    let b = try load("communes_fr_excel.csv").table
    XCTAssertEqual(a.fields, b.fields)
    XCTAssertEqual(a.rowCount, b.rowCount)
    for (k, (ca, cb)) in zip(a.columns, b.columns).enumerated() {
      XCTAssertEqual(ca.nullCount, cb.nullCount, a.fields[k].name)
      var differences = 0
      for i in 0..<ca.count {
        let va = ca.value(at: i)
        let vb = cb.value(at: i)
        if case .float(let x) = va, case .float(let y) = vb {
          if x.bitPattern != y.bitPattern { differences += 1 }
        } else if va != vb {
          differences += 1
        }
      }
      XCTAssertEqual(differences, 0, a.fields[k].name)
    }
    // Checked independently: the French file really has a BOM, ";" and CRLF.
    let bytes = try Data(contentsOf: URL(fileURLWithPath: path("communes_fr_excel.csv")))
    XCTAssertEqual(Array(bytes.prefix(3)), [0xEF, 0xBB, 0xBF])
    XCTAssertEqual(a.fields.first?.name, "code_insee")
  }

  // MARK: other files

  func testEPCI() throws {
    let t = try load("epci.csv").table
    XCTAssertEqual(t.rowCount, 1_255)
    for name in ["epci_siren", "dep_siege", "reg_siege", "departements_membres", "nature_juridique"] {
      XCTAssertEqual(type(t, name), .text, name)
    }
    for name in ["nb_communes", "population_municipale_2023", "population_totale_dgcl"] {
      XCTAssertEqual(type(t, name), .int, name)
    }
    XCTAssertEqual(type(t, "superficie_km2"), .float)
    let sirens = texts(try column(t, "epci_siren")).compactMap { $0 }
    XCTAssertEqual(Set(sirens).count, 1_255)
    XCTAssertTrue(sirens.allSatisfy { $0.utf8.count == 9 && $0.hasPrefix("2") })
    XCTAssertTrue(texts(try column(t, "dep_siege")).contains("01"))
    var kinds: [String: Int] = [:]
    for k in texts(try column(t, "nature_juridique")) { kinds[k ?? "null", default: 0] += 1 }
    XCTAssertEqual(kinds, ["CC": 989, "CA": 230, "METRO": 21, "CU": 14, "MET69": 1])
    let pop = try column(t, "population_municipale_2023")
    XCTAssertEqual(intSum(pop), 68_344_363)
    guard case .int(let p) = pop.values else { return XCTFail("not int") }
    XCTAssertEqual((0..<t.rowCount).filter { p[$0] >= 50_000 && p[$0] <= 150_000 }.count, 217)
    // Quoted names with commas.
    let names = texts(try column(t, "nom"))
    XCTAssertTrue(names.contains("CA Beaune, Côte et Sud - Communauté Beaune-Chagny-Nolay"))
    XCTAssertTrue(names.contains("CC de Vitry, Champagne et Der"))
  }

  func testDepartementsAndRegions() throws {
    let d = try load("departements.csv").table
    XCTAssertEqual(d.rowCount, 101)
    for name in ["code_departement", "code_region", "cheflieu", "commune_centre"] {
      XCTAssertEqual(type(d, name), .text, name)
    }
    XCTAssertEqual(type(d, "tncc"), .int)
    XCTAssertEqual(intSum(try column(d, "population_municipale")), 68_350_798)
    XCTAssertEqual(texts(try column(d, "cheflieu")).first, "01053")

    let r = try load("regions.csv").table
    XCTAssertEqual(r.rowCount, 18)
    XCTAssertEqual(type(r, "code_region"), .text)
    XCTAssertEqual(
      texts(try column(r, "code_region")).compactMap { $0 },
      ["01", "02", "03", "04", "06", "11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94"])
    XCTAssertEqual(intSum(try column(r, "population_municipale")), 68_350_798)
    XCTAssertTrue(texts(try column(r, "commune_centre")).contains("confins Éclusier-Vaux, Suzanne, Maricourt (Somme)"))
  }

  func testPopulationsLegalesInseeRawFile() throws {
    let res = try load("populations_legales_2023_insee_brut.csv")
    let t = res.table
    XCTAssertEqual(t.rowCount, 34_900)
    XCTAssertEqual(t.columnNames, ["REG", "Région", "DEP", "CODARR", "CODCAN", "CODCOM", "COM", "Commune", "PMUN", "PCAP", "PTOT"])
    for name in ["REG", "Région", "DEP", "CODCAN", "CODCOM", "COM", "Commune"] {
      XCTAssertEqual(type(t, name), .text, name)
    }
    for name in ["PMUN", "PCAP", "PTOT"] { XCTAssertEqual(type(t, name), .int, name) }
    XCTAssertEqual(t.column("COM")?.value(at: 0), .text("01001"))
    XCTAssertEqual(t.column("CODCOM")?.value(at: 0), .text("001"))
    XCTAssertEqual(t.column("CODCAN")?.value(at: 0), .text("08"))
    XCTAssertEqual(t.column("Région")?.value(at: 0), .text("Auvergne-Rhône-Alpes"))
    // CRLF: no value keeps a CR.
    XCTAssertFalse(texts(try column(t, "Commune")).contains { $0?.contains("\r") ?? false })
    let lines = try plainSplit("populations_legales_2023_insee_brut.csv", separator: ";")
    for (k, name) in ["PMUN", "PCAP", "PTOT"].enumerated() {
      let expected = lines.dropFirst().reduce(Int64(0)) { $0 + (Int64($1[8 + k]) ?? 0) }
      XCTAssertEqual(intSum(try column(t, name)), expected, name)
    }
    // Same communes total as communes.csv without Mayotte (PLM as arrondissements).
    XCTAssertEqual(intSum(try column(t, "PMUN")), 68_094_280)
  }

  func testPopulationsLegalesAsWindows1252() throws {
    // The same INSEE file re-encoded the way older INSEE exports were: read with a notice,
    // identical values.
    let utf8 = try String(contentsOfFile: path("populations_legales_2023_insee_brut.csv"), encoding: .utf8)
    guard let cp1252 = utf8.data(using: .windowsCP1252) else { throw XCTSkip("not representable in Windows-1252") }
    XCTAssertTrue(cp1252.contains(0xE9))  // é as one byte
    let converted = try cp1252.withUnsafeBytes {
      try loadCSV(bytes: $0, name: "insee-1252.csv", options: LoadOptions())
    }
    XCTAssertEqual(converted.notices, ["file is not valid UTF-8: read as Windows-1252"])
    let original = try load("populations_legales_2023_insee_brut.csv").table
    XCTAssertEqual(converted.table.fields, original.fields)
    for (a, b) in zip(original.columns, converted.table.columns) {
      XCTAssertEqual((0..<a.count).map { a.value(at: $0) }, (0..<b.count).map { b.value(at: $0) })
    }
  }

  func testFibre2024() throws {
    let t = try load("fibre_communes_arcep_2024.csv").table
    XCTAssertEqual(t.rowCount, 34_941)
    XCTAssertEqual(type(t, "code_insee"), .text)
    XCTAssertEqual(type(t, "code_insee_2026"), .text)
    XCTAssertEqual(type(t, "pct_fibre"), .float)
    XCTAssertEqual(type(t, "nb_locaux"), .int)
    // "Empty means 0": empty counts are nulls of an int column.
    XCTAssertEqual(type(t, "nb_locaux_cable"), .int)
    XCTAssertGreaterThan(try column(t, "nb_locaux_cable").nullCount, 0)
    let codes2026 = texts(try column(t, "code_insee_2026"))
    XCTAssertEqual(codes2026.compactMap { $0 }.count, 34_936)
    XCTAssertEqual(Set(codes2026.compactMap { $0 }).count, 34_859)
    let lines = try plainSplit("fibre_communes_arcep_2024.csv", separator: ",")
    guard let k = lines.first?.firstIndex(of: "nb_locaux_fibre") else { return XCTFail("no nb_locaux_fibre") }
    let expected = lines.dropFirst().reduce(Int64(0)) { $0 + (Int64($1[k]) ?? 0) }
    XCTAssertEqual(intSum(try column(t, "nb_locaux_fibre")), expected)
  }

  func testFibreFtth2017To2018() throws {
    let t = try load("fibre_ftth_communes_arcep_2017_2018.csv").table
    XCTAssertEqual(t.rowCount, 35_361)
    for name in ["code_commune", "code_region", "code_departement", "siren_epci_2018", "code_insee_2026",
                 "engagement_l33_13", "oi_2018t1"] {
      XCTAssertEqual(type(t, name), .text, name)
    }
    for name in ["logements", "etablissements", "zone_tres_dense", "commune_montagne", "locaux_raccordables_ftth_2018t1",
                 "categorie_ftth_2018t1"] {
      XCTAssertEqual(type(t, name), .int, name)
    }
    XCTAssertEqual(intSum(try column(t, "locaux_raccordables_ftth_2018t1")), 10_965_667)
    XCTAssertEqual(texts(try column(t, "code_insee_2026")).compactMap { $0 }.count, 35_351)
    XCTAssertEqual(t.column("code_departement")?.value(at: 0), .text("01"))
  }

  func testBarometre() throws {
    let t = try load("barometre_transition.csv").table
    XCTAssertEqual(t.rowCount, 15_129)
    for name in ["indic_id", "indic_nom", "maille", "enforce_zone_id", "code_zone"] {
      XCTAssertEqual(type(t, name), .text, name)
    }
    // The dated series: every value `YYYY-MM-DD`, so a date column (checked with Python's
    // datetime: 2011-01-01 … 2026-12-01, 167 distinct months, no null).
    XCTAssertEqual(type(t, "metric_enforce_date"), .date)
    let dates = try column(t, "metric_enforce_date")
    let days = (0..<dates.count).compactMap { dates.date(at: $0) }
    XCTAssertEqual(days.count, 15_129)
    XCTAssertEqual(days.min().map(CalendarDate.iso), "2011-01-01")
    XCTAssertEqual(days.max().map(CalendarDate.iso), "2026-12-01")
    XCTAssertEqual(Set(days).count, 167)
    for name in ["indic_vi", "indic_va", "indic_vc", "indic_ta"] { XCTAssertEqual(type(t, name), .float, name) }
    let zones = Set(texts(try column(t, "code_zone")).compactMap { $0 })
    XCTAssertTrue(zones.isSuperset(of: ["01", "2A", "971", "84", "FR"]))
    XCTAssertEqual(Set(texts(try column(t, "maille")).compactMap { $0 }), ["DEPT", "REG", "NAT"])
    let names = texts(try column(t, "indic_nom"))
    XCTAssertTrue(names.contains { $0?.contains("Demandeurs d’emploi, FNE-Formation et CPF") ?? false })
  }
}
