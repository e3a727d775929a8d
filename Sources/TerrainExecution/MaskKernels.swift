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
    case .not(let a):
      // True where `a` is present and false.
      let k = try compile(a)
      return { start, n, out, combine in
        let x = try k(start, n)
        combineTest(combine, n, x.bytes(), x.validity, out) { $0 ^ 1 }
      }
    case .compare(let op, let a, let b):
      if let k = try compareWithConstantMask(op, a, b) { return k }
    case .like(let a, let p, let negated, let ci):
      if let k = try likeMask(a, pattern: p, negated: negated, caseInsensitive: ci) { return k }
    case .inList(let a, let values, let negated) where a.type == .text:
      // A null in the list turns "no match" into null, which a mask reads as false: then
      // `not in` is never true.
      let texts = values.compactMap { v -> String? in if case .text(let s) = v { return s } else { return nil } }
      let neverTrue = negated && values.contains(where: \.isNull)
      let table = TextCodeTable<UInt8> { s in
        let match = texts.contains { utf8Equal($0, s) }
        return neverTrue ? 0 : (match != negated ? 1 : 0)
      }
      let k = try compile(a)
      return { start, n, out, combine in
        let x = try k(start, n)
        guard let d = x.dictionary else { return combineMask(combine, n, out) { _ in 0 } }
        combineLookup(combine, n, x.codes(), x.validity, table.table(for: d), out)
      }
    default:
      break
    }
    // Any other bool expression: its value where present.
    let k = try compile(e)
    return { start, n, out, combine in
      let x = try k(start, n)
      combineTest(combine, n, x.bytes(), x.validity, out) { $0 }
    }
  }

  /// `a and b` / `a or b` on masks. The right side combines into the left's mask in place;
  /// only an `and` inside an `or` (or the dual) needs a mask of its own.
  private func junction(isAnd: Bool, _ ka: @escaping MaskKernel, _ kb: @escaping MaskKernel) -> MaskKernel {
    let scratch = Scratch()
    let own = scratch.bytes()
    let inner: MaskCombine = isAnd ? .and : .or
    return { start, n, out, combine in
      if combine == .assign || combine == inner {
        try ka(start, n, out, combine)
        try kb(start, n, out, inner)
      } else {
        try ka(start, n, own, .assign)
        try kb(start, n, own, inner)
        withExtendedLifetime(scratch) { combineMask(combine, n, out) { own[$0] } }
      }
    }
  }

  /// A fused mask kernel for `a op constant` (or `constant op a`) on numbers or text; nil for
  /// other shapes.
  private func compareWithConstantMask(_ op: CompareOp, _ a: BoundExpr, _ b: BoundExpr) throws -> MaskKernel? {
    if a.constantValue != nil, b.constantValue == nil { return try compareWithConstantMask(op.swapped, b, a) }
    guard let c = b.constantValue else { return nil }
    switch c {
    case .null:
      // A comparison with null is null: never true. The other side still runs, for its errors
      // (`-a >= null` overflows where `a` is the smallest int, as it does outside `where`).
      let ka = try compile(a)
      return { start, n, out, combine in
        _ = try ka(start, n)
        combineMask(combine, n, out) { _ in 0 }
      }
    case .int(let k) where a.type == .int, .date(let k) where a.type == .date:
      let ka = try compile(a)
      return { start, n, out, combine in
        let x = try ka(start, n)
        combineCompare(op, combine, n, x.ints(), x.validity, k, out)
      }
    case .float(let k) where a.type == .float:
      let ka = try compile(a)
      return { start, n, out, combine in
        let x = try ka(start, n)
        combineCompare(op, combine, n, x.floats(), x.validity, k, out)
      }
    case .text(let s) where a.type == .text:
      let table = TextCodeTable<UInt8> { compareValues(op, compareUTF8($0, s)) ? 1 : 0 }
      let ka = try compile(a)
      return { start, n, out, combine in
        let x = try ka(start, n)
        guard let d = x.dictionary else { return combineMask(combine, n, out) { _ in 0 } }
        combineLookup(combine, n, x.codes(), x.validity, table.table(for: d), out)
      }
    default:
      return nil
    }
  }
}
