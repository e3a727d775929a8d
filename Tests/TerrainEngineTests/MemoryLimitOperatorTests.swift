// Statements whose operators need more memory than there is (issue 17, allocation failures
// in operators): each operator that allocates by the rows — pivot, unpivot, windows, append,
// take … by, joins, sorts, group-by, distinct, derive, where, split, count_distinct — and each
// function that makes new text (`upper`, `||`, `text(…)`) fails
// with the statement-out-of-memory error under a small budget, leaves the session and its
// tables as they were, and runs once the memory is there. Then the built binary in a terminal
// under `ulimit -v`: statements past the limit print the error and the shell goes on. Also a
// gzip bomb given as map outlines: refused at 32 MB of inflated text, fast and small.

import Foundation
import TerrainEngine
import TerrainIO
import TerrainStorage
import XCTest

final class MemoryLimitOperatorTests: XCTestCase {
  private var dir: URL!
  private var sessions: [PTYSession] = []

  override func setUpWithError() throws {
    dir = try TestSupport.temporaryFolder("memory-operators", for: self)
  }

  override func tearDown() {
    availableMemoryOverride = nil
    checkedAllocationThreshold = 64 << 20
    for s in sessions { s.terminate() }
    sessions = []
  }

  /// One statement per operator that allocates by the rows of its input or output.
  private let statements = [
    "from t | pivot w using count() by v",
    "from t | unpivot v, x into name, value",
    "from t | derive r = row_number() by w sort v",
    "from t | derive c = cumsum(v) by w sort x",
    "from t | derive l = lag(v) by w sort x",
    "from t | append t",
    "from t | take 2 by w",
    "from t | sort x | take 2 by w",
    "from t | join t on v == t.v",
    "from t | sort x desc, v",
    "from t | sort s",
    "from t | aggregate n = count() by v, x",
    "from t | aggregate n = count_distinct(x) by w",
    "from t | distinct v, x",
    "from t | derive y = v * 2 + x",
    "from t | where v % 10 != 0",
    "from t | split s on \"-\"",
    // Functions that make new text: each new string goes into the result's dictionary, the
    // only allocation that grows with the rows here (one row is kept).
    "from t | where upper(s) == \"A-7\"",
    "from t | where s || text(x) == \"a-1x\"",
    "from t | where text(v) == \"7\"",
    "from t | where text(float(v) / 7) == \"1\"",
  ]

  /// A session holding `t`: `rows` rows of v (0, 1, …), x (reversed), w (7 values) and s
  /// (distinct texts `a-N`).
  private func session(rows: Int) throws -> Session {
    let s = Session()
    let table = try Table(columns: [
      ("v", .int((0..<rows).map { Int64($0) })),
      ("x", .int((0..<rows).map { Int64(rows - $0) })),
      ("w", .int((0..<rows).map { Int64($0 % 7) })),
      ("s", .text((0..<rows).map { "a-\($0)" })),
    ])
    s.register(table, as: "t")
    return s
  }

  func testEachOperatorBeyondTheMemoryIsAStatementError() throws {
    let rows = 400_000
    let s = try session(rows: rows)
    for statement in statements {
      // Every checked allocation is compared with a 1 MB budget: the row-sized buffers
      // (400,000 rows of 4 or 8 bytes) are refused, the small ones given.
      availableMemoryOverride = 1_000_000
      checkedAllocationThreshold = 0
      let refused = s.execute(statement)
      availableMemoryOverride = nil
      checkedAllocationThreshold = 64 << 20
      let d = try XCTUnwrap(refused.last?.diagnostic, "\(statement): no error under a 1 MB budget")
      XCTAssertEqual(d.id, "session.statement-out-of-memory", "\(statement): \(d.message)")
      XCTAssertTrue(d.message.hasPrefix("not enough memory for this statement (a block of "), d.message)
      XCTAssertTrue(d.message.hasSuffix("nothing was changed"), d.message)
      // The session and its table are as they were; with the memory there it runs.
      XCTAssertEqual(try s.table(named: "t")?.rowCount, rows, statement)
      let ran = s.execute(statement + " | aggregate n = count()")
      XCTAssertNil(ran.last?.diagnostic, "\(statement): \(ran.last?.diagnostic?.message ?? "")")
      XCTAssertNotNil(ran.last?.table?.columns.first?.int(at: 0), statement)
    }
  }

  func testALetPastTheMemoryLeavesTheFormerTable() throws {
    let s = try session(rows: 300_000)
    XCTAssertNil(s.execute("let u = from t | take 10").last?.diagnostic)
    availableMemoryOverride = 1_000_000
    checkedAllocationThreshold = 0
    let refused = s.execute("let u = from t | append t")
    availableMemoryOverride = nil
    checkedAllocationThreshold = 64 << 20
    XCTAssertEqual(refused.last?.diagnostic?.id, "session.statement-out-of-memory")
    XCTAssertEqual(try s.table(named: "u")?.rowCount, 10, "the failed `let` replaced nothing")
  }

  func testTheShellUnderAnAddressSpaceLimitGoesOnAfterAnOperatorRefused() throws {
    // 3,000 rows of one key joined with themselves: 9 M rows (about 220 MB of columns), made
    // under a 700 MB limit; then statements needing several times that. Each prints the
    // out-of-memory error (a crash ends the session: the next prompt and count would not come).
    let binary = try XCTUnwrap(PTYSession.terrainBinary(), "terrain binary not built")
    let csv = "k,v,w\n" + (0..<3000).map { "1,\($0),\($0 % 7)\n" }.joined()
    try csv.write(to: dir.appendingPathComponent("t.csv"), atomically: true, encoding: .utf8)
    let env: [String: String] = [
      "TERM": "xterm", "HOME": dir.path, "XDG_STATE_HOME": dir.appendingPathComponent("state").path,
      "INPUTRC": "/dev/null", "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "LANG": "C.UTF-8",
      "NO_COLOR": "1",
    ]
    let s = try PTYSession(executable: "/bin/sh", arguments: ["-c", "cd \"$1\" && ulimit -v 700000 && exec \"$0\" --no-data", binary, dir.path],
      environment: env)
    sessions.append(s)
    XCTAssertTrue(s.expect("terrain> ", timeout: 20), "no prompt; screen:\n\(s.rawText)")
    s.type("load \"t.csv\" as t\r")
    XCTAssertTrue(s.expect("loaded 3000 rows", timeout: 20), "screen:\n\(s.rawText)")
    s.type("let u = from t | join t on k == t.k | select v, x = v_t, w = w_t\r")
    XCTAssertTrue(s.expect("terrain> ", timeout: 120), "screen:\n\(s.rawText)")
    let heavy = [
      "from u | append u | append u | append u | aggregate n = count()",
      "from u | derive r = row_number() by w sort v | aggregate m = max(r)",
      "from u | pivot w using count() by v, x | aggregate n = count()",
      "from u | join u on v == u.v | aggregate n = count()",
    ]
    for (i, statement) in heavy.enumerated() {
      // A result or the error (the window and the pivot may fit once the memory freed by the
      // statement before is given back); then the session goes on: `u` is still all there.
      s.type(statement + "\r")
      s.type("from u | aggregate n\(i) = count() | where n\(i) == 9000000\r")
      XCTAssertTrue(s.expect("n\(i) │", timeout: 300) && s.expect("1 row", timeout: 10), "after \(statement); screen:\n\(s.rawText)")
    }
    // 36 M rows of three columns (860 MB) and 27 G joined pairs cannot fit in 700 MB.
    let errors = s.rawText.components(separatedBy: "not enough memory for this statement").count - 1
    XCTAssertGreaterThanOrEqual(errors, 2, s.rawText)
    XCTAssertFalse(s.rawText.contains("Fatal error") || s.rawText.contains("crashed"), s.rawText)
    s.type(".quit\r")
    XCTAssertEqual(s.waitForExit(timeout: 20), 0)
  }

  func testAGzipBombAsMapOutlinesStopsAtTheBound() throws {
    // 128 MB of spaces inside a FeatureCollection: 128 KB on disk.
    let python = try TestSupport.python(modules: [])
    let bomb = dir.appendingPathComponent("bomb.geojson.gz").path
    let made = try TestSupport.runProcess(python, ["-c", """
      import gzip, sys
      with gzip.open(sys.argv[1], "wb", 9) as f:
          f.write(b'{"type":"FeatureCollection","features":[')
          for _ in range(128): f.write(b" " * (1 << 20))
          f.write(b"]}")
      """, bomb], in: dir)
    XCTAssertEqual(made.status, 0, made.err)
    let onDisk = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: bomb)[.size] as? Int)
    XCTAssertLessThan(onDisk, 1 << 20)
    // In process: the error names the file and the bound.
    XCTAssertThrowsError(try loadMapOutlines(.file(bomb), folders: [], cancel: nil)) { error in
      let message = "\(error)"
      XCTAssertTrue(message.contains(bomb) && message.contains("decompresses to more than 32 MB"), message)
    }
    // The binary under a 160 MB address-space limit: inflating the whole 128 MB could not fit
    // (it gave the memory error, or the size error after inflating everything); bounded, it
    // stops at 32 MB with the outlines' error, at once.
    let binary = try XCTUnwrap(TestSupport.terrainBinary, "terrain binary not built")
    try "code,v\n01,3\n02,4\n".write(to: dir.appendingPathComponent("c.csv"), atomically: true, encoding: .utf8)
    let started = Date()
    let r = try TestSupport.runProcess(URL(fileURLWithPath: "/usr/bin/prlimit"), [
      "--as=\(160 << 20)", binary.path, "--no-data", "-c",
      "load \"c.csv\" as c\nfrom c | chart map code, v to \"m.svg\" with (outlines = \"bomb.geojson.gz\")",
    ], in: dir)
    XCTAssertEqual(r.status, 1, r.err)
    XCTAssertTrue(r.err.contains("\"bomb.geojson.gz\" decompresses to more than 32 MB, the most an outline file may hold"), r.err)
    XCTAssertLessThan(Date().timeIntervalSince(started), 30)
    XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("m.svg").path))
  }
}
