// Getting a file's bytes as UTF-8: BOMs, UTF-8 validation, and
// transcoding from Windows-1252 or UTF-16.

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import Dispatch
import TerrainStorage
import TerrainSyntax



/// The encoding a caller asked for.
package enum CSVEncodingChoice {
  /// UTF-8 or, when invalid, Windows-1252 with a notice.
  case automatic
  /// UTF-8; invalid bytes are an error.
  case utf8
  /// Windows-1252 (which also covers Latin-1 files in practice).
  case windows1252

  /// Parses an `encoding` option; nil when the name is unknown.
  package init?(name: String?) {
    guard let name = name else {
      self = .automatic
      return
    }
    let key = String(name.lowercased().filter { $0 != "-" && $0 != "_" && $0 != " " })
    switch key {
    case "", "auto": self = .automatic
    case "utf8": self = .utf8
    case "latin1", "iso88591", "windows1252", "cp1252", "ansi": self = .windows1252
    default: return nil
    }
  }
}

/// Turns raw file bytes into UTF-8 without a BOM, adding a notice when it converted
/// anything. Throws on invalid UTF-8 only when UTF-8 was forced.
package func decodeToUTF8(_ raw: FileBytes, encoding: CSVEncodingChoice, path: String, notices: inout [String]) throws
  -> (bytes: FileBytes, start: Int)
{
  let p = raw.base
  let n = raw.count
  if encoding == .windows1252 {
    return (try transcodeWindows1252(p, n, path: path), 0)
  }
  // UTF-16 with a BOM (Excel's "Unicode text").
  if encoding == .automatic && n >= 2 && ((p[0] == 0xFF && p[1] == 0xFE) || (p[0] == 0xFE && p[1] == 0xFF)) {
    let bigEndian = p[0] == 0xFE
    notices.append(DiagnosticText.convertedFromUTF16(bigEndian ? "big-endian" : "little-endian").string)
    return (try transcodeUTF16(p + 2, n - 2, bigEndian: bigEndian, path: path), 0)
  }
  let bom = n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF ? 3 : 0
  guard let bad = firstInvalidUTF8InHalves(p + bom, n - bom) else { return (raw, bom) }
  if encoding == .utf8 {
    let (line, col) = linePosition(of: bad, in: p + bom, count: n - bom, from: 0)
    throw LoadError(
      path: path, line: line, column: col,
      .invalidUTF8, String(p[bom + bad], radix: 16, uppercase: true))
  }
  // Mostly UTF-8 with a few stray bytes (files pasted together): repair only those bytes.
  let census = utf8Census(p, n, from: bom)
  if census.multibyte > census.invalid {
    notices.append(DiagnosticText.someBytesAsWindows1252(formatCount(census.invalid, .oneByteWord, .bytesWord)).string)
    return (try repairUTF8(p + bom, n - bom, path: path), 0)
  }
  notices.append(DiagnosticText.readAsWindows1252.string)
  return (try transcodeWindows1252(p + bom, n - bom, path: path), 0)
}

/// Length of the valid UTF-8 sequence starting at `p[i]` (1–4), or 0 when the bytes there
/// are not one. Rejects overlong forms, surrogates and code points above U+10FFFF.
@inline(__always)
package func utf8SequenceLength(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> Int {
  let b0 = p[i]
  if b0 < 0x80 { return 1 }
  if b0 >= 0xC2 && b0 <= 0xDF {
    return i + 1 < n && p[i + 1] & 0xC0 == 0x80 ? 2 : 0
  }
  if b0 >= 0xE0 && b0 <= 0xEF {
    guard i + 2 < n else { return 0 }
    let b1 = p[i + 1]
    let lo: UInt8 = b0 == 0xE0 ? 0xA0 : 0x80
    let hi: UInt8 = b0 == 0xED ? 0x9F : 0xBF
    return b1 >= lo && b1 <= hi && p[i + 2] & 0xC0 == 0x80 ? 3 : 0
  }
  if b0 >= 0xF0 && b0 <= 0xF4 {
    guard i + 3 < n else { return 0 }
    let b1 = p[i + 1]
    let lo: UInt8 = b0 == 0xF0 ? 0x90 : 0x80
    let hi: UInt8 = b0 == 0xF4 ? 0x8F : 0xBF
    return b1 >= lo && b1 <= hi && p[i + 2] & 0xC0 == 0x80 && p[i + 3] & 0xC0 == 0x80 ? 4 : 0
  }
  return 0
}

/// Offset of the first byte that is not part of a valid UTF-8 sequence, or nil.
package func firstInvalidUTF8(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int? {
  var i = 0
  while i < n {
    // ASCII fast path, 8 bytes at a time.
    while i + 8 <= n {
      let w = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
      if w & 0x8080_8080_8080_8080 != 0 { break }
      i += 8
    }
    if i >= n { break }
    let length = utf8SequenceLength(p, i, n)
    if length == 0 { return i }
    i += length
  }
  return nil
}

/// `firstInvalidUTF8` on two threads for larger inputs: the halves meet at a byte that is
/// not a continuation byte, so no valid sequence crosses the middle and the answer is the
/// same as one scan's.
package func firstInvalidUTF8InHalves(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int? {
  var m = n / 2
  let limit = min(n, m + 4)
  while m < limit && p[m] & 0xC0 == 0x80 { m += 1 }
  guard n >= csvParallelThreshold, m < limit else { return firstInvalidUTF8(p, n) }
  var found: (Int?, Int?) = (nil, nil)
  withUnsafeMutablePointer(to: &found) { out in
    performConcurrently(iterations: 2) { i in
      if i == 0 {
        out.pointee.0 = firstInvalidUTF8(p, m)
      } else {
        out.pointee.1 = firstInvalidUTF8(p + m, n - m).map { $0 + m }
      }
    }
  }
  return found.0 ?? found.1
}

/// Counts, from `from` on, valid multi-byte UTF-8 sequences and bytes that are not part of
/// any valid sequence.
package func utf8Census(_ p: UnsafePointer<UInt8>, _ n: Int, from: Int) -> (multibyte: Int, invalid: Int) {
  var multibyte = 0
  var invalid = 0
  var i = from
  while i < n {
    if p[i] < 0x80 {
      i += 1
      continue
    }
    let length = utf8SequenceLength(p, i, n)
    if length == 0 {
      invalid += 1
      i += 1
    } else {
      multibyte += 1
      i += length
    }
  }
  return (multibyte, invalid)
}

/// Converts bytes that are mostly UTF-8: valid sequences are kept, every other byte is read
/// as Windows-1252.
package func repairUTF8(_ p: UnsafePointer<UInt8>, _ n: Int, path: String) throws -> FileBytes {
  let (size, overflow) = n.multipliedReportingOverflow(by: 3)
  if overflow { throw notEnoughMemory(path: path, needed: n, available: availableMemory() ?? 0) }
  let memory = try allocateInputBytes(size, path: path)
  let out = memory.assumingMemoryBound(to: UInt8.self)
  var o = 0
  var i = 0
  while i < n {
    let length = utf8SequenceLength(p, i, n)
    if length == 0 {
      o += writeUTF8(windows1252Scalar(p[i]), to: out + o)
      i += 1
    } else {
      for k in 0..<length { out[o + k] = p[i + k] }
      o += length
      i += length
    }
  }
  // Shrinking cannot fail in practice; if it does, the larger block is kept.
  return FileBytes(adopting: (try? reallocateInputBytes(memory, o, path: path)) ?? memory, count: o)
}

/// Unicode scalars of Windows-1252 bytes 0x80–0x9F (the five unassigned bytes map to the
/// C1 control of the same value, as browsers do).
private let windows1252High: [UInt16] = [
  0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
  0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
  0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
  0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
]

/// The Unicode scalar of a Windows-1252 byte.
package func windows1252Scalar(_ b: UInt8) -> UInt32 {
  if b >= 0x80 && b <= 0x9F { return UInt32(windows1252High[Int(b - 0x80)]) }
  return UInt32(b)
}

/// Appends the UTF-8 form of `scalar` at `out`, returning the number of bytes written (1–4).
@inline(__always)
package func writeUTF8(_ scalar: UInt32, to out: UnsafeMutablePointer<UInt8>) -> Int {
  if scalar < 0x80 {
    out[0] = UInt8(scalar)
    return 1
  } else if scalar < 0x800 {
    out[0] = UInt8(0xC0 | (scalar >> 6))
    out[1] = UInt8(0x80 | (scalar & 0x3F))
    return 2
  } else if scalar < 0x10000 {
    out[0] = UInt8(0xE0 | (scalar >> 12))
    out[1] = UInt8(0x80 | ((scalar >> 6) & 0x3F))
    out[2] = UInt8(0x80 | (scalar & 0x3F))
    return 3
  } else {
    out[0] = UInt8(0xF0 | (scalar >> 18))
    out[1] = UInt8(0x80 | ((scalar >> 12) & 0x3F))
    out[2] = UInt8(0x80 | ((scalar >> 6) & 0x3F))
    out[3] = UInt8(0x80 | (scalar & 0x3F))
    return 4
  }
}

/// Converts Windows-1252 bytes to UTF-8 (exact size, one allocation).
package func transcodeWindows1252(_ p: UnsafePointer<UInt8>, _ n: Int, path: String) throws -> FileBytes {
  // The output size, counted first so that the common case takes one allocation of the right
  // size. The bytes may change between the two passes (a file edited while it loads): the
  // second pass checks its room and grows the block rather than trusting the count.
  var size = 0
  for i in 0..<n {
    let b = p[i]
    size &+= b < 0x80 ? 1 : (windows1252Scalar(b) < 0x800 ? 2 : 3)
  }
  var capacity = max(size, 4)
  var memory = try allocateInputBytes(capacity, path: path)
  var o = 0
  do {
    for i in 0..<n {
      if capacity - o < 3 {
        capacity = capacity + capacity / 2 + 4
        memory = try reallocateInputBytes(memory, capacity, path: path)
      }
      let out = memory.assumingMemoryBound(to: UInt8.self)
      let b = p[i]
      if b < 0x80 {
        out[o] = b
        o += 1
      } else {
        o += writeUTF8(windows1252Scalar(b), to: out + o)
      }
    }
  } catch {
    free(memory)
    throw error
  }
  return FileBytes(adopting: memory, count: o)
}

/// Converts UTF-16 (after its BOM) to UTF-8; unpaired surrogates and a trailing odd byte
/// become U+FFFD.
package func transcodeUTF16(_ p: UnsafePointer<UInt8>, _ n: Int, bigEndian: Bool, path: String) throws -> FileBytes {
  let units = n / 2
  let (size, overflow) = units.multipliedReportingOverflow(by: 3)
  if overflow { throw notEnoughMemory(path: path, needed: n, available: availableMemory() ?? 0) }
  let memory = try allocateInputBytes(size + 4, path: path)
  let out = memory.assumingMemoryBound(to: UInt8.self)
  var o = 0
  @inline(__always) func unit(_ k: Int) -> UInt32 {
    let a = UInt32(p[2 * k])
    let b = UInt32(p[2 * k + 1])
    return bigEndian ? (a << 8 | b) : (b << 8 | a)
  }
  var k = 0
  while k < units {
    let u = unit(k)
    k += 1
    var scalar = u
    if u >= 0xD800 && u <= 0xDBFF {
      if k < units {
        let v = unit(k)
        if v >= 0xDC00 && v <= 0xDFFF {
          scalar = 0x10000 + ((u - 0xD800) << 10) + (v - 0xDC00)
          k += 1
        } else {
          scalar = 0xFFFD
        }
      } else {
        scalar = 0xFFFD
      }
    } else if u >= 0xDC00 && u <= 0xDFFF {
      scalar = 0xFFFD
    }
    o += writeUTF8(scalar, to: out + o)
  }
  if n % 2 == 1 { o += writeUTF8(0xFFFD, to: out + o) }
  return FileBytes(adopting: memory, count: o)
}

/// The 1-based line and character column of byte `offset` of `p`, counting lines from
/// byte `from` (which must start a line, on line 1 when 0). A line ends at LF, CRLF or a
/// lone CR; columns count Unicode scalars.
package func linePosition(of offset: Int, in p: UnsafePointer<UInt8>, count: Int, from: Int) -> (line: Int, column: Int) {
  var line = 1
  var lineStart = from
  var i = from
  let end = min(offset, count)
  while i < end {
    let b = p[i]
    if b == 0x0A {
      line += 1
      lineStart = i + 1
    } else if b == 0x0D {
      if i + 1 < count && p[i + 1] == 0x0A {
        // counted at the LF
      } else {
        line += 1
        lineStart = i + 1
      }
    }
    i += 1
  }
  var column = 1
  var j = lineStart
  while j < end {
    if p[j] & 0xC0 != 0x80 { column += 1 }
    j += 1
  }
  return (line, column)
}
