// Rows in and out of PostgreSQL: a SELECT's result through `COPY (…) TO STDOUT (FORMAT binary)`
// decoded straight into columns, a table written with `COPY … FROM STDIN (FORMAT binary)` in one
// transaction, and the tables of a schema with their columns.

import CLibPQ
import Dispatch
import TerrainStorage
import TerrainSyntax
import TerrainIO

/// One column of a table or result on the server.
package struct PostgresColumn: Sendable, Equatable {
  package var name: String
  /// The type's OID and modifier (`pg_attribute.atttypid`, `atttypmod`).
  package var oid: UInt32
  package var typmod: Int32
  /// The type as PostgreSQL writes it (`character varying(5)`), for `.schema`.
  package var typeName: String

  /// The terrain type it is read as.
  package var terrainType: DataType { TerrainPostgres.terrainType(oid: oid, typmod: typmod) }
}

/// A table (or view) of an attached schema.
package struct PostgresTable: Sendable {
  package var name: String
  package var columns: [PostgresColumn]
}

/// What `export "NAME.table"` does when the table exists.
package enum PostgresExportMode: String, Sendable, CaseIterable {
  /// The default: create the table; an error if it exists.
  case create
  /// Drop the table (if it exists) and create it anew.
  case replace
  /// Add the rows to the table (created if missing); columns are matched by name and the
  /// server converts the values to the table's types.
  case append
}

extension PostgresConnection {
  // MARK: catalog

  /// The tables, views and materialised views of `schema` with their columns, by name.
  package func tables(schema: String, cancel: CancellationFlag? = nil) throws -> [PostgresTable] {
    let rows = try query("""
      select c.relname, a.attname, a.atttypid::int8, a.atttypmod, format_type(a.atttypid, a.atttypmod)
      from pg_catalog.pg_class c
      join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      join pg_catalog.pg_attribute a on a.attrelid = c.oid
      where n.nspname = $1 and c.relkind in ('r', 'v', 'm', 'p', 'f') and a.attnum > 0 and not a.attisdropped
      order by c.relname, a.attnum
      """, [schema], cancel: cancel)
    var tables: [PostgresTable] = []
    for row in rows {
      guard row.count == 5, let table = row[0], let column = row[1] else { continue }
      let c = PostgresColumn(name: column, oid: row[2].flatMap { UInt32($0) } ?? 0,
        typmod: row[3].flatMap { Int32($0) } ?? -1, typeName: row[4] ?? "")
      if tables.last?.name == table {
        tables[tables.count - 1].columns.append(c)
      } else {
        tables.append(PostgresTable(name: table, columns: [c]))
      }
    }
    return tables
  }

  /// Whether `schema` exists on the server.
  package func schemaExists(_ schema: String) throws -> Bool {
    try query("select 1 from pg_catalog.pg_namespace where nspname = $1", [schema]).count == 1
  }

  // MARK: transfer in

  /// The rows of the SELECT `sql`, read through `COPY (…) TO STDOUT (FORMAT binary)` and decoded
  /// straight into columns (text into one dictionary per column as it streams). Column types:
  /// see `PostgresWireType`; a type without a binary reader is cast to text by the server.
  /// `cancel` set midway sends `PQcancel` and throws `CancelledError`, the connection usable.
  /// `notices` receives what the caller should tell the user (timestamps read as dates).
  ///
  /// - Throws: a `Diagnostic` for a server error (at no span: the caller places it), a lost
  ///   connection, a malformed stream or a result larger than the memory available.
  package func fetch(sql: String, cancel: CancellationFlag? = nil, notices: ((String) -> Void)? = nil) throws -> Table {
    try fetch(sql: sql, cancel: cancel, notices: notices, memoryShare: 1)
  }

  /// `fetch`, checking the result against `1 / memoryShare` of what it may take (the parts of
  /// `fetchParts`, decoded at once, share the memory).
  private func fetch(sql: String, cancel: CancellationFlag?, notices: ((String) -> Void)?, memoryShare: Int) throws -> Table {
    try ensureOpen(cancel: cancel)
    var body = Substring(sql)
    while let last = body.last, last == ";" || last == " " || last == "\n" || last == "\t" { body = body.dropLast() }
    let columns = try describe(String(body), cancel: cancel)
    var wire: [PostgresWireType] = []
    var casts: [String] = []
    var needsCast = false
    for (i, c) in columns.enumerated() {
      let alias = "c\(i + 1)"
      if let w = PostgresWireType(oid: c.oid, typmod: c.typmod) {
        wire.append(w)
        casts.append(alias)
      } else if c.oid == 1184 {
        wire.append(.timestamp)
        casts.append("\(alias)::timestamp")
        needsCast = true
      } else {
        wire.append(.text(trimPadding: false))
        casts.append("\(alias)::text")
        needsCast = true
      }
      if c.oid == 1114 || c.oid == 1184 { notices?("column `\(c.name)`: timestamps read as dates (the time of day is dropped)") }
    }
    let select = needsCast
      ? "select \(casts.joined(separator: ", ")) from (\(body)) as t(\((1...max(1, columns.count)).map { "c\($0)" }.joined(separator: ", ")))"
      : String(body)
    var decoder = CopyBinaryDecoder(types: wire)
    try send("copy (\(select)) to stdout (format binary)")
    let started = try collectResults(cancel: cancel, stopAtCopy: true)
    started.forEach { PQclear($0) }
    var failure: Error?
    // Checked every 64 MB received: the columns take about what arrives (8-byte values for
    // 4–8-byte fields, 4-byte codes for text), and a result may take half of what is left.
    let memoryLimit = (availableMemory() ?? Int.max) / max(1, memoryShare)
    var checkedAt = 0
    while true {
      var buffer: UnsafeMutablePointer<CChar>?
      let n = PQgetCopyData(handle, &buffer, 1)
      if n > 0, let buffer {
        defer { PQfreemem(buffer) }
        guard failure == nil else { continue }
        do {
          try decoder.feed(UnsafeRawBufferPointer(start: buffer, count: Int(n)))
          if decoder.bytesReceived - checkedAt > 1 << 26 {
            checkedAt = decoder.bytesReceived
            if decoder.bytesReceived > memoryLimit / 2 { throw Diagnostic(.pgResultTooLarge, String(decoder.rows)) }
          }
        } catch {
          failure = error
          if !cancelRequested { sendCancel() }
        }
      } else if n == 0 {
        do { try waitForServer(cancel: cancel) } catch { throw failure ?? error }
        guard PQconsumeInput(handle) == 1 else { throw failure ?? lostOrFailed() }
      } else if n == -1 {
        break
      } else {
        throw lostOrFailed()
      }
    }
    do {
      let finished = try collectResults(cancel: cancel)
      finished.forEach { PQclear($0) }
    } catch {
      throw failure ?? error
    }
    if let failure { throw failure }
    let decoded = try decoder.finish()
    return Table(fields: zip(columns, decoded).map { Field(name: $0.name, type: $1.type) }, columns: decoded, rowCount: decoder.rows)
  }

  /// The rows of the SELECTs `parts` (the same columns; in practice one scan split into ctid
  /// ranges), the first read on this connection and each other on the `helpers` connection of
  /// its rank, all at once and each decoded on its own thread, then put one after the other.
  /// The parts see one snapshot: this connection exports its snapshot in a REPEATABLE READ
  /// transaction and the helpers' transactions take it (`SET TRANSACTION SNAPSHOT`), so the
  /// result is what one statement would have read. Every transaction ends before returning.
  ///
  /// - Throws: as `fetch` (the first part's error when several fail), or a `Diagnostic` when the
  ///   snapshot cannot be shared (a server that cannot export one: the caller may read in one part).
  package func fetchParts(_ parts: [String], whole: String, helpers: [PostgresConnection], cancel: CancellationFlag? = nil,
    notices: ((String) -> Void)? = nil) throws -> Table {
    let connections = [self] + helpers.prefix(max(0, parts.count - 1))
    guard parts.count > 1, connections.count == parts.count else {
      return try fetch(sql: whole, cancel: cancel, notices: notices)
    }
    var begun: [PostgresConnection] = []
    defer {
      for c in begun where PQstatus(c.handle) == CONNECTION_OK {
        c.drainResults()
        _ = try? c.query("rollback")
      }
    }
    do {
      for c in connections {
        try c.ensureOpen(cancel: cancel)
        try c.query("begin isolation level repeatable read read only", cancel: cancel)
        begun.append(c)
      }
      guard let snapshot = try query("select pg_catalog.pg_export_snapshot()", cancel: cancel).first?.first ?? nil else {
        throw lostOrFailed()
      }
      for c in connections.dropFirst() {
        try c.query("set transaction snapshot " + quoteLiteral(snapshot), cancel: cancel)
      }
    } catch let d as Diagnostic {
      // No shared snapshot (a standby before PostgreSQL 10, a helper lost…): one statement.
      for c in begun where PQstatus(c.handle) == CONNECTION_OK {
        c.drainResults()
        _ = try? c.query("rollback")
      }
      begun = []
      _ = d
      return try fetch(sql: whole, cancel: cancel, notices: notices)
    }
    var tables = [Table?](repeating: nil, count: parts.count)
    var errors = [Error?](repeating: nil, count: parts.count)
    var messages = [[String]](repeating: [], count: parts.count)
    let lock = SimpleLock()
    DispatchQueue.concurrentPerform(iterations: parts.count) { i in
      var said: [String] = []
      let result = Result {
        try connections[i].fetch(sql: parts[i], cancel: cancel, notices: { said.append($0) }, memoryShare: parts.count)
      }
      lock.lock()
      defer { lock.unlock() }
      switch result {
      case .success(let t): tables[i] = t
      case .failure(let e): errors[i] = e
      }
      messages[i] = said
    }
    if let e = errors.compactMap({ $0 }).first { throw e }
    for c in connections { try c.query("commit", cancel: cancel) }
    begun = []
    messages.first?.forEach { notices?($0) }
    return try concatenated(tables.compactMap { $0 })
  }

  /// The result columns of `sql` (prepared, not run).
  package func describe(_ sql: String, cancel: CancellationFlag?) throws -> [PostgresColumn] {
    beginStatement()
    guard PQsendPrepare(handle, "", sql, 0, nil) == 1 else { throw lostOrFailed() }
    try collectResults(cancel: cancel).forEach { PQclear($0) }
    guard PQsendDescribePrepared(handle, "") == 1 else { throw lostOrFailed() }
    let results = try collectResults(cancel: cancel)
    defer { results.forEach { PQclear($0) } }
    guard let r = results.last else { return [] }
    return (0..<PQnfields(r)).map { i in
      PostgresColumn(name: PQfname(r, i).map { String(cString: $0) } ?? "c\(i + 1)", oid: PQftype(r, i),
        typmod: PQfmod(r, i), typeName: "")
    }
  }

  // MARK: transfer out

  /// Writes `table` to `schema.name` in one transaction (`COPY … FROM STDIN (FORMAT binary)`):
  /// created (an error if it exists), replaced, or appended to, by `mode`. Any error — a server
  /// error, a lost connection, `cancel` — rolls everything back. Returns the rows written.
  package func export(_ table: Table, schema: String, name: String, mode: PostgresExportMode,
    cancel: CancellationFlag? = nil) throws -> Int {
    try ensureOpen(cancel: cancel)
    let target = quoteIdentifier(schema) + "." + quoteIdentifier(name)
    try query("begin")
    do {
      let exists = try query("select to_regclass($1) is not null", [target]).first?.first == "t"
      let columnList = table.fields.map { quoteIdentifier($0.name) }.joined(separator: ", ")
      let definition = table.fields.map { quoteIdentifier($0.name) + " " + sqlType($0.type) }.joined(separator: ", ")
      switch mode {
      case .create:
        if exists { throw Diagnostic(.pgTableExists, name, schema, help: .pgExportModes) }
        try query("create table \(target) (\(definition))", cancel: cancel)
        try copyIn(table, into: target, columns: columnList, cancel: cancel)
      case .replace:
        if exists { try query("drop table \(target)", cancel: cancel) }
        try query("create table \(target) (\(definition))", cancel: cancel)
        try copyIn(table, into: target, columns: columnList, cancel: cancel)
      case .append:
        if exists {
          // Into a temporary table of terrain's types, then converted by the server to the
          // table's own (an int column into an `int4` one, text into `varchar`…).
          let staging = quoteIdentifier("terrain_append_staging")
          try query("create temporary table \(staging) (\(definition)) on commit drop", cancel: cancel)
          try copyIn(table, into: staging, columns: columnList, cancel: cancel)
          try query("insert into \(target) (\(columnList)) select \(columnList) from \(staging)", cancel: cancel)
        } else {
          try query("create table \(target) (\(definition))", cancel: cancel)
          try copyIn(table, into: target, columns: columnList, cancel: cancel)
        }
      }
      try query("commit", cancel: cancel)
    } catch {
      if PQstatus(handle) == CONNECTION_OK {
        drainResults()
        _ = try? query("rollback")
      }
      throw error
    }
    return table.rowCount
  }

  /// `COPY target (columns) FROM STDIN (FORMAT binary)` with the rows of `table`, sent in
  /// pieces of about 1 MB; `cancel` between pieces aborts the COPY. The connection is
  /// non-blocking meanwhile, so that a network that stops taking data cannot hold the session:
  /// each wait to write checks `cancel` (see `waitToWrite`).
  private func copyIn(_ table: Table, into target: String, columns: String, cancel: CancellationFlag?) throws {
    try send("copy \(target) (\(columns)) from stdin (format binary)")
    try collectResults(cancel: cancel, stopAtCopy: true).forEach { PQclear($0) }
    guard PQsetnonblocking(handle, 1) == 0 else { throw lostOrFailed() }
    defer { _ = PQsetnonblocking(handle, 0) }
    var encoder = CopyBinaryEncoder(table: table)
    var aborted: Error?
    while let piece = try encoder.next(maxBytes: 1 << 20) {
      if let cancel, cancel.isCancelled {
        aborted = CancelledError()
        break
      }
      while true {
        let sent = piece.withUnsafeBytes { p in
          PQputCopyData(handle, p.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(p.count))
        }
        if sent == 1 { break }
        guard sent == 0 else { throw lostOrFailed() }
        try waitToWrite(cancel: cancel)
      }
    }
    while true {
      let ended = PQputCopyEnd(handle, aborted == nil ? nil : "cancelled by the user")
      if ended == 1 { break }
      guard ended == 0 else { throw lostOrFailed() }
      try waitToWrite(cancel: cancel)
    }
    while true {
      let flushed = PQflush(handle)
      if flushed == 0 { break }
      guard flushed == 1 else { throw lostOrFailed() }
      try waitToWrite(cancel: cancel)
    }
    do {
      try collectResults(cancel: cancel).forEach { PQclear($0) }
    } catch {
      throw aborted ?? error
    }
    if let aborted { throw aborted }
  }

  /// Waits up to 100 ms for the socket to take more data (sending what libpq holds), and gives
  /// the connection up (`CancelledError`) when `cancel` has been set for longer than
  /// `silenceLimitNanoseconds` without the server taking anything.
  private func waitToWrite(cancel: CancellationFlag?) throws {
    try waitForServer(cancel: cancel, writing: true)
    guard PQconsumeInput(handle) == 1, PQflush(handle) >= 0 else { throw lostOrFailed() }
  }
}

/// The rows of `tables` (the same fields) one after the other.
private func concatenated(_ tables: [Table]) throws -> Table {
  guard var whole = tables.first else { return Table(fields: [], columns: [], rowCount: 0) }
  for t in tables.dropFirst() {
    guard t.columns.count == whole.columns.count else {
      throw Diagnostic(.pgCorruptCopy, String(whole.rowCount + 1),
        DiagnosticText.pgCopyFieldCount(String(t.columns.count), String(whole.columns.count)).string)
    }
    let (n, overflow) = whole.rowCount.addingReportingOverflow(t.rowCount)
    guard !overflow else { throw Diagnostic(.pgResultTooLarge, String(whole.rowCount)) }
    let columns = try zip(whole.fields.indices, zip(whole.columns, t.columns)).map { i, pair in
      try concatenatedColumn(pair.0, whole.rowCount, pair.1, t.rowCount, type: whole.fields[i].type)
    }
    whole = Table(fields: whole.fields, columns: columns, rowCount: n)
  }
  return whole
}

/// The PostgreSQL type a terrain column is written as.
package func sqlType(_ type: DataType) -> String {
  switch type {
  case .int: return "bigint"
  case .float: return "double precision"
  case .text: return "text"
  case .bool: return "boolean"
  case .date: return "date"
  }
}

/// A table in COPY's binary format, produced in pieces: the header, one tuple per row (types
/// as `sqlType` declares them), the trailer.
package struct CopyBinaryEncoder {
  private let table: Table
  private var row = 0
  private var headerWritten = false
  private var done = false

  package init(table: Table) { self.table = table }

  /// The next piece of at least `maxBytes` (except the last), or nil when all is written.
  /// - Throws: `pg-date-range` for a date PostgreSQL cannot hold in its 32-bit days.
  package mutating func next(maxBytes: Int) throws -> [UInt8]? {
    if done { return nil }
    var out: [UInt8] = []
    out.reserveCapacity(maxBytes + 4096)
    if !headerWritten {
      out += CopyBinaryDecoder.signature
      out += [0, 0, 0, 0, 0, 0, 0, 0]
      headerWritten = true
    }
    let count = UInt16(truncatingIfNeeded: table.columns.count)
    while row < table.rowCount && out.count < maxBytes {
      appendBE(&out, count)
      for (c, column) in table.columns.enumerated() {
        guard column.isValid(row) else {
          appendBE(&out, UInt32(bitPattern: -1))
          continue
        }
        switch column.values {
        case .int(let b):
          appendBE(&out, UInt32(8))
          appendBE(&out, UInt64(bitPattern: b.base[row]))
        case .float(let b):
          appendBE(&out, UInt32(8))
          appendBE(&out, b.base[row].bitPattern)
        case .bool(let b):
          appendBE(&out, UInt32(1))
          out.append(b.base[row] != 0 ? 1 : 0)
        case .date(let b):
          let (days, overflow) = b.base[row].subtractingReportingOverflow(postgresEpochDays)
          guard !overflow, let d = Int32(exactly: days), d != Int32.max, d != Int32.min else {
            throw Diagnostic(.pgDateRange, table.fields[c].name, CalendarDate.iso(b.base[row]))
          }
          appendBE(&out, UInt32(4))
          appendBE(&out, UInt32(bitPattern: d))
        case .text(let codes, let dictionary):
          let bytes = dictionary.bytes(of: codes.base[row])
          appendBE(&out, UInt32(truncatingIfNeeded: bytes.count))
          out.append(contentsOf: bytes)
        }
      }
      row += 1
    }
    if row >= table.rowCount {
      appendBE(&out, UInt16(0xFFFF))
      done = true
    }
    return out
  }
}

@inline(__always) private func appendBE<T: FixedWidthInteger>(_ out: inout [UInt8], _ v: T) {
  var x = v.bigEndian
  withUnsafeBytes(of: &x) { out.append(contentsOf: $0) }
}
