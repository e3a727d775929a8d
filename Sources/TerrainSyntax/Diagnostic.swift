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

/// A user-facing error located in the source: the message, the span, a short label under the
/// caret and an optional help line ("did you mean …").
public struct Diagnostic: Error, CustomStringConvertible, Sendable {
  public var message: String
  public var span: Span?
  public var label: String?
  public var help: String?

  public init(_ message: String, at span: Span? = nil, label: String? = nil, help: String? = nil) {
    self.message = message
    self.span = span
    self.label = label
    self.help = help
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
  public func render(_ d: Diagnostic) -> String {
    guard let span = d.span else {
      var out = (name.map { "\($0): " } ?? "") + "error: \(d.message)\n"
      if let h = d.help { out += "  = help: \(h)\n" }
      return out
    }
    let (lineNo, col) = location(of: span.start)
    let endLoc = location(of: span.end)
    let text = line(lineNo)
    let width = endLoc.line == lineNo ? max(1, endLoc.column - col) : max(1, text.count - col + 1)
    let gutter = String(lineNo)
    let pad = String(repeating: " ", count: gutter.count)
    let caret = String(repeating: " ", count: max(0, col - 1)) + String(repeating: "^", count: width)
    var out: String
    if let name {
      out = "\(name):\(lineNo):\(col): error: \(d.message)\n"
      out += "\(gutter) │ \(text)\n"
      out += "\(pad) │ \(caret)\(d.label.map { " \($0)" } ?? "")\n"
    } else {
      out = "error: \(d.message)\n"
      out += "\(pad) ╭─ \(lineNo):\(col)\n"
      out += "\(gutter) │ \(text)\n"
      out += "\(pad) │ \(caret)\(d.label.map { " \($0)" } ?? "")\n"
    }
    if let h = d.help { out += "\(pad) = help: \(h)\n" }
    return out
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
