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

  private init(viewing base: UnsafeMutablePointer<Element>, count: Int, owner: AnyObject) {
    self.base = base
    self.count = count
    self.owner = owner
  }

  /// The first `n` elements (all of them when `n >= count`), sharing this buffer's memory.
  public func prefix(_ n: Int) -> ColumnBuffer<Element> {
    ColumnBuffer(viewing: base, count: max(0, min(n, count)), owner: self)
  }

  /// A zero-filled buffer of `count` elements.
  public convenience init(zeroed count: Int) {
    let bytes = max(1, count * MemoryLayout<Element>.stride)
    guard let raw = calloc(1, bytes) else { fatalError("terrain: out of memory (\(bytes) bytes)") }
    self.init(adopting: raw.bindMemory(to: Element.self, capacity: max(1, count)), count: count)
  }

  /// A buffer holding a copy of `elements`.
  public convenience init<C: Collection>(_ elements: C) where C.Element == Element {
    self.init(zeroed: elements.count)
    var i = 0
    for e in elements {
      base[i] = e
      i += 1
    }
  }

  deinit { if owner == nil { free(base) } }

  /// Element `i` (bounds-checked in debug builds only: callers index within `count`).
  public subscript(i: Int) -> Element {
    assert(i >= 0 && i < count)
    return base[i]
  }

  /// The elements as a read-only buffer pointer.
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
public final class BufferBuilder<Element> {
  package var base: UnsafeMutablePointer<Element>
  package var capacity: Int
  /// Number of elements appended so far.
  public private(set) var count: Int = 0

  public init(capacity: Int = 1024) {
    let cap = max(16, capacity)
    self.capacity = cap
    self.base = allocateBytes(cap * MemoryLayout<Element>.stride).bindMemory(to: Element.self, capacity: cap)
  }

  deinit { free(base) }

  package func grow(to minimum: Int) {
    var newCap = capacity
    while newCap < minimum { newCap = newCap * 2 }
    base = reallocateBytes(base, newCap * MemoryLayout<Element>.stride).bindMemory(to: Element.self, capacity: newCap)
    capacity = newCap
  }

  /// Makes room for `n` more elements.
  public func reserve(_ n: Int) {
    if count + n > capacity { grow(to: count + n) }
  }

  public func append(_ v: Element) {
    if count == capacity { grow(to: count + 1) }
    base[count] = v
    count += 1
  }

  /// Appends `n` copies of `v`.
  public func append(repeating v: Element, count n: Int) {
    reserve(n)
    (base + count).initialize(repeating: v, count: n)
    count += n
  }

  /// Element `i`, which must be below `count`.
  public subscript(i: Int) -> Element {
    get { base[i] }
    set { base[i] = newValue }
  }

  /// Pointer for writing up to `n` elements at the end; call `advance(by:)` after.
  public func tail(reserving n: Int) -> UnsafeMutablePointer<Element> {
    reserve(n)
    return base + count
  }

  /// Counts `n` elements written through `tail(reserving:)`.
  public func advance(by n: Int) { count += n }

  /// Hands the memory over as an immutable buffer; the builder is empty afterwards.
  public func finish() -> ColumnBuffer<Element> {
    let kept = reallocateBytes(base, count * MemoryLayout<Element>.stride)
    let buffer = ColumnBuffer(adopting: kept.bindMemory(to: Element.self, capacity: max(1, count)), count: count)
    base = allocateBytes(16 * MemoryLayout<Element>.stride).bindMemory(to: Element.self, capacity: 16)
    capacity = 16
    count = 0
    return buffer
  }
}
