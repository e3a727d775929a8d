// `attach` over a connection broken on purpose (scripts/pg-fault-proxy.py between the session
// and the test server): a connection cut mid-transfer is an error naming it, and one that goes
// silent, or a server that stops answering even the cancel request, gives the session back
// within seconds of Ctrl-C; the next statement reconnects.

import Foundation
import XCTest
import TerrainEngine
import TerrainPostgres

final class PostgresFaultTests: XCTestCase {
  /// A proxy breaking connection `connection` after `after` bytes from the server, and the
  /// connection string that goes through it.
  private func proxy(mode: String, after: Int, connection: Int = 1) throws -> String {
    let pg = try TestSupport.postgres()
    let python = try TestSupport.python(modules: [])
    guard let host = TestSupport.conninfoValue(pg, "host"), let port = TestSupport.conninfoValue(pg, "port") else {
      throw XCTSkip("TERRAIN_TEST_PG has no host/port (a Unix-socket cluster is needed): skipping")
    }
    // A short folder: a Unix socket's path is limited to about 100 bytes.
    let dir = URL(fileURLWithPath: "/tmp/pgfault-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let script = TestSupport.repositoryRoot.appendingPathComponent("scripts/pg-fault-proxy.py")
    let p = Process()
    p.executableURL = python
    p.arguments = [script.path, "--listen", dir.path, "--upstream", host, "--port", port, "--mode", mode,
      "--after", String(after), "--connection", String(connection)]
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    addTeardownBlock {
      p.terminate()
      p.waitUntilExit()
      try? FileManager.default.removeItem(at: dir)
    }
    // "ready" once it listens.
    let ready = out.fileHandleForReading.availableData
    XCTAssertTrue(String(decoding: ready, as: UTF8.self).hasPrefix("ready"), "the proxy did not start")
    let user = TestSupport.conninfoValue(pg, "user") ?? "postgres"
    let db = TestSupport.conninfoValue(pg, "dbname") ?? "terrain"
    return "host=\(dir.path) port=\(port) dbname=\(db) user=\(user)"
  }

  /// A table of 300,000 rows (several MB through COPY), made once.
  private func bigTable() throws {
    let admin = try TestSupport.postgresAdmin()
    try admin.query("""
      create table if not exists public.fault_rows as
        select g as id, g * 1.5 as x, 'v' || (g % 1000) as t from generate_series(1, 300000) g
      """)
  }

  private func session(through conninfo: String) throws -> Session {
    let s = Session.shell()
    s.notify = { _ in }
    s.write = { _ in }
    let r = s.execute("attach \"\(conninfo)\" as pg")
    XCTAssertNil(r.last?.diagnostic, r.last?.diagnostic?.message ?? "")
    return s
  }

  /// Runs `text`, pressing Ctrl-C (the session's cancel flag) after `seconds`; the result and
  /// how long the statement took.
  private func runInterrupted(_ s: Session, _ text: String, after seconds: Double) -> (StatementResult?, TimeInterval) {
    let flag = s.cancel
    let started = Date()
    let presser = Thread {
      Thread.sleep(forTimeInterval: seconds)
      flag.cancel()
    }
    presser.start()
    let r = s.execute(text).last
    return (r, Date().timeIntervalSince(started))
  }

  func testACutConnectionIsAnErrorAndTheNextStatementReconnects() throws {
    try bigTable()
    let s = try session(through: try proxy(mode: "cut", after: 60_000))
    let r = s.execute("let t = from pg.fault_rows").last
    XCTAssertEqual(r?.diagnostic?.id, "session.pg-connection-lost", r?.diagnostic?.message ?? "no error")
    XCTAssertNil(try s.table(named: "t"), "nothing is kept from a transfer cut short")
    let again = s.execute("from pg.fault_rows | aggregate n = count()").last
    XCTAssertEqual(again?.table?.columns[0].int(at: 0), 300_000, again?.diagnostic?.message ?? "")
  }

  func testASilentConnectionGivesTheSessionBackAfterCtrlC() throws {
    try bigTable()
    let s = try session(through: try proxy(mode: "stall", after: 60_000))
    let (r, took) = runInterrupted(s, "let t = from pg.fault_rows", after: 1)
    XCTAssertEqual(r?.diagnostic?.id, "session.cancelled", r?.diagnostic?.message ?? "no error")
    XCTAssertLessThan(took, 10, "Ctrl-C took \(took) s to give the session back")
    // The silent connection was given up: the next statement opens another, which works.
    let again = s.execute("from pg.fault_rows | aggregate n = count()").last
    XCTAssertEqual(again?.table?.columns[0].int(at: 0), 300_000, again?.diagnostic?.message ?? "")
  }

  func testAFrozenServerGivesTheSessionBackAfterCtrlC() throws {
    try bigTable()
    // Every later connection, the cancel request's and the reconnection's, is accepted and
    // never answered.
    let s = try session(through: try proxy(mode: "freeze", after: 60_000))
    let (r, took) = runInterrupted(s, "let t = from pg.fault_rows", after: 1)
    XCTAssertEqual(r?.diagnostic?.id, "session.cancelled", r?.diagnostic?.message ?? "no error")
    XCTAssertLessThan(took, 10, "Ctrl-C took \(took) s to give the session back")
    // Reconnecting to the frozen server waits, and Ctrl-C stops that too.
    let (r2, took2) = runInterrupted(s, "from pg.fault_rows | aggregate n = count()", after: 1)
    XCTAssertEqual(r2?.diagnostic?.id, "session.cancelled", r2?.diagnostic?.message ?? "no error")
    XCTAssertLessThan(took2, 5, "Ctrl-C took \(took2) s to stop the reconnection")
    // The session goes on.
    XCTAssertNil(s.execute(".tables").last?.diagnostic?.message)
  }
}
