// A typed, immutable column with an optional validity mask, and the builders that make one.

/// The values of a column, by type.
public enum ColumnValues: @unchecked Sendable {
  case int(ColumnBuffer<Int64>)
  case float(ColumnBuffer<Double>)
  /// 0 or 1 per row.
  case bool(ColumnBuffer<UInt8>)
  /// Codes into the dictionary.
  case text(ColumnBuffer<UInt32>, TextDictionary)
  /// Days since 1970-01-01 (`DataType.date`); null slots hold 0.
  case date(ColumnBuffer<Int64>)
}

/// An immutable column of `count` values of one type.
///
/// Invariants: every buffer holds `count` elements; `validity`, when present, holds 1 for a
/// present value and 0 for null, and null slots hold 0 (or code 0 for text) so that kernels
/// may compute on them without traps.
public final class Column: @unchecked Sendable {
  /// The typed buffers (engine internals).
  package let values: ColumnValues
  /// nil when the column has no null.
  package let validity: ColumnBuffer<UInt8>?
  /// The number of rows.
  public let count: Int
  /// Statistics computed on first use and kept (the column never changes), e.g. per-chunk
  /// ranges that let a top-N skip chunks. Guarded by `statsLock`.
  package var cachedChunkRanges: ChunkRanges?
  package let statsLock = SimpleLock()
  /// A text column's dictionary once more, as a plain reference, never read: in `values` it
  /// shares its word with the enum's case tag, which LeakSanitizer does not follow, so that the
  /// dictionaries of live tables were reported as leaked (FUZZING.md, finding 1).
  private let dictionaryReference: TextDictionary?

  package init(values: ColumnValues, validity: ColumnBuffer<UInt8>?) {
    self.values = values
    var dictionary: TextDictionary? = nil
    switch values {
    case .int(let b): count = b.count
    case .float(let b): count = b.count
    case .bool(let b): count = b.count
    case .text(let b, let d):
      count = b.count
      dictionary = d
    case .date(let b): count = b.count
    }
    dictionaryReference = dictionary
    self.validity = validity
  }

  /// The type of every value of the column.
  public var type: DataType {
    switch values {
    case .int: return .int
    case .float: return .float
    case .bool: return .bool
    case .text: return .text
    case .date: return .date
    }
  }

  /// The first `n` rows, sharing this column's memory (no copy).
  package func prefix(_ n: Int) -> Column {
    if n >= count { return self }
    let head: ColumnValues
    switch values {
    case .int(let b): head = .int(b.prefix(n))
    case .float(let b): head = .float(b.prefix(n))
    case .bool(let b): head = .bool(b.prefix(n))
    case .text(let b, let d): head = .text(b.prefix(n), d)
    case .date(let b): head = .date(b.prefix(n))
    }
    return Column(values: head, validity: validity?.prefix(n))
  }

  /// Number of nulls (computed once).
  public private(set) lazy var nullCount: Int = {
    guard let v = validity else { return 0 }
    var valid = 0
    for i in 0..<count { valid &+= Int(v.base[i]) }
    return count - valid
  }()

  /// Whether row `i` holds a value.
  public func isValid(_ i: Int) -> Bool {
    guard let v = validity else { return true }
    return v.base[i] != 0
  }

  /// Row `i` as a boxed value (for rendering and tests, never in kernels).
  public func value(at i: Int) -> Value {
    guard i >= 0 && i < count, isValid(i) else { return .null }
    switch values {
    case .int(let b): return .int(b.base[i])
    case .float(let b): return .float(b.base[i])
    case .bool(let b): return .bool(b.base[i] != 0)
    case .text(let b, let d): return .text(d.string(Int(b.base[i])))
    case .date(let b): return .date(b.base[i])
    }
  }

  /// The int at row `i`; nil when it is null, out of range, or the column is not of type `int`.
  public func int(at i: Int) -> Int64? {
    guard case .int(let b) = values, i >= 0 && i < count, isValid(i) else { return nil }
    return b.base[i]
  }

  /// The date (days since 1970-01-01) at row `i`; nil when it is null, out of range, or the
  /// column is not of type `date`.
  public func date(at i: Int) -> Int64? {
    guard case .date(let b) = values, i >= 0 && i < count, isValid(i) else { return nil }
    return b.base[i]
  }

  /// The float at row `i`; nil when it is null, out of range, or the column is not of type
  /// `float` (an `int` column is read with `int(at:)`).
  public func float(at i: Int) -> Double? {
    guard case .float(let b) = values, i >= 0 && i < count, isValid(i) else { return nil }
    return b.base[i]
  }

  /// The text at row `i`; nil when it is null, out of range, or the column is not of type `text`.
  public func text(at i: Int) -> String? {
    guard case .text(let b, let d) = values, i >= 0 && i < count, isValid(i) else { return nil }
    return d.string(Int(b.base[i]))
  }

  /// The boolean at row `i`; nil when it is null, out of range, or the column is not of type `bool`.
  public func bool(at i: Int) -> Bool? {
    guard case .bool(let b) = values, i >= 0 && i < count, isValid(i) else { return nil }
    return b.base[i] != 0
  }

  /// Every row as a boxed value, in order (nulls as `.null`).
  public var boxedValues: [Value] { (0..<count).map { value(at: $0) } }

  /// A column of no rows of `type` (the columns of an empty table whose schema is known).
  package static func empty(_ type: DataType) -> Column {
    let validity = ColumnBuffer<UInt8>(zeroed: 0)
    switch type {
    case .int: return Column(values: .int(ColumnBuffer(zeroed: 0)), validity: validity)
    case .float: return Column(values: .float(ColumnBuffer(zeroed: 0)), validity: validity)
    case .bool: return Column(values: .bool(ColumnBuffer(zeroed: 0)), validity: validity)
    case .date: return Column(values: .date(ColumnBuffer(zeroed: 0)), validity: validity)
    case .text:
      let d = TextDictionary()
      _ = d.intern("")
      return Column(values: .text(ColumnBuffer(zeroed: 0), d), validity: validity)
    }
  }

  /// A column holding `values`, all of `type` or null; a value of another type is null, except
  /// an int in a float column, which is converted. For tests and small results: the values are
  /// already boxed in memory, in more bytes than the column takes, so this is not checked.
  package static func from(_ values: [Value], type: DataType) -> Column {
    var valid = [UInt8](repeating: 1, count: values.count)
    /// The payload of each value (`pick` nil: null), zero in null slots.
    func payloads<T>(_ zero: T, _ pick: (Value) -> T?) -> ColumnBuffer<T> {
      ColumnBuffer(values.indices.map { i in
        if let x = pick(values[i]) { return x }
        valid[i] = 0
        return zero
      })
    }
    let stored: ColumnValues
    switch type {
    case .int: stored = .int(payloads(0) { if case .int(let x) = $0 { x } else { nil } })
    case .date: stored = .date(payloads(0) { if case .date(let x) = $0 { x } else { nil } })
    case .bool: stored = .bool(payloads(0) { if case .bool(let x) = $0 { x ? 1 : 0 } else { nil } })
    case .float:
      stored = .float(payloads(0) {
        switch $0 {
        case .float(let x): x
        case .int(let x): Double(x)
        default: nil
        }
      })
    case .text:
      let dictionary = TextDictionary()
      stored = .text(payloads(0) { if case .text(let x) = $0 { dictionary.intern(x) } else { nil } }, dictionary)
    }
    return Column(values: stored, validity: valid.contains(0) ? ColumnBuffer(valid) : nil)
  }
}

/// Builds a validity mask lazily: no memory is used until the first null. Every growth is
/// checked: an append throws `AllocationFailure` (the builder unchanged) when it is refused.
public final class ValidityBuilder {
  private var mask: BufferBuilder<UInt8>?
  public private(set) var count = 0

  public init() {}

  public func appendValid() throws {
    if let m = mask { try m.append(1) }
    count += 1
  }

  public func appendNull() throws {
    try makeMask(reserving: 1)
    try mask?.append(0)
    count += 1
  }

  /// Appends `n` flags from `flags` (1 valid, 0 null), or `n` valid rows when nil.
  public func append(flags: UnsafePointer<UInt8>?, count n: Int) throws {
    if let f = flags {
      var allValid = true
      for i in 0..<n where f[i] == 0 { allValid = false; break }
      if !allValid || mask != nil {
        try makeMask(reserving: n)
        if let m = mask {
          let t = try m.tail(reserving: n)
          t.update(from: f, count: n)
          m.advance(by: n)
        }
      } else {
        count += n
        return
      }
    } else if let m = mask {
      try m.append(repeating: 1, count: n)
    }
    count += n
  }

  /// At the first null, the mask of the rows so far (all valid), with room for `n` more.
  private func makeMask(reserving n: Int) throws {
    guard mask == nil else { return }
    let (rows, overflow) = count.addingReportingOverflow(n)
    if overflow { throw AllocationFailure(bytes: Int.max) }
    let m = try BufferBuilder<UInt8>(checkedCapacity: max(1024, rows < Int.max / 2 ? rows * 2 : rows))
    try m.append(repeating: 1, count: count)
    mask = m
  }

  public func finish() -> ColumnBuffer<UInt8>? { mask?.finish() }
}

/// Builds a column of one type row by row (or chunk by chunk), keeping nulls as zeros. Every
/// growth is checked: an append throws `AllocationFailure` when the memory is refused (the
/// builder is then only good for discarding).
public final class ColumnBuilder {
  public let type: DataType
  private let ints: BufferBuilder<Int64>?
  private let floats: BufferBuilder<Double>?
  private let bools: BufferBuilder<UInt8>?
  private let codes: BufferBuilder<UInt32>?
  /// The dictionary text values are interned into.
  public let dictionary: TextDictionary?
  public let validity = ValidityBuilder()

  /// A builder with room for `capacity` values, taken without a check (a small or known
  /// size; growth past it is checked).
  public init(type: DataType, capacity: Int = 1024, dictionary: TextDictionary? = nil) {
    self.type = type
    ints = type == .int || type == .date ? BufferBuilder(capacity: capacity) : nil
    floats = type == .float ? BufferBuilder(capacity: capacity) : nil
    bools = type == .bool ? BufferBuilder(capacity: capacity) : nil
    codes = type == .text ? BufferBuilder(capacity: capacity) : nil
    self.dictionary = type == .text ? (dictionary ?? TextDictionary()) : nil
  }

  public var count: Int { validity.count }

  /// Makes room for `n` more values, or throws `AllocationFailure` (nothing appended) when
  /// the memory cannot give it: for builders sized by input, which then append up to `n`
  /// values without growing. The validity mask, made at the first null (a byte a row), is
  /// checked by a probe of its size.
  package func reserve(_ n: Int) throws {
    try ints?.reserve(n)
    try floats?.reserve(n)
    try bools?.reserve(n)
    try codes?.reserve(n)
    let (rows, overflow) = count.addingReportingOverflow(n)
    if overflow { throw AllocationFailure(bytes: Int.max) }
    try probeRoom(for: rows)
  }

  public func appendNull() throws {
    try ints?.append(0)
    try floats?.append(0)
    try bools?.append(0)
    try codes?.append(0)
    try validity.appendNull()
  }

  public func append(int v: Int64) throws {
    try ints?.append(v)
    try validity.appendValid()
  }
  public func append(float v: Double) throws {
    try floats?.append(v)
    try validity.appendValid()
  }
  public func append(bool v: Bool) throws {
    try bools?.append(v ? 1 : 0)
    try validity.appendValid()
  }
  public func append(code: UInt32) throws {
    try codes?.append(code)
    try validity.appendValid()
  }
  public func append(text s: String) throws {
    try codes?.append(try dictionary?.checkedIntern(s) ?? 0)
    try validity.appendValid()
  }

  /// Appends a boxed value; a value of another type than the builder's counts as null
  /// except ints into a float builder, which are converted.
  public func append(_ v: Value) throws {
    switch (v, type) {
    case (.int(let x), .int): try append(int: x)
    case (.int(let x), .float): try append(float: Double(x))
    case (.float(let x), .float): try append(float: x)
    case (.bool(let x), .bool): try append(bool: x)
    case (.text(let s), .text): try append(text: s)
    case (.date(let x), .date): try append(int: x)
    default: try appendNull()
    }
  }

  /// Direct access to the typed buffers for chunk-wise appends by kernels.
  public var intBuffer: BufferBuilder<Int64>? { ints }
  public var floatBuffer: BufferBuilder<Double>? { floats }
  public var boolBuffer: BufferBuilder<UInt8>? { bools }
  public var codeBuffer: BufferBuilder<UInt32>? { codes }

  public func finish() -> Column {
    let valid = validity.finish()
    switch type {
    case .int: return Column(values: .int(ints?.finish() ?? ColumnBuffer(zeroed: 0)), validity: valid)
    case .float: return Column(values: .float(floats?.finish() ?? ColumnBuffer(zeroed: 0)), validity: valid)
    case .bool: return Column(values: .bool(bools?.finish() ?? ColumnBuffer(zeroed: 0)), validity: valid)
    case .date: return Column(values: .date(ints?.finish() ?? ColumnBuffer(zeroed: 0)), validity: valid)
    case .text:
      return Column(
        values: .text(codes?.finish() ?? ColumnBuffer(zeroed: 0), dictionary ?? TextDictionary()), validity: valid)
    }
  }
}

/// For each chunk of `chunkSize` rows of a column, the smallest and largest order-preserving
/// word of its present values (`UInt64.max, 0` for a chunk of nulls): a zone map.
package struct ChunkRanges {
  package var low: [UInt64]
  package var high: [UInt64]

  package init(low: [UInt64], high: [UInt64]) {
    self.low = low
    self.high = high
  }
}
