// Every `.help` topic exists and its example runs on the bundled data.

import Foundation
import XCTest
import TerrainEngine
import TerrainExecution
import TerrainIO
import TerrainPlanner
import TerrainStorage
import TerrainSyntax
import TerrainShell

final class HelpTests: XCTestCase {
  static let datasets = TestSupport.datasets.path

  func bundledSession() throws -> (Session, () -> String) {
    let s = Session.shell()
    var out = ""
    s.write = { out += $0 }
    s.notify = { out += $0 }
    try s.registerDirectory(Self.datasets)
    return (s, { out })
  }

  func testEveryTopicHasAnExampleThatRuns() throws {
    // One session for all (loading the bundled tables in a debug build takes a while).
    let (s, output) = try bundledSession()
    XCTAssertTrue(s.run("pilots epci key siren = \"200069177\", \"246900740\""), output())
    for topic in helpTopics {
      // Files the examples write go to the temporary folder; then `attach` gets the test
      // server when there is one (TestSupport.postgres()), whose socket path is left as it is.
      var example = topic.example.replacingOccurrences(of: "/tmp/", with: NSTemporaryDirectory())
      if topic.name == "attach" {
        guard let pg = try? TestSupport.postgres() else { continue }
        example = example.replacingOccurrences(of: "postgresql://user@host/db", with: pg)
      }
      let ok = s.run(example, name: "help \(topic.name)")
      XCTAssertTrue(ok, "example of `.help \(topic.name)` fails:\n\(output())")
    }
  }

  func testEveryDotCommandExampleRuns() throws {
    let (s, output) = try bundledSession()
    XCTAssertTrue(s.run("pilots epci key siren = \"200069177\""))
    // `.drop` last: it forgets a table the others use.
    let commands = ShellCommands.all.filter { !["read", "quit", "drop"].contains($0.name) }
      + ShellCommands.all.filter { $0.name == "drop" }
    // `.lesson examples/…` from the repository; `.check` compares a result shown after it.
    s.workingDirectory = TestSupport.repositoryRoot.path
    for command in commands {
      if command.name == "check" { XCTAssertTrue(s.run("from epci | take 1"), output()) }
      // `.detach pg` needs a database attached as pg: the test server's, when there is one.
      if command.name == "detach" {
        guard let pg = try? TestSupport.postgres() else { continue }
        XCTAssertTrue(s.run("attach \"\(pg)\" as pg"), output())
      }
      let example = command.example.replacingOccurrences(of: "/tmp/", with: NSTemporaryDirectory())
      XCTAssertTrue(s.run(example, name: "help .\(command.name)"), "`\(example)` fails:\n\(output())")
    }
    XCTAssertTrue(s.run(".record off"), output())
  }

  func testHelpCoversEveryStageFunctionAndAggregate() {
    let names = Set(helpTopics.map(\.name))
    for stage in Grammar.terrain.stageKeywords { XCTAssertTrue(names.contains(stage), stage) }
    for f in ScalarFunction.allCases { XCTAssertTrue(names.contains(f.rawValue), f.rawValue) }
    for a in AggregateFunction.allCases { XCTAssertTrue(names.contains(a.rawValue), a.rawValue) }
    for k in Parser.statementKeywords { XCTAssertTrue(names.contains(k), k) }
  }

  func testUnknownTopicSuggests() {
    func help(_ topic: String) -> String? {
      do {
        _ = try helpText(topic)
        return nil
      } catch let d as Diagnostic {
        return d.help
      } catch {
        return nil
      }
    }
    XCTAssertEqual(help("agregate"), "did you mean `.help aggregate`?")
    XCTAssertEqual(help(".tabels"), "did you mean `.help .tables`?")
    XCTAssertEqual(help("zzzzzz"), "`.help` lists the topics")
  }
}
