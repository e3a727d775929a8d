// The parts of an xlsx workbook around its sheets: the relationships that say where each part
// is, the list of sheets and the date system (`xl/workbook.xml`), the shared strings and which
// cell styles show dates (`xl/styles.xml`).

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import TerrainStorage
import TerrainSyntax

/// An opened workbook: its zip directory and what its workbook part says.
struct XLSXWorkbook {
  let zip: XLSXZipDirectory
  /// The workbook part's name (`xl/workbook.xml`).
  let workbookPart: String
  /// The sheets, in workbook order: name and part (`xl/worksheets/sheet1.xml`).
  private(set) var sheets: [(name: String, part: String)] = []
  /// Whether dates count from 1904 (`<workbookPr date1904="1"/>`) rather than 1900.
  private(set) var date1904 = false
  /// The shared strings part and the styles part, when the workbook has them.
  private(set) var sharedStringsPart: String?
  private(set) var stylesPart: String?

  /// Reads the package relationships, the workbook and its relationships.
  ///
  /// - Throws: `XLSXFailure` when a part is missing or malformed.
  init(_ bytes: UnsafeBufferPointer<UInt8>) throws {
    zip = try XLSXZipDirectory(bytes)
    // The main part: from the package relationships, else where Excel puts it.
    var main = "xl/workbook.xml"
    if let rels = zip.member("_rels/.rels") {
      for r in try XLSXWorkbook.relationships(rels, zip: zip, folder: "")
      where r.type.hasSuffix("/officeDocument") {
        main = r.target
        break
      }
    }
    workbookPart = main
    guard let workbook = zip.member(main) else { throw XLSXFailure.fail(.xlsxMissingPart, main) }
    let folder = main.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
    var relsByID: [String: String] = [:]
    let relsName = (folder.isEmpty ? "" : folder + "/") + "_rels/" + (main.split(separator: "/").last.map(String.init) ?? "") + ".rels"
    if let rels = zip.member(relsName) {
      for r in try XLSXWorkbook.relationships(rels, zip: zip, folder: folder) {
        relsByID[r.id] = r.target
        if r.type.hasSuffix("/sharedStrings") { sharedStringsPart = r.target }
        if r.type.hasSuffix("/styles") { stylesPart = r.target }
      }
    }
    if sharedStringsPart == nil, zip.member("xl/sharedStrings.xml") != nil { sharedStringsPart = "xl/sharedStrings.xml" }
    if stylesPart == nil, zip.member("xl/styles.xml") != nil { stylesPart = "xl/styles.xml" }

    let xml = XMLTokenizer(part: workbook.path, source: try zip.stream(workbook), initialCapacity: 64 << 10)
    var index = 0
    while true {
      let event = try xml.next()
      if case .endOfPart = event { break }
      guard case .start = event else { continue }
      if xml.nameIs("workbookPr") {
        let v = try xml.attributeString("date1904")
        date1904 = v == "1" || v == "true"
      } else if xml.nameIs("sheet") && sheets.count < xlsxMaxStyles {
        index += 1
        let name = try xml.attributeString("name") ?? "Sheet\(index)"
        // The relationship (`r:id`), else the conventional part name.
        let part = try xml.attributeString("id").flatMap { relsByID[$0] } ?? "\(folder)/worksheets/sheet\(index).xml"
        sheets.append((name, part))
      }
    }
  }

  /// The relationships of a `.rels` part: id, type and target (made absolute from `folder`).
  static func relationships(_ member: ZipMember, zip: XLSXZipDirectory, folder: String) throws
    -> [(id: String, type: String, target: String)]
  {
    let xml = XMLTokenizer(part: member.path, source: try zip.stream(member), initialCapacity: 16 << 10)
    var out: [(String, String, String)] = []
    while true {
      let event = try xml.next()
      if case .endOfPart = event { break }
      guard case .start = event, xml.nameIs("Relationship"), out.count < xlsxMaxStyles else { continue }
      guard let target = try xml.attributeString("Target") else { continue }
      if try xml.attributeString("TargetMode") == "External" { continue }
      out.append((try xml.attributeString("Id") ?? "", try xml.attributeString("Type") ?? "", resolve(target, in: folder)))
    }
    return out
  }

  /// `target` relative to `folder` (or absolute with a leading `/`), with `..` resolved.
  static func resolve(_ target: String, in folder: String) -> String {
    var parts: [Substring] = target.hasPrefix("/") ? [] : folder.split(separator: "/")
    for piece in target.split(separator: "/") {
      if piece == "." { continue }
      if piece == ".." {
        if !parts.isEmpty { parts.removeLast() }
        continue
      }
      parts.append(piece)
    }
    return parts.joined(separator: "/")
  }
}

/// Half the memory available: what the text of a workbook may take before it is refused
/// (a small file can inflate to gigabytes).
func xlsxMemoryLimit() -> Int { (availableMemory() ?? Int.max) / 2 }

/// The most cell formats read from the styles part (Excel allows about 64,000).
let xlsxMaxStyles = 1 << 20

/// The shared strings of a workbook, in one arena: string `i` is
/// `bytes[ends[i - 1]..<ends[i]]`.
final class SharedStrings {
  let bytes = BufferBuilder<UInt8>(capacity: 1 << 16)
  let ends = BufferBuilder<Int>(capacity: 1024)
  /// 1 for a string that is one of the null markers.
  let isNull = BufferBuilder<UInt8>(capacity: 1024)

  var count: Int { ends.count }

  /// String `i` (which must be below `count`) as bytes.
  @inline(__always)
  func string(_ i: Int) -> UnsafeBufferPointer<UInt8> {
    let start = i == 0 ? 0 : ends[i - 1]
    return UnsafeBufferPointer(start: bytes.base + start, count: ends[i] - start)
  }

  init() {}

  /// Reads the shared strings part: each `<si>` is its `<t>` texts concatenated (rich text
  /// runs), phonetic runs (`<rPh>`) left out.
  init(_ member: ZipMember, zip: XLSXZipDirectory, nulls: NullMarkers, cancel: CancellationFlag?) throws {
    let xml = XMLTokenizer(part: member.path, source: try zip.stream(member))
    var inString = false
    var inText = false
    var phonetic = 0
    var start = 0
    var seen = 0
    let limit = xlsxMemoryLimit()
    while true {
      let event = try xml.next()
      switch event {
      case .endOfPart:
        return
      case .start:
        if xml.nameIs("si") {
          inString = true
          start = bytes.count
          if xml.selfClosing { try finishString(start, nulls) }
        } else if xml.nameIs("t") {
          inText = inString && phonetic == 0 && !xml.selfClosing
        } else if xml.nameIs("rPh") && !xml.selfClosing {
          phonetic += 1
        } else if xml.nameIs("sst"), let r = try xml.attribute("uniqueCount") {
          // A capacity hint only, bounded: the file does not decide an allocation.
          if let n = parseInt64(xml.buffer + r.lowerBound, r.count), n > 0 {
            let hint = Int(min(n, 1 << 20))
            try ends.reserve(hint)
            try isNull.reserve(hint)
          }
        }
      case .end:
        if xml.nameIs("si") {
          if inString { try finishString(start, nulls) }
          inString = false
          seen += 1
          if seen & 0xFFFF == 0 { try cancel?.check() }
        } else if xml.nameIs("t") {
          inText = false
        } else if xml.nameIs("rPh") {
          phonetic = max(0, phonetic - 1)
        }
      case .text:
        if inText {
          try xml.appendDecoded(xml.textStart..<xml.textEnd, cdata: xml.textIsCDATA, to: bytes)
          if bytes.count > limit { throw XLSXFailure.fail(.xlsxPartTooLarge, member.path) }
        }
      }
    }
  }

  private func finishString(_ start: Int, _ nulls: NullMarkers) throws {
    decodeOfficeEscapes(bytes, from: start)
    try ends.append(bytes.count)
    try isNull.append(nulls.isNull(bytes.base + start, bytes.count - start) ? 1 : 0)
  }
}

/// Which cell styles (`s="…"`, an index into `<cellXfs>`) show a date.
struct CellStyles {
  private(set) var isDate: [Bool] = []

  init() {}

  init(_ member: ZipMember, zip: XLSXZipDirectory) throws {
    let xml = XMLTokenizer(part: member.path, source: try zip.stream(member), initialCapacity: 64 << 10)
    var customDate: [Int: Bool] = [:]
    var inCellXfs = false
    var formats: [Int] = []
    while true {
      let event = try xml.next()
      if case .endOfPart = event { break }
      if case .end = event, xml.nameIs("cellXfs") { inCellXfs = false }
      guard case .start = event else { continue }
      if xml.nameIs("numFmt") && customDate.count < xlsxMaxStyles {
        if let id = try xml.attributeString("numFmtId").flatMap({ Int($0) }), let code = try xml.attributeString("formatCode") {
          customDate[id] = CellStyles.isDateFormat(code)
        }
      } else if xml.nameIs("cellXfs") {
        inCellXfs = !xml.selfClosing
      } else if inCellXfs && xml.nameIs("xf") && formats.count < xlsxMaxStyles {
        formats.append(try xml.attributeString("numFmtId").flatMap { Int($0) } ?? 0)
      }
    }
    isDate = formats.map { id in customDate[id] ?? CellStyles.isBuiltInDate(id) }
  }

  /// Whether style `s` shows a date.
  @inline(__always)
  func showsDate(_ s: Int) -> Bool { s >= 0 && s < isDate.count && isDate[s] }

  /// The built-in number formats that are dates: 14–22 and 45–47.
  static func isBuiltInDate(_ id: Int) -> Bool { (14...22).contains(id) || (45...47).contains(id) }

  /// Whether a format code shows a date: it has a day, month or year outside quoted text,
  /// brackets and escapes (an `m` next to hours or seconds is minutes: `h:mm`, `[h]:mm:ss`
  /// are durations, not dates).
  static func isDateFormat(_ code: String) -> Bool {
    var day = false, month = false, year = false, time = false
    var it = code.lowercased().unicodeScalars.makeIterator()
    while let c = it.next() {
      switch c {
      case "\"":
        while let q = it.next(), q != "\"" {}
      case "\\", "_", "*":
        _ = it.next()
      case "[":
        var inside = ""
        while let q = it.next(), q != "]" { inside.unicodeScalars.append(q) }
        if !inside.isEmpty && inside.allSatisfy({ "hms".contains($0) }) { time = true }
      case "d": day = true
      case "y": year = true
      case "m": month = true
      case "h", "s": time = true
      default: break
      }
    }
    return day || year || (month && !time)
  }
}
