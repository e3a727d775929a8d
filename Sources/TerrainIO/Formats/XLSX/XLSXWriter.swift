// Writing a table as an Excel workbook of one sheet: a bold, frozen header row, columns as
// wide as their content (capped), numbers as numbers (ints shown `# ##0`, floats with the
// decimals they need), dates as dates, booleans as booleans, text as shared strings, nulls as
// empty cells. The sheet's XML is produced in 256 KB pieces and deflated straight into the
// export's `ByteWriter` (see ZipWriting.swift); the shared strings and the styles, which
// depend on every value, are written after it.

import TerrainStorage
import TerrainSyntax

/// The most rows and columns an Excel sheet holds.
private let maxSheetRows = 1_048_576
/// Widths, in characters of the default font.
private let maxColumnWidth = 60.0
private let minColumnWidth = 6.0
/// Styles (`cellXfs` indices): the default, the bold header, ints, dates; then one per float
/// column (its decimals known once the column is written).
private let styleHeader = 1
private let styleInt = 2
private let styleDate = 3
private let firstFloatStyle = 4

/// Test hook: every member written with ZIP64 records, as a sheet past 4 GB would be.
nonisolated(unsafe) package var xlsxAlwaysZip64 = false

/// Writes `table` as an xlsx workbook into `out`; returns the rows written.
///
/// - Throws: `ExportOptionError` for a table Excel cannot hold (too many rows or columns, a
///   text over 32,767 characters), `CancelledError`, `WriteFailure`.
func writeXLSX(_ table: Table, options: ExportOptions, to out: ByteWriter, cancel: CancellationFlag?) throws -> Int {
  let rows = safeRowCount(table)
  let header = options.header ?? true
  let columns = table.columns
  guard columns.count <= xlsxMaxColumns else {
    throw ExportOptionError(.xlsxTooManyColumns, String(columns.count))
  }
  guard rows + (header ? 1 : 0) <= maxSheetRows else {
    throw ExportOptionError(.xlsxTooManyRows, String(rows))
  }
  let sheet = SheetWriter(table: table, rows: rows, header: header, nullText: options.null)
  let zip = ZipWriter(out)
  zip.begin("[Content_Types].xml")
  zip.write(xlsxContentTypes)
  zip.end()
  zip.begin("_rels/.rels")
  zip.write(xlsxPackageRelationships)
  zip.end()
  zip.begin("xl/workbook.xml")
  zip.write(xlsxWorkbook(sheetName: xlsxSheetName(options.destinationStem)))
  zip.end()
  zip.begin("xl/_rels/workbook.xml.rels")
  zip.write(xlsxWorkbookRelationships)
  zip.end()
  zip.begin("xl/worksheets/sheet1.xml", zip64: sheet.mayPass4GB || xlsxAlwaysZip64)
  try sheet.write(to: zip, out: out, cancel: cancel)
  zip.end()
  zip.begin("xl/sharedStrings.xml", zip64: sheet.stringsMayPass4GB || xlsxAlwaysZip64)
  try sheet.writeSharedStrings(to: zip, out: out, cancel: cancel)
  zip.end()
  zip.begin("xl/styles.xml")
  zip.write(sheet.styles())
  zip.end()
  zip.finish()
  try checkpoint(out, cancel)
  return rows
}

private let xlsxContentTypes = """
  <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
  <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
  <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
  <Default Extension="xml" ContentType="application/xml"/>\
  <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
  <Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
  <Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>\
  <Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
  </Types>
  """

private let xlsxPackageRelationships = """
  <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
  <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
  <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>\
  </Relationships>
  """

private let xlsxWorkbookRelationships = """
  <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
  <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
  <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>\
  <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>\
  <Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>\
  </Relationships>
  """

/// The sheet's name: the file's (`comparatif.xlsx` → `comparatif`), without the characters
/// Excel refuses in sheet names (`[ ] : * ? / \`), at most 31 characters; `Sheet1` when
/// nothing is left.
package func xlsxSheetName(_ stem: String?) -> String {
  let refused: Set<Character> = ["[", "]", ":", "*", "?", "/", "\\"]
  var name = String((stem ?? "").filter { !refused.contains($0) && !($0.asciiValue.map { $0 < 0x20 } ?? false) }.prefix(31))
  while name.hasPrefix("'") { name.removeFirst() }
  while name.hasSuffix("'") { name.removeLast() }
  if name.isEmpty || name.lowercased() == "history" { name = "Sheet1" }
  return name
}

private func xlsxWorkbook(sheetName: String) -> String {
  """
  <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
  <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
  xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
  <bookViews><workbookView/></bookViews>\
  <sheets><sheet name="\(escapedXML(sheetName))" sheetId="1" r:id="rId1"/></sheets>\
  </workbook>
  """
}

/// `s` with `&`, `<`, `>` and `"` as entities.
private func escapedXML(_ s: String) -> String {
  var out = ""
  for c in s.unicodeScalars {
    switch c {
    case "&": out += "&amp;"
    case "<": out += "&lt;"
    case ">": out += "&gt;"
    case "\"": out += "&quot;"
    default: out.unicodeScalars.append(c)
    }
  }
  return out
}

/// The sheet of one table, and the shared strings and styles its cells use.
private final class SheetWriter {
  let table: Table
  let rows: Int
  let header: Bool
  let nullText: String?
  /// Every distinct text written, in order of first use: its code is its shared string index.
  let strings = TextDictionary(capacity: 1024)
  /// Text cells written (the `count` of the shared strings part).
  var textCells = 0
  /// For each float column, the decimals its values need (up to 15).
  var decimals: [Int]
  /// For each column, its float ordinal (style `firstFloatStyle + k`), or -1.
  var floatOrdinal: [Int]
  /// For each text column, shared string index of each dictionary code (`UInt32.max`: not yet).
  var sharedIndex: [[UInt32]]

  init(table: Table, rows: Int, header: Bool, nullText: String?) {
    self.table = table
    self.rows = rows
    self.header = header
    self.nullText = nullText
    var k = 0
    floatOrdinal = table.columns.map { c in
      guard c.type == .float else { return -1 }
      defer { k += 1 }
      return k
    }
    decimals = [Int](repeating: 0, count: k)
    sharedIndex = table.columns.map { c in
      if case .text(_, let d) = c.values { return [UInt32](repeating: .max, count: d.count) }
      return []
    }
  }

  /// Whether the sheet's XML may pass 4 GB (then written with ZIP64 sizes): about 60 bytes a
  /// cell at most.
  var mayPass4GB: Bool { (rows + 1) * (table.columns.count * 60 + 40) >= 0xFFFF_0000 }

  /// Whether the shared strings may pass 4 GB.
  var stringsMayPass4GB: Bool {
    var bytes = 0
    for c in table.columns {
      if case .text(_, let d) = c.values {
        // Escaping at most sextuples a byte (`"` → `&quot;`); 30 bytes of tags per string.
        bytes += d.valueBytes * 6 + d.count * 30
      }
    }
    return bytes >= 0xFFFF_0000
  }

  /// The shared string index of `bytes` (added if new), counting a text cell.
  private func shared(_ bytes: UnsafeRawBufferPointer, column: Int) throws -> UInt32 {
    let before = strings.count
    let i = strings.intern(bytes: bytes)
    if strings.count > before && bytes.count > 32_767 {
      let length = String(decoding: bytes, as: UTF8.self).utf16.count
      if length > 32_767 {
        let name = table.fields.indices.contains(column) ? table.fields[column].name : ""
        throw ExportOptionError(.xlsxTextTooLong, name, String(length))
      }
    }
    textCells += 1
    return i
  }

  // MARK: the sheet

  func write(to zip: ZipWriter, out: ByteWriter, cancel: CancellationFlag?) throws {
    let columns = table.columns
    let xml = ByteWriter(capacity: 320 << 10)
    let lastRow = rows + (header ? 1 : 0)
    xml.appendLiteral(
      """
      <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
      <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
      xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
      """)
    if columns.isEmpty || lastRow == 0 {
      xml.appendLiteral("<dimension ref=\"A1\"/>")
    } else {
      xml.append("<dimension ref=\"A1:\(cellName(columns.count - 1, lastRow))\"/>")
    }
    xml.appendLiteral("<sheetViews><sheetView tabSelected=\"1\" workbookViewId=\"0\">")
    if header {
      xml.appendLiteral(
        """
        <pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>\
        <selection pane="bottomLeft" activeCell="A2" sqref="A2"/>
        """)
    }
    xml.appendLiteral("</sheetView></sheetViews><sheetFormatPr defaultRowHeight=\"15\"/>")
    if !columns.isEmpty {
      xml.appendLiteral("<cols>")
      for k in columns.indices {
        let w = (width(k) * 100).rounded() / 100
        xml.append("<col min=\"\(k + 1)\" max=\"\(k + 1)\" width=\"\(w)\" customWidth=\"1\"/>")
      }
      xml.appendLiteral("</cols>")
    }
    xml.appendLiteral("<sheetData>")
    // `<c r="` and the column's letters, for each column.
    let starts: [[UInt8]] = columns.indices.map { Array("<c r=\"\(columnLetters($0))".utf8) }
    let nulls: [UInt8]? = nullText.map { Array($0.utf8) }
    let nullIndex = try nulls.map { n in try n.withUnsafeBytes { try shared($0, column: 0) } }
    textCells = 0
    var digits = [UInt8](repeating: 0, count: 24)
    var row = 0
    if header {
      row = 1
      xml.appendLiteral("<row r=\"1\">")
      for (k, f) in table.fields.enumerated() {
        var name = f.name
        let i = try name.withUTF8 { try shared(UnsafeRawBufferPointer($0), column: k) }
        xml.append(starts[k])
        xml.appendLiteral("1\" s=\"1\" t=\"s\"><v>")
        writeInt(Int64(i), to: xml)
        xml.appendLiteral("</v></c>")
      }
      xml.appendLiteral("</row>")
    }
    for i in 0..<rows {
      row += 1
      // The row number's digits, reused by each cell's reference.
      var n = row
      var d = 0
      repeat {
        digits[23 - d] = UInt8(ascii: "0") + UInt8(n % 10)
        n /= 10
        d += 1
      } while n > 0
      xml.appendLiteral("<row r=\"")
      digits.withUnsafeBufferPointer { b in if let p = b.baseAddress { xml.append(p + 24 - d, d) } }
      xml.appendLiteral("\">")
      for (k, c) in columns.enumerated() {
        func reference() {
          xml.append(starts[k])
          digits.withUnsafeBufferPointer { b in if let p = b.baseAddress { xml.append(p + 24 - d, d) } }
        }
        guard c.isValid(i) else {
          if let s = nullIndex {
            reference()
            xml.appendLiteral("\" t=\"s\"><v>")
            writeInt(Int64(s), to: xml)
            xml.appendLiteral("</v></c>")
            textCells += 1
          }
          continue
        }
        switch c.values {
        case .int(let b):
          reference()
          xml.appendLiteral("\" s=\"2\"><v>")
          writeInt(b.base[i], to: xml)
          xml.appendLiteral("</v></c>")
        case .float(let b):
          let v = b.base[i]
          guard v.isFinite else { continue }
          reference()
          xml.appendLiteral("\" s=\"")
          writeInt(Int64(firstFloatStyle + floatOrdinal[k]), to: xml)
          xml.appendLiteral("\"><v>")
          let at = xml.count
          writeFloat(v, decimalComma: false, to: xml)
          let needed = decimalsWritten(xml.base + at, xml.count - at)
          if needed > decimals[floatOrdinal[k]] { decimals[floatOrdinal[k]] = needed }
          xml.appendLiteral("</v></c>")
        case .bool(let b):
          reference()
          xml.appendLiteral(b.base[i] != 0 ? "\" t=\"b\"><v>1</v></c>" : "\" t=\"b\"><v>0</v></c>")
        case .date(let b):
          reference()
          let day = b.base[i]
          guard day >= CalendarDate.minDay && day <= CalendarDate.maxDay else {
            // Not a date of years 1…9999 (computed out of range): its day number, unstyled.
            xml.appendLiteral("\"><v>")
            writeInt(day, to: xml)
            xml.appendLiteral("</v></c>")
            continue
          }
          // 1900 dates: from 1 March 1900 Excel counts one day too many (its 29 February 1900).
          if day >= -25_508 {
            xml.appendLiteral("\" s=\"3\"><v>")
            writeInt(day + 25_569, to: xml)
          } else if day >= -25_567 {
            xml.appendLiteral("\" s=\"3\"><v>")
            writeInt(day + 25_568, to: xml)
          } else {
            // Before 1900: Excel has no such date; written as text.
            var text = CalendarDate.iso(day)
            let s = try text.withUTF8 { try shared(UnsafeRawBufferPointer($0), column: k) }
            xml.appendLiteral("\" t=\"s\"><v>")
            writeInt(Int64(s), to: xml)
          }
          xml.appendLiteral("</v></c>")
        case .text(let b, let dictionary):
          reference()
          let code = Int(b.base[i])
          var s = sharedIndex[k][code]
          if s == .max {
            s = try shared(dictionary.bytes(of: UInt32(code)), column: k)
            sharedIndex[k][code] = s
          } else {
            textCells += 1
          }
          xml.appendLiteral("\" t=\"s\"><v>")
          writeInt(Int64(s), to: xml)
          xml.appendLiteral("</v></c>")
        }
      }
      xml.appendLiteral("</row>")
      try drain(xml, into: zip, out: out, cancel: cancel)
    }
    xml.appendLiteral("</sheetData></worksheet>")
    try drain(xml, into: zip, out: out, cancel: cancel, force: true)
  }

  /// The width of column `k`: its header and widest values (a sample of rows for numbers),
  /// in characters, plus a margin; capped.
  private func width(_ k: Int) -> Double {
    let c = table.columns[k]
    var chars = 0
    let sample = min(rows, 10_000)
    switch c.values {
    case .int(let b):
      var low: Int64 = 0
      var high: Int64 = 0
      for i in 0..<rows where c.isValid(i) {
        low = min(low, b.base[i])
        high = max(high, b.base[i])
      }
      chars = max(groupedWidth(low.magnitude) + (low < 0 ? 1 : 0), groupedWidth(high.magnitude))
    case .float(let b):
      var widest = 0
      var decimals = 0
      for i in 0..<sample where c.isValid(i) && b.base[i].isFinite {
        let v = b.base[i]
        let whole = v.magnitude < 9e18 ? UInt64(v.magnitude) : UInt64.max
        widest = max(widest, groupedWidth(whole) + (v < 0 ? 1 : 0))
        decimals = max(decimals, decimalsOf(v))
      }
      chars = widest + 1 + max(1, decimals)
    case .bool: chars = 5
    case .date: chars = 10
    case .text(let b, let d):
      // The widest value among those used (each distinct code measured once).
      var measured = [Bool](repeating: false, count: d.count)
      for i in 0..<rows where c.isValid(i) {
        let code = Int(b.base[i])
        guard code < measured.count, !measured[code] else { continue }
        measured[code] = true
        var n = 0
        for byte in d.bytes(of: UInt32(code)) where byte & 0xC0 != 0x80 { n += 1 }
        chars = max(chars, n)
        if chars >= Int(maxColumnWidth) { break }
      }
    }
    if c.validity != nil, let n = nullText { chars = max(chars, n.count) }
    let headerChars = header ? Double(table.fields[k].name.count) * 1.15 : 0
    return min(maxColumnWidth, max(minColumnWidth, max(Double(chars), headerChars) + 2))
  }

  // MARK: shared strings and styles

  func writeSharedStrings(to zip: ZipWriter, out: ByteWriter, cancel: CancellationFlag?) throws {
    let xml = ByteWriter(capacity: 320 << 10)
    xml.append(
      """
      <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
      <sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
      count="\(textCells)" uniqueCount="\(strings.count)">
      """)
    for code in 0..<strings.count {
      let s = strings.bytes(of: UInt32(code))
      let spaced = s.first.map(isXMLSpace) == true || s.last.map(isXMLSpace) == true
      xml.appendLiteral(spaced ? "<si><t xml:space=\"preserve\">" : "<si><t>")
      appendEscapedText(s, to: xml)
      xml.appendLiteral("</t></si>")
      try drain(xml, into: zip, out: out, cancel: cancel)
    }
    xml.appendLiteral("</sst>")
    try drain(xml, into: zip, out: out, cancel: cancel, force: true)
  }

  /// Deflates `xml` into the archive once it holds 256 KB (or when `force`), checking for
  /// Ctrl-C and write errors each time (every few thousand rows).
  private func drain(
    _ xml: ByteWriter, into zip: ZipWriter, out: ByteWriter, cancel: CancellationFlag?, force: Bool = false
  ) throws {
    guard force || xml.count >= 256 << 10 else { return }
    zip.write(xml)
    try checkpoint(out, cancel)
  }

  /// The styles part: fonts (regular, bold), the number formats of the float columns.
  func styles() -> String {
    var formats = ""
    var floatXfs = ""
    for (k, d) in decimals.enumerated() {
      let code = "#,##0.0" + String(repeating: "#", count: max(0, min(d, 15) - 1))
      formats += "<numFmt numFmtId=\"\(164 + k)\" formatCode=\"\(code)\"/>"
      floatXfs += "<xf numFmtId=\"\(164 + k)\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>"
    }
    return """
      <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
      <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
      \(decimals.isEmpty ? "" : "<numFmts count=\"\(decimals.count)\">\(formats)</numFmts>")\
      <fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>\
      <font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>\
      <fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>\
      <borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
      <cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
      <cellXfs count="\(firstFloatStyle + decimals.count)">\
      <xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
      <xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
      <xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
      <xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
      \(floatXfs)</cellXfs>\
      <cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>\
      </styleSheet>
      """
  }
}

/// Characters of `n` written with digit groups (`1 234 567`: 9).
private func groupedWidth(_ n: UInt64) -> Int {
  var digits = 1
  var v = n
  while v >= 10 {
    v /= 10
    digits += 1
  }
  return digits + (digits - 1) / 3
}

/// The decimals of the shortest form of `v`.
private func decimalsOf(_ v: Double) -> Int {
  let w = ByteWriter(capacity: 64)
  writeFloat(v, decimalComma: false, to: w)
  return decimalsWritten(w.base, w.count)
}

/// The decimals a number written as `1.25` or `1.5e-07` shows in fixed notation.
private func decimalsWritten(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
  var point = -1
  var exponent = n
  for i in 0..<n {
    if p[i] == UInt8(ascii: ".") { point = i }
    if p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E") {
      exponent = i
      break
    }
  }
  var decimals = point < 0 ? 0 : exponent - point - 1
  // A lone `.0` is no decimal.
  if decimals == 1 && p[point + 1] == UInt8(ascii: "0") { decimals = 0 }
  if exponent < n, let e = parseInt64(p + exponent + 1, n - exponent - 1) {
    decimals = max(0, decimals - Int(max(-400, min(400, e))))
  }
  return decimals
}

/// Appends text for an XML element: `&`, `<`, `>` as entities; control characters XML cannot
/// hold, CR, and a `_` that starts an `_xHHHH_` form written in Office's `_xHHHH_` escape.
private func appendEscapedText(_ s: UnsafeRawBufferPointer, to out: ByteWriter) {
  guard let p = s.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
  let n = s.count
  var run = 0
  for i in 0..<n {
    let b = p[i]
    let escape: StaticString?
    switch b {
    case UInt8(ascii: "&"): escape = "&amp;"
    case UInt8(ascii: "<"): escape = "&lt;"
    case UInt8(ascii: ">"): escape = "&gt;"
    case 0x09, 0x0A: escape = nil
    case 0..<0x20: escape = ""
    case UInt8(ascii: "_"):
      escape = i + 6 < n && p[i + 1] == UInt8(ascii: "x") && p[i + 6] == UInt8(ascii: "_")
        && (2...5).allSatisfy({ hexDigit(p[i + $0]) != nil }) ? "_x005F_" : nil
    default: escape = nil
    }
    guard let e = escape else { continue }
    out.append(p + run, i - run)
    if e.utf8CodeUnitCount > 0 {
      out.appendLiteral(e)
    } else {
      let hex: [UInt8] = Array("0123456789ABCDEF".utf8)
      out.appendLiteral("_x00")
      out.append(hex[Int(b >> 4)], hex[Int(b & 15)])
      out.append(UInt8(ascii: "_"))
    }
    run = i + 1
  }
  out.append(p + run, n - run)
}
