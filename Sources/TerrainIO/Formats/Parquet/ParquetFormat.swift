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
    loadOptions: ["columns"],
    writer: { table, _, out, cancel in
      try writeParquet(table, to: out, cancel: cancel)
    })
}
