// One connection to a PostgreSQL server through libpq: statements sent asynchronously so that
// the session's cancel flag (Ctrl-C) reaches the server (`PQcancel`), and the server's errors
// turned into catalog diagnostics.

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import CLibPQ
import Dispatch
import TerrainStorage
import TerrainSyntax

/// A connection to one PostgreSQL database, opened from a libpq connection string
/// (`host=… dbname=…`) or URI (`postgresql://user@host/db`); libpq reads the `PG*` variables and
/// `~/.pgpass` for what the string leaves out. Used from one thread at a time (the session's);
/// only the cancel flag given to each call is read from another. A connection lost between two
/// statements is reopened at the next one.
package final class PostgresConnection {
  private var conn: OpaquePointer
  /// The connection string as given (it may hold a password: never shown; see `displayName`).
  package let conninfo: String
  /// Whether `PQcancel` was sent for the statement under way (its "canceling statement"
  /// error is then the user's cancellation, not a timeout). Cleared by each `send`.
  private(set) var cancelRequested = false
  /// `user@host:port/dbname` as the server was reached (no password), for messages and `.tables`.
  package private(set) var displayName: String
  /// The session's Ctrl-C flag (the `cancel` given to `init`): calls given no flag of their own
  /// (a `rollback` after an error) send no cancel request when it is set, but wait for a
  /// silent server no longer than `silenceLimitNanoseconds`.
  package let interrupt: CancellationFlag?

  /// Connects, checking `cancel` (Ctrl-C) every 100 ms while the server is reached: a host that
  /// does not answer cannot hold the session.
  /// - Throws: a `Diagnostic` (`pg-cannot-connect`) with libpq's reason; `CancelledError`.
  package init(conninfo: String, cancel: CancellationFlag? = nil) throws {
    self.conninfo = conninfo
    interrupt = cancel
    // UTF-8 as a connection parameter (later keywords override what the string says), so no
    // blocking `SET` follows the connection; `PQresetStart` reuses it.
    let started: OpaquePointer? = ["dbname", "client_encoding"].withCStrings { keywords in
      [conninfo, "UTF8"].withCStrings { values in PQconnectStartParams(keywords, values, 1) }
    }
    guard let c = started else {
      throw Diagnostic(.pgCannotConnect, redactedConninfo(conninfo), "out of memory")
    }
    conn = c
    displayName = redactedConninfo(conninfo)
    // Every stored property is set from here: a throw runs `deinit`, which closes `conn`.
    guard PQstatus(c) != CONNECTION_BAD, try pollUntilConnected(cancel: cancel, step: PQconnectPoll) else {
      throw Diagnostic(.pgCannotConnect, redactedConninfo(conninfo), errorText(PQerrorMessage(c)), help: .pgConnectHelp)
    }
    displayName = describeConnection(c)
  }

  deinit { PQfinish(conn) }

  /// Reopens a connection the server or the network dropped (or that a silent server made us
  /// give up); nothing when it is fine. Checks `cancel` as `init` does.
  /// - Throws: `pg-connection-lost` when it cannot be reopened; `CancelledError`.
  package func ensureOpen(cancel: CancellationFlag? = nil) throws {
    guard PQstatus(conn) != CONNECTION_OK else { return }
    guard PQresetStart(conn) == 1, try pollUntilConnected(cancel: cancel, step: PQresetPoll) else {
      throw Diagnostic(.pgConnectionLost, displayName, errorText(PQerrorMessage(conn)), help: .pgReconnectHelp)
    }
  }

  /// Drives libpq's non-blocking connection (`PQconnectPoll`/`PQresetPoll` as `step`): waits in
  /// slices of 100 ms for the socket to be ready as the last step asked, checking `cancel`
  /// between them. Whether the connection is open (false: failed, see `PQerrorMessage`).
  private func pollUntilConnected(cancel: CancellationFlag?, step: (OpaquePointer?) -> PostgresPollingStatusType) throws -> Bool {
    var state = PGRES_POLLING_WRITING
    while true {
      switch state {
      case PGRES_POLLING_OK: return true
      case PGRES_POLLING_FAILED: return false
      default: break
      }
      let socket = PQsocket(conn)
      guard socket >= 0 else { return false }
      var ready = false
      while !ready {
        if cancel?.isCancelled == true { throw CancelledError() }
        var p = pollfd(fd: socket, events: Int16(state == PGRES_POLLING_READING ? POLLIN : POLLOUT), revents: 0)
        ready = poll(&p, 1, 100) != 0
      }
      state = step(conn)
    }
  }

  /// The libpq handle, for the transfers of this module.
  var handle: OpaquePointer { conn }

  // MARK: statements

  /// Runs `sql` (with `$1`… bound to `parameters`, as text) and returns its rows as text
  /// (nil for null), for the catalog queries and commands (`BEGIN`, `DROP TABLE`…).
  @discardableResult
  package func query(_ sql: String, _ parameters: [String] = [], cancel: CancellationFlag? = nil) throws -> [[String?]] {
    try ensureOpen(cancel: cancel)
    try send(sql, parameters)
    let results = try collectResults(cancel: cancel)
    var rows: [[String?]] = []
    for r in results {
      defer { PQclear(r) }
      let n = Int(PQntuples(r)), m = Int(PQnfields(r))
      for i in 0..<n {
        rows.append((0..<m).map { j in
          PQgetisnull(r, Int32(i), Int32(j)) != 0 ? nil : String(cString: PQgetvalue(r, Int32(i), Int32(j)))
        })
      }
    }
    return rows
  }

  /// Sends one statement without waiting for its result.
  func send(_ sql: String, _ parameters: [String] = []) throws {
    beginStatement()
    let sent: Int32
    if parameters.isEmpty {
      sent = PQsendQuery(conn, sql)
    } else {
      var copies = parameters.map { strdup($0) }
      defer { copies.forEach { free($0) } }
      sent = copies.withUnsafeMutableBufferPointer { values in
        values.withMemoryRebound(to: UnsafePointer<CChar>?.self) { p in
          PQsendQueryParams(conn, sql, Int32(parameters.count), nil, p.baseAddress, nil, nil, 0)
        }
      }
    }
    guard sent == 1 else { throw lostOrFailed() }
  }

  /// Forgets the previous statement's cancel request; called before sending each command.
  func beginStatement() {
    cancelRequested = false
    cancelSentAt = nil
  }

  /// Waits for the results of the statement sent, polling `cancel` every 100 ms (a set flag
  /// sends `PQcancel` once, then the server's answer is awaited). Stops at a COPY result (the
  /// caller transfers the data) or when there is none left; the first error result becomes a
  /// diagnostic once every result is read.
  func collectResults(cancel: CancellationFlag?, stopAtCopy: Bool = false) throws -> [OpaquePointer] {
    var results: [OpaquePointer] = []
    var failure: Error?
    while true {
      try waitUntilNotBusy(cancel: cancel)
      guard let r = PQgetResult(conn) else { break }
      let status = PQresultStatus(r)
      if status == PGRES_COPY_OUT || status == PGRES_COPY_IN {
        if stopAtCopy {
          results.append(r)
          return results
        }
        PQclear(r)
        failure = failure ?? Diagnostic(.pgServerError, "unexpected COPY")
        break
      }
      if status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE {
        if failure == nil { failure = serverError(r) }
        PQclear(r)
      } else {
        results.append(r)
      }
      if PQstatus(conn) != CONNECTION_OK { break }
    }
    if let failure {
      results.forEach { PQclear($0) }
      throw failure
    }
    return results
  }

  /// Reads what the server sent until a result is complete, every 100 ms checking `cancel`.
  func waitUntilNotBusy(cancel: CancellationFlag?) throws {
    while PQisBusy(conn) != 0 {
      try waitForServer(cancel: cancel)
      guard PQconsumeInput(conn) == 1 else { throw lostOrFailed() }
    }
  }

  /// How long the server has to end a statement once asked to cancel it (or, for `drainResults`,
  /// to send what is left) before the connection is given up: a server or a network that went
  /// silent must not hold the session after Ctrl-C.
  static let silenceLimitNanoseconds: UInt64 = 3_000_000_000

  /// When the cancel request of the statement under way was sent (monotonic), nil before.
  private var cancelSentAt: UInt64?
  /// The latest moment `drainResults` waits until, nil outside it.
  private var drainDeadline: UInt64?

  /// Waits up to 100 ms for the server to send something (with `writing`, or to take more
  /// data). Sends the cancel request once
  /// `cancel` is set; when the server has not ended the statement `silenceLimitNanoseconds`
  /// later, closes the connection's socket (the next statement reconnects) and throws
  /// `CancelledError`.
  func waitForServer(cancel: CancellationFlag?, writing: Bool = false) throws {
    if let cancel, cancel.isCancelled, !cancelRequested {
      sendCancel()
    } else if cancel == nil, cancelSentAt == nil, interrupt?.isCancelled == true {
      cancelSentAt = monotonicNanoseconds()
    }
    try checkSilence()
    try waitForInput(timeoutMilliseconds: 100, writing: writing)
  }

  /// Gives the connection up when the server has been silent too long: a cancel request sent
  /// more than `silenceLimitNanoseconds` ago (`CancelledError`), or `drainResults`'s deadline
  /// passed (`pg-connection-lost`).
  func checkSilence() throws {
    let now = monotonicNanoseconds()
    if let sent = cancelSentAt, now &- sent > Self.silenceLimitNanoseconds {
      abandon()
      throw CancelledError()
    }
    if let deadline = drainDeadline, now > deadline {
      abandon()
      throw lostOrFailed()
    }
  }

  /// Waits until the connection's socket is readable (or, with `writing`, writable too) or
  /// `timeoutMilliseconds` have passed.
  func waitForInput(timeoutMilliseconds: Int32, writing: Bool = false) throws {
    let socket = PQsocket(conn)
    guard socket >= 0 else { throw lostOrFailed() }
    var p = pollfd(fd: socket, events: Int16(writing ? POLLIN | POLLOUT : POLLIN), revents: 0)
    _ = poll(&p, 1, timeoutMilliseconds)
  }

  /// Asks the server to stop the statement running: `PQcancel` opens a second connection and
  /// waits for the server to take the request, so it runs on another thread (a server that
  /// hangs would hold it for ever); the statement's own wait is bounded by `waitForServer`.
  func sendCancel() {
    cancelRequested = true
    cancelSentAt = monotonicNanoseconds()
    guard let c = PQgetCancel(conn) else { return }
    let request = CancelRequest(c)
    DispatchQueue.global().async { request.send() }
  }

  /// Gives up the connection: its socket is shut, so libpq sees it closed, the statement ends
  /// with an error and the next one reconnects (`ensureOpen`).
  func abandon() {
    let socket = PQsocket(conn)
    if socket >= 0 { _ = shutdown(socket, Int32(SHUT_RDWR)) }
    _ = PQconsumeInput(conn)
  }

  /// The error of a failed send or read: a lost connection, or libpq's message.
  func lostOrFailed() -> Diagnostic {
    let reason = errorText(PQerrorMessage(conn))
    if PQstatus(conn) != CONNECTION_OK {
      return Diagnostic(.pgConnectionLost, displayName, reason, help: .pgReconnectHelp)
    }
    return Diagnostic(.pgServerError, reason)
  }

  /// The diagnostic of an error result: its SQLSTATE picks the message (a missing table, a
  /// refused permission, a statement timeout, a lost connection), the server's text follows.
  /// A cancellation the session asked for is `CancelledError`.
  func serverError(_ r: OpaquePointer) -> Error {
    let state = field(r, diagSQLState) ?? ""
    var message = field(r, diagPrimary) ?? errorText(PQresultErrorMessage(r))
    if message.isEmpty { message = errorText(PQerrorMessage(conn)) }
    if let detail = field(r, diagDetail) { message += " (\(detail))" }
    switch state {
    case "57014":
      if cancelRequested { return CancelledError() }
      return Diagnostic(.pgStatementTimeout, message, help: .pgTimeoutHelp)
    case "42P01", "3F000": return Diagnostic(.pgMissingTable, message, help: .pgMissingTableHelp)
    case "42501": return Diagnostic(.pgPermissionDenied, message, help: .pgPermissionHelp)
    case "57P01", "57P02", "57P03", "08000", "08003", "08006":
      return Diagnostic(.pgConnectionLost, displayName, message, help: .pgReconnectHelp)
    default:
      if PQstatus(conn) != CONNECTION_OK {
        return Diagnostic(.pgConnectionLost, displayName, message, help: .pgReconnectHelp)
      }
      return Diagnostic(.pgServerError, message)
    }
  }

  private func field(_ r: OpaquePointer, _ code: Int32) -> String? {
    guard let p = PQresultErrorField(r, code) else { return nil }
    let s = String(cString: p)
    return s.isEmpty ? nil : s
  }

  /// Discards whatever results are left (after an error in the middle of a transfer).
  /// Waits at most `silenceLimitNanoseconds` for them, then gives the connection up.
  func drainResults() {
    drainDeadline = monotonicNanoseconds() &+ Self.silenceLimitNanoseconds
    defer { drainDeadline = nil }
    while (try? waitUntilNotBusy(cancel: nil)) != nil, let r = PQgetResult(conn) {
      let status = PQresultStatus(r)
      PQclear(r)
      if status == PGRES_COPY_IN { _ = PQputCopyEnd(conn, "aborted") }
      if status == PGRES_COPY_OUT { break }
    }
  }
}

/// A `PGcancel` sent from another thread, freed once sent.
private final class CancelRequest: @unchecked Sendable {
  private let cancel: OpaquePointer

  init(_ cancel: OpaquePointer) { self.cancel = cancel }

  deinit { PQfreeCancel(cancel) }

  func send() {
    var buffer = [CChar](repeating: 0, count: 256)
    _ = PQcancel(cancel, &buffer, Int32(buffer.count))
  }
}

extension Array where Element == String {
  /// The strings as a NULL-terminated array of C strings, for libpq's keyword/value calls.
  fileprivate func withCStrings<R>(_ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
    var copies: [UnsafeMutablePointer<CChar>?] = map { strdup($0) } + [nil]
    defer { copies.forEach { free($0) } }
    return copies.withUnsafeMutableBufferPointer { buffer in
      buffer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { body(UnsafePointer($0.baseAddress)) }
    }
  }
}

/// Nanoseconds of the monotonic clock.
private func monotonicNanoseconds() -> UInt64 {
  var t = timespec()
  clock_gettime(CLOCK_MONOTONIC, &t)
  return UInt64(max(0, t.tv_sec)) &* 1_000_000_000 &+ UInt64(max(0, t.tv_nsec))
}

// The error fields of `PQresultErrorField` (postgres_ext.h's PG_DIAG_* are character macros,
// which Swift does not import).
private let diagSQLState = Int32(UInt8(ascii: "C"))
private let diagPrimary = Int32(UInt8(ascii: "M"))
private let diagDetail = Int32(UInt8(ascii: "D"))

/// libpq's message without its trailing line end.
func errorText(_ p: UnsafePointer<CChar>?) -> String {
  guard let p else { return "" }
  var s = String(cString: p)
  while s.last == "\n" || s.last == " " { s.removeLast() }
  return s.split(separator: "\n").joined(separator: " ")
}

private func describeConnection(_ c: OpaquePointer) -> String {
  func text(_ p: UnsafeMutablePointer<CChar>?) -> String { p.map { String(cString: $0) } ?? "" }
  let host = text(PQhost(c)), port = text(PQport(c))
  return "\(text(PQuser(c)))@\(host.hasPrefix("/") ? "[\(host)]" : host):\(port)/\(text(PQdb(c)))"
}

/// A connection string or URI with its password removed, for messages: `password=…` in a
/// key/value string, `user:…@` and `password=` in a URI.
package func redactedConninfo(_ conninfo: String) -> String {
  var out = ""
  var rest = Substring(conninfo)
  // URI: postgresql://user:secret@host → postgresql://user:***@host
  if conninfo.hasPrefix("postgres://") || conninfo.hasPrefix("postgresql://"),
    let scheme = rest.range(of: "://") {
    out += rest[..<scheme.upperBound]
    rest = rest[scheme.upperBound...]
    if let at = rest.firstIndex(of: "@"), let colon = rest[..<at].firstIndex(of: ":") {
      out += rest[..<colon] + ":***"
      rest = rest[at...]
    }
  }
  out += rest
  // password=… (up to a space or `&`), in either form.
  var result = ""
  var s = Substring(out)
  while let r = s.range(of: "password=") {
    result += s[..<r.upperBound] + "***"
    s = s[r.upperBound...]
    var quoted = false
    if s.first == "'" { quoted = true; s = s.dropFirst() }
    while let c = s.first, quoted ? c != "'" : (c != " " && c != "&") {
      s = s.dropFirst()
      if c == "\\" { s = s.dropFirst() }
    }
    if quoted { s = s.dropFirst() }
  }
  return result + s
}
