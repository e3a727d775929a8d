// The text formats: delimited text (CSV, TSV), which `load` reads and `export` writes, and
// Markdown and JSON, which `export` writes.

import TerrainStorage
import TerrainSyntax

/// The `load` options of delimited text.
private let delimitedLoadOptions: Set<String> = [
  "sep", "header", "quote", "decimal", "encoding", "nulls", "types", "skip_bad_rows", "skip", "thousands", "columns",
]

/// Reads delimited text; `defaultSeparator` applies when the user did not give `sep`.
private func delimitedReader(defaultSeparator: UInt8?) -> FormatReader {
  { bytes, name, options, cancel in
    var o = options
    if o.separator == nil { o.separator = defaultSeparator }
    var result = try loadCSV(fileBytes: bytes, name: name, options: o, cancel: cancel)
    if let wanted = o.columns { result.table = try keepColumns(result.table, wanted, path: name) }
    return result
  }
}

/// Writes delimited text; `tsv` starts from the TSV settings (tab, escapes instead of quotes).
private func delimitedWriter(tsv: Bool) -> FormatWriter {
  { table, options, out, cancel in
    try writeDelimited(table, format: options.delimitedFormat(tsv: tsv), to: out, cancel: cancel)
  }
}

private let delimitedExportOptions: Set<String> = ["sep", "decimal", "bom", "header", "null", "crlf", "dialect"]

extension FileFormat {
  /// Comma-separated values (RFC 4180), and any delimited text whose separator is sniffed.
  package static let csv = FileFormat(
    name: "csv", extensions: ["csv", "txt"],
    summary: "delimited text: separator, decimal mark, encoding and header sniffed (RFC 4180 when written)",
    reader: delimitedReader(defaultSeparator: nil), loadOptions: delimitedLoadOptions,
    writer: delimitedWriter(tsv: false), exportOptions: delimitedExportOptions)

  /// Tab-separated values.
  package static let tsv = FileFormat(
    name: "tsv", extensions: ["tsv", "tab"],
    summary: "tab-separated text (tabs and line breaks in values written \\t, \\n)",
    reader: delimitedReader(defaultSeparator: 0x09), loadOptions: delimitedLoadOptions,
    writer: delimitedWriter(tsv: true), exportOptions: delimitedExportOptions,
    checkExport: { o in
      if let s = o.separator, s != 0x09 {
        throw ExportOptionError(.optionDoesNotApply, "sep", DiagnosticText.tsvFiles.string)
      }
    })

  /// A Markdown (GitHub) table, for reports and notes.
  package static let markdown = FileFormat(
    name: "markdown", extensions: ["md", "markdown"],
    summary: "a Markdown table, numbers right-aligned",
    writer: { table, options, out, cancel in
      var f = MarkdownFormat()
      f.decimalComma = options.decimalComma ?? false
      f.nullText = options.null ?? ""
      f.crlf = options.crlf ?? false
      f.bom = options.bom ?? false
      f.wholeFloatsAsIntegers = options.wholeFloatsAsIntegers
      return try writeMarkdown(table, format: f, to: out, cancel: cancel)
    },
    exportOptions: ["decimal", "null", "crlf", "bom", "header"],
    checkExport: { o in
      if o.header == false {
        throw ExportOptionError(.optionDoesNotApply, "header = false", DiagnosticText.markdownHeader.string)
      }
    })

  /// JSON: an array of objects, one per row.
  package static let json = FileFormat(
    name: "json", extensions: ["json"],
    summary: "an array of objects, one per row (RFC 8259)",
    writer: { table, options, out, cancel in
      try writeJSON(
        table, crlf: options.crlf ?? false, wholeFloatsAsIntegers: options.wholeFloatsAsIntegers, to: out, cancel: cancel)
    },
    exportOptions: ["crlf", "bom"],
    checkExport: { o in
      func reject(_ option: String, _ why: DiagnosticText) throws {
        throw ExportOptionError(.optionDoesNotApply, option, why.string)
      }
      if o.decimalComma != nil { try reject("decimal", .jsonNumbers) }
      if o.null != nil { try reject("null", .jsonNulls) }
      if o.bom == true { try reject("bom", .jsonBOM) }
    })
}
