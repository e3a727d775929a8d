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

/// The whole content of the file at `path` (after `~` expansion), or nil when it cannot be
/// opened or read. Reads pipes and devices too (`/dev/stdin`, a FIFO), not only regular files.
public func readTextFile(_ path: String) -> Data? {
  let real = expandingHome(path)
  var isDirectory: ObjCBool = false
  if FileManager.default.fileExists(atPath: real, isDirectory: &isDirectory), isDirectory.boolValue { return nil }
  guard let handle = FileHandle(forReadingAtPath: real) else { return nil }
  defer { try? handle.close() }
  return (try? handle.readToEnd()) ?? Data()
}
