// Entry points for the libFuzzer targets of `Fuzz/` (FUZZING.md). The fuzz package is a
// separate SwiftPM package that sees only public API, while the readers it exercises are
// `package` declarations of TerrainIO and TerrainPostgres; this module sees both, so the
// entry points live here, one per reader, each a thin call of what `load`, `.open`,
// `chart map` or `attach` run on a file or a stream.

import TerrainIO
import TerrainPostgres
import TerrainStorage

/// Readers of arbitrary bytes for fuzzing (not an API for embedders: which reader and which
/// options follow the fuzz targets, and may change with them).
///
/// Each returns true when the bytes were accepted and false when they were refused with an
/// error — any thrown error is a correct answer to malformed input. What fuzzing looks for is
/// a crash, a trap, a hang or an unbounded allocation in them.
public enum FuzzEntryPoints {
  /// A Parquet file opened as `load` opens it (footer and metadata only, no column decoded),
  /// then by bits of `selector`: bit 0 the statistics of every column of every row group (what
  /// `where` uses to skip row groups), bit 1 the first column of the first row group (a
  /// partial decode), bit 2 every column of every row group.
  public static func parquet(_ bytes: UnsafeRawBufferPointer, selector: UInt8) -> Bool {
    accepted {
      let opener = FileFormat.parquet.opener
      guard let opener else { return }
      let table = try opener(FileBytes(borrowing: bytes), "fuzz.parquet", LoadOptions(), nil)
      let columns = table.fields.count
      let parts = table.partRowCounts.count
      if selector & 1 != 0 {
        for c in 0..<columns { for p in 0..<parts { _ = table.bounds(column: c, part: p) } }
      }
      if selector & 2 != 0, columns > 0, parts > 0 { _ = try table.decode(columns: [0], parts: [0], cancel: nil) }
      if selector & 4 != 0 { _ = try table.decode(columns: Array(0..<columns), parts: nil, cancel: nil) }
    }
  }

  /// A session file of `.save` (a zip of stored members: `manifest.json`, one Arrow file per
  /// table) read as `.open` reads it: the members' CRCs, each Arrow member, the manifest.
  public static func sessionFile(_ bytes: UnsafeRawBufferPointer) -> Bool {
    accepted { _ = try Session.readSession(FileBytes(borrowing: bytes), name: "fuzz.terrain", cancel: nil) }
  }

  /// A GeoJSON file of outlines read as `chart map … with (outlines = "…")` reads it.
  public static func geoJSON(_ bytes: UnsafeRawBufferPointer) -> Bool {
    accepted {
      _ = try readGeoJSONOutlines(bytes.bindMemory(to: UInt8.self), path: "fuzz.geojson", attribution: "fuzz")
    }
  }

  /// The bytes of a gzip file, inflated as the gzip container of `load` inflates them (every
  /// member, up to the memory available), the format inside not read.
  public static func gzip(_ bytes: UnsafeRawBufferPointer) -> Bool {
    accepted { _ = try FileContainer.gzip.open(FileBytes(borrowing: bytes), "fuzz.csv.gz", LoadOptions(), nil) }
  }

  /// The column wire types of `copyBinary`, picked by the selector's bits.
  private static let wireTypes: [PostgresWireType] = [
    .bool, .int2, .int4, .int8, .float4, .float8, .numeric(asInt: true), .numeric(asInt: false),
    .text(trimPadding: false), .text(trimPadding: true), .date, .timestamp,
  ]

  /// A `COPY … TO STDOUT (FORMAT binary)` stream decoded as `attach` decodes a table's rows:
  /// `types` gives the columns (each byte picks one of the wire types, at most 8 columns) and
  /// the stream arrives in pieces of `split` bytes (any size from 1: every split of a tuple is
  /// kept until the rest arrives).
  public static func copyBinary(_ bytes: UnsafeRawBufferPointer, types: [UInt8], split: Int) -> Bool {
    accepted {
      var decoder = CopyBinaryDecoder(types: types.prefix(8).map { wireTypes[Int($0) % wireTypes.count] })
      let step = max(1, split)
      var start = 0
      while start < bytes.count {
        let end = min(bytes.count, start + step)
        try decoder.feed(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
        start = end
      }
      _ = try decoder.finish()
    }
  }

  /// Whether `body` ran without throwing.
  private static func accepted(_ body: () throws -> Void) -> Bool {
    do {
      try body()
      return true
    } catch {
      return false
    }
  }
}
