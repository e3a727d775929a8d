// Kernels for == != < <= > >= and `in`, on numbers, booleans and text.

import TerrainStorage
import TerrainSyntax
import TerrainPlanner

@inline(__always)
package func compareLoop<T: Comparable>(_ op: CompareOp, _ n: Int, _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ out: UnsafeMutablePointer<UInt8>) {
  switch op {
  case .equal: zipLoop(n, a, b, out) { $0 == $1 ? 1 : 0 }
  case .notEqual: zipLoop(n, a, b, out) { $0 != $1 ? 1 : 0 }
  case .less: zipLoop(n, a, b, out) { $0 < $1 ? 1 : 0 }
  case .lessEqual: zipLoop(n, a, b, out) { $0 <= $1 ? 1 : 0 }
  case .greater: zipLoop(n, a, b, out) { $0 > $1 ? 1 : 0 }
  case .greaterEqual: zipLoop(n, a, b, out) { $0 >= $1 ? 1 : 0 }
  }
}

/// `out[i]` = 1 when `a[i]` equals one of `values` (a short list of constants).
@inline(__always)
package func membershipLoop<T: Equatable>(_ n: Int, _ a: UnsafePointer<T>, _ values: [T], _ out: UnsafeMutablePointer<UInt8>) {
  for i in 0..<n {
    var m: UInt8 = 0
    for k in values { m |= a[i] == k ? 1 : 0 }
    out[i] = m
  }
}

package func compareValues(_ op: CompareOp, _ order: Int) -> Bool {
  switch op {
  case .equal: return order == 0
  case .notEqual: return order != 0
  case .less: return order < 0
  case .lessEqual: return order <= 0
  case .greater: return order > 0
  case .greaterEqual: return order >= 0
  }
}

/// -1, 0 or 1: binary (code point) order of two strings.
package func compareUTF8(_ a: String, _ b: String) -> Int {
  if utf8Equal(a, b) { return 0 }
  return utf8Less(a, b) ? -1 : 1
}

/// A per-dictionary-code table of a text predicate, computed once per distinct string and
/// extended as a growing dictionary gains strings.
package final class TextCodeTable<R> {
  private let f: (UnsafeRawBufferPointer) throws -> R
  private var source: ObjectIdentifier?
  package private(set) var table: [R] = []

  /// `f` of each value's UTF-8 bytes (a view valid for the call): no `String` is made.
  package init(bytes f: @escaping (UnsafeRawBufferPointer) throws -> R) { self.f = f }

  /// `f` of each value as a `String` (made for the call).
  package convenience init(_ f: @escaping (String) throws -> R) {
    self.init(bytes: { try f(String(decoding: $0, as: UTF8.self)) })
  }

  /// The table for `dict`, covering all its current codes.
  package func table(for dict: TextDictionary) throws -> [R] {
    let id = ObjectIdentifier(dict)
    if source != id {
      source = id
      table = []
    }
    if table.count < dict.count {
      for c in table.count..<dict.count { table.append(try f(dict.bytes(of: UInt32(c)))) }
    }
    return table
  }
}

/// The one code whose entry in `table` is 1, or nil when none or several are.
private func soleTrueCode(_ table: [UInt8]) -> UInt32? {
  var found: UInt32? = nil
  for (c, v) in table.enumerated() where v != 0 {
    if found != nil { return nil }
    found = UInt32(truncatingIfNeeded: c)
  }
  return found
}

/// `out[i] = table[codes[i]]`, with codes outside the table (only in null slots) giving `fallback`.
@inline(__always)
package func lookupLoop<R>(_ n: Int, _ codes: UnsafePointer<UInt32>, _ table: [R], _ fallback: R, _ out: UnsafeMutablePointer<R>) {
  table.withUnsafeBufferPointer { t in
    let count = UInt32(truncatingIfNeeded: t.count)
    guard let base = t.baseAddress else {
      out.update(repeating: fallback, count: n)
      return
    }
    for i in 0..<n {
      let c = codes[i]
      out[i] = c < count ? base[Int(c)] : fallback
    }
  }
}

extension ExpressionCompiler {
  /// `a op b`: the one definition of each comparison, as a value kernel and a mask kernel. With
  /// a constant (on either side), a typed test of the other side written straight into the mask;
  /// with a null constant, never true (the other side still runs, for its errors: `-a >= null`
  /// overflows where `a` is the smallest int, inside `where` or not).
  package func comparison(_ op: CompareOp, _ a: BoundExpr, _ b: BoundExpr) throws -> Predicate {
    // Put a constant on the right.
    if a.constantValue != nil, b.constantValue == nil { return try comparison(op.swapped, b, a) }
    switch (try operand(a), try operand(b)) {
    case (.column(let ka), .constant(let c)):
      switch (c, a.type) {
      case (.int(let k), .int), (.date(let k), .date): return compare(ka, op, k)
      case (.float(let k), .float): return compare(ka, op, k)
      case (.bool(let k), .bool): return compare(ka, op, UInt8(k ? 1 : 0))
      case (.text(let s), .text):
        let constant = Array(s.utf8)
        return lookup(ka, TextCodeTable<UInt8>(bytes: { v in
          constant.withUnsafeBytes { compareValues(op, compareBytes(v, $0)) ? 1 : 0 }
        }))
      case (.null, _):
        let nulls = Output<UInt8>()
        nulls.validity.update(repeating: 0, count: chunkSize)
        return .truth { start, n, out, combine in
          _ = try ka(start, n)
          combineMask(combine, n, out) { _ in 0 }
          return UnsafePointer(nulls.validity)
        }
      default:
        return .value(try compareColumns(op, ka, try compile(b), type: a.type))
      }
    case (.column(let ka), .column(let kb)):
      return .value(try compareColumns(op, ka, kb, type: a.type))
    case (.constant, _):
      // Both constant: folded before compiling, unless the fold failed (the kernels fail).
      return .value(try compareColumns(op, try compile(a), try compile(b), type: a.type))
    }
  }

  /// `x op c` on numbers or bools, the operator chosen outside the loops.
  @inline(__always)
  private func compare<T: Comparable>(_ ka: @escaping Kernel, _ op: CompareOp, _ c: T) -> Predicate {
    .truth { start, n, out, combine in
      let x = try ka(start, n)
      combineCompare(op, combine, n, x.values(T.self), x.validity, c, out)
      return x.validity
    }
  }

  /// A text test computed once per distinct string (`table`: 0/1 per dictionary code).
  ///
  /// When one code only passes (`type == "habitation"`), the test is a comparison with that
  /// code, a loop LLVM vectorises (the table look-up is a load per row).
  package func lookup(_ ka: @escaping Kernel, _ table: TextCodeTable<UInt8>) -> Predicate {
    var checked: (ObjectIdentifier, Int)? = nil
    var onlyCode: UInt32? = nil
    return .truth { start, n, out, combine in
      let x = try ka(start, n)
      guard let d = x.dictionary else {
        combineMask(combine, n, out) { _ in 0 }
        return x.validity
      }
      let t = try table.table(for: d)
      if checked?.0 != ObjectIdentifier(d) || checked?.1 != t.count {
        checked = (ObjectIdentifier(d), t.count)
        onlyCode = soleTrueCode(t)
      }
      if let k = onlyCode {
        combineTest(combine, n, x.codes(), x.validity, out) { $0 == k ? 1 : 0 }
      } else {
        combineLookup(combine, n, x.codes(), x.validity, t, out)
      }
      return x.validity
    }
  }

  /// `x op y` of two computed sides.
  private func compareColumns(_ op: CompareOp, _ ka: @escaping Kernel, _ kb: @escaping Kernel, type: DataType) throws -> Kernel {
    binary(ka, kb, UInt8.self) { n, x, y, valid, o in
      let out = o.values
      switch type {
      case .int, .date: compareLoop(op, n, x.ints(), y.ints(), out)
      case .float: compareLoop(op, n, x.floats(), y.floats(), out)
      case .bool: compareLoop(op, n, x.bytes(), y.bytes(), out)
      case .text:
        guard let dx = x.dictionary, let dy = y.dictionary else { break }
        if dx === dy {
          if op == .equal || op == .notEqual {
            compareLoop(op, n, x.codes(), y.codes(), out)
          } else {
            // `<` on text stays in code point order (SPEC §3); only ordering follows `.collation`.
            let ranks = dx.sortRanks(.binary)
            let xc = x.codes()
            let yc = y.codes()
            ranks.withUnsafeBufferPointer { r in
              let count = UInt32(truncatingIfNeeded: r.count)
              for i in 0..<n {
                let p = xc[i] < count ? r[Int(xc[i])] : 0
                let q = yc[i] < count ? r[Int(yc[i])] : 0
                out[i] = compareValues(op, p == q ? 0 : (p < q ? -1 : 1)) ? 1 : 0
              }
            }
          }
        } else {
          let xc = x.codes()
          let yc = y.codes()
          let nx = UInt32(truncatingIfNeeded: dx.count)
          let ny = UInt32(truncatingIfNeeded: dy.count)
          for i in 0..<n {
            if let v = valid, v[i] == 0 {
              out[i] = 0
              continue
            }
            guard xc[i] < nx, yc[i] < ny else {
              out[i] = 0
              continue
            }
            out[i] = compareValues(op, compareBytes(dx.bytes(of: xc[i]), dy.bytes(of: yc[i]))) ? 1 : 0
          }
        }
      }
      return valid
    }
  }

  /// `a in (values…)` / `a not in (…)`. SQL: no match against a list holding null is null, not
  /// false (so `not in` such a list is never true).
  package func membership(_ ka: @escaping Kernel, type: DataType, values: [Value], negated: Bool) -> Predicate {
    let listHasNull = values.contains { $0.isNull }
    let present = values.filter { !$0.isNull }
    switch type {
    case .int: return membership(ka, present.compactMap { if case .int(let x) = $0 { return x } else { return nil } }, listHasNull, negated)
    case .date: return membership(ka, present.compactMap { if case .date(let x) = $0 { return x } else { return nil } }, listHasNull, negated)
    case .float: return membership(ka, present.compactMap { if case .float(let x) = $0 { return x } else { return nil } }, listHasNull, negated)
    case .bool:
      return membership(ka, present.compactMap { if case .bool(let x) = $0 { return UInt8(x ? 1 : 0) } else { return nil } }, listHasNull, negated)
    case .text:
      let texts = present.compactMap { v -> [UInt8]? in if case .text(let x) = v { return Array(x.utf8) } else { return nil } }
      let matches = TextCodeTable<UInt8>(bytes: { s in texts.contains { $0.elementsEqual(s) } ? 1 : 0 })
      if !listHasNull {
        return lookup(ka, negated ? TextCodeTable<UInt8>(bytes: { s in texts.contains { $0.elementsEqual(s) } ? 0 : 1 }) : matches)
      }
      // Present only where some value matches: true there unless negated.
      let valid = Output<UInt8>()
      return .truth { start, n, out, combine in
        let x = try ka(start, n)
        guard let d = x.dictionary else {
          combineMask(combine, n, out) { _ in 0 }
          return x.validity
        }
        let v = valid.validity
        lookupLoop(n, x.codes(), try matches.table(for: d), 0, v)
        if let xv = x.validity { for i in 0..<n { v[i] &= xv[i] } }
        if negated { combineMask(combine, n, out) { _ in 0 } } else { combineMask(combine, n, out) { v[$0] } }
        return UnsafePointer(v)
      }
    }
  }

  @inline(__always)
  private func membership<T: Equatable>(_ ka: @escaping Kernel, _ list: [T], _ listHasNull: Bool, _ negated: Bool) -> Predicate {
    let flip: UInt8 = negated ? 1 : 0
    if !listHasNull {
      return .truth { start, n, out, combine in
        let x = try ka(start, n)
        combineTest(combine, n, x.values(T.self), x.validity, out) { v in
          var m: UInt8 = 0
          for k in list { m |= v == k ? 1 : 0 }
          return m ^ flip
        }
        return x.validity
      }
    }
    let valid = Output<UInt8>()
    return .truth { start, n, out, combine in
      let x = try ka(start, n)
      let v = valid.validity
      membershipLoop(n, x.values(T.self), list, v)
      if let xv = x.validity { for i in 0..<n { v[i] &= xv[i] } }
      if negated { combineMask(combine, n, out) { _ in 0 } } else { combineMask(combine, n, out) { v[$0] } }
      return UnsafePointer(v)
    }
  }
}
