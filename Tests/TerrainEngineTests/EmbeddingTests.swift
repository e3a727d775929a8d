// TerrainEngine as a library (SPEC §11): execute()'s results, typed parameters, tables
// registered and read from Swift, no process-wide side effect from a plain session, and a
// separate package (examples/embedding) that depends on TerrainEngine, built and run.
// TERRAIN_SKIP_EMBED_BUILD=1 skips that build (about a minute), with a message.

import Foundation
import XCTest
import TerrainEngine
import TerrainIO
import TerrainPlanner
import TerrainShell

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The address of the SIGBUS handler in place (the Swift runtime's backtracer, terrain's, or none).
private func sigbusHandler() -> Int {
  var action = sigaction()
  sigaction(SIGBUS, nil, &action)
  #if canImport(Glibc)
    return unsafeBitCast(action.__sigaction_handler.sa_sigaction, to: Int.self)
  #else
    return unsafeBitCast(action.__sigaction_u.__sa_sigaction, to: Int.self)
  #endif
}

final class EmbeddingTests: XCTestCase {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  private func tempDirectory() throws -> URL {
    try TestSupport.temporaryFolder("terrain-embed-\(getpid())", for: self)
  }

  /// A session with `t(nom, code, x)` registered, that fails the test if it prints anything;
  /// with the shell's dot commands (which an embedded session does not have) unless told not to.
  private func session(dotCommands: Bool = true) throws -> Session {
    let s = Session()
    if dotCommands { s.dotCommands = ShellCommands() }
    s.write = { XCTFail("execute printed a result: \($0)") }
    s.notify = { XCTFail("execute printed a notice: \($0)") }
    s.register(try Table(columns: [
      ("nom", .text(["a", "b", nil, "d"])),
      ("code", .text(["01", "069", "2A", "75"])),
      ("x", .int([1, 2, 3, nil])),
    ]), as: "t")
    return s
  }

  // MARK: execute

  func testExecuteGivesOneResultPerStatementAndStopsAtTheFirstError() throws {
    let s = try session()
    let results = s.execute("let u = from t | where x > 1\nfrom u | select nom, x\n.mode csv\nfrom t | select nope\nfrom t")
    XCTAssertEqual(results.count, 4)
    guard results.count == 4 else { return }
    guard case .done = results[0].outcome else { return XCTFail("\(results[0].outcome)") }
    XCTAssertEqual(results[0].statement, "let u = from t | where x > 1")
    XCTAssertEqual(results[1].line, 2)
    XCTAssertEqual(results[1].column, 1)
    let table = try XCTUnwrap(results[1].table)
    XCTAssertEqual(table.columnNames, ["nom", "x"])
    XCTAssertEqual(table.columnTypes, [.text, .int])
    XCTAssertEqual(table.rowCount, 2)
    XCTAssertEqual(table.column(named: "nom")?.text(at: 0), "b")
    XCTAssertNil(table.column(named: "nom")?.text(at: 1))  // null
    XCTAssertEqual(table.column(named: "x")?.int(at: 1), 3)
    XCTAssertEqual(table.value(row: 1, column: "nom"), .null)
    XCTAssertEqual(table.value(row: 0, column: 1), .int(2))
    guard case .done = results[2].outcome else { return XCTFail("\(results[2].outcome)") }
    let d = try XCTUnwrap(results[3].diagnostic)
    XCTAssertEqual(d.message, "unknown column `nope` in `t`")
    XCTAssertEqual(d.line, 4)
    XCTAssertEqual(d.column, 17)
    XCTAssertEqual(d.label, "not found")
    XCTAssertEqual(d.id, "bind.unknown-column")
    let text = Array("let u = from t | where x > 1\nfrom u | select nom, x\n.mode csv\nfrom t | select nope\nfrom t".utf8)
    let span = try XCTUnwrap(d.span)
    XCTAssertEqual(String(decoding: text[span], as: UTF8.self), "nope")
    XCTAssertTrue(d.rendered.hasPrefix("error: unknown column `nope` in `t`\n"), d.rendered)
    XCTAssertTrue(d.rendered.contains("4 │ from t | select nope"), d.rendered)
    XCTAssertEqual(results[3].line, 4)
  }

  func testParseErrorIsTheOnlyResult() throws {
    let s = try session()
    let results = s.execute("from t | take 1\nfrom t | where (x > ")
    XCTAssertEqual(results.count, 1)
    let d = try XCTUnwrap(results.first?.diagnostic)
    XCTAssertEqual(d.line, 2)
    XCTAssertNotNil(d.span)
  }

  func testNoticesOutputAndTheTextPrintersAreRestored() throws {
    let dir = try tempDirectory()
    let csv = dir.appendingPathComponent("f.csv").path
    try "k,v\n1,a\n2,b\n".write(toFile: csv, atomically: true, encoding: .utf8)
    let s = try session()
    let results = s.execute("""
      load "\(csv)"
      from f | export "\(dir.path)/out.csv"
      .tables
      .drop f
      """)
    XCTAssertEqual(results.count, 4)
    guard results.count == 4 else { return }
    guard case .notice(let loaded) = results[0].outcome else { return XCTFail("\(results[0].outcome)") }
    XCTAssertEqual(loaded, "loaded 2 rows into f")
    XCTAssertEqual(results[0].notices, ["loaded 2 rows into f"])
    guard case .notice(let wrote) = results[1].outcome else { return XCTFail("\(results[1].outcome)") }
    XCTAssertTrue(wrote.hasPrefix("wrote 2 rows to "), wrote)
    guard case .output(let tables) = results[2].outcome else { return XCTFail("\(results[2].outcome)") }
    XCTAssertTrue(tables.contains("f.csv"), tables)
    XCTAssertTrue(tables.contains("registered"), "a table from Swift says so in .tables: \(tables)")
    guard case .notice(let dropped) = results[3].outcome else { return XCTFail("\(results[3].outcome)") }
    XCTAssertEqual(dropped, "dropped f")
    // `run` prints again, through the closures it had before.
    var out = ""
    var err = ""
    s.write = { out += $0 }
    s.notify = { err += $0 }
    XCTAssertTrue(s.run(".mode csv\nfrom t | select x | take 1"))
    XCTAssertEqual(out, "x\n1\n")
    XCTAssertFalse(s.run("from nowhere"))
    XCTAssertTrue(err.contains("unknown table `nowhere`"), err)
  }

  // MARK: parameters

  func testTypedParameters() throws {
    let s = try session()
    s.setParameter("min", .int(2))
    XCTAssertEqual(s.execute("from t | where x >= $min").first?.table?.rowCount, 2)
    // An int where a float is expected is widened.
    s.setParameter("half", .float(1.5))
    XCTAssertEqual(s.execute("from t | where x > $half").first?.table?.rowCount, 2)
    s.setParameter("one", .int(1))
    XCTAssertEqual(s.execute("from t | derive y = x * 0.5 | where y > $one").first?.table?.rowCount, 1)
    // Typed text stays text: "069" keeps its leading zero.
    s.setParameter("code", .text("069"))
    XCTAssertEqual(s.execute("from t | where code == $code").first?.table?.column(named: "nom")?.text(at: 0), "b")
    // A typed int is not read as text: comparing it with a text column is an error.
    s.setParameter("n", .int(69))
    let d = try XCTUnwrap(s.execute("from t | where code == $n").first?.diagnostic)
    XCTAssertNotNil(d.span, d.message)
    // …whereas untyped text is typed by use, as `-p` gives it.
    s.setParameter("n", text: "2")
    XCTAssertEqual(s.execute("from t | take $n").first?.table?.rowCount, 2)
    s.setParameter("c", text: "069")
    XCTAssertEqual(s.execute("from t | where code == $c").first?.table?.rowCount, 1)
    // A typed null takes the type of its place.
    s.setParameter("none", .null)
    XCTAssertEqual(s.execute("from t | derive y = coalesce(x, $none) | where y is null").first?.table?.rowCount, 1)
    // A path piece must be text.
    let path = try XCTUnwrap(s.execute("load $n").first?.diagnostic)
    XCTAssertNil(path.message.range(of: "undefined"))
    s.setParameter("p", .int(3))
    XCTAssertNotNil(s.execute("load $p").first?.diagnostic)
    s.removeParameter("p")
    XCTAssertEqual(s.execute("from t | take $p").first?.diagnostic?.message, "undefined parameter `$p`")
  }

  func testTextParametersViewKeepsTypedOnes() throws {
    let s = try session()
    s.setParameter("a", .int(5))
    s.parameters["b"] = "x"
    XCTAssertEqual(s.parameters, ["a": "5", "b": "x"])
    XCTAssertEqual(s.parameterValues["a"], .typed(.int(5)))
    XCTAssertEqual(s.parameterValues["b"], .untyped("x"))
    s.parameters = ["a": "6"]
    XCTAssertEqual(s.parameterValues, ["a": .untyped("6")])
  }

  // MARK: tables

  func testRegisteredTablesAreReadAndReplaced() throws {
    let s = try session()
    XCTAssertEqual(s.tableNames, ["t"])
    XCTAssertNil(try s.table(named: "nope"))
    let t = try XCTUnwrap(try s.table(named: "t"))
    XCTAssertEqual(t.rowCount, 4)
    XCTAssertEqual(t.columnCount, 3)
    XCTAssertEqual(t.column(named: "x")?.boxedValues, [.int(1), .int(2), .int(3), .null])
    XCTAssertNil(t.column(named: "x")?.text(at: 0))  // not a text column
    XCTAssertNil(t.column(named: "x")?.int(at: 9))  // out of range
    XCTAssertEqual(t.value(row: 0, column: "missing"), .null)
    s.register(try Table(columns: [("f", .float([0.5])), ("b", .bool([true]))]), as: "t")
    XCTAssertEqual(s.tableNames, ["t"])
    let replaced = try XCTUnwrap(s.execute("from t | where b").first?.table)
    XCTAssertEqual(replaced.column(named: "f")?.float(at: 0), 0.5)
    XCTAssertEqual(replaced.column(named: "b")?.bool(at: 0), true)
    XCTAssertEqual(try Table(columns: []).rowCount, 0)
    XCTAssertThrowsError(try Table(columns: [("a", .int([1])), ("b", .int([1, 2]))])) { error in
      XCTAssertEqual("\(error)", "column `b` has 2 rows, `a` has 1")
    }
    XCTAssertThrowsError(try Table(columns: [("a", .int([1])), ("a", .text(["x"]))]))
    // A table made by `let` is read the same way.
    _ = s.execute("let u = from t | derive g = f * 2")
    XCTAssertEqual(try s.table(named: "u")?.column(named: "g")?.float(at: 0), 1.0)
  }

  // MARK: process-wide state

  /// Dot commands belong to the shell: a session of its own has none, and says so at the line.
  func testAnEmbeddedSessionHasNoDotCommands() throws {
    let s = try session(dotCommands: false)
    let results = s.execute("from t | take 1\n.tables")
    XCTAssertEqual(results.count, 2)
    let d = try XCTUnwrap(results.last?.diagnostic)
    XCTAssertEqual(d.id, "session.dot-command-outside-shell")
    XCTAssertEqual(d.message, "`.tables` is a command of the terrain shell, not of an embedded session")
    XCTAssertEqual(d.line, 2)
  }

  /// A plain session loading a file installs no SIGBUS handler (the handler in place, the Swift
  /// runtime's or none, is the same after); only `installSignalHandlers()` does.
  func testPlainSessionInstallsNoSignalHandler() throws {
    let guardWasInstalled = mappedFileGuardInstalled  // another test may have installed it
    let before = sigbusHandler()
    let dir = try tempDirectory()
    let csv = dir.appendingPathComponent("g.csv").path
    try "k\n1\n2\n".write(toFile: csv, atomically: true, encoding: .utf8)
    let s = Session()
    XCTAssertEqual(s.execute("load \"\(csv)\"\nfrom g").last?.table?.rowCount, 2)
    XCTAssertEqual(sigbusHandler(), before)
    XCTAssertEqual(mappedFileGuardInstalled, guardWasInstalled)
  }

  // MARK: another package

  /// examples/embedding, a package of its own depending on TerrainEngine by path, builds (so
  /// SwiftPM accepts the product as a dependency) and runs: a table from Swift arrays, a typed
  /// parameter, a load, an error with its position, cells read back.
  func testEmbeddingPackageBuildsAndRuns() throws {
    if ProcessInfo.processInfo.environment["TERRAIN_SKIP_EMBED_BUILD"] == "1" {
      throw XCTSkip("TERRAIN_SKIP_EMBED_BUILD=1: examples/embedding is not built")
    }
    let scratch = try tempDirectory().appendingPathComponent("build")
    let build = try runProcess("/usr/bin/env", ["swift", "build", "--package-path",
      Self.root.appendingPathComponent("examples/embedding").path, "--scratch-path", scratch.path])
    XCTAssertEqual(build.status, 0, "swift build of examples/embedding failed:\n\(build.out)\n\(build.err)")
    guard build.status == 0 else { return }
    let run = try runProcess(scratch.appendingPathComponent("debug/embedding").path, [])
    XCTAssertEqual(run.status, 0, run.err)
    XCTAssertEqual(run.out, """
      table 3 rows: nom text, population int, superficie float, densite float
        Lyon | 522250 | 47.87 | 10909.8
        Villeurbanne | 156928 | 14.52 | 10807.7
        Oullins | 26500 | 4.36 | 6078.0
      notice: loaded 2 rows into departements
      done: let grandes = from communes | where population > 100000
      grandes: Lyon, Villeurbanne
      departements.code: 01
      table 1 rows: nom text, population int, superficie float
        Lyon | 522250 | 47.87
      error at 2:24: unknown column `popu` in `communes`
      tables: communes, departements, grandes
      SIGBUS handler unchanged: true

      """)
  }

  private func runProcess(_ path: String, _ arguments: [String]) throws -> (out: String, err: String, status: Int32) {
    try TestSupport.runProcess(URL(fileURLWithPath: path), arguments, in: Self.root)
  }
}
