// A byte buffer that either grows in memory (rendering to a String) or drains to a file
// descriptor through `write(2)` whenever it fills (exports, streaming to stdout).

import TerrainStorage
import TerrainSyntax

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Appends bytes cheaply; never throws in the hot path. A failed `write(2)` is remembered in
/// `errorNumber` and later appends are dropped, so callers check `errorNumber` at their
/// checkpoints (every few thousand rows) and at the end.
///
/// Every stored `var` is `@exclusivity(unchecked)`: a writer belongs to one thread (each
/// export batch formats into its own), and every access to them is an instantaneous read or
/// write of a trivial value (or a copy of the `afterWrite` closure, called after the read
/// ends) that is never held across a call that could touch the writer again (`makeRoom`,
/// `flush` and `writeOut` run between accesses, not inside one). The runtime checks cost
/// `swift_beginAccess` calls for each cell and row written.
package final class ByteWriter {
  @exclusivity(unchecked) package private(set) var base: UnsafeMutablePointer<UInt8>
  @exclusivity(unchecked) package private(set) var count = 0
  @exclusivity(unchecked) private var capacity: Int
  /// The file descriptor drained into, or -1 for a memory buffer.
  package let fd: Int32
  /// `errno` of the first failed write (0 while all is well).
  @exclusivity(unchecked) package private(set) var errorNumber: Int32 = 0
  /// Bytes handed to `write(2)` so far.
  @exclusivity(unchecked) package private(set) var flushedBytes = 0
  /// Test hook: after this many bytes have been flushed, the next flush fails with `EIO`.
  @exclusivity(unchecked) package var failAfterFlushedBytes: Int?
  /// Test hook: called with `flushedBytes` after each write to the file descriptor.
  @exclusivity(unchecked) package var afterWrite: ((Int) -> Void)?

  /// A memory buffer that grows as needed.
  package init(capacity: Int = 4096) {
    let cap = max(64, capacity)
    self.capacity = cap
    base = UnsafeMutablePointer<UInt8>.allocate(capacity: cap)
    fd = -1
  }

  /// A buffer of `capacity` bytes (1 MiB by default) that drains into `fd`.
  package init(fileDescriptor: Int32, capacity: Int = 1 << 20) {
    let cap = max(64, capacity)
    self.capacity = cap
    base = UnsafeMutablePointer<UInt8>.allocate(capacity: cap)
    fd = fileDescriptor
  }

  deinit { base.deallocate() }

  package var isMemory: Bool { fd < 0 }

  /// Total bytes produced so far (flushed and pending).
  package var totalBytes: Int { flushedBytes + count }

  /// Makes room for `n` more bytes and returns where to write them; call `advance(n)` after.
  @inline(__always)
  package func reserve(_ n: Int) -> UnsafeMutablePointer<UInt8> {
    if n > capacity - count { makeRoom(n) }
    return base + count
  }

  /// Counts `n` bytes written through `reserve`.
  @inline(__always)
  package func advance(_ n: Int) { count += n }

  private func makeRoom(_ n: Int) {
    if !isMemory {
      flush()
      if n <= capacity - count { return }
    }
    var newCap = capacity
    while newCap - count < n { newCap = newCap * 2 }
    let p = UnsafeMutablePointer<UInt8>.allocate(capacity: newCap)
    p.update(from: base, count: count)
    base.deallocate()
    base = p
    capacity = newCap
  }

  @inline(__always)
  package func append(_ byte: UInt8) {
    if count == capacity { makeRoom(1) }
    base[count] = byte
    count += 1
  }

  @inline(__always)
  package func append(_ a: UInt8, _ b: UInt8) {
    if capacity - count < 2 { makeRoom(2) }
    base[count] = a
    base[count + 1] = b
    count += 2
  }

  @inline(__always)
  package func append(_ p: UnsafePointer<UInt8>, _ n: Int) {
    if n <= 0 { return }
    if n > capacity - count { makeRoom(n) }
    (base + count).update(from: p, count: n)
    count += n
  }

  package func append(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard let p = bytes.baseAddress else { return }
    append(p, bytes.count)
  }

  package func append(_ bytes: [UInt8]) {
    bytes.withUnsafeBufferPointer { append($0) }
  }

  /// Appends the UTF-8 bytes of `s`.
  package func append(_ s: String) {
    var s = s
    s.withUTF8 { append($0) }
  }

  /// Appends a literal's bytes.
  @inline(__always)
  package func appendLiteral(_ s: StaticString) {
    append(s.utf8Start, s.utf8CodeUnitCount)
  }

  /// Appends `n` copies of `byte`.
  package func append(repeating byte: UInt8, count n: Int) {
    if n <= 0 { return }
    let p = reserve(n)
    p.initialize(repeating: byte, count: n)
    count += n
  }

  /// Drains the pending bytes to the file descriptor (no-op for memory buffers).
  package func flush() {
    if isMemory || count == 0 { return }
    writeOut(base, count)
    count = 0
  }

  /// Appends what `other` (a memory buffer) holds, writing it straight to the file
  /// descriptor when it is large, without copying it into this buffer first.
  package func append(contentsOf other: ByteWriter) {
    if !isMemory && other.count >= capacity / 4 {
      flush()
      writeOut(other.base, other.count)
    } else {
      append(other.base, other.count)
    }
  }

  /// Empties a memory buffer, keeping its capacity.
  package func reset() { count = 0 }

  /// `write(2)` of `n` bytes at `p`, retried on EINTR and partial writes; the first failure
  /// is kept in `errorNumber` and everything after it is dropped.
  private func writeOut(_ p: UnsafePointer<UInt8>, _ n: Int) {
    if errorNumber != 0 || n <= 0 { return }
    if let limit = failAfterFlushedBytes, flushedBytes + n > limit {
      errorNumber = EIO
      return
    }
    var done = 0
    while done < n {
      let r = write(fd, p + done, n - done)
      if r < 0 {
        if errno == EINTR { continue }
        errorNumber = errno
        break
      }
      if r == 0 {
        errorNumber = EIO
        break
      }
      done += r
    }
    flushedBytes += done
    afterWrite?(flushedBytes)
  }

  /// The memory buffer's content as a String (memory buffers only).
  package func string() -> String {
    String(decoding: UnsafeBufferPointer(start: base, count: count), as: UTF8.self)
  }

  /// A copy of the memory buffer's content.
  package func bytes() -> [UInt8] {
    Array(UnsafeBufferPointer(start: base, count: count))
  }
}
