// The typed fast paths that replaced the boxed per-row kernel: `||` of two texts over codes
// (`TextJoiner`), number → text (`NumberTexts`), `least` / `greatest` of numbers, and the
// selection behind `median` / `quantile`; each against plain Swift on the same values.

import Foundation
import XCTest

import TerrainEngine
import TerrainExecution
import TerrainIO
import TerrainPlanner
import TerrainStorage
import TerrainSyntax

final class FastPathTests: XCTestCase {
  /// A session holding `t` with the given text and number columns.
  func session(_ columns: [(String, DataType, [Value])]) -> Session {
    let s = Session.shell()
    s.catalog.set("t", Table(names: columns.map(\.0), columns: columns.map { Column.from($0.2, type: $0.1) }), origin: .query)
    return s
  }

  func column(_ s: Session, _ query: String) throws -> [Value] {
    let t = try s.query(query)
    return (0..<t.rowCount).map { t.columns[0].value(at: $0) }
  }

  // MARK: grouping by several text keys

  /// `by a, b` on text keys with small dictionaries takes the composed-code path; the groups,
  /// their first-appearance order and their counts must be those of a plain dictionary count,
  /// nulls included as values of their own (and the hash path, forced by an int key, agrees).
  func testGroupingBySeveralTextKeysMatchesAPlainCount() throws {
    var rng = SystemRandomNumberGenerator()
    let letters: [Value] = [.text("A"), .text("B"), .text("é"), .text(""), .null]
    var a: [Value] = []
    var b: [Value] = []
    for _ in 0..<5_000 {
      a.append(letters[Int.random(in: 0..<letters.count, using: &rng)])
      b.append(letters[Int.random(in: 0..<3, using: &rng)] == .null ? .null : .text("x\(Int.random(in: 0..<40, using: &rng))"))
    }
    let s = session([("a", .text, a), ("b", .text, b), ("one", .int, a.map { _ in .int(1) })])
    var order: [String] = []
    var counts: [String: Int64] = [:]
    for (x, y) in zip(a, b) {
      let key = "\(x)|\(y)"
      if counts[key] == nil { order.append(key) }
      counts[key, default: 0] += 1
    }
    for query in ["from t | aggregate n = count() by a, b", "from t | aggregate n = count() by a, b, one"] {
      let t = try s.query(query)
      XCTAssertEqual(t.rowCount, order.count, query)
      for r in 0..<t.rowCount {
        let key = "\(t.columns[0].value(at: r))|\(t.columns[1].value(at: r))"
        XCTAssertEqual(key, order[r], "\(query): group \(r) out of first-appearance order")
        XCTAssertEqual(t.columns[t.fields.count - 1].value(at: r), .int(counts[key] ?? -1), "\(query): \(key)")
      }
    }
  }

  // MARK: ||

  func testConcatOfTwoColumnsWithNullsAndEmptyStrings() throws {
    let a: [Value] = [.text("ab"), .null, .text(""), .text("é"), .text(""), .text("ab"), .null]
    let b: [Value] = [.text("c"), .text("x"), .text(""), .null, .text("東"), .text("c"), .null]
    let rows = 5000
    let av = (0..<rows).map { a[$0 % a.count] }
    let bv = (0..<rows).map { b[($0 / 3) % b.count] }
    let s = session([("id", .int, (0..<rows).map { .int(Int64($0)) }), ("a", .text, av), ("b", .text, bv)])
    func expected(_ i: Int) -> Value {
      guard case .text(let x) = av[i], case .text(let y) = bv[i] else { return .null }
      return .text(x + y)
    }
    XCTAssertEqual(try column(s, "from t | select r = a || b"), (0..<rows).map(expected))
    // Constant prefix and suffix, and both.
    XCTAssertEqual(try column(s, "from t | select r = \"<\" || a"),
      (0..<rows).map { if case .text(let x) = av[$0] { return .text("<" + x) } else { return .null } })
    XCTAssertEqual(try column(s, "from t | select r = \"<\" || a || \">\""),
      (0..<rows).map { if case .text(let x) = av[$0] { return .text("<" + x + ">") } else { return .null } })
    XCTAssertEqual(try column(s, "from t | select r = a || null"), [Value](repeating: .null, count: rows))
    // Through a selection vector (the text columns read via indices).
    let kept = (0..<rows).filter { $0 % 3 != 0 }
    XCTAssertEqual(try column(s, "from t | where id % 3 != 0 | select r = b || a"), kept.map { i -> Value in
      guard case .text(let x) = av[i], case .text(let y) = bv[i] else { return .null }
      return .text(y + x)
    })
    // An implicit number → text cast on one side, and a pair inside a branch.
    XCTAssertEqual(try column(s, "from t | where id < 3 | select r = a || id"), [.text("ab0"), .null, .text("2")])
    XCTAssertEqual(try column(s, "from t | where id < 4 | select r = if(id % 2 == 0, a || b, b || a)"),
      [.text("abc"), .null, .text("c"), .text("xé")])
  }

  func testConcatWithManyDistinctPairsBeyondTheCache() throws {
    let rows = 9000
    let a: [Value] = (0..<rows).map { .text("k\($0 % 3001)") }
    let b: [Value] = (0..<rows).map { $0 % 17 == 0 ? .null : .text("-\($0 % 7)") }
    let s = session([("a", .text, a), ("b", .text, b)])
    let got = try column(s, "from t | select r = a || b")
    for i in 0..<rows {
      guard case .text(let x) = a[i], case .text(let y) = b[i] else {
        XCTAssertEqual(got[i], .null)
        continue
      }
      XCTAssertEqual(got[i], .text(x + y), "row \(i)")
    }
    // The joiner itself: with a grid of every pair, with a hash table of 8 pairs (later pairs
    // are interned directly), and with a grid that the dictionaries outgrow between chunks.
    let left = TextDictionary()
    let right = TextDictionary()
    let n = 2000
    let lc = (0..<n).map { left.intern("l\($0 % 97)") }
    let rc = (0..<n).map { right.intern("r\($0 % 13)") }
    let want = (0..<n).map { "l\($0 % 97)r\($0 % 13)" }
    for joiner in [TextJoiner(), TextJoiner(maxPairs: 8, maxGrid: 0), TextJoiner(maxPairs: 8, maxGrid: 128 * 16)] {
      for _ in 0..<2 { XCTAssertEqual(try Self.join(joiner, lc, left, rc, right), want) }
      // New values on both sides: the grid is laid out anew (or given up for the hash table).
      let more = (0..<n).map { left.intern("m\($0 % 131)") }
      let other = (0..<n).map { right.intern("s\($0 % 29)") }
      XCTAssertEqual(try Self.join(joiner, more, left, other, right), (0..<n).map { "m\($0 % 131)s\($0 % 29)" })
      XCTAssertEqual(try Self.join(joiner, lc, left, rc, right), want)
    }
  }

  /// `lag`/`lead` of text with a default: the values and the default come from two
  /// dictionaries and are copied into one by their bytes, nulls kept as nulls.
  func testTextLagAndLeadWithADefault() throws {
    let long = "a value longer than fifteen bytes"
    let s = session([("s", .text, [.text("a"), .null, .text(long), .text("d")]), ("k", .int, (1...4).map { .int($0) })])
    let t = try s.query("from t | derive p = lag(s, 1, \"none\"), q = lead(s, 1, s) sort k | select p, q")
    XCTAssertEqual(t.columns[0].boxedValues, [.text("none"), .text("a"), .null, .text(long)])
    XCTAssertEqual(t.columns[1].boxedValues, [.null, .text(long), .text("d"), .text("d")])
  }

  /// `joiner.join` of one chunk: the strings of the result, nil for null.
  static func join(_ joiner: TextJoiner, _ a: [UInt32], _ da: TextDictionary, _ b: [UInt32], _ db: TextDictionary,
    bValid: [UInt8]? = nil) throws -> [String?] {
    let n = a.count
    var out = [UInt32](repeating: 0, count: n)
    var valid = [UInt8](repeating: 0, count: n)
    try a.withUnsafeBufferPointer { pa in
      try b.withUnsafeBufferPointer { pb in
        try (bValid ?? [UInt8](repeating: 1, count: n)).withUnsafeBufferPointer { pv in
          guard let ca = pa.baseAddress, let cb = pb.baseAddress else { return }
          try joiner.join(Vec(data: UnsafeRawPointer(ca), validity: nil, dictionary: da),
            Vec(data: UnsafeRawPointer(cb), validity: pv.baseAddress, dictionary: db), count: n, into: &out, validity: &valid)
        }
      }
    }
    return (0..<n).map { valid[$0] == 0 ? nil : joiner.output.string(Int(out[$0])) }
  }

  /// The same codes from other dictionaries in a later chunk are other strings: the pairs
  /// remembered for the first dictionaries must not be used.
  func testConcatJoinerAcrossDictionaries() throws {
    let joiner = TextJoiner()
    let d1 = TextDictionary()
    let d2 = TextDictionary()
    for s in ["a", "b", "", "c"] { _ = d1.intern(s) }
    for s in ["X", "", "Y", "Z"] { _ = d2.intern(s) }
    var codes: [UInt32] = [0, 1, 2, 3]
    func run(_ a: TextDictionary, _ b: TextDictionary, _ bValid: [UInt8]?) throws -> [String?] {
      try Self.join(joiner, codes, a, codes, b, bValid: bValid)
    }
    XCTAssertEqual(try run(d1, d2, nil), ["aX", "b", "Y", "cZ"])
    XCTAssertEqual(try run(d2, d1, nil), ["Xa", "b", "Y", "Zc"])
    XCTAssertEqual(try run(d1, d1, [1, 0, 1, 1]), ["aa", nil, "", "cc"])
    XCTAssertEqual(try run(d1, d2, nil), ["aX", "b", "Y", "cZ"])
    // A dictionary that grows between chunks keeps its codes: remembered pairs stay right.
    _ = d2.intern("W")
    codes[3] = 4
    XCTAssertEqual(try run(d2, d2, nil), ["XX", "", "YY", "WW"])
  }

  // MARK: number → text

  func testNumberTextIsValueDescription() throws {
    var ints: [Int64] = [0, 1, -1, 9, 10, -10, 99, 100, 2024, Int64.max, Int64.min, Int64.min + 1, 1_000_000_000_000]
    ints += (0..<24000).map { Int64($0) * 7919 - 20_000_000 }  // enough misses to grow the cache
    var floats: [Double] = [0.0, -0.0, 1.0, -1.5, 0.1, 1e-05, 1e-7, 1e16, 1.5e300, -2.5e-300, Double.leastNonzeroMagnitude,
      Double.greatestFiniteMagnitude, 123456789.125, .nan, .infinity, -.infinity, 1.0 / 3.0]
    floats += (0..<5000).map { Double($0) * 0.37 - 900 }
    let rows = max(ints.count, floats.count)
    let iv: [Value] = (0..<rows).map { $0 % 11 == 5 ? .null : .int(ints[$0 % ints.count]) }
    let fv: [Value] = (0..<rows).map { $0 % 13 == 6 ? .null : .float(floats[$0 % floats.count]) }
    let bv: [Value] = (0..<rows).map { $0 % 7 == 3 ? .null : .bool($0 % 3 == 0) }
    let s = session([("i", .int, iv), ("f", .float, fv), ("b", .bool, bv)])
    for (name, values) in [("i", iv), ("f", fv), ("b", bv)] {
      let want = values.map { $0.isNull ? Value.null : .text($0.description) }
      XCTAssertEqual(try column(s, "from t | select r = text(\(name))"), want, name)
      XCTAssertEqual(try column(s, "from t | select r = \"#\" || \(name)"),
        values.map { $0.isNull ? Value.null : .text("#" + $0.description) }, name)
    }
    XCTAssertEqual(try column(s, "from t | select r = text(f) | take 4"), [.text("0.0"), .text("-0.0"), .text("1.0"), .text("-1.5")])
  }

  // MARK: least / greatest

  func testLeastGreatestNullsNaNAndSignedZeros() throws {
    let nan = Double.nan
    let x: [Value] = [.float(1), .null, .float(nan), .float(0.0), .float(-0.0), .null, .float(2), .float(nan)]
    let y: [Value] = [.float(2), .float(3), .float(1), .float(-0.0), .float(0.0), .null, .null, .float(nan)]
    let i: [Value] = [.int(5), .int(-1), .null, .int(0), .int(7), .null, .int(Int64.max), .int(Int64.min)]
    let p: [Value] = [.bool(true), .null, .bool(false), .bool(true), .bool(false), .null, .null, .bool(false)]
    let q: [Value] = [.bool(false), .bool(true), .null, .bool(true), .bool(true), .null, .bool(false), .bool(false)]
    let s = session([("x", .float, x), ("y", .float, y), ("i", .int, i), ("p", .bool, p), ("q", .bool, q)])
    func texts(_ q: String) throws -> [String] { try column(s, q).map(\.description) }
    XCTAssertEqual(try texts("from t | select r = text(least(x, y))"), ["1.0", "3.0", "1.0", "0.0", "-0.0", "null", "2.0", "NaN"])
    XCTAssertEqual(try texts("from t | select r = text(greatest(x, y))"), ["2.0", "3.0", "NaN", "0.0", "-0.0", "null", "2.0", "NaN"])
    XCTAssertEqual(try texts("from t | select r = text(greatest(y, x))"), ["2.0", "3.0", "NaN", "-0.0", "0.0", "null", "2.0", "NaN"])
    XCTAssertEqual(try texts("from t | select r = least(i, 3)"), ["3", "-1", "3", "0", "3", "3", "3", "-9223372036854775808"])
    XCTAssertEqual(try texts("from t | select r = greatest(i)"), i.map(\.description))
    XCTAssertEqual(try texts("from t | select r = greatest(i, x, y)"),
      ["5.0", "3.0", "NaN", "0.0", "7.0", "null", "9.223372036854776e+18", "NaN"])
    XCTAssertEqual(try texts("from t | select r = least(p, q)"), ["false", "true", "false", "true", "false", "null", "false", "false"])
    XCTAssertEqual(try texts("from t | select r = greatest(p, q)"), ["true", "true", "false", "true", "true", "null", "false", "false"])
  }

  // MARK: median / quantile

  func testSelectNthMatchesSort() {
    var rng = SplitMix64(seed: 42)
    for trial in 0..<400 {
      let n = 1 + Int(rng.next() % 300)
      let spread = [2, 5, 1000, 1 << 40][trial % 4]
      var values = (0..<n).map { _ in Double(Int(rng.next() % UInt64(spread)) - spread / 2) }
      if trial % 5 == 0 { values.sort() }
      if trial % 7 == 0 { values.reverse() }
      if trial % 11 == 0 { values[0] = .infinity; values[n - 1] = -.infinity }
      let sorted = values.sorted()
      let k = Int(rng.next() % UInt64(n))
      values.withUnsafeMutableBufferPointer { p in
        guard let base = p.baseAddress else { return }
        selectNth(base, n, k)
        XCTAssertEqual(p[k], sorted[k], "trial \(trial)")
        for j in 0..<k { XCTAssertLessThanOrEqual(p[j], p[k]) }
        for j in (k + 1)..<n { XCTAssertGreaterThanOrEqual(p[j], p[k]) }
      }
    }
  }

  /// The quantiles are the bits the full sort gave, with signed zeros and infinities, in one
  /// group and in many.
  func testQuantilesMatchTheSortedInterpolation() throws {
    var rng = SplitMix64(seed: 7)
    let rows = 7000
    let pool: [Double] = [0.0, -0.0, 1.5, -2.25, .infinity, -.infinity, 1e308, -1e308, 3, 3, 3]
    var values: [Value] = []
    var keys: [Value] = []
    for r in 0..<rows {
      keys.append(.int(Int64(r % 23)))
      switch rng.next() % 10 {
      case 0: values.append(.null)
      case 1: values.append(.float(.nan))
      case 2, 3, 4: values.append(.float(pool[Int(rng.next() % UInt64(pool.count))]))
      default: values.append(.float(Double(Int(rng.next() % 2001) - 1000) / 8))
      }
    }
    // Groups of signed zeros only (which zero is reported follows row order).
    for r in 0..<rows where r % 23 == 5 { values[r] = .float(r % 2 == 0 ? 0.0 : -0.0) }
    for r in 0..<rows where r % 23 == 6 { values[r] = r % 3 == 0 ? .float(-0.0) : .null }
    let s = session([("k", .int, keys), ("v", .float, values)])
    for q in [0.0, 0.1, 0.25, 0.5, 0.9, 1.0, 1.0 / 3.0] {
      let t = try s.query("from t | aggregate m = quantile(v, \(q)) by k | sort k")
      let all = try s.query("from t | aggregate m = quantile(v, \(q))")
      for g in -1..<23 {
        let members = values.indices.filter { g < 0 || $0 % 23 == g }.compactMap { i -> Double? in
          if case .float(let d) = values[i], !d.isNaN { return d }
          return nil
        }
        let want: Value = members.isEmpty ? .null : .float(interpolatedQuantile(members.sorted(), q))
        let got = g < 0 ? all.columns[0].value(at: 0) : t.columns[1].value(at: g)
        XCTAssertEqual(got.description, want.description, "group \(g), q \(q)")
        if case .float(let a) = got, case .float(let b) = want {
          XCTAssertTrue(a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN), "group \(g), q \(q): \(a) vs \(b)")
        }
      }
    }
  }
}
