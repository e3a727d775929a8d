// Page compression: decompression into a buffer of the size the page header states (any
// other size is an error), through Debian's zstd, snappy, lz4 and zlib; zstd compression for
// the writer.

import CLZ4
import CSnappy
import CZlib
import CZstd

/// Decompresses `count` bytes at `source` with `codec` into `target`, which holds exactly
/// `expected` bytes: the result must fill it exactly.
/// `context` (zstd only) is reused from page to page rather than made for each.
package func parquetDecompress(
  _ codec: ParquetCodec, _ source: UnsafePointer<UInt8>, _ count: Int, into target: UnsafeMutablePointer<UInt8>,
  expected: Int, context: ZstdContext? = nil
) throws {
  switch codec {
  case .uncompressed:
    guard count == expected else { throw fail(.parquetDecompressedSize, String(count), String(expected)) }
    if count > 0 { target.update(from: source, count: count) }
  case .zstd:
    // A frame states its content size; checked before decompressing.
    let stated = ZSTD_getFrameContentSize(source, count)
    if stated != ZSTD_CONTENTSIZE_UNKNOWN && stated != ZSTD_CONTENTSIZE_ERROR && stated != UInt64(expected) {
      throw fail(.parquetDecompressedSize, String(stated), String(expected))
    }
    let n: Int
    if let d = context?.decompression {
      n = ZSTD_decompressDCtx(d, target, expected, source, count)
    } else {
      n = ZSTD_decompress(target, expected, source, count)
    }
    if ZSTD_isError(n) != 0 { throw fail(.parquetDecompressFailed, codec.name) }
    guard n == expected else { throw fail(.parquetDecompressedSize, String(n), String(expected)) }
  case .snappy:
    var stated = 0
    let s = source.withMemoryRebound(to: CChar.self, capacity: max(count, 1)) { p in
      snappy_uncompressed_length(p, count, &stated)
    }
    guard s == SNAPPY_OK else { throw fail(.parquetDecompressFailed, codec.name) }
    guard stated == expected else { throw fail(.parquetDecompressedSize, String(stated), String(expected)) }
    var length = expected
    let r = source.withMemoryRebound(to: CChar.self, capacity: max(count, 1)) { p in
      target.withMemoryRebound(to: CChar.self, capacity: max(expected, 1)) { t in
        snappy_uncompress(p, count, t, &length)
      }
    }
    guard r == SNAPPY_OK else { throw fail(.parquetDecompressFailed, codec.name) }
    guard length == expected else { throw fail(.parquetDecompressedSize, String(length), String(expected)) }
  case .lz4Raw:
    guard count <= Int(Int32.max), expected <= Int(Int32.max) else { throw fail(.parquetDecompressFailed, codec.name) }
    let n = source.withMemoryRebound(to: CChar.self, capacity: max(count, 1)) { p in
      target.withMemoryRebound(to: CChar.self, capacity: max(expected, 1)) { t in
        LZ4_decompress_safe(p, t, Int32(count), Int32(expected))
      }
    }
    guard n >= 0 else { throw fail(.parquetDecompressFailed, codec.name) }
    guard Int(n) == expected else { throw fail(.parquetDecompressedSize, String(n), String(expected)) }
  case .gzip:
    try gunzip(source, count, into: target, expected: expected)
  case .lzo, .brotli, .lz4:
    throw fail(.parquetUnsupportedCodec, codec.name)
  }
}

/// A zstd decompression context, made on first use (`decompression`) and freed by `release`
/// (making one for each page costs its allocation and set-up every time).
package final class ZstdContext {
  private var context: OpaquePointer? = nil

  package init() {}

  /// The context (nil if zstd could not make one: the caller then decompresses without).
  package var decompression: OpaquePointer? {
    if context == nil { context = ZSTD_createDCtx() }
    return context
  }

  package func release() {
    if let c = context { ZSTD_freeDCtx(c) }
    context = nil
  }

  deinit { release() }
}

/// Inflates gzip (or zlib) data into exactly `expected` bytes.
private func gunzip(_ source: UnsafePointer<UInt8>, _ count: Int, into target: UnsafeMutablePointer<UInt8>, expected: Int) throws {
  var stream = z_stream()
  // 15 + 32: the largest window, gzip or zlib header detected.
  guard inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
    throw fail(.parquetDecompressFailed, ParquetCodec.gzip.name)
  }
  defer { inflateEnd(&stream) }
  var consumed = 0
  var produced = 0
  let chunk = Int(UInt32.max >> 1)
  let spare = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
  defer { spare.deallocate() }
  while true {
    stream.next_in = UnsafeMutablePointer(mutating: source + consumed)
    stream.avail_in = UInt32(min(count - consumed, chunk))
    let inBefore = Int(stream.avail_in)
    let room = expected - produced
    // Past the expected size, one spare byte catches data that is too long.
    if room > 0 {
      stream.next_out = target + produced
      stream.avail_out = UInt32(min(room, chunk))
    } else {
      stream.next_out = spare
      stream.avail_out = 1
    }
    let outBefore = Int(stream.avail_out)
    let r = inflate(&stream, Z_NO_FLUSH)
    consumed += inBefore - Int(stream.avail_in)
    let made = outBefore - Int(stream.avail_out)
    if room > 0 {
      produced += made
    } else if made > 0 {
      throw fail(.parquetDecompressedSize, String(expected + 1), String(expected))
    }
    if r == Z_STREAM_END {
      // Members may follow one another (concatenated gzip).
      if consumed < count && produced < expected {
        guard inflateReset(&stream) == Z_OK else { throw fail(.parquetDecompressFailed, ParquetCodec.gzip.name) }
        continue
      }
      break
    }
    guard r == Z_OK else { throw fail(.parquetDecompressFailed, ParquetCodec.gzip.name) }
    if made == 0 && inBefore - Int(stream.avail_in) == 0 {
      throw fail(.parquetDecompressFailed, ParquetCodec.gzip.name)
    }
  }
  guard produced == expected else { throw fail(.parquetDecompressedSize, String(produced), String(expected)) }
}

/// Compresses `count` bytes with zstd (level 1: fast, and about as small as snappy's double),
/// appending the frame to `out`.
package func zstdCompress(_ source: UnsafeRawPointer?, _ count: Int, level: Int32 = 1, into out: inout [UInt8]) {
  let bound = ZSTD_compressBound(count)
  let start = out.count
  out.append(contentsOf: repeatElement(0, count: bound))
  let n = out.withUnsafeMutableBytes { b in
    ZSTD_compress(b.baseAddress.map { $0 + start }, bound, source, count, level)
  }
  // zstd cannot fail on a buffer of its bound with a valid level.
  out.removeLast(ZSTD_isError(n) != 0 ? bound : bound - n)
}
