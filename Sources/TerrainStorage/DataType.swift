// The five value types of the language, and a boxed scalar used outside hot loops.

/// The type of a column or of an expression.
public enum DataType: String, Sendable, CaseIterable {
  /// 64-bit signed integer.
  case int
  /// 64-bit IEEE float.
  case float
  /// UTF-8 text, dictionary-encoded in columns.
  case text
  /// Boolean.
  case bool
  /// A calendar date: days since 1970-01-01 in an `Int64` (see `CalendarDate`).
  case date

  /// Whether values of this type take part in arithmetic.
  public var isNumeric: Bool { self == .int || self == .float }
}

/// One scalar value, with null. Used for constants, rendering and tests — never per row in a
/// kernel.
public enum Value: Hashable, Sendable, CustomStringConvertible {
  /// No value.
  case null
  /// A 64-bit integer.
  case int(Int64)
  /// A 64-bit float.
  case float(Double)
  /// Text.
  case text(String)
  /// A boolean.
  case bool(Bool)
  /// A date: days since 1970-01-01.
  case date(Int64)

  /// The value's type, or nil for null.
  public var type: DataType? {
    switch self {
    case .null: return nil
    case .int: return .int
    case .float: return .float
    case .text: return .text
    case .bool: return .bool
    case .date: return .date
    }
  }

  /// Whether this is `.null`.
  public var isNull: Bool { if case .null = self { return true } else { return false } }

  /// A plain, locale-free rendering: the one CSV export uses.
  public var description: String {
    switch self {
    case .null: return "null"
    case .int(let v): return String(v)
    case .float(let v): return formatFloat(v)
    case .text(let s): return s
    case .bool(let b): return b ? "true" : "false"
    case .date(let d): return CalendarDate.iso(d)
    }
  }
}

/// Shortest round-trip text for a float: `1.5`, `2.0`, `1e-05`, `-0.0`, `NaN`, `inf`.
public func formatFloat(_ v: Double) -> String {
  if v.isNaN { return "NaN" }
  if v.isInfinite { return v < 0 ? "-inf" : "inf" }
  return v.description
}
