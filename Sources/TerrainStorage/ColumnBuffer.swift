// Fixed-size typed storage with stable addresses, and a growable builder that hands its
// memory over without copying.

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Immutable, heap-allocated storage for `count` trivial values (`Int64`, `Double`,
/// `UInt8`, `UInt32`, `Int32`).
///
/// Unlike a Swift `Array`, its base address is stable for its whole life, so kernels may keep
/// raw pointers into it while the buffer is retained. Never mutate it once it is shared.
public final class ColumnBuffer<Element>: @unchecked Sendable {
  /// First element. Valid for `count` elements (and at least one byte even when empty).
  public let base: UnsafeMutablePointer<Element>
  /// Number of elements.
  public let count: Int

  /// The buffer whose memory this one views (kept alive by it), or nil when `base` is owned.
  private let owner: AnyObject?

  /// Takes ownership of `base`, which must come from `malloc`/`realloc`.
  package init(adopting base: UnsafeMutablePointer<Element>, count: Int) {
    self.base = base
    self.count = count
    self.owner = nil
  }

  /// Views `count` elements at `base`, memory that `owner` keeps alive (and may reuse once
  /// this buffer is let go: the caller says how long the view is valid).
  package init(viewing base: UnsafeMutablePointer<Element>, count: Int, owner: AnyObject) {
    self.base = base
    self.count = count
    self.owner = owner
  }

  /// `count` zeros in `pages`' memory (shared by any number of buffers of any type; never
  /// written).
  ///
  /// - Precondition: `count * MemoryLayout<Element>.stride <= pages.byteCount`.
  package convenience init(zeros pages: ZeroPages, count: Int) {
    precondition(count <= pages.byteCount / max(1, MemoryLayout<Element>.stride))
    self.init(viewing: pages.base.bindMemory(to: Element.self, capacity: max(1, count)), count: count, owner: pages)
  }

  /// The first `n` elements (all of them when `n >= count`), sharing this buffer's memory.
  public func prefix(_ n: Int) -> ColumnBuffer<Element> {
    ColumnBuffer(viewing: base, count: max(0, min(n, count)), owner: self)
  }

  /// A zero-filled buffer of `count` elements. Stops the process when the memory cannot give
  /// it, so it is kept for sizes no input decides: the empty buffers of a builder that made
  /// none (`ColumnBuilder.finish`, the Arrow reader's absent columns), the columns of an empty
  /// schema (`Column.empty(_:)`) and the copy of a collection that already exists
  /// (`init(_:)`). Buffers sized by a file, a table or a statement's rows use
  /// `init(checkedZeroed:)`, which throws `AllocationFailure` instead.
  public convenience init(zeroed count: Int) {
    let bytes = max(1, count * MemoryLayout<Element>.stride)
    guard let raw = calloc(1, bytes) else { fatalError("terrain: out of memory (\(bytes) bytes)") }
    self.init(adopting: raw.bindMemory(to: Element.self, capacity: max(1, count)), count: count)
  }

  /// A zero-filled buffer of `count` elements, or `AllocationFailure` when that is beyond the
  /// memory available (for buffers whose size comes from input).
  @usableFromInline
  package convenience init(checkedZeroed count: Int) throws {
    let bytes = try byteCount(count, of: Element.self)
    try checkRoom(for: bytes)
    guard let raw = calloc(1, bytes) else { throw AllocationFailure(bytes: bytes) }
    self.init(adopting: raw.bindMemory(to: Element.self, capacity: max(1, count)), count: count)
  }

  /// A buffer holding a copy of `elements`.
  ///
  /// Inlinable so that callers in other modules get a copy specialised to their collection
  /// (an `Array` is copied as one block) instead of the generic loop through witness tables.
  @inlinable
  public convenience init<C: Collection>(_ elements: C) where C.Element == Element {
    self.init(zeroed: elements.count)
    copy(elements)
  }

  /// A buffer holding a copy of `elements`, or `AllocationFailure` when the memory cannot
  /// hold it (a statement's row numbers, a sort's permutation: sized by input).
  @inlinable
  package convenience init<C: Collection>(checkedCopying elements: C) throws where C.Element == Element {
    try self.init(checkedZeroed: elements.count)
    copy(elements)
  }

  /// Writes `elements` from the start (there is room for them).
  @inlinable
  internal func copy<C: Collection>(_ elements: C) where C.Element == Element {
    let base = self.base
    let copied: Void? = elements.withContiguousStorageIfAvailable { src in
      if let p = src.baseAddress, src.count > 0 { base.update(from: p, count: src.count) }
    }
    if copied == nil {
      var i = 0
      for e in elements {
        base[i] = e
        i += 1
      }
    }
  }

  deinit { if owner == nil { free(base) } }

  /// Element `i` (bounds-checked in debug builds only: callers index within `count`).
  @inlinable
  public subscript(i: Int) -> Element {
    assert(i >= 0 && i < count)
    return base[i]
  }

  /// The elements as a read-only buffer pointer.
  @inlinable
  public var buffer: UnsafeBufferPointer<Element> {
    UnsafeBufferPointer(start: base, count: count)
  }
}

/// Allocates `bytes` bytes (at least one) or stops the process with a clear message.
package func allocateBytes(_ bytes: Int) -> UnsafeMutableRawPointer {
  guard let p = malloc(max(1, bytes)) else { fatalError("terrain: out of memory (\(bytes) bytes)") }
  return p
}

package func reallocateBytes(_ p: UnsafeMutableRawPointer, _ bytes: Int) -> UnsafeMutableRawPointer {
  guard let q = realloc(p, max(1, bytes)) else { fatalError("terrain: out of memory (\(bytes) bytes)") }
  return q
}

/// An append-only growable buffer of trivial values whose memory becomes a `ColumnBuffer`
/// without a copy.
///
/// The appends are `@inlinable` so that loops in other modules (CSV loading, joins, kernels)
/// get them specialised and inlined. Its three fields are `@exclusivity(unchecked)`: a builder
/// is filled by one thread at a time, and every access to them is an instantaneous read or
/// write of a trivial value that calls no other code, so no two accesses can overlap and the
/// runtime check (a `swift_beginAccess` call per append) would only cost time.
public final class BufferBuilder<Element> {
  @exclusivity(unchecked) @usableFromInline package var base: UnsafeMutablePointer<Element>
  @exclusivity(unchecked) @usableFromInline package var capacity: Int
  /// Number of elements appended so far (`count`).
  @exclusivity(unchecked) @usableFromInline package var used: Int = 0
  /// Number of elements appended so far.
  @inlinable public var count: Int { used }

  /// An empty builder with room for `capacity` elements, taken without a check: for small
  /// capacities (a chunk, a constant). Builders sized by input use `init(checkedCapacity:)`.
  public init(capacity: Int = 1024) {
    let cap = max(16, capacity)
    self.capacity = cap
    self.base = allocateBytes(cap * MemoryLayout<Element>.stride).bindMemory(to: Element.self, capacity: cap)
  }

  /// An empty builder with room for `capacity` elements, or `AllocationFailure` when that is
  /// beyond the memory available: for builders sized by input, which then write up to
  /// `capacity` elements through `tail(reserving:)` without growing.
  package init(checkedCapacity capacity: Int) throws {
    let cap = max(16, capacity)
    let bytes = try byteCount(cap, of: Element.self)
    self.base = try allocateCheckedBytes(bytes).bindMemory(to: Element.self, capacity: cap)
    self.capacity = cap
  }

  deinit { free(base) }

  /// Makes room for `n` more elements, or throws `AllocationFailure` (the builder unchanged)
  /// when that is beyond the memory available. Every growth of a builder goes through here.
  @usableFromInline
  package func reserve(_ n: Int) throws {
    let (needed, overflow) = used.addingReportingOverflow(n)
    if overflow || n < 0 { throw AllocationFailure(bytes: Int.max) }
    guard needed > capacity else { return }
    let newCap = try doubledCapacity(capacity, toHold: needed)
    let bytes = try byteCount(newCap, of: Element.self)
    base = try reallocateCheckedBytes(UnsafeMutableRawPointer(base), bytes)
      .bindMemory(to: Element.self, capacity: newCap)
    capacity = newCap
  }

  /// Appends `v`, or throws `AllocationFailure` (the builder unchanged) when the growth this
  /// needs is refused.
  @inlinable
  public func append(_ v: Element) throws {
    if used == capacity { try reserve(1) }
    base[used] = v
    used += 1
  }

  /// Appends `n` copies of `v`.
  @inlinable
  public func append(repeating v: Element, count n: Int) throws {
    try reserve(n)
    (base + used).initialize(repeating: v, count: n)
    used += n
  }

  /// Element `i`, which must be below `count`.
  @inlinable
  public subscript(i: Int) -> Element {
    get { base[i] }
    set { base[i] = newValue }
  }

  /// Pointer for writing up to `n` elements at the end; call `advance(by:)` after. Throws
  /// `AllocationFailure` (the builder unchanged) when the growth this needs is refused.
  @inlinable
  public func tail(reserving n: Int) throws -> UnsafeMutablePointer<Element> {
    if n > capacity - used { try reserve(n) }
    return base + used
  }

  /// Counts `n` elements written through `tail(reserving:)`.
  @inlinable
  public func advance(by n: Int) { used += n }

  /// Hands the memory over as an immutable buffer; the builder is empty afterwards.
  public func finish() -> ColumnBuffer<Element> {
    let kept = reallocateBytes(base, used * MemoryLayout<Element>.stride)
    let buffer = ColumnBuffer(adopting: kept.bindMemory(to: Element.self, capacity: max(1, used)), count: used)
    base = allocateBytes(16 * MemoryLayout<Element>.stride).bindMemory(to: Element.self, capacity: 16)
    capacity = 16
    used = 0
    return buffer
  }
}

/// Zeroed, read-only memory mapped from the system and never touched: it costs address space
/// only (every page reads as the shared zero page). Stands behind buffers that must have a
/// length but are never read, such as the placeholders of columns a statement does not read.
package final class ZeroPages: @unchecked Sendable {
  package let base: UnsafeMutableRawPointer
  package let byteCount: Int
  private let mapped: Bool

  /// At least `byteCount` zero bytes, or `AllocationFailure` when even the address space for
  /// them is refused (under `ulimit -v`, mapped pages count though never touched). Only the
  /// address-space limit is checked (the pages take no memory): pages that would take the
  /// last of it, leaving no room for the worker threads' stacks, are refused too.
  package init(byteCount: Int) throws {
    let size = max(byteCount, 1)
    if let room = addressSpaceRoom(), size > room - threadStackReserve {
      throw AllocationFailure(bytes: size, available: max(0, room - threadStackReserve))
    }
    if let m = mmap(nil, size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0), m != MAP_FAILED {
      base = m
      mapped = true
    } else {
      guard let raw = calloc(1, size) else { throw AllocationFailure(bytes: size, available: availableMemory()) }
      base = raw
      mapped = false
    }
    self.byteCount = size
  }

  deinit {
    if mapped { munmap(base, byteCount) } else { free(base) }
  }
}
