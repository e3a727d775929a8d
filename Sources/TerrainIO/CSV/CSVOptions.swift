// The public face of the CSV reader: options, result and error types.

import TerrainStorage
import TerrainSyntax

/// How `loadCSV` reads a file. Every option left `nil` is sniffed from the bytes.
public struct CSVLoadOptions {
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
  /// nil = `CSVLoadOptions.defaultNulls`.
  public var nulls: [String]? = nil
  /// Forced column types, by column name (the final name, after renaming of duplicate or
  /// empty names; `column1`, `column2`… without a header).
  public var types: [String: DataType] = [:]
  /// Skip malformed rows (wrong number of fields, unterminated quote) instead of failing;
  /// a notice says how many were skipped.
  public var skipBadRows: Bool = false

  public init() {}

  /// The null markers used when `nulls` is nil: empty field, `NA`, `N/A`, `null`, and
  /// INSEE's secret / not-available markers `s`, `nd`, `n.d.`.
  public static let defaultNulls: [String] = ["", "NA", "N/A", "null", "s", "nd", "n.d."]
}

/// A loaded table and what the reader wants the user to know about how it read it
/// (e.g. `file is not valid UTF-8: read as Windows-1252`, `skipped 3 malformed rows …`).
public struct CSVLoadResult {
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
public struct CSVError: Error, CustomStringConvertible {
  public var path: String
  public var line: Int
  public var column: Int
  /// The message: a catalog entry and its arguments.
  public var entry: DiagnosticMessage
  public var arguments: [String]

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

/// The dialect after sniffing: everything the two passes need to know.
package struct CSVDialect {
  package var separator: UInt8
  package var quote: UInt8
  package var header: Bool
  /// The decimal mark forced by the options, if any.
  package var forcedDecimal: UInt8?

  /// Whether numeric columns may be read with a decimal comma.
  package var allowsDecimalComma: Bool {
    if let d = forcedDecimal { return d == UInt8(ascii: ",") }
    return separator != UInt8(ascii: ",")
  }

  /// Whether numeric columns may be read with a decimal point.
  package var allowsDecimalPoint: Bool {
    if let d = forcedDecimal { return d == UInt8(ascii: ".") }
    return true
  }
}

extension CSVLoadOptions {
  /// The options of `load … with (…)`.
  public static let schema = OptionSchema<CSVLoadOptions>(
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
    ])
}
