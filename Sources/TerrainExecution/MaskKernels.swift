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
import CVectorKernels

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
    case .and:
      return try conjunction(e)
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
      return lookup(try compile(a), TextCodeTable<UInt8>(bytes: { compiled.matches(bytes: $0) != negated ? 1 : 0 }))
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

  /// An `and` chain: its comparisons of a column with a constant fused into one loop per chunk
  /// (groups of up to three; see `RangeLeaf`), the other conditions after them, combined into
  /// the same mask. Only column reads are fused, and they cannot fail, so the conditions that
  /// can still raise an error do so on the same rows as before.
  private func conjunction(_ e: BoundExpr) throws -> MaskKernel {
    var terms: [BoundExpr] = []
    flattenAnd(e, into: &terms)
    var ranges: [RangeLeaf] = []
    var others: [BoundExpr] = []
    for t in terms {
      if let leaf = try rangeLeaf(t) { ranges.append(leaf) } else { others.append(t) }
    }
    var kernels: [MaskKernel] = []
    if ranges.count >= 2 {
      var i = 0
      while i < ranges.count {
        let group = Array(ranges[i..<min(i + 3, ranges.count)])
        // A last group of one takes the plain comparison kernel.
        kernels.append(group.count == 1 ? group[0].single : fusedRanges(group).mask)
        i += 3
      }
    } else {
      others = terms
    }
    for t in others { kernels.append(try maskKernel(t)) }
    guard var k = kernels.first else { return { _, n, out, combine in combineMask(combine, n, out) { _ in 1 } } }
    for next in kernels.dropFirst() { k = junction(isAnd: true, k, next) }
    return k
  }

  /// A counter of the rows where `e` is true, when `e` is an `and` of two or three comparisons
  /// of a column with a constant: the fused loop sums its truth values instead of writing a
  /// mask (`where … | aggregate n = count()` reads the columns once and writes nothing); nil
  /// for any other condition.
  package func compileCount(_ e: BoundExpr) throws -> CountKernel? {
    var terms: [BoundExpr] = []
    flattenAnd(ExpressionCompiler.fold(e), into: &terms)
    guard terms.count == 2 || terms.count == 3 else { return nil }
    var leaves: [RangeLeaf] = []
    for t in terms {
      guard let leaf = try rangeLeaf(t) else { return nil }
      leaves.append(leaf)
    }
    return fusedRanges(leaves).count
  }

  /// The terms of `a and b and …`, left to right.
  private func flattenAnd(_ e: BoundExpr, into terms: inout [BoundExpr]) {
    if case .and(let a, let b) = e {
      flattenAnd(a, into: &terms)
      flattenAnd(b, into: &terms)
    } else {
      terms.append(e)
    }
  }

  /// `column op constant` on an int, date or float column as a closed range of the column's
  /// values; nil for anything else (`!=`, a NaN or infinite float bound, a range that is empty
  /// at the ends of Int64, a computed operand).
  private func rangeLeaf(_ e: BoundExpr) throws -> RangeLeaf? {
    guard case .compare(var op, var a, var b) = e else { return nil }
    if a.constantValue != nil, b.constantValue == nil {
      swap(&a, &b)
      op = op.swapped
    }
    guard case .column = a, let c = b.constantValue else { return nil }
    let single = try predicate(e).mask
    switch (c, a.type) {
    case (.int(let k), .int), (.date(let k), .date):
      let low: Int64, high: Int64
      switch op {
      case .equal: (low, high) = (k, k)
      case .notEqual: return nil
      case .less:
        guard k > Int64.min else { return nil }
        (low, high) = (Int64.min, k - 1)
      case .lessEqual: (low, high) = (Int64.min, k)
      case .greater:
        guard k < Int64.max else { return nil }
        (low, high) = (k + 1, Int64.max)
      case .greaterEqual: (low, high) = (k, Int64.max)
      }
      return RangeLeaf(kernel: try compile(a), single: single, isFloat: false, intLow: low,
        intWidth: UInt64(bitPattern: high &- low), floatLow: 0, floatHigh: 0)
    case (.float(let k), .float):
      guard k.isFinite else { return nil }
      let low: Double, high: Double
      switch op {
      case .equal: (low, high) = (k, k)
      case .notEqual: return nil
      case .less: (low, high) = (-.infinity, k.nextDown)
      case .lessEqual: (low, high) = (-.infinity, k)
      case .greater: (low, high) = (k.nextUp, .infinity)
      case .greaterEqual: (low, high) = (k, .infinity)
      }
      return RangeLeaf(kernel: try compile(a), single: single, isFloat: true, intLow: 0, intWidth: 0,
        floatLow: low, floatHigh: high)
    default:
      return nil
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

/// A comparison of a column with a constant as a closed range: an int or date `x` is in it
/// when `UInt64(x - intLow) <= intWidth` (wrapping arithmetic: exact over all of Int64), a
/// float when `floatLow <= x <= floatHigh` (false on NaN, as every ordered comparison is;
/// `x > c` is `x >= c.nextUp` on floats). So any two or three such comparisons, whatever their
/// operators, make one loop specialised by the columns' types only.
private struct RangeLeaf {
  let kernel: Kernel
  /// The comparison's own mask kernel, for a group of one.
  let single: MaskKernel
  let isFloat: Bool
  let intLow: Int64
  let intWidth: UInt64
  let floatLow: Double
  let floatHigh: Double
}

/// One leaf's test over a chunk of its column.
private protocol RangeTest {
  init(_ leaf: RangeLeaf, _ x: Vec)
  func test(_ i: Int) -> UInt8
  /// The same test for CVectorKernels' `terrain_count_ranges`.
  var vectorLeaf: terrain_range_leaf { get }
}

private struct IntRangeTest: RangeTest {
  let p: UnsafePointer<Int64>
  let low: Int64
  let width: UInt64
  init(_ leaf: RangeLeaf, _ x: Vec) {
    p = x.ints()
    low = leaf.intLow
    width = leaf.intWidth
  }
  @inline(__always) func test(_ i: Int) -> UInt8 { UInt64(bitPattern: p[i] &- low) <= width ? 1 : 0 }
  var vectorLeaf: terrain_range_leaf {
    terrain_range_leaf(values: UnsafeRawPointer(p), is_float: 0, int_low: low, int_width: width, float_low: 0, float_high: 0)
  }
}

private struct FloatRangeTest: RangeTest {
  let p: UnsafePointer<Double>
  let low: Double
  let high: Double
  init(_ leaf: RangeLeaf, _ x: Vec) {
    p = x.floats()
    low = leaf.floatLow
    high = leaf.floatHigh
  }
  @inline(__always) func test(_ i: Int) -> UInt8 { (p[i] >= low ? 1 : 0) & (p[i] <= high ? 1 : 0) }
  var vectorLeaf: terrain_range_leaf {
    terrain_range_leaf(values: UnsafeRawPointer(p), is_float: 1, int_low: 0, int_width: 0, float_low: low, float_high: high)
  }
}

/// The rows of `[start, start + count)` where a condition is true.
package typealias CountKernel = (_ start: Int, _ count: Int) throws -> Int

/// The kernels of two or three range leaves and-ed together, in one loop per chunk. Each
/// type combination is spelled out so that every loop is specialised (a generic closure left
/// unspecialised calls its tests through witness tables and is not vectorised).
private func fusedRanges(_ leaves: [RangeLeaf]) -> (mask: MaskKernel, count: CountKernel) {
  typealias I = IntRangeTest
  typealias F = FloatRangeTest
  let t = leaves.map(\.isFloat)
  if leaves.count == 2 {
    switch (t[0], t[1]) {
    case (false, false): return fused(I.self, I.self, nil as I.Type?, leaves)
    case (false, true): return fused(I.self, F.self, nil as I.Type?, leaves)
    case (true, false): return fused(F.self, I.self, nil as I.Type?, leaves)
    case (true, true): return fused(F.self, F.self, nil as I.Type?, leaves)
    }
  }
  switch (t[0], t[1], t[2]) {
  case (false, false, false): return fused(I.self, I.self, I.self, leaves)
  case (false, false, true): return fused(I.self, I.self, F.self, leaves)
  case (false, true, false): return fused(I.self, F.self, I.self, leaves)
  case (false, true, true): return fused(I.self, F.self, F.self, leaves)
  case (true, false, false): return fused(F.self, I.self, I.self, leaves)
  case (true, false, true): return fused(F.self, I.self, F.self, leaves)
  case (true, true, false): return fused(F.self, F.self, I.self, leaves)
  case (true, true, true): return fused(F.self, F.self, F.self, leaves)
  }
}

/// Two leaves (`c` nil) or three in one loop, as a mask or as a count; the leaves' validities
/// are and-ed first into one chunk (a column without nulls adds none), so the loop reads one
/// validity byte per row.
private func fused<A: RangeTest, B: RangeTest, C: RangeTest>(_: A.Type, _: B.Type, _ c: C.Type?, _ leaves: [RangeLeaf])
  -> (mask: MaskKernel, count: CountKernel)
{
  let la = leaves[0], lb = leaves[1]
  let lc = c == nil ? nil : leaves[2]
  let merged = Output<UInt8>()
  /// The three tests (the third nil for two leaves) and the merged validity of one chunk.
  func chunk(_ start: Int, _ n: Int) throws -> (A, B, C?, UnsafePointer<UInt8>) {
    let x = try la.kernel(start, n)
    let y = try lb.kernel(start, n)
    let z = try lc?.kernel(start, n)
    let m = merged.values
    let valid = andValidity(andValidity(x.validity, y.validity, n, m), z?.validity, n, m) ?? UnsafePointer(allValid)
    let c: C? = if let lc, let z { C(lc, z) } else { nil }
    return (A(la, x), B(lb, y), c, valid)
  }
  let mask: MaskKernel = { start, n, out, combine in
    let (a, b, c, valid) = try chunk(start, n)
    if let c {
      combineMask(combine, n, out) { a.test($0) & b.test($0) & c.test($0) & valid[$0] }
    } else {
      combineMask(combine, n, out) { a.test($0) & b.test($0) & valid[$0] }
    }
  }
  // With AVX2, in C: four 64-bit comparisons per instruction (SSE2 has no 64-bit compare, so
  // the loop below is scalar there). Elsewhere (no AVX2, other processors) the loop below,
  // specialised per leaf type, beats the C baseline's per-row test of each leaf's type.
  let avx2 = terrain_vector_kernels_avx2() != 0
  let count: CountKernel = { start, n in
    let (a, b, c, valid) = try chunk(start, n)
    if avx2 {
      var leafA = a.vectorLeaf, leafB = b.vectorLeaf
      guard var leafC = c?.vectorLeaf else { return terrain_count_ranges(n, valid, &leafA, &leafB, nil) }
      return terrain_count_ranges(n, valid, &leafA, &leafB, &leafC)
    }
    var total = 0
    if let c {
      for i in 0..<n { total &+= Int(a.test(i) & b.test(i) & c.test(i) & valid[i]) }
    } else {
      for i in 0..<n { total &+= Int(a.test(i) & b.test(i) & valid[i]) }
    }
    return total
  }
  return (mask, count)
}

/// The validity of rows present in both `a` and `b` (nil: every row), written into `m` when
/// both have one (`a` may already be `m`).
@inline(__always)
private func andValidity(_ a: UnsafePointer<UInt8>?, _ b: UnsafePointer<UInt8>?, _ n: Int, _ m: UnsafeMutablePointer<UInt8>) -> UnsafePointer<UInt8>? {
  guard let b else { return a }
  guard let a else { return b }
  if a != UnsafePointer(m) { m.update(from: a, count: n) }
  combineMask(.and, n, m) { b[$0] }
  return UnsafePointer(m)
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
