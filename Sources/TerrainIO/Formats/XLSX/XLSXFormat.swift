// Excel workbooks (`.xlsx`): `load` reads one sheet (the first, or `sheet = "…"`), `export`
// writes one (XLSXWriter.swift). An xlsx is a zip archive: the format claims the archives whose
// directory holds `xl/workbook.xml` before the zip container would unwrap them.

import TerrainStorage
import TerrainSyntax

extension FileFormat {
  /// Excel workbooks (Office Open XML spreadsheets).
  package static let xlsx = FileFormat(
    name: "xlsx", extensions: ["xlsx"],
    summary: "Excel workbook: one sheet (the first, or `sheet = \"…\"`), cells keep their types",
    claims: { isXLSXWorkbook($0) },
    reader: { try readXLSX($0, $1, $2, $3) }, loadOptions: ["sheet", "skip", "header", "types", "nulls"],
    writer: { try writeXLSX($0, options: $1, to: $2, cancel: $3) }, exportOptions: ["header", "null"])
}

/// Reads the sheet `options.sheet` (default: the first) of the workbook in `bytes`.
///
/// - Throws: `LoadError` naming the file, the part and the cell when it makes sense;
///   `CancelledError`.
func readXLSX(_ bytes: FileBytes, _ name: String, _ options: LoadOptions, _ cancel: CancellationFlag?) throws
  -> LoadResult
{
  func loadError(_ f: XLSXFailure) -> LoadError {
    var e = LoadError(path: name, line: 0, column: 0, f.entry)
    e.arguments = f.arguments
    return e
  }
  var reader: XLSXSheetReader?
  do {
    let workbook = try XLSXWorkbook(bytes.buffer)
    guard let first = workbook.sheets.first else { throw XLSXFailure.fail(.xlsxNoSheets) }
    var sheet = first
    if let wanted = options.sheet {
      guard let found = workbook.sheets.first(where: { $0.name == wanted })
        ?? workbook.sheets.first(where: { $0.name.lowercased() == wanted.lowercased() })
      else {
        throw XLSXFailure.fail(
          .xlsxNoSuchSheet, wanted, workbook.sheets.map { "\"\($0.name)\"" }.joined(separator: ", "))
      }
      sheet = found
    }
    let zip = workbook.zip
    guard let part = zip.member(sheet.part) else { throw XLSXFailure.fail(.xlsxMissingPart, sheet.part) }
    let styles = try workbook.stylesPart.flatMap { zip.member($0) }.map { try CellStyles($0, zip: zip) } ?? CellStyles()
    let nulls = NullMarkers(options.nulls ?? LoadOptions.defaultNulls)
    let strings =
      try workbook.sharedStringsPart.flatMap { zip.member($0) }.map {
        try SharedStrings($0, zip: zip, nulls: nulls, cancel: cancel)
      } ?? SharedStrings()
    let r = XLSXSheetReader(
      file: name, sheetName: sheet.name, options: options, strings: strings, styles: styles,
      date1904: workbook.date1904, cancel: cancel)
    reader = r
    let xml = XMLTokenizer(part: part.path, source: try zip.stream(part))
    let table = try r.read(xml)
    return LoadResult(table: table, notices: r.notices)
  } catch let f as XLSXFailure {
    // Malformed XML inside a sheet: say which cell the reading had reached (other errors
    // in a sheet name their cell already).
    let malformed = [DiagnosticMessage.xlsxXMLBadTag, .xlsxXMLBadEntity, .xlsxXMLTooLong, .xlsxXMLUnexpectedEnd,
      .xlsxBadRowNumber, .xlsxInflateFailed, .xlsxMemberCut, .xlsxSizeMismatch, .xlsxBadCRC]
    if let r = reader, malformed.contains(where: { $0.id == f.entry.id }), r.lastCell.row > 0 {
      throw loadError(
        XLSXFailure.fail(
          .xlsxAtCell, f.entry.text(f.arguments), r.sheetName, cellName(r.lastCell.column, r.lastCell.row)))
    }
    throw loadError(f)
  }
}

/// Loads the first sheet (or `options.sheet`) of an xlsx workbook held in memory; `name`
/// stands for the file in errors. What `load` does for a `.xlsx` file, for embedders and the
/// fuzz target.
///
/// - Throws: `LoadError` (nothing is loaded) or `CancelledError`.
public func loadXLSX(
  bytes: UnsafeRawBufferPointer, name: String, options: LoadOptions, cancel: CancellationFlag? = nil
) throws -> LoadResult {
  try failingAllocationsAsLoadErrors(path: name) {
    try readXLSX(FileBytes(borrowing: bytes), name, options, cancel)
  }
}

/// Whether `bytes` are a zip archive holding an xlsx workbook (its directory names
/// `xl/workbook.xml`): for the registry to hand such an archive to this format rather than to
/// the zip container, whatever the file's name. Reads the zip directory only.
package func isXLSXWorkbook(_ bytes: FileBytes) -> Bool {
  guard let zip = try? XLSXZipDirectory(bytes.buffer) else { return false }
  return zip.member("xl/workbook.xml") != nil
}
