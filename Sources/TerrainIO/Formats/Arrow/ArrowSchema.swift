// Arrow IPC metadata as terrain reads it: the column types it loads, the blocks of the footer,
// the encapsulated messages and their record batches, each read from the FlatBuffers of
// Schema.fbs, Message.fbs and File.fbs (Apache Arrow columnar format, version 5) with every
// offset and length checked against the file.

import TerrainStorage
import TerrainSyntax

/// A fault in an Arrow file: a catalog entry and its arguments, the first naming the part of
/// the file (`footer`, `record batch 3, column pop`). Turned into a `LoadError` by the reader.
struct ArrowFault: Error {
  var entry: DiagnosticMessage
  var arguments: [String]

  init(_ entry: DiagnosticMessage, _ arguments: String...) {
    self.entry = entry
    self.arguments = arguments
  }
}

/// The FlatBuffers union `Type` of Schema.fbs, by its tag.
enum ArrowTypeTag {
  static let null: UInt8 = 1, int: UInt8 = 2, floatingPoint: UInt8 = 3, utf8: UInt8 = 5, bool: UInt8 = 6
  static let date: UInt8 = 8, timestamp: UInt8 = 10, largeUtf8: UInt8 = 20, utf8View: UInt8 = 24

  /// The type's name as pyarrow prints it, for messages about types terrain does not load.
  static func name(_ tag: UInt8) -> String {
    let names = [
      "none", "null", "int", "float", "binary", "string", "bool", "decimal", "date", "time", "timestamp",
      "interval", "list", "struct", "union", "fixed_size_binary", "fixed_size_list", "map", "duration",
      "large_binary", "large_string", "large_list", "run_end_encoded", "binary_view", "string_view", "list_view",
      "large_list_view",
    ]
    return Int(tag) < names.count ? names[Int(tag)] : "type #\(tag)"
  }
}

/// An Arrow type terrain loads, and how its values are laid out.
enum ArrowType: Equatable {
  /// Integers of 8, 16, 32 or 64 bits.
  case int(bits: Int, signed: Bool)
  /// Floats of 16, 32 or 64 bits.
  case float(bits: Int)
  case bool
  /// Date32 (days).
  case date32
  /// Date64 (milliseconds).
  case date64
  /// Timestamps, `perDay` units in a day.
  case timestamp(perDay: Int64)
  /// Utf8 (32-bit offsets) or LargeUtf8 (64-bit).
  case utf8(large: Bool)
  case utf8View
  /// Every value null.
  case null

  /// The terrain type of its values.
  var dataType: DataType {
    switch self {
    case .int: return .int
    case .float: return .float
    case .bool: return .bool
    case .date32, .date64, .timestamp: return .date
    case .utf8, .utf8View, .null: return .text
    }
  }

  /// Bytes per value of a fixed-width type (0 for others).
  var width: Int {
    switch self {
    case .int(let bits, _), .float(let bits): return bits / 8
    case .date32: return 4
    case .date64, .timestamp: return 8
    default: return 0
    }
  }

  /// Buffers of an array of this type in a record batch, before variadic buffers.
  var bufferCount: Int {
    switch self {
    case .null: return 0
    case .utf8: return 3
    default: return 2
    }
  }
}

/// One top-level field of the schema.
struct ArrowColumn {
  var name: String
  var type: ArrowType
  /// For a dictionary-encoded field: its dictionary's id and the integer type of its indices.
  var dictionary: (id: Int64, index: ArrowType)?
}

/// A block of the footer: where a message starts, its metadata length (with its prefix) and
/// its body length.
struct ArrowBlock {
  var offset: Int
  var metadataLength: Int
  var bodyLength: Int
}

/// An encapsulated message: its header table and where its body lies in the file.
struct ArrowMessage {
  var headerType: UInt8
  var header: FlatTable
  var bodyStart: Int
  var bodyLength: Int
}

/// `MessageHeader` tags of Message.fbs.
enum ArrowMessageTag {
  static let schema: UInt8 = 1, dictionaryBatch: UInt8 = 2, recordBatch: UInt8 = 3
}

/// The file as a whole: its bytes, for bounds checks.
struct ArrowBytes {
  let base: UnsafePointer<UInt8>
  let count: Int

  /// Whether `n` bytes at `at` lie in the file.
  func contains(_ at: Int, _ n: Int) -> Bool {
    at >= 0 && n >= 0 && at <= count && n <= count - at
  }

  func int32(_ at: Int) -> Int32 { Int32(littleEndian: UnsafeRawPointer(base + at).loadUnaligned(as: Int32.self)) }

  /// The footer: schema, dictionary blocks and record batch blocks.
  func footer() throws -> (schema: FlatTable, dictionaries: [ArrowBlock], batches: [ArrowBlock]) {
    let magic: [UInt8] = Array("ARROW1".utf8)
    guard count >= 8 + 10, (0..<6).allSatisfy({ base[$0] == magic[$0] && base[count - 6 + $0] == magic[$0] }) else {
      throw ArrowFault(.arrowNotArrow)
    }
    let length = Int(int32(count - 10))
    guard length > 0, length <= count - 18 else { throw ArrowFault(.arrowMalformed, "footer") }
    let footer = FlatBuffer(base: base + (count - 10 - length), count: length)
    return try flat("footer") {
      let root = try footer.root()
      guard let schema = try root.table(1) else { throw FlatBufferError() }
      return (schema, try blocks(root, 2), try blocks(root, 3))
    }
  }

  private func blocks(_ footer: FlatTable, _ slot: Int) throws -> [ArrowBlock] {
    guard let v = try footer.vector(slot, elementSize: 24) else { return [] }
    return try (0..<v.count).map { i in
      ArrowBlock(
        offset: Int(try footer.structField(v, stride: 24, index: i, offset: 0, as: Int64.self)),
        metadataLength: Int(try footer.structField(v, stride: 24, index: i, offset: 8, as: Int32.self)),
        bodyLength: Int(try footer.structField(v, stride: 24, index: i, offset: 16, as: Int64.self)))
    }
  }

  /// The message of `block`, checked to lie in the file; `part` names it in errors.
  func message(_ block: ArrowBlock, part: String) throws -> ArrowMessage {
    guard block.metadataLength >= 8, contains(block.offset, block.metadataLength) else {
      throw ArrowFault(.arrowMessagePastEnd, part)
    }
    // A continuation marker then the length (since Arrow 0.15), or the length alone.
    var start = block.offset + 4
    var length = Int(int32(block.offset))
    if length == -1 {
      length = Int(int32(block.offset + 4))
      start += 4
    }
    guard length > 0, length <= block.offset + block.metadataLength - start else {
      throw ArrowFault(.arrowMalformed, part)
    }
    let buffer = FlatBuffer(base: base + start, count: length)
    let bodyStart = block.offset + block.metadataLength
    return try flat(part) {
      let root = try buffer.root()
      let headerType = try root.scalar(1, UInt8(0))
      guard let header = try root.table(2) else { throw FlatBufferError() }
      let bodyLength = Int(try root.scalar(3, Int64(0)))
      guard contains(bodyStart, bodyLength) else { throw ArrowFault(.arrowMessagePastEnd, part) }
      return ArrowMessage(headerType: headerType, header: header, bodyStart: bodyStart, bodyLength: bodyLength)
    }
  }
}

/// Runs `body`, turning a malformed FlatBuffer into a fault naming `part`.
func flat<T>(_ part: String, _ body: () throws -> T) throws -> T {
  do {
    return try body()
  } catch is FlatBufferError {
    throw ArrowFault(.arrowMalformed, part)
  }
}

/// The top-level fields of a schema, each of a type terrain loads.
func arrowColumns(_ schema: FlatTable) throws -> [ArrowColumn] {
  if try flat("schema", { try schema.scalar(0, Int16(0)) }) != 0 { throw ArrowFault(.arrowBigEndian) }
  let fields = try flat("schema") { try schema.tables(1) }
  var columns: [ArrowColumn] = []
  var names = Set<String>()
  for (i, field) in fields.enumerated() {
    var name = try flat("schema") { try field.string(0).map { String(decoding: $0, as: UTF8.self) } } ?? ""
    if name.isEmpty { name = "column\(i + 1)" }
    guard names.insert(name).inserted else { throw ArrowFault(.arrowDuplicateColumn, name) }
    let part = "schema, column \(name)"
    let tag = try flat(part) { try field.scalar(2, UInt8(0)) }
    let typeTable = try flat(part) { try field.table(3) }
    let type = try arrowType(tag, typeTable, column: name, part: part)
    var column = ArrowColumn(name: name, type: type, dictionary: nil)
    if let encoding = try flat(part, { try field.table(4) }) {
      let id = try flat(part) { try encoding.scalar(0, Int64(0)) }
      var index = ArrowType.int(bits: 32, signed: true)
      if let t = try flat(part, { try encoding.table(1) }) { index = try arrowType(ArrowTypeTag.int, t, column: name, part: part) }
      guard type.dataType == .text, type != .null else {
        throw ArrowFault(.arrowDictionaryNotText, name, ArrowTypeTag.name(tag))
      }
      column.dictionary = (id, index)
    }
    columns.append(column)
  }
  return columns
}

/// The type of tag `tag` with parameters `table`; an error naming `column` for the others.
private func arrowType(_ tag: UInt8, _ table: FlatTable?, column: String, part: String) throws -> ArrowType {
  func scalar<T: FixedWidthInteger>(_ slot: Int, _ d: T) throws -> T {
    guard let t = table else { return d }
    return try flat(part) { try t.scalar(slot, d) }
  }
  switch tag {
  case ArrowTypeTag.null: return .null
  case ArrowTypeTag.int:
    let bits = Int(try scalar(0, Int32(0)))
    let signed = try scalar(1, UInt8(0)) != 0
    guard [8, 16, 32, 64].contains(bits) else { throw ArrowFault(.arrowMalformed, part) }
    return .int(bits: bits, signed: signed)
  case ArrowTypeTag.floatingPoint:
    switch try scalar(0, Int16(0)) {
    case 0: return .float(bits: 16)
    case 1: return .float(bits: 32)
    case 2: return .float(bits: 64)
    default: throw ArrowFault(.arrowMalformed, part)
    }
  case ArrowTypeTag.bool: return .bool
  case ArrowTypeTag.utf8: return .utf8(large: false)
  case ArrowTypeTag.largeUtf8: return .utf8(large: true)
  case ArrowTypeTag.utf8View: return .utf8View
  case ArrowTypeTag.date: return try scalar(0, Int16(1)) == 0 ? .date32 : .date64
  case ArrowTypeTag.timestamp:
    let perDay: [Int64] = [86_400, 86_400_000, 86_400_000_000, 86_400_000_000_000]
    let unit = Int(try scalar(0, Int16(0)))
    guard unit >= 0 && unit < perDay.count else { throw ArrowFault(.arrowMalformed, part) }
    return .timestamp(perDay: perDay[unit])
  default:
    throw ArrowFault(.arrowUnsupportedType, column, ArrowTypeTag.name(tag))
  }
}

/// A record batch's metadata: its length, field nodes and buffers, checked against its body.
/// Buffers compressed with LZ4 (Arrow's `LZ4_FRAME` body compression) are decoded on first use
/// and kept until `release()`.
final class ArrowBatch {
  let bytes: ArrowBytes
  let message: ArrowMessage
  let length: Int
  let nodes: (start: Int, count: Int)
  let buffers: (start: Int, count: Int)
  let variadic: (start: Int, count: Int)?
  let table: FlatTable
  /// Whether the buffers are LZ4 frames, each after its uncompressed length.
  let compressed: Bool
  /// Decoded buffers by index: owned memory (freed by `release`) or a view of the file.
  private var decoded: [Int: (base: UnsafePointer<UInt8>, count: Int, owned: Bool)] = [:]

  /// Reads the `RecordBatch` table `table` of `message`.
  init(_ table: FlatTable, message: ArrowMessage, bytes: ArrowBytes, part: String) throws {
    self.table = table
    self.message = message
    self.bytes = bytes
    let length = try flat(part) { Int(try table.scalar(0, Int64(0))) }
    guard length >= 0 else { throw ArrowFault(.arrowBadLength, part, String(length)) }
    self.length = length
    nodes = try flat(part) { try table.vector(1, elementSize: 16) } ?? (0, 0)
    buffers = try flat(part) { try table.vector(2, elementSize: 16) } ?? (0, 0)
    variadic = try flat(part) { try table.vector(4, elementSize: 8) }
    if let compression = try flat(part, { try table.table(3) }) {
      let codec = try flat(part) { try compression.scalar(0, Int8(0)) }
      guard codec == 0 else { throw ArrowFault(.arrowCompressed, part, codec == 1 ? "ZSTD" : "codec \(codec)") }
      compressed = true
    } else {
      compressed = false
    }
  }

  deinit { release() }

  /// Frees the decoded buffers.
  func release() {
    for (_, d) in decoded where d.owned { UnsafeMutablePointer(mutating: d.base).deallocate() }
    decoded = [:]
  }

  /// Node `i`: its length and null count.
  func node(_ i: Int, part: String) throws -> (length: Int, nulls: Int) {
    try flat(part) {
      let n = Int(try table.structField(nodes, stride: 16, index: i, offset: 0, as: Int64.self))
      let z = Int(try table.structField(nodes, stride: 16, index: i, offset: 8, as: Int64.self))
      guard n >= 0, z >= 0, z <= n else { throw ArrowFault(.arrowBadLength, part, String(n)) }
      return (n, z)
    }
  }

  /// The number of variadic buffers of the `i`-th view field.
  func variadicCount(_ i: Int, part: String) throws -> Int {
    guard let v = variadic else { throw ArrowFault(.arrowMalformed, part) }
    let n = try flat(part) { Int(try table.structField(v, stride: 8, index: i, offset: 0, as: Int64.self)) }
    guard n >= 0, n <= buffers.count else { throw ArrowFault(.arrowMalformed, part) }
    return n
  }

  /// Buffer `i`, checked to lie in the body, and at least `needed` bytes long.
  func buffer(_ i: Int, needed: Int, part: String) throws -> UnsafePointer<UInt8> {
    let (p, length) = try resolve(i, part: part)
    guard length >= needed else { throw ArrowFault(.arrowBufferTooShort, part, String(length), String(needed)) }
    return p
  }

  /// The length in bytes of buffer `i` (decoded).
  func bufferLength(_ i: Int, part: String) throws -> Int { try resolve(i, part: part).count }

  /// Buffer `i`: where it lies in the file, or its decoded bytes.
  private func resolve(_ i: Int, part: String) throws -> (base: UnsafePointer<UInt8>, count: Int) {
    if let d = decoded[i] { return (d.base, d.count) }
    let (offset, length) = try flat(part) {
      (Int(try table.structField(buffers, stride: 16, index: i, offset: 0, as: Int64.self)),
        Int(try table.structField(buffers, stride: 16, index: i, offset: 8, as: Int64.self)))
    }
    guard offset >= 0, length >= 0, offset <= message.bodyLength, length <= message.bodyLength - offset,
      bytes.contains(message.bodyStart + offset, length)
    else { throw ArrowFault(.arrowBufferPastEnd, part) }
    let p = bytes.base + message.bodyStart + offset
    guard compressed && length > 0 else { return (p, length) }
    // The uncompressed length, then the frame (-1: the bytes as they are).
    guard length >= 8 else { throw ArrowFault(.arrowMalformed, part) }
    let size = Int(Int64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: Int64.self)))
    if size == -1 {
      decoded[i] = (p + 8, length - 8, false)
      return (p + 8, length - 8)
    }
    // LZ4 expands at most about 255 times.
    guard size >= 0, size / 255 <= length else { throw ArrowFault(.arrowCorruptCompression, part) }
    if let available = availableMemory(), size > available {
      throw ArrowFault(.notEnoughMemory, part, "\(size) bytes", "\(available) bytes")
    }
    let out = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, size))
    guard decodeLZ4Frame(p + 8, count: length - 8, into: out, capacity: size) == size else {
      out.deallocate()
      throw ArrowFault(.arrowCorruptCompression, part)
    }
    decoded[i] = (UnsafePointer(out), size, true)
    return (UnsafePointer(out), size)
  }
}

/// `n * size + plus`, or a fault naming `part` when it overflows.
func checkedBytes(_ n: Int, _ size: Int, part: String, plus: Int = 0) throws -> Int {
  let (b, overflow) = n.multipliedReportingOverflow(by: size)
  let (c, overflow2) = b.addingReportingOverflow(plus)
  guard !overflow, !overflow2 else { throw ArrowFault(.arrowBadLength, part, String(n)) }
  return c
}
