// Deciding each column's type from all of its values: what one field looks like, and what a
// whole column can be.

import TerrainStorage
import TerrainSyntax

/// What one field's text could be read as (a bit set).
package struct FieldShape: OptionSet {
  package let rawValue: UInt16
  package init(rawValue: UInt16) { self.rawValue = rawValue }

  /// Optional sign and digits, without a leading zero, fitting Int64.
  package static let int = FieldShape(rawValue: 1)
  /// A number when the decimal mark is `.` (integers included, also beyond Int64).
  package static let pointNumber = FieldShape(rawValue: 2)
  /// A number when the decimal mark is `,`.
  package static let commaNumber = FieldShape(rawValue: 4)
  /// `true` or `false`, any case.
  package static let bool = FieldShape(rawValue: 8)
  /// A number written with a leading zero (`01`, `007`, `01.5`): a code, so text.
  package static let leadingZero = FieldShape(rawValue: 16)
  /// Optional sign and digits fitting Int64, leading zeros allowed (for forced int).
  package static let intSyntax = FieldShape(rawValue: 32)
  /// Exactly `0` or `1` (accepted by forced bool).
  package static let zeroOrOne = FieldShape(rawValue: 64)
  /// A valid calendar date written `YYYY-MM-DD`.
  package static let isoDate = FieldShape(rawValue: 128)
  /// A valid calendar date written `DD/MM/YYYY` (day first, always).
  package static let frenchDate = FieldShape(rawValue: 256)
  /// Either date form, valid or not (`31/02/2024` too): accepted, as null, by forced date.
  package static let dateShape = FieldShape(rawValue: 512)
  /// A number written with digit groups (`1 234`); the other bits are those of the number
  /// without them.
  package static let grouped = FieldShape(rawValue: 1024)

  /// The shapes that count for inference.
  package static let inferable: FieldShape = [.int, .pointNumber, .commaNumber, .bool, .isoDate, .frenchDate]
}

/// The shape of a non-null field's bytes. Spaces around a number or a boolean are allowed.
package func fieldShape(_ p: UnsafePointer<UInt8>, _ n: Int) -> FieldShape {
  var i = 0
  var e = n
  while i < e && isCSVSpace(p[i]) { i += 1 }
  while e > i && isCSVSpace(p[e - 1]) { e -= 1 }
  if i == e { return [] }
  if e - i == 10 && (p[i + 4] == UInt8(ascii: "-") || p[i + 2] == UInt8(ascii: "/")) {
    // A date's shape. A column is a date column only when every value is a valid date of one
    // form: `31/02/2024` keeps the whole column text (nothing is silently lost).
    guard let parsed = CalendarDate.parseShape(UnsafeBufferPointer(start: p + i, count: 10)) else { return [] }
    guard parsed.days != nil else { return .dateShape }
    return parsed.form == .iso ? [.isoDate, .dateShape] : [.frenchDate, .dateShape]
  }
  let c0 = p[i] | 0x20
  if c0 == UInt8(ascii: "t") || c0 == UInt8(ascii: "f") {
    return isBoolWord(p + i, e - i) ? .bool : []
  }
  var signed = false
  if p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+") {
    signed = true
    i += 1
  }
  let digitsStart = i
  while i < e && p[i] &- 0x30 <= 9 { i += 1 }
  let intDigits = i - digitsStart
  let leadingZero = intDigits > 1 && p[digitsStart] == UInt8(ascii: "0")
  if i == e {
    if intDigits == 0 { return [] }
    var shape: FieldShape = [.pointNumber, .commaNumber]
    // Up to 18 digits always fit in Int64; longer ones are checked.
    if intDigits <= 18 || parseInt64(p + digitsStart - (signed ? 1 : 0), e - digitsStart + (signed ? 1 : 0)) != nil {
      shape.insert(.intSyntax)
      if !leadingZero { shape.insert(.int) }
      if !signed && intDigits == 1 && p[digitsStart] <= UInt8(ascii: "1") { shape.insert(.zeroOrOne) }
    }
    if leadingZero { shape.insert(.leadingZero) }
    return shape
  }
  var shape: FieldShape = [.pointNumber, .commaNumber]
  var fractionDigits = 0
  let mark = p[i]
  if mark == UInt8(ascii: ".") || mark == UInt8(ascii: ",") {
    shape = mark == UInt8(ascii: ".") ? .pointNumber : .commaNumber
    i += 1
    let fractionStart = i
    while i < e && p[i] &- 0x30 <= 9 { i += 1 }
    fractionDigits = i - fractionStart
  }
  if intDigits + fractionDigits == 0 { return [] }
  if i < e && (p[i] | 0x20) == UInt8(ascii: "e") {
    i += 1
    if i < e && (p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+")) { i += 1 }
    let expStart = i
    while i < e && p[i] &- 0x30 <= 9 { i += 1 }
    if i == expStart { return [] }
  }
  if i != e { return [] }
  if leadingZero { shape.insert(.leadingZero) }
  return shape
}

/// Parses a date field (spaces allowed around) in either form; nil when it is not a valid
/// calendar date.
@inline(__always)
package func parseDateField(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int64? {
  var i = 0
  var e = n
  while i < e && isCSVSpace(p[i]) { i += 1 }
  while e > i && isCSVSpace(p[e - 1]) { e -= 1 }
  guard e - i == 10 else { return nil }
  return CalendarDate.parseShape(UnsafeBufferPointer(start: p + i, count: 10))?.days
}

/// Whether the bytes are `true` or `false`, any case.
@inline(__always)
package func isBoolWord(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
  if n == 4 {
    return p[0] | 0x20 == UInt8(ascii: "t") && p[1] | 0x20 == UInt8(ascii: "r")
      && p[2] | 0x20 == UInt8(ascii: "u") && p[3] | 0x20 == UInt8(ascii: "e")
  }
  if n == 5 {
    return p[0] | 0x20 == UInt8(ascii: "f") && p[1] | 0x20 == UInt8(ascii: "a")
      && p[2] | 0x20 == UInt8(ascii: "l") && p[3] | 0x20 == UInt8(ascii: "s")
      && p[4] | 0x20 == UInt8(ascii: "e")
  }
  return false
}

/// Parses a boolean field (spaces allowed around): `true`/`false` any case, and `1`/`0`.
package func parseBool(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool? {
  var i = 0
  var e = n
  while i < e && isCSVSpace(p[i]) { i += 1 }
  while e > i && isCSVSpace(p[e - 1]) { e -= 1 }
  let len = e - i
  if len == 1 {
    if p[i] == UInt8(ascii: "1") { return true }
    if p[i] == UInt8(ascii: "0") { return false }
    return nil
  }
  guard isBoolWord(p + i, len) else { return nil }
  return p[i] | 0x20 == UInt8(ascii: "t")
}

/// The null markers, compared byte for byte; a field of only spaces counts as empty.
package final class NullMarkers {
  private let markers: [[UInt8]]
  private let emptyIsNull: Bool
  /// 1 for each byte that starts a marker (a space too when `""` is a marker).
  private let firstBytes: UnsafeMutablePointer<UInt8>
  private let longest: Int

  package init(_ strings: [String]) {
    var ms: [[UInt8]] = []
    var empty = false
    for s in strings {
      if s.isEmpty {
        empty = true
      } else {
        ms.append(Array(s.utf8))
      }
    }
    markers = ms
    emptyIsNull = empty
    longest = ms.map(\.count).max() ?? 0
    firstBytes = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
    firstBytes.initialize(repeating: 0, count: 256)
    for m in ms { if let f = m.first { firstBytes[Int(f)] = 1 } }
    if empty { firstBytes[0x20] = 1 }
  }

  deinit { firstBytes.deallocate() }

  /// Whether the field `p[0..<n]` is null.
  @inline(__always)
  package func isNull(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    if n == 0 { return emptyIsNull }
    if firstBytes[Int(p[0])] == 0 { return false }
    return slowIsNull(p, n)
  }

  private func slowIsNull(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    if emptyIsNull && p[0] == 0x20 {
      var spaces = true
      for k in 0..<n where p[k] != 0x20 {
        spaces = false
        break
      }
      if spaces { return true }
    }
    if n > longest { return false }
    for m in markers where m.count == n {
      var same = true
      for k in 0..<n where m[k] != p[k] {
        same = false
        break
      }
      if same { return true }
    }
    return false
  }
}

/// What the reader learns about one column in pass 1.
package struct ColumnInference {
  /// Shapes every non-null value so far had (for inferred columns).
  package var possible: FieldShape = .inferable
  /// Whether a non-null value was seen.
  package var sawValue = false
  /// Whether all values so far read as numbers with a `.` / `,` decimal mark (for forced
  /// float columns).
  package var pointOK = true
  package var commaOK = true
  /// Whether a value was written with digit groups (`1 234`).
  package var grouped = false

  /// Whether more values can still change the decision.
  package var isOpen: Bool { !possible.isEmpty }

  /// Takes one non-null value's shape into account.
  @inline(__always)
  package mutating func add(_ shape: FieldShape) {
    sawValue = true
    if shape.contains(.grouped) { grouped = true }
    if shape.contains(.leadingZero) {
      possible = []
    } else {
      possible.formIntersection(shape)
    }
  }

  /// The column's type and, for floats, its decimal mark.
  package func decide(dialect: CSVDialect) -> (DataType, UInt8) {
    if !sawValue { return (.text, UInt8(ascii: ".")) }
    if possible.contains(.int) { return (.int, UInt8(ascii: ".")) }
    if possible.contains(.pointNumber) && dialect.allowsDecimalPoint { return (.float, UInt8(ascii: ".")) }
    if possible.contains(.commaNumber) && dialect.allowsDecimalComma { return (.float, UInt8(ascii: ",")) }
    if possible.contains(.bool) { return (.bool, UInt8(ascii: ".")) }
    if possible.contains(.isoDate) || possible.contains(.frenchDate) { return (.date, UInt8(ascii: ".")) }
    return (.text, UInt8(ascii: "."))
  }

  /// The decimal mark of a column forced to float.
  package func forcedFloatDecimal(dialect: CSVDialect) -> UInt8 {
    if pointOK && dialect.allowsDecimalPoint { return UInt8(ascii: ".") }
    if commaOK && dialect.allowsDecimalComma { return UInt8(ascii: ",") }
    return dialect.allowsDecimalPoint ? UInt8(ascii: ".") : UInt8(ascii: ",")
  }
}

/// Whether a column name says the column holds identifiers rather than quantities
/// (`code_region`, `epci_siren`, `CODGEO`, `cheflieu`, `cp`…): such a column stays text
/// even when all of its values are plain integers without a leading zero (an EPCI SIREN
/// such as `200069193` never has one, nor does a metropolitan région code such as `84`).
/// Words of the name count (`code`, `codes`, `siren`, `siret`, `cheflieu`, `codgeo`, `cp`,
/// and INSEE's six-letter `CODxxx`), not substrings, so `nb_communes` stays a number; a few
/// INSEE short names count when they are the whole name (`DEP`, `REG`, `COM`…).
/// Forcing the type with `types` overrides this.
package func looksLikeCodeName(_ name: String) -> Bool {
  let lower = name.lowercased()
  let words = lower.split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init)
  let wholeNames: Set<String> = ["dep", "reg", "com", "arr", "can", "cp", "epci", "depcom", "insee", "cog"]
  if wholeNames.contains(lower) { return true }
  for w in words {
    switch w {
    case "code", "codes", "siren", "siret", "cheflieu", "codgeo", "depcom", "cog", "cp":
      return true
    default:
      // INSEE abbreviations: CODREG, CODDEP, CODCOM, CODARR, CODCAN, CODGEO…
      if w.count == 6 && w.hasPrefix("cod") && w.allSatisfy({ $0.isLetter }) { return true }
    }
  }
  return false
}
