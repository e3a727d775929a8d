// Completion and multi-line statement assembly of the interactive shell, without a terminal.

import TerrainEngine
import TerrainExecution
import TerrainIO
import TerrainPlanner
import TerrainStorage
import TerrainShell
import TerrainSyntax
import XCTest

final class ShellCompletionTests: XCTestCase {
  let completer = ShellCompleter(
    tableNames: { ["communes", "epci", "departements", "regions"] },
    columns: { name in
      switch name {
      case "communes": return ["code_insee", "nom", "population", "epci", "code_departement"]
      case "epci": return ["siren", "nom_epci", "population_epci"]
      default: return nil
      }
    })

  func words(_ before: String, _ word: String) -> [String] { completer.complete(before: before, word: word).list }

  func testStatementKeywordsAtStart() {
    XCTAssertEqual(words("", "fr"), ["from"])
    XCTAssertEqual(words("", "l"), ["load", "let"])
    XCTAssertEqual(words("from communes; ", "lo"), ["load"])
  }

  func testTablesAfterFromAndJoin() {
    XCTAssertEqual(words("from ", "com"), ["communes"])
    XCTAssertEqual(words("from communes | join ", "ep"), ["epci"])
    XCTAssertEqual(words(".schema ", "re"), ["regions"])
    XCTAssertEqual(words(".describe ", ""), ["communes", "epci", "departements", "regions"])
    XCTAssertEqual(words("pilots ", "co"), ["communes"])
  }

  func testStagesAfterPipe() {
    XCTAssertEqual(words("from communes | ", "se"), ["select"])
    XCTAssertEqual(words("from communes\n| ", "ag"), ["aggregate"])
    XCTAssertEqual(Set(words("from communes | ", "d")), ["derive", "drop", "distinct"])
  }

  func testColumnsOfTheStatementTables() {
    XCTAssertEqual(words("from communes | select nom, ", "popu"), ["population"])
    XCTAssertEqual(words("from communes | join epci on ", "nom_"), ["nom_epci"])
    XCTAssertEqual(words("from communes |\nwhere ", "code_d"), ["code_departement"])
    XCTAssertEqual(words("from communes | derive densite = population / 2 | sort ", "dens"), ["densite"])
    XCTAssertEqual(words("from communes | aggregate total = sum(population) by epci | sort ", "tot"), ["total"])
    XCTAssertEqual(words("from communes | select ", "communes.po"), ["communes.population"])
  }

  func testFunctionsAndKeywords() {
    XCTAssertEqual(words("from communes | derive x = ", "rou"), ["round("])
    XCTAssertEqual(words("from communes | aggregate n = ", "count"), ["count(", "count_distinct("])
    XCTAssertTrue(words("from communes | aggregate n = count() ", "b").contains("by"))
    XCTAssertTrue(words("from communes | sort population ", "de").contains("desc"))
    XCTAssertTrue(words("from communes | where population > 3 ", "an").contains("and"))
  }

  /// The completion lists are the registries': every callable function (the special forms
  /// `if` and `coalesce` too) and every function help topic, every window function in a
  /// derive, every stage, every dot command, every option of load, export and chart.
  func testCompletionListsMatchTheRegistries() {
    let functions = Set(words("from communes | derive x = ", "").filter { $0.hasSuffix("(") }.map { String($0.dropLast()) })
    let registry = FunctionRegistry.standard
    XCTAssertEqual(functions, Set(registry.scalars.map(\.rawValue) + registry.aggregates.map(\.rawValue) + ["if", "coalesce"]
      + registry.windows.map(\.rawValue)))
    XCTAssertEqual(words("from communes | select x = ", "coal"), ["coalesce("])
    for topic in helpTopics where topic.kind == "function" || topic.kind == "aggregate" || topic.kind == "window" {
      guard topic.name != "case" else { continue }  // `case … end` is a keyword, completed as one
      XCTAssertTrue(functions.contains(topic.name), "`.help \(topic.name)` documents a function Tab does not complete")
    }
    XCTAssertTrue(words("from communes | select x = ", "ca").contains("case"))
    XCTAssertEqual(Set(words("from communes | ", "")), Set(Grammar.terrain.stageKeywords))
    XCTAssertEqual(Set(words("", ".")), Set(ShellCommands.all.map { "." + $0.name }))
    XCTAssertEqual(Set(words("load \"x.csv\" with (", "")), Set(LoadOptions.schema.names))
    XCTAssertEqual(Set(words("load \"x.csv\" with (sep = \";\", ", "")), Set(LoadOptions.schema.names))
    XCTAssertEqual(words("load \"x.csv\" with (sep = \";\", ", "hea"), ["header"])
    XCTAssertEqual(Set(words("from communes | export \"x.csv\" with (", "")), Set(ExportOptions.schema.names))
    XCTAssertEqual(Set(words("from communes | chart bar nom, population with (", "")), Set(ChartOptions.schema.names))
    // Inside a list value, not an option name.
    XCTAssertFalse(words("load \"x.csv\" with (nulls = (\"NA\", ", "").contains("sep"))
    XCTAssertEqual(words(".lang ", ""), ["en", "fr"])
  }

  func testDotCommands() {
    XCTAssertEqual(words("", ".sch"), [".schema"])
    XCTAssertTrue(words("", ".").contains(".quit"))
    XCTAssertEqual(words(".mode ", "cs"), ["csv"])
    XCTAssertEqual(words(".timer ", "o"), ["on", "off"])
    XCTAssertEqual(words(".collation ", ""), ["fr", "binary"])
    XCTAssertEqual(words(".collation ", "b"), ["binary"])
    XCTAssertEqual(words("", ".coll"), [".collation"])
    XCTAssertTrue(words(".help ", "agg").contains("aggregate"))
  }

  func testFilesInsideQuotes() {
    XCTAssertEqual(completer.complete(before: "load \"", word: "data/co"), .files)
    XCTAssertEqual(completer.complete(before: "from communes | export \"", word: "out"), .files)
    XCTAssertEqual(completer.complete(before: ".read ", word: "exa"), .files)
    XCTAssertEqual(completer.complete(before: ".save ", word: "trav"), .files)
    XCTAssertEqual(completer.complete(before: ".open \"", word: "trav"), .files)
    XCTAssertEqual(completer.complete(before: "from communes | where nom == \"", word: "Ly"), .none)
    XCTAssertEqual(completer.complete(before: "let ", word: "x"), .none)
  }

  // MARK: statement assembly

  func testNeedsMore() {
    XCTAssertTrue(statementNeedsMore("from communes |"))
    XCTAssertTrue(statementNeedsMore("from communes | select nom,"))
    XCTAssertTrue(statementNeedsMore("from communes | where population > 3 and"))
    XCTAssertTrue(statementNeedsMore("from communes | where (population > 3"))
    XCTAssertTrue(statementNeedsMore("from communes | where nom == \"L'Ab"))
    XCTAssertTrue(statementNeedsMore("let x ="))
    XCTAssertTrue(statementNeedsMore("from communes; from"))
    XCTAssertFalse(statementNeedsMore("from communes"))
    XCTAssertFalse(statementNeedsMore("from communes | where nom == \"a|\""))
    XCTAssertFalse(statementNeedsMore("from communes # trailing |"))
    XCTAssertFalse(statementNeedsMore("from communes | sort population desc;"))
    XCTAssertFalse(statementNeedsMore("from communes | where nom == 'it\\'s'"))
  }

  func testAssemblerRunsCompleteLinesAndContinuesOthers() {
    var a = StatementAssembler()
    XCTAssertEqual(a.feed("from communes |", moreInputWaiting: false), [])
    XCTAssertTrue(a.isContinuing)
    XCTAssertEqual(a.feed("  take 3", moreInputWaiting: false), ["from communes |\n  take 3"])
    XCTAssertFalse(a.isContinuing)
    XCTAssertEqual(a.feed("from regions; from epci", moreInputWaiting: false), ["from regions; from epci"])
    XCTAssertEqual(a.feed("", moreInputWaiting: false), [])
  }

  func testDotCommandRunsAtOnce() {
    var a = StatementAssembler()
    XCTAssertEqual(a.feed(".tables", moreInputWaiting: true), [".tables"])
    XCTAssertFalse(a.isContinuing)
  }

  func testEmptyLineRunsPending() {
    var a = StatementAssembler()
    XCTAssertEqual(a.feed("from communes | select nom,", moreInputWaiting: false), [])
    XCTAssertEqual(a.feed("", moreInputWaiting: false), ["from communes | select nom,"])
  }

  func testPasteHoldsLineUntilNextShowsNoContinuation() {
    var a = StatementAssembler()
    XCTAssertEqual(a.feed("from communes", moreInputWaiting: true), [])
    XCTAssertEqual(a.feed("| where population > 1000", moreInputWaiting: true), [])
    XCTAssertEqual(a.feed("| take 2", moreInputWaiting: true), [])
    XCTAssertEqual(a.feed("from regions", moreInputWaiting: false),
      ["from communes\n| where population > 1000\n| take 2", "from regions"])
    XCTAssertEqual(a.feed("from epci;", moreInputWaiting: true), ["from epci;"])
  }

  func testFinishRunsHeldButDropsUnfinished() {
    var a = StatementAssembler()
    _ = a.feed("from communes", moreInputWaiting: true)
    XCTAssertEqual(a.finish(), "from communes")
    _ = a.feed("from communes |", moreInputWaiting: false)
    XCTAssertNil(a.finish())
  }

  /// With a planner, a stage completes the columns of the query before it: after `select nom`
  /// only `nom`, after an `aggregate` its outputs, plus names the stage itself defines.
  func testColumnsFollowThePlannedQuery() throws {
    let session = Session.shell()
    session.catalog.set("communes", Table(names: ["code_insee", "nom", "population"], columns: [
      Column.from([.text("01001")], type: .text), Column.from([.text("A")], type: .text), Column.from([.int(1)], type: .int),
    ]), origin: .query)
    var planned = completer
    planned.queryColumns = { session.outputColumns(of: $0) }
    func words(_ before: String, _ word: String) -> [String] { planned.complete(before: before, word: word).list }
    XCTAssertEqual(words("from communes | select nom | where ", "po"), ["pow("], "population is gone after select")
    XCTAssertEqual(words("from communes | select nom | where ", "n"), ["nom", "not", "null"])
    XCTAssertEqual(words("from communes | aggregate total = sum(population) by nom | sort ", "to"), ["total", "today("])
    XCTAssertTrue(words("from communes | derive dd = 1 | where ", "d").contains("dd"))
    XCTAssertTrue(words("from communes | derive x = 1, y = ", "x").contains("x"), "a name the stage defines")
    // Not plannable (unknown table, a typo in an earlier stage): the statement's words.
    XCTAssertEqual(words("from communes | where populaton > 1 | select ", "po"), ["population", "pow("])
    XCTAssertEqual(words("a; from communes | select nom | take 1 | where ", "no"), ["nom", "not"])
    XCTAssertNil(session.outputColumns(of: "from nowhere | take 1"))
    XCTAssertNil(session.outputColumns(of: "from communes | export \"x.csv\""))
  }

  /// `compare` is planned without running anything, so completion after `compare pilots on … |`
  /// (typed in one statement, or continued line by line, `against` included) lists the
  /// comparison's columns; inside the `compare`, the pilots' table's.
  func testCompareColumnsArePlannedWithoutRunning() throws {
    let session = Session.shell()
    session.register(try Table(columns: [
      ("siren", .text(["a", "b", "c"])), ("nom", .text(["Alpha", "Beta", "Gamma"])), ("population", .int([10, 20, 30])),
      ("superficie", .float([1, 2, 3])),
    ]), as: "epci")
    XCTAssertNil(session.outputColumns(of: "compare pilots on population"), "no pilots yet")
    XCTAssertEqual(session.execute("pilots epci key siren = \"a\", \"c\"").last?.notices, ["2 pilots: Alpha, Gamma"])
    var notices: [String] = []
    session.notify = { notices.append($0) }
    let comparison = ["indicator", "Alpha", "Alpha rank", "Alpha of", "Gamma", "Gamma rank", "Gamma of", "median", "min", "max", "pooled"]
    XCTAssertEqual(session.outputColumns(of: "compare pilots on population, d = population / superficie"), comparison)
    XCTAssertEqual(session.outputColumns(of: "compare pilots on population against peers where population > 15 | select indicator, median"),
      ["indicator", "median"])
    XCTAssertNil(session.outputColumns(of: "compare pilots on nom"), "not numeric: does not plan")
    XCTAssertEqual(notices, [], "planning announces nothing: nothing ran")

    var planned = ShellCompleter(tableNames: { session.tableNames }, columns: { _ in nil })
    planned.queryColumns = { session.outputColumns(of: $0) }
    planned.pilotColumns = { ["siren", "nom", "population", "superficie"] }
    func words(_ before: String, _ word: String) -> [String] { planned.complete(before: before, word: word).list }
    XCTAssertEqual(words("compare pilots on population | where ", "me"), ["median", "median("])
    XCTAssertEqual(words("compare pilots on population | sort ", "Gamma"), ["Gamma", "Gamma rank", "Gamma of"])
    XCTAssertEqual(words("compare pilots on ", "popu"), ["population"], "the pilots' columns")
    // Line by line: `against` then `|` continue the `compare` before them.
    var c = QueryContinuation()
    c.record("compare pilots on population", continuing: false, succeeded: true)
    XCTAssertEqual(words(c.completionContext("against peers where "), "sup"), ["superficie"])
    XCTAssertEqual(c.completionContext("against peers where population > 15 | where "),
      "compare pilots on population against peers where population > 15 | where ")
    XCTAssertEqual(words(c.completionContext("against peers where population > 15 | where "), "po"), ["pooled", "pow("])
    XCTAssertEqual(words(c.completionContext("| where "), "Al"), ["Alpha", "Alpha rank", "Alpha of"])
  }
}
