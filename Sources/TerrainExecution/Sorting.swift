// Stable multi-key sort with nulls last, and top-N selection for `sort | take N`.

import TerrainStorage
import TerrainSyntax
import TerrainPlanner

/// One sort key reduced to an order-preserving 64-bit word per row, plus nulls (window
/// orders use it too, so that they follow `sort`).
package struct EncodedKey {
  package var words: [UInt64]
  package var valid: [UInt8]?
}

/// Order-preserving words for one value (see `encodeKey`).
@inline(__always) private func intWord(_ x: Int64) -> UInt64 { UInt64(bitPattern: x) ^ (1 << 63) }

@inline(__always) private func floatWord(_ v: Double) -> UInt64 {
  if v.isNaN { return UInt64.max }
  let x = v == 0 ? 0 : v
  let bits = x.bitPattern
  return bits >> 63 == 1 ? ~bits : bits | (1 << 63)
}

/// One heap entry of a top-N: nulls after every value, then the key word, then the row (stable).
private struct TopEntry {
  var null: UInt8
  var word: UInt64
  var row: Int32
  @inline(__always) static func < (a: TopEntry, b: TopEntry) -> Bool {
    if a.null != b.null { return a.null < b.null }
    if a.word != b.word { return a.word < b.word }
    return a.row < b.row
  }
}

extension Column {
  /// The column's zone map for words given by `word`, computed once.
  /// (Locks by hand rather than in `withLock`'s closure: through that closure, now in another
  /// module, `word` was no longer inlined and cost an indirect call per row.)
  package func chunkRanges<T>(_ base: UnsafeMutablePointer<T>, _ word: (T) -> UInt64) -> ChunkRanges {
    statsLock.lock()
    defer { statsLock.unlock() }
    if let r = cachedChunkRanges { return r }
    let chunks = (count + chunkSize - 1) / chunkSize
    var ranges = ChunkRanges(low: [UInt64](repeating: UInt64.max, count: chunks), high: [UInt64](repeating: 0, count: chunks))
    let valid = validity?.base
    for c in 0..<chunks {
      var lo = UInt64.max
      var hi: UInt64 = 0
      for r in (c * chunkSize)..<min(count, (c + 1) * chunkSize) where valid?[r] ?? 1 != 0 {
        let w = word(base[r])
        lo = min(lo, w)
        hi = max(hi, w)
      }
      ranges.low[c] = lo
      ranges.high[c] = hi
    }
    cachedChunkRanges = ranges
    return ranges
  }
}

/// Top-N on one int, float or text key without materialising the key: one pass keeping a
/// bounded max-heap, most rows rejected by a single comparison with the current worst. For
/// numbers, whole chunks whose zone map shows they cannot beat the current worst are skipped.
private func topNOneKey(_ column: Column, descending: Bool, limit: Int, collation: Collation) -> [Int32]? {
  if limit <= 0 { return [] }
  let valid = column.validity?.base
  let flip: UInt64 = descending ? UInt64.max : 0
  var heap: [TopEntry] = []
  heap.reserveCapacity(limit + 1)
  func scan<T>(_ base: UnsafeMutablePointer<T>, _ word: (T) -> UInt64, zoneMap: ChunkRanges? = nil) {
    var start = 0
    while start < column.count {
      let n = min(chunkSize, column.count - start)
      defer { start += n }
      // Skip a chunk whose best present value cannot beat the worst kept row: a later row
      // with an equal key loses the tie, and nulls come last.
      if let zoneMap, heap.count == limit, let worst = heap.first, worst.null == 0 {
        let c = start / chunkSize
        let best = descending ? ~zoneMap.high[c] : zoneMap.low[c]
        let empty = zoneMap.low[c] > zoneMap.high[c]
        if empty || best >= worst.word { continue }
      }
      offer(&heap, limit, start, n, base + start, valid.map { UnsafePointer($0 + start) }, nil, flip, word)
    }
  }
  switch column.values {
  case .int(let b), .date(let b): scan(b.base, intWord, zoneMap: column.chunkRanges(b.base, intWord))
  case .float(let b): scan(b.base, floatWord, zoneMap: column.chunkRanges(b.base, floatWord))
  case .text(let b, let d):
    let ranks = d.sortRanks(collation)
    scan(b.base) { c in Int(c) < ranks.count ? UInt64(ranks[Int(c)]) : 0 }
  case .bool: return nil
  }
  return heap.sorted(by: <).map(\.row)
}

private func siftUp(_ h: inout [TopEntry], _ i0: Int) {
  var i = i0
  while i > 0 {
    let p = (i - 1) / 2
    if h[p] < h[i] { h.swapAt(p, i); i = p } else { return }
  }
}

private func siftDown(_ h: inout [TopEntry], _ i0: Int) {
  var i = i0
  while true {
    let l = 2 * i + 1
    let r = l + 1
    var m = i
    if l < h.count && h[m] < h[l] { m = l }
    if r < h.count && h[m] < h[r] { m = r }
    if m == i { return }
    h.swapAt(i, m)
    i = m
  }
}

/// Maps a value to a word whose unsigned order is the value's order (ascending). Throws
/// `AllocationFailure` when the memory cannot hold the words (8 bytes a row, and a byte a row
/// for the validity).
package func encodeKey(_ column: Column, descending: Bool, collation: Collation) throws -> EncodedKey {
  let n = column.count
  var words = try withCheckedRoom(for: try byteCount(n, of: (UInt64, UInt8).self)) { [UInt64](repeating: 0, count: n) }
  switch column.values {
  case .int(let b), .date(let b):
    for i in 0..<n { words[i] = intWord(b.base[i]) }
  case .float(let b):
    // -0.0 sorts with 0.0; NaN after every number.
    for i in 0..<n { words[i] = floatWord(b.base[i]) }
  case .bool(let b):
    for i in 0..<n { words[i] = UInt64(b.base[i]) }
  case .text(let codes, let dict):
    // The entry's rank in the collation's order: one integer per row, no string compared.
    let ranks = dict.sortRanks(collation)
    for i in 0..<n {
      let c = Int(codes.base[i])
      words[i] = c < ranks.count ? UInt64(ranks[c]) : 0
    }
  }
  if descending { for i in 0..<n { words[i] = ~words[i] } }
  let valid = column.validity.map { Array($0.buffer) }
  return EncodedKey(words: words, valid: valid)
}

/// The row order of a stable sort of `keys` (with their directions); nulls last in both
/// directions, text in `collation` order (each dictionary entry ranked once, rows compared
/// by rank). With `limit`, only the first `limit` positions are computed (top-N).
package func sortPermutation(_ keys: [(Column, Bool)], rowCount: Int, limit: Int?, collation: Collation,
  cancel: CancellationFlag?) throws -> [Int32] {
  if let limit, keys.count == 1, limit < rowCount / 4,
    let rows = topNOneKey(keys[0].0, descending: keys[0].1, limit: limit, collation: collation) {
    return rows
  }
  if keys.count == 1, let rows = try packedTextSort(keys[0].0, descending: keys[0].1, rowCount: rowCount, collation: collation) {
    try cancel?.check()
    if let limit, limit < rows.count { return Array(rows.prefix(limit)) }
    return rows
  }
  let encoded = try keys.map { try encodeKey($0.0, descending: $0.1, collation: collation) }
  try cancel?.check()
  // a < b in the output order; ties broken by row number, which makes the sort stable.
  func less(_ a: Int32, _ b: Int32) -> Bool {
    let i = Int(a)
    let j = Int(b)
    for k in encoded {
      let ni = k.valid.map { $0[i] == 0 } ?? false
      let nj = k.valid.map { $0[j] == 0 } ?? false
      if ni != nj { return nj }  // the null goes last
      if ni { continue }
      let x = k.words[i]
      let y = k.words[j]
      if x != y { return x < y }
    }
    return a < b
  }
  if let limit, limit < rowCount / 4 {
    return topN(rowCount: rowCount, limit: limit, less: less)
  }
  // The permutation and the sort's scratch (Swift arrays: their allocation cannot fail
  // softly, so the memory is probed first).
  var perm = try withCheckedRoom(for: try byteCount(rowCount, of: UInt64.self)) { (0..<Int32(rowCount)).map { $0 } }
  if encoded.count == 1 && encoded[0].valid == nil {
    let w = encoded[0].words
    perm.sort { w[Int($0)] != w[Int($1)] ? w[Int($0)] < w[Int($1)] : $0 < $1 }
  } else {
    perm.sort(by: less)
  }
  if let limit, limit < perm.count { perm.removeSubrange(limit...) }
  return perm
}

/// A sort on one text key: each row becomes one 64-bit word, its entry's rank (reversed for
/// `desc`, nulls after every rank) above its row number, and the words are sorted as plain
/// integers: no closure, no string, and stable since equal ranks fall back on the row. Throws
/// `AllocationFailure` when the memory cannot hold the words and the permutation.
private func packedTextSort(_ column: Column, descending: Bool, rowCount: Int, collation: Collation) throws -> [Int32]? {
  guard case .text(let codes, let dict) = column.values, rowCount == column.count, rowCount < Int(Int32.max) else { return nil }
  let ranks = dict.sortRanks(collation)
  // No entry: every row is null, and stays where it is.
  guard !ranks.isEmpty else { return (0..<Int32(rowCount)).map { $0 } }
  let top = UInt64(ranks.count)
  let valid = column.validity?.base
  var words = try withCheckedRoom(for: try byteCount(rowCount, of: (UInt64, UInt64).self)) {
    [UInt64](repeating: 0, count: rowCount)
  }
  ranks.withUnsafeBufferPointer { r in
    for i in 0..<rowCount {
      let c = Int(codes.base[i])
      var k: UInt64 = c < r.count ? UInt64(r[c]) : 0  // k < top
      if descending { k = top - 1 - k }
      if let valid, valid[i] == 0 { k = top }
      words[i] = k << 32 | UInt64(i)
    }
  }
  words.sort()
  return words.map { Int32(truncatingIfNeeded: $0 & 0xFFFF_FFFF) }
}

/// The first `limit` rows in `less` order, with a bounded max-heap.
private func topN(rowCount: Int, limit: Int, less: (Int32, Int32) -> Bool) -> [Int32] {
  if limit <= 0 { return [] }
  var heap: [Int32] = []
  heap.reserveCapacity(limit)
  func siftUp(_ i0: Int) {
    var i = i0
    while i > 0 {
      let p = (i - 1) / 2
      if less(heap[p], heap[i]) { heap.swapAt(p, i); i = p } else { return }
    }
  }
  func siftDown(_ i0: Int) {
    var i = i0
    while true {
      let l = 2 * i + 1
      let r = l + 1
      var m = i
      if l < heap.count && less(heap[m], heap[l]) { m = l }
      if r < heap.count && less(heap[m], heap[r]) { m = r }
      if m == i { return }
      heap.swapAt(i, m)
      i = m
    }
  }
  for row in 0..<Int32(rowCount) {
    if heap.count < limit {
      heap.append(row)
      siftUp(heap.count - 1)
    } else if less(row, heap[0]) {
      heap[0] = row
      siftDown(0)
    }
  }
  return heap.sorted(by: less)
}

/// `codes` of `dictionary` (distinct values, e.g. the names of `pivot` columns) in
/// `collation` order, by the entries' ranks.
package func collationOrder(of codes: [UInt32], in dictionary: TextDictionary, _ collation: Collation) -> [UInt32] {
  let ranks = dictionary.sortRanks(collation)
  return codes.sorted { a, b in
    let ra = Int(a) < ranks.count ? ranks[Int(a)] : UInt32.max
    let rb = Int(b) < ranks.count ? ranks[Int(b)] : UInt32.max
    return ra != rb ? ra < rb : a < b
  }
}

/// The rows of `rel` that `[where predicate |] … | sort key | take limit` keeps, in sort order
/// (ties by row, nulls last, as `sortPermutation`), without materialising the kept rows or the
/// key: each worker runs the condition's mask and the key chunk by chunk over its rows and
/// keeps a bounded heap, most rows rejected by one comparison with the worst kept. The key
/// must be an int, date or float expression that cannot fail (it runs on the rows the
/// condition removes too); nil when it does not apply.
package func filteredTopRows(_ rel: Relation, predicate: BoundExpr?, key: BoundExpr, descending: Bool, limit: Int,
  cancel: CancellationFlag?) throws -> [Int32]? {
  guard limit >= 0, limit < rel.rowCount / 4, !key.canFail, rel.rowCount < Int(Int32.max) else { return nil }
  let type = key.type
  guard type == .int || type == .date || type == .float else { return nil }
  let flip: UInt64 = descending ? UInt64.max : 0
  let parts = try runRanges(workerRanges(rel.rowCount)) { _, range -> [TopEntry] in
    let compiler = ExpressionCompiler(relation: rel)
    let condition = try predicate.map { try compiler.compileMask($0) }
    let keyKernel = try compiler.compile(key)
    let mask = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
    let candidates = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
    defer {
      mask.deallocate()
      candidates.deallocate()
    }
    var heap: [TopEntry] = []
    heap.reserveCapacity(limit + 1)
    try forEachChunkRange(range, cancel: cancel) { start, n in
      if let condition { try condition(start, n, mask, .assign) }
      let kept: UnsafePointer<UInt8>? = condition == nil ? nil : UnsafePointer(mask)
      let v = try keyKernel(start, n)
      var offered = kept
      if heap.count == limit, let worst = heap.first, worst.null == 0 {
        markCandidates(n, type, v, kept, worst.word, descending: descending, into: candidates)
        offered = UnsafePointer(candidates)
      }
      if type == .float {
        offer(&heap, limit, start, n, v.floats(), v.validity, offered, flip, floatWord)
      } else {
        offer(&heap, limit, start, n, v.ints(), v.validity, offered, flip, intWord)
      }
    }
    return heap
  }
  return Array(parts.joined().sorted(by: <).prefix(limit).map(\.row))
}

/// Marks in `out` the rows of a chunk of computed keys `v` that are kept, present and would
/// enter a full heap whose worst key word is `worst` (present): below it in sort order (an equal
/// key loses the tie, its row being later). The test runs in the values' own domain, without
/// branches, so LLVM vectorises it — a branch per row on the condition's mask mispredicts on
/// an unsorted mask. Equivalent to comparing `floatWord`/`intWord` words: `-0.0` equals `0.0`,
/// and NaN (the largest word) comes last ascending and first descending.
private func markCandidates(_ n: Int, _ type: DataType, _ v: Vec, _ kept: UnsafePointer<UInt8>?, _ worst: UInt64,
  descending: Bool, into out: UnsafeMutablePointer<UInt8>) {
  let u = descending ? ~worst : worst  // the worst value's own word
  let valid = v.validity
  if type == .float {
    let x = v.floats()
    if u == UInt64.max {  // the worst is NaN
      if descending { mark(n, kept, valid, out) { _ in false } } else { mark(n, kept, valid, out) { !x[$0].isNaN } }
      return
    }
    let tv = Double(bitPattern: u >> 63 == 1 ? u & ~(1 << 63) : ~u)
    if descending { mark(n, kept, valid, out) { !(x[$0] <= tv) } } else { mark(n, kept, valid, out) { x[$0] < tv } }
  } else {
    let a = v.ints()
    let tv = Int64(bitPattern: u ^ (1 << 63))
    if descending { mark(n, kept, valid, out) { a[$0] > tv } } else { mark(n, kept, valid, out) { a[$0] < tv } }
  }
}

/// `out[i] = kept[i] & valid[i] & beats(i)`, absent masks counting as all ones.
@inline(__always)
private func mark(_ n: Int, _ kept: UnsafePointer<UInt8>?, _ valid: UnsafePointer<UInt8>?,
  _ out: UnsafeMutablePointer<UInt8>, _ beats: (Int) -> Bool) {
  switch (kept, valid) {
  case (let k?, let v?): for i in 0..<n { out[i] = k[i] & v[i] & (beats(i) ? 1 : 0) }
  case (let k?, nil): for i in 0..<n { out[i] = k[i] & (beats(i) ? 1 : 0) }
  case (nil, let v?): for i in 0..<n { out[i] = v[i] & (beats(i) ? 1 : 0) }
  case (nil, nil): for i in 0..<n { out[i] = beats(i) ? 1 : 0 }
  }
}

/// Offers the kept rows of one chunk (`kept` nil: all of them) to a bounded max-heap of the
/// `limit` best entries.
@inline(__always)
private func offer<T>(_ heap: inout [TopEntry], _ limit: Int, _ start: Int, _ n: Int, _ values: UnsafePointer<T>,
  _ valid: UnsafePointer<UInt8>?, _ kept: UnsafePointer<UInt8>?, _ flip: UInt64, _ word: (T) -> UInt64) {
  var i = 0
  while i < n {
    // Eight rows at a time past a run of rows not kept (candidates are rare).
    if let kept, i + 8 <= n, UnsafeRawPointer(kept + i).loadUnaligned(as: UInt64.self) == 0 {
      i += 8
      continue
    }
    defer { i += 1 }
    if let kept, kept[i] == 0 { continue }
    let isNull: UInt8 = (valid?[i] ?? 1) == 0 ? 1 : 0
    let e = TopEntry(null: isNull, word: isNull == 1 ? 0 : word(values[i]) ^ flip, row: Int32(truncatingIfNeeded: start + i))
    if heap.count == limit {
      guard let worst = heap.first, e < worst else { continue }
      heap[0] = e
      siftDown(&heap, 0)
    } else {
      heap.append(e)
      siftUp(&heap, heap.count - 1)
    }
  }
}
