// The operator of `where`: keeps the rows where the predicate is true, as a selection.

import TerrainStorage
import TerrainSyntax
import TerrainPlanner

extension FilterStep: PhysicalStep {
  package func run(_ input: Relation, _ executor: Executor) throws -> Relation {
    try filterRows(input, predicate, cancel: executor.cancel)
  }

  package func explain(_ input: [String]) -> [String] { ["Filter \(explained(predicate, input))"] }
}

/// Keeps the rows where `predicate` is true, as a selection over the input's columns.
package func filterRows(_ rel: Relation, _ predicate: BoundExpr, cancel: CancellationFlag?) throws -> Relation {
  let ranges = workerRanges(rel.rowCount)
  let parts = try runRanges(ranges) { _, range in try selectRows(rel, predicate, range, cancel: cancel) }
  let total = parts.reduce(0) { $0 + $1.count }
  if total == rel.rowCount { return rel }
  if parts.count == 1, let only = parts.first { return try rel.selecting(IndexVector(only.finish())) }
  let all = try BufferBuilder<Int32>(checkedCapacity: total)
  for p in parts {
    let dst = try all.tail(reserving: p.count)
    dst.update(from: p.base, count: p.count)
    all.advance(by: p.count)
  }
  return try rel.selecting(IndexVector(all.finish()))
}

/// The positions in `range` where `predicate` is true.
private func selectRows(_ rel: Relation, _ predicate: BoundExpr, _ range: Range<Int>, cancel: CancellationFlag?) throws -> BufferBuilder<Int32> {
  let compiler = ExpressionCompiler(relation: rel)
  let positions = BufferBuilder<Int32>(capacity: 1024)
  let condition = try compiler.compileMask(predicate)
  let mask = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
  defer { mask.deallocate() }
  try forEachChunkRange(range, cancel: cancel) { start, n in
    try condition(start, n, mask, .assign)
    let dst = try positions.tail(reserving: n)
    var k = 0
    for i in 0..<n {
      dst[k] = Int32(truncatingIfNeeded: start + i)
      k += Int(mask[i])
    }
    positions.advance(by: k)
  }
  return positions
}
