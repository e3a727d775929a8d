// A named set of equally long columns, and the session's catalog of tables.

/// One column's name and type.
public struct Field: Hashable, Sendable {
  public var name: String
  public var type: DataType
  public init(name: String, type: DataType) {
    self.name = name
    self.type = type
  }
}

/// An immutable in-memory table: named columns of equal length.
public final class Table: @unchecked Sendable {
  public let fields: [Field]
  public let columns: [Column]
  public let rowCount: Int

  /// - Precondition: `fields.count == columns.count` and all columns have `rowCount` rows.
  public init(fields: [Field], columns: [Column], rowCount: Int) {
    self.fields = fields
    self.columns = columns
    self.rowCount = rowCount
  }

  public convenience init(names: [String], columns: [Column]) {
    let fields = zip(names, columns).map { Field(name: $0, type: $1.type) }
    self.init(fields: fields, columns: columns, rowCount: columns.first?.count ?? 0)
  }

  public var columnNames: [String] { fields.map(\.name) }

  /// The index of the column called `name` (exact match).
  public func index(of name: String) -> Int? { fields.firstIndex { $0.name == name } }

  /// The column called `name`.
  public func column(_ name: String) -> Column? { index(of: name).map { columns[$0] } }

  /// Row `row` as boxed values (for rendering and tests).
  public func row(_ row: Int) -> [Value] { columns.map { $0.value(at: row) } }
}

/// Where a catalog entry comes from, for `.tables`.
public enum TableOrigin: Sendable, Equatable {
  /// Loaded from a file.
  case file(String)
  /// A file registered at start-up, loaded on first use.
  case lazyFile(String)
  /// Named with `let`.
  case query
}
