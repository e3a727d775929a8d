// The session's named tables, some registered from files and loaded on first use.

import Foundation
import TerrainStorage
import TerrainSyntax
import TerrainIO
import TerrainPlanner
import TerrainExecution

/// Named tables of a session, in registration order.
package final class Catalog {
  package struct Entry {
    /// The table, once every column is in memory.
    package var table: Table?
    package var origin: TableOrigin
    /// A file opened with its columns decoded as statements read them (Parquet), until they
    /// all are.
    package var deferred: DeferredColumns?
  }

  private var entries: [String: Entry] = [:]
  /// Names in registration order.
  package private(set) var names: [String] = []
  /// Opens a lazily registered file: read whole, or its columns left to decode on demand.
  package var loader: (String) throws -> OpenedFile = { path in try openFile(path: path, options: LoadOptions()) }

  package init() {}

  /// Registers (or replaces) a loaded table.
  package func set(_ name: String, _ table: Table, origin: TableOrigin) {
    if entries[name] == nil { names.append(name) }
    entries[name] = Entry(table: table, origin: origin)
  }

  /// Registers a file opened with its columns to decode on demand (`load "x.parquet"`).
  package func set(_ name: String, deferred file: any DeferredTable, origin: TableOrigin) {
    if entries[name] == nil { names.append(name) }
    entries[name] = Entry(table: nil, origin: origin, deferred: DeferredColumns(file))
  }

  /// Registers a file to load on first use.
  package func register(_ name: String, lazyPath path: String) {
    if entries[name] == nil { names.append(name) }
    entries[name] = Entry(table: nil, origin: .lazyFile(path))
  }

  /// Registers every file of `directory` that `load` reads by its extension (`.csv`,
  /// `.csv.gz`, `.xlsx`…), named by file name without its extensions.
  package func registerDirectory(_ directory: String) throws -> [String] {
    let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { FormatRegistry.standard.loadableStem(of: $0) != nil }.sorted()
      // Only files: a FIFO or a device among the data would block or never end on first use.
      .filter { name in
        fileStatus((directory as NSString).appendingPathComponent(name)).map { isKind($0, S_IFREG) } ?? false
      }
    var added: [String] = []
    for f in files {
      let name = tableName(forPath: f)
      let path = (directory as NSString).appendingPathComponent(f)
      register(name, lazyPath: path)
      dataSources[canonicalPath(path)] = name
      added.append(name)
    }
    return added
  }

  /// The files registered from data folders (canonical paths) and their tables: `export`
  /// refuses to replace them.
  package private(set) var dataSources: [String: String] = [:]

  /// The table whose data file `path` is, when `path` is one of the registered data files.
  package func dataSourceTable(at path: String) -> String? { dataSources[canonicalPath(path)] }

  package func contains(_ name: String) -> Bool { entries[name] != nil }

  package func origin(of name: String) -> TableOrigin? { entries[name]?.origin }

  /// Whether the table is in memory (not only registered), all its columns decoded.
  package func isLoaded(_ name: String) -> Bool { entries[name]?.table != nil }

  /// Whether the table is loaded or opened (its columns known, some perhaps still to
  /// decode): a file registered lazily and never read is neither.
  package func isOpen(_ name: String) -> Bool { entries[name].map { $0.table != nil || $0.deferred != nil } ?? false }

  /// The table, loading it if it was registered lazily and decoding every column still to
  /// decode.
  package func table(_ name: String) throws -> Table? {
    try open(name)
    guard let entry = entries[name] else { return nil }
    if let t = entry.table { return t }
    guard let d = entry.deferred else { return nil }
    return try scan(name, d, columns: Set(d.file.fields.indices), parts: nil, cancel: cancel)
  }

  /// Cancels the decoding of columns (the session's flag).
  package var cancel: CancellationFlag?

  /// Reads a lazily registered file now: whole, or its footer (a deferred table).
  private func open(_ name: String) throws {
    guard var entry = entries[name], entry.table == nil, entry.deferred == nil,
      case .lazyFile(let path) = entry.origin else { return }
    switch try loader(path) {
    case .loaded(let result): entry.table = result.table
    case .deferred(let file): entry.deferred = DeferredColumns(file)
    }
    entry.origin = .file(path)
    entries[name] = entry
  }

  /// The file behind `name` when its columns are decoded on demand (a lazily registered
  /// file is opened first); nil for a table in memory.
  package func deferredFile(_ name: String) throws -> (any DeferredTable)? {
    try open(name)
    guard let entry = entries[name], entry.table == nil else { return nil }
    return entry.deferred?.file
  }

  /// The number of rows and columns of `name`, decoding nothing (a lazily registered file is
  /// opened, which reads a Parquet file's footer only).
  package func shape(_ name: String) throws -> (rows: Int, columns: Int)? {
    try open(name)
    guard let entry = entries[name] else { return nil }
    if let t = entry.table { return (t.rowCount, t.columnCount) }
    return entry.deferred.map { ($0.file.rowCount, $0.file.fields.count) }
  }

  /// The table `name` with its fields, the columns `columns` decoded and the others left as
  /// placeholders that must not be read (all when `columns` is nil): the source a plan
  /// runs on once it is known to read only `columns`. With `parts`, the rows are those of
  /// these parts (row groups) only, and nothing is kept; without, the columns decoded are
  /// kept for the statements after. Decoding is on demand only for deferred entries.
  package func scanTable(_ name: String, columns: Set<Int>?, parts: [Int]?) throws -> Table? {
    try open(name)
    guard let entry = entries[name] else { return nil }
    if let t = entry.table { return t }
    guard let d = entry.deferred else { return nil }
    return try scan(name, d, columns: columns ?? Set(d.file.fields.indices), parts: parts, cancel: cancel)
  }

  /// The deferred table `name` read batch by batch (`DeferredTable.scan`): each batch a table
  /// of the columns `columns` of the parts `parts` (all when nil), the other columns
  /// placeholders; nil when `name` is not a deferred table. Nothing is kept.
  package func batchSource(_ name: String, columns: Set<Int>, parts: [Int]?) throws -> BatchedSource? {
    try open(name)
    guard let entry = entries[name], entry.table == nil, let d = entry.deferred else { return nil }
    let file = d.file
    let wanted = columns.sorted()
    let zeros = try d.zeros()
    let cancel = self.cancel
    return { body in
      try file.scan(columns: wanted, parts: parts, cancel: cancel) { got, rows in
        var out = file.fields.map { DeferredColumns.placeholder($0.type, rows: rows, zeros: zeros) }
        for (k, c) in wanted.enumerated() { out[c] = got[k] }
        try body(Table(fields: file.fields, columns: out, rowCount: rows))
      }
    }
  }

  /// Whether one of `columns` of the deferred table `name` is decoded already.
  package func hasDecoded(_ name: String, anyOf columns: Set<Int>) -> Bool {
    guard let d = entries[name]?.deferred else { return false }
    return columns.contains { d.decoded.indices.contains($0) && d.decoded[$0] != nil }
  }

  /// Decodes what `scanTable` needs: with `parts`, those columns of those parts, kept by
  /// nobody (the session asks for parts only while none of the columns is decoded:
  /// `hasDecoded`); without, the columns still missing, whole, kept for the statements after.
  private func scan(_ name: String, _ d: DeferredColumns, columns: Set<Int>, parts: [Int]?, cancel: CancellationFlag?) throws -> Table {
    // Columns and placeholders whose memory is refused are the file's load error (not enough
    // memory), as when it is loaded whole; the entry keeps what was decoded before.
    var path = name
    if case .file(let p)? = entries[name]?.origin { path = p }
    return try failingAllocationsAsLoadErrors(path: path) {
      try scanUnchecked(name, d, columns: columns, parts: parts, cancel: cancel)
    }
  }

  private func scanUnchecked(_ name: String, _ d: DeferredColumns, columns: Set<Int>, parts: [Int]?, cancel: CancellationFlag?) throws -> Table {
    let wanted = columns.sorted()
    let missing = wanted.filter { d.decoded[$0] == nil }
    if let parts, parts.count < d.file.partRowCounts.count {
      let got = try d.file.decode(columns: wanted, parts: parts, cancel: cancel)
      let rows = parts.reduce(0) { $0 + d.file.partRowCounts[$1] }
      let decoded = Dictionary(uniqueKeysWithValues: zip(wanted, got))
      let out = try d.file.fields.indices.map { try decoded[$0] ?? d.placeholder($0, rows: rows) }
      return Table(fields: d.file.fields, columns: out, rowCount: rows)
    }
    if !missing.isEmpty {
      let got = try d.file.decode(columns: missing, parts: nil, cancel: cancel)
      for (k, c) in missing.enumerated() { d.decoded[c] = got[k] }
    }
    let rows = d.file.rowCount
    let out = try d.file.fields.indices.map { i in try d.decoded[i] ?? d.placeholder(i, rows: rows) }
    let table = Table(fields: d.file.fields, columns: out, rowCount: rows)
    // Every column decoded: the entry becomes an ordinary table and the file is let go.
    if d.decoded.allSatisfy({ $0 != nil }), var entry = entries[name], entry.deferred === d {
      entry.table = table
      entry.deferred = nil
      entries[name] = entry
    }
    return table
  }

  /// Replaces the tables by `tables`, in their order, each with `origin`; files registered
  /// lazily and never read stay registered (after them) unless `tables` names them.
  package func replaceTables(with tables: [(String, Table)], origin: TableOrigin) {
    let incoming = Set(tables.map(\.0))
    let kept = names.filter { entries[$0]?.table == nil && entries[$0]?.deferred == nil && !incoming.contains($0) }
    let keptEntries = kept.compactMap { n in entries[n].map { (n, $0) } }
    entries.removeAll()
    names.removeAll()
    for (name, table) in tables { set(name, table, origin: origin) }
    for (name, entry) in keptEntries {
      names.append(name)
      entries[name] = entry
    }
  }

  /// Forgets every table (used at exit so that leak checkers see all memory released).
  package func removeAll() {
    entries.removeAll()
    names.removeAll()
  }

  package func drop(_ name: String) -> Bool {
    guard entries.removeValue(forKey: name) != nil else { return false }
    names.removeAll { $0 == name }
    return true
  }
}

/// The columns of a deferred catalog entry decoded so far, and the placeholders that stand
/// for the others in the plans that do not read them: all null, over zero pages that are
/// never touched (so they cost no memory and no time, whatever the row count).
package final class DeferredColumns {
  package let file: any DeferredTable
  package var decoded: [Column?]
  /// The zero pages behind the placeholders (8 bytes a row), mapped on first need.
  private var mappedZeros: ZeroPages?

  init(_ file: any DeferredTable) {
    self.file = file
    decoded = Array(repeating: nil, count: file.fields.count)
  }

  /// The zero pages behind the placeholders, mapped on first need; `AllocationFailure`
  /// when the address space cannot hold the table's zero pages.
  package func zeros() throws -> ZeroPages {
    if let z = mappedZeros { return z }
    let (bytes, overflow) = file.rowCount.multipliedReportingOverflow(by: 8)
    if overflow { throw AllocationFailure(bytes: Int.max) }
    let z = try ZeroPages(byteCount: bytes)
    mappedZeros = z
    return z
  }

  /// A placeholder of `rows` rows (at most the table's) for column `i`; `AllocationFailure`
  /// when the zero pages cannot be mapped.
  func placeholder(_ i: Int, rows: Int) throws -> Column {
    Self.placeholder(file.fields[i].type, rows: rows, zeros: try zeros())
  }

  /// A placeholder of `rows` rows of type `type` over `zeros` (at least 8 bytes per row).
  static func placeholder(_ type: DataType, rows: Int, zeros: ZeroPages) -> Column {
    let validity = ColumnBuffer<UInt8>(zeros: zeros, count: rows)
    switch type {
    case .int: return Column(values: .int(ColumnBuffer(zeros: zeros, count: rows)), validity: validity)
    case .float: return Column(values: .float(ColumnBuffer(zeros: zeros, count: rows)), validity: validity)
    case .bool: return Column(values: .bool(ColumnBuffer(zeros: zeros, count: rows)), validity: validity)
    case .date: return Column(values: .date(ColumnBuffer(zeros: zeros, count: rows)), validity: validity)
    case .text:
      let d = TextDictionary()
      _ = d.intern("")
      return Column(values: .text(ColumnBuffer(zeros: zeros, count: rows), d), validity: validity)
    }
  }
}

/// A table name for a file path: its base name without extension, with characters that are
/// not letters, digits or `_` replaced by `_`.
/// `path` with symbolic links resolved (itself when it does not exist).
private func canonicalPath(_ path: String) -> String {
  guard let r = realpath(path, nil) else { return path }
  defer { free(r) }
  return String(cString: r)
}


package func tableName(forPath path: String) -> String {
  let last = (path as NSString).lastPathComponent
  let base = FormatRegistry.standard.loadableStem(of: last) ?? (last as NSString).deletingPathExtension
  var out = String(base.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
  if out.isEmpty { out = "t" }
  if let f = out.first, f.isNumber { out = "t_" + out }
  return out
}
