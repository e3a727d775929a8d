// Persistent history: one entry per statement, capped, safe with two shells open.
//
// The file is `$XDG_STATE_HOME/terrain/history`, else `~/.terrain_history`. Each statement is
// appended (with readline's timestamp lines, so that a multi-line statement reads back as one
// entry) and the file is truncated to the cap, both under an exclusive `flock` on a lock file
// beside it, so concurrent shells interleave whole entries and never truncate under each other.

import CReadline
import Foundation
import TerrainShell

final class ShellHistory: StatementHistory {
  static let cap: Int32 = 5_000

  let path: String?
  private var lockPath: String? { path.map { $0 + ".lock" } }
  private var warned = false
  private let warn: (String) -> Void

  init(environment: [String: String] = ProcessInfo.processInfo.environment, warn: @escaping (String) -> Void) {
    self.warn = warn
    if let state = environment["XDG_STATE_HOME"], !state.isEmpty {
      let dir = (state as NSString).appendingPathComponent("terrain")
      try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
      path = (dir as NSString).appendingPathComponent("history")
    } else if let home = environment["HOME"] ?? NSHomeDirectoryOrNil() {
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
      let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
      if fd < 0 {
        failure = errno
        return
      }
      close(fd)
      failure = append_history(1, path)
      if failure == 0 { _ = history_truncate_file(path, ShellHistory.cap) }
    }
    if failure != 0 && !warned {
      warned = true
      let reason = String(cString: strerror(failure))
      warn("warning: cannot write history to \(path): \(reason) (history is kept for this session only)\n")
    }
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

private func NSHomeDirectoryOrNil() -> String? {
  let h = NSHomeDirectory()
  return h.isEmpty ? nil : h
}
