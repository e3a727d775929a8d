// `.record FILE.md` (the Markdown written, a file continued, failures that leave nothing half
// written) and parameters given on the command line (`-p` twice, a script's undefined
// parameters all reported before it runs).

import Foundation
import XCTest
import TerrainEngine
import TerrainShell

final class TranscriptAndParameterTests: XCTestCase {
  private var folder = URL(fileURLWithPath: "/nonexistent")

  override func setUpWithError() throws {
    folder = try TestSupport.temporaryFolder("terrain-transcript", for: self)
  }

  private func session() throws -> (Session, () -> (out: String, err: String)) {
    let s = Session.shell()
    final class Box { var out = "", err = "" }
    let box = Box()
    s.write = { box.out += $0 }
    s.notify = { box.err += $0 }
    s.workingDirectory = folder.path
    s.register(try Table(columns: [("nom", .text(["Ain", "Aisne", "Allier"])), ("pop", .int([657_856, 531_345, 335_975]))]), as: "d")
    return (s, { (box.out, box.err) })
  }

  /// The transcript without its first heading line (it holds the date).
  private func transcript(_ name: String) throws -> String {
    let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
    return text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).dropFirst().joined()
  }

  func testStatementsResultsNoticesAndErrorsAsMarkdown() throws {
    let (s, _) = try session()
    XCTAssertTrue(s.run(".record atelier.md"))
    XCTAssertTrue(s.run("from d | where pop > 400000 | select nom, pop"))
    XCTAssertTrue(s.run("from d | take 1 | export \"un.csv\""))
    XCTAssertTrue(s.run(".param seuil 500000"))
    XCTAssertFalse(s.run("from d | where pop > $seuil | select nope"))
    XCTAssertTrue(s.run(".record off"))
    XCTAssertTrue(s.run("from d | take 1"))
    XCTAssertEqual(try transcript("atelier.md"), """

      ```tq
      from d | where pop > 400000 | select nom, pop
      ```

      | nom   |    pop |
      |-------|-------:|
      | Ain   | 657856 |
      | Aisne | 531345 |

      ```tq
      from d | take 1 | export "un.csv"
      ```

      > wrote 1 row to un.csv  

      ```tq
      .param seuil 500000
      ```

      ```tq
      from d | where pop > $seuil | select nope
      ```

      ```text
      error: unknown column `nope` in `d`
        ╭─ 1:38
      1 │ from d | where pop > $seuil | select nope
        │                                      ^^^^ not found
        = help: did you mean `nom`?
      ```

      """)
  }

  func testAnExistingFileIsContinuedAndLongResultsAreCut() throws {
    let file = folder.appendingPathComponent("notes.md")
    try "# Mes notes\n\nAvant l'atelier.".write(to: file, atomically: true, encoding: .utf8)
    let (s, output) = try session()
    s.renderOptions.maxRows = 2
    XCTAssertTrue(s.run(".record notes.md"))
    XCTAssertEqual(output().err, "recording to notes.md\n")
    XCTAssertTrue(s.run("from d | select nom"))
    let text = try String(contentsOf: file, encoding: .utf8)
    XCTAssertTrue(text.hasPrefix("# Mes notes\n\nAvant l'atelier.\n\n---\n\n## terrain transcript, "), text)
    XCTAssertTrue(text.hasSuffix("""
      ```tq
      from d | select nom
      ```

      | nom   |
      |-------|
      | Ain   |
      | Aisne |

      *3 rows; the first 2 are shown.*

      """), text)
  }

  func testAFileThatCannotBeWrittenIsReportedAndNothingIsLeftHalfWritten() throws {
    let (s, output) = try session()
    XCTAssertFalse(s.run(".record absent/t.md"))
    XCTAssertTrue(output().err.contains("folder `absent` does not exist"), output().err)
    XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("absent").path))
    // A file that is not text is never continued (nor changed).
    let binary = Data([0x50, 0x4B, 0x03, 0x04, 0xFF, 0xFE, 0x00, 0x80])
    try binary.write(to: folder.appendingPathComponent("classeur.xlsx"))
    XCTAssertFalse(s.run(".record classeur.xlsx"))
    XCTAssertTrue(output().err.contains("cannot record to classeur.xlsx: it exists and is not text"), output().err)
    XCTAssertEqual(try Data(contentsOf: folder.appendingPathComponent("classeur.xlsx")), binary)
    // The folder goes away while recording: the transcript stops with a warning, and the
    // statements still run.
    let sub = folder.appendingPathComponent("sub")
    try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
    XCTAssertTrue(s.run(".record sub/t.md"))
    try FileManager.default.removeItem(at: sub)
    XCTAssertTrue(s.run("from d | take 1"))
    XCTAssertTrue(output().err.contains("warning: transcript sub/t.md not updated, recording stopped: "), output().err)
    XCTAssertTrue(s.run(".record"))
    XCTAssertTrue(output().err.hasSuffix("not recording\n"), output().err)
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains(".tmp-") }
    XCTAssertEqual(leftovers, [])
  }

  // MARK: parameters on the command line

  func testAParameterGivenTwiceIsBadUsage() throws {
    let binary = try XCTUnwrap(TestSupport.terrainBinary)
    let r = try TestSupport.runProcess(binary, ["--no-data", "-p", "d=69", "-p", "x=1", "-p", "d=38", "-c", "from t"], in: folder)
    XCTAssertEqual(r.status, 2)
    XCTAssertTrue(r.err.contains("parameter `d` is given twice (-p d=69, -p d=38)"), r.err)
    XCTAssertEqual(r.out, "")
  }

  func testEveryUndefinedParameterIsReportedBeforeTheScriptRuns() throws {
    let binary = try XCTUnwrap(TestSupport.terrainBinary)
    let script = folder.appendingPathComponent("fiche.tq")
    try """
      from regions | take 1 | select nom
      .param n 2
      from regions | where code_region == $code | take $n
      from departements | where code_region == $code and population > $min

      """.write(to: script, atomically: true, encoding: .utf8)
    let r = try TestSupport.runProcess(binary, ["fiche.tq"], in: folder,
      environment: ["TERRAIN_DATASETS": TestSupport.datasets.path, "NO_COLOR": "1"])
    XCTAssertEqual(r.status, 1)
    XCTAssertEqual(r.out, "", "the first statement must not run")
    XCTAssertTrue(r.err.hasPrefix("fiche.tq:3:37: error: undefined parameters `$code`, `$min`\n"), r.err)
    XCTAssertTrue(r.err.contains("  ╰─ 4:65\n4 │ from departements | where code_region == $code and population > $min\n"), r.err)
    XCTAssertTrue(r.err.contains("= help: define each with `-p NAME=VALUE` on the command line, or `.param NAME VALUE` in the shell"), r.err)
    // Defined on the command line, it runs.
    let ok = try TestSupport.runProcess(binary, ["--mode", "csv", "-p", "code=84", "-p", "min=1000000", "fiche.tq"], in: folder,
      environment: ["TERRAIN_DATASETS": TestSupport.datasets.path])
    XCTAssertEqual(ok.status, 0, ok.err)
  }
}
