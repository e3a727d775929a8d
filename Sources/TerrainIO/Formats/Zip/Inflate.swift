// Inflating deflate data (gzip files, zip members) with zlib into memory that a `FileBytes`
// then owns. The output grows geometrically and never past a limit (the memory available),
// whatever size the file claims: a decompression bomb is refused before it is allocated.

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import CZlib
import TerrainStorage
import TerrainSyntax

/// Replaces the memory available as the most bytes a decompressed file may take (nil: the
/// real limit, `decompressionLimit()`). For tests, which cannot exhaust the machine's memory.
nonisolated(unsafe) package var decompressedSizeLimitForTests: Int? = nil

/// The most bytes a decompressed file may take: the memory available (Linux's MemAvailable,
/// the rule of `checkMemoryFor`), else the physical memory.
package func decompressionLimit() -> Int {
  if let forced = decompressedSizeLimitForTests { return max(forced, 0) }
  if let available = availableMemory() { return available }
  let pages = sysconf(Int32(_SC_PHYS_PAGES))
  let (bytes, overflow) = max(pages, 0).multipliedReportingOverflow(by: filePageSize)
  return overflow || bytes == 0 ? Int.max : bytes
}

/// `n` bytes in words for messages: `1.2 GB`, `3.4 MB`, `56 kB`, `512 bytes`.
package func byteSizeText(_ n: Int) -> String {
  func tenths(_ unit: Int, _ name: String) -> String {
    let t = n / (unit / 10) + (n % (unit / 10) >= unit / 20 ? 1 : 0)
    return "\(t / 10).\(t % 10) \(name)"
  }
  if n >= 1_000_000_000 { return tenths(1_000_000_000, "GB") }
  if n >= 1_000_000 { return tenths(1_000_000, "MB") }
  if n >= 10_000 { return "\((n + 500) / 1000) kB" }
  return n == 1 ? "1 byte" : "\(n) bytes"
}

/// How the deflate data is wrapped.
package enum DeflateWrapping {
  /// gzip members (RFC 1952) one after the other, each with its header and its trailer
  /// (CRC-32 and size, checked by zlib); zero bytes after the last member are padding.
  case gzip
  /// Raw deflate (RFC 1951), as in a zip member: exactly one stream.
  case raw
}

/// What an inflate is about, for its messages and limits.
package struct InflateTarget {
  /// The file for `LoadError.path`: the path the user gave.
  var path: String
  /// The name in messages: the path, or `archive.zip/member.csv`.
  var name: String
  /// Where the input starts in the file the user gave, so that offsets in messages are the file's.
  var fileOffset: Int
  /// The most bytes the output may hold.
  var limit: Int
  /// The error when the output would pass `limit`.
  var tooLarge: () -> LoadError

  package init(path: String, name: String, fileOffset: Int, limit: Int, tooLarge: @escaping () -> LoadError) {
    self.path = path
    self.name = name
    self.fileOffset = fileOffset
    self.limit = limit
    self.tooLarge = tooLarge
  }
}

/// Output bytes are checked for cancellation every this many.
private let cancelCheckBytes = 4 << 20
/// zlib counts in 32-bit words: input and output are handed over in pieces of at most this.
private let zlibPiece = 1 << 30

/// Inflates `input` into owned memory of at most `target.limit` bytes.
///
/// - Parameter sizeHint: the likely output size (taken only as the first allocation, capped by
///   what deflate can expand `input` to and by the limit).
/// - Throws: `LoadError` for truncated or corrupt data (with the byte offset in the file) and
///   `target.tooLarge()` when the output would pass the limit; `CancelledError`.
package func inflate(
  _ input: UnsafeBufferPointer<UInt8>, wrapping: DeflateWrapping, sizeHint: Int, target: InflateTarget,
  cancel: CancellationFlag?
) throws -> FileBytes {
  // Deflate expands at most about 1032:1; the hint of a hostile file is never believed beyond.
  let expandable = input.count.multipliedReportingOverflow(by: 1032)
  let plausible = min(max(sizeHint, 0), expandable.overflow ? Int.max : expandable.partialValue)
  // One byte beyond the limit tells "exactly the limit" from "more than the limit".
  let ceiling = target.limit == Int.max ? Int.max : target.limit + 1
  // A block the memory cannot give is the member being too large, not a stop of the process.
  guard let out = try? GrowingBuffer(capacity: min(max(plausible, 64 << 10), ceiling)) else { throw target.tooLarge() }
  guard let base = input.baseAddress, !input.isEmpty else {
    throw LoadError(path: target.path, line: 0, column: 0, .compressedTruncated, target.name, String(target.fileOffset))
  }
  var stream = z_stream()
  let bits: Int32 = wrapping == .gzip ? 31 : -15
  // zlib's set-up fails only when its own few kilobytes cannot be allocated: out of memory.
  guard inflateInit2_(&stream, bits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
    throw target.tooLarge()
  }
  defer { inflateEnd(&stream) }
  var handed = 0  // input bytes handed to zlib
  var nextCancelCheck = cancelCheckBytes
  func offset() -> Int { target.fileOffset &+ handed &- Int(stream.avail_in) }
  func corrupt(_ reason: String) -> LoadError {
    LoadError(path: target.path, line: 0, column: 0, .compressedCorrupt, target.name, String(offset()), reason)
  }
  while true {
    if stream.avail_in == 0 && handed < input.count {
      let n = min(input.count - handed, zlibPiece)
      stream.next_in = UnsafeMutablePointer(mutating: base + handed)
      stream.avail_in = UInt32(n)
      handed += n
    }
    if out.used == out.capacity {
      guard out.capacity < ceiling else { throw target.tooLarge() }
      let doubled = out.capacity.multipliedReportingOverflow(by: 2)
      do {
        try out.resize(min(doubled.overflow ? Int.max : doubled.partialValue, ceiling))
      } catch {
        throw target.tooLarge()
      }
    }
    let room = min(out.capacity - out.used, zlibPiece)
    stream.next_out = out.memory.assumingMemoryBound(to: UInt8.self) + out.used
    stream.avail_out = UInt32(room)
    let rc = CZlib.inflate(&stream, Z_NO_FLUSH)
    out.used += room - Int(stream.avail_out)
    if out.used > target.limit { throw target.tooLarge() }
    if out.used >= nextCancelCheck {
      try cancel?.check()
      nextCancelCheck = out.used + cancelCheckBytes
    }
    switch rc {
    case Z_OK:
      continue
    case Z_STREAM_END:
      let consumed = handed - Int(stream.avail_in)
      guard wrapping == .gzip, consumed < input.count else { return out.take() }
      // Another member follows (`cat a.gz b.gz`), or padding zeros, or something else.
      if input.count - consumed >= 2 && base[consumed] == 0x1F && base[consumed + 1] == 0x8B {
        guard inflateReset(&stream) == Z_OK else { throw corrupt("zlib \(Z_STREAM_ERROR)") }
        continue
      }
      if UnsafeBufferPointer(rebasing: input[consumed...]).allSatisfy({ $0 == 0 }) { return out.take() }
      throw LoadError(path: target.path, line: 0, column: 0, .gzipTrailingData, target.name, String(offset()))
    case Z_BUF_ERROR:
      // No progress possible: the output is full (grown above) or the input is all used.
      if stream.avail_out > 0 && stream.avail_in == 0 && handed == input.count {
        throw LoadError(path: target.path, line: 0, column: 0, .compressedTruncated, target.name, String(offset()))
      }
    default:
      let reason = stream.msg.map { String(cString: $0) } ?? "zlib \(rc)"
      throw corrupt(reason)
    }
  }
}

/// Memory from `malloc` that grows and is handed to a `FileBytes`, or freed if never handed.
private final class GrowingBuffer {
  var memory: UnsafeMutableRawPointer
  var capacity: Int
  var used = 0
  private var taken = false

  /// Throws `AllocationFailure` when the memory cannot give `capacity` bytes.
  init(capacity: Int) throws {
    self.capacity = max(capacity, 1)
    memory = try allocateCheckedBytes(self.capacity)
  }

  /// Grows (or shrinks) to `newCapacity` bytes; on `AllocationFailure` nothing changes.
  func resize(_ newCapacity: Int) throws {
    memory = try reallocateCheckedBytes(memory, newCapacity)
    capacity = newCapacity
  }

  /// The bytes written, owned by a `FileBytes` (the unused end is given back when large).
  func take() -> FileBytes {
    if capacity - used > used / 8 + 4096 { try? resize(max(used, 1)) }
    taken = true
    return FileBytes(adopting: memory, count: used)
  }

  deinit {
    if !taken { free(memory) }
  }
}

/// The CRC-32 of `bytes` (the checksum of gzip and zip).
package func crc32Of(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
  var crc: UInt = 0
  var at = 0
  guard let base = bytes.baseAddress else { return 0 }
  while at < bytes.count {
    let n = min(bytes.count - at, zlibPiece)
    crc = CZlib.crc32(crc, base + at, UInt32(n))
    at += n
  }
  return UInt32(truncatingIfNeeded: crc)
}
