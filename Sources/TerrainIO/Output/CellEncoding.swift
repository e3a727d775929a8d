// Raw access to a column's typed buffers and the text encodings (CSV quoting, TSV escapes,
// JSON strings, Markdown cells) shared by the streaming writers.

import TerrainStorage
import TerrainSyntax

/// One column's typed buffers, read without boxing each cell into a `Value`.
package struct ColumnReader {
  package enum Data {
    case int(UnsafeMutablePointer<Int64>)
    case float(UnsafeMutablePointer<Double>)
    case bool(UnsafeMutablePointer<UInt8>)
    case text(UnsafeMutablePointer<UInt32>, TextDictionary)
    /// Days since 1970-01-01.
    case date(UnsafeMutablePointer<Int64>)
  }

  package let data: Data
  package let validity: UnsafeMutablePointer<UInt8>?
  /// Keeps the buffers alive while the pointers are used.
  package let column: Column

  package init(_ column: Column) {
    self.column = column
    validity = column.validity?.base
    switch column.values {
    case .int(let b): data = .int(b.base)
    case .float(let b): data = .float(b.base)
    case .bool(let b): data = .bool(b.base)
    case .text(let b, let d): data = .text(b.base, d)
    case .date(let b): data = .date(b.base)
    }
  }

  @inline(__always)
  package func isNull(_ i: Int) -> Bool {
    if let v = validity { return v[i] == 0 }
    return false
  }
}

/// The number of rows every column of `table` really holds (guards against a malformed
/// table whose columns are shorter than `rowCount`).
package func safeRowCount(_ table: Table) -> Int {
  var n = max(0, table.rowCount)
  for c in table.columns where c.count < n { n = c.count }
  return n
}

/// How text is written by a streaming writer.
package enum TextStyle: Equatable {
  /// RFC 4180: quoted (quotes doubled) only when the field holds the separator, a quote,
  /// CR or LF, or starts or ends with a space; an empty string is quoted when `quoteEmpty`
  /// (so that it differs from an empty null).
  case csv(separator: UInt8, quoteEmpty: Bool)
  /// Tab, LF and CR written as `\t`, `\n`, `\r`; nothing quoted.
  case tsv
  /// A JSON string literal.
  case json
  /// A Markdown table cell: `|` as `\|`, line breaks as `<br>`.
  case markdown
}

/// Writes `s` in `style`.
package func writeText(_ s: String, style: TextStyle, to out: ByteWriter) {
  var s = s
  s.withUTF8 { writeText(bytes: $0, style: style, to: out) }
}

package func writeText(bytes: UnsafeBufferPointer<UInt8>, style: TextStyle, to out: ByteWriter) {
  let n = bytes.count
  switch style {
  case .csv(let sep, let quoteEmpty):
    guard let p = bytes.baseAddress, n > 0 else {
      if quoteEmpty { out.append(UInt8(ascii: "\""), UInt8(ascii: "\"")) }
      return
    }
    var quote = p[0] == 0x20 || p[n - 1] == 0x20
    var hasQuote = false
    if !quote {
      for i in 0..<n {
        let b = p[i]
        if b == sep || b == 0x0A || b == 0x0D {
          quote = true
        } else if b == 0x22 {
          quote = true
          hasQuote = true
          break
        }
      }
    } else {
      for i in 0..<n where p[i] == 0x22 {
        hasQuote = true
        break
      }
    }
    if !quote {
      out.append(p, n)
      return
    }
    out.append(0x22)
    if hasQuote {
      var start = 0
      for i in 0..<n where p[i] == 0x22 {
        out.append(p + start, i + 1 - start)
        out.append(0x22)
        start = i + 1
      }
      out.append(p + start, n - start)
    } else {
      out.append(p, n)
    }
    out.append(0x22)

  case .tsv:
    guard let p = bytes.baseAddress else { return }
    var start = 0
    for i in 0..<n {
      let b = p[i]
      let esc: UInt8
      switch b {
      case 0x09: esc = UInt8(ascii: "t")
      case 0x0A: esc = UInt8(ascii: "n")
      case 0x0D: esc = UInt8(ascii: "r")
      default: continue
      }
      out.append(p + start, i - start)
      out.append(UInt8(ascii: "\\"), esc)
      start = i + 1
    }
    out.append(p + start, n - start)

  case .json:
    out.append(0x22)
    if let p = bytes.baseAddress {
      var start = 0
      for i in 0..<n {
        let b = p[i]
        if b >= 0x20 && b != 0x22 && b != 0x5C { continue }
        out.append(p + start, i - start)
        start = i + 1
        switch b {
        case 0x22: out.append(UInt8(ascii: "\\"), 0x22)
        case 0x5C: out.append(UInt8(ascii: "\\"), 0x5C)
        case 0x0A: out.append(UInt8(ascii: "\\"), UInt8(ascii: "n"))
        case 0x0D: out.append(UInt8(ascii: "\\"), UInt8(ascii: "r"))
        case 0x09: out.append(UInt8(ascii: "\\"), UInt8(ascii: "t"))
        case 0x08: out.append(UInt8(ascii: "\\"), UInt8(ascii: "b"))
        case 0x0C: out.append(UInt8(ascii: "\\"), UInt8(ascii: "f"))
        default:
          let hex: [UInt8] = Array("0123456789abcdef".utf8)
          out.append(UInt8(ascii: "\\"), UInt8(ascii: "u"))
          out.append(UInt8(ascii: "0"), UInt8(ascii: "0"))
          out.append(hex[Int(b >> 4)], hex[Int(b & 0xF)])
        }
      }
      out.append(p + start, n - start)
    }
    out.append(0x22)

  case .markdown:
    guard let p = bytes.baseAddress else { return }
    var start = 0
    var i = 0
    while i < n {
      let b = p[i]
      if b == UInt8(ascii: "|") {
        out.append(p + start, i - start)
        out.append(UInt8(ascii: "\\"), UInt8(ascii: "|"))
        start = i + 1
      } else if b == 0x0A || b == 0x0D {
        out.append(p + start, i - start)
        out.append("<br>")
        if b == 0x0D && i + 1 < n && p[i + 1] == 0x0A { i += 1 }
        start = i + 1
      }
      i += 1
    }
    out.append(p + start, n - start)
  }
}

/// `s` encoded in `style`, as a String.
package func encodeText(_ s: String, style: TextStyle) -> String {
  let out = ByteWriter(capacity: s.utf8.count + 8)
  writeText(s, style: style, to: out)
  return out.string()
}

/// The encoded bytes of every string of a dictionary, computed once so that each cell is a
/// single copy. Built only when the dictionary is not much larger than the rows written.
package final class EncodedDictionary {
  private let arena: ByteWriter
  /// `count + 1` offsets into the arena; stable address for the object's life.
  package let offsets: UnsafeMutablePointer<Int>
  /// Number of strings.
  package let count: Int

  package init(_ dictionary: TextDictionary, style: TextStyle) {
    let n = dictionary.count
    let arena = ByteWriter(capacity: max(64, n * 12))
    count = n
    offsets = UnsafeMutablePointer<Int>.allocate(capacity: n + 1)
    offsets[0] = 0
    for k in 0..<n {
      writeText(bytes: dictionary.bytes(of: UInt32(k)).bindMemory(to: UInt8.self), style: style, to: arena)
      offsets[k + 1] = arena.count
    }
    // Slack so that a short string can be copied as one 16-byte block.
    arena.append(repeating: 0, count: 16)
    self.arena = arena
  }

  deinit { offsets.deallocate() }

  /// The first encoded byte (stable once built).
  package var bytes: UnsafeMutablePointer<UInt8> { arena.base }

  /// The encoded dictionaries of `table`'s text columns (one per distinct dictionary), or
  /// nil for columns whose dictionary is far larger than `rows`.
  package static func forColumns(_ table: Table, rows: Int, style: TextStyle) -> [EncodedDictionary?] {
    var cache: [ObjectIdentifier: EncodedDictionary] = [:]
    return table.columns.map { column -> EncodedDictionary? in
      guard case .text(_, let d) = column.values else { return nil }
      if let e = cache[ObjectIdentifier(d)] { return e }
      guard d.count <= 2 * rows + 4096 else { return nil }
      let e = EncodedDictionary(d, style: style)
      cache[ObjectIdentifier(d)] = e
      return e
    }
  }
}

/// One column as plain pointers, so that the row loops copy no reference (no retain or
/// release per cell). Only valid while the table and the encoded dictionaries are alive.
package struct CellSlot {
  package enum Kind: UInt8 {
    case int, float, bool
    /// Text with its dictionary encoded in advance.
    case text
    /// Text whose dictionary is encoded cell by cell (`column` indexes the table).
    case textDirect
    /// Days since 1970-01-01, written `YYYY-MM-DD` (or `DD/MM/YYYY` in `excel-fr`).
    case date
  }

  package var kind: Kind
  package var values: UnsafeRawPointer
  package var validity: UnsafePointer<UInt8>?
  package var arena: UnsafePointer<UInt8>?
  package var offsets: UnsafePointer<Int>?
  package var codeCount = 0
  package var column: Int

  @inline(__always)
  package func isNull(_ i: Int) -> Bool {
    if let v = validity { return v[i] == 0 }
    return false
  }

  /// Writes a bool (`true`/`false`) or text cell of row `i`, the same in every format; text
  /// whose dictionary was not encoded in advance is encoded with `style`.
  @inline(__always)
  package func writeBoolOrText(_ i: Int, table: Table, style: TextStyle, to out: ByteWriter) {
    switch kind {
    case .bool:
      if values.assumingMemoryBound(to: UInt8.self)[i] != 0 { out.appendLiteral("true") } else { out.appendLiteral("false") }
    case .text:
      writeEncoded(i, to: out)
    case .textDirect:
      if case .text(let codes, let dict) = table.columns[column].values { writeCode(codes.base[i], dict, style: style, to: out) }
    case .int, .float, .date:
      break
    }
  }

  /// Writes the date of row `i` (kind `.date` only): `YYYY-MM-DD`, or `DD/MM/YYYY` when
  /// `french` — ten bytes, no allocation.
  @inline(__always)
  package func writeDate(_ i: Int, french: Bool, to out: ByteWriter) {
    let (y, m, d) = CalendarDate.civil(values.assumingMemoryBound(to: Int64.self)[i])
    guard y >= 0 && y <= 9999 else {
      out.append(Array(String(y).utf8))
      return
    }
    let p = out.reserve(10)
    @inline(__always) func two(_ v: Int64, _ at: Int) {
      p[at] = UInt8(48 + v / 10)
      p[at + 1] = UInt8(48 + v % 10)
    }
    if french {
      two(d, 0); p[2] = UInt8(ascii: "/"); two(m, 3); p[5] = UInt8(ascii: "/"); two(y / 100, 6); two(y % 100, 8)
    } else {
      two(y / 100, 0); two(y % 100, 2); p[4] = UInt8(ascii: "-"); two(m, 5); p[7] = UInt8(ascii: "-"); two(d, 8)
    }
    out.advance(10)
  }

  /// Writes the encoded text of row `i` (kind `.text` only); an unknown code writes nothing.
  @inline(__always)
  package func writeEncoded(_ i: Int, to out: ByteWriter) {
    let code = Int(values.assumingMemoryBound(to: UInt32.self)[i])
    guard code < codeCount, let offsets = offsets, let arena = arena else { return }
    let start = offsets[code]
    let n = offsets[code + 1] - start
    if n <= 16 {
      // Copy 16 bytes (the arena has slack after its last string), count n.
      let p = out.reserve(16)
      UnsafeMutableRawPointer(p).storeBytes(
        of: UnsafeRawPointer(arena + start).loadUnaligned(as: (UInt64, UInt64).self), as: (UInt64, UInt64).self)
      out.advance(n)
    } else {
      out.append(arena + start, n)
    }
  }

  package static func slots(_ table: Table, encoded: [EncodedDictionary?]) -> [CellSlot] {
    table.columns.enumerated().map { c, column in
      let validity = column.validity.map { UnsafePointer($0.base) }
      switch column.values {
      case .int(let b):
        return CellSlot(kind: .int, values: UnsafeRawPointer(b.base), validity: validity, column: c)
      case .float(let b):
        return CellSlot(kind: .float, values: UnsafeRawPointer(b.base), validity: validity, column: c)
      case .bool(let b):
        return CellSlot(kind: .bool, values: UnsafeRawPointer(b.base), validity: validity, column: c)
      case .date(let b):
        return CellSlot(kind: .date, values: UnsafeRawPointer(b.base), validity: validity, column: c)
      case .text(let b, _):
        if c < encoded.count, let e = encoded[c] {
          return CellSlot(
            kind: .text, values: UnsafeRawPointer(b.base), validity: validity, arena: UnsafePointer(e.bytes),
            offsets: UnsafePointer(e.offsets), codeCount: e.count, column: c)
        }
        return CellSlot(kind: .textDirect, values: UnsafeRawPointer(b.base), validity: validity, column: c)
      }
    }
  }
}

/// Writes the text of `code` in `dictionary` directly (for dictionaries too large to encode
/// in full).
@inline(__always)
package func writeCode(_ code: UInt32, _ dictionary: TextDictionary, style: TextStyle, to out: ByteWriter) {
  let c = Int(code)
  guard c < dictionary.count else { return }
  let bytes = dictionary.bytes(of: code)
  writeText(bytes: bytes.bindMemory(to: UInt8.self), style: style, to: out)
}

/// A write to the output failed with `errno`.
package struct WriteFailure: Error {
  package var errorNumber: Int32
}

/// Polled every few thousand rows by the writers: stops on Ctrl-C or a failed write.
@inline(__always)
package func checkpoint(_ out: ByteWriter, _ cancel: CancellationFlag?) throws {
  if let c = cancel, c.isCancelled { throw CancelledError() }
  if out.errorNumber != 0 { throw WriteFailure(errorNumber: out.errorNumber) }
}
