// `with (…)` options: one schema per statement, one binder, the same rules for `load` and
// `export` (names, aliases, value types, parameters, errors at the value).

import Foundation
import XCTest

import TerrainEngine
import TerrainIO
import TerrainPlanner
import TerrainStorage
import TerrainSyntax

final class OptionTests: XCTestCase {
  private func failure(_ text: String, parameters: [String: String] = [:]) -> String {
    let session = Session.shell()
    var err = ""
    session.notify = { err += $0 }
    session.write = { _ in }
    session.parameters = parameters
    session.catalog.set("t", Table(names: ["a"], columns: [Column.from([.int(1)], type: .int)]), origin: .query)
    XCTAssertFalse(session.run(text, name: "s.tq"), text)
    return err
  }

  func testALoadOptionGivenTheWrongKindOfValueSaysWhatItTakes() {
    let err = failure("load \"x.csv\" with (types = \"text\")")
    XCTAssertTrue(err.hasPrefix("s.tq:1:28: error: expected `(` to list column types"), err)
    let list = failure("load \"x.csv\" with (header = (true, false))")
    XCTAssertTrue(list.hasPrefix("s.tq:1:20: error: option `header` does not take a list"), list)
  }

  func testCharacterOptionsFollowOneRuleInLoadAndExport() {
    let load = failure("load \"x.csv\" with (sep = \";;\")")
    XCTAssertTrue(load.hasPrefix("s.tq:1:26: error: `sep` must be a single character, not \";;\""), load)
    let export = failure("from t | export \"x.csv\" with (sep = \";;\")")
    XCTAssertTrue(export.contains("error: `sep` must be a single character, not \";;\""), export)
  }

  func testAnUnknownTypeInTypesPointsAtThatType() {
    let err = failure("load \"x.csv\" with (types = (code: text, pop: integer))")
    XCTAssertTrue(err.hasPrefix("s.tq:1:46: error: unknown type `integer`"), err)
    XCTAssertTrue(err.contains("help: types: int, float, text, bool"), err)
  }

  func testAliasesAndParametersWorkForEveryOption() throws {
    let dir = try TestSupport.temporaryFolder("terrain-options", for: self)
    let path = dir.appendingPathComponent("x.csv").path
    try "a|b\n1|2\n".write(toFile: path, atomically: true, encoding: .utf8)
    let session = Session.shell()
    session.notify = { _ in }
    session.write = { _ in }
    session.parameters = ["s": "|", "h": "true"]
    XCTAssertTrue(session.run("load \"\(path)\" as x with (separator = $s, header = $h)"))
    XCTAssertEqual(try session.query("from x").columnNames, ["a", "b"])
  }

  func testSchemasListTheirOptions() {
    XCTAssertEqual(LoadOptions.schema.names, ["sep", "header", "quote", "decimal", "encoding", "nulls", "types", "skip_bad_rows", "format", "skip", "thousands", "sheet", "file", "columns"])
    XCTAssertEqual(ExportOptions.schema.names, ["sep", "decimal", "bom", "header", "null", "crlf", "dialect", "format", "mode"])
    XCTAssertEqual(LoadOptions.schema.option(named: "SEPARATOR")?.name, "sep")
  }
}
