// The unit kernels work on: up to `chunkSize` values of one type, with optional validity.

import TerrainStorage
import TerrainSyntax
import TerrainPlanner

/// Rows per chunk: small enough for a chunk's columns to stay in cache.
public let chunkSize = 2048

/// A read-only view of one chunk of values, produced by a kernel.
///
/// `data` points at `count` elements of the expression's type: `Int64`, `Double`, `UInt8`
/// (bool 0/1) or `UInt32` (text codes into `dictionary`). `validity` is nil when every value is
/// present. Null slots hold some value that must not be used (kernels mask with validity).
package struct Vec {
  package var data: UnsafeRawPointer
  package var validity: UnsafePointer<UInt8>?
  package var dictionary: TextDictionary?

  package func ints() -> UnsafePointer<Int64> { data.assumingMemoryBound(to: Int64.self) }
  package func floats() -> UnsafePointer<Double> { data.assumingMemoryBound(to: Double.self) }
  package func bytes() -> UnsafePointer<UInt8> { data.assumingMemoryBound(to: UInt8.self) }
  package func codes() -> UnsafePointer<UInt32> { data.assumingMemoryBound(to: UInt32.self) }

  package init(data: UnsafeRawPointer, validity: UnsafePointer<UInt8>? = nil, dictionary: TextDictionary? = nil) {
    self.data = data
    self.validity = validity
    self.dictionary = dictionary
  }
}

/// A kernel: evaluates its expression over rows `[start, start + count)` of the relation it
/// was compiled for, `count <= chunkSize`. The returned view stays valid until the next call.
package typealias Kernel = (_ start: Int, _ count: Int) throws -> Vec

/// Chunk-sized output memory owned by one kernel, allocated once at compile time.
package final class Scratch {
  package let values: UnsafeMutableRawPointer
  package let validity: UnsafeMutablePointer<UInt8>

  package init(elementSize: Int = 8) {
    values = allocateBytes(chunkSize * max(elementSize, 8))
    validity = allocateBytes(chunkSize).bindMemory(to: UInt8.self, capacity: chunkSize)
    values.initializeMemory(as: UInt8.self, repeating: 0, count: chunkSize * max(elementSize, 8))
    validity.initialize(repeating: 1, count: chunkSize)
  }

  deinit {
    values.deallocate()
    validity.deallocate()
  }

  package func ints() -> UnsafeMutablePointer<Int64> { values.assumingMemoryBound(to: Int64.self) }
  package func floats() -> UnsafeMutablePointer<Double> { values.assumingMemoryBound(to: Double.self) }
  package func bytes() -> UnsafeMutablePointer<UInt8> { values.assumingMemoryBound(to: UInt8.self) }
  package func codes() -> UnsafeMutablePointer<UInt32> { values.assumingMemoryBound(to: UInt32.self) }
}

// MARK: loop helpers (inlined and specialised at each use so LLVM vectorises them)

@inline(__always)
package func mapLoop<A, R>(_ n: Int, _ a: UnsafePointer<A>, _ out: UnsafeMutablePointer<R>, _ f: (A) -> R) {
  for i in 0..<n { out[i] = f(a[i]) }
}

@inline(__always)
package func zipLoop<A, B, R>(_ n: Int, _ a: UnsafePointer<A>, _ b: UnsafePointer<B>, _ out: UnsafeMutablePointer<R>, _ f: (A, B) -> R) {
  for i in 0..<n { out[i] = f(a[i], b[i]) }
}

/// The validity of a result that is null when either input is: nil when both are all-valid.
@inline(__always)
package func andValidity(_ n: Int, _ a: UnsafePointer<UInt8>?, _ b: UnsafePointer<UInt8>?, into out: UnsafeMutablePointer<UInt8>) -> UnsafePointer<UInt8>? {
  switch (a, b) {
  case (nil, nil): return nil
  case (let x?, nil): return x
  case (nil, let y?): return y
  case (let x?, let y?):
    zipLoop(n, x, y, out) { $0 & $1 }
    return UnsafePointer(out)
  }
}

/// Whether any of the first `n` validity flags is 0.
package func hasNull(_ v: UnsafePointer<UInt8>?, _ n: Int) -> Bool {
  guard let v else { return false }
  var all: UInt8 = 1
  for i in 0..<n { all &= v[i] }
  return all == 0
}

/// Whether any of the first `n` flags of `active` is set.
package func hasActiveRow(_ active: UnsafePointer<UInt8>, _ n: Int) -> Bool {
  var any: UInt8 = 0
  for i in 0..<n { any |= active[i] }
  return any != 0
}

/// Whether some row `i < n` that is present (`valid`) and active has `failed(i)`: the exact
/// test a kernel runs inside a branch of `if`/`coalesce` once its loop's cheap flag came up, so
/// that only the rows the branch serves can fail.
@inline(__always)
package func failsOnActiveRow(_ n: Int, _ valid: UnsafePointer<UInt8>?, _ active: UnsafePointer<UInt8>, _ failed: (Int) -> Bool) -> Bool {
  for i in 0..<n where (valid?[i] ?? 1) & active[i] != 0 && failed(i) { return true }
  return false
}

/// Chunk-sized row masks owned by one `if` / `coalesce` kernel (one per input after the
/// first), all ones until first filled.
package final class ChunkMasks {
  private let masks: [UnsafeMutablePointer<UInt8>]

  package init(_ count: Int) {
    masks = (0..<count).map { _ in
      let p = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
      p.initialize(repeating: 1, count: chunkSize)
      return p
    }
  }

  deinit { for m in masks { m.deallocate() } }

  package subscript(k: Int) -> UnsafeMutablePointer<UInt8> { masks[k] }
}
