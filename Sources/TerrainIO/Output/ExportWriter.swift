// `export "file" [with (…)]`: the options, the format picked from the extension, and the
// atomic, streaming write.

import TerrainStorage
import TerrainSyntax

/// The options of `export … with (sep = ";", decimal = ",", bom = true, header = false,
/// null = "NA", dialect = "excel-fr")`. nil means "the dialect's (or the format's) default".
public struct ExportOptions: Sendable, Equatable {
  /// Field separator byte (`sep`).
  public var separator: UInt8?
  /// Decimal comma in floats (`decimal = ","`).
  public var decimalComma: Bool?
  /// UTF-8 byte order mark at the start (`bom`).
  public var bom: Bool?
  /// Header line of column names (`header`).
  public var header: Bool?
  /// Text written for nulls (`null`); empty by default.
  public var null: String?
  /// CRLF line ends instead of LF.
  public var crlf: Bool?
  /// nil or `rfc4180` (`,` `.` LF, no BOM) or `excel-fr` (`;`, decimal comma, BOM, CRLF).
  public var dialect: String?

  public init() {}

  /// The dialect names `dialect` accepts.
  public static let dialects = ["rfc4180", "excel-fr"]

  /// The separator byte for the text of a `sep` option: one ASCII character, or `\t` /
  /// `tab` for a tab.
  public static func parseSeparator(_ text: String) throws -> UInt8 {
    if text == "\t" || text.lowercased() == "tab" || text == "\\t" { return 0x09 }
    let bytes = Array(text.utf8)
    guard bytes.count == 1, let b = bytes.first else {
      throw ExportOptionError(.sepNotOneCharacter, quotedText(text))
    }
    try checkSeparator(b)
    return b
  }

  /// The `decimal` option: `"."` → false, `","` → true.
  public static func parseDecimal(_ text: String) throws -> Bool {
    switch text {
    case ".": return false
    case ",": return true
    default: throw ExportOptionError(.exportBadDecimal, quotedText(text))
    }
  }

  package static func checkSeparator(_ b: UInt8) throws {
    let c = Character(Unicode.Scalar(b))
    let bad =
      b >= 0x80 || b == 0 || b == 0x22 || b == 0x0A || b == 0x0D || c.isLetter || c.isNumber
      || b == UInt8(ascii: "-") || b == UInt8(ascii: "+")
    if bad {
      let shown = b < 0x80 ? quotedText(String(c)) : DiagnosticText.byteNumber(String(b)).string
      throw ExportOptionError(
        .exportBadSeparator, shown)
    }
  }

  /// The dialect, checked (`rfc4180` when nil).
  package func checkedDialect() throws -> String {
    guard let d = dialect else { return "rfc4180" }
    let name = d.lowercased()
    guard ExportOptions.dialects.contains(name) else {
      throw ExportOptionError(
        .unknownDialect, quotedText(d))
    }
    return name
  }

  /// Rejects unknown dialects, bad separators and options that mean nothing for `format`.
  public func validate(for format: ExportFormat = .csv) throws {
    _ = try checkedDialect()
    if let s = separator { try ExportOptions.checkSeparator(s) }
    func reject(_ option: String, _ why: DiagnosticText) throws {
      throw ExportOptionError(.optionDoesNotApply, option, why.string)
    }
    switch format {
    case .csv:
      break
    case .tsv:
      if let s = separator, s != 0x09 { try reject("sep", .tsvFiles) }
    case .json:
      if separator != nil { try reject("sep", .json) }
      if decimalComma != nil { try reject("decimal", .jsonNumbers) }
      if header != nil { try reject("header", .json) }
      if null != nil { try reject("null", .jsonNulls) }
      if dialect != nil { try reject("dialect", .json) }
      if bom == true { try reject("bom", .jsonBOM) }
    case .markdown:
      if separator != nil { try reject("sep", .markdown) }
      if dialect != nil { try reject("dialect", .markdown) }
      if header == false { try reject("header = false", .markdownHeader) }
    }
  }

  /// The delimited-file settings for `format` (`.csv` or `.tsv`) after the dialect and the
  /// individual options are applied.
  package func delimitedFormat(for format: ExportFormat) throws -> DelimitedFormat {
    try validate(for: format)
    var f: DelimitedFormat = format == .tsv ? .tsv : .csv
    if try checkedDialect() == "excel-fr" {
      if format != .tsv { f.separator = UInt8(ascii: ";") }
      f.decimalComma = true
      f.frenchDates = true
      f.bom = true
      f.crlf = true
      f.header = true
    }
    if let s = separator { f.separator = s }
    if let d = decimalComma { f.decimalComma = d }
    if let b = bom { f.bom = b }
    if let h = header { f.header = h }
    if let n = null { f.nullText = n }
    if let c = crlf { f.crlf = c }
    return f
  }
}

/// An export option with a bad value (the language layer points at its span): a catalog entry
/// and its arguments.
public struct ExportOptionError: Error, CustomStringConvertible, Equatable {
  public var entry: DiagnosticMessage
  public var arguments: [String]
  public init(_ entry: DiagnosticMessage, _ arguments: String...) {
    self.entry = entry
    self.arguments = arguments
  }
  public var message: String { entry.text(arguments) }
  public var description: String { message }
  public static func == (a: ExportOptionError, b: ExportOptionError) -> Bool {
    a.entry.id == b.entry.id && a.arguments == b.arguments
  }
}

/// `s` in double quotes, control characters and quotes escaped, for messages.
package func quotedText(_ s: String) -> String {
  "\"" + escapeControls(s).replacingAll("\"", with: "\\\"") + "\""
}

/// The kind of file an export writes, picked from the path's extension.
public enum ExportFormat: Sendable, Equatable {
  case csv, tsv, json, markdown

  /// `.tsv`/`.tab` → tsv, `.json` → json, `.md`/`.markdown` → markdown, anything else → csv.
  public init(path: String) {
    let name = splitPath(path).name
    guard let dot = name.lastIndex(of: "."), dot != name.startIndex else {
      self = .csv
      return
    }
    switch name[name.index(after: dot)...].lowercased() {
    case "tsv", "tab": self = .tsv
    case "json": self = .json
    case "md", "markdown": self = .markdown
    default: self = .csv
    }
  }
}

/// An export that could not be written; the previous file, if any, is unchanged. The reason is
/// a catalog entry and its arguments.
public struct ExportError: Error, CustomStringConvertible {
  public var path: String
  public var entry: DiagnosticMessage
  public var arguments: [String]
  public init(path: String, _ entry: DiagnosticMessage, arguments: [String]) {
    self.path = path
    self.entry = entry
    self.arguments = arguments
  }
  public init(path: String, _ entry: DiagnosticMessage, _ arguments: String...) {
    self.init(path: path, entry, arguments: arguments)
  }
  /// The reason, arguments in place.
  public var message: String { entry.text(arguments) }
  public var description: String {
    path.isEmpty ? DiagnosticText.cannotWrite(message).string : DiagnosticText.cannotWritePath(path, message).string
  }
}

/// Writes `table` to `path` in the format of its extension. The file is written to a
/// temporary file beside `path` and renamed at the end: an error leaves any previous file
/// intact and no temporary file. Returns the number of rows written.
///
/// - Throws: `ExportError` (bad option, missing folder, permission, disk full…) or
///   `CancelledError` when `cancel` is set midway.
public func exportTable(
  _ table: Table, to path: String, options: ExportOptions, cancel: CancellationFlag? = nil
) throws -> Int {
  try exportTable(
    table, to: path, options: options, cancel: cancel, bufferCapacity: 1 << 20, failAfterBytes: nil,
    afterWrite: nil)
}

/// `exportTable` with test hooks: a small write buffer, a write failure past a byte count,
/// a call after each write.
package func exportTable(
  _ table: Table, to path: String, options: ExportOptions, cancel: CancellationFlag?,
  bufferCapacity: Int, failAfterBytes: Int?, afterWrite: ((Int) -> Void)?
) throws -> Int {
  // `~/…` is the home folder, as in `load`.
  let path = expandingHome(path)
  let format = ExportFormat(path: path)
  do {
    try options.validate(for: format)
  } catch let e as ExportOptionError {
    throw ExportError(path: path, e.entry, arguments: e.arguments)
  }
  switch format {
  case .csv, .tsv:
    let f = try options.delimitedFormat(for: format)
    return try writeFileAtomically(
      path: path, bufferCapacity: bufferCapacity, failAfterBytes: failAfterBytes, afterWrite: afterWrite
    ) {
      try writeDelimited(table, format: f, to: $0, cancel: cancel)
    }
  case .json:
    let crlf = options.crlf ?? false
    return try writeFileAtomically(
      path: path, bufferCapacity: bufferCapacity, failAfterBytes: failAfterBytes, afterWrite: afterWrite
    ) {
      try writeJSON(table, crlf: crlf, to: $0, cancel: cancel)
    }
  case .markdown:
    var f = MarkdownFormat()
    f.decimalComma = options.decimalComma ?? false
    f.nullText = options.null ?? ""
    f.crlf = options.crlf ?? false
    f.bom = options.bom ?? false
    return try writeFileAtomically(
      path: path, bufferCapacity: bufferCapacity, failAfterBytes: failAfterBytes, afterWrite: afterWrite
    ) {
      try writeMarkdown(table, format: f, to: $0, cancel: cancel)
    }
  }
}

extension ExportOptions {
  /// The options of `export … with (…)`.
  public static let schema = OptionSchema<ExportOptions>(
    statement: "export",
    options: [
      OptionSpec("sep", aliases: ["separator"], .character, "field separator (one ASCII character)") { o, v in
        guard case .byte(let b) = v else { return }
        try exportChecked { try ExportOptions.checkSeparator(b) }
        o.separator = b
      },
      OptionSpec("decimal", .text, "decimal mark: \".\" or \",\"") { o, v in
        if case .text(let s) = v { o.decimalComma = try exportChecked { try ExportOptions.parseDecimal(s) } }
      },
      OptionSpec("bom", .bool, "a UTF-8 byte order mark first") { o, v in
        if case .bool(let b) = v { o.bom = b }
      },
      OptionSpec("header", .bool, "a first line of column names") { o, v in
        if case .bool(let b) = v { o.header = b }
      },
      OptionSpec("null", .text, "the text written for nulls") { o, v in
        if case .text(let s) = v { o.null = s }
      },
      OptionSpec("crlf", .bool, "CRLF line ends") { o, v in
        if case .bool(let b) = v { o.crlf = b }
      },
      OptionSpec("dialect", .text, "\"rfc4180\" or \"excel-fr\"") { o, v in
        if case .text(let s) = v { o.dialect = s }
      },
    ],
    validate: { o in try exportChecked { try o.validate() } })
}

/// Runs `body`, turning an `ExportOptionError` into the binder's `OptionValueError`.
private func exportChecked<T>(_ body: () throws -> T) throws -> T {
  do {
    return try body()
  } catch let e as ExportOptionError {
    throw OptionValueError(e.entry, arguments: e.arguments)
  }
}
