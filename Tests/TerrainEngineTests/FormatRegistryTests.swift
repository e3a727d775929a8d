// The format registry as `load` and `export` use it: the format by option, content or
// extension; options a format does not read are errors at the option; replacing a table says so;
// an export never writes a CSV under a misleading name.

import Foundation
import XCTest

import TerrainEngine
import TerrainIO
import TerrainStorage

final class FormatRegistryTests: XCTestCase {
  var dir: URL!

  override func setUpWithError() throws {
    dir = try TestSupport.temporaryFolder("terrain-formats", for: self)
  }

  private func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

  /// Runs `script` in a new session (working directory: the test folder); returns whether it
  /// succeeded, what it printed and what it said (notices, errors).
  private func run(_ script: String, session: Session = Session.shell()) -> (ok: Bool, out: String, err: String) {
    var out = ""
    var err = ""
    session.write = { out += $0 }
    session.notify = { err += $0 }
    session.workingDirectory = dir.path
    let ok = session.run(script, name: "s.tq")
    return (ok, out, err)
  }

  func testTheFormatOptionForcesAReader() throws {
    try "a\tb\n1\t2\n".write(toFile: path("x.dat"), atomically: true, encoding: .utf8)
    let r = run("load \"x.dat\" with (format = \"tsv\")\nfrom x | select b")
    XCTAssertTrue(r.ok, r.err)
    XCTAssertTrue(r.out.contains("2"), r.out)
  }

  func testAnUnknownFormatListsTheReadableOnes() {
    let r = run("load \"x.dat\" with (format = \"xls\")")
    XCTAssertFalse(r.ok)
    XCTAssertTrue(r.err.contains("s.tq:1:29: error: unknown format \"xls\""), r.err)
    XCTAssertTrue(r.err.contains("help: formats: csv, tsv"), r.err)
  }

  func testAnOptionTheFormatDoesNotReadIsAnErrorAtTheOption() throws {
    try "a,b\n1,2\n".write(toFile: path("x.csv"), atomically: true, encoding: .utf8)
    let session = Session.shell()
    let r = run("load \"x.csv\" with (header = true, sheet = \"Feuil1\")", session: session)
    XCTAssertFalse(r.ok)
    XCTAssertTrue(r.err.contains("s.tq:1:35: error: x.csv: option `sheet` does not apply to csv files"), r.err)
    XCTAssertFalse(session.catalog.contains("x"), "nothing is loaded")
  }

  func testReplacingATableSaysSo() throws {
    try "a,b\n1,2\n".write(toFile: path("x.csv"), atomically: true, encoding: .utf8)
    try "a,b\n1,2\n3,4\n".write(toFile: path("y.csv"), atomically: true, encoding: .utf8)
    let session = Session.shell()
    let first = run("load \"x.csv\"", session: session)
    XCTAssertEqual(first.err, "loaded 1 row into x\n")
    let second = run("load \"y.csv\" as x", session: session)
    XCTAssertEqual(second.err, "replaced x: loaded 2 rows\n")
  }

  func testAnExportWithAnUnknownExtensionWritesNothing() throws {
    let session = Session.shell()
    session.catalog.set("t", Table(names: ["a"], columns: [Column.from([.int(1)], type: .int)]), origin: .query)
    let r = run("from t | export \"out.xls\"", session: session)
    XCTAssertFalse(r.ok)
    XCTAssertTrue(r.err.contains("cannot tell the format of \"out.xls\" from its extension"), r.err)
    XCTAssertFalse(FileManager.default.fileExists(atPath: path("out.xls")))
    let forced = run("from t | export \"out.xls\" with (format = \"csv\")", session: session)
    XCTAssertTrue(forced.ok, forced.err)
    XCTAssertEqual(try String(contentsOfFile: path("out.xls"), encoding: .utf8), "a\n1\n")
  }

  func testAnExportOptionTheFormatDoesNotWriteIsAnError() {
    let session = Session.shell()
    session.catalog.set("t", Table(names: ["a"], columns: [Column.from([.int(1)], type: .int)]), origin: .query)
    let r = run("from t | export \"out.json\" with (dialect = \"excel-fr\")", session: session)
    XCTAssertFalse(r.ok)
    XCTAssertTrue(r.err.contains("option `dialect` does not apply to json files"), r.err)
  }

  func testTheBundledFolderRegistersEveryReadableFile() throws {
    for f in ["a.csv", "b.tsv", "notes.md", "README"] {
      try "x\n1\n".write(toFile: path(f), atomically: true, encoding: .utf8)
    }
    let session = Session.shell()
    XCTAssertEqual(try session.catalog.registerDirectory(dir.path).sorted(), ["a", "b"])
  }
}
