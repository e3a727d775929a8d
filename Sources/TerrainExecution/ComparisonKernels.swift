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

@inline(__always)
package func compareScalarLoop<T: Comparable>(_ op: CompareOp, _ n: Int, _ a: UnsafePointer<T>, _ c: T, _ out: UnsafeMutablePointer<UInt8>) {
  switch op {
  case .equal: mapLoop(n, a, out) { $0 == c ? 1 : 0 }
  case .notEqual: mapLoop(n, a, out) { $0 != c ? 1 : 0 }
  case .less: mapLoop(n, a, out) { $0 < c ? 1 : 0 }
  case .lessEqual: mapLoop(n, a, out) { $0 <= c ? 1 : 0 }
  case .greater: mapLoop(n, a, out) { $0 > c ? 1 : 0 }
  case .greaterEqual: mapLoop(n, a, out) { $0 >= c ? 1 : 0 }
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
  private let f: (String) -> R
  private var source: ObjectIdentifier?
  package private(set) var table: [R] = []

  package init(_ f: @escaping (String) -> R) { self.f = f }

  /// The table for `dict`, covering all its current codes.
  package func table(for dict: TextDictionary) -> [R] {
    let id = ObjectIdentifier(dict)
    if source != id {
      source = id
      table = []
    }
    if table.count < dict.count {
      let strings = dict.strings
      for c in table.count..<dict.count { table.append(f(strings[c])) }
    }
    return table
  }
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
  package func compareKernel(_ op: CompareOp, _ a: BoundExpr, _ b: BoundExpr) throws -> Kernel {
    // Put a constant on the right.
    if a.constantValue != nil, b.constantValue == nil { return try compareKernel(op.swapped, b, a) }
    let ka = try compile(a)
    let scratch = Scratch()
    let out = scratch.bytes()
    let outValid = scratch.validity
    func result(_ v: UnsafePointer<UInt8>?) -> Vec { Vec(data: UnsafeRawPointer(out), validity: v, dictionary: nil) }

    if let c = b.constantValue, !c.isNull {
      switch c {
      case .int(let k), .date(let k):
        return { start, n in
          let x = try ka(start, n)
          compareScalarLoop(op, n, x.ints(), k, out)
          return withExtendedLifetime(scratch) { result(x.validity) }
        }
      case .float(let k):
        return { start, n in
          let x = try ka(start, n)
          compareScalarLoop(op, n, x.floats(), k, out)
          return withExtendedLifetime(scratch) { result(x.validity) }
        }
      case .bool(let k):
        let kb: UInt8 = k ? 1 : 0
        return { start, n in
          let x = try ka(start, n)
          compareScalarLoop(op, n, x.bytes(), kb, out)
          return withExtendedLifetime(scratch) { result(x.validity) }
        }
      case .text(let s):
        let table = TextCodeTable<UInt8> { compareValues(op, compareUTF8($0, s)) ? 1 : 0 }
        return { start, n in
          let x = try ka(start, n)
          guard let d = x.dictionary else { return result(x.validity) }
          lookupLoop(n, x.codes(), table.table(for: d), 0, out)
          return withExtendedLifetime(scratch) { result(x.validity) }
        }
      case .null:
        break
      }
    }
    let kb = try compile(b)
    let type = a.type
    return { start, n in
      let x = try ka(start, n)
      let y = try kb(start, n)
      let valid = andValidity(n, x.validity, y.validity, into: outValid)
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
          let sx = dx.strings
          let sy = dy.strings
          let xc = x.codes()
          let yc = y.codes()
          for i in 0..<n {
            if let v = valid, v[i] == 0 {
              out[i] = 0
              continue
            }
            let p = Int(xc[i])
            let q = Int(yc[i])
            guard p < sx.count, q < sy.count else {
              out[i] = 0
              continue
            }
            out[i] = compareValues(op, compareUTF8(sx[p], sy[q])) ? 1 : 0
          }
        }
      }
      return withExtendedLifetime(scratch) { result(valid) }
    }
  }

  package func inListKernel(_ ka: @escaping Kernel, type: DataType, values: [Value], negated: Bool) -> Kernel {
    let scratch = Scratch()
    let out = scratch.bytes()
    let outValid = scratch.validity
    let listHasNull = values.contains { $0.isNull }
    let present = values.filter { !$0.isNull }
    let ints = present.compactMap { v -> Int64? in
      switch v {
      case .int(let x), .date(let x): return x
      default: return nil
      }
    }
    let floats = present.compactMap { v -> Double? in if case .float(let x) = v { return x } else { return nil } }
    let bools = present.compactMap { v -> UInt8? in if case .bool(let x) = v { return x ? 1 : 0 } else { return nil } }
    let texts = present.compactMap { v -> String? in if case .text(let x) = v { return x } else { return nil } }
    let table = TextCodeTable<UInt8> { s in texts.contains { utf8Equal($0, s) } ? 1 : 0 }
    return { start, n in
      let x = try ka(start, n)
      switch type {
      case .int, .date: membershipLoop(n, x.ints(), ints, out)
      case .float: membershipLoop(n, x.floats(), floats, out)
      case .bool: membershipLoop(n, x.bytes(), bools, out)
      case .text:
        if let d = x.dictionary { lookupLoop(n, x.codes(), table.table(for: d), 0, out) }
      }
      // SQL: no match against a list holding null is null, not false.
      var valid = x.validity
      if listHasNull {
        for i in 0..<n { outValid[i] = (x.validity?[i] ?? 1) & out[i] }
        valid = UnsafePointer(outValid)
      }
      if negated { for i in 0..<n { out[i] ^= 1 } }
      return withExtendedLifetime(scratch) { Vec(data: UnsafeRawPointer(out), validity: valid, dictionary: nil) }
    }
  }
}
