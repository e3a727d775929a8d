// The shell's commands for parameters and transcripts: `.param` and `.record`. The engine does
// the rest: `run` checks a script's parameters before it starts (`ParameterCheck.swift`) and
// feeds the transcript (`Transcript.swift`).

import Foundation
import TerrainStorage
import TerrainSyntax
import TerrainIO
import TerrainEngine

extension Session {
  /// `.param`: lists the parameters; `.param NAME` shows one; `.param NAME VALUE…` sets `$NAME`
  /// to the text VALUE (the words joined by a space, quotes removed), exactly as `-p NAME=VALUE`.
  package func parameterCommand(_ arguments: [String], _ span: Span) throws {
    guard let first = arguments.first else {
      guard !parameterValues.isEmpty else { return notify(DiagnosticText.noParameters.string + "\n") }
      let names = parameterValues.keys.sorted()
      let values = parameters
      let t = Table(names: ["parameter", "value"], columns: [
        Column.from(names.map { .text("$" + $0) }, type: .text),
        Column.from(names.map { .text(values[$0] ?? "") }, type: .text),
      ])
      var options = renderOptions
      options.typesRow = false
      return write(render(t, options: options))
    }
    var name = first
    if name.hasPrefix("$") { name.removeFirst() }
    guard isParameterName(name) else { throw Diagnostic(.notAParameterName, first, at: span, help: .paramExample) }
    guard arguments.count > 1 else {
      guard let value = parameters[name] else { throw Diagnostic(.noSuchParameter, name, at: span, help: .paramList) }
      return write("$\(name) = \(value)\n")
    }
    setParameter(name, text: arguments.dropFirst().joined(separator: " "))
  }

  /// `.record FILE.md` starts a transcript (continuing the file if it exists), `.record off`
  /// stops it, `.record` alone says where it goes.
  package func recordCommand(_ argument: String?, _ span: Span) throws {
    guard let argument else {
      let text = transcript.map { DiagnosticText.recordingTo($0.name) } ?? .notRecording
      return notify(text.string + "\n")
    }
    if argument.lowercased() == "off" {
      guard let t = transcript else { return notify(DiagnosticText.notRecording.string + "\n") }
      transcript = nil
      do {
        try t.save()
      } catch let e as ExportError {
        throw Diagnostic(.transcriptNotWritten, t.name, relativeToWorkingDirectory(e.description), at: span)
      }
      return notify(DiagnosticText.recordingStopped(t.name).string + "\n")
    }
    // A recording to another file ends the current one first.
    if let t = transcript {
      transcript = nil
      try? t.save()
    }
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.dateFormat = "yyyy-MM-dd HH:mm"
    do {
      transcript = try Transcript(name: argument, path: fileSystemPath(argument),
        heading: DiagnosticText.transcriptHeading(formatter.string(from: Date())).string)
    } catch let e as LoadError {
      throw Diagnostic(.cannotStartTranscript, argument, e.reason, at: span, help: .recordOff)
    } catch is TranscriptFileNotText {
      throw Diagnostic(.cannotStartTranscript, argument, DiagnosticText.transcriptNotText.string, at: span, help: .recordOff)
    } catch let e as ExportError {
      throw fileDiagnostic(e.entry, e.arguments, relativeToWorkingDirectory(e.description), at: span, label: .notWritten)
    }
    notify(DiagnosticText.recordingTo(argument).string + "\n")
  }

}
