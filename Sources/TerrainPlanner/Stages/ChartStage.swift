// `| chart KIND A, B [to "file.svg"] [with (title = "…", width = N, height = N)]`
// `chart`: the sink that draws the rows, in the terminal or into an SVG file; it adds no step.

import TerrainStorage
import TerrainSyntax
import TerrainIO

/// `| chart bar LABEL, VALUE`, `| chart column LABEL, VALUE`, `| chart line X, Y`,
/// `| chart scatter X, Y`, drawn in the terminal, or written to an SVG file with `to "f.svg"`.
public struct ChartStage: StageSyntax {
  /// `bar`, `column`, `line` or `scatter`, and where it was written.
  public var kind: ChartKind
  public var kindSpan: Span
  /// The columns as written: two are planned (LABEL, VALUE or X, Y); another count is an
  /// error at planning, at the columns' span.
  public var columns: [Name]
  /// `to "file.svg"`; nil: drawn in the terminal.
  public var path: PathText?
  /// `with (title = …, width = …, height = …)`.
  public var options: [OptionItem]

  public static let keyword = "chart"
  public static let isSink = true
  public static let continuationWords = ["to"]
  public static let completionWords = ChartKind.allCases.map(\.rawValue)
  public static let pathWords = ["to"]
  public static let otherNames = ["plot", "graph", "draw"]
  public static let otherNameHelp = DiagnosticText.chartExample("bar", "nom", "population")
  public static let help = StageHelp(
    synopsis: "| chart bar|column LABEL, VALUE · | chart line|scatter X, Y · | chart map CODE, VALUE [to \"file.svg\"] [with (title, width, height, …)]",
    text: "Draws the rows: `bar` one horizontal bar per row (label on the left, value on the right), `column` one vertical bar per row, `line` Y against X (a number or a date) joined in X order, `scatter` one dot per row. "
      + "In the terminal it uses block characters fitted to its width (80 outside one), at most 100 bars (`column`: as many as fit), and says how many it drew; bars start from zero, so negative values go left (down). "
      + "Rows with a null value are left out with a note. With `to \"file.svg\"` it writes an SVG (title, axes, ticks in French number format, colours that stay readable in print) atomically, like `export`. "
      + "Options: `title` (default: the value column's name), `width` and `height` (terminal: columns and plot lines; SVG: pixels). "
      + "`map` draws a choropleth of départements (CODE `01`…`95`, `2A`, `2B`; a whole number 1 is `01`) or régions (`11`…`94`), found from the codes (or `level = \"departement\"|\"region\"`), on the bundled IGN outlines in Lambert-93: "
      + "`classes` (2–9, default 5) cut by `method` = \"quantile\" (default), \"equal\" or \"jenks\"; a sequential colour-blind-safe palette, diverging (reds, blues) when the values straddle 0; "
      + "territories without a value hatched grey; overseas values (971…976) listed under the map; a code matching no outline is a warning; one row per territory. "
      + "In the terminal it is drawn with half blocks in colour (a ranked bar chart without colours), legend under it; in SVG with a legend, `source = \"…\"` at the bottom. `outlines = \"f.geojson\"` uses other outlines (a `code` property per feature). "
      + "E.g. `from departements | chart map code_departement, share_ftth to \"fibre.svg\" with (classes = 4, method = \"jenks\")`.",
    example: "from epci | sort population desc | take 10 | chart bar nom, population")

  public static func parse(_ p: inout Parser) throws -> ChartStage {
    let kindToken = p.current
    let word = try p.name(.aChartKind)
    guard let kind = ChartKind(rawValue: word.text.lowercased()) else {
      let kinds = ChartKind.allCases.map(\.rawValue)
      let help = closestName(to: word.text, in: kinds).map { DiagnosticText.didYouMean($0) }
        ?? .chartKinds(kinds.joined(separator: ", "))
      throw Diagnostic(.unknownChartKind, word.text, at: kindToken.span, label: .notAChartKind, help: help)
    }
    let columns = try p.parseNameList()
    var path: PathText?
    if p.acceptClause("to") {
      path = try p.parsePath(after: "to", example: "chart \(kind.rawValue) … to \"chart.svg\"")
    }
    return ChartStage(kind: kind, kindSpan: word.span, columns: columns, path: path, options: try p.parseWithOptions())
  }
}

/// What `chart` draws and where: set on the plan by the stage, drawn from the rows by
/// `ChartSink.draw` (TerrainExecution/Operators/ChartOperator.swift).
package struct ChartSink {
  package var kind: ChartKind
  /// The first column (labels or X) and the second (values or Y), by index in the rows.
  package var first: Int
  package var second: Int
  package var firstName: String
  package var secondName: String
  /// The file to write (an SVG), or nil for the terminal.
  package var path: String?
  package var options: ChartOptions
  /// The stage, or its path when there is one: where errors of the drawing point.
  package var span: Span
  /// The first column (a map's codes) as written: where errors about codes point.
  package var firstSpan: Span?

  package init(kind: ChartKind, first: Int, second: Int, firstName: String, secondName: String, path: String?, options: ChartOptions,
    span: Span) {
    self.kind = kind
    self.first = first
    self.second = second
    self.firstName = firstName
    self.secondName = secondName
    self.path = path
    self.options = options
    self.span = span
  }

  /// The title: the option, else the name of the value (Y) column.
  package var title: String { options.title ?? secondName }
}

extension ChartStage: PlannableStage {
  package func plan(_ p: inout StagePlanning) throws {
    let (firstRole, secondRole) = kind.columnRoles
    guard columns.count == 2 else {
      let at = columns.count > 2 ? columns[2].span.merged(columns[columns.count - 1].span) : columns[0].span
      throw Diagnostic(.chartColumnCount, kind.rawValue, "\(firstRole), \(secondRole)", String(columns.count), at: at,
        label: columns.count > 2 ? .tooMany : .chartNeedsTwo, help: .chartExample(kind.rawValue, columns[0].text, kind.isCategorical ? "population" : "y"))
    }
    let (a, b) = (try p.column(columns[0]), try p.column(columns[1]))
    let (typeA, typeB) = (p.fields[a].type, p.fields[b].type)
    if kind == .map && typeA != .text && typeA != .int {
      throw Diagnostic(.chartMapCodeType, columns[0].text, typeA.rawValue, at: columns[0].span, label: .isType(columns[0].text, typeA.rawValue))
    }
    if !kind.isCategorical && kind != .map && !(typeA.isNumeric || typeA == .date) {
      throw Diagnostic(.chartXNotNumeric, kind.rawValue, columns[0].text, typeA.rawValue, at: columns[0].span,
        label: .isType(columns[0].text, typeA.rawValue), help: .chartBarForText(columns[0].text))
    }
    guard typeB.isNumeric else {
      let swap: DiagnosticText? = (kind.isCategorical || kind == .map) && typeA.isNumeric
        ? .chartSwapColumns(kind.rawValue, columns[1].text, columns[0].text) : nil
      throw Diagnostic(.chartValueNotNumeric, secondRole, kind.rawValue, columns[1].text, typeB.rawValue, at: columns[1].span,
        label: .isType(columns[1].text, typeB.rawValue), help: swap)
    }
    var file: String?
    if let path {
      let resolved = try p.planner.resolvePath(path)
      guard resolved.lowercased().hasSuffix(".svg") else {
        throw Diagnostic(.chartNotSVG, resolved, at: path.span, label: .notWritten)
      }
      file = resolved
    }
    let options = try OptionBinder(parameters: p.planner.parameters, constants: p.planner.constants, functions: p.planner.functions)
      .bind(self.options, ChartOptions.schema, into: ChartOptions())
    if kind != .map, let item = self.options.first(where: { ChartOptions.mapOnly.contains($0.name.text.lowercased()) }) {
      throw Diagnostic(.chartMapOnlyOption, item.name.text, kind.rawValue, at: item.name.span, label: .badValue)
    }
    if let outlines = options.outlines, let item = self.options.first(where: { $0.name.text.lowercased() == "outlines" }) {
      let lower = outlines.lowercased()
      guard [".geojson", ".json", ".geojson.gz", ".json.gz"].contains(where: { lower.hasSuffix($0) }) else {
        throw Diagnostic(.chartMapOutlinesNotGeoJSON, outlines, at: item.name.span, label: .badValue)
      }
    }
    p.chart = ChartSink(kind: kind, first: a, second: b, firstName: columns[0].text, secondName: columns[1].text, path: file,
      options: options, span: path?.span ?? kindSpan)
    p.chart?.firstSpan = columns[0].span
  }
}
