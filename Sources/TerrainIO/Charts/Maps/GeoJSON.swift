// The outlines `chart map` draws, read from GeoJSON (RFC 7946): a FeatureCollection (or one
// Feature) whose features carry a code (`code`, `CODE`, `code_insee`, `insee`, or the
// feature's `id`), a name (`nom`, `name`, `libelle`) and a Polygon or MultiPolygon geometry in
// longitude/latitude. The JSON reader is our own and bounded: nesting at most 64 deep, the file
// at most `geoJSONSizeLimit` bytes, at most `geoJSONPointLimit` positions; anything else in the
// file (other properties, other members, `bbox`, a third coordinate) is ignored. A file that is
// not JSON, or not such a collection, is an error that names the file and the place (byte
// offset, feature number).

import Foundation
import TerrainStorage
import TerrainSyntax

/// The largest outline file read (bytes, after decompression).
package let geoJSONSizeLimit = 32 << 20
/// The most positions (points of rings) read from one outline file.
package let geoJSONPointLimit = 2_000_000
/// The deepest nesting of arrays and objects read.
private let jsonDepthLimit = 64

/// One territory's outline: its code, its name and its polygons, each a list of rings (the
/// first the outer ring, the others holes) of longitude/latitude points.
package struct MapTerritory: Sendable {
  package var code: String
  package var name: String
  package var polygons: [[[MapPoint]]]

  package init(code: String, name: String, polygons: [[[MapPoint]]]) {
    self.code = code
    self.name = name
    self.polygons = polygons
  }
}

/// The territories of an outline file, in file order.
package struct MapOutlines: Sendable {
  package var territories: [MapTerritory]
  /// Where they come from, for the map's source line.
  package var attribution: String

  package init(territories: [MapTerritory], attribution: String) {
    self.territories = territories
    self.attribution = attribution
  }
}

/// A JSON value as the outline reader keeps it.
private indirect enum JSON {
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([JSON])
  case object([(String, JSON)])

  subscript(_ key: String) -> JSON? {
    guard case .object(let members) = self else { return nil }
    return members.first { $0.0 == key }?.1
  }

  var string: String? {
    switch self {
    case .string(let s): return s
    case .number(let d):
      // Integer codes (`1`, `971`) as text; others are not codes.
      guard d == d.rounded(), Swift.abs(d) < 1e15 else { return nil }
      return String(Int64(d))
    default: return nil
    }
  }
}

/// Why the JSON text could not be read, and at which byte.
private struct JSONSyntaxError: Error {
  var offset: Int
  var reason: String
}

/// A bounded recursive-descent JSON reader over bytes.
private struct JSONReader {
  let bytes: UnsafeBufferPointer<UInt8>
  var i = 0
  var positions = 0

  init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

  func fail(_ reason: String) -> JSONSyntaxError { JSONSyntaxError(offset: i, reason: reason) }

  mutating func skipSpace() {
    while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
  }

  mutating func document() throws -> JSON {
    // A UTF-8 byte-order mark is tolerated.
    if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { i = 3 }
    let v = try value(depth: 0)
    skipSpace()
    guard i == bytes.count else { throw fail("text after the end of the JSON value") }
    return v
  }

  mutating func value(depth: Int) throws -> JSON {
    guard depth < jsonDepthLimit else { throw fail("nested more than \(jsonDepthLimit) deep") }
    skipSpace()
    guard i < bytes.count else { throw fail("unexpected end of the file") }
    switch bytes[i] {
    case UInt8(ascii: "{"):
      i += 1
      var members: [(String, JSON)] = []
      skipSpace()
      if i < bytes.count && bytes[i] == UInt8(ascii: "}") {
        i += 1
        return .object(members)
      }
      while true {
        skipSpace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a member name in quotes") }
        let key = try string()
        skipSpace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected `:` after a member name") }
        i += 1
        members.append((key, try value(depth: depth + 1)))
        skipSpace()
        guard i < bytes.count else { throw fail("unexpected end of the file in an object") }
        if bytes[i] == UInt8(ascii: ",") {
          i += 1
          continue
        }
        guard bytes[i] == UInt8(ascii: "}") else { throw fail("expected `,` or `}` in an object") }
        i += 1
        return .object(members)
      }
    case UInt8(ascii: "["):
      i += 1
      var elements: [JSON] = []
      skipSpace()
      if i < bytes.count && bytes[i] == UInt8(ascii: "]") {
        i += 1
        return .array(elements)
      }
      while true {
        elements.append(try value(depth: depth + 1))
        skipSpace()
        guard i < bytes.count else { throw fail("unexpected end of the file in an array") }
        if bytes[i] == UInt8(ascii: ",") {
          i += 1
          continue
        }
        guard bytes[i] == UInt8(ascii: "]") else { throw fail("expected `,` or `]` in an array") }
        i += 1
        return .array(elements)
      }
    case UInt8(ascii: "\""):
      return .string(try string())
    case UInt8(ascii: "t"): return try word("true", .bool(true))
    case UInt8(ascii: "f"): return try word("false", .bool(false))
    case UInt8(ascii: "n"): return try word("null", .null)
    default:
      return .number(try number())
    }
  }

  mutating func word(_ w: String, _ v: JSON) throws -> JSON {
    let u = Array(w.utf8)
    guard bytes.count - i >= u.count, (0..<u.count).allSatisfy({ bytes[i + $0] == u[$0] }) else {
      throw fail("unexpected character")
    }
    i += u.count
    return v
  }

  mutating func number() throws -> Double {
    let start = i
    func isNumberByte(_ c: UInt8) -> Bool {
      (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "-") || c == UInt8(ascii: "+") || c == UInt8(ascii: ".")
        || c == UInt8(ascii: "e") || c == UInt8(ascii: "E")
    }
    while i < bytes.count, isNumberByte(bytes[i]) { i += 1 }
    let length = i - start
    guard length > 0, length <= 64 else {
      i = start
      throw fail(length > 64 ? "a number too long" : "unexpected character")
    }
    positions += 1
    guard positions <= geoJSONPointLimit * 3 else { throw fail("more than \(groupedCount(geoJSONPointLimit)) points") }
    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
    guard let d = Double(text), d.isFinite else {
      i = start
      throw fail("`\(text)` is not a number")
    }
    return d
  }

  /// A string starting at the opening quote; escapes decoded (surrogate pairs joined).
  mutating func string() throws -> String {
    i += 1
    var out: [UInt8] = []
    while true {
      guard i < bytes.count else { throw fail("unterminated string") }
      let c = bytes[i]
      if c == UInt8(ascii: "\"") {
        i += 1
        return String(decoding: out, as: UTF8.self)
      }
      guard c >= 0x20 else { throw fail("a control character in a string") }
      guard out.count < 1 << 20 else { throw fail("a string longer than 1 MB") }
      if c != UInt8(ascii: "\\") {
        out.append(c)
        i += 1
        continue
      }
      guard i + 1 < bytes.count else { throw fail("unterminated string") }
      let e = bytes[i + 1]
      i += 2
      switch e {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
      case UInt8(ascii: "b"): out.append(0x08)
      case UInt8(ascii: "f"): out.append(0x0C)
      case UInt8(ascii: "n"): out.append(0x0A)
      case UInt8(ascii: "r"): out.append(0x0D)
      case UInt8(ascii: "t"): out.append(0x09)
      case UInt8(ascii: "u"):
        var scalar = try hex4()
        if (0xD800..<0xDC00).contains(scalar), i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
          i += 2
          let low = try hex4()
          scalar = (0xDC00..<0xE000).contains(low) ? 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00) : 0xFFFD
        }
        out.append(contentsOf: Array(String(Unicode.Scalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8))
      default:
        i -= 1
        throw fail("unknown escape in a string")
      }
    }
  }

  mutating func hex4() throws -> UInt32 {
    guard bytes.count - i >= 4 else { throw fail("unterminated \\u escape") }
    var v: UInt32 = 0
    for _ in 0..<4 {
      let c = bytes[i]
      let d: UInt32
      switch c {
      case 0x30...0x39: d = UInt32(c - 0x30)
      case 0x41...0x46: d = UInt32(c - 0x41 + 10)
      case 0x61...0x66: d = UInt32(c - 0x61 + 10)
      default: throw fail("a bad \\u escape")
      }
      v = v << 4 | d
      i += 1
    }
    return v
  }
}

/// The outlines of a GeoJSON document (`bytes`, read from `path`).
///
/// - Throws: `LoadError` naming `path`: `mapOutlinesNotJSON` (with the byte offset) when the
///   text is not JSON, `mapOutlinesNotGeoJSON` when it is not a collection of features with a
///   code and polygons in longitude/latitude (naming the feature).
package func readGeoJSONOutlines(_ bytes: UnsafeBufferPointer<UInt8>, path: String, attribution: String) throws -> MapOutlines {
  guard bytes.count <= geoJSONSizeLimit else {
    throw LoadError(path: path, line: 0, column: 0, .inputTooLarge, path, groupedByteCount(geoJSONSizeLimit))
  }
  // The tree of values takes up to about 24 times the text (a 9-byte `[1.5,2.5]` becomes two
  // 9-byte values and an array): refused beforehand when that is more than the memory left.
  try checkMemoryFor(bytes.count * 24, path: path)
  var reader = JSONReader(bytes)
  let document: JSON
  do {
    document = try reader.document()
  } catch let e as JSONSyntaxError {
    throw LoadError(path: path, line: 0, column: 0, .mapOutlinesNotJSON, path, e.reason, String(e.offset))
  }
  func notGeoJSON(_ reason: String) -> LoadError {
    LoadError(path: path, line: 0, column: 0, .mapOutlinesNotGeoJSON, path, reason)
  }
  let features: [JSON]
  switch document["type"]?.string {
  case "FeatureCollection":
    guard case .array(let list) = document["features"] ?? .null else { throw notGeoJSON("a FeatureCollection without `features`") }
    features = list
  case "Feature": features = [document]
  default: throw notGeoJSON("not a GeoJSON FeatureCollection (no `\"type\": \"FeatureCollection\"`)")
  }
  var territories: [MapTerritory] = []
  var seen: Set<String> = []
  for (number, feature) in features.enumerated() {
    let properties = feature["properties"]
    let codeKeys = ["code", "CODE", "code_insee", "insee", "INSEE_DEP", "INSEE_REG"]
    guard let code = codeKeys.lazy.compactMap({ properties?[$0]?.string }).first ?? feature["id"]?.string, !code.isEmpty else {
      throw notGeoJSON("feature \(number + 1) has no code (a `code` property)")
    }
    guard seen.insert(code).inserted else { throw notGeoJSON("feature \(number + 1): code `\(code)` appears twice") }
    let name = ["nom", "name", "NOM", "libelle"].lazy.compactMap { properties?[$0]?.string }.first ?? code
    let polygons: [[[MapPoint]]]
    do {
      polygons = try geometryPolygons(feature["geometry"] ?? .null)
    } catch let reason as GeometryError {
      throw notGeoJSON("feature \(number + 1) (code `\(code)`): \(reason.text)")
    }
    territories.append(MapTerritory(code: code, name: name, polygons: polygons))
  }
  return MapOutlines(territories: territories, attribution: attribution)
}

private struct GeometryError: Error {
  var text: String
}

/// The polygons of a Polygon or MultiPolygon geometry (none for a null geometry).
private func geometryPolygons(_ geometry: JSON) throws -> [[[MapPoint]]] {
  if case .null = geometry { return [] }
  guard case .array(let coordinates) = geometry["coordinates"] ?? .null else {
    throw GeometryError(text: "a geometry without `coordinates`")
  }
  switch geometry["type"]?.string {
  case "Polygon": return [try polygon(coordinates)]
  case "MultiPolygon":
    return try coordinates.map { p in
      guard case .array(let rings) = p else { throw GeometryError(text: "a MultiPolygon member that is not a list of rings") }
      return try polygon(rings)
    }
  case let other: throw GeometryError(text: "a \(other ?? "missing") geometry, not a Polygon or MultiPolygon")
  }
}

/// The rings of a polygon, as longitude/latitude points; rings of fewer than 3 points are left out.
private func polygon(_ rings: [JSON]) throws -> [[MapPoint]] {
  try rings.compactMap { ring in
    guard case .array(let positions) = ring else { throw GeometryError(text: "a ring that is not a list of positions") }
    let points = try positions.map { position -> MapPoint in
      guard case .array(let xy) = position, xy.count >= 2, case .number(let lon) = xy[0], case .number(let lat) = xy[1] else {
        throw GeometryError(text: "a position that is not [longitude, latitude]")
      }
      guard (-180...180).contains(lon), (-90...90).contains(lat) else {
        throw GeometryError(text: "[\(lon), \(lat)] is not a longitude and latitude in degrees (WGS 84)")
      }
      return MapPoint(x: lon, y: lat)
    }
    return points.count >= 3 ? points : nil
  }
}
