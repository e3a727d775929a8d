// Persistent history: one entry per statement, capped, safe with two shells open.
//
// The file is `$XDG_STATE_HOME/terrain/history`, else `$HOME/.terrain_history` (`stateFilePath`,
// absolute folders only; with neither, history lasts the session). Each statement is
// appended (with readline's timestamp lines, so that a multi-line statement reads back as one
// entry) and the file is truncated to the cap, both under an exclusive `flock` on a lock file
// beside it, so concurrent shells interleave whole entries and never truncate under each other.

import CReadline
import Foundation
import TerrainIO
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
    path = stateFilePath(named: "history", environment: environment)
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
    withFileLock(lockPath, body)
  }
}
