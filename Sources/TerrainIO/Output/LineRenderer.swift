// `line` mode, as sqlite's `.mode line`: one `name = value` line per column, names
// right-aligned to the longest, a blank line between rows.
//
//      nom = Alès
//   pop_21 = 42000
//
// Values are plain (no digit grouping); nulls are `null`; control characters are escaped.

import TerrainStorage
import TerrainSyntax

package func renderLines(_ table: Table) -> String {
  let n = safeRowCount(table)
  guard n > 0, !table.fields.isEmpty else { return "" }
  let names = table.fields.map { escapeControls($0.name) }
  let nameWidth = names.map(displayWidth).max() ?? 0
  let labels = names.map { String(repeating: " ", count: max(0, nameWidth - displayWidth($0))) + $0 + " =" }
  let columns = table.columns
  var out = ""
  for i in 0..<n {
    if i > 0 { out += "\n" }
    for (c, column) in columns.enumerated() {
      out += labels[c]
      let text: String
      switch column.value(at: i) {
      case .null: text = "null"
      case .int(let v): text = String(v)
      case .float(let v): text = formatFloat(v)
      case .bool(let b): text = b ? "true" : "false"
      case .text(let s): text = escapeControls(s)
      case .date(let d): text = CalendarDate.iso(d)
      }
      if !text.isEmpty {
        out += " "
        out += text
      }
      out += "\n"
    }
  }
  return out
}
