// Kernels for + - * / % and unary minus, with overflow detection and x / 0 = null.
//
// Overflow rule, the same for ints and floats, operators, functions and aggregates: an
// operation whose present inputs fit but whose result does not is an error at its span. For
// floats, "does not fit" means the result is ±inf or NaN while every input was finite; a
// non-finite input (which only a hand-built table can hold) goes through as IEEE says.

import TerrainStorage
import TerrainSyntax
import TerrainPlanner
import CVectorKernels

extension ExpressionCompiler {
  package func arithmeticKernel(_ op: ArithmeticOp, _ a: BoundExpr, _ b: BoundExpr, type: DataType, span: Span) throws -> Kernel {
    if type == .date { return try dateArithmeticKernel(op, a, b, span: span) }
    let fail = failures(at: span)
    let ka = try compile(a)
    if type == .float {
      if case .constant(.float(let c), _) = b, op != .divide || c != 0, op != .remainder {
        // Column op constant: the common shape (`surface * 1.1`).
        let checked = constantCanOverflow(op, c)
        return unary(ka, Double.self) { n, x, o in
          let xa = x.floats()
          let out = o.values
          var bad: UInt64 = 0
          if let vectorOp = op.vectorKernelOp {
            // AVX2 when the processor has it; the flag only matters when `c` can overflow.
            let flag = terrain_f64_map_constant(vectorOp, n, xa, c, out)
            if checked { bad = flag }
          } else {
            mapLoop(n, xa, out) { $0.truncatingRemainder(dividingBy: c) }
          }
          try fail.checkFloat(bad, n, out, x.validity, xa, what: op.symbol)
          return x.validity
        }
      }
      return binary(ka, try compile(b), Double.self) { n, x, y, validIn, o in
        let xa = x.floats()
        let yb = y.floats()
        let out = o.values
        var valid = validIn
        var bad: UInt64 = 0
        if let vectorOp = op.vectorKernelOp {
          // AVX2 when the processor has it. For `/`, rows x / 0 raise the flag too; the exact
          // test below leaves them out (they are null).
          bad = terrain_f64_zip(vectorOp, n, xa, yb, out)
          // x / ±0 is never finite (±inf or NaN), so without the flag no divisor is zero.
          if op == .divide, bad != 0 { valid = nullWhereZero(n, valid, yb, into: o.validity) }
        } else {
          zipLoop(n, xa, yb, out) { $1 == 0 ? 0 : $0.truncatingRemainder(dividingBy: $1) }
          valid = nullWhereZero(n, valid, yb, into: o.validity)
        }
        try fail.checkFloat(bad, n, out, valid, xa, yb, what: op.symbol)
        return valid
      }
    }
    return binary(ka, try compile(b), Int64.self) { n, x, y, validIn, o in
      let xa = x.ints()
      let yb = y.ints()
      let out = o.values
      var valid = validIn
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
        valid = nullWhereZero(n, valid, yb, into: o.validity)
      }
      try fail.check(overflow, n, valid, fail.overflow()) { i in
        switch op {
        case .add: return (xa[i] ^ out[i]) & (yb[i] ^ out[i]) < 0
        case .subtract: return (xa[i] ^ yb[i]) & (xa[i] ^ out[i]) < 0
        case .multiply: return xa[i].multipliedReportingOverflow(by: yb[i]).overflow
        case .remainder, .divide: return false
        }
      }
      return valid
    }
  }

  package func negateKernel(_ ka: @escaping Kernel, type: DataType, span: Span) -> Kernel {
    if type == .float {
      return unary(ka, Double.self) { n, x, o in
        mapLoop(n, x.floats(), o.values) { -$0 }
        return x.validity
      }
    }
    let fail = failures(at: span)
    return unary(ka, Int64.self) { n, x, o in
      let xa = x.ints()
      let out = o.values
      var overflow: UInt64 = 0
      for i in 0..<n {
        out[i] = 0 &- xa[i]
        overflow |= (xa[i] == Int64.min ? 1 : 0) & UInt64(x.validity?[i] ?? 1)
      }
      try fail.check(overflow, n, x.validity, fail.overflow()) { xa[$0] == Int64.min }
      return x.validity
    }
  }
}

/// `valid` with the rows where the divisor `y` is 0 made null (`x / 0` and `x % 0`), written to `out`.
@inline(__always)
package func nullWhereZero<T: Numeric>(_ n: Int, _ valid: UnsafePointer<UInt8>?, _ y: UnsafePointer<T>,
  into out: UnsafeMutablePointer<UInt8>) -> UnsafePointer<UInt8> {
  if let v = valid {
    for i in 0..<n { out[i] = v[i] & (y[i] != 0 ? 1 : 0) }
  } else {
    for i in 0..<n { out[i] = y[i] != 0 ? 1 : 0 }
  }
  return UnsafePointer(out)
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
  /// The operation of the float kernels of CVectorKernels, nil for `%` (done in Swift).
  var vectorKernelOp: terrain_f64_op? {
    switch self {
    case .add: return TERRAIN_F64_ADD
    case .subtract: return TERRAIN_F64_SUBTRACT
    case .multiply: return TERRAIN_F64_MULTIPLY
    case .divide: return TERRAIN_F64_DIVIDE
    case .remainder: return nil
    }
  }

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
