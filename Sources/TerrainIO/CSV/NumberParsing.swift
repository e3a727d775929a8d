// Parsing integers and floats straight from bytes, with no String in between.

import TerrainStorage
import TerrainSyntax

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Exact powers of ten representable in a Double: 1e0 … 1e22.
private let exactPowersOfTen: [Double] = [
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
]

@inline(__always)
package func isCSVSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }

/// Parses `[spaces] [+|-] digits [spaces]` as an Int64; nil when the syntax is wrong or the
/// value does not fit. Leading zeros are accepted.
package func parseInt64(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int64? {
  var i = 0
  var e = n
  while i < e && isCSVSpace(p[i]) { i += 1 }
  while e > i && isCSVSpace(p[e - 1]) { e -= 1 }
  if i == e { return nil }
  var negative = false
  if p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+") {
    negative = p[i] == UInt8(ascii: "-")
    i += 1
    if i == e { return nil }
  }
  var v: Int64 = 0
  while i < e {
    let d = p[i] &- 0x30
    if d > 9 { return nil }
    let (m, o1) = v.multipliedReportingOverflow(by: 10)
    if o1 { return nil }
    // Accumulate negatively so that Int64.min parses.
    let (s, o2) = negative ? m.subtractingReportingOverflow(Int64(d)) : m.addingReportingOverflow(Int64(d))
    if o2 { return nil }
    v = s
    i += 1
  }
  return v
}

/// Parses `[spaces] [+|-] (digits [mark digits*] | mark digits) [(e|E) [+|-] digits] [spaces]`
/// as a Double, with `decimal` as the decimal mark. nil when the syntax is wrong or the value is
/// beyond the 64-bit float range.
///
/// Results are bit-identical to `Double(String)` (correctly rounded): plain decimals whose
/// significand fits 2^53 and whose power of ten is exact take one multiplication or
/// division; anything else goes to `strtod` in the C locale on a stack copy.
package func parseDouble(_ p: UnsafePointer<UInt8>, _ n: Int, decimal: UInt8) -> Double? {
  var i = 0
  var e = n
  while i < e && isCSVSpace(p[i]) { i += 1 }
  while e > i && isCSVSpace(p[e - 1]) { e -= 1 }
  if i == e { return nil }
  let begin = i
  var negative = false
  if p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+") {
    negative = p[i] == UInt8(ascii: "-")
    i += 1
  }
  var m: UInt64 = 0
  var digits = 0  // significant digits kept in m (at most 19)
  var dropped = false  // a non-zero digit did not fit in m
  var exp10 = 0
  var anyDigit = false
  while i < e {
    let d = p[i] &- 0x30
    if d > 9 { break }
    anyDigit = true
    if m == 0 && d == 0 {
      // leading zero: not significant
    } else if digits < 19 {
      m = m &* 10 &+ UInt64(d)
      digits += 1
    } else {
      exp10 += 1
      if d != 0 { dropped = true }
    }
    i += 1
  }
  if i < e && p[i] == decimal {
    i += 1
    while i < e {
      let d = p[i] &- 0x30
      if d > 9 { break }
      anyDigit = true
      if m == 0 && d == 0 {
        exp10 -= 1
      } else if digits < 19 {
        m = m &* 10 &+ UInt64(d)
        digits += 1
        exp10 -= 1
      } else if d != 0 {
        dropped = true
      }
      i += 1
    }
  }
  if !anyDigit { return nil }
  if i < e && (p[i] | 0x20) == UInt8(ascii: "e") {
    i += 1
    var expNegative = false
    if i < e && (p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+")) {
      expNegative = p[i] == UInt8(ascii: "-")
      i += 1
    }
    let expStart = i
    var ev = 0
    while i < e {
      let d = p[i] &- 0x30
      if d > 9 { break }
      if ev < 1_000_000 { ev = ev * 10 + Int(d) }
      i += 1
    }
    if i == expStart { return nil }
    exp10 += expNegative ? -ev : ev
  }
  if i != e { return nil }
  if m == 0 { return negative ? -0.0 : 0.0 }
  if !dropped && m <= (1 << 53) {
    var value: Double?
    if exp10 == 0 {
      value = Double(m)
    } else if exp10 > 0 && exp10 <= 22 {
      value = Double(m) * exactPowersOfTen[exp10]
    } else if exp10 < 0 && exp10 >= -22 {
      value = Double(m) / exactPowersOfTen[-exp10]
    } else if exp10 > 22 && exp10 <= 22 + 16 {
      // 12e30 = 12e8 × 1e22 when 12e8 is still an exact integer.
      var scaled = m
      var ok = true
      for _ in 0..<(exp10 - 22) {
        let (s, o) = scaled.multipliedReportingOverflow(by: 10)
        if o {
          ok = false
          break
        }
        scaled = s
      }
      if ok && scaled <= (1 << 53) { value = Double(scaled) * 1e22 }
    }
    if let v = value { return negative ? -v : v }
  }
  return strtodCLocale(p + begin, e - begin, decimal: decimal)
}

/// `parseDouble` for the common plain decimal — `[-]digits[mark digits]`, no spaces, at most
/// 15 digits in all, no leading zero — in one pass with no checks per digit (15 digits are an
/// exact Double, so the result is the same correctly rounded quotient `parseDouble` computes);
/// nil for anything else, which `parseDouble` then reads. A value it accepts also has the shape
/// type inference gives a float (`isPlainNumber`).
@inline(__always)
package func parsePlainDecimal(_ p: UnsafePointer<UInt8>, _ n: Int, decimal: UInt8) -> Double? {
  var i = 0
  let negative = n > 0 && p[0] == UInt8(ascii: "-")
  if negative { i = 1 }
  let s = i
  var m: UInt64 = 0
  while i < n {
    let d = p[i] &- 0x30
    if d > 9 { break }
    m = m &* 10 &+ UInt64(d)
    i += 1
  }
  let intDigits = i - s
  if intDigits == 0 || intDigits > 15 || (intDigits > 1 && p[s] == UInt8(ascii: "0")) { return nil }
  if i == n { return negative ? -Double(m) : Double(m) }
  guard p[i] == decimal else { return nil }
  i += 1
  let f = i
  while i < n {
    let d = p[i] &- 0x30
    if d > 9 { return nil }
    m = m &* 10 &+ UInt64(d)
    i += 1
  }
  let fraction = i - f
  if fraction == 0 || intDigits + fraction > 15 { return nil }
  // 10^fraction, exact (every power of ten up to 1e22 is a Double).
  var scale = 10.0
  for _ in 1..<fraction { scale *= 10 }
  let v = Double(m) / scale
  return negative ? -v : v
}

/// The C locale, so that `strtod` reads `.` whatever `setlocale` said.
nonisolated(unsafe) private let cNumericLocale = newlocale(Int32(1 << LC_NUMERIC), "C", nil)

/// `strtod` on a NUL-terminated copy of `n` already validated bytes, the decimal mark
/// replaced by `.`.
private func strtodCLocale(_ p: UnsafePointer<UInt8>, _ n: Int, decimal: UInt8) -> Double? {
  withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { buf -> Double? in
    guard let b = buf.baseAddress else { return nil }
    for k in 0..<n {
      let c = p[k]
      b[k] = CChar(bitPattern: c == decimal ? UInt8(ascii: ".") : c)
    }
    b[n] = 0
    let previous = cNumericLocale.map { uselocale($0) }
    let v = strtod(b, nil)
    if let prev = previous { uselocale(prev) }
    // Beyond the float range (`1e400`) is not a number terrain holds, as "inf" is not.
    return v.isFinite ? v : nil
  }
}
