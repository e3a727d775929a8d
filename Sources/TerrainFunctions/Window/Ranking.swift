import TerrainStorage
import TerrainSyntax
import TerrainPlanner
import TerrainExecution

/// `row_number()`, `rank()`, `dense_rank()`, `percent_rank()`: positions in the window's order.
struct Ranking: WindowFunctionDefinition, WindowKernelBuilder {
  enum Kind { case rowNumber, rank, denseRank, percentRank }
  let name: String
  let help: FunctionHelp
  let kind: Kind

  static let rowNumber = Ranking(name: "row_number",
    help: FunctionHelp("row_number()", "1, 2, 3… in the window's order (rows that tie keep their input order)",
      example: "from communes | derive n = row_number() by code_departement sort nom | where n == 1 | take 3"),
    kind: .rowNumber)
  static let rank = Ranking(name: "rank",
    help: FunctionHelp("rank()", "rank in the window's order; ties share the smallest rank, with gaps after them",
      example: "from communes | derive r = rank() by code_departement sort population desc | where r <= 3 | take 6"),
    kind: .rank)
  static let denseRank = Ranking(name: "dense_rank",
    help: FunctionHelp("dense_rank()", "rank in the window's order; ties share the smallest rank, without gaps",
      example: "from communes | derive r = dense_rank() by code_departement sort code_region | take 3"),
    kind: .denseRank)
  static let percentRank = Ranking(name: "percent_rank",
    help: FunctionHelp("percent_rank()", "(rank - 1) / (rows in group - 1), 0 for a group of one row",
      example: "from communes | derive p = percent_rank() by code_departement sort population | where p >= 0.99 | take 3"),
    kind: .percentRank)

  var needsPeers: Bool { kind != .rowNumber }

  func bind(_ call: WindowCall) throws -> BoundWindowCall {
    try call.arity(0...0)
    return BoundWindowCall(args: [], type: kind == .percentRank ? .float : .int)
  }

  func makeWindowKernel(_ spec: WindowSpec, arguments: [Column], rowCount: Int) throws -> WindowKernel {
    kind == .percentRank ? try PercentRankKernel(rowCount) : try RankKernel(kind, rowCount)
  }
}

private final class RankKernel: WindowKernel {
  let kind: Ranking.Kind
  let out: WindowOutput<Int64>
  init(_ kind: Ranking.Kind, _ n: Int) throws {
    self.kind = kind
    out = try WindowOutput(count: n, zero: 0)
  }
  func compute(_ partitions: Range<Int>, _ order: WindowOrder) {
    let rows = order.rows
    let v = out.values
    for p in partitions {
      let pos = order.positions(p)
      let s = pos.lowerBound
      switch kind {
      case .rowNumber:
        for j in pos { v[Int(rows[j])] = Int64(j - s + 1) }
      case .rank:
        guard let peers = order.peerStarts else { continue }
        var r: Int64 = 1
        for j in pos {
          if peers[j] != 0 { r = Int64(j - s + 1) }
          v[Int(rows[j])] = r
        }
      default:
        guard let peers = order.peerStarts else { continue }
        var r: Int64 = 0
        for j in pos {
          r += Int64(peers[j])
          v[Int(rows[j])] = r
        }
      }
    }
  }
  func finish() -> Column { out.finish { .int($0) } }
}

private final class PercentRankKernel: WindowKernel {
  let out: WindowOutput<Double>
  init(_ n: Int) throws { out = try WindowOutput(count: n, zero: 0) }
  func compute(_ partitions: Range<Int>, _ order: WindowOrder) {
    guard let peers = order.peerStarts else { return }
    let rows = order.rows
    let v = out.values
    for p in partitions {
      let pos = order.positions(p)
      let s = pos.lowerBound
      let denominator = Double(pos.count - 1)
      var r = 1
      for j in pos {
        if peers[j] != 0 { r = j - s + 1 }
        v[Int(rows[j])] = pos.count == 1 ? 0 : Double(r - 1) / denominator
      }
    }
  }
  func finish() -> Column { out.finish { .float($0) } }
}
