// `take N`: the first N rows.

import TerrainSyntax

/// The first `count` rows.
package struct TakeStep: LogicalStep {
  package var count: Int

  package init(_ count: Int) { self.count = count }
}

extension TakeStage: PlannableStage {
  package func plan(_ p: inout StagePlanning) throws {
    let n = try rowCount(p.binder)
    if by.isEmpty {
      p.emit(TakeStep(n), fields: p.fields)
      return
    }
    // After `sort`, the sort's planning already made the top N of each group (TakeByPlan.swift).
    if p.before.last is SortTakeByStep { return }
    p.emit(TakeByStep(n, keys: try groupKeys(p.binder)), fields: p.fields)
  }

  /// N, a constant whole number, 0 or more.
  func rowCount(_ binder: ExpressionBinder) throws -> Int {
    let e = count
    let b = try binder.bind(e, expected: .int)
    guard let v = try binder.constants.constantValue(of: b) else {
      throw Diagnostic(.takeNeedsConstant, at: e.span, label: .notAConstant, help: .exampleTake)
    }
    switch v {
    case .int(let n) where n >= 0: return Int(clamping: n)
    case .int, .float:
      throw Diagnostic(.takeNeedsWholeNumber, at: e.span, label: .notARowCount)
    default:
      throw Diagnostic(.takeNeedsNumber, at: e.span, label: .notANumber)
    }
  }
}
