// Numbers written with digit groups: INSEE and French spreadsheets write `1 234 567` (a space,
// a no-break space U+00A0 or a narrow no-break space U+202F between groups of three digits);
// other files `1.234.567`, `1'234'567` or `1_234_567` (`with (thousands = "…")`).

/// How the reader recognises digit groups in numbers.
package struct DigitGrouping: Sendable {
  /// The separator the user named (`thousands = "."`), or nil to recognise the space-like
  /// separators only.
  package let explicit: UInt8?

  package init(explicit: UInt8?) { self.explicit = explicit }

  /// The length of the separator at `p[i]` when one is there (1 for a byte, 2 for U+00A0,
  /// 3 for U+202F), else 0.
  @inline(__always)
  private func separatorLength(_ p: UnsafePointer<UInt8>, _ i: Int, _ e: Int) -> Int {
    if let s = explicit { return p[i] == s ? 1 : 0 }
    if p[i] == 0x20 { return 1 }
    if p[i] == 0xC2 && i + 1 < e && p[i + 1] == 0xA0 { return 2 }
    if p[i] == 0xE2 && i + 2 < e && p[i + 1] == 0x80 && p[i + 2] == 0xAF { return 3 }
    return 0
  }

  /// When `p[0..<n]` is a number written with digit groups — `[sign] d{1,3} (sep d{3})+
  /// [mark digits]`, spaces around allowed, the mark `.` or `,` but not the separator —
  /// writes it without the separators to `out` (which has room for `n` bytes) and returns its
  /// length; nil otherwise (a number without groups too: it needs no rewriting).
  package func ungroup(_ p: UnsafePointer<UInt8>, _ n: Int, into out: UnsafeMutablePointer<UInt8>) -> Int? {
    // Spaces around, no-break ones too (Excel's accounting format pads with them).
    var i = 0
    var e = n
    var paddedWithNoBreak = false
    while i < e {
      if isCSVSpace(p[i]) {
        i += 1
      } else if p[i] == 0xC2 && i + 1 < e && p[i + 1] == 0xA0 {
        i += 2
        paddedWithNoBreak = true
      } else {
        break
      }
    }
    while e > i {
      if isCSVSpace(p[e - 1]) {
        e -= 1
      } else if e - 2 >= i && p[e - 2] == 0xC2 && p[e - 1] == 0xA0 {
        e -= 2
        paddedWithNoBreak = true
      } else {
        break
      }
    }
    var o = 0
    if i < e && (p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+")) {
      out[o] = p[i]
      o += 1
      i += 1
    }
    // The first group: one to three digits, not starting with 0 (`0 123` is not a number).
    let firstStart = i
    while i < e && p[i] &- 0x30 <= 9 {
      out[o] = p[i]
      o += 1
      i += 1
    }
    let firstLength = i - firstStart
    if firstLength == 0 { return nil }
    let groupsAllowed = firstLength <= 3 && p[firstStart] != UInt8(ascii: "0")
    var groups = 0
    while i < e && groupsAllowed {
      let s = separatorLength(p, i, e)
      if s == 0 { break }
      guard i + s + 3 <= e, p[i + s] &- 0x30 <= 9, p[i + s + 1] &- 0x30 <= 9, p[i + s + 2] &- 0x30 <= 9 else { return nil }
      out[o] = p[i + s]
      out[o + 1] = p[i + s + 1]
      out[o + 2] = p[i + s + 2]
      o += 3
      i += s + 3
      groups += 1
    }
    // Without groups or no-break padding, the number needs no rewriting.
    if groups == 0 && !paddedWithNoBreak { return nil }
    if i < e && (p[i] == UInt8(ascii: ".") || p[i] == UInt8(ascii: ",")) && p[i] != explicit {
      out[o] = p[i]
      o += 1
      i += 1
      let fractionStart = i
      while i < e && p[i] &- 0x30 <= 9 {
        out[o] = p[i]
        o += 1
        i += 1
      }
      if i == fractionStart { return nil }
    }
    return i == e ? o : nil
  }
}
