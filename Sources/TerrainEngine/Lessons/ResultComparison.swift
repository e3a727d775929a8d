// What `.check` does with two results: the participant's last table against the solution's.
// Pure functions over tables (no session, no terminal), so the rules are tested directly:
// columns by position (their names do not matter), rows in any order unless the solution
// sorts, numbers equal within a relative tolerance, int and float compared as numbers.

import Foundation
import TerrainStorage

/// One row of the participant's result paired with a row of the solution's that it resembles
/// (same first cell), and the columns (by position) where they differ.
package struct RowDifference: Equatable, Sendable {
  /// The row in the participant's result (0-based).
  package var actualRow: Int
  /// The row in the solution's result (0-based).
  package var expectedRow: Int
  /// The columns, 0-based, whose cells differ.
  package var columns: [Int]

  package init(actualRow: Int, expectedRow: Int, columns: [Int]) {
    self.actualRow = actualRow
    self.expectedRow = expectedRow
    self.columns = columns
  }
}

/// How two results differ, in the terms `.check` shows them.
package struct ResultComparison: Equatable, Sendable {
  /// Set when the column counts differ (participant's, solution's); nothing else is compared then.
  package var columnCounts: (actual: Int, expected: Int)?
  /// Rows of the solution's result that the participant's lacks (0-based, in order).
  package var missing: [Int] = []
  /// Rows of the participant's result that the solution's lacks (0-based, in order).
  package var extra: [Int] = []
  /// Rows present on both sides that differ in some cells.
  package var differing: [RowDifference] = []
  /// With an ordered solution: the same rows, in another order; the first position (0-based)
  /// where the two differ.
  package var firstOutOfOrder: Int?

  /// Whether `.check` accepts the result.
  package var matches: Bool {
    columnCounts == nil && missing.isEmpty && extra.isEmpty && differing.isEmpty && firstOutOfOrder == nil
  }

  package static func == (a: ResultComparison, b: ResultComparison) -> Bool {
    a.columnCounts?.actual == b.columnCounts?.actual && a.columnCounts?.expected == b.columnCounts?.expected
      && a.missing == b.missing && a.extra == b.extra && a.differing == b.differing && a.firstOutOfOrder == b.firstOutOfOrder
  }
}

/// The relative tolerance of `.check` on numbers: |a − b| ≤ 1e-9 × max(|a|, |b|).
package let checkTolerance = 1e-9

/// Whether two cells are the same for `.check`: null equals null; ints compare exactly;
/// a float and a number within `tolerance` relative; text, booleans and dates exactly.
package func sameCell(_ a: Value, _ b: Value, tolerance: Double = checkTolerance) -> Bool {
  switch (a, b) {
  case (.null, .null): return true
  case (.int(let x), .int(let y)): return x == y
  case (.text(let x), .text(let y)): return x == y
  case (.bool(let x), .bool(let y)): return x == y
  case (.date(let x), .date(let y)): return x == y
  default:
    guard let x = number(a), let y = number(b) else { return false }
    if x == y || (x.isNaN && y.isNaN) { return true }
    guard x.isFinite && y.isFinite else { return false }
    return abs(x - y) <= tolerance * max(abs(x), abs(y))
  }
}

private func number(_ v: Value) -> Double? {
  switch v {
  case .int(let i): return Double(i)
  case .float(let f): return f
  default: return nil
  }
}

/// A total order on cells for sorting rows before matching them: null, booleans, numbers (int
/// and float together), dates, text. -1, 0 or 1.
private func orderCells(_ a: Value, _ b: Value) -> Int {
  func rank(_ v: Value) -> Int {
    switch v {
    case .null: return 0
    case .bool: return 1
    case .int, .float: return 2
    case .date: return 3
    case .text: return 4
    }
  }
  let (ra, rb) = (rank(a), rank(b))
  if ra != rb { return ra < rb ? -1 : 1 }
  switch (a, b) {
  case (.bool(let x), .bool(let y)): return x == y ? 0 : (!x ? -1 : 1)
  case (.date(let x), .date(let y)): return x == y ? 0 : (x < y ? -1 : 1)
  case (.text(let x), .text(let y)): return x == y ? 0 : (Array(x.utf8).lexicographicallyPrecedes(Array(y.utf8)) ? -1 : 1)
  case (.int(let x), .int(let y)): return x == y ? 0 : (x < y ? -1 : 1)
  default:
    let x = number(a) ?? 0, y = number(b) ?? 0
    if x.isNaN || y.isNaN { return x.isNaN == y.isNaN ? 0 : (x.isNaN ? 1 : -1) }
    return x == y ? 0 : (x < y ? -1 : 1)
  }
}

/// Compares the participant's result `actual` with the solution's `expected`.
///
/// Columns are matched by position. Rows are matched as multisets (each row of one side at most
/// once), numbers within `tolerance`; rows left over on both sides that share their first cell
/// (or the single row left on each side) are reported as differing cells rather than as a
/// missing and an extra row. With `ordered` (the solution sorts), the same rows in another
/// order are reported with the first position where they differ.
package func compareResults(_ actual: Table, _ expected: Table, ordered: Bool, tolerance: Double = checkTolerance) -> ResultComparison {
  var result = ResultComparison()
  guard actual.columnCount == expected.columnCount else {
    result.columnCounts = (actual.columnCount, expected.columnCount)
    return result
  }
  let width = actual.columnCount
  let a = (0..<actual.rowCount).map { actual.row($0) }
  let e = (0..<expected.rowCount).map { expected.row($0) }
  func order(_ x: [Value], _ y: [Value]) -> Int {
    for c in 0..<width {
      let o = orderCells(x[c], y[c])
      if o != 0 { return o }
    }
    return 0
  }
  func same(_ x: [Value], _ y: [Value]) -> Bool {
    (0..<width).allSatisfy { sameCell(x[$0], y[$0], tolerance: tolerance) }
  }
  // Both sides sorted by the same total order, then merged: equal rows (within the tolerance)
  // pair off; the rest is left over.
  let sa = a.indices.sorted { order(a[$0], a[$1]) < 0 }
  let se = e.indices.sorted { order(e[$0], e[$1]) < 0 }
  var (i, j) = (0, 0)
  var missing: [Int] = []
  var extra: [Int] = []
  while i < sa.count && j < se.count {
    let (x, y) = (a[sa[i]], e[se[j]])
    if same(x, y) {
      i += 1
      j += 1
    } else if order(x, y) < 0 {
      extra.append(sa[i])
      i += 1
    } else {
      missing.append(se[j])
      j += 1
    }
  }
  extra += sa[i...]
  missing += se[j...]
  missing.sort()
  extra.sort()

  // Left-over rows that look like the same row with other values: paired by their first cell.
  var differing: [RowDifference] = []
  if width > 0 && !missing.isEmpty && !extra.isEmpty {
    var byFirst: [Value: [Int]] = [:]
    for r in extra {
      let v = a[r][0]
      if case .float = v { continue }
      byFirst[v, default: []].append(r)
    }
    var pairedExtra = Set<Int>()
    var stillMissing: [Int] = []
    for m in missing {
      let v = e[m][0]
      if case .float = v {
        stillMissing.append(m)
        continue
      }
      if var candidates = byFirst[v], let r = candidates.first {
        candidates.removeFirst()
        byFirst[v] = candidates
        pairedExtra.insert(r)
        differing.append(RowDifference(actualRow: r, expectedRow: m, columns: (0..<width).filter { !sameCell(a[r][$0], e[m][$0], tolerance: tolerance) }))
      } else {
        stillMissing.append(m)
      }
    }
    missing = stillMissing
    extra = extra.filter { !pairedExtra.contains($0) }
    if missing.count == 1 && extra.count == 1 {
      let (r, m) = (extra[0], missing[0])
      differing.append(RowDifference(actualRow: r, expectedRow: m, columns: (0..<width).filter { !sameCell(a[r][$0], e[m][$0], tolerance: tolerance) }))
      missing = []
      extra = []
    }
    differing.sort { $0.actualRow < $1.actualRow }
  }
  result.missing = missing
  result.extra = extra
  result.differing = differing
  if ordered && result.matches {
    result.firstOutOfOrder = (0..<min(a.count, e.count)).first { !same(a[$0], e[$0]) }
  }
  return result
}

/// The rows `rows` of `table` (in that order) as a table with the same columns.
package func tableRows(_ table: Table, _ rows: [Int]) -> Table {
  let columns = table.columns.indices.map { c in
    Column.from(rows.map { table.value(row: $0, column: c) }, type: table.fields[c].type)
  }
  return Table(fields: table.fields, columns: columns, rowCount: rows.count)
}
