// A flag that long work polls between chunks so that Ctrl-C can stop it.

import Synchronization

/// Set from a signal handler or another thread; read by loads and operators between chunks.
public final class CancellationFlag: Sendable {
  private let flag = Atomic<Bool>(false)

  public init() {}

  /// Asks the running work to stop.
  public func cancel() { flag.store(true, ordering: .relaxed) }

  /// Clears the flag before new work starts.
  public func reset() { flag.store(false, ordering: .relaxed) }

  public var isCancelled: Bool { flag.load(ordering: .relaxed) }

  /// Throws `CancelledError` when cancelled.
  public func check() throws {
    if flag.load(ordering: .relaxed) { throw CancelledError() }
  }
}

/// The work was cancelled (Ctrl-C); nothing it was building is kept.
public struct CancelledError: Error, CustomStringConvertible {
  public init() {}
  public var description: String { "cancelled" }
}
