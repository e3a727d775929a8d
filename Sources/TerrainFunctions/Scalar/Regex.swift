import Foundation
import TerrainStorage
import TerrainSyntax
import TerrainPlanner
import TerrainExecution

/// A regular expression compiled once, when its call is bound (Foundation's
/// `NSRegularExpression`: the ICU dialect; measured about twice as fast as the standard
/// library's `Regex` on Linux for the searches of this file). Matching is thread-safe.
final class CompiledRegex: @unchecked Sendable {
  let regex: NSRegularExpression
  let pattern: String

  /// Compiles `pattern`; a malformed one is an error at `span` with the reason.
  init(_ pattern: String, span: Span, function: String) throws {
    self.pattern = pattern
    do {
      regex = try NSRegularExpression(pattern: pattern)
    } catch {
      // Foundation on Linux gives no reason; the standard library's parser does (its dialect is
      // close enough for the usual mistakes: an unclosed bracket, a quantifier with nothing before it).
      var reason = DiagnosticText.notARegex.string
      do { _ = try Regex(pattern) } catch let parse { reason = "\(parse)" }
      throw Diagnostic(.malformedRegex, function, reason, at: span, label: .regexReason(reason), help: .regexSyntax)
    }
  }

  var groups: Int { regex.numberOfCaptureGroups }

  /// The first match in `s`, if any.
  func firstMatch(_ s: String) -> NSTextCheckingResult? {
    regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s))
  }
}

/// `matches(x, "regex")`, `regexp_replace(x, "regex", "replacement")`, `regexp_extract(x,
/// "regex"[, group])`: the pattern (and replacement, group) are constants, checked and compiled
/// when the call is bound; the function is computed once per distinct value of `x`.
struct RegexFunction: ScalarFunctionImplementation {
  enum Kind: Sendable { case matches, replace, extract }
  let kind: Kind
  let name: String
  let help: FunctionHelp
  let signatures: [[DataType]]
  let constantArguments: Set<Int>
  /// Set on the definition a call is bound to.
  var regex: CompiledRegex?
  var replacement = ""
  var group = 0

  static let matches = RegexFunction(kind: .matches, name: "matches",
    help: FunctionHelp("matches(s, \"regex\")",
      "true when the regular expression matches somewhere in s (anchor it with ^ and $ for the whole text); ICU syntax, the pattern is a constant",
      example: "from communes | where matches(nom, \"^Saint-.*-sur-\") | select nom | take 3"),
    signatures: [[.text, .text]], constantArguments: [1])
  static let replace = RegexFunction(kind: .replace, name: "regexp_replace",
    help: FunctionHelp("regexp_replace(s, \"regex\", \"replacement\")",
      "replaces every match (DuckDB needs 'g' for that); $1, $2… in the replacement insert groups, \\$ a dollar; ICU syntax",
      example: "from communes | select nom, court = regexp_replace(nom, \"^Saint-\", \"St-\") | take 3"),
    signatures: [[.text, .text, .text]], constantArguments: [1, 2])
  static let extract = RegexFunction(kind: .extract, name: "regexp_extract",
    help: FunctionHelp("regexp_extract(s, \"regex\"[, group])",
      "the text of the first match, or of its group (1, 2…; 0 = the whole match); null when nothing matches",
      example: "from communes | select nom, avant = regexp_extract(nom, \"^([^-]+)-\", 1) | take 3"),
    signatures: [[.text, .text], [.text, .text, .int]], constantArguments: [1, 2])

  func bind(_ call: FunctionCall) throws -> BoundCall {
    switch kind {
    case .matches: try call.arity(2)
    case .replace: try call.arity(3)
    case .extract: try call.arity(2...3)
    }
    var bound = [try call.text(0), try call.text(1)]
    var specialised = self
    let pattern = try call.constant(1, bound[1], what: .thePattern, example: "\"^[0-9]{5}$\"")
    guard case .text(let p) = pattern else {
      // A null pattern: null on every row.
      if call.args.count > 2 { bound.append(kind == .extract ? try call.int(2) : try call.text(2)) }
      return BoundCall(bound, kind == .matches ? .bool : .text)
    }
    let regex = try CompiledRegex(p, span: call.args[1].span, function: name)
    specialised.regex = regex
    switch kind {
    case .matches:
      return BoundCall(bound, .bool, definition: specialised)
    case .replace:
      let r = try call.text(2)
      bound.append(r)
      let v = try call.constant(2, r, what: .theReplacement, example: "\"$1\"")
      if case .text(let template) = v {
        if let bad = highestGroupReference(template), bad > regex.groups {
          throw Diagnostic(.replacementGroupMissing, String(bad), groupsText(regex.groups), at: call.args[2].span,
            label: .noGroup(String(bad)), help: .replacementGroups)
        }
        specialised.replacement = template
      } else {
        specialised.regex = nil
      }
      return BoundCall(bound, .text, definition: specialised)
    case .extract:
      if call.args.count > 2 {
        let g = try call.int(2)
        bound.append(g)
        let v = try call.constant(2, g, what: .theGroup, example: "1")
        if case .int(let n) = v {
          guard n >= 0 && n <= Int64(regex.groups) else {
            throw Diagnostic(.extractGroupMissing, String(n), groupsText(regex.groups), at: call.args[2].span,
              label: .noGroup(String(n)), help: regex.groups == 0 ? .extractNeedsGroup : .extractGroups)
          }
          specialised.group = Int(n)
        } else {
          specialised.regex = nil
        }
      }
      return BoundCall(bound, .text, definition: specialised)
    }
  }

  func canFail(_ args: [BoundExpr], type: DataType) -> Bool { false }

  func kernel(_ args: [BoundExpr], type: DataType, span: Span, compiler: ExpressionCompiler) throws -> Kernel {
    let input = try compiler.compile(args[0])
    guard let regex else {
      // The pattern, replacement or group is null.
      return kind == .matches
        ? compiler.textToValueKernel(input, zero: UInt8(0)) { _ in nil }
        : compiler.textMapKernel(input) { _ in nil }
    }
    switch kind {
    case .matches:
      return compiler.textToValueKernel(input, zero: UInt8(0)) { s in regex.firstMatch(s) == nil ? 0 : 1 }
    case .replace:
      let template = replacement
      return compiler.textMapKernel(input) { s in
        regex.regex.stringByReplacingMatches(in: s, range: NSRange(s.startIndex..., in: s), withTemplate: template)
      }
    case .extract:
      let group = self.group
      return compiler.textMapKernel(input) { s in
        guard let m = regex.firstMatch(s) else { return nil }
        return substring(s, utf16: m.range(at: group))
      }
    }
  }
}

/// The part of `s` at a UTF-16 range of a match, exactly (a group may end inside a
/// character, as `.` matching a combining accent does); nil for a group that did not take part.
private func substring(_ s: String, utf16 r: NSRange) -> String? {
  guard r.location != NSNotFound, r.location >= 0, r.length >= 0, r.location + r.length <= s.utf16.count else { return nil }
  let lo = String.Index(utf16Offset: r.location, in: s)
  let hi = String.Index(utf16Offset: r.location + r.length, in: s)
  return String(s.unicodeScalars[lo..<hi])
}

private func groupsText(_ n: Int) -> String {
  (n == 0 ? DiagnosticText.noGroups : n == 1 ? .oneGroup : .someGroups(String(n))).string
}

/// The highest group a replacement template refers to, nil when none: ICU reads `$` then as
/// many digits as still name a group (`$12` with 2 groups is group 1 then "2"), so only the
/// first digit can name a missing group; `\` escapes the next character.
func highestGroupReference(_ template: String) -> Int? {
  let b = Array(template.utf8)
  var best: Int?
  var i = 0
  while i < b.count {
    if b[i] == UInt8(ascii: "\\") {
      i += 2
      continue
    }
    if b[i] == UInt8(ascii: "$"), i + 1 < b.count, b[i + 1] >= 48, b[i + 1] <= 57 {
      best = max(best ?? 0, Int(b[i + 1] - 48))
    }
    i += 1
  }
  return best
}
