// Charts drawn in the terminal with block characters, fitted to a width: horizontal bars in
// eighths of a cell (▏▎▍▌▋▊▉█), vertical columns in eighths (▁▂▃▄▅▆▇█), lines and dots on a
// grid of quarter cells (▘▝▖▗ and their combinations). Negative values grow from a zero axis
// (to the left or down, in half cells: the block characters have no finer steps that way).

import TerrainStorage
import TerrainSyntax

/// Most bars a terminal bar chart draws (one line each); the rest are left out with a note.
package let terminalBarLimit = 100

/// The digit-group separator of numbers in terminal charts: the thin space of the tables.
private let terminalGroup = String(thinSpace)

/// The lines of `data` drawn with block characters in `width` columns (at least 20); `height`
/// is the plot's number of lines for column, line and scatter charts (default 12). Every line
/// ends with `\n`. Labels and the title are cut with `…` to fit, their control characters escaped.
package func drawTerminalChart(_ data: ChartData, width: Int, height: Int? = nil) -> ChartDrawing {
  let width = max(20, min(width, chartSizeLimit))
  let height = max(3, min(height ?? 12, chartSizeLimit))
  var drawing: ChartDrawing
  switch data.kind {
  case .bar, .map: drawing = terminalBars(data, width: width)
  case .column: drawing = terminalColumns(data, width: width, height: height)
  case .line, .scatter: drawing = terminalPlot(data, width: width, height: height)
  }
  let title = truncateToWidth(escapeControls(data.title), width)
  drawing.text = ([title] + drawing.text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { trimmedRight(String($0)) })
    .map { $0 + "\n" }.joined()
  return drawing
}

private func trimmedRight(_ s: String) -> String {
  var t = Substring(s)
  while t.last == " " { t = t.dropLast() }
  return String(t)
}

/// `s` padded with spaces to `width` cells, on the right (`left`) or on the left.
private func padded(_ s: String, _ width: Int, left: Bool = true) -> String {
  let fill = String(repeating: " ", count: max(0, width - displayWidth(s)))
  return left ? s + fill : fill + s
}

private let leftEighths = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
private let lowerEighths = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

/// A bar growing right over `length` cells (at most `room`), in eighths; a value that is not
/// zero shows at least one eighth.
private func rightwardBar(_ length: Double, room: Int) -> String {
  guard length > 0, room > 0 else { return "" }
  let eighths = clampedInt(length * 8, 1...(room * 8))
  return String(repeating: "█", count: eighths / 8) + leftEighths[eighths % 8]
}

/// Exactly `room` cells: a bar growing left from the right edge over `length` cells, in halves.
private func leftwardBar(_ length: Double, room: Int) -> String {
  guard room > 0 else { return "" }
  let halves = length > 0 ? clampedInt(length * 2, 1...(room * 2)) : 0
  let used = halves / 2 + halves % 2
  return String(repeating: " ", count: room - used) + (halves % 2 == 1 ? "▐" : "") + String(repeating: "█", count: halves / 2)
}

// MARK: bars

private func terminalBars(_ data: ChartData, width: Int) -> ChartDrawing {
  let n = min(data.count, terminalBarLimit)
  guard n > 0 else { return ChartDrawing(text: "", drawn: 0) }
  let ys = Array(data.ys.prefix(n))
  let decimals = chartDecimals(ys)
  let values = ys.map { frenchNumber($0, decimals: decimals, group: terminalGroup) }
  let labels = data.labels.prefix(n).map { escapeControls($0) }
  let valueWidth = values.map(displayWidth).max() ?? 0
  var labelWidth = min(labels.map(displayWidth).max() ?? 0, max(6, width / 3))
  // label, space, [negative side], axis, positive side, space, value; on a narrow terminal
  // the labels are cut further, then the values left out, so that bars keep some room.
  var cells = width - labelWidth - 3 - valueWidth
  if cells < 6 {
    labelWidth = max(3, labelWidth - (6 - cells))
    cells = width - labelWidth - 3 - valueWidth
  }
  let showValues = cells >= 6
  if !showValues { cells = max(2, width - labelWidth - 2) }
  let lo = min(0, ys.min() ?? 0)
  let hi = max(0, ys.max() ?? 0)
  let span = hi > lo ? hi - lo : 1
  let negativeCells = lo < 0 ? clampedInt(Double(cells) * (-lo / span), 1...max(1, cells - 1)) : 0
  let scale = Double(cells) / span
  var out = ""
  for i in 0..<n {
    let v = ys[i]
    var line = padded(truncateToWidth(labels[i], labelWidth), labelWidth) + " "
    if negativeCells > 0 { line += leftwardBar(v < 0 ? -v * scale : 0, room: negativeCells) }
    line += "│" + rightwardBar(v > 0 ? v * scale : 0, room: cells - negativeCells) + (showValues ? " " + values[i] : "")
    out += line + "\n"
  }
  return ChartDrawing(text: out, drawn: n)
}

// MARK: columns

/// The Y axis drawn left of a plot: each tick's label on the line nearest its value.
private struct TerminalYAxis {
  var labels: [Int: String] = [:]
  var width = 0

  /// `row(t)` gives the line of tick value `t` (nil: off the plot); a line keeps its first
  /// label; labels are cut to `widest` cells.
  init(_ axis: ChartAxis, rows: Int, widest: Int, row: (Double) -> Int?) {
    for t in axis.ticks {
      guard let r = row(t.value), r >= 0, r < rows, labels[r] == nil else { continue }
      labels[r] = truncateToWidth(t.label, widest)
    }
    width = labels.values.map(displayWidth).max() ?? 0
  }

  /// The start of line `r`: the label right-aligned, then the axis (with a tick mark on labelled lines).
  func prefix(_ r: Int) -> String {
    guard let l = labels[r] else { return String(repeating: " ", count: width) + " │" }
    return padded(l, width, left: false) + " ┤"
  }

  /// The bottom line: `label` (the zero of a column chart) right-aligned, the axis's corner,
  /// then `rule`.
  func bottom(_ rule: String, label: String = "") -> String { padded(label, width, left: false) + " └" + rule }
}

private func terminalColumns(_ data: ChartData, width: Int, height: Int) -> ChartDrawing {
  guard data.count > 0 else { return ChartDrawing(text: "", drawn: 0) }
  let all = numericAxis(data.ys, count: max(2, height / 3), zero: true, group: terminalGroup)
  let labelGuess = min(width / 2, all.ticks.map { displayWidth($0.label) }.max() ?? 0)
  let plotWidth = max(4, width - labelGuess - 2)
  let n = min(data.count, plotWidth / 2)
  let ys = Array(data.ys.prefix(n))
  let axis = n == data.count ? all : numericAxis(ys, count: max(2, height / 3), zero: true, group: terminalGroup)
  let slot = min(12, plotWidth / n)
  let columnWidth = max(1, slot - 1 - slot / 4)
  let unit = (axis.hi - axis.lo) / Double(height)
  // Lines above the zero line (the positive side), the rest below it.
  let above = clampedInt(axis.hi / unit, 0...height)
  let yAxis = TerminalYAxis(axis, rows: height, widest: labelGuess) { t in
    t >= 0
      ? above - 1 - clampedInt(t / unit - 1e-9, -1...height, .down) : above + clampedInt(-t / unit - 1e-9, 0...height, .down)
  }
  // The zero line is the bottom axis when no value is negative: its label goes there.
  let zeroOnAxis = above == height && yAxis.labels[height - 1] == nil
  var out = ""
  for r in 0..<height {
    var line = yAxis.prefix(r)
    for v in ys {
      var cell = " "
      if r < above, v > 0 {
        let base = Double(above - r - 1) * unit
        let eighths = clampedInt((v - base) / unit * 8, 0...8)
        cell = eighths == 0 && r == above - 1 ? "▁" : lowerEighths[eighths]
      } else if r >= above, v < 0 {
        let top = -Double(r - above) * unit
        let halves = clampedInt((top - v) / unit * 2, 0...2)
        cell = halves == 2 ? "█" : halves == 1 ? "▀" : (r == above ? "▔" : " ")
      }
      line += String(repeating: cell, count: columnWidth) + String(repeating: " ", count: slot - columnWidth)
    }
    out += line + "\n"
  }
  out += yAxis.bottom(String(repeating: "─", count: slot * n), label: zeroOnAxis ? "0" : "") + "\n"
  let indent = String(repeating: " ", count: yAxis.width + 2)
  let labels = data.labels.prefix(n).map { escapeControls($0) }
  if labels.allSatisfy({ displayWidth($0) <= slot - 1 }) {
    out += indent + labels.map { padded($0, slot) }.joined() + "\n"
  } else {
    // Numbers under the columns (every k-th when they do not fit) and a legend below.
    let keyWidth = String(n).count
    let every = max(1, (keyWidth + 1 + slot - 1) / slot)
    var keys = ""
    for i in 0..<n {
      let key = String(i + 1)
      if i % every == 0 && displayWidth(keys) <= i * slot { keys += padded("", i * slot - displayWidth(keys)) + key }
    }
    out += indent + keys + "\n"
    out += legend(labels, width: width)
  }
  return ChartDrawing(text: out, drawn: n)
}

/// `1 label  2 label …` packed in lines of `width`, each entry cut to half the width.
private func legend(_ labels: [String], width: Int) -> String {
  var out = ""
  var line = ""
  for (i, l) in labels.enumerated() {
    let entry = "\(i + 1) " + truncateToWidth(l, max(8, width / 2))
    if !line.isEmpty && displayWidth(line) + 2 + displayWidth(entry) > width {
      out += line + "\n"
      line = ""
    }
    line += (line.isEmpty ? "" : "  ") + entry
  }
  return out + line + "\n"
}

// MARK: lines and dots

/// The quarter-cell characters, indexed by the quarters set: top left 1, top right 2, bottom
/// left 4, bottom right 8.
private let quadrants = [" ", "▘", "▝", "▀", "▖", "▌", "▞", "▛", "▗", "▚", "▐", "▜", "▄", "▙", "▟", "█"]

private func terminalPlot(_ data: ChartData, width: Int, height: Int) -> ChartDrawing {
  guard data.count > 0 else { return ChartDrawing(text: "", drawn: 0) }
  let yAxisValues = numericAxis(data.ys, count: max(2, height / 3), zero: false, group: terminalGroup)
  let labelGuess = min(width / 2, yAxisValues.ticks.map { displayWidth($0.label) }.max() ?? 0)
  let plotWidth = max(8, width - labelGuess - 2)
  let xs = xAxis(data, count: max(2, plotWidth / 14), group: terminalGroup)
  let (dotsWide, dotsHigh) = (plotWidth * 2, height * 2)
  func column(_ x: Double) -> Int { clampedInt(xs.fraction(x) * Double(dotsWide - 1), 0...(dotsWide - 1)) }
  func row(_ y: Double) -> Int { clampedInt((1 - yAxisValues.fraction(y)) * Double(dotsHigh - 1), 0...(dotsHigh - 1)) }
  var grid = [UInt8](repeating: 0, count: plotWidth * height)
  func set(_ px: Int, _ py: Int) {
    grid[(py / 2) * plotWidth + px / 2] |= UInt8(1 << ((py % 2) * 2 + px % 2))
  }
  let points = (0..<data.count).map { (column(data.xs[$0]), row(data.ys[$0])) }
  if data.kind == .scatter {
    for (px, py) in points { set(px, py) }
  } else {
    // Joined in X order (rows with the same X keep theirs).
    let order = (0..<data.count).sorted { (data.xs[$0], $0) < (data.xs[$1], $1) }
    for (k, i) in order.enumerated() {
      let (x1, y1) = points[i]
      guard k > 0 else {
        set(x1, y1)
        continue
      }
      var (x, y) = points[order[k - 1]]
      // Bresenham from the previous point to this one.
      let (dx, dy) = (abs(x1 - x), -abs(y1 - y))
      let (sx, sy) = (x < x1 ? 1 : -1, y < y1 ? 1 : -1)
      var err = dx + dy
      while true {
        set(x, y)
        if x == x1 && y == y1 { break }
        let e2 = 2 * err
        if e2 >= dy {
          err += dy
          x += sx
        }
        if e2 <= dx {
          err += dx
          y += sy
        }
      }
    }
  }
  let yAxis = TerminalYAxis(yAxisValues, rows: height, widest: labelGuess) { row($0) / 2 }
  var out = ""
  for r in 0..<height {
    out += yAxis.prefix(r) + grid[(r * plotWidth)..<((r + 1) * plotWidth)].map { quadrants[Int($0)] }.joined() + "\n"
  }
  // The X axis: a tick mark under each labelled tick, labels centred on it, thinned so that
  // they keep a space between them.
  var rule = Array(repeating: "─", count: plotWidth)
  var labels = ""
  for t in xs.ticks {
    let c = column(t.value) / 2
    let w = displayWidth(t.label)
    let start = min(plotWidth - w, max(0, c - w / 2))
    guard start >= 0, labels.isEmpty || start >= displayWidth(labels) + 1 else { continue }
    rule[c] = "┬"
    labels += padded("", start - displayWidth(labels)) + t.label
  }
  out += yAxis.bottom(rule.joined()) + "\n"
  let indent = String(repeating: " ", count: yAxis.width + 2)
  out += indent + labels + "\n"
  let name = escapeControls(data.xName)
  out += padded(truncateToWidth(name, width), width, left: false) + "\n"
  return ChartDrawing(text: out, drawn: data.count)
}
