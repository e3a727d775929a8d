// The readers other than CSV under a memory budget (issue 17, memory limits): xlsx shared
// strings and sheets, Arrow columns, Parquet columns — each refusal is the file's load error
// naming it — and the release or debug binary under `prlimit --as` on a Parquet file whose
// columns barely fit or do not: every run ends (no hang waiting for a thread) with a result
// or an error, never a crash.

import Foundation
import XCTest

import TerrainIO
import TerrainStorage

final class MemoryLimitReaderTests: XCTestCase {
  private var dir: URL!

  override func setUpWithError() throws {
    dir = try TestSupport.temporaryFolder("memory-readers", for: self)
  }

  override func tearDown() {
    availableMemoryOverride = nil
    checkedAllocationThreshold = 64 << 20
  }

  /// A table of `rows` distinct 24-byte texts and an int column, exported as `name`.
  private func export(_ name: String, rows: Int) throws -> String {
    let path = dir.appendingPathComponent(name).path
    let texts = (0..<rows).map { String(format: "distinct-value-%09d", $0) }
    let t = try Table(columns: [("s", .text(texts)), ("n", .int((0..<rows).map { Int64($0) }))])
    _ = try exportTable(t, to: path, options: ExportOptions())
    return path
  }

  /// Loads `path` with every allocation checked against `budget` bytes.
  private func load(_ path: String, budget: Int) throws -> LoadResult {
    availableMemoryOverride = budget
    checkedAllocationThreshold = 0
    defer {
      availableMemoryOverride = nil
      checkedAllocationThreshold = 64 << 20
    }
    return try loadFile(path: path, options: LoadOptions())
  }

  func testEachReaderRefusesWhatTheMemoryCannotHold() throws {
    for format in ["xlsx", "arrow", "parquet"] {
      let path = try export("big.\(format)", rows: 200_000)
      XCTAssertThrowsError(try load(path, budget: 1_500_000), format) { error in
        let message = "\(error)"
        XCTAssertTrue(message.contains("\"\(path)\""), "\(format): \(message)")
        XCTAssertTrue(message.contains("memory"), "\(format): \(message)")
        XCTAssertTrue(message.hasSuffix("not loaded"), "\(format): \(message)")
      }
      // Within a budget it loads.
      XCTAssertEqual(try load(path, budget: 400_000_000).table.rowCount, 200_000, format)
    }
  }

  func testTheByteEntryPointsThrowLoadErrorsToo() throws {
    let path = try export("bytes.xlsx", rows: 200_000)
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    availableMemoryOverride = 1_500_000
    checkedAllocationThreshold = 0
    XCTAssertThrowsError(try data.withUnsafeBytes { try loadXLSX(bytes: $0, name: "bytes.xlsx", options: LoadOptions()) }) {
      XCTAssertTrue($0 is LoadError, "\($0)")
    }
  }

  func testZeroPagesThatCannotBeMappedThrow() {
    // Beyond any address space: refused by mmap and calloc alike, thrown.
    XCTAssertThrowsError(try ZeroPages(byteCount: Int.max / 2))
    XCTAssertNoThrow(try ZeroPages(byteCount: 1 << 20))
  }

  func testTheBinaryUnderAnAddressSpaceLimitEndsWithAResultOrAnError() throws {
    // 40 M rows of zeros: a 350 KB file whose columns take 640 MB. Under 400 MB,
    // `count()` used to map 320 MB of zero pages for the columns not read, which left no
    // room for the worker threads' stacks: libdispatch retried `pthread_create` for ever.
    let binary = try XCTUnwrap(TestSupport.terrainBinary, "terrain binary not built")
    let python = try TestSupport.python(modules: ["pyarrow", "numpy"])
    let file = dir.appendingPathComponent("zeros.parquet").path
    let made = try TestSupport.runProcess(
      python,
      ["-c", """
      import sys, numpy as np, pyarrow as pa, pyarrow.parquet as pq
      n = 40_000_000
      pq.write_table(pa.table({"n": np.zeros(n, dtype=np.int64), "m": np.zeros(n)}), sys.argv[1], row_group_size=n // 4)
      """, file], in: dir)
    XCTAssertEqual(made.status, 0, made.err)
    let script = "load \"zeros.parquet\" as t\nfrom t | aggregate n = count()\nfrom t | aggregate s = sum(n), m = max(m)\n"
    for limit in [400, 600, 900, 1400] {
      let r = try TestSupport.runProcess(
        URL(fileURLWithPath: "/usr/bin/timeout"),
        ["240", "prlimit", "--as=\(limit << 20)", binary.path, "--no-data", "--mode", "csv", "-c", script], in: dir)
      XCTAssertNotEqual(r.status, 124, "\(limit) MB: still running after 240 s")
      XCTAssertTrue(r.status == 0 || r.status == 1, "\(limit) MB: exit \(r.status)\n\(r.err)")
      XCTAssertFalse(r.err.contains("Fatal error") || r.err.contains("crashed"), "\(limit) MB: \(r.err)")
      if r.status == 1 {
        XCTAssertTrue(r.err.contains("memory"), "\(limit) MB: \(r.err)")
      } else {
        XCTAssertTrue(r.out.contains("40000000"), "\(limit) MB: \(r.out)")
      }
    }
  }
}
