// How much memory the process may still take, and allocations that fail as a thrown
// `AllocationFailure` instead of stopping the process (for buffers sized by input).

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import Dispatch

/// An allocation of `bytes` bytes that was refused: more than the memory available, or the
/// system allocator failed. Readers turn it into their own error naming the file.
package struct AllocationFailure: Error, Sendable {
  /// The bytes asked for.
  package let bytes: Int
  /// The memory available when it was refused, when known.
  package let available: Int?
  package init(bytes: Int, available: Int? = nil) {
    self.bytes = bytes
    self.available = available
  }
}

/// Allocations at least this large are first compared with `availableMemory()` (reading it
/// costs a few /proc reads, so small ones only rely on the allocator's own failure); a
/// variable for tests.
nonisolated(unsafe) package var checkedAllocationThreshold = 64 << 20

/// When set, what `availableMemory()` answers (for tests: a load under a small budget).
nonisolated(unsafe) package var availableMemoryOverride: Int? = nil

/// The memory terrain can still take, in bytes: the least of Linux's MemAvailable, the room
/// left under the address-space limit (`ulimit -v`, RLIMIT_AS) and the room left in the
/// process's cgroup (`memory.max` − `memory.current`, as in a container). nil where none of
/// them is known.
package func availableMemory() -> Int? {
  if let forced = availableMemoryOverride { return forced }
  var limits: [Int] = []
  if let m = meminfoAvailable() { limits.append(m) }
  if let room = addressSpaceRoom() { limits.append(max(0, room)) }
  if let room = cgroupRoom() { limits.append(room) }
  return limits.min()
}

/// Throws when `bytes` is beyond the memory available (checked for large sizes only).
@inline(never)
package func checkRoom(for bytes: Int) throws {
  if bytes < 0 { throw AllocationFailure(bytes: Int.max) }
  if bytes >= checkedAllocationThreshold, let available = availableMemory(), bytes > available {
    // Memory freed by an earlier statement may still be the allocator's (kept for reuse, it
    // counts in the address space): given back to the system, the room is looked at again.
    if givesBackFreedMemory(), let after = availableMemory(), bytes <= after { return }
    throw AllocationFailure(bytes: bytes, available: available)
  }
}

/// Returns the allocator's free memory to the system (glibc's `malloc_trim`); true when some
/// was returned.
private func givesBackFreedMemory() -> Bool {
  #if canImport(Glibc)
    return glibcMallocTrim(0) != 0
  #else
    return false
  #endif
}

#if canImport(Glibc)
  /// glibc's `malloc_trim` (declared in `<malloc.h>`, which the Glibc module does not export).
  @_silgen_name("malloc_trim")
  private func glibcMallocTrim(_ pad: Int) -> Int32
#endif

/// Serialises every checked allocation — the check that the memory is there and the
/// allocation that takes it — across threads: two workers (the lanes of a load, the
/// partitions of an aggregate) cannot both pass a check for the same memory. Recursive, so
/// that a growth holding it (a dictionary's, a key table's) can allocate through the
/// functions below.
package let checkedGrowthLock = SimpleLock(recursive: true)

/// `bytes` bytes from `malloc` (at least one), or `AllocationFailure` when they are beyond the
/// memory available or `malloc` fails.
package func allocateCheckedBytes(_ bytes: Int) throws -> UnsafeMutableRawPointer {
  checkedGrowthLock.lock()
  defer { checkedGrowthLock.unlock() }
  try checkRoom(for: bytes)
  guard let p = malloc(max(1, bytes)) else { throw AllocationFailure(bytes: bytes) }
  return p
}

/// `realloc` of memory from `allocateCheckedBytes`; on failure `p` is unchanged and still the
/// caller's to free.
package func reallocateCheckedBytes(_ p: UnsafeMutableRawPointer, _ bytes: Int) throws -> UnsafeMutableRawPointer {
  checkedGrowthLock.lock()
  defer { checkedGrowthLock.unlock() }
  try checkRoom(for: bytes)
  guard let q = realloc(p, max(1, bytes)) else { throw AllocationFailure(bytes: bytes) }
  return q
}

/// The value `allocate` makes — a Swift array or string of about `bytes` bytes, whose
/// allocation would stop the process if it failed — after checking (`probeRoom`) that the
/// memory can hold it. The probe and the allocation happen under `checkedGrowthLock`, so no
/// other checked allocation takes the memory in between. `allocate` should allocate and
/// little else: other threads' checked allocations wait for it.
package func withCheckedRoom<R>(for bytes: Int, _ allocate: () throws -> R) throws -> R {
  checkedGrowthLock.lock()
  defer { checkedGrowthLock.unlock() }
  try probeRoom(for: bytes)
  return try allocate()
}

/// The byte size of `count` values of `T`, or `AllocationFailure` when it overflows.
package func byteCount<T>(_ count: Int, of _: T.Type) throws -> Int {
  let (bytes, overflow) = max(1, count).multipliedReportingOverflow(by: MemoryLayout<T>.stride)
  if overflow || count < 0 { throw AllocationFailure(bytes: Int.max) }
  return bytes
}

/// `capacity` doubled until it holds `needed`, or `AllocationFailure` when that overflows.
package func doubledCapacity(_ capacity: Int, toHold needed: Int) throws -> Int {
  var c = Swift.max(1, capacity)
  while c < needed {
    let (doubled, overflow) = c.multipliedReportingOverflow(by: 2)
    if overflow { throw AllocationFailure(bytes: Int.max) }
    c = doubled
  }
  return c
}

/// `[T](repeating: value, count: count)` made through `withCheckedRoom`: for arrays sized by
/// the rows, groups or distinct values of the input; `AllocationFailure` when the memory
/// cannot hold them (or `count` is negative).
package func checkedArray<T>(repeating value: T, count: Int) throws -> [T] {
  try withCheckedRoom(for: try byteCount(count, of: T.self)) { [T](repeating: value, count: count) }
}

/// Checks that `bytes` more bytes can be taken, by asking the allocator for them and giving
/// them back: for memory that Swift allocates itself (a `String`, an `Array`'s growth), whose
/// failure would stop the process. Prefer `withCheckedRoom`, which allocates under the same
/// lock; a bare probe is for a bound checked ahead of growth that is itself checked.
package func probeRoom(for bytes: Int) throws {
  checkedGrowthLock.lock()
  defer { checkedGrowthLock.unlock() }
  try checkRoom(for: bytes)
  guard let p = malloc(max(1, bytes)) else { throw AllocationFailure(bytes: bytes) }
  free(p)
}

/// MemAvailable from /proc/meminfo, in bytes.
private func meminfoAvailable() -> Int? {
  procField("/proc/meminfo", "MemAvailable:").map { $0 &* 1024 }
}

/// The process's virtual memory size (VmSize), in bytes.
private func addressSpaceInUse() -> Int? {
  procField("/proc/self/status", "VmSize:").map { $0 &* 1024 }
}

/// The number after `key` on its line of a /proc file.
private func procField(_ path: String, _ key: String) -> Int? {
  guard let f = fopen(path, "r") else { return nil }
  defer { fclose(f) }
  var line = [CChar](repeating: 0, count: 256)
  while fgets(&line, Int32(line.count), f) != nil {
    let text = String(cString: line)
    if text.hasPrefix(key) {
      let digits = text.dropFirst(key.count).filter { $0.isNumber }
      return Int(String(digits.prefix(18)))
    }
  }
  return nil
}

/// Room left in the cgroup (v2) the process runs in, when it has a memory limit.
private func cgroupRoom() -> Int? {
  guard let own = readSmallFile("/proc/self/cgroup") else { return nil }
  // v2: a single line `0::/path`.
  guard let line = own.split(separator: "\n").first(where: { $0.hasPrefix("0::") }) else { return nil }
  let group = String(line.dropFirst(3))
  let base = "/sys/fs/cgroup" + (group == "/" ? "" : group)
  guard let maxText = readSmallFile(base + "/memory.max").map(trimmedLine), maxText != "max",
    let limit = Int(maxText),
    let current = readSmallFile(base + "/memory.current").flatMap({ Int(trimmedLine($0)) })
  else { return nil }
  return max(0, limit - current)
}

/// `text` without leading and trailing spaces and line breaks.
private func trimmedLine(_ text: String) -> String {
  var sub = Substring(text)
  while let f = sub.first, f == " " || f == "\t" || f == "\n" || f == "\r" { sub = sub.dropFirst() }
  while let l = sub.last, l == " " || l == "\t" || l == "\n" || l == "\r" { sub = sub.dropLast() }
  return String(sub)
}

/// The text of a small file (a few KB at most), or nil.
private func readSmallFile(_ path: String) -> String? {
  guard let f = fopen(path, "r") else { return nil }
  defer { fclose(f) }
  var buffer = [UInt8](repeating: 0, count: 4096)
  let n = fread(&buffer, 1, buffer.count, f)
  return String(decoding: buffer.prefix(n), as: UTF8.self)
}

// MARK: - Address space and worker threads

/// Address space kept free for the stacks of worker threads (libdispatch's workers reserve
/// 8 MB each; a few of them, and the allocator's arenas).
package let threadStackReserve = 64 << 20

/// The room left under the address-space limit (`ulimit -v`, RLIMIT_AS), in bytes; nil when
/// there is no limit (or it cannot be read).
package func addressSpaceRoom() -> Int? {
  var rl = rlimit()
  guard getrlimit(Int32(RLIMIT_AS.rawValue), &rl) == 0, rl.rlim_cur != rlim_t.max, let used = addressSpaceInUse() else {
    return nil
  }
  let cap = rl.rlim_cur > UInt(Int.max) ? Int.max : Int(rl.rlim_cur)
  return cap - used
}

/// Whether new threads can get their stacks: false when the address space left under
/// RLIMIT_AS is less than `threadStackReserve`. (libdispatch, when `pthread_create` fails
/// for want of address space, sleeps and retries for ever: `concurrentPerform` would hang
/// the statement, and Ctrl-C could not stop it.)
package func threadsCanStart() -> Bool {
  guard let room = addressSpaceRoom() else { return true }
  return room >= threadStackReserve
}

/// `DispatchQueue.concurrentPerform(iterations:execute:)`, or the iterations one after the
/// other on the calling thread when new threads could not start (`threadsCanStart()`): under
/// an address-space limit nearly reached, a slower statement rather than one that never ends.
/// Every parallel loop of terrain goes through it.
package func performConcurrently(iterations: Int, execute body: (Int) -> Void) {
  if iterations <= 1 || !threadsCanStart() {
    for i in 0..<max(0, iterations) { body(i) }
    return
  }
  DispatchQueue.concurrentPerform(iterations: iterations, execute: body)
}
