// The formats terrain knows, and the two entry points that use them: `loadFile` (unwrap any
// container, pick the format by content, option or extension, read) and `exportTable` (pick
// the format by option or extension, check the options, write atomically).

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import TerrainStorage
import TerrainSyntax

/// The file formats and containers `load` and `export` know.
package struct FormatRegistry: Sendable {
  package var formats: [FileFormat]
  package var containers: [FileContainer]

  package init(formats: [FileFormat], containers: [FileContainer]) {
    self.formats = formats
    self.containers = containers
  }

  /// Everything terrain reads and writes. Adding a format is one line here and its own file.
  package static let standard = FormatRegistry(
    formats: [
      .csv,
      .tsv,
      .markdown,
      .json,
      .xlsx,
      .arrow,
      .parquet,
    ],
    containers: [
      .gzip,
      .zip,
    ])

  /// The format called `name` (case-insensitive).
  package func format(named name: String) -> FileFormat? {
    let key = name.lowercased()
    return formats.first { $0.name == key }
  }

  /// The format whose extension ends the file name of `path` (`a/b.TSV` → tsv); nil when
  /// the name has no extension or an unknown one.
  package func format(forPath path: String) -> FileFormat? {
    guard let ext = fileExtension(path) else { return nil }
    return formats.first { $0.extensions.contains(ext) }
  }

  /// The format whose magic bytes start `bytes`.
  package func format(sniffing bytes: FileBytes) -> FileFormat? {
    formats.first { f in f.magic.contains { startsWith(bytes, $0) } }
  }

  /// The format that claims `bytes` although a container's magic would take them (see
  /// `FileFormat.claims`).
  package func claimingFormat(for bytes: FileBytes) -> FileFormat? {
    formats.first { $0.claims?(bytes) == true }
  }

  /// The container wrapping `bytes`, by magic bytes, else by the extension of `name`.
  package func container(for bytes: FileBytes, name: String) -> FileContainer? {
    if let c = containers.first(where: { c in c.magic.contains { startsWith(bytes, $0) } }) { return c }
    guard let ext = fileExtension(name) else { return nil }
    return containers.first { $0.extensions.contains(ext) }
  }

  /// For a file name `load` reads by its extension, the name without its extensions
  /// (`communes.csv.gz` → `communes`); nil for other names (`notes.pdf`, `README`).
  package func loadableStem(of fileName: String) -> String? {
    var name = splitPath(fileName).name
    if let ext = fileExtension(name), containers.contains(where: { $0.extensions.contains(ext) }) {
      name.removeLast(ext.count + 1)
      // An archive (`x.zip`) names no inner format; a compressed file (`x.csv.gz`) does.
      guard fileExtension(name) != nil else { return name.isEmpty ? nil : name }
    }
    guard let ext = fileExtension(name), let f = formats.first(where: { $0.extensions.contains(ext) }),
      f.reader != nil
    else { return nil }
    name.removeLast(ext.count + 1)
    return name.isEmpty ? nil : name
  }

  /// Names of the formats `load` reads, in registry order.
  package var readableNames: [String] { formats.filter { $0.reader != nil }.map(\.name) }
  /// Names of the formats `export` writes, in registry order.
  package var writableNames: [String] { formats.filter { $0.writer != nil }.map(\.name) }
  /// `.csv .tsv …`: the extensions `export` picks a format by.
  package var writableExtensions: String {
    formats.filter { $0.writer != nil }.compactMap { $0.extensions.first.map { "." + $0 } }.joined(separator: " ")
  }
}

/// The lower-cased extension of the last component of `path` (`b.csv.gz` → `gz`); nil for
/// none (`b`, `.hidden`, `dir.json/b`).
package func fileExtension(_ path: String) -> String? {
  let name = splitPath(path).name
  guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
  let ext = name[name.index(after: dot)...]
  return ext.isEmpty ? nil : ext.lowercased()
}

private func startsWith(_ bytes: FileBytes, _ prefix: [UInt8]) -> Bool {
  guard !prefix.isEmpty, bytes.count >= prefix.count else { return false }
  for (i, b) in prefix.enumerated() where bytes.base[i] != b { return false }
  return true
}

// MARK: - load

/// Loads the file at `path` (a leading `~/` is the home folder) in whatever format it is:
/// containers (gzip, zip) are undone first; then the format is `options.format`, else the
/// one its leading bytes identify, else the one of its extension, else delimited text.
///
/// - Parameter given: the canonical names of the options the user wrote; one that the
///   format (or its container) does not read is an error whose `option` names it.
/// - Throws: `LoadError` (nothing is loaded) or `CancelledError`.
public func loadFile(
  path: String, options: LoadOptions, given: [String] = [], cancel: CancellationFlag? = nil
) throws -> LoadResult {
  try loadFile(path: path, options: options, given: given, registry: .standard, cancel: cancel)
}

/// `loadFile` with the formats of `registry`.
package func loadFile(
  path: String, options: LoadOptions, given: [String], registry: FormatRegistry, cancel: CancellationFlag?
) throws -> LoadResult {
  let file = try readWholeFile(path: expandingHome(path), cancel: cancel)
  try checkMemoryFor(file.count, path: path)
  return try loadBytes(file, name: path, options: options, given: given, registry: registry, cancel: cancel)
}

/// Loads a file's bytes already in memory as `loadFile` loads a file: `name` picks the format
/// by its extension when the bytes do not (`x.csv.gz`, `archive.zip`) and names the file in
/// errors.
///
/// - Throws: `LoadError` (nothing is loaded) or `CancelledError`.
public func loadBytes(
  _ bytes: UnsafeRawBufferPointer, name: String, options: LoadOptions, given: [String] = [],
  cancel: CancellationFlag? = nil
) throws -> LoadResult {
  try loadBytes(FileBytes(borrowing: bytes), name: name, options: options, given: given, registry: .standard, cancel: cancel)
}

/// The bytes of the file `path` (mapped or in memory) loaded with the formats of `registry`.
private func loadBytes(
  _ file: FileBytes, name path: String, options: LoadOptions, given: [String], registry: FormatRegistry,
  cancel: CancellationFlag?
) throws -> LoadResult {
  guard case .loaded(let result) = try readBytes(file, name: path, options: options, given: given, registry: registry,
    deferring: false, cancel: cancel)
  else { throw LoadError(path: path, line: 0, column: 0, .formatNotReadable, path) }
  return result
}

/// Opens the file at `path` as `loadFile` loads it, except that a format that can decode its
/// columns on demand (Parquet) reads only its footer now: the file is then kept (mapped) in
/// the `DeferredTable` returned, which decodes what the statements read.
///
/// - Throws: `LoadError` (nothing is loaded) or `CancelledError`.
package func openFile(
  path: String, options: LoadOptions, given: [String] = [], cancel: CancellationFlag? = nil
) throws -> OpenedFile {
  let file = try readWholeFile(path: expandingHome(path), cancel: cancel)
  try checkMemoryFor(file.count, path: path)
  return try readBytes(file, name: path, options: options, given: given, registry: .standard, deferring: true, cancel: cancel)
}

/// The one path of `loadFile` and `openFile`: the container, the format, the options it
/// honours, then its reader (or its opener when `deferring` and it has one).
private func readBytes(
  _ file: FileBytes, name path: String, options: LoadOptions, given: [String], registry: FormatRegistry,
  deferring: Bool, cancel: CancellationFlag?
) throws -> OpenedFile {
  var name = path
  var bytes = file
  var accepted: Set<String> = ["format"]
  // A format that recognises its own files inside a container's magic (an xlsx is a zip)
  // takes them first; a forced format of that kind is read as it is.
  let forced = options.format.flatMap { registry.format(named: $0) }
  // (So is a file named for such a format: a damaged `.xlsx` gets the workbook's errors, not
  // the zip container's.)
  let named = registry.format(forPath: name)
  let claimed = forced?.claims != nil
    || (options.format == nil && (named?.claims != nil || registry.claimingFormat(for: bytes) != nil))
  // One container at most: a .zip of .gz files is not something published data does.
  if !claimed, let container = registry.container(for: bytes, name: name) {
    do {
      (name, bytes) = try container.open(bytes, name, options, cancel)
    } catch let error as LoadError where file.fileShrank {
      _ = error
      throw LoadError(path: path, line: 0, column: 0, .fileShrank, path)
    }
    accepted.formUnion(container.loadOptions)
  }
  let format: FileFormat
  if let forced = options.format {
    guard let f = registry.format(named: forced) else {
      throw LoadError(path: path, line: 0, column: 0, .unknownLoadFormat, forced)
    }
    format = f
  } else {
    format = registry.claimingFormat(for: bytes) ?? registry.format(sniffing: bytes)
      ?? registry.format(forPath: name) ?? .csv
  }
  guard let reader = format.reader else {
    throw LoadError(path: path, line: 0, column: 0, .formatNotReadable, format.name)
  }
  accepted.formUnion(format.loadOptions)
  if let stray = given.first(where: { !accepted.contains($0) }) {
    var e = LoadError(path: path, line: 0, column: 0, .loadOptionDoesNotApply, stray, format.name)
    e.option = stray
    throw e
  }
  let result: OpenedFile
  do {
    // Any format's allocation the memory refuses is the file's error, never a stop.
    result = try failingAllocationsAsLoadErrors(path: path) {
      if deferring, let opener = format.opener { return .deferred(try opener(bytes, name, options, cancel)) }
      return .loaded(try reader(bytes, name, options, cancel))
    }
  } catch let error as LoadError where file.fileShrank {
    _ = error
    throw LoadError(path: path, line: 0, column: 0, .fileShrank, path)
  }
  if file.fileShrank {
    throw LoadError(path: path, line: 0, column: 0, .fileShrank, path)
  }
  return result
}

// MARK: - export

/// The format `export` writes to `path`: `options.format` when given, else the one of the
/// extension; devices and pipes (`/dev/stdout`) get CSV.
///
/// - Throws: `ExportError` for an unknown format or extension, or a read-only format.
package func exportFormat(
  for path: String, options: ExportOptions, registry: FormatRegistry = .standard
) throws -> FileFormat {
  if path.isEmpty { throw ExportError(path: path, .emptyFileName) }
  let format: FileFormat
  if let forced = options.format {
    guard let f = registry.format(named: forced) else {
      throw ExportError(path: path, .unknownExportFormat, forced)
    }
    format = f
  } else if let f = registry.format(forPath: path) {
    format = f
  } else if let st = fileStatus(expandingHome(path), followLinks: true), !isKind(st, S_IFREG), !isKind(st, S_IFDIR) {
    format = .csv
  } else {
    throw ExportError(path: path, .unknownExportExtension, splitPath(path).name, "*" + registry.writableExtensions.replacingAll(" ", with: ", *"))
  }
  guard format.writer != nil else {
    throw ExportError(path: path, .formatNotWritable, format.name)
  }
  return format
}

/// Writes `table` to `path` in the format of its extension (or `options.format`). The file
/// is written to a temporary file beside `path` and renamed at the end: an error leaves any
/// previous file intact and no temporary file. Returns the number of rows written.
///
/// - Throws: `ExportError` (bad option, missing folder, permission, disk full…) or
///   `CancelledError` when `cancel` is set midway.
public func exportTable(
  _ table: Table, to path: String, options: ExportOptions, cancel: CancellationFlag? = nil
) throws -> Int {
  try exportTable(
    table, to: path, options: options, registry: .standard, cancel: cancel, bufferCapacity: 1 << 20,
    failAfterBytes: nil, afterWrite: nil)
}

/// `exportTable` with test hooks: a small write buffer, a write failure past a byte count,
/// a call after each write.
package func exportTable(
  _ table: Table, to path: String, options: ExportOptions, registry: FormatRegistry = .standard,
  cancel: CancellationFlag?, bufferCapacity: Int, failAfterBytes: Int?, afterWrite: ((Int) -> Void)?
) throws -> Int {
  // `~/…` is the home folder, as in `load`.
  let path = expandingHome(path)
  let format = try exportFormat(for: path, options: options, registry: registry)
  guard let writer = format.writer else { throw ExportError(path: path, .formatNotWritable, format.name) }
  do {
    try options.validate(for: format)
  } catch let e as ExportOptionError {
    throw ExportError(path: path, e.entry, arguments: e.arguments)
  }
  var options = options
  let name = splitPath(path).name
  options.destinationStem = name.lastIndex(of: ".").map { String(name[..<$0]) } ?? name
  do {
    return try writeFileAtomically(
      path: path, bufferCapacity: bufferCapacity, failAfterBytes: failAfterBytes, afterWrite: afterWrite
    ) {
      try writer(table, options, $0, cancel)
    }
  } catch let e as ExportOptionError {
    throw ExportError(path: path, e.entry, arguments: e.arguments)
  }
}
