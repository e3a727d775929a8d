// The lesson flow in the real binary on a pseudo-terminal: `terrain --lesson`, a wrong answer
// and its diff, `.hint`, a right answer, `.next`, and the place restored in a new shell.

import Foundation
import XCTest

extension ShellPTYTests {
  func testLessonFlowAndProgressAcrossShells() throws {
    let lesson = PTYSession.repositoryRoot().appendingPathComponent("examples/exercices.lesson").path
    let s = try start(noColor: true, arguments: ["--lesson", lesson])
    XCTAssertTrue(PTYSession.stripEscapes(Array(s.rawText.utf8)).contains("Exercise 1/13: Les cinq communes les plus peuplées"), "screen:\n\(s.rawText)")

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
    let again = try start(noColor: true, arguments: ["--lesson", lesson])
    let screen = PTYSession.stripEscapes(Array(again.rawText.utf8))
    XCTAssertTrue(screen.contains("13 exercises, 1 solved; back where you were\n\nExercise 2/13: Combien de communes compte le Rhône (69) ?"), "screen:\n\(screen)")
    again.type(".quit\r")
    XCTAssertEqual(again.waitForExit(timeout: 10), 0)
    let saved = try String(contentsOf: home.appendingPathComponent("state/terrain/lessons.json"), encoding: .utf8)
    XCTAssertTrue(saved.contains("\"current\" : \"Combien de communes compte le Rhône (69) ?\""), saved)
  }
}
