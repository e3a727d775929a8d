// Zip archives holding a delimited file (`communes.zip`, as data.gouv.fr publishes): the
// directory is read from the archive's end by the shared zip layer (`ZipBytes`), one member
// is chosen (`with (file = "…")`, else the only one a format reads), then copied or inflated into memory of bounded size and
// checked against its size and CRC-32. Every offset and size read from the file is checked
// before use: a truncated, damaged or hostile archive is an error naming it, never a crash,
// a hang or an allocation of the size it claims. The zip layer's errors become the
// container's messages here.
//
// (ZIPFoundation, which TerrainIO links for zlib, is not used to read: on Linux its inflate
// loop never ends on a truncated member, and an encrypted member silently ends its listing.)

import TerrainStorage
import TerrainSyntax

extension FileContainer {
  /// A zip archive (PKWARE APPNOTE, with ZIP64): stored and deflated members.
  package static let zip = FileContainer(
    name: "zip", extensions: ["zip"], magic: [[0x50, 0x4B, 0x03, 0x04], [0x50, 0x4B, 0x05, 0x06]], loadOptions: ["file"]
  ) { bytes, name, options, cancel in
    let archive = ZipArchive(bytes: bytes.buffer, name: name)
    let member = try chooseMember(try archive.members(), archive: name, wanted: options.file)
    return ("\(name)/\(member.path)", try archive.extract(member, cancel: cancel))
  }
}

extension ZipMember {
  /// Folders, and the resource forks macOS adds (`__MACOSX/…`, `._name`), are not files.
  var isFile: Bool {
    !path.hasSuffix("/") && !path.hasPrefix("__MACOSX/") && !splitPath(path).name.hasPrefix("._")
  }
}

/// The member `load` reads: `wanted` (a path in the archive, or a file name found once),
/// else the only member whose extension a readable format knows.
private func chooseMember(_ members: [ZipMember], archive: String, wanted: String?) throws -> ZipMember {
  let files = members.filter(\.isFile)
  func listed(_ list: [ZipMember]) -> String {
    let shown = list.prefix(12).map(\.path).joined(separator: ", ")
    return list.count > 12 ? shown + ", …" : shown
  }
  if let wanted {
    if let m = files.first(where: { $0.path == wanted }) { return m }
    let byName = files.filter { splitPath($0.path).name == wanted }
    if byName.count == 1 { return byName[0] }
    throw LoadError(path: archive, line: 0, column: 0, .zipNoSuchMember, archive, wanted, listed(files))
  }
  let readable = files.filter { FormatRegistry.standard.format(forPath: $0.path)?.reader != nil }
  if readable.count == 1 { return readable[0] }
  if files.isEmpty { throw LoadError(path: archive, line: 0, column: 0, .zipEmpty, archive) }
  if readable.isEmpty { throw LoadError(path: archive, line: 0, column: 0, .zipNoDelimitedFile, archive, listed(files)) }
  throw LoadError(path: archive, line: 0, column: 0, .zipSeveralFiles, archive, listed(readable), readable[0].path)
}

/// A zip archive being loaded: the shared directory reader (`ZipBytes`), its errors turned
/// into the container's messages.
package struct ZipArchive {
  let zip: ZipBytes
  /// The archive as the user named it, for messages.
  let name: String

  package init(bytes: UnsafeBufferPointer<UInt8>, name: String) {
    self.zip = ZipBytes(bytes)
    self.name = name
  }

  /// An error about the archive, or about the member `path` (`archive.zip/communes.csv`).
  private func fail(_ entry: DiagnosticMessage, _ arguments: String..., member path: String? = nil) -> LoadError {
    var e = LoadError(path: path ?? name, line: 0, column: 0, entry)
    e.arguments = arguments
    return e
  }

  /// The members listed by the central directory, in its order.
  package func members() throws -> [ZipMember] {
    do {
      return try zip.members()
    } catch .noEnd {
      throw fail(.zipNoEnd, name)
    } catch .entryDamaged(let index) {
      throw fail(.zipDirectoryDamaged, name, String(index))
    } catch {
      throw fail(.zipDirectoryOutside, name)
    }
  }

  /// The bytes of `member`, checked against its size and CRC-32.
  package func extract(_ member: ZipMember, cancel: CancellationFlag?) throws -> FileBytes {
    let display = "\(name)/\(member.path)"
    // Bit 0: encrypted; bit 6: strong encryption; method 99: WinZip AES.
    if member.isEncrypted { throw fail(.zipMemberEncrypted, display, member: display) }
    guard member.method == 0 || member.method == 8 else { throw fail(.zipMemberMethod, display, String(member.method), member: display) }
    let start: Int
    let data: UnsafeBufferPointer<UInt8>
    do {
      (start, data) = try zip.data(of: member)
    } catch .localHeaderDamaged(let offset) {
      throw fail(.zipLocalHeaderDamaged, display, String(offset), member: display)
    } catch {
      throw fail(.zipDataOutside, display, member: display)
    }
    // The size the directory gives is checked before anything is allocated; the extraction
    // then stops as soon as the data passes it (the directory may lie).
    let limit = decompressionLimit()
    if member.size > limit {
      throw fail(.notEnoughMemory, display, byteSizeText(member.size), byteSizeText(limit), member: display)
    }
    let out: FileBytes
    if member.method == 0 {
      guard member.compressedSize == member.size else { throw fail(.zipSizeMismatch, display, byteSizeText(member.size), member: display) }
      let memory = allocateBytes(member.size)
      if let source = data.baseAddress { memory.copyMemory(from: source, byteCount: data.count) }
      out = FileBytes(adopting: memory, count: member.size)
    } else {
      let sizeText = byteSizeText(member.size)
      let target = InflateTarget(path: display, name: display, fileOffset: start, limit: member.size) {
        LoadError(path: display, line: 0, column: 0, .zipSizeMismatch, display, sizeText)
      }
      out = try inflate(data, wrapping: .raw, sizeHint: member.size, target: target, cancel: cancel)
      guard out.count == member.size else { throw fail(.zipSizeMismatch, display, sizeText, member: display) }
    }
    guard crc32Of(out.buffer) == member.crc else { throw fail(.zipChecksumMismatch, display, member: display) }
    return out
  }
}
