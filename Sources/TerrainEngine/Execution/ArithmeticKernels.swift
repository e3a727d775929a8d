// Kernels for + - * / % and unary minus, with integer overflow detection and x / 0 = null.

extension ExpressionCompiler {
  func overflowError(_ span: Span) -> Diagnostic {
    Diagnostic("integer overflow: the result does not fit in 64 bits", at: span, label: "overflows",
      help: "compute in floats instead, e.g. float(x) * y")
  }

  func arithmeticKernel(_ op: ArithmeticOp, _ a: BoundExpr, _ b: BoundExpr, type: DataType, span: Span) throws -> Kernel {
    let ka = try compile(a)
    let scratch = Scratch()
    let outValid = scratch.validity
    if type == .float {
      let out = scratch.floats()
      if case .constant(.float(let c), _) = b, op != .divide || c != 0, op != .remainder {
        // Column op constant: the common shape (`surface * 1.1`).
        return { start, n in
          let x = try ka(start, n)
          let xa = x.floats()
          switch op {
          case .add: mapLoop(n, xa, out) { $0 + c }
          case .subtract: mapLoop(n, xa, out) { $0 - c }
          case .multiply: mapLoop(n, xa, out) { $0 * c }
          case .divide: mapLoop(n, xa, out) { $0 / c }
          case .remainder: mapLoop(n, xa, out) { $0.truncatingRemainder(dividingBy: c) }
          }
          return withExtendedLifetime(scratch) { Vec(data: UnsafeRawPointer(out), validity: x.validity, dictionary: nil) }
        }
      }
      let kb = try compile(b)
      return { start, n in
        let x = try ka(start, n)
        let y = try kb(start, n)
        let xa = x.floats()
        let yb = y.floats()
        var valid = andValidity(n, x.validity, y.validity, into: outValid)
        switch op {
        case .add: zipLoop(n, xa, yb, out) { $0 + $1 }
        case .subtract: zipLoop(n, xa, yb, out) { $0 - $1 }
        case .multiply: zipLoop(n, xa, yb, out) { $0 * $1 }
        case .divide, .remainder:
          if op == .divide {
            zipLoop(n, xa, yb, out) { $0 / $1 }
          } else {
            zipLoop(n, xa, yb, out) { $1 == 0 ? 0 : $0.truncatingRemainder(dividingBy: $1) }
          }
          // x / 0 is null.
          if let v = valid {
            for i in 0..<n { outValid[i] = v[i] & (yb[i] != 0 ? 1 : 0) }
          } else {
            for i in 0..<n { outValid[i] = yb[i] != 0 ? 1 : 0 }
          }
          valid = UnsafePointer(outValid)
        }
        return withExtendedLifetime(scratch) { Vec(data: UnsafeRawPointer(out), validity: valid, dictionary: nil) }
      }
    }
    let kb = try compile(b)
    let out = scratch.ints()
    return { start, n in
      let x = try ka(start, n)
      let y = try kb(start, n)
      let xa = x.ints()
      let yb = y.ints()
      var valid = andValidity(n, x.validity, y.validity, into: outValid)
      var overflow: UInt64 = 0
      switch op {
      case .add:
        for i in 0..<n {
          let r = xa[i] &+ yb[i]
          out[i] = r
          overflow |= UInt64(bitPattern: (xa[i] ^ r) & (yb[i] ^ r)) >> 63 & UInt64(valid?[i] ?? 1)
        }
      case .subtract:
        for i in 0..<n {
          let r = xa[i] &- yb[i]
          out[i] = r
          overflow |= UInt64(bitPattern: (xa[i] ^ yb[i]) & (xa[i] ^ r)) >> 63 & UInt64(valid?[i] ?? 1)
        }
      case .multiply:
        for i in 0..<n {
          let (r, o) = xa[i].multipliedReportingOverflow(by: yb[i])
          out[i] = r
          overflow |= (o ? 1 : 0) & UInt64(valid?[i] ?? 1)
        }
      case .remainder, .divide:
        // (divide never reaches here: `/` is bound on floats.)
        for i in 0..<n {
          let d = yb[i]
          out[i] = d == 0 || d == -1 ? 0 : xa[i] % d
        }
        if let v = valid {
          for i in 0..<n { outValid[i] = v[i] & (yb[i] != 0 ? 1 : 0) }
        } else {
          for i in 0..<n { outValid[i] = yb[i] != 0 ? 1 : 0 }
        }
        valid = UnsafePointer(outValid)
      }
      if overflow != 0 { throw self.overflowError(span) }
      return withExtendedLifetime(scratch) { Vec(data: UnsafeRawPointer(out), validity: valid, dictionary: nil) }
    }
  }

  func negateKernel(_ ka: @escaping Kernel, type: DataType, span: Span) -> Kernel {
    let scratch = Scratch()
    if type == .float {
      let out = scratch.floats()
      return { start, n in
        let x = try ka(start, n)
        mapLoop(n, x.floats(), out) { -$0 }
        return withExtendedLifetime(scratch) { Vec(data: UnsafeRawPointer(out), validity: x.validity, dictionary: nil) }
      }
    }
    let out = scratch.ints()
    return { start, n in
      let x = try ka(start, n)
      let xa = x.ints()
      var overflow: UInt64 = 0
      for i in 0..<n {
        out[i] = 0 &- xa[i]
        overflow |= (xa[i] == Int64.min ? 1 : 0) & UInt64(x.validity?[i] ?? 1)
      }
      if overflow != 0 { throw self.overflowError(span) }
      return withExtendedLifetime(scratch) { Vec(data: UnsafeRawPointer(out), validity: x.validity, dictionary: nil) }
    }
  }
}
