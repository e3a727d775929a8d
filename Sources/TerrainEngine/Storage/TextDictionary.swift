// Interning of text values: every text column stores 32-bit codes into one of these.

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An append-only set of distinct strings, each with a dense code (`0..<count`).
///
/// Equality is byte equality of the UTF-8 forms (not Unicode canonical equivalence), as
/// the language compares text by code point. Codes never change once given, so a kernel may
/// cache the code of a constant or a per-code translation table.
public final class TextDictionary: @unchecked Sendable {
  /// The strings, indexed by code.
  public private(set) var strings: [String] = []
  private var slots: [Int32]  // open addressing: code or -1
  private var hashes: [UInt64] = []  // hash of each code's bytes
  private var mask: Int
  private var cachedRanks: [UInt32]?

  public init(capacity: Int = 16) {
    var size = 16
    while size < capacity * 2 { size *= 2 }
    slots = [Int32](repeating: -1, count: size)
    mask = size - 1
  }

  /// Number of distinct strings.
  public var count: Int { strings.count }

  /// The code of `s`, adding it if new.
  public func intern(_ s: String) -> UInt32 {
    var s = s
    return s.withUTF8 { intern(bytes: UnsafeRawBufferPointer($0)) }
  }

  /// The code of the string whose UTF-8 bytes are `bytes` (which must be valid UTF-8),
  /// adding it if new.
  public func intern(bytes: UnsafeRawBufferPointer) -> UInt32 {
    let h = TextDictionary.hash(bytes)
    var i = Int(truncatingIfNeeded: h) & mask
    while true {
      let code = slots[i]
      if code < 0 { break }
      if hashes[Int(code)] == h && equalBytes(Int(code), bytes) { return UInt32(code) }
      i = (i + 1) & mask
    }
    let code = UInt32(strings.count)
    strings.append(String(decoding: bytes, as: UTF8.self))
    hashes.append(h)
    slots[i] = Int32(code)
    cachedRanks = nil
    if strings.count * 2 > slots.count { rehash() }
    return code
  }

  /// The code of `s` if present.
  public func code(of s: String) -> UInt32? {
    var s = s
    return s.withUTF8 { buf -> UInt32? in
      let bytes = UnsafeRawBufferPointer(buf)
      let h = TextDictionary.hash(bytes)
      var i = Int(truncatingIfNeeded: h) & mask
      while true {
        let code = slots[i]
        if code < 0 { return nil }
        if hashes[Int(code)] == h && equalBytes(Int(code), bytes) { return UInt32(code) }
        i = (i + 1) & mask
      }
    }
  }

  /// For each code, its rank in binary (UTF-8 byte) order of the strings; equal strings
  /// cannot occur, so ranks are distinct. Computed once per dictionary size.
  public var sortRanks: [UInt32] {
    if let r = cachedRanks, r.count == strings.count { return r }
    let order = strings.indices.sorted { utf8Less(strings[$0], strings[$1]) }
    var ranks = [UInt32](repeating: 0, count: strings.count)
    for (rank, code) in order.enumerated() { ranks[code] = UInt32(rank) }
    cachedRanks = ranks
    return ranks
  }

  private func equalBytes(_ code: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
    let s = strings[code]
    if s.utf8.count != bytes.count { return false }
    if let r = s.utf8.withContiguousStorageIfAvailable({ stored -> Bool in
      guard let a = stored.baseAddress, let b = bytes.baseAddress else { return stored.isEmpty }
      return memcmp(a, b, bytes.count) == 0
    }) {
      return r
    }
    return s.utf8.elementsEqual(bytes)
  }

  private func rehash() {
    let size = slots.count * 2
    slots = [Int32](repeating: -1, count: size)
    mask = size - 1
    for code in 0..<strings.count {
      var i = Int(truncatingIfNeeded: hashes[code]) & mask
      while slots[i] >= 0 { i = (i + 1) & mask }
      slots[i] = Int32(code)
    }
  }

  /// A fast 64-bit hash of a byte string (FNV-1a over 8-byte words, then a final mix).
  static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    var i = 0
    let n = bytes.count
    while i + 8 <= n {
      let w = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
      h = (h ^ w) &* 0x0000_0100_0000_01b3
      h ^= h >> 29
      i += 8
    }
    while i < n {
      h = (h ^ UInt64(bytes[i])) &* 0x0000_0100_0000_01b3
      i += 1
    }
    h ^= h >> 33
    h = h &* 0xff51_afd7_ed55_8ccd
    h ^= h >> 33
    return h
  }
}

/// Binary (code point) order of two strings.
public func utf8Less(_ a: String, _ b: String) -> Bool {
  a.utf8.lexicographicallyPrecedes(b.utf8)
}

/// Binary (code point) equality of two strings.
public func utf8Equal(_ a: String, _ b: String) -> Bool {
  a.utf8.elementsEqual(b.utf8)
}
