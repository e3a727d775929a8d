// Numbers and axes of charts: French number format (`1 234,5`), round tick values, date ticks
// on years, months or days.

import Foundation
import TerrainStorage

/// `v` with `decimals` decimals in French format: a decimal comma and the integer digits in
/// groups of three joined by `group` (`1 234 567,5`); `groupFour` false keeps four-digit numbers
/// whole (years: `2024`). `-0` is written `0`; from 1e15 up, scientific notation (`1,235e+15`).
package func frenchNumber(_ v: Double, decimals: Int, group: String, groupFour: Bool = true) -> String {
  guard v.isFinite else { return formatFloat(v) }
  let d = max(0, min(decimals, 12))
  if Swift.abs(v) >= 1e15 { return String(format: "%.3e", v).replacingAll(".", with: ",") }
  var s = String(format: "%.\(d)f", v)
  if s.hasPrefix("-"), !s.contains(where: { $0 >= "1" && $0 <= "9" }) { s.removeFirst() }
  let negative = s.hasPrefix("-")
  if negative { s.removeFirst() }
  let parts = s.split(separator: ".", maxSplits: 1)
  let digits = Array(parts.first ?? "0")
  var out = negative ? "-" : ""
  let grouped = digits.count >= 5 || (groupFour && digits.count == 4)
  for (i, c) in digits.enumerated() {
    if grouped && i > 0 && (digits.count - i) % 3 == 0 { out += group }
    out.append(c)
  }
  if parts.count > 1, let fraction = parts.last { out += "," + fraction }
  return out
}

/// `v` rounded by `rule` and clamped to `range`; NaN gives the lower bound. Positions computed
/// from values go through it, so that extreme values (1e308, whose spans overflow) draw a
/// meaningless but safe chart rather than trap.
package func clampedInt(_ v: Double, _ range: ClosedRange<Int>, _ rule: FloatingPointRoundingRule = .toNearestOrAwayFromZero)
  -> Int
{
  guard !v.isNaN else { return range.lowerBound }
  let r = v.rounded(rule)
  if r <= Double(range.lowerBound) { return range.lowerBound }
  if r >= Double(range.upperBound) { return range.upperBound }
  return Int(r)
}

/// The decimals that show a chart's values alike: none when all are whole, else about four
/// significant digits of the largest (at least 1, at most 6).
package func chartDecimals(_ values: [Double]) -> Int {
  if values.allSatisfy({ $0 == $0.rounded() && Swift.abs($0) < 1e15 }) { return 0 }
  let largest = values.map { Swift.abs($0) }.max() ?? 0
  guard largest > 0, largest.isFinite else { return 1 }
  return max(1, min(6, 3 - clampedInt(log10(largest), -400...400, .down)))
}

/// An axis: the range it spans and its ticks, each with its label.
package struct ChartAxis: Sendable {
  package var lo: Double
  package var hi: Double
  package var ticks: [(value: Double, label: String)]

  /// Where `v` falls along the axis, from 0 (`lo`) to 1 (`hi`).
  /// (Halves first: the span of two finite values may overflow, never that of their halves.)
  package func fraction(_ v: Double) -> Double { hi > lo ? (v / 2 - lo / 2) / (hi / 2 - lo / 2) : 0.5 }
}

/// A numeric axis over `values` with about `count` ticks at round values (1, 2, 2.5 or 5 times
/// a power of ten), spanning whole steps; `zero` includes 0 (bars start there). Labels in
/// French format joined by `group`, without groups for years (`years`).
package func numericAxis(_ values: [Double], count: Int, zero: Bool, group: String, years: Bool = false) -> ChartAxis {
  var lo = values.min() ?? 0
  var hi = values.max() ?? 1
  if zero {
    lo = Swift.min(lo, 0)
    hi = Swift.max(hi, 0)
  }
  if hi == lo {
    let pad = lo == 0 ? 1 : Swift.abs(lo) / 10
    (lo, hi) = zero && lo >= 0 ? (Swift.min(0, lo), hi + pad) : (lo - pad, hi + pad)
    if zero && lo == 0 && hi == 0 { hi = 1 }
  }
  let rough = (hi - lo) / Double(Swift.max(1, count))
  guard rough.isFinite, rough > 0 else {
    return ChartAxis(lo: lo, hi: hi, ticks: [(lo, frenchNumber(lo, decimals: 0, group: group))])
  }
  let magnitude = pow(10, (log10(rough)).rounded(.down))
  let residual = rough / magnitude
  var nice: Double = residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 2.5 ? 2.5 : residual <= 5 ? 5 : 10
  // Years step by whole numbers: 1, 2, 5, 10, 20…
  if years && nice == 2.5 { nice = 2 }
  var step = nice * magnitude
  if years { step = Swift.max(1, step.rounded()) }
  let first = (lo / step).rounded(.down)
  let last = (hi / step).rounded(.up)
  var decimals = Swift.max(0, -clampedInt(log10(step), -400...400, .down))
  if nice == 2.5 && step < 10 { decimals += 1 }
  if years { decimals = 0 }
  var ticks: [(Double, String)] = []
  var k = first
  while k <= last && ticks.count <= 1000 {
    let v = k * step
    ticks.append((v, frenchNumber(v, decimals: decimals, group: group, groupFour: !years)))
    k += 1
  }
  return ChartAxis(lo: first * step, hi: last * step, ticks: ticks)
}

/// A date axis (values are days since 1970-01-01) over exactly the data's range, with about
/// `count` ticks on whole years (`2024`), months (`2024-03`) or days (`2024-03-15`).
package func dateAxis(_ values: [Double], count: Int) -> ChartAxis {
  var lo = values.min() ?? 0
  var hi = values.max() ?? 0
  if hi == lo {
    lo -= 1
    hi += 1
  }
  let target = Double(Swift.max(1, count))
  let lowDay = Int64(lo.rounded(.down))
  let highDay = Int64(hi.rounded(.up))
  guard lowDay >= CalendarDate.minDay, highDay <= CalendarDate.maxDay else { return ChartAxis(lo: lo, hi: hi, ticks: []) }
  let (y0, m0, _) = CalendarDate.civil(lowDay)
  let (y1, m1, _) = CalendarDate.civil(highDay)
  var ticks: [(Double, String)] = []
  let span = hi - lo
  func pad(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
  if span / 365.25 >= target * 0.8 || span > 3 * 365 {
    // Years: every 1, 2, 5, 10… years.
    let years = span / 365.25
    let step = Int64([1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].first { years / Double($0) <= target * 1.5 } ?? 1000)
    var y = (y0 / step) * step
    while y <= y1 + 1 && ticks.count <= 1000 {
      if let d = CalendarDate.days(year: y, month: 1, day: 1), Double(d) >= lo, Double(d) <= hi { ticks.append((Double(d), "\(y)")) }
      y += step
    }
  } else if span >= 45 {
    // Months: every 1, 2, 3, 6 months.
    let months = span / 30.44
    let step = Int64([1, 2, 3, 6, 12].first { months / Double($0) <= target * 1.5 } ?? 12)
    var index = y0 * 12 + (m0 - 1)
    index -= index % step
    while index <= y1 * 12 + m1 && ticks.count <= 1000 {
      let (y, m) = (index / 12, index % 12 + 1)
      if let d = CalendarDate.days(year: y, month: m, day: 1), Double(d) >= lo, Double(d) <= hi {
        ticks.append((Double(d), "\(y)-\(pad(m))"))
      }
      index += step
    }
  } else {
    let step = Int64([1, 2, 7, 14].first { span / Double($0) <= target * 1.5 } ?? 14)
    var d = lowDay
    while d <= highDay && ticks.count <= 1000 {
      if Double(d) >= lo && Double(d) <= hi { ticks.append((Double(d), CalendarDate.iso(d))) }
      d += step
    }
  }
  return ChartAxis(lo: lo, hi: hi, ticks: ticks)
}

/// The X axis of a line or scatter chart: dates, years or numbers.
package func xAxis(_ data: ChartData, count: Int, group: String) -> ChartAxis {
  data.xIsDate ? dateAxis(data.xs, count: count) : numericAxis(data.xs, count: count, zero: false, group: group, years: data.xIsYears)
}

/// The label of X value `x` (a tooltip): a date, a year or a number.
package func xLabel(_ x: Double, _ data: ChartData, group: String) -> String {
  if data.xIsDate, let day = Int64(exactly: x.rounded()), day >= CalendarDate.minDay, day <= CalendarDate.maxDay {
    return CalendarDate.iso(day)
  }
  return frenchNumber(x, decimals: data.xIsInteger ? 0 : chartDecimals([x]), group: group, groupFour: !data.xIsYears)
}
