// The file of `.save` / `.open`: a zip archive whose members are stored (not compressed) —
// `manifest.json` first (what the session held besides its tables: the pilots, and which
// member is which table), then one Arrow IPC file per table. `unzip` gives files that pyarrow,
// Polars and DuckDB (through pyarrow) read as they are; terrain maps the archive and reads each
// member in place. Each member's data starts at a multiple of 64 bytes in the archive (a
// padding extra field, as Android's zipalign does), so its buffers stay aligned.
//
// The zip layout follows PKWARE's APPNOTE: local headers with the sizes and CRC-32 known
// beforehand (each Arrow member is measured by a first pass that writes nothing), a central
// directory, ZIP64 records when an offset or a size does not fit 32 bits.

import TerrainStorage
import TerrainSyntax

/// Writes a session file at `path` (atomically): `manifest` as `manifest.json`, then each
/// table as an Arrow IPC member named `member`.
///
/// - Throws: `ExportError` naming `path`, or `CancelledError`.
package func writeSessionFile(
  path: String, manifest: [UInt8], tables: [(member: String, table: Table)], cancel: CancellationFlag?
) throws {
  do {
    _ = try writeFileAtomically(path: path) { out in
      let zip = SessionZipWriter(out)
      zip.add("manifest.json", size: manifest.count, crc: crc32Of(manifest)) { $0.write(manifest) }
      for (member, table) in tables {
        // First pass: the size and CRC-32, writing nothing.
        let measure = CountingWriter(nil, crc: true)
        _ = try writeArrowFile(table, to: measure, cancel: cancel)
        try zip.add(member, size: measure.position, crc: measure.crc) { w in
          _ = try writeArrowFile(table, to: w, cancel: cancel)
        }
      }
      zip.finish()
      return 0
    }
  } catch let e as ExportOptionError {
    throw ExportError(path: path, e.entry, arguments: e.arguments)
  }
}

/// Reads the session file at `path`: the manifest's bytes, and each Arrow member read into a
/// table (`name/member` in errors). Nothing is kept if any part fails.
///
/// - Throws: `LoadError` naming the file and the part, or `CancelledError`.
package func readSessionFile(path: String, name: String, cancel: CancellationFlag?) throws
  -> (manifest: [UInt8], tables: [String: LoadResult])
{
  let file = try readWholeFile(path: path)
  let members = try zipMembers(file, name: name)
  guard let manifest = members.first(where: { $0.name == "manifest.json" }) else {
    throw LoadError(path: name, line: 0, column: 0, .sessionNotSessionFile, name)
  }
  let manifestBytes = Array(UnsafeBufferPointer(start: file.base + manifest.start, count: manifest.size))
  guard crc32Of(manifestBytes) == manifest.crc else {
    throw LoadError(path: name, line: 0, column: 0, .sessionDamaged, name, "manifest.json")
  }
  var tables: [String: LoadResult] = [:]
  for m in members where m.name.hasSuffix(".arrow") {
    try cancel?.check()
    let bytes = FileBytes(borrowing: UnsafeRawBufferPointer(start: file.base + m.start, count: m.size))
    tables[m.name] = try readArrow(bytes, name: name + "/" + m.name, cancel: cancel) { a, b in
      file.release(from: m.start + a, to: m.start + b)
    }
  }
  if file.fileShrank { throw LoadError(path: name, line: 0, column: 0, .fileShrank, name) }
  return (manifestBytes, tables)
}

// MARK: - zip, stored members only

/// The CRC-32 of `bytes`.
private func crc32Of(_ bytes: [UInt8]) -> UInt {
  let w = CountingWriter(nil, crc: true)
  w.write(bytes)
  return w.crc
}

/// Writes a zip archive of stored members whose sizes and CRCs are known before their data.
private final class SessionZipWriter {
  let out: CountingWriter
  var central: [UInt8] = []
  var count = 0

  init(_ out: ByteWriter) { self.out = CountingWriter(out) }

  /// Adds member `name` of `size` bytes with checksum `crc`, whose data `body` writes.
  func add(_ name: String, size: Int, crc: UInt, body: (CountingWriter) throws -> Void) rethrows {
    let nameBytes = Array(name.utf8)
    let offset = out.position
    let large = size >= 0xFFFF_FFFF || offset >= 0xFFFF_FFFF
    // ZIP64 extra field of the local header: both sizes.
    var extra: [UInt8] = []
    if large { extra = le16(1) + le16(16) + le64(size) + le64(size) }
    // Padding extra field (id 0xD935, Android's alignment) so that the data starts at a multiple of 64.
    let headerEnd = offset + 30 + nameBytes.count + extra.count + 6
    let padding = (64 - headerEnd % 64) % 64
    extra += le16(0xD935) + le16(2 + padding) + le16(64) + [UInt8](repeating: 0, count: padding)
    let crc32 = le32(Int(crc & 0xFFFF_FFFF))
    let size32 = le32(large ? 0xFFFF_FFFF : size)
    out.write(le32(0x0403_4B50) + le16(large ? 45 : 20) + le16(0x0800) + le16(0) + le16(0) + le16(0x21))
    out.write(crc32 + size32 + size32 + le16(nameBytes.count) + le16(extra.count) + nameBytes + extra)
    try body(out)
    var centralExtra: [UInt8] = []
    if large { centralExtra = le16(1) + le16(24) + le64(size) + le64(size) + le64(offset) }
    central += le32(0x0201_4B50) + le16(45) + le16(large ? 45 : 20) + le16(0x0800) + le16(0) + le16(0) + le16(0x21)
    central += crc32 + size32 + size32 + le16(nameBytes.count) + le16(centralExtra.count) + le16(0) + le16(0) + le16(0)
    central += le32(0) + le32(large ? 0xFFFF_FFFF : offset) + nameBytes + centralExtra
    count += 1
  }

  /// Writes the central directory and its end records.
  func finish() {
    let start = out.position
    out.write(central)
    let size = central.count
    let large = start >= 0xFFFF_FFFF || count >= 0xFFFF
    if large {
      let record = out.position
      out.write(le32(0x0606_4B50) + le64(44) + le16(45) + le16(45) + le32(0) + le32(0))
      out.write(le64(count) + le64(count) + le64(size) + le64(start))
      out.write(le32(0x0706_4B50) + le32(0) + le64(record) + le32(1))
    }
    let entries = le16(min(count, 0xFFFF))
    out.write(le32(0x0605_4B50) + le16(0) + le16(0) + entries + entries)
    out.write(le32(size) + le32(large ? 0xFFFF_FFFF : start) + le16(0))
  }
}

private func le16(_ v: Int) -> [UInt8] { littleEndianBytes(UInt16(truncatingIfNeeded: v)) }
private func le32(_ v: Int) -> [UInt8] { littleEndianBytes(UInt32(truncatingIfNeeded: v)) }
private func le64(_ v: Int) -> [UInt8] { littleEndianBytes(UInt64(truncatingIfNeeded: v)) }

/// A stored member of a zip archive: its name, where its data starts, its size and CRC-32.
private struct SessionZipMember {
  var name: String
  var start: Int
  var size: Int
  var crc: UInt
}

/// The members of the zip archive in `file`, every offset checked against the file.
private func zipMembers(_ file: FileBytes, name: String) throws -> [SessionZipMember] {
  let bytes = ArrowBytes(base: file.base, count: file.count)
  func damaged(_ part: String) -> LoadError { LoadError(path: name, line: 0, column: 0, .sessionDamaged, name, part) }
  func u16(_ at: Int) throws -> Int {
    guard bytes.contains(at, 2) else { throw damaged("zip directory") }
    return Int(UInt16(littleEndian: UnsafeRawPointer(file.base + at).loadUnaligned(as: UInt16.self)))
  }
  func u32(_ at: Int) throws -> Int {
    guard bytes.contains(at, 4) else { throw damaged("zip directory") }
    return Int(UInt32(littleEndian: UnsafeRawPointer(file.base + at).loadUnaligned(as: UInt32.self)))
  }
  func u64(_ at: Int) throws -> Int {
    guard bytes.contains(at, 8) else { throw damaged("zip directory") }
    let v = UInt64(littleEndian: UnsafeRawPointer(file.base + at).loadUnaligned(as: UInt64.self))
    guard v <= UInt64(Int.max) else { throw damaged("zip directory") }
    return Int(v)
  }
  // The end of central directory record: within the last 64 KiB + 22 bytes.
  var end = -1
  var at = file.count - 22
  while at >= 0 && at >= file.count - 22 - 0xFFFF {
    if try u32(at) == 0x0605_4B50 {
      end = at
      break
    }
    at -= 1
  }
  guard end >= 0 else {
    // A zip whose end is missing: cut short.
    if file.count >= 4, try u32(0) == 0x0403_4B50 { throw damaged("zip directory") }
    throw LoadError(path: name, line: 0, column: 0, .sessionNotSessionFile, name)
  }
  var entries = try u16(end + 10)
  var directory = try u32(end + 16)
  let zip64 = end >= 20 ? try u32(end - 20) == 0x0706_4B50 : false
  if (directory == 0xFFFF_FFFF || entries == 0xFFFF) && zip64 {
    let record = try u64(end - 12)
    guard try u32(record) == 0x0606_4B50 else { throw damaged("zip directory") }
    entries = try u64(record + 32)
    directory = try u64(record + 48)
  }
  var members: [SessionZipMember] = []
  var p = directory
  for _ in 0..<entries {
    guard try u32(p) == 0x0201_4B50 else { throw damaged("zip directory") }
    let method = try u16(p + 10)
    let crc = UInt(try u32(p + 16))
    var size = try u32(p + 24)
    let compressed = try u32(p + 20)
    let nameLength = try u16(p + 28)
    let extraLength = try u16(p + 30)
    let commentLength = try u16(p + 32)
    var local = try u32(p + 42)
    guard bytes.contains(p + 46, nameLength + extraLength) else { throw damaged("zip directory") }
    let memberName = String(decoding: UnsafeBufferPointer(start: file.base + p + 46, count: nameLength), as: UTF8.self)
    // ZIP64 extra field: the values that did not fit, in order.
    var e = p + 46 + nameLength
    let extraEnd = e + extraLength
    while e + 4 <= extraEnd {
      let id = try u16(e)
      let length = try u16(e + 2)
      if id == 1 {
        var q = e + 4
        if size == 0xFFFF_FFFF { size = try u64(q); q += 8 }
        if compressed == 0xFFFF_FFFF { q += 8 }
        if local == 0xFFFF_FFFF { local = try u64(q) }
      }
      e += 4 + length
    }
    guard method == 0 else { throw LoadError(path: name, line: 0, column: 0, .sessionCompressedMember, name, memberName) }
    guard try u32(local) == 0x0403_4B50 else { throw damaged(memberName) }
    let localName = try u16(local + 26)
    let localExtra = try u16(local + 28)
    let start = local + 30 + localName + localExtra
    guard bytes.contains(start, size) else { throw damaged(memberName) }
    members.append(SessionZipMember(name: memberName, start: start, size: size, crc: crc))
    p += 46 + nameLength + extraLength + commentLength
  }
  return members
}
