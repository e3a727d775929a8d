// Progress on standard error while a statement runs for more than a second (interactive
// shell on a terminal only; never in scripts or pipes).

import Foundation
import TerrainSyntax
import TerrainShell

/// A spinner with the elapsed time, drawn on stderr from a timer while work runs, and erased
/// before any result or notice is printed.
final class ProgressIndicator: ProgressDisplay, @unchecked Sendable {
  private let lock = NSLock()
  private var generation = 0
  private var active = false
  private var shown = false
  private let enabled: Bool
  private static let frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]

  init() { enabled = isatty(2) != 0 }

  /// Starts watching a statement; the spinner appears after `delay` seconds.
  func start(label: String) { start(label: label, delay: 1.0) }

  func start(label: String, delay: Double) {
    guard enabled else { return }
    lock.lock()
    generation += 1
    let g = generation
    active = true
    lock.unlock()
    let started = DispatchTime.now()
    DispatchQueue.global().asyncAfter(deadline: .now() + delay) { [weak self] in self?.tick(g, started, label) }
  }

  private func tick(_ g: Int, _ started: DispatchTime, _ label: String) {
    lock.lock()
    defer { lock.unlock() }
    guard active, g == generation else { return }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
    let frame = Self.frames[Int(seconds * 10) % Self.frames.count]
    fputs("\r\(frame) \(label) \(String(format: "%.1f", seconds)) s — \(DiagnosticText.spinnerCancel.string)\u{1B}[K", stderr)
    fflush(stderr)
    shown = true
    DispatchQueue.global().asyncAfter(deadline: .now() + 0.1) { [weak self] in self?.tick(g, started, label) }
  }

  /// Stops and erases the spinner (safe to call when nothing is shown).
  func stop() {
    guard enabled else { return }
    lock.lock()
    active = false
    if shown {
      fputs("\r\u{1B}[K", stderr)
      fflush(stderr)
      shown = false
    }
    lock.unlock()
  }
}
