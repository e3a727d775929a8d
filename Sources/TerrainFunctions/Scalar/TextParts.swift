import Foundation
import TerrainStorage
import TerrainSyntax
import TerrainPlanner
import TerrainExecution

/// `left(s, n)`, `right(s, n)`, `lpad(s, n, pad)`, `split_part(s, sep, n)`: characters are
/// Unicode scalars (as in `substr` and `length`, and as DuckDB counts them); computed once per
/// distinct value of `s` when the other arguments are constants.
struct TextPart: ScalarFunctionImplementation {
  enum Kind: Sendable { case left, right, lpad, splitPart }
  let kind: Kind
  let name: String
  let help: FunctionHelp
  let signatures: [[DataType]]

  /// The longest text `lpad` builds.
  static let maxPadding: Int64 = 1_000_000

  static let left = TextPart(kind: .left, name: "left",
    help: FunctionHelp("left(s, n)", "the first n characters; a negative n drops the last -n",
      example: "from communes | select code_insee, dep = left(code_insee, 2) | take 3"),
    signatures: [[.text, .int]])
  static let right = TextPart(kind: .right, name: "right",
    help: FunctionHelp("right(s, n)", "the last n characters; a negative n drops the first -n",
      example: "from communes | select code_insee, num = right(code_insee, 3) | take 3"),
    signatures: [[.text, .int]])
  static let lpad = TextPart(kind: .lpad, name: "lpad",
    help: FunctionHelp("lpad(s, n, pad)",
      "s padded on the left with pad (repeated) to n characters, or cut to its first n; n ≤ 0 gives \"\"",
      example: "from regions | select code_region, c = lpad(code_region, 3, \"0\") | take 3"),
    signatures: [[.text, .int, .text]])
  static let splitPart = TextPart(kind: .splitPart, name: "split_part",
    help: FunctionHelp("split_part(s, sep, n)",
      "part n (from 1; negative: from the end) of s cut at sep; \"\" when there is no such part; an empty sep cuts between characters",
      example: "from communes | select nom, premier = split_part(nom, \"-\", 1) | take 3"),
    signatures: [[.text, .text, .int]])

  func bind(_ call: FunctionCall) throws -> BoundCall {
    switch kind {
    case .left, .right:
      try call.arity(2)
      return BoundCall([try call.text(0), try call.int(1)], .text)
    case .splitPart:
      try call.arity(3)
      return BoundCall([try call.text(0), try call.text(1), try call.int(2)], .text)
    case .lpad:
      try call.arity(3)
      let bound = [try call.text(0), try call.int(1), try call.text(2)]
      if case .int(let n)? = bound[1].constantValue, n > TextPart.maxPadding {
        throw Diagnostic(.lpadTooLong, String(n), String(TextPart.maxPadding), at: call.args[1].span, label: .tooLong,
          help: .lpadWidth)
      }
      if case .text("")? = bound[2].constantValue {
        throw Diagnostic(.lpadEmptyPadding, at: call.args[2].span, label: .emptyText, help: .lpadExample)
      }
      return BoundCall(bound, .text)
    }
  }

  func canFail(_ args: [BoundExpr], type: DataType) -> Bool { false }

  func kernel(_ args: [BoundExpr], type: DataType, span: Span, compiler: ExpressionCompiler) throws -> Kernel {
    let kernels = try args.kernels(compiler)
    let kind = self.kind
    if args.restAreConstant {
      let rest = Array(args.indices.dropFirst().map { args.constant($0) })
      return compiler.textMapKernel(kernels[0]) { s in textPart(kind, s, rest) }
    }
    return compiler.rowwiseKernel(kernels, args.map(\.type), type) { v in
      guard case .text(let s) = v[0] else { return .null }
      return textPart(kind, s, Array(v.dropFirst())).map(Value.text) ?? .null
    }
  }
}

/// The function on one text and its other arguments (null when one is null).
func textPart(_ kind: TextPart.Kind, _ s: String, _ rest: [Value]) -> String? {
  switch kind {
  case .left, .right:
    guard case .int(let n)? = rest.first else { return nil }
    let scalars = Array(s.unicodeScalars)
    let count = scalars.count
    // n >= 0: keep n; n < 0: keep all but -n (clamped: no overflow for Int64.min).
    let keep = n >= 0 ? Int(clamping: min(n, Int64(count))) : max(0, count - Int(clamping: min(n.magnitude, UInt64(count))))
    let part = kind == .left ? scalars[..<keep] : scalars[(count - keep)...]
    return scalarString(part)
  case .lpad:
    guard rest.count == 2, case .int(let n) = rest[0], case .text(let pad) = rest[1] else { return nil }
    if n <= 0 { return "" }
    // Beyond the limit (only reachable when n is not a constant): null.
    guard n <= TextPart.maxPadding else { return nil }
    let width = Int(n)
    let scalars = Array(s.unicodeScalars)
    if scalars.count >= width { return scalarString(scalars[..<width]) }
    let fill = Array(pad.unicodeScalars)
    // An empty padding cannot reach the width (only when it is not a constant): the text as it is.
    guard !fill.isEmpty else { return s }
    var out = String.UnicodeScalarView()
    for i in 0..<(width - scalars.count) { out.append(fill[i % fill.count]) }
    out.append(contentsOf: scalars)
    return String(out)
  case .splitPart:
    guard rest.count == 2, case .text(let sep) = rest[0], case .int(let n) = rest[1] else { return nil }
    let parts: [String]
    if sep.isEmpty {
      parts = s.unicodeScalars.map { String($0) }
    } else {
      parts = splitBytes(s, sep)
    }
    if n == 0 { return "" }
    let count = parts.count
    if n > 0 { return n <= Int64(count) ? parts[Int(n) - 1] : "" }
    return n.magnitude <= UInt64(count) ? parts[count - Int(n.magnitude)] : ""
  }
}

private func scalarString(_ s: ArraySlice<Unicode.Scalar>) -> String {
  var v = String.UnicodeScalarView()
  v.append(contentsOf: s)
  return String(v)
}

/// `s` cut at each occurrence of `sep` (bytes, left to right, non-overlapping).
private func splitBytes(_ s: String, _ sep: String) -> [String] {
  let hay = Array(s.utf8)
  let needle = Array(sep.utf8)
  var parts: [String] = []
  var start = 0
  var i = 0
  while i + needle.count <= hay.count {
    if hay[i] == needle[0] && hay[i..<(i + needle.count)].elementsEqual(needle) {
      parts.append(String(decoding: hay[start..<i], as: UTF8.self))
      i += needle.count
      start = i
    } else {
      i += 1
    }
  }
  parts.append(String(decoding: hay[start...], as: UTF8.self))
  return parts
}
