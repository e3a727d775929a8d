// The display of `compare` in table mode (SPEC §5, §8): the territories side by side with a
// bar per value, or one block per pilot when the terminal is too narrow for that; the footer
// (indicators, peers, how the bars scale) under it. Other modes and exports get the plain
// comparison table (numeric `<name> rank` and `<name> of` columns, every digit).

import Foundation
import TerrainStorage
import TerrainSyntax
import TerrainIO
import TerrainPlanner

/// The parts of a comparison table (possibly after stages that dropped or reordered columns)
/// and the text of each cell as shown.
struct CompareLayout {
  /// A pilot: its value column and, when kept, its rank and N columns.
  struct Pilot {
    var name: String
    var value: Int
    var rank: Int?
    var of: Int?
  }

  let table: Table
  let pilots: [Pilot]
  let medianColumn: Int
  let minColumn: Int
  let maxColumn: Int
  /// Per row: shared decimals (nil: scientific notation, for scales fixed decimals cannot show).
  let decimals: [Int?]
  /// Per row: a lower value is better (an `asc` indicator).
  let ascending: [Bool]
  /// Per row: the bars place values by rank (the peers are skewed), not linearly.
  let byRank: [Bool]
  let mark: Character

  /// nil when `table` is not a comparison (no `median`, `min` and `max` columns).
  /// `ascendingIndicators` names the `asc` indicators; `fixedDecimals` is `.decimals N`.
  init?(_ table: Table, ascendingIndicators: Set<String>, fixedDecimals: Int?, mark: Character) {
    guard let minI = table.index(of: "min"), let maxI = table.index(of: "max"), let medianI = table.index(of: "median")
    else { return nil }
    self.table = table
    (medianColumn, minColumn, maxColumn, self.mark) = (medianI, minI, maxI, mark)
    let names = table.fields.map(\.name)
    let statistics: Set<String> = ["indicator", "median", "min", "max", "pooled"]
    // A pilot is a numeric column that is not a statistic nor another pilot's rank or N.
    var pilots: [Pilot] = []
    for (c, f) in table.fields.enumerated() where c > 0 && f.type.isNumeric && !statistics.contains(f.name) {
      let isRankOrN = names.contains { other in
        other != f.name && (f.name == CompareStep.rankName(other) || f.name == CompareStep.ofName(other))
      }
      if isRankOrN { continue }
      pilots.append(Pilot(name: f.name, value: c, rank: table.index(of: CompareStep.rankName(f.name)),
        of: table.index(of: CompareStep.ofName(f.name))))
    }
    self.pilots = pilots
    let rows = 0..<table.rowCount
    func number(_ c: Int, _ r: Int) -> Double? { table.columns[c].value(at: r).numeric }
    let numberColumns = pilots.map(\.value) + table.fields.indices.filter {
      [medianI, minI, maxI].contains($0) || table.fields[$0].name == "pooled"
    }
    decimals = rows.map { r -> Int? in
      // Whole numbers show none; the median of whole numbers may end in .5: it alone then
      // shows it (`text`).
      if numberColumns.filter({ $0 != medianI }).compactMap({ number($0, r) })
        .allSatisfy({ $0 == $0.rounded() && Swift.abs($0) < 1e15 }) { return 0 }
      if let fixedDecimals { return fixedDecimals }
      // About four significant digits of the median, or of the largest value when the median
      // is zero (or missing), so that a row whose peers are mostly zero still shows its pilots.
      let median = Swift.abs(number(medianI, r) ?? 0)
      let scale = median > 0 ? median : numberColumns.compactMap { number($0, r) }.map { Swift.abs($0) }.max() ?? 0
      guard scale > 0, scale.isFinite else { return 2 }
      if scale >= 1e15 { return nil }
      let d = 3 - Int(Foundation.log10(scale).rounded(.down))
      return d > 9 ? nil : max(1, d)
    }
    let indicatorNames = rows.map { table.columns[0].value(at: $0).description }
    ascending = indicatorNames.map { ascendingIndicators.contains($0) }
    // Skewed peers: their median in the outer fifth of the range between min and max.
    byRank = rows.map { r in
      guard let lo = number(minI, r), let hi = number(maxI, r), let median = number(medianI, r), hi > lo else { return false }
      let position = (median - lo) / (hi - lo)
      return position < 0.2 || position > 0.8
    }
  }

  func number(_ c: Int, _ r: Int) -> Double? { table.columns[c].value(at: r).numeric }

  /// The text of a number of row `r` in column `c` (nil for a null).
  func text(_ c: Int, _ r: Int) -> String? {
    guard let v = number(c, r) else { return nil }
    guard var d = decimals[r] else { return unsignedZero(String(format: "%.3e", v)) }
    if d == 0 && c == medianColumn && v != v.rounded() { d = 1 }
    return screenNumber(v, decimals: d, mark: mark)
  }

  /// `r/N`, `r` alone when the N column was dropped, nil without a rank.
  func rankText(_ p: Pilot, _ r: Int) -> String? {
    guard let rc = p.rank, case .int(let rank) = table.columns[rc].value(at: r) else { return nil }
    guard let oc = p.of, case .int(let n) = table.columns[oc].value(at: r) else { return "\(rank)" }
    return "\(rank)/\(n)"
  }

  /// Pilot `p`'s values, each padded to the widest and followed by its bar, so bars line up.
  func valuesWithBars(_ p: Pilot) -> [String?] {
    let rows = 0..<table.rowCount
    let shown = rows.map { text(p.value, $0) }
    let width = shown.map { $0.map(displayWidth) ?? 0 }.max() ?? 0
    return rows.map { r in
      guard let s = shown[r], let v = number(p.value, r) else { return nil }
      let padded = String(repeating: " ", count: width - displayWidth(s)) + s + " "
      return padded + bar(p, r, v)
    }
  }

  /// The bar of pilot `p`'s value `v` in row `r`: how good it is among the peers, empty at the
  /// worst and full at the best (the max, or the min for an `asc` indicator), linear between
  /// them, or by rank (full for rank 1, empty for the last) when the peers are skewed.
  func bar(_ p: Pilot, _ r: Int, _ v: Double) -> String {
    // No peer has a value: nothing to place it between.
    guard let lo = number(minColumn, r), let hi = number(maxColumn, r) else { return String(repeating: " ", count: barWidth + 2) }
    if byRank[r], let rc = p.rank, let oc = p.of, case .int(let rank) = table.columns[rc].value(at: r),
      case .int(let n) = table.columns[oc].value(at: r)
    {
      return drawBar(n > 1 ? Double(n - rank) / Double(n - 1) : 1)
    }
    guard hi > lo else { return drawBar(1) }
    let fraction = ascending[r] ? (hi - v) / (hi - lo) : (v - lo) / (hi - lo)
    return drawBar(fraction)
  }

  /// The footer's line saying which indicators' bars are by rank (nil: none).
  var scaleNote: String? {
    let names = table.fields.isEmpty ? [] : (0..<table.rowCount).filter { byRank[$0] }.map { table.columns[0].value(at: $0).description }
    guard !names.isEmpty else { return nil }
    return DiagnosticText.barsByRank(names.joined(separator: ", ")).string
  }

  /// The side-by-side table: `indicator`, per pilot its value with a bar and `… rank` (`r/N`),
  /// then the other columns (median, min, max, pooled) right-aligned; no types row.
  func sideBySide(_ base: RenderOptions) -> (Table, RenderOptions) {
    var builder = TextTableBuilder(base)
    let pilotOf = Dictionary(pilots.map { ($0.value, $0) }, uniquingKeysWith: { a, _ in a })
    let merged = Set(pilots.flatMap { [$0.rank, $0.of].compactMap { $0 } })
    let rows = 0..<table.rowCount
    for (c, f) in table.fields.enumerated() where !merged.contains(c) {
      if c == 0 {
        builder.add(f.name, rows.map { table.columns[0].value(at: $0).description }, rightAligned: false)
      } else if let p = pilotOf[c] {
        builder.add(f.name, valuesWithBars(p), rightAligned: false)
        if p.rank != nil { builder.add("… rank", rows.map { rankText(p, $0) }, rightAligned: true) }
      } else if f.type.isNumeric {
        builder.add(f.name, rows.map { text(c, $0) }, rightAligned: true)
      } else {
        builder.add(f.name, rows.map { table.columns[c].value(at: $0).isNull ? nil : table.columns[c].value(at: $0).description },
          rightAligned: false)
      }
    }
    return builder.finish(rowCount: table.rowCount)
  }

  /// One block per pilot (`indicator`, its value with the bar, `rank`, `median`), then one of
  /// the peers' figures (`median`, `min`, `max`, `pooled`), each under a title line.
  func blocks(_ base: RenderOptions) -> [(title: String, table: Table, options: RenderOptions)] {
    let rows = 0..<table.rowCount
    let indicators = rows.map { table.columns[0].value(at: $0).description }
    var result: [(String, Table, RenderOptions)] = []
    for p in pilots {
      var builder = TextTableBuilder(base)
      builder.add("indicator", indicators, rightAligned: false)
      builder.add("value", valuesWithBars(p), rightAligned: false)
      if p.rank != nil { builder.add("rank", rows.map { rankText(p, $0) }, rightAligned: true) }
      builder.add("median", rows.map { text(medianColumn, $0) }, rightAligned: true)
      let (t, o) = builder.finish(rowCount: table.rowCount)
      result.append((p.name, t, o))
    }
    var builder = TextTableBuilder(base)
    builder.add("indicator", indicators, rightAligned: false)
    for (c, f) in table.fields.enumerated() where [medianColumn, minColumn, maxColumn].contains(c) || f.name == "pooled" {
      builder.add(f.name, rows.map { text(c, $0) }, rightAligned: true)
    }
    let (t, o) = builder.finish(rowCount: table.rowCount)
    result.append((DiagnosticText.peersTitle.string, t, o))
    return result
  }
}

/// Builds a table of text cells for the display, remembering which are right-aligned.
private struct TextTableBuilder {
  var fields: [Field] = []
  var columns: [Column] = []
  var options: RenderOptions

  init(_ base: RenderOptions) {
    options = base
    options.typesRow = false
    options.footer = false
    options.rightAlignedColumns = []
  }

  mutating func add(_ name: String, _ cells: [String?], rightAligned: Bool) {
    if rightAligned { options.rightAlignedColumns.insert(fields.count) }
    fields.append(Field(name: name, type: .text))
    columns.append(Column.from(cells.map { $0.map(Value.text) ?? .null }, type: .text))
  }

  func finish(rowCount: Int) -> (Table, RenderOptions) {
    (Table(fields: fields, columns: columns, rowCount: rowCount), options)
  }
}

/// The cells of a bar, between its two edges.
let barWidth = 6

/// A bar of `barWidth` cells filled to `fraction` (clamped to 0…1) in eighths of a cell.
func drawBar(_ fraction: Double) -> String {
  let f = fraction.isFinite ? max(0, min(1, fraction)) : 0
  let eighths = Int((f * Double(barWidth * 8)).rounded())
  let blocks = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
  var s = String(repeating: "█", count: eighths / 8)
  if eighths % 8 > 0 { s += blocks[eighths % 8] }
  let used = eighths / 8 + (eighths % 8 > 0 ? 1 : 0)
  return "▕" + s + String(repeating: " ", count: max(0, barWidth - used)) + "▏"
}

extension Session {
  /// A comparison as shown in table mode: side by side when it fits the terminal (or there is
  /// no terminal), else one block per pilot; then `footer` (the operator's line: indicators
  /// and peers) and the bars' scale note. nil if `table` is not a comparison.
  func compareDisplay(_ table: Table, ascendingIndicators: Set<String>, footer: String?) -> String? {
    guard let layout = CompareLayout(table, ascendingIndicators: ascendingIndicators,
      fixedDecimals: renderOptions.decimals, mark: renderOptions.decimalMark)
    else { return nil }
    let footerLines = [footer, layout.scaleNote].compactMap { $0 }.map { $0.hasSuffix("\n") ? $0 : $0 + "\n" }.joined()
    let (wide, wideOptions) = layout.sideBySide(renderOptions)
    var unfitted = wideOptions
    unfitted.terminalWidth = nil
    let whole = render(wide, options: unfitted)
    let width = whole.split(separator: "\n", maxSplits: 1).first.map { displayWidth(String($0)) } ?? 0
    guard let terminal = renderOptions.terminalWidth, width > terminal, !layout.pilots.isEmpty else {
      return whole + footerLines
    }
    var out = ""
    for block in layout.blocks(renderOptions) {
      out += (renderOptions.color ? "\u{1B}[1m" + block.title + "\u{1B}[0m" : block.title) + "\n"
      out += render(block.table, options: block.options)
    }
    return out + footerLines
  }
}
