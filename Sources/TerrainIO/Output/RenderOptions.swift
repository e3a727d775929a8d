// Output modes and the entry points that print a result.

import TerrainStorage
import TerrainSyntax

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// How results are printed (`--mode`, `.mode`).
public enum OutputMode: String, CaseIterable, Sendable {
  /// Box table for people (the default, in scripts too).
  case table
  /// RFC 4180 CSV with a header.
  case csv
  /// Tab-separated with a header; tabs and line breaks in text escaped as `\t`, `\n`.
  case tsv
  /// GitHub Markdown table.
  case markdown
  /// An array of objects, one row per line.
  case json
  /// `name = value` lines, a blank line between rows (sqlite's `.mode line`).
  case line
}

/// Settings for printing a result.
public struct RenderOptions: Sendable {
  public var mode: OutputMode = .table
  /// Table mode: above this many rows, show the first and last halves with a `… N rows …`
  /// line between them; 0 shows every row.
  public var maxRows: Int = 40
  /// Table mode: fit the table to this many columns (nil: never fit).
  public var terminalWidth: Int? = nil
  /// ANSI colour (header bold, types and nulls dimmed); only when asked.
  public var color: Bool = false
  /// Table mode: the `N rows` line under the table.
  public var footer: Bool = true
  /// Table mode: the line of column types under the names.
  public var typesRow: Bool = true
  /// Table mode: columns (by position) right-aligned whatever their type; numbers always are.
  public var rightAlignedColumns: Set<Int> = []
  /// Table mode: the decimals of every float column (`.decimals N`); nil: chosen per column
  /// from the values shown (`sharedDecimals`). Other modes always write every digit.
  public var decimals: Int? = nil
  /// Table mode: the decimal mark of floats on screen (exports have their own `decimal`).
  public var decimalMark: Character = "."
  /// csv, tsv and json modes: a float with no fractional part written as an integer (`137470`,
  /// not `137470.0`), for tables whose float columns mix int and float values (`compare`).
  package var wholeFloatsAsIntegers = false
  public init() {}
}

/// The text of `table` in `options.mode`. Every line, the last included, ends with `\n`
/// (the result is empty only for `line` mode without rows), so callers write it as is.
public func render(_ table: Table, options: RenderOptions) -> String {
  switch options.mode {
  case .table:
    return renderBoxTable(table, options: options)
  case .line:
    return renderLines(table)
  case .csv, .tsv, .markdown, .json:
    let out = ByteWriter(capacity: 4096)
    // Memory writes cannot fail and nothing cancels: the writers cannot throw here.
    _ = try? writeStreaming(table, mode: options.mode, wholeFloatsAsIntegers: options.wholeFloatsAsIntegers, to: out, cancel: nil)
    return out.string()
  }
}

/// Writes `table` in `options.mode` straight to a file descriptor (standard output for
/// results), streaming large CSV/TSV/JSON results instead of building one String.
/// Throws `CancelledError` when `cancel` is set midway, `ExportError` when a write fails.
public func render(_ table: Table, options: RenderOptions, toFileDescriptor fd: Int32, cancel: CancellationFlag? = nil)
  throws
{
  let out = ByteWriter(fileDescriptor: fd)
  switch options.mode {
  case .table:
    out.append(renderBoxTable(table, options: options))
  case .line:
    out.append(renderLines(table))
  case .csv, .tsv, .markdown, .json:
    do {
      _ = try writeStreaming(table, mode: options.mode, wholeFloatsAsIntegers: options.wholeFloatsAsIntegers, to: out, cancel: cancel)
    } catch let e as WriteFailure {
      throw ExportError(path: "<output>", .systemError, errorText(e.errorNumber))
    }
  }
  out.flush()
  if out.errorNumber != 0 { throw ExportError(path: "<output>", .systemError, errorText(out.errorNumber)) }
}

private func writeStreaming(_ table: Table, mode: OutputMode, wholeFloatsAsIntegers: Bool, to out: ByteWriter,
  cancel: CancellationFlag?) throws -> Int
{
  var csv = DelimitedFormat.csv
  var tsv = DelimitedFormat.tsv
  csv.wholeFloatsAsIntegers = wholeFloatsAsIntegers
  tsv.wholeFloatsAsIntegers = wholeFloatsAsIntegers
  switch mode {
  case .csv: return try writeDelimited(table, format: csv, to: out, cancel: cancel)
  case .tsv: return try writeDelimited(table, format: tsv, to: out, cancel: cancel)
  case .json: return try writeJSON(table, wholeFloatsAsIntegers: wholeFloatsAsIntegers, to: out, cancel: cancel)
  case .markdown, .table, .line:
    var markdown = MarkdownFormat()
    markdown.wholeFloatsAsIntegers = wholeFloatsAsIntegers
    return try writeMarkdown(table, format: markdown, to: out, cancel: cancel)
  }
}

/// The system's message for `errno` value `code`, in lower case (`no such file or directory`).
package func errorText(_ code: Int32) -> String {
  guard let p = strerror(code) else { return "error \(code)" }
  let s = String(cString: p)
  guard let first = s.first else { return "error \(code)" }
  return first.lowercased() + s.dropFirst()
}
