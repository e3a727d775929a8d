// Charts as standalone SVG documents: a title, axes with ticks at round values in French
// number format (`1 234,5`), labels that do not overlap (cut, rotated or thinned by an estimate
// of their width), one colour-blind-safe palette that stays readable in print (Okabe–Ito blue,
// vermillion for negative values, dark grey text on white), and a `<title>` tooltip per bar or
// point. Every text is escaped for XML.

import Foundation
import TerrainStorage

/// The font size of labels and ticks, in pixels, and the width of one character estimated as a
/// fraction of it (generous for sans-serif faces: labels placed with it do not overlap).
package let svgFontSize = 12.0
package let svgCharWidth = 0.6
private let titleSize = 16.0
/// Okabe–Ito blue (positive values, lines, dots) and vermillion (negative values).
package let svgPalette = (main: "#0072B2", negative: "#D55E00", text: "#222222", axis: "#444444", grid: "#DDDDDD")
/// Labels longer than this many characters are cut with `…` (the tooltip keeps them whole).
private let longestLabel = 28
/// Points drawn with a tooltip each; above, a scatter's dots carry none (the file stays small).
private let tooltipLimit = 5_000
private let group = " "

/// The estimated width in pixels of `s` at `size`.
package func svgTextWidth(_ s: String, size: Double = svgFontSize) -> Double { Double(s.count) * size * svgCharWidth }

/// `s` safe inside XML text and attributes: `& < > " '` escaped, characters XML 1.0 forbids
/// (controls other than tab and line breaks) replaced by U+FFFD.
package func xmlEscaped(_ s: String) -> String {
  var out = ""
  out.reserveCapacity(s.utf8.count)
  for u in s.unicodeScalars {
    switch u {
    case "&": out += "&amp;"
    case "<": out += "&lt;"
    case ">": out += "&gt;"
    case "\"": out += "&quot;"
    case "'": out += "&apos;"
    case "\t", "\n", "\r": out.unicodeScalars.append(u)
    default:
      if u.value < 0x20 || u.value == 0xFFFE || u.value == 0xFFFF { out += "\u{FFFD}" } else { out.unicodeScalars.append(u) }
    }
  }
  return out
}

/// A coordinate written with one decimal.
package func px(_ v: Double) -> String {
  let s = String(format: "%.1f", v.isFinite ? v : 0)
  return s.hasSuffix(".0") ? String(s.dropLast(2)) : s
}

/// The SVG document being written.
private struct SVGText {
  var body = ""

  mutating func text(_ s: String, x: Double, y: Double, cls: String, anchor: String = "start", size: Double? = nil,
    rotate: Double? = nil, bold: Bool = false) {
    var attributes = "class=\"\(cls)\" x=\"\(px(x))\" y=\"\(px(y))\""
    if anchor != "start" { attributes += " text-anchor=\"\(anchor)\"" }
    if let size { attributes += " font-size=\"\(px(size))\"" }
    if bold { attributes += " font-weight=\"bold\"" }
    if let rotate { attributes += " transform=\"rotate(\(px(rotate)) \(px(x)) \(px(y)))\"" }
    body += "<text \(attributes)>\(xmlEscaped(s))</text>\n"
  }

  mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, cls: String, stroke: String) {
    body += "<line class=\"\(cls)\" x1=\"\(px(x1))\" y1=\"\(px(y1))\" x2=\"\(px(x2))\" y2=\"\(px(y2))\" stroke=\"\(stroke)\"/>\n"
  }

  mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String, tooltip: String) {
    body += "<rect class=\"bar\" x=\"\(px(x))\" y=\"\(px(y))\" width=\"\(px(max(0, width)))\" height=\"\(px(max(0, height)))\" fill=\"\(fill)\">"
      + "<title>\(xmlEscaped(tooltip))</title></rect>\n"
  }

  /// The whole document: `width` × `height` pixels, a white background, `title` at the top.
  func document(width: Double, height: Double, title: String) -> String {
    let shown = cutText(title, Int((width - 20) / (titleSize * svgCharWidth)))
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      + "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(px(width))\" height=\"\(px(height))\" viewBox=\"0 0 \(px(width)) \(px(height))\" "
      + "font-family=\"DejaVu Sans, Arial, Helvetica, sans-serif\" font-size=\"\(px(svgFontSize))\" fill=\"\(svgPalette.text)\">\n"
      + "<title>\(xmlEscaped(title))</title>\n"
      + "<rect class=\"background\" x=\"0\" y=\"0\" width=\"\(px(width))\" height=\"\(px(height))\" fill=\"#FFFFFF\"/>\n"
      + "<text class=\"chart-title\" x=\"\(px(width / 2))\" y=\"26\" text-anchor=\"middle\" font-size=\"\(px(titleSize))\" font-weight=\"bold\">\(xmlEscaped(shown))</text>\n"
      + body + "</svg>\n"
  }
}

/// The ticks of `axis` placed along a line by `position`, thinned so that labels `gap` pixels
/// wide or more apart do not overlap: each label is kept when its box starts after the last kept
/// one ends (and lies within `bounds`). Returns the kept ticks with their positions.
private func thinnedTicks(
  _ axis: ChartAxis, position: (Double) -> Double, size: (String) -> Double, gap: Double = 8,
  bounds: ClosedRange<Double> = -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude
) -> [(value: Double, label: String, at: Double)] {
  var kept: [(Double, String, Double)] = []
  var end = -Double.infinity
  for t in axis.ticks.sorted(by: { position($0.value) < position($1.value) }) {
    let at = position(t.value)
    let w = size(t.label)
    if at - w / 2 < end + gap || at - w / 2 < bounds.lowerBound || at + w / 2 > bounds.upperBound { continue }
    kept.append((t.value, t.label, at))
    end = at + w / 2
  }
  return kept
}

/// `data` as a standalone SVG document, `width` × `height` pixels (defaults: 800 wide, the
/// height fitted to the bars or 500).
package func drawSVGChart(_ data: ChartData, width: Int? = nil, height: Int? = nil) -> ChartDrawing {
  let w = Double(max(200, min(width ?? 800, chartSizeLimit)))
  switch data.kind {
  case .bar, .map: return svgBars(data, width: w, height: height)
  case .column: return svgColumns(data, width: w, height: Double(max(150, min(height ?? 500, chartSizeLimit))))
  case .line, .scatter: return svgPlot(data, width: w, height: Double(max(150, min(height ?? 500, chartSizeLimit))))
  }
}

private let top = 48.0

// MARK: bars

private func svgBars(_ data: ChartData, width: Double, height: Int?) -> ChartDrawing {
  let n = data.count
  let decimals = chartDecimals(data.ys)
  let values = data.ys.map { frenchNumber($0, decimals: decimals, group: group) }
  let labels = data.labels.map { cutText($0, longestLabel) }
  let bottom = 56.0
  let h = Double(height.map { max(150, min($0, chartSizeLimit)) } ?? Int(top + bottom + Double(max(1, n)) * 24))
  let rowHeight = (h - top - bottom) / Double(max(1, n))
  let labelWidth = min(width * 0.35, (labels.map { svgTextWidth($0) }.max() ?? 0))
  let valueWidth = values.map { svgTextWidth($0) }.max() ?? 0
  let left = 12 + labelWidth + 8
  let right = width - 16 - valueWidth - 6
  let axis = numericAxis(data.ys, count: max(2, Int((right - left) / 90)), zero: true, group: group)
  func x(_ v: Double) -> Double { left + axis.fraction(v) * (right - left) }
  var svg = SVGText()
  let plotBottom = top + rowHeight * Double(n)
  let ticks = thinnedTicks(axis, position: x, size: { svgTextWidth($0) }, bounds: 0...width)
  for t in ticks {
    svg.line(t.at, top, t.at, plotBottom, cls: "grid", stroke: svgPalette.grid)
    svg.text(t.label, x: t.at, y: plotBottom + 16, cls: "tick-label", anchor: "middle")
  }
  // Labels one per row; when rows are lower than a line of text, every k-th.
  let every = clampedInt((svgFontSize + 2) / rowHeight, 1...max(1, n), .up)
  let barHeight = max(1, rowHeight * 0.72)
  for i in 0..<n {
    let v = data.ys[i]
    let y = top + rowHeight * Double(i)
    let (x0, x1) = (x(min(0, v)), x(max(0, v)))
    svg.rect(x: x0, y: y + (rowHeight - barHeight) / 2, width: x1 - x0, height: barHeight,
      fill: v < 0 ? svgPalette.negative : svgPalette.main, tooltip: "\(data.labels[i]) : \(values[i])")
    let middle = y + rowHeight / 2 + svgFontSize * 0.35
    if i % every == 0 {
      let shown = cutText(labels[i], max(1, Int(labelWidth / (svgFontSize * svgCharWidth))))
      svg.text(shown, x: left - 8, y: middle, cls: "category-label", anchor: "end")
      svg.text(values[i], x: max(x1, x(0)) + 4, y: middle, cls: "value-label")
    }
  }
  svg.line(x(0), top, x(0), plotBottom, cls: "axis", stroke: svgPalette.axis)
  svg.line(left, plotBottom, right, plotBottom, cls: "axis", stroke: svgPalette.axis)
  svg.text(data.yName, x: (left + right) / 2, y: plotBottom + 40, cls: "axis-title", anchor: "middle")
  return ChartDrawing(text: svg.document(width: width, height: h, title: data.title), drawn: n)
}

// MARK: columns

private func svgColumns(_ data: ChartData, width: Double, height: Double) -> ChartDrawing {
  let n = data.count
  let decimals = chartDecimals(data.ys)
  let values = data.ys.map { frenchNumber($0, decimals: decimals, group: group) }
  let labels = data.labels.map { cutText($0, longestLabel) }
  let axisProbe = numericAxis(data.ys, count: max(2, Int(height / 60)), zero: true, group: group)
  let tickWidth = axisProbe.ticks.map { svgTextWidth($0.label) }.max() ?? 0
  var left = 14 + 16 + tickWidth + 8
  let right = width - 16
  let slot = (right - left) / Double(max(1, n))
  let labelWidths = labels.map { svgTextWidth($0) }
  // Horizontal labels when each fits its slot; else turned 45°, every k-th when even turned
  // they would be closer than a line of text.
  let rotated = (labelWidths.max() ?? 0) > slot - 4
  let spacing = rotated ? slot * sin(Double.pi / 4) : slot
  let every = rotated ? clampedInt((svgFontSize + 2) / spacing, 1...max(1, n), .up) : 1
  if rotated, let first = labelWidths.first {
    left = max(left, first * cos(Double.pi / 4) - slot / 2 + 6)
  }
  let labelDepth = rotated ? (labelWidths.max() ?? 0) * sin(Double.pi / 4) + 10 : svgFontSize + 4
  let plotBottom = height - 30 - labelDepth
  let plotTop = top + 6
  let slotWidth = (right - left) / Double(max(1, n))
  let axis = numericAxis(data.ys, count: max(2, Int((plotBottom - plotTop) / 50)), zero: true, group: group)
  func y(_ v: Double) -> Double { plotBottom - axis.fraction(v) * (plotBottom - plotTop) }
  var svg = SVGText()
  for t in thinnedTicks(axis, position: { -y($0) }, size: { _ in svgFontSize }, gap: 2) {
    svg.line(left, y(t.value), right, y(t.value), cls: "grid", stroke: svgPalette.grid)
    svg.text(t.label, x: left - 6, y: y(t.value) + svgFontSize * 0.35, cls: "tick-label", anchor: "end")
  }
  let barWidth = slotWidth * 0.7
  let showValues = (values.map { svgTextWidth($0) }.max() ?? 0) <= slotWidth - 2
  for i in 0..<n {
    let v = data.ys[i]
    let cx = left + slotWidth * (Double(i) + 0.5)
    let (y0, y1) = (y(max(0, v)), y(min(0, v)))
    svg.rect(x: cx - barWidth / 2, y: y0, width: barWidth, height: y1 - y0, fill: v < 0 ? svgPalette.negative : svgPalette.main,
      tooltip: "\(data.labels[i]) : \(values[i])")
    if showValues {
      // Above the bar, or above the zero line for a negative one (below it, the labels).
      svg.text(values[i], x: cx, y: v < 0 ? y(0) - 4 : y0 - 4, cls: "value-label", anchor: "middle")
    }
    guard i % every == 0 else { continue }
    if rotated {
      svg.text(labels[i], x: cx, y: plotBottom + 14, cls: "category-label", anchor: "end", rotate: -45)
    } else {
      svg.text(labels[i], x: cx, y: plotBottom + 16, cls: "category-label", anchor: "middle")
    }
  }
  svg.line(left, y(0), right, y(0), cls: "axis", stroke: svgPalette.axis)
  svg.line(left, plotTop, left, plotBottom, cls: "axis", stroke: svgPalette.axis)
  svg.text(data.yName, x: 16, y: (plotTop + plotBottom) / 2, cls: "axis-title", anchor: "middle", rotate: -90)
  return ChartDrawing(text: svg.document(width: width, height: height, title: data.title), drawn: n)
}

// MARK: lines and dots

private func svgPlot(_ data: ChartData, width: Double, height: Double) -> ChartDrawing {
  let n = data.count
  let plotTop = top + 6
  let plotBottom = height - 52
  let yAxis = numericAxis(data.ys, count: max(2, Int((plotBottom - plotTop) / 50)), zero: false, group: group)
  let tickWidth = yAxis.ticks.map { svgTextWidth($0.label) }.max() ?? 0
  let left = 14 + 16 + tickWidth + 8
  let right = width - 24
  let xs = xAxis(data, count: max(2, Int((right - left) / 90)), group: group)
  func x(_ v: Double) -> Double { left + xs.fraction(v) * (right - left) }
  func y(_ v: Double) -> Double { plotBottom - yAxis.fraction(v) * (plotBottom - plotTop) }
  var svg = SVGText()
  for t in thinnedTicks(yAxis, position: { -y($0) }, size: { _ in svgFontSize }, gap: 2) {
    svg.line(left, y(t.value), right, y(t.value), cls: "grid", stroke: svgPalette.grid)
    svg.text(t.label, x: left - 6, y: y(t.value) + svgFontSize * 0.35, cls: "tick-label", anchor: "end")
  }
  for t in thinnedTicks(xs, position: x, size: { svgTextWidth($0) }, bounds: 0...width) {
    svg.line(t.at, plotTop, t.at, plotBottom, cls: "grid", stroke: svgPalette.grid)
    svg.text(t.label, x: t.at, y: plotBottom + 18, cls: "tick-label", anchor: "middle")
  }
  svg.line(left, plotBottom, right, plotBottom, cls: "axis", stroke: svgPalette.axis)
  svg.line(left, plotTop, left, plotBottom, cls: "axis", stroke: svgPalette.axis)
  let decimals = chartDecimals(data.ys)
  func tooltip(_ i: Int) -> String {
    "\(xLabel(data.xs[i], data, group: group)) ; \(frenchNumber(data.ys[i], decimals: decimals, group: group))"
  }
  if data.kind == .line {
    let order = (0..<n).sorted { (data.xs[$0], $0) < (data.xs[$1], $1) }
    var path = ""
    for (k, i) in order.enumerated() { path += (k == 0 ? "M" : " L") + "\(px(x(data.xs[i]))),\(px(y(data.ys[i])))" }
    svg.body += "<path class=\"line\" d=\"\(path)\" fill=\"none\" stroke=\"\(svgPalette.main)\" stroke-width=\"2\" stroke-linejoin=\"round\"/>\n"
    if n <= 500 {
      for i in order {
        svg.body += "<circle class=\"point\" cx=\"\(px(x(data.xs[i])))\" cy=\"\(px(y(data.ys[i])))\" r=\"3\" fill=\"\(svgPalette.main)\">"
          + "<title>\(xmlEscaped(tooltip(i)))</title></circle>\n"
      }
    }
  } else {
    let radius = n > 2_000 ? 1.5 : 3
    for i in 0..<n {
      let tip = n <= tooltipLimit ? "<title>\(xmlEscaped(tooltip(i)))</title>" : ""
      svg.body += "<circle class=\"point\" cx=\"\(px(x(data.xs[i])))\" cy=\"\(px(y(data.ys[i])))\" r=\"\(px(radius))\" fill=\"\(svgPalette.main)\" fill-opacity=\"0.7\">\(tip)</circle>\n"
    }
  }
  svg.text(data.xName, x: (left + right) / 2, y: height - 14, cls: "axis-title", anchor: "middle")
  svg.text(data.yName, x: 16, y: (plotTop + plotBottom) / 2, cls: "axis-title", anchor: "middle", rotate: -90)
  return ChartDrawing(text: svg.document(width: width, height: height, title: data.title), drawn: n)
}
