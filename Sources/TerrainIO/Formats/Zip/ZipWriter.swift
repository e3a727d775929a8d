// The one zip writer (PKWARE APPNOTE), shared by the xlsx writer and `.save` session files:
// it writes straight into a `ByteWriter`, member by member, either
// - deflated with zlib as the bytes come, the sizes and CRC in a data descriptor after the
//   data, so nothing is held back in memory (a workbook of a million rows streams through a
//   256 KB buffer), or
// - stored, the sizes and CRC known beforehand and written in the local header, the data
//   starting at a chosen alignment (a padding extra field, as Android's zipalign does).
// ZIP64 records are written for a member that may pass 4 GB and for an archive whose
// directory lies beyond 4 GB or has 65,535 members or more. ZIPFoundation writes to files or
// to `Data` only, so it is not used here: the `ByteWriter` already makes the export atomic.

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import CZlib
import TerrainStorage

/// Writes a zip archive into `out`.
package final class ZipWriter {
  private struct Entry {
    var name: [UInt8]
    var offset: Int
    var flags: Int
    var method: Int
    var crc: UInt32 = 0
    var compressedSize = 0
    var size = 0
    var zip64: Bool
  }

  private let out: ByteWriter
  private let start: Int
  private var entries: [Entry] = []
  private var stream = z_stream()
  private var open = false
  private var crc: UInt = 0
  private var size = 0
  private var compressedStart = 0
  private let dosTime: UInt16
  private let dosDate: UInt16
  /// The zlib level of deflated members.
  private let level: Int32

  /// A writer into `out`, deflating at `level`; members are dated now, or 1980-01-01 when
  /// `dated` is false (files that are the same for the same content).
  package init(_ out: ByteWriter, level: Int32 = 1, dated: Bool = true) {
    self.out = out
    self.level = level
    start = out.totalBytes
    if dated {
      var now = time(nil)
      var t = tm()
      localtime_r(&now, &t)
      dosTime = UInt16(truncatingIfNeeded: t.tm_hour << 11 | t.tm_min << 5 | t.tm_sec / 2)
      dosDate = UInt16(truncatingIfNeeded: max(0, t.tm_year - 80) << 9 | (t.tm_mon + 1) << 5 | t.tm_mday)
    } else {
      (dosTime, dosDate) = (0, 0x21)
    }
  }

  deinit { if open { deflateEnd(&stream) } }

  private var position: Int { out.totalBytes - start }

  private func u16(_ v: Int) { out.append(UInt8(truncatingIfNeeded: v), UInt8(truncatingIfNeeded: v >> 8)) }
  private func u32(_ v: Int) {
    u16(v & 0xFFFF)
    u16(v >> 16 & 0xFFFF)
  }
  private func u64(_ v: Int) {
    u32(v & 0xFFFF_FFFF)
    u32(v >> 32)
  }

  /// The local header of the last entry: its CRC and sizes as `crc` and `sizes` (both sizes),
  /// then `extra` written by `writeExtra`.
  private func localHeader(crc: Int, sizes: Int, extraLength: Int, writeExtra: () -> Void) {
    let e = entries[entries.count - 1]
    u32(0x0403_4B50)
    u16(e.zip64 ? 45 : 20)
    u16(e.flags)
    u16(e.method)
    u16(Int(dosTime))
    u16(Int(dosDate))
    u32(crc)
    u32(sizes)
    u32(sizes)
    u16(e.name.count)
    u16(extraLength)
    out.append(e.name)
    writeExtra()
  }

  /// Starts deflated member `name`, its sizes and CRC in a data descriptor; `zip64` when its
  /// data may pass 4 GB. Its bytes are then given by `write`, and it ends with `end()`.
  package func begin(_ name: String, zip64: Bool = false) {
    entries.append(Entry(name: Array(name.utf8), offset: position, flags: 0x0808, method: 8, zip64: zip64))
    localHeader(crc: 0, sizes: zip64 ? 0xFFFF_FFFF : 0, extraLength: zip64 ? 20 : 0) {
      if zip64 {
        u16(1)
        u16(16)
        u64(0)
        u64(0)
      }
    }
    stream = z_stream()
    _ = deflateInit2_(&stream, level, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
    open = true
    crc = CZlib.crc32(0, nil, 0)
    size = 0
    compressedStart = position
  }

  /// Adds `n` bytes at `p` to the current member.
  package func write(_ p: UnsafePointer<UInt8>, _ n: Int) {
    guard n > 0 else { return }
    crc = CZlib.crc32(crc, p, UInt32(n))
    size += n
    stream.next_in = UnsafeMutablePointer(mutating: p)
    stream.avail_in = UInt32(n)
    pump(Z_NO_FLUSH)
  }

  /// Adds the bytes of a memory `ByteWriter` to the current member and empties it.
  package func write(_ buffer: ByteWriter) {
    write(buffer.base, buffer.count)
    buffer.reset()
  }

  /// Adds a text to the current member.
  package func write(_ s: String) {
    var s = s
    s.withUTF8 { if let b = $0.baseAddress { write(b, $0.count) } }
  }

  private func pump(_ flush: Int32) {
    let chunk = 1 << 16
    while true {
      let p = out.reserve(chunk)
      stream.next_out = p
      stream.avail_out = UInt32(chunk)
      let status = CZlib.deflate(&stream, flush)
      out.advance(chunk - Int(stream.avail_out))
      if flush == Z_FINISH {
        if status == Z_STREAM_END { return }
      } else if stream.avail_in == 0 && stream.avail_out > 0 {
        return
      }
    }
  }

  /// Ends the current deflated member: the rest of its data and its data descriptor.
  package func end() {
    stream.avail_in = 0
    pump(Z_FINISH)
    deflateEnd(&stream)
    open = false
    let i = entries.count - 1
    entries[i].crc = UInt32(truncatingIfNeeded: crc)
    entries[i].size = size
    entries[i].compressedSize = position - compressedStart
    let e = entries[i]
    u32(0x0807_4B50)
    u32(Int(e.crc))
    if e.zip64 {
      u64(e.compressedSize)
      u64(e.size)
    } else {
      u32(e.compressedSize & 0xFFFF_FFFF)
      u32(e.size & 0xFFFF_FFFF)
    }
  }

  /// Adds stored member `name` of `size` bytes with checksum `crc`, whose data `body` writes
  /// into the writer's `ByteWriter`; the data starts at a multiple of `alignment` bytes from
  /// the archive's start.
  package func addStored(_ name: String, size: Int, crc: UInt32, alignment: Int = 64, body: () throws -> Void) rethrows {
    let offset = position
    let large = size >= 0xFFFF_FFFF || offset >= 0xFFFF_FFFF
    entries.append(
      Entry(name: Array(name.utf8), offset: offset, flags: 0x0800, method: 0, crc: crc, compressedSize: size, size: size, zip64: large))
    // ZIP64 extra field (both sizes), then the padding extra field (id 0xD935, Android's alignment).
    let zip64Length = large ? 20 : 0
    let headerEnd = offset + 30 + name.utf8.count + zip64Length + 6
    let padding = alignment > 1 ? (alignment - headerEnd % alignment) % alignment : 0
    localHeader(crc: Int(crc), sizes: large ? 0xFFFF_FFFF : size, extraLength: zip64Length + 6 + padding) {
      if large {
        u16(1)
        u16(16)
        u64(size)
        u64(size)
      }
      u16(0xD935)
      u16(2 + padding)
      u16(alignment)
      out.append(repeating: 0, count: padding)
    }
    try body()
  }

  /// Writes the central directory and the end records.
  package func finish() {
    let directoryStart = position
    for e in entries {
      let big = e.zip64 || e.size >= 0xFFFF_FFFF || e.compressedSize >= 0xFFFF_FFFF || e.offset >= 0xFFFF_FFFF
      u32(0x0201_4B50)
      u16(45)
      u16(big ? 45 : 20)
      u16(e.flags)
      u16(e.method)
      u16(Int(dosTime))
      u16(Int(dosDate))
      u32(Int(e.crc))
      u32(big ? 0xFFFF_FFFF : e.compressedSize)
      u32(big ? 0xFFFF_FFFF : e.size)
      u16(e.name.count)
      u16(big ? 28 : 0)
      u16(0)
      u16(0)
      u16(0)
      u32(0)
      u32(big ? 0xFFFF_FFFF : e.offset)
      out.append(e.name)
      if big {
        u16(1)
        u16(24)
        u64(e.size)
        u64(e.compressedSize)
        u64(e.offset)
      }
    }
    let directorySize = position - directoryStart
    let count = entries.count
    if directoryStart >= 0xFFFF_FFFF || count >= 0xFFFF {
      let record = position
      u32(0x0606_4B50)
      u64(44)
      u16(45)
      u16(45)
      u32(0)
      u32(0)
      u64(count)
      u64(count)
      u64(directorySize)
      u64(directoryStart)
      u32(0x0706_4B50)
      u32(0)
      u64(record)
      u32(1)
    }
    u32(0x0605_4B50)
    u16(0)
    u16(0)
    u16(min(count, 0xFFFF))
    u16(min(count, 0xFFFF))
    u32(min(directorySize, 0xFFFF_FFFF))
    u32(min(directoryStart, 0xFFFF_FFFF))
    u16(0)
  }
}
