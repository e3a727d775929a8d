// Paths as the user types them, and reading whole text files (scripts) from any kind of file.

import Foundation

/// `path` with a leading `~/` (or a lone `~`) replaced by the home folder, as a shell would;
/// other paths unchanged.
public func expandingHome(_ path: String) -> String {
  guard path == "~" || path.hasPrefix("~/") else { return path }
  guard let home = ProcessInfo.processInfo.environment["HOME"], !home.isEmpty else { return path }
  return home + path.dropFirst(1)
}

/// Where the file system finds `path` when relative paths start from `directory`: `path` itself
/// when `directory` is nil or `path` is absolute or starts with `~`; else `directory/path`.
public func resolvingPath(_ path: String, in directory: String?) -> String {
  guard let directory, !path.isEmpty, !path.hasPrefix("/"), path != "~", !path.hasPrefix("~/") else { return path }
  return directory.hasSuffix("/") ? directory + path : directory + "/" + path
}

