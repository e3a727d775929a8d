// Apache Parquet, as `load` and `export` see it: one `FileFormat` (reader in
// ParquetReader.swift, writer in ParquetWriter.swift).

import TerrainStorage
import TerrainSyntax

extension FileFormat {
  /// Apache Parquet: flat columns, any of the common encodings and codecs when read; zstd,
  /// dictionary-encoded text and statistics when written.
  package static let parquet = FileFormat(
    name: "parquet", extensions: ["parquet", "pq"],
    summary: "Apache Parquet: flat columns, snappy/gzip/zstd/lz4 when read; zstd with statistics when written",
    magic: [Array("PAR1".utf8)],
    reader: { bytes, name, options, cancel in
      try readParquet(bytes: bytes, name: name, options: options, cancel: cancel)
    },
    opener: { bytes, name, options, _ in try ParquetTable(bytes: bytes, name: name, options: options) },
    loadOptions: ["columns"],
    writer: { table, _, out, cancel in
      try writeParquet(table, to: out, cancel: cancel)
    })
}

/// Loads a Parquet file from bytes in memory; `name` stands for the file in errors (the
/// `load` statement reads files through `loadFile`, this serves embedders and the fuzzer).
///
/// - Throws: `LoadError` naming the file and, for a column chunk, the column and the row
///   group (nothing is loaded), or `CancelledError`.
public func loadParquet(
  bytes: UnsafeRawBufferPointer, name: String, options: LoadOptions, cancel: CancellationFlag? = nil
) throws -> LoadResult {
  try failingAllocationsAsLoadErrors(path: name) {
    try readParquet(bytes: FileBytes(borrowing: bytes), name: name, options: options, cancel: cancel)
  }
}
