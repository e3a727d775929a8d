// What a chart draws: the values of two columns of a result, as the terminal and SVG renderers
// take them (pure functions from these values to text), and the options of `| chart`.

import TerrainStorage
import TerrainSyntax

/// The kinds of chart `| chart KIND …` draws.
public enum ChartKind: String, CaseIterable, Sendable {
  /// Horizontal bars, one per row: label on the left, value on the right.
  case bar
  /// Vertical bars, one per row, labels under them.
  case column
  /// Y against a numeric or date X, the points joined in X order.
  case line
  /// Y against a numeric or date X, one dot per row.
  case scatter
  /// A choropleth: one territory (département or région code) per row, coloured by its value.
  case map

  /// Whether the first column names categories (bar, column; map: territory codes) rather than being a numeric axis.
  public var isCategorical: Bool { self == .bar || self == .column || self == .map }

  /// What the two columns are called in messages and `.help`: `LABEL, VALUE` or `X, Y`.
  public var columnRoles: (String, String) { self == .map ? ("CODE", "VALUE") : isCategorical ? ("LABEL", "VALUE") : ("X", "Y") }
}

/// The values a chart draws, rows with a null (or non-finite) value already left out.
package struct ChartData: Sendable {
  package var kind: ChartKind
  package var title: String
  /// The names of the first column (labels or X) and of the second (values or Y).
  package var xName: String
  package var yName: String
  /// Bar and column charts: one label per bar, in row order.
  package private(set) var labels: [String]
  /// Line and scatter charts: X per point (days since 1970-01-01 when `xIsDate`).
  package private(set) var xs: [Double]
  /// The values (bar, column) or Y (line, scatter): as many as `labels` or `xs`.
  package private(set) var ys: [Double]
  /// X is a date column: ticks fall on years, months or days and read `2024`, `2024-03`.
  package var xIsDate: Bool
  /// X is an integer column: when every value lies in 1000…2999 they are years, written
  /// without a digit group (`2024`, not `2 024`).
  package var xIsInteger: Bool

  package init(kind: ChartKind, title: String, xName: String, yName: String, labels: [String] = [], xs: [Double] = [],
    ys: [Double], xIsDate: Bool = false, xIsInteger: Bool = false) {
    self.kind = kind
    self.title = title
    self.xName = xName
    self.yName = yName
    // As many labels (or X) as values: the renderers index them together.
    let n = min(ys.count, kind.isCategorical ? labels.count : xs.count)
    self.labels = kind.isCategorical ? Array(labels.prefix(n)) : []
    self.xs = kind.isCategorical ? [] : Array(xs.prefix(n))
    self.ys = Array(ys.prefix(n))
    self.xIsDate = xIsDate
    self.xIsInteger = xIsInteger
  }

  /// How many bars or points.
  package var count: Int { ys.count }

  /// The first `n` bars or points only.
  package mutating func keepFirst(_ n: Int) {
    labels = Array(labels.prefix(n))
    xs = Array(xs.prefix(n))
    ys = Array(ys.prefix(n))
  }

  /// Whether X holds years (integers, all from 1000 to 2999): no digit groups on that axis.
  package var xIsYears: Bool { xIsInteger && !xs.isEmpty && xs.allSatisfy { $0 >= 1000 && $0 <= 2999 } }
}

/// A drawn chart: its text (terminal lines or an SVG document) and how many bars or points it
/// holds (fewer than the data's when the terminal had no room for the rest).
package struct ChartDrawing: Sendable {
  package var text: String
  package var drawn: Int
}

/// The `with (…)` options of `| chart`.
public struct ChartOptions: Sendable {
  /// The title; nil: the name of the value (Y) column.
  public var title: String?
  /// Terminal: columns (default: the terminal's width, 80 outside one); SVG: pixels.
  public var width: Int?
  /// Terminal: lines of the plot (column, line, scatter); SVG: pixels.
  public var height: Int?

  /// `chart map`: the number of classes (nil: 5).
  public var classes: Int?
  /// `chart map`: how the classes are cut (nil: quantiles).
  public var method: MapClassMethod?
  /// `chart map`: départements or régions (nil: found from the codes).
  public var level: MapLevel?
  /// `chart map`: the data's source, written at the bottom of the SVG.
  public var source: String?
  /// `chart map`: a GeoJSON file of outlines to use instead of the bundled ones.
  public var outlines: String?

  public init() {}

  /// The options only `chart map` reads.
  public static let mapOnly: Set<String> = ["classes", "method", "level", "source", "outlines"]

  /// `title`, `width`, `height`; for maps `classes`, `method`, `level`, `source`, `outlines`.
  public static let schema = OptionSchema<ChartOptions>(statement: "chart", options: [
    OptionSpec("title", .text, "the chart's title (default: the value column's name)") { o, v in
      if case .text(let s) = v { o.title = s }
    },
    OptionSpec("width", .integer, "columns in the terminal (default: its width, else 80), pixels in an SVG (default 800)") { o, v in
      if case .int(let n) = v { o.width = try checkedSize(n) }
    },
    OptionSpec("height", .integer, "lines of the plot in the terminal (default 12), pixels in an SVG (default: fitted)") { o, v in
      if case .int(let n) = v { o.height = try checkedSize(n) }
    },
    OptionSpec("classes", .integer, "map: the number of classes, 2 to 9 (default 5)") { o, v in
      guard case .int(let n) = v else { return }
      guard mapClassRange.contains(n) else {
        throw OptionValueError(.chartMapClassCount, arguments: [String(mapClassRange.lowerBound), String(mapClassRange.upperBound), String(n)],
          label: .outOfRange)
      }
      o.classes = n
    },
    OptionSpec("method", .text, "map: \"quantile\" (default), \"equal\" or \"jenks\"") { o, v in
      guard case .text(let s) = v else { return }
      guard let m = MapClassMethod(rawValue: s.lowercased()) else {
        throw OptionValueError(.chartMapUnknownMethod, arguments: [s, MapClassMethod.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")])
      }
      o.method = m
    },
    OptionSpec("level", .text, "map: \"departement\" or \"region\" (default: found from the codes)") { o, v in
      guard case .text(let s) = v else { return }
      let folded = s.lowercased().replacingOccurrences(of: "é", with: "e")
      guard let l = MapLevel(rawValue: folded.hasSuffix("s") ? String(folded.dropLast()) : folded) else {
        throw OptionValueError(.chartMapUnknownLevel, arguments: [s, MapLevel.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")])
      }
      o.level = l
    },
    OptionSpec("source", .text, "map: the data's source, written under the map (SVG)") { o, v in
      if case .text(let s) = v { o.source = s }
    },
    OptionSpec("outlines", .text, "map: a GeoJSON file of outlines with a `code` property (default: the bundled départements or régions)") { o, v in
      if case .text(let s) = v { o.outlines = s }
    },
  ])
}

/// The largest `width` or `height` accepted: pixels of an SVG, or cells of a terminal chart.
package let chartSizeLimit = 10_000

private func checkedSize(_ n: Int) throws -> Int {
  guard n >= 3 && n <= chartSizeLimit else {
    throw OptionValueError(.chartSizeOutOfRange, arguments: ["3", String(chartSizeLimit), String(n)], label: .outOfRange)
  }
  return n
}
