// and / or / not / is null with SQL three-valued logic.

import TerrainStorage
import TerrainSyntax
import TerrainPlanner

/// `chunkSize` ones: the validity of a vector without nulls, for branch-free loops.
package let allValid: UnsafeMutablePointer<UInt8> = {
  let p = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
  p.initialize(repeating: 1, count: chunkSize)
  return p
}()

extension ExpressionCompiler {
  /// `a and b`: false if either is false, true if both are true, else null (and dually for or).
  package func logicKernel(isAnd: Bool, _ ka: @escaping Kernel, _ kb: @escaping Kernel) -> Kernel {
    // Not `binary`: a false side makes the result present, so its validity is not the inputs'.
    let o = Output<UInt8>()
    return { start, n in
      let x = try ka(start, n)
      let y = try kb(start, n)
      let a = x.bytes()
      let b = y.bytes()
      let out = o.values
      if x.validity == nil && y.validity == nil {
        if isAnd { zipLoop(n, a, b, out) { $0 & $1 } } else { zipLoop(n, a, b, out) { $0 | $1 } }
        return o.vec(nil)
      }
      // Branch-free: a missing validity reads as all ones.
      let va = x.validity ?? UnsafePointer(allValid)
      let vb = y.validity ?? UnsafePointer(allValid)
      let outValid = o.validity
      for i in 0..<n {
        let pa = va[i]
        let pb = vb[i]
        let ta = pa & a[i]
        let tb = pb & b[i]
        let fa = pa & (a[i] ^ 1)
        let fb = pb & (b[i] ^ 1)
        if isAnd {
          out[i] = ta & tb
          outValid[i] = (ta & tb) | fa | fb
        } else {
          out[i] = ta | tb
          outValid[i] = ta | tb | (fa & fb)
        }
      }
      return o.vecOwnValidity()
    }
  }
}
