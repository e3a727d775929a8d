// Runs the workshop scripts of `examples/` with the real binary from the repository root and
// compares their output with the `.expected` files beside them.
// TERRAIN_UPDATE_GOLDEN=1 rewrites the expected files.

import Foundation
import XCTest

final class ExamplesTests: XCTestCase {
  static let root = TestSupport.repositoryRoot

  /// The built `terrain` executable.
  static func binary() throws -> URL {
    guard let binary = TestSupport.terrainBinary else { throw XCTSkip("terrain binary not found; run `swift build` first") }
    return binary
  }

  /// Runs terrain with `arguments` from the repository root; returns stdout, stderr, status.
  static func run(_ arguments: [String], french: Bool = false) throws -> (out: String, err: String, status: Int32) {
    try TestSupport.runProcess(try binary(), arguments, in: root,
      environment: ["NO_COLOR": "1"].merging(french ? ["LANG": "fr_FR.UTF-8"] : [:]) { a, _ in a })
  }

  /// Runs `examples/SCRIPT.tq` and compares its output with `SCRIPT.expected`, or with French
  /// messages (`LANG=fr_FR.UTF-8`) with `SCRIPT.fr.expected`.
  func check(_ script: String, parameters: [String] = [], expected name: String? = nil, french: Bool = false) throws {
    try FileManager.default.createDirectory(at: Self.root.appendingPathComponent("examples/out"), withIntermediateDirectories: true)
    let (out, err, status) = try Self.run(parameters.flatMap { ["-p", $0] } + ["examples/\(script).tq"], french: french)
    XCTAssertEqual(status, 0, "examples/\(script).tq failed:\n\(err)")
    let actual = out + "-- stderr --\n" + err
    let expectedURL = Self.root.appendingPathComponent("examples/\(name ?? script)\(french ? ".fr" : "").expected")
    if ProcessInfo.processInfo.environment["TERRAIN_UPDATE_GOLDEN"] == "1" {
      try actual.write(to: expectedURL, atomically: true, encoding: .utf8)
      return
    }
    let expected = try String(contentsOf: expectedURL, encoding: .utf8)
    if actual != expected {
      let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
      let b = expected.split(separator: "\n", omittingEmptySubsequences: false)
      let i = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
      XCTFail("examples/\(script).tq differs from its expected output at line \(i + 1):\n expected: \(i < b.count ? String(b[i]) : "<end>")\n   actual: \(i < a.count ? String(a[i]) : "<end>")")
    }
  }

  func testDay1Discovery() throws { try check("jour1_decouverte") }
  func testDay2Indicators() throws { try check("jour2_indicateurs") }
  func testDay3Pilots() throws { try check("jour3_pilotes") }
  func testDay4Restitution() throws {
    try check("jour4_restitution")
    // The Excel file: BOM, `;`, CRLF, decimal comma.
    let data = try Data(contentsOf: Self.root.appendingPathComponent("examples/out/comparatif.csv"))
    XCTAssertEqual(Array(data.prefix(3)), [0xEF, 0xBB, 0xBF])
    let text = String(decoding: data.dropFirst(3), as: UTF8.self)
    XCTAssertTrue(text.hasPrefix("indicator;"))
    XCTAssertTrue(text.contains("\r\n"))
    // The peers' median population, 74,190, written whole (an int indicator beside float
    // ones), the other figures with a decimal comma; ranks and their N as whole numbers.
    XCTAssertTrue(text.contains(";74190;") && !text.contains("74190,0") && !text.contains("74190.0"), "whole number expected:\n\(text)")
    XCTAssertTrue(text.contains(";158,86712571836034;"), "decimal comma expected:\n\(text)")
    XCTAssertTrue(text.hasPrefix("indicator;CA du Grand Dax;CA du Grand Dax rank;CA du Grand Dax of;"), text)
    XCTAssertTrue(text.contains("population;59038;162;217;"), text)
    // The two maps: every département drawn; the pilots' four coloured, the others hatched.
    for (file, coloured) in [("carte_fibre.svg", 96), ("carte_pilotes.svg", 4)] {
      let svg = try String(contentsOf: Self.root.appendingPathComponent("examples/out/\(file)"), encoding: .utf8)
      XCTAssertEqual(svg.components(separatedBy: "<path class=\"territory\"").count - 1, 96, file)
      let colouredPaths = try NSRegularExpression(pattern: "<path class=\"territory\" data-code=\"[0-9AB]+\" data-class=")
        .numberOfMatches(in: svg, range: NSRange(svg.startIndex..., in: svg))
      XCTAssertEqual(colouredPaths, coloured, file)
    }
  }
  func testParameterisedSheet() throws {
    let sheet = Self.root.appendingPathComponent("examples/out/fiche_244000675.csv")
    try? FileManager.default.removeItem(at: sheet)
    try check("fiche_pilote", parameters: ["siren=244000675"])
    // The per-pilot file, named from the parameter, in the Excel dialect.
    let data = try Data(contentsOf: sheet)
    XCTAssertEqual(Array(data.prefix(3)), [0xEF, 0xBB, 0xBF])
    XCTAssertTrue(String(decoding: data.dropFirst(3), as: UTF8.self).hasPrefix("indicator;CA du Grand Dax;"))
  }

  /// The same scripts with French messages: notices, counts, decimal commas on screen.
  func testExamplesInFrench() throws {
    for script in ["jour1_decouverte", "jour2_indicateurs", "jour3_pilotes", "jour4_restitution"] {
      try check(script, french: true)
    }
    try check("fiche_pilote", parameters: ["siren=244000675"], french: true)
  }

  func testParameterisedSheetNeedsItsParameterInFrench() throws {
    let (_, err, status) = try Self.run(["examples/fiche_pilote.tq"], french: true)
    XCTAssertEqual(status, 1)
    XCTAssertTrue(err.contains("examples/fiche_pilote.tq:7:28: erreur : paramètre non défini `$siren`"), err)
    XCTAssertTrue(err.contains("= aide : définissez-le avec `-p siren=VALEUR` en ligne de commande, ou `.param siren VALEUR` dans le shell"), err)
  }

  func testParameterisedSheetNeedsItsParameter() throws {
    let (_, err, status) = try Self.run(["examples/fiche_pilote.tq"])
    XCTAssertEqual(status, 1)
    XCTAssertTrue(err.contains("undefined parameter `$siren`"), err)
    XCTAssertTrue(err.contains("examples/fiche_pilote.tq:7:28:"), err)
  }
}
