// The Thrift compact protocol, the encoding of Parquet's metadata (the footer's FileMetaData
// and every page header): a reader that bounds every length and the nesting depth, and a
// writer. Only what Parquet uses: structs, lists, binary, integers, booleans, doubles (maps
// and sets are skipped when read, never written).

import TerrainSyntax

/// A malformed or unsupported part of a Parquet file: a catalog entry and its arguments; the
/// reader adds the file, the column and the row group when it turns this into a `LoadError`.
package struct ParquetFault: Error {
  package var entry: DiagnosticMessage
  package var arguments: [String]
}

/// `ParquetFault(entry, arguments…)`, to be thrown.
@inline(never)
package func fail(_ entry: DiagnosticMessage, _ arguments: String...) -> ParquetFault {
  ParquetFault(entry: entry, arguments: arguments)
}

/// An unsigned LEB128 varint of at most 10 bytes at `base[position..<end]`, moving `position`
/// past it; nil when the bytes end first or the varint is longer.
@inline(__always)
package func readULEB128(_ base: UnsafePointer<UInt8>, _ position: inout Int, _ end: Int) -> UInt64? {
  var result: UInt64 = 0
  var shift: UInt64 = 0
  while position < end {
    let b = base[position]
    position += 1
    if shift < 64 { result |= UInt64(b & 0x7F) << shift }
    if b & 0x80 == 0 { return result }
    shift += 7
    if shift >= 70 { return nil }
  }
  return nil
}

/// The value types of the compact protocol (the low nibble of a field header).
package enum ThriftType: UInt8 {
  case stop = 0, boolTrue = 1, boolFalse = 2, byte = 3, i16 = 4, i32 = 5, i64 = 6, double = 7
  case binary = 8, list = 9, set = 10, map = 11, structure = 12
}

/// Reads compact-protocol values from `base[position..<end]`. Every read checks the bounds;
/// nested structs and lists deeper than `maxDepth` are an error (a hostile footer cannot
/// exhaust the stack).
package struct ThriftReader {
  package let base: UnsafePointer<UInt8>
  package let end: Int
  package var position: Int
  package var depth = 0
  package static let maxDepth = 32

  package init(base: UnsafePointer<UInt8>, start: Int, end: Int) {
    self.base = base
    self.position = start
    self.end = end
  }

  package mutating func byte() throws -> UInt8 {
    guard position < end else { throw fail(.parquetThriftEnd) }
    let b = base[position]
    position += 1
    return b
  }

  /// An unsigned LEB128 varint of at most 10 bytes.
  package mutating func varint() throws -> UInt64 {
    guard let v = readULEB128(base, &position, end) else { throw fail(.parquetThriftEnd) }
    return v
  }

  package mutating func i64() throws -> Int64 {
    let u = try varint()
    return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
  }

  package mutating func i32() throws -> Int32 {
    let v = try i64()
    guard let r = Int32(exactly: v) else { throw fail(.parquetValueOutOfRange, "a 32-bit integer", String(v)) }
    return r
  }

  /// A length (list size, binary length) that must fit in what is left of the data: a
  /// hostile length never causes an allocation.
  private mutating func length(itemBytes: Int) throws -> Int {
    let n = try varint()
    guard n <= UInt64(end - position) / UInt64(itemBytes) else {
      throw fail(.parquetThriftLength, String(n))
    }
    return Int(n)
  }

  /// A binary value, as a range of the data.
  package mutating func binary() throws -> Range<Int> {
    let n = try length(itemBytes: 1)
    let start = position
    position += n
    return start..<position
  }

  package mutating func string() throws -> String {
    let r = try binary()
    return String(decoding: UnsafeBufferPointer(start: base + r.lowerBound, count: r.count), as: UTF8.self)
  }

  package mutating func bytes() throws -> [UInt8] {
    let r = try binary()
    return Array(UnsafeBufferPointer(start: base + r.lowerBound, count: r.count))
  }

  package mutating func double() throws -> Double {
    guard end - position >= 8 else { throw fail(.parquetThriftEnd) }
    let bits = UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self)
    position += 8
    return Double(bitPattern: UInt64(littleEndian: bits))
  }

  /// A list header: element type and count. Each element takes at least one byte except
  /// booleans in a list (one byte each too), so the count is bounded by the bytes left.
  package mutating func listHeader() throws -> (type: ThriftType, count: Int) {
    let h = try byte()
    guard let t = ThriftType(rawValue: h & 0x0F) else { throw fail(.parquetThriftType, String(h & 0x0F)) }
    var n = Int(h >> 4)
    if n == 15 { n = try length(itemBytes: 1) }
    guard n <= end - position else { throw fail(.parquetThriftLength, String(n)) }
    return (t, n)
  }

  /// Reads the fields of a struct, calling `field` with each id and type; the callee reads
  /// the value (or calls `skip`). Returns at the struct's stop byte.
  package mutating func readStruct(_ field: (inout ThriftReader, Int16, ThriftType) throws -> Void) throws {
    depth += 1
    guard depth <= ThriftReader.maxDepth else { throw fail(.parquetThriftDepth, String(ThriftReader.maxDepth)) }
    defer { depth -= 1 }
    var last: Int16 = 0
    while true {
      let h = try byte()
      guard let t = ThriftType(rawValue: h & 0x0F) else { throw fail(.parquetThriftType, String(h & 0x0F)) }
      if t == .stop { return }
      let delta = Int16(h >> 4)
      let id: Int16
      if delta == 0 {
        let v = try i64()
        guard let x = Int16(exactly: v) else { throw fail(.parquetValueOutOfRange, "a field id", String(v)) }
        id = x
      } else {
        id = last &+ delta
      }
      last = id
      try field(&self, id, t)
    }
  }

  /// Reads a list whose elements the callee reads one by one.
  package mutating func readList(_ element: (inout ThriftReader, ThriftType) throws -> Void) throws {
    depth += 1
    guard depth <= ThriftReader.maxDepth else { throw fail(.parquetThriftDepth, String(ThriftReader.maxDepth)) }
    defer { depth -= 1 }
    let (t, n) = try listHeader()
    for _ in 0..<n { try element(&self, t) }
  }

  /// A boolean field: in a struct its value is the type itself.
  package func bool(_ t: ThriftType) -> Bool { t == .boolTrue }

  /// An integer field of any width.
  package mutating func int(_ t: ThriftType) throws -> Int64 {
    switch t {
    case .byte: return Int64(Int8(bitPattern: try byte()))
    case .i16, .i32, .i64: return try i64()
    default: throw fail(.parquetThriftType, String(t.rawValue))
    }
  }

  /// Skips a value of type `t` (fields this reader does not need).
  package mutating func skip(_ t: ThriftType) throws {
    switch t {
    case .stop: throw fail(.parquetThriftType, "0")
    case .boolTrue, .boolFalse: return
    case .byte: _ = try byte()
    case .i16, .i32, .i64: _ = try varint()
    case .double:
      guard end - position >= 8 else { throw fail(.parquetThriftEnd) }
      position += 8
    case .binary: _ = try binary()
    case .list, .set:
      try readList { r, et in try r.skipElement(et) }
    case .map:
      depth += 1
      guard depth <= ThriftReader.maxDepth else { throw fail(.parquetThriftDepth, String(ThriftReader.maxDepth)) }
      defer { depth -= 1 }
      let n = try length(itemBytes: 2)
      if n > 0 {
        let kv = try byte()
        guard let k = ThriftType(rawValue: kv >> 4), let v = ThriftType(rawValue: kv & 0x0F) else {
          throw fail(.parquetThriftType, String(kv))
        }
        for _ in 0..<n {
          try skipElement(k)
          try skipElement(v)
        }
      }
    case .structure:
      try readStruct { r, _, ft in try r.skip(ft) }
    }
  }

  /// Skips a list or map element: booleans there take one byte.
  private mutating func skipElement(_ t: ThriftType) throws {
    if t == .boolTrue || t == .boolFalse { _ = try byte() } else { try skip(t) }
  }
}

/// Writes compact-protocol values. Structs are written with `beginStruct`/`endStruct`
/// around `field` headers, which keep the last field id of each open struct.
package struct ThriftWriter {
  package var bytes: [UInt8] = []
  private var lastIDs: [Int16] = [0]

  package init() {}

  package mutating func varint(_ v: UInt64) {
    var v = v
    while v >= 0x80 {
      bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
      v >>= 7
    }
    bytes.append(UInt8(v))
  }

  package mutating func zigzag(_ v: Int64) { varint(UInt64(bitPattern: (v << 1) ^ (v >> 63))) }

  package mutating func fieldHeader(_ id: Int16, _ t: ThriftType) {
    let last = lastIDs[lastIDs.count - 1]
    let delta = id &- last
    if delta > 0 && delta <= 15 {
      bytes.append(UInt8(delta) << 4 | t.rawValue)
    } else {
      bytes.append(t.rawValue)
      zigzag(Int64(id))
    }
    lastIDs[lastIDs.count - 1] = id
  }

  package mutating func int(_ id: Int16, _ v: Int64, _ t: ThriftType = .i32) {
    fieldHeader(id, t)
    zigzag(v)
  }

  package mutating func bool(_ id: Int16, _ v: Bool) { fieldHeader(id, v ? .boolTrue : .boolFalse) }

  package mutating func binary(_ id: Int16, _ v: [UInt8]) {
    fieldHeader(id, .binary)
    varint(UInt64(v.count))
    bytes.append(contentsOf: v)
  }

  package mutating func string(_ id: Int16, _ s: String) { binary(id, Array(s.utf8)) }

  /// A list field header for `count` elements of type `t`.
  package mutating func listField(_ id: Int16, _ t: ThriftType, count: Int) {
    fieldHeader(id, .list)
    listHeader(t, count: count)
  }

  package mutating func listHeader(_ t: ThriftType, count: Int) {
    if count < 15 {
      bytes.append(UInt8(count) << 4 | t.rawValue)
    } else {
      bytes.append(0xF0 | t.rawValue)
      varint(UInt64(count))
    }
  }

  /// Opens a struct value (as a field when `id` is given, else as a list element).
  package mutating func beginStruct(_ id: Int16? = nil) {
    if let id { fieldHeader(id, .structure) }
    lastIDs.append(0)
  }

  package mutating func endStruct() {
    bytes.append(0)
    lastIDs.removeLast()
  }
}
