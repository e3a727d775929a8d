// A named set of equally long columns, and the session's catalog of tables.

/// One column's name and type.
public struct Field: Hashable, Sendable {
  /// The column's name.
  public var name: String
  /// The type of its values.
  public var type: DataType
  /// A field called `name` of type `type`.
  public init(name: String, type: DataType) {
    self.name = name
    self.type = type
  }
}

/// An immutable in-memory table: named columns of equal length.
///
/// Built from Swift arrays with `Table(columns:)`; read with `columnNames`, `columnTypes`,
/// `rowCount`, `column(named:)` and its typed accessors (`int(at:)`, `text(at:)`, …), or
/// `value(row:column:)`. A table never changes once built, so it may be shared between threads.
public final class Table: @unchecked Sendable {
  /// Each column's name and type, in order.
  public let fields: [Field]
  /// The columns, in the order of `fields`.
  public let columns: [Column]
  /// The number of rows.
  public let rowCount: Int

  /// - Precondition: `fields.count == columns.count` and all columns have `rowCount` rows.
  package init(fields: [Field], columns: [Column], rowCount: Int) {
    self.fields = fields
    self.columns = columns
    self.rowCount = rowCount
  }

  package convenience init(names: [String], columns: [Column]) {
    let fields = zip(names, columns).map { Field(name: $0, type: $1.type) }
    self.init(fields: fields, columns: columns, rowCount: columns.first?.count ?? 0)
  }

  /// The column names, in order.
  public var columnNames: [String] { fields.map(\.name) }

  /// The column types, in the order of `columnNames`.
  public var columnTypes: [DataType] { fields.map(\.type) }

  /// The number of columns.
  public var columnCount: Int { fields.count }

  /// The index of the column called `name` (exact match).
  public func index(of name: String) -> Int? { fields.firstIndex { $0.name == name } }

  /// The column called `name`.
  public func column(_ name: String) -> Column? { index(of: name).map { columns[$0] } }

  /// The column called `name` (exact, case-sensitive match), or nil.
  public func column(named name: String) -> Column? { column(name) }

  /// Row `row` as boxed values, one per column.
  public func row(_ row: Int) -> [Value] { columns.map { $0.value(at: row) } }

  /// The cell at `row` of column number `column` (0-based), `.null` when it is null or when
  /// either index is out of range.
  public func value(row: Int, column: Int) -> Value {
    guard column >= 0 && column < columns.count else { return .null }
    return columns[column].value(at: row)
  }

  /// The cell at `row` of the column called `column`, `.null` when it is null, when there is no
  /// such column or when `row` is out of range.
  public func value(row: Int, column: String) -> Value {
    guard let c = self.column(column) else { return .null }
    return c.value(at: row)
  }
}

/// Where a catalog entry comes from, for `.tables`.
public enum TableOrigin: Sendable, Equatable {
  /// Loaded from a file.
  case file(String)
  /// A file registered at start-up, loaded on first use.
  case lazyFile(String)
  /// Named with `let`.
  case query
  /// Given by the program that embeds the engine (`Session.register(_:as:)`).
  case registered
}
