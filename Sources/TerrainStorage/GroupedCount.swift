// Digit groups, as the terminal table and the notices write them.

/// The thin space (U+2009) that groups digits in the terminal table.
package let thinSpace: Character = "\u{2009}"

/// Groups the integer digits of a number's text by three with thin spaces when it has at
/// least five of them (`1 411 571`, `74 925`, `12 345.5`), so that years and small counts
/// stay as they are (`2024`). Exponent forms, `NaN` and `inf` are returned unchanged.
public func groupDigits(_ s: String) -> String {
  var sign = Substring("")
  var rest = Substring(s)
  if rest.first == "-" || rest.first == "+" {
    sign = rest.prefix(1)
    rest = rest.dropFirst()
  }
  var intPart = rest
  var tail = Substring("")
  if let dot = rest.firstIndex(where: { $0 == "." || $0 == "," }) {
    intPart = rest[..<dot]
    tail = rest[dot...]
  }
  guard intPart.count >= 5, intPart.allSatisfy({ $0.isASCII && $0.isNumber }),
    tail.dropFirst().allSatisfy({ $0.isASCII && $0.isNumber })
  else { return s }
  var out = String(sign)
  let digits = Array(intPart)
  for (i, d) in digits.enumerated() {
    if i > 0 && (digits.count - i) % 3 == 0 { out.append(thinSpace) }
    out.append(d)
  }
  out += tail
  return out
}

/// `34 875`: a count for notices, grouped as the terminal table groups numbers.
package func groupedCount(_ n: Int) -> String { groupDigits(String(n)) }
