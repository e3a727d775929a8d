import TerrainStorage
import TerrainSyntax
import TerrainPlanner
import TerrainExecution

/// `ntile(n)`: bucket 1…n of nearly equal sizes in the window's order, earlier buckets larger.
struct Ntile: WindowFunctionDefinition, WindowKernelBuilder {
  let name = "ntile"
  let help = FunctionHelp("ntile(n)", "bucket 1…n of nearly equal sizes in the window's order, earlier buckets larger",
    example: "from communes | derive q = ntile(4) by code_departement sort population | where q == 4 | take 3")

  func bind(_ call: WindowCall) throws -> BoundWindowCall {
    try call.arity(1...1)
    return BoundWindowCall(args: [], parameters: [try call.constantInt(0, minimum: 1, what: .theNumberOfBuckets)], type: .int)
  }

  func makeWindowKernel(_ spec: WindowSpec, arguments: [Column], rowCount: Int) throws -> WindowKernel {
    try NtileKernel(buckets: spec.parameters.first ?? 1, rowCount)
  }
}

private final class NtileKernel: WindowKernel {
  let buckets: Int
  let out: WindowOutput<Int64>
  init(buckets: Int, _ n: Int) throws {
    self.buckets = max(1, buckets)
    out = try WindowOutput(count: n, zero: 0)
  }
  func compute(_ partitions: Range<Int>, _ order: WindowOrder) {
    let rows = order.rows
    let v = out.values
    for p in partitions {
      let pos = order.positions(p)
      let m = pos.count
      // The first `extra` buckets hold `size + 1` rows, the others `size`.
      let size = m / buckets
      let extra = m % buckets
      let large = (size + 1) * extra
      for j in pos {
        let i = j - pos.lowerBound
        let bucket = i < large ? i / (size + 1) : extra + (i - large) / max(1, size)
        v[Int(rows[j])] = Int64(bucket + 1)
      }
    }
  }
  func finish() -> Column { out.finish { .int($0) } }
}
