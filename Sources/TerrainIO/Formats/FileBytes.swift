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
///
/// Never blocks beyond Ctrl-C and never takes more memory than there is: the file is opened
/// without waiting (a FIFO with no writer yet does not hang `open`), a pipe, FIFO or device is
/// read as data arrives, checking `cancel` between reads, and growing past the memory
/// available (`/dev/zero`) is an error.
///
/// - Parameter limit: the most bytes to read; a longer file is an `inputTooLarge` error.
package func readWholeFile(path: String, cancel: CancellationFlag? = nil, limit: Int? = nil) throws -> FileBytes {
  let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
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
  let regular = (st.st_mode & S_IFMT) == S_IFREG
  if regular {
    // Ordinary blocking reads for files on disk.
    let flags = fcntl(fd, F_GETFL)
    if flags >= 0 { _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) }
  }
  // Regular files: mapped (read-only, private), so that pages are read in as the passes
  // go and can leave memory once parsed, with no copy. Only with the SIGBUS guard installed
  // (a process-wide opt-in): otherwise a file shrinking while mapped would kill the process,
  // so the file is read into memory below.
  if let limit, regular, Int(st.st_size) > limit {
    throw LoadError(path: path, line: 0, column: 0, .inputTooLarge, path, groupedByteCount(limit))
  }
  if regular && st.st_size > 0 && mappedFileGuardInstalled {
    let size = Int(st.st_size)
    if let m = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), m != MAP_FAILED {
      _ = madvise(m, size, Int32(MADV_SEQUENTIAL))
      return FileBytes(mapped: m, count: size)
    }
  }
  // Otherwise one allocation of the known size; pipes and special files: grow.
  var capacity = max(Int(st.st_size), 0) + 1
  if capacity < 64 * 1024 && !regular { capacity = 64 * 1024 }
  var memory = try allocateInputBytes(capacity, path: path)
  var used = 0
  do {
    while true {
      if cancel?.isCancelled == true { throw CancelledError() }
      if used == capacity {
        let (doubled, overflow) = capacity.multipliedReportingOverflow(by: 2)
        let available = availableMemory()
        if overflow || doubled > (available ?? Int.max) {
          throw LoadError(path: path, line: 0, column: 0, .streamExceedsMemory, path, groupedByteCount(used),
            groupedByteCount(available ?? 0))
        }
        memory = try reallocateInputBytes(memory, doubled, path: path)
        capacity = doubled
      }
      if !regular {
        // Wait for data (or the writer's end) a tenth of a second at a time.
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&pfd, 1, 100)
        if ready == 0 { continue }
        if ready < 0 {
          if errno == EINTR { continue }
          throw LoadError(path: path, line: 0, column: 0, .cannotRead, path, describeErrno(errno))
        }
      }
      let n = read(fd, memory + used, min(capacity - used, 1 << 24))
      if n < 0 {
        if errno == EINTR || errno == EAGAIN { continue }
        throw LoadError(path: path, line: 0, column: 0, .cannotRead, path, describeErrno(errno))
      }
      if n == 0 { break }
      used += n
      if let limit, used > limit {
        throw LoadError(path: path, line: 0, column: 0, .inputTooLarge, path, groupedByteCount(limit))
      }
    }
  } catch {
    free(memory)
    throw error
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

/// `64 MB`, `1.5 GB`: a size for messages.
package func groupedByteCount(_ n: Int) -> String {
  n >= 1 << 30 ? String(format: "%.1f GB", Double(n) / Double(1 << 30)) : "\(n >> 20) MB"
}

/// The most a script file may hold.
package let scriptSizeLimit = 64 << 20

/// The text of the script at `path` (`.read`, `terrain script.tq`): read like a loaded file —
/// bounded (`scriptSizeLimit`), cancellable, a FIFO or a pipe does not hang — and decoded as
/// UTF-8 (invalid bytes become U+FFFD).
///
/// - Throws: `LoadError` saying why it cannot be read, or `CancelledError`.
package func readScriptText(path: String, cancel: CancellationFlag? = nil) throws -> String {
  let bytes = try readWholeFile(path: expandingHome(path), cancel: cancel, limit: scriptSizeLimit)
  return withExtendedLifetime(bytes) { String(decoding: bytes.buffer, as: UTF8.self) }
}

extension LoadError {
  /// Why the file could not be read, in a few words (`no such file`, `it is a directory`).
  package var reason: String {
    switch entry.id {
    case DiagnosticMessage.cannotOpen.id, DiagnosticMessage.cannotRead.id: return arguments.last ?? message
    case DiagnosticMessage.isADirectory.id: return describeErrno(EISDIR)
    default: return message
    }
  }
}
