// A streaming XML tokenizer over bytes, for the parts of an xlsx workbook: it hands out one
// start tag, end tag or text at a time, as byte ranges of a window that slides over the
// inflated part, so a sheet of any size takes a few hundred kilobytes. No tree, no
// `String` per token; entities (`&amp;`, `&#233;`, `&#xE9;`) are decoded only for the text
// and attribute values the caller asks for. Namespace prefixes are ignored (`x:row` is
// `row`); a DOCTYPE is skipped and its entities are not expanded.

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import TerrainStorage
import TerrainSyntax

/// What `XMLTokenizer.next()` found.
enum XMLEvent {
  /// A start tag (`selfClosing` tells `<a/>`); `name` and the attributes are set.
  case start
  /// An end tag; `name` is set.
  case end
  /// Character data (or a CDATA section); `text` is set.
  case text
  /// The end of the part.
  case endOfPart
}

/// Where the source of a tokenizer comes from: the bytes of a zip member.
protocol XMLByteSource: AnyObject {
  /// Fills up to `capacity` bytes at `into`; 0 at the end.
  func read(into: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int
}

extension ZipMemberStream: XMLByteSource {}

/// Pulls tokens from one XML part.
final class XMLTokenizer {
  /// The part's name, for messages.
  let part: String
  private let source: XMLByteSource
  private(set) var buffer: UnsafeMutablePointer<UInt8>
  private var capacity: Int
  /// The next unread byte and the end of the bytes read so far, in `buffer`.
  private var pos = 0
  private var end = 0
  /// The part offset of `buffer[0]`.
  private var base = 0
  private var sourceDone = false

  /// The longest tag or text accepted (a longer one is an error rather than an allocation
  /// the file decides).
  static let maxTokenBytes = 64 << 20

  /// The local name of the current tag: `buffer[nameStart..<nameEnd]`.
  private(set) var nameStart = 0
  private(set) var nameEnd = 0
  /// The attributes of the current start tag: `buffer[attributesStart..<attributesEnd]`.
  private(set) var attributesStart = 0
  private(set) var attributesEnd = 0
  /// Whether the current start tag is `<…/>`.
  private(set) var selfClosing = false
  /// The current text: `buffer[textStart..<textEnd]`, raw (entities not decoded) unless
  /// `textIsCDATA`.
  private(set) var textStart = 0
  private(set) var textEnd = 0
  private(set) var textIsCDATA = false
  /// The part offset of the current token, for messages.
  private(set) var tokenOffset = 0

  init(part: String, source: XMLByteSource, initialCapacity: Int = 256 << 10) {
    self.part = part
    self.source = source
    capacity = max(64, initialCapacity)
    buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
  }

  deinit { buffer.deallocate() }

  /// The part offset of `buffer[i]`.
  func offset(_ i: Int) -> Int { base + i }

  private func malformed(_ at: Int, _ entry: DiagnosticMessage) -> XLSXFailure {
    XLSXFailure.fail(entry, part, String(base + at))
  }

  /// Makes `buffer[pos + k]` readable if the part has it; false at the end of the part.
  /// Moves the unread bytes to the start of the buffer (`pos` becomes 0), so callers keep
  /// offsets relative to `pos`.
  private func ensure(_ k: Int) throws -> Bool {
    while pos + k >= end {
      if sourceDone { return false }
      if pos > 0 {
        let n = end - pos
        if n > 0 { buffer.update(from: buffer + pos, count: n) }
        base += pos
        end = n
        pos = 0
      }
      if end == capacity {
        guard capacity < XMLTokenizer.maxTokenBytes else {
          throw XLSXFailure.fail(.xlsxXMLTooLong, part, String(base), String(XMLTokenizer.maxTokenBytes >> 20))
        }
        // Up to 64 MB: the memory is probed first, so that a refusal is an error.
        let doubled = capacity * 2
        let bigger = try withCheckedRoom(for: doubled) { UnsafeMutablePointer<UInt8>.allocate(capacity: doubled) }
        bigger.update(from: buffer, count: end)
        buffer.deallocate()
        buffer = bigger
        capacity *= 2
      }
      let n = try source.read(into: buffer + end, capacity: capacity - end)
      if n == 0 { sourceDone = true } else { end += n }
    }
    return true
  }

  /// The offset (from `pos`) of the first `byte` at or after `pos + k`; nil at the end of the part.
  private func find(_ byte: UInt8, from k: Int) throws -> Int? {
    var k = k
    while true {
      guard try ensure(k) else { return nil }
      let p = buffer + pos + k
      if let hit = memchr(p, Int32(byte), end - pos - k) {
        return k + (UnsafeRawPointer(hit) - UnsafeRawPointer(p))
      }
      k = end - pos
    }
  }

  /// The offset (from `pos`) of the first occurrence of `a b c` (`-->`, `]]>`, `?>` with c = 0).
  private func find(_ a: UInt8, _ b: UInt8, _ c: UInt8, from k: Int) throws -> Int? {
    var k = k
    while let i = try find(a, from: k) {
      guard try ensure(i + 1) else { return nil }
      if buffer[pos + i + 1] == b {
        if c == 0 { return i }
        guard try ensure(i + 2) else { return nil }
        if buffer[pos + i + 2] == c { return i }
      }
      k = i + 1
    }
    return nil
  }

  /// The next token.
  ///
  /// - Throws: `XLSXFailure` for malformed XML or a damaged part.
  func next() throws -> XMLEvent {
    while true {
      guard try ensure(0) else { return .endOfPart }
      tokenOffset = base + pos
      if buffer[pos] != UInt8(ascii: "<") {
        // Text up to the next tag, or to the end of the part.
        let stop = try find(UInt8(ascii: "<"), from: 1) ?? (end - pos)
        textStart = pos
        textEnd = pos + stop
        textIsCDATA = false
        pos += stop
        return .text
      }
      guard try ensure(1) else { throw malformed(pos, .xlsxXMLUnexpectedEnd) }
      let second = buffer[pos + 1]
      if second == UInt8(ascii: "/") {
        guard let close = try find(UInt8(ascii: ">"), from: 2) else { throw malformed(pos, .xlsxXMLUnexpectedEnd) }
        var e = pos + close
        while e > pos + 2 && isXMLSpace(buffer[e - 1]) { e -= 1 }
        setName(pos + 2, e)
        guard nameEnd > nameStart else { throw malformed(pos, .xlsxXMLBadTag) }
        pos += close + 1
        return .end
      }
      if second == UInt8(ascii: "?") {
        guard let close = try find(UInt8(ascii: "?"), UInt8(ascii: ">"), 0, from: 2) else {
          throw malformed(pos, .xlsxXMLUnexpectedEnd)
        }
        pos += close + 2
        continue
      }
      if second == UInt8(ascii: "!") {
        guard try ensure(3) else { throw malformed(pos, .xlsxXMLUnexpectedEnd) }
        if buffer[pos + 2] == UInt8(ascii: "-") && buffer[pos + 3] == UInt8(ascii: "-") {
          guard let close = try find(UInt8(ascii: "-"), UInt8(ascii: "-"), UInt8(ascii: ">"), from: 4) else {
            throw malformed(pos, .xlsxXMLUnexpectedEnd)
          }
          pos += close + 3
          continue
        }
        if try ensure(8), matches(pos + 2, "[CDATA[") {
          guard let close = try find(UInt8(ascii: "]"), UInt8(ascii: "]"), UInt8(ascii: ">"), from: 9) else {
            throw malformed(pos, .xlsxXMLUnexpectedEnd)
          }
          textStart = pos + 9
          textEnd = pos + close
          textIsCDATA = true
          pos += close + 3
          return .text
        }
        // A DOCTYPE: skipped, with any internal subset in brackets.
        var k = 2
        var depth = 0
        while true {
          guard try ensure(k) else { throw malformed(pos, .xlsxXMLUnexpectedEnd) }
          let b = buffer[pos + k]
          if b == UInt8(ascii: "[") { depth += 1 }
          if b == UInt8(ascii: "]") { depth -= 1 }
          if b == UInt8(ascii: ">") && depth <= 0 { break }
          k += 1
        }
        pos += k + 1
        continue
      }
      // A start tag: its name, then attributes up to the `>` outside quotes.
      var k = 1
      while true {
        guard try ensure(k) else { throw malformed(pos, .xlsxXMLUnexpectedEnd) }
        let b = buffer[pos + k]
        if isXMLSpace(b) || b == UInt8(ascii: ">") || b == UInt8(ascii: "/") { break }
        k += 1
      }
      let nameEndK = k
      var quote: UInt8 = 0
      while true {
        guard try ensure(k) else { throw malformed(pos, .xlsxXMLUnexpectedEnd) }
        let b = buffer[pos + k]
        if quote != 0 {
          if b == quote { quote = 0 }
        } else if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
          quote = b
        } else if b == UInt8(ascii: ">") {
          break
        } else if b == UInt8(ascii: "<") {
          throw malformed(pos + k, .xlsxXMLBadTag)
        }
        k += 1
      }
      setName(pos + 1, pos + nameEndK)
      guard nameEnd > nameStart else { throw malformed(pos, .xlsxXMLBadTag) }
      selfClosing = k > nameEndK && buffer[pos + k - 1] == UInt8(ascii: "/")
      attributesStart = pos + nameEndK
      attributesEnd = pos + k - (selfClosing ? 1 : 0)
      pos += k + 1
      return .start
    }
  }

  private func matches(_ at: Int, _ literal: StaticString) -> Bool {
    memcmp(buffer + at, literal.utf8Start, literal.utf8CodeUnitCount) == 0
  }

  /// Sets the name to the local part of `buffer[a..<b]` (after any `prefix:`).
  private func setName(_ a: Int, _ b: Int) {
    var s = a
    for i in a..<b where buffer[i] == UInt8(ascii: ":") { s = i + 1 }
    nameStart = s
    nameEnd = b
  }

  /// Whether the current tag's local name is `literal`.
  @inline(__always)
  func nameIs(_ literal: StaticString) -> Bool {
    let n = literal.utf8CodeUnitCount
    return nameEnd - nameStart == n && memcmp(buffer + nameStart, literal.utf8Start, n) == 0
  }

  /// The next attribute of the current start tag at or after `buffer[cursor]`: the local
  /// name's and the raw value's ranges in `buffer`; nil after the last one.
  ///
  /// - Throws: `XLSXFailure` for a malformed attribute list.
  func nextAttribute(_ cursor: inout Int) throws -> (name: Range<Int>, value: Range<Int>)? {
    var i = cursor
    let e = attributesEnd
    while i < e && isXMLSpace(buffer[i]) { i += 1 }
    if i >= e { return nil }
    let start = i
    var local = i
    while i < e && buffer[i] != UInt8(ascii: "=") && !isXMLSpace(buffer[i]) {
      if buffer[i] == UInt8(ascii: ":") { local = i + 1 }
      i += 1
    }
    let nameEndAt = i
    while i < e && isXMLSpace(buffer[i]) { i += 1 }
    guard i < e, buffer[i] == UInt8(ascii: "="), nameEndAt > start else { throw malformed(start, .xlsxXMLBadTag) }
    i += 1
    while i < e && isXMLSpace(buffer[i]) { i += 1 }
    guard i < e, buffer[i] == UInt8(ascii: "\"") || buffer[i] == UInt8(ascii: "'") else {
      throw malformed(start, .xlsxXMLBadTag)
    }
    let q = buffer[i]
    let valueStart = i + 1
    i = valueStart
    while i < e && buffer[i] != q { i += 1 }
    guard i < e else { throw malformed(start, .xlsxXMLBadTag) }
    cursor = i + 1
    return (local..<nameEndAt, valueStart..<i)
  }

  /// The raw value of the current tag's attribute whose local name is `literal`.
  func attribute(_ literal: StaticString) throws -> Range<Int>? {
    var cursor = attributesStart
    let n = literal.utf8CodeUnitCount
    while let a = try nextAttribute(&cursor) {
      if a.name.count == n && memcmp(buffer + a.name.lowerBound, literal.utf8Start, n) == 0 { return a.value }
    }
    return nil
  }

  /// The decoded value of the attribute `literal` as a String, nil when absent.
  func attributeString(_ literal: StaticString) throws -> String? {
    guard let r = try attribute(literal) else { return nil }
    let scratch = try BufferBuilder<UInt8>(checkedCapacity: r.count + 16)
    try appendDecoded(r, to: scratch)
    return String(decoding: UnsafeBufferPointer(start: scratch.base, count: scratch.count), as: UTF8.self)
  }

  /// Appends `buffer[range]` to `out` with entities decoded and line ends normalised (CR LF
  /// and CR become LF); CDATA text is appended as is.
  ///
  /// - Throws: `XLSXFailure` for an unknown or malformed entity.
  func appendDecoded(_ range: Range<Int>, cdata: Bool = false, to out: BufferBuilder<UInt8>) throws {
    let p = buffer
    var i = range.lowerBound
    let e = range.upperBound
    var run = i
    while i < e {
      let b = p[i]
      if b == UInt8(ascii: "&") && !cdata {
        try out.append(p + run, i - run)
        guard let semi = (i + 1..<min(e, i + 12)).first(where: { p[$0] == UInt8(ascii: ";") }) else {
          throw XLSXFailure.fail(.xlsxXMLBadEntity, part, String(base + i), entityText(i, e))
        }
        guard let scalar = entityScalar(i + 1, semi) else {
          throw XLSXFailure.fail(.xlsxXMLBadEntity, part, String(base + i), entityText(i, e))
        }
        let w = try out.tail(reserving: 4)
        out.advance(by: writeUTF8(scalar, to: w))
        i = semi + 1
        run = i
      } else if b == 0x0D {
        try out.append(p + run, i - run)
        try out.append(byte: 0x0A)
        i += 1
        if i < e && p[i] == 0x0A { i += 1 }
        run = i
      } else {
        i += 1
      }
    }
    try out.append(p + run, e - run)
  }

  private func entityText(_ i: Int, _ e: Int) -> String {
    String(decoding: UnsafeBufferPointer(start: buffer + i, count: min(12, e - i)), as: UTF8.self)
  }

  /// The code point of the entity `buffer[a..<b]` (between `&` and `;`).
  private func entityScalar(_ a: Int, _ b: Int) -> UInt32? {
    let n = b - a
    let p = buffer + a
    func named(_ s: StaticString) -> Bool { n == s.utf8CodeUnitCount && memcmp(p, s.utf8Start, n) == 0 }
    if named("amp") { return 0x26 }
    if named("lt") { return 0x3C }
    if named("gt") { return 0x3E }
    if named("quot") { return 0x22 }
    if named("apos") { return 0x27 }
    guard n >= 2, p[0] == UInt8(ascii: "#") else { return nil }
    var v: UInt32 = 0
    if p[1] == UInt8(ascii: "x") || p[1] == UInt8(ascii: "X") {
      guard n >= 3 else { return nil }
      for j in 2..<n {
        guard let d = hexDigit(p[j]), v < 0x11000 else { return nil }
        v = v * 16 + d
      }
    } else {
      for j in 1..<n {
        let d = p[j] &- 0x30
        guard d <= 9, v < 0x11_0000 else { return nil }
        v = v * 10 + UInt32(d)
      }
    }
    guard v > 0, v <= 0x10_FFFF, !(0xD800...0xDFFF).contains(v) else { return nil }
    return v
  }
}

@inline(__always)
func isXMLSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }

/// The value of a hexadecimal digit.
@inline(__always)
func hexDigit(_ b: UInt8) -> UInt32? {
  switch b {
  case 0x30...0x39: return UInt32(b - 0x30)
  case 0x41...0x46: return UInt32(b - 0x41 + 10)
  case 0x61...0x66: return UInt32(b - 0x61 + 10)
  default: return nil
  }
}

/// Decodes Office's escapes of characters XML cannot hold (`_x000D_`, and `_x005F_` for a
/// literal `_`) in the bytes `out[from...]`, in place.
func decodeOfficeEscapes(_ out: BufferBuilder<UInt8>, from: Int) {
  let p = out.base
  let n = out.count
  var i = from
  var w = from
  var changed = false
  while i < n {
    if p[i] == UInt8(ascii: "_"), i + 6 < n, p[i + 1] == UInt8(ascii: "x"), p[i + 6] == UInt8(ascii: "_"),
      let a = hexDigit(p[i + 2]), let b = hexDigit(p[i + 3]), let c = hexDigit(p[i + 4]), let d = hexDigit(p[i + 5])
    {
      let v = a << 12 | b << 8 | c << 4 | d
      if !(0xD800...0xDFFF).contains(v) {
        // At most 3 bytes for a code point below 0x10000, written over the 7 just read.
        w += writeUTF8(v, to: p + w)
        i += 7
        changed = true
        continue
      }
    }
    p[w] = p[i]
    w += 1
    i += 1
  }
  if changed { out.used = w }
}

extension BufferBuilder where Element == UInt8 {
  /// Appends `n` bytes from `p`; `AllocationFailure` when the memory refuses the growth.
  @inline(__always)
  func append(_ p: UnsafePointer<UInt8>, _ n: Int) throws {
    guard n > 0 else { return }
    try tail(reserving: n).update(from: p, count: n)
    advance(by: n)
  }

  /// Appends one byte; `AllocationFailure` when the memory refuses the growth.
  @inline(__always)
  func append(byte b: UInt8) throws { try append(b) }

  /// The bytes as a String.
  var string: String { String(decoding: UnsafeBufferPointer(start: base, count: count), as: UTF8.self) }
}
