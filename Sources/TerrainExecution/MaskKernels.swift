// Conditions compiled for filtering: one byte mask per chunk, 1 where the condition is true.
//
// A `where` only needs to know which rows are true; false and null both drop the row. That
// lets a condition skip three-valued logic: `a and b` is the and of the two masks, `a or b`
// their or, `not a` the rows where `a` is present and false. Each leaf writes straight into
// the mask, combined with what is already there, so `x == 1 and y > 500 and z >= 1990` is
// three typed loops over the columns writing one 2 KB mask that stays in L1 — no validity
// merging, no intermediate vectors.

import TerrainStorage
import TerrainSyntax
import TerrainPlanner

/// How a mask kernel's truth values combine with the bytes already in its output.
package enum MaskCombine {
  /// `out[i] = truth`
  case assign
  /// `out[i] &= truth`
  case and
  /// `out[i] |= truth`
  case or
}

/// A condition over rows `[start, start + count)`: for each row, 1 when the condition is true
/// and 0 when it is false or null, combined into `out` as `combine` says.
package typealias MaskKernel = (_ start: Int, _ count: Int, _ out: UnsafeMutablePointer<UInt8>, _ combine: MaskCombine) throws -> Void

/// Combines `truth(i)` (0 or 1) into `out[i]` for the first `n` rows; `truth` is inlined into
/// each of the three loops so that LLVM vectorises them.
@inline(__always)
package func combineMask(_ combine: MaskCombine, _ n: Int, _ out: UnsafeMutablePointer<UInt8>, _ truth: (Int) -> UInt8) {
  switch combine {
  case .assign: for i in 0..<n { out[i] = truth(i) }
  case .and: for i in 0..<n { out[i] &= truth(i) }
  case .or: for i in 0..<n { out[i] |= truth(i) }
  }
}

/// `combineMask` of `test(a[i])`, and-ed with the validity when there is one.
@inline(__always)
package func combineTest<T>(_ combine: MaskCombine, _ n: Int, _ a: UnsafePointer<T>, _ valid: UnsafePointer<UInt8>?,
  _ out: UnsafeMutablePointer<UInt8>, _ test: (T) -> UInt8) {
  if let v = valid {
    combineMask(combine, n, out) { test(a[$0]) & v[$0] }
  } else {
    combineMask(combine, n, out) { test(a[$0]) }
  }
}

/// `combineTest` for a comparison with a constant, with the operator chosen outside the loops.
@inline(__always)
package func combineCompare<T: Comparable>(_ op: CompareOp, _ combine: MaskCombine, _ n: Int, _ a: UnsafePointer<T>,
  _ valid: UnsafePointer<UInt8>?, _ c: T, _ out: UnsafeMutablePointer<UInt8>) {
  switch op {
  case .equal: combineTest(combine, n, a, valid, out) { $0 == c ? 1 : 0 }
  case .notEqual: combineTest(combine, n, a, valid, out) { $0 != c ? 1 : 0 }
  case .less: combineTest(combine, n, a, valid, out) { $0 < c ? 1 : 0 }
  case .lessEqual: combineTest(combine, n, a, valid, out) { $0 <= c ? 1 : 0 }
  case .greater: combineTest(combine, n, a, valid, out) { $0 > c ? 1 : 0 }
  case .greaterEqual: combineTest(combine, n, a, valid, out) { $0 >= c ? 1 : 0 }
  }
}

/// `combineTest` of a per-dictionary-code table (0/1 per code) over text codes.
@inline(__always)
package func combineLookup(_ combine: MaskCombine, _ n: Int, _ codes: UnsafePointer<UInt32>, _ valid: UnsafePointer<UInt8>?,
  _ table: [UInt8], _ out: UnsafeMutablePointer<UInt8>) {
  table.withUnsafeBufferPointer { t in
    guard let base = t.baseAddress else {
      combineMask(combine, n, out) { _ in 0 }
      return
    }
    let count = UInt32(truncatingIfNeeded: t.count)
    combineTest(combine, n, codes, valid, out) { $0 < count ? base[Int($0)] : 0 }
  }
}

extension ExpressionCompiler {
  /// A mask kernel for the condition `e` (a bool expression): the rows where it is true.
  ///
  /// Evaluates every sub-expression on every row, as `compile` does, so the same rows raise
  /// the same errors (an overflow in `x * 2 > 3` fails whether or not the row is kept).
  package func compileMask(_ e: BoundExpr) throws -> MaskKernel {
    if e.isConstant {
      let truth: UInt8 = try ExpressionCompiler.evaluateConstant(e) == .bool(true) ? 1 : 0
      return { _, n, out, combine in combineMask(combine, n, out) { _ in truth } }
    }
    return try maskKernel(ExpressionCompiler.fold(e))
  }

  /// `compileMask` of an already folded condition.
  private func maskKernel(_ e: BoundExpr) throws -> MaskKernel {
    switch e {
    case .constant(let v, _):
      let truth: UInt8 = v == .bool(true) ? 1 : 0
      return { _, n, out, combine in combineMask(combine, n, out) { _ in truth } }
    case .and(let a, let b):
      return junction(isAnd: true, try maskKernel(a), try maskKernel(b))
    case .or(let a, let b):
      return junction(isAnd: false, try maskKernel(a), try maskKernel(b))
    default:
      return try predicate(e).mask
    }
  }

  /// The bool expression `e` as a predicate: comparisons, `in`, `not` and `is null` written
  /// straight into a mask; any other expression computed as a bool vector.
  package func predicate(_ e: BoundExpr) throws -> Predicate {
    switch e {
    case .compare(let op, let a, let b):
      return try comparison(op, a, b)
    case .inList(let a, let values, let negated):
      return membership(try compile(a), type: a.type, values: values, negated: negated)
    case .not(.compare(let op, let a, let b)) where a.type != .float && b.type != .float:
      // `not (a op b)` is `a op' b` in three-valued logic (null stays null), except on floats,
      // where a comparison with NaN is false either way round.
      return try comparison(op.negated, a, b)
    case .not(.inList(let a, let values, let negated)):
      // `not (a in list)` is `a not in list`, nulls included.
      return membership(try compile(a), type: a.type, values: values, negated: !negated)
    case .not(.isNull(let a, let negated)):
      return try predicate(.isNull(a, negated: !negated))
    case .not(let a):
      // True where `a` is present and false.
      let ka = try compile(a)
      return .truth { start, n, out, combine in
        let x = try ka(start, n)
        combineTest(combine, n, x.bytes(), x.validity, out) { $0 ^ 1 }
        return x.validity
      }
    case .like(let a, let p, let negated, let ci):
      // A constant pattern: one truth value per dictionary code, for the value and the mask.
      guard case .text(let pattern)? = p.constantValue else { return .value(try compile(e)) }
      let compiled = LikePattern(pattern, caseInsensitive: ci)
      return lookup(try compile(a), TextCodeTable<UInt8> { compiled.matches($0) != negated ? 1 : 0 })
    case .isNull(let a, let negated):
      let ka = try compile(a)
      return .truth { start, n, out, combine in
        let x = try ka(start, n)
        if let v = x.validity {
          if negated { combineMask(combine, n, out) { v[$0] } } else { combineMask(combine, n, out) { v[$0] ^ 1 } }
        } else {
          let t: UInt8 = negated ? 1 : 0
          combineMask(combine, n, out) { _ in t }
        }
        return nil
      }
    default:
      return .value(try compile(e))
    }
  }

  /// `a and b` / `a or b` on masks. The right side combines into the left's mask in place;
  /// only an `and` inside an `or` (or the dual) needs a mask of its own.
  private func junction(isAnd: Bool, _ ka: @escaping MaskKernel, _ kb: @escaping MaskKernel) -> MaskKernel {
    let mask = Output<UInt8>()
    let inner: MaskCombine = isAnd ? .and : .or
    return { start, n, out, combine in
      if combine == .assign || combine == inner {
        try ka(start, n, out, combine)
        try kb(start, n, out, inner)
      } else {
        let own = mask.values
        try ka(start, n, own, .assign)
        try kb(start, n, own, inner)
        combineMask(combine, n, out) { own[$0] }
      }
    }
  }
}

extension CompareOp {
  /// The comparison true exactly where this one is false, on values that are ordered (not NaN).
  fileprivate var negated: CompareOp {
    switch self {
    case .equal: return .notEqual
    case .notEqual: return .equal
    case .less: return .greaterEqual
    case .lessEqual: return .greater
    case .greater: return .lessEqual
    case .greaterEqual: return .less
    }
  }
}
