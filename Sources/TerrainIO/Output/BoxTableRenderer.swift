// The terminal table: box drawing, types under the names, numbers right-aligned with
// thin-space grouping, long results elided in the middle, wide ones fitted to the terminal.
//
//   ┌───────────┬─────┬───────────┐
//   │ epci      │   n │       pop │
//   │ text      │ int │       int │
//   ├───────────┼─────┼───────────┤
//   │ 200046977 │  59 │ 1 411 571 │
//   │        … 1 230 rows …       │
//   │ 246900740 │  32 │    74 925 │
//   └───────────┴─────┴───────────┘
//   1 232 rows

import TerrainStorage
import TerrainSyntax

private let ansiBold = "\u{1B}[1m"
private let ansiDim = "\u{1B}[2m"
private let ansiReset = "\u{1B}[0m"

/// The narrowest a text column is squeezed to before columns are dropped.
package let minimumTextWidth = 8

/// One displayed cell.
private struct BoxCell {
  var text: String
  var width: Int
  var isNull: Bool
}

/// One displayed column (or the `…` column standing for the hidden ones).
private struct BoxColumn {
  var name: String
  var nameWidth: Int
  var typeName: String
  var rightAligned: Bool
  var cells: [BoxCell]
  var naturalWidth: Int
  var minimumWidth: Int
  var width = 0
  var isEllipsis = false
}

/// The text of a value in the terminal table.
package func boxCellText(_ v: Value) -> String {
  switch v {
  case .null: return "null"
  case .int(let x): return groupDigits(String(x))
  case .float(let x): return groupDigits(formatFloat(x))
  case .bool(let b): return b ? "true" : "false"
  case .text(let s): return escapeControls(s)
  case .date(let d): return CalendarDate.iso(d)
  }
}

/// Widths for `natural` columns that fit `budget` content cells: the widest columns shrink
/// first, none below its minimum (the result may exceed `budget` when the minimums do).
package func fitWidths(natural: [Int], minimum: [Int], budget: Int) -> [Int] {
  let total = natural.reduce(0, +)
  if total <= budget { return natural }
  func widths(at level: Int) -> [Int] {
    zip(natural, minimum).map { n, m in max(min(n, level), min(m, n)) }
  }
  var lo = 0
  var hi = natural.max() ?? 0
  // Largest level whose total fits.
  while lo < hi {
    let mid = (lo + hi + 1) / 2
    if widths(at: mid).reduce(0, +) <= budget { lo = mid } else { hi = mid - 1 }
  }
  var result = widths(at: lo)
  var spare = budget - result.reduce(0, +)
  if spare > 0 {
    for c in result.indices where spare > 0 && result[c] < natural[c] {
      result[c] += 1
      spare -= 1
    }
  }
  return result
}

package func renderBoxTable(_ table: Table, options: RenderOptions) -> String {
  let n = safeRowCount(table)
  let footerText = formatCount(n, .oneRowCount, .rowsCount)
  if table.fields.isEmpty {
    return options.footer ? footerText + "\n" : ""
  }

  // Rows shown: all, or the first and last halves of maxRows.
  var headRows = n
  var tailRows = 0
  if options.maxRows > 0 && n > options.maxRows {
    headRows = (options.maxRows + 1) / 2
    tailRows = options.maxRows / 2
  }
  let hiddenRows = n - headRows - tailRows
  var shown = Array(0..<headRows)
  if tailRows > 0 { shown += Array((n - tailRows)..<n) }

  var columns: [BoxColumn] = []
  for (c, field) in table.fields.enumerated() {
    let column = table.columns[c]
    var cells: [BoxCell] = []
    cells.reserveCapacity(shown.count)
    var widest = 0
    // A float column's values share one number of decimals (`.decimals N`, or chosen for them).
    var decimals: Int?
    if field.type == .float {
      decimals = options.decimals ?? sharedDecimals(shown.compactMap { i -> Double? in
        if case .float(let x) = column.value(at: i) { return x }
        return nil
      })
    }
    for i in shown {
      let v = column.value(at: i)
      let text: String
      if case .float(let x) = v {
        // Chosen decimals never turn a value into a zero; `.decimals N` is taken as asked.
        text = screenNumber(x, decimals: decimals, mark: options.decimalMark, keepTiny: options.decimals == nil)
      } else {
        text = boxCellText(v)
      }
      let w = displayWidth(text)
      if w > widest { widest = w }
      cells.append(BoxCell(text: text, width: w, isNull: v.isNull))
    }
    let name = escapeControls(field.name)
    let nameWidth = displayWidth(name)
    let typeName = options.typesRow ? field.type.rawValue : ""
    let natural = max(nameWidth, typeName.count, widest)
    let numeric = field.type.isNumeric || field.type == .date || options.rightAlignedColumns.contains(c)
    // Numbers are never cut, text shrinks to a few characters, names too.
    let minimum =
      numeric
      ? max(typeName.count, widest, min(nameWidth, minimumTextWidth))
      : min(natural, max(minimumTextWidth, typeName.count))
    columns.append(
      BoxColumn(
        name: name, nameWidth: nameWidth, typeName: typeName, rightAligned: numeric, cells: cells,
        naturalWidth: natural, minimumWidth: minimum))
  }

  // Fit to the terminal: shrink text, then drop columns from the middle.
  var hiddenColumns = 0
  if let terminalWidth = options.terminalWidth {
    func outerWidth(_ contentWidths: [Int]) -> Int { 1 + contentWidths.reduce(0) { $0 + $1 + 3 } }
    if outerWidth(columns.map(\.naturalWidth)) > terminalWidth {
      if outerWidth(columns.map(\.minimumWidth)) > terminalWidth {
        // Keep columns alternately from the left and the right while they fit beside a `…`.
        let budget = terminalWidth - 1 - 4
        var left: [Int] = []
        var right: [Int] = []
        var used = 0
        var lo = 0
        var hi = columns.count - 1
        var takeLeft = true
        while lo <= hi {
          let c = takeLeft ? lo : hi
          let need = columns[c].minimumWidth + 3
          if used + need > budget && !(left.isEmpty && right.isEmpty) { break }
          used += need
          if takeLeft {
            left.append(c)
            lo += 1
          } else {
            right.insert(c, at: 0)
            hi -= 1
          }
          takeLeft.toggle()
        }
        hiddenColumns = columns.count - left.count - right.count
        if hiddenColumns > 0 {
          let ellipsis = BoxColumn(
            name: "…", nameWidth: 1, typeName: "", rightAligned: false,
            cells: shown.map { _ in BoxCell(text: "…", width: 1, isNull: false) },
            naturalWidth: 1, minimumWidth: 1, isEllipsis: true)
          columns = left.map { columns[$0] } + [ellipsis] + right.map { columns[$0] }
        }
      }
      let budget = terminalWidth - 1 - 3 * columns.count
      let widths = fitWidths(
        natural: columns.map(\.naturalWidth), minimum: columns.map(\.minimumWidth), budget: budget)
      for c in columns.indices { columns[c].width = widths[c] }
    } else {
      for c in columns.indices { columns[c].width = columns[c].naturalWidth }
    }
  } else {
    for c in columns.indices { columns[c].width = columns[c].naturalWidth }
  }

  // The elision line must fit inside the box: widen the last column if it does not.
  let elision = hiddenRows > 0 ? "… " + formatCount(hiddenRows, .oneRowCount, .rowsCount) + " …" : ""
  if hiddenRows > 0, let last = columns.indices.last {
    let inner = columns.reduce(0) { $0 + $1.width + 3 } - 1
    let needed = displayWidth(elision) + 2
    if inner < needed { columns[last].width += needed - inner }
  }

  var out = ""
  func rule(_ left: String, _ mid: String, _ right: String) {
    out += left
    for (c, col) in columns.enumerated() {
      if c > 0 { out += mid }
      out += String(repeating: "─", count: col.width + 2)
    }
    out += right
    out += "\n"
  }
  func cell(_ text: String, _ width: Int, _ col: BoxColumn, style: String?) {
    var text = text
    var w = width
    if w > col.width {
      text = truncateToWidth(text, col.width)
      w = displayWidth(text)
    }
    let pad = String(repeating: " ", count: max(0, col.width - w))
    let shown = options.color && style != nil && !text.isEmpty ? (style ?? "") + text + ansiReset : text
    out += " "
    out += col.rightAligned ? pad + shown : shown + pad
    out += " │"
  }

  rule("┌", "┬", "┐")
  out += "│"
  for col in columns { cell(col.name, col.nameWidth, col, style: col.isEllipsis ? nil : ansiBold) }
  out += "\n"
  if options.typesRow {
    out += "│"
    for col in columns { cell(col.typeName, col.typeName.count, col, style: ansiDim) }
    out += "\n"
  }
  if !shown.isEmpty { rule("├", "┼", "┤") }
  func elisionLine() {
    let inner = columns.reduce(0) { $0 + $1.width + 3 } - 1
    let free = max(0, inner - displayWidth(elision))
    let leftPad = free / 2
    out += "│" + String(repeating: " ", count: leftPad) + elision
      + String(repeating: " ", count: free - leftPad) + "│\n"
  }
  for (k, _) in shown.enumerated() {
    if k == headRows && hiddenRows > 0 { elisionLine() }
    out += "│"
    for col in columns {
      let c = col.cells[k]
      cell(c.text, c.width, col, style: c.isNull ? ansiDim : nil)
    }
    out += "\n"
  }
  if headRows == shown.count && hiddenRows > 0 { elisionLine() }
  rule("└", "┴", "┘")
  if options.footer {
    out += footerText
    if hiddenColumns > 0 { out += " " + DiagnosticText.columnsNotShown(formatCount(hiddenColumns, .oneColumnCount, .columnsCount)).string }
    out += "\n"
  }
  return out
}
