// A choropleth as a standalone SVG document: one `<path>` per territory (Lambert-93, filled
// with its class's colour, or hatched grey without a value, a `<title>` tooltip with its name
// and value), territories far from metropolitan France (overseas outlines, when a file has
// them) in insets under the map, the overseas values without an outline listed there with
// their class's colour, the legend on the right (class bounds in French number format and how
// many territories each holds), the title at the top and the source line at the bottom.

import Foundation
import TerrainStorage

private let titleSize = 16.0
private let legendWidth = 220.0
private let insetSize = 110.0
private let group = " "

/// Whether a territory lies in metropolitan France (and Corsica): drawn on the main map.
private func isMetropolitan(_ t: MapTerritory) -> Bool {
  guard let box = boundingBox(t.polygons.flatMap { $0 }.flatMap { $0 }) else { return true }
  let lon = (box.minX + box.maxX) / 2
  let lat = (box.minY + box.maxY) / 2
  return lon > -6 && lon < 11 && lat > 41 && lat < 52
}

/// The smallest box holding `points`, nil when there are none.
package func boundingBox(_ points: [MapPoint]) -> (minX: Double, minY: Double, maxX: Double, maxY: Double)? {
  guard let first = points.first else { return nil }
  var box = (minX: first.x, minY: first.y, maxX: first.x, maxY: first.y)
  for p in points {
    box.minX = min(box.minX, p.x)
    box.maxX = max(box.maxX, p.x)
    box.minY = min(box.minY, p.y)
    box.maxY = max(box.maxY, p.y)
  }
  return box
}

/// A territory projected: its polygons' rings in the projection's coordinates.
package struct ProjectedTerritory: Sendable {
  package var territory: MapTerritory
  package var rings: [[MapPoint]]
}

/// The territories of the main map in Lambert-93, and those to draw in insets (in an
/// equirectangular projection around their own centre, which keeps a small island's shape).
package func projectMap(_ outlines: MapOutlines) -> (main: [ProjectedTerritory], insets: [ProjectedTerritory]) {
  let lambert = Lambert93()
  var main: [ProjectedTerritory] = []
  var insets: [ProjectedTerritory] = []
  for t in outlines.territories {
    let rings = t.polygons.flatMap { $0 }
    if isMetropolitan(t) {
      main.append(ProjectedTerritory(territory: t, rings: rings.map { $0.map { lambert.project(longitude: $0.x, latitude: $0.y) } }))
    } else {
      let box = boundingBox(rings.flatMap { $0 })
      let k = cos(((box.map { ($0.minY + $0.maxY) / 2 } ?? 0)) * .pi / 180)
      insets.append(ProjectedTerritory(territory: t, rings: rings.map { $0.map { MapPoint(x: $0.x * k, y: $0.y) } }))
    }
  }
  return (main, insets)
}

/// The `d` of a path through `rings`, placed by `place`; points that fall on the same tenth
/// of a pixel as the one before are left out.
private func pathData(_ rings: [[MapPoint]], _ place: (MapPoint) -> MapPoint) -> String {
  var d = ""
  for ring in rings {
    var last = ""
    var first = true
    for p in ring {
      let q = place(p)
      let xy = px(q.x) + "," + px(q.y)
      if xy == last { continue }
      d += (first ? "M" : "L") + xy
      last = xy
      first = false
    }
    if !first { d += "Z" }
  }
  return d
}

/// `map` as a standalone SVG document `width` pixels wide (default 800; the height follows the
/// map's shape, or `height` when given).
package func drawSVGMap(_ map: MapData, width: Int? = nil, height: Int? = nil) -> ChartDrawing {
  let w = Double(max(360, min(width ?? 800, chartSizeLimit)))
  let (main, insets) = projectMap(map.outlines)
  let decimals = map.decimals
  let top = 48.0
  let left = 16.0
  let mapWidth = w - legendWidth - left - 16
  let box = boundingBox(main.flatMap { $0.rings.flatMap { $0 } }) ?? (0, 0, 1, 1)
  let spanX = max(box.maxX - box.minX, 1e-9)
  let spanY = max(box.maxY - box.minY, 1e-9)
  var scale = mapWidth / spanX
  var mapHeight = main.isEmpty ? 0 : spanY * scale
  let listedCount = map.listed.count + map.listedWithoutValue.count
  let listedLines = listedCount == 0 ? 0 : listedCount + 1
  let below = (insets.isEmpty ? 0 : insetSize + 28) + Double(listedLines) * 18 + 40 + (map.source == nil ? 0 : 13)
  if let height {
    let available = Double(max(150, min(height, chartSizeLimit))) - top - below
    if available > 20 && mapHeight > available {
      scale = available / spanY
      mapHeight = available
    }
  }
  let legendHeight = 60 + Double(map.classes.uppers.count + 1) * 22
  let h = (height.map { Double(max(150, min($0, chartSizeLimit))) }) ?? max(top + mapHeight + below, top + legendHeight + 40)
  var body = "<defs><pattern id=\"no-value\" patternUnits=\"userSpaceOnUse\" width=\"6\" height=\"6\" patternTransform=\"rotate(45)\">"
    + "<rect width=\"6\" height=\"6\" fill=\"\(mapNoValueColour)\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"\(mapNoValueHatch)\" stroke-width=\"2\"/>"
    + "</pattern></defs>\n"

  func territoryPath(_ p: ProjectedTerritory, _ place: (MapPoint) -> MapPoint) {
    let code = p.territory.code
    let fill: String
    let tooltip: String
    var classAttribute = ""
    if let v = map.values[code] {
      let i = map.classes.index(of: v)
      fill = map.classes.colours[i]
      classAttribute = " data-class=\"\(i + 1)\""
      tooltip = "\(p.territory.name) (\(code)) : \(frenchNumber(v, decimals: decimals, group: group))"
    } else {
      fill = "url(#no-value)"
      tooltip = "\(p.territory.name) (\(code)) : sans valeur"
    }
    body += "<path class=\"territory\" data-code=\"\(xmlEscaped(code))\"\(classAttribute) fill=\"\(fill)\" fill-rule=\"evenodd\" "
      + "stroke=\"#FFFFFF\" stroke-width=\"0.6\" stroke-linejoin=\"round\" d=\"\(pathData(p.rings, place))\"><title>\(xmlEscaped(tooltip))</title></path>\n"
  }

  // The main map, north up.
  let offsetX = left + (mapWidth - spanX * scale) / 2
  for p in main {
    territoryPath(p) { MapPoint(x: offsetX + ($0.x - box.minX) * scale, y: top + (box.maxY - $0.y) * scale) }
  }
  var y = top + mapHeight + 12
  // Insets: one box each, side by side under the map.
  if !insets.isEmpty {
    var x = left
    for p in insets {
      guard let b = boundingBox(p.rings.flatMap { $0 }) else { continue }
      let s = (insetSize - 8) / max(b.maxX - b.minX, b.maxY - b.minY, 1e-9)
      body += "<rect class=\"inset\" x=\"\(px(x))\" y=\"\(px(y))\" width=\"\(px(insetSize))\" height=\"\(px(insetSize))\" fill=\"none\" stroke=\"#BBBBBB\"/>\n"
      let (ox, oy) = (x + 4, y + 4)
      territoryPath(p) { MapPoint(x: ox + ($0.x - b.minX) * s, y: oy + (b.maxY - $0.y) * s) }
      body += "<text class=\"inset-label\" x=\"\(px(x + insetSize / 2))\" y=\"\(px(y + insetSize + 14))\" text-anchor=\"middle\">\(xmlEscaped(p.territory.name))</text>\n"
      x += insetSize + 10
      if x + insetSize > w - legendWidth { break }
    }
    y += insetSize + 28
  }
  // Overseas values without an outline: listed, each with its class's colour.
  if listedCount > 0 {
    body += "<text class=\"listed-heading\" x=\"\(px(left))\" y=\"\(px(y + 12))\" font-weight=\"bold\">Outre-mer (sans contour sur la carte)</text>\n"
    y += 18
    for item in map.listed + map.listedWithoutValue {
      let i = item.value.isNaN ? nil : map.classes.index(of: item.value)
      let fill = i.map { map.classes.colours[$0] } ?? "url(#no-value)"
      let shown = item.value.isNaN ? "sans valeur" : frenchNumber(item.value, decimals: decimals, group: group)
      body += "<rect class=\"listed-swatch\" data-code=\"\(xmlEscaped(item.code))\"\(i.map { " data-class=\"\($0 + 1)\"" } ?? "") x=\"\(px(left))\" y=\"\(px(y + 2))\" width=\"14\" height=\"12\" fill=\"\(fill)\" stroke=\"#888888\" stroke-width=\"0.5\"/>"
        + "<text class=\"listed\" x=\"\(px(left + 20))\" y=\"\(px(y + 12))\">\(xmlEscaped("\(item.name) (\(item.code)) : \(shown)"))</text>\n"
      y += 18
    }
  }
  // The legend.
  let lx = w - legendWidth
  var ly = top + 8
  body += "<text class=\"legend-title\" x=\"\(px(lx))\" y=\"\(px(ly))\" font-weight=\"bold\">\(xmlEscaped(cutText(map.valueName, 30)))</text>\n"
  ly += 16
  body += "<text class=\"legend-method\" x=\"\(px(lx))\" y=\"\(px(ly))\" font-size=\"11\" fill=\"#555555\">\(xmlEscaped(map.methodLabel))</text>\n"
  ly += 12
  let counts = map.classCounts
  for i in map.classes.uppers.indices {
    body += "<rect class=\"legend-swatch\" data-class=\"\(i + 1)\" x=\"\(px(lx))\" y=\"\(px(ly))\" width=\"18\" height=\"14\" fill=\"\(map.classes.colours[i])\" stroke=\"#888888\" stroke-width=\"0.5\"/>"
      + "<text class=\"legend-label\" x=\"\(px(lx + 26))\" y=\"\(px(ly + 11))\">\(xmlEscaped(map.classLabel(i, group: group) + " (\(counts[i]))"))</text>\n"
    ly += 22
  }
  let without = map.withoutValue.count + map.listedWithoutValue.count
  if without > 0 {
    body += "<rect class=\"legend-swatch no-value\" x=\"\(px(lx))\" y=\"\(px(ly))\" width=\"18\" height=\"14\" fill=\"url(#no-value)\" stroke=\"#888888\" stroke-width=\"0.5\"/>"
      + "<text class=\"legend-label\" x=\"\(px(lx + 26))\" y=\"\(px(ly + 11))\">sans valeur (\(without))</text>\n"
  }
  // The source lines: the data's (when given), then the outlines'.
  let sourceLines = (map.source.map { ["Source : \($0)"] } ?? []) + ["Fond de carte : \(map.outlines.attribution)"]
  for (i, line) in sourceLines.enumerated() {
    let at = h - 12 - Double(sourceLines.count - 1 - i) * 13
    body += "<text class=\"source\" x=\"\(px(left))\" y=\"\(px(at))\" font-size=\"10\" fill=\"#555555\">\(xmlEscaped(cutText(line, Int((w - 32) / (10 * svgCharWidth)))))</text>\n"
  }

  let shownTitle = cutText(map.title, Int((w - 20) / (titleSize * svgCharWidth)))
  let text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    + "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(px(w))\" height=\"\(px(h))\" viewBox=\"0 0 \(px(w)) \(px(h))\" "
    + "font-family=\"DejaVu Sans, Arial, Helvetica, sans-serif\" font-size=\"\(px(svgFontSize))\" fill=\"\(svgPalette.text)\">\n"
    + "<title>\(xmlEscaped(map.title))</title>\n"
    + "<rect class=\"background\" x=\"0\" y=\"0\" width=\"\(px(w))\" height=\"\(px(h))\" fill=\"#FFFFFF\"/>\n"
    + "<text class=\"chart-title\" x=\"\(px(w / 2))\" y=\"26\" text-anchor=\"middle\" font-size=\"\(px(titleSize))\" font-weight=\"bold\">\(xmlEscaped(shownTitle))</text>\n"
    + body + "</svg>\n"
  return ChartDrawing(text: text, drawn: main.count + insets.count)
}

/// `s` cut to `characters` with `…` when longer.
package func cutText(_ s: String, _ characters: Int) -> String {
  s.count <= characters ? s : String(s.prefix(max(1, characters - 1))) + "…"
}
