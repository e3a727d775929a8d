// Turns a bound expression into a tree of typed kernels over column chunks.
//
// Dispatch on types and operators happens here, once per expression; each kernel's loop is a
// typed loop over raw buffers with no per-row look-up, boxing or dynamic call.

import Foundation
import TerrainStorage
import TerrainSyntax
import TerrainPlanner

/// Compiles expressions against one relation.
package final class ExpressionCompiler {
  package let relation: Relation

  package init(relation: Relation) { self.relation = relation }

  /// The rows of the current chunk whose values reach the result of the expression being
  /// compiled: every row at the top, but inside a branch of `if` only the rows its condition
  /// sends there, and in a later argument of `coalesce` only the rows where the earlier ones
  /// are null. Kernels that can fail capture it at compile time and fail only for an active
  /// row, so `if(n > 0, total / n * 1000, 0)`-style guards work (the branch not taken is still
  /// computed on every row, but its errors are ignored there). The mask is filled by the
  /// `if` / `coalesce` kernel before each call of its inputs.
  package private(set) var activeRows: UnsafePointer<UInt8> = UnsafePointer(allValid)

  /// Whether `compile` is working inside a branch (some rows may be inactive).
  package var isInsideBranch: Bool { activeRows != UnsafePointer(allValid) }

  /// `compile(e)` for an input used only on the rows of `rows` (a chunk-sized mask that the
  /// caller fills before each call of the returned kernel).
  package func compile(_ e: BoundExpr, activeIn rows: UnsafePointer<UInt8>) throws -> Kernel {
    let saved = activeRows
    activeRows = rows
    defer { activeRows = saved }
    return try compile(e)
  }

  /// A kernel computing `e` over chunks of the relation's rows.
  package func compile(_ e: BoundExpr) throws -> Kernel {
    if case .constant = e {} else if e.isConstant {
      do {
        return constantKernel(try ExpressionCompiler.evaluateConstant(e), e.type)
      } catch where isInsideBranch {
        // A constant that fails (`9223372036854775807 + 1`) in a branch fails only if a row
        // takes the branch.
        return failingKernel(error, type: e.type)
      }
    }
    return try compileUnfolded(ExpressionCompiler.fold(e))
  }

  /// A kernel that throws `error` when any row of its chunk is active, else gives nulls.
  private func failingKernel(_ error: Error, type: DataType) -> Kernel {
    let active = activeRows
    let nulls = constantKernel(.null, type)
    return { start, n in
      if hasActiveRow(active, n) { throw error }
      return try nulls(start, n)
    }
  }

  package func compileUnfolded(_ e: BoundExpr) throws -> Kernel {
    switch e {
    case .column(let i, _):
      return columnKernel(relation.columns[i])
    case .constant(let v, let t):
      return constantKernel(v, t)
    case .cast(let a, let t):
      return try castKernel(try compile(a), from: a.type, to: t, span: nil)
    case .arithmetic(let op, let a, let b, let t, let span):
      return try arithmeticKernel(op, a, b, type: t, span: span)
    case .negate(let a, let t, let span):
      return negateKernel(try compile(a), type: t, span: span)
    case .compare, .not, .isNull, .inList:
      return try predicate(e).kernel
    case .and(let a, let b):
      return logicKernel(isAnd: true, try compile(a), try compile(b))
    case .or(let a, let b):
      return logicKernel(isAnd: false, try compile(a), try compile(b))
    case .concat(let a, let b):
      return try concatKernel(a, b)
    case .function(let f, let args, let t, let span):
      return try functionKernel(f, args, type: t, span: span)
    case .conditional(let c, let a, let b, let t):
      // Each branch compiled for the rows that take it (see `activeRows`).
      let masks = ChunkMasks(2)
      return conditionalKernel(try compile(c), try compile(a, activeIn: masks[0]), try compile(b, activeIn: masks[1]),
        masks: masks, type: t)
    case .coalesce(let args, let t):
      // Argument k compiled for the rows where the arguments before it are null.
      let masks = ChunkMasks(max(0, args.count - 1))
      let kernels = try args.enumerated().map { k, arg in k == 0 ? try compile(arg) : try compile(arg, activeIn: masks[k - 1]) }
      return coalesceKernel(kernels, masks: masks, type: t)
    case .caseWhen(let clauses, let otherwise, let t):
      return try compile(ExpressionCompiler.caseAsConditional(clauses, otherwise: otherwise, t))
    case .like(let a, let p, let negated, let ci):
      return try likeKernel(a, pattern: p, negated: negated, caseInsensitive: ci)
    }
  }

  /// The value of an expression that reads no column (constant folding, done by running the
  /// real kernels on one row).
  package static func evaluateConstant(_ e: BoundExpr) throws -> Value {
    if case .constant(let v, _) = e { return v }
    let one = Relation(fields: [], columns: [], rowCount: 1, sourceName: "")
    let compiler = ExpressionCompiler(relation: one)
    // Children first, so that the kernels below see folded constants; a child that fails
    // stays as it is and raises its error when compiled (unless it sits in a branch no row
    // takes).
    let k = try compiler.compileUnfolded(fold(e, shallow: true))
    return try k(0, 1).value(at: 0, type: e.type)
  }

  /// `e` with every constant sub-expression that evaluates replaced by its value (one that
  /// fails is kept, for its kernel to fail where it is used), and `if` with a constant
  /// condition replaced by its branch.
  package static func fold(_ e: BoundExpr, shallow: Bool = false) -> BoundExpr {
    if case .constant = e { return e }
    if case .column = e { return e }
    if e.isConstant && !shallow, let v = try? evaluateConstant(e) { return .constant(v, e.type) }
    if case .conditional(let c, let a, let b, let t) = e {
      let condition = fold(c)
      // `if(true, a, b)` is `a`; a false or null condition picks `b`.
      if case .constant(let v, _) = condition { return v == .bool(true) ? fold(a) : fold(b) }
      return .conditional(condition, fold(a), fold(b), t)
    }
    return e.mappingChildren { fold($0) }
  }

  /// Evaluates `e` over every row, calling `body` with each chunk's result.
  package func forEachChunk(_ e: BoundExpr, cancel: CancellationFlag?, _ body: (Int, Int, Vec) throws -> Void) throws {
    try forEachChunk(e, in: 0..<relation.rowCount, cancel: cancel, body)
  }

  /// Evaluates `e` into a new dense column. Throws `AllocationFailure` when the memory cannot
  /// hold it.
  package func evaluateColumn(_ e: BoundExpr, cancel: CancellationFlag?) throws -> Column {
    if case .column(let i, _) = e, relation.columns[i].indices == nil { return relation.columns[i].column }
    let ranges = workerRanges(relation.rowCount)
    if ranges.count > 1, e.type != .text { return try evaluateColumnInParallel(e, ranges, cancel: cancel) }
    let builder = ColumnBuilder(type: e.type, capacity: 0, dictionary: e.type == .text ? TextDictionary() : nil)
    try builder.reserve(relation.rowCount)
    let translator = TextTranslator(target: builder.dictionary)
    try forEachChunk(e, cancel: cancel) { _, n, v in
      try appendChunk(v, count: n, type: e.type, to: builder, translator: translator)
    }
    return builder.finish()
  }

  /// A number or bool column computed by several workers, each filling its range of one buffer.
  private func evaluateColumnInParallel(_ e: BoundExpr, _ ranges: [Range<Int>], cancel: CancellationFlag?) throws -> Column {
    let n = relation.rowCount
    let width = e.type == .bool ? 1 : 8
    let (bytes, overflow) = n.multipliedReportingOverflow(by: width)
    if overflow { throw AllocationFailure(bytes: Int.max) }
    let values = try allocateCheckedBytes(bytes)
    let validityBytes: UnsafeMutableRawPointer
    do {
      validityBytes = try allocateCheckedBytes(n)
    } catch {
      free(values)
      throw error
    }
    let validity = validityBytes.bindMemory(to: UInt8.self, capacity: max(1, n))
    var owned = true
    defer {
      if owned {
        free(values)
        free(validity)
      }
    }
    let sawNull = try runRanges(ranges) { _, range -> Bool in
      let compiler = ExpressionCompiler(relation: relation)
      var nulls = false
      try compiler.forEachChunk(e, in: range, cancel: cancel) { start, count, v in
        (values + start * width).copyMemory(from: v.data, byteCount: count * width)
        if let valid = v.validity {
          (validity + start).update(from: valid, count: count)
          nulls = nulls || hasNull(valid, count)
          // Null slots hold zero (the column invariant).
          for i in 0..<count where valid[i] == 0 { (values + (start + i) * width).initializeMemory(as: UInt8.self, repeating: 0, count: width) }
        } else {
          (validity + start).update(repeating: 1, count: count)
        }
      }
      return nulls
    }
    owned = false
    let valid: ColumnBuffer<UInt8>?
    if sawNull.contains(true) {
      valid = ColumnBuffer(adopting: validity, count: n)
    } else {
      free(validity)
      valid = nil
    }
    switch e.type {
    case .int: return Column(values: .int(ColumnBuffer(adopting: values.bindMemory(to: Int64.self, capacity: max(1, n)), count: n)), validity: valid)
    case .date: return Column(values: .date(ColumnBuffer(adopting: values.bindMemory(to: Int64.self, capacity: max(1, n)), count: n)), validity: valid)
    case .float: return Column(values: .float(ColumnBuffer(adopting: values.bindMemory(to: Double.self, capacity: max(1, n)), count: n)), validity: valid)
    default: return Column(values: .bool(ColumnBuffer(adopting: values.bindMemory(to: UInt8.self, capacity: max(1, n)), count: n)), validity: valid)
    }
  }

  // MARK: leaves

  private func columnKernel(_ ref: ColumnRef) -> Kernel {
    let col = ref.column
    let validBase = col.validity?.base
    switch col.values {
    case .int(let b), .date(let b): return sourceKernel(b.base, validBase, ref.indices, nil, col)
    case .float(let b): return sourceKernel(b.base, validBase, ref.indices, nil, col)
    case .bool(let b): return sourceKernel(b.base, validBase, ref.indices, nil, col)
    case .text(let b, let d): return sourceKernel(b.base, validBase, ref.indices, d, col)
    }
  }

  private func sourceKernel<T>(_ base: UnsafeMutablePointer<T>, _ valid: UnsafeMutablePointer<UInt8>?,
    _ indices: IndexVector?, _ dict: TextDictionary?, _ owner: Column) -> Kernel {
    guard let indices else {
      return { start, _ in
        withExtendedLifetime(owner) {
          Vec(data: UnsafeRawPointer(base + start), validity: valid.map { UnsafePointer($0 + start) }, dictionary: dict)
        }
      }
    }
    let scratch = Scratch(elementSize: MemoryLayout<T>.stride)
    let out = scratch.values.assumingMemoryBound(to: T.self)
    let outValid = scratch.validity
    let idx = indices.indices.base
    let nullRows = indices.hasNullRows
    return { start, n in
      withExtendedLifetime((owner, scratch)) {
        withExtendedLifetime(indices) {
          let sel = idx + start
          if nullRows {
            for i in 0..<n {
              let p = Int(sel[i])
              let q = p < 0 ? 0 : p
              out[i] = base[q]
              outValid[i] = p < 0 ? 0 : (valid?[q] ?? 1)
            }
            return Vec(data: UnsafeRawPointer(out), validity: UnsafePointer(outValid), dictionary: dict)
          }
          for i in 0..<n { out[i] = base[Int(sel[i])] }
          guard let valid else { return Vec(data: UnsafeRawPointer(out), validity: nil, dictionary: dict) }
          for i in 0..<n { outValid[i] = valid[Int(sel[i])] }
          return Vec(data: UnsafeRawPointer(out), validity: UnsafePointer(outValid), dictionary: dict)
        }
      }
    }
  }

  private func constantKernel(_ v: Value, _ t: DataType) -> Kernel {
    let scratch = Scratch()
    var dict: TextDictionary?
    switch (v, t) {
    case (.int(let x), _), (.date(let x), _): scratch.ints().initialize(repeating: x, count: chunkSize)
    case (.float(let x), _): scratch.floats().initialize(repeating: x, count: chunkSize)
    case (.bool(let x), _): scratch.bytes().initialize(repeating: x ? 1 : 0, count: chunkSize)
    case (.text(let s), _):
      let d = TextDictionary()
      scratch.codes().initialize(repeating: d.intern(s), count: chunkSize)
      dict = d
    case (.null, _):
      scratch.validity.initialize(repeating: 0, count: chunkSize)
      if t == .text {
        let d = TextDictionary()
        _ = d.intern("")
        dict = d
      }
    }
    let valid: UnsafePointer<UInt8>? = v.isNull ? UnsafePointer(scratch.validity) : nil
    let vec = Vec(data: UnsafeRawPointer(scratch.values), validity: valid, dictionary: dict)
    return { _, _ in withExtendedLifetime(scratch) { vec } }
  }
}

/// Appends one chunk of a kernel's output to a column builder.
package func appendChunk(_ v: Vec, count n: Int, type: DataType, to builder: ColumnBuilder, translator: TextTranslator) throws {
  switch type {
  case .int, .date:
    if let b = builder.intBuffer { try copyChunk(v.ints(), v.validity, n, b, zero: 0) }
  case .float:
    if let b = builder.floatBuffer { try copyChunk(v.floats(), v.validity, n, b, zero: 0) }
  case .bool:
    if let b = builder.boolBuffer { try copyChunk(v.bytes(), v.validity, n, b, zero: 0) }
  case .text:
    if let b = builder.codeBuffer, let src = v.dictionary {
      let dst = try b.tail(reserving: n)
      try translator.translate(v.codes(), from: src, count: n, validity: v.validity, into: dst)
      b.advance(by: n)
    }
  }
  try builder.validity.append(flags: v.validity, count: n)
}

/// Copies values, writing `zero` in null slots (the column invariant).
private func copyChunk<T>(_ src: UnsafePointer<T>, _ valid: UnsafePointer<UInt8>?, _ n: Int, _ b: BufferBuilder<T>, zero: T) throws {
  let dst = try b.tail(reserving: n)
  if let valid {
    for i in 0..<n { dst[i] = valid[i] != 0 ? src[i] : zero }
  } else {
    dst.update(from: src, count: n)
  }
  b.advance(by: n)
}

/// Re-codes text from any source dictionary into one target dictionary, remembering the
/// mapping per source code so each distinct string is interned once.
package final class TextTranslator {
  package let target: TextDictionary?
  /// Only look strings up in the target (absent ones become `absent`), never add to it, so
  /// that several threads may share a target that is no longer written.
  package let lookupOnly: Bool
  private var source: ObjectIdentifier?
  private var map: [UInt32] = []  // UInt32.max = not yet known
  /// The code given to a string the target lacks, in `lookupOnly` mode.
  package static let absent = UInt32.max - 1

  package init(target: TextDictionary?, lookupOnly: Bool = false) {
    self.target = target
    self.lookupOnly = lookupOnly
  }

  /// Writes into `out` the target's codes of `n` codes of `dict` (0 where `validity` says
  /// null); throws `AllocationFailure` when a string added to the target does not fit.
  package func translate(_ codes: UnsafePointer<UInt32>, from dict: TextDictionary, count n: Int,
    validity: UnsafePointer<UInt8>?, into out: UnsafeMutablePointer<UInt32>) throws {
    guard let target else { return }
    if target === dict {
      for i in 0..<n { out[i] = validity.map { $0[i] != 0 ? codes[i] : 0 } ?? codes[i] }
      return
    }
    let id = ObjectIdentifier(dict)
    if source != id {
      source = id
      map = []
    }
    if map.count < dict.count { map.append(contentsOf: repeatElement(UInt32.max, count: dict.count - map.count)) }
    try map.withUnsafeMutableBufferPointer { m in
      for i in 0..<n {
        if let validity, validity[i] == 0 {
          out[i] = 0
          continue
        }
        let c = Int(codes[i])
        var t = m[c]
        if t == UInt32.max {
          let bytes = dict.bytes(of: UInt32(c))
          t = lookupOnly ? (target.code(ofBytes: bytes) ?? TextTranslator.absent) : try target.checkedIntern(bytes: bytes)
          m[c] = t
        }
        out[i] = t
      }
    }
  }
}
