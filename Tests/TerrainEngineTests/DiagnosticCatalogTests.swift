// The message catalog (Sources/TerrainSyntax/DiagnosticCatalog.swift) and its rules: no
// diagnostic is built from a string literal, every identity is unique, every use of an entry
// gives as many arguments as its template has `{}`, and `execute` reports the identity.

import Foundation
import TerrainEngine
import TerrainStorage
import TerrainSyntax
import XCTest

final class DiagnosticCatalogTests: XCTestCase {
  /// One entry of the catalog, read from its source.
  struct Entry {
    /// `message` or `text`.
    var type: String
    /// The Swift name (`unknownColumn`).
    var swiftName: String
    /// `bind.unknown-column`, `label.not-found`.
    var key: String
    var template: String
    var placeholders: Int
  }

  static let catalogPath = "Sources/TerrainSyntax/DiagnosticCatalog.swift"

  /// Every Swift file under Sources/: its path from the repository root and its text.
  static let sourceFiles: [(path: String, text: String)] = {
    let root = TestSupport.repositoryRoot
    let sources = root.appendingPathComponent("Sources")
    var out: [(String, String)] = []
    let walker = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
    while let url = walker?.nextObject() as? URL {
      guard url.pathExtension == "swift", let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
      out.append((String(url.path.dropFirst(root.path.count + 1)), text))
    }
    return out.sorted { $0.0 < $1.0 }
  }()

  static let catalog: [Entry] = {
    guard let text = sourceFiles.first(where: { $0.path == catalogPath })?.text else { return [] }
    let pattern = #"public static let (\w+) = Diagnostic(Message|Text)\(\.(\w+), "([^"]+)", "((?:[^"\\]|\\.)*)""#
    guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
    let ns = text as NSString
    return regex.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { m in
      let g = { (i: Int) in ns.substring(with: m.range(at: i)) }
      let template = g(5)
      return Entry(
        type: g(2) == "Message" ? "message" : "text", swiftName: g(1), key: g(3) + "." + g(4), template: template,
        placeholders: template.components(separatedBy: "{}").count - 1)
    }
  }()

  func testTheCatalogIsReadWhole() throws {
    let text = try XCTUnwrap(Self.sourceFiles.first { $0.path == Self.catalogPath }?.text)
    let declared = text.components(separatedBy: "\n").filter { $0.contains("public static let ") }.count
    XCTAssertGreaterThan(declared, 100)
    XCTAssertEqual(Self.catalog.count, declared, "every entry on one line: `public static let NAME = Diagnostic…(.KIND, \"name\", \"template\")`")
    // The parsed templates are the ones the code uses.
    XCTAssertEqual(DiagnosticMessage.unknownColumn.id.description, "bind.unknown-column")
    XCTAssertEqual(
      Self.catalog.first { $0.swiftName == "unknownColumn" && $0.type == "message" }?.template,
      DiagnosticMessage.unknownColumn.template)
    XCTAssertEqual(DiagnosticText.didYouMean.key, "help.did-you-mean")
    XCTAssertEqual(DiagnosticText.didYouMean("population").string, "did you mean `population`?")
  }

  func testIdentitiesAreUniqueAndKebabCase() {
    var seen: [String: String] = [:]
    let kebab = try? NSRegularExpression(pattern: #"^[a-z]+\.[a-z0-9]+(-[a-z0-9]+)*$"#)
    for e in Self.catalog {
      if let other = seen[e.type + " " + e.key] {
        XCTFail("\(e.key) is both `\(other)` and `\(e.swiftName)`")
      }
      seen[e.type + " " + e.key] = e.swiftName
      let range = NSRange(location: 0, length: (e.key as NSString).length)
      XCTAssertNotNil(kebab?.firstMatch(in: e.key, range: range), "\(e.key): not domain.kebab-case")
    }
    for domain in DiagnosticID.Domain.allCases {
      XCTAssertTrue(Self.catalog.contains { $0.type == "message" && $0.key.hasPrefix(domain.rawValue + ".") }, "no \(domain) message")
    }
  }

  /// No `Diagnostic("…")` anywhere under Sources/: every message is a catalog entry.
  func testNoDiagnosticIsBuiltFromAStringLiteral() throws {
    let regex = try NSRegularExpression(pattern: #"Diagnostic\(\s*"|Diagnostic\(\s*message\b"#)
    for (path, text) in Self.sourceFiles {
      let ns = text as NSString
      for m in regex.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
        let line = ns.substring(to: m.range.location).components(separatedBy: "\n").count
        XCTFail("\(path):\(line): a diagnostic built from text; add a catalog entry instead")
      }
    }
  }

  /// Every entry is used somewhere (an unused entry is a message nobody can see).
  func testEveryEntryIsUsed() {
    let code = Self.sourceFiles.filter { $0.path != Self.catalogPath }.map(\.text).joined(separator: "\n")
    for e in Self.catalog where !code.contains("." + e.swiftName) {
      XCTFail("\(e.key) (`\(e.swiftName)`) is never used")
    }
  }

  /// Where a use gives its arguments in the call (`Diagnostic(.unknownColumn, name, table, at: …)`,
  /// `help: .didYouMean(best)`, `label: .notFound`), their number is the template's count of `{}`.
  func testEveryUseGivesAsManyArgumentsAsItsTemplateHas() throws {
    let messages = Dictionary(Self.catalog.filter { $0.type == "message" }.map { ($0.swiftName, $0) }, uniquingKeysWith: { a, _ in a })
    let texts = Dictionary(Self.catalog.filter { $0.type == "text" }.map { ($0.swiftName, $0) }, uniquingKeysWith: { a, _ in a })
    // Names declared elsewhere too (`case json`, `let here`) are ambiguous as `.name`: skipped.
    let declaration = try NSRegularExpression(pattern: #"\b(?:case|let|var|func)\s+\.?([A-Za-z_]\w*)"#)
    var declared = Set<String>()
    for (path, text) in Self.sourceFiles where path != Self.catalogPath {
      let ns = text as NSString
      for m in declaration.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
        declared.insert(ns.substring(with: m.range(at: 1)))
      }
      // `case .a, .b` lists are uses of enum cases, not declarations: also ambiguous.
    }
    for name in ["json", "markdown", "unknown", "example", "here"] { declared.insert(name) }

    let callees = ["Diagnostic", "ExportOptionError", "OptionValueError", "ExportError", "LoadError", "fail", "positioned",
                   "unexpected", "typeError"]
    let call = try NSRegularExpression(pattern: #"\b(\#(callees.joined(separator: "|")))\("#)
    let member = try NSRegularExpression(pattern: #"(?:(?<![\w)\]"])\.|\bDiagnosticText\.)([A-Za-z_]\w*)"#)
    var checked = 0
    for (path, text) in Self.sourceFiles where path != Self.catalogPath && !path.hasSuffix("TerrainSyntax/Diagnostic.swift") {
      let chars = Array(text.utf16)
      let ns = text as NSString
      func lineOf(_ at: Int) -> Int { ns.substring(to: at).components(separatedBy: "\n").count }
      // Messages: the positional arguments after the entry in a known call.
      for m in call.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
        let callee = ns.substring(with: m.range(at: 1))
        let open = m.range.location + m.range.length - 1
        guard let args = splitArguments(chars, open: open) else { continue }
        guard let k = args.firstIndex(where: { a in
          let t = a.trimmingCharacters(in: .whitespacesAndNewlines)
          return t.hasPrefix(".") && messages[String(t.dropFirst())] != nil
        }) else { continue }
        let entryName = String(args[k].trimmingCharacters(in: .whitespacesAndNewlines).dropFirst())
        guard let entry = messages[entryName] else { continue }
        var given = 0
        var checkable = true
        for a in args[(k + 1)...] {
          let t = a.trimmingCharacters(in: .whitespacesAndNewlines)
          if let label = argumentLabel(t) {
            if label == "arguments" {
              let value = t.dropFirst("arguments:".count).trimmingCharacters(in: .whitespaces)
              if let n = arrayLiteralCount(value) { given += n } else { checkable = false }
            }
            break
          }
          given += 1
        }
        if callee == "typeError" {
          // typeError(.entry, [args], expr, type): the expression and its type are the last two.
          guard args.count == k + 4, let n = arrayLiteralCount(args[k + 1].trimmingCharacters(in: .whitespaces)) else { continue }
          given = n + 2
        }
        if callee == "unexpected" { given += 1 }  // the token found
        guard checkable else { continue }
        checked += 1
        XCTAssertEqual(given, entry.placeholders, "\(path):\(lineOf(m.range.location)): \(entry.key) given \(given) arguments for \"\(entry.template)\"")
      }
      // Texts: `.name(args)` or `.name` alone.
      for m in member.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
        let name = ns.substring(with: m.range(at: 1))
        guard let entry = texts[name], !declared.contains(name), messages[name] == nil else { continue }
        let after = m.range.location + m.range.length
        var given = 0
        if after < chars.count, chars[after] == UInt16(UInt8(ascii: "(")) {
          guard let args = splitArguments(chars, open: after) else { continue }
          given = args.count
        }
        checked += 1
        XCTAssertEqual(given, entry.placeholders, "\(path):\(lineOf(m.range.location)): \(entry.key) given \(given) arguments for \"\(entry.template)\"")
      }
    }
    XCTAssertGreaterThan(checked, 250)
  }

  /// `execute` gives each error's identity with it.
  func testStatementDiagnosticsCarryTheirIdentity() throws {
    let s = Session.shell()
    s.register(try Table(columns: [("code", .text(["01", "02"])), ("x", .int([1, 2]))]), as: "t")
    let cases: [(String, String)] = [
      ("from nope", "bind.unknown-table"),
      ("from t | select nope", "bind.unknown-column"),
      ("from t | where x = 1", "syntax.equals-is-not-comparison"),
      ("from t |", "syntax.expected-stage"),
      ("load \"/nonexistent/terrain/nope.csv\"", "load.cannot-open"),
      ("from t | derive y = x * 9223372036854775807", "run.integer-overflow"),
      (".nope", "session.unknown-command"),
    ]
    for (statement, id) in cases {
      let d = s.execute(statement).last?.diagnostic
      XCTAssertEqual(d?.id, id, statement)
    }
  }
}

/// The text of each top-level argument of the call whose `(` is at `open`, or nil when the call
/// is not closed. Strings (with `\(…)` inside) and brackets are skipped whole.
private func splitArguments(_ c: [UInt16], open: Int) -> [String]? {
  func ascii(_ s: Unicode.Scalar) -> UInt16 { UInt16(s.value) }
  func skipString(_ i: Int) -> Int? {
    var j = i + 1
    while j < c.count {
      if c[j] == ascii("\\") {
        if j + 1 < c.count, c[j + 1] == ascii("(") {
          guard let k = skipBrackets(j + 1) else { return nil }
          j = k
        } else {
          j += 2
        }
      } else if c[j] == ascii("\"") {
        return j + 1
      } else if c[j] == ascii("\n") {
        return nil
      } else {
        j += 1
      }
    }
    return nil
  }
  func skipBrackets(_ i: Int) -> Int? {
    let close: UInt16 = c[i] == ascii("(") ? ascii(")") : c[i] == ascii("[") ? ascii("]") : ascii("}")
    var j = i + 1
    while j < c.count {
      let x = c[j]
      if x == ascii("\"") {
        guard let k = skipString(j) else { return nil }
        j = k
      } else if x == ascii("(") || x == ascii("[") || x == ascii("{") {
        guard let k = skipBrackets(j) else { return nil }
        j = k
      } else if x == close {
        return j + 1
      } else {
        j += 1
      }
    }
    return nil
  }
  var args: [String] = []
  var start = open + 1
  var j = open + 1
  while j < c.count {
    let x = c[j]
    if x == ascii("\"") {
      guard let k = skipString(j) else { return nil }
      j = k
    } else if x == ascii("(") || x == ascii("[") || x == ascii("{") {
      guard let k = skipBrackets(j) else { return nil }
      j = k
    } else if x == ascii(",") || x == ascii(")") {
      let piece = String(decoding: c[start..<j], as: UTF16.self)
      if !(x == ascii(")") && args.isEmpty && piece.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty) {
        args.append(piece)
      }
      if x == ascii(")") { return args }
      start = j + 1
      j += 1
    } else {
      j += 1
    }
  }
  return nil
}

/// `label` of `label: value`, nil for a positional argument.
private func argumentLabel(_ argument: String) -> String? {
  var name = ""
  for ch in argument {
    if ch.isLetter || ch.isNumber || ch == "_" {
      name.append(ch)
    } else if ch == ":" {
      return name.isEmpty ? nil : name
    } else {
      return nil
    }
  }
  return nil
}

/// The number of elements of an array literal `[a, b]`, nil for anything else.
private func arrayLiteralCount(_ text: String) -> Int? {
  guard text.hasPrefix("["), text.hasSuffix("]") else { return nil }
  let chars = Array(("f(" + text.dropFirst().dropLast() + ")").utf16)
  return splitArguments(chars, open: 1)?.count
}
