// The bytes of a file, as every format's reader sees them: a read-only mapping of the file,
// or memory the value owns (a pipe, a decompressed file, a member of an archive).

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import TerrainStorage
import TerrainSyntax

/// A byte buffer the reader works on: borrowed from the caller, owned (malloc'ed) and freed
/// with the value, or a read-only private mapping of a file, unmapped with the value.
package final class FileBytes: @unchecked Sendable {
  package let base: UnsafePointer<UInt8>
  package let count: Int
  private let owned: UnsafeMutableRawPointer?
  /// Length of the mapping when the bytes are a mapped file.
  private let mappedLength: Int

  /// Borrows `buffer`, which must outlive this value.
  package init(borrowing buffer: UnsafeRawBufferPointer) {
    mappedLength = 0
    if let b = buffer.baseAddress, buffer.count > 0 {
      base = UnsafePointer(b.assumingMemoryBound(to: UInt8.self))
      count = buffer.count
      owned = nil
    } else {
      let p = allocateBytes(1)
      base = UnsafePointer(p.assumingMemoryBound(to: UInt8.self))
      count = 0
      owned = p
    }
  }

  /// Takes ownership of `memory` (from `malloc`), of which `count` bytes are used.
  package init(adopting memory: UnsafeMutableRawPointer, count: Int) {
    base = UnsafePointer(memory.assumingMemoryBound(to: UInt8.self))
    self.count = count
    owned = memory
    mappedLength = 0
  }

  /// Takes ownership of a mapping of `count` bytes (from `mmap`).
  package init(mapped memory: UnsafeMutableRawPointer, count: Int) {
    base = UnsafePointer(memory.assumingMemoryBound(to: UInt8.self))
    self.count = count
    owned = nil
    mappedLength = count
    shrinkGuard = MappedFileGuard(base: memory, count: count)
  }

  /// Set for mapped files: notices the file getting shorter while it is read.
  private var shrinkGuard: MappedFileGuard?

  /// Whether the mapped file got shorter while it was read (the missing bytes read as zeros).
  package var fileShrank: Bool { shrinkGuard?.truncated ?? false }

  deinit {
    if mappedLength > 0 {
      shrinkGuard = nil  // unregister before the pages go away
      munmap(UnsafeMutableRawPointer(mutating: base), mappedLength)
    } else if let p = owned {
      free(p)
    }
  }

  package var buffer: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

  /// Whether the bytes are a mapped file (whose pages can be dropped and read again).
  package var isMapped: Bool { mappedLength > 0 }

  /// Says that bytes `from..<to` will not be needed soon: a mapped file's whole pages in
  /// that range leave the resident set (they stay in the page cache and are read back,
  /// unchanged, if touched again). Does nothing for bytes in ordinary memory.
  package func release(from: Int, to: Int) {
    guard mappedLength > 0 else { return }
    let page = filePageSize
    let a = (from + page - 1) / page * page
    let b = min(to, count) / page * page
    if b > a {
      _ = madvise(UnsafeMutableRawPointer(mutating: base) + a, b - a, Int32(MADV_DONTNEED))
    }
  }
}

/// The memory page size.
package let filePageSize: Int = {
  let s = sysconf(Int32(_SC_PAGESIZE))
  return s > 0 ? s : 4096
}()

/// The bytes of the file at `path`: a mapping for regular files, else read into memory.
/// Throws a `LoadError` at line 0 with a plain-words reason when the file cannot be read.
package func readWholeFile(path: String) throws -> FileBytes {
  let fd = open(path, O_RDONLY)
  if fd < 0 {
    throw LoadError(path: path, line: 0, column: 0, .cannotOpen, path, describeErrno(errno))
  }
  defer { close(fd) }
  var st = stat()
  if fstat(fd, &st) != 0 {
    throw LoadError(path: path, line: 0, column: 0, .cannotOpen, path, describeErrno(errno))
  }
  if (st.st_mode & S_IFMT) == S_IFDIR {
    throw LoadError(path: path, line: 0, column: 0, .isADirectory, path)
  }
  // Regular files: mapped (read-only, private), so that pages are read in as the passes
  // go and can leave memory once parsed, with no copy. Only with the SIGBUS guard installed
  // (a process-wide opt-in): otherwise a file shrinking while mapped would kill the process,
  // so the file is read into memory below.
  if (st.st_mode & S_IFMT) == S_IFREG && st.st_size > 0 && mappedFileGuardInstalled {
    let size = Int(st.st_size)
    if let m = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), m != MAP_FAILED {
      _ = madvise(m, size, Int32(MADV_SEQUENTIAL))
      return FileBytes(mapped: m, count: size)
    }
  }
  // Otherwise one allocation of the known size; pipes and special files: grow.
  var capacity = max(Int(st.st_size), 0) + 1
  if capacity < 64 * 1024 && (st.st_mode & S_IFMT) != S_IFREG { capacity = 64 * 1024 }
  var memory = allocateBytes(capacity)
  var used = 0
  while true {
    if used == capacity {
      capacity = capacity * 2
      memory = reallocateBytes(memory, capacity)
    }
    let n = read(fd, memory + used, capacity - used)
    if n < 0 {
      if errno == EINTR { continue }
      let reason = describeErrno(errno)
      free(memory)
      throw LoadError(path: path, line: 0, column: 0, .cannotRead, path, reason)
    }
    if n == 0 { break }
    used += n
  }
  return FileBytes(adopting: memory, count: used)
}

/// An `errno` in plain words, for messages about files.
package func describeErrno(_ e: Int32) -> String {
  switch e {
  case ENOENT: return "no such file"
  case EACCES, EPERM: return "permission denied"
  case EISDIR: return "it is a directory"
  case ENOTDIR: return "a part of the path is not a directory"
  default: return String(cString: strerror(e))
  }
}
