// Reading one member of a zip archive as a stream of inflated chunks, so that a member of a
// million rows (an xlsx sheet) is never held whole in memory. Read straight from the mapped
// file with zlib (no copy of the archive). Whole-member extraction into memory, bounded by a
// limit, is `inflate` (Inflate.swift), which the zip container uses.

import CZlib
import TerrainStorage

/// What is wrong with a member being streamed; each user turns it into its own message.
package enum ZipStreamError: Error {
  /// The member is encrypted.
  case encrypted
  /// Its compression method is neither stored (0) nor deflated (8).
  case unknownMethod(Int)
  /// Its data is not where the directory says (see `ZipError`).
  case location(ZipError)
  /// zlib refused the data.
  case inflateFailed
  /// The deflated data ends before its end-of-stream.
  case cut
  /// More or fewer bytes than the directory says.
  case sizeMismatch
  /// The CRC-32 of its bytes is not the directory's.
  case badCRC
}

/// The bytes of one member, inflated chunk by chunk into the caller's buffer; the CRC and the
/// size are checked at the end.
package final class ZipMemberStream {
  private let member: ZipMember
  /// Turns a `ZipStreamError` into the error the user of the stream throws.
  private let fail: (ZipStreamError) -> any Error
  private let input: UnsafeBufferPointer<UInt8>
  private var stream = z_stream()
  private var inflating = false
  private var finished = false
  private var storedOffset = 0
  private var produced = 0
  private var crc: UInt = 0

  /// Opens `member` of the archive `zip`; errors are `fail(reason)`.
  ///
  /// - Throws: `fail(…)` for an encrypted member, an unknown compression method, or data
  ///   outside the archive.
  package init(_ member: ZipMember, in zip: ZipBytes, fail: @escaping (ZipStreamError) -> any Error) throws {
    self.member = member
    self.fail = fail
    if member.isEncrypted { throw fail(.encrypted) }
    guard member.method == 0 || member.method == 8 else { throw fail(.unknownMethod(member.method)) }
    do {
      input = try zip.data(of: member).bytes
    } catch {
      throw fail(.location(error))
    }
    crc = CZlib.crc32(0, nil, 0)
    if member.method == 8 {
      stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
      stream.avail_in = 0
      let status = inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
      guard status == Z_OK else {
        throw fail(.inflateFailed)
      }
      inflating = true
    }
  }

  deinit { if inflating { inflateEnd(&stream) } }

  /// Bytes of the member so far.
  package var offset: Int { produced }

  /// Fills up to `capacity` bytes at `into`; returns 0 at the end of the member.
  ///
  /// - Throws: `fail(…)` when the data is damaged, longer or shorter than the directory
  ///   says, or fails its CRC.
  package func read(into out: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
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
          throw fail(.cut)
        }
        guard status == Z_OK || status == Z_BUF_ERROR else {
          throw fail(.inflateFailed)
        }
      }
      n = capacity - Int(stream.avail_out)
    }
    if n > 0 {
      crc = CZlib.crc32(crc, out, UInt32(n))
      produced += n
      if produced > member.size {
        throw fail(.sizeMismatch)
      }
    }
    return n
  }

  private lazy var remainingInput: Int = input.count

  private func finish() throws {
    finished = true
    if produced != member.size {
      throw fail(.sizeMismatch)
    }
    if UInt32(truncatingIfNeeded: crc) != member.crc {
      throw fail(.badCRC)
    }
  }
}
