// A small per-column cache in front of `TextDictionary.intern` for pass 2: repeated text
// values (categories, département codes, statuses) find their code without going through
// the dictionary.

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Maps text values to their dictionary codes, keyed by bytes.
///
/// Values of up to 16 bytes are stored inside the slot, so a lookup touches one cache line;
/// longer values are stored as a pointer into the file buffer, which must therefore stay
/// valid and unchanged while the cache is used (it never outlives the load). Bounded: at
/// most `maxSlots / 2` values are cached; once full, new values go to the dictionary only.
/// A column whose values rarely repeat (fewer than 1 in 8 of its first 8192 values, or
/// fewer than half once the cache is full) stops using the cache.
struct TextCodeCache {
  /// A cached value: its hash, its bytes (inline when short) and its code.
  private struct Slot {
    var hash: UInt64
    var word0: UInt64
    var word1: UInt64
    /// -1 for an empty slot.
    var length: Int32
    var code: UInt32
  }

  /// 8 MB per column at most (32-byte slots), for up to 131 072 distinct values.
  private static let maxSlots = 1 << 18
  private var slots: UnsafeMutablePointer<Slot>
  private var mask: Int
  private var used = 0
  private var lookups = 0
  private var hits = 0
  /// False once the cache has proved useless for this column.
  private(set) var enabled = true

  init() {
    let size = 256
    slots = UnsafeMutablePointer<Slot>.allocate(capacity: size)
    slots.initialize(repeating: Slot(hash: 0, word0: 0, word1: 0, length: -1, code: 0), count: size)
    mask = size - 1
  }

  /// Frees the table (the value must not be used afterwards).
  func free() { slots.deallocate() }

  /// A value's key: hash and slot words.
  struct Key {
    var hash: UInt64
    var word0: UInt64
    var word1: UInt64
    var length: Int
  }

  /// The key of `p[0..<n]`.
  @inline(__always)
  static func key(_ p: UnsafePointer<UInt8>, _ n: Int) -> Key {
    if n <= 16 {
      var w0: UInt64 = 0
      var w1: UInt64 = 0
      var i = 0
      if n >= 8 {
        w0 = UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
        i = 8
      }
      var shift: UInt64 = 0
      while i < n {
        let b = UInt64(p[i]) << shift
        if n >= 8 { w1 |= b } else { w0 |= b }
        shift += 8
        i += 1
      }
      var h = (w0 ^ 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: n)) &* 0xBF58_476D_1CE4_E5B9
      h ^= h >> 31
      h = (h ^ w1) &* 0x94D0_49BB_1331_11EB
      h ^= h >> 29
      h = h &* 0xBF58_476D_1CE4_E5B9
      h ^= h >> 32
      return Key(hash: h, word0: w0, word1: w1, length: n)
    }
    let address = UInt64(UInt(bitPattern: p))
    return Key(hash: longHash(p, n), word0: address, word1: 0, length: n)
  }

  /// The code of the value whose key is `k` (bytes `p`) if cached.
  @inline(__always)
  mutating func lookup(_ k: Key, _ p: UnsafePointer<UInt8>) -> UInt32? {
    lookups &+= 1
    // Values that do not repeat early (names, commune codes) gain nothing from the cache.
    if lookups == 8192 && hits < lookups / 8 { enabled = false }
    var i = Int(truncatingIfNeeded: k.hash) & mask
    while slots[i].length >= 0 {
      if slots[i].hash == k.hash && Int(slots[i].length) == k.length {
        if k.length <= 16 {
          if slots[i].word0 == k.word0 && slots[i].word1 == k.word1 {
            hits &+= 1
            return slots[i].code
          }
        } else if let q = UnsafePointer<UInt8>(bitPattern: UInt(slots[i].word0)), sameBytes(q, p, k.length) {
          hits &+= 1
          return slots[i].code
        }
      }
      i = (i + 1) & mask
    }
    return nil
  }

  /// Remembers `code` for the value whose key is `k`.
  mutating func insert(_ k: Key, code: UInt32) {
    guard k.length <= Int(Int32.max) else { return }
    if (used + 1) * 2 > mask + 1 {
      if mask + 1 >= TextCodeCache.maxSlots {
        // Full: keep it only if values repeat.
        if lookups > 4 * TextCodeCache.maxSlots && hits < lookups / 2 { enabled = false }
        return
      }
      grow()
    }
    var i = Int(truncatingIfNeeded: k.hash) & mask
    while slots[i].length >= 0 { i = (i + 1) & mask }
    slots[i] = Slot(hash: k.hash, word0: k.word0, word1: k.word1, length: Int32(k.length), code: code)
    used += 1
  }

  private mutating func grow() {
    let oldSize = mask + 1
    let size = oldSize * 2
    let fresh = UnsafeMutablePointer<Slot>.allocate(capacity: size)
    fresh.initialize(repeating: Slot(hash: 0, word0: 0, word1: 0, length: -1, code: 0), count: size)
    let newMask = size - 1
    for k in 0..<oldSize where slots[k].length >= 0 {
      var i = Int(truncatingIfNeeded: slots[k].hash) & newMask
      while fresh[i].length >= 0 { i = (i + 1) & newMask }
      fresh[i] = slots[k]
    }
    slots.deallocate()
    slots = fresh
    mask = newMask
  }

  /// A 64-bit hash of a longer byte string.
  private static func longHash(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
    var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: n)
    var i = 0
    while i + 8 <= n {
      let w = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
      h = (h ^ w) &* 0xBF58_476D_1CE4_E5B9
      h ^= h >> 31
      i += 8
    }
    var w: UInt64 = 0
    var shift: UInt64 = 0
    while i < n {
      w |= UInt64(p[i]) << shift
      shift += 8
      i += 1
    }
    h = (h ^ w) &* 0x94D0_49BB_1331_11EB
    h ^= h >> 29
    h = h &* 0xBF58_476D_1CE4_E5B9
    h ^= h >> 32
    return h
  }
}

/// Whether `a[0..<n]` and `b[0..<n]` are equal: an inline loop, faster than a `memcmp` call
/// on the short values of CSV fields.
@inline(__always)
func sameBytes(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
  var i = 0
  while i + 8 <= n {
    if UnsafeRawPointer(a + i).loadUnaligned(as: UInt64.self) != UnsafeRawPointer(b + i).loadUnaligned(as: UInt64.self) {
      return false
    }
    i += 8
  }
  while i < n {
    if a[i] != b[i] { return false }
    i += 1
  }
  return true
}
