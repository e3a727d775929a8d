// Number formatting: fast integer and float writers for exports (the same text as
// `String(v)` and `formatFloat(v)`, without allocating), and thin-space digit grouping for
// the terminal table.

import TerrainStorage
import TerrainSyntax

/// Lookup tables for the number writers, built once.
private struct NumberTables {
  /// The two ASCII digits of 0...99, as 200 bytes.
  let pairs: UnsafeMutablePointer<UInt8>
  /// 10^0 ... 10^19.
  let pow10: UnsafeMutablePointer<UInt64>
  /// 10^0 ... 10^7 as doubles.
  let pow10Double: UnsafeMutablePointer<Double>
  /// 5^0 ... 5^7.
  let pow5: UnsafeMutablePointer<UInt64>

  init() {
    pairs = UnsafeMutablePointer<UInt8>.allocate(capacity: 200)
    for i in 0..<100 {
      pairs[2 * i] = UInt8(48 + i / 10)
      pairs[2 * i + 1] = UInt8(48 + i % 10)
    }
    pow10 = UnsafeMutablePointer<UInt64>.allocate(capacity: 20)
    var x: UInt64 = 1
    for i in 0..<20 {
      pow10[i] = x
      x = x &* 10
    }
    pow10Double = UnsafeMutablePointer<Double>.allocate(capacity: 8)
    pow5 = UnsafeMutablePointer<UInt64>.allocate(capacity: 8)
    var d = 1.0
    var f: UInt64 = 1
    for i in 0..<8 {
      pow10Double[i] = d
      pow5[i] = f
      d *= 10
      f *= 5
    }
  }
}

nonisolated(unsafe) private let numberTables = NumberTables()

/// Writes numbers as text into a `ByteWriter`. Make one per loop (it holds the tables'
/// addresses, so the hot path reads no global).
package struct NumberWriter {
  private let pairs: UnsafeMutablePointer<UInt8>
  private let pow10: UnsafeMutablePointer<UInt64>
  private let pow10Double: UnsafeMutablePointer<Double>
  private let pow5: UnsafeMutablePointer<UInt64>

  package init() {
    let t = numberTables
    pairs = t.pairs
    pow10 = t.pow10
    pow10Double = t.pow10Double
    pow5 = t.pow5
  }

  /// Number of decimal digits of `n` (1 for 0).
  @inline(__always)
  package func digitCount(_ n: UInt64) -> Int {
    // log10 from the bit length (1233/4096 ≈ log10(2)), corrected by one comparison.
    let t = ((64 &- n.leadingZeroBitCount) &* 1233) >> 12
    let d = n >= pow10[t] ? t &+ 1 : t
    return d == 0 ? 1 : d
  }

  /// Writes the last `width` decimal digits of `n`, zero-padded, at `p`.
  @inline(__always)
  private func writeDigits(_ n: UInt64, width: Int, into p: UnsafeMutablePointer<UInt8>) {
    var x = n
    var pos = width
    while pos >= 2 {
      let q = x / 100
      let r = Int(truncatingIfNeeded: x &- q &* 100)
      x = q
      pos &-= 2
      p[pos] = pairs[2 &* r]
      p[pos &+ 1] = pairs[2 &* r &+ 1]
    }
    if pos == 1 { p[0] = UInt8(truncatingIfNeeded: 48 &+ x % 10) }
  }

  /// Writes the decimal digits of `n` (no sign).
  @inline(__always)
  package func writeUInt(_ n: UInt64, to out: ByteWriter) {
    let len = digitCount(n)
    writeDigits(n, width: len, into: out.reserve(len))
    out.advance(len)
  }

  /// Writes `n` as `String(n)` would.
  @inline(__always)
  package func writeInt(_ n: Int64, to out: ByteWriter) {
    if n < 0 { out.append(UInt8(ascii: "-")) }
    writeUInt(n.magnitude, to: out)
  }

  /// Writes `v` as `formatFloat(v)` would (`1.5`, `2.0`, `1e-05`, `-0.0`, `NaN`, `inf`), with
  /// `,` instead of `.` when `decimalComma`.
  ///
  /// Values between 0.001 and 1e14 with at most 7 decimals are written without allocating:
  /// there, the decimal with k decimals that converts back to `v` is unique, so the shortest
  /// one (the one the standard library's shortest round-trip algorithm prints) is it with its
  /// trailing zeros removed. Other values go through the standard library.
  @inline(__always)
  package func writeFloat(_ v: Double, decimalComma: Bool, to out: ByteWriter) {
    let point: UInt8 = decimalComma ? UInt8(ascii: ",") : UInt8(ascii: ".")
    if v == 0 {
      if v.sign == .minus { out.append(UInt8(ascii: "-")) }
      let p = out.reserve(3)
      p[0] = 48
      p[1] = point
      p[2] = 48
      out.advance(3)
      return
    }
    let a = v.magnitude
    if a >= 1e-3 && a < 1e14 {
      // The most decimals (up to 7) that keep a * 10^k below 1e14.
      var k = 7
      while k > 0 && a * pow10Double[k] >= 1e14 { k &-= 1 }
      // The nearest integer (a * 10^k is positive and below 1e14: the conversion is exact).
      var digits = UInt64(a * pow10Double[k] + 0.5)
      if roundTrips(digits, k, a) {
        if v < 0 { out.append(UInt8(ascii: "-")) }
        if k == 7 {
          // The common case (|v| < 1e7): whole part, point, the 7 decimals less their
          // trailing zeros (one kept).
          let whole = digits / 10_000_000
          writeUInt(whole, to: out)
          let p = out.reserve(8)
          p[0] = point
          writeDigits(digits &- whole &* 10_000_000, width: 7, into: p + 1)
          var len = 7
          while len > 1 && p[len] == 48 { len &-= 1 }
          out.advance(len &+ 1)
          return
        }
        if k >= 4 && digits % 10_000 == 0 {
          digits /= 10_000
          k &-= 4
        }
        if k >= 2 && digits % 100 == 0 {
          digits /= 100
          k &-= 2
        }
        if k >= 1 && digits % 10 == 0 {
          digits /= 10
          k &-= 1
        }
        if k == 0 {
          writeUInt(digits, to: out)
          out.append(point, 48)
        } else {
          // All digits (at least one before the point), then the point slid in.
          var nd = digitCount(digits)
          if nd <= k { nd = k &+ 1 }
          let p = out.reserve(nd &+ 1)
          writeDigits(digits, width: nd, into: p)
          var j = nd
          while j > nd &- k {
            p[j] = p[j &- 1]
            j &-= 1
          }
          p[nd &- k] = point
          out.advance(nd &+ 1)
        }
        return
      }
    }
    writeFloatSlow(v, point: point, to: out)
  }

  /// Whether the decimal `digits` × 10^-k converts back to `a` (positive, normal, in
  /// [1e-3, 1e14)), decided exactly in 128-bit integers: the decimal must lie inside the
  /// interval of reals that round to `a` (bounds included when `a`'s significand is even, as
  /// round-half-even does).
  @inline(__always)
  private func roundTrips(_ digits: UInt64, _ k: Int, _ a: Double) -> Bool {
    // a = m × 2^e; its rounding interval is [2m − 1, 2m + 1] × 2^(e−1), or
    // [4m − 1, 4m + 2] × 2^(e−2) when a is a power of two (the gap below is half as wide).
    let powerOfTwo = a.significandBitPattern == 0
    let m = a.significandBitPattern | (1 << 52)
    let e = Int(a.exponent) &- 52
    // digits × 10^-k inside [lo, hi] × 2^(e−1)  ⇔  digits × 2^s inside [lo, hi] × 5^k,
    // with s = 1 − e − k (2 − e − k for a power of two).
    let s = (powerOfTwo ? 2 : 1) &- e &- k
    guard s >= 1 && s <= 63 else { return false }
    let lo = powerOfTwo ? 4 &* m &- 1 : 2 &* m &- 1
    let hi = powerOfTwo ? 4 &* m &+ 2 : 2 &* m &+ 1
    let p5 = pow5[k]
    let low = lo.multipliedFullWidth(by: p5)
    let high = hi.multipliedFullWidth(by: p5)
    let dHigh = digits &>> UInt64(64 &- s)
    let dLow = digits &<< UInt64(s)
    let inclusive = m & 1 == 0
    let aboveLow =
      dHigh > low.high || (dHigh == low.high && (inclusive ? dLow >= low.low : dLow > low.low))
    let belowHigh =
      dHigh < high.high || (dHigh == high.high && (inclusive ? dLow <= high.low : dLow < high.low))
    return aboveLow && belowHigh
  }
}

/// `v` as an integer when it has no fractional part and is exactly an Int64 below 2^53 in
/// magnitude (so that the integer is the float's own value); nil otherwise.
@inline(__always)
package func wholeInteger(_ v: Double) -> Int64? {
  guard v.magnitude < 9_007_199_254_740_992, v == v.rounded(.towardZero) else { return nil }
  return Int64(v)
}

/// Writes `n` as `String(n)` would (outside hot loops).
package func writeInt(_ n: Int64, to out: ByteWriter) { NumberWriter().writeInt(n, to: out) }

/// Writes `v` as `formatFloat(v)` would (outside hot loops).
package func writeFloat(_ v: Double, decimalComma: Bool, to out: ByteWriter) {
  NumberWriter().writeFloat(v, decimalComma: decimalComma, to: out)
}

/// Receives the standard library's float text without building a String.
private struct FloatTextSink: TextOutputStream {
  let out: ByteWriter
  let point: UInt8

  mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) {
    guard let src = buffer.baseAddress else { return }
    let n = buffer.count
    let p = out.reserve(n)
    p.update(from: src, count: n)
    if point != UInt8(ascii: ".") {
      for i in 0..<n where p[i] == UInt8(ascii: ".") { p[i] = point }
    }
    out.advance(n)
  }

  mutating func write(_ string: String) {
    var s = string
    s.withUTF8 { _writeASCII($0) }
  }
}

private func writeFloatSlow(_ v: Double, point: UInt8, to out: ByteWriter) {
  if !v.isFinite {
    // `formatFloat`'s spelling (`NaN`, `inf`, `-inf`), not the standard library's `nan`.
    out.append(formatFloat(v))
    return
  }
  // The same text as `v.description` (= `formatFloat(v)` for finite values).
  var sink = FloatTextSink(out: out, point: point)
  v.write(to: &sink)
}

/// `formatFloat(v)` with a decimal comma when asked.
package func formatFloat(_ v: Double, decimalComma: Bool) -> String {
  let s = formatFloat(v)
  return decimalComma ? s.replacingAll(".", with: ",") : s
}

/// A count for humans in the current language (`MessageLanguage.current`): `1 row`, `0 rows`,
/// `34 875 rows`; in French `0 ligne`, `1 ligne`, `2 lignes` (0 and 1 take the singular).
/// `one` and `other` are catalog texts: the word after the grouped number.
public func formatCount(_ n: Int, _ one: DiagnosticText, _ other: DiagnosticText) -> String {
  let singular = MessageLanguage.current == .french ? n.magnitude <= 1 : n == 1
  return groupDigits(String(n)) + " " + (singular ? one : other).string
}

extension String {
  /// Every occurrence of `target` replaced by `replacement` (no Foundation needed).
  package func replacingAll(_ target: Character, with replacement: String) -> String {
    guard contains(target) else { return self }
    var out = ""
    out.reserveCapacity(utf8.count)
    for c in self {
      if c == target { out += replacement } else { out.append(c) }
    }
    return out
  }
}
