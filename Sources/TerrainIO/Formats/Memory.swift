// How much memory a load may still take, and allocations sized by a file that fail as errors
// rather than stopping the process.

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import TerrainStorage
import TerrainSyntax

/// Refuses a file whose columns cannot fit in the memory available, with a clear error
/// instead of the system killing terrain halfway. The columns take about as much memory as
/// the file's text (8-byte numbers for 2–10 characters, 4-byte text codes).
package func checkMemoryFor(_ fileBytes: Int, path: String) throws {
  guard let available = availableMemory(), fileBytes > available else { return }
  throw notEnoughMemory(path: path, needed: fileBytes, available: available)
}

/// The error of a file that needs `needed` bytes where only `available` are left.
package func notEnoughMemory(path: String, needed: Int, available: Int) -> LoadError {
  func gb(_ n: Int) -> String { String(format: "%.1f GB", Double(n) / 1e9) }
  return LoadError(path: path, line: 0, column: 0, .notEnoughMemory, path, gb(needed), gb(available))
}

/// `bytes` bytes of memory for data read from `path`, or a `LoadError` when that is more than
/// the memory available or the allocation fails (never a stop of the process).
package func allocateInputBytes(_ bytes: Int, path: String) throws -> UnsafeMutableRawPointer {
  if bytes >= checkedAllocationThreshold, let available = availableMemory(), bytes > available {
    throw notEnoughMemory(path: path, needed: bytes, available: available)
  }
  guard let p = malloc(max(1, bytes)) else {
    throw notEnoughMemory(path: path, needed: bytes, available: availableMemory() ?? 0)
  }
  return p
}

/// `body`, with an `AllocationFailure` from the storage's checked allocations turned into the
/// `LoadError` of `path` (not enough memory).
package func failingAllocationsAsLoadErrors<T>(path: String, _ body: () throws -> T) throws -> T {
  do {
    return try body()
  } catch let failure as AllocationFailure {
    throw outOfMemory(path: path, block: failure.bytes, available: failure.available)
  }
}

/// The error of a load that needed a block of `block` bytes the memory could not give;
/// `available`: the memory there was then (else what there is now).
package func outOfMemory(path: String, block: Int, available: Int? = nil) -> LoadError {
  LoadError(path: path, line: 0, column: 0, .loadOutOfMemory, path, memorySize(block), memorySize(available ?? availableMemory() ?? 0))
}

/// The arguments of an out-of-memory message for `failure`: the block refused and the memory
/// there was then (else what there is now), as `memorySize` writes them.
package func outOfMemoryArguments(_ failure: AllocationFailure) -> (block: String, available: String) {
  (memorySize(failure.bytes), memorySize(failure.available ?? availableMemory() ?? 0))
}

/// `n` bytes for a message: `1.3 GB` from a gigabyte, else whole megabytes rounded up (`12 MB`).
package func memorySize(_ n: Int) -> String {
  n >= 1_000_000_000 ? String(format: "%.1f GB", Double(n) / 1e9) : String(format: "%.0f MB", (Double(n) / 1e6).rounded(.up))
}

/// Grows (or shrinks) memory from `allocateInputBytes`; on failure `memory` is still valid
/// and still the caller's to free.
package func reallocateInputBytes(_ memory: UnsafeMutableRawPointer, _ bytes: Int, path: String) throws
  -> UnsafeMutableRawPointer
{
  if bytes >= checkedAllocationThreshold, let available = availableMemory(), bytes > available {
    throw notEnoughMemory(path: path, needed: bytes, available: available)
  }
  guard let p = realloc(memory, max(1, bytes)) else {
    throw notEnoughMemory(path: path, needed: bytes, available: availableMemory() ?? 0)
  }
  return p
}
