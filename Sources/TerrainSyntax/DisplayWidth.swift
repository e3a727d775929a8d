// How many terminal cells a string takes, truncation to a width, and escaping of control
// characters so that a cell never breaks the table's lines.

/// Terminal cells taken by one Unicode scalar: 0 for combining marks and zero-width format
/// characters, 2 for East Asian wide/fullwidth characters and emoji, else 1.
package func scalarDisplayWidth(_ u: Unicode.Scalar) -> Int {
  let v = u.value
  if v < 0x300 { return 1 }
  switch v {
  case 0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x2E80...0x303E, 0x3041...0x33FF,
    0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3,
    0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
    0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x1FA70...0x1FAFF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
    return 2
  default:
    break
  }
  let p = u.properties
  switch p.generalCategory {
  case .nonspacingMark, .enclosingMark, .format: return 0
  default: break
  }
  if p.isEmojiPresentation { return 2 }
  return 1
}

/// Terminal cells taken by one grapheme cluster: the widest of its scalars (so `e` + a
/// combining accent is 1, an emoji sequence is 2).
package func characterDisplayWidth(_ c: Character) -> Int {
  var w = 0
  for u in c.unicodeScalars {
    let sw = scalarDisplayWidth(u)
    if sw > w { w = sw }
  }
  return w
}

/// Terminal cells taken by `s`, which should hold no control characters (see
/// `escapeControls`).
public func displayWidth(_ s: String) -> Int {
  var ascii = true
  for b in s.utf8 where b >= 0x80 {
    ascii = false
    break
  }
  if ascii { return s.utf8.count }
  var w = 0
  for c in s { w += characterDisplayWidth(c) }
  return w
}

/// `s` cut to at most `width` cells, ending with `…` when something was cut.
public func truncateToWidth(_ s: String, _ width: Int) -> String {
  if displayWidth(s) <= width { return s }
  if width <= 0 { return "" }
  var out = ""
  var used = 0
  for c in s {
    let cw = characterDisplayWidth(c)
    if used + cw > width - 1 { break }
    out.append(c)
    used += cw
  }
  out.append("…")
  return out
}

/// `s` with control characters written as escapes (`\n`, `\t`, `\r`, `\x1B`), so that it
/// stays on one line and cannot drive the terminal.
public func escapeControls(_ s: String) -> String { escapingControls(s, keepLayout: false) }

/// `s` for a terminal: control characters other than line feeds and tabs (ESC, BEL, CR, C1…)
/// written as escapes like `escapeControls` does, so that data printed in the csv, tsv,
/// markdown, json or line modes cannot drive the terminal. Line feeds and tabs stay: they are
/// the output's own structure.
public func neutraliseTerminalControls(_ s: String) -> String { escapingControls(s, keepLayout: true) }

/// `s` with its control characters written as escapes; `keepLayout` leaves line feeds and
/// tabs as they are.
private func escapingControls(_ s: String, keepLayout: Bool) -> String {
  func isEscaped(_ b: UInt8) -> Bool { b < 0x20 && !(keepLayout && (b == 0x0A || b == 0x09)) || b == 0x7F }
  var needs = false
  var prevC2 = false
  for b in s.utf8 {
    if isEscaped(b) || (prevC2 && b >= 0x80 && b <= 0x9F) {
      needs = true
      break
    }
    prevC2 = b == 0xC2
  }
  if !needs { return s }
  var out = ""
  out.reserveCapacity(s.utf8.count + 8)
  for u in s.unicodeScalars {
    switch u.value {
    case 0x0A where keepLayout, 0x09 where keepLayout: out.unicodeScalars.append(u)
    case 0x0A: out += "\\n"
    case 0x09: out += "\\t"
    case 0x0D: out += "\\r"
    case 0x00..<0x20, 0x7F, 0x80...0x9F:
      let hex = String(u.value, radix: 16, uppercase: true)
      out += "\\x" + (hex.count < 2 ? "0" + hex : hex)
    default: out.unicodeScalars.append(u)
    }
  }
  return out
}

