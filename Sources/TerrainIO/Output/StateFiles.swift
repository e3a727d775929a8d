// Files terrain keeps between sessions (the history, lessons' progress): where they live, and
// an exclusive lock so that two shells update them one after the other.
//
// A state file is `$XDG_STATE_HOME/terrain/NAME`, else `$HOME/.terrain_NAME` (absolute folders
// only: an empty or relative HOME would put it in whatever folder terrain runs in); with
// neither, nil (the state lasts the session).

import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where the state file `name` lives for `environment` (`history` → `$XDG_STATE_HOME/terrain/history`
/// or `$HOME/.terrain_history`), creating the `terrain` folder under `XDG_STATE_HOME` if needed;
/// nil when neither folder is known.
package func stateFilePath(named name: String, environment: [String: String]) -> String? {
  func absolute(_ variable: String) -> String? {
    guard let v = environment[variable], v.hasPrefix("/") else { return nil }
    return v
  }
  if let state = absolute("XDG_STATE_HOME") {
    let dir = (state as NSString).appendingPathComponent("terrain")
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return (dir as NSString).appendingPathComponent(name)
  }
  // HOME unset (not empty): the home folder from the password database.
  if let home = absolute("HOME") ?? (environment["HOME"] == nil ? homeFromPasswordDatabase() : nil) {
    return (home as NSString).appendingPathComponent(".terrain_" + name)
  }
  return nil
}

private func homeFromPasswordDatabase() -> String? {
  let h = NSHomeDirectory()
  return h.hasPrefix("/") ? h : nil
}

/// Runs `body` holding an exclusive `flock` on `lockPath` (created if needed); without the lock
/// (it cannot be created) `body` runs anyway.
package func withFileLock<T>(_ lockPath: String, _ body: () throws -> T) rethrows -> T {
  let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
  if fd < 0 { return try body() }
  defer { close(fd) }
  while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
  defer { flock(fd, LOCK_UN) }
  return try body()
}
