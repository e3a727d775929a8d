// What a file format is to terrain: a name, the extensions that pick it, and a reader and/or a
// writer. Each format lives in its own file or folder under `Formats/` and is listed once in
// `FormatRegistry.standard`; nothing else needs to know it exists.

import TerrainStorage
import TerrainSyntax

/// Reads a whole file of one format into a table.
///
/// - Parameters:
///   - bytes: the file's bytes (a mapping of the file, or memory after decompression).
///   - name: the file as the user wrote it, for messages (`communes.csv`, or
///     `archive.zip/communes.csv` for a member of an archive).
///   - options: the `load … with (…)` options; only those in `FileFormat.loadOptions` are set.
///   - cancel: set by Ctrl-C; a reader checks it every few thousand rows.
/// - Throws: `LoadError` naming the file and the place (nothing is loaded), or
///   `CancelledError`.
package typealias FormatReader = @Sendable (
  _ bytes: FileBytes, _ name: String, _ options: LoadOptions, _ cancel: CancellationFlag?
) throws -> LoadResult

/// Writes a table in one format to `out`, a buffered writer onto a temporary file that is
/// renamed over the destination only when the writer returns (so a writer never worries
/// about partial files). Returns the number of rows written.
///
/// - Throws: `ExportError` (disk full…), `ExportOptionError` for an option value the format
///   cannot honour, or `CancelledError`.
package typealias FormatWriter = @Sendable (
  _ table: Table, _ options: ExportOptions, _ out: ByteWriter, _ cancel: CancellationFlag?
) throws -> Int

/// Undoes a wrapping around another file (gzip compression, a zip archive) before the inner
/// file's own format reads it. Returns the inner file's name (which picks its format by its
/// extension) and its bytes.
package typealias ContainerOpener = @Sendable (
  _ bytes: FileBytes, _ name: String, _ options: LoadOptions, _ cancel: CancellationFlag?
) throws -> (name: String, bytes: FileBytes)

/// A file format terrain reads, writes, or both.
package struct FileFormat: Sendable {
  /// The name users write in `with (format = "…")` and see in lists: `csv`, `xlsx`…
  package var name: String
  /// Extensions without the dot, lower case; the first is the one the format is known by.
  package var extensions: [String]
  /// One line for `.help formats`.
  package var summary: String
  /// Leading bytes that identify the format whatever the extension (`PAR1`, `ARROW1`…);
  /// empty for text formats.
  package var magic: [[UInt8]]
  /// Recognises the format's files among bytes a container would also take (an xlsx
  /// workbook is a zip archive): asked before any container unwraps the file. nil for formats
  /// whose magic bytes are their own.
  package var claims: (@Sendable (FileBytes) -> Bool)?
  /// Reads the format; nil for formats terrain only writes.
  package var reader: FormatReader?
  /// Opens the format's files with their columns decoded on demand (`openFile`); nil for
  /// formats read whole.
  package var opener: FormatOpener?
  /// Writes the format; nil for formats terrain only reads.
  package var writer: FormatWriter?
  /// The canonical names of the `load` options the reader honours (`format` is always
  /// accepted). Another option given for this format is an error.
  package var loadOptions: Set<String>
  /// The canonical names of the `export` options the writer honours (`format` is always
  /// accepted). Another option given for this format is an error.
  package var exportOptions: Set<String>
  /// Format-specific checks of export option values, with messages that say why
  /// (`header = false` in Markdown…); run after the generic applicability check.
  package var checkExport: (@Sendable (ExportOptions) throws -> Void)?

  package init(
    name: String, extensions: [String], summary: String, magic: [[UInt8]] = [],
    claims: (@Sendable (FileBytes) -> Bool)? = nil,
    reader: FormatReader? = nil, opener: FormatOpener? = nil, loadOptions: Set<String> = [],
    writer: FormatWriter? = nil, exportOptions: Set<String> = [],
    checkExport: (@Sendable (ExportOptions) throws -> Void)? = nil
  ) {
    self.name = name
    self.extensions = extensions
    self.summary = summary
    self.magic = magic
    self.claims = claims
    self.reader = reader
    self.opener = opener
    self.writer = writer
    self.loadOptions = loadOptions
    self.exportOptions = exportOptions
    self.checkExport = checkExport
  }
}

/// A wrapping around another file: gzip, zip.
package struct FileContainer: Sendable {
  /// Its name (`gzip`, `zip`).
  package var name: String
  /// Extensions without the dot, lower case (`gz`, `zip`).
  package var extensions: [String]
  /// Leading bytes that identify it.
  package var magic: [[UInt8]]
  /// The `load` options it reads itself (`file` for zip), beyond the inner format's.
  package var loadOptions: Set<String>
  /// Opens it.
  package var open: ContainerOpener

  package init(
    name: String, extensions: [String], magic: [[UInt8]], loadOptions: Set<String> = [], open: @escaping ContainerOpener
  ) {
    self.name = name
    self.extensions = extensions
    self.magic = magic
    self.loadOptions = loadOptions
    self.open = open
  }
}
