// The golden file format (`Golden/*.test`), after sqllogictest: one file holds many records,
// each a statement with its own expected output. Parsed here, written back here when the
// expectations are regenerated; run by `GoldenTests.swift`. `Golden/README.md` shows an example.
//
// A file is a sequence of lines:
//
//   * Empty lines separate records; lines starting with `#` outside a record are comments.
//   * Directives, before the first record, one per line, configure the file's session:
//       mode table          output mode (default csv), as `.mode`
//       data bundled        register the bundled tables of `datasets/` (else there is no table)
//       param NAME=VALUE    a parameter, as `-p NAME=VALUE` (VALUE is the rest of the line)
//   * A record is a header line, the statement's lines, then optionally `----` and the expected
//     output; it ends at an empty line or at the end of the file:
//       statement ok        the statement must succeed
//       statement error     the statement must fail (the expected block is then required)
//       query               the statement must succeed (the expected block is required); its
//                           block starts with standard output, a result
//   * The expected block runs from the line after `----` to the next empty line. It holds the
//     standard output and the standard error of the record, compared exactly. The lines of
//     `query` are standard output and those of `statement ok|error` standard error (notices such
//     as `loaded 8 rows into t`, the rendered error) until a line `-- stdout --` or
//     `-- stderr --` switches to that stream (each at most once). A stream not given must stay
//     empty; `statement ok` with no block must print nothing at all. An empty output line is
//     written `<blank>`; every output ends with a line end.
//
// Every record runs in one `Session` per file, in order; a failing record does not stop the
// file, the next one runs in the same session (a failed statement changes no table). A record
// may hold several statements: they run like a script, stopping at their first error (a parse
// error runs none of them); the conversion from the old scripts uses this where the old
// script's stop at the first error was part of what it checked.
//
// Errors are rendered as in a script, `FILE:LINE:COL: error: …`, where FILE is the golden
// file's name and LINE:COL the position in the golden file: a failing record points at its line.

import Foundation

import TerrainEngine
import TerrainIO

/// A golden file that cannot be read as one: `file:line: message`.
struct GoldenFormatError: Error, CustomStringConvertible {
  var file: String
  var line: Int
  var message: String
  var description: String { "\(file):\(line): \(message)" }
}

struct GoldenRecord {
  enum Kind: String {
    case statementOK = "statement ok"
    case statementError = "statement error"
    case query

    /// The stream the expected block starts with.
    var defaultsToStdout: Bool { self == .query }
  }

  var kind: Kind
  /// 1-based line of the header (`statement ok`, …) in the file.
  var line: Int
  /// 1-based line of the statement's first line.
  var textLine: Int
  /// The statement's lines, joined by line ends.
  var text: String
  /// Whether the record has a `----` block.
  var hasBlock: Bool
  var expectedStdout: String
  var expectedStderr: String
  /// The 0-based lines the record occupies in the file (header to the end of the block).
  var lines: Range<Int>
}

struct GoldenFile {
  static let stdoutMarker = "-- stdout --"
  static let stderrMarker = "-- stderr --"
  static let blankMarker = "<blank>"
  static let separator = "----"

  /// The file name, used in error positions.
  var name: String
  var mode: OutputMode = .csv
  var bundled = false
  var parameters: [String: String] = [:]
  var records: [GoldenRecord] = []
  /// The file's lines (without line ends), kept to write it back.
  var lines: [String]

  static func isHeader(_ line: String) -> Bool { GoldenRecord.Kind(rawValue: line) != nil }
  /// A header inside an expected block means a missing empty line; `query` alone is not taken
  /// for one there (it may be a result's column name).
  static func isHeaderInBlock(_ line: String) -> Bool { line != GoldenRecord.Kind.query.rawValue && isHeader(line) }

  /// Parses `text`, the content of the file `name`.
  init(name: String, text: String) throws {
    self.name = name
    var lines = text.components(separatedBy: "\n")
    if text.hasSuffix("\n") { lines.removeLast() }
    self.lines = lines
    func fail(_ index: Int, _ message: String) -> GoldenFormatError { GoldenFormatError(file: name, line: index + 1, message: message) }

    var i = 0
    while i < lines.count {
      let line = lines[i]
      if line.isEmpty || line.hasPrefix("#") {
        i += 1
        continue
      }
      if let kind = GoldenRecord.Kind(rawValue: line) {
        records.append(try Self.record(kind, at: i, in: lines, fail: fail))
        i = records[records.count - 1].lines.upperBound
        continue
      }
      let words = line.split(separator: " ", maxSplits: 1).map(String.init)
      let directive = words.first ?? ""
      let argument = words.count > 1 ? words[1] : ""
      guard ["mode", "data", "param"].contains(directive) else {
        throw fail(i, "expected `statement ok`, `statement error`, `query`, a directive (mode, data, param), a comment or an empty line; found `\(line)`")
      }
      guard records.isEmpty else { throw fail(i, "the directive `\(directive)` must come before the first record") }
      switch directive {
      case "mode":
        guard let m = OutputMode(rawValue: argument) else {
          throw fail(i, "unknown mode `\(argument)`; modes: " + OutputMode.allCases.map(\.rawValue).joined(separator: ", "))
        }
        mode = m
      case "data":
        guard argument == "bundled" else { throw fail(i, "`data` takes `bundled`, not `\(argument)`") }
        bundled = true
      default:
        guard let eq = argument.firstIndex(of: "="), eq != argument.startIndex else {
          throw fail(i, "expected `param NAME=VALUE`, found `\(line)`")
        }
        parameters[String(argument[..<eq])] = String(argument[argument.index(after: eq)...])
      }
      i += 1
    }
    if records.isEmpty { throw GoldenFormatError(file: name, line: max(1, lines.count), message: "no record (`statement ok`, `statement error` or `query`)") }
  }

  /// Reads the record whose header is line `start`.
  private static func record(
    _ kind: GoldenRecord.Kind, at start: Int, in lines: [String], fail: (Int, String) -> GoldenFormatError
  ) throws -> GoldenRecord {
    var i = start + 1
    while i < lines.count && !lines[i].isEmpty && lines[i] != separator {
      if isHeader(lines[i]) { throw fail(i, "a record ends with an empty line: add one before `\(lines[i])`") }
      i += 1
    }
    guard i > start + 1 else { throw fail(start, "`\(kind.rawValue)` must be followed by a statement on the next line") }
    let text = lines[(start + 1)..<i].joined(separator: "\n")
    var record = GoldenRecord(
      kind: kind, line: start + 1, textLine: start + 2, text: text, hasBlock: false, expectedStdout: "", expectedStderr: "",
      lines: start..<i)
    guard i < lines.count, lines[i] == separator else {
      if kind != .statementOK {
        throw fail(start, "`\(kind.rawValue)` needs `----` and its expected \(kind == .query ? "output" : "error") after the statement")
      }
      return record
    }
    i += 1
    var stdout: [String]?
    var stderr: [String]?
    var toStdout = kind.defaultsToStdout
    while i < lines.count && !lines[i].isEmpty {
      let line = lines[i]
      if line == stdoutMarker || line == stderrMarker {
        toStdout = line == stdoutMarker
        if (toStdout ? stdout : stderr) != nil { throw fail(i, "`\(line)` comes after that stream was already given") }
      } else if isHeaderInBlock(line) {
        throw fail(i, "a record ends with an empty line: add one before `\(line)`")
      }
      var stream = (toStdout ? stdout : stderr) ?? []
      if line != stdoutMarker && line != stderrMarker { stream.append(line == blankMarker ? "" : line) }
      if toStdout { stdout = stream } else { stderr = stream }
      i += 1
    }
    func joined(_ lines: [String]?) -> String { (lines ?? []).map { $0 + "\n" }.joined() }
    record.hasBlock = true
    record.expectedStdout = joined(stdout)
    record.expectedStderr = joined(stderr)
    record.lines = start..<i
    return record
  }

  /// What one record did: whether it succeeded, and what it printed.
  struct Outcome: Equatable {
    var succeeded: Bool
    var stdout: String
    var stderr: String
  }

  /// The lines of `output` for an expected block, or nil when the format cannot hold it (no
  /// final line end, or a line that would read as a marker).
  static func blockLines(_ output: String) -> [String]? {
    guard !output.isEmpty else { return [] }
    guard output.hasSuffix("\n") else { return nil }
    var lines = String(output.dropLast()).components(separatedBy: "\n")
    if lines.contains(where: { $0 == stdoutMarker || $0 == stderrMarker || $0 == blankMarker || isHeaderInBlock($0) }) { return nil }
    lines = lines.map { $0.isEmpty ? blankMarker : $0 }
    return lines
  }

  /// The file's text with each record's kind and block replaced to match `outcomes` (one per
  /// record); everything else (comments, directives, statements) as it was. Throws when an
  /// outcome cannot be written in the format.
  func rewritten(with outcomes: [Outcome]) throws -> String {
    precondition(outcomes.count == records.count)
    var out: [String] = []
    var next = 0
    for (record, outcome) in zip(records, outcomes) {
      out += lines[next..<record.lines.lowerBound]
      let kind: GoldenRecord.Kind
      if !outcome.succeeded {
        kind = .statementError
      } else if record.kind == .statementError {
        kind = outcome.stdout.isEmpty ? .statementOK : .query
      } else {
        kind = record.kind
      }
      guard let stdout = Self.blockLines(outcome.stdout), let stderr = Self.blockLines(outcome.stderr) else {
        throw GoldenFormatError(
          file: name, line: record.line,
          message: "the output cannot be written in a golden file (it lacks a final line end or has a line `\(Self.stdoutMarker)`, `\(Self.stderrMarker)`, `\(Self.blankMarker)`, `statement ok` or `statement error`)")
      }
      out.append(kind.rawValue)
      out += record.text.components(separatedBy: "\n")
      let first = kind.defaultsToStdout ? stdout : stderr
      let second = kind.defaultsToStdout ? stderr : stdout
      if !first.isEmpty || !second.isEmpty || kind != .statementOK {
        out.append(Self.separator)
        out += first
        if !second.isEmpty {
          out.append(kind.defaultsToStdout ? Self.stderrMarker : Self.stdoutMarker)
          out += second
        }
      }
      next = record.lines.upperBound
    }
    out += lines[next...]
    return out.map { $0 + "\n" }.joined()
  }
}
