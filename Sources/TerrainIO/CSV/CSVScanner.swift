// Splitting CSV bytes into records and fields, without copying: the one tokenizer shared
// by the sniffer and both passes of the reader, so that they always agree on where rows are.

import TerrainStorage
import TerrainSyntax

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where one field's bytes are.
package struct FieldSpan {
  /// Plain field: `start..<end` are its bytes.
  package static let plain: UInt8 = 0
  /// Quoted field without escapes: `start..<end` are the bytes between the quotes.
  package static let quoted: UInt8 = 1
  /// Quoted field with `""` escapes or text after the closing quote: `start..<end` is the
  /// raw field from its opening quote; read it with `CSVScanner.unescape`.
  package static let escaped: UInt8 = 2

  package var start: Int
  package var end: Int
  package var kind: UInt8

  package init(start: Int, end: Int, kind: UInt8) {
    self.start = start
    self.end = end
    self.kind = kind
  }

  /// Offset of the field's first byte in the file (its opening quote when quoted).
  package var rawStart: Int { kind == FieldSpan.quoted ? start - 1 : start }
}

/// The outcome of scanning one record.
package struct ScannedRecord {
  /// Offset where the next record starts.
  package var next: Int
  /// Number of fields (0 for a blank line).
  package var fieldCount: Int
  /// Offset of an opening quote that is never closed, or -1.
  package var unterminatedQuote: Int
  /// Offset just after the record's last byte (before its line end).
  package var contentEnd: Int
}

/// A record tokenizer over UTF-8 bytes: fields end at the separator, records at LF, CRLF or
/// a lone CR; a field that starts with the quote runs to the matching quote, may hold
/// separators and line ends, and writes a quote as two. Text after a closing quote is kept
/// literally (as Python's csv module does). A line with no byte at all is blank.
package struct CSVScanner {
  package let p: UnsafePointer<UInt8>
  /// One past the last byte.
  package let end: Int
  package let separator: UInt8
  package let quote: UInt8

  /// Scans the record at `start` (which must be below `end`), writing the spans of its first
  /// `capacity` fields into `spans`, `spanStride` apart.
  @inline(__always)
  package func scanRecord(
    at start: Int, spans: UnsafeMutablePointer<FieldSpan>, capacity: Int, spanStride: Int = 1
  ) -> ScannedRecord {
    let p = self.p
    let end = self.end
    let sep = separator
    let first = p[start]
    if first == 0x0A {
      return ScannedRecord(next: start + 1, fieldCount: 0, unterminatedQuote: -1, contentEnd: start)
    }
    if first == 0x0D {
      let next = start + 1 < end && p[start + 1] == 0x0A ? start + 2 : start + 1
      return ScannedRecord(next: next, fieldCount: 0, unterminatedQuote: -1, contentEnd: start)
    }
    var pos = start
    var count = 0
    while true {
      let fieldStart = pos
      var span: FieldSpan
      if pos < end && p[pos] == quote {
        var q = pos + 1
        var kind = FieldSpan.quoted
        var closing = -1
        while q < end {
          guard let hit = memchr(p + q, Int32(quote), end - q) else { break }
          let at = UnsafeRawPointer(hit) - UnsafeRawPointer(p)
          if at + 1 < end && p[at + 1] == quote {
            kind = FieldSpan.escaped
            q = at + 2
            continue
          }
          closing = at
          break
        }
        if closing < 0 {
          return ScannedRecord(next: end, fieldCount: count, unterminatedQuote: fieldStart, contentEnd: end)
        }
        pos = closing + 1
        if pos < end {
          let b = p[pos]
          if b != sep && b != 0x0A && b != 0x0D {
            // Text after the closing quote: kept literally up to the field's end.
            kind = FieldSpan.escaped
            while pos < end {
              let c = p[pos]
              if c == sep || c == 0x0A || c == 0x0D { break }
              pos += 1
            }
          }
        }
        span = kind == FieldSpan.quoted
          ? FieldSpan(start: fieldStart + 1, end: closing, kind: kind)
          : FieldSpan(start: fieldStart, end: pos, kind: kind)
      } else {
        pos = fieldEnd(from: pos)
        span = FieldSpan(start: fieldStart, end: pos, kind: FieldSpan.plain)
      }
      if count < capacity { spans[count &* spanStride] = span }
      count += 1
      if pos >= end {
        return ScannedRecord(next: end, fieldCount: count, unterminatedQuote: -1, contentEnd: end)
      }
      let b = p[pos]
      if b == sep {
        pos += 1
        continue
      }
      if b == 0x0D {
        let next = pos + 1 < end && p[pos + 1] == 0x0A ? pos + 2 : pos + 1
        return ScannedRecord(next: next, fieldCount: count, unterminatedQuote: -1, contentEnd: pos)
      }
      return ScannedRecord(next: pos + 1, fieldCount: count, unterminatedQuote: -1, contentEnd: pos)
    }
  }

  /// The first separator, CR or LF at or after `from`, or `end`; eight bytes at a time.
  @inline(__always)
  package func fieldEnd(from: Int) -> Int {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let highs: UInt64 = 0x8080_8080_8080_8080
    let sepPattern = UInt64(separator) &* ones
    let lfPattern = 0x0A &* ones
    let crPattern = 0x0D &* ones
    var i = from
    while i + 8 <= end {
      let w = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
      let a = w ^ sepPattern
      let b = w ^ lfPattern
      let c = w ^ crPattern
      // A zero byte in a, b or c marks a match; the lowest such byte is exact.
      let hits = ((a &- ones) & ~a | (b &- ones) & ~b | (c &- ones) & ~c) & highs
      if hits != 0 { return i + (hits.littleEndian.trailingZeroBitCount >> 3) }
      i += 8
    }
    while i < end {
      let c = p[i]
      if c == separator || c == 0x0A || c == 0x0D { return i }
      i += 1
    }
    return end
  }

  /// The field count and end of the record at `start` when it holds no quote byte and is
  /// not blank (then its fields are exactly its separators plus one, as `scanRecord` would
  /// find them); nil otherwise, for `scanRecord` to read. Eight bytes at a time: pass 1's
  /// scan of the records whose values it no longer reads.
  @inline(__always)
  package func plainRecord(at start: Int) -> (next: Int, fieldCount: Int)? {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
    let sepPattern = UInt64(separator) &* ones
    let lfPattern = 0x0A &* ones
    let crPattern = 0x0D &* ones
    let quotePattern = UInt64(quote) &* ones
    // The high bit of each zero byte of x, exactly (no borrow between bytes).
    @inline(__always) func zeros(_ x: UInt64) -> UInt64 { ~(((x & low7) &+ low7) | x | low7) }
    var separators = 0
    var i = start
    while i + 8 <= end {
      let w = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self).littleEndian
      let seps = zeros(w ^ sepPattern)
      let stops = zeros(w ^ lfPattern) | zeros(w ^ crPattern)
      let quotes = zeros(w ^ quotePattern)
      if stops == 0 {
        if quotes != 0 { return nil }
        separators += seps.nonzeroBitCount
        i += 8
        continue
      }
      let below = (stops & (0 &- stops)) &- 1  // the bits under the first line end
      if quotes & below != 0 { return nil }
      let at = i + stops.trailingZeroBitCount >> 3
      if at == start { return nil }
      separators += (seps & below).nonzeroBitCount
      return (lineNext(at), separators + 1)
    }
    while i < end {
      let b = p[i]
      if b == 0x0A || b == 0x0D {
        if i == start { return nil }
        return (lineNext(i), separators + 1)
      }
      if b == quote { return nil }
      if b == separator { separators += 1 }
      i += 1
    }
    return i == start ? nil : (end, separators + 1)
  }

  /// Where the record after the line end at `at` (a CR or LF) starts.
  @inline(__always)
  private func lineNext(_ at: Int) -> Int {
    p[at] == 0x0D && at + 1 < end && p[at + 1] == 0x0A ? at + 2 : at + 1
  }

  /// Offset just after the line end that follows `offset` (or `end`): where reading resumes
  /// after a record whose quote is never closed.
  package func lineAfter(_ offset: Int) -> Int {
    var i = offset
    while i < end {
      let b = p[i]
      if b == 0x0A { return i + 1 }
      if b == 0x0D { return i + 1 < end && p[i + 1] == 0x0A ? i + 2 : i + 1 }
      i += 1
    }
    return end
  }

  /// Writes the value of an escaped span (see `FieldSpan.escaped`) into `out`, which must
  /// hold `span.end - span.start` bytes, and returns its length.
  package func unescape(_ span: FieldSpan, into out: UnsafeMutablePointer<UInt8>) -> Int {
    var i = span.start + 1
    var n = 0
    var inQuotes = true
    while i < span.end {
      let b = p[i]
      if inQuotes && b == quote {
        if i + 1 < span.end && p[i + 1] == quote {
          out[n] = quote
          n += 1
          i += 2
          continue
        }
        inQuotes = false
        i += 1
        continue
      }
      out[n] = b
      n += 1
      i += 1
    }
    return n
  }
}

/// A reusable growable byte buffer for unescaped field values.
package final class ScratchBytes {
  package private(set) var base: UnsafeMutablePointer<UInt8>
  private var capacity: Int

  package init(capacity: Int = 256) {
    self.capacity = max(16, capacity)
    base = allocateBytes(self.capacity).assumingMemoryBound(to: UInt8.self)
  }

  deinit { free(base) }

  /// Makes room for `n` bytes and returns the buffer; throws `AllocationFailure` (the buffer
  /// unchanged) when that is beyond the memory available.
  package func reserve(_ n: Int) throws -> UnsafeMutablePointer<UInt8> {
    if n > capacity {
      let c = try doubledCapacity(capacity, toHold: n)
      base = try reallocateCheckedBytes(UnsafeMutableRawPointer(base), c).assumingMemoryBound(to: UInt8.self)
      capacity = c
    }
    return base
  }
}

/// The bytes of a field's value: the span itself, or its unescaped copy in `scratch`.
@inline(__always)
package func fieldBytes(_ span: FieldSpan, scanner: CSVScanner, scratch: ScratchBytes) throws -> UnsafeBufferPointer<UInt8> {
  if span.kind == FieldSpan.escaped {
    let out = try scratch.reserve(span.end - span.start)
    let n = scanner.unescape(span, into: out)
    return UnsafeBufferPointer(start: out, count: n)
  }
  return UnsafeBufferPointer(start: scanner.p + span.start, count: span.end - span.start)
}
