// The little of FlatBuffers that Arrow's metadata needs, written from the FlatBuffers binary
// format description: a bounds-checked reader of tables, vectors and strings inside one
// buffer, and a builder that writes a buffer back to front as FlatBuffers builders do.
//
// Reading never trusts an offset: every position is checked against the buffer before a
// byte is read, and a malformed buffer makes the reader throw `FlatBufferError`. Nothing here
// recurses: the Arrow reader walks the few levels of its schema itself.

/// A malformed FlatBuffer: an offset or a length that leaves the buffer.
package struct FlatBufferError: Error {
  /// The error (it carries nothing: the reader names the part of the file).
  package init() {}
}

/// A FlatBuffer in memory, `count` bytes at `base`, read with checks.
package struct FlatBuffer {
  /// The first byte.
  package let base: UnsafePointer<UInt8>
  /// The number of bytes.
  package let count: Int

  /// The `count` bytes at `base`, which must stay valid while the buffer is read.
  package init(base: UnsafePointer<UInt8>, count: Int) {
    self.base = base
    self.count = count
  }

  /// Whether `n` bytes at `at` lie inside the buffer.
  @inline(__always)
  func contains(_ at: Int, _ n: Int) -> Bool {
    at >= 0 && n >= 0 && at <= count && n <= count - at
  }

  /// The little-endian integer of type `T` at `at`.
  func load<T: FixedWidthInteger>(_ at: Int, as: T.Type) throws -> T {
    guard contains(at, MemoryLayout<T>.size) else { throw FlatBufferError() }
    return T(littleEndian: UnsafeRawPointer(base + at).loadUnaligned(as: T.self))
  }

  /// The root table (the offset at the start of the buffer).
  package func root() throws -> FlatTable {
    try table(at: Int(try load(0, as: UInt32.self)))
  }

  /// The table at `position`, its vtable checked.
  func table(at position: Int) throws -> FlatTable {
    let soffset = Int(try load(position, as: Int32.self))
    let (vtable, overflow) = position.subtractingReportingOverflow(soffset)
    guard !overflow else { throw FlatBufferError() }
    let vtableSize = Int(try load(vtable, as: UInt16.self))
    let objectSize = Int(try load(vtable + 2, as: UInt16.self))
    guard vtableSize >= 4, vtableSize % 2 == 0, contains(vtable, vtableSize), objectSize >= 4,
      contains(position, objectSize)
    else { throw FlatBufferError() }
    return FlatTable(buffer: self, position: position, vtable: vtable, vtableSize: vtableSize, objectSize: objectSize)
  }
}

/// A table of a `FlatBuffer`: fields by slot number (their order in the schema, a union
/// taking two slots: its type, then its value).
package struct FlatTable {
  let buffer: FlatBuffer
  let position: Int
  let vtable: Int
  let vtableSize: Int
  let objectSize: Int

  /// Position of the field in `slot` holding `size` bytes, or nil when it is absent.
  private func field(_ slot: Int, size: Int) throws -> Int? {
    let entry = 4 + 2 * slot
    guard entry + 2 <= vtableSize else { return nil }
    let offset = Int(try buffer.load(vtable + entry, as: UInt16.self))
    if offset == 0 { return nil }
    guard offset + size <= objectSize else { throw FlatBufferError() }
    return position + offset
  }

  /// The scalar in `slot`, or `defaultValue` when absent.
  package func scalar<T: FixedWidthInteger>(_ slot: Int, _ defaultValue: T) throws -> T {
    guard let at = try field(slot, size: MemoryLayout<T>.size) else { return defaultValue }
    return try buffer.load(at, as: T.self)
  }

  /// The boolean in `slot`, or `defaultValue` when absent.
  package func bool(_ slot: Int, _ defaultValue: Bool = false) throws -> Bool {
    try scalar(slot, UInt8(defaultValue ? 1 : 0)) != 0
  }

  /// Where the offset in `slot` points, or nil when absent.
  private func target(_ slot: Int) throws -> Int? {
    guard let at = try field(slot, size: 4) else { return nil }
    let (t, overflow) = at.addingReportingOverflow(Int(try buffer.load(at, as: UInt32.self)))
    guard !overflow, buffer.contains(t, 4) else { throw FlatBufferError() }
    return t
  }

  /// The table in `slot`, or nil when absent.
  package func table(_ slot: Int) throws -> FlatTable? {
    guard let t = try target(slot) else { return nil }
    return try buffer.table(at: t)
  }

  /// The string in `slot` (its bytes, not checked for UTF-8), or nil when absent.
  package func string(_ slot: Int) throws -> UnsafeBufferPointer<UInt8>? {
    guard let v = try vector(slot, elementSize: 1) else { return nil }
    return UnsafeBufferPointer(start: buffer.base + v.start, count: v.count)
  }

  /// The vector in `slot`: the position of its first element and its length, checked to fit
  /// in the buffer with elements of `elementSize` bytes; nil when absent.
  package func vector(_ slot: Int, elementSize: Int) throws -> (start: Int, count: Int)? {
    guard let t = try target(slot) else { return nil }
    let n = Int(try buffer.load(t, as: UInt32.self))
    let (bytes, overflow) = n.multipliedReportingOverflow(by: elementSize)
    guard !overflow, buffer.contains(t + 4, bytes) else { throw FlatBufferError() }
    return (t + 4, n)
  }

  /// The tables of the vector of tables in `slot` (empty when absent).
  package func tables(_ slot: Int) throws -> [FlatTable] {
    guard let v = try vector(slot, elementSize: 4) else { return [] }
    var out: [FlatTable] = []
    out.reserveCapacity(v.count)
    for i in 0..<v.count {
      let at = v.start + 4 * i
      let (t, overflow) = at.addingReportingOverflow(Int(try buffer.load(at, as: UInt32.self)))
      guard !overflow else { throw FlatBufferError() }
      out.append(try buffer.table(at: t))
    }
    return out
  }

  /// The little-endian integer at byte `offset` of element `index` of a vector of structs.
  package func structField<T: FixedWidthInteger>(
    _ vector: (start: Int, count: Int), stride: Int, index: Int, offset: Int, as: T.Type
  ) throws -> T {
    guard index >= 0 && index < vector.count else { throw FlatBufferError() }
    return try buffer.load(vector.start + index * stride + offset, as: T.self)
  }
}

/// Builds a FlatBuffer back to front: children are written before the tables that point at
/// them, and a position is a distance from the end of the buffer (`offset`).
package struct FlatBuilder {
  /// The bytes written so far, last byte of the buffer first.
  private var reversed: [UInt8] = []
  /// Fields of the table being built: slot and position.
  private var fields: [(slot: Int, at: Int)] = []
  private var tableStart = 0

  package init() {}

  /// Distance from the end of the buffer to the last object written.
  package var offset: Int { reversed.count }

  private mutating func align(_ size: Int, extra: Int = 0) {
    while (reversed.count + extra) % size != 0 { reversed.append(0) }
  }

  private mutating func raw<T: FixedWidthInteger>(_ v: T) {
    let x = v.littleEndian
    for i in stride(from: MemoryLayout<T>.size - 1, through: 0, by: -1) {
      reversed.append(UInt8(truncatingIfNeeded: x >> (8 * i)))
    }
  }

  private mutating func scalar<T: FixedWidthInteger>(_ v: T) {
    align(MemoryLayout<T>.size)
    raw(v)
  }

  private mutating func uoffset(to target: Int) {
    align(4)
    raw(UInt32(truncatingIfNeeded: reversed.count + 4 - target))
  }

  /// Writes a string; returns its position.
  package mutating func string(_ s: String) -> Int {
    let bytes = Array(s.utf8)
    align(4, extra: bytes.count + 1)
    reversed.append(0)
    reversed.append(contentsOf: bytes.reversed())
    raw(UInt32(truncatingIfNeeded: bytes.count))
    return offset
  }

  /// Writes a vector of structs, each given as its little-endian bytes (`alignment` is the
  /// struct's); returns its position.
  package mutating func structs(_ elements: [[UInt8]], alignment: Int) -> Int {
    let size = elements.first?.count ?? 0
    align(max(4, alignment), extra: size * elements.count)
    for e in elements.reversed() { reversed.append(contentsOf: e.reversed()) }
    raw(UInt32(truncatingIfNeeded: elements.count))
    return offset
  }

  /// Writes a vector of offsets to objects already written; returns its position.
  package mutating func offsets(_ targets: [Int]) -> Int {
    align(4, extra: 4 * targets.count)
    for t in targets.reversed() { uoffset(to: t) }
    raw(UInt32(truncatingIfNeeded: targets.count))
    return offset
  }

  /// Starts a table; add its fields, then `endTable`.
  package mutating func startTable() {
    fields = []
    tableStart = offset
  }

  /// Adds a scalar field (written even when it equals the schema's default).
  package mutating func add<T: FixedWidthInteger>(_ slot: Int, _ v: T) {
    scalar(v)
    fields.append((slot, offset))
  }

  /// Adds a field pointing at an object already written.
  package mutating func add(_ slot: Int, offsetTo target: Int) {
    uoffset(to: target)
    fields.append((slot, offset))
  }

  /// Ends the table: writes it and its vtable; returns its position.
  package mutating func endTable() -> Int {
    scalar(Int32(0))  // the vtable's offset, set below
    let table = offset
    let slots = (fields.map(\.slot).max() ?? -1) + 1
    var entries = [UInt16](repeating: 0, count: slots)
    for f in fields { entries[f.slot] = UInt16(truncatingIfNeeded: table - f.at) }
    for e in entries.reversed() { raw(e) }
    raw(UInt16(truncatingIfNeeded: table - tableStart))
    raw(UInt16(truncatingIfNeeded: 4 + 2 * slots))
    let soffset = UInt32(truncatingIfNeeded: offset - table)
    // The table's first four bytes are reversed[table - 4 ..< table], last byte first.
    for i in 0..<4 { reversed[table - 1 - i] = UInt8(truncatingIfNeeded: soffset >> (8 * i)) }
    return table
  }

  /// The finished buffer with `root` as its root table, a multiple of 8 bytes long.
  package mutating func finish(root: Int) -> [UInt8] {
    align(8, extra: 4)
    uoffset(to: root)
    return reversed.reversed()
  }
}
