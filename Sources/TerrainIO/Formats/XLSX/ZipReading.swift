// Reading the zip archive an xlsx workbook is: the central directory (ZIP64 too), and each
// member as a stream of inflated chunks, so that a sheet of a million rows is never held
// whole in memory. Read straight from the mapped file with zlib (no copy of the archive, and
// errors that say which part is damaged); ZIPFoundation is not used here because it wants
// the archive as `Data` and gives coarse errors.

import CZlib
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

/// One member of a zip archive, as its central directory describes it.
struct XLSXZipMember {
  var name: String
  var method: UInt16
  var flags: UInt16
  var crc: UInt32
  var compressedSize: Int
  var size: Int
  var localHeaderOffset: Int
}

/// Little-endian reads with bounds checks over the archive's bytes.
struct XLSXByteView {
  let base: UnsafePointer<UInt8>
  let count: Int

  func u16(_ at: Int) -> UInt16? {
    guard at >= 0, at <= count - 2 else { return nil }
    return UInt16(base[at]) | UInt16(base[at + 1]) << 8
  }
  func u32(_ at: Int) -> UInt32? {
    guard at >= 0, at <= count - 4 else { return nil }
    var v: UInt32 = 0
    for i in 0..<4 { v |= UInt32(base[at + i]) << (8 * i) }
    return v
  }
  func u64(_ at: Int) -> UInt64? {
    guard at >= 0, at <= count - 8 else { return nil }
    var v: UInt64 = 0
    for i in 0..<8 { v |= UInt64(base[at + i]) << (8 * i) }
    return v
  }
  /// A size or offset read from 64 bits, nil beyond `Int.max`.
  func int64(_ at: Int) -> Int? {
    guard let v = u64(at), v <= UInt64(Int.max) else { return nil }
    return Int(v)
  }
}

/// The members of a zip archive held in `bytes` (which must outlive it).
struct XLSXZipDirectory {
  let bytes: XLSXByteView
  private(set) var members: [XLSXZipMember] = []
  private var byName: [String: Int] = [:]
  private var byLowercasedName: [String: Int] = [:]

  /// Whether `bytes` start like an OLE compound file (`D0 CF 11 E0`): an encrypted
  /// (password-protected) workbook, or an old `.xls`.
  static func isCompoundFile(_ bytes: XLSXByteView) -> Bool {
    bytes.u32(0) == 0xE011_CFD0
  }

  /// Reads the central directory.
  ///
  /// - Throws: `XLSXFailure` when the bytes are not a zip archive or it is truncated.
  init(_ bytes: XLSXByteView) throws {
    self.bytes = bytes
    if XLSXZipDirectory.isCompoundFile(bytes) { throw XLSXFailure.fail(.xlsxEncrypted) }
    guard bytes.u32(0) == 0x0403_4B50 || bytes.u32(0) == 0x0605_4B50 else { throw XLSXFailure.fail(.xlsxNotAZip) }
    // The end-of-central-directory record: 22 bytes and a comment of at most 65,535.
    var eocd = -1
    var at = bytes.count - 22
    let lowest = max(0, bytes.count - 22 - 65_535)
    while at >= lowest {
      if bytes.base[at] == 0x50, bytes.u32(at) == 0x0605_4B50 { eocd = at; break }
      at -= 1
    }
    guard eocd >= 0, var total = bytes.u16(eocd + 10).map(Int.init), var cdSize = bytes.u32(eocd + 12).map(Int.init),
      var cdOffset = bytes.u32(eocd + 16).map(Int.init)
    else { throw XLSXFailure.fail(.xlsxNoDirectory) }
    // ZIP64: a locator just before the record points at the 64-bit record.
    if total == 0xFFFF || cdSize == 0xFFFF_FFFF || cdOffset == 0xFFFF_FFFF, bytes.u32(eocd - 20) == 0x0706_4B50 {
      guard let z = bytes.int64(eocd - 12), z < bytes.count, bytes.u32(z) == 0x0606_4B50, let t = bytes.int64(z + 32),
        let s = bytes.int64(z + 40), let o = bytes.int64(z + 48)
      else { throw XLSXFailure.fail(.xlsxNoDirectory) }
      (total, cdSize, cdOffset) = (t, s, o)
    }
    let (cdEnd, overflow) = cdOffset.addingReportingOverflow(cdSize)
    guard !overflow, cdEnd <= bytes.count else { throw XLSXFailure.fail(.xlsxDirectoryDamaged) }
    // Each entry takes at least 46 bytes: the count cannot ask for more than the directory holds.
    members.reserveCapacity(min(total, cdSize / 46))
    var p = cdOffset
    for _ in 0..<total {
      guard bytes.u32(p) == 0x0201_4B50, let flags = bytes.u16(p + 8), let method = bytes.u16(p + 10),
        let crc = bytes.u32(p + 16), let csize32 = bytes.u32(p + 20), let size32 = bytes.u32(p + 24),
        let nameLength = bytes.u16(p + 28).map(Int.init), let extraLength = bytes.u16(p + 30).map(Int.init),
        let commentLength = bytes.u16(p + 32).map(Int.init), let offset32 = bytes.u32(p + 42),
        p + 46 + nameLength + extraLength + commentLength <= cdEnd
      else { throw XLSXFailure.fail(.xlsxDirectoryDamaged) }
      let name = String(decoding: UnsafeBufferPointer(start: bytes.base + p + 46, count: nameLength), as: UTF8.self)
      var member = XLSXZipMember(
        name: name, method: method, flags: flags, crc: crc, compressedSize: Int(csize32), size: Int(size32),
        localHeaderOffset: Int(offset32))
      // The ZIP64 extra field holds, in order, the 32-bit fields that are all ones.
      var e = p + 46 + nameLength
      let extraEnd = e + extraLength
      while e + 4 <= extraEnd, let id = bytes.u16(e), let length = bytes.u16(e + 2).map(Int.init) {
        if id == 1 {
          var q = e + 4
          func next() -> Int? {
            guard q + 8 <= e + 4 + length else { return nil }
            defer { q += 8 }
            return bytes.int64(q)
          }
          if size32 == 0xFFFF_FFFF { member.size = next() ?? member.size }
          if csize32 == 0xFFFF_FFFF { member.compressedSize = next() ?? member.compressedSize }
          if offset32 == 0xFFFF_FFFF { member.localHeaderOffset = next() ?? member.localHeaderOffset }
        }
        e += 4 + length
      }
      if byName[name] == nil { byName[name] = members.count }
      let lower = name.lowercased()
      if byLowercasedName[lower] == nil { byLowercasedName[lower] = members.count }
      members.append(member)
      p += 46 + nameLength + extraLength + commentLength
    }
  }

  /// The member called `name` (a leading `/` ignored; case-insensitive when no exact match:
  /// some writers spell `xl/SharedStrings.xml`).
  func member(_ name: String) -> XLSXZipMember? {
    let n = name.hasPrefix("/") ? String(name.dropFirst()) : name
    if let i = byName[n] ?? byLowercasedName[n.lowercased()], members.indices.contains(i) { return members[i] }
    return nil
  }

  /// The compressed bytes of `m`: after its local header, checked to lie inside the archive.
  func data(of m: XLSXZipMember) throws -> UnsafeBufferPointer<UInt8> {
    let h = m.localHeaderOffset
    guard bytes.u32(h) == 0x0403_4B50, let n = bytes.u16(h + 26).map(Int.init), let e = bytes.u16(h + 28).map(Int.init)
    else { throw XLSXFailure.fail(.xlsxMemberOutside, m.name) }
    let start = h + 30 + n + e
    let (end, overflow) = start.addingReportingOverflow(m.compressedSize)
    guard !overflow, end <= bytes.count else { throw XLSXFailure.fail(.xlsxMemberOutside, m.name) }
    return UnsafeBufferPointer(start: bytes.base + start, count: m.compressedSize)
  }
}

/// The bytes of one member, inflated chunk by chunk into the caller's buffer; the CRC and the
/// size are checked at the end.
final class XLSXZipStream {
  private let member: XLSXZipMember
  private let input: UnsafeBufferPointer<UInt8>
  private var stream = z_stream()
  private var inflating = false
  private var finished = false
  private var storedOffset = 0
  private var produced = 0
  private var crc: UInt = 0

  /// Opens `member` of `directory`.
  ///
  /// - Throws: `XLSXFailure` for an encrypted member, an unknown compression method, or
  ///   data outside the archive.
  init(_ member: XLSXZipMember, in directory: XLSXZipDirectory) throws {
    self.member = member
    if member.flags & 1 != 0 { throw XLSXFailure.fail(.xlsxEncrypted) }
    guard member.method == 0 || member.method == 8 else {
      throw XLSXFailure.fail(.xlsxUnknownMethod, member.name, String(member.method))
    }
    input = try directory.data(of: member)
    crc = CZlib.crc32(0, nil, 0)
    if member.method == 8 {
      stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
      stream.avail_in = 0
      let status = inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
      guard status == Z_OK else {
        throw XLSXFailure.fail(.xlsxInflateFailed, member.name)
      }
      inflating = true
    }
  }

  deinit { if inflating { inflateEnd(&stream) } }

  /// Bytes of the member so far.
  var offset: Int { produced }

  /// Fills up to `capacity` bytes at `into`; returns 0 at the end of the member.
  ///
  /// - Throws: `XLSXFailure` when the data is damaged, longer or shorter than the directory
  ///   says, or fails its CRC.
  func read(into out: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
    if finished || capacity <= 0 { return 0 }
    var n = 0
    if member.method == 0 {
      n = min(capacity, input.count - storedOffset)
      if n > 0, let b = input.baseAddress { out.update(from: b + storedOffset, count: n) }
      storedOffset += n
      if n == 0 { try finish() }
    } else {
      stream.next_out = out
      stream.avail_out = UInt32(clamping: capacity)
      while stream.avail_out > 0 {
        if stream.avail_in == 0 {
          // Feed the rest of the compressed bytes in slices that fit zlib's 32-bit count.
          let consumed = input.count - remainingInput
          let slice = min(remainingInput, Int(UInt32.max / 2))
          stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress.map { $0 + consumed })
          stream.avail_in = UInt32(slice)
          remainingInput -= slice
        }
        let before = stream.avail_in
        let status = CZlib.inflate(&stream, Z_NO_FLUSH)
        if status == Z_STREAM_END {
          n = capacity - Int(stream.avail_out)
          crc = CZlib.crc32(crc, out, UInt32(n))
          produced += n
          try finish()
          return n
        }
        if status == Z_BUF_ERROR && before == 0 && remainingInput == 0 {
          throw XLSXFailure.fail(.xlsxMemberCut, member.name)
        }
        guard status == Z_OK || status == Z_BUF_ERROR else {
          throw XLSXFailure.fail(.xlsxInflateFailed, member.name)
        }
      }
      n = capacity - Int(stream.avail_out)
    }
    if n > 0 {
      crc = CZlib.crc32(crc, out, UInt32(n))
      produced += n
      if produced > member.size {
        throw XLSXFailure.fail(.xlsxSizeMismatch, member.name)
      }
    }
    return n
  }

  private lazy var remainingInput: Int = input.count

  private func finish() throws {
    finished = true
    if produced != member.size {
      throw XLSXFailure.fail(.xlsxSizeMismatch, member.name)
    }
    if UInt32(truncatingIfNeeded: crc) != member.crc {
      throw XLSXFailure.fail(.xlsxBadCRC, member.name)
    }
  }
}
