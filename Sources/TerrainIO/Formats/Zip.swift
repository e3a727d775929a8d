// Zip archives holding a delimited file (`communes.zip`, as data.gouv.fr publishes): the
// directory is read from the archive's end, one member is chosen (`with (file = "…")`, else
// the only one a format reads), then copied or inflated into memory of bounded size and
// checked against its size and CRC-32. Every offset and size read from the file is checked
// before use: a truncated, damaged or hostile archive is an error naming it, never a crash,
// a hang or an allocation of the size it claims.
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

/// One file of an archive, as its central directory describes it.
package struct ZipMember {
  /// Its path inside the archive (`data/communes.csv`).
  package var path: String
  var flags: Int
  var method: Int
  var crc: UInt32
  var compressedSize: Int
  var size: Int
  var headerOffset: Int

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

/// The bytes of a zip archive, read with every offset checked.
package struct ZipArchive {
  let bytes: UnsafeBufferPointer<UInt8>
  /// The archive as the user named it, for messages.
  let name: String

  package init(bytes: UnsafeBufferPointer<UInt8>, name: String) {
    self.bytes = bytes
    self.name = name
  }

  /// An error about the archive, or about the member `path` (`archive.zip/communes.csv`).
  private func fail(_ entry: DiagnosticMessage, _ arguments: String..., member path: String? = nil) -> LoadError {
    var e = LoadError(path: path ?? name, line: 0, column: 0, entry)
    e.arguments = arguments
    return e
  }

  /// The little-endian integer of `width` bytes at `at`, nil when it is not inside the file.
  private func int(_ at: Int, _ width: Int) -> Int? {
    guard at >= 0, width <= 8, at <= bytes.count - width else { return nil }
    var v: UInt64 = 0
    for i in stride(from: width - 1, through: 0, by: -1) { v = v << 8 | UInt64(bytes[at + i]) }
    return Int(exactly: v)
  }

  private func hasSignature(_ at: Int, _ signature: Int) -> Bool { int(at, 4) == signature }

  /// `a + b + …`, nil on overflow.
  private func sum(_ terms: Int...) -> Int? {
    var total = 0
    for t in terms {
      let (s, overflow) = total.addingReportingOverflow(t)
      if overflow { return nil }
      total = s
    }
    return total
  }

  /// The members listed by the central directory, in its order.
  package func members() throws -> [ZipMember] {
    // The end-of-central-directory record: 22 bytes, then a comment of up to 65,535.
    var eocd: Int? = nil
    var at = bytes.count - 22
    while at >= 0 && at >= bytes.count - 22 - 0xFFFF {
      if hasSignature(at, 0x0605_4B50) { eocd = at; break }
      at -= 1
    }
    guard let end = eocd, var count = int(end + 10, 2), var directorySize = int(end + 12, 4),
      var directoryOffset = int(end + 16, 4)
    else { throw fail(.zipNoEnd, name) }
    // ZIP64: a locator just before the record points to the 64-bit record.
    if hasSignature(end - 20, 0x0706_4B50) {
      guard let record = int(end - 20 + 8, 8), hasSignature(record, 0x0606_4B50),
        let n = int(record + 32, 8), let size = int(record + 40, 8), let offset = int(record + 48, 8)
      else { throw fail(.zipDirectoryOutside, name) }
      (count, directorySize, directoryOffset) = (n, size, offset)
    }
    guard let directoryEnd = sum(directoryOffset, directorySize), directoryEnd <= bytes.count,
      count <= directorySize / 46
    else { throw fail(.zipDirectoryOutside, name) }
    var members: [ZipMember] = []
    members.reserveCapacity(count)
    var p = directoryOffset
    for index in 0..<count {
      guard hasSignature(p, 0x0201_4B50), let flags = int(p + 8, 2), let method = int(p + 10, 2),
        let crc = int(p + 16, 4), var compressed = int(p + 20, 4), var size = int(p + 24, 4),
        let nameLength = int(p + 28, 2), let extraLength = int(p + 30, 2), let commentLength = int(p + 32, 2),
        var offset = int(p + 42, 4),
        let next = sum(p, 46, nameLength, extraLength, commentLength), next <= directoryEnd
      else { throw fail(.zipDirectoryDamaged, name, String(index + 1)) }
      let path = String(decoding: UnsafeBufferPointer(rebasing: bytes[(p + 46)..<(p + 46 + nameLength)]), as: UTF8.self)
      // ZIP64 extra field: the 64-bit values of the fields set to 0xFFFFFFFF, in this order.
      var e = p + 46 + nameLength
      let extraEnd = e + extraLength
      while e + 4 <= extraEnd, let id = int(e, 2), let length = int(e + 2, 2) {
        let dataEnd = e + 4 + length
        guard dataEnd <= extraEnd else { break }
        if id == 1 {
          var f = e + 4
          func wide(_ field: inout Int) throws {
            guard field == 0xFFFF_FFFF else { return }
            guard f + 8 <= dataEnd, let v = int(f, 8) else { throw fail(.zipDirectoryDamaged, name, String(index + 1)) }
            field = v
            f += 8
          }
          try wide(&size)
          try wide(&compressed)
          try wide(&offset)
        }
        e = dataEnd
      }
      members.append(
        ZipMember(
          path: path, flags: flags, method: method, crc: UInt32(truncatingIfNeeded: crc), compressedSize: compressed,
          size: size, headerOffset: offset))
      p = next
    }
    return members
  }

  /// The bytes of `member`, checked against its size and CRC-32.
  package func extract(_ member: ZipMember, cancel: CancellationFlag?) throws -> FileBytes {
    let display = "\(name)/\(member.path)"
    // Bit 0: encrypted; bit 6: strong encryption; method 99: WinZip AES.
    if member.flags & 0x41 != 0 || member.method == 99 { throw fail(.zipMemberEncrypted, display, member: display) }
    guard member.method == 0 || member.method == 8 else { throw fail(.zipMemberMethod, display, String(member.method), member: display) }
    let h = member.headerOffset
    guard hasSignature(h, 0x0403_4B50), let nameLength = int(h + 26, 2), let extraLength = int(h + 28, 2) else {
      throw fail(.zipLocalHeaderDamaged, display, String(h), member: display)
    }
    guard let start = sum(h, 30, nameLength, extraLength), let end = sum(start, member.compressedSize),
      end <= bytes.count
    else { throw fail(.zipDataOutside, display, member: display) }
    // The size the directory gives is checked before anything is allocated; the extraction
    // then stops as soon as the data passes it (the directory may lie).
    let limit = decompressionLimit()
    if member.size > limit {
      throw fail(.notEnoughMemory, display, byteSizeText(member.size), byteSizeText(limit), member: display)
    }
    let data = UnsafeBufferPointer(rebasing: bytes[start..<end])
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
