// The decoder of `COPY … TO STDOUT (FORMAT binary)`: the header, then one tuple per row (a
// field count, then each field's length and bytes, -1 for null), then a trailer of -1. Fed the
// bytes as they arrive (any split; libpq gives one row at a time), it gathers them into batches
// of about 256 KB and decodes each batch's complete tuples column by column: one pass finds the
// fields, then one tight loop per column writes its values straight into the column's buffer
// (text: the hashes of the batch first, their dictionary slots touched, then the look-ups, which
// then wait for memory together rather than one after the other). Every length is checked
// against what arrived and against the field's type, so a truncated or corrupt stream is an
// error, never a crash or an unbounded allocation.

import TerrainStorage
import TerrainSyntax

/// Decodes one COPY binary stream into columns of the given wire types.
package struct CopyBinaryDecoder {
  package let types: [PostgresWireType]
  private let builders: [ColumnBuilder]
  /// Bytes received and not decoded yet: a batch being gathered, then an incomplete tuple (or
  /// header) kept until the rest arrives.
  private var pending: [UInt8] = []
  /// Per tuple of the batch being decoded, each field's offset and length (-1: null), row-major.
  private var fieldStarts: [Int] = []
  private var fieldLengths: [Int] = []
  /// The hashes of a batch's text values, and what their first dictionary slots held (scratch:
  /// stored, so that reading the slots, which brings them into the cache, is kept).
  private var hashes: [UInt64] = []
  private var probes: [UInt64] = []
  /// Bytes gathered before a batch is decoded.
  package static let batchBytes = 1 << 18
  private var headerRead = false
  private var trailerRead = false
  /// Rows decoded so far.
  package private(set) var rows = 0
  /// Bytes received so far (for the memory check).
  package private(set) var bytesReceived = 0

  /// The 11-byte signature that starts every binary COPY stream.
  static let signature: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00]

  package init(types: [PostgresWireType]) {
    self.types = types
    builders = types.map { ColumnBuilder(type: $0.terrainType) }
  }

  /// Decodes the complete tuples in `bytes` (with what was pending before); keeps an
  /// incomplete one for the next call.
  /// - Throws: `pg-corrupt-copy` for a stream that breaks the format.
  package mutating func feed(_ bytes: UnsafeRawBufferPointer) throws {
    guard bytes.count > 0 else { return }
    bytesReceived += bytes.count
    if pending.isEmpty { pending.reserveCapacity(CopyBinaryDecoder.batchBytes + 4096) }
    pending.append(contentsOf: bytes)
    if pending.count >= CopyBinaryDecoder.batchBytes { try decodePending() }
  }

  /// Decodes the complete tuples gathered; keeps the rest.
  private mutating func decodePending() throws {
    let all = pending
    let used = try all.withUnsafeBytes { try decode($0) }
    pending.removeFirst(used)
  }

  /// The columns decoded. - Throws: `pg-corrupt-copy` when the stream stopped before its
  /// trailer or left bytes after it.
  package mutating func finish() throws -> [Column] {
    if !pending.isEmpty { try decodePending() }
    guard trailerRead else { throw corrupt(.pgCopyTruncated) }
    guard pending.isEmpty else { throw corrupt(.pgCopyAfterTrailer) }
    return builders.map { $0.finish() }
  }

  private func corrupt(_ what: DiagnosticText, row: Int = 0) -> Diagnostic {
    Diagnostic(.pgCorruptCopy, String(rows + row + 1), what.string)
  }

  /// Decodes from the start of `p`; returns the bytes used (complete parts only).
  private mutating func decode(_ p: UnsafeRawBufferPointer) throws -> Int {
    var at = 0
    if !headerRead {
      // signature, flags (int32), header extension length (int32), extension.
      guard p.count >= 19 else { return 0 }
      for (i, b) in CopyBinaryDecoder.signature.enumerated() where p[i] != b { throw corrupt(.pgCopyBadSignature) }
      let flags = readInt32(p, 11)
      guard flags & (1 << 16) == 0 else { throw corrupt(.pgCopyHasOids) }
      let extensionLength = Int(readInt32(p, 15))
      guard extensionLength >= 0 else { throw corrupt(.pgCopyBadLength) }
      guard p.count - 19 >= extensionLength else { return 0 }
      at = 19 + extensionLength
      headerRead = true
    }
    // First pass: the complete tuples' fields (lengths checked on the way).
    let m = types.count
    fieldStarts.removeAll(keepingCapacity: true)
    fieldLengths.removeAll(keepingCapacity: true)
    var n = 0
    tuples: while at < p.count {
      if trailerRead { throw corrupt(.pgCopyAfterTrailer, row: n) }
      guard p.count - at >= 2 else { break }
      let fieldCount = Int(Int16(bitPattern: readUInt16(p, at)))
      if fieldCount == -1 {
        trailerRead = true
        at += 2
        continue
      }
      guard fieldCount == m else { throw corrupt(.pgCopyFieldCount(String(fieldCount), String(m)), row: n) }
      var end = at + 2
      for c in 0..<m {
        guard p.count - end >= 4 else {
          dropFields(c)
          break tuples
        }
        let length = Int(readInt32(p, end))
        end += 4
        fieldStarts.append(end)
        fieldLengths.append(length)
        if length == -1 { continue }
        guard length >= 0 else { throw corrupt(.pgCopyBadLength, row: n) }
        guard p.count - end >= length else {
          dropFields(c + 1)
          break tuples
        }
        end += length
      }
      n += 1
      at = end
    }
    // Second pass: each column's values.
    for (c, type) in types.enumerated() { try decodeColumn(c, of: m, type, rows: n, p) }
    rows += n
    return at
  }

  /// Forgets the last `k` fields recorded (those of an incomplete tuple).
  private mutating func dropFields(_ k: Int) {
    fieldStarts.removeLast(k)
    fieldLengths.removeLast(k)
  }

  /// Appends column `c` (of `m`) of the batch's `n` tuples to its builder: fixed-width types in
  /// one loop into the buffer, text through the dictionary (hashes first, slots touched), the
  /// others value by value.
  private mutating func decodeColumn(_ c: Int, of m: Int, _ type: PostgresWireType, rows n: Int,
    _ p: UnsafeRawBufferPointer) throws {
    guard n > 0 else { return }
    let b = builders[c]
    var nulls = 0
    for r in 0..<n where fieldLengths[r &* m &+ c] == -1 { nulls += 1 }
    let starts = fieldStarts
    let lengths = fieldLengths
    /// Each value of width `width` read by `read` into `buffer` (nulls as zero).
    func fixed<T>(_ buffer: BufferBuilder<T>?, width: Int, zero: T, _ read: (Int) -> T) throws {
      guard let buffer else { return }
      let out = try buffer.tail(reserving: n)
      for r in 0..<n {
        let k = r &* m &+ c
        let length = lengths[k]
        if length == -1 {
          out[r] = zero
        } else {
          guard length == width else { throw corrupt(.pgCopyBadLength, row: r) }
          out[r] = read(starts[k])
        }
      }
      buffer.advance(by: n)
    }
    switch type {
    case .int8:
      try fixed(b.intBuffer, width: 8, zero: 0) { Int64(bitPattern: UInt64(bigEndian: p.loadUnaligned(fromByteOffset: $0, as: UInt64.self))) }
    case .int4:
      try fixed(b.intBuffer, width: 4, zero: 0) { Int64(Int32(bitPattern: UInt32(bigEndian: p.loadUnaligned(fromByteOffset: $0, as: UInt32.self)))) }
    case .int2:
      try fixed(b.intBuffer, width: 2, zero: 0) { Int64(Int16(bitPattern: readUInt16(p, $0))) }
    case .float8:
      try fixed(b.floatBuffer, width: 8, zero: 0) { Double(bitPattern: UInt64(bigEndian: p.loadUnaligned(fromByteOffset: $0, as: UInt64.self))) }
    case .float4:
      try fixed(b.floatBuffer, width: 4, zero: 0) { Double(Float(bitPattern: UInt32(bigEndian: p.loadUnaligned(fromByteOffset: $0, as: UInt32.self)))) }
    case .bool:
      try fixed(b.boolBuffer, width: 1, zero: 0) { p[$0] != 0 ? 1 : 0 }
    case .text(let trimPadding):
      guard let codes = b.codeBuffer, let dictionary = b.dictionary else { return }
      if hashes.count < n {
        hashes = try checkedArray(repeating: 0 as UInt64, count: n)
        probes = hashes
      }
      for r in 0..<n {
        let k = r &* m &+ c
        guard lengths[k] >= 0 else { continue }
        let v = textBytes(p, starts[k], lengths[k], trimPadding)
        guard isValidUTF8(v) else { throw corrupt(.pgCopyBadText, row: r) }
        let h = TextDictionary.hash(v)
        hashes[r] = h
        probes[r] = dictionary.touch(h)
      }
      let out = try codes.tail(reserving: n)
      for r in 0..<n {
        let k = r &* m &+ c
        if lengths[k] < 0 {
          out[r] = 0
        } else {
          out[r] = try dictionary.checkedIntern(bytes: textBytes(p, starts[k], lengths[k], trimPadding), hash: hashes[r])
        }
      }
      codes.advance(by: n)
    case .numeric, .date, .timestamp:
      // Value by value (validity included).
      for r in 0..<n {
        let k = r &* m &+ c
        if lengths[k] == -1 {
          try b.appendNull()
        } else {
          try append(type, UnsafeRawBufferPointer(rebasing: p[starts[k]..<(starts[k] + lengths[k])]), to: b, row: r)
        }
      }
      return
    }
    if nulls == 0 {
      try b.validity.append(flags: nil, count: n)
    } else {
      var flags: [UInt8] = try checkedArray(repeating: 1, count: n)
      for r in 0..<n where lengths[r &* m &+ c] == -1 { flags[r] = 0 }
      try flags.withUnsafeBufferPointer { try b.validity.append(flags: $0.baseAddress, count: n) }
    }
  }

  /// The `length` bytes at `start`, without trailing blanks when `trimPadding` (`char(n)`).
  private func textBytes(_ p: UnsafeRawBufferPointer, _ start: Int, _ length: Int, _ trimPadding: Bool) -> UnsafeRawBufferPointer {
    var n = length
    if trimPadding { while n > 0 && p[start + n - 1] == 0x20 { n -= 1 } }
    return UnsafeRawBufferPointer(rebasing: p[start..<(start + n)])
  }

  /// Appends one non-null value of `type` whose bytes are `v`.
  private func append(_ type: PostgresWireType, _ v: UnsafeRawBufferPointer, to b: ColumnBuilder, row: Int) throws {
    func need(_ n: Int) throws { guard v.count == n else { throw corrupt(.pgCopyBadLength, row: row) } }
    switch type {
    case .bool:
      try need(1)
      try b.append(bool: v[0] != 0)
    case .int2:
      try need(2)
      try b.append(int: Int64(Int16(bitPattern: readUInt16(v, 0))))
    case .int4:
      try need(4)
      try b.append(int: Int64(readInt32(v, 0)))
    case .int8:
      try need(8)
      try b.append(int: Int64(bitPattern: readUInt64(v, 0)))
    case .float4:
      try need(4)
      try b.append(float: Double(Float(bitPattern: UInt32(bitPattern: readInt32(v, 0)))))
    case .float8:
      try need(8)
      try b.append(float: Double(bitPattern: readUInt64(v, 0)))
    case .numeric(let asInt):
      switch try decodeNumeric(v, row: row) {
      case nil: try b.appendNull()
      case .int(let x)?: asInt ? try b.append(int: x) : try b.append(float: Double(x))
      case .float(let x)?:
        if asInt { throw corrupt(.pgCopyBadNumeric, row: row) }
        try b.append(float: x)
      }
    case .text(let trimPadding):
      var n = v.count
      if trimPadding { while n > 0 && v[n - 1] == 0x20 { n -= 1 } }
      let bytes = UnsafeRawBufferPointer(rebasing: v[0..<n])
      guard isValidUTF8(bytes) else { throw corrupt(.pgCopyBadText, row: row) }
      try b.append(code: b.dictionary?.intern(bytes: bytes) ?? 0)
    case .date:
      try need(4)
      let d = readInt32(v, 0)
      if d == Int32.max || d == Int32.min { try b.appendNull() } else { try b.append(int: Int64(d) + postgresEpochDays) }
    case .timestamp:
      try need(8)
      let t = Int64(bitPattern: readUInt64(v, 0))
      if t == Int64.max || t == Int64.min {
        try b.appendNull()
      } else {
        // Floor division: a time before 2000-01-01 00:00 belongs to the day before.
        var day = t / microsecondsPerDay
        if t % microsecondsPerDay < 0 { day -= 1 }
        try b.append(int: day + postgresEpochDays)
      }
    }
  }

  private enum NumericValue { case int(Int64), float(Double) }

  /// A `numeric` in its binary form: digit count, weight (of the first base-10000 digit),
  /// sign, display scale, then the digits. nil for NaN; an integer when it has no fraction
  /// and fits 64 bits, else the nearest double.
  private func decodeNumeric(_ v: UnsafeRawBufferPointer, row: Int) throws -> NumericValue? {
    guard v.count >= 8 else { throw corrupt(.pgCopyBadLength, row: row) }
    let count = Int(Int16(bitPattern: readUInt16(v, 0)))
    let weight = Int(Int16(bitPattern: readUInt16(v, 2)))
    let sign = readUInt16(v, 4)
    guard count >= 0, v.count == 8 + 2 * count else { throw corrupt(.pgCopyBadLength, row: row) }
    switch sign {
    case 0x0000, 0x4000: break
    case 0xC000: return nil
    case 0xD000: return .float(.infinity)
    case 0xF000: return .float(-.infinity)
    default: throw corrupt(.pgCopyBadNumeric, row: row)
    }
    let negative = sign == 0x4000
    var digits: [Int64] = []
    digits.reserveCapacity(count)
    for i in 0..<count {
      let d = Int64(readUInt16(v, 8 + 2 * i))
      guard d < 10_000 else { throw corrupt(.pgCopyBadNumeric, row: row) }
      digits.append(d)
    }
    // exponent (base 10000) of the last digit
    let lastExponent = weight - count + 1
    if lastExponent >= 0 {
      var x: Int64 = 0
      var fits = true
      for d in digits {
        let (m, o1) = x.multipliedReportingOverflow(by: 10_000)
        let (s, o2) = m.addingReportingOverflow(d)
        if o1 || o2 { fits = false; break }
        x = s
      }
      for _ in 0..<lastExponent where fits {
        let (m, o) = x.multipliedReportingOverflow(by: 10_000)
        if o { fits = false } else { x = m }
      }
      if fits { return .int(negative ? -x : x) }
    }
    // The nearest double: exact from a mantissa below 2^53 and a power of ten up to 22;
    // otherwise through the decimal text (correctly rounded by the standard library).
    var mantissa: Int64 = 0
    var small = count <= 4
    if small {
      for d in digits { mantissa = mantissa * 10_000 + d }
      small = mantissa < (1 << 53) && abs(lastExponent) * 4 <= 22
    }
    if small {
      let power = pow10(abs(lastExponent) * 4)
      let x = lastExponent >= 0 ? Double(mantissa) * power : Double(mantissa) / power
      return .float(negative ? -x : x)
    }
    var text = negative ? "-" : ""
    for d in digits {
      let s = String(d)
      text += String(repeating: "0", count: 4 - s.count) + s
    }
    text += "e\(lastExponent * 4)"
    guard let x = Double(text.isEmpty || text == "-" ? "0" : text) else { throw corrupt(.pgCopyBadNumeric, row: row) }
    return .float(x)
  }
}

private func pow10(_ n: Int) -> Double {
  var x = 1.0
  for _ in 0..<n { x *= 10 }
  return x
}

@inline(__always) func readUInt16(_ p: UnsafeRawBufferPointer, _ at: Int) -> UInt16 {
  UInt16(p[at]) << 8 | UInt16(p[at + 1])
}

@inline(__always) func readInt32(_ p: UnsafeRawBufferPointer, _ at: Int) -> Int32 {
  Int32(bitPattern: UInt32(p[at]) << 24 | UInt32(p[at + 1]) << 16 | UInt32(p[at + 2]) << 8 | UInt32(p[at + 3]))
}

@inline(__always) func readUInt64(_ p: UnsafeRawBufferPointer, _ at: Int) -> UInt64 {
  var x: UInt64 = 0
  for i in 0..<8 { x = x << 8 | UInt64(p[at + i]) }
  return x
}

/// Whether `bytes` are valid UTF-8 (ASCII checked byte by byte, the rest by the standard library).
private func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
  for b in bytes where b >= 0x80 {
    return String(validating: bytes, as: UTF8.self) != nil
  }
  return true
}
