// The lesson flow in the real binary on a pseudo-terminal: `terrain --lesson`, a wrong answer
// and its diff, `.hint`, a right answer, `.next`, and the place restored in a new shell.

import Foundation
import XCTest

final class LessonPTYTests: XCTestCase {
  private var home = URL(fileURLWithPath: "/nonexistent")
  private var sessions: [PTYSession] = []

  override func setUpWithError() throws {
    #if !os(Linux) && !os(macOS)
      throw XCTSkip("pseudo-terminals need Linux or macOS")
    #endif
    guard PTYSession.terrainBinary() != nil else { throw XCTSkip("the terrain binary is not built (swift build)") }
    home = FileManager.default.temporaryDirectory.appendingPathComponent("terrain-pty-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
  }

  override func tearDown() {
    sessions.forEach { $0.terminate() }
    sessions = []
    if home.lastPathComponent.hasPrefix("terrain-pty-") { try? FileManager.default.removeItem(at: home) }
  }

  private func start(_ arguments: [String]) throws -> PTYSession {
    let env: [String: String] = [
      "TERM": "xterm",
      "HOME": home.path,
      "XDG_STATE_HOME": home.appendingPathComponent("state").path,
      "INPUTRC": "/dev/null",
      "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
      "LANG": "C.UTF-8",
      "NO_COLOR": "1",
      "TERRAIN_DATASETS": PTYSession.repositoryRoot().appendingPathComponent("datasets").path,
    ]
    let s = try PTYSession(executable: try XCTUnwrap(PTYSession.terrainBinary()), arguments: arguments, environment: env)
    sessions.append(s)
    return s
  }

  func testLessonFlowAndProgressAcrossShells() throws {
    let lesson = PTYSession.repositoryRoot().appendingPathComponent("examples/exercices.lesson").path
    let s = try start(["--lesson", lesson])
    XCTAssertTrue(s.expect("Exercise 1/13: Les cinq communes les plus peuplées", timeout: 20), "screen:\n\(s.rawText)")
    XCTAssertTrue(s.expect("terrain> ", timeout: 10), "screen:\n\(s.rawText)")

    // A wrong answer: one column short.
    s.type("from communes | sort population desc | take 5 | select nom, population\r")
    XCTAssertTrue(s.expect("5 rows", timeout: 20), "screen:\n\(s.rawText)")
    s.type(".check\r")
    XCTAssertTrue(s.expect("✗ not yet: your last result differs from the solution's", timeout: 20), "screen:\n\(s.rawText)")
    XCTAssertTrue(s.expect("wrong number of columns: yours has 2 (nom, population), the solution's has 3", timeout: 5), "screen:\n\(s.rawText)")

    s.type(".hint\r")
    XCTAssertTrue(s.expect("hint 1/2: from communes ouvre la table", timeout: 5), "screen:\n\(s.rawText)")

    // Right, in the solution's order.
    s.type("from communes | sort population desc | take 5 | select nom, code_departement, population\r")
    XCTAssertTrue(s.expect("5 rows", timeout: 20), "screen:\n\(s.rawText)")
    s.type(".check\r")
    XCTAssertTrue(s.expect("✓ right: exercise 1/13 solved (1 of 13); `.next` for the next one", timeout: 20), "screen:\n\(s.rawText)")

    s.type(".next\r")
    XCTAssertTrue(s.expect("Exercise 2/13: Combien de communes compte le Rhône (69) ?", timeout: 5), "screen:\n\(s.rawText)")
    s.type(".quit\r")
    XCTAssertEqual(s.waitForExit(timeout: 10), 0, "screen:\n\(s.rawText)")

    // A new shell opens the lesson where it was left.
    let again = try start(["--lesson", lesson])
    XCTAssertTrue(again.expect("13 exercises, 1 solved; back where you were", timeout: 20), "screen:\n\(again.rawText)")
    XCTAssertTrue(again.expect("Exercise 2/13: Combien de communes compte le Rhône (69) ?", timeout: 5), "screen:\n\(again.rawText)")
    again.type(".quit\r")
    XCTAssertEqual(again.waitForExit(timeout: 10), 0)
    let saved = try String(contentsOf: home.appendingPathComponent("state/terrain/lessons.json"), encoding: .utf8)
    XCTAssertTrue(saved.contains("\"current\" : \"Combien de communes compte le Rhône (69) ?\""), saved)
  }
}
