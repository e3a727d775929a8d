// The line editor: GNU readline's callback interface driven by a `pselect` loop, so that
// Ctrl-C can abandon the line being typed and a resize is noticed at once.

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import CReadline
import TerrainEngine
import TerrainIO
import TerrainStorage
import TerrainSyntax
import TerrainShell

/// State the C callbacks reach (they cannot capture).
nonisolated(unsafe) private var acceptedLine: String?
nonisolated(unsafe) private var lineDone = false
nonisolated(unsafe) var completionProvider: ((_ before: String, _ word: String) -> CompletionResult)?
/// Text of the earlier lines of the statement being typed, for completion.
nonisolated(unsafe) var completionPendingText = ""

/// Whether a line that continues the previous query (`| …`, `against …`) shows the continuation
/// prompt (set by the shell before each line: not while a statement is being continued anyway).
nonisolated(unsafe) var pipePromptSwitch = false
/// What a line starting with `|` would continue (set by the shell before each line).
nonisolated(unsafe) var shellContinuation = QueryContinuation()
/// The prompt `readLine` was given, and the one shown now.
nonisolated(unsafe) private var givenPrompt = ""
nonisolated(unsafe) private var shownPrompt = ""

/// Strings handed to readline must outlive it.
private func keep(_ s: String) -> UnsafeMutablePointer<CChar>? { strdup(s) }

final class LineEditor: LineReader {
  init() {
    rl_readline_name = UnsafePointer(keep("terrain"))
    rl_outstream = shellScreen
    rl_catch_signals = 0
    rl_catch_sigwinch = 0
    rl_completer_word_break_characters = UnsafePointer(keep(" \t\n\"'`(),|=<>+*%;:!$"))
    rl_completer_quote_characters = UnsafePointer(keep("\"'"))
    rl_attempted_completion_function = { text, start, end in
      shellAttemptCompletion(text, start, end)
    }
    rl_redisplay_function = { shellRedisplay() }
  }

  /// Reads one line with `prompt`.
  func readLine(prompt: String, context: LineContext) -> LineEvent {
    // The C callbacks cannot capture: they read the context from these globals.
    completionPendingText = context.pendingText
    pipePromptSwitch = context.pipePromptSwitch
    shellContinuation = context.continuation
    var blocked = shellSignalSet()
    var previous = sigset_t()
    sigprocmask(SIG_BLOCK, &blocked, &previous)
    defer { sigprocmask(SIG_SETMASK, &previous, nil) }
    interruptSeen.store(false, ordering: .relaxed)
    acceptedLine = nil
    lineDone = false
    givenPrompt = prompt
    shownPrompt = prompt
    rl_callback_handler_install(prompt) { line in
      if let line {
        acceptedLine = String(cString: line)
        free(line)
      } else {
        acceptedLine = nil
      }
      lineDone = true
      rl_callback_handler_remove()
    }
    var waitMask = previous
    sigdelset(&waitMask, SIGINT)
    sigdelset(&waitMask, SIGWINCH)
    for sig in terminationSignals(interactive: true) { sigdelset(&waitMask, sig) }
    while true {
      if terminationSignal.load(ordering: .relaxed) != 0 {
        // Leave the line and give the terminal back as it was (readline restores its modes).
        rl_free_line_state()
        rl_callback_sigcleanup()
        rl_cleanup_after_signal()
        rl_callback_handler_remove()
        fputs("\n", shellScreen)
        fflush(shellScreen)
        return .endOfInput
      }
      if interruptSeen.exchange(false, ordering: .relaxed) {
        rl_free_line_state()
        rl_callback_sigcleanup()
        rl_replace_line("", 0)
        rl_point = 0
        rl_end = 0
        rl_cleanup_after_signal()
        rl_callback_handler_remove()
        fputs("^C\n", shellScreen)
        fflush(shellScreen)
        return .interrupted
      }
      if resizeSeen.exchange(false, ordering: .relaxed) {
        rl_resize_terminal()
      }
      var readSet = fd_set()
      fdZero(&readSet)
      fdSet(0, &readSet)
      let r = pselect(1, &readSet, nil, nil, nil, &waitMask)
      if r < 0 {
        if errno == EINTR { continue }
        rl_callback_handler_remove()
        return .endOfInput
      }
      rl_callback_read_char()
      if lineDone {
        guard let line = acceptedLine else { return .endOfInput }
        return .line(line, moreWaiting: inputWaiting())
      }
    }
  }

  /// Whether readline already moved to a new line on Ctrl-D (it does when bracketed paste is
  /// on, the default), so the shell does not print a second one.
  var endOfInputEndedLine: Bool {
    guard rl_eof_found != 0, let v = rl_variable_value("enable-bracketed-paste") else { return false }
    return String(cString: v) == "on"
  }

  /// Whether bytes are already waiting on standard input.
  func inputWaiting() -> Bool {
    var p = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
    return poll(&p, 1, 0) > 0 && (p.revents & Int16(POLLIN)) != 0
  }
}

/// readline's redisplay, after showing the continuation prompt while the line starts with `|`
/// (typed, pasted or recalled) and the given prompt otherwise. Left alone while readline shows
/// a message in place of the prompt (reverse search, a numeric argument).
private func shellRedisplay() {
  if pipePromptSwitch, let buffer = rl_line_buffer, rl_display_prompt == rl_prompt,
    rl_readline_state & UInt(RL_STATE_ISEARCH | RL_STATE_NSEARCH | RL_STATE_NUMERICARG) == 0
  {
    let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(buffer).assumingMemoryBound(to: UInt8.self),
      count: Int(max(0, rl_end)))
    let wanted = shellContinuation.continues(String(decoding: bytes, as: UTF8.self)) ? ShellLoop.continuationPrompt : givenPrompt
    if wanted != shownPrompt {
      shownPrompt = wanted
      rl_set_prompt(wanted)
    }
  }
  rl_redisplay()
}

/// readline's completion hook: asks `completionProvider` and hands back the matches.
private func shellAttemptCompletion(_ text: UnsafePointer<CChar>?, _ start: Int32, _ end: Int32)
  -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
{
  rl_attempted_completion_over = 1
  guard let provider = completionProvider, let text, let buffer = rl_line_buffer else { return nil }
  let word = String(cString: text)
  let lineBytes = UnsafeBufferPointer(start: UnsafeRawPointer(buffer).assumingMemoryBound(to: UInt8.self),
    count: Int(max(0, min(start, rl_end))))
  var before = String(decoding: lineBytes, as: UTF8.self)
  // readline leaves an opening quote out of the word; keep it in `before` so the scan sees it.
  if completionPendingText.isEmpty == false { before = completionPendingText + "\n" + before }
  // A line starting with `|` completes as the end of the query it continues.
  before = shellContinuation.completionContext(before)
  switch provider(before, word) {
  case .none:
    return nil
  case .files:
    rl_attempted_completion_over = 0
    return rl_completion_matches(text, rl_filename_completion_function)
  case .words(let words):
    guard !words.isEmpty else { return nil }
    let count = words.count
    guard let matches = malloc(MemoryLayout<UnsafeMutablePointer<CChar>?>.stride * (count + 2))?
      .bindMemory(to: UnsafeMutablePointer<CChar>?.self, capacity: count + 2)
    else { return nil }
    if count == 1 {
      matches[0] = strdup(words[0])
      matches[1] = nil
      if words[0].hasSuffix("(") || words[0].hasSuffix(".") { rl_completion_suppress_append = 1 }
    } else {
      // Matching ignores case, so the common prefix may be shorter than what was typed:
      // never let it erase the typed word.
      let prefix = commonPrefix(words)
      matches[0] = strdup(prefix.utf8.count >= word.utf8.count ? prefix : word)
      for (i, w) in words.enumerated() { matches[i + 1] = strdup(w) }
      matches[count + 1] = nil
    }
    return matches
  }
}

/// The longest common prefix (by characters).
func commonPrefix(_ words: [String]) -> String {
  guard var prefix = words.first else { return "" }
  for w in words.dropFirst() {
    while !w.hasPrefix(prefix) { prefix.removeLast() }
  }
  return prefix
}

// MARK: fd_set helpers (the C macros are not imported)

private func fdZero(_ set: inout fd_set) {
  set = fd_set()
}

private func fdSet(_ fd: Int32, _ set: inout fd_set) {
  #if canImport(Glibc)
    let bits = MemoryLayout.size(ofValue: set.__fds_bits.0) * 8
    withUnsafeMutableBytes(of: &set.__fds_bits) { raw in
      let words = raw.bindMemory(to: Int.self)
      words[Int(fd) / bits] |= 1 << (Int(fd) % bits)
    }
  #else
    withUnsafeMutableBytes(of: &set.fds_bits) { raw in
      let words = raw.bindMemory(to: Int32.self)
      words[Int(fd) / 32] |= Int32(1) << (Int(fd) % 32)
    }
  #endif
}
