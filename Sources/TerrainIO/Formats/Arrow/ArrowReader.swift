// Reads an Arrow IPC file (Feather v2) into a table: the footer, then every dictionary batch,
// then every record batch, copied into terrain's columns. Fixed-width values without nulls are
// one copy per batch; text keeps its dictionary (a dictionary-encoded column loads as codes into
// one `TextDictionary`, with no per-row hashing).

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import Dispatch
import TerrainStorage
import TerrainSyntax

/// Reads the Arrow IPC file in `file`; `name` names it in errors.
///
/// - Throws: `LoadError` naming the file and the part at fault (`record batch 3, column pop:
///   buffer past the end of the file`), or `CancelledError`.
///
/// - Parameter release: called with the byte range of each record batch once it is copied, so
///   that the pages of a mapped file leave memory as the load goes (default: `file.release`).
package func readArrow(
  _ file: FileBytes, name: String, cancel: CancellationFlag?, release: ((Int, Int) -> Void)? = nil
) throws -> LoadResult {
  do {
    let reader = ArrowReader(ArrowBytes(base: file.base, count: file.count), name: name, cancel: cancel)
    reader.release = release ?? { file.release(from: $0, to: $1) }
    return try reader.read()
  } catch let f as ArrowFault {
    var e = LoadError(path: name, line: 0, column: 0, f.entry)
    e.arguments = f.arguments
    throw e
  }
}

/// Reads an Arrow IPC file from bytes in memory (for programs and fuzzers; `load` maps the
/// file); `name` stands for the file in errors.
public func loadArrow(bytes: UnsafeRawBufferPointer, name: String, cancel: CancellationFlag? = nil) throws -> LoadResult {
  try failingAllocationsAsLoadErrors(path: name) {
    try readArrow(FileBytes(borrowing: bytes), name: name, cancel: cancel)
  }
}

/// The values of one dictionary id: the texts, and for each Arrow index its code (or
/// `nullCode` for a null entry).
private final class ArrowDictionary {
  let text = TextDictionary()
  var codes: [UInt32] = []
  /// Whether index `i` is code `i` for every index (no duplicate, no null).
  var identity = true
}

private let nullCode = UInt32.max

/// One column being filled, `rows` long, in the buffers of its terrain type.
private final class ColumnFill {
  let type: DataType
  let rows: Int
  let ints: ColumnBuffer<Int64>?
  let floats: ColumnBuffer<Double>?
  let bools: ColumnBuffer<UInt8>?
  let codes: ColumnBuffer<UInt32>?
  var dictionary: TextDictionary?
  var validity: ColumnBuffer<UInt8>?

  /// - Throws: `AllocationFailure` when the memory cannot give the column.
  init(type: DataType, rows: Int) throws {
    self.type = type
    self.rows = rows
    ints = type == .int || type == .date ? try ColumnBuffer(checkedZeroed: rows) : nil
    floats = type == .float ? try ColumnBuffer(checkedZeroed: rows) : nil
    bools = type == .bool ? try ColumnBuffer(checkedZeroed: rows) : nil
    codes = type == .text ? try ColumnBuffer(checkedZeroed: rows) : nil
    if let b = ints { adviseHugePages(b.base, rows * 8) }
    if let b = floats { adviseHugePages(b.base, rows * 8) }
    if let b = codes { adviseHugePages(b.base, rows * 4) }
  }

  /// The validity mask, made on first need with every row before `row` valid.
  func mask(before row: Int) throws -> UnsafeMutablePointer<UInt8> {
    if let v = validity { return v.base }
    let v = try ColumnBuffer<UInt8>(checkedZeroed: rows)
    v.base.initialize(repeating: 1, count: row)
    validity = v
    return v.base
  }

  /// Sets value slots of null rows in `start..<start+n` to zero.
  func zeroNulls(_ start: Int, _ n: Int) {
    guard let v = validity?.base else { return }
    func clear<T: Numeric>(_ p: UnsafeMutablePointer<T>) {
      for i in start..<(start + n) where v[i] == 0 { p[i] = 0 }
    }
    if let b = ints { clear(b.base) }
    if let b = floats { clear(b.base) }
    if let b = bools { clear(b.base) }
    if let b = codes { clear(b.base) }
  }

  func finish() -> Column {
    let values: ColumnValues
    switch type {
    case .int: values = .int(ints ?? ColumnBuffer(zeroed: 0))
    case .date: values = .date(ints ?? ColumnBuffer(zeroed: 0))
    case .float: values = .float(floats ?? ColumnBuffer(zeroed: 0))
    case .bool: values = .bool(bools ?? ColumnBuffer(zeroed: 0))
    case .text:
      let d = dictionary ?? TextDictionary()
      // Null slots hold code 0, which must name a value.
      if d.count == 0 && rows > 0 { _ = d.intern("") }
      values = .text(codes ?? ColumnBuffer(zeroed: 0), d)
    }
    return Column(values: values, validity: validity)
  }
}

private final class ArrowReader {
  let bytes: ArrowBytes
  let name: String
  let cancel: CancellationFlag?
  var columns: [ArrowColumn] = []
  var dictionaries: [Int64: ArrowDictionary] = [:]
  var notices: [String] = []

  var release: (Int, Int) -> Void = { _, _ in }

  init(_ bytes: ArrowBytes, name: String, cancel: CancellationFlag?) {
    self.bytes = bytes
    self.name = name
    self.cancel = cancel
  }

  func read() throws -> LoadResult {
    let footer = try bytes.footer()
    columns = try arrowColumns(footer.schema)
    for (i, block) in footer.dictionaries.enumerated() {
      try cancel?.check()
      try readDictionary(block, part: "dictionary batch \(i + 1)")
    }
    var batches: [ArrowBatch] = []
    var total = 0
    for (i, block) in footer.batches.enumerated() {
      let part = "record batch \(i + 1)"
      let m = try bytes.message(block, part: part)
      guard m.headerType == ArrowMessageTag.recordBatch else { throw ArrowFault(.arrowWrongMessage, part, "RecordBatch") }
      let batch = try ArrowBatch(m.header, message: m, bytes: bytes, part: part)
      guard batch.nodes.count >= columns.count else {
        throw ArrowFault(.arrowColumnCount, part, String(batch.nodes.count), String(columns.count))
      }
      let (sum, overflow) = total.addingReportingOverflow(batch.length)
      guard !overflow else { throw ArrowFault(.arrowBadLength, part, String(batch.length)) }
      total = sum
      batches.append(batch)
    }
    // Every column but those of the null type takes at least a bit a row in the file (up to
    // 255 times less compressed): more rows than that can only be a made-up length, refused
    // before anything is allocated for it.
    let ratio = batches.contains(where: \.compressed) ? 8 * 255 : 8
    let (bits, tooMany) = bytes.count.multipliedReportingOverflow(by: ratio)
    if !tooMany && total > bits + (1 << 16) { throw ArrowFault(.arrowTooManyRows, String(total), String(bytes.count)) }
    // Every column takes at most 8 bytes a row (and a validity byte): refuse what cannot fit.
    let (need, overflow) = total.multipliedReportingOverflow(by: 9 * max(1, columns.count))
    try checkMemoryFor(overflow ? Int.max : need, path: name)
    let fills = try columns.map { try ColumnFill(type: $0.type.dataType, rows: total) }
    for (c, column) in columns.enumerated() {
      if column.dictionary == nil && column.type.dataType == .text { fills[c].dictionary = TextDictionary() }
      if case .timestamp = column.type {
        notices.append(DiagnosticText.timestampsAsDates(column.name).string)
      }
    }
    var row = 0
    for (b, batch) in batches.enumerated() {
      try cancel?.check()
      let starts = try layout(batch, part: "record batch \(b + 1)")
      func fillColumn(_ c: Int) throws {
        let part = "record batch \(b + 1), column \(columns[c].name)"
        try fill(fills[c], columns[c], batch, node: c, start: starts[c], row: row, part: part)
      }
      if batch.compressed || columns.count < 2 || batch.length < 1 << 16 {
        for c in columns.indices { try fillColumn(c) }
      } else {
        // Columns on both cores: each fills its own buffers; the batch and the dictionaries
        // are only read (an uncompressed batch decodes nothing).
        let errors = ErrorSlots(columns.count)
        performConcurrently(iterations: columns.count) { c in errors.run(c) { try fillColumn(c) } }
        try errors.check()
      }
      batch.release()
      release(batch.message.bodyStart, batch.message.bodyStart + batch.message.bodyLength)
      row += batch.length
    }
    let fields = columns.map { Field(name: $0.name, type: $0.type.dataType) }
    return LoadResult(table: Table(fields: fields, columns: fills.map { $0.finish() }, rowCount: total), notices: notices)
  }

  // MARK: dictionaries

  func readDictionary(_ block: ArrowBlock, part: String) throws {
    let m = try bytes.message(block, part: part)
    guard m.headerType == ArrowMessageTag.dictionaryBatch else { throw ArrowFault(.arrowWrongMessage, part, "DictionaryBatch") }
    let (id, data, isDelta) = try flat(part) { (try m.header.scalar(0, Int64(0)), try m.header.table(1), try m.header.bool(2)) }
    guard let data else { throw ArrowFault(.arrowMalformed, part) }
    // A dictionary no column uses is skipped.
    guard let column = columns.first(where: { $0.dictionary?.id == id }) else { return }
    let batch = try ArrowBatch(data, message: m, bytes: bytes, part: part)
    guard batch.nodes.count >= 1 else { throw ArrowFault(.arrowColumnCount, part, "0", "1") }
    if dictionaries[id] != nil && !isDelta { throw ArrowFault(.arrowDictionaryReplaced, String(id)) }
    let d = dictionaries[id] ?? ArrowDictionary()
    dictionaries[id] = d
    let node = try batch.node(0, part: part)
    let valid = node.nulls > 0 ? try batch.buffer(0, needed: bitmapBytes(node.length), part: part) : nil
    var cursor = 1
    var views = 0
    let values = try textValues(column.type, batch, node.length, buffer: &cursor, views: &views, part: part)
    d.codes.reserveCapacity(d.codes.count + node.length)
    for i in 0..<node.length {
      if let v = valid, !bit(v, i) {
        d.codes.append(nullCode)
        d.identity = false
        continue
      }
      let code = try d.text.checkedIntern(bytes: try values.value(i))
      if Int(code) != d.codes.count { d.identity = false }
      d.codes.append(code)
    }
  }

  // MARK: record batches

  /// Where each column's buffers start in `batch`, and its number among the view fields.
  func layout(_ batch: ArrowBatch, part: String) throws -> [(buffer: Int, view: Int)] {
    var starts: [(buffer: Int, view: Int)] = []
    var buffer = 0
    var views = 0
    for column in columns {
      starts.append((buffer, views))
      if column.dictionary != nil {
        buffer += 2
      } else {
        buffer += column.type.bufferCount
        if column.type == .utf8View {
          buffer += try batch.variadicCount(views, part: part)
          views += 1
        }
      }
    }
    return starts
  }

  /// Fills rows `row..<row + batch.length` of `out` from field `node` of `batch`, whose
  /// buffers start at `start.buffer`.
  func fill(
    _ out: ColumnFill, _ column: ArrowColumn, _ batch: ArrowBatch, node: Int, start: (buffer: Int, view: Int), row: Int,
    part: String
  ) throws {
    let (n, nulls) = try batch.node(node, part: part)
    guard n == batch.length else { throw ArrowFault(.arrowBadLength, part, String(n)) }
    let first = start.buffer
    if column.type == .null && column.dictionary == nil {
      // Every value null: no buffer.
      let v = try out.mask(before: row)
      (v + row).initialize(repeating: 0, count: n)
      return
    }
    if n == 0 { return }
    // Validity.
    if nulls > 0 {
      let bits = try batch.buffer(first, needed: bitmapBytes(n), part: part)
      let v = try out.mask(before: row) + row
      for i in 0..<n { v[i] = UInt8(truncatingIfNeeded: bits[i >> 3] >> UInt8(i & 7)) & 1 }
    } else if let v = out.validity {
      (v.base + row).initialize(repeating: 1, count: n)
    }
    if let (id, index) = column.dictionary {
      guard let d = dictionaries[id] else { throw ArrowFault(.arrowNoDictionary, part, String(id)) }
      out.dictionary = d.text
      let p = try batch.buffer(first + 1, needed: try checkedBytes(n, index.width, part: part), part: part)
      try fillCodes(out, d, p, index, row: row, n: n, nulls: nulls > 0, part: part)
    } else {
      try fillValues(out, column.type, batch, first: first, n: n, row: row, view: start.view, part: part)
    }
    if nulls > 0 { out.zeroNulls(row, n) }
    try checkRange(out, column.type, row: row, n: n, part: part)
  }

  /// Dictionary indices of `index` type at `p` → codes of `d`.
  func fillCodes(
    _ out: ColumnFill, _ d: ArrowDictionary, _ p: UnsafePointer<UInt8>, _ index: ArrowType, row: Int, n: Int, nulls: Bool,
    part: String
  ) throws {
    guard let codes = out.codes?.base else { return }
    let dst = codes + row
    let count = d.codes.count
    if d.identity && index.width == 4 && !nulls {
      // Our own files: the indices are the codes.
      UnsafeMutableRawPointer(dst).copyMemory(from: p, byteCount: n * 4)
      var top: UInt32 = 0
      for i in 0..<n { top = max(top, dst[i]) }
      if n > 0 && Int(top) >= count { throw ArrowFault(.arrowIndexOutOfRange, part, String(top), String(count)) }
      return
    }
    let valid = out.validity.map { $0.base + row }
    for i in 0..<n {
      if let v = valid, v[i] == 0 { continue }
      let k = integer(p, i, index)
      guard k >= 0 && k < Int64(count) else { throw ArrowFault(.arrowIndexOutOfRange, part, String(k), String(count)) }
      let code = d.codes[Int(k)]
      if code == nullCode {
        try out.mask(before: row)[row + i] = 0
        dst[i] = 0
      } else {
        dst[i] = code
      }
    }
  }

  func fillValues(
    _ out: ColumnFill, _ type: ArrowType, _ batch: ArrowBatch, first: Int, n: Int, row: Int, view: Int, part: String
  ) throws {
    switch type {
    case .bool:
      guard let dst = out.bools?.base else { return }
      let bits = try batch.buffer(first + 1, needed: bitmapBytes(n), part: part)
      for i in 0..<n { dst[row + i] = UInt8(truncatingIfNeeded: bits[i >> 3] >> UInt8(i & 7)) & 1 }
    case .float(let bits):
      guard let dst = out.floats?.base else { return }
      let p = try batch.buffer(first + 1, needed: try checkedBytes(n, bits / 8, part: part), part: part)
      switch bits {
      case 64: UnsafeMutableRawPointer(dst + row).copyMemory(from: p, byteCount: n * 8)
      case 32:
        for i in 0..<n {
          dst[row + i] = Double(Float(bitPattern: UInt32(littleEndian: UnsafeRawPointer(p + 4 * i).loadUnaligned(as: UInt32.self))))
        }
      default:
        for i in 0..<n { dst[row + i] = halfToDouble(UInt16(littleEndian: UnsafeRawPointer(p + 2 * i).loadUnaligned(as: UInt16.self))) }
      }
    case .int, .date32, .date64, .timestamp:
      guard let dst = out.ints?.base else { return }
      let p = try batch.buffer(first + 1, needed: try checkedBytes(n, type.width, part: part), part: part)
      if case .int(64, _) = type {
        UnsafeMutableRawPointer(dst + row).copyMemory(from: p, byteCount: n * 8)
      } else if case .timestamp(let perDay) = type {
        for i in 0..<n { dst[row + i] = floorDivide(integer(p, i, .int(bits: 64, signed: true)), perDay) }
      } else if type == .date64 {
        for i in 0..<n { dst[row + i] = floorDivide(integer(p, i, .int(bits: 64, signed: true)), 86_400_000) }
      } else {
        let t = type == .date32 ? ArrowType.int(bits: 32, signed: true) : type
        for i in 0..<n { dst[row + i] = integer(p, i, t) }
      }
    case .utf8, .utf8View:
      guard let dst = out.codes?.base, let d = out.dictionary else { return }
      var cursor = first + 1
      var views = view
      let values = try textValues(type, batch, n, buffer: &cursor, views: &views, part: part)
      let valid = out.validity.map { $0.base + row }
      for i in 0..<n {
        if let v = valid, v[i] == 0 { continue }
        dst[row + i] = try d.checkedIntern(bytes: try values.value(i))
      }
    case .null:
      return
    }
  }

  /// Checks values that terrain's types cannot hold: UInt64 beyond Int64, dates beyond years
  /// 1…9999.
  func checkRange(_ out: ColumnFill, _ type: ArrowType, row: Int, n: Int, part: String) throws {
    guard let p = out.ints?.base else { return }
    switch type {
    case .int(64, false):
      for i in row..<(row + n) where p[i] < 0 {
        throw ArrowFault(.arrowUInt64TooLarge, part, String(UInt64(bitPattern: p[i])))
      }
    case .date32, .date64, .timestamp:
      for i in row..<(row + n) where p[i] < CalendarDate.minDay || p[i] > CalendarDate.maxDay {
        throw ArrowFault(.arrowDateOutOfRange, part)
      }
    default:
      return
    }
  }

  /// The texts of a Utf8, LargeUtf8 or Utf8View array of `n` values whose buffers (after the
  /// validity) start at `buffer` (advanced past them).
  func textValues(_ type: ArrowType, _ batch: ArrowBatch, _ n: Int, buffer: inout Int, views: inout Int, part: String) throws
    -> ArrowTexts
  {
    switch type {
    case .utf8(let large):
      let width = large ? 8 : 4
      defer { buffer += 2 }
      if n == 0 { return .offsets(nil, large: large, data: nil, dataLength: 0, part: part) }
      let offsets = try batch.buffer(buffer, needed: try checkedBytes(n, width, part: part, plus: width), part: part)
      let data = try batch.buffer(buffer + 1, needed: 0, part: part)
      let length = try batch.bufferLength(buffer + 1, part: part)
      return .offsets(offsets, large: large, data: data, dataLength: length, part: part)
    case .utf8View:
      let count = try batch.variadicCount(views, part: part)
      views += 1
      let v = try batch.buffer(buffer, needed: try checkedBytes(n, 16, part: part), part: part)
      var data: [(UnsafePointer<UInt8>, Int)] = []
      for k in 0..<count {
        data.append((try batch.buffer(buffer + 1 + k, needed: 0, part: part), try batch.bufferLength(buffer + 1 + k, part: part)))
      }
      buffer += 1 + count
      return .views(v, data, part: part)
    default:
      throw ArrowFault(.arrowMalformed, part)
    }
  }
}

/// The first error of work spread over threads, by slot (the lowest slot's wins, so that the
/// error does not depend on timing).
private final class ErrorSlots: @unchecked Sendable {
  private var errors: [Error?]
  private let lock = SimpleLock()

  init(_ n: Int) { errors = Array(repeating: nil, count: n) }

  func run(_ slot: Int, _ body: () throws -> Void) {
    do {
      try body()
    } catch {
      lock.lock()
      errors[slot] = error
      lock.unlock()
    }
  }

  func check() throws {
    if let e = errors.compactMap({ $0 }).first { throw e }
  }
}

/// The texts of an Arrow string array, each checked (offsets in order and inside the data,
/// valid UTF-8) when it is read.
private enum ArrowTexts {
  case offsets(UnsafePointer<UInt8>?, large: Bool, data: UnsafePointer<UInt8>?, dataLength: Int, part: String)
  case views(UnsafePointer<UInt8>, [(UnsafePointer<UInt8>, Int)], part: String)

  func value(_ i: Int) throws -> UnsafeRawBufferPointer {
    let p: UnsafePointer<UInt8>
    let n: Int
    let part: String
    switch self {
    case .offsets(let offsets, let large, let data, let dataLength, let where_):
      part = where_
      guard let offsets, let data else { throw ArrowFault(.arrowBadOffsets, part) }
      let type = ArrowType.int(bits: large ? 64 : 32, signed: true)
      let start = integer(offsets, i, type)
      let end = integer(offsets, i + 1, type)
      guard start >= 0, start <= end, end <= Int64(dataLength) else { throw ArrowFault(.arrowBadOffsets, part) }
      p = data + Int(start)
      n = Int(end - start)
    case .views(let views, let buffers, let where_):
      part = where_
      let view = UnsafeRawPointer(views + 16 * i)
      let length = Int(Int32(littleEndian: view.loadUnaligned(as: Int32.self)))
      guard length >= 0 else { throw ArrowFault(.arrowBadOffsets, part) }
      if length <= 12 {
        p = views + 16 * i + 4
      } else {
        let k = Int(Int32(littleEndian: view.loadUnaligned(fromByteOffset: 8, as: Int32.self)))
        let offset = Int(Int32(littleEndian: view.loadUnaligned(fromByteOffset: 12, as: Int32.self)))
        guard k >= 0, k < buffers.count, offset >= 0, offset <= buffers[k].1, length <= buffers[k].1 - offset else {
          throw ArrowFault(.arrowBadOffsets, part)
        }
        p = buffers[k].0 + offset
      }
      n = length
    }
    if firstInvalidUTF8(p, n) != nil { throw ArrowFault(.arrowInvalidUTF8, part) }
    return UnsafeRawBufferPointer(start: p, count: n)
  }
}

/// Asks for transparent huge pages over the whole 2 MiB pages inside `bytes` bytes at `p`, not
/// touched yet: a large column is then filled with one page fault per 2 MiB instead of one
/// per 4 KiB (the copy into fresh memory is otherwise mostly page faults).
private func adviseHugePages(_ p: UnsafeMutableRawPointer, _ bytes: Int) {
  #if os(Linux)
    let huge = 2 << 20
    guard bytes >= 2 * huge else { return }
    let start = (Int(bitPattern: p) + huge - 1) / huge * huge
    let end = (Int(bitPattern: p) + bytes) / huge * huge
    if end > start, let q = UnsafeMutableRawPointer(bitPattern: start) {
      _ = madvise(q, end - start, Int32(MADV_HUGEPAGE))
    }
  #endif
}

/// Bytes of a bitmap of `n` bits (no overflow for any `n >= 0`).
private func bitmapBytes(_ n: Int) -> Int { n / 8 + (n % 8 == 0 ? 0 : 1) }

/// Bit `i` of a bitmap (least significant bit first).
@inline(__always)
private func bit(_ bits: UnsafePointer<UInt8>, _ i: Int) -> Bool { bits[i >> 3] >> UInt8(i & 7) & 1 != 0 }

/// Element `i` of an array of integers of `type` at `p`, as an Int64 (UInt64 bits kept).
@inline(__always)
private func integer(_ p: UnsafePointer<UInt8>, _ i: Int, _ type: ArrowType) -> Int64 {
  let raw = UnsafeRawPointer(p)
  switch type {
  case .int(8, true): return Int64(Int8(bitPattern: p[i]))
  case .int(8, false): return Int64(p[i])
  case .int(16, true): return Int64(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self)))
  case .int(16, false): return Int64(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
  case .int(32, true): return Int64(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)))
  case .int(32, false): return Int64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
  default: return Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))
  }
}

/// `a / b` rounded down (b > 0).
@inline(__always)
private func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
  let q = a / b
  return (a % b != 0 && a < 0) ? q - 1 : q
}

/// An IEEE half-precision float.
private func halfToDouble(_ h: UInt16) -> Double {
  let negative = h & 0x8000 != 0
  let exponent = Int((h >> 10) & 0x1F)
  let fraction = Double(h & 0x3FF)
  let magnitude: Double
  switch exponent {
  case 0: magnitude = fraction * 0x1p-24
  case 31: magnitude = fraction == 0 ? .infinity : .nan
  default: magnitude = Double(sign: .plus, exponent: exponent - 15, significand: 1 + fraction / 1024)
  }
  return negative ? -magnitude : magnitude
}
