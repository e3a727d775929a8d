// The operator of `compare`: runs the pilots' values, then the peers' figures (whose ranks
// need those values), with the ordinary operators, and pivots them into the comparison table
// of SPEC §5; announces the peer group.

import TerrainStorage
import TerrainSyntax
import TerrainIO
import TerrainPlanner

extension CompareStep: PhysicalStep {
  package func run(_ input: Relation, _ executor: Executor) throws -> Relation {
    let cancel = executor.cancel
    // 1. The pilots' values, per pilot (in `pilots` order) per indicator; null for a key no
    //    longer in the table.
    let pilotTable = try executor.run(pilotValuesSteps.map(\.0), on: input).materialize(cancel: cancel)
    var rowOfKey: [Value: Int] = [:]
    for r in 0..<pilotTable.rowCount where rowOfKey[pilotTable.columns[0].value(at: r)] == nil {
      rowOfKey[pilotTable.columns[0].value(at: r)] = r
    }
    let pilotValues = pilots.keys.map { k -> [Value] in
      guard let r = rowOfKey[k] else { return indicators.map { _ in .null } }
      return indicators.indices.map { pilotTable.columns[$0 + 1].value(at: r) }
    }
    // 2. One aggregate over the peers, comparing them with those values.
    let peers = peerSteps { p, i in
      let v = pilotValues[p][i]
      return v.isNull ? nil : .constant(v, indicators[i].expr.type)
    }
    let stats = try executor.run(peers.steps.map(\.0), on: input).materialize(cancel: cancel)
    let peerFilter = peerFilterSteps.map(\.0)
    let peerCount = try peerFilter.isEmpty ? input.rowCount : executor.run(peerFilter, on: input).rowCount
    // The pilots that are not peers themselves: their rank is the one they would have among them.
    var outside: [Int] = []
    if let among = pilotsAmongPeersSteps {
      let inside = try executor.run(among.map(\.0), on: input).materialize(cancel: cancel)
      let peerKeys = Set((0..<inside.rowCount).map { inside.columns[0].value(at: $0) })
      outside = pilots.keys.indices.filter { rowOfKey[pilots.keys[$0]] != nil && !peerKeys.contains(pilots.keys[$0]) }
    }

    // 3. The pivot: one row per indicator.
    let fields = outputFields
    let builders = fields.map { ColumnBuilder(type: $0.type) }
    func stat(_ i: Int) -> Value { stats.columns[i].value(at: 0) }
    for (i, indicator) in peers.stats.enumerated() {
      try builders[0].append(text: indicator.name)
      let n = stat(indicator.count)
      for (p, value) in pilotValues.enumerated() {
        let v = value[i]
        try builders[1 + 3 * p].append(valueType == .float ? (v.numeric.map(Value.float) ?? .null) : v)
        if let better = indicator.better[p], case .int(let b) = stat(better), case .int(let count) = n, count > 0 {
          try builders[2 + 3 * p].append(.int(b + 1))
          // A pilot outside the peers is ranked as if it were one of them: among N + 1.
          try builders[3 + 3 * p].append(.int(outside.contains(p) ? count + 1 : count))
        } else {
          try builders[2 + 3 * p].appendNull()
          try builders[3 + 3 * p].appendNull()
        }
      }
      let base = 1 + 3 * pilots.displayNames.count
      try builders[base].append(stat(indicator.median))
      for (k, column) in [indicator.min, indicator.max].enumerated() {
        let v = stat(column)
        try builders[base + 1 + k].append(valueType == .float ? (v.numeric.map(Value.float) ?? .null) : v)
      }
      let pooled = try ExpressionCompiler.evaluateConstant(
        ExpressionCompiler.fold(indicator.pooled.replacingColumns { c, t in .constant(indicator.sums[c].map(stat) ?? .null, t) }))
      try builders[base + 3].append(pooled.numeric.map(Value.float) ?? .null)
    }
    var line = DiagnosticText.comparePeers(formatCount(indicators.count, .oneIndicatorCount, .indicatorsCount),
      formatCount(peerCount, .oneRowCount, .rowsCount), pilots.tableName).string
    let outsideNames = outside.compactMap { pilots.displayNames.indices.contains($0) ? pilots.displayNames[$0] : nil }
    if !outsideNames.isEmpty {
      line += DiagnosticText.compareOutsidePeers(outsideNames.joined(separator: ", ")).string
    }
    executor.notify?(line + "\n")
    return Relation(table: Table(fields: fields, columns: builders.map { $0.finish() }, rowCount: indicators.count), name: "compare")
  }

  package func explain(_ input: [String]) -> [String] {
    let p = pilots.keys.count
    let k = indicators.count
    return ["Compare \(p) pilot\(p == 1 ? "" : "s") on \(k) indicator\(k == 1 ? "" : "s"): two plans over these rows, "
      + "pivoted into one row per indicator"]
  }

  /// The two sub-plans, the peers compared with `‹indicator of pilot›` (the pilot's value,
  /// known when the first has run).
  package func explainDetails(_ input: [String]) -> [String] {
    // Every step of both reads the input's columns (a filter keeps them).
    func steps(_ s: [(PlanStep, [Field])], _ names: [String]) -> [String] {
      explainSteps(s.map { ($0.0, names) }, depth: 1).lines
    }
    // The pilots' values as columns after the input's, for the lines only.
    var names = input
    let peers = peerSteps { p, i in
      names.append("‹\(indicators[i].name) of \(pilots.displayNames.indices.contains(p) ? pilots.displayNames[p] : "pilot \(p + 1)")›")
      return .column(names.count - 1, indicators[i].expr.type)
    }
    return ["1. the pilots' values"] + steps(pilotValuesSteps, input)
      + ["2. the peers' figures (median, min, max, count, rows better than each pilot, sums for pooled)"] + steps(peers.steps, names)
  }
}
