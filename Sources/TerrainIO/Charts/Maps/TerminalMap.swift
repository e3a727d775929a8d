// A choropleth in the terminal. With colours: the map rasterised in Lambert-93 on a grid of
// half cells (`▀` with the upper pixel's colour as foreground and the lower one's as
// background, so that pixels are about square), in true colour or in the 256-colour palette,
// fitted to the width, with the legend, the territories without a value and the overseas values
// under it. Without colours: the values ranked as a bar chart, with the classes and the same
// lists under it. Every line ends with `\n`.

import Foundation
import TerrainStorage
import TerrainSyntax

/// What colours the terminal shows.
public enum TerminalColours: Sendable {
  /// None (not a terminal, `NO_COLOR`): the map becomes a ranked bar chart.
  case none
  /// The xterm 256-colour palette.
  case palette256
  /// 24-bit colour (`COLORTERM=truecolor`).
  case trueColour
}

/// Lines of the map's drawing in the terminal, at most (default; the `height` option changes it).
private let defaultMapLines = 32
private let reset = "\u{1B}[0m"

/// The escape sequence that sets the foreground (or background) to `hex`.
private func colourEscape(_ hex: String, background: Bool, _ colours: TerminalColours) -> String {
  let (r, g, b) = rgbOfHex(hex)
  let layer = background ? 48 : 38
  if colours == .trueColour { return "\u{1B}[\(layer);2;\(r);\(g);\(b)m" }
  // The 6×6×6 cube of the 256-colour palette: levels 0, 95, 135, 175, 215, 255.
  func level(_ c: Int) -> Int { c < 48 ? 0 : c < 115 ? 1 : (c - 35) / 40 }
  return "\u{1B}[\(layer);5;\(16 + 36 * level(r) + 6 * level(g) + level(b))m"
}

/// A coloured swatch of two cells.
private func swatch(_ hex: String, _ colours: TerminalColours) -> String {
  colourEscape(hex, background: false, colours) + "██" + reset
}

/// Whether `p` lies inside `rings` (even-odd rule).
private func contains(_ rings: [[MapPoint]], _ p: MapPoint) -> Bool {
  var inside = false
  for ring in rings {
    var j = ring.count - 1
    for i in ring.indices {
      let (a, b) = (ring[i], ring[j])
      if (a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x { inside.toggle() }
      j = i
    }
  }
  return inside
}

/// `words` joined by `, ` in lines of at most `width` cells, the first line starting with `lead`.
private func wrapped(_ lead: String, _ words: [String], width: Int) -> [String] {
  var lines: [String] = []
  var line = lead
  for (i, word) in words.enumerated() {
    let piece = word + (i == words.count - 1 ? "" : ",")
    if displayWidth(line) + 1 + displayWidth(piece) > width && displayWidth(line) > 2 {
      lines.append(line)
      line = "  " + piece
    } else {
      line += (line.isEmpty || line.hasSuffix(" ") ? "" : " ") + piece
    }
  }
  lines.append(line)
  return lines.map { truncateToWidth($0, width) }
}

/// `map` in the terminal, `width` columns (at least 20), the map at most `height` lines.
package func drawTerminalMap(_ map: MapData, width: Int, height: Int? = nil, colours: TerminalColours) -> ChartDrawing {
  let width = max(20, min(width, chartSizeLimit))
  let group = String(thinSpace)
  let decimals = map.decimals
  var lines = [truncateToWidth(escapeControls(map.title), width)]
  let (main, insets) = projectMap(map.outlines)
  if colours == .none {
    // Ranked values as bars.
    var ranked: [(String, Double)] = map.outlines.territories.compactMap { t in map.values[t.code].map { ("\(t.name) (\(t.code))", $0) } }
    ranked += map.listed.map { ("\($0.name) (\($0.code))", $0.value) }
    ranked.sort { $0.1 > $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }
    let bars = ChartData(kind: .bar, title: "", xName: "", yName: map.valueName, labels: ranked.enumerated().map { "\($0.offset + 1). \($0.element.0)" },
      ys: ranked.map(\.1))
    let drawing = drawTerminalChart(bars, width: width)
    lines += drawing.text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().dropLast().map(String.init)
    lines.append(truncateToWidth("classes (\(map.methodLabel)) :", width))
    let counts = map.classCounts
    for i in map.classes.uppers.indices { lines.append(truncateToWidth("  \(i + 1). \(map.classLabel(i, group: group)) (\(counts[i]))", width)) }
    let without = (map.withoutValue.map { "\($0.name) (\($0.code))" } + map.listedWithoutValue.map { "\($0.name) (\($0.code))" }).map(escapeControls)
    if !without.isEmpty { lines += wrapped("sans valeur :", without, width: width) }
    return ChartDrawing(text: lines.map { $0 + "\n" }.joined(), drawn: min(ranked.count, terminalBarLimit))
  }
  // The raster: pixels about square, the map within `width` columns and `height` lines.
  let maxLines = max(3, min(height ?? defaultMapLines, chartSizeLimit))
  if let box = boundingBox(main.flatMap { $0.rings.flatMap { $0 } }) {
    let spanX = max(box.maxX - box.minX, 1e-9)
    let spanY = max(box.maxY - box.minY, 1e-9)
    let size = max(spanX / Double(width), spanY / Double(2 * maxLines))
    let columns = max(1, min(width, clampedInt(spanX / size, 1...width, .up)))
    let pixelRows = max(2, min(2 * maxLines, clampedInt(spanY / size, 2...(2 * maxLines), .up)))
    let candidates = main.map { p in (p, boundingBox(p.rings.flatMap { $0 })) }
    func colour(_ column: Int, _ row: Int) -> String? {
      let point = MapPoint(x: box.minX + (Double(column) + 0.5) * size, y: box.maxY - (Double(row) + 0.5) * size)
      for (p, b) in candidates {
        guard let b, point.x >= b.minX, point.x <= b.maxX, point.y >= b.minY, point.y <= b.maxY, contains(p.rings, point) else { continue }
        guard let v = map.values[p.territory.code] else { return mapNoValueColour }
        return map.classes.colours[map.classes.index(of: v)]
      }
      return nil
    }
    for row in stride(from: 0, to: pixelRows, by: 2) {
      var line = ""
      var trailing = 0
      for column in 0..<columns {
        let upper = colour(column, row)
        let lower = row + 1 < pixelRows ? colour(column, row + 1) : nil
        switch (upper, lower) {
        case (nil, nil):
          trailing += 1
          continue
        case (let u?, nil): line += String(repeating: " ", count: trailing) + colourEscape(u, background: false, colours) + "▀" + reset
        case (nil, let l?): line += String(repeating: " ", count: trailing) + colourEscape(l, background: false, colours) + "▄" + reset
        case (let u?, let l?):
          line += String(repeating: " ", count: trailing) + colourEscape(u, background: false, colours)
            + colourEscape(l, background: true, colours) + "▀" + reset
        }
        trailing = 0
      }
      lines.append(line)
    }
  }
  // The legend under the map.
  lines.append(truncateToWidth("\(escapeControls(map.valueName)) — \(map.methodLabel)", width))
  let counts = map.classCounts
  for i in map.classes.uppers.indices {
    lines.append(swatch(map.classes.colours[i], colours) + " " + truncateToWidth(map.classLabel(i, group: group) + " (\(counts[i]))", width - 3))
  }
  let without = map.withoutValue
  if !without.isEmpty {
    lines.append(swatch(mapNoValueColour, colours) + " " + truncateToWidth("sans valeur (\(without.count))", width - 3))
    lines += wrapped("  ", without.map { escapeControls("\($0.name) (\($0.code))") }, width: width)
  }
  // Territories not on the map: inset outlines and overseas values, listed with their colour.
  let offMap = insets.map { p in (p.territory.name, p.territory.code, map.values[p.territory.code]) }
    + (map.listed + map.listedWithoutValue).map { ($0.name, $0.code, $0.value.isNaN ? nil : Optional($0.value)) }
  if !offMap.isEmpty {
    lines.append("outre-mer :")
    for (name, code, value) in offMap {
      let shown = value.map { frenchNumber($0, decimals: decimals, group: group) } ?? "sans valeur"
      let colour = value.map { map.classes.colours[map.classes.index(of: $0)] } ?? mapNoValueColour
      lines.append(swatch(colour, colours) + " " + truncateToWidth(escapeControls("\(name) (\(code))") + " : \(shown)", width - 3))
    }
  }
  return ChartDrawing(text: lines.map { $0 + "\n" }.joined(), drawn: main.count + offMap.count)
}
