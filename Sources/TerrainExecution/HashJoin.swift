// Hash join: build on the joined table, probe with the pipeline's rows, keep left order.

import TerrainStorage
import TerrainSyntax
import TerrainPlanner

/// For each probe row, the build rows with equal keys (in build order); with `left`, unmatched
/// probe rows appear once with a null build row (-1). Rows whose key has a null never match.
package func hashJoin(probe: Relation, probeKeys: [BoundExpr], build: Relation, buildKeys: [BoundExpr], left: Bool,
  cancel: CancellationFlag?) throws -> (probeRows: IndexVector, buildRows: IndexVector) {
  let width = probeKeys.count
  let normalizers = probeKeys.map { KeyNormalizer(type: $0.type) }
  let table = try KeyTable(width: width, capacity: build.rowCount)
  let words = UnsafeMutablePointer<UInt64>.allocate(capacity: chunkSize * width)
  let valid = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
  defer {
    words.deallocate()
    valid.deallocate()
  }
  /// Normalised keys of one chunk of one side; returns nothing, fills words/valid.
  func encode(_ kernels: [Kernel], start: Int, n: Int) throws {
    valid.initialize(repeating: 1, count: n)
    for (k, kernel) in kernels.enumerated() {
      try normalizers[k].normalize(kernel(start, n), count: n, into: words + k, stride: width, valid: valid)
    }
  }
  // One text key: the shared dictionary's codes are dense, so the key id is the code itself.
  let directText = width == 1 && probeKeys[0].type == .text
  func buildID(_ i: Int) throws -> Int {
    directText ? Int(truncatingIfNeeded: words[i]) : try table.insert(words + i * width)
  }
  // Build: key id → chain of build rows.
  let buildCompiler = ExpressionCompiler(relation: build)
  let buildKernels = try buildKeys.map { try buildCompiler.compile($0) }
  var head: [Int32] = []
  var tail: [Int32] = []
  // `next` (a row each) and `head`, `tail` (a key each, at most a row each): Swift arrays,
  // probed once for all three.
  var next = try withCheckedRoom(for: try byteCount(build.rowCount, of: (Int32, Int32, Int32).self)) {
    [Int32](repeating: -1, count: build.rowCount)
  }
  var start = 0
  while start < build.rowCount {
    let n = min(chunkSize, build.rowCount - start)
    try encode(buildKernels, start: start, n: n)
    for i in 0..<n where valid[i] != 0 {
      let id = try buildID(i)
      let row = Int32(start + i)
      if id >= head.count {
        head.append(contentsOf: repeatElement(-1, count: id + 1 - head.count))
        tail.append(contentsOf: repeatElement(-1, count: id + 1 - tail.count))
      }
      if head[id] < 0 {
        head[id] = row
        tail[id] = row
      } else {
        next[Int(tail[id])] = row
        tail[id] = row
      }
    }
    start += n
    try cancel?.check()
  }
  // Probe, split over workers; the build side is only read from here on.
  let ranges = workerRanges(probe.rowCount)
  let parts = try runRanges(ranges) { _, range -> (BufferBuilder<Int32>, BufferBuilder<Int32>, Bool) in
    let probeNormalizers = normalizers.map { KeyNormalizer(lookingUpIn: $0) }
    let keyWords = UnsafeMutablePointer<UInt64>.allocate(capacity: chunkSize * width)
    let keyValid = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
    defer {
      keyWords.deallocate()
      keyValid.deallocate()
    }
    let compiler = ExpressionCompiler(relation: probe)
    let kernels = try probeKeys.map { try compiler.compile($0) }
    // The pairs grow through checked appends: a key repeated on both sides multiplies rows,
    // and a join whose pairs the memory cannot hold is an error, not a stop.
    let outProbe = try BufferBuilder<Int32>(checkedCapacity: range.count)
    let outBuild = try BufferBuilder<Int32>(checkedCapacity: range.count)
    var unmatched = false
    var start = range.lowerBound
    while start < range.upperBound {
      let n = min(chunkSize, range.upperBound - start)
      keyValid.initialize(repeating: 1, count: n)
      for (k, kernel) in kernels.enumerated() {
        try probeNormalizers[k].normalize(kernel(start, n), count: n, into: keyWords + k, stride: width, valid: keyValid)
      }
      for i in 0..<n {
        let row = Int32(start + i)
        let id: Int? = keyValid[i] == 0 ? nil : (directText ? Int(truncatingIfNeeded: keyWords[i]) : table.find(keyWords + i * width))
        if let id, id < head.count, head[id] >= 0 {
          var b = head[id]
          while b >= 0 {
            try outProbe.append(row)
            try outBuild.append(b)
            b = next[Int(b)]
          }
        } else if left {
          try outProbe.append(row)
          try outBuild.append(-1)
          unmatched = true
        }
      }
      start += n
      try cancel?.check()
    }
    return (outProbe, outBuild, unmatched)
  }
  let unmatched = parts.contains { $0.2 }
  if parts.count == 1, let (p, b, _) = parts.first {
    return (IndexVector(p.finish()), IndexVector(b.finish(), hasNullRows: unmatched))
  }
  let total = parts.reduce(0) { $0 + $1.0.count }
  let outProbe = try BufferBuilder<Int32>(checkedCapacity: total)
  let outBuild = try BufferBuilder<Int32>(checkedCapacity: total)
  for (p, b, _) in parts {
    try outProbe.tail(reserving: p.count).update(from: p.base, count: p.count)
    outProbe.advance(by: p.count)
    try outBuild.tail(reserving: b.count).update(from: b.base, count: b.count)
    outBuild.advance(by: b.count)
  }
  return (IndexVector(outProbe.finish()), IndexVector(outBuild.finish(), hasNullRows: unmatched))
}
