// `| take N [by k, …]`
// `take N`: the first N rows.

import TerrainSyntax

public struct TakeStage: StageSyntax {
  public var count: Expr
  /// `by k, …`: the first N rows of each group (empty: the first N rows in all).
  public var by: [Expr] = []

  public static let keyword = "take"
  public static let continuationWords = ["by"]
  public static let completionWords = ["by"]
  public static let otherNames = ["limit", "head"]
  public static let help = StageHelp(synopsis: "| take N [by k, …]",
    text: "The first N rows; with `by`, the first N rows of each group, in the current order (after `sort`: the top N of each group), rows keeping their relative order.",
    example: "from communes | sort population desc | take 2 by code_region | take 6")

  public static func parse(_ p: inout Parser) throws -> TakeStage {
    let count = try p.parseExpr()
    var by: [Expr] = []
    if p.acceptClause("by") {
      repeat {
        p.skipNewlines()
        by.append(try p.parseExpr())
      } while p.acceptSymbol(",")
    }
    return TakeStage(count: count, by: by)
  }
}

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
