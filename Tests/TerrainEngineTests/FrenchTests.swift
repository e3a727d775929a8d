// French (SPEC §10): every catalog identity has a French template with the same `{}`s, the
// session renders errors, notices and counts in French after `.lang fr` or with a French
// locale, floats get a decimal comma on screen only.

import Foundation
import XCTest
import TerrainEngine
import TerrainIO
import TerrainPlanner
import TerrainShell
import TerrainStorage
import TerrainSyntax

final class FrenchTests: XCTestCase {
  override func tearDown() {
    MessageLanguage.current = .english
    super.tearDown()
  }

  func testEveryIdentityHasBothLanguagesWithTheSamePlaceholders() {
    let english = DiagnosticCatalogTests.catalog
    XCTAssertGreaterThan(english.count, 600)
    for e in english {
      guard let fr = frenchCatalog[e.key] else {
        XCTFail("\(e.key) (`\(e.swiftName)`) has no French template: add it to DiagnosticCatalogFrench.swift")
        continue
      }
      // The Swift source holds `\"`; the French table holds the string itself.
      XCTAssertEqual(fr.components(separatedBy: "{}").count - 1, e.placeholders, "\(e.key): \(fr)")
    }
    let keys = Set(english.map(\.key))
    for key in frenchCatalog.keys where !keys.contains(key) {
      XCTFail("\(key) is French only: no entry of DiagnosticCatalog.swift has this identity")
    }
    var seen = Set<String>()
    for part in frenchCatalogParts {
      for key in part.keys { XCTAssertTrue(seen.insert(key).inserted, "\(key) is given twice in the French catalog") }
    }
  }

  /// French typography: a space before `:`, `;`, `?` and `!` outside code (backquotes) and
  /// quoted text.
  func testFrenchTemplatesSpaceTheirDoublePunctuation() throws {
    let code = try NSRegularExpression(pattern: #"`[^`]*`|"[^"]*"|\([a-z]+: [a-z]+\)"#)
    let glued = try NSRegularExpression(pattern: #"[\p{L}\p{N})}»][:;?!](\s|$)"#)
    for (key, template) in frenchCatalog {
      let ns = template as NSString
      let prose = code.stringByReplacingMatches(in: template, range: NSRange(location: 0, length: ns.length), withTemplate: "CODE")
      let range = NSRange(location: 0, length: (prose as NSString).length)
      XCTAssertNil(glued.firstMatch(in: prose, range: range), "\(key): no space before a double punctuation mark: \(template)")
    }
  }

  func testTheLocaleChoosesTheLanguageInPosixOrder() {
    XCTAssertEqual(MessageLanguage(environment: ["LANG": "fr_FR.UTF-8"]), .french)
    XCTAssertEqual(MessageLanguage(environment: ["LANG": "C.UTF-8"]), .english)
    XCTAssertEqual(MessageLanguage(environment: [:]), .english)
    XCTAssertEqual(MessageLanguage(environment: ["LANG": "en_US.UTF-8", "LC_MESSAGES": "fr_CA"]), .french)
    XCTAssertEqual(MessageLanguage(environment: ["LC_ALL": "en_GB", "LC_MESSAGES": "fr_FR", "LANG": "fr_FR"]), .english)
    XCTAssertEqual(MessageLanguage(environment: ["LC_ALL": "", "LANG": "fr_BE"]), .french)
  }

  func session() -> (Session, () -> String) {
    let s = Session.shell()
    var out = ""
    s.write = { out += $0 }
    s.notify = { out += $0 }
    s.register(Table(names: ["nom", "pop", "part"], columns: [
      Column.from([.text("Lyon"), .text("Bron")], type: .text), Column.from([.int(522_250), .int(42_000)], type: .int),
      Column.from([.float(7_017_069.771), .float(0.5)], type: .float),
    ]), as: "villes")
    return (s, { defer { out = "" }; return out })
  }

  func testLangSwitchesErrorsNoticesAndCounts() {
    let (s, output) = session()
    XCTAssertTrue(s.run(".lang"))
    XCTAssertEqual(output(), "language: en (`.lang fr` or `.lang en` changes it)\n")
    XCTAssertTrue(s.run(".lang fr"))
    XCTAssertEqual(s.language, .french)
    XCTAssertFalse(s.run("from villes | where popp > 3"))
    XCTAssertEqual(output(), """
      erreur : colonne inconnue `popp` dans `villes`
        ╭─ 1:21
      1 │ from villes | where popp > 3
        │                     ^^^^ introuvable
        = aide : vouliez-vous dire `pop` ?

      """)
    XCTAssertFalse(s.run("from villes | take 1\n| where popp > 3", name: "t.tq"))
    XCTAssertTrue(output().hasPrefix("t.tq:2:9: erreur : colonne inconnue `popp` dans `villes`\n"))
    XCTAssertTrue(s.run("from villes | select nom, part"))
    let table = output()
    XCTAssertTrue(table.contains("│ 7\u{2009}017\u{2009}069,8 │"), table)
    XCTAssertTrue(table.contains("│         0,5 │"), table)
    XCTAssertTrue(table.hasSuffix("2 lignes\n"), table)
    XCTAssertTrue(s.run("from villes | take 1"))
    XCTAssertTrue(output().hasSuffix("1 ligne\n"))
    XCTAssertTrue(s.run("from villes | take 0"))
    XCTAssertTrue(output().hasSuffix("0 ligne\n"))
    // Other modes keep every digit and the dot.
    XCTAssertTrue(s.run(".mode csv\nfrom villes | select part"))
    XCTAssertEqual(output(), "part\n7017069.771\n0.5\n")
    XCTAssertFalse(s.run(".lang de"))
    XCTAssertTrue(output().contains("erreur : langue inconnue `de`"))
    XCTAssertTrue(s.run(".lang en\n.mode table\nfrom villes | select part"))
    XCTAssertTrue(output().contains("7\u{2009}017\u{2009}069.8"))
  }

  func testNoticesAreFrenchAndGroupedLikeTables() throws {
    let (s, output) = session()
    s.language = .french
    let dir = try TestSupport.temporaryFolder("terrain-french", for: self)
    let rows = (1...12_345).map { "\($0),x" }.joined(separator: "\n")
    try ("n,t\n" + rows + "\n").write(to: dir.appendingPathComponent("grand.csv"), atomically: true, encoding: .utf8)
    s.workingDirectory = dir.path
    XCTAssertTrue(s.run("load \"grand.csv\""))
    XCTAssertEqual(output(), "chargé : 12\u{2009}345 lignes dans grand\n")
    XCTAssertTrue(s.run("load \"grand.csv\""))
    XCTAssertEqual(output(), "grand remplacée ; chargé : 12\u{2009}345 lignes\n")
    XCTAssertTrue(s.run("from grand | take 1 | export \"un.csv\""))
    XCTAssertEqual(output(), "écrit : 1 ligne dans un.csv\n")
    XCTAssertTrue(s.run(".drop grand"))
    XCTAssertEqual(output(), "grand oubliée\n")
    XCTAssertTrue(s.run("pilots villes key nom = \"Lyon\""))
    XCTAssertEqual(output(), "1 pilote : Lyon\n")
    // English notices group the same way.
    s.language = .english
    XCTAssertTrue(s.run("load \"grand.csv\""))
    XCTAssertEqual(output(), "loaded 12\u{2009}345 rows into grand\n")
  }

  func testExecuteReportsTheIdentityWhateverTheLanguage() {
    let (s, _) = session()
    s.language = .french
    let results = s.execute("from villes | where popp > 3")
    guard case .diagnostic(let d)? = results.last?.outcome else { return XCTFail("expected a diagnostic") }
    XCTAssertEqual(d.id, "bind.unknown-column")
    XCTAssertEqual(d.message, "colonne inconnue `popp` dans `villes`")
  }

  /// Every help topic, dot command and format has its French text (HelpFrench.swift).
  func testEveryHelpTopicCommandAndFormatHasFrench() {
    for t in helpTopics {
      XCTAssertNotNil(frenchHelp[t.kind + "." + t.name], "`.help \(t.name)`: no French text `\(t.kind).\(t.name)` in HelpFrench.swift")
    }
    for c in ShellCommands.all {
      XCTAssertNotNil(frenchHelp["command." + c.name], "`.\(c.name)`: no French text `command.\(c.name)` in HelpFrench.swift")
    }
    for f in FormatRegistry.standard.formats {
      XCTAssertNotNil(frenchHelp["format." + f.name], "format \(f.name): no French text `format.\(f.name)` in HelpFrench.swift")
    }
    let known = Set(helpTopics.map { $0.kind + "." + $0.name } + ShellCommands.all.map { "command." + $0.name }
      + FormatRegistry.standard.formats.map { "format." + $0.name })
    for key in frenchHelp.keys { XCTAssertTrue(known.contains(key), "\(key): French help for no topic") }
  }

  func testHelpPagesInFrench() throws {
    MessageLanguage.current = .french
    let overview = try helpText(nil)
    XCTAssertTrue(overview.contains("étapes :       where, select"), overview)
    XCTAssertTrue(overview.contains("commandes :    .help"), overview)
    XCTAssertEqual(try helpText("take"), """
      | take N [by k, …]   (étape)
        Les N premières lignes ; avec `by`, les N premières lignes de chaque groupe, dans l'ordre courant (après `sort` : les N premiers de chaque groupe), les lignes gardant leur ordre relatif.
        exemple : from communes | sort population desc | take 2 by code_region | take 6

      """)
    XCTAssertTrue(try helpText("coalesce").contains("premier argument non null"))
    XCTAssertTrue(try helpText("formats").contains("classeur Excel"))
    XCTAssertTrue(try helpText(".lang").contains("la langue des messages"))
    XCTAssertTrue(try helpText("commands").contains(".quit  — quitte terrain"))
    MessageLanguage.current = .english
    XCTAssertTrue(try helpText("take").hasPrefix("| take N [by k, …]   (stage)\n  The first N rows"))
  }
}
