import Foundation
import XCTest

import TerrainEngine
import TerrainExecution
import TerrainIO
import TerrainPlanner
import TerrainStorage
import TerrainSyntax

/// Unit tests of the CSV reader on small inline files.
final class CSVReaderTests: XCTestCase {
  // MARK: helpers

  private func load(_ bytes: [UInt8], _ configure: (inout LoadOptions) -> Void = { _ in }) throws -> LoadResult {
    var options = LoadOptions()
    configure(&options)
    return try bytes.withUnsafeBytes { try loadCSV(bytes: $0, name: "t.csv", options: options) }
  }

  private func load(_ text: String, _ configure: (inout LoadOptions) -> Void = { _ in }) throws -> LoadResult {
    try load(Array(text.utf8), configure)
  }

  private func table(_ text: String, _ configure: (inout LoadOptions) -> Void = { _ in }) throws -> Table {
    try load(text, configure).table
  }

  private func values(_ t: Table, _ name: String) -> [Value] {
    guard let c = t.column(name) else {
      XCTFail("no column \(name) in \(t.columnNames)")
      return []
    }
    return (0..<c.count).map { c.value(at: $0) }
  }

  private func types(_ t: Table) -> [DataType] { t.fields.map(\.type) }

  private func csvError(_ text: String, _ configure: (inout LoadOptions) -> Void = { _ in }) -> LoadError? {
    csvError(Array(text.utf8), configure)
  }

  private func csvError(_ bytes: [UInt8], _ configure: (inout LoadOptions) -> Void = { _ in }) -> LoadError? {
    do {
      let r = try load(bytes, configure)
      XCTFail("expected an error, loaded \(r.table.rowCount) rows")
      return nil
    } catch let e as LoadError {
      return e
    } catch {
      XCTFail("unexpected error \(error)")
      return nil
    }
  }

  // MARK: separators

  func testCommaSeparator() throws {
    let t = try table("a,b,c\n1,x,2.5\n2,y,3\n")
    XCTAssertEqual(t.columnNames, ["a", "b", "c"])
    XCTAssertEqual(types(t), [.int, .text, .float])
    XCTAssertEqual(values(t, "a"), [.int(1), .int(2)])
    XCTAssertEqual(values(t, "b"), [.text("x"), .text("y")])
    XCTAssertEqual(values(t, "c"), [.float(2.5), .float(3)])
  }

  func testSemicolonSeparator() throws {
    let t = try table("a;b\n1;x,y\n2;z\n")
    XCTAssertEqual(t.columnNames, ["a", "b"])
    XCTAssertEqual(values(t, "b"), [.text("x,y"), .text("z")])
  }

  func testTabSeparator() throws {
    let t = try table("a\tb\n1\tx y\n2\tz\n")
    XCTAssertEqual(t.columnNames, ["a", "b"])
    XCTAssertEqual(values(t, "a"), [.int(1), .int(2)])
  }

  func testPipeSeparator() throws {
    let t = try table("a|b|c\n1|2|x, y\n3|4|z\n")
    XCTAssertEqual(t.columnNames, ["a", "b", "c"])
    XCTAssertEqual(values(t, "c"), [.text("x, y"), .text("z")])
  }

  func testCommaFileWithPipesInValuesKeepsComma() throws {
    let t = try table("code,codes_postaux\n75056,75001|75002|75003\n01001,01400\n")
    XCTAssertEqual(t.columnNames, ["code", "codes_postaux"])
    XCTAssertEqual(values(t, "codes_postaux"), [.text("75001|75002|75003"), .text("01400")])
  }

  func testExcelSeparatorLine() throws {
    let t = try table("sep=;\r\na;b\r\n1,5;x\r\n")
    XCTAssertEqual(t.columnNames, ["a", "b"])
    XCTAssertEqual(values(t, "a"), [.float(1.5)])
  }

  func testForcedSeparatorAndHeader() throws {
    var t = try table("1;2\n3;4\n") { $0.separator = UInt8(ascii: ";"); $0.header = false }
    XCTAssertEqual(t.columnNames, ["column1", "column2"])
    XCTAssertEqual(values(t, "column1"), [.int(1), .int(3)])
    // Forcing "," on a ";" file gives one column.
    t = try table("a;b\n1;2\n") { $0.separator = UInt8(ascii: ",") }
    XCTAssertEqual(t.columnNames, ["a;b"])
    XCTAssertEqual(values(t, "a;b"), [.text("1;2")])
    // Forcing a header on a numeric first row.
    t = try table("1,2\n3,4\n") { $0.header = true }
    XCTAssertEqual(t.columnNames, ["1", "2"])
    XCTAssertEqual(t.rowCount, 1)
  }

  // MARK: header sniffing

  func testHeaderSniffing() throws {
    XCTAssertEqual(try table("1,2\n3,4\n").columnNames, ["column1", "column2"])
    XCTAssertEqual(try table("1,2\n3,4\n").rowCount, 2)
    XCTAssertEqual(try table("x,y\n1,2\n").columnNames, ["x", "y"])
    XCTAssertEqual(try table("nom,ville\nParis,France\n").columnNames, ["nom", "ville"])
    // A numeric first row over text is data.
    XCTAssertEqual(try table("Paris,1\nLyon,2\n").columnNames, ["column1", "column2"])
    // Text over numbers in one column is a header even if another name is a year.
    XCTAssertEqual(try table("commune,2019\nParis,5\nLyon,6\n").columnNames, ["column1", "column2"])
    XCTAssertEqual(try table("commune,pop2019\nParis,5\nLyon,6\n").columnNames, ["commune", "pop2019"])
    XCTAssertEqual(try table("code,n\n01001,5\n").columnNames, ["code", "n"])
  }

  // MARK: quotes

  func testQuotesWithSeparatorsEscapesAndNewlines() throws {
    let csv = "id;nom;note\n1;\"Dupont; Jean\";\"il a dit \"\"oui\"\"\"\n2;\"sur\ndeux lignes\";\"\"\n3;simple;x\n"
    let t = try table(csv)
    XCTAssertEqual(t.columnNames, ["id", "nom", "note"])
    XCTAssertEqual(values(t, "id"), [.int(1), .int(2), .int(3)])
    XCTAssertEqual(values(t, "nom"), [.text("Dupont; Jean"), .text("sur\ndeux lignes"), .text("simple")])
    XCTAssertEqual(values(t, "note"), [.text("il a dit \"oui\""), .null, .text("x")])
  }

  func testQuotedNumbersAreNumbers() throws {
    let t = try table("a,b\n\"1\",\"1,5\"\n\"2\",\"2\"\n")
    XCTAssertEqual(types(t), [.int, .text])
    let u = try table("a,b\n\"1\",\"1,5\"\n\"2\",\"2\"\n") { $0.decimal = UInt8(ascii: ",") }
    XCTAssertEqual(values(u, "b"), [.float(1.5), .float(2)])
  }

  func testTextAfterClosingQuoteIsKept() throws {
    let t = try table("a,b\n\"ab\"cd,1\n")
    XCTAssertEqual(values(t, "a"), [.text("abcd")])
  }

  func testForcedQuote() throws {
    let t = try table("a,b\n'x,y',1\n") { $0.quote = UInt8(ascii: "'") }
    XCTAssertEqual(values(t, "a"), [.text("x,y")])
  }

  // MARK: line ends, BOM, encodings

  func testCRLF() throws {
    let t = try table("a,b\r\n1,x\r\n2,\"y\r\nz\"\r\n")
    XCTAssertEqual(values(t, "a"), [.int(1), .int(2)])
    XCTAssertEqual(values(t, "b"), [.text("x"), .text("y\r\nz")])
    XCTAssertEqual(t.columnNames, ["a", "b"])
  }

  func testNoFinalNewlineAndBlankLines() throws {
    let t = try table("a,b\n\n1,2\n\n3,4")
    XCTAssertEqual(values(t, "b"), [.int(2), .int(4)])
  }

  func testBOM() throws {
    let r = try load([0xEF, 0xBB, 0xBF] + Array("code;nom\n01;Ain\n".utf8))
    XCTAssertEqual(r.table.columnNames, ["code", "nom"])
    XCTAssertEqual(values(r.table, "code"), [.text("01")])
    XCTAssertEqual(r.notices, [])
  }

  func testWindows1252Fallback() throws {
    // "nom;prix\nCafé;0x80 5\nŒuvre “x”;2\n" in Windows-1252.
    var bytes = Array("nom;prix\nCaf".utf8) + [0xE9] + Array(";".utf8) + [0x80] + Array(" 5\n".utf8)
    bytes += [0x8C] + Array("uvre ".utf8) + [0x93] + Array("x".utf8) + [0x94] + Array(";2\n".utf8)
    let r = try load(bytes)
    XCTAssertEqual(r.table.columnNames, ["nom", "prix"])
    XCTAssertEqual(values(r.table, "nom"), [.text("Café"), .text("Œuvre “x”")])
    XCTAssertEqual(values(r.table, "prix"), [.text("€ 5"), .text("2")])
    XCTAssertEqual(r.notices, ["file is not valid UTF-8: read as Windows-1252"])
  }

  func testMostlyUTF8WithStrayBytes() throws {
    // UTF-8 "é" and "€" plus one Windows-1252 "é" (0xE9), and a BOM.
    let bytes = [0xEF, 0xBB, 0xBF] + Array("nom\nété\n€\nCaf".utf8) + [0xE9] + Array("\n".utf8)
    let r = try load(bytes)
    XCTAssertEqual(r.table.columnNames, ["nom"])
    XCTAssertEqual(values(r.table, "nom"), [.text("été"), .text("€"), .text("Café")])
    XCTAssertEqual(r.notices, ["file is not valid UTF-8: 1 byte read as Windows-1252, the rest as UTF-8"])
  }

  func testForcedEncodings() throws {
    let bytes = Array("nom\nCaf".utf8) + [0xE9] + Array("\n".utf8)
    let r = try load(bytes) { $0.encoding = "latin-1" }
    XCTAssertEqual(values(r.table, "nom"), [.text("Café")])
    XCTAssertEqual(r.notices, [])
    let e = csvError(bytes) { $0.encoding = "utf-8" }
    XCTAssertEqual(e?.line, 2)
    XCTAssertEqual(e?.column, 4)
    XCTAssertEqual(csvError("a\n1\n") { $0.encoding = "ebcdic" }?.line, 0)
    // Valid UTF-8 read as windows-1252 on request is transcoded byte by byte.
    let mojibake = try load("nom\nCafé\n") { $0.encoding = "windows-1252" }
    XCTAssertEqual(values(mojibake.table, "nom"), [.text("CafÃ©")])
  }

  func testUTF16WithBOM() throws {
    var bytes: [UInt8] = [0xFF, 0xFE]
    for u in "a\tb\n1\tété\n".utf16 { bytes += [UInt8(u & 0xFF), UInt8(u >> 8)] }
    let r = try load(bytes)
    XCTAssertEqual(r.table.columnNames, ["a", "b"])
    XCTAssertEqual(values(r.table, "b"), [.text("été")])
    XCTAssertEqual(r.notices.count, 1)
  }

  // MARK: types

  func testDecimalComma() throws {
    let t = try table("x;y;n\n12,5;1,5E3;1\n-0,5;12;2\n;,25;3\n")
    XCTAssertEqual(types(t), [.float, .float, .int])
    XCTAssertEqual(values(t, "x"), [.float(12.5), .float(-0.5), .null])
    XCTAssertEqual(values(t, "y"), [.float(1500), .float(12), .float(0.25)])
    // Decimal points still work in ";" files; mixed marks give text.
    let u = try table("x;y\n1.5;1,5\n2;2.5\n")
    XCTAssertEqual(types(u), [.float, .text])
    // "," files never read decimal commas unless asked.
    let v = try table("x,y\n\"1,5\",2\n")
    XCTAssertEqual(types(v), [.text, .int])
    // Forced decimal ".": comma values are text.
    let w = try table("x;y\n1,5;2\n") { $0.decimal = UInt8(ascii: ".") }
    XCTAssertEqual(types(w), [.text, .int])
  }

  func testFloatForms() throws {
    let t = try table("v\n1.5\n2e6\n-0.25\n.5\n3\n-1E-3\n+4.\n")
    XCTAssertEqual(types(t), [.float])
    XCTAssertEqual(values(t, "v"), [1.5, 2e6, -0.25, 0.5, 3, -1e-3, 4].map { .float($0) })
  }

  func testLeadingZeroCodesStayText() throws {
    let t = try table("insee,dep,cp,siren,reg,zero,frac\n01001,01,01400,200069193,84,0,0.5\n2A004,2A,20000,210100012,94,1,-0.5\n97101,971,97100,249710047,01,2,1\n")
    XCTAssertEqual(types(t), [.text, .text, .text, .text, .text, .int, .float])
    XCTAssertEqual(values(t, "insee"), [.text("01001"), .text("2A004"), .text("97101")])
    XCTAssertEqual(values(t, "dep"), [.text("01"), .text("2A"), .text("971")])
    XCTAssertEqual(values(t, "cp"), [.text("01400"), .text("20000"), .text("97100")])
    XCTAssertEqual(values(t, "reg"), [.text("84"), .text("94"), .text("01")])
    XCTAssertEqual(values(t, "siren"), [.text("200069193"), .text("210100012"), .text("249710047")])
    // A leading zero anywhere in the column decides, even late.
    var rows = "n\n"
    for i in 1...5000 { rows += "\(i)\n" }
    rows += "007\n"
    XCTAssertEqual(types(try table(rows)), [.text])
    XCTAssertEqual(types(try table("x\n01.5\n2\n")), [.text])
  }

  func testIdentifierColumnsStayTextByName() throws {
    // SIRENs and metropolitan région codes have no leading zero: their names say they are codes.
    let csv = "code_region,epci_siren,SIREN,CODGEO,DEP,nb_communes,population,codes_postaux,id,decode_rate\n"
      + "11,200054781,123456789,75056,75,10,2000,75001,1,3\n24,200066389,987654321,69123,69,20,3000,69001,2,4\n"
    let t = try table(csv)
    XCTAssertEqual(types(t), [.text, .text, .text, .text, .text, .int, .int, .text, .int, .int])
    XCTAssertEqual(values(t, "epci_siren"), [.text("200054781"), .text("200066389")])
    // Floats are never codes; forcing a type wins.
    XCTAssertEqual(types(try table("code,x\n1.5,1\n2,2\n")), [.float, .int])
    let forced = try table(csv) { $0.types = ["epci_siren": .int] }
    XCTAssertEqual(values(forced, "epci_siren"), [.int(200_054_781), .int(200_066_389)])
    XCTAssertTrue(looksLikeCodeName("code_insee_2026"))
    XCTAssertTrue(looksLikeCodeName("siren_epci_2018"))
    XCTAssertTrue(looksLikeCodeName("CODCOM"))
    XCTAssertFalse(looksLikeCodeName("nb_communes"))
    XCTAssertFalse(looksLikeCodeName("codex"))
    XCTAssertFalse(looksLikeCodeName("departement_pop"))
  }

  func testInt64BoundsAndOverflow() throws {
    let t = try table("a,b,c\n9223372036854775807,-9223372036854775808,1\n1,2,9223372036854775808\n")
    XCTAssertEqual(types(t), [.int, .int, .float])
    XCTAssertEqual(values(t, "a"), [.int(Int64.max), .int(1)])
    XCTAssertEqual(values(t, "b"), [.int(Int64.min), .int(2)])
    XCTAssertEqual(values(t, "c"), [.float(1), .float(9223372036854775808.0)])
    let big = try table("x\n123456789012345678901234567890\n")
    XCTAssertEqual(values(big, "x"), [.float(123456789012345678901234567890.0)])
  }

  func testBoolColumns() throws {
    let t = try table("a,b,c\ntrue,TRUE,1\nFalse,x,0\n")
    XCTAssertEqual(types(t), [.bool, .text, .int])
    XCTAssertEqual(values(t, "a"), [.bool(true), .bool(false)])
  }

  func testNulls() throws {
    let t = try table("a,b,c\n1,NA,x\n2,s,nd\n,n.d.,N/A\n   ,null,y\n5,3,\n")
    XCTAssertEqual(types(t), [.int, .int, .text])
    XCTAssertEqual(values(t, "a"), [.int(1), .int(2), .null, .null, .int(5)])
    XCTAssertEqual(values(t, "b"), [.null, .null, .null, .null, .int(3)])
    XCTAssertEqual(values(t, "c"), [.text("x"), .null, .null, .text("y"), .null])
    XCTAssertEqual(t.columns[0].nullCount, 2)
    // Markers are exact: "Na" and " NA" are values.
    XCTAssertEqual(values(try table("c\nNa\n NA\n"), "c"), [.text("Na"), .text(" NA")])
    // Custom nulls replace the default ones.
    let u = try table("a,b\n-,s\n1,\n") { $0.nulls = ["-"] }
    XCTAssertEqual(values(u, "a"), [.null, .int(1)])
    XCTAssertEqual(values(u, "b"), [.text("s"), .text("")])
    // All-null column: text.
    let v = try table("a,b\n1,\n2,NA\n")
    XCTAssertEqual(types(v), [.int, .text])
    XCTAssertEqual(values(v, "b"), [.null, .null])
  }

  func testSpacesAroundNumbers() throws {
    let t = try table("a,b\n 1 , 2.5\n2,3\n")
    XCTAssertEqual(values(t, "a"), [.int(1), .int(2)])
    XCTAssertEqual(values(t, "b"), [.float(2.5), .float(3)])
  }

  func testForcedTypes() throws {
    let t = try table("code,n,x,flag\n01001,1,2,1\n01002,2,3.5,false\n") {
      $0.types = ["code": .int, "n": .float, "x": .text, "flag": .bool]
    }
    XCTAssertEqual(types(t), [.int, .float, .text, .bool])
    XCTAssertEqual(values(t, "code"), [.int(1001), .int(1002)])
    XCTAssertEqual(values(t, "n"), [.float(1), .float(2)])
    XCTAssertEqual(values(t, "x"), [.text("2"), .text("3.5")])
    XCTAssertEqual(values(t, "flag"), [.bool(true), .bool(false)])
    // A forced type keeps nulls.
    let u = try table("a;b\n1,5;NA\n;2\n") { $0.types = ["a": .float, "b": .int] }
    XCTAssertEqual(values(u, "a"), [.float(1.5), .null])
    XCTAssertEqual(values(u, "b"), [.null, .int(2)])
  }

  func testForcedTypeErrors() {
    var e = csvError("a,b\n1,2\n3,x\n") { $0.types = ["b": .int] }
    XCTAssertEqual(e?.line, 3)
    XCTAssertEqual(e?.column, 3)
    XCTAssertTrue(e?.message.contains("\"x\"") ?? false, e?.message ?? "")
    XCTAssertTrue(e?.message.contains("int") ?? false)
    e = csvError("a;b\n1;1.5\n2;\"2,5\"\n") { $0.types = ["b": .float] }
    XCTAssertEqual(e?.line, 3)
    XCTAssertEqual(e?.column, 3)
    e = csvError("a,b\n1,2\n") { $0.types = ["nope": .int] }
    XCTAssertEqual(e?.line, 0)
    XCTAssertTrue(e?.message.contains("nope") ?? false)
  }

  // MARK: malformed files

  func testRaggedRowIsAnError() {
    let e = csvError("a,b\n1,2\n3,4,5\n6,7\n")
    XCTAssertEqual(e?.line, 3)
    XCTAssertEqual(e?.column, 5)
    XCTAssertEqual(e?.path, "t.csv")
    XCTAssertTrue(e?.message.contains("3 fields, expected 2") ?? false, e?.message ?? "")
    XCTAssertEqual(e?.description.hasPrefix("t.csv:3:5: "), true)
    let short = csvError("a,b,c\n1,2,3\n\"x\ny\",4\n")
    XCTAssertEqual(short?.line, 4)
    XCTAssertEqual(short?.column, 5)
    // Columns count characters, not bytes.
    let accented = csvError("a,b\né,è,x\n")
    XCTAssertEqual(accented?.line, 2)
    XCTAssertEqual(accented?.column, 5)
  }

  func testSkipBadRows() throws {
    let r = try load("a,b\n1,2\n3,4,5\n6,7\n8\n") { $0.skipBadRows = true }
    XCTAssertEqual(r.table.rowCount, 2)
    XCTAssertEqual(values(r.table, "a"), [.int(1), .int(6)])
    XCTAssertEqual(r.notices, ["skipped 2 malformed rows (lines 3, 5)"])
  }

  func testSkippedRowsDoNotInfluenceTypes() throws {
    let r = try load("a,b\n1,2\nx,4,5\n6,7\n") { $0.skipBadRows = true }
    XCTAssertEqual(types(r.table), [.int, .int])
  }

  func testUnterminatedQuote() {
    let e = csvError("a,b\n1,2\n3,\"abc\n4,5\n")
    XCTAssertEqual(e?.line, 3)
    XCTAssertEqual(e?.column, 3)
    XCTAssertTrue(e?.message.contains("unterminated quote") ?? false)
  }

  func testUnterminatedQuoteSkipped() throws {
    let r = try load("a,b\n1,2\n3,\"abc\n4,5\n") { $0.skipBadRows = true }
    XCTAssertEqual(values(r.table, "a"), [.int(1), .int(4)])
    XCTAssertEqual(r.notices, ["skipped 1 malformed row (line 3)"])
  }

  func testEmptyFile() {
    XCTAssertEqual(csvError("")?.message, "empty file")
    XCTAssertEqual(csvError("\n\r\n")?.message, "empty file")
    XCTAssertEqual(csvError([0xEF, 0xBB, 0xBF])?.message, "empty file")
    XCTAssertEqual(csvError("")?.line, 0)
  }

  func testHeaderOnly() throws {
    let t = try table("a,b,c\n")
    XCTAssertEqual(t.rowCount, 0)
    XCTAssertEqual(t.columnNames, ["a", "b", "c"])
    XCTAssertEqual(types(t), [.text, .text, .text])
    let u = try table("a,b") { $0.types = ["a": .int] }
    XCTAssertEqual(types(u), [.int, .text])
    XCTAssertEqual(u.rowCount, 0)
  }

  func testDuplicateAndEmptyHeaders() throws {
    let r = try load("col,col,,b,col\n1,2,3,4,5\n")
    XCTAssertEqual(r.table.columnNames, ["col", "col_2", "column3", "b", "col_3"])
    XCTAssertEqual(r.notices.count, 1)
    XCTAssertTrue(r.notices[0].contains("col_2") && r.notices[0].contains("column3"), r.notices[0])
    // A generated name never collides with a real one.
    let t = try table("a,a,a_2\n1,2,3\n")
    XCTAssertEqual(t.columnNames, ["a", "a_3", "a_2"])
    let u = try table(" x , y \n1,2\n")
    XCTAssertEqual(u.columnNames, ["x", "y"])
  }

  // MARK: files, cancellation, interning

  func testFileErrors() throws {
    do {
      _ = try loadCSV(path: "/nonexistent/x.csv", options: LoadOptions())
      XCTFail("loaded a missing file")
    } catch let e as LoadError {
      XCTAssertEqual(e.line, 0)
      XCTAssertEqual(e.message, "cannot open \"/nonexistent/x.csv\": no such file")
      XCTAssertEqual(e.description, "cannot open \"/nonexistent/x.csv\": no such file")
    }
    let dir = FileManager.default.temporaryDirectory.path
    XCTAssertThrowsError(try loadCSV(path: dir, options: LoadOptions())) { error in
      XCTAssertTrue((error as? LoadError)?.message.contains("directory") ?? false, "\(error)")
    }
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("terrain-csv-\(getpid()).csv").path
    try "a;b\n1;2,5\n".write(toFile: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: file) }
    let t = try loadCSV(path: file, options: LoadOptions()).table
    XCTAssertEqual(values(t, "b"), [.float(2.5)])
    chmod(file, 0)
    if access(file, R_OK) != 0 {  // root reads anything
      XCTAssertThrowsError(try loadCSV(path: file, options: LoadOptions())) { error in
        XCTAssertEqual((error as? LoadError)?.message, "cannot open \"\(file)\": permission denied")
      }
    }
  }

  func testCancellation() {
    var csv = "a,b\n"
    for i in 0..<20000 { csv += "\(i),x\n" }
    let flag = CancellationFlag()
    flag.cancel()
    let bytes = Array(csv.utf8)
    XCTAssertThrowsError(
      try bytes.withUnsafeBytes { try loadCSV(bytes: $0, name: "t", options: LoadOptions(), cancel: flag) }
    ) { error in
      XCTAssertTrue(error is CancelledError)
    }
  }

  func testTextIsInterned() throws {
    var csv = "v,n\n"
    for i in 0..<10000 { csv += "\(["Paris", "Lyon", "Marseille"][i % 3]),\(i)\n" }
    let t = try table(csv)
    guard case .text(let codes, let dictionary) = t.columns[0].values else { return XCTFail("not text") }
    XCTAssertEqual(dictionary.count, 3)
    XCTAssertEqual(codes[0], codes[3])
    XCTAssertEqual(t.rowCount, 10000)
  }

  func testTextValuesSurviveTheCodeCache() throws {
    // Short and long values, more distinct values than the cache holds, quoted values.
    var csv = "short,long,many,quoted\n"
    var expected: [[String]] = []
    for i in 0..<300_000 {
      let row = [
        "v\(i % 37)", "une valeur assez longue, numéro \(i % 50)", "k\((i &* 7919) % 200_000)", "q\"\(i % 3)",
      ]
      expected.append(row)
      csv += "\(row[0]),\"\(row[1])\",\(row[2]),\"q\"\"\(i % 3)\"\n"
    }
    let t = try table(csv)
    XCTAssertEqual(t.rowCount, 300_000)
    for (k, c) in t.columns.enumerated() {
      guard case .text(let codes, let dictionary) = c.values else { return XCTFail("not text") }
      var wrong = 0
      for i in 0..<t.rowCount where dictionary.string(Int(codes[i])) != expected[i][k] { wrong += 1 }
      XCTAssertEqual(wrong, 0, t.columnNames[k])
      XCTAssertEqual(dictionary.count, Set(expected.map { $0[k] }).count, t.columnNames[k])
    }
  }

  func testWideFile() throws {
    let columns = 1500
    var csv = (0..<columns).map { "c\($0)" }.joined(separator: ";") + "\n"
    for r in 0..<40 { csv += (0..<columns).map { "\(r * $0),5" }.joined(separator: ";") + "\n" }
    let t = try table(csv)
    XCTAssertEqual(t.fields.count, columns)
    XCTAssertEqual(t.rowCount, 40)
    XCTAssertTrue(t.fields.allSatisfy { $0.type == .float })
    XCTAssertEqual(t.column("c1499")?.value(at: 39), .float(39 * 1499 + 0.5))
  }

  func testManyRowsAcrossCheckpoints() throws {
    var csv = "i,x,s\n"
    var expected: Int64 = 0
    for i in 0..<150_000 {
      csv += i % 1000 == 7 ? "\(i),,\"q\"\"\(i % 5)\"\n" : "\(i),\(Double(i) / 4),t\(i % 5)\n"
      expected += Int64(i)
    }
    let r = try load(csv)
    let t = r.table
    XCTAssertEqual(t.rowCount, 150_000)
    XCTAssertEqual(types(t), [.int, .float, .text])
    guard case .int(let ints) = t.columns[0].values else { return XCTFail("not int") }
    XCTAssertEqual(ints.buffer.reduce(0, +), expected)
    XCTAssertEqual(t.columns[1].nullCount, 150)
    XCTAssertEqual(t.columns[1].value(at: 149_999), .float(149_999.0 / 4))
    XCTAssertEqual(t.columns[2].value(at: 1007), .text("q\"2"))
  }

  // MARK: number parsing

  func testFloatParsingMatchesSwift() {
    var rng = SystemRandomNumberGenerator()
    var samples: [String] = [
      "0", "-0", "0.0", "-0.0", "1", "0.1", "0.2", "0.3", "1e22", "1e23", "9007199254740993",
      "9007199254740992", "123456789012345678", "1.7976931348623157e308", "2.2250738585072014e-308",
      "4.9e-324", "1e-400", "1e400", "353.730434782608", "12345678901234567890.5", "0.000000000000000000001",
      "3.14159265358979323846", "5e-22", "5e-23", "123456789012345e10", "1.5E3", "+2.5", "00000.5e1",
    ]
    for _ in 0..<20000 {
      let intDigits = Int.random(in: 0...12, using: &rng)
      let fracDigits = Int.random(in: intDigits == 0 ? 1...12 : 0...12, using: &rng)
      var s = Bool.random(using: &rng) ? "-" : ""
      for _ in 0..<intDigits { s += String(Int.random(in: 0...9, using: &rng)) }
      if fracDigits > 0 || Bool.random(using: &rng) { s += "." }
      for _ in 0..<fracDigits { s += String(Int.random(in: 0...9, using: &rng)) }
      if Int.random(in: 0..<4, using: &rng) == 0 { s += "e\(Int.random(in: -40...40, using: &rng))" }
      samples.append(s)
    }
    for s in samples {
      // Beyond the float range is not a number terrain holds (nil, tested below).
      guard let expected = Double(s), expected.isFinite else { continue }
      var bytes = Array(s.utf8)
      let got = bytes.withUnsafeMutableBufferPointer { b -> Double? in
        guard let base = b.baseAddress else { return nil }
        return parseDouble(base, b.count, decimal: UInt8(ascii: "."))
      }
      XCTAssertEqual(got?.bitPattern, expected.bitPattern, s)
      // The same with a decimal comma.
      bytes = Array(s.replacingOccurrences(of: ".", with: ",").utf8)
      let comma = bytes.withUnsafeMutableBufferPointer { b -> Double? in
        guard let base = b.baseAddress else { return nil }
        return parseDouble(base, b.count, decimal: UInt8(ascii: ","))
      }
      XCTAssertEqual(comma?.bitPattern, expected.bitPattern, s)
      // The plain-decimal fast path: the same value or nil, never another one, and nil on a
      // leading zero (the value's shape is then inference's to judge).
      for (text, mark) in [(s, UInt8(ascii: ".")), (s.replacingOccurrences(of: ".", with: ","), UInt8(ascii: ","))] {
        var plain = Array(text.utf8)
        let fast = plain.withUnsafeMutableBufferPointer { b -> Double? in
          guard let base = b.baseAddress else { return nil }
          return parsePlainDecimal(base, b.count, decimal: mark)
        }
        if let fast { XCTAssertEqual(fast.bitPattern, expected.bitPattern, text) }
        let digits = text.drop { $0 == "-" }
        if digits.count > 1 && digits.first == "0" && digits.dropFirst().first?.isNumber == true { XCTAssertNil(fast, text) }
        let simple = text.allSatisfy { $0.isNumber || $0 == "-" || $0 == Character(Unicode.Scalar(mark)) }
          && text.filter(\.isNumber).count <= 15 && !text.hasPrefix("0") && !text.hasPrefix("-0")
          && text.last?.isNumber == true && text.drop { $0 == "-" }.first?.isNumber == true
        if simple { XCTAssertNotNil(fast, text) }
      }
    }
  }

  func testRandomQuotedFilesRoundTrip() throws {
    // Files written with RFC 4180 quoting read back to exactly the fields written.
    var rng = SystemRandomNumberGenerator()
    let pieces = ["a", "é", "€", ",", ";", "\"", "\n", "\r\n", " ", "1", "0", "x y", "NA", ""]
    for round in 0..<200 {
      let columns = Int.random(in: 2...5, using: &rng)
      let rows = Int.random(in: 1...30, using: &rng)
      let lineEnd = round % 2 == 0 ? "\n" : "\r\n"
      var expected: [[String]] = []
      var csv = ""
      for _ in 0..<rows {
        var row: [String] = []
        for _ in 0..<columns {
          var field = ""
          for _ in 0..<Int.random(in: 0...4, using: &rng) {
            field += pieces[Int.random(in: 0..<pieces.count, using: &rng)]
          }
          row.append(field)
        }
        expected.append(row)
        csv += row.map { f in
          // (bytes, not Characters: "\r\n" is one Character)
          f.utf8.contains(where: { [10, 13, 34, 44].contains($0) }) || f.hasPrefix(" ")
            ? "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : f
        }.joined(separator: ",") + lineEnd
      }
      let t = try table(csv) {
        $0.separator = UInt8(ascii: ",")
        $0.header = false
        $0.nulls = []
        $0.types = Dictionary(uniqueKeysWithValues: (1...columns).map { ("column\($0)", DataType.text) })
      }
      XCTAssertEqual(t.rowCount, rows, csv)
      for (k, c) in t.columns.enumerated() {
        XCTAssertEqual((0..<c.count).map { c.value(at: $0) }, expected.map { .text($0[k]) }, csv)
      }
    }
  }

  func testMalformedInputsNeverCrash() throws {
    // Short random byte strings: the reader either loads or throws a LoadError.
    var rng = SystemRandomNumberGenerator()
    let alphabet: [UInt8] = Array("a1,;\"\n\r .-e0|\t".utf8) + [0xC3, 0xA9, 0xFF, 0x80]
    for _ in 0..<3000 {
      let n = Int.random(in: 0...40, using: &rng)
      let bytes = (0..<n).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] }
      do {
        let r = try load(bytes) { $0.skipBadRows = Bool.random(using: &rng) }
        for c in r.table.columns { XCTAssertEqual(c.count, r.table.rowCount) }
      } catch is LoadError {
      }
    }
  }

  /// A number beyond the float range is not a float terrain holds (as "inf" and "nan" are
  /// not): loading stops with an error at the field rather than reading it as null.
  func testNumbersBeyondTheFloatRangeAreErrors() throws {
    let e = csvError("x,y\n1.5,2\n3,4\n-2e308,4\n")
    XCTAssertEqual(e?.line, 4, e.map { "\($0)" } ?? "no error")
    XCTAssertEqual(e?.column, 1)
    XCTAssertTrue(e?.message.contains("float range") ?? false, e?.message ?? "")
    XCTAssertTrue(e?.message.contains("`x`") ?? false, e?.message ?? "")
    let ok = try table("x\n1.5\n1.7e308\n")
    XCTAssertEqual(values(ok, "x"), [.float(1.5), .float(1.7e308)])
    let forced = csvError("x\n1.5\n1e400\n") { $0.types = ["x": .float] }
    XCTAssertEqual(forced?.line, 3, forced.map { "\($0)" } ?? "no error")
  }

  // MARK: skip, digit groups, the one-column warning

  func testSkipJumpsTitleLines() throws {
    let text = "Couverture FttH\r\nSource : ARCEP, 2024\n\n\"a;b\" (note)\ncode;n\n01001;12\n01002;3\n"
    let t = try table(text) { $0.skip = 4 }
    XCTAssertEqual(t.fields.map(\.name), ["code", "n"])
    XCTAssertEqual(values(t, "n"), [.int(12), .int(3)])
    XCTAssertEqual(values(t, "code"), [.text("01001"), .text("01002")])
    // Errors keep counting lines from the top of the file.
    let e = csvError("titre\na,b\n1,2\n3\n") { $0.skip = 1 }
    XCTAssertEqual(e?.line, 4)
    let past = csvError("titre\na,b\n") { $0.skip = 2 }
    XCTAssertEqual(past?.message, "`skip = 2` skips every line of the file")
  }

  func testDigitGroupsWithSpacesAreSniffed() throws {
    // Space, no-break space (U+00A0) and narrow no-break space (U+202F) between groups.
    let text = "commune;population;surface\nA;1 234;12,5\nB;12\u{00A0}345\u{00A0}678;1\u{202F}234,75\nC;987;3\n"
    let r = try load(text)
    XCTAssertEqual(types(r.table), [.text, .int, .float])
    XCTAssertEqual(values(r.table, "population"), [.int(1234), .int(12_345_678), .int(987)])
    XCTAssertEqual(values(r.table, "surface"), [.float(12.5), .float(1234.75), .float(3)])
    XCTAssertEqual(r.notices, ["numbers written with digit groups (1 234) read as numbers in: population, surface"])
  }

  func testTextThatOnlyLooksGroupedStaysText() throws {
    // Wrong group sizes, a leading zero, words: text, untouched.
    let t = try table("a;b;c\n12 34;01 234;1 234 rue\n5;6;7\n")
    XCTAssertEqual(types(t), [.text, .text, .text])
    XCTAssertEqual(values(t, "a"), [.text("12 34"), .text("5")])
    // A code column keeps its spaces too (its name says it is a code).
    let siren = try table("siren;n\n200 069 193;1\n")
    XCTAssertEqual(values(siren, "siren"), [.text("200 069 193")])
  }

  func testAnExplicitThousandsSeparator() throws {
    let t = try table("a;b\n1.234;1.234.567,5\n12;3\n") { $0.thousands = "." }
    XCTAssertEqual(types(t), [.int, .float])
    XCTAssertEqual(values(t, "a"), [.int(1234), .int(12)])
    XCTAssertEqual(values(t, "b"), [.float(1_234_567.5), .float(3)])
    let apostrophe = try table("a\n1'234'000\n") { $0.thousands = "'" }
    XCTAssertEqual(values(apostrophe, "a"), [.int(1_234_000)])
    let clash = csvError("a;b\n1,5;2\n") {
      $0.thousands = ","
      $0.decimal = UInt8(ascii: ",")
    }
    XCTAssertEqual(clash?.entry.id, DiagnosticMessage.thousandsClash.id)
  }

  func testDigitGroupsInALargeFileAreReadOnBothLanes() throws {
    var text = "n;x\n"
    for i in 0..<300_000 { text += "\(i % 7 == 0 ? "1 000 000" : String(i));\(i)\n" }
    let t = try table(text)
    XCTAssertEqual(t.fields.map(\.type), [.int, .int])
    let v = values(t, "n")
    XCTAssertEqual(v[0], .int(1_000_000))
    XCTAssertEqual(v[299_998], .int(299_998))
    XCTAssertEqual(v[299_992], .int(1_000_000))
  }

  func testOneColumnWithAnotherSeparatorInItsHeaderWarns() throws {
    let r = try load("REG;Région;DEP\n84;Auvergne;01\n") { $0.separator = UInt8(ascii: ",") }
    XCTAssertEqual(r.table.fields.count, 1)
    XCTAssertEqual(r.notices, ["warning: one column only, but the first line holds \";\": is the separator \";\"? (`with (sep = …)`)"])
    XCTAssertEqual(try load("nom\nAlès\n").notices, [], "a real one-column file says nothing")
  }
}
