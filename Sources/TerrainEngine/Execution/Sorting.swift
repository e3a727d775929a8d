// Stable multi-key sort with nulls last, and top-N selection for `sort | take N`.

/// One sort key reduced to an order-preserving 64-bit word per row, plus nulls.
private struct EncodedKey {
  var words: [UInt64]
  var valid: [UInt8]?
}

/// Maps a value to a word whose unsigned order is the value's order (ascending).
private func encodeKey(_ column: Column, descending: Bool) -> EncodedKey {
  let n = column.count
  var words = [UInt64](repeating: 0, count: n)
  switch column.values {
  case .int(let b):
    for i in 0..<n { words[i] = UInt64(bitPattern: b.base[i]) ^ (1 << 63) }
  case .float(let b):
    for i in 0..<n {
      var x = b.base[i]
      if x == 0 { x = 0 }  // -0.0 sorts with 0.0
      if x.isNaN {
        words[i] = UInt64.max  // NaN after every number
      } else {
        let bits = x.bitPattern
        words[i] = bits >> 63 == 1 ? ~bits : bits | (1 << 63)
      }
    }
  case .bool(let b):
    for i in 0..<n { words[i] = UInt64(b.base[i]) }
  case .text(let codes, let dict):
    let ranks = dict.sortRanks
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
/// directions. With `limit`, only the first `limit` positions are computed (top-N).
func sortPermutation(_ keys: [(Column, Bool)], rowCount: Int, limit: Int?, cancel: CancellationFlag?) throws -> [Int32] {
  let encoded = keys.map { encodeKey($0.0, descending: $0.1) }
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
  var perm = (0..<Int32(rowCount)).map { $0 }
  if encoded.count == 1 && encoded[0].valid == nil {
    let w = encoded[0].words
    perm.sort { w[Int($0)] != w[Int($1)] ? w[Int($0)] < w[Int($1)] : $0 < $1 }
  } else {
    perm.sort(by: less)
  }
  if let limit, limit < perm.count { perm.removeSubrange(limit...) }
  return perm
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
