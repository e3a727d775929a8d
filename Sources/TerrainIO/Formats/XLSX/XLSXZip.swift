// The zip archive an xlsx workbook is, read through the shared zip layer (Formats/Zip/): the
// directory (`ZipBytes.members`), looked up by part name, and each part as a stream
// (`ZipMemberStream`), with the zip layer's errors turned into xlsx messages.

import TerrainStorage
import TerrainSyntax

/// A reason an xlsx file cannot be read: a catalog entry and its arguments, turned into a
/// `LoadError` naming the file by the format's reader.
struct XLSXFailure: Error {
  var entry: DiagnosticMessage
  var arguments: [String]

  /// A failure (named `fail` so that the catalog test counts its arguments).
  static func fail(_ entry: DiagnosticMessage, _ arguments: String...) -> XLSXFailure {
    XLSXFailure(entry: entry, arguments: arguments)
  }
}

/// The members of the zip archive held in `bytes` (which must outlive it), by part name.
struct XLSXZipDirectory {
  let zip: ZipBytes
  private(set) var members: [ZipMember] = []
  private var byName: [String: Int] = [:]
  private var byLowercasedName: [String: Int] = [:]

  /// Reads the central directory.
  ///
  /// - Throws: `XLSXFailure` when the bytes are not a zip archive or it is truncated.
  init(_ bytes: UnsafeBufferPointer<UInt8>) throws {
    zip = ZipBytes(bytes)
    // An OLE compound file (`D0 CF 11 E0`): an encrypted (password-protected) workbook, or an old `.xls`.
    if zip.int(0, 4) == 0xE011_CFD0 { throw XLSXFailure.fail(.xlsxEncrypted) }
    guard zip.hasSignature(0, 0x0403_4B50) || zip.hasSignature(0, 0x0605_4B50) else { throw XLSXFailure.fail(.xlsxNotAZip) }
    do {
      members = try zip.members()
    } catch .noEnd, .zip64RecordDamaged {
      throw XLSXFailure.fail(.xlsxNoDirectory)
    } catch {
      throw XLSXFailure.fail(.xlsxDirectoryDamaged)
    }
    for (i, m) in members.enumerated() {
      if byName[m.path] == nil { byName[m.path] = i }
      let lower = m.path.lowercased()
      if byLowercasedName[lower] == nil { byLowercasedName[lower] = i }
    }
  }

  /// The member called `name` (a leading `/` ignored; case-insensitive when no exact match:
  /// some writers spell `xl/SharedStrings.xml`).
  func member(_ name: String) -> ZipMember? {
    let n = name.hasPrefix("/") ? String(name.dropFirst()) : name
    if let i = byName[n] ?? byLowercasedName[n.lowercased()], members.indices.contains(i) { return members[i] }
    return nil
  }

  /// The bytes of `m`, inflated chunk by chunk; the CRC and the size are checked at the end.
  ///
  /// - Throws: `XLSXFailure` for an encrypted member, an unknown method, damaged data.
  func stream(_ m: ZipMember) throws -> ZipMemberStream {
    try ZipMemberStream(m, in: zip) { reason in
      switch reason {
      case .encrypted: XLSXFailure.fail(.xlsxEncrypted)
      case .unknownMethod(let method): XLSXFailure.fail(.xlsxUnknownMethod, m.path, String(method))
      case .location: XLSXFailure.fail(.xlsxMemberOutside, m.path)
      case .inflateFailed: XLSXFailure.fail(.xlsxInflateFailed, m.path)
      case .cut: XLSXFailure.fail(.xlsxMemberCut, m.path)
      case .sizeMismatch: XLSXFailure.fail(.xlsxSizeMismatch, m.path)
      case .badCRC: XLSXFailure.fail(.xlsxBadCRC, m.path)
      }
    }
  }
}
