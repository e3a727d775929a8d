// Kernels for + - * / % and unary minus, with overflow detection and x / 0 = null.
//
// Overflow rule, the same for ints and floats, operators, functions and aggregates: an
// operation whose present inputs fit but whose result does not is an error at its span. For
// floats, "does not fit" means the result is ±inf or NaN while every input was finite; a
// non-finite input (which only a hand-built table can hold) goes through as IEEE says.

import TerrainStorage
import TerrainSyntax
import TerrainPlanner

extension ExpressionCompiler {
  package func overflowError(_ span: Span) -> Diagnostic {
    Diagnostic(.integerOverflow, at: span, label: .overflows,
      help: .computeInFloats)
  }

  /// The error of a float operation (`what`: "`*`", "`exp`") whose result is not finite although
  /// its inputs were.
  package func floatOverflowError(_ span: Span, _ what: String) -> Diagnostic {
    Diagnostic(.floatOverflow, what, at: span, label: .overflows,
      help: .scaleValuesDown)
  }

  package func arithmeticKernel(_ op: ArithmeticOp, _ a: BoundExpr, _ b: BoundExpr, type: DataType, span: Span) throws -> Kernel {
    if type == .date { return try dateArithmeticKernel(op, a, b, span: span) }
    let ka = try compile(a)
    let active = activeRows
    let inBranch = isInsideBranch
    let scratch = Scratch()
    let outValid = scratch.validity
    if type == .float {
      let out = scratch.floats()
      if case .constant(.float(let c), _) = b, op != .divide || c != 0, op != .remainder {
        // Column op constant: the common shape (`surface * 1.1`).
        let checked = constantCanOverflow(op, c)
        return { start, n in
          let x = try ka(start, n)
          let xa = x.floats()
          var bad: UInt64 = 0
          switch op {
          case .add where checked: bad = checkedMapLoop(n, xa, out) { $0 + c }
          case .subtract where checked: bad = checkedMapLoop(n, xa, out) { $0 - c }
          case .multiply where checked: bad = checkedMapLoop(n, xa, out) { $0 * c }
          case .divide where checked: bad = checkedMapLoop(n, xa, out) { $0 / c }
          case .add: mapLoop(n, xa, out) { $0 + c }
          case .subtract: mapLoop(n, xa, out) { $0 - c }
          case .multiply: mapLoop(n, xa, out) { $0 * c }
          case .divide: mapLoop(n, xa, out) { $0 / c }
          case .remainder: mapLoop(n, xa, out) { $0.truncatingRemainder(dividingBy: c) }
          }
          if bad != 0, overflowedRow(n, out, x.validity, active, xa) {
            throw self.floatOverflowError(span, op.symbol)
          }
          return withExtendedLifetime(scratch) { Vec(data: UnsafeRawPointer(out), validity: x.validity, dictionary: nil) }
        }
      }
      let kb = try compile(b)
      return { start, n in
        let x = try ka(start, n)
        let y = try kb(start, n)
        let xa = x.floats()
        let yb = y.floats()
        var valid = andValidity(n, x.validity, y.validity, into: outValid)
        var bad: UInt64 = 0
        switch op {
        case .add: bad = checkedZipLoop(n, xa, yb, out) { $0 + $1 }
        case .subtract: bad = checkedZipLoop(n, xa, yb, out) { $0 - $1 }
        case .multiply: bad = checkedZipLoop(n, xa, yb, out) { $0 * $1 }
        case .divide, .remainder:
          if op == .divide {
            // Rows x / 0 raise the flag too; the exact test below leaves them out (they are null).
            bad = checkedZipLoop(n, xa, yb, out) { $0 / $1 }
          } else {
            zipLoop(n, xa, yb, out) { $1 == 0 ? 0 : $0.truncatingRemainder(dividingBy: $1) }
          }
          // x / 0 is null.
          if let v = valid {
            for i in 0..<n { outValid[i] = v[i] & (yb[i] != 0 ? 1 : 0) }
          } else {
            for i in 0..<n { outValid[i] = yb[i] != 0 ? 1 : 0 }
          }
          valid = UnsafePointer(outValid)
        }
        if bad != 0, overflowedRow(n, out, valid, active, xa, yb) {
          throw self.floatOverflowError(span, op.symbol)
        }
        return withExtendedLifetime(scratch) { Vec(data: UnsafeRawPointer(out), validity: valid, dictionary: nil) }
      }
    }
    let kb = try compile(b)
    let out = scratch.ints()
    return { start, n in
      let x = try ka(start, n)
      let y = try kb(start, n)
      let xa = x.ints()
      let yb = y.ints()
      var valid = andValidity(n, x.validity, y.validity, into: outValid)
      var overflow: UInt64 = 0
      switch op {
      case .add:
        for i in 0..<n {
          let r = xa[i] &+ yb[i]
          out[i] = r
          overflow |= UInt64(bitPattern: (xa[i] ^ r) & (yb[i] ^ r)) >> 63 & UInt64(valid?[i] ?? 1)
        }
      case .subtract:
        for i in 0..<n {
          let r = xa[i] &- yb[i]
          out[i] = r
          overflow |= UInt64(bitPattern: (xa[i] ^ yb[i]) & (xa[i] ^ r)) >> 63 & UInt64(valid?[i] ?? 1)
        }
      case .multiply:
        for i in 0..<n {
          let (r, o) = xa[i].multipliedReportingOverflow(by: yb[i])
          out[i] = r
          overflow |= (o ? 1 : 0) & UInt64(valid?[i] ?? 1)
        }
      case .remainder, .divide:
        // (divide never reaches here: `/` is bound on floats.)
        for i in 0..<n {
          let d = yb[i]
          out[i] = d == 0 || d == -1 ? 0 : xa[i] % d
        }
        if let v = valid {
          for i in 0..<n { outValid[i] = v[i] & (yb[i] != 0 ? 1 : 0) }
        } else {
          for i in 0..<n { outValid[i] = yb[i] != 0 ? 1 : 0 }
        }
        valid = UnsafePointer(outValid)
      }
      if overflow != 0, !inBranch || failsOnActiveRow(n, valid, active, { i in
        switch op {
        case .add: return (xa[i] ^ out[i]) & (yb[i] ^ out[i]) < 0
        case .subtract: return (xa[i] ^ yb[i]) & (xa[i] ^ out[i]) < 0
        case .multiply: return xa[i].multipliedReportingOverflow(by: yb[i]).overflow
        case .remainder, .divide: return false
        }
      }) {
        throw self.overflowError(span)
      }
      return withExtendedLifetime(scratch) { Vec(data: UnsafeRawPointer(out), validity: valid, dictionary: nil) }
    }
  }

  package func negateKernel(_ ka: @escaping Kernel, type: DataType, span: Span) -> Kernel {
    let active = activeRows
    let inBranch = isInsideBranch
    let scratch = Scratch()
    if type == .float {
      let out = scratch.floats()
      return { start, n in
        let x = try ka(start, n)
        mapLoop(n, x.floats(), out) { -$0 }
        return withExtendedLifetime(scratch) { Vec(data: UnsafeRawPointer(out), validity: x.validity, dictionary: nil) }
      }
    }
    let out = scratch.ints()
    return { start, n in
      let x = try ka(start, n)
      let xa = x.ints()
      var overflow: UInt64 = 0
      for i in 0..<n {
        out[i] = 0 &- xa[i]
        overflow |= (xa[i] == Int64.min ? 1 : 0) & UInt64(x.validity?[i] ?? 1)
      }
      if overflow != 0, !inBranch || failsOnActiveRow(n, x.validity, active, { xa[$0] == Int64.min }) {
        throw self.overflowError(span)
      }
      return withExtendedLifetime(scratch) { Vec(data: UnsafeRawPointer(out), validity: x.validity, dictionary: nil) }
    }
  }
}

/// Non-zero bits when `x` is ±inf or NaN, 0 when it is finite (`x - x` is +0 for every finite
/// `x` and NaN otherwise): two instructions, so OR-ing it over a loop costs next to nothing.
@inline(__always)
package func nonFiniteBits(_ x: Double) -> UInt64 {
  (x - x).bitPattern
}

/// `mapLoop` that also returns non-zero when some result is not finite (a cheap first test: whether
/// that is an overflow is decided by `overflowedRow`, off the hot path).
@inline(__always)
package func checkedMapLoop(_ n: Int, _ a: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, _ f: (Double) -> Double) -> UInt64 {
  var bad: UInt64 = 0
  for i in 0..<n {
    let r = f(a[i])
    out[i] = r
    bad |= nonFiniteBits(r)
  }
  return bad
}

/// `zipLoop` with the same non-finite flag as `checkedMapLoop`.
@inline(__always)
package func checkedZipLoop(_ n: Int, _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>,
  _ f: (Double, Double) -> Double) -> UInt64 {
  var bad: UInt64 = 0
  for i in 0..<n {
    let r = f(a[i], b[i])
    out[i] = r
    bad |= nonFiniteBits(r)
  }
  return bad
}

/// Whether some present row has a non-finite result from finite inputs `x` (and `y` when given):
/// the exact test, run only on chunks where the loop's flag is up (an overflow, a non-finite
/// input, or a division by zero), branch-free so that such chunks stay cheap.
package func overflowedRow(_ n: Int, _ out: UnsafePointer<Double>, _ valid: UnsafePointer<UInt8>?, _ active: UnsafePointer<UInt8>,
  _ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>? = nil) -> Bool {
  @inline(__always) func finite(_ v: Double) -> UInt8 { v.isFinite ? 1 : 0 }
  let y = y ?? x
  let valid = valid ?? UnsafePointer(allValid)
  var hit: UInt8 = 0
  for i in 0..<n { hit |= valid[i] & active[i] & (finite(out[i]) ^ 1) & finite(x[i]) & finite(y[i]) }
  return hit != 0
}

/// Whether `x op c` can overflow for some finite `x`: not when the constant cannot push a finite
/// value past the float range (`x * 1.1` can, `x * 0.5`, `x / 100` and `x + 2` cannot: an
/// addend below half a unit in the last place of the largest float, about 1e292, rounds away),
/// so the commonest shapes skip the check.
package func constantCanOverflow(_ op: ArithmeticOp, _ c: Double) -> Bool {
  guard c.isFinite else { return true }
  switch op {
  case .add, .subtract: return c.magnitude >= 1e291
  case .multiply: return c.magnitude > 1
  case .divide: return c.magnitude < 1
  case .remainder: return false
  }
}

extension ArithmeticOp {
  /// The operator as written, in backquotes (for messages).
  package var symbol: String {
    switch self {
    case .add: return "`+`"
    case .subtract: return "`-`"
    case .multiply: return "`*`"
    case .divide: return "`/`"
    case .remainder: return "`%`"
    }
  }
}
