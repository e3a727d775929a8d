// French collation (SPEC §3.1): the key's rules one by one, ranks cached per dictionary and
// collation, sorts and top-N against a reference comparator written independently of the
// key (NFD decomposition with Foundation, then lower-case code points, accents, case), nulls
// last in both directions, ties in row order, `.collation binary`, min/max under both.

import Foundation
import XCTest
import TerrainEngine
import TerrainExecution
import TerrainStorage

/// A French comparator for the texts the tests generate (Latin letters, accents, ligatures,
/// spaces, ASCII punctuation, digits, other scripts), built differently from
/// `CollationKeyBuilder`: NFD by Foundation, level 1 = a class (space, punctuation in the UCA
/// order SPEC'd in Collation.swift, digit, letter) and the lower-cased scalar (ligatures
/// spelled out), level 2 = the accent following each letter, level 3 = upper case or a
/// variant (`’` for `'`, `²` for `2`), level 4 = UTF-8 bytes.
enum ReferenceCollation {
  static let accentOrder: [UInt32] = [0x301, 0x300, 0x306, 0x302, 0x30C, 0x30A, 0x308, 0x30B, 0x303, 0x307]
  static let punctuation = Array("_-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$".unicodeScalars)

  static func levels(_ s: String) -> (p: [UInt32], s: [Int], t: [Int]) {
    var p: [UInt32] = [], sec: [Int] = [], ter: [Int] = []
    for u in s.decomposedStringWithCanonicalMapping.unicodeScalars {
      if (0x300...0x36F).contains(u.value) {
        if let last = sec.indices.last, sec[last] == 0 { sec[last] = 1 + (accentOrder.firstIndex(of: u.value) ?? 20) }
        continue
      }
      let spelled: [Unicode.Scalar] = u == "œ" || u == "Œ" ? ["o", "e"] : u == "æ" || u == "Æ" ? ["a", "e"] : u == "ß" ? ["s", "s"] : [u]
      for (k, x) in spelled.enumerated() {
        var variant = false
        var c = x
        if x == "\u{2019}" { c = "'"; variant = true }
        if x == "\u{B2}" { c = "2"; variant = true }
        if x == "\u{A0}" { c = " "; variant = true }
        let weight: UInt32
        if c.properties.isWhitespace {
          weight = 1 + c.value
        } else if let i = punctuation.firstIndex(of: c) {
          weight = 200 + UInt32(i)
        } else if let d = c.properties.numericValue, c.properties.numericType == .decimal {
          weight = 300 + UInt32(d)
        } else {
          let lower = c.properties.lowercaseMapping.unicodeScalars
          weight = 1000 + (lower.count == 1 ? lower.first?.value ?? c.value : c.value)
        }
        p.append(weight)
        sec.append(spelled.count > 1 && k == 0 ? 40 : 0)
        ter.append(variant ? 2 : u.properties.isUppercase ? 1 : 0)
      }
    }
    return (p, sec, ter)
  }

  static func less(_ a: String, _ b: String) -> Bool {
    less((a, levels(a)), (b, levels(b)))
  }

  typealias Keyed = (text: String, levels: (p: [UInt32], s: [Int], t: [Int]))

  static func less(_ a: Keyed, _ b: Keyed) -> Bool {
    let x = a.levels, y = b.levels
    if x.p != y.p { return x.p.lexicographicallyPrecedes(y.p) }
    if x.s != y.s { return x.s.lexicographicallyPrecedes(y.s) }
    if x.t != y.t { return x.t.lexicographicallyPrecedes(y.t) }
    return a.text.utf8.lexicographicallyPrecedes(b.text.utf8)
  }

  /// `texts` sorted, each text's levels computed once.
  static func sorted(_ texts: [String]) -> [String] {
    texts.map { ($0, levels($0)) }.sorted(by: less).map(\.text)
  }
}

final class CollationTests: XCTestCase {
  /// `list` is strictly increasing in French order, pair by pair and as a whole.
  func assertFrenchOrder(_ list: [String], file: StaticString = #filePath, line: UInt = #line) {
    for (a, b) in zip(list, list.dropFirst()) {
      XCTAssertTrue(Collation.french.less(a, b), "\(a) < \(b)", file: file, line: line)
      XCTAssertFalse(Collation.french.less(b, a), "not \(b) < \(a)", file: file, line: line)
    }
    XCTAssertEqual(Collation.french.sorted(list.reversed()), list, file: file, line: line)
    let d = TextDictionary()
    for s in list.reversed() { _ = d.intern(s) }
    let ranks = d.sortRanks(.french)
    XCTAssertEqual((0..<d.count).sorted { ranks[$0] < ranks[$1] }.map { d.string($0) }, list, file: file, line: line)
  }

  func testAccentsAfterLettersInUCAOrder() {
    assertFrenchOrder(["e", "é", "è", "ê", "ë", "f"])
    assertFrenchOrder(["cote", "Cote", "COTE", "coté", "côte", "côté"])
    assertFrenchOrder(["Ebene", "ébène", "Ébène", "Échallon", "Evian", "évian", "Évian", "Évosges", "Vonnas"])
    assertFrenchOrder(["Ile", "île", "Île", "Ilot"])
    assertFrenchOrder(["Noel", "Noël", "Nof"])
    // A combining accent counts as the accented letter; the two spellings are distinct and
    // adjacent (code points decide: `e` + U+0301 before U+00E9).
    assertFrenchOrder(["e", "E", "e\u{301}", "\u{E9}", "\u{C9}", "è"])
  }

  func testCaseAfterAccents() {
    assertFrenchOrder(["a", "A", "à", "À", "ä", "b"])
    assertFrenchOrder(["evian", "Evian", "évian", "Évian"])
    assertFrenchOrder(["resume", "RESUME", "résumé", "Résumé"])
  }

  func testLigaturesAndSharpS() {
    assertFrenchOrder(["ae", "Ae", "AE", "aé", "áe", "æ", "Æ", "af"])
    assertFrenchOrder(["oe", "Oe", "OE", "oé", "ôe", "œ", "Œ", "oeuf", "Oeuf", "œuf", "Œuf", "of"])
    assertFrenchOrder(["ss", "Ss", "SS", "ß", "st", "Strasse", "STRASSE", "Straße", "Strassf"])
    assertFrenchOrder(["ij", "ĳ", "ik"])
    XCTAssertEqual(frenchCollationKey("œ").prefix(4), frenchCollationKey("oe").prefix(4))
  }

  func testDigitsPunctuationAndSpaces() {
    // Digits one at a time, after spaces and punctuation, before letters; superscripts after.
    assertFrenchOrder(["1", "10", "10e", "2", "²", "2e", "9", "a"])
    // Non-ignorable spaces and punctuation: space < _ < - < , < . < ' < letters.
    assertFrenchOrder(["a b", "a\u{A0}b", "a_b", "a-b", "a,b", "a.b", "a'b", "a’b", "ab"])
    assertFrenchOrder(["L'Abergement", "L’Abergement", "La Boisse", "Lab", "Labalme"])
    assertFrenchOrder(["Saint Étienne", "Saint-Denis", "Saint-Étienne", "Sainte-Anne", "Saintes"])
    assertFrenchOrder(["!", "?", ".", "(", "@", "/", "&", "#", "$", "€", "0"])
  }

  func testOtherScriptsAndTheEmptyText() {
    assertFrenchOrder(["", "\t", " ", "-", "0", "a", "z", "þ", "α", "Ω", "я", "中"])
    XCTAssertEqual(frenchCollationKey(""), [0, 0])
    // Control characters are ignorable until code points (U+0001 before `b`).
    assertFrenchOrder(["a\u{1}b", "ab", "abc"])
  }

  func testOnlyEqualTextsTie() {
    let pool = ["", "a", "A", "é", "e\u{301}", "É", "œ", "oe", "OE", "ß", "ss", "x y", "x\u{A0}y", "l'eau", "l’eau", "東京", "Ω"]
    for a in pool {
      for b in pool {
        let lt = Collation.french.less(a, b), gt = Collation.french.less(b, a)
        XCTAssertEqual(!lt && !gt, Array(a.utf8) == Array(b.utf8), "\(a) vs \(b)")
        XCTAssertEqual(lt, ReferenceCollation.less(a, b), "\(a) < \(b) (reference)")
      }
    }
  }

  func testBinaryIsCodePointOrder() {
    XCTAssertEqual(Collation.binary.sorted(["évian", "Zoé", "alpha", "Alpha", "Évian"]), ["Alpha", "Zoé", "alpha", "Évian", "évian"])
    let d = TextDictionary()
    for s in ["b", "É", "a", "B"] { _ = d.intern(s) }
    XCTAssertEqual(d.sortRanks(.binary), [2, 3, 1, 0])  // B < a < b < É
    XCTAssertEqual(d.sortRanks(.french), [1, 3, 0, 2])  // a < b < B < É
  }

  func testRanksCachedPerCollationFollowTheDictionaryAndAreThreadSafe() {
    let d = TextDictionary()
    var rng = SplitMix64(seed: 7)
    let letters = Array("aàâäbcçdeéèêëfiîïoôœuùûüyÿAÀÉÈÊŒ -'")
    for _ in 0..<20_000 {
      let n = 1 + Int(rng.next() % 8)
      _ = d.intern(String((0..<n).map { _ in letters[Int(rng.next() % UInt64(letters.count))] }))
    }
    var results = [[UInt32]](repeating: [], count: 8)
    let lock = NSLock()
    DispatchQueue.concurrentPerform(iterations: 8) { i in
      let r = d.sortRanks(i % 2 == 0 ? .french : .binary)
      lock.lock()
      results[i] = r
      lock.unlock()
    }
    for i in 2..<8 { XCTAssertEqual(results[i], results[i % 2]) }
    let french = results[0]
    XCTAssertEqual(Set(french).count, d.count)
    let order = (0..<d.count).sorted { french[$0] < french[$1] }.map { d.string($0) }
    let expected = ReferenceCollation.sorted(d.allStrings())
    if let i = order.indices.first(where: { order[$0] != expected[$0] }) {
      XCTFail("rank \(i): \(order[i].debugDescription), reference \(expected[i].debugDescription)")
    }
    // A new value gets ranked when the ranks are next asked for.
    let c = d.intern("Zzz")
    let again = d.sortRanks(.french)
    XCTAssertEqual(again.count, d.count)
    XCTAssertEqual(again[Int(c)], UInt32(d.count - 1))
    // The order of distinct values for `pivot` columns.
    let codes = (0..<UInt32(50)).map { $0 * 7 }
    XCTAssertEqual(collationOrder(of: codes, in: d, .french).map { d.string(Int($0)) },
      ReferenceCollation.sorted(codes.map { d.string(Int($0)) }))
  }

  /// Sorts (one and two keys, both directions, top-N) of random texts with duplicates and
  /// nulls agree with a stable sort by the reference comparator, nulls last; in both
  /// collations.
  func testSortAndTopNMatchReference() throws {
    var rng = SplitMix64(seed: 20_261_206)
    let pool = ["", "a", "A", "à", "abc", "Abc", " pad ", "é", "e\u{301}", "É", "évian", "Évian", "Evian", "œuf", "oeuf",
      "Straße", "strasse", "Ω", "東京", "zeta", "ÉTÉ", "x y", "x-y", "l'eau", "L’eau", "ab", "b", "10", "9", "²"]
    let n = 6000
    var texts: [Value] = []
    var groups: [Value] = []
    for _ in 0..<n {
      texts.append(rng.next() % 10 == 0 ? .null : .text(pool[Int(rng.next() % UInt64(pool.count))]))
      groups.append(.int(Int64(rng.next() % 3)))
    }
    let s = Session.shell()
    s.catalog.set("t", Table(names: ["id", "s", "g"], columns: [
      Column.from((0..<n).map { .int(Int64($0)) }, type: .int), Column.from(texts, type: .text), Column.from(groups, type: .int),
    ]), origin: .query)
    for collation in Collation.allCases {
      // The pool's order by the reference, then texts compared by their place in it.
      let ordered = collation == .french ? ReferenceCollation.sorted(pool) : pool.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
      // (Keyed by bytes: Swift's `==` on strings is canonical equivalence, `é` == e + U+0301.)
      let place = Dictionary(uniqueKeysWithValues: ordered.enumerated().map { (Array($1.utf8), $0) })
      let less: (String, String) -> Bool = { (place[Array($0.utf8)] ?? -1) < (place[Array($1.utf8)] ?? -1) }
      XCTAssertTrue(s.run(".collation \(collation.rawValue)"))
      /// -1, 0, 1 for text (nulls last whatever the direction).
      func order(_ a: Value, _ b: Value, desc: Bool) -> Int {
        switch (a, b) {
        case (.null, .null): return 0
        case (.null, _): return 1
        case (_, .null): return -1
        case (.text(let x), .text(let y)):
          if less(x, y) { return desc ? 1 : -1 }
          if less(y, x) { return desc ? -1 : 1 }
          return 0
        default: return 0
        }
      }
      for desc in [false, true] {
        let expected = (0..<n).sorted { i, j in
          let o = order(texts[i], texts[j], desc: desc)
          return o != 0 ? o < 0 : i < j
        }
        let dir = desc ? " desc" : ""
        let full = try s.query("from t | sort s\(dir) | select id")
        XCTAssertEqual((0..<n).map { full.columns[0].value(at: $0) }, expected.map { .int(Int64($0)) }, "\(collation) sort s\(dir)")
        for limit in [1, 5, 100] {
          let top = try s.query("from t | sort s\(dir) | take \(limit) | select id")
          XCTAssertEqual((0..<limit).map { top.columns[0].value(at: $0) }, expected.prefix(limit).map { .int(Int64($0)) },
            "\(collation) sort s\(dir) | take \(limit)")
        }
        // Two keys: g ascending, then s.
        let two = (0..<n).sorted { i, j in
          if case .int(let gi) = groups[i], case .int(let gj) = groups[j], gi != gj { return gi < gj }
          let o = order(texts[i], texts[j], desc: desc)
          return o != 0 ? o < 0 : i < j
        }
        let got = try s.query("from t | sort g, s\(dir) | select id")
        XCTAssertEqual((0..<n).map { got.columns[0].value(at: $0) }, two.map { .int(Int64($0)) }, "\(collation) sort g, s\(dir)")
      }
      // min/max per group.
      let agg = try s.query("from t | aggregate lo = min(s), hi = max(s) by g | sort g")
      for r in 0..<agg.rowCount {
        let g = agg.columns[0].value(at: r)
        let members = (0..<n).filter { groups[$0] == g }.compactMap { i -> String? in if case .text(let x) = texts[i] { return x } else { return nil } }
        XCTAssertEqual(agg.columns[1].value(at: r), members.min(by: less).map(Value.text) ?? .null, "\(collation) min, g = \(g)")
        XCTAssertEqual(agg.columns[2].value(at: r), members.max(by: less).map(Value.text) ?? .null, "\(collation) max, g = \(g)")
      }
    }
  }

  func testCollationCommand() throws {
    let s = Session.shell()
    var out = ""
    var err = ""
    s.write = { out += $0 }
    s.notify = { err += $0 }
    XCTAssertEqual(s.collation, .french)
    XCTAssertTrue(s.run(".collation"))
    XCTAssertEqual(out, "collation: fr\n")
    XCTAssertTrue(s.run(".collation binary"))
    XCTAssertEqual(s.collation, .binary)
    XCTAssertTrue(s.run(".collation FR"))
    XCTAssertEqual(s.collation, .french)
    XCTAssertFalse(s.run(".collation de"))
    XCTAssertTrue(err.contains("unknown collation `de`"), err)
    XCTAssertFalse(s.run(".collation fr binary"))
    XCTAssertEqual(s.collation, .french)
  }
}
