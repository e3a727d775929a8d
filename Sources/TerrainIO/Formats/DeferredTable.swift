// A file opened for reading whose columns are decoded when a statement needs them (Parquet):
// what the session's catalog holds for `load "x.parquet"` until every column is in memory.

import TerrainStorage

/// A table whose schema and row count are known and whose columns are decoded on demand, in
/// whole or for some of its parts (Parquet row groups), each part with statistics that can
/// rule out a filter without decoding it.
///
/// The catalog keeps the columns decoded so far; the planner says which columns a statement
/// reads (`QueryPlan.sourceColumnsRead`) and execution which parts its first `where` may
/// match (`partsToScan`). An implementation keeps the file's bytes (a mapping) until it is
/// released, and may be read from several threads.
package protocol DeferredTable: AnyObject, Sendable {
  /// The columns' names and types, in order.
  var fields: [Field] { get }
  /// The number of rows.
  var rowCount: Int { get }
  /// The rows of each part, in order (their sum is `rowCount`).
  var partRowCounts: [Int] { get }
  /// What the load says besides its row count (`timestamps read as dates…`).
  var notices: [String] { get }
  /// The format's name, for `.explain` (`parquet`).
  var formatName: String { get }
  /// What the file's statistics say of column `column` in part `part`, or nil when they say
  /// nothing usable.
  func bounds(column: Int, part: Int) -> ColumnBounds?
  /// Decodes the columns `columns` (indices into `fields`) for the parts `parts` (all when
  /// nil), in order: the result has the rows of those parts, end to end.
  ///
  /// - Throws: `LoadError` naming the file and the place (column, row group), or
  ///   `CancelledError`.
  func decode(columns: [Int], parts: [Int]?, cancel: CancellationFlag?) throws -> [Column]
  /// Calls `body` with the columns `columns` of successive batches of rows of the parts
  /// `parts` (all when nil) and each batch's row count, possibly from several threads at once
  /// and in any order; the batches together hold every row of those parts once. The columns
  /// may view memory reused once `body` returns: `body` must not keep them.
  ///
  /// - Throws: as `decode`, or `body`'s error.
  func scan(columns: [Int], parts: [Int]?, cancel: CancellationFlag?, _ body: @escaping @Sendable ([Column], Int) throws -> Void)
    throws
}

extension DeferredTable {
  /// One batch: the columns decoded whole.
  package func scan(
    columns: [Int], parts: [Int]?, cancel: CancellationFlag?, _ body: @escaping @Sendable ([Column], Int) throws -> Void
  ) throws {
    let rows = (parts ?? Array(partRowCounts.indices)).reduce(0) { $0 + (partRowCounts.indices.contains($1) ? partRowCounts[$1] : 0) }
    try body(try decode(columns: columns, parts: parts, cancel: cancel), rows)
  }
}

/// What a file's statistics prove about one column of one part: every present value `v`
/// satisfies `min <= v <= max` in terrain's order for the type (numbers by value, dates by
/// day, text in code point order, which is UTF-8 byte order), and the part holds `nullCount`
/// nulls out of `rowCount` rows. A bound is nil when the file does not give it exactly enough
/// (a NaN bound, an undefined order, unsigned or decimal values).
package struct ColumnBounds: Sendable, Equatable {
  package var min: Value?
  package var max: Value?
  package var nullCount: Int?
  package var rowCount: Int

  package init(min: Value?, max: Value?, nullCount: Int?, rowCount: Int) {
    self.min = min
    self.max = max
    self.nullCount = nullCount
    self.rowCount = rowCount
  }
}

/// Reads a format's file as a `DeferredTable` (its footer checked, no column decoded).
/// Same parameters as `FormatReader`.
package typealias FormatOpener = @Sendable (
  _ bytes: FileBytes, _ name: String, _ options: LoadOptions, _ cancel: CancellationFlag?
) throws -> any DeferredTable

/// A file as `openFile` gives it: loaded whole, or opened with its columns to decode on
/// demand (formats with an opener).
package enum OpenedFile {
  case loaded(LoadResult)
  case deferred(any DeferredTable)
}
