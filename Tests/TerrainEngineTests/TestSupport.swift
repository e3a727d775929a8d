// Where the tests find the repository and the built `terrain` binary: one place for every test
// that reads the bundled data or runs the binary (CLI, examples, the shell on a terminal).

import Foundation

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
}
