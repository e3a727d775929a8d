import TerrainStorage
import TerrainSyntax
import TerrainPlanner
import TerrainExecution

/// `rolling_sum(x, n)`, `rolling_avg(x, n)`: over this row and the n − 1 rows before it in the
/// group, in the window's order, nulls skipped (null when the frame holds no value).
struct Rolling: WindowFunctionDefinition, WindowKernelBuilder {
  let name: String
  let help: FunctionHelp
  let average: Bool

  static let sum = Rolling(name: "rolling_sum",
    help: FunctionHelp("rolling_sum(x, n)", "sum over this row and the n - 1 before it in the group, nulls skipped",
      example: "from communes | derive s3 = rolling_sum(population, 3) by code_departement sort population desc | take 3"),
    average: false)
  static let avg = Rolling(name: "rolling_avg",
    help: FunctionHelp("rolling_avg(x, n)", "mean over this row and the n - 1 before it in the group, nulls skipped",
      example: "from communes | derive m3 = rolling_avg(population, 3) by code_departement sort nom | take 3"),
    average: true)

  func bind(_ call: WindowCall) throws -> BoundWindowCall {
    try call.arity(2...2)
    let x = try call.numeric(0)
    let n = try call.constantInt(1, minimum: 1, what: .theNumberOfRows)
    return BoundWindowCall(args: [x], parameters: [n], type: average ? .float : x.type)
  }

  func makeWindowKernel(_ spec: WindowSpec, arguments: [Column], rowCount: Int) throws -> WindowKernel {
    guard let x = arguments.first else { throw Diagnostic(.windowNoArgument, name, at: spec.span) }
    return try RollingKernel(x, frame: spec.parameters.first ?? 1, average: average, rowCount: rowCount, span: spec.span)
  }
}

private final class RollingKernel: WindowKernel {
  let x: Column
  let frame: Int
  let average: Bool
  let span: Span
  let ints: WindowOutput<Int64>?
  let floats: WindowOutput<Double>?

  init(_ x: Column, frame: Int, average: Bool, rowCount n: Int, span: Span) throws {
    self.x = x
    self.frame = frame
    self.average = average
    self.span = span
    let intResult = !average && x.type == .int
    ints = intResult ? try WindowOutput(count: n, zero: 0) : nil
    floats = intResult ? nil : try WindowOutput(count: n, zero: 0)
  }

  func compute(_ partitions: Range<Int>, _ order: WindowOrder) throws {
    let rows = order.rows
    let valid = x.validity?.base
    switch x.values {
    case .int(let b):
      // Exact sums in 128 bits: the frame's sum slides (add the new row, remove the one leaving).
      let v = b.base
      for p in partitions {
        let pos = order.positions(p)
        var sum: Int128 = 0
        var count = 0
        for j in pos {
          let r = Int(rows[j])
          if valid?[r] ?? 1 != 0 {
            sum += Int128(v[r])
            count += 1
          }
          let leaving = j - frame
          if leaving >= pos.lowerBound {
            let l = Int(rows[leaving])
            if valid?[l] ?? 1 != 0 {
              sum -= Int128(v[l])
              count -= 1
            }
          }
          if count == 0 {
            (ints?.validity ?? floats?.validity)?[r] = 0
          } else if let ints {
            guard let s = Int64(exactly: sum) else {
              throw Diagnostic(.rollingSumOverflow, at: span, label: .overflows, help: .rollingSumOfFloats)
            }
            ints.values[r] = s
          } else if let floats {
            floats.values[r] = Double(sum) / Double(count)
          }
        }
      }
    case .float(let b):
      // Each frame summed directly when short; a compensated sliding sum when long.
      let v = b.base
      guard let floats else { return }
      for p in partitions {
        let pos = order.positions(p)
        var sum = 0.0
        var compensation = 0.0
        var count = 0
        @inline(__always) func add(_ y: Double) {
          let t = sum + y
          compensation += abs(sum) >= abs(y) ? (sum - t) + y : (y - t) + sum
          sum = t
        }
        for j in pos {
          let r = Int(rows[j])
          var total = 0.0
          var present = 0
          if frame <= 64 {
            for k in max(pos.lowerBound, j - frame + 1)...j {
              let q = Int(rows[k])
              if valid?[q] ?? 1 != 0 {
                total += v[q]
                present += 1
              }
            }
          } else {
            if valid?[r] ?? 1 != 0 {
              add(v[r])
              count += 1
            }
            let leaving = j - frame
            if leaving >= pos.lowerBound {
              let l = Int(rows[leaving])
              if valid?[l] ?? 1 != 0 {
                add(-v[l])
                count -= 1
              }
            }
            total = sum + compensation
            present = count
          }
          if present == 0 {
            floats.validity[r] = 0
          } else {
            floats.values[r] = average ? total / Double(present) : total
          }
        }
      }
    default:
      return
    }
  }

  func finish() -> Column {
    if let ints { return ints.finish { .int($0) } }
    if let floats { return floats.finish { .float($0) } }
    return Column.empty(.float)
  }
}
