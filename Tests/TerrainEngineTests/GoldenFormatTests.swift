// The golden file format itself: what it reads, what it refuses (with file:line), how it writes
// expectations back, and how the runner goes on after a failing record.

import Foundation
import Testing

import TerrainEngine
import TerrainIO

struct GoldenFormatTests {
  static let sample = """
    # A comment.
    mode table
    data bundled
    param code=01
    param label=a b=c

    statement ok
    load "data/t.csv"
    ----
    loaded 8 rows into t

    query
    from t | take 1
    ----
    a
    <blank>
    b
    -- stderr --
    note

    statement error
    from nope
    ----
    boom
    -- stdout --
    partial

    statement ok
    .timer off

    """

  @Test func readsDirectivesRecordsAndBlocks() throws {
    let file = try GoldenFile(name: "s.test", text: Self.sample)
    #expect(file.mode == .table)
    #expect(file.bundled)
    #expect(file.parameters == ["code": "01", "label": "a b=c"])
    #expect(file.records.map(\.kind) == [.statementOK, .query, .statementError, .statementOK])
    #expect(file.records.map(\.line) == [7, 12, 21, 28])
    #expect(file.records.map(\.textLine) == [8, 13, 22, 29])
    #expect(file.records.map(\.text) == ["load \"data/t.csv\"", "from t | take 1", "from nope", ".timer off"])
    #expect(file.records[0].expectedStdout == "")
    #expect(file.records[0].expectedStderr == "loaded 8 rows into t\n")
    #expect(file.records[1].expectedStdout == "a\n\nb\n")
    #expect(file.records[1].expectedStderr == "note\n")
    #expect(file.records[2].expectedStdout == "partial\n")
    #expect(file.records[2].expectedStderr == "boom\n")
    #expect(!file.records[3].hasBlock)
    #expect(file.records[3].expectedStdout == "" && file.records[3].expectedStderr == "")
  }

  @Test func writesBackWhatItRead() throws {
    let file = try GoldenFile(name: "s.test", text: Self.sample)
    let outcomes = file.records.map {
      GoldenFile.Outcome(succeeded: $0.kind != .statementError, stdout: $0.expectedStdout, stderr: $0.expectedStderr)
    }
    #expect(try file.rewritten(with: outcomes) == Self.sample)
  }

  @Test func rewritingFollowsWhatHappened() throws {
    let file = try GoldenFile(name: "s.test", text: "statement ok\nfrom t\n\nstatement error\nfrom u\n----\nold\n")
    let text = try file.rewritten(with: [
      GoldenFile.Outcome(succeeded: false, stdout: "", stderr: "s.test:2:6: error: no\n"),
      GoldenFile.Outcome(succeeded: true, stdout: "x\n\ny\n", stderr: "loaded\n"),
    ])
    #expect(text == "statement error\nfrom t\n----\ns.test:2:6: error: no\n\nquery\nfrom u\n----\nx\n<blank>\ny\n-- stderr --\nloaded\n")
  }

  @Test func refusesOutputTheFormatCannotHold() throws {
    let file = try GoldenFile(name: "s.test", text: "query\nfrom t\n----\nx\n")
    #expect(throws: GoldenFormatError.self) {
      try file.rewritten(with: [GoldenFile.Outcome(succeeded: true, stdout: "no line end", stderr: "")])
    }
    #expect(throws: GoldenFormatError.self) {
      try file.rewritten(with: [GoldenFile.Outcome(succeeded: true, stdout: "a\n-- stderr --\n", stderr: "")])
    }
  }

  static let malformed: [(text: String, message: String)] = [
    ("", "bad.test:1: no record (`statement ok`, `statement error` or `query`)"),
    ("# only a comment\n", "bad.test:1: no record (`statement ok`, `statement error` or `query`)"),
    ("statment ok\nfrom t\n",
     "bad.test:1: expected `statement ok`, `statement error`, `query`, a directive (mode, data, param), a comment or an empty line; found `statment ok`"),
    ("statement ok\nfrom t\n\nmode table\n", "bad.test:4: the directive `mode` must come before the first record"),
    ("mode tabel\n", "bad.test:1: unknown mode `tabel`; modes: " + OutputMode.allCases.map(\.rawValue).joined(separator: ", ")),
    ("data mine\n", "bad.test:1: `data` takes `bundled`, not `mine`"),
    ("param n\n", "bad.test:1: expected `param NAME=VALUE`, found `param n`"),
    ("\n\nquery\n\nfrom t\n", "bad.test:3: `query` must be followed by a statement on the next line"),
    ("statement error\nfrom t\n", "bad.test:1: `statement error` needs `----` and its expected error after the statement"),
    ("query\nfrom t\n\n", "bad.test:1: `query` needs `----` and its expected output after the statement"),
    ("statement ok\nload \"x.csv\"\nstatement ok\nfrom x\n", "bad.test:3: a record ends with an empty line: add one before `statement ok`"),
    ("query\nfrom t\n----\nx\nstatement error\nfrom u\n", "bad.test:5: a record ends with an empty line: add one before `statement error`"),
    ("query\nfrom t\n----\nx\n-- stderr --\ny\n-- stderr --\n", "bad.test:7: `-- stderr --` comes after that stream was already given"),
    ("statement error\nfrom t\n----\nboom\n-- stderr --\n", "bad.test:5: `-- stderr --` comes after that stream was already given"),
  ]

  @Test(arguments: malformed)
  func malformedFileNamesItsLine(_ example: (text: String, message: String)) {
    do {
      _ = try GoldenFile(name: "bad.test", text: example.text)
      Issue.record("accepted: \(example.text)")
    } catch let e as GoldenFormatError {
      #expect(e.description == example.message)
    } catch {
      Issue.record("unexpected error \(error)")
    }
  }

  /// A failing record does not stop the file: the next records run in the same session, and
  /// errors point at the golden file's lines.
  @Test func failingRecordDoesNotStopTheFile() throws {
    let text = """
      statement error
      from t
      ----
      x

      statement ok
      load "data/t.csv"

      statement error
      let t = from t | where nope
      ----
      x

      query
      from t | select id | take 1
      ----
      x

      """
    let outcomes = try GoldenTests.run(try GoldenFile(name: "run.test", text: text))
    #expect(outcomes.map(\.succeeded) == [false, true, false, true])
    #expect(outcomes[0].stderr.hasPrefix("run.test:2:6: error: unknown table `t`\n2 │ from t\n"))
    #expect(outcomes[1] == GoldenFile.Outcome(succeeded: true, stdout: "", stderr: "loaded 8 rows into t\n"))
    #expect(outcomes[2].stderr.hasPrefix("run.test:10:24: error: unknown column `nope` in `t`\n10 │ let t = from t | where nope\n"))
    // The failed `let` changed nothing: `t` is still the loaded table.
    #expect(outcomes[3] == GoldenFile.Outcome(succeeded: true, stdout: "id\n1\n", stderr: ""))
  }
}
