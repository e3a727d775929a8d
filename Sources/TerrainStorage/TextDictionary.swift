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
///
/// A dictionary holds no `String`s: the bytes of every value are kept in one arena (a
/// `String` is made on demand by `string(_:)`), and the open-addressing table holds 8-byte
/// slots (32 bits of the hash and the code), so a look-up of a present value reads one slot,
/// two offsets and the value's bytes, and a value costs its bytes plus 16 bytes of offset and
/// slot, all in three blocks whose growth is checked (`checkedIntern`).
public final class TextDictionary: @unchecked Sendable {
  /// Number of distinct values. Unchecked (see below): written only in `insert`.
  @exclusivity(unchecked) public private(set) var count = 0
  // The look-up path (`intern(bytes:hash:)`, `bytes(of:)`, `touch`) is `@inlinable` so that
  // the CSV loader and the kernels, in other modules, inline it as they did when everything
  // was one module; the fields it reads are therefore `@usableFromInline`. They are also
  // `@exclusivity(unchecked)`: each is a trivial value (pointer or Int) read or written
  // instantaneously, never held across a call that could touch it again, and a dictionary
  // is only added to by one thread at a time (readers run once loading is done), so the
  // runtime check would only cost a `swift_beginAccess` call per look-up.

  /// Open addressing: 0 for an empty slot, else the hash's high 32 bits, then code + 1.
  @exclusivity(unchecked) @usableFromInline package var slots: UnsafeMutablePointer<UInt64>
  @exclusivity(unchecked) @usableFromInline package var mask: Int
  /// The bytes of every value, one after the other in code order.
  @exclusivity(unchecked) @usableFromInline package var arena: UnsafeMutablePointer<UInt8>
  private var arenaCapacity: Int
  /// Value `c` is `arena[ends[c - 1]..<ends[c]]` (`ends[-1]` is 0: `ends` points one past
  /// a leading 0).
  @exclusivity(unchecked) @usableFromInline package var ends: UnsafeMutablePointer<Int>
  private var endsCapacity: Int
  /// The ranks of `sortRanks`, binary then French.
  private var cachedRanks: [[UInt32]?] = [nil, nil]
  private let ranksLock = SimpleLock()

  public init(capacity: Int = 16) {
    var size = 16
    while size < capacity * 2 { size *= 2 }
    slots = allocateBytes(size * 8).bindMemory(to: UInt64.self, capacity: size)
    slots.initialize(repeating: 0, count: size)
    mask = size - 1
    arenaCapacity = 256
    arena = allocateBytes(arenaCapacity).bindMemory(to: UInt8.self, capacity: arenaCapacity)
    endsCapacity = 16
    ends = allocateBytes((endsCapacity + 1) * 8).bindMemory(to: Int.self, capacity: endsCapacity + 1) + 1
    ends[-1] = 0
  }

  deinit {
    // All three come from `malloc` (so that growth can be a checked `malloc` too).
    free(slots)
    free(arena)
    free(ends - 1)
  }

  /// Value `code` as a `String` (made from its bytes: a kernel that can work on bytes should
  /// read `bytes(of:)` instead); "" when `code` is not below `count`.
  public func string(_ code: Int) -> String {
    guard code >= 0, code < count else { return "" }
    let start = ends[code - 1]
    return String(decoding: UnsafeRawBufferPointer(start: arena + start, count: ends[code] - start), as: UTF8.self)
  }

  /// Every value as a `String`, in code order (made afresh on each call: for tests and
  /// small dictionaries).
  public func allStrings() -> [String] { (0..<count).map { string($0) } }

  /// Total bytes of the values (UTF-8).
  public var valueBytes: Int { ends[count - 1] }

  /// The code of `s`, adding it if new.
  public func intern(_ s: String) -> UInt32 {
    var s = s
    return s.withUTF8 { intern(bytes: UnsafeRawBufferPointer($0)) }
  }

  /// The code of the string whose UTF-8 bytes are `bytes` (which must be valid UTF-8),
  /// adding it if new.
  public func intern(bytes: UnsafeRawBufferPointer) -> UInt32 {
    intern(bytes: bytes, hash: TextDictionary.hash(bytes))
  }

  /// The code of the value of `n` bytes at `p` whose hash is `h`, or -1 and the empty slot
  /// where it would go.
  @inlinable @inline(__always)
  package func lookUp(_ p: UnsafePointer<UInt8>?, _ n: Int, hash h: UInt64) -> (code: Int, slot: Int) {
    let tag = h & 0xFFFF_FFFF_0000_0000
    var i = Int(truncatingIfNeeded: h) & mask
    while true {
      let e = slots[i]
      if e == 0 { return (-1, i) }
      if e & 0xFFFF_FFFF_0000_0000 == tag {
        let code = Int(truncatingIfNeeded: e & 0xFFFF_FFFF) - 1
        if matches(code, p, n) { return (code, i) }
      }
      i = (i + 1) & mask
    }
  }

  /// `intern(bytes:)` given the bytes' `TextDictionary.hash`.
  @inlinable @inline(__always)
  package func intern(bytes: UnsafeRawBufferPointer, hash h: UInt64) -> UInt32 {
    let n = bytes.count
    let p = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
    let found = lookUp(p, n, hash: h)
    if found.code >= 0 { return UInt32(found.code) }
    return insert(p, n, tag: h & 0xFFFF_FFFF_0000_0000, slot: found.slot)
  }

  /// `intern(bytes:hash:)` for values read from input: a value that does not fit in the memory
  /// available throws `AllocationFailure` (the dictionary unchanged) instead of stopping the
  /// process.
  @inlinable
  package func checkedIntern(bytes: UnsafeRawBufferPointer, hash h: UInt64) throws -> UInt32 {
    let n = bytes.count
    let p = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
    var found = lookUp(p, n, hash: h)
    if found.code >= 0 { return UInt32(found.code) }
    // The slots doubled: the value's empty slot is found again.
    if try makeRoom(forValueOf: n) { found = lookUp(p, n, hash: h) }
    return insert(p, n, tag: h & 0xFFFF_FFFF_0000_0000, slot: found.slot)
  }

  /// `checkedIntern(bytes:hash:)` computing the hash.
  package func checkedIntern(bytes: UnsafeRawBufferPointer) throws -> UInt32 {
    try checkedIntern(bytes: bytes, hash: TextDictionary.hash(bytes))
  }

  /// `checkedIntern(bytes:)` of the UTF-8 bytes of `s`.
  package func checkedIntern(_ s: String) throws -> UInt32 {
    var s = s
    return try s.withUTF8 { try checkedIntern(bytes: UnsafeRawBufferPointer($0)) }
  }

  /// Grows, after checking that the memory is there, everything that adding a value of `n`
  /// bytes may grow (the arena, the ends, the slots), so that `insert` then allocates
  /// nothing. Each check and its
  /// allocation happen under one lock shared by all dictionaries, so that the lanes of a load
  /// growing their dictionaries at once cannot both pass a check for the same memory. True
  /// when the slots were doubled (the caller's empty slot is then stale).
  @usableFromInline
  package func makeRoom(forValueOf n: Int) throws -> Bool {
    let code = count
    let start = ends[code - 1]
    let (needed, overflow) = start.addingReportingOverflow(n)
    if overflow { throw AllocationFailure(bytes: Int.max) }
    let growsSlots = (code + 1) * 2 > mask + 1
    guard needed > arenaCapacity || code == endsCapacity || growsSlots else { return false }
    checkedGrowthLock.lock()
    defer { checkedGrowthLock.unlock() }
    if needed > arenaCapacity {
      let c = try doubledCapacity(arenaCapacity, toHold: needed)
      let fresh = try allocateCheckedBytes(c).bindMemory(to: UInt8.self, capacity: c)
      fresh.update(from: arena, count: start)
      free(arena)
      arena = fresh
      arenaCapacity = c
    }
    if code == endsCapacity {
      let c = endsCapacity * 2
      let fresh = try allocateCheckedBytes(try byteCount(c + 1, of: Int.self)).bindMemory(to: Int.self, capacity: c + 1)
      fresh.update(from: ends - 1, count: code + 1)
      free(ends - 1)
      ends = fresh + 1
      endsCapacity = c
    }
    if growsSlots {
      // The rehash `insert` would do after adding the value, done now.
      let size = (mask + 1) * 2
      rehash(into: try allocateCheckedBytes(try byteCount(size, of: UInt64.self)).bindMemory(to: UInt64.self, capacity: size), size: size)
    }
    return growsSlots
  }

  /// Adds a value that `intern(bytes:hash:)` did not find; `slot` is the empty slot it ended on.
  @usableFromInline
  package func insert(_ p: UnsafePointer<UInt8>?, _ n: Int, tag: UInt64, slot i: Int)
    -> UInt32
  {
    let code = count
    append(p, n)
    count = code + 1
    slots[i] = tag | UInt64(code + 1)
    if count * 2 > mask + 1 { rehash() }
    return UInt32(code)
  }

  /// The UTF-8 bytes of value `code`, or none when `code` is not below `count`. The view
  /// is valid until a value is next added to this dictionary.
  @inlinable @inline(__always)
  package func bytes(of code: UInt32) -> UnsafeRawBufferPointer {
    let c = Int(code)
    guard c < count else { return UnsafeRawBufferPointer(start: arena, count: 0) }
    let start = ends[c - 1]
    return UnsafeRawBufferPointer(start: arena + start, count: ends[c] - start)
  }

  /// Reads the first slot that a value hashed `h` probes, so that a look-up soon after
  /// finds it in the processor's cache (the look-ups of a batch then wait for memory
  /// together rather than one after the other).
  @inlinable @inline(__always)
  package func touch(_ h: UInt64) -> UInt64 {
    slots[Int(truncatingIfNeeded: h) & mask]
  }

  /// The code of `s` if present.
  public func code(of s: String) -> UInt32? {
    var s = s
    return s.withUTF8 { code(ofBytes: UnsafeRawBufferPointer($0)) }
  }

  /// The code of the value whose UTF-8 bytes are `bytes`, if present.
  package func code(ofBytes bytes: UnsafeRawBufferPointer) -> UInt32? {
    let found = lookUp(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count, hash: TextDictionary.hash(bytes))
    return found.code >= 0 ? UInt32(found.code) : nil
  }

  /// For each code, its rank in `collation` order of the strings (binary: UTF-8 bytes; French:
  /// the collation key of Collation.swift, then the bytes). Equal strings cannot occur, so
  /// ranks are distinct and `<` on ranks is the collation's order: a sort or a top-N then
  /// compares integers per row, never strings. Computed once per dictionary size and
  /// collation.
  ///
  /// Safe to call from several threads at once (the first caller computes, the others wait).
  public func sortRanks(_ collation: Collation) -> [UInt32] {
    ranksLock.lock()
    defer { ranksLock.unlock() }
    let slot = collation == .binary ? 0 : 1
    if let r = cachedRanks[slot], r.count == count { return r }
    let n = count
    let order: [PrefixedCode]
    switch collation {
    case .binary:
      order = sortedCodes(n, arena, start: { self.ends[$0 - 1] }, end: { self.ends[$0] }, tie: { _, _ in false })
    case .french:
      // One key per entry in one buffer, then a sort of the codes on their keys (equal keys:
      // the bytes decide).
      var keys: [UInt8] = []
      keys.reserveCapacity(ends[n - 1] * 2 + n * 2)
      var keyEnds = [Int](repeating: 0, count: n + 1)
      let builder = CollationKeyBuilder()
      for c in 0..<n {
        let start = ends[c - 1]
        builder.appendKey(of: UnsafeRawBufferPointer(start: arena + start, count: ends[c] - start), to: &keys)
        keyEnds[c + 1] = keys.count
      }
      order = keys.withUnsafeBufferPointer { k in
        guard let base = k.baseAddress else { return [] }
        return sortedCodes(n, base, start: { keyEnds[$0] }, end: { keyEnds[$0 + 1] }, tie: { self.bytesLess($0, $1) })
      }
    }
    var ranks = [UInt32](repeating: 0, count: n)
    for (rank, item) in order.enumerated() where Int(item.code) < n { ranks[Int(item.code)] = UInt32(rank) }
    cachedRanks[slot] = ranks
    return ranks
  }

  /// Codes `0..<n` in the byte order of their keys (key `c` = `base[start(c)..<end(c)]`, a
  /// prefix first), `tie` deciding between equal keys. Each code carries its key's first 16
  /// bytes as two big-endian words, so that most comparisons read no key.
  private func sortedCodes(_ n: Int, _ base: UnsafePointer<UInt8>, start: (Int) -> Int, end: (Int) -> Int,
    tie: (Int, Int) -> Bool) -> [PrefixedCode] {
    var items = [PrefixedCode]()
    items.reserveCapacity(n)
    for c in 0..<n {
      let s = start(c)
      let len = end(c) - s
      var hi: UInt64 = 0
      var lo: UInt64 = 0
      for k in 0..<8 { hi = hi << 8 | (k < len ? UInt64(base[s + k]) : 0) }
      for k in 8..<16 { lo = lo << 8 | (k < len ? UInt64(base[s + k]) : 0) }
      items.append(PrefixedCode(hi: hi, lo: lo, code: UInt32(truncatingIfNeeded: c)))
    }
    items.sort { x, y in
      if x.hi != y.hi { return x.hi < y.hi }
      if x.lo != y.lo { return x.lo < y.lo }
      let a = Int(x.code)
      let b = Int(y.code)
      let sa = start(a)
      let la = end(a) - sa
      let sb = start(b)
      let lb = end(b) - sb
      let r = memcmp(base + sa, base + sb, min(la, lb))
      if r != 0 { return r < 0 }
      if la != lb { return la < lb }
      return tie(a, b)
    }
    return items
  }

  /// Binary order of values `a` and `b`, on their bytes in the arena.
  private func bytesLess(_ a: Int, _ b: Int) -> Bool {
    let sa = ends[a - 1]
    let la = ends[a] - sa
    let sb = ends[b - 1]
    let lb = ends[b] - sb
    let r = memcmp(arena + sa, arena + sb, min(la, lb))
    return r != 0 ? r < 0 : la < lb
  }

  /// Whether value `code` is `p[0..<n]`.
  @inlinable @inline(__always)
  package func matches(_ code: Int, _ p: UnsafePointer<UInt8>?, _ n: Int) -> Bool {
    let start = ends[code - 1]
    guard ends[code] - start == n else { return false }
    guard let p = p, n > 0 else { return true }
    return sameBytes(arena + start, p, n)
  }

  /// Appends a new value's bytes to the arena.
  private func append(_ p: UnsafePointer<UInt8>?, _ n: Int) {
    let code = count
    let start = ends[code - 1]
    if start + n > arenaCapacity {
      var c = arenaCapacity * 2
      while c < start + n { c *= 2 }
      let fresh = allocateBytes(c).bindMemory(to: UInt8.self, capacity: c)
      fresh.update(from: arena, count: start)
      free(arena)
      arena = fresh
      arenaCapacity = c
    }
    if let p = p, n > 0 { (arena + start).update(from: p, count: n) }
    if code == endsCapacity {
      let c = endsCapacity * 2
      let fresh = allocateBytes((c + 1) * 8).bindMemory(to: Int.self, capacity: c + 1)
      fresh.update(from: ends - 1, count: code + 1)
      free(ends - 1)
      ends = fresh + 1
      endsCapacity = c
    }
    ends[code] = start + n
  }

  private func rehash() {
    let size = (mask + 1) * 2
    rehash(into: allocateBytes(size * 8).bindMemory(to: UInt64.self, capacity: size), size: size)
  }

  /// Moves every code into `fresh`, `size` slots from `malloc`, which become the slots.
  private func rehash(into fresh: UnsafeMutablePointer<UInt64>, size: Int) {
    fresh.initialize(repeating: 0, count: size)
    let newMask = size - 1
    for code in 0..<count {
      let start = ends[code - 1]
      let h = TextDictionary.hash(UnsafeRawBufferPointer(start: arena + start, count: ends[code] - start))
      var i = Int(truncatingIfNeeded: h) & newMask
      while fresh[i] != 0 { i = (i + 1) & newMask }
      fresh[i] = (h & 0xFFFF_FFFF_0000_0000) | UInt64(code + 1)
    }
    free(slots)
    slots = fresh
    mask = newMask
  }

  /// A fast 64-bit hash of a byte string (FNV-1a over 8-byte words, then a final mix).
  @inlinable @inline(__always)
  package static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(truncatingIfNeeded: bytes.count)
    var i = 0
    let n = bytes.count
    while i + 8 <= n {
      let w = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
      h = (h ^ w) &* 0x0000_0100_0000_01b3
      h ^= h >> 29
      i += 8
    }
    if i < n {
      // The last 1–7 bytes as one word.
      var w: UInt64 = 0
      var shift: UInt64 = 0
      while i < n {
        w |= UInt64(bytes[i]) << shift
        shift += 8
        i += 1
      }
      h = (h ^ w) &* 0x0000_0100_0000_01b3
      h ^= h >> 29
    }
    return avalanche(h)
  }
}

/// A dictionary code with the first 16 bytes of its sort key, big-endian (see `sortRanks`).
private struct PrefixedCode {
  var hi: UInt64
  var lo: UInt64
  var code: UInt32
}

/// MurmurHash3's 64-bit finaliser: every input bit affects every output bit, so a hash table
/// may take its slot from the low bits even when keys differ only in their high bits.
@inlinable @inline(__always)
package func avalanche(_ x: UInt64) -> UInt64 {
  var h = x
  h ^= h >> 33
  h = h &* 0xff51_afd7_ed55_8ccd
  h ^= h >> 33
  h = h &* 0xc4ce_b9fe_1a85_ec53
  h ^= h >> 33
  return h
}

/// Binary (code point) order of two strings.
public func utf8Less(_ a: String, _ b: String) -> Bool {
  a.utf8.lexicographicallyPrecedes(b.utf8)
}

/// -1, 0 or 1: binary (code point) order of two UTF-8 byte strings (`compareUTF8` on bytes).
package func compareBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
  let n = min(a.count, b.count)
  if n > 0, let p = a.baseAddress, let q = b.baseAddress {
    let r = memcmp(p, q, n)
    if r != 0 { return r < 0 ? -1 : 1 }
  }
  return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
}

/// Binary (code point) equality of two strings.
public func utf8Equal(_ a: String, _ b: String) -> Bool {
  a.utf8.elementsEqual(b.utf8)
}

/// Whether `a[0..<n]` and `b[0..<n]` are equal: an inline loop, faster than a `memcmp` call
/// on the short values of CSV fields.
@inlinable @inline(__always)
package func sameBytes(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
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

