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
      let zip = ZipWriter(out, dated: false)
      zip.addStored("manifest.json", size: manifest.count, crc: manifest.withUnsafeBufferPointer(crc32Of)) { out.append(manifest) }
      for (member, table) in tables {
        // First pass: the size and CRC-32, writing nothing.
        let measure = CountingWriter(nil, crc: true)
        _ = try writeArrowFile(table, to: measure, cancel: cancel)
        try zip.addStored(member, size: measure.position, crc: UInt32(truncatingIfNeeded: measure.crc)) {
          _ = try writeArrowFile(table, to: CountingWriter(out), cancel: cancel)
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
  try readSessionFile(try readWholeFile(path: path), name: name, cancel: cancel)
}

/// `readSessionFile(path:name:cancel:)` on a session file's bytes already read or mapped.
package func readSessionFile(_ file: FileBytes, name: String, cancel: CancellationFlag?) throws
  -> (manifest: [UInt8], tables: [String: LoadResult])
{
  let members = try zipMembers(file, name: name)
  guard let manifest = members.first(where: { $0.name == "manifest.json" }) else {
    throw LoadError(path: name, line: 0, column: 0, .sessionNotSessionFile, name)
  }
  let manifestBytes = Array(UnsafeBufferPointer(start: file.base + manifest.start, count: manifest.size))
  guard manifestBytes.withUnsafeBufferPointer(crc32Of) == manifest.crc else {
    throw LoadError(path: name, line: 0, column: 0, .sessionDamaged, name, "manifest.json")
  }
  var tables: [String: LoadResult] = [:]
  for m in members where m.name.hasSuffix(".arrow") {
    try cancel?.check()
    // A bit flipped in a value would read as another value: every member is checked whole.
    let raw = UnsafeBufferPointer(start: file.base + m.start, count: m.size)
    guard crc32Of(raw) == m.crc else {
      throw LoadError(path: name, line: 0, column: 0, .sessionDamaged, name, m.name)
    }
    let bytes = FileBytes(borrowing: UnsafeRawBufferPointer(start: file.base + m.start, count: m.size))
    tables[m.name] = try readArrow(bytes, name: name + "/" + m.name, cancel: cancel) { a, b in
      file.release(from: m.start + a, to: m.start + b)
    }
  }
  if file.fileShrank { throw LoadError(path: name, line: 0, column: 0, .fileShrank, name) }
  return (manifestBytes, tables)
}

// MARK: - zip, stored members only (through the shared zip layer, Formats/Zip/)

/// A stored member of a zip archive: its name, where its data starts, its size and CRC-32.
private struct SessionZipMember {
  var name: String
  var start: Int
  var size: Int
  var crc: UInt32
}

/// The members of the zip archive in `file`, read by the shared zip layer (every offset
/// checked against the file); all must be stored.
private func zipMembers(_ file: FileBytes, name: String) throws -> [SessionZipMember] {
  let zip = ZipBytes(file.buffer)
  func damaged(_ part: String) -> LoadError { LoadError(path: name, line: 0, column: 0, .sessionDamaged, name, part) }
  let members: [ZipMember]
  do {
    members = try zip.members()
  } catch .noEnd {
    // A zip whose end is missing: cut short.
    if zip.hasSignature(0, 0x0403_4B50) { throw damaged("zip directory") }
    throw LoadError(path: name, line: 0, column: 0, .sessionNotSessionFile, name)
  } catch {
    throw damaged("zip directory")
  }
  return try members.map { m in
    guard m.method == 0 else { throw LoadError(path: name, line: 0, column: 0, .sessionCompressedMember, name, m.path) }
    guard m.compressedSize == m.size, let data = try? zip.data(of: m) else { throw damaged(m.path) }
    return SessionZipMember(name: m.path, start: data.start, size: m.size, crc: m.crc)
  }
}
