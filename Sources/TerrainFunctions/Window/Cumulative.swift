import TerrainStorage
import TerrainSyntax
import TerrainPlanner
import TerrainExecution

/// `cumsum(x)`, `cummin(x)`, `cummax(x)`: running total / minimum / maximum from the group's
/// first row to this one in the window's order, row by row (ties one at a time), nulls skipped
/// (null until the first value).
struct Cumulative: WindowFunctionDefinition, WindowKernelBuilder {
  enum Kind { case sum, min, max }
  let name: String
  let help: FunctionHelp
  let kind: Kind

  static let cumsum = Cumulative(name: "cumsum",
    help: FunctionHelp("cumsum(x)", "running total in the window's order, nulls skipped (overflow of ints is an error)",
      example: "from communes | derive cumul = cumsum(population) by code_departement sort population desc | take 3"),
    kind: .sum)
  static let cummin = Cumulative(name: "cummin",
    help: FunctionHelp("cummin(x)", "running minimum in the window's order, nulls skipped",
      example: "from communes | derive plus_petite = cummin(population) by code_departement sort nom | take 3"),
    kind: .min)
  static let cummax = Cumulative(name: "cummax",
    help: FunctionHelp("cummax(x)", "running maximum in the window's order, nulls skipped",
      example: "from communes | derive record = cummax(population) by code_departement sort nom | take 3"),
    kind: .max)

  func bind(_ call: WindowCall) throws -> BoundWindowCall {
    try call.arity(1...1)
    let x = kind == .sum ? try call.numeric(0) : try call.any(0)
    return BoundWindowCall(args: [x], type: x.type)
  }

  func makeWindowKernel(_ spec: WindowSpec, arguments: [Column], rowCount: Int) throws -> WindowKernel {
    guard let x = arguments.first else { throw Diagnostic(.windowNoArgument, name, at: spec.span) }
    let kernel = try makeKernel(spec, x, rowCount)
    kernel.owner = x
    return kernel
  }

  private func makeKernel(_ spec: WindowSpec, _ x: Column, _ rowCount: Int) throws -> RunningKernelBase {
    let valid = x.validity.map { UnsafePointer($0.base) }
    let overflow = Diagnostic(.cumsumOverflow, at: spec.span, label: .overflows, help: .cumsumOfFloats)
    switch (kind, x.values) {
    case (.sum, .int(let b)):
      return try RunningKernel(b, valid, rowCount, zero: 0, wrap: { .int($0) }, overflow: overflow) { a, v, o in
        let (r, over) = a.addingReportingOverflow(v)
        if over { o = true }
        return r
      }
    case (.sum, .float(let b)):
      return try RunningKernel(b, valid, rowCount, zero: 0, wrap: { .float($0) }) { a, v, _ in a + v }
    case (.min, .int(let b)), (.max, .int(let b)):
      let m = kind == .max
      return try RunningKernel(b, valid, rowCount, zero: 0, wrap: { .int($0) }) { a, v, _ in (m ? v > a : v < a) ? v : a }
    case (.min, .date(let b)), (.max, .date(let b)):
      let m = kind == .max
      return try RunningKernel(b, valid, rowCount, zero: 0, wrap: { .date($0) }) { a, v, _ in (m ? v > a : v < a) ? v : a }
    case (.min, .float(let b)), (.max, .float(let b)):
      let m = kind == .max
      return try RunningKernel(b, valid, rowCount, zero: 0, wrap: { .float($0) }, skipNaN: true) { a, v, _ in (m ? v > a : v < a) ? v : a }
    case (.min, .bool(let b)), (.max, .bool(let b)):
      let m = kind == .max
      return try RunningKernel(b, valid, rowCount, zero: 0, wrap: { .bool($0) }) { a, v, _ in m ? Swift.max(a, v) : Swift.min(a, v) }
    case (_, .text(let codes, let dict)):
      // Codes compared by their rank in the session's collation (the order `sort` uses).
      let ranks = dict.sortRanks(spec.collation)
      let m = kind == .max
      return try RunningKernel(codes, valid, rowCount, zero: 0, wrap: { .text($0, dict) }) { a, v, _ in
        let ra = Int(a) < ranks.count ? ranks[Int(a)] : 0
        let rv = Int(v) < ranks.count ? ranks[Int(v)] : 0
        return (m ? rv > ra : rv < ra) ? v : a
      }
    default:
      throw Diagnostic(.windowCannotTake, name, "\(x.type)", at: spec.span)
    }
  }
}

/// A running value per partition in window order: the first present value, then
/// `combine(running, value)` at each present value; rows before the first are null.
class RunningKernelBase: WindowKernel {
  /// The argument column, kept alive while the kernel points into it.
  var owner: Column?
  func compute(_ partitions: Range<Int>, _ order: WindowOrder) throws {}
  func finish() -> Column { Column.empty(.int) }
}

final class RunningKernel<T>: RunningKernelBase {
  let input: UnsafeMutablePointer<T>
  let valid: UnsafePointer<UInt8>?
  let out: WindowOutput<T>
  let wrap: (ColumnBuffer<T>) -> ColumnValues
  let overflow: Diagnostic?
  let skipNaN: Bool
  let combine: (T, T, inout Bool) -> T

  init(_ input: ColumnBuffer<T>, _ valid: UnsafePointer<UInt8>?, _ n: Int, zero: T, wrap: @escaping (ColumnBuffer<T>) -> ColumnValues,
    overflow: Diagnostic? = nil, skipNaN: Bool = false, combine: @escaping (T, T, inout Bool) -> T) throws {
    self.input = input.base
    self.valid = valid
    out = try WindowOutput(count: n, zero: zero)
    self.wrap = wrap
    self.overflow = overflow
    self.skipNaN = skipNaN
    self.combine = combine
  }

  override func compute(_ partitions: Range<Int>, _ order: WindowOrder) throws {
    let rows = order.rows
    var overflowed = false
    for p in partitions {
      var seen = false
      var running = input[0]
      for j in order.positions(p) {
        let r = Int(rows[j])
        var present = valid.map { $0[r] != 0 } ?? true
        if present, skipNaN, let d = input[r] as? Double, d.isNaN { present = false }
        if present {
          running = seen ? combine(running, input[r], &overflowed) : input[r]
          seen = true
        }
        if seen { out.values[r] = running } else { out.validity[r] = 0 }
      }
      if overflowed, let overflow { throw overflow }
    }
  }

  override func finish() -> Column { out.finish(wrap) }
}
