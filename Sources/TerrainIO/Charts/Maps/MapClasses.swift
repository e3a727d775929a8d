// The classes of a choropleth — quantiles (numpy's default, linear interpolation between
// order statistics), equal intervals, or Jenks's natural breaks (Fisher's exact optimisation
// of the within-class sum of squares) — and their colours: a sequential ramp that is readable
// by colour-blind readers and in print (light yellow to dark blue, ColorBrewer's YlGnBu hues),
// or a diverging one (reds below zero, blues above, a neutral class across zero) when the
// values straddle 0.

import Foundation

/// How `chart map` cuts the values into classes.
public enum MapClassMethod: String, CaseIterable, Sendable {
  /// As many territories in each class (class bounds at the quantiles).
  case quantile
  /// Classes of the same width between the smallest and the largest value.
  case equal
  /// Natural breaks: classes that keep close values together (Jenks, Fisher's algorithm).
  case jenks
}

/// The most and fewest classes of a map, and the default.
package let mapClassRange = 2...9
package let mapDefaultClasses = 5
/// Jenks's optimisation is quadratic in the values: above this many it runs on quantiles of
/// them (the breaks are then those of this many evenly spaced order statistics).
private let jenksValueLimit = 1_000

/// The classes of a map's values.
package struct MapClasses: Sendable, Equatable {
  /// The smallest value (the lower bound of the first class).
  package var lower: Double
  /// The upper bound of each class, increasing; the last is the largest value. A value goes
  /// to the first class whose upper bound it does not pass.
  package var uppers: [Double]
  /// One colour per class (`#RRGGBB`).
  package var colours: [String]
  /// Whether the colours diverge around 0.
  package var diverging: Bool

  /// The class of `v` (0-based).
  package func index(of v: Double) -> Int {
    uppers.firstIndex { v <= $0 } ?? max(0, uppers.count - 1)
  }

  /// The lower bound of class `i`.
  package func lowerBound(_ i: Int) -> Double { i == 0 ? lower : uppers[i - 1] }
}

/// The quantile `q` (0…1) of sorted values, interpolated linearly between order statistics
/// (numpy's and R's type 7 default).
package func linearQuantile(_ sorted: [Double], _ q: Double) -> Double {
  guard let first = sorted.first else { return 0 }
  let position = q * Double(sorted.count - 1)
  let below = max(0, min(sorted.count - 1, Int(position.rounded(.down))))
  let above = min(sorted.count - 1, below + 1)
  let fraction = position - Double(below)
  return below == above ? (sorted.last ?? first) : sorted[below] + fraction * (sorted[above] - sorted[below])
}

/// The classes of `values` (finite numbers, at least one) by `method`, `count` of them at most:
/// fewer when there are fewer distinct values or when bounds coincide.
package func mapClasses(_ values: [Double], count: Int, method: MapClassMethod) -> MapClasses {
  let sorted = values.filter(\.isFinite).sorted()
  guard let lo = sorted.first, let hi = sorted.last else {
    return MapClasses(lower: 0, uppers: [0], colours: [sequentialColour(0.5)], diverging: false)
  }
  var distinct = 1
  for i in sorted.indices.dropFirst() where sorted[i] != sorted[i - 1] { distinct += 1 }
  let k = max(1, min(count, distinct))
  var uppers: [Double]
  switch method {
  case .quantile: uppers = (1..<max(1, k)).map { linearQuantile(sorted, Double($0) / Double(k)) }
  case .equal: uppers = (1..<max(1, k)).map { lo + (hi - lo) * Double($0) / Double(k) }
  case .jenks: uppers = jenksBreaks(sorted, classes: k)
  }
  uppers.append(hi)
  // Increasing and distinct, within the values.
  var kept: [Double] = []
  for u in uppers where u >= lo && u <= hi && (kept.last.map { u > $0 } ?? true) { kept.append(u) }
  if kept.last != hi { kept.append(hi) }
  let diverging = lo < 0 && hi > 0
  let colours = diverging ? divergingColours(lower: lo, uppers: kept) : sequentialColours(kept.count)
  return MapClasses(lower: lo, uppers: kept, colours: colours, diverging: diverging)
}

/// The upper bounds of the first `classes - 1` classes of Jenks's natural breaks over sorted
/// values (Fisher 1958: the partition into contiguous groups with the least within-group sum of
/// squared deviations, by dynamic programming).
private func jenksBreaks(_ all: [Double], classes k: Int) -> [Double] {
  let values = all.count <= jenksValueLimit
    ? all : (0..<jenksValueLimit).map { linearQuantile(all, Double($0) / Double(jenksValueLimit - 1)) }
  let n = values.count
  guard k > 1, n > k else { return Array(values.dropLast().prefix(max(0, k - 1))) }
  // Prefix sums: the cost of values[i...j] is Σx² − (Σx)²/m.
  var sum = [0.0]
  var squares = [0.0]
  for v in values {
    sum.append((sum.last ?? 0) + v)
    squares.append((squares.last ?? 0) + v * v)
  }
  func cost(_ i: Int, _ j: Int) -> Double {
    let m = Double(j - i + 1)
    let s = sum[j + 1] - sum[i]
    return max(0, squares[j + 1] - squares[i] - s * s / m)
  }
  // best[c][j]: least cost of values[0...j] in c + 1 classes; start[c][j]: where the last begins.
  var best = [[Double]](repeating: [Double](repeating: .infinity, count: n), count: k)
  var start = [[Int]](repeating: [Int](repeating: 0, count: n), count: k)
  for j in 0..<n { best[0][j] = cost(0, j) }
  for c in 1..<k {
    for j in c..<n {
      for i in c...j {
        let total = best[c - 1][i - 1] + cost(i, j)
        if total < best[c][j] {
          best[c][j] = total
          start[c][j] = i
        }
      }
    }
  }
  var breaks: [Double] = []
  var j = n - 1
  for c in stride(from: k - 1, through: 1, by: -1) {
    let i = start[c][j]
    breaks.append(values[i - 1])
    j = i - 1
  }
  return breaks.reversed()
}

// MARK: colours

/// Light to dark: yellow, green, blue (the hues of ColorBrewer's YlGnBu, colour-blind safe
/// and readable in greyscale print: lightness falls steadily).
private let sequentialStops: [(Double, Double, Double)] = [
  (255, 255, 204), (199, 233, 180), (127, 205, 187), (65, 182, 196), (29, 145, 192), (34, 94, 168), (12, 44, 132),
]
/// Diverging: light to dark red below zero, light to dark blue above, a neutral grey across it.
private let negativeStops: [(Double, Double, Double)] = [(253, 219, 199), (244, 165, 130), (214, 96, 77), (178, 24, 43)]
private let positiveStops: [(Double, Double, Double)] = [(209, 229, 240), (146, 197, 222), (67, 147, 195), (33, 102, 172)]
/// The class that spans zero in a diverging map.
package let mapNeutralColour = "#F7F7F7"
/// Territories without a value: light grey, hatched darker in SVG.
package let mapNoValueColour = "#D9D9D9"
package let mapNoValueHatch = "#969696"

/// The colour at `t` (0…1) along `stops`, interpolated in RGB, as `#RRGGBB`.
private func ramp(_ stops: [(Double, Double, Double)], _ t: Double) -> String {
  guard stops.count > 1 else { return "#808080" }
  let position = max(0, min(1, t.isFinite ? t : 0)) * Double(stops.count - 1)
  let i = min(stops.count - 2, Int(position.rounded(.down)))
  let f = position - Double(i)
  let (a, b) = (stops[i], stops[i + 1])
  func channel(_ x: Double, _ y: Double) -> Int { max(0, min(255, Int((x + (y - x) * f).rounded()))) }
  return String(format: "#%02X%02X%02X", channel(a.0, b.0), channel(a.1, b.1), channel(a.2, b.2))
}

private func sequentialColour(_ t: Double) -> String { ramp(sequentialStops, t) }

/// `n` sequential colours, lightest first (one class: the middle of the ramp).
private func sequentialColours(_ n: Int) -> [String] {
  n <= 1 ? [sequentialColour(0.5)] : (0..<n).map { sequentialColour(0.1 + 0.9 * Double($0) / Double(n - 1)) }
}

/// Diverging colours for classes from `lower` with upper bounds `uppers`: the classes wholly
/// below 0 in reds (darker further from 0), those wholly above in blues, a class holding 0
/// (strictly inside it) neutral.
private func divergingColours(lower: Double, uppers: [Double]) -> [String] {
  let lowers = [lower] + uppers.dropLast()
  let negatives = zip(lowers, uppers).filter { $0.1 <= 0 }.count
  let positives = zip(lowers, uppers).filter { $0.0 >= 0 }.count
  return zip(lowers, uppers).enumerated().map { i, bounds in
    if bounds.1 <= 0 {
      // i = 0 is the most negative: the darkest.
      return negatives == 1 ? ramp(negativeStops, 0.6) : ramp(negativeStops, 1 - Double(i) / Double(negatives - 1))
    }
    if bounds.0 >= 0 {
      let j = i - (uppers.count - positives)
      return positives == 1 ? ramp(positiveStops, 0.6) : ramp(positiveStops, Double(j) / Double(positives - 1))
    }
    return mapNeutralColour
  }
}

/// The red, green and blue of `#RRGGBB` (grey for anything else).
package func rgbOfHex(_ hex: String) -> (Int, Int, Int) {
  let digits = hex.hasPrefix("#") ? String(hex.dropFirst()) : hex
  guard digits.count == 6, let v = Int(digits, radix: 16) else { return (128, 128, 128) }
  return (v >> 16 & 0xFF, v >> 8 & 0xFF, v & 0xFF)
}
