// Kernels for casts, `if`, `coalesce` and `||`, and the kernel shapes scalar functions are built
// from (each function's definition, in TerrainFunctions, picks one: `ScalarKernelBuilder`).

import Foundation
import TerrainStorage
import TerrainSyntax
import TerrainPlanner

/// What the compiler needs of a scalar function: its kernel. Adopted by the definitions
/// (TerrainFunctions), next to their `ScalarFunctionDefinition`.
package protocol ScalarKernelBuilder {
  /// A kernel computing the function over chunks, for arguments bound by its definition and
  /// its result type; errors are raised at `span`, only for the compiler's active rows.
  func kernel(_ args: [BoundExpr], type: DataType, span: Span, compiler: ExpressionCompiler) throws -> Kernel
}

extension ExpressionCompiler {
  // MARK: casts

  package func castKernel(_ ka: @escaping Kernel, from: DataType, to: DataType, span: Span?) throws -> Kernel {
    if from == to { return ka }
    switch (from, to) {
    case (.int, .float):
      return unary(ka, Double.self) { n, x, o in
        mapLoop(n, x.ints(), o.values) { Double($0) }
        return x.validity
      }
    case (.bool, .int):
      return unary(ka, Int64.self) { n, x, o in
        mapLoop(n, x.bytes(), o.values) { Int64($0) }
        return x.validity
      }
    case (.bool, .float):
      return unary(ka, Double.self) { n, x, o in
        mapLoop(n, x.bytes(), o.values) { Double($0) }
        return x.validity
      }
    case (.float, .int):
      let fail = failures(at: span ?? .none)
      return unary(ka, Int64.self) { n, x, o in
        let a = x.floats()
        let out = o.values
        var bad: UInt64 = 0
        for i in 0..<n {
          let v = a[i]
          let ok = v >= -9.223372036854775808e18 && v < 9.223372036854775808e18
          out[i] = ok ? Int64(v.rounded(.towardZero)) : 0
          bad |= (ok ? 0 : 1) & UInt64(x.validity?[i] ?? 1)
        }
        try fail.check(bad, n, x.validity, fail.floatToInt()) { i in
          !(a[i] >= -9.223372036854775808e18 && a[i] < 9.223372036854775808e18)
        }
        return x.validity
      }
    case (.text, .int):
      return textToValueKernel(ka, zero: Int64(0)) { s in
        let t = s.trimmingCharacters(in: .whitespaces)
        return Int64(t) ?? Double(t).flatMap { $0.isFinite && abs($0) < 9.2e18 ? Int64($0.rounded(.towardZero)) : nil }
      }
    case (.text, .float):
      // Only finite numbers convert: "inf", "nan" and "1e400" are not numbers terrain holds,
      // so they give null like any other text that is not a number.
      return textToValueKernel(ka, zero: 0.0) { s in
        Double(s.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: ".")).flatMap { $0.isFinite ? $0 : nil }
      }
    case (.text, .bool):
      return textToValueKernel(ka, zero: UInt8(0)) { s in
        switch s.lowercased() {
        case "true": return 1
        case "false": return 0
        default: return nil
        }
      }
    case (.date, .text):
      return rowwiseKernel([ka], [.date], .text) { v in
        if case .date(let d) = v[0] { return .text(CalendarDate.iso(d)) }
        return .null
      }
    case (.text, .date):
      // Either form; a text that is not a calendar date is null. Once per distinct string.
      return textToValueKernel(ka, zero: Int64(0)) { CalendarDate.parse($0.trimmingCharacters(in: .whitespaces)) }
    case (_, .text):
      return numberTextKernel(ka, from: from)
    case (.int, .bool), (.float, .bool):
      return unary(ka, UInt8.self) { n, x, o in
        if from == .int { mapLoop(n, x.ints(), o.values) { $0 != 0 ? 1 : 0 } } else { mapLoop(n, x.floats(), o.values) { $0 != 0 ? 1 : 0 } }
        return x.validity
      }
    default:
      throw Diagnostic(.cannotConvert, "\(from)", "\(to)", at: span)
    }
  }

  /// A text → value function computed once per distinct string (nil result = null).
  package func textToValueKernel<R>(_ ka: @escaping Kernel, zero: R, _ f: @escaping (String) -> R?) -> Kernel {
    let values = TextCodeTable<R> { f($0) ?? zero }
    let valid = TextCodeTable<UInt8> { f($0) == nil ? 0 : 1 }
    return unary(ka, R.self) { n, x, o in
      guard let d = x.dictionary else { return x.validity }
      let outValid = o.validity
      lookupLoop(n, x.codes(), try values.table(for: d), zero, o.values)
      lookupLoop(n, x.codes(), try valid.table(for: d), 0, outValid)
      if let v = x.validity { for i in 0..<n { outValid[i] &= v[i] } }
      return UnsafePointer(outValid)
    }
  }

  /// A text → text function computed once per distinct string (nil result = null).
  package func textMapKernel(_ ka: @escaping Kernel, _ f: @escaping (String) -> String?) -> Kernel {
    let dict = TextDictionary()
    let codes = TextCodeTable<UInt32> { s in try f(s).map { try dict.checkedIntern($0) } ?? UInt32.max }
    return unary(ka, text: dict) { n, x, o in
      guard let d = x.dictionary else { return x.validity }
      let out = o.values
      let outValid = o.validity
      lookupLoop(n, x.codes(), try codes.table(for: d), UInt32.max, out)
      for i in 0..<n {
        let ok: UInt8 = out[i] == UInt32.max ? 0 : 1
        outValid[i] = ok & (x.validity?[i] ?? 1)
        out[i] = ok == 0 ? 0 : out[i]
      }
      return UnsafePointer(outValid)
    }
  }

  /// Number or bool → text (`text(x)`, and `x || …` with a number): each value's text is
  /// interned once per kernel, as `Value.description` writes it (`String(i)`, `formatFloat`,
  /// `true`/`false`), through a small cache of recent values.
  private func numberTextKernel(_ ka: @escaping Kernel, from: DataType) -> Kernel {
    let texts = NumberTexts()
    return unary(ka, text: texts.output) { n, x, o in
      let out = o.values
      let valid = x.validity ?? UnsafePointer(allValid)
      switch from {
      case .int:
        let a = x.ints()
        for i in 0..<n { out[i] = valid[i] != 0 ? try texts.code(int: a[i]) : 0 }
      case .float:
        let a = x.floats()
        for i in 0..<n { out[i] = valid[i] != 0 ? try texts.code(float: a[i]) : 0 }
      default:
        let a = x.bytes()
        for i in 0..<n { out[i] = valid[i] != 0 ? try texts.code(bool: a[i] != 0) : 0 }
      }
      return x.validity
    }
  }

  /// The slow, general path: boxes each row's arguments. Used only for rare shapes (text
  /// functions whose extra arguments are not constants, `round` with variable digits, `pow`,
  /// `least`/`greatest` of text). `f` throws its errors (see `Failures`); it is called only for
  /// the active rows.
  package func rowwiseKernel(_ args: [Kernel], _ types: [DataType], _ result: DataType, _ f: @escaping ([Value]) throws -> Value) -> Kernel {
    let active = activeRows
    let o = Output<Int64>()
    let dict: TextDictionary? = result == .text ? TextDictionary() : nil
    return { start, n in
      let vecs = try args.map { try $0(start, n) }
      var row = [Value](repeating: .null, count: args.count)
      let outValid = o.validity
      let out = o.scratch
      for i in 0..<n {
        for (k, v) in vecs.enumerated() { row[k] = v.value(at: i, type: types[k]) }
        // A row whose value is not used (a branch of `if` it does not take) is not computed.
        let r = active[i] != 0 ? try f(row) : .null
        outValid[i] = r.isNull ? 0 : 1
        switch (r, result) {
        case (.int(let x), _), (.date(let x), _): out.ints()[i] = x
        case (.float(let x), _): out.floats()[i] = x
        case (.bool(let x), _): out.bytes()[i] = x ? 1 : 0
        case (.text(let s), _): out.codes()[i] = try dict?.checkedIntern(s) ?? 0
        case (.null, .int), (.null, .date): out.ints()[i] = 0
        case (.null, .float): out.floats()[i] = 0
        case (.null, .bool): out.bytes()[i] = 0
        case (.null, .text): out.codes()[i] = 0
        }
      }
      return o.vecOwnValidity(dictionary: dict)
    }
  }

  // MARK: text

  /// `a || b`: with a constant on either side, once per distinct value of the other; else
  /// once per distinct pair of codes (`TextJoiner`). Null when either side is.
  package func concatKernel(_ a: BoundExpr, _ b: BoundExpr) throws -> Kernel {
    if case .constant(.text(let suffix), _) = b { return textMapKernel(try compile(a)) { $0 + suffix } }
    if case .constant(.text(let prefix), _) = a { return textMapKernel(try compile(b)) { prefix + $0 } }
    let ka = try compile(a)
    let kb = try compile(b)
    let joiner = TextJoiner()
    let o = Output<UInt32>()
    return { start, n in
      let x = try ka(start, n)
      let y = try kb(start, n)
      try joiner.join(x, y, count: n, into: o.values, validity: o.validity)
      return o.vecOwnValidity(dictionary: joiner.output)
    }
  }

  // MARK: functions

  /// `f(args…)`: the kernel its definition builds.
  package func functionKernel(_ f: ScalarFunction, _ args: [BoundExpr], type: DataType, span: Span) throws -> Kernel {
    guard let builder = f.definition as? ScalarKernelBuilder else {
      throw Diagnostic(.noKernel, f.rawValue, at: span)
    }
    return try builder.kernel(args, type: type, span: span, compiler: self)
  }

  /// A numeric function applied elementwise on floats (`floatOp`) or ints (`intOp`, nil = overflow);
  /// with `name`, a non-finite float result from a finite input is an overflow of that function.
  package func numericMap(_ ka: @escaping Kernel, type: DataType, span: Span, name: String? = nil,
    _ floatOp: @escaping (Double) -> Double, intOp: @escaping (Int64) -> Int64?) throws -> Kernel {
    let fail = failures(at: span)
    if type == .float {
      return unary(ka, Double.self) { n, x, o in
        let a = x.floats()
        if let name {
          try fail.checkFloat(checkedMapLoop(n, a, o.values, floatOp), n, o.values, x.validity, a, what: name)
        } else {
          mapLoop(n, a, o.values, floatOp)
        }
        return x.validity
      }
    }
    return unary(ka, Int64.self) { n, x, o in
      let a = x.ints()
      let out = o.values
      for i in 0..<n {
        if let r = intOp(a[i]) { out[i] = r } else if fail.counts(i, x.validity) { throw fail.overflow() } else { out[i] = 0 }
      }
      return x.validity
    }
  }

  /// `least` / `greatest` of numbers or bools, one typed pass per argument: nulls are skipped
  /// (null only where every argument is), NaN is the greatest float (as in the sort order), and
  /// of equal values (`0.0` and `-0.0`) the first is kept.
  package func extremeKernel(_ ks: [Kernel], type: DataType, least: Bool) -> Kernel {
    let o = Output<Int64>()
    let width = type == .bool ? 1 : 8
    return { start, n in
      let first = try ks[0](start, n)
      let out = o.scratch
      let outValid = o.validity
      out.values.copyMemory(from: first.data, byteCount: n * width)
      var valid = first.validity
      for k in ks.dropFirst() {
        let x = try k(start, n)
        switch type {
        case .int, .date:
          valid = foldExtreme(n, x.ints(), x.validity, out.ints(), valid, outValid) { least ? $0 < $1 : $0 > $1 }
        case .float:
          // `floatLess(x, cur)` for least, `floatLess(cur, x)` for greatest, without branches.
          valid = foldExtreme(n, x.floats(), x.validity, out.floats(), valid, outValid) { x, cur in
            least ? (x < cur || (cur.isNaN && !x.isNaN)) : (cur < x || (x.isNaN && !cur.isNaN))
          }
        default:
          valid = foldExtreme(n, x.bytes(), x.validity, out.bytes(), valid, outValid) { least ? $0 < $1 : $0 > $1 }
        }
      }
      return o.vec(valid)
    }
  }

  /// A float function with nil = null (domain errors); with `overflowName`, a non-finite result
  /// from a finite input is an overflow error of that function.
  package func floatMap(_ ka: @escaping Kernel, span: Span, overflowName: String? = nil, _ f: @escaping (Double) -> Double?) -> Kernel {
    let fail = failures(at: span)
    return unary(ka, Double.self) { n, x, o in
      let a = x.floats()
      let out = o.values
      let outValid = o.validity
      var bad: UInt64 = 0
      for i in 0..<n {
        let present = x.validity?[i] ?? 1
        let r = f(a[i])
        out[i] = r ?? 0
        outValid[i] = r == nil ? 0 : present
        bad |= nonFiniteBits(r ?? 0)
      }
      if let overflowName { try fail.checkFloat(bad, n, out, UnsafePointer(outValid), a, what: overflowName) }
      return UnsafePointer(outValid)
    }
  }

  // MARK: if / coalesce

  /// `if(c, a, b)`: `ka` and `kb` were compiled for the rows of `masks[0]` and `masks[1]`,
  /// filled here from the condition before they run.
  package func conditionalKernel(_ kc: @escaping Kernel, _ ka: @escaping Kernel, _ kb: @escaping Kernel, masks: ChunkMasks,
    type: DataType) -> Kernel {
    let parent = activeRows
    return selectKernel(type: type, inputs: 2) { start, n, pick in
      let c = try kc(start, n)
      let cv = c.bytes()
      let taken = masks[0]
      let other = masks[1]
      for i in 0..<n {
        let t = (c.validity?[i] ?? 1) & cv[i]
        pick[i] = t ^ 1
        taken[i] = parent[i] & t
        other[i] = parent[i] & (t ^ 1)
      }
      return [try ka(start, n), try kb(start, n)]
    }
  }

  /// `coalesce(…)`: input k > 0 was compiled for the rows of `masks[k - 1]`, the rows where
  /// every input before it is null, filled here before it runs.
  package func coalesceKernel(_ ks: [Kernel], masks: ChunkMasks, type: DataType) -> Kernel {
    let parent = activeRows
    return selectKernel(type: type, inputs: ks.count) { start, n, pick in
      var vecs: [Vec] = []
      vecs.reserveCapacity(ks.count)
      for (k, kernel) in ks.enumerated() {
        if let previous = vecs.last {
          let before = k == 1 ? parent : UnsafePointer(masks[k - 2])
          let pending = masks[k - 1]
          for i in 0..<n { pending[i] = before[i] & ((previous.validity?[i] ?? 1) ^ 1) }
        }
        vecs.append(try kernel(start, n))
      }
      for i in 0..<n {
        var k = vecs.count - 1
        for j in (0..<vecs.count).reversed() where (vecs[j].validity?[i] ?? 1) != 0 { k = j }
        pick[i] = UInt8(truncatingIfNeeded: k)
      }
      return vecs
    }
  }

  /// For each row, the value of input `pick[i]`; text is re-coded into the kernel's own dictionary.
  /// `evaluate` runs the inputs over a chunk and fills `pick`.
  private func selectKernel(type: DataType, inputs: Int,
    evaluate: @escaping (Int, Int, UnsafeMutablePointer<UInt8>) throws -> [Vec]) -> Kernel {
    let o = Output<Int64>()
    let pick = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
    let dict: TextDictionary? = type == .text ? TextDictionary() : nil
    let translators = (0..<inputs).map { _ in TextTranslator(target: dict) }
    let translated = (0..<inputs).map { _ in UnsafeMutablePointer<UInt32>.allocate(capacity: chunkSize) }
    let owner = PointerOwner(pick, translated)
    return { start, n in
      let vecs = try evaluate(start, n, pick)
      let scratch = o.scratch
      let outValid = o.validity
      for i in 0..<n {
        let k = Int(pick[i])
        outValid[i] = vecs[k].validity?[i] ?? 1
      }
      switch type {
      case .int, .date: gatherPick(n, vecs.map { $0.ints() }, pick, scratch.ints())
      case .float: gatherPick(n, vecs.map { $0.floats() }, pick, scratch.floats())
      case .bool: gatherPick(n, vecs.map { $0.bytes() }, pick, scratch.bytes())
      case .text:
        for (k, v) in vecs.enumerated() {
          if let d = v.dictionary {
            try translators[k].translate(v.codes(), from: d, count: n, validity: v.validity, into: translated[k])
          }
        }
        gatherPick(n, translated.map { UnsafePointer($0) }, pick, scratch.codes())
      }
      return withExtendedLifetime(owner) { o.vecOwnValidity(dictionary: dict) }
    }
  }
}

/// One step of `least` / `greatest`: `out[i]` becomes `x[i]` where `x[i]` is present and either
/// `out[i]` is not (`outValidity`) or `better(x[i], out[i])`. Returns the validity of the result
/// (nil when every row has a value), written to `validOut` when it is not one of the inputs.
@inline(__always)
private func foldExtreme<T>(_ n: Int, _ x: UnsafePointer<T>, _ xValidity: UnsafePointer<UInt8>?,
  _ out: UnsafeMutablePointer<T>, _ outValidity: UnsafePointer<UInt8>?, _ validOut: UnsafeMutablePointer<UInt8>,
  _ better: (T, T) -> Bool) -> UnsafePointer<UInt8>? {
  // Selects rather than branches, so that the loops vectorise.
  @inline(__always) func flag(_ b: Bool) -> UInt8 { b ? 1 : 0 }
  switch (outValidity, xValidity) {
  case (nil, nil):
    for i in 0..<n {
      let c = out[i]
      out[i] = better(x[i], c) ? x[i] : c
    }
    return nil
  case (nil, let xv?):
    for i in 0..<n {
      let c = out[i]
      out[i] = xv[i] & flag(better(x[i], c)) != 0 ? x[i] : c
    }
    return nil
  case (let ov?, nil):
    for i in 0..<n {
      let c = out[i]
      out[i] = (ov[i] ^ 1) | flag(better(x[i], c)) != 0 ? x[i] : c
    }
    return nil
  case (let ov?, let xv?):
    for i in 0..<n {
      let c = out[i]
      out[i] = xv[i] & ((ov[i] ^ 1) | flag(better(x[i], c))) != 0 ? x[i] : c
      validOut[i] = ov[i] | xv[i]
    }
    return UnsafePointer(validOut)
  }
}

/// The text of numbers and bools for one kernel, interned in `output`: an int's decimal digits
/// are written as bytes, a float goes through `formatFloat`; a direct-mapped cache of the last
/// value seen in each slot makes a repeated value cost one probe. The cache starts with 2^12
/// slots and grows once to 2^16 (768 KB) when it misses often.
package final class NumberTexts {
  package let output = TextDictionary()
  private var bits = 12
  private var keys: UnsafeMutablePointer<UInt64>
  /// `UInt32.max` for an empty slot.
  private var codes: UnsafeMutablePointer<UInt32>
  private var misses = 0
  private let digits = UnsafeMutablePointer<UInt8>.allocate(capacity: 24)
  private var boolCodes: (UInt32, UInt32) = (UInt32.max, UInt32.max)

  package init() {
    keys = UnsafeMutablePointer<UInt64>.allocate(capacity: 1 << bits)
    codes = UnsafeMutablePointer<UInt32>.allocate(capacity: 1 << bits)
    keys.initialize(repeating: 0, count: 1 << bits)
    codes.initialize(repeating: UInt32.max, count: 1 << bits)
  }

  deinit {
    keys.deallocate()
    codes.deallocate()
    digits.deallocate()
  }

  /// The cache slot of a value's 64 bits (a multiplicative hash: the top `bits` bits).
  @inline(__always)
  private func slot(_ key: UInt64) -> Int {
    Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - bits))
  }

  /// Remembers `code` for `key` in its slot, after counting the miss; many misses (more than
  /// four per slot) grow the cache, once.
  @inline(__always)
  private func remember(_ key: UInt64, _ slot: Int, _ code: UInt32) {
    misses += 1
    if bits < 16 && misses > 4 << bits {
      keys.deallocate()
      codes.deallocate()
      bits = 16
      keys = UnsafeMutablePointer<UInt64>.allocate(capacity: 1 << bits)
      codes = UnsafeMutablePointer<UInt32>.allocate(capacity: 1 << bits)
      keys.initialize(repeating: 0, count: 1 << bits)
      codes.initialize(repeating: UInt32.max, count: 1 << bits)
      return
    }
    keys[slot] = key
    codes[slot] = code
  }

  @inline(__always)
  package func code(int v: Int64) throws -> UInt32 {
    let key = UInt64(bitPattern: v)
    let s = slot(key)
    if codes[s] != UInt32.max && keys[s] == key { return codes[s] }
    // `String(v)`: the decimal digits, with `-` before a negative value.
    var m = v.magnitude
    var p = 24
    repeat {
      p -= 1
      digits[p] = UInt8(truncatingIfNeeded: m % 10) + 48
      m /= 10
    } while m != 0
    if v < 0 {
      p -= 1
      digits[p] = 45
    }
    let c = try output.checkedIntern(bytes: UnsafeRawBufferPointer(start: digits + p, count: 24 - p))
    remember(key, s, c)
    return c
  }

  @inline(__always)
  package func code(float v: Double) throws -> UInt32 {
    let key = v.bitPattern
    let s = slot(key)
    if codes[s] != UInt32.max && keys[s] == key { return codes[s] }
    let c = try output.checkedIntern(formatFloat(v))
    remember(key, s, c)
    return c
  }

  package func code(bool v: Bool) throws -> UInt32 {
    if v {
      if boolCodes.1 == UInt32.max { boolCodes.1 = try output.checkedIntern("true") }
      return boolCodes.1
    }
    if boolCodes.0 == UInt32.max { boolCodes.0 = try output.checkedIntern("false") }
    return boolCodes.0
  }
}

/// `a || b` over codes: the output code of each pair of input codes is remembered, per pair of
/// input dictionaries, so a pair seen before costs one probe of an open-addressing table; a new
/// pair's bytes are joined in a buffer and interned (no `String` per row).
///
/// When the two dictionaries are small enough that a grid of every pair (rows and columns
/// rounded up to powers of two) holds at most `maxGrid` codes (by default 2^19: 2 MB), the grid is the table:
/// one load per row. Otherwise an open-addressing table holds at most `maxPairs` pairs (by
/// default 2^18: 16 bytes a slot, at most half full, so 8 MB); past that, new pairs are joined
/// and interned each time they occur.
package final class TextJoiner {
  package let output = TextDictionary()
  package let maxPairs: Int
  package let maxGrid: Int
  /// `grid[x * gridColumns + y]`: the code of pair (x, y), `UInt32.max` until known; empty
  /// when the dictionaries are too large for it.
  private var grid: [UInt32] = []
  private var gridRows = 0
  private var gridColumns = 0
  private struct Slot {
    var key: UInt64
    var code: UInt32
  }
  private static let empty = UInt64.max
  private var slots: UnsafeMutablePointer<Slot>
  private var capacity = 1024
  private var shift = 64 - 10
  private var used = 0
  /// The dictionaries the table's codes belong to (held, so that their identity is not reused).
  private var left: TextDictionary?
  private var right: TextDictionary?
  private var buffer: UnsafeMutableRawPointer
  private var bufferCapacity = 256

  package init(maxPairs: Int = 1 << 18, maxGrid: Int = 1 << 19) {
    self.maxPairs = maxPairs
    self.maxGrid = maxGrid
    slots = TextJoiner.makeSlots(capacity)
    buffer = UnsafeMutableRawPointer.allocate(byteCount: bufferCapacity, alignment: 8)
  }

  deinit {
    slots.deallocate()
    buffer.deallocate()
  }

  private static func makeSlots(_ n: Int) -> UnsafeMutablePointer<Slot> {
    let p = UnsafeMutablePointer<Slot>.allocate(capacity: n)
    p.initialize(repeating: Slot(key: empty, code: 0), count: n)
    return p
  }

  /// Fills `out` / `validity` with the codes (in `output`) of `a[i] + b[i]`; null where either is.
  package func join(_ a: Vec, _ b: Vec, count n: Int, into out: UnsafeMutablePointer<UInt32>, validity: UnsafeMutablePointer<UInt8>) throws {
    guard let da = a.dictionary, let db = b.dictionary else {
      out.update(repeating: 0, count: n)
      validity.update(repeating: 0, count: n)
      return
    }
    if da !== left || db !== right {
      left = da
      right = db
      if used > 0 {
        slots.update(repeating: Slot(key: TextJoiner.empty, code: 0), count: capacity)
        used = 0
      }
      grid = []
      gridRows = 0
      gridColumns = 0
    }
    let ca = a.codes()
    let cb = b.codes()
    let va = a.validity ?? UnsafePointer(allValid)
    let vb = b.validity ?? UnsafePointer(allValid)
    // Codes of present rows are below the counts; others (null slots) are never looked up.
    let na = UInt32(truncatingIfNeeded: min(da.count, Int(UInt32.max)))
    let nb = UInt32(truncatingIfNeeded: min(db.count, Int(UInt32.max)))
    if useGrid(Int(na), Int(nb)) {
      let columns = gridColumns
      try grid.withUnsafeMutableBufferPointer { g in
        for i in 0..<n {
          let x = ca[i]
          let y = cb[i]
          if va[i] & vb[i] != 0 && x < na && y < nb {
            // x < gridRows and y < gridColumns: inside the grid.
            let k = Int(x) * columns + Int(y)
            var c = g[k]
            if c == UInt32.max {
              c = try joined(da.bytes(of: x), db.bytes(of: y))
              g[k] = c
            }
            out[i] = c
            validity[i] = 1
          } else {
            out[i] = 0
            validity[i] = 0
          }
        }
      }
      return
    }
    for i in 0..<n {
      let x = ca[i]
      let y = cb[i]
      if va[i] & vb[i] != 0 && x < na && y < nb {
        out[i] = try code(x, y, da, db)
        validity[i] = 1
      } else {
        out[i] = 0
        validity[i] = 0
      }
    }
  }

  /// Whether the grid covers dictionaries of `na` and `nb` values, laid out anew (empty) when
  /// one has outgrown it and the pairs still fit in `maxGrid`.
  private func useGrid(_ na: Int, _ nb: Int) -> Bool {
    if na <= gridRows && nb <= gridColumns { return true }
    var rows = 1
    while rows < na { rows *= 2 }
    var columns = 1
    while columns < nb { columns *= 2 }
    guard rows <= maxGrid / columns else {
      grid = []
      gridRows = 0
      gridColumns = 0
      return false
    }
    grid = [UInt32](repeating: UInt32.max, count: rows * columns)
    gridRows = rows
    gridColumns = columns
    return true
  }

  @inline(__always)
  private func code(_ x: UInt32, _ y: UInt32, _ da: TextDictionary, _ db: TextDictionary) throws -> UInt32 {
    let key = UInt64(x) << 32 | UInt64(y)
    var i = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> UInt64(shift))
    let mask = capacity - 1
    while true {
      let s = slots[i]
      if s.key == key { return s.code }
      if s.key == TextJoiner.empty { break }
      i = (i + 1) & mask
    }
    let c = try joined(da.bytes(of: x), db.bytes(of: y))
    if used < maxPairs {
      slots[i] = Slot(key: key, code: c)
      used += 1
      if used * 2 > capacity { grow() }
    }
    return c
  }

  /// The code of the bytes of `x` followed by those of `y`.
  private func joined(_ x: UnsafeRawBufferPointer, _ y: UnsafeRawBufferPointer) throws -> UInt32 {
    let total = x.count + y.count
    if total > bufferCapacity {
      var c = bufferCapacity * 2
      while c < total { c *= 2 }
      buffer.deallocate()
      buffer = UnsafeMutableRawPointer.allocate(byteCount: c, alignment: 8)
      bufferCapacity = c
    }
    UnsafeMutableRawBufferPointer(start: buffer, count: x.count).copyMemory(from: x)
    UnsafeMutableRawBufferPointer(start: buffer + x.count, count: y.count).copyMemory(from: y)
    return try output.checkedIntern(bytes: UnsafeRawBufferPointer(start: buffer, count: total))
  }

  private func grow() {
    let old = slots
    let oldCapacity = capacity
    capacity *= 2
    shift -= 1
    slots = TextJoiner.makeSlots(capacity)
    let mask = capacity - 1
    for j in 0..<oldCapacity where old[j].key != TextJoiner.empty {
      var i = Int(truncatingIfNeeded: (old[j].key &* 0x9E37_79B9_7F4A_7C15) >> UInt64(shift))
      while slots[i].key != TextJoiner.empty { i = (i + 1) & mask }
      slots[i] = old[j]
    }
    old.deallocate()
  }
}

/// Frees raw buffers when the kernel that captured it goes away.
package final class PointerOwner {
  package let pick: UnsafeMutablePointer<UInt8>
  package let buffers: [UnsafeMutablePointer<UInt32>]
  package init(_ pick: UnsafeMutablePointer<UInt8>, _ buffers: [UnsafeMutablePointer<UInt32>]) {
    self.pick = pick
    self.buffers = buffers
  }
  deinit {
    pick.deallocate()
    for b in buffers { b.deallocate() }
  }
}

private func gatherPick<T>(_ n: Int, _ srcs: [UnsafePointer<T>], _ pick: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<T>) {
  if srcs.count == 2 {
    let a = srcs[0]
    let b = srcs[1]
    for i in 0..<n { out[i] = pick[i] == 0 ? a[i] : b[i] }
    return
  }
  for i in 0..<n { out[i] = srcs[Int(pick[i])][i] }
}

/// Rounds half away from zero to `digits` decimals (negative digits round to tens, hundreds…).
package func roundHalfAway(_ x: Double, digits: Int64) -> Double {
  if !x.isFinite { return x }
  let d = max(-308, min(308, digits))
  if d == 0 { return x.rounded(.toNearestOrAwayFromZero) }
  if d > 0 {
    let m = Foundation.pow(10.0, Double(d))
    let scaled = x * m
    if !scaled.isFinite { return x }
    return scaled.rounded(.toNearestOrAwayFromZero) / m
  }
  let m = Foundation.pow(10.0, Double(-d))
  return (x / m).rounded(.toNearestOrAwayFromZero) * m
}

/// Rounds an integer to `digits` (only negative digits change it); nil on overflow.
package func roundInt(_ x: Int64, digits: Int64) -> Int64? {
  if digits >= 0 { return x }
  if digits < -18 { return 0 }
  var m: Int64 = 1
  for _ in 0..<Int(-digits) { m *= 10 }
  let q = x / m
  let r = x % m
  var rounded = q
  if Swift.abs(r) * 2 >= m { rounded += x < 0 ? -1 : 1 }
  let (v, o) = rounded.multipliedReportingOverflow(by: m)
  return o ? nil : v
}

/// `substr(s, start, len)`: 1-based positions in characters (Unicode scalars).
package func substring(_ s: String, _ start: Value, _ length: Value) -> String? {
  guard case .int(let st) = start, case .int(let len) = length else { return nil }
  if len < 0 { return nil }
  let scalars = Array(s.unicodeScalars)
  let from = Int(clamping: max(1, st)) - 1
  let endExclusive: Int
  let (e, o) = st.addingReportingOverflow(len)
  endExclusive = o ? scalars.count : Int(clamping: max(1, min(e, Int64(scalars.count) + 1))) - 1
  guard from < scalars.count, endExclusive > from else { return "" }
  var out = String.UnicodeScalarView()
  out.append(contentsOf: scalars[from..<min(endExclusive, scalars.count)])
  return String(out)
}

/// Text search and replacement on UTF-8 bytes (code points, not canonical equivalence).
package func containsBytes(_ s: String, _ part: String) -> Bool {
  part.isEmpty || firstByteMatch(Array(s.utf8), Array(part.utf8), from: 0) != nil
}

package func replaceBytes(_ s: String, _ from: String, _ to: String) -> String {
  let hay = Array(s.utf8)
  let needle = Array(from.utf8)
  guard !needle.isEmpty else { return s }
  var out: [UInt8] = []
  out.reserveCapacity(hay.count)
  var i = 0
  while let m = firstByteMatch(hay, needle, from: i) {
    out.append(contentsOf: hay[i..<m])
    out.append(contentsOf: to.utf8)
    i = m + needle.count
  }
  out.append(contentsOf: hay[i...])
  return String(decoding: out, as: UTF8.self)
}

private func firstByteMatch(_ hay: [UInt8], _ needle: [UInt8], from start: Int) -> Int? {
  guard needle.count <= hay.count, start <= hay.count - needle.count else { return nil }
  var i = start
  while i + needle.count <= hay.count {
    if hay[i] == needle[0] && hay[i..<(i + needle.count)].elementsEqual(needle) { return i }
    i += 1
  }
  return nil
}

/// Float order with NaN after every number (as in sorting).
package func floatLess(_ x: Double, _ y: Double) -> Bool {
  if x.isNaN { return false }
  if y.isNaN { return true }
  return x < y
}

/// Order used by least/greatest and min/max on boxed values.
package func valueLess(_ a: Value, _ b: Value) -> Bool {
  switch (a, b) {
  case (.int(let x), .int(let y)): return x < y
  case (.float(let x), .float(let y)): return floatLess(x, y)
  case (.int(let x), .float(let y)): return floatLess(Double(x), y)
  case (.float(let x), .int(let y)): return floatLess(x, Double(y))
  case (.text(let x), .text(let y)): return utf8Less(x, y)
  case (.bool(let x), .bool(let y)): return !x && y
  default: return false
  }
}

package func valueEqual(_ a: Value, _ b: Value) -> Bool {
  switch (a, b) {
  case (.text(let x), .text(let y)): return utf8Equal(x, y)
  case (.float(let x), .float(let y)): return x == y || (x.isNaN && y.isNaN)
  default: return a == b
  }
}

extension Vec {
  /// Row `i` boxed (for the general slow path only).
  package func value(at i: Int, type: DataType) -> Value {
    if let v = validity, v[i] == 0 { return .null }
    switch type {
    case .int: return .int(ints()[i])
    case .date: return .date(ints()[i])
    case .float: return .float(floats()[i])
    case .bool: return .bool(bytes()[i] != 0)
    case .text:
      guard let d = dictionary else { return .null }
      let c = Int(codes()[i])
      return c < d.count ? .text(d.string(c)) : .null
    }
  }
}
