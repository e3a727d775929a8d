// Formatting rows on every core: blocks of rows are formatted in parallel into memory
// buffers, then written in order.

import Dispatch

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Rows per block formatted by one worker.
let rowBlockSize = 16_384

/// Number of cores to format on (at most 8).
private let formattingWorkers: Int = {
  let n = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
  return max(1, min(8, n))
}()

/// Calls `format(rows, buffer)` over `0..<rowCount` and writes the text in row order into
/// `out`, checking `cancel` and write errors between blocks. `format` must only read shared
/// state: it runs on several threads at once for large tables.
func writeRowBlocks(
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
  let buffers = (0..<perBatch).map { _ in ByteWriter(capacity: rowBlockSize * 64) }
  var start = 0
  while start < n {
    try checkpoint(out, cancel)
    let blocks = min(perBatch, (n - start + rowBlockSize - 1) / rowBlockSize)
    let base = start
    DispatchQueue.concurrentPerform(iterations: blocks) { b in
      let lo = base + b * rowBlockSize
      let hi = min(n, lo + rowBlockSize)
      let buffer = buffers[b]
      buffer.reset()
      format(lo..<hi, buffer)
    }
    for b in 0..<blocks { out.append(contentsOf: buffers[b]) }
    start = min(n, base + blocks * rowBlockSize)
  }
  try checkpoint(out, cancel)
}
