// The operator of `chart`: reads the two columns of the rows into the values a chart draws
// (rows with a null or a non-finite value left out), then draws them in the terminal or writes
// the SVG file atomically. The drawing itself is TerrainIO/Charts (pure functions).

import TerrainStorage
import TerrainSyntax
import TerrainIO
import TerrainPlanner

/// Most bars an SVG bar or column chart draws; the rest are left out with a note.
package let svgBarLimit = 200
/// Most points an SVG line or scatter chart draws; more is an error (the file would be huge).
package let svgPointLimit = 100_000

/// What drawing a chart gave: the terminal text (nil when a file was written) and the notes
/// for standard error (rows left out, the file written).
package struct ChartOutput {
  package var text: String?
  package var notes: [String]
}

extension ChartSink {
  /// The values `table`'s rows give the chart, and how many rows were left out for a null (or
  /// non-finite) value.
  package func data(_ table: Table, cancel: CancellationFlag? = nil) throws -> (ChartData, skipped: Int) {
    guard first < table.columns.count, second < table.columns.count else {
      return (ChartData(kind: kind, title: title, xName: firstName, yName: secondName, ys: []), 0)
    }
    let a = table.columns[first]
    let b = table.columns[second]
    var labels: [String] = []
    var xs: [Double] = []
    var ys: [Double] = []
    var skipped = 0
    func number(_ c: Column, _ i: Int) -> Double? {
      switch c.type {
      case .int: return c.int(at: i).map(Double.init)
      case .float: return c.float(at: i).flatMap { $0.isFinite ? $0 : nil }
      case .date: return c.date(at: i).map(Double.init)
      case .text, .bool: return nil
      }
    }
    for i in 0..<table.rowCount {
      if i % 65_536 == 0 { try cancel?.check() }
      guard let y = number(b, i) else {
        skipped += 1
        continue
      }
      if kind.isCategorical {
        labels.append(a.type == .text ? a.text(at: i) ?? "null" : a.value(at: i).description)
      } else {
        guard let x = number(a, i) else {
          skipped += 1
          continue
        }
        xs.append(x)
      }
      ys.append(y)
    }
    let data = ChartData(kind: kind, title: title, xName: firstName, yName: secondName, labels: labels, xs: xs, ys: ys,
      xIsDate: a.type == .date, xIsInteger: a.type == .int)
    return (data, skipped)
  }

  /// Draws `table`'s rows: in the terminal (`width` columns, unless the `width` option says
  /// otherwise), or into the SVG file (`fileSystemPath` turns the path written into the one to
  /// open). Throws `ExportError` when the file cannot be written, and a diagnostic when an SVG
  /// would hold more than `svgPointLimit` points.
  package func draw(_ table: Table, width: Int, cancel: CancellationFlag?, fileSystemPath: (String) -> String) throws -> ChartOutput {
    var (data, skipped) = try data(table, cancel: cancel)
    var notes: [String] = []
    if skipped > 0 {
      let columns = kind.isCategorical ? "`\(secondName)`" : "`\(firstName)`, `\(secondName)`"
      let rows = skipped == 1 ? DiagnosticText.chartOneRow.string : DiagnosticText.chartRows(groupedCount(skipped)).string
      notes.append(DiagnosticText.chartSkippedNulls(rows, columns).string)
    }
    let total = data.count
    if total == 0 { notes.append(DiagnosticText.chartNothingToDraw.string) }
    guard let path else {
      let drawing = drawTerminalChart(data, width: options.width ?? width, height: options.height)
      if drawing.drawn < total { notes.append(DiagnosticText.chartDrewFirst(groupedCount(drawing.drawn), groupedCount(total)).string) }
      return ChartOutput(text: drawing.text, notes: notes)
    }
    if kind.isCategorical && total > svgBarLimit {
      data.keepFirst(svgBarLimit)
      notes.append(DiagnosticText.chartDrewFirst(groupedCount(svgBarLimit), groupedCount(total)).string)
    }
    if !kind.isCategorical && total > svgPointLimit {
      throw Diagnostic(.chartTooManyPoints, groupedCount(total), groupedCount(svgPointLimit), at: span, label: .notWritten,
        help: .chartTakeFirst)
    }
    let drawing = drawSVGChart(data, width: options.width, height: options.height)
    _ = try writeFileAtomically(path: fileSystemPath(path)) { out in
      out.append(drawing.text)
      return drawing.drawn
    }
    let n = drawing.drawn
    let what = kind.isCategorical
      ? (n == 1 ? DiagnosticText.chartOneBar.string : DiagnosticText.chartBars(groupedCount(n)).string)
      : (n == 1 ? DiagnosticText.chartOnePoint.string : DiagnosticText.chartPoints(groupedCount(n)).string)
    notes.append(DiagnosticText.chartWrote(what, path).string)
    return ChartOutput(text: nil, notes: notes)
  }

  /// The line `.explain` shows for the sink.
  package var explainLine: String {
    "→ Chart \(kind.rawValue) \(firstName), \(secondName)" + (path.map { " to \"\($0)\"" } ?? "")
  }
}

// MARK: maps

extension ChartSink {
  /// The (normalised code, value) of `table`'s rows for `chart map`, and how many rows had no
  /// code. A null value keeps its territory without a value (hatched).
  ///
  /// - Throws: `chartMapDuplicateCode` when a code has several rows.
  package func mapRows(_ table: Table, cancel: CancellationFlag?) throws -> (rows: [(code: String, value: Double?)], noCode: Int) {
    guard first < table.columns.count, second < table.columns.count else { return ([], 0) }
    let codes = table.columns[first]
    let values = table.columns[second]
    var rows: [(code: String, value: Double?)] = []
    var count: [String: Int] = [:]
    var noCode = 0
    for i in 0..<table.rowCount {
      if i % 65_536 == 0 { try cancel?.check() }
      let raw: String?
      switch codes.type {
      case .text: raw = codes.text(at: i)
      case .int: raw = codes.int(at: i).map { String($0) }
      default: raw = nil
      }
      guard let raw else {
        noCode += 1
        continue
      }
      let code = normalisedMapCode(raw)
      let value: Double?
      switch values.type {
      case .int: value = values.int(at: i).map(Double.init)
      case .float: value = values.float(at: i).flatMap { $0.isFinite ? $0 : nil }
      default: value = nil
      }
      count[code, default: 0] += 1
      rows.append((code, value))
    }
    if let repeated = rows.first(where: { (count[$0.code] ?? 0) > 1 }) {
      throw Diagnostic(.chartMapDuplicateCode, repeated.code, groupedCount(count[repeated.code] ?? 0), at: firstSpan ?? span,
        label: .chartMapCodeRepeated(repeated.code, groupedCount(count[repeated.code] ?? 0)), help: .chartMapAggregate(secondName, secondName, firstName))
    }
    return (rows, noCode)
  }

  /// Draws `table`'s rows as a map: in the terminal (`width` columns, in `colours`), or into
  /// the SVG file. `outlines` gives the outlines of a source (nil when not installed).
  package func drawMap(
    _ table: Table, width: Int, colours: TerminalColours, cancel: CancellationFlag?, fileSystemPath: (String) -> String,
    outlines: (MapOutlineSource) throws -> MapOutlines?
  ) throws -> ChartOutput {
    let (rows, noCode) = try mapRows(table, cancel: cancel)
    var notes: [String] = []
    if noCode > 0 {
      let what = noCode == 1 ? DiagnosticText.chartOneRow.string : DiagnosticText.chartRows(groupedCount(noCode)).string
      notes.append(DiagnosticText.chartSkippedNulls(what, "`\(firstName)`").string)
    }
    let level = options.level ?? detectMapLevel(rows.map(\.code))
    let source: MapOutlineSource = options.outlines.map { .file(fileSystemPath($0)) } ?? .bundled(level)
    guard let shapes = try outlines(source) else {
      throw Diagnostic(.chartMapNoOutlines, level.plural, "\(level.fileStem).geojson.gz", at: span, label: .notWritten,
        help: .chartMapOutlinesHelp)
    }
    let (map, unknownCodes) = prepareMap(rows: rows, outlines: shapes, level: level, title: title, valueName: secondName,
      source: options.source, classes: options.classes ?? mapDefaultClasses, method: options.method ?? .quantile)
    if !unknownCodes.isEmpty {
      let shown = unknownCodes.prefix(10).map { "`\(escapeControls($0))`" }.joined(separator: ", ") + (unknownCodes.count > 10 ? ", …" : "")
      let what = unknownCodes.count == 1 ? DiagnosticText.chartMapCodeMatches.string : DiagnosticText.chartMapCodesMatch.string
      let territories = options.outlines == nil ? level.plural : "outlines of \(shapes.attribution)"
      notes.append(DiagnosticText.chartMapUnknownCodes(groupedCount(unknownCodes.count), what, territories, shown).string)
    }
    let listed = map.listed + map.listedWithoutValue
    if !listed.isEmpty && path != nil {
      let names = listed.map { "\($0.name) (\($0.code))" }.joined(separator: ", ")
      notes.append(DiagnosticText.chartMapListed(level.count(listed.count), names).string)
    }
    if !rows.contains(where: { $0.value != nil }) { notes.append(DiagnosticText.chartNothingToDraw.string) }
    guard let path else {
      let drawing = drawTerminalMap(map, width: options.width ?? width, height: options.height, colours: colours)
      let total = map.values.count + map.listed.count
      if colours == .none && drawing.drawn < total {
        notes.append(DiagnosticText.chartDrewFirst(groupedCount(drawing.drawn), groupedCount(total)).string)
      }
      return ChartOutput(text: drawing.text, notes: notes)
    }
    let drawing = drawSVGMap(map, width: options.width, height: options.height)
    _ = try writeFileAtomically(path: fileSystemPath(path)) { out in
      out.append(drawing.text)
      return drawing.drawn
    }
    let what = options.outlines == nil ? level.count(drawing.drawn)
      : DiagnosticText.chartMapTerritories(groupedCount(drawing.drawn), drawing.drawn == 1 ? "territory" : "territories").string
    notes.append(DiagnosticText.chartMapWroteMap(what, path).string)
    return ChartOutput(text: nil, notes: notes)
  }
}
