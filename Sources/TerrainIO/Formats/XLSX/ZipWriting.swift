// Writing a zip archive straight into a `ByteWriter`, member by member, deflated with zlib as
// the bytes come: each member's sizes and CRC go in a data descriptor after its data, so
// nothing is held back in memory (a workbook of a million rows streams through a 256 KB
// buffer). ZIP64 records are written for a member that may pass 4 GB and for an archive whose
// directory lies beyond 4 GB. ZIPFoundation writes to files or to `Data` only, so it is not
// used here: the `ByteWriter` already makes the export atomic.

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import CZlib
import TerrainStorage
import TerrainSyntax

/// Writes a zip archive into `out`.
final class XLSXZipWriter {
  private struct Entry {
    var name: [UInt8]
    var offset: Int
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
  /// The zlib level: 1 (fastest) — spreadsheets' XML compresses well at any level.
  private let level: Int32

  init(_ out: ByteWriter, level: Int32 = 1) {
    self.out = out
    self.level = level
    start = out.totalBytes
    var now = time(nil)
    var t = tm()
    localtime_r(&now, &t)
    dosTime = UInt16(truncatingIfNeeded: t.tm_hour << 11 | t.tm_min << 5 | t.tm_sec / 2)
    dosDate = UInt16(truncatingIfNeeded: max(0, t.tm_year - 80) << 9 | (t.tm_mon + 1) << 5 | t.tm_mday)
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

  /// Starts member `name`; `zip64` when its data may pass 4 GB.
  func begin(_ name: String, zip64: Bool = false) {
    entries.append(Entry(name: Array(name.utf8), offset: position, zip64: zip64))
    let e = entries[entries.count - 1]
    u32(0x0403_4B50)
    u16(zip64 ? 45 : 20)
    u16(0x0808)  // data descriptor follows; UTF-8 names
    u16(8)
    u16(Int(dosTime))
    u16(Int(dosDate))
    u32(0)
    u32(zip64 ? 0xFFFF_FFFF : 0)
    u32(zip64 ? 0xFFFF_FFFF : 0)
    u16(e.name.count)
    u16(zip64 ? 20 : 0)
    out.append(e.name)
    if zip64 {
      u16(1)
      u16(16)
      u64(0)
      u64(0)
    }
    stream = z_stream()
    _ = deflateInit2_(&stream, level, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
    open = true
    crc = CZlib.crc32(0, nil, 0)
    size = 0
    compressedStart = position
  }

  /// Adds `n` bytes at `p` to the current member.
  func write(_ p: UnsafePointer<UInt8>, _ n: Int) {
    guard n > 0 else { return }
    crc = CZlib.crc32(crc, p, UInt32(n))
    size += n
    stream.next_in = UnsafeMutablePointer(mutating: p)
    stream.avail_in = UInt32(n)
    pump(Z_NO_FLUSH)
  }

  /// Adds the bytes of a memory `ByteWriter` to the current member and empties it.
  func write(_ buffer: ByteWriter) {
    write(buffer.base, buffer.count)
    buffer.reset()
  }

  /// Adds a text to the current member.
  func write(_ s: String) {
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

  /// Ends the current member: the rest of its deflated data and its data descriptor.
  func end() {
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

  /// Writes the central directory and the end records.
  func finish() {
    let directoryStart = position
    for e in entries {
      let big = e.zip64 || e.size >= 0xFFFF_FFFF || e.compressedSize >= 0xFFFF_FFFF || e.offset >= 0xFFFF_FFFF
      u32(0x0201_4B50)
      u16(big ? 45 : 20)
      u16(big ? 45 : 20)
      u16(0x0808)
      u16(8)
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
