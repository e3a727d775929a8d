// Formatting rows on every core: blocks of rows are formatted in parallel into memory
// buffers, then written in order.

import Dispatch
import TerrainStorage
import TerrainSyntax

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Rows per block formatted by one worker.
package let rowBlockSize = 16_384

/// Number of cores to format (or decode) on (at most 8).
let formattingWorkers: Int = {
  let n = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
  return max(1, min(8, n))
}()

/// Calls `format(rows, buffer)` over `0..<rowCount` and writes the text in row order into
/// `out`, checking `cancel` and write errors between blocks. `format` must only read shared
/// state: it runs on several threads at once for large tables.
///
/// Large tables go by batches of blocks: while the calling thread writes one batch out,
/// the next one is being formatted on the other cores.
package func writeRowBlocks(
  rowCount n: Int, to out: ByteWriter, cancel: CancellationFlag?,
  format: (Range<Int>, ByteWriter) -> Void
) throws {
  let workers = formattingWorkers
  if workers < 2 || n < 4 * rowBlockSize {
    var start = 0
    while start < n {
      try checkpoint(out, cancel)
      let end = min(n, start + 4096)
      format(start..<end, out)
      start = end
    }
    try checkpoint(out, cancel)
    return
  }
  let perBatch = workers * 2
  let batchCount = (n + perBatch * rowBlockSize - 1) / (perBatch * rowBlockSize)

  try withoutActuallyEscaping(format) { format in
    let job = BatchJob(rowCount: n, blocksPerBatch: perBatch, format: format)
    try checkpoint(out, cancel)
    job.format(batch: 0, into: 0)
    var batch = 0
    while batch < batchCount {
      let set = batch % 2
      let next = batch + 1
      let group = DispatchGroup()
      let stop = (cancel?.isCancelled ?? false) || out.errorNumber != 0
      // Without room for a thread's stack, the next batch is formatted after this one is
      // written, on this thread (libdispatch would wait for a thread for ever).
      let overlap = threadsCanStart()
      if next < batchCount && !stop && overlap {
        DispatchQueue.global().async(group: group) { job.format(batch: next, into: 1 - set) }
      }
      for b in 0..<job.blockCount(batch) { out.append(contentsOf: job.buffers[set][b]) }
      if next < batchCount && !stop && !overlap { job.format(batch: next, into: 1 - set) }
      group.wait()
      try checkpoint(out, cancel)
      batch = next
    }
  }
  try checkpoint(out, cancel)
}

/// The state shared by the threads formatting one table: two sets of block buffers (one
/// being written out while the other is filled) and the row formatter, which only reads.
private final class BatchJob: @unchecked Sendable {
  let rowCount: Int
  let blocksPerBatch: Int
  let buffers: [[ByteWriter]]
  let formatRows: (Range<Int>, ByteWriter) -> Void

  init(rowCount: Int, blocksPerBatch: Int, format: @escaping (Range<Int>, ByteWriter) -> Void) {
    self.rowCount = rowCount
    self.blocksPerBatch = blocksPerBatch
    self.formatRows = format
    buffers = (0..<2).map { _ in (0..<blocksPerBatch).map { _ in ByteWriter(capacity: rowBlockSize * 64) } }
  }

  /// Number of blocks of batch `batch`.
  func blockCount(_ batch: Int) -> Int {
    let rowsLeft = rowCount - batch * blocksPerBatch * rowBlockSize
    return max(0, min(blocksPerBatch, (rowsLeft + rowBlockSize - 1) / rowBlockSize))
  }

  /// Formats batch `batch` into buffer set `set`, one block per core.
  func format(batch: Int, into set: Int) {
    let base = batch * blocksPerBatch * rowBlockSize
    performConcurrently(iterations: blockCount(batch)) { b in
      let lo = base + b * rowBlockSize
      let hi = min(rowCount, lo + rowBlockSize)
      let buffer = buffers[set][b]
      buffer.reset()
      formatRows(lo..<hi, buffer)
    }
  }
}
