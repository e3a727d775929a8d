// Where the bundled tables (`datasets/`) are, wherever `terrain` runs from: a checkout, a
// build folder, or an installation (`scripts/install.sh`: `PREFIX/bin/terrain` and
// `PREFIX/share/terrain/datasets`).

import Foundation

/// The folder of the bundled tables, or nil when there is none:
/// 1. `$TERRAIN_DATASETS` when it names a folder;
/// 2. `<prefix>/share/terrain/datasets` for an installed `<prefix>/bin/terrain`;
/// 3. a `datasets` folder holding the bundled tables beside the executable or in a folder
///    above it (the build folder inside a checkout: `.build/debug/terrain`);
/// 4. the current folder's `datasets`, when it holds them.
///
/// - Parameters:
///   - environment: the process's environment.
///   - executable: the real path of the running executable (`runningExecutablePath()`).
///   - currentDirectory: the working directory.
package func locateBundledDatasets(environment: [String: String], executable: String?, currentDirectory: String) -> String? {
  if let forced = environment["TERRAIN_DATASETS"], !forced.isEmpty, isDirectory(forced) { return forced }
  if let executable {
    let binFolder = URL(fileURLWithPath: executable).deletingLastPathComponent()
    let installed = binFolder.deletingLastPathComponent().appendingPathComponent("share/terrain/datasets").path
    if isDirectory(installed) { return installed }
    var folder = binFolder
    for _ in 0..<8 {
      let candidate = folder.appendingPathComponent("datasets").path
      if holdsBundledTables(candidate) { return candidate }
      let parent = folder.deletingLastPathComponent()
      if parent.path == folder.path { break }
      folder = parent
    }
  }
  let local = URL(fileURLWithPath: currentDirectory).appendingPathComponent("datasets").path
  return holdsBundledTables(local) ? local : nil
}

/// The running executable's path with symbolic links resolved (`/proc/self/exe` on Linux;
/// the bundle's executable elsewhere), so that `terrain` found through `PATH` or a link finds
/// its own installation.
package func runningExecutablePath() -> String? {
  if let linked = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return linked }
  return Bundle.main.executableURL?.resolvingSymlinksInPath().path
}

private func isDirectory(_ path: String) -> Bool {
  var folder: ObjCBool = false
  return FileManager.default.fileExists(atPath: path, isDirectory: &folder) && folder.boolValue
}

/// Whether `folder` is a copy of the repository's `datasets/` (it holds `communes`,
/// compressed or not), rather than any folder that happens to be called so.
private func holdsBundledTables(_ folder: String) -> Bool {
  let fm = FileManager.default
  return ["communes.csv.gz", "communes.csv"].contains { fm.fileExists(atPath: folder + "/" + $0) }
}
