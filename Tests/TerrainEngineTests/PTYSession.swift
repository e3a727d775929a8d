// Runs the real `terrain` binary on a pseudo-terminal and drives it like a person would.

import Foundation
import XCTest

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A child process on a pseudo-terminal: type into it, read what it shows.
final class PTYSession {
  let pid: pid_t
  private let master: Int32
  private var output: [UInt8] = []
  /// Where `expect` starts looking; moved past each match.
  private var mark = 0
  private(set) var exitStatus: Int32?

  /// The built `terrain` executable (see `TestSupport.terrainBinary`).
  static func terrainBinary() -> String? { TestSupport.terrainBinary?.path }

  static func repositoryRoot() -> URL { TestSupport.repositoryRoot }

  /// Starts `executable` with `arguments` and exactly `environment` on a new terminal of
  /// `columns` × `rows`, as the leader of a new session with the terminal as its controlling
  /// terminal (so Ctrl-C reaches it as SIGINT).
  init(executable: String, arguments: [String] = [], environment: [String: String], columns: UInt16 = 160, rows: UInt16 = 50)
    throws
  {
    let m = PTYSession.openMaster()
    guard m >= 0, PTYSession.grant(m) == 0, PTYSession.unlock(m) == 0, let namePointer = PTYSession.slaveName(m) else {
      throw PTYError("cannot open a pseudo-terminal: errno \(errno)")
    }
    let slavePath = String(cString: namePointer)
    var size = winsize(ws_row: rows, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
    _ = ioctl(m, UInt(TIOCSWINSZ), &size)

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, slavePath, O_RDWR, 0)
    posix_spawn_file_actions_adddup2(&actions, 0, 1)
    posix_spawn_file_actions_adddup2(&actions, 0, 2)
    posix_spawn_file_actions_addclose(&actions, m)

    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    #if os(Linux)
      let setsid: Int32 = 0x80  // POSIX_SPAWN_SETSID
    #else
      let setsid: Int32 = 0x0400
    #endif
    var defaults = sigset_t()
    sigemptyset(&defaults)
    sigaddset(&defaults, SIGINT)
    sigaddset(&defaults, SIGPIPE)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    var empty = sigset_t()
    sigemptyset(&empty)
    posix_spawnattr_setsigmask(&attributes, &empty)
    posix_spawnattr_setflags(&attributes, Int16(setsid | Int32(POSIX_SPAWN_SETSIGDEF) | Int32(POSIX_SPAWN_SETSIGMASK)))

    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    // Sanitizer settings of the test run reach the child too (e.g. ASAN_OPTIONS=detect_leaks=0).
    var childEnvironment = environment
    for (key, value) in ProcessInfo.processInfo.environment where key.hasSuffix("SAN_OPTIONS") && childEnvironment[key] == nil {
      childEnvironment[key] = value
    }
    let envp = childEnvironment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      argv.forEach { free($0) }
      envp.forEach { free($0) }
    }
    var child: pid_t = 0
    let rc = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
    guard rc == 0 else {
      close(m)
      throw PTYError("cannot start \(executable): error \(rc)")
    }
    pid = child
    master = m
    _ = fcntl(m, F_SETFL, fcntl(m, F_GETFL) | O_NONBLOCK)
  }

  deinit { terminate() }

  // posix_openpt and friends need _XOPEN_SOURCE, which the Glibc module does not define:
  // reach them through the dynamic linker there.
  #if canImport(Glibc)
    private typealias IntFn = @convention(c) (Int32) -> Int32
    private typealias NameFn = @convention(c) (Int32) -> UnsafeMutablePointer<CChar>?
    private static func symbol<T>(_ name: String, _: T.Type) -> T? {
      guard let p = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
      return unsafeBitCast(p, to: T.self)
    }
    static func openMaster() -> Int32 { symbol("posix_openpt", IntFn.self)?(O_RDWR | O_NOCTTY) ?? -1 }
    static func grant(_ fd: Int32) -> Int32 { symbol("grantpt", IntFn.self)?(fd) ?? -1 }
    static func unlock(_ fd: Int32) -> Int32 { symbol("unlockpt", IntFn.self)?(fd) ?? -1 }
    static func slaveName(_ fd: Int32) -> UnsafeMutablePointer<CChar>? { symbol("ptsname", NameFn.self)?(fd) }
  #else
    static func openMaster() -> Int32 { posix_openpt(O_RDWR | O_NOCTTY) }
    static func grant(_ fd: Int32) -> Int32 { grantpt(fd) }
    static func unlock(_ fd: Int32) -> Int32 { unlockpt(fd) }
    static func slaveName(_ fd: Int32) -> UnsafeMutablePointer<CChar>? { ptsname(fd) }
  #endif

  /// Types `text` (control characters included: "\r" is Enter, "\u{03}" Ctrl-C, "\t" Tab).
  func type(_ text: String) {
    var bytes = Array(text.utf8)
    var offset = 0
    let deadline = Date().addingTimeInterval(5)
    while offset < bytes.count && Date() < deadline {
      let n = bytes.withUnsafeMutableBytes { raw in write(master, raw.baseAddress.map { $0 + offset }, raw.count - offset) }
      if n > 0 { offset += n } else { usleep(10_000) }
    }
  }

  /// Everything shown so far, escape sequences included.
  var rawText: String { String(decoding: output, as: UTF8.self) }

  /// What was shown since the last match, escape sequences included.
  var rawTextSinceMark: String { String(decoding: output[min(mark, output.count)...], as: UTF8.self) }

  /// Waits until `needle` appears (escape sequences removed) after the last match; moves past it.
  @discardableResult
  func expect(_ needle: String, timeout: TimeInterval = 5) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
      let visible = PTYSession.stripEscapes(Array(output[min(mark, output.count)...]))
      if let r = visible.range(of: needle) {
        // Advance the mark to just past the match in the raw output.
        mark = PTYSession.rawOffset(in: output, from: mark, visibleCharacters: visible[..<r.upperBound])
        return true
      }
      if Date() >= deadline { return false }
      if !pump(until: deadline) && exitStatus != nil { return false }
    }
  }

  /// Reads whatever arrives for `interval`.
  func drain(for interval: TimeInterval) {
    let deadline = Date().addingTimeInterval(interval)
    while Date() < deadline { _ = pump(until: deadline) }
  }

  /// Waits for the process to exit; its status, or nil on time-out.
  func waitForExit(timeout: TimeInterval = 5) -> Int32? {
    let deadline = Date().addingTimeInterval(timeout)
    while exitStatus == nil && Date() < deadline {
      _ = pump(until: Date().addingTimeInterval(0.05))
      reap()
    }
    return exitStatus
  }

  /// The terminal's line discipline flags (`c_lflag`: ICANON, ECHO…), read through the
  /// master side, which shares them with the child's terminal.
  func localModes() -> tcflag_t? {
    var t = termios()
    return tcgetattr(master, &t) == 0 ? t.c_lflag : nil
  }

  /// Kills the child if it is still running.
  func terminate() {
    if exitStatus == nil {
      kill(pid, SIGKILL)
      var status: Int32 = 0
      _ = waitpid(pid, &status, 0)
      exitStatus = -1
    }
    if master >= 0 { close(master) }
  }

  private func reap() {
    guard exitStatus == nil else { return }
    var status: Int32 = 0
    if waitpid(pid, &status, WNOHANG) == pid {
      // WIFEXITED / WEXITSTATUS by hand (macros are not imported).
      exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
  }

  /// Reads available output, waiting at most until `deadline`. False when nothing can come.
  private func pump(until deadline: Date) -> Bool {
    var p = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
    let ms = Int32(max(0, min(100, deadline.timeIntervalSinceNow * 1000)))
    let r = poll(&p, 1, ms)
    if r > 0 {
      var buffer = [UInt8](repeating: 0, count: 65536)
      let n = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
      if n > 0 {
        output.append(contentsOf: buffer[0..<n])
        return true
      }
      reap()
      return false
    }
    reap()
    return exitStatus == nil
  }

  /// Text without ANSI escape sequences and carriage returns.
  static func stripEscapes(_ bytes: [UInt8]) -> String {
    String(decoding: visibleBytes(bytes).map(\.byte), as: UTF8.self)
  }

  private static func visibleBytes(_ bytes: [UInt8]) -> [(byte: UInt8, raw: Int)] {
    var out: [(UInt8, Int)] = []
    var i = 0
    while i < bytes.count {
      let b = bytes[i]
      if b == 0x1b {
        i += 1
        guard i < bytes.count else { break }
        if bytes[i] == UInt8(ascii: "[") {
          i += 1
          while i < bytes.count && !(bytes[i] >= 0x40 && bytes[i] <= 0x7e) { i += 1 }
          i += 1
        } else {
          i += 1
        }
        continue
      }
      if b == UInt8(ascii: "\r") || b == 0x07 || b == 0x08 {
        i += 1
        continue
      }
      out.append((b, i))
      i += 1
    }
    return out
  }

  private static func rawOffset(in output: [UInt8], from mark: Int, visibleCharacters: Substring) -> Int {
    let visible = visibleBytes(Array(output[min(mark, output.count)...]))
    let count = visibleCharacters.utf8.count
    guard count > 0, count <= visible.count else { return mark }
    return mark + visible[count - 1].raw + 1
  }
}

struct PTYError: Error, CustomStringConvertible {
  var description: String
  init(_ d: String) { description = d }
}

/// Whether `text` holds an SGR (colour) escape sequence.
func containsColorEscape(_ text: String) -> Bool {
  text.range(of: "\u{1b}\\[[0-9;]*m", options: .regularExpression) != nil
}
