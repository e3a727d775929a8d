// Pass 2 of the reader: parsing every field straight into preallocated typed column buffers.

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import Dispatch
import TerrainStorage
import TerrainSyntax

/// Whether a number that `parseInt64` or `parseDouble` accepted has the shape that type
/// inference gives that type (`fieldShape`): no leading zero (`007`, `01.5` are codes, read as
/// text) and not ten characters with a `-` fifth (`123e-45678`, which inference takes for a
/// date's shape and rejects). Cheap enough to run on every value of a column typed from a
/// sample.
@inline(__always)
func isPlainNumber(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
  var i = 0
  var e = n
  while i < e && isCSVSpace(p[i]) { i += 1 }
  while e > i && isCSVSpace(p[e - 1]) { e -= 1 }
  if e - i == 10 && p[i + 4] == UInt8(ascii: "-") { return false }
  if i < e && (p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+")) { i += 1 }
  return !(i + 1 < e && p[i] == UInt8(ascii: "0") && p[i + 1] &- 0x30 <= 9)
}

/// A record that pass 1 skipped (with `skipBadRows`), so that pass 2 skips it too.
package struct SkippedRecord {
  /// Where the record starts.
  package var start: Int
  /// Where reading resumed after it.
  package var resume: Int
}

/// Where a chunk of rows starts: pass 1 takes one every `rowsPerCheckpoint` rows so that
/// pass 2 can run chunk by chunk (and, later, chunks in parallel).
package struct RowCheckpoint {
  package var offset: Int
  package var row: Int
  /// Index of the first skipped record at or after `offset`.
  package var skipped: Int
}

/// The hot-loop view of one output column: raw pointers only, no reference counting.
private struct ColumnTarget {
  static let int: UInt8 = 0
  static let float: UInt8 = 1
  static let bool: UInt8 = 2
  static let text: UInt8 = 3
  static let date: UInt8 = 4

  var kind: UInt8
  var decimal: UInt8
  /// Whether the column's type came from a sample (int or float): a value that does not have
  /// the type's exact syntax then throws `InferenceContradicted`.
  var checked = false
  var values: UnsafeMutableRawPointer
  var validity: UnsafeMutablePointer<UInt8>?
  var dictionary: Unmanaged<TextDictionary>?
  /// The last text value taken from the file in place (offset, length, code): a run of equal
  /// values is interned once. `lastStart < 0` when there is none.
  var lastStart: Int = -1
  var lastLength: Int = 0
  var lastCode: UInt32 = 0
  /// A text column's recent short values (larger loads only; see `ShortValue`), and the
  /// allocation it lies in (aligned up to a cache line).
  var cache: UnsafeMutablePointer<ShortValue>?
  var cacheAllocation: UnsafeMutableRawPointer?
}

/// One entry of a text column's two-way set-associative cache of values of at most 16 bytes,
/// taken as two words: a value met again costs one cache line and two compares instead of its
/// hash and the dictionary's probes (a column of communes has tens of thousands of values, and
/// its dictionary's slots, ends and bytes are each a cache miss away). A set is two entries in
/// one 64-byte line, the most recently added first.
struct ShortValue {
  /// The value's bytes, little-endian, zero past its length.
  var low: UInt64 = 0
  var high: UInt64 = 0
  /// Its code in the lane's dictionary.
  var code: UInt32 = 0
  /// Its length plus one; 0 for an empty entry.
  var length: UInt32 = 0
  /// Pads an entry to 32 bytes, so that a set fills one cache line.
  var spare: UInt64 = 0
}

/// Sets of a text column's `ShortValue` cache, per lane (two entries each: 1 MiB).
private let shortValueCacheBits = 14

/// One output column as it is kept alive and finally handed over.
private enum ColumnStorage {
  case int(ColumnBuffer<Int64>)
  case float(ColumnBuffer<Double>)
  case bool(ColumnBuffer<UInt8>)
  case text(ColumnBuffer<UInt32>, TextDictionary)
  case date(ColumnBuffer<Int64>)
}

/// Typed buffers of exactly `rowCount` rows for every column, filled by `fill` at absolute
/// row indices (so disjoint row ranges never touch the same slots). Null slots stay 0; a
/// validity mask is allocated the first time a column meets a null.
///
/// Several row ranges can be filled at once, each by its own `Lane` (on its own thread):
/// a lane has its own text dictionaries; lane 0 writes into the final
/// dictionaries, so its codes are final, and `merge` then interns each later lane's new
/// strings in lane order and rewrites that lane's codes. The codes thus come out exactly
/// as a single pass in file order would give them (first occurrence order).
package final class CSVColumnWriter {
  package let rowCount: Int
  package let columnCount: Int
  private var storage: [ColumnStorage] = []
  private var validity: [ColumnBuffer<UInt8>?]
  private let columns: [(DataType, UInt8)]
  /// Guards `validity` while lanes run.
  private let lock: UnsafeMutablePointer<pthread_mutex_t>
  private var lanes: [Lane] = []

  /// One range's view of the columns: raw targets with their own dictionaries.
  package final class Lane {
    package let index: Int
    fileprivate let targets: UnsafeMutablePointer<ColumnTarget>
    package let columnCount: Int
    /// Rows this lane filled.
    package var firstRow = Int.max
    package var lastRow = 0
    /// The first field (byte offset, column) whose number syntax pass 1 accepted but whose
    /// value does not fit the column's type (`1e400` in a float column); `Int.max` if none.
    package var firstUnfit = (offset: Int.max, column: 0)
    /// Per column: whether a checked column had a value written with digit groups.
    fileprivate var grouped: [Bool]

    fileprivate init(index: Int, targets: UnsafeMutablePointer<ColumnTarget>, columnCount: Int) {
      self.index = index
      self.targets = targets
      self.columnCount = columnCount
      grouped = [Bool](repeating: false, count: columnCount)
    }

    deinit {
      for k in 0..<columnCount {
        targets[k].dictionary?.release()
        targets[k].cacheAllocation.map { free($0) }
      }
      targets.deinitialize(count: columnCount)
      free(targets)
    }
  }

  /// How numbers written with digit groups are read (a value that does not parse as a
  /// number is tried again without its groups).
  private let grouping: DigitGrouping
  /// Per column: whether its values are checked against a sampled type (see `ColumnTarget.checked`).
  private let checked: [Bool]
  /// Set when a lane met a value contradicting a sampled type: the other lanes stop too.
  private let contradicted = CancellationFlag()

  /// - Parameters:
  ///   - columns: each column's type and, for floats, its decimal mark.
  ///   - grouping: how digit groups in numbers are recognised.
  ///   - checked: per column (all false when empty), whether its int or float type came from
  ///     a sample: `fill` then throws `InferenceContradicted` at the first value that full
  ///     inference would not have read as that type.
  ///
  /// Throws `AllocationFailure` when the columns do not fit in the memory available.
  package init(
    columns: [(DataType, UInt8)], rowCount: Int, grouping: DigitGrouping = DigitGrouping(explicit: nil),
    checked: [Bool] = []
  ) throws {
    self.grouping = grouping
    self.checked = checked.count == columns.count ? checked : [Bool](repeating: false, count: columns.count)
    self.rowCount = rowCount
    self.columns = columns
    columnCount = columns.count
    validity = [ColumnBuffer<UInt8>?](repeating: nil, count: columns.count)
    lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    lock.initialize(to: pthread_mutex_t())
    pthread_mutex_init(lock, nil)
    for (type, _) in columns {
      switch type {
      case .int: storage.append(.int(try ColumnBuffer<Int64>(checkedZeroed: rowCount)))
      case .float: storage.append(.float(try ColumnBuffer<Double>(checkedZeroed: rowCount)))
      case .bool: storage.append(.bool(try ColumnBuffer<UInt8>(checkedZeroed: rowCount)))
      case .date: storage.append(.date(try ColumnBuffer<Int64>(checkedZeroed: rowCount)))
      case .text:
        storage.append(.text(try ColumnBuffer<UInt32>(checkedZeroed: rowCount), TextDictionary(capacity: min(rowCount, 1024))))
      }
    }
  }

  deinit {
    lanes = []
    pthread_mutex_destroy(lock)
    lock.deallocate()
  }

  /// Creates `count` lanes (lane `i` is `lanes[i]`, in file order); call once, before `fill`.
  /// - Throws: `AllocationFailure` when the memory cannot hold the lanes' targets.
  package func makeLanes(_ count: Int) throws -> [Lane] {
    let textColumns = columns.filter { $0.0 == .text }.count
    for i in 0..<max(1, count) {
      let targets = try allocateCheckedBytes(try byteCount(columnCount, of: ColumnTarget.self))
        .bindMemory(to: ColumnTarget.self, capacity: max(1, columnCount))
      for (k, (_, decimal)) in columns.enumerated() {
        let target: ColumnTarget
        switch storage[k] {
        case .int(let b):
          target = ColumnTarget(kind: ColumnTarget.int, decimal: decimal, values: UnsafeMutableRawPointer(b.base))
        case .float(let b):
          target = ColumnTarget(kind: ColumnTarget.float, decimal: decimal, values: UnsafeMutableRawPointer(b.base))
        case .bool(let b):
          target = ColumnTarget(kind: ColumnTarget.bool, decimal: decimal, values: UnsafeMutableRawPointer(b.base))
        case .date(let b):
          target = ColumnTarget(kind: ColumnTarget.date, decimal: decimal, values: UnsafeMutableRawPointer(b.base))
        case .text(let b, let d):
          let dictionary = i == 0 ? d : TextDictionary(capacity: min(rowCount / count, 1024))
          target = ColumnTarget(
            kind: ColumnTarget.text, decimal: decimal, values: UnsafeMutableRawPointer(b.base),
            dictionary: Unmanaged.passRetained(dictionary))
        }
        (targets + k).initialize(to: target)
        targets[k].checked = checked[k]
        if target.kind == ColumnTarget.text && rowCount >= 1 << 16 && textColumns <= 64 {
          // 1 MiB of zeros (empty entries), touched only where values land; a wide file's
          // text columns go without (the memory would grow with the number of columns).
          let entries = 2 << shortValueCacheBits
          let bytes = entries * MemoryLayout<ShortValue>.stride + 64
          if (try? checkRoom(for: bytes)) != nil, let raw = calloc(1, bytes) {
            let aligned = (Int(bitPattern: raw) + 63) & ~63
            targets[k].cacheAllocation = raw
            targets[k].cache = UnsafeMutableRawPointer(bitPattern: aligned)?.bindMemory(to: ShortValue.self, capacity: entries)
          }
        }
      }
      lanes.append(Lane(index: i, targets: targets, columnCount: columnCount))
    }
    return lanes
  }

  /// Marks row `row` of column `k` null, allocating the column's mask on its first null.
  private func setNull(_ t: UnsafeMutablePointer<ColumnTarget>, _ k: Int, _ row: Int) throws {
    if let v = t.pointee.validity {
      v[row] = 0
      return
    }
    pthread_mutex_lock(lock)
    defer { pthread_mutex_unlock(lock) }
    let mask: ColumnBuffer<UInt8>
    if let m = validity[k] {
      mask = m
    } else {
      mask = try ColumnBuffer<UInt8>(checkedZeroed: rowCount)
      memset(mask.base, 1, rowCount)
      validity[k] = mask
    }
    t.pointee.validity = mask.base
    mask.base[row] = 0
  }

  /// Gives every lane after the first its final codes: its new strings go into the final
  /// dictionary in the lane's code order (so in file order), and its rows' codes are
  /// rewritten. Null slots keep code 0. Call once every lane has finished.
  package func merge() throws {
    guard lanes.count > 1 else { return }
    var jobs: [(UnsafeMutablePointer<UInt32>, [UInt32], Int, Int, UnsafeMutablePointer<UInt8>?)] = []
    for k in 0..<columnCount {
      guard case .text(let b, let final) = storage[k] else { continue }
      for lane in lanes.dropFirst() where lane.firstRow < lane.lastRow {
        guard let d = lane.targets[k].dictionary?.takeUnretainedValue(), d.count > 0 else { continue }
        var remap = [UInt32](repeating: 0, count: d.count)
        var identity = true
        for code in 0..<d.count {
          let c = try final.checkedIntern(bytes: d.bytes(of: UInt32(code)))
          remap[code] = c
          if c != UInt32(code) { identity = false }
        }
        if identity { continue }
        jobs.append((b.base, remap, lane.firstRow, lane.lastRow, validity[k]?.base))
      }
    }
    let run = { (j: Int) in
      let (codes, remap, from, to, valid) = jobs[j]
      remap.withUnsafeBufferPointer { r in
        let m = r.baseAddress!
        if let v = valid {
          for row in from..<to { codes[row] = m[Int(codes[row])] & (0 &- UInt32(v[row])) }
        } else {
          for row in from..<to { codes[row] = m[Int(codes[row])] }
        }
      }
    }
    if jobs.count > 1 && rowCount >= 1 << 16 {
      performConcurrently(iterations: jobs.count, execute: run)
    } else {
      for j in 0..<jobs.count { run(j) }
    }
  }

  /// Parses, for `lane`, `count` rows starting at byte `from` (which starts row `firstRow`); records that
  /// start where `skipped[skippedIndex...]` says are stepped over, blank lines ignored.
  /// Every record met must have `columnCount` fields (pass 1 checked it).
  ///
  /// Works by batches: the records of a batch are split first (spans stored column by
  /// column), then each column is parsed over the whole batch, so that each loop handles
  /// one type, reads its spans in order, and the independent dictionary look-ups of a text
  /// column overlap their cache misses. A batch's spans take about 48 KB.
  package func fill(
    lane: Lane, scanner: CSVScanner, from: Int, firstRow: Int, count: Int, skipped: [SkippedRecord],
    skippedIndex: Int, nulls: NullMarkers, scratch: ScratchBytes, cancel: CancellationFlag?
  ) throws {
    lane.firstRow = min(lane.firstRow, firstRow)
    lane.lastRow = max(lane.lastRow, firstRow + count)
    let end = scanner.end
    let fieldsPerRecord = columnCount + 1
    let batchRows = max(16, min(256, 48 * 1024 / (fieldsPerRecord * MemoryLayout<FieldSpan>.stride)))
    // 16 rows of a million columns take 384 MB: checked, like the columns.
    let spanBytes = try byteCount(batchRows * fieldsPerRecord, of: FieldSpan.self)
    let spans = try allocateCheckedBytes(spanBytes).bindMemory(to: FieldSpan.self, capacity: batchRows * fieldsPerRecord)
    spans.initialize(repeating: FieldSpan(start: 0, end: 0, kind: 0), count: batchRows * fieldsPerRecord)
    defer { free(spans) }
    // The hashes of a text column's batch, and where its prefetching reads go.
    let hashes = UnsafeMutablePointer<UInt64>.allocate(capacity: batchRows)
    hashes.initialize(repeating: 0, count: batchRows)
    let probes = UnsafeMutablePointer<UInt64>.allocate(capacity: batchRows)
    probes.initialize(repeating: 0, count: batchRows)
    defer {
      hashes.deallocate()
      probes.deallocate()
    }
    prefault(lane, rows: firstRow..<(firstRow + count))
    var pos = from
    var row = firstRow
    let lastRow = firstRow + count
    var nextSkipped = skippedIndex
    while pos < end && row < lastRow {
      var batch = 0
      while batch < batchRows && row + batch < lastRow && pos < end {
        if nextSkipped < skipped.count && skipped[nextSkipped].start == pos {
          pos = skipped[nextSkipped].resume
          nextSkipped += 1
          continue
        }
        // Field k of batch row i goes to spans[k * batchRows + i].
        let r = scanner.scanRecord(at: pos, spans: spans + batch, capacity: fieldsPerRecord, spanStride: batchRows)
        pos = r.next
        if r.fieldCount > 0 { batch += 1 }
      }
      if cancel?.isCancelled == true { throw CancelledError() }
      if contradicted.isCancelled { throw InferenceContradicted() }
      for k in 0..<columnCount {
        let unfit = try parseColumn(lane, k, spans: spans + k * batchRows, rows: batch, firstRow: row,
                                scanner: scanner, nulls: nulls, scratch: scratch, hashes: hashes, probes: probes)
        if unfit < lane.firstUnfit.offset { lane.firstUnfit = (unfit, k) }
      }
      row += batch
    }
  }

  /// Backs the rows `rows` of every column of `lane` with memory in one call per column
  /// (Linux 5.14's MADV_POPULATE_WRITE), rather than one page fault per 4 KiB page as the
  /// values are first written: on this kind of virtual machine a fault costs more than
  /// parsing the page's values. A no-op elsewhere, and for short ranges.
  private func prefault(_ lane: Lane, rows: Range<Int>) {
    #if os(Linux)
      let page = filePageSize
      for k in 0..<columnCount {
        let t = lane.targets[k]
        let width: Int
        switch t.kind {
        case ColumnTarget.bool: width = 1
        case ColumnTarget.text: width = 4
        default: width = 8
        }
        let from = Int(bitPattern: t.values) + rows.lowerBound * width
        let to = Int(bitPattern: t.values) + rows.upperBound * width
        let start = (from + page - 1) / page * page
        let stop = to / page * page
        if stop - start >= 16 * page, let q = UnsafeMutableRawPointer(bitPattern: start) {
          _ = madvise(q, stop - start, 23)
        }
      }
    #endif
  }

  /// `parse` applied to the field without its digit groups, when it is a number written with
  /// them (`1 234,5`); nil otherwise. Fields longer than any such number are not tried.
  @inline(never)
  private func ungrouped<T>(_ p: UnsafePointer<UInt8>, _ n: Int, _ parse: (UnsafePointer<UInt8>, Int) -> T?) -> T? {
    guard n <= 96 else { return nil }
    return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: n) { buffer -> T? in
      guard let out = buffer.baseAddress, let m = grouping.ungroup(p, n, into: out) else { return nil }
      return parse(UnsafePointer(out), m)
    }
  }

  /// Parses field `k` of `rows` records from its consecutive `spans`, into rows
  /// `firstRow...`; returns the offset of the first number that does not fit the column's type
  /// (left null), or `Int.max`.
  private func parseColumn(
    _ lane: Lane, _ k: Int, spans: UnsafeMutablePointer<FieldSpan>, rows: Int, firstRow: Int, scanner: CSVScanner,
    nulls: NullMarkers, scratch: ScratchBytes, hashes: UnsafeMutablePointer<UInt64>,
    probes: UnsafeMutablePointer<UInt64>
  ) throws -> Int {
    var unfit = Int.max
    let t = lane.targets + k
    let p = scanner.p
    let kind = t.pointee.kind
    let decimal = t.pointee.decimal
    if kind == ColumnTarget.text, let cache = t.pointee.cache {
      try parseShortText(t, k, cache, spans: spans, rows: rows, firstRow: firstRow, scanner: scanner, nulls: nulls, scratch: scratch)
      return unfit
    }
    if kind == ColumnTarget.text, let d = t.pointee.dictionary {
      // The hashes of the whole batch first, each reading its first dictionary slot, so that
      // the slots' cache misses overlap instead of coming one by one in the look-ups.
      d._withUnsafeGuaranteedRef { dictionary in
        for i in 0..<rows {
          let span = spans[i]
          let h = TextDictionary.hash(UnsafeRawBufferPointer(start: p + span.start, count: span.end - span.start))
          hashes[i] = h
          probes[i] = dictionary.touch(h)
        }
      }
    }
    for i in 0..<rows {
      let span = spans[i]
      let row = firstRow + i
      let base: UnsafePointer<UInt8>
      let n: Int
      let inPlace = span.kind != FieldSpan.escaped
      if inPlace {
        base = p + span.start
        n = span.end - span.start
      } else {
        let out = try scratch.reserve(span.end - span.start)
        n = scanner.unescape(span, into: out)
        base = UnsafePointer(out)
      }
      if nulls.isNull(base, n) {
        try setNull(t, k, row)
        continue
      }
      switch kind {
      case ColumnTarget.int:
        if let v = parseInt64(base, n) {
          if t.pointee.checked && !isPlainNumber(base, n) { throw contradiction() }
          t.pointee.values.assumingMemoryBound(to: Int64.self)[row] = v
        } else if let v = ungrouped(base, n, { t.pointee.checked && !isPlainNumber($0, $1) ? nil : parseInt64($0, $1) }) {
          if t.pointee.checked { lane.grouped[k] = true }
          t.pointee.values.assumingMemoryBound(to: Int64.self)[row] = v
        } else {
          if t.pointee.checked { throw contradiction() }
          try setNull(t, k, row)
          unfit = min(unfit, span.start)
        }
      case ColumnTarget.float:
        if let v = parsePlainDecimal(base, n, decimal: decimal) {
          t.pointee.values.assumingMemoryBound(to: Double.self)[row] = v
        } else if let v = parseDouble(base, n, decimal: decimal) {
          if t.pointee.checked && !isPlainNumber(base, n) { throw contradiction() }
          t.pointee.values.assumingMemoryBound(to: Double.self)[row] = v
        } else if let v = ungrouped(base, n, {
          t.pointee.checked && !isPlainNumber($0, $1) ? nil : parseDouble($0, $1, decimal: decimal)
        }) {
          if t.pointee.checked { lane.grouped[k] = true }
          t.pointee.values.assumingMemoryBound(to: Double.self)[row] = v
        } else {
          if t.pointee.checked { throw contradiction() }
          try setNull(t, k, row)
          unfit = min(unfit, span.start)
        }
      case ColumnTarget.bool:
        if let v = parseBool(base, n) {
          t.pointee.values.assumingMemoryBound(to: UInt8.self)[row] = v ? 1 : 0
        } else {
          try setNull(t, k, row)
        }
      case ColumnTarget.date:
        // Either form, spaces around allowed; a value that is not a calendar date is null.
        if let v = parseDateField(base, n) {
          t.pointee.values.assumingMemoryBound(to: Int64.self)[row] = v
        } else {
          try setNull(t, k, row)
        }
      default:
        t.pointee.values.assumingMemoryBound(to: UInt32.self)[row] = try textCode(
          t, base, n, start: inPlace ? span.start : -1, p: p, hash: hashes[i])
      }
    }
    return unfit
  }

  /// `parseColumn` for a text column with a `ShortValue` cache: values of at most 16 bytes in
  /// place are looked up there first, the others as without it.
  private func parseShortText(
    _ t: UnsafeMutablePointer<ColumnTarget>, _ k: Int, _ cache: UnsafeMutablePointer<ShortValue>,
    spans: UnsafeMutablePointer<FieldSpan>, rows: Int, firstRow: Int, scanner: CSVScanner, nulls: NullMarkers,
    scratch: ScratchBytes
  ) throws {
    let p = scanner.p
    let end = scanner.end
    let codes = t.pointee.values.assumingMemoryBound(to: UInt32.self)
    let shift = UInt64(64 - shortValueCacheBits)
    for i in 0..<rows {
      let span = spans[i]
      let row = firstRow + i
      let n = span.end - span.start
      if span.kind != FieldSpan.escaped && n <= 16 && span.start + 16 <= end {
        let base = p + span.start
        if nulls.isNull(base, n) {
          try setNull(t, k, row)
          continue
        }
        // The value's bytes as two words, zero past its length (16 bytes are readable).
        let raw = UnsafeRawPointer(base)
        var low = raw.loadUnaligned(as: UInt64.self).littleEndian
        var high = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self).littleEndian
        if n < 8 {
          low &= (1 &<< UInt64(8 * n)) &- 1
          high = 0
        } else if n < 16 {
          high &= (1 &<< UInt64(8 * (n - 8))) &- 1
        }
        let set = cache + 2 * Int(truncatingIfNeeded: ((low ^ (high &* 0x9E37_79B9_7F4A_7C15) ^ UInt64(n)) &* 0xFF51_AFD7_ED55_8CCD) >> shift)
        let length = UInt32(n + 1)
        let e = set[0]
        if e.length == length && e.low == low && e.high == high {
          codes[row] = e.code
          continue
        }
        let f = set[1]
        if f.length == length && f.low == low && f.high == high {
          codes[row] = f.code
          continue
        }
        var code: UInt32 = 0
        if let d = t.pointee.dictionary {
          let bytes = UnsafeRawBufferPointer(start: base, count: n)
          code = try d._withUnsafeGuaranteedRef { try $0.checkedIntern(bytes: bytes, hash: TextDictionary.hash(bytes)) }
        }
        set[1] = e
        set[0] = ShortValue(low: low, high: high, code: code, length: length)
        codes[row] = code
        continue
      }
      let base: UnsafePointer<UInt8>
      let m: Int
      let inPlace = span.kind != FieldSpan.escaped
      if inPlace {
        base = p + span.start
        m = n
      } else {
        let out = try scratch.reserve(n)
        m = scanner.unescape(span, into: out)
        base = UnsafePointer(out)
      }
      if nulls.isNull(base, m) {
        try setNull(t, k, row)
        continue
      }
      let hash = inPlace ? TextDictionary.hash(UnsafeRawBufferPointer(start: base, count: m)) : 0
      codes[row] = try textCode(t, base, m, start: inPlace ? span.start : -1, p: p, hash: hash)
    }
  }

  /// The code of a text value; `start` is its offset in the file, or -1 when the bytes are
  /// an unescaped copy; `hash` is the hash of the file's bytes at `start` when in place.
  @inline(__always)
  private func textCode(
    _ t: UnsafeMutablePointer<ColumnTarget>, _ base: UnsafePointer<UInt8>, _ n: Int, start: Int, p: UnsafePointer<UInt8>,
    hash: UInt64
  ) throws -> UInt32 {
    let inPlace = start >= 0
    if inPlace && t.pointee.lastStart >= 0 && t.pointee.lastLength == n
      && sameBytes(p + t.pointee.lastStart, base, n)
    {
      return t.pointee.lastCode
    }
    var code: UInt32 = 0
    if let d = t.pointee.dictionary {
      let bytes = UnsafeRawBufferPointer(start: base, count: n)
      code = try d._withUnsafeGuaranteedRef {
        try inPlace ? $0.checkedIntern(bytes: bytes, hash: hash) : $0.checkedIntern(bytes: bytes)
      }
    }
    t.pointee.lastStart = start
    t.pointee.lastLength = n
    t.pointee.lastCode = code
    return code
  }

  /// Notes that a value contradicts its column's sampled type, so that every lane stops.
  private func contradiction() -> InferenceContradicted {
    contradicted.cancel()
    return InferenceContradicted()
  }

  /// Whether a checked column (`checked`) had a value written with digit groups; call after
  /// every lane has finished.
  package func readGroups(_ k: Int) -> Bool {
    lanes.contains { $0.grouped.indices.contains(k) && $0.grouped[k] }
  }

  /// The finished columns (the writer must not be used afterwards).
  package func finish() -> [Column] {
    var columns: [Column] = []
    for k in 0..<columnCount {
      let values: ColumnValues
      switch storage[k] {
      case .int(let b): values = .int(b)
      case .float(let b): values = .float(b)
      case .bool(let b): values = .bool(b)
      case .date(let b): values = .date(b)
      case .text(let b, let d):
        // Null slots hold code 0, which must name a string.
        if d.count == 0 && rowCount > 0 { _ = d.intern("") }
        values = .text(b, d)
      }
      columns.append(Column(values: values, validity: validity[k]))
    }
    return columns
  }
}
