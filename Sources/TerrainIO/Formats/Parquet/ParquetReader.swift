// Reads a Parquet file into a table: the footer, the flat columns of the schema (or those
// `columns = (…)` names), then every column chunk of every row group on both cores, each
// decoded straight into the column's final buffer. Text comes through dictionaries: a
// dictionary page's values are interned into the column's dictionary (the chunks of a column
// taking turns in row-group order) and its indices become codes, so a text value is never
// made a string per row. Every offset and size of the metadata is checked against
// the file before it is used, and nothing is allocated before the memory it needs is known
// to be there.

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import Dispatch
import TerrainStorage
import TerrainSyntax

/// How a column's values are held in terrain.
enum OutputKind {
  /// `Int64`: int and date columns.
  case int64
  case double
  /// `UInt8` 0 or 1.
  case bool
  /// `UInt32` codes into a dictionary.
  case code

  var size: Int {
    switch self {
    case .int64, .double: return 8
    case .bool: return 1
    case .code: return 4
    }
  }
}

/// A flat column of the file that the load reads.
struct ParquetColumn {
  var name: String
  var element: ParquetSchemaElement
  /// Its position among the leaves of the schema (and the column chunks of a row group).
  var leaf: Int
  var physical: ParquetPhysical
  var type: DataType
  var kind: OutputKind
  var optional: Bool

  /// Whether PLAIN values of the physical type are the output's values byte for byte (8-byte
  /// signed integers and doubles; `ChunkDecoder.convertFixed` copies them).
  var keepsPlainValues: Bool {
    switch (physical, element.meaning) {
    case (.int64, .decimal), (.int64, .timestamp), (.int64, .integer(_, false)): return false
    case (.int64, _), (.double, _): return true
    default: return false
    }
  }

  /// Bytes of one value of the physical type (nil for BYTE_ARRAY).
  var physicalWidth: Int? {
    switch physical {
    case .boolean: return nil
    case .int32, .float: return 4
    case .int64, .double: return 8
    case .int96: return 12
    case .byteArray: return nil
    case .fixedLenByteArray: return Int(element.typeLength)
    }
  }
}

/// The `parquet` format's reader: every column the load names, decoded now.
package func readParquet(bytes: FileBytes, name: String, options: LoadOptions, cancel: CancellationFlag?) throws -> LoadResult {
  let file = try ParquetTable(bytes: bytes, name: name, options: options)
  let columns = try file.decode(columns: Array(file.fields.indices), parts: nil, cancel: cancel)
  return LoadResult(table: Table(fields: file.fields, columns: columns, rowCount: file.rowCount), notices: file.notices)
}

/// A Parquet file opened for reading: the footer read and checked, the flat columns to read
/// chosen (all, or those of `columns = (…)`); column chunks are decoded on demand
/// (`decode`), any subset of the columns for any subset of the row groups, on both cores.
/// It keeps the file's bytes; a mapped file's pages are released once the chunks read are decoded.
package final class ParquetTable: DeferredTable, @unchecked Sendable {
  /// The file as the user wrote it, for messages.
  package let name: String
  let bytes: FileBytes
  let meta: ParquetFileMetadata
  let columns: [ParquetColumn]
  package let fields: [Field]
  package let rowCount: Int
  package let partRowCounts: [Int]
  package let notices: [String]
  package var formatName: String { "parquet" }

  /// Reads and checks the footer of `bytes`; decodes no column.
  ///
  /// - Throws: `LoadError` naming the file (a malformed footer, a nested or unknown column
  ///   among those to read).
  package init(bytes: FileBytes, name: String, options: LoadOptions) throws {
    let count = bytes.count
    let base = bytes.base
    let magic: [UInt8] = [0x50, 0x41, 0x52, 0x31]
    func hasMagic(at o: Int) -> Bool { (0..<4).allSatisfy { base[o + $0] == magic[$0] } }
    guard count >= 12, hasMagic(at: 0), hasMagic(at: count - 4) else {
      throw LoadError(path: name, line: 0, column: 0, .parquetNotParquet, name)
    }
    let footerLength = Int(UInt32(littleEndian: UnsafeRawPointer(base + count - 8).loadUnaligned(as: UInt32.self)))
    guard footerLength <= count - 12 else {
      throw LoadError(path: name, line: 0, column: 0, .parquetTruncatedFooter, name, String(footerLength), String(count - 12))
    }
    let footerStart = count - 8 - footerLength
    let meta: ParquetFileMetadata
    do {
      meta = try ParquetFileMetadata.read(base, start: footerStart, end: count - 8)
    } catch let f as ParquetFault {
      throw LoadError(path: name, line: 0, column: 0, .parquetBadFooter, name, f.entry.text(f.arguments))
    }
    let (columns, leafCount) = try selectColumns(meta.schema, name: name, wanted: options.columns)

    // The row groups must agree with the schema and the footer's row count.
    var total = 0
    for g in meta.rowGroups {
      guard g.columns.count == leafCount else {
        throw LoadError(path: name, line: 0, column: 0, .parquetBadFooter, name,
          DiagnosticMessage.parquetSchemaShape.text([String(leafCount), String(g.columns.count)]))
      }
      let (s, o) = total.addingReportingOverflow(Int(clamping: g.rowCount))
      guard !o, g.rowCount <= Int64(Int.max) else {
        throw LoadError(path: name, line: 0, column: 0, .parquetBadFooter, name,
          DiagnosticMessage.parquetRowCount.text(["more than \(Int.max)", String(meta.rowCount)]))
      }
      total = s
    }
    guard Int64(total) == meta.rowCount else {
      throw LoadError(path: name, line: 0, column: 0, .parquetBadFooter, name,
        DiagnosticMessage.parquetRowCount.text([String(total), String(meta.rowCount)]))
    }
    self.name = name
    self.bytes = bytes
    self.meta = meta
    self.columns = columns
    self.rowCount = total
    self.partRowCounts = meta.rowGroups.map { Int($0.rowCount) }
    self.fields = columns.map { Field(name: $0.name, type: $0.type) }
    self.notices = columns.compactMap { c in
      switch (c.physical, c.element.meaning) {
      case (.int96, _), (_, .timestamp): return DiagnosticText.timestampsAsDates(c.name).string
      default: return nil
      }
    }
  }

  /// Decodes `wanted` (indices into `fields`) for the row groups `parts` (all when nil), each
  /// column chunk straight into its slice of the column's final buffer, the chunks on both
  /// cores (one at a time when `parallel` is false, for tests).
  package func decode(columns wanted: [Int], parts: [Int]?, cancel: CancellationFlag?) throws -> [Column] {
    try decode(columns: wanted, parts: parts, parallel: true, cancel: cancel)
  }

  /// `decode(columns:parts:cancel:)`, on one core when `parallel` is false.
  package func decode(columns wanted: [Int], parts: [Int]?, parallel: Bool, cancel: CancellationFlag?) throws -> [Column] {
    try checkingShrink {
      try decodeChunks(wanted.map { columns[$0] }, groups: parts ?? Array(meta.rowGroups.indices), parallel: parallel,
        cancel: cancel)
    }
  }

  /// `body`'s result, unless the file shrank under it (its mapping then reads zeros): that
  /// error instead of whatever the zeros made.
  func checkingShrink<T>(_ body: () throws -> T) throws -> T {
    do {
      let result = try body()
      if bytes.fileShrank { throw LoadError(path: name, line: 0, column: 0, .fileShrank, name) }
      return result
    } catch let error as LoadError where bytes.fileShrank {
      _ = error
      throw LoadError(path: name, line: 0, column: 0, .fileShrank, name)
    }
  }

  /// `error` from decoding column `column` of row group `group`, as the load reports it
  /// (naming the file, the column and the row group).
  func located(_ error: Error, column: ParquetColumn, group: Int) -> Error {
    guard let f = error as? ParquetFault else { return error }
    return LoadError(path: name, line: 0, column: 0, .parquetInChunk, name, column.name, String(group), f.entry.text(f.arguments))
  }

  private func decodeChunks(_ columns: [ParquetColumn], groups: [Int], parallel: Bool, cancel: CancellationFlag?) throws -> [Column] {
    // The rows of the chosen row groups, end to end.
    var starts: [Int] = []
    var total = 0
    for g in groups {
      guard meta.rowGroups.indices.contains(g) else { continue }
      starts.append(total)
      total += Int(meta.rowGroups[g].rowCount)
    }
    let groups = groups.filter { meta.rowGroups.indices.contains($0) }
    let counts = groups.map { Int(meta.rowGroups[$0].rowCount) }

    // The memory the columns take, checked before any allocation.
    let perRow = columns.reduce(0) { $0 + $1.kind.size + ($1.optional ? 1 : 0) }
    let (need, o) = total.multipliedReportingOverflow(by: max(perRow, 1))
    let available = availableMemory()
    if o || need > (available ?? Int.max) {
      func gb(_ n: Int) -> String { o ? "more than 9 EB" : "\((Double(n) / 1e8).rounded() / 10) GB" }
      throw LoadError(path: name, line: 0, column: 0, .parquetNotEnoughMemory, name, String(total), gb(need),
        gb(available ?? 0))
    }
    // A page may not claim more than half the memory left once the columns are there.
    let pageLimit = min(Int(Int32.max), max(1 << 20, ((available ?? Int.max) - need) / 2))

    // The final buffers, filled in place by the chunk decoders; a validity mask only once a
    // chunk meets a null.
    let outputs = try allocateColumnMemory(sizes: columns.map { total * $0.kind.size })
    let validities = columns.map { _ in LazyValidity(count: total) }
    var handedOver = false
    defer {
      if !handedOver {
        for p in outputs { free(p) }
        for v in validities { v.discard() }
      }
    }

    // One task per column chunk, row group by row group.
    let taskCount = groups.count * columns.count
    // Text: each column's dictionary, merged row group after row group by the chunks' tasks.
    let merges = columns.map { $0.kind == .code ? TextMerge(turns: groups.count) : nil }
    let faults = UnsafeMutableBufferPointer<Error?>.allocate(capacity: max(taskCount, 1))
    faults.initialize(repeating: nil)
    let wroteValidity = UnsafeMutableBufferPointer<Bool>.allocate(capacity: max(taskCount, 1))
    wroteValidity.initialize(repeating: false)
    let pool = ReusePool { ScratchSet() }
    defer {
      faults.deinitialize()
      faults.deallocate()
      wroteValidity.deallocate()
      pool.releaseAll()
    }
    let failed = CancellationFlag()
    let file = bytes
    let task = { (t: Int) in
      if failed.isCancelled {
        merges[t % columns.count]?.pass(t / columns.count)
        return
      }
      let k = t / columns.count
      let c = columns[t % columns.count]
      let group = self.meta.rowGroups[groups[k]]
      let start = starts[k]
      let validity = validities[t % columns.count]
      let scratch = pool.take()
      populate(outputs[t % columns.count] + start * c.kind.size, counts[k] * c.kind.size)
      var decoder = ChunkDecoder(
        file: file, column: c, rows: counts[k], output: outputs[t % columns.count] + start * c.kind.size,
        makeValidity: { try validity.pointer() + start }, scratch: scratch, pageLimit: pageLimit, cancel: cancel)
      decoder.merge = merges[t % columns.count].map { ($0, k) }
      do {
        let chunk = group.columns[c.leaf]
        try decoder.decode(chunk)
        wroteValidity[t] = decoder.validity != nil
      } catch {
        faults[t] = error
        failed.cancel()
      }
      // The next row group's chunk may merge its dictionary now, whatever became of this one.
      if !decoder.tookTurn { merges[t % columns.count]?.pass(k) }
      pool.give(scratch)
    }
    if parallel {
      // The largest chunks first: the two cores then end together (three chunks of one row
      // group would otherwise leave the largest to run alone last). A text column's chunks
      // keep the order of their row groups (each waits for the one before to merge its
      // dictionary, so that one must have started): each weighs the least of its own size
      // and those of the chunks before it.
      var weight = [Int64](repeating: 0, count: taskCount)
      for ci in columns.indices {
        var least = Int64.max
        for k in groups.indices {
          let size = meta.rowGroups[groups[k]].columns[columns[ci].leaf].totalCompressedSize
          least = merges[ci] == nil ? size : min(least, size)
          weight[k * columns.count + ci] = least
        }
      }
      let order = (0..<taskCount).sorted { a, b in weight[a] != weight[b] ? weight[a] > weight[b] : a < b }
      performConcurrently(iterations: taskCount) { task(order[$0]) }
    } else {
      for t in 0..<taskCount { task(t) }
    }
    // The chunks' pages of the file are not needed again soon (a later decode reads them
    // back): released once the cores are done (dropping pages while the other core decodes
    // interrupts it to flush its address translations).
    for t in 0..<taskCount {
      let chunk = meta.rowGroups[groups[t / columns.count]].columns[columns[t % columns.count].leaf]
      if let range = chunkByteRange(chunk) { file.release(from: range.lowerBound, to: range.upperBound) }
    }
    if let t = faults.firstIndex(where: { $0 != nil }), let error = faults[t] {
      throw located(error, column: columns[t % columns.count], group: groups[t / columns.count])
    }
    try cancel?.check()
    // Row groups without nulls in a column that has some elsewhere: all present.
    for (ci, v) in validities.enumerated() {
      guard let mask = v.allocated else { continue }
      for k in groups.indices where !wroteValidity[k * columns.count + ci] {
        (mask + starts[k]).update(repeating: 1, count: counts[k])
      }
    }

    let built = columns.enumerated().map { i, c in
      makeColumn(
        c, values: outputs[i], validity: validities[i].allocated, count: total,
        dictionary: merges[i].map { $0.dictionary ?? TextDictionary() })
    }
    handedOver = true
    return built
  }

  /// The bytes of a column chunk in the file, when its offsets are sound.
  func chunkByteRange(_ chunk: ParquetColumnChunk) -> Range<Int>? {
    var start = chunk.dataPageOffset
    if let d = chunk.dictionaryPageOffset, d > 0, d < start { start = d }
    let (stop, o) = start.addingReportingOverflow(chunk.totalCompressedSize)
    guard !o, start >= 0, start <= stop, stop <= Int64(bytes.count) else { return nil }
    return Int(start)..<Int(stop)
  }

  /// What the statistics of row group `part` say of column `column` (see `ColumnBounds`).
  /// Bounds are given only where their order is terrain's: signed integers, dates, floats
  /// (never a NaN bound; NaN values fail every comparison but `!=`), and text whose bounds
  /// are the type's own order (`column_orders`, not the deprecated signed fields) and valid
  /// UTF-8; not for booleans, unsigned integers, decimals, half floats or INT96.
  package func bounds(column: Int, part: Int) -> ColumnBounds? {
    guard columns.indices.contains(column), meta.rowGroups.indices.contains(part) else { return nil }
    let c = columns[column]
    let group = meta.rowGroups[part]
    guard group.columns.indices.contains(c.leaf) else { return nil }
    let stats = group.columns[c.leaf].statistics
    let rows = Int(group.rowCount)
    let nulls = stats.nullCount.flatMap { $0 >= 0 && $0 <= Int64(rows) ? Int($0) : nil }
    var low: Value? = nil
    var high: Value? = nil
    if let a = stats.min, let b = stats.max {
      let typeOrder = meta.typeDefinedOrder.indices.contains(c.leaf) && meta.typeDefinedOrder[c.leaf]
      (low, high) = (boundValue(a, c, typeOrder: typeOrder, legacy: stats.legacyBounds), boundValue(b, c, typeOrder: typeOrder, legacy: stats.legacyBounds))
      if low == nil || high == nil || !boundsOrdered(low, high) { (low, high) = (nil, nil) }
    }
    return ColumnBounds(min: low, max: high, nullCount: nulls, rowCount: rows)
  }
}

/// A statistics bound (PLAIN bytes of the physical type) as terrain reads the value, when its
/// order is terrain's (see `ParquetTable.bounds`).
private func boundValue(_ b: [UInt8], _ c: ParquetColumn, typeOrder: Bool, legacy: Bool) -> Value? {
  func little<T: FixedWidthInteger>(_: T.Type) -> T? {
    guard b.count == MemoryLayout<T>.size else { return nil }
    return b.reversed().reduce(T(0)) { ($0 << 8) | T($1) }
  }
  switch (c.physical, c.element.meaning) {
  case (.int32, .date): return little(UInt32.self).map { .date(Int64(Int32(bitPattern: $0))) }
  case (.int32, .none), (.int32, .integer(_, true)): return little(UInt32.self).map { .int(Int64(Int32(bitPattern: $0))) }
  case (.int64, .none), (.int64, .integer(_, true)): return little(UInt64.self).map { .int(Int64(bitPattern: $0)) }
  case (.int64, .timestamp(let unitsPerSecond)):
    // Days by flooring, as the reader does: a monotone map, so bounds stay bounds.
    guard let v = little(UInt64.self).map({ Int64(bitPattern: $0) }) else { return nil }
    let perDay = unitsPerSecond * 86_400
    guard perDay > 0 else { return nil }
    let q = v / perDay
    return .date(v % perDay < 0 ? q - 1 : q)
  case (.float, .none):
    guard let bits = little(UInt32.self) else { return nil }
    let f = Float(bitPattern: bits)
    return f.isNaN ? nil : .float(Double(f))
  case (.double, .none):
    guard let bits = little(UInt64.self) else { return nil }
    let d = Double(bitPattern: bits)
    return d.isNaN ? nil : .float(d)
  case (.byteArray, .none), (.byteArray, .string), (.fixedLenByteArray, .none), (.fixedLenByteArray, .string):
    // Unsigned byte order (the type's own) only; the reader keeps valid UTF-8 as it is.
    guard typeOrder, !legacy, c.kind == .code else { return nil }
    return b.withUnsafeBufferPointer { p -> Value? in
      guard let base = p.baseAddress else { return .text("") }
      return firstInvalidUTF8(base, p.count) == nil ? .text(String(decoding: p, as: UTF8.self)) : nil
    }
  default: return nil
  }
}

/// Whether `low <= high` (bounds the other way round say nothing).
private func boundsOrdered(_ low: Value?, _ high: Value?) -> Bool {
  switch (low, high) {
  case (.int(let a)?, .int(let b)?), (.date(let a)?, .date(let b)?): return a <= b
  case (.float(let a)?, .float(let b)?): return a <= b
  case (.text(let a)?, .text(let b)?): return !Array(b.utf8).lexicographicallyPrecedes(Array(a.utf8))
  default: return false
  }
}

/// The flat columns to read: all of them, or those of `wanted` in its order. A nested
/// column is an error unless `wanted` leaves it out. Returns them and the number of leaves.
private func selectColumns(_ schema: [ParquetSchemaElement], name: String, wanted: [String]?) throws
  -> ([ParquetColumn], Int)
{
  // The root's children, each with its first leaf and whether it is flat. The tree is
  // walked with an explicit stack (a hostile schema cannot recurse deeply).
  struct Top {
    var index: Int
    var leaf: Int
    var flat: Bool
  }
  var tops: [Top] = []
  var leaves = 0
  guard let root = schema.first else {
    throw LoadError(path: name, line: 0, column: 0, .parquetBadFooter, name, DiagnosticMessage.parquetMissingField.text(["schema"]))
  }
  var i = 1
  for _ in 0..<max(0, Int(root.childCount)) {
    guard i < schema.count else { break }
    let e = schema[i]
    let top = Top(index: i, leaf: leaves, flat: e.childCount <= 0 && e.type != nil && e.repetition != 2)
    // Walk the subtree: `pending` counts the nodes still to visit.
    var pending = 1
    while pending > 0 {
      guard i < schema.count else {
        throw LoadError(path: name, line: 0, column: 0, .parquetBadFooter, name,
          DiagnosticMessage.parquetMissingField.text(["schema"]))
      }
      let n = schema[i]
      pending -= 1
      if n.childCount > 0 {
        let (s, o) = pending.addingReportingOverflow(Int(n.childCount))
        guard !o, s <= schema.count else {
          throw LoadError(path: name, line: 0, column: 0, .parquetBadFooter, name,
            DiagnosticMessage.parquetMissingField.text(["schema"]))
        }
        pending = s
      } else {
        leaves += 1
      }
      i += 1
    }
    tops.append(top)
  }
  guard i == schema.count else {
    throw LoadError(path: name, line: 0, column: 0, .parquetBadFooter, name, DiagnosticMessage.parquetMissingField.text(["schema"]))
  }

  var chosen: [Top] = []
  if let wanted {
    for w in wanted {
      guard let t = tops.first(where: { schema[$0.index].name == w }) else {
        var e = LoadError(path: name, line: 0, column: 0, .columnsUnknownColumn, w,
          tops.map { schema[$0.index].name }.joined(separator: ", "))
        e.option = "columns"
        throw e
      }
      chosen.append(t)
    }
  } else {
    chosen = tops
  }
  var result: [ParquetColumn] = []
  var used = Set<String>()
  for t in chosen {
    let e = schema[t.index]
    guard t.flat, let raw = e.type, let physical = ParquetPhysical(rawValue: raw) else {
      if t.flat, let raw = e.type {
        throw LoadError(path: name, line: 0, column: 0, .parquetInChunk, name, e.name, "0",
          DiagnosticMessage.parquetUnsupportedType.text([String(raw)]))
      }
      throw LoadError(path: name, line: 0, column: 0, .parquetNestedColumn, name, e.name)
    }
    if physical == .fixedLenByteArray && e.typeLength <= 0 {
      throw LoadError(path: name, line: 0, column: 0, .parquetInChunk, name, e.name, "0",
        DiagnosticMessage.parquetMissingField.text(["type_length"]))
    }
    let type: DataType
    let kind: OutputKind
    switch (physical, e.meaning) {
    case (.boolean, _): (type, kind) = (.bool, .bool)
    case (.int32, .date): (type, kind) = (.date, .int64)
    case (.int64, .timestamp), (.int96, _): (type, kind) = (.date, .int64)
    case (.int32, .decimal), (.int64, .decimal), (.byteArray, .decimal), (.fixedLenByteArray, .decimal),
      (.fixedLenByteArray, .float16), (.float, _), (.double, _):
      (type, kind) = (.float, .double)
    case (.int32, _), (.int64, _): (type, kind) = (.int, .int64)
    case (.byteArray, _), (.fixedLenByteArray, _): (type, kind) = (.text, .code)
    }
    // Duplicate names get a suffix, as the CSV reader does.
    var final = e.name.isEmpty ? "column\(result.count + 1)" : e.name
    var k = 2
    while used.contains(final) {
      final = "\(e.name)_\(k)"
      k += 1
    }
    used.insert(final)
    result.append(
      ParquetColumn(name: final, element: e, leaf: t.leaf, physical: physical, type: type, kind: kind, optional: e.repetition == 1))
  }
  return (result, leaves)
}

/// A text column's dictionary, which the chunks of its row groups extend one after the other
/// in row group order (so that codes and values are the same however the chunks are spread
/// over the cores): the chunk of row group `k` waits for its turn (`inTurn`), which the chunk
/// before it passes on when it has merged its values or failed (`pass`).
final class TextMerge: @unchecked Sendable {
  private(set) var dictionary: TextDictionary? = nil
  private let turns: [DispatchSemaphore]

  /// Turns for `turns` row groups. (Each semaphore starts at 0, the first then signalled:
  /// libdispatch stops the process when one is freed below its starting value.)
  init(turns: Int) {
    self.turns = (0...turns).map { _ in DispatchSemaphore(value: 0) }
    self.turns[0].signal()
  }

  /// Waits for turn `k`, runs `body` with the dictionary (nil until a chunk makes one), then
  /// passes the turn on (also when `body` throws).
  func inTurn<T>(_ k: Int, _ body: (inout TextDictionary?) throws -> T) rethrows -> T {
    turns[k].wait()
    defer { turns[k + 1].signal() }
    return try body(&dictionary)
  }

  /// Waits for turn `k` and passes it on without merging anything.
  func pass(_ k: Int) { inTurn(k) { _ in } }
}

/// The code in `into` of text value `b`: invalid UTF-8 is kept as its replacement.
private func internText(_ b: UnsafeRawBufferPointer, into: TextDictionary) throws -> UInt32 {
  if let p = b.baseAddress, firstInvalidUTF8(p.assumingMemoryBound(to: UInt8.self), b.count) != nil {
    var repaired = String(decoding: b, as: UTF8.self)
    return try repaired.withUTF8 { try into.checkedIntern(bytes: UnsafeRawBufferPointer($0)) }
  }
  return try into.checkedIntern(bytes: b)
}

/// Growable scratch memory of a chunk decoder.
struct Scratch {
  var base: UnsafeMutableRawPointer? = nil
  var capacity = 0

  /// At least `bytes` bytes (the contents not kept); `AllocationFailure` when refused.
  mutating func ensure(_ bytes: Int) throws -> UnsafeMutableRawPointer {
    if let b = base, capacity >= bytes { return b }
    if let b = base { free(b) }
    base = nil
    capacity = 0
    let c = max(bytes, 4096)
    let p = try allocateCheckedBytes(c)
    base = p
    capacity = c
    return p
  }

  mutating func release() {
    if let b = base { free(b) }
    base = nil
    capacity = 0
  }
}

/// The scratch memory of one decoder, reused by the next chunk on the same core.
final class ScratchSet: Releasable {
  var page = Scratch()
  var levels = Scratch()
  var values = Scratch()
  /// A dictionary page's values, converted to the output kind.
  var dictionary = Scratch()
  /// A zstd decompression context, made on first use and reused for every page.
  var zstd = ZstdContext()

  func release() {
    page.release()
    levels.release()
    values.release()
    dictionary.release()
    zstd.release()
  }
}

/// Memory that can be given back to the system.
protocol Releasable: AnyObject {
  func release()
}

/// Scratch memory handed from task to task (fresh memory for each chunk would be page faults
/// and unmappings all along): `take` one, `give` it back, `releaseAll` at the end.
final class ReusePool<Item: Releasable>: @unchecked Sendable {
  private let lock = SimpleLock()
  private let make: () -> Item
  private var free: [Item] = []
  private var all: [Item] = []

  init(_ make: @escaping () -> Item) { self.make = make }

  func take() -> Item {
    lock.withLock {
      if let s = free.popLast() { return s }
      let s = make()
      all.append(s)
      return s
    }
  }

  func give(_ s: Item) { lock.withLock { free.append(s) } }

  func releaseAll() { lock.withLock { for s in all { s.release() } } }
}

/// A column's validity mask, allocated by the first chunk that meets a null.
private final class LazyValidity: @unchecked Sendable {
  private let lock = SimpleLock()
  private let count: Int
  private(set) var allocated: UnsafeMutablePointer<UInt8>? = nil

  init(count: Int) { self.count = count }

  /// The mask (its bytes are set by each chunk for its rows).
  func pointer() throws -> UnsafeMutablePointer<UInt8> {
    try lock.withLock {
      if let p = allocated { return p }
      let p = try allocateColumnMemory(count).bindMemory(to: UInt8.self, capacity: max(count, 1))
      allocated = p
      return p
    }
  }

  func discard() {
    if let p = allocated { free(p) }
    allocated = nil
  }
}

/// Memory for a column's buffer (freed with `free`); `AllocationFailure` when refused.
private func allocateColumnMemory(_ bytes: Int) throws -> UnsafeMutableRawPointer { try allocateCheckedBytes(bytes) }

/// One buffer of each size in `sizes`, or `AllocationFailure` with none of them kept.
private func allocateColumnMemory(sizes: [Int]) throws -> [UnsafeMutableRawPointer] {
  var out: [UnsafeMutableRawPointer] = []
  do {
    for size in sizes { out.append(try allocateColumnMemory(size)) }
  } catch {
    for p in out { free(p) }
    throw error
  }
  return out
}

/// Asks the system to back `bytes` bytes at `p` with memory now, in one call rather than one
/// page fault per page as they are first written (Linux 5.14's MADV_POPULATE_WRITE; a
/// harmless no-op elsewhere). Only the runs of pages not yet resident are asked for: a column
/// buffer made of memory the heap reuses (a previous table's) is resident already, and asking
/// for it again would walk and mark each of its pages for nothing. Huge pages were measured
/// slower here: they are compacted and cleared 2 MB at a time.
private func populate(_ p: UnsafeMutableRawPointer, _ bytes: Int) {
  #if os(Linux)
    let page = filePageSize
    let start = (Int(bitPattern: p) + page - 1) / page * page
    let end = (Int(bitPattern: p) + bytes) / page * page
    guard end - start >= 16 * page else { return }
    // Residency of up to 4096 pages (16 MB) at a time.
    let step = 4096
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: step) { flags in
      guard let f = flags.baseAddress else { return }
      var at = start
      while at < end {
        let pages = min(step, (end - at) / page)
        guard let q = UnsafeMutableRawPointer(bitPattern: at) else { return }
        if mincore(q, pages * page, f) != 0 {
          _ = madvise(q, pages * page, 23)
        } else {
          // Each run of absent pages, when long enough to be worth a call.
          var i = 0
          while i < pages {
            guard f[i] & 1 == 0 else {
              i += 1
              continue
            }
            var j = i + 1
            while j < pages && f[j] & 1 == 0 { j += 1 }
            if j - i >= 16, let r = UnsafeMutableRawPointer(bitPattern: at + i * page) {
              _ = madvise(r, (j - i) * page, 23)
            }
            i = j
          }
        }
        at += pages * page
      }
    }
  #endif
}

/// The most bytes of definition levels a page decompressed in place may put in the rows
/// before it (kept aside meanwhile).
private let keptAsideLimit = 64

/// A page of a column chunk, as its header says (`indexPages`).
struct PageRef {
  var header: ParquetPageHeader
  /// Where its body starts in the file.
  var body: Int
  var codec: ParquetCodec
  /// A data page's first row in the chunk and its number of rows (0 and the value count for
  /// a dictionary page).
  var firstRow: Int
  var rows: Int
  /// A data page's dictionary: the index (among the chunk's pages) of the last dictionary
  /// page before it, if any.
  var dictionary: Int?

  var isDictionary: Bool { header.type == ParquetPageType.dictionaryPage.rawValue }
}

/// The dictionary and data pages of a column chunk of `rows` rows, from their headers (no
/// page is decompressed): each checked to lie inside the chunk, to decompress to at most
/// `pageLimit` bytes, and the data pages to hold exactly the chunk's rows. Index pages and
/// unknown pages are left out.
func indexPages(file: FileBytes, column: ParquetColumn, chunk: ParquetColumnChunk, rows: Int, pageLimit: Int, cancel: CancellationFlag?)
  throws -> [PageRef]
{
  // An empty row group has nothing to read (writers leave its offsets at 0).
  guard rows > 0 else { return [] }
  guard chunk.hasMetadata, !chunk.externalFile else { throw fail(.parquetMissingField, "meta_data") }
  guard chunk.type == column.physical.rawValue else {
    throw fail(.parquetValueOutOfRange, "type", String(chunk.type))
  }
  guard let codec = ParquetCodec(rawValue: chunk.codec) else {
    throw fail(.parquetUnsupportedCodec, String(chunk.codec))
  }
  var start = chunk.dataPageOffset
  if let d = chunk.dictionaryPageOffset, d > 0, d < start { start = d }
  let (stop, o) = start.addingReportingOverflow(chunk.totalCompressedSize)
  guard !o, start >= 4, chunk.totalCompressedSize >= 0, stop <= Int64(file.count - 8) else {
    throw fail(.parquetChunkOutsideFile, String(start), String(stop), String(file.count))
  }
  let base = file.base
  var position = Int(start)
  let end = Int(stop)
  var done = 0
  var pages: [PageRef] = []
  var dictionary: Int? = nil
  while done < rows {
    try cancel?.check()
    guard position < end else { break }
    let header = try ParquetPageHeader.read(base, position: &position, end: end)
    let size = Int(header.compressedSize)
    guard size <= end - position else { throw fail(.parquetPageBeyondChunk, String(size)) }
    let body = position
    position += size
    guard Int(header.uncompressedSize) <= pageLimit else { throw fail(.parquetPageTooLarge, String(header.uncompressedSize)) }
    switch ParquetPageType(rawValue: header.type) {
    case .dictionaryPage:
      dictionary = pages.count
      pages.append(PageRef(header: header, body: body, codec: codec, firstRow: 0, rows: Int(header.valueCount), dictionary: nil))
    case .dataPage, .dataPageV2:
      let n = Int(header.valueCount)
      guard n >= 0, n <= rows - done else { throw fail(.parquetValueCount, String(done + n), String(rows)) }
      pages.append(PageRef(header: header, body: body, codec: codec, firstRow: done, rows: n, dictionary: dictionary))
      done += n
    default:
      continue  // index pages and unknown pages are skipped
    }
  }
  guard done == rows else { throw fail(.parquetValueCount, String(done), String(rows)) }
  return pages
}

/// Decodes one column chunk into its slice of the column's buffers.
struct ChunkDecoder {
  let file: FileBytes
  let column: ParquetColumn
  let rows: Int
  /// The chunk's first row in the column's buffer; the `rows` rows from there are this
  /// decoder's alone while it runs (a page may lend the end of the rows before it).
  let output: UnsafeMutableRawPointer
  /// The chunk's first row in the column's validity mask, allocating it (optional columns).
  let makeValidity: () throws -> UnsafeMutablePointer<UInt8>
  /// Set once a page of the chunk has a null: from then on every page writes its flags.
  var validity: UnsafeMutablePointer<UInt8>? = nil
  let scratch: ScratchSet
  let pageLimit: Int
  let cancel: CancellationFlag?

  var dictionaryCount: Int? = nil
  /// Text values of this chunk, interned.
  var local: TextDictionary? = nil
  /// The column's dictionary and this chunk's turn to extend it (text chunks decoded by
  /// `decodeChunks`). When every data page of the chunk uses its dictionary page, that page's
  /// values go straight into the column's dictionary and the pages' indices become its
  /// codes; otherwise the chunk's own dictionary is merged once it is decoded.
  var merge: (TextMerge, Int)? = nil
  /// Whether the chunk has had its turn (and passed it on).
  var tookTurn = false
  /// Whether the dictionary page goes straight into the column's dictionary (set by `decode`).
  var mergesPage = false
  /// Whether the dictionary page's indices are the column's codes as they are.
  var indicesAreCodes = false

  init(
    file: FileBytes, column: ParquetColumn, rows: Int, output: UnsafeMutableRawPointer,
    makeValidity: @escaping () throws -> UnsafeMutablePointer<UInt8>, scratch: ScratchSet, pageLimit: Int,
    cancel: CancellationFlag?
  ) {
    self.file = file
    self.column = column
    self.rows = rows
    self.output = output
    self.makeValidity = makeValidity
    self.scratch = scratch
    self.pageLimit = pageLimit
    self.cancel = cancel
    if column.kind == .code { local = TextDictionary() }
  }

  /// Decodes the chunk (text: its values in the column's dictionary of `merge`, else in
  /// `local`).
  mutating func decode(_ chunk: ParquetColumnChunk) throws {
    let pages = try indexPages(file: file, column: column, chunk: chunk, rows: rows, pageLimit: pageLimit, cancel: cancel)
    let indexed = [ParquetEncoding.plainDictionary.rawValue, ParquetEncoding.rleDictionary.rawValue]
    if merge != nil, column.kind == .code, let first = pages.first, first.isDictionary,
      pages.dropFirst().allSatisfy({ !$0.isDictionary && indexed.contains($0.header.encoding) })
    {
      mergesPage = true
      local = nil
    }
    for p in pages {
      try cancel?.check()
      try decodePage(p, at: p.firstRow)
    }
    if let (m, k) = merge, !tookTurn { try mergeLocal(m, turn: k) }
  }

  /// Merges the chunk's own dictionary into the column's (in its turn) and rewrites the
  /// chunk's codes into the column's.
  mutating func mergeLocal(_ m: TextMerge, turn k: Int) throws {
    tookTurn = true
    guard let local else {
      m.pass(k)
      return
    }
    let map = try m.inTurn(k) { global -> [UInt32] in
      guard let into = global else {
        global = local
        return []
      }
      return try (0..<local.count).map { try into.checkedIntern(bytes: local.bytes(of: UInt32($0))) }
    }
    if map.indices.allSatisfy({ map[$0] == UInt32($0) }) { return }
    let p = output.assumingMemoryBound(to: UInt32.self)
    map.withUnsafeBufferPointer { m in
      // Null rows hold 0, which may not be a code of an empty dictionary.
      if let v = validity {
        for i in 0..<rows { p[i] = v[i] != 0 ? m[Int(p[i])] : 0 }
      } else {
        for i in 0..<rows { p[i] = m[Int(p[i])] }
      }
    }
  }

  /// Decodes page `p` of the chunk: a dictionary page into the dictionary, a data page's rows
  /// into the output from row `at`.
  mutating func decodePage(_ p: PageRef, at done: Int) throws {
    let header = p.header
    let size = Int(header.compressedSize)
    let unpacked = Int(header.uncompressedSize)
    let body = file.base + p.body
    let codec = p.codec
    let n = p.rows
    switch ParquetPageType(rawValue: header.type) {
    case .dictionaryPage:
      let q = try scratch.page.ensure(unpacked).assumingMemoryBound(to: UInt8.self)
      try parquetDecompress(codec, body, size, into: q, expected: unpacked, context: scratch.zstd)
      try readDictionary(q, unpacked, count: Int(header.valueCount), encoding: header.encoding)
    case .dataPage:
      if try decompressInPlace(p, at: done) { return }
      let q = try scratch.page.ensure(unpacked).assumingMemoryBound(to: UInt8.self)
      try parquetDecompress(codec, body, size, into: q, expected: unpacked, context: scratch.zstd)
      try decodeV1(q, unpacked, header: header, n: n, at: done)
    case .dataPageV2:
      let levelBytes = Int(header.repetitionBytes) + Int(header.definitionBytes)
      guard levelBytes <= size, levelBytes <= unpacked else { throw fail(.parquetPageBeyondChunk, String(levelBytes)) }
      var present = n
      var flags: UnsafeMutablePointer<UInt8>? = nil
      if column.optional && (header.nullCount > 0 || validity != nil) {
        var c = PageCursor(
          base: body, start: Int(header.repetitionBytes), end: levelBytes, what: "definition levels", expected: n)
        let f = try scratch.levels.ensure(n).assumingMemoryBound(to: UInt8.self)
        present = try levelFlags(&c, n: n, into: f)
        flags = present < n ? f : nil
        try keepFlags(flags, present: present, n: n, at: done)
      }
      let valuesSize = size - levelBytes
      let valuesUnpacked = unpacked - levelBytes
      var c: PageCursor
      if header.isCompressed && codec != .uncompressed {
        let q = try scratch.page.ensure(valuesUnpacked).assumingMemoryBound(to: UInt8.self)
        try parquetDecompress(codec, body + levelBytes, valuesSize, into: q, expected: valuesUnpacked, context: scratch.zstd)
        c = PageCursor(base: q, start: 0, end: valuesUnpacked, what: "values", expected: present)
      } else {
        c = PageCursor(base: body, start: levelBytes, end: size, what: "values", expected: present)
      }
      try decodeValues(&c, encoding: header.encoding, present: present, n: n, at: done, flags: flags)
    default:
      break  // index pages and unknown pages are not indexed
    }
  }

  /// Decodes a v1 data page of `n` rows decompressed at `q` (`size` bytes): its definition
  /// levels, then its values into the output from row `at`.
  mutating func decodeV1(_ q: UnsafePointer<UInt8>, _ size: Int, header: ParquetPageHeader, n: Int, at done: Int) throws {
    var c = PageCursor(base: q, start: 0, end: size, what: "definition levels", expected: n)
    var flags: UnsafeMutablePointer<UInt8>? = nil
    var present = n
    if column.optional {
      let f = try scratch.levels.ensure(n).assumingMemoryBound(to: UInt8.self)
      present = try definitionLevels(&c, n: n, v1Encoding: header.definitionEncoding, into: f)
      flags = present < n ? f : nil
      try keepFlags(flags, present: present, n: n, at: done)
    }
    c.what = "values"
    try decodeValues(&c, encoding: header.encoding, present: present, n: n, at: done, flags: flags)
  }

  /// A compressed v1 data page of PLAIN values that the output keeps as they are (8-byte
  /// integers and floats), decompressed straight into its rows of the output rather than into
  /// scratch memory and copied: true when done. Without nulls its definition levels take what
  /// the values leave of the page, and they are decompressed into the end of the rows before
  /// it (this decoder's, `at` > 0), whose bytes are kept aside and put back. A page that turns
  /// out otherwise (nulls, other levels) is copied to scratch memory, the rows before it are
  /// put back, and it is decoded from there as any page. False (nothing done) for any other page.
  mutating func decompressInPlace(_ p: PageRef, at done: Int) throws -> Bool {
    let header = p.header
    guard header.encoding == ParquetEncoding.plain.rawValue, p.codec != .uncompressed, column.keepsPlainValues,
      column.kind.size == 8, p.rows > 0
    else { return false }
    let unpacked = Int(header.uncompressedSize)
    let (valueBytes, o) = p.rows.multipliedReportingOverflow(by: 8)
    guard !o, unpacked >= 0 else { return false }
    // Both are ≥ 0: the difference cannot overflow.
    let levelBytes = unpacked - valueBytes
    guard levelBytes >= 0, levelBytes <= keptAsideLimit, levelBytes <= done * 8, column.optional || levelBytes == 0
    else { return false }
    let target = (output + done * 8).assumingMemoryBound(to: UInt8.self)
    let q = target - levelBytes
    return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: keptAsideLimit) { aside in
      guard let kept = aside.baseAddress else { return false }
      kept.update(from: q, count: levelBytes)
      defer { q.update(from: kept, count: levelBytes) }
      try parquetDecompress(p.codec, file.base + p.body, Int(header.compressedSize), into: q, expected: unpacked, context: scratch.zstd)
      if column.optional {
        var c = PageCursor(base: q, start: 0, end: unpacked, what: "definition levels", expected: p.rows)
        let f = try scratch.levels.ensure(p.rows).assumingMemoryBound(to: UInt8.self)
        let present = try? definitionLevels(&c, n: p.rows, v1Encoding: header.definitionEncoding, into: f)
        guard present == p.rows, c.position == levelBytes else {
          // Not the page expected: decoded from a copy, as any page.
          let copy = try scratch.page.ensure(unpacked).assumingMemoryBound(to: UInt8.self)
          copy.update(from: q, count: unpacked)
          try decodeV1(copy, unpacked, header: header, n: p.rows, at: done)
          return true
        }
        try keepFlags(nil, present: p.rows, n: p.rows, at: done)
      }
      return true
    }
  }

  /// The definition levels of a v1 page (RLE with a length prefix, or the old BIT_PACKED),
  /// as flags (1 present, 0 null); returns the number of present values.
  func definitionLevels(_ c: inout PageCursor, n: Int, v1Encoding: Int32, into f: UnsafeMutablePointer<UInt8>) throws -> Int {
    if v1Encoding == ParquetEncoding.bitPacked.rawValue {
      let p = try c.take((n + 7) / 8)
      for i in 0..<n { f[i] = (p[i >> 3] >> UInt8(i & 7)) & 1 }
      return try countPresent(f, n: n)
    }
    let length = Int(try c.uint32LE())
    guard length <= c.remaining else { throw c.short() }
    var sub = PageCursor(base: c.base, start: c.position, end: c.position + length, what: c.what, expected: n)
    c.position += length
    return try levelFlags(&sub, n: n, into: f)
  }

  /// `n` definition levels of the RLE / bit-packed hybrid encoding as flags in `f`; returns
  /// the number present. When they are one run of ones (no null: the usual page) `f` is not
  /// written.
  func levelFlags(_ c: inout PageCursor, n: Int, into f: UnsafeMutablePointer<UInt8>) throws -> Int {
    var peek = c
    if n > 0, let header = try? peek.uleb(), header & 1 == 0, header >> 1 >= UInt64(n), let v = try? peek.byte(), v == 1 {
      c = peek
      return n
    }
    try decodeHybrid(&c, bitWidth: 1, count: n, into: f)
    return try countPresent(f, n: n)
  }

  /// The number of ones among `n` flags, each of which must be 0 or 1 (a flat column's
  /// definition levels).
  func countPresent(_ f: UnsafeMutablePointer<UInt8>, n: Int) throws -> Int {
    var present = 0
    var any: UInt8 = 0
    for i in 0..<n {
      present &+= Int(f[i])
      any |= f[i]
    }
    guard any <= 1 else { throw fail(.parquetBadLevels, String(any), "1") }
    return present
  }

  /// Copies a page's flags into the column's validity once the chunk has met a null (the
  /// rows before it then all present); `f` nil: all present.
  mutating func keepFlags(_ f: UnsafeMutablePointer<UInt8>?, present: Int, n: Int, at: Int) throws {
    if validity == nil && present < n {
      let v = try makeValidity()
      v.update(repeating: 1, count: at)
      validity = v
    }
    guard let v = validity else { return }
    if let f { (v + at).update(from: f, count: n) } else { (v + at).update(repeating: 1, count: n) }
  }

  /// Reads a dictionary page (PLAIN values) into `dictionary`, in the output kind.
  mutating func readDictionary(_ p: UnsafePointer<UInt8>, _ size: Int, count: Int, encoding: Int32) throws {
    guard encoding == ParquetEncoding.plain.rawValue || encoding == ParquetEncoding.plainDictionary.rawValue else {
      throw fail(.parquetUnsupportedEncoding, ParquetEncoding(rawValue: encoding).map(encodingName) ?? String(encoding))
    }
    // Every value takes at least a bit (booleans), four bytes (byte arrays) or its width.
    let least = column.physical == .byteArray ? 4 : (column.physicalWidth ?? 0)
    guard least == 0 ? count <= size * 8 : count <= size / least else {
      throw fail(.parquetPageEndsEarly, "values", String(count))
    }
    let table = try scratch.dictionary.ensure(count * column.kind.size)
    var c = PageCursor(base: p, start: 0, end: size, what: "values", expected: count)
    if mergesPage, let (m, k) = merge {
      // The values straight into the column's dictionary, in this chunk's turn: the table
      // holds their codes there.
      let fixed = column.physical == .fixedLenByteArray ? column.physicalWidth : nil
      let codes = table.assumingMemoryBound(to: UInt32.self)
      tookTurn = true
      var same = true
      try m.inTurn(k) { global in
        let into = global ?? TextDictionary(capacity: count)
        global = into
        var i = 0
        try forEachByteArray(.plain, &c, count: count, fixed: fixed) { b in
          let code = try internText(b, into: into)
          codes[i] = code
          same = same && code == UInt32(truncatingIfNeeded: i)
          i += 1
        }
      }
      indicesAreCodes = same
    } else {
      try plainValues(&c, encoding: .plain, count: count, into: table)
    }
    dictionaryCount = count
  }

  /// Decodes the `present` values of a data page into the output at row `at`, then spreads
  /// them over the page's `n` rows by the validity flags.
  mutating func decodeValues(
    _ c: inout PageCursor, encoding raw: Int32, present: Int, n: Int, at: Int, flags: UnsafeMutablePointer<UInt8>?
  ) throws {
    guard let encoding = ParquetEncoding(rawValue: raw) else { throw fail(.parquetUnsupportedEncoding, String(raw)) }
    let size = column.kind.size
    let target = output + at * size
    if encoding == .plainDictionary || encoding == .rleDictionary {
      guard let dictCount = dictionaryCount, let table = scratch.dictionary.base else { throw fail(.parquetNoDictionary) }
      let width = Int(try c.byte())
      if indicesAreCodes && present == n {
        // The indices are the codes: unpacked straight into the rows, then checked.
        let codes = target.assumingMemoryBound(to: UInt32.self)
        if present > 0 { try decodeHybrid(&c, bitWidth: width, count: present, into: codes) }
        try checkIndices(codes, present: present, width: width, dictionaryCount: dictCount)
        return
      }
      // One more index than the values: the spreading gather below reads one past them.
      let indices = try scratch.values.ensure((present + 1) * 4).assumingMemoryBound(to: UInt32.self)
      indices[present] = 0
      if present > 0 {
        try decodeHybrid(&c, bitWidth: width, count: present, into: indices)
      }
      try checkIndices(indices, present: present, width: width, dictionaryCount: dictCount)
      // With nulls, the values go straight to their rows (no spreading after).
      let spreading = present < n && dictCount > 0 ? flags : nil
      switch column.kind {
      case .int64, .double: gather(table, indices, present: present, n: n, flags: spreading, into: target, as: UInt64.self)
      case .code: gather(table, indices, present: present, n: n, flags: spreading, into: target, as: UInt32.self)
      case .bool: gather(table, indices, present: present, n: n, flags: spreading, into: target, as: UInt8.self)
      }
      if spreading != nil { return }
    } else {
      try plainValues(&c, encoding: encoding, count: present, into: target)
    }
    if present < n, let v = flags {
      switch column.kind {
      case .int64, .double: spread(target.assumingMemoryBound(to: UInt64.self), present: present, n: n, flags: v)
      case .code: spread(target.assumingMemoryBound(to: UInt32.self), present: present, n: n, flags: v)
      case .bool: spread(target.assumingMemoryBound(to: UInt8.self), present: present, n: n, flags: v)
      }
    }
  }

  /// Checks that the `present` dictionary indices of `width` bits at `indices` are below
  /// `dictionaryCount`. They all are when the dictionary has 2^width values or more (the
  /// usual case): no pass to check them.
  func checkIndices(_ indices: UnsafePointer<UInt32>, present: Int, width: Int, dictionaryCount: Int) throws {
    guard width > 32 || dictionaryCount < 1 << width else { return }
    var largest: UInt32 = 0
    for i in 0..<present { largest = max(largest, indices[i]) }
    if present > 0 && Int(largest) >= dictionaryCount {
      throw fail(.parquetDictionaryIndex, String(largest), String(dictionaryCount))
    }
  }

  /// Decodes `count` values stored without a dictionary into `target` (in the output kind).
  mutating func plainValues(_ c: inout PageCursor, encoding: ParquetEncoding, count: Int, into target: UnsafeMutableRawPointer) throws {
    switch column.physical {
    case .boolean:
      let o = target.assumingMemoryBound(to: UInt8.self)
      switch encoding {
      case .plain:
        let p = try c.take((count + 7) / 8)
        for i in 0..<count { o[i] = (p[i >> 3] >> UInt8(i & 7)) & 1 }
      case .rle:
        _ = try c.uint32LE()
        let l = try scratch.values.ensure(count * 4).assumingMemoryBound(to: UInt32.self)
        try decodeHybrid(&c, bitWidth: 1, count: count, into: l)
        for i in 0..<count { o[i] = UInt8(truncatingIfNeeded: l[i] & 1) }
      default: throw fail(.parquetUnsupportedEncoding, encodingName(encoding))
      }
    case .byteArray:
      try byteArrays(&c, encoding: encoding, count: count, into: target)
    case .fixedLenByteArray where column.kind == .code:
      try byteArrays(&c, encoding: encoding, count: count, into: target)
    default:
      guard let width = column.physicalWidth else { throw fail(.parquetUnsupportedType, String(column.physical.rawValue)) }
      let source: UnsafeRawPointer
      switch encoding {
      case .plain:
        let (bytes, o) = count.multipliedReportingOverflow(by: width)
        guard !o, bytes <= c.remaining else { throw c.short() }
        source = UnsafeRawPointer(try c.take(bytes))
      case .byteStreamSplit:
        let (bytes, o) = count.multipliedReportingOverflow(by: width)
        guard !o, bytes <= c.remaining else { throw c.short() }
        let p = try c.take(bytes)
        let s = try scratch.values.ensure(bytes).assumingMemoryBound(to: UInt8.self)
        unsplitByteStreams(p, count: count, width: width, into: s)
        source = UnsafeRawPointer(s)
      case .deltaBinaryPacked where column.physical == .int32 || column.physical == .int64:
        let s = try scratch.values.ensure(count * 8).assumingMemoryBound(to: Int64.self)
        try decodeDeltaBinaryPacked(&c, count: count, into: s)
        if column.physical == .int32 {
          let narrow = UnsafeMutableRawPointer(s).assumingMemoryBound(to: Int32.self)
          for i in 0..<count { narrow[i] = Int32(truncatingIfNeeded: s[i]) }
        }
        source = UnsafeRawPointer(s)
      default: throw fail(.parquetUnsupportedEncoding, encodingName(encoding))
      }
      try convertFixed(source, count: count, width: width, into: target)
    }
  }

  /// Converts `count` fixed-width physical values to the output kind.
  func convertFixed(_ s: UnsafeRawPointer, count: Int, width: Int, into target: UnsafeMutableRawPointer) throws {
    let ints = target.assumingMemoryBound(to: Int64.self)
    let doubles = target.assumingMemoryBound(to: Double.self)
    func load<T>(_ i: Int, _: T.Type) -> T { s.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self) }
    switch (column.physical, column.element.meaning) {
    case (.int32, .decimal(let scale)):
      let d = pow10(scale)
      for i in 0..<count { doubles[i] = Double(load(i, Int32.self)) / d }
    case (.int32, .integer(_, false)):
      for i in 0..<count { ints[i] = Int64(UInt32(bitPattern: load(i, Int32.self))) }
    case (.int32, _):
      for i in 0..<count { ints[i] = Int64(load(i, Int32.self)) }
    case (.int64, .decimal(let scale)):
      let d = pow10(scale)
      for i in 0..<count { doubles[i] = Double(load(i, Int64.self)) / d }
    case (.int64, .timestamp(let unitsPerSecond)):
      let perDay = unitsPerSecond * 86_400
      for i in 0..<count {
        let v = load(i, Int64.self)
        let q = v / perDay
        ints[i] = v % perDay < 0 ? q - 1 : q
      }
    case (.int64, .integer(_, false)):
      var negative = false
      for i in 0..<count {
        let v = load(i, Int64.self)
        negative = negative || v < 0
        ints[i] = v
      }
      if negative, let i = (0..<count).first(where: { ints[$0] < 0 }) {
        throw fail(.parquetIntegerRange, String(UInt64(bitPattern: ints[i])))
      }
    case (.int64, _):
      if count > 0 { UnsafeMutableRawPointer(ints).copyMemory(from: s, byteCount: count * 8) }
    case (.int96, _):
      // Nanoseconds of the day, then the Julian day (2,440,588 is 1970-01-01).
      for i in 0..<count {
        let day = Int64(UInt32(littleEndian: s.loadUnaligned(fromByteOffset: i * 12 + 8, as: UInt32.self)))
        ints[i] = day - 2_440_588
      }
    case (.float, _):
      for i in 0..<count { doubles[i] = Double(load(i, Float.self)) }
    case (.double, _):
      if count > 0 { UnsafeMutableRawPointer(doubles).copyMemory(from: s, byteCount: count * 8) }
    case (.fixedLenByteArray, .float16):
      for i in 0..<count {
        let bits = UInt16(littleEndian: s.loadUnaligned(fromByteOffset: i * width, as: UInt16.self))
        doubles[i] = Double(Float16(bitPattern: bits))
      }
    case (.fixedLenByteArray, .decimal(let scale)):
      let d = pow10(scale)
      for i in 0..<count {
        doubles[i] = bigEndianDecimal(s.assumingMemoryBound(to: UInt8.self) + i * width, width) / d
      }
    default:
      throw fail(.parquetUnsupportedType, String(column.physical.rawValue))
    }
  }

  /// Byte arrays: text (interned into the chunk's dictionary, codes out) or decimals.
  mutating func byteArrays(_ c: inout PageCursor, encoding: ParquetEncoding, count: Int, into target: UnsafeMutableRawPointer) throws {
    let fixed = column.physical == .fixedLenByteArray ? column.physicalWidth : nil
    var i = 0
    if column.kind == .code, let local {
      let o = target.assumingMemoryBound(to: UInt32.self)
      try forEachByteArray(encoding, &c, count: count, fixed: fixed) { b in
        o[i] = try internText(b, into: local)
        i += 1
      }
    } else if case .decimal(let scale) = column.element.meaning {
      let d = pow10(scale)
      let o = target.assumingMemoryBound(to: Double.self)
      try forEachByteArray(encoding, &c, count: count, fixed: fixed) { b in
        if let p = b.baseAddress {
          o[i] = bigEndianDecimal(p.assumingMemoryBound(to: UInt8.self), b.count) / d
        } else {
          o[i] = 0
        }
        i += 1
      }
    } else {
      throw fail(.parquetUnsupportedType, String(column.physical.rawValue))
    }
  }
}

/// The dictionary values of `indices` (checked in range) into `target`: the `present` first
/// rows, or with `flags` (0 or 1 each, `present` ones; `indices` readable one past `present`,
/// the dictionary not empty) the `n` rows, zero where the flag is 0.
@inline(__always)
private func gather<T: FixedWidthInteger>(
  _ table: UnsafeMutableRawPointer, _ indices: UnsafePointer<UInt32>, present: Int, n: Int, flags: UnsafePointer<UInt8>?,
  into target: UnsafeMutableRawPointer, as _: T.Type
) {
  let t = table.assumingMemoryBound(to: T.self)
  let o = target.assumingMemoryBound(to: T.self)
  guard let flags else {
    for i in 0..<present { o[i] = t[Int(indices[i])] }
    return
  }
  var j = 0
  for i in 0..<n {
    let f = flags[i]
    o[i] = t[Int(indices[j])] & (0 &- T(truncatingIfNeeded: f))
    j &+= Int(f)
  }
}

/// Moves `present` packed values to the rows whose flag is 1 among `n`, zeros elsewhere
/// (from the end, in place).
private func spread<T: FixedWidthInteger>(_ p: UnsafeMutablePointer<T>, present: Int, n: Int, flags: UnsafePointer<UInt8>) {
  var j = present - 1
  var i = n - 1
  while i >= 0 {
    if flags[i] != 0 && j >= 0 {
      p[i] = p[j]
      j -= 1
    } else {
      p[i] = 0
    }
    i -= 1
  }
}

/// 10^scale as a Double (exact up to 10^22; a hostile scale is clamped where the result is
/// infinite or zero anyway).
private func pow10(_ scale: Int32) -> Double {
  var d = 1.0
  var s = min(max(scale, -400), 400)
  while s > 0 {
    d *= 10
    s -= 1
  }
  while s < 0 {
    d /= 10
    s += 1
  }
  return d
}

/// A column of `count` values of `c`'s kind at `values` (and its validity flags, if any): the
/// column owns that memory (it came from `malloc`) when `owner` is nil, else views memory that
/// `owner` keeps.
func makeColumn(
  _ c: ParquetColumn, values: UnsafeMutableRawPointer, validity: UnsafeMutablePointer<UInt8>?, count: Int,
  dictionary: TextDictionary? = nil, owner: AnyObject? = nil
) -> Column {
  func buffer<T>(_ p: UnsafeMutableRawPointer, _: T.Type) -> ColumnBuffer<T> {
    let typed = p.bindMemory(to: T.self, capacity: max(count, 1))
    if let owner { return ColumnBuffer(viewing: typed, count: count, owner: owner) }
    return ColumnBuffer(adopting: typed, count: count)
  }
  let typed: ColumnValues
  switch (c.kind, c.type) {
  case (.int64, .date): typed = .date(buffer(values, Int64.self))
  case (.int64, _): typed = .int(buffer(values, Int64.self))
  case (.double, _): typed = .float(buffer(values, Double.self))
  case (.bool, _): typed = .bool(buffer(values, UInt8.self))
  case (.code, _): typed = .text(buffer(values, UInt32.self), dictionary ?? TextDictionary())
  }
  return Column(values: typed, validity: validity.map { buffer(UnsafeMutableRawPointer($0), UInt8.self) })
}

/// A big-endian two's complement integer of `n` bytes, as a Double.
private func bigEndianDecimal(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double {
  guard n > 0 else { return 0 }
  if n <= 8 {
    var v: Int64 = p[0] & 0x80 != 0 ? -1 : 0
    for k in 0..<n { v = (v << 8) | Int64(p[k]) }
    return Double(v)
  }
  let negative = p[0] & 0x80 != 0
  var v = 0.0
  for k in 0..<n { v = v * 256 + Double(negative ? ~p[k] : p[k]) }
  return negative ? -(v + 1) : v
}
