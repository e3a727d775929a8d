// The one reader of zip archives' central directories (PKWARE APPNOTE, with ZIP64), shared by
// the zip container, xlsx workbooks and `.save` session files. It reads straight from the
// bytes it is given (a mapped file: nothing is copied), and every offset and size read from
// the file is checked before use. Its errors say what is wrong in zip terms; each user turns
// them into its own catalog messages.

import TerrainStorage

/// What is wrong with a zip archive's directory or with where a member's data lies.
package enum ZipError: Error, Equatable {
  /// No end-of-central-directory record in the last 64 KiB + 22 bytes.
  case noEnd
  /// The ZIP64 locator points to no valid ZIP64 end record.
  case zip64RecordDamaged
  /// The central directory lies (partly) outside the file, or claims more entries than it holds.
  case directoryOutside
  /// Entry `index` (from 1) of the central directory is damaged.
  case entryDamaged(index: Int)
  /// The local header of a member is not where the directory says (its offset).
  case localHeaderDamaged(offset: Int)
  /// The data of a member lies (partly) outside the file.
  case dataOutside
}

/// One file of an archive, as its central directory describes it.
package struct ZipMember {
  /// Its path inside the archive (`data/communes.csv`, `xl/workbook.xml`).
  package var path: String
  /// The general-purpose flags (bit 0: encrypted; bit 3: data descriptor; bit 6: strong encryption).
  package var flags: Int
  /// The compression method (0: stored, 8: deflated).
  package var method: Int
  /// The CRC-32 of its uncompressed bytes.
  package var crc: UInt32
  package var compressedSize: Int
  /// Its uncompressed size.
  package var size: Int
  /// Where its local header starts in the archive.
  package var headerOffset: Int

  /// Whether it is encrypted: flag bit 0 or 6, or method 99 (WinZip AES).
  package var isEncrypted: Bool { flags & 0x41 != 0 || method == 99 }
}

/// The bytes of a zip archive (which must outlive it), read with every offset checked.
package struct ZipBytes {
  /// The archive's bytes.
  package let bytes: UnsafeBufferPointer<UInt8>

  /// The archive in `bytes`.
  package init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

  /// The little-endian integer of `width` bytes at `at`, nil when it is not inside the file
  /// or does not fit an `Int`.
  package func int(_ at: Int, _ width: Int) -> Int? {
    guard at >= 0, width <= 8, at <= bytes.count - width else { return nil }
    var v: UInt64 = 0
    for i in stride(from: width - 1, through: 0, by: -1) { v = v << 8 | UInt64(bytes[at + i]) }
    return Int(exactly: v)
  }

  /// Whether the 4-byte `signature` is at `at`.
  package func hasSignature(_ at: Int, _ signature: Int) -> Bool { int(at, 4) == signature }

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
  ///
  /// - Throws: `ZipError` (`noEnd`, `zip64RecordDamaged`, `directoryOutside`, `entryDamaged`).
  package func members() throws(ZipError) -> [ZipMember] {
    // The end-of-central-directory record: 22 bytes, then a comment of up to 65,535.
    var eocd: Int? = nil
    var at = bytes.count - 22
    while at >= 0 && at >= bytes.count - 22 - 0xFFFF {
      if bytes[at] == 0x50, hasSignature(at, 0x0605_4B50) { eocd = at; break }
      at -= 1
    }
    guard let end = eocd, var count = int(end + 10, 2), var directorySize = int(end + 12, 4),
      var directoryOffset = int(end + 16, 4)
    else { throw .noEnd }
    // ZIP64: a locator just before the record points to the 64-bit record.
    if hasSignature(end - 20, 0x0706_4B50) {
      guard let record = int(end - 20 + 8, 8), hasSignature(record, 0x0606_4B50),
        let n = int(record + 32, 8), let size = int(record + 40, 8), let offset = int(record + 48, 8)
      else { throw .zip64RecordDamaged }
      (count, directorySize, directoryOffset) = (n, size, offset)
    }
    // Each entry takes at least 46 bytes: the count cannot ask for more than the directory holds.
    guard let directoryEnd = sum(directoryOffset, directorySize), directoryEnd <= bytes.count,
      count <= directorySize / 46
    else { throw .directoryOutside }
    var members: [ZipMember] = []
    members.reserveCapacity(count)
    var p = directoryOffset
    for index in 0..<count {
      guard hasSignature(p, 0x0201_4B50), let flags = int(p + 8, 2), let method = int(p + 10, 2),
        let crc = int(p + 16, 4), var compressed = int(p + 20, 4), var size = int(p + 24, 4),
        let nameLength = int(p + 28, 2), let extraLength = int(p + 30, 2), let commentLength = int(p + 32, 2),
        var offset = int(p + 42, 4),
        let next = sum(p, 46, nameLength, extraLength, commentLength), next <= directoryEnd
      else { throw .entryDamaged(index: index + 1) }
      let path = String(decoding: UnsafeBufferPointer(rebasing: bytes[(p + 46)..<(p + 46 + nameLength)]), as: UTF8.self)
      // ZIP64 extra field: the 64-bit values of the fields set to 0xFFFFFFFF, in this order.
      var e = p + 46 + nameLength
      let extraEnd = e + extraLength
      while e + 4 <= extraEnd, let id = int(e, 2), let length = int(e + 2, 2) {
        let dataEnd = e + 4 + length
        guard dataEnd <= extraEnd else { break }
        if id == 1 {
          var f = e + 4
          func wide(_ field: inout Int) throws(ZipError) {
            guard field == 0xFFFF_FFFF else { return }
            guard f + 8 <= dataEnd, let v = int(f, 8) else { throw .entryDamaged(index: index + 1) }
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

  /// The compressed bytes of `member`: after its local header, checked to lie inside the archive.
  ///
  /// - Throws: `ZipError.localHeaderDamaged` or `ZipError.dataOutside`.
  package func data(of member: ZipMember) throws(ZipError) -> (start: Int, bytes: UnsafeBufferPointer<UInt8>) {
    let h = member.headerOffset
    guard hasSignature(h, 0x0403_4B50), let nameLength = int(h + 26, 2), let extraLength = int(h + 28, 2) else {
      throw .localHeaderDamaged(offset: h)
    }
    guard let start = sum(h, 30, nameLength, extraLength), let end = sum(start, member.compressedSize),
      end <= bytes.count
    else { throw .dataOutside }
    return (start, UnsafeBufferPointer(rebasing: bytes[start..<end]))
  }
}
