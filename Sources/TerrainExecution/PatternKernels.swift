// Kernels for `like` / `not like` / `ilike` and `case when … end`.
//
// A `like` with a constant pattern is a per-dictionary-code truth table (`TextCodeTable`): the
// pattern is matched once per distinct string, and each row costs one table load. Patterns of
// the common shapes (`P%`, `%S`, `%C%`, no wildcard) are matched as byte comparisons on the
// string's UTF-8; the others by a wildcard matcher on Unicode scalars.

import TerrainStorage
import TerrainSyntax
import TerrainPlanner

/// A compiled `like` pattern: `%` matches any text (empty included), `_` exactly one character
/// (one Unicode scalar, not one byte); every other character stands for itself (there is no
/// escape character, as in DuckDB: a backslash is a backslash). With `caseInsensitive`
/// (`ilike`), the pattern and the text are compared lower-cased.
package struct LikePattern: Sendable {
  /// How the pattern is matched.
  package enum Shape: Sendable, Equatable {
    /// No wildcard: the whole text.
    case exact([UInt8])
    /// `P%`.
    case prefix([UInt8])
    /// `%S`.
    case suffix([UInt8])
    /// `%C%`.
    case contains([UInt8])
    /// `%` alone (or `%%…`): any text.
    case any
    /// Anything else: scalars, with `%` and `_` as wildcards.
    case general([Unicode.Scalar])
  }

  package let shape: Shape
  package let caseInsensitive: Bool

  package init(_ pattern: String, caseInsensitive: Bool) {
    self.caseInsensitive = caseInsensitive
    let p = caseInsensitive ? pattern.lowercased() : pattern
    let scalars = Array(p.unicodeScalars)
    let percent: Unicode.Scalar = "%"
    let underscore: Unicode.Scalar = "_"
    guard !scalars.contains(underscore) else {
      shape = .general(scalars)
      return
    }
    let pieces = scalars.split(separator: percent, omittingEmptySubsequences: false)
    func bytes(_ s: ArraySlice<Unicode.Scalar>) -> [UInt8] {
      var v = String.UnicodeScalarView()
      v.append(contentsOf: s)
      return Array(String(v).utf8)
    }
    let literals = pieces.filter { !$0.isEmpty }
    switch (pieces.count, literals.count) {
    case (1, _): shape = .exact(bytes(pieces[0]))
    case (_, 0): shape = .any
    case (_, 1) where pieces.count == 2 && pieces[1].isEmpty: shape = .prefix(bytes(pieces[0]))
    case (_, 1) where pieces.count == 2 && pieces[0].isEmpty: shape = .suffix(bytes(pieces[1]))
    case (_, 1) where pieces.first?.isEmpty == true && pieces.last?.isEmpty == true: shape = .contains(bytes(literals[0]))
    default: shape = .general(scalars)
    }
  }

  /// Whether `text` matches the whole pattern.
  package func matches(_ text: String) -> Bool {
    var s = caseInsensitive ? text.lowercased() : text
    switch shape {
    case .any: return true
    case .general(let p): return likeMatch(Array(s.unicodeScalars), p)
    default:
      return s.withUTF8 { matches(utf8: UnsafeRawBufferPointer($0)) }
    }
  }

  /// Whether the text of UTF-8 `bytes` matches the whole pattern: on the bytes themselves for
  /// the byte shapes of `like`, else through a `String`.
  package func matches(bytes: UnsafeRawBufferPointer) -> Bool {
    switch shape {
    case .any: return true
    case .general: return matches(String(decoding: bytes, as: UTF8.self))
    default: return caseInsensitive ? matches(String(decoding: bytes, as: UTF8.self)) : matches(utf8: bytes)
    }
  }

  /// The byte shapes on a text's UTF-8 (already lower-cased for `ilike`).
  private func matches(utf8 t: UnsafeRawBufferPointer) -> Bool {
    switch shape {
    case .exact(let b): return t.count == b.count && t.elementsEqual(b)
    case .prefix(let b): return t.count >= b.count && t.prefix(b.count).elementsEqual(b)
    case .suffix(let b): return t.count >= b.count && t.suffix(b.count).elementsEqual(b)
    case .contains(let b): return containsBytes(t, b)
    case .any: return true
    case .general: return false
    }
  }
}

/// Whether `needle` occurs in `hay` (bytes; valid UTF-8 on both sides, so a byte match is a
/// match of whole characters).
private func containsBytes(_ hay: UnsafeRawBufferPointer, _ needle: [UInt8]) -> Bool {
  guard let first = needle.first else { return true }
  guard hay.count >= needle.count else { return false }
  let last = hay.count - needle.count
  var i = 0
  while i <= last {
    if hay[i] == first {
      var j = 1
      while j < needle.count && hay[i + j] == needle[j] { j += 1 }
      if j == needle.count { return true }
    }
    i += 1
  }
  return false
}

/// Wildcard matching (`%` any run, `_` one scalar) of the whole of `s`: the two-pointer
/// algorithm that backtracks to the last `%` only, O(|s|·|p|) at worst, no recursion.
package func likeMatch(_ s: [Unicode.Scalar], _ p: [Unicode.Scalar]) -> Bool {
  let percent: Unicode.Scalar = "%"
  let underscore: Unicode.Scalar = "_"
  var i = 0
  var j = 0
  var star = -1
  var mark = 0
  while i < s.count {
    if j < p.count && p[j] != percent && (p[j] == underscore || p[j] == s[i]) {
      i += 1
      j += 1
    } else if j < p.count && p[j] == percent {
      star = j
      mark = i
      j += 1
    } else if star >= 0 {
      j = star + 1
      mark += 1
      i = mark
    } else {
      return false
    }
  }
  while j < p.count && p[j] == percent { j += 1 }
  return j == p.count
}

/// The last patterns seen by a `like` whose pattern is not a constant, compiled once each.
private final class LikePatternCache {
  /// Keyed by bytes: `String`'s `==` is canonical equivalence (`é` == `e` + U+0301), and
  /// `like` compares code points.
  private var patterns: [[UInt8]: LikePattern] = [:]
  let caseInsensitive: Bool
  init(caseInsensitive: Bool) { self.caseInsensitive = caseInsensitive }

  func pattern(_ p: String) -> LikePattern {
    let key = Array(p.utf8)
    if let c = patterns[key] { return c }
    if patterns.count >= 4096 { patterns.removeAll(keepingCapacity: true) }
    let c = LikePattern(p, caseInsensitive: caseInsensitive)
    patterns[key] = c
    return c
  }
}

extension ExpressionCompiler {
  /// `x like p` (negated: `not like`): one truth value per dictionary code when `p` is a
  /// constant; else row by row, each distinct pattern compiled once.
  package func likeKernel(_ a: BoundExpr, pattern: BoundExpr, negated: Bool, caseInsensitive: Bool) throws -> Kernel {
    let ka = try compile(a)
    if let c = pattern.constantValue {
      guard case .text(let p) = c else {
        return textToValueKernel(ka, zero: UInt8(0)) { _ in nil }
      }
      let compiled = LikePattern(p, caseInsensitive: caseInsensitive)
      return textToValueKernel(ka, zero: UInt8(0)) { s in compiled.matches(s) != negated ? 1 : 0 }
    }
    let cache = LikePatternCache(caseInsensitive: caseInsensitive)
    return rowwiseKernel([ka, try compile(pattern)], [.text, .text], .bool) { v in
      guard case .text(let s) = v[0], case .text(let p) = v[1] else { return .null }
      return .bool(cache.pattern(p).matches(s) != negated)
    }
  }

  /// `case when c1 then v1 … else e end` as the `if` chain it means,
  /// `if(c1, v1, if(c2, v2, … e))`: each condition and value is compiled for the rows that
  /// reach it, so an error counts only on those rows (see `activeRows`).
  package static func caseAsConditional(_ clauses: [(condition: BoundExpr, value: BoundExpr)], otherwise: BoundExpr,
    _ type: DataType) -> BoundExpr {
    clauses.reversed().reduce(otherwise) { rest, clause in .conditional(clause.condition, clause.value, rest, type) }
  }
}
