// How PostgreSQL's types arrive in COPY's binary format and which terrain type each becomes.

import TerrainStorage

/// The binary form of a result column that the decoder reads itself; every other PostgreSQL
/// type is cast to `text` in the SELECT that feeds COPY (`PostgresWireType.init` gives nil).
package enum PostgresWireType: Equatable, Sendable {
  case bool
  case int2, int4, int8
  case float4, float8
  /// `numeric`: an `int` column when declared with scale 0 and at most 18 digits
  /// (`numeric(10)`, `numeric(18,0)`: every value fits 64 bits); a `float` column otherwise
  /// (unconstrained `numeric`, a scale above 0: the nearest double). NaN is null.
  case numeric(asInt: Bool)
  /// `text`, `varchar`, `name`; `bpchar` (`char(n)`) has its padding spaces removed, as
  /// PostgreSQL's own cast to text does.
  case text(trimPadding: Bool)
  /// `date`: days since 2000-01-01; ±infinity is null.
  case date
  /// `timestamp`: microseconds since 2000-01-01 00:00, read as its day (the time of day is
  /// dropped, as terrain has dates only); ±infinity is null. A `timestamptz` is cast to
  /// `timestamp` in the SELECT, so its day is the one of the connection's time zone.
  case timestamp

  /// The wire type of a column of type `oid` with modifier `typmod` (`PQftype`, `PQfmod`), or
  /// nil for a type read as text.
  package init?(oid: UInt32, typmod: Int32) {
    switch oid {
    case 16: self = .bool
    case 21: self = .int2
    case 23: self = .int4
    case 20: self = .int8
    case 700: self = .float4
    case 701: self = .float8
    case 1700:
      // typmod = (precision << 16 | scale) + 4; -1 when unconstrained.
      let m = Int(typmod) - 4
      self = .numeric(asInt: typmod >= 4 && (m & 0xFFFF) == 0 && (m >> 16) <= 18)
    case 25, 1043, 19: self = .text(trimPadding: false)
    case 1042: self = .text(trimPadding: true)
    case 1082: self = .date
    case 1114: self = .timestamp
    default: return nil
    }
  }

  /// The terrain type of the column.
  package var terrainType: DataType {
    switch self {
    case .bool: return .bool
    case .int2, .int4, .int8: return .int
    case .numeric(let asInt): return asInt ? .int : .float
    case .float4, .float8: return .float
    case .text: return .text
    case .date, .timestamp: return .date
    }
  }
}

/// The terrain type a column of PostgreSQL type `oid` (modifier `typmod`) is read as:
/// `timestamptz` (1184) as a date, any type without a binary reader as text.
package func terrainType(oid: UInt32, typmod: Int32) -> DataType {
  if oid == 1184 { return .date }
  return PostgresWireType(oid: oid, typmod: typmod)?.terrainType ?? .text
}

/// PostgreSQL's date epoch (2000-01-01) in days since 1970-01-01.
let postgresEpochDays: Int64 = 10_957
/// Microseconds in a day.
let microsecondsPerDay: Int64 = 86_400_000_000

/// `name` as a quoted SQL identifier (`"Nom ""court"""`).
package func quoteIdentifier(_ name: String) -> String {
  "\"" + name.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
}

/// `text` as a quoted SQL string literal (`'l''Ain'`), with standard_conforming_strings.
package func quoteLiteral(_ text: String) -> String {
  "'" + text.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "''") + "'"
}
