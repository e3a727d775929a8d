import Foundation
import XCTest

import TerrainEngine
import TerrainExecution
import TerrainIO
import TerrainPlanner
import TerrainStorage
import TerrainSyntax

final class ExportTests: XCTestCase {
  var dir: URL = FileManager.default.temporaryDirectory

  override func setUpWithError() throws {
    dir = try TestSupport.temporaryFolder("terrain-export", for: self)
  }

  func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

  func bytes(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: dir.appendingPathComponent(name))) }

  func text(_ name: String) throws -> String { String(decoding: try bytes(name), as: UTF8.self) }

  /// Files in the test folder (temporary files are dot files, so list everything).
  func folderContents() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
  }

  func excelFr() -> ExportOptions {
    var o = ExportOptions()
    o.dialect = "excel-fr"
    return o
  }

  // MARK: formats

  func testDefaultCSV() throws {
    let n = try exportTable(sampleTable(), to: path("out.csv"), options: ExportOptions())
    XCTAssertEqual(n, 5)
    XCTAssertEqual(try text("out.csv"), render(sampleTable(), options: options(.csv)))
    XCTAssertEqual(Array(try bytes("out.csv").prefix(3)), Array("nom".utf8))  // no BOM
    XCTAssertEqual(try folderContents(), ["out.csv"])
  }

  func testExcelFrBytes() throws {
    let t = Table(
      names: ["nom", "taux", "n"],
      columns: [
        Column.from([.text("Alès; \"centre\""), .text("ligne\nsuite"), .null], type: .text),
        Column.from([.float(12.5), .float(-0.25), .float(3)], type: .float),
        Column.from([.int(1000), .null, .int(-7)], type: .int),
      ])
    XCTAssertEqual(try exportTable(t, to: path("fr.csv"), options: excelFr()), 3)
    let b = try bytes("fr.csv")
    XCTAssertEqual(Array(b.prefix(3)), [0xEF, 0xBB, 0xBF])
    XCTAssertEqual(
      String(decoding: b.dropFirst(3), as: UTF8.self),
      "nom;taux;n\r\n\"Alès; \"\"centre\"\"\";12,5;1000\r\n\"ligne\nsuite\";-0,25;\r\n;3,0;-7\r\n")
  }

  func testExcelFrReadBackByPython() throws {
    guard let python = findPython() else { throw XCTSkip("python3 not found") }
    let awkward = [
      "Alès", "Saint-Étienne, \"la\" ville", "a;b", "ligne1\nligne2", "  espaces  ", "", "東京", "tab\there", "x\r\ny",
    ]
    let t = Table(
      names: ["texte", "valeur", "entier", "ok"],
      columns: [
        Column.from(awkward.map { .text($0) } + [.null], type: .text),
        Column.from((0..<awkward.count + 1).map { $0 == 3 ? .null : .float(Double($0) * 1.25 - 2) }, type: .float),
        Column.from((0..<awkward.count + 1).map { .int(Int64($0) * 100_000) }, type: .int),
        Column.from((0..<awkward.count + 1).map { .bool($0 % 2 == 0) }, type: .bool),
      ])
    XCTAssertEqual(try exportTable(t, to: path("fr.csv"), options: excelFr()), awkward.count + 1)
    let script = """
      import csv, json, sys
      with open(sys.argv[1], newline='', encoding='utf-8-sig') as f:
          rows = list(csv.reader(f, delimiter=';'))
      print(json.dumps(rows))
      """
    let out = try runProcess(python, ["-c", script, path("fr.csv")])
    let rows = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String]]
    var expected = [["texte", "valeur", "entier", "ok"]]
    for i in 0..<(awkward.count + 1) {
      let valeur = i == 3 ? "" : formatFloat(Double(i) * 1.25 - 2).replacingOccurrences(of: ".", with: ",")
      expected.append([i < awkward.count ? awkward[i] : "", valeur, String(i * 100_000), i % 2 == 0 ? "true" : "false"])
    }
    XCTAssertEqual(rows, expected)
  }

  func testCSVReadBackByPython() throws {
    guard let python = findPython() else { throw XCTSkip("python3 not found") }
    XCTAssertEqual(try exportTable(sampleTable(), to: path("s.csv"), options: ExportOptions()), 5)
    let out = try runProcess(
      python,
      [
        "-c",
        "import csv,json,sys; print(json.dumps(list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8')))))",
        path("s.csv"),
      ])
    let rows = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String]]
    XCTAssertEqual(
      rows,
      [
        ["nom", "pop", "part", "ok", "code"],
        ["Alès", "1411571", "-0.0", "true", "01001"],
        ["Saint-Étienne, \"la\" ville", "2024", "1e-05", "false", ""],
        ["", "", "123456.5", "", " x "],
        ["ligne1\nligne2", "-74925", "", "true", ""],
        ["東京", "0", "12.5", "false", "a|b"],
      ])
  }

  func testOptionsOverrideDialect() throws {
    var o = excelFr()
    o.separator = UInt8(ascii: ",")
    o.bom = false
    o.null = "NA"
    let t = Table(
      names: ["a", "b"],
      columns: [Column.from([.float(12.5), .null], type: .float), Column.from([.text("x"), .null], type: .text)])
    _ = try exportTable(t, to: path("o.csv"), options: o)
    XCTAssertEqual(try text("o.csv"), "a,b\r\n\"12,5\",x\r\nNA,NA\r\n")

    var plain = ExportOptions()
    plain.header = false
    plain.separator = UInt8(ascii: "|")
    plain.crlf = false
    plain.decimalComma = true
    _ = try exportTable(t, to: path("p.csv"), options: plain)
    XCTAssertEqual(try text("p.csv"), "12,5|x\n|\n")
  }

  func testTSVExport() throws {
    let t = Table(
      names: ["a", "b"],
      columns: [
        Column.from([.text("tab\there"), .text("line\nbreak"), .null], type: .text),
        Column.from([.float(1.5), .null, .float(-2)], type: .float),
      ])
    _ = try exportTable(t, to: path("x.tsv"), options: ExportOptions())
    XCTAssertEqual(try text("x.tsv"), "a\tb\ntab\\there\t1.5\nline\\nbreak\t\n\t-2.0\n")
    // excel-fr keeps the tab but takes the rest.
    _ = try exportTable(t, to: path("y.TSV"), options: excelFr())
    XCTAssertEqual(try bytes("y.TSV"), [0xEF, 0xBB, 0xBF] + Array("a\tb\r\ntab\\there\t1,5\r\nline\\nbreak\t\r\n\t-2,0\r\n".utf8))
  }

  func testJSONAndMarkdownExport() throws {
    XCTAssertEqual(try exportTable(sampleTable(), to: path("x.json"), options: ExportOptions()), 5)
    XCTAssertEqual(try text("x.json"), render(sampleTable(), options: options(.json)))
    XCTAssertNotNil(try JSONSerialization.jsonObject(with: Data(try bytes("x.json"))) as? [[String: Any]])
    XCTAssertEqual(try exportTable(sampleTable(), to: path("x.md"), options: ExportOptions()), 5)
    XCTAssertEqual(try text("x.md"), render(sampleTable(), options: options(.markdown)))
    var o = ExportOptions()
    o.null = "–"
    o.decimalComma = true
    let t = Table(names: ["v"], columns: [Column.from([.float(1.5), .null], type: .float)])
    _ = try exportTable(t, to: path("y.markdown"), options: o)
    XCTAssertEqual(try text("y.markdown"), "|   v |\n|----:|\n| 1,5 |\n|   – |\n")
  }

  func testFormatFromExtension() throws {
    func name(_ p: String, _ o: ExportOptions = ExportOptions()) throws -> String { try exportFormat(for: p, options: o).name }
    XCTAssertEqual(try name("a/b.csv"), "csv")
    XCTAssertEqual(try name("b.TSV"), "tsv")
    XCTAssertEqual(try name("b.json"), "json")
    XCTAssertEqual(try name("b.md"), "markdown")
    XCTAssertEqual(try name("b.txt"), "csv")
    XCTAssertEqual(try name("/dev/null"), "csv", "a device gets CSV")
    var forced = ExportOptions()
    forced.format = "tsv"
    XCTAssertEqual(try name("b.dat", forced), "tsv")
    // Any other extension (or none) is an error listing the formats, never a CSV under a
    // misleading name.
    for bad in ["b", "dir.json/b", ".json", "b.xls", "b.csv.bak"] {
      XCTAssertThrowsError(try name(path(bad)), bad) {
        XCTAssertTrue("\($0)".contains("cannot tell the format"), "\($0)")
        let listed = "*" + FormatRegistry.standard.writableExtensions.replacingAll(" ", with: ", *")
        XCTAssertTrue(listed.hasPrefix("*.csv, *.tsv, *.md, *.json"))
        XCTAssertTrue("\($0)".contains(listed + ", or add `with (format = \"csv\")`"), "\($0)")
      }
    }
    XCTAssertThrowsError(try exportTable(sampleTable(), to: path("b.xls"), options: ExportOptions()))
    XCTAssertFalse(FileManager.default.fileExists(atPath: path("b.xls")))
  }

  // MARK: options

  func testOptionValidation() throws {
    var o = ExportOptions()
    o.dialect = "excel-de"
    XCTAssertThrowsError(try o.validate()) {
      XCTAssertEqual("\($0)", "unknown dialect \"excel-de\" (expected \"rfc4180\" or \"excel-fr\")")
    }
    o.dialect = "EXCEL-FR"
    XCTAssertNoThrow(try o.validate())
    o.dialect = "rfc4180"
    XCTAssertNoThrow(try o.validate())

    XCTAssertEqual(try ExportOptions.parseSeparator(";"), UInt8(ascii: ";"))
    XCTAssertEqual(try ExportOptions.parseSeparator("\t"), 9)
    XCTAssertEqual(try ExportOptions.parseSeparator("tab"), 9)
    XCTAssertEqual(try ExportOptions.parseSeparator("|"), UInt8(ascii: "|"))
    for bad in ["", ";;", "\"", "\n", "a", "1", "-", "é"] {
      XCTAssertThrowsError(try ExportOptions.parseSeparator(bad), "separator \(bad.debugDescription)") {
        XCTAssertTrue("\($0)".contains("sep"))
      }
    }
    XCTAssertEqual(try ExportOptions.parseDecimal(","), true)
    XCTAssertEqual(try ExportOptions.parseDecimal("."), false)
    XCTAssertThrowsError(try ExportOptions.parseDecimal(";"))

    var j = ExportOptions()
    j.separator = UInt8(ascii: ";")
    XCTAssertThrowsError(try j.validate(for: .json)) { XCTAssertTrue("\($0)".contains("`sep`")) }
    XCTAssertThrowsError(try j.validate(for: .tsv))
    XCTAssertNoThrow(try j.validate(for: .csv))
    var m = ExportOptions()
    m.header = false
    XCTAssertThrowsError(try m.validate(for: .markdown))

    // exportTable reports option errors as export errors naming the file, and writes nothing.
    XCTAssertThrowsError(try exportTable(sampleTable(), to: path("j.json"), options: j)) {
      let e = $0 as? ExportError
      XCTAssertEqual(e?.path, path("j.json"))
      XCTAssertTrue(e?.description.contains("does not apply to json files") ?? false)
    }
    XCTAssertEqual(try folderContents(), [])
  }

  // MARK: failures keep the previous file

  func testMissingFolder() throws {
    let p = dir.appendingPathComponent("missing/out.csv").path
    XCTAssertThrowsError(try exportTable(sampleTable(), to: p, options: ExportOptions())) {
      XCTAssertEqual("\($0)", "cannot write \(p): folder `\(dir.appendingPathComponent("missing").path)` does not exist")
    }
    XCTAssertEqual(try folderContents(), [])
  }

  func testFolderAsTarget() throws {
    try FileManager.default.createDirectory(at: dir.appendingPathComponent("sub.csv"), withIntermediateDirectories: true)
    XCTAssertThrowsError(try exportTable(sampleTable(), to: path("sub.csv"), options: ExportOptions())) {
      XCTAssertTrue("\($0)".hasSuffix("is a folder"))
    }
    XCTAssertEqual(try folderContents(), ["sub.csv"])
  }

  func testFailedWriteKeepsPreviousFile() throws {
    let previous = Array("previous version\n".utf8)
    try Data(previous).write(to: dir.appendingPathComponent("keep.csv"))
    // The third write of a 64-byte buffer fails, as on a full disk.
    XCTAssertThrowsError(
      try exportTable(
        numberedTable(10_000), to: path("keep.csv"), options: ExportOptions(), cancel: nil, bufferCapacity: 64,
        failAfterBytes: 150, afterWrite: nil)
    ) {
      XCTAssertEqual("\($0)", "cannot write \(path("keep.csv")): input/output error")
    }
    XCTAssertEqual(try bytes("keep.csv"), previous)
    XCTAssertEqual(try folderContents(), ["keep.csv"])
    // Same at the very last write.
    XCTAssertThrowsError(
      try exportTable(
        numberedTable(3), to: path("keep.csv"), options: ExportOptions(), cancel: nil, bufferCapacity: 1 << 20,
        failAfterBytes: 0, afterWrite: nil))
    XCTAssertEqual(try bytes("keep.csv"), previous)
    XCTAssertEqual(try folderContents(), ["keep.csv"])
  }

  func testCancellationMidwayKeepsPreviousFile() throws {
    let previous = Array("a,b\n1,2\n".utf8)
    for name in ["c.csv", "c.json"] {
      try Data(previous).write(to: dir.appendingPathComponent(name))
      let cancel = CancellationFlag()
      var written = 0
      XCTAssertThrowsError(
        try exportTable(
          numberedTable(300_000), to: path(name), options: ExportOptions(), cancel: cancel, bufferCapacity: 4096,
          failAfterBytes: nil,
          afterWrite: { bytes in
            written = bytes
            if bytes > 100_000 { cancel.cancel() }
          })
      ) {
        XCTAssertTrue($0 is CancelledError, "\($0)")
      }
      XCTAssertGreaterThan(written, 100_000)  // cancelled midway, after real writes
      XCTAssertEqual(try bytes(name), previous)
    }
    XCTAssertEqual(try folderContents(), ["c.csv", "c.json"])
    // Cancelled before starting: nothing written either.
    let cancel = CancellationFlag()
    cancel.cancel()
    XCTAssertThrowsError(try exportTable(numberedTable(10), to: path("new.csv"), options: ExportOptions(), cancel: cancel))
    XCTAssertEqual(try folderContents(), ["c.csv", "c.json"])
  }

  func testReplacesAndKeepsPermissions() throws {
    try Data("old\n".utf8).write(to: dir.appendingPathComponent("r.csv"))
    XCTAssertEqual(chmod(path("r.csv"), 0o640), 0)
    _ = try exportTable(numberedTable(2), to: path("r.csv"), options: ExportOptions())
    XCTAssertEqual(try text("r.csv"), "i,name\n0,row 0\n1,row 1\n")
    let attributes = try FileManager.default.attributesOfItem(atPath: path("r.csv"))
    XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o640)
    XCTAssertEqual(try folderContents(), ["r.csv"])
  }

  func testWritesThroughSymlink() throws {
    try Data("old\n".utf8).write(to: dir.appendingPathComponent("real.csv"))
    try FileManager.default.createSymbolicLink(atPath: path("link.csv"), withDestinationPath: path("real.csv"))
    _ = try exportTable(numberedTable(1), to: path("link.csv"), options: ExportOptions())
    XCTAssertEqual(try text("real.csv"), "i,name\n0,row 0\n")
    XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: path("link.csv")), path("real.csv"))
  }

  func testDeviceTargetIsWrittenDirectly() throws {
    XCTAssertEqual(try exportTable(numberedTable(1000), to: "/dev/null", options: ExportOptions()), 1000)
  }

  func testPermissionDenied() throws {
    if getuid() == 0 { throw XCTSkip("root ignores permissions") }
    let locked = dir.appendingPathComponent("locked")
    try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: true)
    XCTAssertEqual(chmod(locked.path, 0o555), 0)
    defer { chmod(locked.path, 0o755) }
    XCTAssertThrowsError(try exportTable(sampleTable(), to: locked.appendingPathComponent("x.csv").path, options: ExportOptions())) {
      XCTAssertTrue("\($0)".hasSuffix("permission denied"))
    }
  }

  func testLargeExportMatchesRender() throws {
    let t = numberedTable(200_000)
    XCTAssertEqual(try exportTable(t, to: path("big.csv"), options: ExportOptions()), 200_000)
    XCTAssertEqual(try text("big.csv"), render(t, options: options(.csv)))
  }

  // MARK: what an export may replace

  func testAReadOnlyFileIsNotReplaced() throws {
    try "old\n".write(toFile: path("ro.csv"), atomically: true, encoding: .utf8)
    XCTAssertEqual(chmod(path("ro.csv"), 0o444), 0)
    XCTAssertThrowsError(try exportTable(sampleTable(), to: path("ro.csv"), options: ExportOptions())) {
      XCTAssertTrue("\($0)".contains("the file is read-only: not replaced"), "\($0)")
    }
    XCTAssertEqual(try text("ro.csv"), "old\n")
    XCTAssertEqual(try folderContents(), ["ro.csv"], "no temporary file left")
  }

  func testTheDataFilesOfTheSessionAreNotReplaced() throws {
    let data = dir.appendingPathComponent("data")
    try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
    try "a\n1\n".write(to: data.appendingPathComponent("t.csv"), atomically: true, encoding: .utf8)
    let session = Session.shell()
    var err = ""
    session.notify = { err += $0 }
    session.write = { _ in }
    session.workingDirectory = dir.path
    _ = try session.registerDirectory(data.path)
    XCTAssertFalse(session.run("from t | derive b = a * 2 | export \"data/t.csv\"", name: "s.tq"))
    XCTAssertTrue(err.contains("\"data/t.csv\" is the data file of table `t`: export it elsewhere"), err)
    XCTAssertEqual(try String(contentsOf: data.appendingPathComponent("t.csv"), encoding: .utf8), "a\n1\n")
    // Beside it is fine.
    XCTAssertTrue(session.run("from t | export \"data/t2.csv\"", name: "s.tq"), err)
  }

  // MARK: helpers

  func findPython() -> String? {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
      let p = "\(dir)/python3"
      if FileManager.default.isExecutableFile(atPath: p) { return p }
    }
    return nil
  }

  func runProcess(_ executable: String, _ arguments: [String]) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    let pipe = Pipe()
    p.standardOutput = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    XCTAssertEqual(p.terminationStatus, 0)
    return String(decoding: data, as: UTF8.self)
  }
}
