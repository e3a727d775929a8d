// How much memory a load may still take, and allocations sized by a file that fail as errors
// rather than stopping the process.

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import TerrainStorage
import TerrainSyntax

/// The memory terrain can still take, in bytes: the least of Linux's MemAvailable, the room
/// left under the address-space limit (`ulimit -v`, RLIMIT_AS) and the room left in the
/// process's cgroup (`memory.max` − `memory.current`, as in a container). nil where none of
/// them is known.
package func availableMemory() -> Int? {
  var limits: [Int] = []
  if let m = meminfoAvailable() { limits.append(m) }
  var rl = rlimit()
  if getrlimit(Int32(RLIMIT_AS.rawValue), &rl) == 0, rl.rlim_cur != rlim_t.max, let used = addressSpaceInUse() {
    let cap = rl.rlim_cur > UInt(Int.max) ? Int.max : Int(rl.rlim_cur)
    limits.append(max(0, cap - used))
  }
  if let room = cgroupRoom() { limits.append(room) }
  return limits.min()
}

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
  if bytes > (64 << 20), let available = availableMemory(), bytes > available {
    throw notEnoughMemory(path: path, needed: bytes, available: available)
  }
  guard let p = malloc(max(1, bytes)) else {
    throw notEnoughMemory(path: path, needed: bytes, available: availableMemory() ?? 0)
  }
  return p
}

/// Grows (or shrinks) memory from `allocateInputBytes`; on failure `memory` is still valid
/// and still the caller's to free.
package func reallocateInputBytes(_ memory: UnsafeMutableRawPointer, _ bytes: Int, path: String) throws
  -> UnsafeMutableRawPointer
{
  if bytes > (64 << 20), let available = availableMemory(), bytes > available {
    throw notEnoughMemory(path: path, needed: bytes, available: available)
  }
  guard let p = realloc(memory, max(1, bytes)) else {
    throw notEnoughMemory(path: path, needed: bytes, available: availableMemory() ?? 0)
  }
  return p
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
  guard let maxText = readSmallFile(base + "/memory.max")?.trimmingSpaces, maxText != "max",
    let limit = Int(maxText),
    let current = readSmallFile(base + "/memory.current").flatMap({ Int($0.trimmingSpaces) })
  else { return nil }
  return max(0, limit - current)
}

/// The text of a small file (a few KB at most), or nil.
private func readSmallFile(_ path: String) -> String? {
  guard let f = fopen(path, "r") else { return nil }
  defer { fclose(f) }
  var buffer = [UInt8](repeating: 0, count: 4096)
  let n = fread(&buffer, 1, buffer.count, f)
  return String(decoding: buffer.prefix(n), as: UTF8.self)
}

extension String {
  fileprivate var trimmingSpaces: String {
    String(self.drop(while: { $0 == " " || $0 == "\n" }).reversed().drop(while: { $0 == " " || $0 == "\n" }).reversed())
  }
}
