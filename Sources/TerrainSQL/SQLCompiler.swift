// Lowers a planned pipeline (`QueryPlan`) to one PostgreSQL statement.
//
// The way PRQL's compiler works: the plan's steps are applied one by one to a relational form
// of a SELECT (`SelectBlock`: FROM, WHERE, GROUP BY, the output columns, the rows' order,
// LIMIT), and a step that cannot share the SELECT it meets (a `where` after a `take`, an
// `aggregate` after a window, …) first turns that SELECT into a subquery of a new one
// (`wrapped()`). Columns are inlined: a `derive` then a `select` is one SELECT whose output
// expressions read the table's columns.
//
// Semantics kept equal to the in-memory engine (each rule is said where it is applied, and in
// the generated SQL where it differs from what SQL would do by itself):
// - the rows' order: terrain keeps the input order through every stage (a stable sort, groups
//   and distinct rows in order of first appearance, a join in the order of the left rows then
//   the right ones). When every source table has a row order (`SQLSource.rowOrder`), the SELECTs
//   carry it as hidden order keys and the final ORDER BY ends with them; without one, rows
//   that tie in terrain's order come in the server's order.
// - nulls last in both directions (`NULLS LAST` on every order key);
// - text order: the French collation through an ICU collation of the server
//   (`SQLOptions.frenchCollation`, e.g. "fr-FR-x-icu"); without one the server orders text by
//   code points and `CompiledSQL.textOrderedAfter` says the caller must order the result in
//   terrain. Equality (`==`, `in`, joins, groups, distinct) is exact in both: PostgreSQL's
//   deterministic collations compare equal texts byte for byte.
// - `/` is float division and `x / 0` null (`NULLIF(divisor, 0)`), `round` half away from zero
//   on the float's binary value, integer overflow an error (bigint arithmetic raises one; sums
//   of bigints, computed as numeric, are cast back to bigint, which raises one), date rules.

import TerrainStorage
import TerrainSyntax
import TerrainPlanner

/// A table of the database, as the compiler reads it.
package struct SQLSource: Sendable {
  /// The relation, quoted as SQL (`"public"."communes"`).
  package var relation: String
  /// An expression over the relation's columns giving its rows' order (a column numbering the
  /// rows as terrain read them), or nil when the table has none (then rows that tie in
  /// terrain's order come in the server's order).
  package var rowOrder: String?

  package init(relation: String, rowOrder: String? = nil) {
    self.relation = relation
    self.rowOrder = rowOrder
  }
}

/// How to compile.
package struct SQLOptions: Sendable {
  /// The server's collation for French order (`fr-FR-x-icu` when it has ICU), or nil.
  package var frenchCollation: String?

  package init(frenchCollation: String? = SQLOptions.icuFrench) {
    self.frenchCollation = frenchCollation
  }

  /// PostgreSQL's ICU collation for French (servers built with ICU have it).
  package static let icuFrench = "fr-FR-x-icu"

  /// A query whose one row says whether the server has `icuFrench` (no row: it has not; then
  /// compile with `frenchCollation: nil` and order text after the result comes back).
  package static let icuFrenchProbe = "SELECT collname FROM pg_collation WHERE collname = 'fr-FR-x-icu'"
}

/// The SQL of one pipeline and what the caller must still do with its result.
package struct CompiledSQL: Sendable {
  /// One PostgreSQL statement (a SELECT, possibly with subqueries).
  package var sql: String
  /// True when the statement orders text (a sort, a window order, min/max of text) but no
  /// French collation was available: the server used code point order, so the caller must
  /// apply the order in terrain after the result comes back.
  package var textOrderedAfter: Bool
  /// When `textOrderedAfter`: the keys to sort the rows that come back by, stably, in terrain
  /// (output columns; the server ordered their text by code points, and ties are already in
  /// terrain's order). nil when sorting again cannot give terrain's answer — text was ordered
  /// before the end (a `take` after a `sort` on text, a window ordered by text, `min`/`max` of
  /// text) or a key is not an output column: run such a statement in terrain, or on a server
  /// with the ICU collation.
  package var localOrder: [SQLLocalSortKey]?
  /// The output columns, as terrain names and types them.
  package var fields: [Field]
}

/// One key of the order to apply in terrain to the rows a statement returns.
package struct SQLLocalSortKey: Sendable, Equatable {
  /// The output column.
  package var column: Int
  package var descending: Bool
  /// The order of text (nil for other types).
  package var collation: Collation?
}

/// The SQL relation of each terrain table name: `tableName(name)` gives it quoted, or nil
/// when the table is not in the database (an error at `span`). Throws a `Diagnostic` at the
/// span of what SQL cannot express.
package func compileToSQL(_ plan: QueryPlan, at span: Span? = nil, tableName: (String) -> String?) throws -> String {
  try compileToSQL(plan, at: span, options: SQLOptions(), source: { tableName($0).map { SQLSource(relation: $0) } }).sql
}

/// The SQL of `plan` (a pipeline's plan), with the sources and options given; errors are
/// `Diagnostic`s at the span of what cannot be expressed (`span`, the statement's, when the
/// plan does not say).
package func compileToSQL(_ plan: QueryPlan, at span: Span? = nil, options: SQLOptions,
  source: (String) -> SQLSource?) throws -> CompiledSQL {
  var compiler = try SQLCompiler(plan: plan, span: span, options: options, source: source)
  return try compiler.compile()
}

/// Quotes an identifier for PostgreSQL (`"densité"`, inner quotes doubled).
package func quoteSQLIdentifier(_ name: String) -> String {
  "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}

/// A text constant (standard conforming strings: only quotes are doubled).
package func quoteSQLText(_ text: String) -> String {
  "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
}

/// One key of the rows' order, in terms of the FROM clause of the SELECT that holds it.
struct OrderKey {
  var sql: String
  var descending: Bool
  /// Text ordered in a collation (French or binary); nil for other types.
  var collation: Collation?
  /// Whether terrain's stable order (a tie breaker) rather than a `sort` key.
  var hidden: Bool
}

/// One output column of a SELECT: its SQL over the FROM clause, name and type.
struct SQLColumn {
  var sql: String
  var name: String
  var type: DataType
  /// Whether `sql` holds a window function (a WHERE, GROUP BY or other window cannot read it
  /// in the same SELECT).
  var windowed: Bool = false
  /// Whether `sql` holds an aggregate.
  var aggregated: Bool = false
}

/// The relational form of one SELECT.
struct SelectBlock {
  /// The FROM clause (a table, a subquery with its alias, a join); a subquery is written
  /// `⟦alias⟧` here and kept in `subqueries` until rendering, which keeps only the columns
  /// the outer SELECT reads.
  var from: String
  var subqueries: [(alias: String, block: SelectBlock)] = []
  var filters: [String] = []
  /// GROUP BY expressions; `aggregated` without keys is one group.
  var groupBy: [String] = []
  var aggregated = false
  var columns: [SQLColumn]
  var order: [OrderKey]
  var limit: Int?
  /// Comments put before the SELECT (where SQL differs, how it is made equal).
  var notes: [String] = []

  var hasWindow: Bool { columns.contains { $0.windowed } }
}
