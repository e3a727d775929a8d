// LZ4 frames, as Arrow's `LZ4_FRAME` body compression (pyarrow's Feather default) stores
// buffers: decoded from the LZ4 frame and block format descriptions, every read and write
// checked, into a buffer whose size the Arrow buffer's prefix gives.

/// Decodes the LZ4 frame of `count` bytes at `source` into `destination`, which holds
/// `capacity` bytes. Returns the number of bytes written, or nil when the frame is malformed
/// or would write past `capacity` (dictionary ids are not supported; checksums are skipped).
package func decodeLZ4Frame(
  _ source: UnsafePointer<UInt8>, count: Int, into destination: UnsafeMutablePointer<UInt8>, capacity: Int
) -> Int? {
  func word(_ at: Int) -> UInt32? {
    guard at >= 0, at <= count - 4 else { return nil }
    return UInt32(littleEndian: UnsafeRawPointer(source + at).loadUnaligned(as: UInt32.self))
  }
  guard word(0) == 0x184D_2204, count >= 7 else { return nil }
  let flags = source[4]
  // Version 01, no dictionary id.
  guard flags >> 6 == 1, flags & 0x01 == 0 else { return nil }
  let blockChecksums = flags & 0x10 != 0
  var i = 6 + (flags & 0x08 != 0 ? 8 : 0) + 1
  var written = 0
  while true {
    guard let header = word(i) else { return nil }
    i += 4
    if header == 0 { break }
    let size = Int(header & 0x7FFF_FFFF)
    guard size <= count - i else { return nil }
    if header & 0x8000_0000 != 0 {
      // A block stored as it is.
      guard size <= capacity - written else { return nil }
      (destination + written).update(from: source + i, count: size)
      written += size
    } else {
      guard let end = decodeLZ4Block(source + i, count: size, into: destination, at: written, capacity: capacity) else {
        return nil
      }
      written = end
    }
    i += size + (blockChecksums ? 4 : 0)
  }
  return written
}

/// Decodes one LZ4 block of `count` bytes at `source`, writing from `destination + start`
/// (a match may reach back into earlier blocks). Returns where the output ends, or nil.
private func decodeLZ4Block(
  _ source: UnsafePointer<UInt8>, count: Int, into destination: UnsafeMutablePointer<UInt8>, at start: Int, capacity: Int
) -> Int? {
  var i = 0
  var o = start
  /// A length continued by bytes of 255 (each byte adds itself).
  func extended(_ base: Int) -> Int? {
    var n = base
    guard base == 15 else { return n }
    while true {
      guard i < count else { return nil }
      let b = source[i]
      i += 1
      n += Int(b)
      if b != 255 { return n }
    }
  }
  while i < count {
    let token = source[i]
    i += 1
    guard let literals = extended(Int(token >> 4)), literals <= count - i, literals <= capacity - o else { return nil }
    (destination + o).update(from: source + i, count: literals)
    i += literals
    o += literals
    // The last sequence has literals only.
    if i == count { break }
    guard i + 2 <= count else { return nil }
    let offset = Int(source[i]) | Int(source[i + 1]) << 8
    i += 2
    guard let length = extended(Int(token & 15)), offset > 0, offset <= o, length + 4 <= capacity - o else { return nil }
    // Byte by byte: a match may overlap what it writes.
    for k in 0..<(length + 4) { destination[o + k] = destination[o - offset + k] }
    o += length + 4
  }
  return o
}
