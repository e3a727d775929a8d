// Signals: SIGINT (Ctrl-C) and SIGWINCH (terminal resized) in the interactive shell; SIGTERM,
// SIGHUP and SIGQUIT everywhere, and SIGINT in scripts, end the process cleanly — the running
// statement is cancelled (an export removes its temporary file), the terminal is restored,
// and terrain exits with 128 + the signal's number. A second such signal ends it at once.
//
// The handlers only store to atomics: `interruptSeen` for the line editor, and the session's
// cancellation flag, which long work polls between chunks.

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import Synchronization
import TerrainEngine
import TerrainIO
import TerrainStorage
import TerrainSyntax

/// Set by SIGINT; the line editor consumes it.
let interruptSeen = Atomic<Bool>(false)
/// Set by SIGWINCH; the line editor consumes it.
let resizeSeen = Atomic<Bool>(false)
/// The session's cancellation flag, unretained (the session outlives the shell).
nonisolated(unsafe) private var cancelTarget: UnsafeMutableRawPointer?
/// The termination signal received (0: none yet).
let terminationSignal = Atomic<Int32>(0)

/// The signals that end terrain cleanly: SIGTERM, SIGHUP, SIGQUIT, and SIGINT when not
/// interactive (the shell gives Ctrl-C its own meaning).
func terminationSignals(interactive: Bool) -> [Int32] {
  interactive ? [SIGTERM, SIGHUP, SIGQUIT] : [SIGTERM, SIGHUP, SIGQUIT, SIGINT]
}

/// Installs the handlers of `terminationSignals(interactive:)`: the first such signal sets
/// `terminationSignal` and cancels what `cancel` guards; a second one takes the signal's
/// default action (the process ends at once).
func installTerminationHandlers(cancel: CancellationFlag, interactive: Bool) {
  terminationSignal.store(0, ordering: .relaxed)
  if cancelTarget == nil { cancelTarget = Unmanaged.passRetained(cancel).toOpaque() }
  var action = sigaction()
  sigemptyset(&action.sa_mask)
  action.sa_flags = Int32(SA_RESTART)
  let handler: @convention(c) (Int32) -> Void = { sig in
    let (exchanged, _) = terminationSignal.compareExchange(expected: 0, desired: sig, ordering: .relaxed)
    if !exchanged {
      signal(sig, SIG_DFL)
      raise(sig)
      return
    }
    if let p = cancelTarget {
      Unmanaged<CancellationFlag>.fromOpaque(p)._withUnsafeGuaranteedRef { $0.cancel() }
    }
  }
  #if canImport(Glibc)
    action.__sigaction_handler.sa_handler = handler
  #else
    action.__sigaction_u.__sa_handler = handler
  #endif
  for sig in terminationSignals(interactive: interactive) { sigaction(sig, &action, nil) }
}

/// Exits with 128 + the termination signal's number when one was received.
func exitIfTerminated() {
  let sig = terminationSignal.load(ordering: .relaxed)
  if sig != 0 {
    fflush(stdout)
    exit(128 + sig)
  }
}

/// Installs the SIGINT and SIGWINCH handlers; Ctrl-C then sets `interruptSeen` and cancels
/// whatever `cancel` guards.
func installShellSignalHandlers(cancel: CancellationFlag) {
  // Touch the atomics so that their lazy initialisation never runs inside a handler.
  interruptSeen.store(false, ordering: .relaxed)
  resizeSeen.store(false, ordering: .relaxed)
  if cancelTarget == nil { cancelTarget = Unmanaged.passRetained(cancel).toOpaque() }

  var action = sigaction()
  sigemptyset(&action.sa_mask)
  // SA_RESTART keeps the engine's reads and writes going through a Ctrl-C (it notices the
  // flag between chunks); `pselect`, which the line editor waits in, still returns EINTR.
  action.sa_flags = Int32(SA_RESTART)
  #if canImport(Glibc)
    action.__sigaction_handler.sa_handler = { _ in
      interruptSeen.store(true, ordering: .relaxed)
      if let p = cancelTarget {
        Unmanaged<CancellationFlag>.fromOpaque(p)._withUnsafeGuaranteedRef { $0.cancel() }
      }
    }
  #else
    action.__sigaction_u.__sa_handler = { _ in
      interruptSeen.store(true, ordering: .relaxed)
      if let p = cancelTarget {
        Unmanaged<CancellationFlag>.fromOpaque(p)._withUnsafeGuaranteedRef { $0.cancel() }
      }
    }
  #endif
  sigaction(SIGINT, &action, nil)

  var winch = sigaction()
  sigemptyset(&winch.sa_mask)
  winch.sa_flags = Int32(SA_RESTART)
  #if canImport(Glibc)
    winch.__sigaction_handler.sa_handler = { _ in resizeSeen.store(true, ordering: .relaxed) }
  #else
    winch.__sigaction_u.__sa_handler = { _ in resizeSeen.store(true, ordering: .relaxed) }
  #endif
  sigaction(SIGWINCH, &winch, nil)
}

/// The signal set {SIGINT, SIGWINCH, and the termination signals}, blocked while the line editor is between waits so that
/// a signal cannot slip in between checking the flags and sleeping.
func shellSignalSet() -> sigset_t {
  var set = sigset_t()
  sigemptyset(&set)
  sigaddset(&set, SIGINT)
  sigaddset(&set, SIGWINCH)
  for sig in terminationSignals(interactive: true) { sigaddset(&set, sig) }
  return set
}

/// The terminal's width in columns, when standard output is a terminal.
func terminalColumns() -> Int? {
  guard isatty(1) != 0 else { return nil }
  var size = winsize()
  guard ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
  return Int(size.ws_col)
}
