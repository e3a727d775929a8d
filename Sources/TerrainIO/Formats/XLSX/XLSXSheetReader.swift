// Reading one worksheet into a table, in one streaming pass over its XML: each cell is kept
// as a kind byte and an 8-byte payload in its column (cells may be sparse and out of order;
// `r="C7"` places them), then each column's type is decided from all of its values, as the
// CSV reader does: numbers (int when all are whole and fit), texts, booleans, dates (numbers
// in a date format), and text for a column that mixes them (with a notice).

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import TerrainStorage
import TerrainSyntax

/// What a stored cell holds.
enum CellKind {
  static let empty: UInt8 = 0
  /// The payload is a Double's bits.
  static let number: UInt8 = 1
  /// The payload is a shared string index.
  static let shared: UInt8 = 2
  /// The payload is an index into the reader's inline strings.
  static let inline: UInt8 = 3
  /// The payload is 0 or 1.
  static let bool: UInt8 = 4
  /// The payload is an Int64 day number's bits.
  static let date: UInt8 = 5
  /// A date whose serial had a time of day: stored as `date` (the time dropped).
  static let dateTime: UInt8 = 6
}

/// The highest column count of a sheet (XFD).
let xlsxMaxColumns = 16_384

/// One column of the sheet while it is read.
final class SheetColumn {
  /// 0-based sheet column (A = 0).
  let sheetColumn: Int
  let kinds: BufferBuilder<UInt8>
  let payloads: BufferBuilder<UInt64>
  /// Bit `k` set when a cell of kind `k` was met.
  var seen: UInt8 = 0
  /// Whether every number is whole and fits 64 bits.
  var allWhole = true
  /// Whether a date cell had a time of day.
  var hasTime = false
  /// The header's text.
  var header: String = ""

  /// - Throws: `AllocationFailure` when the memory cannot hold `rows` cells.
  init(sheetColumn: Int, rows: Int) throws {
    self.sheetColumn = sheetColumn
    kinds = BufferBuilder(capacity: 1024)
    payloads = BufferBuilder(capacity: 1024)
    try kinds.reserve(rows)
    try payloads.reserve(rows)
    try kinds.append(repeating: CellKind.empty, count: rows)
    try payloads.append(repeating: 0, count: rows)
  }
}

/// Reads one sheet of a workbook.
final class XLSXSheetReader {
  let file: String
  let sheetName: String
  let options: LoadOptions
  let cancel: CancellationFlag?
  let strings: SharedStrings
  let styles: CellStyles
  let date1904: Bool
  let nulls: NullMarkers
  var notices: [String] = []
  /// The last cell met (column, row), for messages about what follows it.
  private(set) var lastCell = (column: 0, row: 0)

  private var slotOf = [Int32](repeating: -1, count: xlsxMaxColumns)
  private var columns: [SheetColumn] = []
  private let rowNumbers = BufferBuilder<Int>(capacity: 1024)
  private var rowCount = 0
  private var headerDone = false
  /// The current row's cells: sheet column, kind, payload.
  private var pendingColumn: [Int] = []
  private var pendingKind: [UInt8] = []
  private var pendingPayload: [UInt64] = []
  private let inlineBytes = BufferBuilder<UInt8>(capacity: 1 << 12)
  private let inlineEnds = BufferBuilder<Int>(capacity: 64)
  private let value = BufferBuilder<UInt8>(capacity: 256)
  private let memoryLimit = xlsxMemoryLimit()

  init(
    file: String, sheetName: String, options: LoadOptions, strings: SharedStrings, styles: CellStyles, date1904: Bool,
    cancel: CancellationFlag?
  ) {
    self.file = file
    self.sheetName = sheetName
    self.options = options
    self.strings = strings
    self.styles = styles
    self.date1904 = date1904
    self.cancel = cancel
    nulls = NullMarkers(options.nulls ?? LoadOptions.defaultNulls)
  }

  // MARK: reading

  /// Reads the sheet part and returns the table.
  ///
  /// - Throws: `XLSXFailure` (malformed XML, bad cell), `LoadError` for a forced type a
  ///   value does not have, or `CancelledError`.
  func read(_ xml: XMLTokenizer) throws -> Table {
    var rowNumber = 0
    var column = -1
    var inRow = false
    loop: while true {
      switch try xml.next() {
      case .endOfPart:
        break loop
      case .start:
        if xml.nameIs("c") {
          if !inRow {
            rowNumber += 1
            inRow = true
            column = -1
          }
          try readCell(xml, row: rowNumber, column: &column)
        } else if xml.nameIs("row") {
          if inRow { try endRow(rowNumber) }
          var cursor = xml.attributesStart
          var number = rowNumber + 1
          while let a = try xml.nextAttribute(&cursor) {
            guard a.name.count == 1 && xml.buffer[a.name.lowerBound] == UInt8(ascii: "r") else { continue }
            guard let n = parseInt64(xml.buffer + a.value.lowerBound, a.value.count), n >= 1, n <= Int32.max else {
              throw XLSXFailure.fail(.xlsxBadRowNumber, xml.part, text(xml, a.value))
            }
            number = Int(n)
          }
          rowNumber = number
          column = -1
          inRow = true
          if xml.selfClosing {
            try endRow(rowNumber)
            inRow = false
          }
        }
      case .end:
        if xml.nameIs("row") {
          if inRow { try endRow(rowNumber) }
          inRow = false
        } else if xml.nameIs("sheetData") {
          break loop
        }
      case .text:
        break
      }
    }
    if inRow { try endRow(rowNumber) }
    return try finish()
  }

  private func text(_ xml: XMLTokenizer, _ r: Range<Int>) -> String {
    String(decoding: UnsafeBufferPointer(start: xml.buffer + r.lowerBound, count: min(r.count, 40)), as: UTF8.self)
  }

  /// Reads one `<c>` through its `</c>` and adds it to the current row.
  private func readCell(_ xml: XMLTokenizer, row: Int, column: inout Int) throws {
    var type: UInt8 = UInt8(ascii: "n")
    var style = 0
    var col = column + 1
    var cursor = xml.attributesStart
    while let a = try xml.nextAttribute(&cursor) {
      guard a.name.count <= 2 else { continue }
      let n0 = xml.buffer[a.name.lowerBound]
      if a.name.count == 1 && n0 == UInt8(ascii: "r") {
        guard let c = columnOfReference(xml.buffer + a.value.lowerBound, a.value.count) else {
          throw XLSXFailure.fail(.xlsxBadCellReference, text(xml, a.value), xml.part)
        }
        col = c
      } else if a.name.count == 1 && n0 == UInt8(ascii: "s") {
        style = Int(parseInt64(xml.buffer + a.value.lowerBound, a.value.count) ?? 0)
      } else if a.name.count == 1 && n0 == UInt8(ascii: "t") {
        // n, s, str, inlineStr, b, e, d: the first byte tells them apart but for s/str.
        type = a.value.isEmpty ? UInt8(ascii: "n") : xml.buffer[a.value.lowerBound]
        if type == UInt8(ascii: "s") && a.value.count > 1 { type = UInt8(ascii: "S") }  // str
      }
    }
    guard col < xlsxMaxColumns else {
      throw XLSXFailure.fail(.xlsxBadCellReference, cellName(col, row), xml.part)
    }
    column = col
    lastCell = (col, row)
    if xml.selfClosing { return }
    value.used = 0
    var inValue = false
    var inInline = false
    var inText = false
    var phonetic = 0
    var hasValue = false
    cell: while true {
      switch try xml.next() {
      case .start:
        if xml.selfClosing { continue }
        if xml.nameIs("v") {
          inValue = true
          hasValue = true
        } else if xml.nameIs("is") {
          inInline = true
          hasValue = true
        } else if xml.nameIs("t") {
          inText = inInline && phonetic == 0
        } else if xml.nameIs("rPh") {
          phonetic += 1
        }
      case .end:
        if xml.nameIs("c") { break cell }
        if xml.nameIs("v") { inValue = false }
        if xml.nameIs("t") { inText = false }
        if xml.nameIs("is") { inInline = false }
        if xml.nameIs("rPh") { phonetic = max(0, phonetic - 1) }
      case .text:
        if inValue || inText {
          try xml.appendDecoded(xml.textStart..<xml.textEnd, cdata: xml.textIsCDATA, to: value)
          if value.count > XMLTokenizer.maxTokenBytes {
            throw XLSXFailure.fail(.xlsxXMLTooLong, xml.part, String(xml.tokenOffset), String(XMLTokenizer.maxTokenBytes >> 20))
          }
        }
      case .endOfPart:
        throw XLSXFailure.fail(.xlsxXMLUnexpectedEnd, xml.part, String(xml.tokenOffset))
      }
    }
    guard hasValue else { return }
    if pendingColumn.count >= xlsxMaxColumns {
      throw XLSXFailure.fail(.xlsxRowTooLong, String(row), xml.part)
    }
    let (kind, payload) = try classify(type: type, style: style, cell: col, row: row, part: xml.part)
    if kind == CellKind.empty { return }
    pendingColumn.append(col)
    pendingKind.append(kind)
    pendingPayload.append(payload)
  }

  /// The kind and payload of a cell of type `type` whose value is in `value`.
  private func classify(type: UInt8, style: Int, cell col: Int, row: Int, part: String) throws -> (UInt8, UInt64) {
    let p = value.base
    let n = value.count
    switch type {
    case UInt8(ascii: "s"):
      guard let i = parseInt64(p, n), i >= 0, i < strings.count else {
        throw XLSXFailure.fail(
          .xlsxBadSharedString, cellName(col, row), part, value.string, String(strings.count))
      }
      if strings.isNull[Int(i)] != 0 { return (CellKind.empty, 0) }
      return (CellKind.shared, UInt64(i))
    case UInt8(ascii: "S"), UInt8(ascii: "i"):  // str (a formula's text), inlineStr
      decodeOfficeEscapes(value, from: 0)
      if nulls.isNull(value.base, value.count) { return (CellKind.empty, 0) }
      try inlineBytes.append(value.base, value.count)
      if inlineBytes.count > memoryLimit { throw XLSXFailure.fail(.xlsxTooLarge, sheetName) }
      try inlineEnds.append(inlineBytes.count)
      return (CellKind.inline, UInt64(inlineEnds.count - 1))
    case UInt8(ascii: "b"):
      // `1`/`0`, or `true`/`TRUE` from some writers.
      let t = n == 1 && p[0] == UInt8(ascii: "1") || n == 4 && p[0] | 0x20 == UInt8(ascii: "t")
      return (CellKind.bool, t ? 1 : 0)
    case UInt8(ascii: "e"):
      return (CellKind.empty, 0)
    case UInt8(ascii: "d"):
      // An ISO 8601 date (`2024-03-01` or `2024-03-01T12:00:00`).
      if n >= 10, let d = CalendarDate.parseShape(UnsafeBufferPointer(start: p, count: 10))?.days {
        return (CellKind.date, UInt64(bitPattern: d))
      }
      if n == 0 { return (CellKind.empty, 0) }
      throw XLSXFailure.fail(.xlsxBadNumber, cellName(col, row), part, value.string)
    default:
      if n == 0 { return (CellKind.empty, 0) }
      guard let v = parseDouble(p, n, decimal: UInt8(ascii: ".")) else {
        throw XLSXFailure.fail(.xlsxBadNumber, cellName(col, row), part, String(value.string.prefix(40)))
      }
      if styles.showsDate(style), let d = excelDay(v) {
        return (v != v.rounded(.down) ? CellKind.dateTime : CellKind.date, UInt64(bitPattern: d))
      }
      return (CellKind.number, v.bitPattern)
    }
  }

  /// The day number of date serial `v` in the workbook's date system; nil outside years
  /// 1900 (1904)…9999.
  private func excelDay(_ v: Double) -> Int64? {
    guard v.isFinite, v >= 0, v < 2_958_466 else { return nil }
    let whole = Int64(v.rounded(.down))
    if date1904 { return whole - 24_107 }
    // 1900 counts a 29 February that did not exist (serial 60): serials from 61 on are one
    // day ahead.
    return whole < 61 ? whole - 25_568 : whole - 25_569
  }

  /// Ends a row: the header (the first non-empty row after `skip`), or a data row.
  private func endRow(_ row: Int) throws {
    defer {
      pendingColumn.removeAll(keepingCapacity: true)
      pendingKind.removeAll(keepingCapacity: true)
      pendingPayload.removeAll(keepingCapacity: true)
    }
    if pendingColumn.isEmpty { return }
    if !headerDone {
      if row <= options.skip ?? 0 { return }
      headerDone = true
      if options.header != false {
        for (k, col) in pendingColumn.enumerated() {
          let slot = try self.slot(col)
          slot.header = cellText(pendingKind[k], pendingPayload[k])
        }
        return
      }
    }
    let index = rowCount
    // New columns first (filled with nulls up to this row), then one empty cell everywhere.
    for col in pendingColumn where slotOf[col] < 0 { _ = try slot(col) }
    for c in columns {
      try c.kinds.append(CellKind.empty)
      try c.payloads.append(0)
    }
    for (k, col) in pendingColumn.enumerated() {
      let c = try slot(col)
      var kind = pendingKind[k]
      let payload = pendingPayload[k]
      if kind == CellKind.number {
        let v = Double(bitPattern: payload)
        if c.allWhole && !(v == v.rounded(.down) && v >= -9.223372036854775e18 && v < 9.223372036854775e18) {
          c.allWhole = false
        }
      } else if kind == CellKind.dateTime {
        c.hasTime = true
        kind = CellKind.date
      }
      c.seen |= 1 << kind
      c.kinds[index] = kind
      c.payloads[index] = payload
    }
    try rowNumbers.append(row)
    rowCount += 1
    if rowCount & 0xFFF == 0 {
      try cancel?.check()
      if rowCount & 0xFFFF == 0 { try checkMemory() }
    }
  }

  /// Refuses a sheet whose cells outgrow the memory available (a small file can inflate to
  /// billions of cells).
  private func checkMemory() throws {
    let bytes = rowCount * columns.count * 9 + inlineBytes.count
    if bytes > memoryLimit {
      throw XLSXFailure.fail(.xlsxTooLarge, sheetName)
    }
  }

  /// The column of sheet column `col`, made (with nulls for the rows before) if new.
  private func slot(_ col: Int) throws -> SheetColumn {
    let s = Int(slotOf[col])
    if s >= 0 { return columns[s] }
    let c = try SheetColumn(sheetColumn: col, rows: rowCount)
    slotOf[col] = Int32(columns.count)
    columns.append(c)
    return c
  }

  /// A cell's value as text (headers, columns read as text).
  private func cellText(_ kind: UInt8, _ payload: UInt64) -> String {
    switch kind {
    case CellKind.number:
      let v = Double(bitPattern: payload)
      if v == v.rounded(.down) && v.magnitude < 1e15 { return String(Int64(v)) }
      return formatFloat(v)
    case CellKind.shared:
      return String(decoding: strings.string(Int(payload)), as: UTF8.self)
    case CellKind.inline:
      return String(decoding: inlineString(Int(payload)), as: UTF8.self)
    case CellKind.bool:
      return payload != 0 ? "true" : "false"
    case CellKind.date, CellKind.dateTime:
      return CalendarDate.iso(Int64(bitPattern: payload))
    default:
      return ""
    }
  }

  private func inlineString(_ i: Int) -> UnsafeBufferPointer<UInt8> {
    let start = i == 0 ? 0 : inlineEnds[i - 1]
    return UnsafeBufferPointer(start: inlineBytes.base + start, count: inlineEnds[i] - start)
  }

  // MARK: the table

  private func finish() throws -> Table {
    guard headerDone else { throw XLSXFailure.fail(.xlsxEmptySheet, sheetName) }
    let ordered = columns.sorted { $0.sheetColumn < $1.sheetColumn }
    let names = uniqueNames(ordered.enumerated().map { k, c in
      options.header == false ? "column\(k + 1)" : c.header.trimmingSpaces()
    })
    for forcedName in options.types.keys.sorted() where !names.contains(forcedName) {
      throw LoadError(path: file, line: 0, column: 0, .typesUnknownColumn, forcedName, names.joined(separator: ", "))
    }
    var fields: [Field] = []
    var built: [Column] = []
    for (c, name) in zip(ordered, names) {
      let column = try build(c, name: name, forced: options.types[name])
      fields.append(Field(name: name, type: column.type))
      built.append(column)
    }
    if mixed.count == 1, let m = mixed.first {
      notices.append(DiagnosticText.columnMixesTypes(m).string)
    } else if mixed.count > 1 {
      let shown = mixed.count > 6 ? mixed.prefix(6).joined(separator: ", ") + ", …" : mixed.joined(separator: ", ")
      notices.append(DiagnosticText.columnsMixTypes(String(mixed.count), shown).string)
    }
    return Table(fields: fields, columns: built, rowCount: rowCount)
  }

  /// The columns read as text because they mix types, with what they mix.
  private var mixed: [String] = []

  private func has(_ c: SheetColumn, _ kind: UInt8) -> Bool { c.seen & (1 << kind) != 0 }

  /// The type a column's values call for; text (with a notice) when they mix types.
  private func inferredType(_ c: SheetColumn, name: String) -> DataType {
    var kinds: [String] = []
    if has(c, CellKind.number) { kinds.append("numbers") }
    if has(c, CellKind.shared) || has(c, CellKind.inline) { kinds.append("texts") }
    if has(c, CellKind.bool) { kinds.append("booleans") }
    if has(c, CellKind.date) { kinds.append("dates") }
    if kinds.count > 1 {
      mixed.append("`\(name)` (\(kinds.joined(separator: " and ")))")
      return .text
    }
    if has(c, CellKind.number) { return c.allWhole ? .int : .float }
    if has(c, CellKind.bool) { return .bool }
    if has(c, CellKind.date) {
      if c.hasTime { notices.append(DiagnosticText.timesOfDayDropped(name).string) }
      return .date
    }
    return .text
  }

  /// The column of `c`'s cells as `forced` (or its inferred type).
  private func build(_ c: SheetColumn, name: String, forced: DataType?) throws -> Column {
    let type = forced ?? inferredType(c, name: name)
    let b = ColumnBuilder(type: type)
    try b.reserve(rowCount)
    let kinds = c.kinds.base
    let payloads = c.payloads.base
    func refuse(_ i: Int, _ entry: DiagnosticMessage) -> Error {
      var shown = cellText(kinds[i], payloads[i])
      if shown.count > 40 { shown = String(shown.prefix(40)) + "…" }
      return XLSXFailure.fail(.xlsxAtCell, entry.text([shown, name]), sheetName, cellName(c.sheetColumn, rowNumbers[i]))
    }
    switch type {
    case .int:
      for i in 0..<rowCount {
        switch kinds[i] {
        case CellKind.empty: try b.appendNull()
        case CellKind.number:
          let v = Double(bitPattern: payloads[i])
          guard v == v.rounded(.down), v >= -9.223372036854775e18, v < 9.223372036854775e18 else {
            throw refuse(i, .valueNotInt)
          }
          try b.append(int: Int64(v))
        case CellKind.bool: try b.append(int: Int64(payloads[i]))
        default:
          let s = kinds[i] == CellKind.shared ? strings.string(Int(payloads[i])) : inlineString(Int(payloads[i]))
          guard kinds[i] != CellKind.date, let base = s.baseAddress, let v = parseInt64(base, s.count) else {
            throw refuse(i, .valueNotInt)
          }
          try b.append(int: v)
        }
      }
    case .float:
      for i in 0..<rowCount {
        switch kinds[i] {
        case CellKind.empty: try b.appendNull()
        case CellKind.number: try b.append(float: Double(bitPattern: payloads[i]))
        case CellKind.shared, CellKind.inline:
          let s = kinds[i] == CellKind.shared ? strings.string(Int(payloads[i])) : inlineString(Int(payloads[i]))
          guard let base = s.baseAddress, let v = parseDouble(base, s.count, decimal: UInt8(ascii: ".")) else {
            throw refuse(i, .valueNotFloat)
          }
          try b.append(float: v)
        default: throw refuse(i, .valueNotFloat)
        }
      }
    case .bool:
      for i in 0..<rowCount {
        switch kinds[i] {
        case CellKind.empty: try b.appendNull()
        case CellKind.bool: try b.append(bool: payloads[i] != 0)
        case CellKind.number:
          let v = Double(bitPattern: payloads[i])
          guard v == 0 || v == 1 else { throw refuse(i, .valueNotBool) }
          try b.append(bool: v == 1)
        case CellKind.shared, CellKind.inline:
          let s = kinds[i] == CellKind.shared ? strings.string(Int(payloads[i])) : inlineString(Int(payloads[i]))
          guard let base = s.baseAddress, let v = parseBool(base, s.count) else { throw refuse(i, .valueNotBool) }
          try b.append(bool: v)
        default: throw refuse(i, .valueNotBool)
        }
      }
    case .date:
      for i in 0..<rowCount {
        switch kinds[i] {
        case CellKind.empty: try b.appendNull()
        case CellKind.date: try b.append(int: Int64(bitPattern: payloads[i]))
        case CellKind.number:
          guard let d = excelDay(Double(bitPattern: payloads[i])) else { throw refuse(i, .valueNotDate) }
          try b.append(int: d)
        case CellKind.shared, CellKind.inline:
          let s = kinds[i] == CellKind.shared ? strings.string(Int(payloads[i])) : inlineString(Int(payloads[i]))
          guard let base = s.baseAddress, let d = parseDateField(base, s.count) else { throw refuse(i, .valueNotDate) }
          try b.append(int: d)
        default: throw refuse(i, .valueNotDate)
        }
      }
    case .text:
      guard let dictionary = b.dictionary else { return b.finish() }
      // Shared string index → code in this column's dictionary, filled as met.
      var codes: [UInt32] = has(c, CellKind.shared) ? [UInt32](repeating: .max, count: strings.count) : []
      for i in 0..<rowCount {
        let p = payloads[i]
        switch kinds[i] {
        case CellKind.empty: try b.appendNull()
        case CellKind.shared:
          let k = Int(p)
          var code = codes[k]
          if code == .max {
            code = try dictionary.checkedIntern(bytes: UnsafeRawBufferPointer(strings.string(k)))
            codes[k] = code
          }
          try b.append(code: code)
        case CellKind.inline:
          try b.append(code: try dictionary.checkedIntern(bytes: UnsafeRawBufferPointer(inlineString(Int(p)))))
        default:
          try b.append(text: cellText(kinds[i], p))
        }
      }
    }
    return b.finish()
  }

  /// Names made unique: an empty name becomes `column<k>` (its position), a repeated one
  /// `name_2`, `name_3`…; a notice lists the renamings.
  private func uniqueNames(_ raw: [String]) -> [String] {
    let given = Set(raw)
    var seen = Set<String>()
    var renamed: [String] = []
    let names = raw.enumerated().map { k, name in
      var final = name.isEmpty ? "column\(k + 1)" : name
      if seen.contains(final) || (name.isEmpty && given.contains(final)) {
        let stem = final
        var n = 2
        repeat {
          final = "\(stem)_\(n)"
          n += 1
        } while given.contains(final) || seen.contains(final)
      }
      if final != name { renamed.append((name.isEmpty ? DiagnosticText.renamedEmptyName(final) : .renamedDuplicate(name, final)).string) }
      seen.insert(final)
      return final
    }
    if !renamed.isEmpty {
      let list = renamed.joined(separator: ", ")
      notices.append((renamed.count == 1 ? DiagnosticText.renamedColumn(list) : .renamedColumns(list)).string)
    }
    return names
  }
}

/// The 0-based column of a cell reference (`C7` → 2, `$AB$3` → 27); nil when it is not one.
func columnOfReference(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int? {
  var col = 0
  var letters = 0
  var i = 0
  if i < n && p[i] == UInt8(ascii: "$") { i += 1 }
  while i < n {
    var b = p[i]
    if b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z") { b -= 32 }
    guard b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") else { break }
    col = col * 26 + Int(b - UInt8(ascii: "A") + 1)
    letters += 1
    if letters > 3 { return nil }
    i += 1
  }
  guard letters > 0 else { return nil }
  return col - 1
}

/// `B12` for column 1, row 12.
func cellName(_ col: Int, _ row: Int) -> String { columnLetters(col) + String(row) }

/// `A` for 0, `Z` for 25, `AA` for 26…
func columnLetters(_ col: Int) -> String {
  var n = col + 1
  var s: [UInt8] = []
  while n > 0 && s.count < 8 {
    let r = (n - 1) % 26
    s.append(UInt8(ascii: "A") + UInt8(r))
    n = (n - 1) / 26
  }
  return String(decoding: s.reversed(), as: UTF8.self)
}

extension String {
  /// The text without leading and trailing spaces, tabs and line breaks.
  func trimmingSpaces() -> String {
    var sub = Substring(self)
    while let f = sub.first, f == " " || f == "\t" || f == "\n" || f == "\r" { sub = sub.dropFirst() }
    while let l = sub.last, l == " " || l == "\t" || l == "\n" || l == "\r" { sub = sub.dropLast() }
    return String(sub)
  }
}
