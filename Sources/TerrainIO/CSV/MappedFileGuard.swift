// Keeps a file that shrinks while it is mapped from crashing terrain with SIGBUS.
//
// Reading a mapped page beyond a file's new end raises SIGBUS. While a mapping is
// registered here, a SIGBUS inside it replaces the faulting page with a page of zeros and
// marks the mapping as truncated; the reader then reports "the file changed while it was
// read" instead of the process dying. Faults outside registered mappings keep the default
// behaviour.
//
// The handler is process-wide, so it is opt-in: `installMappedFileGuard()` (called by the
// `terrain` executable through TerrainEngine's `installSignalHandlers()`). Until it is called,
// `readWholeFile` does not map files at all: it reads them into memory with read(2), which a
// file shrinking under it cannot turn into a signal.

import TerrainStorage
import TerrainSyntax

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Up to this many files mapped at once (loads running concurrently).
private let guardSlots = 16
/// Per slot: start address, end address, truncated flag (0/1). Written under `guardLock` by
/// normal code, read by the signal handler.
nonisolated(unsafe) private let guardRanges: UnsafeMutablePointer<Int> = {
  let p = UnsafeMutablePointer<Int>.allocate(capacity: guardSlots * 3)
  p.initialize(repeating: 0, count: guardSlots * 3)
  return p
}()
private let guardLock = SimpleLock()
nonisolated(unsafe) private var handlerInstalled = false
/// The handler that was there before (the Swift runtime's backtracer, or the default).
nonisolated(unsafe) private let previousAction: UnsafeMutablePointer<sigaction> = {
  let p = UnsafeMutablePointer<sigaction>.allocate(capacity: 1)
  p.initialize(to: sigaction())
  return p
}()

private func busHandler(_ sig: Int32, _ info: UnsafeMutablePointer<siginfo_t>?, _ context: UnsafeMutableRawPointer?) {
  #if canImport(Glibc)
    let address = Int(bitPattern: info?.pointee._sifields._sigfault.si_addr)
  #else
    let address = Int(bitPattern: info?.pointee.si_addr)
  #endif
  for slot in 0..<guardSlots {
    let start = guardRanges[slot * 3]
    let end = guardRanges[slot * 3 + 1]
    if start != 0 && address >= start && address < end {
      // Zeros from the faulting page to the end of the mapping: the file ends before it.
      let page = filePageSize
      let pageStart = address / page * page
      let length = (end - pageStart + page - 1) / page * page
      let zero = mmap(UnsafeMutableRawPointer(bitPattern: pageStart), length, PROT_READ,
        MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
      if zero != MAP_FAILED {
        guardRanges[slot * 3 + 2] = 1
        return  // the read is retried and sees zeros
      }
    }
  }
  // Not ours: put the previous handler back; returning re-runs the access, which faults again
  // and reaches it.
  sigaction(SIGBUS, previousAction, nil)
}

/// Installs the SIGBUS handler that guards mapped files (once; later calls do nothing). From
/// then on `readWholeFile` maps regular files instead of reading them into memory.
package func installMappedFileGuard() {
  guardLock.withLock {
    guard !handlerInstalled else { return }
    var action = sigaction()
    #if canImport(Glibc)
      action.__sigaction_handler.sa_sigaction = busHandler
    #else
      action.__sigaction_u.__sa_sigaction = busHandler
    #endif
    action.sa_flags = SA_SIGINFO
    sigemptyset(&action.sa_mask)
    sigaction(SIGBUS, &action, previousAction)
    handlerInstalled = true
  }
}

/// Whether `installMappedFileGuard()` has run: files may be mapped.
package var mappedFileGuardInstalled: Bool { guardLock.withLock { handlerInstalled } }

/// A registered mapping: `truncated` says whether a page had to be replaced.
package final class MappedFileGuard {
  private let slot: Int?

  /// Registers a mapping; only meaningful once `installMappedFileGuard()` has run (mapped files
  /// are not made before that).
  package init(base: UnsafeRawPointer, count: Int) {
    slot = guardLock.withLock { () -> Int? in
      for s in 0..<guardSlots where guardRanges[s * 3] == 0 {
        guardRanges[s * 3 + 2] = 0
        guardRanges[s * 3 + 1] = Int(bitPattern: base) + count
        guardRanges[s * 3] = Int(bitPattern: base)
        return s
      }
      return nil  // more than `guardSlots` files mapped at once: unguarded
    }
  }

  /// Whether the file got shorter while mapped (some bytes read as zeros).
  package var truncated: Bool {
    guard let slot else { return false }
    return guardLock.withLock { guardRanges[slot * 3 + 2] != 0 }
  }

  deinit {
    guard let slot else { return }
    guardLock.withLock {
      guardRanges[slot * 3] = 0
      guardRanges[slot * 3 + 1] = 0
      guardRanges[slot * 3 + 2] = 0
    }
  }
}
