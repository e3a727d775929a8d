// What a map draws: the territories of an outline set, the value of each (or none), the
// territories of the data that have no outline (overseas, listed under the map), the codes
// that match nothing (warned about), and the classes. Also how codes are written (`1` → `01`,
// `2a` → `2A`) and which level (départements or régions) a list of codes is.

import Foundation
import TerrainStorage

/// The outline sets `chart map` knows: one file each in the datasets' `contours/` folder.
public enum MapLevel: String, CaseIterable, Sendable {
  case departement
  case region

  /// The file of its outlines in the `contours/` folder (gzip-compressed, or not).
  package var fileStem: String { self == .departement ? "departements" : "regions" }

  /// The word in messages and legends.
  package var plural: String { self == .departement ? "départements" : "régions" }

  /// `n` territories of this level, as a message says it: `1 région`, `96 départements`.
  package func count(_ n: Int) -> String {
    "\(groupedCount(n)) " + (n == 1 ? (self == .departement ? "département" : "région") : plural)
  }

  /// The overseas territories of this level (codes and names): they have no bundled outline,
  /// so their values are listed under the map.
  package var overseas: [(code: String, name: String)] {
    switch self {
    case .departement:
      return [("971", "Guadeloupe"), ("972", "Martinique"), ("973", "Guyane"), ("974", "La Réunion"), ("976", "Mayotte")]
    case .region:
      return [("01", "Guadeloupe"), ("02", "Martinique"), ("03", "Guyane"), ("04", "La Réunion"), ("06", "Mayotte")]
    }
  }
}

/// The codes of the 13 metropolitan régions (COG 2026).
private let metropolitanRegionCodes: Set<String> = ["11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94"]

/// The level of `codes` (already normalised): régions when every code is a région code and at
/// least one is a metropolitan one (`11`…`94`; `01`…`06` alone are départements), else
/// départements.
package func detectMapLevel(_ codes: [String]) -> MapLevel {
  let regionCodes = metropolitanRegionCodes.union(MapLevel.region.overseas.map(\.code))
  let isRegions = !codes.isEmpty && codes.allSatisfy { regionCodes.contains($0) } && codes.contains { metropolitanRegionCodes.contains($0) }
  return isRegions ? .region : .departement
}

/// A territory code as the outlines write it: spaces trimmed, letters upper case (`2a` → `2A`),
/// one digit padded (`1` → `01`).
package func normalisedMapCode(_ code: String) -> String {
  let trimmed = code.trimmingCharacters(in: .whitespaces).uppercased()
  return trimmed.count == 1 && trimmed.allSatisfy(\.isNumber) ? "0" + trimmed : trimmed
}

/// A value of the data that has no outline to draw it in.
package struct MapListedValue: Sendable, Equatable {
  package var code: String
  package var name: String
  package var value: Double
}

/// Everything a map draws, ready for the SVG and terminal renderers.
package struct MapData: Sendable {
  package var title: String
  /// The value column's name (the legend's heading).
  package var valueName: String
  /// The `source` option: the data's source line, if given.
  package var source: String?
  package var outlines: MapOutlines
  /// The value of each territory of `outlines` that has one, by code.
  package var values: [String: Double]
  /// Values of known territories without an outline (overseas), in data order.
  package var listed: [MapListedValue]
  /// Overseas territories of the data without an outline and without a value (their `value`
  /// is NaN): listed as without a value, never left out.
  package var listedWithoutValue: [MapListedValue]
  package var classes: MapClasses
  package var method: MapClassMethod

  /// Territories of the outlines without a value.
  package var withoutValue: [MapTerritory] { outlines.territories.filter { values[$0.code] == nil } }

  /// The decimals the legend and the values are written with: those of the values, and one
  /// for small whole numbers whose class bounds fall between them (quantiles of 0…8: `1,5`).
  package var decimals: Int {
    let data = Array(values.values) + listed.map(\.value)
    let d = chartDecimals(data)
    let small = (data.map { Swift.abs($0) }.max() ?? 0) < 100
    return d == 0 && small && classes.uppers.contains { $0 != $0.rounded() } ? 1 : d
  }

  /// How many drawn or listed values fall in each class.
  package var classCounts: [Int] {
    var counts = [Int](repeating: 0, count: classes.uppers.count)
    for v in Array(values.values) + listed.map(\.value) { counts[min(counts.count - 1, classes.index(of: v))] += 1 }
    return counts
  }

  /// The legend's line of class `i`: `12,3 – 45,6`.
  package func classLabel(_ i: Int, group: String) -> String {
    let d = decimals
    return frenchNumber(classes.lowerBound(i), decimals: d, group: group) + " – " + frenchNumber(classes.uppers[i], decimals: d, group: group)
  }

  /// The method's name in the legend (French, as the map is).
  package var methodLabel: String {
    switch method {
    case .quantile: return "quantiles"
    case .equal: return "amplitudes égales"
    case .jenks: return "seuils naturels (Jenks)"
    }
  }
}

/// The map of `rows` (normalised code, value or nil) over `outlines` at `level`: the values of
/// codes with an outline, the overseas codes (listed, with or without a value), and the codes
/// that match neither (in data order, once each).
package func prepareMap(
  rows: [(code: String, value: Double?)], outlines: MapOutlines, level: MapLevel, title: String, valueName: String,
  source: String?, classes count: Int, method: MapClassMethod
) -> (map: MapData, unknown: [String]) {
  let known = Set(outlines.territories.map(\.code))
  let overseas = Dictionary(level.overseas.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
  var values: [String: Double] = [:]
  var listed: [MapListedValue] = []
  var listedWithoutValue: [MapListedValue] = []
  var unknown: [String] = []
  var unknownSeen: Set<String> = []
  for row in rows {
    if known.contains(row.code) {
      if let v = row.value { values[row.code] = v }
    } else if let name = overseas[row.code] {
      if let v = row.value {
        listed.append(MapListedValue(code: row.code, name: name, value: v))
      } else {
        listedWithoutValue.append(MapListedValue(code: row.code, name: name, value: .nan))
      }
    } else if unknownSeen.insert(row.code).inserted {
      unknown.append(row.code)
    }
  }
  let all = Array(values.values) + listed.map(\.value)
  let classes = mapClasses(all, count: count, method: method)
  let map = MapData(title: title, valueName: valueName, source: source, outlines: outlines, values: values, listed: listed,
    listedWithoutValue: listedWithoutValue, classes: classes, method: method)
  return (map, unknown)
}

/// Where a map's outlines come from: the bundled set of a level, or a GeoJSON file.
public enum MapOutlineSource: Sendable, Hashable {
  case bundled(MapLevel)
  case file(String)
}

/// The attribution of the bundled outlines (the SVG's source line).
package let bundledOutlinesAttribution = "IGN, ADMIN EXPRESS COG 2018 simplifié (Licence Ouverte)"

/// The outlines of `source`: a bundled set is `contours/NAME.geojson.gz` (or `.geojson`) in one
/// of `folders`, the first that has it; a file is read as it is (gzip-compressed when it starts
/// like gzip). Nil when no folder has the bundled set.
///
/// - Throws: `LoadError` naming the file when it cannot be read or is not GeoJSON outlines.
package func loadMapOutlines(_ source: MapOutlineSource, folders: [String], cancel: CancellationFlag?) throws -> MapOutlines? {
  let path: String
  let attribution: String
  switch source {
  case .bundled(let level):
    let fm = FileManager.default
    let candidates = folders.flatMap { f in ["geojson.gz", "geojson"].map { "\(f)/\(level.fileStem).\($0)" } }
    guard let found = candidates.first(where: { fm.fileExists(atPath: $0) }) else { return nil }
    path = found
    attribution = bundledOutlinesAttribution
  case .file(let file):
    path = file
    attribution = (file as NSString).lastPathComponent
  }
  var bytes = try readWholeFile(path: path, cancel: cancel, limit: geoJSONSizeLimit)
  if bytes.buffer.count >= 2 && bytes.buffer[0] == 0x1F && bytes.buffer[1] == 0x8B {
    // The outline files' bound applies to the inflation itself: a small file that inflates
    // far beyond it (a gzip bomb) stops there, having taken at most the bound.
    bytes = try gunzip(bytes, name: path, limit: geoJSONSizeLimit, cancel: cancel) {
      LoadError(path: path, line: 0, column: 0, .outlinesInflateTooLarge, path, groupedByteCount(geoJSONSizeLimit))
    }
  }
  return try readGeoJSONOutlines(bytes.buffer, path: path, attribution: attribution)
}
