// Which parts (Parquet row groups) of a table decoded on demand a `where` may keep rows of,
// by the file's statistics and terrain's own comparison rules: a part is skipped only when
// they prove that no row of it satisfies the condition.

import TerrainStorage
import TerrainPlanner
import TerrainIO

/// The parts of `table` that may hold rows satisfying every one of `predicates` (conditions
/// over the table's own columns, as the leading `where` steps of a plan are), in order.
///
/// Sound by construction: a row is kept only where its condition is true (null is not), so
/// `a and b` needs both to be possibly true and `a or b` either. A comparison of a column with
/// a constant is false on every row of a part whose values are all null, or whose bounds
/// exclude the constant: numbers and dates compare by value (NaN, which no file gives as a
/// bound, fails every comparison but `!=`, which is never used to skip), text in code point
/// order (UTF-8 bytes, terrain's order for `<` and `==`; the French collation orders only
/// `sort` and its kin). `is null` needs a null, `is not null` a value, `in` a listed value
/// within the bounds. Anything else may be true.
package func partsToScan(_ predicates: [BoundExpr], table: any DeferredTable) -> [Int] {
  let folded = predicates.map { ExpressionCompiler.fold($0) }
  return table.partRowCounts.indices.filter { part in
    folded.allSatisfy { mayHoldTrue($0) { table.bounds(column: $0, part: part) } }
  }
}

/// Whether `e` may be true on some row of a part whose columns' statistics are `bounds`.
private func mayHoldTrue(_ e: BoundExpr, _ bounds: (Int) -> ColumnBounds?) -> Bool {
  switch e {
  case .and(let a, let b): return mayHoldTrue(a, bounds) && mayHoldTrue(b, bounds)
  case .or(let a, let b): return mayHoldTrue(a, bounds) || mayHoldTrue(b, bounds)
  case .constant(let v, _):
    if case .bool(false) = v { return false }
    return !v.isNull
  case .compare(let op, let a, let b):
    if let (column, constant) = columnAndConstant(a, b) { return mayCompare(op, column, constant, bounds) }
    if let (column, constant) = columnAndConstant(b, a) { return mayCompare(op.swapped, column, constant, bounds) }
    return true
  case .isNull(let a, let negated):
    guard let (index, _) = boundColumn(a), let s = bounds(index), let nulls = s.nullCount else { return true }
    return negated ? nulls < s.rowCount : nulls > 0
  case .inList(let a, let values, false):
    guard let (index, asFloat) = boundColumn(a), let s = bounds(index) else { return true }
    if let nulls = s.nullCount, nulls == s.rowCount { return false }
    guard let low = s.min.map({ widened($0, asFloat) }), let high = s.max.map({ widened($0, asFloat) }) else { return true }
    return values.contains { v in
      guard let l = order(low, v), let h = order(v, high) else { return !v.isNull }
      return l <= 0 && h <= 0
    }
  default:
    return true
  }
}

/// A comparison of a column (of the part) with a constant.
private typealias ColumnOperand = (index: Int, asFloat: Bool)

/// `x` (a column, or an int column made float) and `c` a constant.
private func columnAndConstant(_ x: BoundExpr, _ c: BoundExpr) -> (ColumnOperand, Value)? {
  guard let column = boundColumn(x), case .constant(let v, _) = c else { return nil }
  return (column, v)
}

/// A column read as it is, or an int column cast to float (a monotone change, so the bounds
/// follow).
private func boundColumn(_ e: BoundExpr) -> ColumnOperand? {
  switch e {
  case .column(let i, _): return (i, false)
  case .cast(.column(let i, .int), .float): return (i, true)
  default: return nil
  }
}

/// Whether `x op c` may be true on a row of the part.
private func mayCompare(_ op: CompareOp, _ x: ColumnOperand, _ c: Value, _ bounds: (Int) -> ColumnBounds?) -> Bool {
  if c.isNull { return false }  // a comparison with null is null on every row
  guard let s = bounds(x.index) else { return true }
  if let nulls = s.nullCount, nulls == s.rowCount { return false }
  guard let low = s.min.map({ widened($0, x.asFloat) }), let high = s.max.map({ widened($0, x.asFloat) }),
    let l = order(low, c), let h = order(high, c)
  else { return true }
  switch op {
  case .equal: return l <= 0 && h >= 0
  case .less: return l < 0
  case .lessEqual: return l <= 0
  case .greater: return h > 0
  case .greaterEqual: return h >= 0
  case .notEqual: return true
  }
}

/// An int bound as the float the kernels compare when the column is cast.
private func widened(_ v: Value, _ asFloat: Bool) -> Value {
  if asFloat, case .int(let i) = v { return .float(Double(i)) }
  return v
}

/// -1, 0 or 1 as terrain's comparisons order `a` and `b` (values of one type; text by code
/// point); nil for values of different types, null, or a NaN (then nothing is proved).
private func order(_ a: Value, _ b: Value) -> Int? {
  func sign<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : (x == y ? 0 : 1) }
  switch (a, b) {
  case (.int(let x), .int(let y)), (.date(let x), .date(let y)): return sign(x, y)
  case (.float(let x), .float(let y)):
    if x.isNaN || y.isNaN { return nil }
    return sign(x, y)
  case (.text(let x), .text(let y)): return compareUTF8(x, y)
  default: return nil
  }
}
