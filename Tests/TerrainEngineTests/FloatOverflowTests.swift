// The float overflow rule: a float operation (operator, function or aggregate) whose present
// inputs are finite but whose result is ±inf or NaN is an error at its span; `x / 0` is null;
// a non-finite value already in a table goes through as IEEE says.

import Foundation
import XCTest

import TerrainEngine
import TerrainExecution
import TerrainIO
import TerrainPlanner
import TerrainStorage
import TerrainSyntax

final class FloatOverflowTests: XCTestCase {
  /// A session with table `t`: `g` (int group), `x` (float, given), `k` (int row number).
  func session(_ xs: [Double?], groups: [Int64]? = nil) -> Session {
    let s = Session.shell()
    let g = groups ?? xs.map { _ in 0 }
    let table = Table(names: ["g", "x", "k"], columns: [
      Column.from(g.map(Value.int), type: .int),
      Column.from(xs.map { $0.map(Value.float) ?? .null }, type: .float),
      Column.from(xs.indices.map { .int(Int64($0)) }, type: .int),
    ])
    s.catalog.set("t", table, origin: .query)
    return s
  }

  /// The error of `query`, checking that it points at `spanned` (the source text of its span).
  func overflow(_ s: Session, _ query: String, at spanned: String, file: StaticString = #filePath, line: UInt = #line) -> Diagnostic? {
    do {
      let t = try s.query(query)
      XCTFail("`\(query)` gives \(t.rowCount) rows, expected a float overflow", file: file, line: line)
      return nil
    } catch let d as Diagnostic {
      XCTAssertTrue(d.message.hasPrefix("float overflow"), "`\(query)`: \(d.message)", file: file, line: line)
      XCTAssertEqual(d.label, "overflows", file: file, line: line)
      if let span = d.span {
        let bytes = Array(query.utf8)
        let text = String(decoding: bytes[max(0, span.start)..<min(bytes.count, span.end)], as: UTF8.self)
        XCTAssertEqual(text, spanned, "`\(query)`", file: file, line: line)
      } else {
        XCTFail("`\(query)`: no span", file: file, line: line)
      }
      return d
    } catch {
      XCTFail("`\(query)`: \(error)", file: file, line: line)
      return nil
    }
  }

  func value(_ s: Session, _ query: String, row: Int = 0, column: Int = 0) throws -> Value {
    try s.query(query).columns[column].value(at: row)
  }

  // MARK: operators and functions

  func testOperatorsOverflowAtTheirSpan() throws {
    let s = session([1e308, -1e308, 2.0, nil])
    for (expr, spanned) in [
      ("x * 10", "x * 10"), ("x + x", "x + x"), ("x - (-x)", "x - (-x)"), ("x / 1e-10", "x / 1e-10"),
      ("1e308 * 10", "1e308 * 10"), ("-1e308 * 10", "-1e308 * 10"), ("1.0 + (x * x)", "(x * x)"),
    ] {
      _ = overflow(s, "from t | select r = \(expr)", at: spanned)
    }
    // The session is intact after the errors.
    XCTAssertEqual(try value(s, "from t | select r = x * 0.5", row: 2), .float(1))
  }

  func testDivisionByZeroStaysNull() throws {
    let s = session([1e308, 0, -1, nil])
    XCTAssertEqual(try value(s, "from t | select r = x / 0", row: 0), .null)
    XCTAssertEqual(try value(s, "from t | select r = 1 / x", row: 1), .null)
    XCTAssertEqual(try value(s, "from t | select r = x / x", row: 1), .null)
    XCTAssertEqual(try value(s, "from t | select r = x % 0", row: 0), .null)
  }

  func testFunctionsOverflowAtTheirSpan() throws {
    let s = session([1000, 1.7e308])
    _ = overflow(s, "from t | select r = exp(x)", at: "exp(x)")
    _ = overflow(s, "from t | select r = pow(x, 2)", at: "pow(x, 2)")
    _ = overflow(s, "from t | where k == 1 | select r = round(x, -308)", at: "round(x, -308)")
    XCTAssertEqual(try value(s, "from t | where k == 1 | select r = round(x, 2)"), .float(1.7e308))
  }

  func testNonFiniteTextIsNotANumber() throws {
    let s = session([1])
    for text in ["inf", "-inf", "nan", "Infinity", "1e400", "-1e400"] {
      XCTAssertEqual(try value(s, "from t | select r = float(\"\(text)\")"), .null, text)
    }
    XCTAssertEqual(try value(s, "from t | select r = float(\"1e300\")"), .float(1e300))
  }

  func testNonFiniteInputsGoThrough() throws {
    // Only a hand-built table holds them; the rule is about finite inputs.
    let s = session([.infinity, -.infinity, .nan, 1])
    XCTAssertEqual(try value(s, "from t | select r = x * 2", row: 0), .float(.infinity))
    XCTAssertEqual(try value(s, "from t | select r = x + 1", row: 1), .float(-.infinity))
    XCTAssertEqual(try value(s, "from t | select r = exp(x)", row: 0), .float(.infinity))
    guard case .float(let nan) = try value(s, "from t | where k < 2 | aggregate s = sum(x)") else { return XCTFail("not a float") }
    XCTAssertTrue(nan.isNaN)
    XCTAssertEqual(try value(s, "from t | where k == 0 | aggregate s = sum(x), a = avg(x)"), .float(.infinity))
  }

  func testOverflowInARemovedRowIsNoError() throws {
    let s = session([1e308, 1, 2])
    // where + aggregate runs as one masked pass over every row: the overflow of row 0 must not count.
    XCTAssertEqual(try value(s, "from t | where x < 10 | aggregate s = sum(x * 10)"), .float(30))
    XCTAssertEqual(try value(s, "from t | where x < 10 | aggregate n = count(), s = sum(x * 10)", column: 1), .float(30))
    _ = overflow(s, "from t | where x > 10 | aggregate s = sum(x * 10)", at: "x * 10")
  }

  // MARK: aggregates

  func testSumAndAvgOverflowAtTheAggregate() throws {
    let s = session([1.5e308, 1.5e308, nil])
    let d = overflow(s, "from t | aggregate s = sum(x)", at: "sum(x)")
    XCTAssertEqual(d?.message, "float overflow in `sum`: the total exceeds the 64-bit float range")
    _ = overflow(s, "from t | aggregate a = avg(x)", at: "avg(x)")
    _ = overflow(s, "from t | aggregate n = count(), s = sum(x) by g", at: "sum(x)")
    _ = overflow(s, "from t | where k >= 0 | aggregate s = sum(x)", at: "sum(x)")
    XCTAssertEqual(try value(s, "from t | where k == 0 | aggregate s = sum(x)"), .float(1.5e308))
    // Opposite signs: the total fits.
    let mixed = session([1.5e308, -1.5e308, 1.5e308])
    XCTAssertEqual(try value(mixed, "from t | aggregate s = sum(x)"), .float(1.5e308))
  }

  func testGroupedOverflowInOneGroup() throws {
    let s = session([1.5e308, 1.5e308, 1, 2], groups: [1, 1, 2, 2])
    _ = overflow(s, "from t | aggregate s = sum(x) by g", at: "sum(x)")
    _ = overflow(s, "from t | aggregate s = sum(x) by g | sort g", at: "sum(x)")
    XCTAssertEqual(try value(s, "from t | where g == 2 | aggregate s = sum(x) by g", column: 1), .float(3))
  }

  func testShareAndStddevOverflow() throws {
    let s = session([1.5e308, 1.5e308, 1], groups: [1, 2, 3])
    _ = overflow(s, "from t | aggregate p = share(x) by g", at: "share(x)")
    let spread = session([1e200 * 1e100, -1e300, 1e300])
    let d = overflow(spread, "from t | aggregate d = stddev(x)", at: "stddev(x)")
    XCTAssertEqual(d?.message, "float overflow in `stddev`: the result exceeds the 64-bit float range")
  }

  func testTotalOverflowAcrossWorkers() throws {
    // Each worker's partial sum fits; their merged total does not.
    let n = 200_000
    let s = session([Double](repeating: 1e304, count: n))
    _ = overflow(s, "from t | aggregate s = sum(x)", at: "sum(x)")
    _ = overflow(s, "from t | aggregate s = sum(x) by g", at: "sum(x)")
    XCTAssertEqual(try value(s, "from t | where k < 10 | aggregate s = sum(x)"), .float(1e305))
  }

  func testMedianOfValuesNearTheLimit() throws {
    // Their gap overflows, their mean does not.
    let s = session([1.5e308, -1.5e308])
    XCTAssertEqual(try value(s, "from t | aggregate m = median(x)"), .float(0))
    guard case .float(let q) = try value(s, "from t | aggregate q = quantile(x, 0.75)") else { return XCTFail("not a float") }
    XCTAssertTrue(PropertyTests.close(q, 0.75e308), "\(q)")
  }
}
