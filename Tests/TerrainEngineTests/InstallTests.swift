// The bundled tables are found from any folder: `$TERRAIN_DATASETS`, an installation made by
// `scripts/install.sh` (`PREFIX/bin/terrain`, `PREFIX/share/terrain/datasets`), the build
// folder inside a checkout, the current folder — and the installed binary answers from a
// folder that has nothing to do with the repository.

import Foundation
import XCTest

import TerrainShell

final class InstallTests: XCTestCase {
  var dir: URL!

  override func setUpWithError() throws {
    dir = try TestSupport.temporaryFolder("terrain-install", for: self)
  }

  /// Makes `path` (below the test folder), with a `communes.csv.gz` when `tables`.
  @discardableResult
  private func folder(_ path: String, tables: Bool = false) throws -> String {
    let url = dir.appendingPathComponent(path)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    if tables { try Data([0x1F, 0x8B]).write(to: url.appendingPathComponent("communes.csv.gz")) }
    return url.path
  }

  func testTheOrderOfThePlacesLookedIn() throws {
    let env = try folder("env")
    let share = try folder("prefix/share/terrain/datasets")
    let executable = dir.appendingPathComponent("prefix/bin/terrain").path
    let cwd = try folder("work")
    try folder("work/datasets", tables: true)
    func locate(_ environment: [String: String], _ executable: String?) -> String? {
      locateBundledDatasets(environment: environment, executable: executable, currentDirectory: cwd)
    }
    XCTAssertEqual(locate(["TERRAIN_DATASETS": env], executable), env)
    XCTAssertEqual(locate(["TERRAIN_DATASETS": ""], executable), share, "empty: not set")
    XCTAssertEqual(locate(["TERRAIN_DATASETS": env + "/missing"], executable), share, "not a folder: not used")
    // A checkout: the build folder is below the repository's `datasets`.
    let checkout = try folder("checkout/datasets", tables: true)
    try folder("checkout/.build/x86_64-unknown-linux-gnu/debug")
    XCTAssertEqual(locate([:], dir.appendingPathComponent("checkout/.build/x86_64-unknown-linux-gnu/debug/terrain").path), checkout)
    // Beside the binary.
    let beside = try folder("portable/datasets", tables: true)
    XCTAssertEqual(locate([:], dir.appendingPathComponent("portable/terrain").path), beside)
    // A `datasets` folder without the bundled tables is not taken; then the current folder's.
    try folder("other/datasets")
    try folder("other/bin")
    XCTAssertEqual(locate([:], dir.appendingPathComponent("other/bin/terrain").path), cwd + "/datasets")
    XCTAssertEqual(locate([:], nil), cwd + "/datasets")
  }

  /// `scripts/install.sh` into a temporary prefix (with the debug binary already built: no
  /// release build in the tests), then the installed binary run from an unrelated folder.
  func testTheInstalledBinaryFindsItsTables() throws {
    guard let binary = TestSupport.terrainBinary else { throw XCTSkip("terrain binary not found; run `swift build` first") }
    let prefix = dir.appendingPathComponent("prefix with space")
    let script = TestSupport.repositoryRoot.appendingPathComponent("scripts/install.sh")
    let install = try TestSupport.runProcess(
      URL(fileURLWithPath: "/bin/bash"), [script.path, prefix.path], in: dir, environment: ["TERRAIN_BINARY": binary.path])
    XCTAssertEqual(install.status, 0, install.err)
    let installed = prefix.appendingPathComponent("bin/terrain")
    XCTAssertTrue(FileManager.default.isExecutableFile(atPath: installed.path))
    let tables = try FileManager.default.contentsOfDirectory(atPath: prefix.appendingPathComponent("share/terrain/datasets").path)
    XCTAssertEqual(Set(tables), Set(DatasetsTests.names.map { "\($0).csv.gz" } + ["README.md", "contours"]))
    let contours = try FileManager.default.contentsOfDirectory(atPath: prefix.appendingPathComponent("share/terrain/datasets/contours").path)
    XCTAssertEqual(Set(contours), ["departements.geojson.gz", "regions.geojson.gz"])

    let elsewhere = try folder("elsewhere")
    let r = try TestSupport.runProcess(
      installed, ["--mode", "csv", "-c", "from communes | aggregate n = count()\nfrom regions | aggregate n = count()"],
      in: URL(fileURLWithPath: elsewhere), environment: ["TERRAIN_DATASETS": ""])
    XCTAssertEqual(r.status, 0, r.err)
    XCTAssertEqual(r.out, "n\n34875\nn\n18\n")
    // The installed binary finds the outlines of `chart map`, even with `--no-data`.
    let map = try TestSupport.runProcess(
      installed, ["-c", "from departements | chart map code_departement, population to \"m.svg\""],
      in: URL(fileURLWithPath: elsewhere), environment: ["TERRAIN_DATASETS": ""])
    XCTAssertEqual(map.status, 0, map.err)
    XCTAssertTrue(map.err.contains("wrote a map of 96 départements to m.svg"), map.err)
    try "code,v\n01,1\n2A,2\n".write(toFile: elsewhere + "/v.csv", atomically: true, encoding: .utf8)
    let noData = try TestSupport.runProcess(
      installed, ["--no-data", "-c", "load \"v.csv\" as v\nfrom v | chart map code, v to \"n.svg\""],
      in: URL(fileURLWithPath: elsewhere), environment: ["TERRAIN_DATASETS": ""])
    XCTAssertEqual(noData.status, 0, noData.err)
    XCTAssertTrue(noData.err.contains("wrote a map of 96 départements to n.svg"), noData.err)
  }
}
