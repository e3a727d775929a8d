// Kernels for the `date` type: days added to or taken from a date, with the result checked
// against the language's range (years 1…9999), as integer overflow is. `d1 - d2` and date
// comparisons need nothing here: dates are `Int64` days, so the integer kernels serve.

import TerrainStorage
import TerrainSyntax
import TerrainPlanner

extension ExpressionCompiler {
  /// The error of a date computation whose result falls outside years 1…9999.
  package func dateOverflowError(_ span: Span) -> Diagnostic {
    Diagnostic(.dateOverflow, at: span, label: .overflows, help: .dateRange)
  }

  /// `d + n`, `d - n` (`a` the date, `b` the days): a date; a present result outside
  /// 0001-01-01…9999-12-31 on a row that is computed is an error at `span`.
  package func dateArithmeticKernel(_ op: ArithmeticOp, _ a: BoundExpr, _ b: BoundExpr, span: Span) throws -> Kernel {
    let ka = try compile(a)
    let kb = try compile(b)
    let active = activeRows
    let inBranch = isInsideBranch
    let scratch = Scratch()
    let out = scratch.ints()
    let outValid = scratch.validity
    let subtract = op == .subtract
    let lo = CalendarDate.minDay
    let hi = CalendarDate.maxDay
    return { start, n in
      let x = try ka(start, n)
      let y = try kb(start, n)
      let xa = x.ints()
      let yb = y.ints()
      let valid = andValidity(n, x.validity, y.validity, into: outValid)
      var bad: UInt64 = 0
      for i in 0..<n {
        // Days are at most ~3.6e6 in magnitude, but `n` is any int: saturate, then range-check.
        let (r, o) = subtract ? xa[i].subtractingReportingOverflow(yb[i]) : xa[i].addingReportingOverflow(yb[i])
        let outside = o || r < lo || r > hi
        out[i] = outside ? 0 : r
        bad |= (outside ? 1 : 0) & UInt64(valid?[i] ?? 1)
      }
      if bad != 0, !inBranch || failsOnActiveRow(n, valid, active, { i in
        let (r, o) = subtract ? xa[i].subtractingReportingOverflow(yb[i]) : xa[i].addingReportingOverflow(yb[i])
        return o || r < lo || r > hi
      }) {
        throw self.dateOverflowError(span)
      }
      return withExtendedLifetime(scratch) { Vec(data: UnsafeRawPointer(out), validity: valid, dictionary: nil) }
    }
  }
}
