// Markdown (GitHub) table, columns padded so that the source reads as a table too:
//
//   | name | n |
//   |------|--:|
//   | Alès | 3 |
//
// Numbers are right-aligned (`--:`); `|` in a cell is written `\|` and line breaks `<br>`;
// nulls are empty (or the export's `null` text).

import TerrainStorage
import TerrainSyntax

/// The settings of a Markdown table.
package struct MarkdownFormat {
  package var decimalComma = false
  package var nullText = ""
  package var crlf = false
  package var bom = false
  /// A float with no fractional part written as an integer (`137470`, not `137470.0`).
  package var wholeFloatsAsIntegers = false
}

private func markdownCell(_ r: ColumnReader, _ i: Int, _ format: MarkdownFormat, _ nullCell: String) -> String {
  if r.isNull(i) { return nullCell }
  switch r.data {
  case .int(let p): return String(p[i])
  case .float(let p):
    if format.wholeFloatsAsIntegers, let whole = wholeInteger(p[i]) { return String(whole) }
    return formatFloat(p[i], decimalComma: format.decimalComma)
  case .bool(let p): return p[i] != 0 ? "true" : "false"
  case .date(let p): return CalendarDate.iso(p[i])
  case .text(let codes, let dict):
    let c = Int(codes[i])
    guard c < dict.count else { return "" }
    return encodeText(dict.string(c), style: .markdown)
  }
}

/// Writes `table` as a Markdown table; returns the number of rows written.
package func writeMarkdown(
  _ table: Table, format: MarkdownFormat, to out: ByteWriter, cancel: CancellationFlag?
) throws -> Int {
  let n = safeRowCount(table)
  let readers = table.columns.map(ColumnReader.init)
  let nullCell = encodeText(format.nullText, style: .markdown)
  let names = table.fields.map { encodeText($0.name, style: .markdown) }
  let rightAligned = table.fields.map { $0.type.isNumeric }
  var widths = names.map { max(3, displayWidth($0)) }
  for i in 0..<n {
    if i & 4095 == 0 { try checkpoint(out, cancel) }
    for (c, r) in readers.enumerated() {
      let w = displayWidth(markdownCell(r, i, format, nullCell))
      if w > widths[c] { widths[c] = w }
    }
  }

  if format.bom { out.append([0xEF, 0xBB, 0xBF]) }
  func endLine() {
    if format.crlf { out.append(0x0D, 0x0A) } else { out.append(0x0A) }
  }
  func writeRow(_ cells: [String]) {
    for (c, s) in cells.enumerated() {
      out.append(UInt8(ascii: "|"), UInt8(ascii: " "))
      let pad = widths[c] - displayWidth(s)
      if rightAligned[c] {
        out.append(repeating: 0x20, count: pad)
        out.append(s)
      } else {
        out.append(s)
        out.append(repeating: 0x20, count: pad)
      }
      out.append(UInt8(ascii: " "))
    }
    out.append(UInt8(ascii: "|"))
    endLine()
  }

  if readers.isEmpty {
    // A table without columns has no Markdown form; say so rather than print nothing.
    out.append("| (no columns) |")
    endLine()
    out.append("|--------------|")
    endLine()
    return n
  }
  writeRow(names)
  for c in 0..<readers.count {
    out.append(UInt8(ascii: "|"))
    if rightAligned[c] {
      out.append(repeating: UInt8(ascii: "-"), count: widths[c] + 1)
      out.append(UInt8(ascii: ":"))
    } else {
      out.append(repeating: UInt8(ascii: "-"), count: widths[c] + 2)
    }
  }
  out.append(UInt8(ascii: "|"))
  endLine()
  var cells = [String](repeating: "", count: readers.count)
  for i in 0..<n {
    if i & 4095 == 0 { try checkpoint(out, cancel) }
    for (c, r) in readers.enumerated() { cells[c] = markdownCell(r, i, format, nullCell) }
    writeRow(cells)
  }
  try checkpoint(out, cancel)
  return n
}
