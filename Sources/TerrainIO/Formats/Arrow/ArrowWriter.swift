// Writes a table as an Arrow IPC file (Feather v2): the schema, one dictionary batch per text
// column (its `TextDictionary`, so codes are written as they are), then one record batch per
// `arrowRowsPerBatch` rows, then the footer. Buffers start at multiples of 64 bytes and are
// padded to 64, as the columnar format recommends. Int, float and text codes are written
// straight from the columns' memory; bools, dates and validity masks are packed per batch.

import CZlib
import TerrainStorage
import TerrainSyntax

/// Rows per record batch (a variable for tests).
nonisolated(unsafe) package var arrowRowsPerBatch = 1 << 19

/// A `ByteWriter` that counts the bytes written through it and, when asked, their CRC-32 (for
/// a member of a zip archive). Without a `ByteWriter`, it only counts: a dry run that measures
/// what a writer would write.
package final class CountingWriter {
  /// Where the bytes go; nil for a dry run.
  package let out: ByteWriter?
  /// Bytes written so far.
  package private(set) var position = 0
  /// CRC-32 of the bytes written so far (when asked for).
  package private(set) var crc: UInt = 0
  private let computesCRC: Bool

  /// Writes to `out` (nothing for nil), computing the CRC-32 when `crc` is true.
  package init(_ out: ByteWriter?, crc: Bool = false) {
    self.out = out
    computesCRC = crc
  }

  /// Writes `n` bytes at `p`.
  package func write(_ p: UnsafeRawPointer, _ n: Int) {
    guard n > 0 else { return }
    let bytes = p.assumingMemoryBound(to: UInt8.self)
    out?.append(bytes, n)
    position += n
    guard computesCRC else { return }
    var done = 0
    while done < n {
      let chunk = min(n - done, 1 << 30)
      crc = crc32(crc, bytes + done, UInt32(chunk))
      done += chunk
    }
  }

  /// Writes `bytes`.
  package func write(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { b in if let p = b.baseAddress { write(p, b.count) } }
  }

  /// Writes `n` zero bytes.
  package func zeros(_ n: Int) {
    guard n > 0 else { return }
    write([UInt8](repeating: 0, count: n))
  }

  /// Stops on Ctrl-C or after a failed write.
  package func checkpoint(_ cancel: CancellationFlag?) throws {
    if let c = cancel, c.isCancelled { throw CancelledError() }
    if let out, out.errorNumber != 0 { throw WriteFailure(errorNumber: out.errorNumber) }
  }

  /// Pads with zeros up to a multiple of `alignment` bytes.
  package func pad(to alignment: Int) {
    let r = position % alignment
    if r != 0 { zeros(alignment - r) }
  }
}

/// One buffer of a message body: memory of a column, bytes packed for it, or nothing.
private enum BodyBuffer {
  case memory(UnsafeRawPointer, Int)
  case packed([UInt8])
  case none

  var length: Int {
    switch self {
    case .memory(_, let n): return n
    case .packed(let b): return b.count
    case .none: return 0
    }
  }
}

/// Rounds `n` up to a multiple of 64.
private func padded64(_ n: Int) -> Int { (n + 63) / 64 * 64 }

/// Writes `table` as an Arrow IPC file; returns the number of rows written.
///
/// - Throws: `WriteFailure` for a failed write, `CancelledError`, or `ExportOptionError` for a
///   text column with more values than an Arrow dictionary holds.
package func writeArrowFile(_ table: Table, to out: CountingWriter, cancel: CancellationFlag?) throws -> Int {
  let writer = ArrowFileWriter(table, out)
  return try writer.write(cancel: cancel)
}

private final class ArrowFileWriter {
  let table: Table
  let out: CountingWriter
  /// Per text column: whether its dictionary needs 64-bit offsets (LargeUtf8).
  var large: [Bool]
  var dictionaryBlocks: [[UInt8]] = []
  var batchBlocks: [[UInt8]] = []

  /// Where the file starts in `out` (a member of an archive starts after other bytes).
  let origin: Int

  init(_ table: Table, _ out: CountingWriter) {
    self.table = table
    self.out = out
    origin = out.position
    large = table.columns.map { c in
      guard case .text(_, let d) = c.values, d.count > 0 else { return false }
      return d.ends[d.count - 1] > Int(Int32.max)
    }
    kept = table.columns.map { c in
      guard case .text(let codes, let d) = c.values, d.count > table.rowCount else { return nil }
      return DictionarySubset(codes, d, validity: c.validity)
    }
  }

  /// Per text column whose dictionary holds more values than the table has rows (a few rows
  /// taken from a large table): the values its rows use, written instead of the whole
  /// dictionary. Other columns keep their dictionary and codes as they are.
  var kept: [DictionarySubset?]

  func write(cancel: CancellationFlag?) throws -> Int {
    out.write(Array("ARROW1".utf8) + [0, 0])
    _ = message(header: ArrowMessageTag.schema, body: []) { b in schema(&b) }
    for (c, column) in table.columns.enumerated() {
      guard case .text(_, let d) = column.values else { continue }
      guard d.count <= Int(Int32.max) else {
        throw ExportOptionError(.arrowTooManyTexts, table.fields[c].name)
      }
      dictionaryBlocks.append(dictionaryBatch(c, d))
      try out.checkpoint(cancel)
    }
    var start = 0
    repeat {
      let n = min(arrowRowsPerBatch, table.rowCount - start)
      batchBlocks.append(recordBatch(start, n))
      start += n
      try out.checkpoint(cancel)
    } while start < table.rowCount
    // End of stream, then the footer, its length and the magic.
    out.write([0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0])
    var b = FlatBuilder()
    let batches = b.structs(batchBlocks, alignment: 8)
    let dictionaries = b.structs(dictionaryBlocks, alignment: 8)
    let schemaTable = schema(&b)
    b.startTable()
    b.add(0, Int16(4))
    b.add(1, offsetTo: schemaTable)
    b.add(2, offsetTo: dictionaries)
    b.add(3, offsetTo: batches)
    let footer = b.finish(root: b.endTable())
    out.write(footer)
    out.write(littleEndianBytes(Int32(truncatingIfNeeded: footer.count)))
    out.write(Array("ARROW1".utf8))
    try out.checkpoint(cancel)
    return table.rowCount
  }

  /// The schema table, built in `b`.
  func schema(_ b: inout FlatBuilder) -> Int {
    var fields: [Int] = []
    for (c, f) in table.fields.enumerated() {
      let name = b.string(f.name)
      let children = b.offsets([])
      var dictionary: Int?
      let typeTag: UInt8
      b.startTable()
      switch f.type {
      case .int:
        typeTag = ArrowTypeTag.int
        b.add(0, Int32(64))
        b.add(1, UInt8(1))
      case .float:
        typeTag = ArrowTypeTag.floatingPoint
        b.add(0, Int16(2))
      case .bool:
        typeTag = ArrowTypeTag.bool
      case .date:
        typeTag = ArrowTypeTag.date
        b.add(0, Int16(0))
      case .text:
        typeTag = large[c] ? ArrowTypeTag.largeUtf8 : ArrowTypeTag.utf8
      }
      let type = b.endTable()
      if f.type == .text {
        b.startTable()
        b.add(0, Int32(32))
        b.add(1, UInt8(1))
        let index = b.endTable()
        b.startTable()
        b.add(0, Int64(c))
        b.add(1, offsetTo: index)
        b.add(2, UInt8(0))
        dictionary = b.endTable()
      }
      b.startTable()
      b.add(0, offsetTo: name)
      b.add(1, UInt8(1))
      b.add(2, typeTag)
      b.add(3, offsetTo: type)
      if let dictionary { b.add(4, offsetTo: dictionary) }
      b.add(5, offsetTo: children)
      fields.append(b.endTable())
    }
    let vector = b.offsets(fields)
    b.startTable()
    b.add(0, Int16(0))
    b.add(1, offsetTo: vector)
    return b.endTable()
  }

  /// Writes one encapsulated message whose header `header` builds, then `body`; returns its
  /// block for the footer (offset, metadata length, body length).
  func message(header type: UInt8, body: [BodyBuffer], header build: (inout FlatBuilder) -> Int) -> [UInt8] {
    let bodyLength = body.reduce(0) { $0 + padded64($1.length) }
    var b = FlatBuilder()
    let header = build(&b)
    b.startTable()
    b.add(3, Int64(bodyLength))
    b.add(0, Int16(4))
    b.add(1, type)
    b.add(2, offsetTo: header)
    let metadata = b.finish(root: b.endTable())
    // The metadata (its padding included) ends, and the body starts, at a multiple of 64.
    let offset = out.position - origin
    let bodyStart = padded64(offset + 8 + metadata.count)
    let metadataLength = bodyStart - offset
    out.write([0xFF, 0xFF, 0xFF, 0xFF])
    out.write(littleEndianBytes(Int32(truncatingIfNeeded: metadataLength - 8)))
    out.write(metadata)
    out.zeros(metadataLength - 8 - metadata.count)
    for buffer in body {
      switch buffer {
      case .memory(let p, let n): out.write(p, n)
      case .packed(let bytes): out.write(bytes)
      case .none: break
      }
      out.zeros(padded64(buffer.length) - buffer.length)
    }
    return littleEndianBytes(Int64(offset)) + littleEndianBytes(Int32(truncatingIfNeeded: metadataLength)) + [0, 0, 0, 0]
      + littleEndianBytes(Int64(bodyLength))
  }

  /// A `RecordBatch` table of `length` rows with these nodes and buffers.
  func recordBatchTable(_ b: inout FlatBuilder, length: Int, nodes: [(Int, Int)], buffers: [BodyBuffer]) -> Int {
    var offset = 0
    var bufferStructs: [[UInt8]] = []
    for buffer in buffers {
      bufferStructs.append(littleEndianBytes(Int64(offset)) + littleEndianBytes(Int64(buffer.length)))
      offset += padded64(buffer.length)
    }
    let bufferVector = b.structs(bufferStructs, alignment: 8)
    let nodeVector = b.structs(nodes.map { littleEndianBytes(Int64($0.0)) + littleEndianBytes(Int64($0.1)) }, alignment: 8)
    b.startTable()
    b.add(0, Int64(length))
    b.add(1, offsetTo: nodeVector)
    b.add(2, offsetTo: bufferVector)
    return b.endTable()
  }

  /// The dictionary of text column `c`: id `c`, offsets then bytes.
  func dictionaryBatch(_ c: Int, _ d: TextDictionary) -> [UInt8] {
    if let subset = kept[c] { return dictionaryBatch(c, strings: subset.codes.map { d.bytes(of: $0) }) }
    let n = d.count
    let offsets: BodyBuffer
    if large[c] {
      // `ends` is preceded by its 0: the 64-bit offsets as they are.
      offsets = .memory(UnsafeRawPointer(d.ends - 1), (n + 1) * 8)
    } else {
      var o = [UInt8]()
      o.reserveCapacity((n + 1) * 4)
      for i in -1..<n { o += littleEndianBytes(Int32(truncatingIfNeeded: d.ends[i])) }
      offsets = .packed(o)
    }
    let data = BodyBuffer.memory(UnsafeRawPointer(d.arena), n > 0 ? d.ends[n - 1] : 0)
    let body: [BodyBuffer] = [.none, offsets, data]
    return message(header: ArrowMessageTag.dictionaryBatch, body: body) { b in
      let data = recordBatchTable(&b, length: n, nodes: [(n, 0)], buffers: body)
      b.startTable()
      b.add(0, Int64(c))
      b.add(1, offsetTo: data)
      b.add(2, UInt8(0))
      return b.endTable()
    }
  }

  /// A dictionary batch of the texts `strings` (fewer than the table's rows).
  func dictionaryBatch(_ c: Int, strings: [UnsafeRawBufferPointer]) -> [UInt8] {
    var offsets: [UInt8] = littleEndianBytes(Int32(0))
    var data: [UInt8] = []
    for s in strings {
      data += s
      offsets += littleEndianBytes(Int32(truncatingIfNeeded: data.count))
    }
    let body: [BodyBuffer] = [.none, .packed(offsets), .packed(data)]
    return message(header: ArrowMessageTag.dictionaryBatch, body: body) { b in
      let batch = recordBatchTable(&b, length: strings.count, nodes: [(strings.count, 0)], buffers: body)
      b.startTable()
      b.add(0, Int64(c))
      b.add(1, offsetTo: batch)
      b.add(2, UInt8(0))
      return b.endTable()
    }
  }

  /// Rows `start..<start + n` as one record batch.
  func recordBatch(_ start: Int, _ n: Int) -> [UInt8] {
    var nodes: [(Int, Int)] = []
    var body: [BodyBuffer] = []
    for (c, column) in table.columns.enumerated() {
      let (validity, nulls) = packValidity(column, start, n)
      nodes.append((n, nulls))
      body.append(validity)
      switch column.values {
      case .int(let v): body.append(.memory(UnsafeRawPointer(v.base + start), n * 8))
      case .float(let v): body.append(.memory(UnsafeRawPointer(v.base + start), n * 8))
      case .text(let v, _):
        if let subset = kept[c] {
          var codes = [UInt8](repeating: 0, count: n * 4)
          codes.withUnsafeMutableBytes { raw in
            for i in 0..<n { raw.storeBytes(of: subset.newCode[Int(v.base[start + i])].littleEndian, toByteOffset: 4 * i, as: UInt32.self) }
          }
          body.append(.packed(codes))
        } else {
          body.append(.memory(UnsafeRawPointer(v.base + start), n * 4))
        }
      case .bool(let v):
        var bits = [UInt8](repeating: 0, count: (n + 7) / 8)
        for i in 0..<n where v.base[start + i] != 0 { bits[i >> 3] |= 1 << UInt8(i & 7) }
        body.append(.packed(bits))
      case .date(let v):
        var days = [UInt8](repeating: 0, count: n * 4)
        days.withUnsafeMutableBytes { raw in
          for i in 0..<n { raw.storeBytes(of: Int32(truncatingIfNeeded: v.base[start + i]).littleEndian, toByteOffset: 4 * i, as: Int32.self) }
        }
        body.append(.packed(days))
      }
    }
    return message(header: ArrowMessageTag.recordBatch, body: body) { b in
      recordBatchTable(&b, length: n, nodes: nodes, buffers: body)
    }
  }

  /// The validity bitmap of rows `start..<start + n` (nothing when all are present) and the
  /// number of nulls.
  func packValidity(_ column: Column, _ start: Int, _ n: Int) -> (BodyBuffer, Int) {
    guard let v = column.validity else { return (.none, 0) }
    var bits = [UInt8](repeating: 0, count: (n + 7) / 8)
    var present = 0
    for i in 0..<n {
      let x = v.base[start + i]
      bits[i >> 3] |= x << UInt8(i & 7)
      present += Int(x)
    }
    return present == n ? (.none, 0) : (.packed(bits), n - present)
  }
}

/// The values of a dictionary that a column's rows use, in code order, and each old code's
/// new one (0 for unused codes and null rows).
private struct DictionarySubset {
  var codes: [UInt32] = []
  var newCode: [UInt32]

  init(_ codes: ColumnBuffer<UInt32>, _ d: TextDictionary, validity: ColumnBuffer<UInt8>?) {
    var used = [Bool](repeating: false, count: d.count)
    for i in 0..<codes.count where validity.map({ $0.base[i] != 0 }) ?? true { used[Int(codes.base[i])] = true }
    newCode = [UInt32](repeating: 0, count: d.count)
    for c in 0..<d.count where used[c] {
      newCode[c] = UInt32(truncatingIfNeeded: self.codes.count)
      self.codes.append(UInt32(truncatingIfNeeded: c))
    }
    // Null rows hold code 0: it must name a value.
    if self.codes.isEmpty && d.count > 0 { self.codes = [0] }
  }
}

/// The little-endian bytes of `v`.
package func littleEndianBytes<T: FixedWidthInteger>(_ v: T) -> [UInt8] {
  withUnsafeBytes(of: v.littleEndian) { Array($0) }
}
