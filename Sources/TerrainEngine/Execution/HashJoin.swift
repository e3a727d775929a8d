// Hash join: build on the joined table, probe with the pipeline's rows, keep left order.

/// For each probe row, the build rows with equal keys (in build order); with `left`, unmatched
/// probe rows appear once with a null build row (-1). Rows whose key has a null never match.
func hashJoin(probe: Relation, probeKeys: [BoundExpr], build: Relation, buildKeys: [BoundExpr], left: Bool,
  cancel: CancellationFlag?) throws -> (probeRows: IndexVector, buildRows: IndexVector) {
  let width = probeKeys.count
  let normalizers = probeKeys.map { KeyNormalizer(type: $0.type, sides: 2) }
  let table = KeyTable(width: width, capacity: build.rowCount)
  let words = UnsafeMutablePointer<UInt64>.allocate(capacity: chunkSize * width)
  let valid = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
  defer {
    words.deallocate()
    valid.deallocate()
  }
  /// Normalised keys of one chunk of one side; returns nothing, fills words/valid.
  func encode(_ kernels: [Kernel], side: Int, start: Int, n: Int) throws {
    valid.initialize(repeating: 1, count: n)
    for (k, kernel) in kernels.enumerated() {
      normalizers[k].normalize(try kernel(start, n), count: n, side: side, into: words + k, stride: width, valid: valid)
    }
  }
  // One text key: the shared dictionary's codes are dense, so the key id is the code itself.
  let directText = width == 1 && probeKeys[0].type == .text
  func keyID(_ i: Int, inserting: Bool) -> Int? {
    if directText { return Int(truncatingIfNeeded: words[i]) }
    return inserting ? table.insert(words + i * width) : table.find(words + i * width)
  }
  // Build: key id → chain of build rows.
  let buildCompiler = ExpressionCompiler(relation: build)
  let buildKernels = try buildKeys.map { try buildCompiler.compile($0) }
  var head: [Int32] = []
  var tail: [Int32] = []
  var next = [Int32](repeating: -1, count: build.rowCount)
  var start = 0
  while start < build.rowCount {
    let n = min(chunkSize, build.rowCount - start)
    try encode(buildKernels, side: 1, start: start, n: n)
    for i in 0..<n where valid[i] != 0 {
      guard let id = keyID(i, inserting: true) else { continue }
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
  // Probe.
  let probeCompiler = ExpressionCompiler(relation: probe)
  let probeKernels = try probeKeys.map { try probeCompiler.compile($0) }
  let outProbe = BufferBuilder<Int32>(capacity: probe.rowCount)
  let outBuild = BufferBuilder<Int32>(capacity: probe.rowCount)
  var unmatched = false
  start = 0
  while start < probe.rowCount {
    let n = min(chunkSize, probe.rowCount - start)
    try encode(probeKernels, side: 0, start: start, n: n)
    for i in 0..<n {
      let row = Int32(start + i)
      if valid[i] != 0, let id = keyID(i, inserting: false), id < head.count, head[id] >= 0 {
        var b = head[id]
        while b >= 0 {
          outProbe.append(row)
          outBuild.append(b)
          b = next[Int(b)]
        }
      } else if left {
        outProbe.append(row)
        outBuild.append(-1)
        unmatched = true
      }
    }
    start += n
    try cancel?.check()
  }
  return (IndexVector(outProbe.finish()), IndexVector(outBuild.finish(), hasNullRows: unmatched))
}
