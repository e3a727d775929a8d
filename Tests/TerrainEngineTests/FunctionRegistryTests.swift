// The function registry: names are unique, every definition has a kernel or accumulator, and a
// function that says it cannot fail (`canFail`) never throws, on every form it declares, over
// extreme values in columns and as constants.

import Foundation
import XCTest

import TerrainExecution
import TerrainFunctions
import TerrainPlanner
import TerrainStorage
import TerrainSyntax

final class FunctionRegistryTests: XCTestCase {
  let registry = FunctionRegistry.standard

  func testNamesAreUniqueAndEachDefinitionRuns() {
    let scalars = registry.scalars.map(\.rawValue)
    let aggregates = registry.aggregates.map(\.rawValue)
    XCTAssertEqual(Set(scalars).count, scalars.count, "duplicate scalar function names")
    XCTAssertEqual(Set(aggregates).count, aggregates.count, "duplicate aggregate names")
    XCTAssertTrue(Set(scalars).isDisjoint(with: aggregates))
    for f in registry.scalars {
      XCTAssertTrue(f.definition is ScalarKernelBuilder, "\(f.rawValue) has no kernel")
      XCTAssertFalse(f.definition.signatures.isEmpty, "\(f.rawValue) declares no signature")
    }
    for a in registry.aggregates { XCTAssertTrue(a.definition is AccumulatorBuilder, "\(a.rawValue) has no accumulator") }
  }

  /// Extreme values per type (null included). Columns hold them all; constants take each.
  static let extremes: [DataType: [Value]] = [
    .int: [.int(Int64.min), .int(Int64.max), .int(0), .int(-1), .int(1), .int(-19), .int(19), .int(-308), .int(308),
      .int(123_456_789), .null],
    .float: [.float(Double.greatestFiniteMagnitude), .float(-Double.greatestFiniteMagnitude), .float(0), .float(-0.0),
      .float(Double.leastNonzeroMagnitude), .float(9.3e18), .float(-9.3e18), .float(1.5), .float(-2.5), .float(0.5), .null],
    .text: [.text(""), .text("a"), .text("Évian-les-Bains"), .text("🙂x"), .text("  spaced  "), .text("-"), .text("12"),
      .text("1e400"), .null],
    .bool: [.bool(true), .bool(false), .null],
    .date: [.date(CalendarDate.minDay), .date(CalendarDate.maxDay), .date(0), .date(-1), .null],
  ]

  static let columnName: [DataType: String] = [.int: "i", .float: "f", .text: "s", .bool: "b", .date: "d"]

  /// A table with one column per type, each holding every extreme value of its type (repeated
  /// to the longest list).
  func extremeTable() -> Table {
    let types: [DataType] = [.int, .float, .text, .bool, .date]
    let rows = types.map { Self.extremes[$0]?.count ?? 0 }.max() ?? 0
    let columns = types.map { t -> Column in
      let values = Self.extremes[t] ?? [.null]
      return Column.from((0..<rows).map { values[$0 % values.count] }, type: t)
    }
    return Table(names: types.map { Self.columnName[$0] ?? "?" }, columns: columns)
  }

  /// The expression of `from t | where TEXT`, parsed.
  func parse(_ text: String) throws -> Expr {
    guard case .query(let p)? = try Parser.parse("from t | where " + text, grammar: .terrain).first?.statement,
      let stage = p.stages.first?.stage as? WhereStage else { throw Diagnostic(DiagnosticMessage(.syntax, "test-not-parsed", "not parsed: {}"), text, at: nil) }
    return stage.condition
  }

  func testFunctionsThatCannotFailNeverThrowOnExtremeInputs() throws {
    let table = extremeTable()
    let relation = Relation(table: table, name: "t")
    var checked = 0
    var failing: Set<String> = []
    for f in registry.scalars {
      for signature in f.definition.signatures {
        // Each argument: the column of its type, or one of the type's extreme constants (as a
        // parameter, bound to a constant of the type the function expects).
        var choices: [[(String, String?)]] = [[]]
        for (k, t) in signature.enumerated() {
          // An argument that must be a constant (a regular expression) gets constants only.
          var options: [(String, String?)] = f.definition.constantArguments.contains(k) ? [] : [(Self.columnName[t] ?? "?", nil)]
          for v in Self.extremes[t] ?? [] where !v.isNull {
            if case .text(let s) = v { options.append(("$p\(k)", s)) } else { options.append(("$p\(k)", v.description)) }
          }
          options.append(("null", nil))
          choices = choices.flatMap { prefix in options.map { prefix + [$0] } }
        }
        for args in choices {
          var parameters: [String: ParameterValue] = [:]
          for (k, a) in args.enumerated() { if let raw = a.1 { parameters["p\(k)"] = .untyped(raw) } }
          let binder = ExpressionBinder(fields: table.fields, sourceName: "t", parameters: parameters,
            constants: KernelConstants(), functions: registry)
          let call = try parse(f.rawValue + "(" + args.map(\.0).joined(separator: ", ") + ")")
          let bound: BoundExpr
          do {
            bound = try binder.bind(call)
          } catch {
            // Constants may take another type than the signature's (a parameter "12" is an int).
            if args.allSatisfy({ $0.1 == nil && $0.0 != "null" }) { XCTFail("\(f.rawValue)\(signature) does not bind: \(error)") }
            continue
          }
          checked += 1
          do {
            _ = try ExpressionCompiler(relation: relation).evaluateColumn(bound, cancel: nil)
          } catch {
            failing.insert(f.rawValue)
            XCTAssertTrue(bound.canFail,
              "`\(bound.describe(table.columnNames))` says it cannot fail but throws: \(error)")
          }
        }
      }
    }
    XCTAssertGreaterThan(checked, 500)
    // The functions known to fail somewhere do fail here (the inputs are extreme enough).
    XCTAssertTrue(failing.isSuperset(of: ["abs", "round", "exp", "pow", "int"]), "failing: \(failing.sorted())")
  }
}
