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

  /// Whether the first column names categories (bar, column) rather than being a numeric axis.
  public var isCategorical: Bool { self == .bar || self == .column }

  /// What the two columns are called in messages and `.help`: `LABEL, VALUE` or `X, Y`.
  public var columnRoles: (String, String) { isCategorical ? ("LABEL", "VALUE") : ("X", "Y") }
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

  public init() {}

  /// `title`, `width`, `height`.
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
