// The seam between the engine and the shell's dot commands: the parser reads `.name argument`
// lines as statements, and the session hands them to whatever runner it was given.

import TerrainSyntax

/// Runs the dot commands (`.tables`, `.mode csv`, …) of a session. The engine defines none; the
/// shell module (TerrainShell) provides its table of commands, so that a program embedding the
/// engine has no shell settings unless it asks for them.
package protocol DotCommandRunner {
  /// Runs `.name argument` in `session`. `span` covers the whole line; `argumentStart` is the
  /// byte offset of the argument in the source, so that errors can point into it.
  func runDotCommand(_ name: String, _ argument: String, span: Span, argumentStart: Int, in session: Session) throws
}

/// The byte offset where the argument of the dot command at `span` starts: after the dot, the
/// name and the blanks that follow it.
package func dotArgumentStart(_ span: Span, name: String, in source: SourceText) -> Int {
  let bytes = source.text.utf8
  var offset = min(span.start + 1 + name.utf8.count, bytes.count)
  var i = bytes.index(bytes.startIndex, offsetBy: offset)
  while i < bytes.endIndex, bytes[i] == UInt8(ascii: " ") || bytes[i] == UInt8(ascii: "\t") {
    offset += 1
    i = bytes.index(after: i)
  }
  return offset
}
