// Writes a table as Parquet: row groups of about a million rows, every column OPTIONAL
// (nulls as definition levels), numbers PLAIN, text dictionary-encoded (the codes a row
// group uses, its dictionary page holding their values), dates as DATE (INT32), pages
// compressed with zstd, and min/max/null count per column chunk. The columns of a row group
// are encoded on both cores, then written in order.

import Dispatch
import TerrainStorage
import TerrainSyntax

/// Rows per row group and per data page.
private let rowGroupRows = 1 << 20
private let pageRows = 1 << 17

/// A column chunk ready to be written.
private struct EncodedChunk {
  var bytes: [UInt8] = []
  /// Bytes of its dictionary page (header included); 0 without one.
  var dictionaryLength = 0
  var uncompressedLength = 0
  var statistics = ParquetStatistics()
}

/// The physical type and annotations a terrain type is written with.
private func physical(of type: DataType) -> ParquetPhysical {
  switch type {
  case .int: return .int64
  case .float: return .double
  case .bool: return .boolean
  case .date: return .int32
  case .text: return .byteArray
  }
}

/// The `parquet` format's writer.
package func writeParquet(_ table: Table, to out: ByteWriter, cancel: CancellationFlag?) throws -> Int {
  // Dates must fit Parquet's 32-bit day numbers.
  for (f, c) in zip(table.fields, table.columns) where f.type == .date {
    if case .date(let b) = c.values {
      for i in 0..<b.count where c.isValid(i) && Int32(exactly: b[i]) == nil {
        throw ExportOptionError(.parquetDateRange, f.name, String(b[i]))
      }
    }
  }
  let magic: [UInt8] = Array("PAR1".utf8)
  out.append(magic)
  var groups: [(rows: Int, chunks: [(offset: Int, chunk: EncodedChunk)])] = []
  var start = 0
  repeat {
    try cancel?.check()
    let rows = min(rowGroupRows, table.rowCount - start)
    var encoded = [EncodedChunk](repeating: EncodedChunk(), count: table.columnCount)
    let from = start
    encoded.withUnsafeMutableBufferPointer { e in
      performConcurrently(iterations: table.columnCount) { c in
        e[c] = encodeChunk(table.columns[c], from: from, count: rows)
      }
    }
    var placed: [(offset: Int, chunk: EncodedChunk)] = []
    for chunk in encoded {
      placed.append((out.totalBytes, chunk))
      out.append(chunk.bytes)
    }
    groups.append((rows, placed))
    start += rows
  } while start < table.rowCount
  try cancel?.check()

  var w = ThriftWriter()
  w.beginStruct()
  w.int(1, 1)  // version
  w.listField(2, .structure, count: table.columnCount + 1)
  w.beginStruct()
  w.string(4, "schema")
  w.int(5, Int64(table.columnCount))
  w.endStruct()
  for f in table.fields {
    w.beginStruct()
    w.int(1, Int64(physical(of: f.type).rawValue))
    w.int(3, 1)  // OPTIONAL
    w.string(4, f.name)
    // The converted type and the logical type (a union of empty structs here).
    let annotation: (converted: Int64, logical: Int16)? =
      f.type == .text ? (0, 1) : f.type == .date ? (6, 6) : nil  // UTF8 / STRING, DATE / DATE
    if let a = annotation {
      w.int(6, a.converted)
      w.beginStruct(10)
      w.beginStruct(a.logical)
      w.endStruct()
      w.endStruct()
    }
    w.endStruct()
  }
  w.int(3, Int64(table.rowCount), .i64)
  w.listField(4, .structure, count: groups.count)
  for (g, group) in groups.enumerated() {
    w.beginStruct()
    w.listField(1, .structure, count: group.chunks.count)
    var uncompressed = 0
    var compressed = 0
    for (c, placed) in group.chunks.enumerated() {
      let chunk = placed.chunk
      uncompressed += chunk.uncompressedLength
      compressed += chunk.bytes.count
      w.beginStruct()
      w.int(2, Int64(placed.offset), .i64)
      w.beginStruct(3)
      let f = table.fields[c]
      w.int(1, Int64(physical(of: f.type).rawValue))
      let encodings: [ParquetEncoding] = f.type == .text ? [.plain, .rle, .rleDictionary] : [.plain, .rle]
      w.listField(2, .i32, count: encodings.count)
      for e in encodings { w.zigzag(Int64(e.rawValue)) }
      w.listField(3, .binary, count: 1)
      let nameBytes = Array(f.name.utf8)
      w.varint(UInt64(nameBytes.count))
      w.bytes.append(contentsOf: nameBytes)
      w.int(4, Int64(ParquetCodec.zstd.rawValue))
      w.int(5, Int64(group.rows), .i64)
      w.int(6, Int64(chunk.uncompressedLength), .i64)
      w.int(7, Int64(chunk.bytes.count), .i64)
      w.int(9, Int64(placed.offset + chunk.dictionaryLength), .i64)
      if chunk.dictionaryLength > 0 { w.int(11, Int64(placed.offset), .i64) }
      w.beginStruct(12)
      if let n = chunk.statistics.nullCount { w.int(3, n, .i64) }
      if let m = chunk.statistics.max { w.binary(5, m) }
      if let m = chunk.statistics.min { w.binary(6, m) }
      w.endStruct()
      w.endStruct()
      w.endStruct()
    }
    w.int(2, Int64(uncompressed), .i64)
    w.int(3, Int64(group.rows), .i64)
    w.int(5, Int64(group.chunks.first?.offset ?? 4), .i64)
    w.int(6, Int64(compressed), .i64)
    w.int(7, Int64(g), .i16)
    w.endStruct()
  }
  w.string(6, "terrain")
  // Column orders: min/max by the type's own order (unsigned bytes for text).
  w.listField(7, .structure, count: table.columnCount)
  for _ in 0..<table.columnCount {
    w.beginStruct()
    w.beginStruct(1)
    w.endStruct()
    w.endStruct()
  }
  w.endStruct()
  out.append(w.bytes)
  let length = UInt32(truncatingIfNeeded: w.bytes.count)
  out.append([UInt8(length & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length >> 16 & 0xFF), UInt8(length >> 24)])
  out.append(magic)
  return table.rowCount
}

/// Encodes rows `from..<from + count` of `column` as one column chunk.
private func encodeChunk(_ column: Column, from: Int, count: Int) -> EncodedChunk {
  var chunk = EncodedChunk()
  var nulls = 0
  if let v = column.validity {
    for i in from..<(from + count) where v[i] == 0 { nulls += 1 }
  }
  chunk.statistics.nullCount = Int64(nulls)
  func present(_ i: Int) -> Bool { column.validity.map { $0[i] != 0 } ?? true }

  // Text: the codes used here, renumbered densely, are the dictionary.
  var codeMap: [Int32] = []
  var dictionaryCount = 0
  if case .text(let codes, let dictionary) = column.values {
    codeMap = [Int32](repeating: -1, count: dictionary.count)
    var values = ByteBuffer()
    var used: [UInt32] = []
    for i in from..<(from + count) where present(i) {
      let c = Int(codes[i])
      if c < codeMap.count, codeMap[c] < 0 {
        codeMap[c] = Int32(used.count)
        used.append(UInt32(c))
      }
    }
    var low: UnsafeRawBufferPointer? = nil
    var high: UnsafeRawBufferPointer? = nil
    for c in used {
      let b = dictionary.bytes(of: c)
      values.appendUInt32LE(UInt32(b.count))
      values.append(b)
      if low.map({ lexicographicallyLess(b, $0) }) ?? true { low = b }
      if high.map({ lexicographicallyLess($0, b) }) ?? true { high = b }
    }
    chunk.statistics.min = low.map { Array($0) }
    chunk.statistics.max = high.map { Array($0) }
    dictionaryCount = used.count
    var h = ThriftWriter()
    h.beginStruct()
    h.int(1, Int64(ParquetPageType.dictionaryPage.rawValue))
    appendPage(&chunk, header: &h, body: values.bytes) { h in
      h.beginStruct(7)
      h.int(1, Int64(used.count))
      h.int(2, Int64(ParquetEncoding.plain.rawValue))
      h.endStruct()
    }
    chunk.dictionaryLength = chunk.bytes.count
  }

  var low: Double = .infinity, high: Double = -.infinity
  var lowInt = Int64.max, highInt = Int64.min
  var page = from
  while page < from + count || (count == 0 && page == from) {
    let n = min(pageRows, from + count - page)
    var body = ByteBuffer()
    // Definition levels: 1 present, 0 null.
    var levels = [UInt32](repeating: 1, count: n)
    var presentCount = n
    if column.validity != nil {
      presentCount = 0
      for i in 0..<n {
        let p = present(page + i)
        levels[i] = p ? 1 : 0
        presentCount += p ? 1 : 0
      }
    }
    var encodedLevels = ByteBuffer()
    encodeHybrid(levels, bitWidth: 1, into: &encodedLevels)
    body.appendUInt32LE(UInt32(encodedLevels.bytes.count))
    body.bytes.append(contentsOf: encodedLevels.bytes)
    var encoding = ParquetEncoding.plain
    switch column.values {
    case .int(let b):
      for i in page..<(page + n) where present(i) {
        body.appendUInt64LE(UInt64(bitPattern: b[i]))
        lowInt = min(lowInt, b[i])
        highInt = max(highInt, b[i])
      }
    case .date(let b):
      for i in page..<(page + n) where present(i) {
        let d = Int32(truncatingIfNeeded: b[i])
        body.appendUInt32LE(UInt32(bitPattern: d))
        lowInt = min(lowInt, Int64(d))
        highInt = max(highInt, Int64(d))
      }
    case .float(let b):
      for i in page..<(page + n) where present(i) {
        body.appendUInt64LE(b[i].bitPattern)
        if !b[i].isNaN {
          low = min(low, b[i])
          high = max(high, b[i])
        }
      }
    case .bool(let b):
      var byte: UInt8 = 0
      var bits = 0
      for i in page..<(page + n) where present(i) {
        byte |= (b[i] & 1) << UInt8(bits)
        lowInt = min(lowInt, Int64(b[i] & 1))
        highInt = max(highInt, Int64(b[i] & 1))
        bits += 1
        if bits == 8 {
          body.bytes.append(byte)
          byte = 0
          bits = 0
        }
      }
      if bits > 0 { body.bytes.append(byte) }
    case .text(let codes, _):
      encoding = .rleDictionary
      var indices: [UInt32] = []
      indices.reserveCapacity(presentCount)
      for i in page..<(page + n) where present(i) {
        let c = Int(codes[i])
        indices.append(c < codeMap.count ? UInt32(max(codeMap[c], 0)) : 0)
      }
      var width = 1
      while dictionaryCount > 1 << width { width += 1 }
      body.bytes.append(UInt8(width))
      encodeHybrid(indices, bitWidth: width, into: &body)
    }
    var h = ThriftWriter()
    h.beginStruct()
    h.int(1, Int64(ParquetPageType.dataPage.rawValue))
    appendPage(&chunk, header: &h, body: body.bytes) { h in
      h.beginStruct(5)
      h.int(1, Int64(n))
      h.int(2, Int64(encoding.rawValue))
      h.int(3, Int64(ParquetEncoding.rle.rawValue))
      h.int(4, Int64(ParquetEncoding.rle.rawValue))
      h.endStruct()
    }
    page += max(n, 1)
  }

  // Statistics in PLAIN form.
  switch column.values {
  case .int:
    if lowInt <= highInt {
      chunk.statistics.min = littleEndianBytes(UInt64(bitPattern: lowInt), 8)
      chunk.statistics.max = littleEndianBytes(UInt64(bitPattern: highInt), 8)
    }
  case .date:
    if lowInt <= highInt {
      chunk.statistics.min = littleEndianBytes(UInt64(UInt32(bitPattern: Int32(truncatingIfNeeded: lowInt))), 4)
      chunk.statistics.max = littleEndianBytes(UInt64(UInt32(bitPattern: Int32(truncatingIfNeeded: highInt))), 4)
    }
  case .bool:
    if lowInt <= highInt {
      chunk.statistics.min = [UInt8(lowInt)]
      chunk.statistics.max = [UInt8(highInt)]
    }
  case .float:
    if low <= high {
      // -0.0 as the minimum and +0.0 as the maximum when zero is a bound (the spec's advice).
      chunk.statistics.min = littleEndianBytes((low == 0 ? -0.0 : low).bitPattern, 8)
      chunk.statistics.max = littleEndianBytes((high == 0 ? 0.0 : high).bitPattern, 8)
    }
  case .text: break
  }
  return chunk
}

/// Appends a page: `header` already holds the page type; the sizes and the type's own header
/// (written by `typeHeader`) follow; the body is compressed with zstd.
private func appendPage(
  _ chunk: inout EncodedChunk, header h: inout ThriftWriter, body: [UInt8], typeHeader: (inout ThriftWriter) -> Void
) {
  var compressed: [UInt8] = []
  body.withUnsafeBytes { b in zstdCompress(b.baseAddress, b.count, into: &compressed) }
  h.int(2, Int64(body.count))
  h.int(3, Int64(compressed.count))
  typeHeader(&h)
  h.endStruct()
  chunk.bytes.append(contentsOf: h.bytes)
  chunk.bytes.append(contentsOf: compressed)
  chunk.uncompressedLength += h.bytes.count + body.count
}

private func littleEndianBytes(_ v: UInt64, _ n: Int) -> [UInt8] {
  (0..<n).map { UInt8(truncatingIfNeeded: v >> UInt64(8 * $0)) }
}

private func lexicographicallyLess(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
  a.lexicographicallyPrecedes(b)
}

/// A growable byte array with little-endian appends.
private struct ByteBuffer {
  var bytes: [UInt8] = []

  mutating func appendUInt32LE(_ v: UInt32) {
    bytes.append(UInt8(truncatingIfNeeded: v))
    bytes.append(UInt8(truncatingIfNeeded: v >> 8))
    bytes.append(UInt8(truncatingIfNeeded: v >> 16))
    bytes.append(UInt8(truncatingIfNeeded: v >> 24))
  }

  mutating func appendUInt64LE(_ v: UInt64) {
    appendUInt32LE(UInt32(truncatingIfNeeded: v))
    appendUInt32LE(UInt32(truncatingIfNeeded: v >> 32))
  }

  mutating func append(_ b: UnsafeRawBufferPointer) { bytes.append(contentsOf: b) }
}

/// The RLE / bit-packed hybrid encoding of `values` (each below 2^bitWidth): runs of eight
/// or more equal values as RLE runs, the rest bit-packed in groups of eight.
private func encodeHybrid(_ values: [UInt32], bitWidth: Int, into out: inout ByteBuffer) {
  let n = values.count
  let byteWidth = (bitWidth + 7) / 8
  func runLength(at i: Int) -> Int {
    var j = i
    while j < n && values[j] == values[i] { j += 1 }
    return j - i
  }
  func varint(_ v: Int) {
    var v = UInt64(v)
    while v >= 0x80 {
      out.bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
      v >>= 7
    }
    out.bytes.append(UInt8(v))
  }
  var i = 0
  while i < n {
    let run = runLength(at: i)
    if run >= 8 {
      varint(run << 1)
      for k in 0..<byteWidth { out.bytes.append(UInt8(truncatingIfNeeded: values[i] >> UInt32(8 * k))) }
      i += run
      continue
    }
    // Groups of eight until a long run starts at a group boundary.
    var end = i
    repeat {
      end += 8
    } while end < n && runLength(at: end) < 8
    let groups = (min(end, n) - i + 7) / 8
    varint(groups << 1 | 1)
    var buffer: UInt64 = 0
    var bits = 0
    for k in 0..<(groups * 8) {
      let v = i + k < n ? UInt64(values[i + k]) : 0
      buffer |= v << UInt64(bits)
      bits += bitWidth
      while bits >= 8 {
        out.bytes.append(UInt8(truncatingIfNeeded: buffer))
        buffer >>= 8
        bits -= 8
      }
    }
    i = min(end, n)
  }
}
