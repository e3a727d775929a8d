// Errors that point at a span of the source, and their rendering with a caret.

/// A half-open range of UTF-8 byte offsets into a statement's source text.
public struct Span: Hashable, Sendable {
  public var start: Int
  public var end: Int
  public init(_ start: Int, _ end: Int) {
    self.start = start
    self.end = max(start, end)
  }
  /// The smallest span covering both.
  public func merged(_ other: Span) -> Span { Span(min(start, other.start), max(end, other.end)) }
  public static let none = Span(0, 0)
}

/// Which message a diagnostic is: a domain and a name, such as `bind.unknown-column`. Every
/// message terrain shows has one, declared once in the catalog (`DiagnosticCatalog.swift`)
/// with its English text, so that tests, embedders and translations refer to a message by
/// its identity rather than by its words.
public struct DiagnosticID: Hashable, Sendable, CustomStringConvertible {
  /// The layer that finds the problem.
  public enum Domain: String, Sendable, CaseIterable {
    /// Lexing and parsing: a malformed statement.
    case syntax
    /// Names and types: an unknown column, a wrong argument type.
    case bind
    /// A value met while running: an overflow, a bad row.
    case run
    /// Reading files (`load`).
    case load
    /// Writing files (`export`).
    case export
    /// Statements of the session: `pilots`, `compare`, `let`, dot commands.
    case session
  }

  public let domain: Domain
  public let name: String

  public init(_ domain: Domain, _ name: String) {
    self.domain = domain
    self.name = name
  }

  public var description: String { "\(domain.rawValue).\(name)" }
}

/// How bad a diagnostic is: an error stops the statement (and a script); a warning is shown and
/// the statement goes on.
public enum Severity: String, Sendable {
  case error, warning
}

/// One entry of the message catalog: an identity and its English text, where `{}` stands for
/// each argument in turn (`unknown column `{}` in `{}``).
public struct DiagnosticMessage: Sendable {
  public let id: DiagnosticID
  public let severity: Severity
  public let template: String

  public init(_ domain: DiagnosticID.Domain, _ name: String, _ template: String, severity: Severity = .error) {
    self.id = DiagnosticID(domain, name)
    self.severity = severity
    self.template = template
  }

  /// The text with `arguments` in place of the `{}`s, in order (a missing argument leaves `{}`).
  public func text(_ arguments: [String]) -> String {
    fillTemplate(MessageLanguage.template(id.description, english: template), arguments)
  }

  /// How many `{}` the template has: the number of arguments a use must give.
  public var placeholderCount: Int { countPlaceholders(template) }
}

/// A catalog text that is not a message: the label under a caret, a help or note line, or a
/// phrase used as an argument of a message (`the end of the statement`). Like a message it has
/// an identity (`label.not-found`, `help.did-you-mean`) and an English template with `{}`s, so
/// that a translation maps identities to templates. Give arguments by calling it:
/// `label: .notIn(tableName)`, `help: .didYouMean(name)`; a text without `{}` is used as is
/// (`label: .notFound`).
public struct DiagnosticText: Sendable {
  /// What the text is for; the first part of its key.
  public enum Kind: String, Sendable, CaseIterable {
    case label, help, note, phrase
  }

  public let kind: Kind
  public let name: String
  public let template: String
  /// The arguments given by a call (`.didYouMean("population")`); empty for the entry itself.
  public let arguments: [String]

  public init(_ kind: Kind, _ name: String, _ template: String) {
    self.kind = kind
    self.name = name
    self.template = template
    self.arguments = []
  }

  private init(_ entry: DiagnosticText, _ arguments: [String]) {
    kind = entry.kind
    name = entry.name
    template = entry.template
    self.arguments = arguments
  }

  /// The identity, `KIND.NAME` (`help.did-you-mean`).
  public var key: String { "\(kind.rawValue).\(name)" }

  /// The same text with its arguments, in order.
  public func callAsFunction(_ arguments: String...) -> DiagnosticText { DiagnosticText(self, arguments) }

  /// The same text with its arguments, in order.
  public func with(_ arguments: [String]) -> DiagnosticText { DiagnosticText(self, arguments) }

  /// The text, arguments in place.
  public var string: String {
    assert(arguments.count == placeholderCount, "\(key): \(arguments.count) arguments for \(template)")
    return fillTemplate(MessageLanguage.template(key, english: template), arguments)
  }

  /// How many `{}` the template has.
  public var placeholderCount: Int { countPlaceholders(template) }
}

/// `template` with its `{}`s replaced by `arguments` in order. Arguments often quote data (a
/// CSV field, a column name from a file): their control characters are written as escapes, so
/// a message can never drive the terminal it is printed on.
private func fillTemplate(_ template: String, _ arguments: [String]) -> String {
  var out = ""
  var rest = Substring(template)
  var next = 0
  while let r = rest.range(of: "{}") {
    out += rest[..<r.lowerBound]
    out += next < arguments.count ? escapeControls(arguments[next]) : "{}"
    next += 1
    rest = rest[r.upperBound...]
  }
  return out + rest
}

private func countPlaceholders(_ template: String) -> Int {
  var n = 0
  var rest = Substring(template)
  while let r = rest.range(of: "{}") {
    n += 1
    rest = rest[r.upperBound...]
  }
  return n
}

/// A user-facing error or warning located in the source: its identity in the catalog, the
/// message, the span, a short label under the caret, further labelled spans, notes (facts that
/// explain) and helps (what to do: "did you mean …").
public struct Diagnostic: Error, CustomStringConvertible, Sendable {
  /// A span other than the main one, with its label (`first defined here`).
  public struct Label: Sendable {
    public var span: Span
    public var text: String
    public init(_ span: Span, _ text: String) {
      self.span = span
      self.text = text
    }
  }

  public var id: DiagnosticID
  public var severity: Severity
  public var message: String
  public var span: Span?
  /// The label under the caret at `span`.
  public var label: String?
  public var secondaryLabels: [Label]
  public var notes: [String]
  public var helps: [String]

  /// A message of the catalog with its arguments, and catalog texts for the label under the
  /// caret, the help line and the notes.
  public init(
    _ entry: DiagnosticMessage, _ arguments: String..., at span: Span? = nil, label: DiagnosticText? = nil,
    help: DiagnosticText? = nil, notes: [DiagnosticText] = []
  ) {
    self.init(entry, arguments: arguments, at: span, label: label, help: help, notes: notes)
  }

  /// A message of the catalog with its arguments as an array.
  public init(
    _ entry: DiagnosticMessage, arguments: [String], at span: Span? = nil, label: DiagnosticText? = nil,
    help: DiagnosticText? = nil, notes: [DiagnosticText] = []
  ) {
    assert(arguments.count == entry.placeholderCount, "\(entry.id): \(arguments.count) arguments for \(entry.template)")
    self.id = entry.id
    self.severity = entry.severity
    self.message = entry.text(arguments)
    self.span = span
    self.label = label?.string
    self.secondaryLabels = []
    self.notes = notes.map(\.string)
    self.helps = help.map { [$0.string] } ?? []
  }

  /// The first help line, if any.
  public var help: String? {
    get { helps.first }
    set { helps = newValue.map { [$0] } ?? [] }
  }

  public var description: String { message }
}

/// The text of one script or command, to turn byte offsets into lines and columns.
public struct SourceText: Sendable {
  /// A name for messages: the file path, or nil for interactive input.
  public var name: String?
  public var text: String
  private let utf8: [UInt8]
  private let lineStarts: [Int]

  public init(name: String?, text: String) {
    self.name = name
    self.text = text
    utf8 = Array(text.utf8)
    var starts = [0]
    for (i, b) in utf8.enumerated() where b == UInt8(ascii: "\n") { starts.append(i + 1) }
    lineStarts = starts
  }

  /// 1-based line and column (in characters) of a byte offset.
  public func location(of offset: Int) -> (line: Int, column: Int) {
    let off = min(max(0, offset), utf8.count)
    var lo = 0
    var hi = lineStarts.count - 1
    while lo < hi {
      let mid = (lo + hi + 1) / 2
      if lineStarts[mid] <= off { lo = mid } else { hi = mid - 1 }
    }
    let start = lineStarts[lo]
    let column = String(decoding: utf8[start..<off], as: UTF8.self).count + 1
    return (lo + 1, column)
  }

  /// The text of 1-based line `line`, without its line end.
  public func line(_ line: Int) -> String {
    guard line >= 1 && line <= lineStarts.count else { return "" }
    let start = lineStarts[line - 1]
    var end = line < lineStarts.count ? lineStarts[line] - 1 : utf8.count
    if end > start && utf8[end - 1] == UInt8(ascii: "\r") { end -= 1 }
    return String(decoding: utf8[start..<max(start, end)], as: UTF8.self)
  }

  /// Renders a diagnostic.
  ///
  /// With a file name (scripts): `FILE:LINE:COL: error: MESSAGE`, the line and a caret. Without
  /// (interactive): `error: MESSAGE`, then a `╭─ LINE:COL` frame, the line, the caret and label.
  /// Columns count characters; carets are placed by display width (a wide character takes two
  /// cells, a combining accent none), so they stand under the span on a terminal.
  public func render(_ d: Diagnostic) -> String {
    // `error:`, `note:`: words of the current language (`erreur :`).
    let severity = (d.severity == .error ? DiagnosticText.errorWord : .warningWord).string
    let note = DiagnosticText.noteWord.string
    let help = DiagnosticText.helpWord.string
    guard let span = d.span else {
      var out = (name.map { "\($0): " } ?? "") + "\(severity) \(d.message)\n"
      for n in d.notes { out += "  = \(note) \(n)\n" }
      for h in d.helps { out += "  = \(help) \(h)\n" }
      return out
    }
    let (lineNo, col) = location(of: span.start)
    let text = line(lineNo)
    let gutter = String(lineNo)
    let pad = String(repeating: " ", count: gutter.count)
    var out: String
    if let name {
      out = "\(name):\(lineNo):\(col): \(severity) \(d.message)\n"
    } else {
      out = "\(severity) \(d.message)\n"
      out += "\(pad) ╭─ \(lineNo):\(col)\n"
    }
    out += "\(gutter) │ \(text)\n"
    out += "\(pad) │ \(caretLine(span, onLine: lineNo, text))\(d.label.map { " \($0)" } ?? "")\n"
    for l in d.secondaryLabels {
      let (ln, c) = location(of: l.span.start)
      let t = self.line(ln)
      out += "\(pad) ╰─ \(ln):\(c)\n"
      let number = String(ln)
      out += "\(String(repeating: " ", count: max(0, gutter.count - number.count)))\(number) │ \(t)\n"
      out += "\(pad) │ \(caretLine(l.span, onLine: ln, t)) \(l.text)\n"
    }
    for n in d.notes { out += "\(pad) = \(note) \(n)\n" }
    for h in d.helps { out += "\(pad) = \(help) \(h)\n" }
    return out
  }

  /// Spaces up to the span's first character, then one `^` per cell it covers on this line (at
  /// least one). A tab before the span is kept as a tab so the caret lines up with the text.
  private func caretLine(_ span: Span, onLine lineNo: Int, _ text: String) -> String {
    let (_, col) = location(of: span.start)
    let endLoc = location(of: span.end)
    let chars = Array(text)
    let startIndex = min(max(0, col - 1), chars.count)
    let endIndex = endLoc.line == lineNo ? min(max(startIndex, endLoc.column - 1), chars.count) : chars.count
    var out = ""
    for c in chars[..<startIndex] {
      out += c == "\t" ? "\t" : String(repeating: " ", count: characterDisplayWidth(c))
    }
    let width = chars[startIndex..<endIndex].reduce(0) { $0 + ($1 == "\t" ? 1 : characterDisplayWidth($1)) }
    return out + String(repeating: "^", count: max(1, width))
  }
}

/// The closest of `candidates` to `name` by edit distance, if close enough to be a likely typo.
public func closestName(to name: String, in candidates: [String]) -> String? {
  // Only typos get a suggestion: at most 3 edits, so names much longer than any candidate, or
  // whose length differs by more than 3, are skipped without computing a distance.
  guard name.count <= 200 else { return nil }
  let target = Array(name.lowercased())
  var best: (String, Int)?
  for c in candidates where abs(c.count - target.count) <= 3 {
    let d = editDistance(target, Array(c.lowercased()))
    if best == nil || d < best?.1 ?? Int.max { best = (c, d) }
  }
  guard let (cand, dist) = best else { return nil }
  let limit = max(1, min(3, target.count / 3 + 1))
  return dist <= limit ? cand : nil
}

package func editDistance(_ a: [Character], _ b: [Character]) -> Int {
  if a.isEmpty { return b.count }
  if b.isEmpty { return a.count }
  var prev = Array(0...b.count)
  var cur = [Int](repeating: 0, count: b.count + 1)
  for i in 1...a.count {
    cur[0] = i
    for j in 1...b.count {
      let cost = a[i - 1] == b[j - 1] ? 0 : 1
      cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
      if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
        cur[j] = min(cur[j], prev[j - 1])  // adjacent transposition, approximately
      }
    }
    swap(&prev, &cur)
  }
  return prev[b.count]
}
