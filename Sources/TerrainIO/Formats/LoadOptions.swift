// The options of `load … with (…)`, what a load returns and the error of a file that cannot be
// read: shared by every format's reader.

import TerrainStorage
import TerrainSyntax

/// How `load` reads a file, whatever its format. Every option left `nil` is sniffed from the
/// bytes or takes the format's default; each format says which options it reads
/// (`FileFormat.loadOptions`), and an option given for a format that ignores it is an error.
public struct LoadOptions {
  /// The format, by name (`format = "csv"`), instead of the one the extension picks.
  public var format: String? = nil
  /// Lines (delimited text) or rows (sheets) to skip before the header (`skip = 4`).
  public var skip: Int? = nil
  /// Digit group separator in numbers (`thousands = " "`): one character; nil = sniffed
  /// (a space or a no-break space between groups of three digits).
  public var thousands: String? = nil
  /// The sheet of a workbook to read (`sheet = "Données"`); nil = the first sheet.
  public var sheet: String? = nil
  /// The member of an archive to read (`file = "communes.csv"`); nil = its only delimited file.
  public var file: String? = nil
  /// Field separator: `,` `;` tab or `|` (any ASCII byte except the quote and line ends is
  /// accepted when forced). nil = sniffed.
  public var separator: UInt8? = nil
  /// Whether the first row holds the column names. nil = sniffed (true when unsure).
  public var header: Bool? = nil
  /// Quote character. nil = `"`. A doubled quote inside a quoted field stands for one.
  public var quote: UInt8? = nil
  /// Decimal mark, `.` or `,`. nil = `.` for comma-separated files; for other separators
  /// each numeric column is read with a decimal comma when its values look like `12,5`.
  public var decimal: UInt8? = nil
  /// Text encoding: `"utf-8"` (invalid bytes are then an error) or `"windows-1252"`
  /// (also spelled `"latin-1"`, `"iso-8859-1"`, `"cp1252"`). nil = UTF-8 (with or without a
  /// BOM; UTF-16 with a BOM is converted), falling back to Windows-1252 with a notice when
  /// the bytes are not valid UTF-8.
  public var encoding: String? = nil
  /// Field values that mean null, compared exactly; a field of only spaces counts as `""`.
  /// nil = `LoadOptions.defaultNulls`.
  public var nulls: [String]? = nil
  /// Forced column types, by column name (the final name, after renaming of duplicate or
  /// empty names; `column1`, `column2`… without a header).
  public var types: [String: DataType] = [:]
  /// Skip malformed rows (wrong number of fields, unterminated quote) instead of failing;
  /// a notice says how many were skipped.
  public var skipBadRows: Bool = false
  /// The columns to load, in this order (`columns = ("code", "nom")`); nil = all of them.
  /// Parquet reads only these (a nested column left out does not stop the load); delimited
  /// text keeps only these.
  public var columns: [String]? = nil

  public init() {}

  /// The null markers used when `nulls` is nil: empty field, `NA`, `N/A`, `null`, and
  /// INSEE's secret / not-available markers `s`, `nd`, `n.d.`.
  public static let defaultNulls: [String] = ["", "NA", "N/A", "null", "s", "nd", "n.d."]
}

/// A loaded table and what the reader wants the user to know about how it read it
/// (e.g. `file is not valid UTF-8: read as Windows-1252`, `skipped 3 malformed rows …`).
public struct LoadResult {
  public var table: Table
  public var notices: [String]

  public init(table: Table, notices: [String]) {
    self.table = table
    self.notices = notices
  }
}

/// A file that cannot be read or is malformed. `line` and `column` are 1-based positions in
/// the file (column counted in characters); both are 0 when the error concerns the whole
/// file (cannot open it, empty file, unknown option value).
public struct LoadError: Error, CustomStringConvertible {
  public var path: String
  public var line: Int
  public var column: Int
  /// The message: a catalog entry and its arguments.
  public var entry: DiagnosticMessage
  public var arguments: [String]
  /// The `load` option the error is about (canonical name), when it is about one.
  public var option: String? = nil

  public init(path: String, line: Int, column: Int, _ entry: DiagnosticMessage, _ arguments: String...) {
    self.path = path
    self.line = line
    self.column = column
    self.entry = entry
    self.arguments = arguments
  }

  /// The message, arguments in place.
  public var message: String { entry.text(arguments) }

  /// `path:line:col: message`; `path: message` when there is no position (or just the
  /// message when it already names the file).
  public var description: String {
    if line > 0 {
      return column > 0 ? "\(path):\(line):\(column): \(message)" : "\(path):\(line): \(message)"
    }
    if message.contains("\"\(path)\"") { return message }
    return "\(path): \(message)"
  }
}

/// The columns of `table` named by `wanted` (the `columns` load option), in that order.
///
/// - Throws: `LoadError` naming the first unknown column and listing the table's.
package func keepColumns(_ table: Table, _ wanted: [String], path: String) throws -> Table {
  var fields: [Field] = []
  var columns: [Column] = []
  for w in wanted {
    guard let i = table.index(of: w) else {
      var e = LoadError(path: path, line: 0, column: 0, .columnsUnknownColumn, w, table.columnNames.joined(separator: ", "))
      e.option = "columns"
      throw e
    }
    fields.append(table.fields[i])
    columns.append(table.columns[i])
  }
  return Table(fields: fields, columns: columns, rowCount: table.rowCount)
}

extension LoadOptions {
  /// The options of `load … with (…)`.
  public static let schema = OptionSchema<LoadOptions>(
    statement: "load",
    options: [
      OptionSpec("sep", aliases: ["separator"], .character, "field separator: \",\", \";\", \"\\t\" or \"|\"") { o, v in
        guard case .byte(let b) = v else { return }
        guard [UInt8(ascii: ","), UInt8(ascii: ";"), 9, UInt8(ascii: "|")].contains(b) else {
          throw OptionValueError(.loadUnsupportedSeparator, label: .unsupportedSeparator)
        }
        o.separator = b
      },
      OptionSpec("header", .bool, "whether the first row holds the column names") { o, v in
        if case .bool(let b) = v { o.header = b }
      },
      OptionSpec("quote", .character, "the quote character (\")") { o, v in
        if case .byte(let b) = v { o.quote = b }
      },
      OptionSpec("decimal", .character, "decimal mark: \".\" or \",\"") { o, v in
        guard case .byte(let b) = v else { return }
        guard b == UInt8(ascii: ".") || b == UInt8(ascii: ",") else {
          throw OptionValueError(.loadUnsupportedDecimal, label: .unsupported)
        }
        o.decimal = b
      },
      OptionSpec("encoding", .text, "\"utf-8\" or \"windows-1252\" (\"latin-1\")") { o, v in
        if case .text(let s) = v { o.encoding = s }
      },
      OptionSpec("nulls", .texts, "the texts that mean null") { o, v in
        if case .texts(let list) = v { o.nulls = list }
      },
      OptionSpec("types", .types, "forced column types: (code: text, …)") { o, v in
        guard case .types(let pairs) = v else { return }
        for (i, (column, type)) in pairs.enumerated() {
          guard let t = DataType(rawValue: type.lowercased()) else {
            throw OptionValueError(.loadUnknownType, arguments: [type], label: .notAType, help: .typesList, item: i)
          }
          o.types[column] = t
        }
      },
      OptionSpec("skip_bad_rows", .bool, "skip malformed rows and say how many") { o, v in
        if case .bool(let b) = v { o.skipBadRows = b }
      },
      OptionSpec("format", .text, "the format, instead of the extension's: " + FormatRegistry.standard.readableNames.joined(separator: ", ")) { o, v in
        guard case .text(let s) = v else { return }
        guard FormatRegistry.standard.format(named: s)?.reader != nil else {
          throw OptionValueError(.unknownLoadFormat, arguments: [s], label: .unknownFormat,
            help: .formatsList(FormatRegistry.standard.readableNames.joined(separator: ", ")))
        }
        o.format = s.lowercased()
      },
      OptionSpec("skip", .integer, "lines (or sheet rows) to skip before the header") { o, v in
        guard case .int(let n) = v else { return }
        guard n >= 0 else { throw OptionValueError(.skipNegative, label: .badValue) }
        o.skip = n
      },
      OptionSpec("thousands", .character, "digit group separator: \" \", \".\", \"'\" or \"_\"") { o, v in
        guard case .byte(let b) = v else { return }
        guard [UInt8(ascii: " "), UInt8(ascii: "."), UInt8(ascii: "'"), UInt8(ascii: "_"), UInt8(ascii: ",")].contains(b) else {
          throw OptionValueError(.unsupportedThousands, label: .unsupported)
        }
        o.thousands = String(decoding: [b], as: UTF8.self)
      },
      OptionSpec("sheet", .text, "the sheet of a workbook to read (default: the first)") { o, v in
        if case .text(let s) = v { o.sheet = s }
      },
      OptionSpec("file", .text, "the file to read inside a .zip archive") { o, v in
        if case .text(let s) = v { o.file = s }
      },
      OptionSpec("columns", .texts, "the columns to load, in this order (default: all)") { o, v in
        if case .texts(let list) = v { o.columns = list }
      },
    ])
}
