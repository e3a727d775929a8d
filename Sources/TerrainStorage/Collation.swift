// The order of text: French (the default) or binary (code point), and the French collation
// key computed once per dictionary entry.
//
// French order is a simplified UCA/ICU tertiary collation (CLDR root order, which is also
// ICU's `fr`), compared level by level:
//
// 1. Base characters, without accents or case: `é` `È` `e` `E` are all `e`; the ligatures
//    expand (`œ` = `oe`, `æ` = `ae`, `ĳ` = `ij`, `ﬁ` = `fi`), `ß` is `ss`. Classes in this
//    order: white space (tab … space; a no-break space is a space), ASCII punctuation and
//    symbols in UCA order (`_ - , ; : ! ? . ' " ( ) [ ] { } @ * / \ & # % ` ^ + < = > | ~ $`;
//    the typographic apostrophe `’` is `'`, `‐` is `-`), other symbols by code point, digits
//    (one at a time: `10` sorts before `9`, as in ICU), Latin letters a–z (with `ı` after `i`,
//    `ĸ` after `q`, `ŋ` after `n`, `þ` after `z`), then the letters of other scripts by code
//    point of their lower case. Spaces and punctuation are not ignored ("non-ignorable", as
//    ICU): `Saint-Denis` < `Saint-Étienne` < `Sainte-Anne`, `La Boisse` < `Labalme`.
// 2. Accents: unaccented before accented, then in UCA order acute < grave < breve <
//    circumflex < caron < ring < diaeresis < double acute < tilde < dot < stroke (`ø` `ł` `đ`)
//    < cedilla < ogonek < macron < others < `ð` < `ŀ` < ligature (`œ` `æ` `ß` `ĳ`, after
//    every accented spelling: `ōe` < `œ`, `ss` < `SS` < `ß`, as ICU); a letter and a following
//    combining accent (U+0300–U+036F) count as the accented letter (several accents on one
//    letter: the first decides, then level 4). Accents compare from the start of the text
//    (as ICU `fr`; not the backwards accents of fr_CA): `cote` < `coté` < `côte` < `côté`.
// 3. Case: lower case (or no case) < upper case < lower-case variant (`²`, `’`, `ﬁ`, `ſ`, a
//    no-break space) < upper-case variant: `évian` < `Évian`, `oe` < `OE`, `2` < `²`.
// 4. Code points (binary UTF-8), so that distinct texts never tie: the order is total and
//    agrees with exact equality (`e` + U+0301 and `é` are distinct, and next to each other).
//
// Control characters are ignored until level 4; the empty text sorts first. Nulls are not
// texts: every sort puts them last in both directions.

/// How text is ordered: `sort`, window orders, `min`/`max`, `rank` and `pivot` columns.
/// Equality (`==`, `in`, joins, `by`, `distinct`) is always exact, whatever the collation.
public enum Collation: String, Sendable, CaseIterable {
  /// French order (the default): letters without accents or case first, then accents, then
  /// case, then code points.
  case french = "fr"
  /// Code point order (binary UTF-8).
  case binary = "binary"

  /// The collation of a new session.
  public static let `default` = Collation.french

  /// Whether `a` sorts before `b` (a strict total order; only equal texts tie).
  public func less(_ a: String, _ b: String) -> Bool {
    switch self {
    case .binary: return utf8Less(a, b)
    case .french:
      let ka = frenchCollationKey(a)
      let kb = frenchCollationKey(b)
      if ka != kb { return ka.lexicographicallyPrecedes(kb) }
      return utf8Less(a, b)
    }
  }

  /// `values` in this order (for `pivot` columns, lists shown to the user).
  public func sorted(_ values: [String]) -> [String] {
    switch self {
    case .binary: return values.sorted(by: utf8Less)
    case .french:
      let keyed = values.map { (frenchCollationKey($0), $0) }
      return keyed.sorted { $0.0 != $1.0 ? $0.0.lexicographicallyPrecedes($1.0) : utf8Less($0.1, $1.1) }.map(\.1)
    }
  }
}

/// The French collation key of `s` (levels 1–3; level 4 is the text itself): two keys
/// compare as their texts in French order, byte by byte, a prefix first.
public func frenchCollationKey(_ s: String) -> [UInt8] {
  var s = s
  let builder = CollationKeyBuilder()
  var out: [UInt8] = []
  s.withUTF8 { builder.appendKey(of: UnsafeRawBufferPointer($0), to: &out) }
  return out
}

/// Builds French collation keys, reusing its buffers from one text to the next (raw
/// buffers: the key of a dictionary entry costs a few instructions per byte).
///
/// A key is the primary weights (each 2 or 4 bytes, never 0, the first byte naming the
/// class), a 0, the secondary weights (one byte per primary element, 1 = no accent, trailing
/// 1s dropped), a 0, and the tertiary weights (1 = lower case or no case, trailing 1s
/// dropped). Since every weight is at least 1 and a separator is 0, comparing keys byte by
/// byte compares level 1 first, then 2, then 3; dropping trailing 1s keeps that order.
package final class CollationKeyBuilder {
  /// The key being built: primary weights first, then (in `appendKey`) the other levels.
  private var key: UnsafeMutablePointer<UInt8>
  private var keyCapacity = 0
  private var keyCount = 0
  private var secondary: UnsafeMutablePointer<UInt8>
  private var tertiary: UnsafeMutablePointer<UInt8>
  private var elementCapacity = 0
  private var elements = 0

  package init() {
    key = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
    secondary = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
    tertiary = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
  }

  deinit {
    key.deallocate()
    secondary.deallocate()
    tertiary.deallocate()
  }

  /// Appends the key of the UTF-8 text `bytes` (valid UTF-8) to `out`.
  package func appendKey(of bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
    let n = bytes.count
    // At most 2 primary bytes and one element per byte of text (a 2-byte ligature gives two
    // 2-byte elements, a scalar weighted by code point 4 bytes from at least 2), then the
    // two other levels and their separators.
    if keyCapacity < 4 * n + 8 {
      key.deallocate()
      keyCapacity = 4 * n + 64
      key = UnsafeMutablePointer<UInt8>.allocate(capacity: keyCapacity)
    }
    if elementCapacity < n + 8 {
      secondary.deallocate()
      tertiary.deallocate()
      elementCapacity = n + 64
      secondary = UnsafeMutablePointer<UInt8>.allocate(capacity: elementCapacity)
      tertiary = UnsafeMutablePointer<UInt8>.allocate(capacity: elementCapacity)
    }
    keyCount = 0
    elements = 0
    var i = 0
    while i < n {
      let b0 = bytes[i]
      if b0 < 0x80 {
        ascii(b0)
        i += 1
        continue
      }
      // A multi-byte scalar (the dictionary holds valid UTF-8; a truncated one is skipped).
      var scalar: UInt32
      var len: Int
      if b0 >= 0xF0 {
        scalar = UInt32(b0 & 0x07)
        len = 4
      } else if b0 >= 0xE0 {
        scalar = UInt32(b0 & 0x0F)
        len = 3
      } else {
        scalar = UInt32(b0 & 0x1F)
        len = 2
      }
      guard i + len <= n else { break }
      for k in 1..<len { scalar = scalar << 6 | UInt32(bytes[i + k] & 0x3F) }
      i += len
      other(scalar)
    }
    key[keyCount] = 0
    keyCount += 1
    var end = elements
    while end > 0 && secondary[end - 1] == 1 { end -= 1 }
    (key + keyCount).update(from: secondary, count: end)
    keyCount += end
    key[keyCount] = 0
    keyCount += 1
    end = elements
    while end > 0 && tertiary[end - 1] == 1 { end -= 1 }
    (key + keyCount).update(from: tertiary, count: end)
    keyCount += end
    out.append(contentsOf: UnsafeBufferPointer(start: key, count: keyCount))
  }

  @inline(__always)
  private func element(_ lead: UInt8, _ weight: UInt8, _ accent: UInt8 = 1, _ tert: UInt8 = 1) {
    key[keyCount] = lead
    key[keyCount + 1] = weight
    keyCount += 2
    secondary[elements] = accent
    tertiary[elements] = tert
    elements += 1
  }

  /// An element weighted by a code point (3 bytes of 7 bits each, plus 1: never 0).
  private func codePointElement(_ lead: UInt8, _ scalar: UInt32, _ tert: UInt8) {
    key[keyCount] = lead
    key[keyCount + 1] = UInt8(truncatingIfNeeded: (scalar >> 14) & 0x7F) + 1
    key[keyCount + 2] = UInt8(truncatingIfNeeded: (scalar >> 7) & 0x7F) + 1
    key[keyCount + 3] = UInt8(truncatingIfNeeded: scalar & 0x7F) + 1
    keyCount += 4
    secondary[elements] = 1
    tertiary[elements] = tert
    elements += 1
  }

  @inline(__always)
  private func ascii(_ b: UInt8) {
    switch b {
    case 0x61...0x7A: element(Lead.latin, (b - 0x60) * 4)
    case 0x41...0x5A: element(Lead.latin, (b - 0x40) * 4, 1, 2)
    case 0x30...0x39: element(Lead.digit, b - 0x2F)
    default:
      let w = asciiPunctuationWeight[Int(b)]
      if w == 0 { return }  // a control character: ignorable
      element(w < 0x10 ? Lead.space : Lead.punctuation, w < 0x10 ? w : w - 0x10)
    }
  }

  private func other(_ scalar: UInt32) {
    // Latin letters with accents, ligatures: the generated tables.
    var entry: UInt32 = 0
    if scalar >= 0xC0 && scalar < 0x250 {
      entry = latin1AndExtended[Int(scalar - 0xC0)]
    } else if scalar >= 0x1E00 && scalar < 0x1F00 {
      entry = latinExtendedAdditional[Int(scalar - 0x1E00)]
    }
    if entry != 0 {
      let accent = UInt8(truncatingIfNeeded: entry >> 16)
      let tert = UInt8(truncatingIfNeeded: entry >> 24)
      element(Lead.latin, UInt8(truncatingIfNeeded: entry), accent, tert)
      let second = UInt8(truncatingIfNeeded: entry >> 8)
      // A ligature's second letter carries no accent: `œ` is `oe` with the ligature's
      // secondary weight on the `o` (after every accent, as in ICU: `ōe` < `œ`).
      if second != 0 { element(Lead.latin, second, 1, tert) }
      return
    }
    switch scalar {
    case 0x300...0x36F:
      // A combining accent: the accent of the element before it (the first one it meets).
      if elements > 0, secondary[elements - 1] == 1 { secondary[elements - 1] = combiningAccentWeight(scalar) }
      return
    case 0xA0, 0x2007, 0x202F: element(Lead.space, asciiPunctuationWeight[0x20], 1, 3)
    case 0x2018, 0x2019, 0x02BC: element(Lead.punctuation, asciiPunctuationWeight[0x27] - 0x10, 1, 3)
    case 0x2010, 0x2011: element(Lead.punctuation, asciiPunctuationWeight[0x2D] - 0x10, 1, 3)
    case 0xB2: element(Lead.digit, 3, 1, 3)
    case 0xB3: element(Lead.digit, 4, 1, 3)
    case 0xB9: element(Lead.digit, 2, 1, 3)
    case 0xAA: element(Lead.latin, 1 * 4, 1, 3)
    case 0xBA: element(Lead.latin, 15 * 4, 1, 3)
    case 0xFB01: element(Lead.latin, 6 * 4, 1, 3); element(Lead.latin, 9 * 4, 1, 3)  // ﬁ
    case 0xFB02: element(Lead.latin, 6 * 4, 1, 3); element(Lead.latin, 12 * 4, 1, 3)  // ﬂ
    default:
      guard let u = Unicode.Scalar(scalar) else { return }
      let p = u.properties
      if p.generalCategory == .nonspacingMark || p.generalCategory == .enclosingMark {
        if elements > 0, secondary[elements - 1] == 1 { secondary[elements - 1] = 30 }
        return
      }
      if p.generalCategory == .control || p.generalCategory == .format { return }
      if p.isWhitespace {
        element(Lead.space, asciiPunctuationWeight[0x20], 1, 3)
      } else if p.numericType == .decimal, let v = p.numericValue, v >= 0, v <= 9 {
        element(Lead.digit, UInt8(v) + 1, 1, 3)
      } else if p.isAlphabetic {
        // Another script: by the code point of the lower case, upper case after.
        let lower = p.lowercaseMapping.unicodeScalars
        let base = lower.count == 1 ? lower.first?.value ?? scalar : scalar
        codePointElement(Lead.otherLetter, base, p.isUppercase ? 2 : 1)
      } else {
        codePointElement(Lead.symbol, scalar, 1)
      }
    }
  }
}

/// The first byte of a primary weight: its class, in sorting order.
private enum Lead {
  static let space: UInt8 = 1
  static let punctuation: UInt8 = 2
  static let symbol: UInt8 = 3
  static let digit: UInt8 = 4
  static let latin: UInt8 = 5
  static let otherLetter: UInt8 = 6
}

/// Per ASCII byte: 0 = ignorable (control), 1…6 = white space (tab, LF, VT, FF, CR, space),
/// 0x11… = punctuation and symbols in UCA order. Letters and digits are handled before.
private let asciiPunctuationWeight: [UInt8] = {
  var w = [UInt8](repeating: 0, count: 128)
  for (k, b) in [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20].enumerated() { w[b] = UInt8(k + 1) }
  for (k, c) in "_-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$".utf8.enumerated() { w[Int(c)] = UInt8(0x11 + k) }
  return w
}()

/// The secondary weight of a combining accent (U+0300–U+036F), as in the generated tables.
private func combiningAccentWeight(_ scalar: UInt32) -> UInt8 {
  switch scalar {
  case 0x301: return 2
  case 0x300: return 3
  case 0x306: return 4
  case 0x302: return 5
  case 0x30C: return 6
  case 0x30A: return 7
  case 0x308: return 8
  case 0x30B: return 9
  case 0x303: return 10
  case 0x307: return 11
  case 0x335, 0x338: return 12
  case 0x327: return 13
  case 0x328: return 14
  case 0x304: return 15
  case 0x323: return 16
  case 0x309: return 17
  case 0x31B: return 18
  case 0x326: return 19
  default: return 29
  }
}

// The tables below map U+00C0–U+024F and U+1E00–U+1EFF to Latin letters. Each entry packs
// (low byte first) the primary weight of the letter (a = 4 … z = 104, 4 apart so that
// `ı`, `ŋ`, `þ` fit between), the weight of a second letter for a ligature (`œ` → o, e) or 0,
// the accent (secondary weight, 1 = none) and the tertiary weight (1 lower, 2 upper, 3 lower
// variant, 4 upper variant); 0 = not a Latin letter here (handled by the general rules).
// Generated from Python's `unicodedata` (canonical decomposition into an ASCII letter and
// combining accents, the first accent giving the weight) with the ligatures, `ß`, `ø`, `ł`,
// `đ`, `ð`, `ħ`, `ŧ`, `ı`, `ŋ`, `þ` written by hand.
/// U+00C0..<U+0250, generated (see the comment above `LatinLetter`).
private let latin1AndExtended: [UInt32] = [
  0x02030004, 0x02020004, 0x02050004, 0x020A0004, 0x02080004, 0x02070004, 0x02281404, 0x020D000C,
  0x02030014, 0x02020014, 0x02050014, 0x02080014, 0x02030024, 0x02020024, 0x02050024, 0x02080024,
  0x02230010, 0x020A0038, 0x0203003C, 0x0202003C, 0x0205003C, 0x020A003C, 0x0208003C, 0x00000000,
  0x020C003C, 0x02030054, 0x02020054, 0x02050054, 0x02080054, 0x02020064, 0x02010069, 0x01284C4C,
  0x01030004, 0x01020004, 0x01050004, 0x010A0004, 0x01080004, 0x01070004, 0x01281404, 0x010D000C,
  0x01030014, 0x01020014, 0x01050014, 0x01080014, 0x01030024, 0x01020024, 0x01050024, 0x01080024,
  0x01230010, 0x010A0038, 0x0103003C, 0x0102003C, 0x0105003C, 0x010A003C, 0x0108003C, 0x00000000,
  0x010C003C, 0x01030054, 0x01020054, 0x01050054, 0x01080054, 0x01020064, 0x01010069, 0x01080064,
  0x020F0004, 0x010F0004, 0x02040004, 0x01040004, 0x020E0004, 0x010E0004, 0x0202000C, 0x0102000C,
  0x0205000C, 0x0105000C, 0x020B000C, 0x010B000C, 0x0206000C, 0x0106000C, 0x02060010, 0x01060010,
  0x020C0010, 0x010C0010, 0x020F0014, 0x010F0014, 0x02040014, 0x01040014, 0x020B0014, 0x010B0014,
  0x020E0014, 0x010E0014, 0x02060014, 0x01060014, 0x0205001C, 0x0105001C, 0x0204001C, 0x0104001C,
  0x020B001C, 0x010B001C, 0x020D001C, 0x010D001C, 0x02050020, 0x01050020, 0x020C0020, 0x010C0020,
  0x020A0024, 0x010A0024, 0x020F0024, 0x010F0024, 0x02040024, 0x01040024, 0x020E0024, 0x010E0024,
  0x020B0024, 0x01010025, 0x02282824, 0x01282824, 0x02050028, 0x01050028, 0x020D002C, 0x010D002C,
  0x01010045, 0x02020030, 0x01020030, 0x020D0030, 0x010D0030, 0x02060030, 0x01060030, 0x02240030,
  0x01240030, 0x020C0030, 0x010C0030, 0x02020038, 0x01020038, 0x020D0038, 0x010D0038, 0x02060038,
  0x01060038, 0x011C0038, 0x02010039, 0x01010039, 0x020F003C, 0x010F003C, 0x0204003C, 0x0104003C,
  0x0209003C, 0x0109003C, 0x0228143C, 0x0128143C, 0x02020048, 0x01020048, 0x020D0048, 0x010D0048,
  0x02060048, 0x01060048, 0x0202004C, 0x0102004C, 0x0205004C, 0x0105004C, 0x020D004C, 0x010D004C,
  0x0206004C, 0x0106004C, 0x020D0050, 0x010D0050, 0x02060050, 0x01060050, 0x020C0050, 0x010C0050,
  0x020A0054, 0x010A0054, 0x020F0054, 0x010F0054, 0x02040054, 0x01040054, 0x02070054, 0x01070054,
  0x02090054, 0x01090054, 0x020E0054, 0x010E0054, 0x0205005C, 0x0105005C, 0x02050064, 0x01050064,
  0x02080064, 0x02020068, 0x01020068, 0x020B0068, 0x010B0068, 0x02060068, 0x01060068, 0x0301004C,
  0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
  0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
  0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
  0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
  0x0212003C, 0x0112003C, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
  0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x02120054,
  0x01120054, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
  0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
  0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
  0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x02060004, 0x01060004, 0x02060024,
  0x01060024, 0x0206003C, 0x0106003C, 0x02060054, 0x01060054, 0x02080054, 0x01080054, 0x02080054,
  0x01080054, 0x02080054, 0x01080054, 0x02080054, 0x01080054, 0x00000000, 0x02080004, 0x01080004,
  0x020B0004, 0x010B0004, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x0206001C, 0x0106001C,
  0x0206002C, 0x0106002C, 0x020E003C, 0x010E003C, 0x020E003C, 0x010E003C, 0x00000000, 0x00000000,
  0x01060028, 0x00000000, 0x00000000, 0x00000000, 0x0202001C, 0x0102001C, 0x00000000, 0x00000000,
  0x02030038, 0x01030038, 0x02070004, 0x01070004, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
  0x02190004, 0x01190004, 0x021A0004, 0x011A0004, 0x02190014, 0x01190014, 0x021A0014, 0x011A0014,
  0x02190024, 0x01190024, 0x021A0024, 0x011A0024, 0x0219003C, 0x0119003C, 0x021A003C, 0x011A003C,
  0x02190048, 0x01190048, 0x021A0048, 0x011A0048, 0x02190054, 0x01190054, 0x021A0054, 0x011A0054,
  0x0213004C, 0x0113004C, 0x02130050, 0x01130050, 0x00000000, 0x00000000, 0x02060020, 0x01060020,
  0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x020B0004, 0x010B0004,
  0x020D0014, 0x010D0014, 0x0208003C, 0x0108003C, 0x020A003C, 0x010A003C, 0x020B003C, 0x010B003C,
  0x020B003C, 0x010B003C, 0x020F0064, 0x010F0064, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
  0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
  0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
  0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
]
/// U+1E00..<U+1F00, generated (see the comment above `LatinLetter`).
private let latinExtendedAdditional: [UInt32] = [
  0x02150004, 0x01150004, 0x020B0008, 0x010B0008, 0x02100008, 0x01100008, 0x02180008, 0x01180008,
  0x020D000C, 0x010D000C, 0x020B0010, 0x010B0010, 0x02100010, 0x01100010, 0x02180010, 0x01180010,
  0x020D0010, 0x010D0010, 0x02160010, 0x01160010, 0x020F0014, 0x010F0014, 0x020F0014, 0x010F0014,
  0x02160014, 0x01160014, 0x02170014, 0x01170014, 0x020D0014, 0x010D0014, 0x020B0018, 0x010B0018,
  0x020F001C, 0x010F001C, 0x020B0020, 0x010B0020, 0x02100020, 0x01100020, 0x02080020, 0x01080020,
  0x020D0020, 0x010D0020, 0x021B0020, 0x011B0020, 0x02170024, 0x01170024, 0x02080024, 0x01080024,
  0x0202002C, 0x0102002C, 0x0210002C, 0x0110002C, 0x0218002C, 0x0118002C, 0x02100030, 0x01100030,
  0x02100030, 0x01100030, 0x02180030, 0x01180030, 0x02160030, 0x01160030, 0x02020034, 0x01020034,
  0x020B0034, 0x010B0034, 0x02100034, 0x01100034, 0x020B0038, 0x010B0038, 0x02100038, 0x01100038,
  0x02180038, 0x01180038, 0x02160038, 0x01160038, 0x020A003C, 0x010A003C, 0x020A003C, 0x010A003C,
  0x020F003C, 0x010F003C, 0x020F003C, 0x010F003C, 0x02020040, 0x01020040, 0x020B0040, 0x010B0040,
  0x020B0048, 0x010B0048, 0x02100048, 0x01100048, 0x02100048, 0x01100048, 0x02180048, 0x01180048,
  0x020B004C, 0x010B004C, 0x0210004C, 0x0110004C, 0x0202004C, 0x0102004C, 0x0206004C, 0x0106004C,
  0x0210004C, 0x0110004C, 0x020B0050, 0x010B0050, 0x02100050, 0x01100050, 0x02180050, 0x01180050,
  0x02160050, 0x01160050, 0x02140054, 0x01140054, 0x02170054, 0x01170054, 0x02160054, 0x01160054,
  0x020A0054, 0x010A0054, 0x020F0054, 0x010F0054, 0x020A0058, 0x010A0058, 0x02100058, 0x01100058,
  0x0203005C, 0x0103005C, 0x0202005C, 0x0102005C, 0x0208005C, 0x0108005C, 0x020B005C, 0x010B005C,
  0x0210005C, 0x0110005C, 0x020B0060, 0x010B0060, 0x02080060, 0x01080060, 0x020B0064, 0x010B0064,
  0x02050068, 0x01050068, 0x02100068, 0x01100068, 0x02180068, 0x01180068, 0x01180020, 0x01080050,
  0x0107005C, 0x01070064, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x02284C4C, 0x00000000,
  0x02100004, 0x01100004, 0x02110004, 0x01110004, 0x02050004, 0x01050004, 0x02050004, 0x01050004,
  0x02050004, 0x01050004, 0x02050004, 0x01050004, 0x02100004, 0x01100004, 0x02040004, 0x01040004,
  0x02040004, 0x01040004, 0x02040004, 0x01040004, 0x02040004, 0x01040004, 0x02100004, 0x01100004,
  0x02100014, 0x01100014, 0x02110014, 0x01110014, 0x020A0014, 0x010A0014, 0x02050014, 0x01050014,
  0x02050014, 0x01050014, 0x02050014, 0x01050014, 0x02050014, 0x01050014, 0x02100014, 0x01100014,
  0x02110024, 0x01110024, 0x02100024, 0x01100024, 0x0210003C, 0x0110003C, 0x0211003C, 0x0111003C,
  0x0205003C, 0x0105003C, 0x0205003C, 0x0105003C, 0x0205003C, 0x0105003C, 0x0205003C, 0x0105003C,
  0x0210003C, 0x0110003C, 0x0212003C, 0x0112003C, 0x0212003C, 0x0112003C, 0x0212003C, 0x0112003C,
  0x0212003C, 0x0112003C, 0x0212003C, 0x0112003C, 0x02100054, 0x01100054, 0x02110054, 0x01110054,
  0x02120054, 0x01120054, 0x02120054, 0x01120054, 0x02120054, 0x01120054, 0x02120054, 0x01120054,
  0x02120054, 0x01120054, 0x02030064, 0x01030064, 0x02100064, 0x01100064, 0x02110064, 0x01110064,
  0x020A0064, 0x010A0064, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
]
