// `.record FILE.md`: every statement and what it gave, as Markdown, for a trainer to hand out.
//
// The transcript is kept in memory and the whole file is rewritten after each statement through
// `writeFileAtomically` (a temporary file renamed over it), so the file always holds a complete
// transcript up to the last statement and a failed write (full disk, folder gone) leaves the
// previous version whole. A file that already exists is continued, not replaced: its text is
// kept and the new recording follows a `---` rule and a heading of its own.

import Foundation
import TerrainStorage
import TerrainIO
import TerrainSyntax

/// A transcript being recorded.
package final class Transcript {
  /// The file as the user named it (for messages).
  package let name: String
  /// The path on the file system.
  package let path: String
  /// What the file held before this recording (continued, never changed).
  private let previous: String
  private var body: String
  /// Set while a result's own rendering is written, so that the screen's text is not recorded
  /// beside the Markdown table.
  package var muted = false
  /// The `.read` depth of the statements recorded: output produced deeper belongs to the inner
  /// statements, recorded on their own.
  package var depth = 0

  /// Starts a transcript into `path`, continuing the file if it exists; writes it at once, so
  /// that a file that cannot be written is reported now.
  /// - Throws: `LoadError` when the existing file cannot be read, `TranscriptFileNotText` when it
  ///   is not UTF-8 text, `ExportError` when it cannot be written.
  package init(name: String, path: String, heading: String) throws {
    self.name = name
    self.path = path
    var existing = ""
    if FileManager.default.fileExists(atPath: path) {
      // Read within the scripts' size limit; continued only if it is text (a transcript never
      // rewrites a file whose bytes it would change).
      let text = try readScriptText(path: path)
      guard let data = FileManager.default.contents(atPath: path), let exact = String(data: data, encoding: .utf8), exact == text else {
        throw TranscriptFileNotText()
      }
      existing = exact
    }
    previous = existing
    body = existing.isEmpty ? "# \(heading)\n" : (existing.hasSuffix("\n") ? "" : "\n") + "\n---\n\n## \(heading)\n"
    try save()
  }

  /// A statement, as a `tq` code block.
  package func statement(_ text: String) {
    body += "\n" + fenced(text, info: "tq")
  }

  /// A result table, already rendered as a Markdown table (with its note of rows left out).
  package func table(_ markdown: String) {
    body += "\n" + markdown
  }

  /// Text a statement printed (a dot command's listing, a chart), as a code block.
  package func output(_ text: String) {
    guard !muted else { return }
    let plain = withoutEscapes(text)
    guard !plain.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return }
    body += "\n" + fenced(plain, info: "text")
  }

  /// A notice (`loaded …`, `wrote …`), as a quoted line.
  package func notice(_ text: String) {
    guard !muted else { return }
    let lines = withoutEscapes(text).split(separator: "\n", omittingEmptySubsequences: true)
    guard !lines.isEmpty else { return }
    body += "\n" + lines.map { "> " + $0 + "  \n" }.joined()
  }

  /// An error as the shell printed it, as a code block.
  package func error(_ rendered: String) {
    body += "\n" + fenced(withoutEscapes(rendered), info: "text")
  }

  /// Rewrites the file with everything recorded so far.
  /// - Throws: `ExportError` naming the file; the previous version stays whole.
  package func save() throws {
    let text = previous + body
    _ = try writeFileAtomically(path: path) { out in
      out.append(text)
      return text.utf8.count
    }
  }

  /// `text` in a fenced code block whose fence is longer than any run of backquotes inside.
  private func fenced(_ text: String, info: String) -> String {
    var longest = 0
    var run = 0
    for c in text {
      run = c == "`" ? run + 1 : 0
      longest = max(longest, run)
    }
    let fence = String(repeating: "`", count: max(3, longest + 1))
    let content = text.hasSuffix("\n") ? text : text + "\n"
    return fence + info + "\n" + content + fence + "\n"
  }
}

/// The file named for a transcript exists and is not UTF-8 text: it is not continued.
package struct TranscriptFileNotText: Error {}

/// `text` without ANSI escape sequences (colours of the screen).
package func withoutEscapes(_ text: String) -> String {
  guard text.contains("\u{1b}") else { return text }
  return text.replacingOccurrences(of: "\u{1b}\\[[0-9;?]*[A-Za-z]", with: "", options: .regularExpression)
}

extension Session {
  /// Whether `node` is a `.record` command (not itself recorded).
  func isRecordCommand(_ node: StatementNode) -> Bool {
    if case .dot(let name, _) = node.statement { return name.lowercased() == "record" }
    return false
  }

  /// Rewrites the transcript's file; on failure, says so and stops recording.
  func saveTranscript() {
    guard let t = transcript else { return }
    do {
      try t.save()
    } catch {
      transcript = nil
      let reason = (error as? ExportError).map { relativeToWorkingDirectory($0.description) } ?? "\(error)"
      notify(DiagnosticMessage.transcriptNotWritten.text([t.name, reason]) + "\n")
    }
  }

  /// A result as the transcript shows it: a Markdown table (a comparison's int indicators
  /// whole), cut to the first `.maxrows` rows with a note when longer.
  func transcriptMarkdown(_ table: Table, pipeline: Pipeline) -> String {
    var options = renderOptions
    options.mode = .markdown
    options.color = false
    if case .compare = pipeline.source { options.wholeFloatsAsIntegers = true }
    let limit = renderOptions.maxRows
    guard limit > 0, table.rowCount > limit else { return render(table, options: options) }
    return render(tableRows(table, Array(0..<limit)), options: options) + "\n"
      + DiagnosticText.transcriptRowsShown(groupedCount(table.rowCount), String(limit)).string + "\n"
  }
}
