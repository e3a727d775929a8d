// Places where terrain did not do what SPEC.md says or what a careful user expects, found by
// using the real shell as a demanding user would; one test per finding.

import Foundation
import XCTest

import TerrainEngine
import TerrainExecution
import TerrainIO
import TerrainPlanner
import TerrainStorage
import TerrainSyntax

final class UserFindingsTests: XCTestCase {
  /// A session on a small table `t`, with results and notices captured separately.
  final class Run {
    let session = Session.shell()
    var out = ""
    var err = ""

    init() throws {
      session.write = { [unowned self] in self.out += $0 }
      session.notify = { [unowned self] in self.err += $0 }
      session.renderOptions.mode = .csv
      let t = Table(names: ["code", "nom", "population"], columns: [
        Column.from([.text("01"), .text("2A"), .text("69")], type: .text),
        Column.from([.text("Ain"), .text("Corse-du-Sud"), .text("Rhône")], type: .text),
        Column.from([.int(652_432), .int(158_507), .int(1_883_437)], type: .int),
      ])
      session.catalog.set("t", t, origin: .query)
    }

    /// Runs `text` as the script `s.tq`; returns whether it succeeded.
    @discardableResult
    func run(_ text: String) -> Bool {
      out = ""
      err = ""
      return session.run(text, name: "s.tq")
    }
  }

  /// Runs `statement`, which must fail with `first` as the first line of its report
  /// (`s.tq:LINE:COL: error: …`).
  func expectError(_ r: Run, _ statement: String, _ first: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertFalse(r.run(statement), "succeeded: \(statement)", file: file, line: line)
    XCTAssertEqual(String(r.err.split(separator: "\n").first ?? ""), first, file: file, line: line)
  }

  // MARK: spans

  func testDuplicateOutputNamePointsAtTheSecondUse() throws {
    let r = try Run()
    expectError(r, "from t | select nom, x = 1, x = 2", "s.tq:1:29: error: column `x` appears twice")
    expectError(r, "from t | aggregate code = count() by code", "s.tq:1:20: error: column `code` appears twice")
    expectError(r, "from t | aggregate n = count() by code, code", "s.tq:1:41: error: column `code` appears twice")
  }

  func testExplainErrorsPointIntoTheExplainedStatement() throws {
    let r = try Run()
    expectError(r, "from t | take 1\n.explain   from t | where populaton > 1", "s.tq:2:27: error: unknown column `populaton` in `t`")
    XCTAssertTrue(r.err.contains("2 │ .explain   from t | where populaton > 1\n  │                           ^^^^^^^^^ not found"), r.err)
  }

  func testDotCommandErrorsPointAtTheArgument() throws {
    let r = try Run()
    expectError(r, ".describe nope", "s.tq:1:11: error: unknown table `nope`")
    expectError(r, ".tables t", "s.tq:1:1: error: usage: .tables takes no argument")
  }

  func testDotCommandsTakeQuotedTableNames() throws {
    let r = try Run()
    XCTAssertTrue(r.run("let `my t` = from t | take 1\n.schema `my t`\n.describe \"my t\"\n.drop 'my t'"), r.err)
    XCTAssertTrue(r.out.contains("code,text,0"), r.out)
    XCTAssertEqual(r.err, "dropped my t\n")
  }

  // MARK: messages

  func testAggregateWithoutAnAggregateSaysSo() throws {
    let r = try Run()
    expectError(r, "from t | aggregate by code", "s.tq:1:20: error: `aggregate` needs at least one `name = AGGREGATE(…)` before `by`")
  }

  func testNestedAggregateIsNamedAsSuch() throws {
    let r = try Run()
    expectError(r, "from t | aggregate x = sum(sum(population))", "s.tq:1:28: error: aggregates cannot be nested: `sum` is inside another aggregate")
  }

  func testCombiningTypesDoesNotTalkAboutComparing() throws {
    let r = try Run()
    expectError(r, "from t | select a = if(true, 1, \"a\")", "s.tq:1:30: error: cannot combine `1` (int) with `\"a\"` (text)")
    XCTAssertTrue(r.err.contains("^^^^^^ int vs text\n  = help: convert one side, e.g. with text(…), int(…) or float(…)\n"), r.err)
    XCTAssertFalse(r.run("from t | select c = coalesce(population, \"a\")"))
    XCTAssertFalse(r.err.contains("compare"), r.err)
    // A comparison with the column on the right still names the column first.
    XCTAssertFalse(r.run("from t | where 5 == nom"))
    XCTAssertTrue(r.err.contains("cannot compare `nom` (text) with `5` (int)"), r.err)
    XCTAssertTrue(r.err.contains("text vs int\n  = help: `nom` is text: write the value in quotes, \"5\""), r.err)
  }

  func testArityMessageGrammar() throws {
    let r = try Run()
    expectError(r, "from t | select a = least()", "s.tq:1:21: error: `least` takes at least 1 argument, not 0")
  }

  // MARK: options

  /// A repeated option used to be taken silently, the last one winning.
  func testAnOptionGivenTwiceIsAnError() throws {
    let r = try Run()
    expectError(r, "from t | export \"x.csv\" with (sep = \";\", SEP = \",\")", "s.tq:1:42: error: option `SEP` is given twice")
    expectError(r, "load \"x.csv\" with (header = true, header = false)", "s.tq:1:35: error: option `header` is given twice")
  }

  func testExportToAnEmptyName() throws {
    let r = try Run()
    expectError(r, "from t | export \"\"", "s.tq:1:17: error: cannot write: empty file name")
  }

  // MARK: scripts

  /// A script saved with a UTF-8 byte-order mark (Windows Notepad) failed on its first word.
  func testScriptWithByteOrderMarkAndCRLF() throws {
    let r = try Run()
    XCTAssertTrue(r.run("\u{FEFF}from t | select nom | take 1\r\n"), r.err)
    XCTAssertEqual(r.out, "nom\nAin\n")
    expectError(r, "\u{FEFF}from t |\r\n  where nope > 1\r\n", "s.tq:2:9: error: unknown column `nope` in `t`")
  }

  // MARK: help

  /// The overview lists stages, aggregates, commands…: `.help` on each heading lists it
  /// (only `.help functions` used to work).
  func testHelpOnEachGroupOfTheOverview() throws {
    let r = try Run()
    for (group, expected) in [("stages", "| take N [by k, …]  — "), ("aggregates", "share(x)  — "), ("commands", ".quit  — leave terrain"),
      ("statements", "let NAME = PIPELINE  — "), ("functions", "coalesce(a, b, …)  — ")] {
      XCTAssertTrue(r.run(".help \(group)"), r.err)
      XCTAssertTrue(r.out.contains(expected), "\(group):\n\(r.out)")
      XCTAssertFalse(r.out.contains("no help"), r.out)
    }
    XCTAssertTrue(r.run(".help .quit"))
    XCTAssertTrue(r.out.hasPrefix(".quit\n"), r.out)
  }

  /// SQL habits get a pointer to the terrain way.
  func testStarFromSQLGetsAHint() throws {
    let r = try Run()
    for statement in ["from t | aggregate n = count(*)", "from t | select *"] {
      XCTAssertFalse(r.run(statement))
      XCTAssertTrue(r.err.contains("= help: `count()` counts rows; to keep every column, leave `select` out"), r.err)
    }
  }

  // MARK: parameters where a path is expected

  /// SPEC §2: one saved script serves every territory, so `load $f` and
  /// `export "fiche_" || $siren || ".csv"` take parameters (read as text).
  func testParametersInLoadAndExportPaths() throws {
    let dir = try tempDir()
    let r = try Run()
    r.session.parameters = ["dir": dir.path + "/", "code": "69", "f": dir.path + "/t_69.csv"]
    XCTAssertTrue(r.run("from t | where code == $code | export $dir || \"t_\" || $code || \".csv\""), r.err)
    XCTAssertEqual(r.err, "wrote 1 row to \(dir.path)/t_69.csv\n")
    XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent("t_69.csv"), encoding: .utf8),
      "code,nom,population\n69,Rhône,1883437\n")
    // Without `as`, the table is named after the resolved file.
    XCTAssertTrue(r.run("load $f\nfrom t_69 | select nom"), r.err)
    XCTAssertEqual(r.out, "nom\nRhône\n")
    XCTAssertTrue(r.run("load $f as rhone\nfrom rhone | select population"), r.err)
    XCTAssertEqual(r.out, "population\n1883437\n")
    // The path pieces may continue on the next line after `||`.
    XCTAssertTrue(r.run("from t | take 1 | export $dir ||\n  \"un.csv\""), r.err)
    XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("un.csv").path))
  }

  func testUndefinedParameterInAPathIsReportedAtItsSpan() throws {
    let r = try Run()
    expectError(r, "load $nope", "s.tq:1:6: error: undefined parameter `$nope`")
    XCTAssertTrue(r.err.contains("= help: define it with `-p nope=VALUE` on the command line, or `.param nope VALUE` in the shell"), r.err)
    expectError(r, "from t | export \"a_\" || $nope || \".csv\"", "s.tq:1:25: error: undefined parameter `$nope`")
    XCTAssertTrue(r.err.contains("│                         ^^^^^ not defined"), r.err)
  }

  /// A path is strings and parameters joined with `||`, nothing else; a table name is a name.
  func testPathsAreStringsAndParametersOnly() throws {
    let r = try Run()
    r.session.parameters = ["f": "x.csv"]
    expectError(r, "from t | export \"a\" + $f", "s.tq:1:21: error: the pieces of a path are joined with `||`")
    expectError(r, "from t | export \"a\" || 3",
      "s.tq:1:24: error: expected a string or a `$parameter` after `||`, found `3`")
    expectError(r, "from t | export out.csv",
      "s.tq:1:17: error: expected a file path after `export`: a string in quotes or a `$parameter`, found `out`")
    expectError(r, "load $f as $name", "s.tq:1:12: error: a table name cannot be a parameter")
    // Dot commands are not statements: no parameters there, and the error says so.
    expectError(r, ".read $f", "s.tq:1:7: error: cannot read script \"$f\": no such file")
    XCTAssertTrue(r.err.contains("parameters are used in statements, not in dot commands"), r.err)
  }

  /// In `with (…)` a parameter takes the option's type: text for `null`, true/false for `header`.
  func testParametersInOptionsTakeTheOptionsType() throws {
    let dir = try tempDir()
    let r = try Run()
    r.session.parameters = ["h": "false", "sep": ";", "null": "0", "p": dir.appendingPathComponent("o.csv").path]
    XCTAssertTrue(r.run("from t | derive x = null | take 1 | export $p with (header = $h, sep = $sep, null = $null)"), r.err)
    XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent("o.csv"), encoding: .utf8), "01;Ain;652432;0\n")
    XCTAssertTrue(r.run("load $p as back with (header = $h, sep = $sep)\nfrom back | select column2"), r.err)
    XCTAssertEqual(r.out, "column2\nAin\n")
    r.session.parameters["h"] = "maybe"
    expectError(r, "from t | export $p with (header = $h)",
      "s.tq:1:35: error: parameter `$h` is \"maybe\", which is not true or false")
  }

  // MARK: help on an unknown topic

  /// `.help nope` is an error like any bad dot-command argument: stderr, script stops.
  func testHelpOnAnUnknownTopicIsAnError() throws {
    let r = try Run()
    expectError(r, ".help agregate\nfrom t | take 1", "s.tq:1:7: error: no help on `agregate`")
    XCTAssertEqual(r.out, "")
    XCTAssertTrue(r.err.contains("= help: did you mean `.help aggregate`?"), r.err)
    expectError(r, ".help .tabels", "s.tq:1:7: error: no help on `.tabels`")
    XCTAssertTrue(r.err.contains("= help: did you mean `.help .tables`?"), r.err)
    expectError(r, ".help zzzzzzzz", "s.tq:1:7: error: no help on `zzzzzzzz`")
    XCTAssertTrue(r.err.contains("= help: `.help` lists the topics"), r.err)
  }

  // MARK: number literals

  /// `_` separates digits: only between two digits.
  func testDigitSeparatorsStandBetweenDigits() throws {
    let r = try Run()
    for bad in ["10_", "1__0", "1_.5", "1.5_", "2e1_"] {
      expectError(r, "from t | select x = \(bad)", "s.tq:1:21: error: malformed number `\(bad)`")
      XCTAssertTrue(r.err.contains("^" + String(repeating: "^", count: bad.count - 1) + " `_` must stand between two digits"), r.err)
    }
    XCTAssertTrue(r.run("from t | select a = 1_000_000, b = 2_5.0_5, c = 1e1_0 | take 1"), r.err)
    XCTAssertEqual(r.out, "a,b,c\n1000000,25.05,10000000000.0\n")
  }

  /// `1.5.3` used to say "found `0.3`"; the second `.` is the mistake.
  func testSecondDecimalPointIsPointedAt() throws {
    let r = try Run()
    expectError(r, "from t | select x = 1.5.3", "s.tq:1:24: error: malformed number `1.5.3`")
    XCTAssertTrue(r.err.contains("                       ^ a second `.`"), r.err)
    XCTAssertTrue(r.err.contains("= help: a number has at most one decimal point"), r.err)
    expectError(r, "from t | select x = 2e6.5", "s.tq:1:24: error: malformed number `2e6.5`")
    XCTAssertTrue(r.err.contains("^ `.` after the exponent"), r.err)
  }

  // MARK: names given twice

  func testDropOfTheSameColumnTwicePointsAtTheSecond() throws {
    let r = try Run()
    expectError(r, "from t | drop nom, code, nom", "s.tq:1:26: error: column `nom` dropped twice")
    XCTAssertTrue(r.err.contains("^^^ already dropped"), r.err)
    expectError(r, "from t | distinct nom, nom", "s.tq:1:24: error: column `nom` listed twice")
    XCTAssertTrue(r.run("from t | drop nom, code | take 1"), r.err)
    XCTAssertEqual(r.out, "population\n652432\n")
  }

  func testCompareIndicatorNamedTwicePointsAtTheSecond() throws {
    let r = try Run()
    XCTAssertTrue(r.run("pilots t key code = \"69\""), r.err)
    expectError(r, "compare pilots on population, x = population / 2, population",
      "s.tq:1:51: error: indicator `population` appears twice")
    expectError(r, "compare pilots on x = population, x = population / 2", "s.tq:1:35: error: indicator `x` appears twice")
    XCTAssertTrue(r.run("compare pilots on population, x = population / 2"), r.err)
  }

  // MARK: expressions named in messages

  /// Found by QA: a type error on an operator expression named it `…`
  /// ("`median` needs numbers, but `…` is bool"); short ones are now written out, long ones
  /// are "the expression".
  func testTypeErrorsNameOperatorExpressions() throws {
    let r = try Run()
    expectError(r, "from t | aggregate m = median(population > 1)",
      "s.tq:1:31: error: `median` needs numbers, but `population > 1` is bool")
    expectError(r, "from t | where nom == -population * 2", "s.tq:1:16: error: cannot compare `nom` (text) with `-population * 2` (int)")
    expectError(r, "from t | select x = upper((population + 1) % 7)",
      "s.tq:1:27: error: `upper` needs text, but `(population + 1) % 7` is int")
    XCTAssertTrue(r.err.contains("help: convert it with `text((population + 1) % 7)`"), r.err)
    expectError(r, "from t | where population + 1", "s.tq:1:16: error: a condition must be true or false, but this is int")
    XCTAssertTrue(r.err.contains("e.g. `population + 1 > 0`"), r.err)
    expectError(r, "from t | aggregate m = median(not (population > 1 and nom is null or code is not null))",
      "s.tq:1:31: error: `median` needs numbers, but the expression is bool")
  }

  /// Where a constant is required (the fraction of `quantile`, the count of `take`, an option
  /// value), any expression that reads no column is one: `1/2`, `2 * 2`; an overflow in it is
  /// the usual error at its span, and reading a column is still refused.
  func testConstantExpressionsWhereAConstantIsRequired() throws {
    let r = try Run()
    XCTAssertTrue(r.run("from t | aggregate a = quantile(population, 1/2), b = median(population), c = quantile(population, 0.25 + 0.25)"), r.err)
    XCTAssertEqual(r.out, "a,b,c\n652432.0,652432.0,652432.0\n")
    XCTAssertTrue(r.run("from t | take 2 * 1 | select code"), r.err)
    XCTAssertEqual(r.out, "code\n01\n2A\n")
    expectError(r, "from t | take 9223372036854775807 + 1", "s.tq:1:15: error: integer overflow: the result does not fit in 64 bits")
    expectError(r, "from t | take population", "s.tq:1:15: error: `take` needs a constant number of rows")
    expectError(r, "from t | aggregate q = quantile(population, population)",
      "s.tq:1:45: error: the fraction of `quantile` must be a constant between 0 and 1")
  }
}
