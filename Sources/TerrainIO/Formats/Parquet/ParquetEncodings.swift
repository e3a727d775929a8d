// The value encodings of Parquet pages (Encodings.md): the RLE / bit-packed hybrid (levels,
// dictionary indices, booleans), DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY,
// DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT and PLAIN byte arrays. Every read is checked against
// the end of the page: a short or lying page is an error, never a read past it.

/// A read position in a page's bytes, every read checked against `end`.
package struct PageCursor {
  package let base: UnsafePointer<UInt8>
  package let end: Int
  package var position: Int
  /// What is being read, for the error when the bytes run out (`values`, `definition levels`).
  package var what: String
  /// How many values were expected, for that error.
  package var expected: Int

  package init(base: UnsafePointer<UInt8>, start: Int, end: Int, what: String, expected: Int) {
    self.base = base
    self.position = start
    self.end = end
    self.what = what
    self.expected = expected
  }

  package var remaining: Int { end - position }

  package func short() -> ParquetFault { fail(.parquetPageEndsEarly, what, String(expected)) }

  package mutating func byte() throws -> UInt8 {
    guard position < end else { throw short() }
    let b = base[position]
    position += 1
    return b
  }

  /// `n` bytes (checked), returning where they start.
  package mutating func take(_ n: Int) throws -> UnsafePointer<UInt8> {
    guard n >= 0, n <= end - position else { throw short() }
    let p = base + position
    position += n
    return p
  }

  package mutating func uleb() throws -> UInt64 {
    guard let v = readULEB128(base, &position, end) else { throw short() }
    return v
  }

  package mutating func zigzag() throws -> Int64 {
    let u = try uleb()
    return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
  }

  package mutating func uint32LE() throws -> UInt32 {
    let p = try take(4)
    return UInt32(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt32.self))
  }
}

/// Unpacks `count` values of `bitWidth` (0…32) bits, least significant bit first, from the
/// `available` bytes at `p`, which hold at least `(count * bitWidth + 7) / 8` of them.
@inline(__always)
private func unpack<T: FixedWidthInteger>(
  _ p: UnsafePointer<UInt8>, available: Int, bitWidth: Int, count: Int, into out: UnsafeMutablePointer<T>
) {
  if bitWidth == 0 {
    out.update(repeating: 0, count: count)
    return
  }
  let mask: UInt64 = (1 << UInt64(bitWidth)) - 1
  let raw = UnsafeRawPointer(p)
  // Whole groups of 8 values (`bitWidth` bytes each) whose last 8-byte window lies inside the
  // bytes, by a loop specialised for the width (its shifts and offsets constants).
  let groups = available >= 8 ? min(count / 8, (available - 8) / bitWidth) : 0
  switch bitWidth {
  case 1: unpackGroups(raw, groups: groups, width: 1, into: out)
  case 2: unpackGroups(raw, groups: groups, width: 2, into: out)
  case 3: unpackGroups(raw, groups: groups, width: 3, into: out)
  case 4: unpackGroups(raw, groups: groups, width: 4, into: out)
  case 5: unpackGroups(raw, groups: groups, width: 5, into: out)
  case 6: unpackGroups(raw, groups: groups, width: 6, into: out)
  case 7: unpackGroups(raw, groups: groups, width: 7, into: out)
  case 8: unpackGroups(raw, groups: groups, width: 8, into: out)
  case 9: unpackGroups(raw, groups: groups, width: 9, into: out)
  case 10: unpackGroups(raw, groups: groups, width: 10, into: out)
  case 11: unpackGroups(raw, groups: groups, width: 11, into: out)
  case 12: unpackGroups(raw, groups: groups, width: 12, into: out)
  case 13: unpackGroups(raw, groups: groups, width: 13, into: out)
  case 14: unpackGroups(raw, groups: groups, width: 14, into: out)
  case 15: unpackGroups(raw, groups: groups, width: 15, into: out)
  case 16: unpackGroups(raw, groups: groups, width: 16, into: out)
  default: unpackGroups(raw, groups: groups, width: bitWidth, into: out)
  }
  // Then values whose 8-byte window lies inside the bytes: one unaligned load each.
  let fast = available >= 8 ? min(count, (available - 8) * 8 / bitWidth + 1) : 0
  for i in min(groups * 8, fast)..<fast {
    let bit = i &* bitWidth
    let w = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: bit >> 3, as: UInt64.self))
    out[i] = T(truncatingIfNeeded: (w >> UInt64(bit & 7)) & mask)
  }
  // The last few, byte by byte.
  for i in fast..<max(fast, count) {
    let bit = i * bitWidth
    var at = bit >> 3
    var shift = bit & 7
    var v: UInt64 = 0
    var got = 0
    while got < bitWidth {
      v |= UInt64(p[at] >> UInt8(shift)) << UInt64(got)
      got += 8 - shift
      shift = 0
      at += 1
    }
    out[i] = T(truncatingIfNeeded: v & mask)
  }
}

/// Unpacks `groups` groups of 8 values of `width` (1…32) bits; every group's bytes and the 8
/// bytes after its last value's first byte are readable. Inlined with a constant `width`, the
/// eight values of a group are eight loads and shifts by constants.
@inline(__always)
private func unpackGroups<T: FixedWidthInteger>(_ raw: UnsafeRawPointer, groups: Int, width: Int, into out: UnsafeMutablePointer<T>) {
  let mask: UInt64 = (1 << UInt64(width)) - 1
  for g in 0..<groups {
    let at = g &* width
    let o = out + g &* 8
    @inline(__always) func value(_ k: Int) -> T {
      let bit = k &* width
      let w = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at &+ bit >> 3, as: UInt64.self))
      return T(truncatingIfNeeded: (w >> UInt64(bit & 7)) & mask)
    }
    o[0] = value(0)
    o[1] = value(1)
    o[2] = value(2)
    o[3] = value(3)
    o[4] = value(4)
    o[5] = value(5)
    o[6] = value(6)
    o[7] = value(7)
  }
}

/// Decodes `count` values of the RLE / bit-packed hybrid encoding of `bitWidth` (0…32) bits
/// (levels into bytes, dictionary indices into 32-bit words).
package func decodeHybrid<T: FixedWidthInteger>(
  _ c: inout PageCursor, bitWidth: Int, count: Int, into out: UnsafeMutablePointer<T>
) throws {
  guard bitWidth >= 0, bitWidth <= 32 else { throw c.short() }
  var done = 0
  while done < count {
    let header = try c.uleb()
    if header & 1 == 0 {
      // A run of one value.
      let run = header >> 1
      let v = try runValue(&c, bitWidth: bitWidth)
      let n = Int(min(run, UInt64(count - done)))
      (out + done).update(repeating: T(truncatingIfNeeded: v), count: n)
      done += n
    } else {
      // Groups of 8 bit-packed values; the last run may end with the page.
      let groups = header >> 1
      guard groups <= UInt64(c.remaining) else { throw c.short() }
      let bytes = Int(groups) * bitWidth
      let usable = min(bytes, c.remaining)
      let available = bitWidth == 0 ? Int(groups) * 8 : usable * 8 / bitWidth
      let n = min(available, count - done)
      let p = try c.take(usable)
      unpack(p, available: usable, bitWidth: bitWidth, count: n, into: out + done)
      done += n
      if n == 0 { throw c.short() }
    }
  }
}

/// The value of an RLE run: `bitWidth` bits in whole little-endian bytes, the bits above them
/// zero (a wider value is an error: dictionary indices of `bitWidth` bits are not checked
/// against a dictionary of 2^bitWidth values or more).
@inline(__always)
private func runValue(_ c: inout PageCursor, bitWidth: Int) throws -> UInt32 {
  let p = try c.take((bitWidth + 7) / 8)
  var v: UInt32 = 0
  for k in 0..<(bitWidth + 7) / 8 { v |= UInt32(p[k]) << UInt32(8 * k) }
  guard bitWidth >= 32 || v >> UInt32(bitWidth) == 0 else { throw fail(.parquetValueOutOfRange, "a run's value", String(v)) }
  return v
}

/// Decodes a DELTA_BINARY_PACKED stream of exactly `count` values (its header must say so).
package func decodeDeltaBinaryPacked(_ c: inout PageCursor, count: Int, into out: UnsafeMutablePointer<Int64>) throws {
  let blockSize = try c.uleb()
  let miniblocks = try c.uleb()
  let total = try c.uleb()
  var previous = try c.zigzag()
  guard blockSize > 0, blockSize <= 1 << 20, blockSize % 128 == 0, miniblocks > 0, blockSize % miniblocks == 0,
    (blockSize / miniblocks) % 32 == 0, total == UInt64(count)
  else { throw c.short() }
  guard count > 0 else { return }
  let perMini = Int(blockSize / miniblocks)
  out[0] = previous
  var done = 1
  while done < count {
    let minDelta = try c.zigzag()
    let widths = try c.take(Int(miniblocks))
    for m in 0..<Int(miniblocks) where done < count {
      let bw = Int(widths[m])
      guard bw <= 64 else { throw c.short() }
      let p = try c.take(perMini * bw / 8)
      let n = min(perMini, count - done)
      if bw == 0 {
        for i in 0..<n {
          previous = previous &+ minDelta
          out[done + i] = previous
        }
      } else {
        var buffer: UInt128 = 0
        var bits = 0
        var at = 0
        let mask: UInt128 = (1 << UInt128(bw)) - 1
        for i in 0..<n {
          while bits < bw {
            buffer |= UInt128(p[at]) << UInt128(bits)
            at += 1
            bits += 8
          }
          let delta = UInt64(truncatingIfNeeded: buffer & mask)
          buffer >>= UInt128(bw)
          bits -= bw
          previous = previous &+ minDelta &+ Int64(bitPattern: delta)
          out[done + i] = previous
        }
      }
      done += n
    }
  }
}

/// Calls `body` with each of `count` byte strings of a BYTE_ARRAY page in `encoding`
/// (PLAIN, DELTA_LENGTH_BYTE_ARRAY or DELTA_BYTE_ARRAY), or of fixed length `fixed`
/// (FIXED_LEN_BYTE_ARRAY, PLAIN).
package func forEachByteArray(
  _ encoding: ParquetEncoding, _ c: inout PageCursor, count: Int, fixed: Int?,
  _ body: (UnsafeRawBufferPointer) throws -> Void
) throws {
  if let w = fixed {
    guard encoding == .plain else { throw fail(.parquetUnsupportedEncoding, encodingName(encoding)) }
    for _ in 0..<count { try body(UnsafeRawBufferPointer(start: try c.take(w), count: w)) }
    return
  }
  switch encoding {
  case .plain:
    for _ in 0..<count {
      let n = Int(try c.uint32LE())
      try body(UnsafeRawBufferPointer(start: try c.take(n), count: n))
    }
  case .deltaLengthByteArray:
    let lengths = UnsafeMutablePointer<Int64>.allocate(capacity: max(count, 1))
    defer { lengths.deallocate() }
    try decodeDeltaBinaryPacked(&c, count: count, into: lengths)
    for i in 0..<count {
      guard lengths[i] >= 0, lengths[i] <= Int64(c.remaining) else { throw c.short() }
      let n = Int(lengths[i])
      try body(UnsafeRawBufferPointer(start: try c.take(n), count: n))
    }
  case .deltaByteArray:
    // Each value is the first `prefix` bytes of the one before, then its suffix.
    let prefixes = UnsafeMutablePointer<Int64>.allocate(capacity: max(count, 1))
    defer { prefixes.deallocate() }
    try decodeDeltaBinaryPacked(&c, count: count, into: prefixes)
    var value: [UInt8] = []
    var i = 0
    let expected = count
    try forEachByteArray(.deltaLengthByteArray, &c, count: count, fixed: nil) { suffix in
      let keep = prefixes[i]
      i += 1
      guard keep >= 0, keep <= Int64(value.count) else { throw fail(.parquetPageEndsEarly, "values", String(expected)) }
      value.removeSubrange(Int(keep)...)
      value.append(contentsOf: suffix)
      try value.withUnsafeBytes { try body($0) }
    }
  default:
    throw fail(.parquetUnsupportedEncoding, encodingName(encoding))
  }
}

/// The name of an encoding in parquet.thrift, for messages.
package func encodingName(_ e: ParquetEncoding) -> String {
  switch e {
  case .plain: return "PLAIN"
  case .plainDictionary: return "PLAIN_DICTIONARY"
  case .rle: return "RLE"
  case .bitPacked: return "BIT_PACKED"
  case .deltaBinaryPacked: return "DELTA_BINARY_PACKED"
  case .deltaLengthByteArray: return "DELTA_LENGTH_BYTE_ARRAY"
  case .deltaByteArray: return "DELTA_BYTE_ARRAY"
  case .rleDictionary: return "RLE_DICTIONARY"
  case .byteStreamSplit: return "BYTE_STREAM_SPLIT"
  }
}

/// Puts the `width` byte streams of BYTE_STREAM_SPLIT back together: byte `k` of value `i`
/// is `source[k * count + i]`.
package func unsplitByteStreams(_ source: UnsafePointer<UInt8>, count: Int, width: Int, into out: UnsafeMutablePointer<UInt8>) {
  for k in 0..<width {
    let stream = source + k * count
    var o = out + k
    for i in 0..<count {
      o.pointee = stream[i]
      o += width
    }
  }
}
