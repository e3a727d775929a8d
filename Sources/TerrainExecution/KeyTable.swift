// Hashing of multi-column keys normalised to 64-bit words, shared by aggregation, distinct
// and joins.

import TerrainStorage
import TerrainSyntax
import TerrainPlanner

/// Normalises one key expression's values to `UInt64` words so that equal values (in the
/// language's sense) give equal words: ints by bit pattern, floats with -0.0 folded into 0.0 and
/// one NaN, text as codes in a dictionary shared by every side that is compared.
package final class KeyNormalizer {
  package let type: DataType
  package let shared: TextDictionary?
  private let translator: TextTranslator
  private let codes = UnsafeMutablePointer<UInt32>.allocate(capacity: chunkSize)

  package init(type: DataType) {
    self.type = type
    shared = type == .text ? TextDictionary() : nil
    translator = TextTranslator(target: shared)
  }

  /// A normaliser for one more side that only looks text up in `other`'s dictionary (absent
  /// strings get a code that matches nothing), so it can run on another thread.
  package init(lookingUpIn other: KeyNormalizer) {
    type = other.type
    shared = other.shared
    translator = TextTranslator(target: other.shared, lookupOnly: true)
  }

  deinit { codes.deallocate() }

  /// Writes the words of `n` values of `v` into `out` (every `stride` words) and ands their
  /// validity into `valid`.
  package func normalize(_ v: Vec, count n: Int, into out: UnsafeMutablePointer<UInt64>, stride: Int, valid: UnsafeMutablePointer<UInt8>) throws {
    for i in 0..<n { valid[i] &= v.validity?[i] ?? 1 }
    switch type {
    case .int, .date:
      let a = v.ints()
      for i in 0..<n { out[i * stride] = UInt64(bitPattern: a[i]) }
    case .float:
      let a = v.floats()
      for i in 0..<n {
        let x = a[i]
        out[i * stride] = x.isNaN ? Double.nan.bitPattern : (x == 0 ? 0 : x.bitPattern)
      }
    case .bool:
      let a = v.bytes()
      for i in 0..<n { out[i * stride] = UInt64(a[i]) }
    case .text:
      guard let d = v.dictionary else { return }
      try translator.translate(v.codes(), from: d, count: n, validity: v.validity, into: codes)
      for i in 0..<n { out[i * stride] = UInt64(codes[i]) }
    }
  }
}

/// An open-addressing hash table from fixed-width keys (`width` words) to dense ids
/// `0..<count`, in first-insertion order.
package final class KeyTable {
  package let width: Int
  package private(set) var keys: [UInt64] = []  // count * width
  private var slots: [Int32]
  private var hashes: [UInt64] = []
  private var mask: Int
  package private(set) var count = 0

  /// An empty table for keys of `width` words, with room for `capacity` keys before its
  /// first doubling; `AllocationFailure` when the memory cannot hold the slots for them (a
  /// capacity taken from input: the rows of a join's build side).
  package init(width: Int, capacity: Int = 1024) throws {
    self.width = width
    var size = 1024
    while size < capacity * 2 { size = try doubledCapacity(size, toHold: size + 1) }
    slots = try checkedArray(repeating: -1, count: size)
    mask = size - 1
  }

  package static func hash(_ key: UnsafePointer<UInt64>, _ width: Int) -> UInt64 {
    var h: UInt64 = 0x9E37_79B9_7F4A_7C15
    for k in 0..<width {
      h = (h ^ key[k]) &* 0xbf58_476d_1ce4_e5b9
      h ^= h >> 31
    }
    // Slots come from the low bits, and keys such as float bit patterns differ in the high ones.
    return avalanche(h)
  }

  /// The id of `key`, inserting it if new. Its keys come from input (group-by keys, a join's
  /// build side, distinct values), so the growth a new key needs — the keys and hashes when
  /// their arrays double, the slots when the table does — is probed first, once per doubling:
  /// a table the memory cannot hold throws `AllocationFailure` (nothing inserted) instead of
  /// stopping the process.
  package func insert(_ key: UnsafePointer<UInt64>) throws -> Int {
    let h = KeyTable.hash(key, width)
    var i = Int(truncatingIfNeeded: h) & mask
    while true {
      let s = slots[i]
      if s < 0 { break }
      if hashes[Int(s)] == h && matches(Int(s), key) { return Int(s) }
      i = (i + 1) & mask
    }
    guard keys.count + width > keys.capacity || hashes.count == hashes.capacity || (count + 1) * 2 > slots.count else {
      return add(key, hash: h, slot: i)
    }
    // The probe and the growth under one lock: the workers of a parallel aggregate growing
    // their tables at once cannot both pass a check for the same memory.
    return try withCheckedRoom(for: try growthBytes()) { add(key, hash: h, slot: i) }
  }

  /// Adds `key` (hashed `h`, not present) at the empty slot `i`.
  private func add(_ key: UnsafePointer<UInt64>, hash h: UInt64, slot i: Int) -> Int {
    let id = count
    slots[i] = Int32(id)
    hashes.append(h)
    for k in 0..<width { keys.append(key[k]) }
    count += 1
    if count * 2 > slots.count { rehash() }
    return id
  }

  /// The bytes of the new, doubled storage of the arrays the next insert grows (all of it at
  /// once: they may grow in the same insert).
  private func growthBytes() throws -> Int {
    var bytes = 0
    if keys.count + width > keys.capacity { bytes += try byteCount(2 * Swift.max(keys.capacity, width), of: UInt64.self) }
    if hashes.count == hashes.capacity { bytes += try byteCount(2 * Swift.max(hashes.capacity, 1), of: UInt64.self) }
    if (count + 1) * 2 > slots.count { bytes += try byteCount(2 * slots.count, of: Int32.self) }
    return bytes
  }

  /// The id of `key` if present.
  package func find(_ key: UnsafePointer<UInt64>) -> Int? {
    let h = KeyTable.hash(key, width)
    var i = Int(truncatingIfNeeded: h) & mask
    while true {
      let s = slots[i]
      if s < 0 { return nil }
      if hashes[Int(s)] == h && matches(Int(s), key) { return Int(s) }
      i = (i + 1) & mask
    }
  }

  private func matches(_ id: Int, _ key: UnsafePointer<UInt64>) -> Bool {
    let base = id * width
    for k in 0..<width where keys[base + k] != key[k] { return false }
    return true
  }

  private func rehash() {
    let size = slots.count * 2
    slots = [Int32](repeating: -1, count: size)
    mask = size - 1
    for id in 0..<count {
      var i = Int(truncatingIfNeeded: hashes[id]) & mask
      while slots[i] >= 0 { i = (i + 1) & mask }
      slots[i] = Int32(id)
    }
  }
}

/// Assigns a group id to every row of `columns` (dense key columns), in first-appearance order.
/// Nulls form their own group. Returns the ids and, per group, its first row.
/// Throws `AllocationFailure` when the memory cannot hold the ids or the groups.
package func groupRows(_ keys: [Column], rowCount: Int, cancel: CancellationFlag?) throws -> (ids: ColumnBuffer<Int32>, firstRows: [Int32]) {
  let ids = try BufferBuilder<Int32>(checkedCapacity: rowCount)
  var firstRows: [Int32] = []
  let out = try ids.tail(reserving: rowCount)
  ids.advance(by: rowCount)
  if keys.isEmpty {
    out.initialize(repeating: 0, count: rowCount)
    return (ids.finish(), [0])
  }
  // Fast path: one text key grouped by dictionary code.
  if keys.count == 1, case .text(let codes, let dict) = keys[0].values {
    let c = codes.base
    let firstRows = groupBySlot(rowCount: rowCount, slots: dict.count + 1, validity: keys[0].validity?.base, into: out) {
      Int(c[$0])
    }
    return (ids.finish(), firstRows)
  }
  // Fast path: one int key over a small range, grouped by direct indexing.
  if keys.count == 1, case .int(let values) = keys[0].values,
    let groupOf = smallRangeGroups(values, validity: keys[0].validity, rowCount: rowCount, into: out) {
    return (ids.finish(), groupOf)
  }
  // Fast path: several text keys with small dictionaries (`by dep, classe`): each combination
  // of codes, a null counting as one more value per key, has its own slot.
  if keys.count > 1, let firstRows = composedCodeGroups(keys, rowCount: rowCount, into: out) {
    return (ids.finish(), firstRows)
  }
  let width = keys.count + 1
  let table = try KeyTable(width: width)
  let normalizers = keys.map { KeyNormalizer(type: $0.type) }
  let words = UnsafeMutablePointer<UInt64>.allocate(capacity: chunkSize * width)
  let valid = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
  defer {
    words.deallocate()
    valid.deallocate()
  }
  let relation = Relation(table: Table(names: keys.indices.map { "k\($0)" }, columns: keys), name: "")
  let compiler = ExpressionCompiler(relation: relation)
  let kernels = try keys.indices.map { try compiler.compile(.column($0, keys[$0].type)) }
  var start = 0
  while start < rowCount {
    let n = min(chunkSize, rowCount - start)
    for i in 0..<n { words[i * width + keys.count] = 0 }
    for (k, kernel) in kernels.enumerated() {
      valid.initialize(repeating: 1, count: n)
      try normalizers[k].normalize(kernel(start, n), count: n, into: words + k, stride: width, valid: valid)
      for i in 0..<n where valid[i] == 0 {
        words[i * width + k] = 0
        words[i * width + keys.count] |= 1 << UInt64(k % 64)
      }
    }
    for i in 0..<n {
      let before = table.count
      let g = try table.insert(words + i * width)
      if g == before {
        if firstRows.count == firstRows.capacity {
          try withCheckedRoom(for: try byteCount(2 * Swift.max(firstRows.capacity, 1), of: Int32.self)) {
            firstRows.append(Int32(start + i))
          }
        } else {
          firstRows.append(Int32(start + i))
        }
      }
      out[start + i] = Int32(g)
    }
    start += n
    try cancel?.check()
  }
  return (ids.finish(), firstRows)
}

/// Groups rows by several text keys when the product of their dictionary sizes (plus one for
/// null each) is small: slot = Σ (code + 1 or 0 for null) × stride, then one pass as for a
/// single key. Returns the first row of each group, or nil when a key is not text or the slots
/// would be too many.
private func composedCodeGroups(_ keys: [Column], rowCount: Int, into out: UnsafeMutablePointer<Int32>) -> [Int32]? {
  var codes: [UnsafeMutablePointer<UInt32>] = []
  var valids: [UnsafeMutablePointer<UInt8>?] = []
  var strides: [Int] = []
  var slots = 1
  for key in keys {
    guard case .text(let c, let dict) = key.values else { return nil }
    let (next, overflow) = slots.multipliedReportingOverflow(by: dict.count + 1)
    guard !overflow, next <= max(1 << 16, rowCount * 2), next <= 1 << 24 else { return nil }
    strides.append(slots)
    slots = next
    codes.append(c.base)
    valids.append(key.validity?.base)
  }
  return withExtendedLifetime(keys) {
    groupBySlot(rowCount: rowCount, slots: slots, validity: nil, into: out) { r in
      var slot = 0
      for k in 0..<codes.count {
        let present = valids[k].map { $0[r] != 0 } ?? true
        slot += present ? (Int(codes[k][r]) + 1) * strides[k] : 0
      }
      return slot
    }
  }
}

/// Groups rows by an int key whose values span at most a few million (years, counts, 0/1
/// flags): an array indexed by `value - min` replaces hashing. Returns the first row of each
/// group, or nil when the range is too wide.
private func smallRangeGroups(_ values: ColumnBuffer<Int64>, validity: ColumnBuffer<UInt8>?, rowCount: Int,
  into out: UnsafeMutablePointer<Int32>) -> [Int32]? {
  guard rowCount > 0 else { return [] }
  let v = values.base
  let valid = validity?.base
  var lo = Int64.max
  var hi = Int64.min
  for r in 0..<rowCount where valid?[r] ?? 1 != 0 {
    lo = min(lo, v[r])
    hi = max(hi, v[r])
  }
  if lo > hi { lo = 0; hi = 0 }  // only nulls
  let (span, overflow) = hi.subtractingReportingOverflow(lo)
  guard !overflow, span < max(1 << 16, Int64(rowCount) * 2), span < 1 << 24 else { return nil }
  return groupBySlot(rowCount: rowCount, slots: Int(span) + 1, validity: valid, into: out) { Int(v[$0] &- lo) }
}

/// Numbers rows by a dense slot (a dictionary code, a value minus the minimum) in order of
/// first appearance; nulls form one group. Returns each group's first row.
///
/// Chunk by chunk: first a loop without branches that assumes every row's slot already has its
/// group (true for all but a few chunks once the groups have appeared), or-ing the ids it
/// writes so that a missing one (-1) shows; only a chunk where one is missing runs again row
/// by row, assigning new groups. (The row-by-row loop alone ran 1.3× slower or faster with the
/// placement of its code alone, binaries with identical instructions: see notes.md, "Q3".)
@inline(__always)
private func groupBySlot(rowCount: Int, slots: Int, validity: UnsafeMutablePointer<UInt8>?,
  into out: UnsafeMutablePointer<Int32>, _ slotOf: (Int) -> Int) -> [Int32] {
  var groupOfSlot = [Int32](repeating: -1, count: slots)
  var nullGroup: Int32 = -1
  var firstRows: [Int32] = []
  groupOfSlot.withUnsafeMutableBufferPointer { g in
    var start = 0
    while start < rowCount {
      let end = min(rowCount, start + chunkSize)
      defer { start = end }
      var seen: Int32 = 0
      if let validity {
        for r in start..<end {
          let id = validity[r] == 0 ? nullGroup : g[slotOf(r)]
          out[r] = id
          seen |= id
        }
      } else {
        for r in start..<end {
          let id = g[slotOf(r)]
          out[r] = id
          seen |= id
        }
      }
      if seen >= 0 { continue }
      for r in start..<end {
        if let validity, validity[r] == 0 {
          if nullGroup < 0 {
            nullGroup = Int32(firstRows.count)
            firstRows.append(Int32(r))
          }
          out[r] = nullGroup
          continue
        }
        let slot = slotOf(r)
        var id = g[slot]
        if id < 0 {
          id = Int32(firstRows.count)
          g[slot] = id
          firstRows.append(Int32(r))
        }
        out[r] = id
      }
    }
  }
  return firstRows
}
