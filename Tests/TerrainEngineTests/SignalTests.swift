// Scripts end cleanly on SIGTERM, SIGHUP and SIGINT: the running statement is cancelled, an
// export leaves neither a partial file nor its temporary file, and the exit status is
// 128 + the signal's number.

import Foundation
import XCTest

final class SignalTests: XCTestCase {
  func testASignalDuringAScriptsExportLeavesNothingBehind() throws {
    let binary = try XCTUnwrap(TestSupport.terrainBinary, "terrain binary not built")
    for (sig, code) in [(SIGTERM, Int32(143)), (SIGHUP, 129), (SIGINT, 130)] {
      let dir = try TestSupport.temporaryFolder("terrain-signal", for: self)
      // A few million rows: the export takes seconds in a debug build.
      let script = """
        let c = from communes | select code_insee, nom, population
        let big = from c | append c | append c
        let big = from big | append big | append big | append big
        let big = from big | append big | append big | append big
        from big | export "out.csv"
        """
      try script.write(to: dir.appendingPathComponent("s.tq"), atomically: true, encoding: .utf8)
      let p = Process()
      p.executableURL = binary
      p.arguments = ["s.tq"]
      p.currentDirectoryURL = dir
      p.environment = ProcessInfo.processInfo.environment.merging(
        ["TERRAIN_DATASETS": TestSupport.datasets.path]) { $1 }
      p.standardOutput = FileHandle.nullDevice
      p.standardError = FileHandle.nullDevice
      try p.run()
      // Wait for the temporary file of the export to appear, then signal.
      let deadline = Date().addingTimeInterval(120)
      var sawTemporary = false
      while Date() < deadline && p.isRunning {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        if names.contains(where: { $0.hasPrefix(".out.csv") }) {
          sawTemporary = true
          break
        }
        usleep(20_000)
      }
      XCTAssertTrue(sawTemporary, "signal \(sig): the export never started")
      kill(p.processIdentifier, sig)
      p.waitUntilExit()
      XCTAssertEqual(p.terminationStatus, code, "signal \(sig)")
      let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0 != "s.tq" }
      XCTAssertEqual(left, [], "signal \(sig): nothing but the script is left")
    }
  }
}
