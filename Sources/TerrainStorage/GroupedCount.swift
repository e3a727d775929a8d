// Counts as notices write them.

/// `34,875`: a count for notices.
package func groupedCount(_ n: Int) -> String {
  let s = String(n)
  var out = ""
  for (i, ch) in s.enumerated() {
    if i > 0 && (s.count - i) % 3 == 0 && ch != "-" { out.append(",") }
    out.append(ch)
  }
  return out
}
