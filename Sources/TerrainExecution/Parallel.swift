// Morsel-style parallelism: a relation's rows split into contiguous ranges of whole chunks,
// one per core, each worker with its own compiled kernels (kernels own their scratch memory,
// so they are never shared between threads).

import Dispatch
import Foundation
import TerrainStorage
import TerrainSyntax
import TerrainPlanner

/// Rows below which a stage runs on one thread (threads cost more than they save). Tests lower
/// it to run the parallel paths on small tables.
nonisolated(unsafe) package var parallelThreshold = 1 << 17

/// Worker count: the cores of the machine, at most 8.
package let workerCount = max(1, min(8, ProcessInfo.processInfo.activeProcessorCount))

/// Contiguous row ranges, each a whole number of chunks except the last, one per worker; a
/// single range when the relation is small.
package func workerRanges(_ rowCount: Int) -> [Range<Int>] {
  guard workerCount > 1, rowCount >= parallelThreshold else { return [0..<rowCount] }
  let chunks = (rowCount + chunkSize - 1) / chunkSize
  let per = (chunks + workerCount - 1) / workerCount
  var ranges: [Range<Int>] = []
  var start = 0
  while start < rowCount {
    let end = min(rowCount, start + per * chunkSize)
    ranges.append(start..<end)
    start = end
  }
  return ranges
}

/// Runs `body` once per range, in parallel, and returns the results in range order. The first
/// error (in range order) is rethrown after every worker has stopped.
package func runRanges<T>(_ ranges: [Range<Int>], _ body: (Int, Range<Int>) throws -> T) throws -> [T] {
  if ranges.count == 1 { return [try body(0, ranges[0])] }
  let results = UnsafeMutablePointer<Result<T, Error>?>.allocate(capacity: ranges.count)
  results.initialize(repeating: nil, count: ranges.count)
  defer {
    results.deinitialize(count: ranges.count)
    results.deallocate()
  }
  withoutActuallyEscaping(body) { body in
    performConcurrently(iterations: ranges.count) { i in
      results[i] = Result { try body(i, ranges[i]) }
    }
  }
  var out: [T] = []
  for i in 0..<ranges.count {
    switch results[i] {
    case .success(let v)?: out.append(v)
    case .failure(let e)?: throw e
    case nil: throw CancelledError()
    }
  }
  return out
}

extension ExpressionCompiler {
  /// Evaluates `e` over the rows of `range` chunk by chunk.
  package func forEachChunk(_ e: BoundExpr, in range: Range<Int>, cancel: CancellationFlag?, _ body: (Int, Int, Vec) throws -> Void) throws {
    let k = try compile(e)
    try forEachChunkRange(range, cancel: cancel) { start, n in try body(start, n, try k(start, n)) }
  }
}

/// Calls `body(start, count)` for the chunks of `range` in order, checking `cancel` every
/// 65,536 rows.
@inline(__always)
package func forEachChunkRange(_ range: Range<Int>, cancel: CancellationFlag?, _ body: (Int, Int) throws -> Void) throws {
  var start = range.lowerBound
  var sinceCheck = 0
  while start < range.upperBound {
    let n = min(chunkSize, range.upperBound - start)
    try body(start, n)
    start += n
    sinceCheck += n
    if sinceCheck >= 1 << 16 {
      sinceCheck = 0
      try cancel?.check()
    }
  }
}
