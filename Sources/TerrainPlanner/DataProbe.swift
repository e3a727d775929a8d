// What the planner may ask of the data: the one place planning reads rows.

import TerrainStorage
import TerrainSyntax

/// The distinct values of a column, as `pivot` planning gets them.
package struct ProbedValues: Sendable {
  /// The distinct values in ascending order as `sort` orders them (text in the session's
  /// collation), null last; at most `limit` of them.
  package var values: [Value]
  /// How many distinct values there are in all (more than `values.count` when over the limit).
  package var distinctCount: Int

  package init(values: [Value], distinctCount: Int) {
    self.values = values
    self.distinctCount = distinctCount
  }
}

/// Runs a pipeline prefix for the planner. `pivot` is the only stage whose output columns
/// depend on the data (one column per distinct value of NAMES), so, as DuckDB's `PIVOT` runs a
/// first query for its `IN` list, its planning asks the probe for the distinct values of NAMES
/// over the rows coming in: the probe runs `steps` over `source` with the engine's operators
/// and returns the values in `sort`'s order. This is the one place planning reads data;
/// `.explain` says so on the pivot's line. The execution layer implements it (the planner
/// never imports it), as it implements `ConstantEvaluator`.
package protocol DataProbe {
  /// The distinct values of column `column` after running `steps` over `source`, ascending
  /// (nulls last, text in `collation` order), at most `limit` of them, with their total count.
  func distinctValues(of column: Int, source: Table, sourceName: String, steps: [PlanStep], limit: Int,
    collation: Collation) throws -> ProbedValues
}
