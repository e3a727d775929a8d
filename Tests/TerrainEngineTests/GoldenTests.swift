// Golden files: every `Golden/*.test` is one test case of `golden(_:)`, found when the tests
// run (a new file is picked up with no code change). The format is described at the top of
// `GoldenFormat.swift` and in `Golden/README.md`: records of one statement each, with the
// expected standard output and standard error of that statement; a statement expected to fail
// must fail with exactly its expected message, and the file goes on with the next record.
//
// Each file runs in its own `Session`, whose `workingDirectory` is a fresh temporary folder
// holding symbolic links `data` → `Golden/data` and `datasets` → the bundled datasets, so that
// files `load "data/x.csv"` and `export "out.csv"` with stable relative paths; the process's
// current directory is never changed, and the files run in parallel.
//
//   swift test --filter GoldenTests                        every golden file
//   TERRAIN_GOLDEN=57_branch swift test --filter Golden    the files whose name contains the text
//   TERRAIN_UPDATE_GOLDEN=1 swift test --filter Golden     rewrite the expected blocks (then review
//                                                          the diff: kinds follow what happened)

import Foundation
import Testing

import TerrainEngine
import TerrainIO

struct GoldenTests {
  static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
  /// Entries of the folder that are not golden files.
  static let otherEntries: Set<String> = ["README.md", "data", "tools"]

  /// The golden files' names, sorted; with `TERRAIN_GOLDEN=TEXT` only those containing TEXT.
  static func fileNames() -> [String] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    let only = ProcessInfo.processInfo.environment["TERRAIN_GOLDEN"] ?? ""
    return entries.filter { $0.hasSuffix(".test") && (only.isEmpty || $0.contains(only)) }.sorted()
  }

  @Test func folderHoldsGoldenFiles() throws {
    let entries = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path)
    #expect(entries.filter { $0.hasSuffix(".test") }.count > 0, "no golden file in \(Self.folder.path)")
    let stray = entries.filter { !$0.hasSuffix(".test") && !Self.otherEntries.contains($0) }.sorted()
    #expect(stray.isEmpty, "not golden files (a golden file's name ends with .test): \(stray.joined(separator: ", "))")
  }

  @Test(arguments: fileNames())
  func golden(_ name: String) throws {
    let url = Self.folder.appendingPathComponent(name)
    func at(_ line: Int) -> SourceLocation {
      SourceLocation(fileID: "TerrainEngineTests/Golden/\(name)", filePath: url.path, line: line, column: 1)
    }
    let text = try String(contentsOf: url, encoding: .utf8)
    let file: GoldenFile
    do {
      file = try GoldenFile(name: name, text: text)
    } catch let e as GoldenFormatError {
      Issue.record("malformed golden file: \(e)", sourceLocation: at(e.line))
      return
    }
    let outcomes = try Self.run(file)

    if ProcessInfo.processInfo.environment["TERRAIN_UPDATE_GOLDEN"] == "1" {
      do {
        // A block that grows moves the records below it, and their errors name their lines:
        // run again on the rewritten text until it no longer changes.
        var current = (file: file, outcomes: outcomes, text: text)
        for _ in 0..<4 {
          let updated = try current.file.rewritten(with: current.outcomes)
          if updated == current.text { break }
          let next = try GoldenFile(name: name, text: updated)
          current = (next, try Self.run(next), updated)
        }
        #expect(try current.file.rewritten(with: current.outcomes) == current.text, "\(name): the expectations do not settle")
        if current.text != text { try current.text.write(to: url, atomically: true, encoding: .utf8) }
      } catch let e as GoldenFormatError {
        Issue.record("\(e)", sourceLocation: at(e.line))
      }
      return
    }

    for (record, outcome) in zip(file.records, outcomes) {
      let place = "\(name):\(record.line)"
      let shown = "standard output:\n\(outcome.stdout)standard error:\n\(outcome.stderr)"
      switch (record.kind, outcome.succeeded) {
      case (.statementError, true):
        Issue.record("\(place): `statement error` succeeded\n\(shown)", sourceLocation: at(record.line))
        continue
      case (.statementOK, false), (.query, false):
        Issue.record("\(place): `\(record.kind.rawValue)` failed\n\(shown)", sourceLocation: at(record.line))
        continue
      default:
        break
      }
      if outcome.stdout != record.expectedStdout {
        let diff = Self.diff(record.expectedStdout, outcome.stdout)
        Issue.record("\(place): standard output differs (- expected, + actual)\n\(diff)", sourceLocation: at(record.line))
      }
      if outcome.stderr != record.expectedStderr {
        let diff = Self.diff(record.expectedStderr, outcome.stderr)
        Issue.record("\(place): standard error differs (- expected, + actual)\n\(diff)", sourceLocation: at(record.line))
      }
    }
  }

  /// Runs every record of `file` in order in one session; what each one did.
  static func run(_ file: GoldenFile) throws -> [GoldenFile.Outcome] {
    let fm = FileManager.default
    let directory = fm.temporaryDirectory.appendingPathComponent("terrain-golden-\(UUID().uuidString)")
    try fm.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? fm.removeItem(at: directory) }
    try fm.createSymbolicLink(at: directory.appendingPathComponent("data"), withDestinationURL: folder.appendingPathComponent("data"))
    try fm.createSymbolicLink(at: directory.appendingPathComponent("datasets"), withDestinationURL: TestSupport.datasets)

    final class Streams {
      var stdout = ""
      var stderr = ""
    }
    let streams = Streams()
    let session = Session.shell()
    session.workingDirectory = directory.path
    session.write = { streams.stdout += $0 }
    session.notify = { streams.stderr += $0 }
    session.renderOptions.mode = file.mode
    session.parameters = file.parameters
    if file.bundled { try session.registerDirectory("datasets") }

    return file.records.map { record in
      streams.stdout = ""
      streams.stderr = ""
      // The empty lines put the statement at its line of the golden file: errors point there.
      let succeeded = session.run(String(repeating: "\n", count: record.textLine - 1) + record.text, name: file.name)
      return GoldenFile.Outcome(succeeded: succeeded, stdout: streams.stdout, stderr: streams.stderr)
    }
  }

  /// A line diff: `-` expected, `+` actual, with a little context (LCS based; outputs are small).
  static func diff(_ a: String, _ b: String) -> String {
    let x = a.components(separatedBy: "\n")
    let y = b.components(separatedBy: "\n")
    let n = x.count
    let m = y.count
    var lcs = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: n + 1)
    for i in stride(from: n - 1, through: 0, by: -1) {
      for j in stride(from: m - 1, through: 0, by: -1) {
        lcs[i][j] = x[i] == y[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
      }
    }
    var lines: [(Character, String)] = []
    var i = 0
    var j = 0
    while i < n || j < m {
      if i < n && j < m && x[i] == y[j] {
        lines.append((" ", x[i])); i += 1; j += 1
      } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
        lines.append(("+", y[j])); j += 1
      } else {
        lines.append(("-", x[i])); i += 1
      }
    }
    var keep = [Bool](repeating: false, count: lines.count)
    for (k, l) in lines.enumerated() where l.0 != " " {
      for c in max(0, k - 2)...min(lines.count - 1, k + 2) { keep[c] = true }
    }
    var out: [String] = []
    var skipped = false
    for (k, l) in lines.enumerated() {
      if keep[k] {
        out.append("\(l.0) \(l.1)")
        skipped = false
      } else if !skipped {
        out.append("  …")
        skipped = true
      }
    }
    return out.joined(separator: "\n")
  }
}
