// The options of `export "file" [with (…)]` and the errors of an export.

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
  /// The format, by name (`format = "csv"`), instead of the one the extension picks.
  public var format: String?
  /// For an export to an attached database (`export "pg.table"`): `create` (the default: an
  /// error if the table exists), `replace` or `append`. No file format reads it.
  public var mode: String?
  /// The destination's file name without its extension (`comparatif` for
  /// `out/comparatif.xlsx`), set by `exportTable` for formats that name something inside the
  /// file after it (a workbook's sheet).
  package var destinationStem: String?
  /// A float with no fractional part written as an integer (`137470`, not `137470,0`): set by
  /// the session for a `compare`, whose float columns mix int and float indicators; not an
  /// option of the language.
  package var wholeFloatsAsIntegers = false

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

  /// The canonical names of the options that are set (`format` included).
  package var givenNames: [String] {
    var names: [String] = []
    if format != nil { names.append("format") }
    if separator != nil { names.append("sep") }
    if decimalComma != nil { names.append("decimal") }
    if bom != nil { names.append("bom") }
    if header != nil { names.append("header") }
    if null != nil { names.append("null") }
    if crlf != nil { names.append("crlf") }
    if dialect != nil { names.append("dialect") }
    if mode != nil { names.append("mode") }
    return names
  }

  /// Rejects unknown dialects, bad separators and options that mean nothing for `format`
  /// (its own checks first, for their precise reasons; then any option it does not read).
  package func validate(for format: FileFormat = .csv) throws {
    _ = try checkedDialect()
    if let s = separator { try ExportOptions.checkSeparator(s) }
    try format.checkExport?(self)
    for name in givenNames where name != "format" && !format.exportOptions.contains(name) {
      throw ExportOptionError(.optionDoesNotApply, name, DiagnosticText.formatFiles(format.name).string)
    }
  }

  /// The delimited-file settings (CSV, or TSV when `tsv`) after the dialect and the
  /// individual options are applied.
  package func delimitedFormat(tsv: Bool) throws -> DelimitedFormat {
    var f: DelimitedFormat = tsv ? .tsv : .csv
    if try checkedDialect() == "excel-fr" {
      if !tsv { f.separator = UInt8(ascii: ";") }
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
    f.wholeFloatsAsIntegers = wholeFloatsAsIntegers
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
      OptionSpec("format", .text, "the format, instead of the extension's: " + FormatRegistry.standard.writableNames.joined(separator: ", ")) { o, v in
        guard case .text(let s) = v else { return }
        guard FormatRegistry.standard.format(named: s)?.writer != nil else {
          throw OptionValueError(.unknownExportFormat, arguments: [s], label: .unknownFormat,
            help: .formatsList(FormatRegistry.standard.writableNames.joined(separator: ", ")))
        }
        o.format = s.lowercased()
      },
      OptionSpec("mode", .text, "for an attached database's table (`export \"pg.t\"`): \"create\" (the default), \"replace\" or \"append\"") { o, v in
        guard case .text(let s) = v else { return }
        guard ["create", "replace", "append"].contains(s.lowercased()) else {
          throw OptionValueError(.pgBadExportMode, arguments: [quotedText(s)])
        }
        o.mode = s.lowercased()
      },
    ],
    validate: { o in try exportChecked { _ = try o.checkedDialect() } })
}

/// Runs `body`, turning an `ExportOptionError` into the binder's `OptionValueError`.
private func exportChecked<T>(_ body: () throws -> T) throws -> T {
  do {
    return try body()
  } catch let e as ExportOptionError {
    throw OptionValueError(e.entry, arguments: e.arguments)
  }
}
