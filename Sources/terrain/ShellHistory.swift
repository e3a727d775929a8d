// Persistent history: one entry per statement, capped, safe with two shells open.
//
// The file is `$XDG_STATE_HOME/terrain/history`, else `$HOME/.terrain_history` (absolute
// folders only; with neither, history lasts the session). Each statement is
// appended (with readline's timestamp lines, so that a multi-line statement reads back as one
// entry) and the file is truncated to the cap, both under an exclusive `flock` on a lock file
// beside it, so concurrent shells interleave whole entries and never truncate under each other.

import CReadline
import Foundation
import TerrainShell
import TerrainSyntax

final class ShellHistory: StatementHistory {
  static let cap: Int32 = 5_000

  let path: String?
  private var lockPath: String? { path.map { $0 + ".lock" } }
  private var warned = false
  private let warn: (String) -> Void

  init(environment: [String: String] = ProcessInfo.processInfo.environment, warn: @escaping (String) -> Void) {
    self.warn = warn
    // Only absolute folders: an empty or relative HOME would put the history in whatever folder
    // terrain happens to run in.
    func absolute(_ name: String) -> String? {
      guard let v = environment[name], v.hasPrefix("/") else { return nil }
      return v
    }
    if let state = absolute("XDG_STATE_HOME") {
      let dir = (state as NSString).appendingPathComponent("terrain")
      try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
      path = (dir as NSString).appendingPathComponent("history")
    } else if let home = absolute("HOME") ?? (environment["HOME"] == nil ? NSHomeDirectoryOrNil() : nil) {
      path = (home as NSString).appendingPathComponent(".terrain_history")
    } else {
      path = nil
    }
  }

  /// Configures readline's history and reads the file.
  func load() {
    history_comment_char = CChar(UInt8(ascii: "#"))
    history_write_timestamps = 1
    history_multiline_entries = 1
    stifle_history(ShellHistory.cap)
    guard let path else { return }
    withLock { _ = read_history(path) }
  }

  /// Adds a statement (unless it repeats the previous one) and appends it to the file.
  func add(_ statement: String) {
    let entry = statement.trimmingCharacters(in: .whitespacesAndNewlines)
    guard !entry.isEmpty else { return }
    if history_length > 0, let last = history_get(history_base + history_length - 1), let line = last.pointee.line,
      String(cString: line) == entry
    {
      return
    }
    add_history(entry)
    guard let path else { return }
    var failure: Int32 = 0
    withLock {
      failure = appendEntry(entry, to: path)
      if failure == 0 { _ = history_truncate_file(path, ShellHistory.cap) }
    }
    if failure != 0 && !warned {
      warned = true
      let reason = String(cString: strerror(failure))
      warn(DiagnosticText.historyNotWritten(path, reason).string + "\n")
    }
  }

  /// Appends one entry as readline writes it (a `#<time>` line, then its lines), all or
  /// nothing: a short write (full disk, file size limit) is undone by cutting the file back to
  /// its size before, so a failed entry never leaves half a line for the next to glue onto.
  /// Returns 0 or the `errno`.
  private func appendEntry(_ entry: String, to path: String) -> Int32 {
    let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
    if fd < 0 { return errno }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { return errno }
    let before = st.st_size
    let bytes = Array("#\(Int(Date().timeIntervalSince1970))\n\(entry)\n".utf8)
    var written = 0
    while written < bytes.count {
      let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress.map { $0 + written }, bytes.count - written) }
      if n < 0 {
        if errno == EINTR { continue }
        let e = errno
        _ = ftruncate(fd, before)
        return e
      }
      if n == 0 {
        _ = ftruncate(fd, before)
        return ENOSPC
      }
      written += n
    }
    return 0
  }

  private func withLock(_ body: () -> Void) {
    guard let lockPath else { return body() }
    let fd = open(lockPath, O_RDWR | O_CREAT, 0o600)
    if fd < 0 { return body() }
    defer { close(fd) }
    while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
    body()
    flock(fd, LOCK_UN)
  }
}

/// The user's home folder from the password database (when HOME is not set at all).
private func NSHomeDirectoryOrNil() -> String? {
  let h = NSHomeDirectory()
  return h.hasPrefix("/") ? h : nil
}
