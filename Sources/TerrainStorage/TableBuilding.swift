// Tables built from Swift arrays, for programs that embed the engine.

/// The values of one column given from Swift, `nil` for null: what `Table(columns:)` builds a
/// column from.
public enum ColumnData: Sendable, Equatable {
  /// 64-bit integers.
  case int([Int64?])
  /// 64-bit floats (finite or not, as given).
  case float([Double?])
  /// Text; stored dictionary-encoded.
  case text([String?])
  /// Booleans.
  case bool([Bool?])
  /// Dates, as days since 1970-01-01.
  case date([Int64?])

  /// The type of the column built from these values.
  public var type: DataType {
    switch self {
    case .int: return .int
    case .float: return .float
    case .text: return .text
    case .bool: return .bool
    case .date: return .date
    }
  }

  /// The number of values.
  public var count: Int {
    switch self {
    case .int(let v): return v.count
    case .float(let v): return v.count
    case .text(let v): return v.count
    case .bool(let v): return v.count
    case .date(let v): return v.count
    }
  }

  /// The column holding these values (not checked, as `Column.from`: they are already in
  /// memory, in more bytes than the column takes).
  package func makeColumn() -> Column {
    switch self {
    case .int(let v): return Column.from(v.map { $0.map(Value.int) ?? .null }, type: .int)
    case .float(let v): return Column.from(v.map { $0.map(Value.float) ?? .null }, type: .float)
    case .text(let v): return Column.from(v.map { $0.map(Value.text) ?? .null }, type: .text)
    case .bool(let v): return Column.from(v.map { $0.map(Value.bool) ?? .null }, type: .bool)
    case .date(let v): return Column.from(v.map { $0.map(Value.date) ?? .null }, type: .date)
    }
  }
}

/// Why `Table(columns:)` refused its columns.
public struct TableBuildError: Error, Equatable, Sendable, CustomStringConvertible {
  /// What is wrong, in plain words: ``column `pop` has 3 rows, `nom` has 2``.
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

extension Table {
  /// A table of the named columns, in order, built from Swift arrays:
  ///
  /// ```swift
  /// let t = try Table(columns: [("nom", .text(["Lyon", nil])), ("pop", .int([522_000, 1]))])
  /// ```
  ///
  /// - Throws: `TableBuildError` when the columns are not all equally long, when a name is
  ///   empty or given twice.
  public convenience init(columns: [(String, ColumnData)]) throws {
    var seen = Set<String>()
    for (name, data) in columns {
      guard !name.isEmpty else { throw TableBuildError("a column name is empty") }
      guard seen.insert(name).inserted else { throw TableBuildError("column `\(name)` is given twice") }
      if let (firstName, first) = columns.first, data.count != first.count {
        throw TableBuildError("column `\(name)` has \(data.count) rows, `\(firstName)` has \(first.count)")
      }
    }
    let fields = columns.map { Field(name: $0.0, type: $0.1.type) }
    self.init(fields: fields, columns: columns.map { $0.1.makeColumn() }, rowCount: columns.first?.1.count ?? 0)
  }
}
