// Parquet's metadata as terrain needs it (the fields of parquet.thrift that a flat table
// uses), read from and written to the Thrift compact protocol: FileMetaData with its schema
// and row groups, ColumnMetaData, Statistics and PageHeader.

import TerrainSyntax

/// Physical types (parquet.thrift `Type`).
package enum ParquetPhysical: Int32 {
  case boolean = 0, int32 = 1, int64 = 2, int96 = 3, float = 4, double = 5, byteArray = 6, fixedLenByteArray = 7
}

/// Column encodings (parquet.thrift `Encoding`).
package enum ParquetEncoding: Int32 {
  case plain = 0, plainDictionary = 2, rle = 3, bitPacked = 4, deltaBinaryPacked = 5
  case deltaLengthByteArray = 6, deltaByteArray = 7, rleDictionary = 8, byteStreamSplit = 9
}

/// Page compression codecs (parquet.thrift `CompressionCodec`).
package enum ParquetCodec: Int32 {
  case uncompressed = 0, snappy = 1, gzip = 2, lzo = 3, brotli = 4, lz4 = 5, zstd = 6, lz4Raw = 7

  package var name: String {
    switch self {
    case .uncompressed: return "uncompressed"
    case .snappy: return "snappy"
    case .gzip: return "gzip"
    case .lzo: return "lzo"
    case .brotli: return "brotli"
    case .lz4: return "lz4 (Hadoop framing)"
    case .zstd: return "zstd"
    case .lz4Raw: return "lz4_raw"
    }
  }
}

/// What a column's values mean, from its logical type (or its older converted type).
package enum ParquetMeaning: Equatable {
  case none
  case string
  case date
  /// Time units per second: 1,000 (millis), 1,000,000 (micros), 1,000,000,000 (nanos).
  case timestamp(unitsPerSecond: Int64)
  case decimal(scale: Int32)
  case integer(bits: Int8, signed: Bool)
  case float16
  /// Map, list, time of day, interval…: kept as the physical type's values when flat.
  case other
}

/// One node of the schema tree (parquet.thrift `SchemaElement`).
package struct ParquetSchemaElement {
  package var name = ""
  package var type: Int32? = nil
  package var typeLength: Int32 = 0
  /// 0 required, 1 optional, 2 repeated.
  package var repetition: Int32 = 0
  package var childCount: Int32 = 0
  package var convertedType: Int32? = nil
  package var scale: Int32 = 0
  package var meaning: ParquetMeaning = .none
}

/// Minimum, maximum and null count of a column chunk, as stored (PLAIN bytes of a value).
package struct ParquetStatistics {
  package var min: [UInt8]? = nil
  package var max: [UInt8]? = nil
  package var nullCount: Int64? = nil
  /// Whether `min`/`max` come from the deprecated fields, ordered as signed values for every
  /// physical type (so wrong for text and unsigned integers).
  package var legacyBounds = false
}

/// One column of one row group (parquet.thrift `ColumnChunk` with its `ColumnMetaData`).
package struct ParquetColumnChunk {
  package var type: Int32 = -1
  package var codec: Int32 = 0
  package var valueCount: Int64 = 0
  package var totalCompressedSize: Int64 = 0
  package var dataPageOffset: Int64 = -1
  package var dictionaryPageOffset: Int64? = nil
  package var statistics = ParquetStatistics()
  package var hasMetadata = false
  package var externalFile = false
}

/// A row group: its row count and one chunk per leaf column.
package struct ParquetRowGroup {
  package var rowCount: Int64 = -1
  package var columns: [ParquetColumnChunk] = []
}

/// The footer's FileMetaData.
package struct ParquetFileMetadata {
  package var schema: [ParquetSchemaElement] = []
  package var rowCount: Int64 = -1
  package var rowGroups: [ParquetRowGroup] = []
  /// Per leaf column, whether `column_orders` declares the type's own order for its
  /// `min_value`/`max_value` (without it their order is undefined); empty when absent.
  package var typeDefinedOrder: [Bool] = []

  /// Reads it from the compact-protocol bytes `base[start..<end]`.
  package static func read(_ base: UnsafePointer<UInt8>, start: Int, end: Int) throws -> ParquetFileMetadata {
    var r = ThriftReader(base: base, start: start, end: end)
    var m = ParquetFileMetadata()
    var sawSchema = false
    var sawGroups = false
    try r.readStruct { r, id, t in
      switch (id, t) {
      case (2, .list):
        sawSchema = true
        try r.readList { r, et in
          guard et == .structure else { throw fail(.parquetThriftType, String(et.rawValue)) }
          m.schema.append(try readSchemaElement(&r))
        }
      case (3, .i64), (3, .i32): m.rowCount = try r.int(t)
      case (4, .list):
        sawGroups = true
        try r.readList { r, et in
          guard et == .structure else { throw fail(.parquetThriftType, String(et.rawValue)) }
          m.rowGroups.append(try readRowGroup(&r))
        }
      case (7, .list):
        try r.readList { r, et in
          guard et == .structure else { throw fail(.parquetThriftType, String(et.rawValue)) }
          var typeOrder = false
          try r.readStruct { r, id, t in
            if id == 1, t == .structure { typeOrder = true }
            try r.skip(t)
          }
          m.typeDefinedOrder.append(typeOrder)
        }
      default: try r.skip(t)
      }
    }
    guard sawSchema, !m.schema.isEmpty else { throw fail(.parquetMissingField, "schema") }
    guard sawGroups else { throw fail(.parquetMissingField, "row_groups") }
    guard m.rowCount >= 0 else { throw fail(.parquetMissingField, "num_rows") }
    return m
  }

  private static func readSchemaElement(_ r: inout ThriftReader) throws -> ParquetSchemaElement {
    var e = ParquetSchemaElement()
    var logical: ParquetMeaning? = nil
    var precisionScale: Int32? = nil
    try r.readStruct { r, id, t in
      switch (id, t) {
      case (1, .i32): e.type = try r.i32()
      case (2, .i32): e.typeLength = try r.i32()
      case (3, .i32): e.repetition = try r.i32()
      case (4, .binary): e.name = try r.string()
      case (5, .i32): e.childCount = try r.i32()
      case (6, .i32): e.convertedType = try r.i32()
      case (7, .i32): precisionScale = try r.i32()
      case (10, .structure): logical = try readLogicalType(&r)
      default: try r.skip(t)
      }
    }
    if let l = logical {
      e.meaning = l
    } else if let c = e.convertedType {
      e.meaning = meaning(ofConverted: c, scale: precisionScale ?? 0)
    }
    if case .decimal(let s) = e.meaning, s == 0, let ps = precisionScale { e.meaning = .decimal(scale: ps) }
    e.scale = precisionScale ?? 0
    return e
  }

  /// The meaning of a converted type (parquet.thrift `ConvertedType`).
  private static func meaning(ofConverted c: Int32, scale: Int32) -> ParquetMeaning {
    switch c {
    case 0, 4, 19: return .string  // UTF8, ENUM, JSON
    case 5: return .decimal(scale: scale)
    case 6: return .date
    case 9: return .timestamp(unitsPerSecond: 1000)
    case 10: return .timestamp(unitsPerSecond: 1_000_000)
    case 11: return .integer(bits: 8, signed: false)
    case 12: return .integer(bits: 16, signed: false)
    case 13: return .integer(bits: 32, signed: false)
    case 14: return .integer(bits: 64, signed: false)
    case 15: return .integer(bits: 8, signed: true)
    case 16: return .integer(bits: 16, signed: true)
    case 17: return .integer(bits: 32, signed: true)
    case 18: return .integer(bits: 64, signed: true)
    default: return .other
    }
  }

  /// A LogicalType union: the one field set says which.
  private static func readLogicalType(_ r: inout ThriftReader) throws -> ParquetMeaning {
    var result = ParquetMeaning.other
    try r.readStruct { r, id, t in
      switch (id, t) {
      case (1, .structure), (4, .structure), (12, .structure):  // STRING, ENUM, JSON
        try r.skip(t)
        result = .string
      case (5, .structure):
        var scale: Int32 = 0
        try r.readStruct { r, id, t in
          if id == 1, t == .i32 { scale = try r.i32() } else { try r.skip(t) }
        }
        result = .decimal(scale: scale)
      case (6, .structure):
        try r.skip(t)
        result = .date
      case (8, .structure):
        var units: Int64 = 1000
        try r.readStruct { r, id, t in
          if id == 2, t == .structure {
            try r.readStruct { r, id, t in
              switch id {
              case 1: units = 1000
              case 2: units = 1_000_000
              case 3: units = 1_000_000_000
              default: break
              }
              try r.skip(t)
            }
          } else {
            try r.skip(t)
          }
        }
        result = .timestamp(unitsPerSecond: units)
      case (10, .structure):
        var bits: Int8 = 64
        var signed = true
        try r.readStruct { r, id, t in
          switch (id, t) {
          case (1, .byte): bits = Int8(truncatingIfNeeded: try r.int(t))
          case (2, _) where t == .boolTrue || t == .boolFalse: signed = r.bool(t)
          default: try r.skip(t)
          }
        }
        result = .integer(bits: bits, signed: signed)
      case (15, .structure):
        try r.skip(t)
        result = .float16
      default:
        try r.skip(t)
      }
    }
    return result
  }

  private static func readRowGroup(_ r: inout ThriftReader) throws -> ParquetRowGroup {
    var g = ParquetRowGroup()
    try r.readStruct { r, id, t in
      switch (id, t) {
      case (1, .list):
        try r.readList { r, et in
          guard et == .structure else { throw fail(.parquetThriftType, String(et.rawValue)) }
          g.columns.append(try readColumnChunk(&r))
        }
      case (3, .i64), (3, .i32): g.rowCount = try r.int(t)
      default: try r.skip(t)
      }
    }
    guard g.rowCount >= 0 else { throw fail(.parquetMissingField, "num_rows") }
    return g
  }

  private static func readColumnChunk(_ r: inout ThriftReader) throws -> ParquetColumnChunk {
    var c = ParquetColumnChunk()
    try r.readStruct { r, id, t in
      switch (id, t) {
      case (1, .binary):
        _ = try r.binary()
        c.externalFile = true
      case (3, .structure):
        c.hasMetadata = true
        try r.readStruct { r, id, t in
          switch (id, t) {
          case (1, .i32): c.type = try r.i32()
          case (4, .i32): c.codec = try r.i32()
          case (5, .i64): c.valueCount = try r.int(t)
          case (7, .i64): c.totalCompressedSize = try r.int(t)
          case (9, .i64): c.dataPageOffset = try r.int(t)
          case (11, .i64): c.dictionaryPageOffset = try r.int(t)
          case (12, .structure): c.statistics = try readStatistics(&r)
          default: try r.skip(t)
          }
        }
      default: try r.skip(t)
      }
    }
    return c
  }

  static func readStatistics(_ r: inout ThriftReader) throws -> ParquetStatistics {
    var s = ParquetStatistics()
    var legacyMin: [UInt8]? = nil
    var legacyMax: [UInt8]? = nil
    try r.readStruct { r, id, t in
      switch (id, t) {
      case (1, .binary): legacyMax = try r.bytes()
      case (2, .binary): legacyMin = try r.bytes()
      case (3, .i64): s.nullCount = try r.int(t)
      case (5, .binary): s.max = try r.bytes()
      case (6, .binary): s.min = try r.bytes()
      default: try r.skip(t)
      }
    }
    // The legacy fields are signed-ordered for every type: used only when both new ones are
    // absent, and flagged, so that row-group skipping reads them only where signed order is
    // the type's own (signed integers, floats, dates).
    if s.min == nil && s.max == nil && (legacyMin != nil || legacyMax != nil) {
      s.min = legacyMin
      s.max = legacyMax
      s.legacyBounds = true
    }
    return s
  }
}

/// Page types (parquet.thrift `PageType`).
package enum ParquetPageType: Int32 {
  case dataPage = 0, indexPage = 1, dictionaryPage = 2, dataPageV2 = 3
}

/// A page header (parquet.thrift `PageHeader` with whichever of its headers the type has).
package struct ParquetPageHeader {
  package var type: Int32 = -1
  package var uncompressedSize: Int32 = -1
  package var compressedSize: Int32 = -1
  package var valueCount: Int32 = 0
  package var encoding: Int32 = 0
  /// v1: the encoding of the definition levels (RLE or the old BIT_PACKED).
  package var definitionEncoding: Int32 = 3
  /// v2: null count, row count and the byte lengths of the (uncompressed) levels.
  package var nullCount: Int32 = 0
  package var definitionBytes: Int32 = 0
  package var repetitionBytes: Int32 = 0
  package var isCompressed = true

  /// Reads a page header at `position`, leaving `position` after it.
  package static func read(_ base: UnsafePointer<UInt8>, position: inout Int, end: Int) throws -> ParquetPageHeader {
    var r = ThriftReader(base: base, start: position, end: end)
    var h = ParquetPageHeader()
    try r.readStruct { r, id, t in
      switch (id, t) {
      case (1, .i32): h.type = try r.i32()
      case (2, .i32): h.uncompressedSize = try r.i32()
      case (3, .i32): h.compressedSize = try r.i32()
      case (5, .structure):
        try r.readStruct { r, id, t in
          switch (id, t) {
          case (1, .i32): h.valueCount = try r.i32()
          case (2, .i32): h.encoding = try r.i32()
          case (3, .i32): h.definitionEncoding = try r.i32()
          default: try r.skip(t)
          }
        }
      case (7, .structure):
        try r.readStruct { r, id, t in
          switch (id, t) {
          case (1, .i32): h.valueCount = try r.i32()
          case (2, .i32): h.encoding = try r.i32()
          default: try r.skip(t)
          }
        }
      case (8, .structure):
        try r.readStruct { r, id, t in
          switch (id, t) {
          case (1, .i32): h.valueCount = try r.i32()
          case (2, .i32): h.nullCount = try r.i32()
          case (4, .i32): h.encoding = try r.i32()
          case (5, .i32): h.definitionBytes = try r.i32()
          case (6, .i32): h.repetitionBytes = try r.i32()
          case (7, .boolTrue), (7, .boolFalse): h.isCompressed = r.bool(t)
          default: try r.skip(t)
          }
        }
      default: try r.skip(t)
      }
    }
    guard h.uncompressedSize >= 0, h.compressedSize >= 0 else { throw fail(.parquetMissingField, "page sizes") }
    guard h.valueCount >= 0, h.nullCount >= 0, h.definitionBytes >= 0, h.repetitionBytes >= 0 else {
      throw fail(.parquetMissingField, "num_values")
    }
    position = r.position
    return h
  }
}
