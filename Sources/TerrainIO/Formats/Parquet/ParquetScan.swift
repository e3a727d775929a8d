// Reading a Parquet file batch by batch, for statements that never need a whole column in
// memory (`where … | aggregate n = count()`): a batch is a run of pages of one row group
// (about 64K rows), decoded into buffers each core reuses from batch to batch, so the values
// are still in cache when the statement's kernel reads them and no column-sized memory is
// touched for the first time. Row groups are still chosen by the caller (statistics), and the
// batches of all of them are spread over both cores.

import Dispatch
import TerrainStorage

/// The rows a batch aims at: whole pages of its first column until at least this many.
private let defaultBatchRows = 1 << 16

extension ParquetTable {
  /// Calls `body` with the columns `wanted` (indices into `fields`) of successive batches of
  /// rows of the row groups `parts` (all when nil), and the batch's row count, from several
  /// threads at once, in no particular order. The columns view memory that is reused for a
  /// later batch once `body` returns: `body` must not keep them. Text columns are decoded
  /// whole (their dictionaries are merged across row groups) and given in one call.
  ///
  /// - Throws: `LoadError` naming the file, the column and the row group; `body`'s error; or
  ///   `CancelledError`. The first error stops the batches not yet started.
  package func scan(
    columns wanted: [Int], parts: [Int]?, cancel: CancellationFlag?, _ body: @escaping @Sendable ([Column], Int) throws -> Void
  ) throws {
    try scan(columns: wanted, parts: parts, batchRows: defaultBatchRows, cancel: cancel, body)
  }

  /// `scan(columns:parts:cancel:_:)` with batches of at least `batchRows` rows (but whole
  /// pages of the first column, within one row group), for tests.
  package func scan(
    columns wanted: [Int], parts: [Int]?, batchRows: Int, cancel: CancellationFlag?,
    _ body: @escaping @Sendable ([Column], Int) throws -> Void
  ) throws {
    let groups = (parts ?? Array(meta.rowGroups.indices)).filter { meta.rowGroups.indices.contains($0) }
    let chosen = wanted.map { columns[$0] }
    if chosen.isEmpty || chosen.contains(where: { $0.kind == .code }) {
      let rows = groups.reduce(0) { $0 + Int(meta.rowGroups[$1].rowCount) }
      try body(try decode(columns: wanted, parts: parts, cancel: cancel), rows)
      return
    }
    try checkingShrink { try scanBatches(chosen, groups: groups, batchRows: batchRows, cancel: cancel, body) }
  }

  private func scanBatches(
    _ chosen: [ParquetColumn], groups: [Int], batchRows: Int, cancel: CancellationFlag?, _ body: @escaping @Sendable ([Column], Int) throws -> Void
  ) throws {
    // The pages of every chunk, from their headers (no page decoded yet).
    let available = availableMemory()
    let headerLimit = min(Int(Int32.max), max(1 << 20, (available ?? Int.max) / 4))
    var pages: [[ChunkPages]] = []
    for g in groups {
      let group = meta.rowGroups[g]
      var row: [ChunkPages] = []
      for c in chosen {
        do {
          row.append(try ChunkPages(file: bytes, column: c, chunk: group.columns[c.leaf], rows: Int(group.rowCount),
            pageLimit: headerLimit, cancel: cancel))
        } catch {
          throw located(error, column: c, group: g)
        }
      }
      pages.append(row)
    }

    // Batches: whole pages of the first column; the other columns decode the pages that
    // overlap each batch (the same pages when the writer cut them at the same rows).
    var batches: [(group: Int, start: Int, end: Int)] = []
    var widest = [Int](repeating: 0, count: chosen.count)
    for (k, g) in groups.enumerated() {
      let rows = Int(meta.rowGroups[g].rowCount)
      var start = 0
      for p in pages[k][0].data {
        let end = p.firstRow + p.rows
        guard end - start >= batchRows || (end == rows && end > start) else { continue }
        batches.append((k, start, end))
        for ci in chosen.indices { widest[ci] = max(widest[ci], pages[k][ci].span(start, end).count) }
        start = end
      }
    }
    guard !batches.isEmpty else { return }

    // The memory the cores' buffers take, checked before any allocation.
    let workers = min(batches.count, formattingWorkers)
    let perWorker = zip(chosen, widest).reduce(0) { $0 + ($1.0.kind.size + 1) * $1.1 }
    let need = perWorker * workers
    if need > (available ?? Int.max) {
      func gb(_ n: Int) -> String { "\((Double(n) / 1e8).rounded() / 10) GB" }
      throw LoadError(path: name, line: 0, column: 0, .parquetNotEnoughMemory, name, String(rowCount), gb(need), gb(available ?? 0))
    }
    let pageLimit = min(Int(Int32.max), max(1 << 20, ((available ?? Int.max) - need) / 2))

    let pool = ReusePool { BatchBuffers(columns: chosen.count) }
    defer { pool.releaseAll() }
    let failed = CancellationFlag()
    let firstError = ErrorSlot()
    let file = bytes
    performConcurrently(iterations: batches.count) { b in
      if failed.isCancelled { return }
      let batch = batches[b]
      let buffers = pool.take()
      defer { pool.give(buffers) }
      var built: [Column] = []
      var ci = 0
      do {
        try cancel?.check()
        while ci < chosen.count {
          let c = chosen[ci]
          built.append(try buffers.decode(c, ci, pages[batch.group][ci], rows: batch.start..<batch.end, file: file,
            pageLimit: pageLimit, cancel: cancel))
          ci += 1
        }
      } catch {
        firstError.keep(ci < chosen.count ? located(error, column: chosen[ci], group: groups[batch.group]) : error)
        failed.cancel()
        return
      }
      do {
        try body(built, batch.end - batch.start)
      } catch {
        firstError.keep(error)
        failed.cancel()
      }
    }
    // The chunks' pages of the file are not needed again soon.
    for g in groups {
      for c in chosen {
        if let range = chunkByteRange(meta.rowGroups[g].columns[c.leaf]) { file.release(from: range.lowerBound, to: range.upperBound) }
      }
    }
    if let error = firstError.error { throw error }
    try cancel?.check()
  }
}

/// The pages of a column chunk, from their headers.
struct ChunkPages {
  /// Every page, in file order (dictionary pages included).
  var all: [PageRef]
  /// The data pages, in row order.
  var data: [PageRef]

  init(file: FileBytes, column: ParquetColumn, chunk: ParquetColumnChunk, rows: Int, pageLimit: Int, cancel: CancellationFlag?)
    throws
  {
    all = try indexPages(file: file, column: column, chunk: chunk, rows: rows, pageLimit: pageLimit, cancel: cancel)
    data = all.filter { !$0.isDictionary }
  }

  /// The data pages that hold rows `start..<end`, as a range of `data`.
  func span(_ start: Int, _ end: Int) -> Range<Int> {
    // The first page ending after `start`, then the first starting at or after `end`.
    var lo = 0
    var hi = data.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if data[mid].firstRow + data[mid].rows <= start { lo = mid + 1 } else { hi = mid }
    }
    var stop = lo
    while stop < data.count && data[stop].firstRow < end { stop += 1 }
    return lo..<stop
  }
}

/// The reused buffers of one core: per column, its decoder's scratch, the batch's values and
/// validity, and which dictionary page its scratch holds.
final class BatchBuffers: Releasable, @unchecked Sendable {
  private var sets: [ScratchSet]
  private var values: [Scratch]
  private var validity: [Scratch]
  /// Per column: the dictionary page held (its body's offset in the file) and its count.
  private var dictionaryAt: [Int?]
  private var dictionaryCount: [Int?]

  init(columns: Int) {
    sets = (0..<columns).map { _ in ScratchSet() }
    values = Array(repeating: Scratch(), count: columns)
    validity = Array(repeating: Scratch(), count: columns)
    dictionaryAt = Array(repeating: nil, count: columns)
    dictionaryCount = Array(repeating: nil, count: columns)
  }

  /// Decodes the pages of column `c` (the `ci`th scanned) that hold `rows`, and gives those
  /// rows as a column viewing this core's buffers.
  func decode(
    _ c: ParquetColumn, _ ci: Int, _ chunk: ChunkPages, rows: Range<Int>, file: FileBytes, pageLimit: Int, cancel: CancellationFlag?
  ) throws -> Column {
    let range = chunk.span(rows.lowerBound, rows.upperBound)
    guard let first = range.first, let last = range.last else { throw fail(.parquetValueCount, "0", String(rows.count)) }
    let start = chunk.data[first].firstRow
    let span = chunk.data[last].firstRow + chunk.data[last].rows - start
    let output = try values[ci].ensure(span * c.kind.size)
    let mask = try validity[ci].ensure(span).assumingMemoryBound(to: UInt8.self)
    var decoder = ChunkDecoder(
      file: file, column: c, rows: span, output: output, makeValidity: { mask }, scratch: sets[ci], pageLimit: pageLimit,
      cancel: cancel)
    for p in chunk.data[range] {
      // The page's own dictionary (this core may hold another chunk's).
      if let d = p.dictionary {
        if dictionaryAt[ci] != chunk.all[d].body {
          dictionaryAt[ci] = nil
          try decoder.decodePage(chunk.all[d], at: 0)
          dictionaryAt[ci] = chunk.all[d].body
          dictionaryCount[ci] = decoder.dictionaryCount
        }
        decoder.dictionaryCount = dictionaryCount[ci]
      } else {
        decoder.dictionaryCount = nil
      }
      try decoder.decodePage(p, at: p.firstRow - start)
    }
    let offset = rows.lowerBound - start
    return makeColumn(
      c, values: output + offset * c.kind.size, validity: decoder.validity.map { $0 + offset }, count: rows.count, owner: self)
  }

  func release() {
    for s in sets { s.release() }
    for i in values.indices {
      values[i].release()
      validity[i].release()
    }
  }
}

/// The first error of concurrent tasks.
private final class ErrorSlot: @unchecked Sendable {
  private let lock = SimpleLock()
  private(set) var error: Error? = nil

  func keep(_ e: Error) { lock.withLock { if error == nil { error = e } } }
}
