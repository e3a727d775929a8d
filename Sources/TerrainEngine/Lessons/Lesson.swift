// Lesson files: exercises with hints and a solution, and the statements that prepare them.
//
//   # A comment: a line whose first character (after blanks) is `#`.
//   pilots epci key siren = "244000675"        ← before the first exercise: setup statements,
//                                                run when the lesson opens (like `.read`)
//   exercise "Les EPCI de plus de 100 000 habitants"
//     hint "filtrez avec where"                ← any number of hints, shown one by one
//     hint "comptez avec aggregate"
//     solution from epci | where population > 100000
//       | aggregate n = count()               ← the solution goes on until a blank line or the
//                                                next `exercise`, `hint` or `solution` line
//
// Parsing checks every line and parses every solution (one pipeline, no `export`/`chart`);
// errors point into the file with the language's spans (byte offsets of the lesson's text:
// each solution is parsed from a copy of the text where every other byte is a blank).

import Foundation
import TerrainStorage
import TerrainSyntax
import TerrainPlanner

/// One exercise of a lesson.
package struct Exercise: Sendable {
  /// The title given after `exercise` (unique in its lesson: progress is kept by title).
  package var title: String
  /// The hints, in the order `.hint` shows them.
  package var hints: [String]
  /// The solution as written, for `.solution` (continuation lines indented by two spaces).
  package var solution: String
  /// The parsed solution; its spans are byte offsets into the lesson's text.
  package var pipeline: Pipeline
  /// Whether the solution's order counts (it sorts, and no later stage regroups the rows).
  package var ordered: Bool
  /// The 1-based line of the `exercise` line.
  package var line: Int
}

/// A parsed lesson file.
package struct Lesson: Sendable {
  /// The file as it was named (for messages).
  package var name: String
  /// The whole text.
  package var text: String
  /// The text with every byte that is not a setup statement blanked (same length and lines,
  /// so errors in it point at the right place); nil when there is no setup statement.
  package var setup: String?
  /// The exercises in file order (at least one).
  package var exercises: [Exercise]
  /// The text of solution `index` as the parser read it: the lesson's text with every other byte
  /// blanked. Running it reports errors at their place in the file.
  package var solutionTexts: [String]
}

/// The lesson open in a session and where the participant stands in it.
package final class LessonState {
  package let lesson: Lesson
  /// The lesson file's absolute path: its key in the progress file.
  package let key: String
  /// The exercise shown (0-based).
  package var index: Int
  /// How many hints of the current exercise `.hint` has shown.
  package var hintsShown = 0
  /// The titles of the exercises solved, in the order they were.
  package var solved: [String]

  package init(lesson: Lesson, key: String, index: Int, solved: [String]) {
    self.lesson = lesson
    self.key = key
    self.index = index
    self.solved = solved
  }

  package var exercise: Exercise { lesson.exercises[index] }
}

/// The three words that structure a lesson file.
private enum LessonWord: String {
  case exercise, hint, solution
}

private let blank = UInt8(ascii: " ")
private let newline = UInt8(ascii: "\n")

/// Parses the lesson `text` read from `name`.
/// - Throws: a `Diagnostic` whose span is a byte range of `text` (render it with
///   `SourceText(name: name, text: text)`).
package func parseLesson(_ text: String, name: String, grammar: Grammar = .terrain) throws -> Lesson {
  let bytes = Array(text.utf8)
  // Lines as byte ranges without their line end (a `\r` before it is left to the lexer).
  var lines: [Range<Int>] = []
  var start = 0
  for (i, b) in bytes.enumerated() where b == newline {
    lines.append(start..<i)
    start = i + 1
  }
  if start < bytes.count { lines.append(start..<bytes.count) }

  func blanked(_ keep: [Range<Int>]) -> String {
    var out = bytes.map { $0 == newline ? newline : blank }
    for r in keep { out.replaceSubrange(r, with: bytes[r]) }
    return String(decoding: out, as: UTF8.self)
  }
  func firstNonBlank(_ r: Range<Int>) -> Int {
    var i = r.lowerBound
    while i < r.upperBound, bytes[i] == blank || bytes[i] == UInt8(ascii: "\t") || bytes[i] == UInt8(ascii: "\r") { i += 1 }
    return i
  }
  /// The structuring word that starts line `r`, and where what follows it starts.
  func word(_ r: Range<Int>) -> (LessonWord, rest: Int, at: Span)? {
    let s = firstNonBlank(r)
    var e = s
    while e < r.upperBound, isIdentContinueByte(bytes[e]) { e += 1 }
    guard e > s, let w = LessonWord(rawValue: String(decoding: bytes[s..<e], as: UTF8.self).lowercased()) else { return nil }
    return (w, e, Span(s, e))
  }
  /// The quoted text after a word: one string token, nothing else on the line.
  func quoted(_ r: Range<Int>, after rest: Int, _ entry: DiagnosticMessage, at: Span) throws -> String {
    let piece = String(decoding: bytes[rest..<r.upperBound], as: UTF8.self)
    let tokens = try Lexer.tokenize(piece).filter { $0.kind != .newline }
    let shift = { (s: Span) in Span(s.start + rest, s.end + rest) }
    guard let first = tokens.first, case .string(let s) = first.kind else {
      throw Diagnostic(entry, at: tokens.first.map { shift($0.span) } ?? at)
    }
    if tokens.count > 2, let extra = tokens.dropFirst().first {
      throw Diagnostic(.lessonOneTextPerLine, at: shift(Span(extra.span.start, tokens[tokens.count - 1].span.start)))
    }
    return s
  }

  var setup: [Range<Int>] = []
  var exercises: [Exercise] = []
  var solutionTexts: [String] = []
  // The exercise being read: its title, line, span, hints, solution lines.
  var current: (title: String, line: Int, span: Span, hints: [String], solution: [Range<Int>])?

  func finish(_ c: (title: String, line: Int, span: Span, hints: [String], solution: [Range<Int>])) throws {
    guard let first = c.solution.first else { throw Diagnostic(.lessonNoSolution, c.title, at: c.span) }
    let padded = blanked(c.solution)
    let nodes = try Parser.parse(padded, grammar: grammar)
    let lastEnd = c.solution.last?.upperBound ?? first.upperBound
    let start = firstNonBlank(first)
    guard let node = nodes.first else { throw Diagnostic(.lessonEmptySolution, at: Span(start, lastEnd)) }
    guard nodes.count == 1, case .query(let pipeline) = node.statement,
      !pipeline.stages.contains(where: { ["export", "chart"].contains(type(of: $0.stage).keyword) })
    else { throw Diagnostic(.lessonSolutionNotPipeline, at: Span(start, lastEnd)) }
    if exercises.contains(where: { $0.title == c.title }) { throw Diagnostic(.lessonTitleTwice, c.title, at: c.span) }
    // The solution as shown: its lines without their indentation, continuation lines indented
    // by two spaces; trailing comment lines left out.
    var shown: [String] = []
    for (k, r) in c.solution.enumerated() {
      let line = String(decoding: bytes[firstNonBlank(r)..<r.upperBound], as: UTF8.self)
        .trimmingTrailingBlanks()
      shown.append(k == 0 ? line : "  " + line)
    }
    while let last = shown.last, last.trimmingCharacters(in: .whitespaces).hasPrefix("#") || last.trimmingCharacters(in: .whitespaces).isEmpty {
      shown.removeLast()
    }
    exercises.append(Exercise(title: c.title, hints: c.hints, solution: shown.joined(separator: "\n"), pipeline: pipeline,
      ordered: solutionIsOrdered(pipeline), line: c.line))
    solutionTexts.append(padded)
  }

  var k = 0
  while k < lines.count {
    let r = lines[k]
    let s = firstNonBlank(r)
    let isBlank = s == r.upperBound
    let isComment = !isBlank && bytes[s] == UInt8(ascii: "#")
    guard let (w, rest, at) = word(r) else {
      if current == nil {
        setup.append(r)
      } else if !isBlank && !isComment {
        throw Diagnostic(.lessonUnexpectedLine, at: Span(s, r.upperBound))
      }
      k += 1
      continue
    }
    switch w {
    case .exercise:
      if let c = current { try finish(c) }
      let title = try quoted(r, after: rest, .lessonExpectedTitle, at: at)
      current = (title, k + 1, Span(at.start, r.upperBound), [], [])
      k += 1
    case .hint:
      guard current != nil else { throw Diagnostic(.lessonOutsideExercise, w.rawValue, at: at) }
      current?.hints.append(try quoted(r, after: rest, .lessonExpectedHint, at: at))
      k += 1
    case .solution:
      guard let c = current else { throw Diagnostic(.lessonOutsideExercise, w.rawValue, at: at) }
      guard c.solution.isEmpty else { throw Diagnostic(.lessonSolutionTwice, c.title, at: at) }
      // The solution: the rest of this line, then every line up to a blank line or the next
      // structuring word.
      var taken = [rest..<r.upperBound]
      k += 1
      while k < lines.count {
        let next = lines[k]
        if firstNonBlank(next) == next.upperBound || word(next) != nil { break }
        taken.append(next)
        k += 1
      }
      if firstNonBlank(rest..<r.upperBound) == r.upperBound && taken.count == 1 {
        throw Diagnostic(.lessonEmptySolution, at: at)
      }
      current?.solution = taken
    }
  }
  if let c = current { try finish(c) }
  guard !exercises.isEmpty else { throw Diagnostic(.lessonNoExercises, name, at: nil) }
  let hasSetup = setup.contains { r in
    let s = firstNonBlank(r)
    return s < r.upperBound && bytes[s] != UInt8(ascii: "#")
  }
  return Lesson(name: name, text: text, setup: hasSetup ? blanked(setup) : nil, exercises: exercises, solutionTexts: solutionTexts)
}

/// Whether the order of a solution's rows counts: it has a `sort`, and the stages after the last
/// one keep the rows' order (`where`, `select`, `derive`, `drop`, `take`).
package func solutionIsOrdered(_ pipeline: Pipeline) -> Bool {
  let keepOrder: Set<String> = ["where", "select", "derive", "drop", "take"]
  var ordered = false
  for stage in pipeline.stages {
    let keyword = type(of: stage.stage).keyword
    if keyword == "sort" {
      ordered = true
    } else if !keepOrder.contains(keyword) {
      ordered = false
    }
  }
  return ordered
}

private func isIdentContinueByte(_ b: UInt8) -> Bool {
  (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
    || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "_") || b >= 0x80
}

extension String {
  fileprivate func trimmingTrailingBlanks() -> String {
    var s = Substring(self)
    while let last = s.last, last == " " || last == "\t" || last == "\r" { s = s.dropLast() }
    return String(s)
  }
}
