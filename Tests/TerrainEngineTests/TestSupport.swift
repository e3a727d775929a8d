// Where the tests find the repository and the built `terrain` binary: one place for every test
// that reads the bundled data or runs the binary (CLI, examples, the shell on a terminal).

import Foundation
import TerrainEngine
import TerrainShell
import XCTest

enum TestSupport {
  /// The repository's root folder (this file is `Tests/TerrainEngineTests/TestSupport.swift`).
  static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  /// The bundled tables (`datasets/`).
  static let datasets = repositoryRoot.appendingPathComponent("datasets")

  /// The built `terrain` executable, or nil when it is not built.
  ///
  /// SwiftPM puts it in the same build folder as the test bundle (`.build/<triple>/debug/`), so
  /// it is looked for beside the running test binary and beside each loaded bundle first, then in
  /// `.build/debug/` of the repository.
  static let terrainBinary: URL? = {
    var candidates: [URL] = []
    if let executable = CommandLine.arguments.first, !executable.isEmpty {
      // Linux runs the tests as `terrainPackageTests.xctest` in the build folder.
      candidates.append(URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("terrain"))
    }
    for bundle in Bundle.allBundles {
      // macOS: the `.xctest` bundle sits in the build folder.
      candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("terrain"))
    }
    candidates.append(Bundle.main.bundleURL.appendingPathComponent("terrain"))
    candidates.append(repositoryRoot.appendingPathComponent(".build/debug/terrain"))
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
  }()

  /// Runs `executable` with `arguments` in `directory` (standard input: `stdin`, else nothing),
  /// with the process's environment plus `environment`; returns its standard output, standard
  /// error and exit status. Both pipes are read at once: a child filling one while the other is
  /// waited on would block.
  static func runProcess(
    _ executable: URL, _ arguments: [String], in directory: URL, environment: [String: String] = [:],
    stdin: String? = nil
  ) throws -> (out: String, err: String, status: Int32) {
    let p = Process()
    p.executableURL = executable
    p.arguments = arguments
    p.currentDirectoryURL = directory
    // The messages' language comes from the test, never from the machine's locale.
    let inherited = ProcessInfo.processInfo.environment.filter { !["LANG", "LC_ALL", "LC_MESSAGES"].contains($0.key) }
    p.environment = inherited.merging(environment) { _, new in new }
    let out = Pipe()
    let err = Pipe()
    let input = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = stdin == nil ? FileHandle.nullDevice : input
    try p.run()
    if let stdin {
      input.fileHandleForWriting.write(Data(stdin.utf8))
      try input.fileHandleForWriting.close()
    }
    final class Box: @unchecked Sendable { var data = Data() }
    let e = Box()
    let done = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
      e.data = err.fileHandleForReading.readDataToEndOfFile()
      done.signal()
    }
    let o = out.fileHandleForReading.readDataToEndOfFile()
    done.wait()
    p.waitUntilExit()
    return (String(decoding: o, as: UTF8.self), String(decoding: e.data, as: UTF8.self), p.terminationStatus)
  }

  /// A Python interpreter that can import every module of `modules` (pyarrow, openpyxl,
  /// polars, duckdb…), for tests that check our files with other tools' readers and theirs with
  /// ours: `$TERRAIN_PYTHON` (what `.ci/run` sets up), else `python3` on the `PATH`.
  ///
  /// - Throws: `XCTSkip` saying which module is missing and how to install it.
  static func python(modules: [String]) throws -> URL {
    let env = ProcessInfo.processInfo.environment
    var candidates: [String] = []
    if let p = env["TERRAIN_PYTHON"], !p.isEmpty { candidates.append(p) }
    for dir in (env["PATH"] ?? "/usr/bin:/bin").split(separator: ":") { candidates.append("\(dir)/python3") }
    guard let python = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
      throw XCTSkip("python3 not found (set TERRAIN_PYTHON): skipping")
    }
    let url = URL(fileURLWithPath: python)
    let script = modules.map { "import \($0)" }.joined(separator: "\n")
    let r = try runProcess(url, ["-c", script], in: URL(fileURLWithPath: NSTemporaryDirectory()))
    if r.status != 0 {
      throw XCTSkip("\(python) cannot import \(modules.joined(separator: ", ")) (pip install them, or set TERRAIN_PYTHON): skipping")
    }
    return url
  }

  /// A new empty folder in the temporary directory, removed when `test` ends.
  static func temporaryFolder(_ prefix: String, for test: XCTestCase) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
    return dir
  }

  /// The project's real open data (`../shared/data`), read in place by the agreement tests.
  static let sharedData = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/data")

  /// A session holding `tables` (`file name in shared/data` → table name), or an `XCTSkip` that
  /// says `what` is skipped when the data is absent; a load error fails the calling test.
  static func sharedDataSession(_ tables: KeyValuePairs<String, String>, skipping what: String) throws -> Session {
    for (file, _) in tables where !FileManager.default.fileExists(atPath: sharedData.appendingPathComponent(file).path) {
      throw XCTSkip("../shared/data not found: skipping \(what)")
    }
    let s = Session.shell()
    var errors = ""
    s.notify = { errors += $0 }
    let script = tables.map { "load \"\(sharedData.appendingPathComponent($0.key).path)\" as \($0.value)" }.joined(separator: "\n")
    XCTAssertTrue(s.run(script), errors)
    return s
  }

  /// What a session printed: results (`write`) and notices (`notify`).
  final class Printed {
    var out = ""
    var notes = ""
  }

  /// A session on the bundled data (tables and the outlines of `chart map`) whose relative
  /// paths start in a new temporary folder (removed after `test`), and what it prints.
  static func bundledSession(_ prefix: String, for test: XCTestCase) throws -> (Session, URL, Printed) {
    let folder = try temporaryFolder(prefix, for: test)
    let s = Session.shell()
    try s.registerDirectory(datasets.path)
    s.workingDirectory = folder.path
    let printed = Printed()
    s.write = { printed.out += $0 }
    s.notify = { printed.notes += $0 }
    return (s, folder, printed)
  }

  /// `rsvg-convert` on the `PATH`.
  ///
  /// - Throws: `XCTSkip` saying how to install it when there is none.
  static func rsvgConvert() throws -> URL {
    let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
    guard let rsvg = dirs.map({ $0 + "/rsvg-convert" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
      throw XCTSkip("rsvg-convert not found (Debian: apt-get install librsvg2-bin): SVG not rendered")
    }
    return URL(fileURLWithPath: rsvg)
  }
}
