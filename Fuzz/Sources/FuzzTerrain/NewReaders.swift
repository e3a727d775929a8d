// Fuzz targets of the readers reached through `FuzzEntryPoints` (TerrainEngine): the Parquet
// opener with statistics and partial decodes, `.save` session files, GeoJSON outlines, the
// gzip container alone and PostgreSQL's COPY binary stream. Any input must end in a result or
// a thrown error.
import TerrainEngine

/// `parquet-scan`: byte 0 picks what is read after the footer (bit 0 statistics, bit 1 the
/// first column of the first row group, bit 2 every column), the rest is the file.
func fuzzParquetScan(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  guard size > 0 else { return 0 }
  _ = FuzzEntryPoints.parquet(UnsafeRawBufferPointer(start: data + 1, count: size - 1), selector: data[0])
  return 0
}

/// `session-file`: the bytes of a `.save` file.
func fuzzSessionFile(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  _ = FuzzEntryPoints.sessionFile(UnsafeRawBufferPointer(start: data, count: size))
  return 0
}

/// `geojson`: the bytes of a GeoJSON file of outlines.
func fuzzGeoJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  _ = FuzzEntryPoints.geoJSON(UnsafeRawBufferPointer(start: data, count: size))
  return 0
}

/// `gzip`: the bytes of a gzip file, inflated.
func fuzzGzip(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  _ = FuzzEntryPoints.gzip(UnsafeRawBufferPointer(start: data, count: size))
  return 0
}

/// `copy-binary`: byte 0 is the number of columns (low 3 bits, + 1) and bits 3–7 the size of
/// the pieces the stream arrives in (0: whole; else 1–31 bytes); then one byte per column
/// picking its wire type; the rest is the stream.
func fuzzCopyBinary(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  guard size > 0 else { return 0 }
  let columns = Int(data[0] & 7) + 1
  guard size > columns else { return 0 }
  let split = Int(data[0] >> 3)
  let types = Array(UnsafeBufferPointer(start: data + 1, count: columns))
  let stream = UnsafeRawBufferPointer(start: data + 1 + columns, count: size - 1 - columns)
  _ = FuzzEntryPoints.copyBinary(stream, types: types, split: split == 0 ? stream.count : split)
  return 0
}
