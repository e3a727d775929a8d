// Numbers for people: one number of decimals shared by the values shown together (a float
// column of the terminal table, a row of `compare`), so that they line up and read at a
// glance. Exports and the csv/json modes never go through here: they keep every digit.

import Foundation
import TerrainStorage

/// The decimals a float needs to be written exactly as its shortest round-trip text
/// (`0.25` → 2, `1e-05` → 5, `137470.0` → 0); 0 for NaN and infinities.
package func decimalsNeeded(_ v: Double) -> Int {
  guard v.isFinite else { return 0 }
  let s = formatFloat(v)
  var mantissa = Substring(s)
  var exponent = 0
  if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
    mantissa = s[..<e]
    exponent = Int(s[s.index(after: e)...]) ?? 0
  }
  var fraction = 0
  if let dot = mantissa.firstIndex(of: ".") {
    let digits = mantissa[mantissa.index(after: dot)...]
    fraction = digits == "0" ? 0 : digits.count
  }
  return max(0, fraction - exponent)
}

/// The most decimals shared fixed decimals may have; beyond, values are written one by one.
package let maximumSharedDecimals = 9

/// The decimals shared by `values` shown together on screen: as many as the most precise of
/// them needs, but no more than five significant digits of their typical size (the median of
/// their magnitudes) give, and at least one (a float stays visibly a float: `2.0`). nil when
/// no fixed decimals can show them (typical size below 1e-6 or from 1e15, or no finite
/// value): then each value keeps its own shortest text.
package func sharedDecimals(_ values: [Double]) -> Int? {
  let magnitudes = values.filter { $0.isFinite && $0 != 0 }.map(\.magnitude).sorted()
  let needed = values.reduce(0) { max($0, decimalsNeeded($1)) }
  guard !magnitudes.isEmpty else { return values.contains(where: \.isFinite) ? 1 : nil }
  let typical = magnitudes[magnitudes.count / 2]
  guard typical >= 1e-6, typical < 1e15 else { return nil }
  let cap = 4 - Int(Foundation.log10(typical).rounded(.down))
  let d = max(1, min(needed, cap))
  return d > maximumSharedDecimals ? nil : d
}

/// `v` on screen with `decimals` decimals (nil: its own shortest text), digits grouped by
/// thin spaces, `mark` as the decimal mark, no minus sign on a zero (`-0.00` → `0.00`).
/// Values from 1e15 up, NaN and infinities keep their shortest text, and so does a value
/// that the decimals would show as zero when `keepTiny` (`1e-05` beside `12.500`).
package func screenNumber(_ v: Double, decimals: Int?, mark: Character = ".", keepTiny: Bool = false) -> String {
  let text: String
  if let d = decimals, v.isFinite, v.magnitude < 1e15,
    !(keepTiny && v != 0 && v.magnitude < 0.5 * Foundation.pow(10, -Double(max(0, min(d, 15)))))
  {
    text = unsignedZero(String(format: "%.\(max(0, min(d, 15)))f", v))
  } else {
    text = formatFloat(v)
  }
  return groupDigits(mark == "." ? text : text.replacingAll(".", with: String(mark)))
}

/// `s`, a formatted number, without its minus sign when every digit of its mantissa is zero
/// (`-0`, `-0.00` from a tiny negative value, `-0.000e+00`).
package func unsignedZero(_ s: String) -> String {
  guard s.hasPrefix("-") else { return s }
  let mantissa = s.prefix { $0 != "e" && $0 != "E" }
  return mantissa.contains(where: { $0.isNumber && $0 != "0" }) ? s : String(s.dropFirst())
}
