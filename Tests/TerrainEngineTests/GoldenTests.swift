// Golden scripts: every `Golden/*.tq` is run in-process with a fresh `Session`; its stdout and
// stderr are compared with `Golden/*.expected` (stdout, a `-- stderr --` line, stderr).
//
// Header comment lines at the top of a script configure the run:
//   # mode: table            output mode (default csv)
//   # data: bundled          register the bundled `datasets/` (else no table)
//   # params: d=69 min=1000  parameters, as with `-p`
//
// Each script runs with the current directory set to a fresh temporary folder that holds
// symbolic links `data` → `Golden/data` and `datasets` → the bundled datasets, so scripts
// `load "data/x.csv"` and `export "out.csv"` with stable, relative paths.
//
// `TERRAIN_UPDATE_GOLDEN=1 swift test --filter GoldenTests` (re)writes the expected files.

import Foundation
import XCTest

import TerrainEngine
import TerrainExecution
import TerrainIO
import TerrainPlanner
import TerrainStorage
import TerrainSyntax

final class GoldenTests: XCTestCase {
  static let goldenDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
  static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  struct Header {
    var mode: OutputMode = .csv
    var bundled = false
    var params: [String: String] = [:]
  }

  static func header(of text: String) -> Header {
    var h = Header()
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      let l = line.trimmingCharacters(in: .whitespaces)
      guard l.hasPrefix("#") else { break }
      let body = l.dropFirst().trimmingCharacters(in: .whitespaces)
      if body.hasPrefix("mode:") {
        h.mode = OutputMode(rawValue: body.dropFirst(5).trimmingCharacters(in: .whitespaces)) ?? .csv
      } else if body.hasPrefix("data:") {
        h.bundled = body.dropFirst(5).trimmingCharacters(in: .whitespaces) == "bundled"
      } else if body.hasPrefix("params:") {
        for pair in body.dropFirst(7).split(separator: " ") {
          if let eq = pair.firstIndex(of: "=") {
            h.params[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
          }
        }
      }
    }
    return h
  }

  /// Runs one script and returns the text of its expected file.
  static func run(script name: String) throws -> String {
    let text = try String(contentsOf: goldenDir.appendingPathComponent(name), encoding: .utf8)
    let h = header(of: text)
    let fm = FileManager.default
    let tmp = fm.temporaryDirectory.appendingPathComponent("terrain-golden-\(UUID().uuidString)")
    try fm.createDirectory(at: tmp, withIntermediateDirectories: true)
    defer { try? fm.removeItem(at: tmp) }
    try fm.createSymbolicLink(at: tmp.appendingPathComponent("data"), withDestinationURL: goldenDir.appendingPathComponent("data"))
    try fm.createSymbolicLink(
      at: tmp.appendingPathComponent("datasets"), withDestinationURL: repoRoot.appendingPathComponent("datasets"))
    let previous = fm.currentDirectoryPath
    _ = fm.changeCurrentDirectoryPath(tmp.path)
    defer { _ = fm.changeCurrentDirectoryPath(previous) }

    let session = Session()
    var out = ""
    var err = ""
    session.write = { out += $0 }
    session.notify = { err += $0 }
    session.renderOptions.mode = h.mode
    session.parameters = h.params
    if h.bundled { try session.registerDirectory("datasets") }
    session.run(text, name: name)
    return out + "-- stderr --\n" + err
  }

  static func scripts() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: goldenDir.path).filter { $0.hasSuffix(".tq") }.sorted()
  }

  func testGoldenScripts() throws {
    let update = ProcessInfo.processInfo.environment["TERRAIN_UPDATE_GOLDEN"] == "1"
    let names = try Self.scripts()
    XCTAssertGreaterThan(names.count, 0, "no golden script in \(Self.goldenDir.path)")
    var failures: [String] = []
    for name in names {
      let actual = try Self.run(script: name)
      let expectedURL = Self.goldenDir.appendingPathComponent(String(name.dropLast(3)) + ".expected")
      if update {
        try actual.write(to: expectedURL, atomically: true, encoding: .utf8)
        continue
      }
      guard let expected = try? String(contentsOf: expectedURL, encoding: .utf8) else {
        failures.append("\(name): no expected file (run with TERRAIN_UPDATE_GOLDEN=1, then review it)")
        continue
      }
      if expected != actual {
        failures.append("\(name): output differs\n" + Self.diff(expected, actual))
      }
    }
    if !failures.isEmpty {
      XCTFail("\(failures.count) golden script(s) failed:\n\n" + failures.joined(separator: "\n\n"))
    }
  }

  /// A line diff: `-` expected, `+` actual, with a little context (LCS based; scripts are small).
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
