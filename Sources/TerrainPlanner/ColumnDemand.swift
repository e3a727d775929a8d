// Which of the source's columns a plan reads: found backwards from its output, step by step,
// so that a table whose columns are decoded on demand (a Parquet file) decodes only those.

import TerrainStorage

/// A step that can say which of its input columns it reads, given which of its output
/// columns are read after it. A step type that does not conform reads all of its input
/// (the safe answer: a step is never given a column it was not said to need).
package protocol ColumnDemand {
  /// The input columns (indices) needed to give the output columns `outputs`.
  func inputColumnsNeeded(forOutputs outputs: Set<Int>) -> Set<Int>
}

extension QueryPlan {
  /// The columns of `source` the plan reads (indices into its fields): every column of the
  /// output is read (by the screen, an export or a chart), and each step, from the last,
  /// says what it reads of its input; a step that cannot say reads all of it.
  package var sourceColumnsRead: Set<Int> {
    var needed = Set(outputFields.indices)
    for step in steps.reversed() {
      guard let d = step as? any ColumnDemand else { return Set(source.fields.indices) }
      needed = d.inputColumnsNeeded(forOutputs: needed)
    }
    return needed.filter { source.fields.indices.contains($0) }
  }
}

extension FilterStep: ColumnDemand {
  /// The columns passed on, and those of the condition.
  package func inputColumnsNeeded(forOutputs outputs: Set<Int>) -> Set<Int> { outputs.union(predicate.columnsRead) }
}

extension ProjectStep: ColumnDemand {
  /// The columns the needed expressions read (a column dropped here is read by none).
  package func inputColumnsNeeded(forOutputs outputs: Set<Int>) -> Set<Int> {
    outputs.reduce(into: Set<Int>()) { r, i in
      if exprs.indices.contains(i) { r.formUnion(exprs[i].columnsRead) }
    }
  }
}

extension AggregateStep: ColumnDemand {
  /// The keys' and the aggregates' columns, whatever is read after (every group and every
  /// aggregate is computed).
  package func inputColumnsNeeded(forOutputs outputs: Set<Int>) -> Set<Int> {
    var r = Set<Int>()
    for k in keys { r.formUnion(k.columnsRead) }
    for s in specs { if let a = s.argument { r.formUnion(a.columnsRead) } }
    return r
  }
}

extension SortStep: ColumnDemand {
  /// The columns passed on, and the sort keys' columns.
  package func inputColumnsNeeded(forOutputs outputs: Set<Int>) -> Set<Int> {
    keys.reduce(into: outputs) { $0.formUnion($1.0.columnsRead) }
  }
}

extension TakeStep: ColumnDemand {
  /// The columns passed on.
  package func inputColumnsNeeded(forOutputs outputs: Set<Int>) -> Set<Int> { outputs }
}

extension DistinctStep: ColumnDemand {
  /// The columns compared (all of them are its output).
  package func inputColumnsNeeded(forOutputs outputs: Set<Int>) -> Set<Int> { Set(columns) }
}
