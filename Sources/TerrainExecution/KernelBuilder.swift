// The kernel layer: what every kernel shares, written once.
//
// A kernel is a closure called once per chunk. What it does per row is a typed loop written
// inside the per-chunk body given to the builders below, so the only indirect calls are per
// chunk (never per row) and each loop is specialised where it is written. The builders own:
//
// - the output memory (`Output`: one chunk of values and a validity, allocated when the kernel
//   is compiled and kept alive by it — no `Scratch` + `withExtendedLifetime` + `Vec` by hand);
// - the validity of results (`unary`: the input's; `binary`: present where both inputs are;
//   a body may narrow it, e.g. `x / 0` is null);
// - failures (`Failures`): a loop ORs a cheap flag per chunk; only when it is up does the exact
//   test run, and the error is raised at the expression's span only for a present row that is
//   active (inside a branch of `if` / `coalesce`, the rows the branch serves);
// - predicates (`Predicate`): one definition of a condition gives both its value kernel (a bool
//   vector, for `select`) and its mask kernel (for `where`, combined into the caller's mask).

import TerrainStorage
import TerrainSyntax
import TerrainPlanner

/// An input of a kernel: a column (any expression, computed per chunk) or a constant known when
/// the kernel is compiled.
package enum Operand {
  case column(Kernel)
  case constant(Value)
}

/// One chunk of output owned by a kernel: `values` of type `R` and a `validity`, allocated once
/// when the kernel is compiled.
package struct Output<R> {
  package let scratch: Scratch

  package init(_: R.Type = R.self) { scratch = Scratch(elementSize: MemoryLayout<R>.stride) }

  @inline(__always) package var values: UnsafeMutablePointer<R> { scratch.values.assumingMemoryBound(to: R.self) }
  @inline(__always) package var validity: UnsafeMutablePointer<UInt8> { scratch.validity }

  /// The result of a call: `values`, null where `validity` is 0 (nil: no null).
  @inline(__always)
  package func vec(_ validity: UnsafePointer<UInt8>?, dictionary: TextDictionary? = nil) -> Vec {
    withExtendedLifetime(scratch) { Vec(data: UnsafeRawPointer(scratch.values), validity: validity, dictionary: dictionary) }
  }

  /// The result of a call, null where `validity` (this output's own) is 0.
  @inline(__always)
  package func vecOwnValidity(dictionary: TextDictionary? = nil) -> Vec { vec(UnsafePointer(validity), dictionary: dictionary) }
}

extension Vec {
  /// The values, as `T` (the type of the expression).
  @inline(__always)
  package func values<T>(_: T.Type) -> UnsafePointer<T> { data.assumingMemoryBound(to: T.self) }
}

/// Where and for which rows a kernel that can fail raises its errors: its span, and the rows of
/// the chunk that are active (see `ExpressionCompiler.activeRows`).
package struct Failures {
  package let span: Span
  package let active: UnsafePointer<UInt8>
  /// Whether some rows may be inactive (inside a branch): then a flag computed over every row
  /// needs the exact test.
  package let inBranch: Bool

  /// Throws `error()` when the loop's cheap `flag` (over present rows) is up and, inside a
  /// branch, some present active row `i` has `failed(i)`.
  @inline(__always)
  package func check(_ flag: UInt64, _ n: Int, _ valid: UnsafePointer<UInt8>?, _ error: @autoclosure () -> Error,
    _ failed: (Int) -> Bool) throws {
    if flag != 0, !inBranch || failsOnActiveRow(n, valid, active, failed) { throw error() }
  }

  /// Throws a float overflow of `what` when the loop's non-finite flag is up and some present
  /// active row has a non-finite result from finite inputs `x` (and `y`).
  @inline(__always)
  package func checkFloat(_ flag: UInt64, _ n: Int, _ out: UnsafePointer<Double>, _ valid: UnsafePointer<UInt8>?,
    _ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>? = nil, what: @autoclosure () -> String) throws {
    if flag != 0, overflowedRow(n, out, valid, active, x, y) { throw floatOverflow(what()) }
  }

  /// Whether row `i` counts (present and active).
  @inline(__always)
  package func counts(_ i: Int, _ valid: UnsafePointer<UInt8>?) -> Bool { (valid?[i] ?? 1) & active[i] != 0 }

  /// An int result does not fit in 64 bits.
  package func overflow() -> Diagnostic {
    Diagnostic(.integerOverflow, at: span, label: .overflows, help: .computeInFloats)
  }

  /// A float converted to an int does not fit (or is NaN).
  package func floatToInt() -> Diagnostic {
    Diagnostic(.floatNotInteger, at: span, label: .intFailsHere)
  }

  /// A float result (of `what`: "`*`", "`exp`") is not finite although the inputs were.
  package func floatOverflow(_ what: String) -> Diagnostic {
    Diagnostic(.floatOverflow, what, at: span, label: .overflows, help: .scaleValuesDown)
  }
}

/// A condition over rows `[start, start + count)` written as truth values: 1 where it is true,
/// 0 where it is false or null, combined into `out` as `combine` says. Returns the validity of
/// the condition's value (nil: never null), for its value kernel.
package typealias TruthKernel = (_ start: Int, _ count: Int, _ out: UnsafeMutablePointer<UInt8>, _ combine: MaskCombine) throws
  -> UnsafePointer<UInt8>?

/// A bool expression compiled once, used as a value (`kernel`) or as a filter (`mask`).
package enum Predicate {
  /// Written straight into a mask (comparisons with constants, `in`, `not`, `is null`).
  case truth(TruthKernel)
  /// Computed as a bool vector (any other bool expression).
  case value(Kernel)

  /// The bool vector of the condition.
  package var kernel: Kernel {
    switch self {
    case .value(let k): return k
    case .truth(let t):
      let out = Output<UInt8>()
      return { start, n in out.vec(try t(start, n, out.values, .assign)) }
    }
  }

  /// The rows where the condition is true.
  package var mask: MaskKernel {
    switch self {
    case .truth(let t): return { start, n, out, combine in _ = try t(start, n, out, combine) }
    case .value(let k):
      return { start, n, out, combine in
        let x = try k(start, n)
        combineTest(combine, n, x.bytes(), x.validity, out) { $0 }
      }
    }
  }
}

extension ExpressionCompiler {
  /// `e` as an operand: its value when it is a constant, else its kernel.
  package func operand(_ e: BoundExpr) throws -> Operand {
    if let v = e.constantValue { return .constant(v) }
    return .column(try compile(e))
  }

  /// The failures of a kernel at `span` compiled now (for the current active rows).
  package func failures(at span: Span) -> Failures {
    Failures(span: span, active: activeRows, inBranch: isInsideBranch)
  }

  /// A kernel of one input: `body(n, x, out)` fills `out.values` from the chunk `x` and returns
  /// the result's validity (usually `x.validity`; `out.validity` when it wrote its own).
  @inline(__always)
  package func unary<R>(_ ka: @escaping Kernel, _: R.Type,
    _ body: @escaping (_ n: Int, _ x: Vec, _ out: Output<R>) throws -> UnsafePointer<UInt8>?) -> Kernel {
    let out = Output<R>()
    return { start, n in
      let x = try ka(start, n)
      return out.vec(try body(n, x, out))
    }
  }

  /// `unary` giving text: codes into `dictionary`.
  @inline(__always)
  package func unary(_ ka: @escaping Kernel, text dictionary: TextDictionary,
    _ body: @escaping (_ n: Int, _ x: Vec, _ out: Output<UInt32>) throws -> UnsafePointer<UInt8>?) -> Kernel {
    let out = Output<UInt32>()
    return { start, n in
      let x = try ka(start, n)
      return out.vec(try body(n, x, out), dictionary: dictionary)
    }
  }

  /// A kernel of two inputs, null where either is: `body(n, x, y, valid, out)` gets that validity
  /// (nil: none; else possibly `out.validity`) and returns the result's (usually `valid`).
  @inline(__always)
  package func binary<R>(_ ka: @escaping Kernel, _ kb: @escaping Kernel, _: R.Type,
    _ body: @escaping (_ n: Int, _ x: Vec, _ y: Vec, _ valid: UnsafePointer<UInt8>?, _ out: Output<R>) throws -> UnsafePointer<UInt8>?)
    -> Kernel {
    let out = Output<R>()
    return { start, n in
      let x = try ka(start, n)
      let y = try kb(start, n)
      let valid = andValidity(n, x.validity, y.validity, into: out.validity)
      return out.vec(try body(n, x, y, valid, out))
    }
  }
}
