// The check that a text's parameters are all defined before its first statement runs (`run`
// and `execute` call it after parsing).

import TerrainStorage
import TerrainSyntax

extension Session {
  /// Throws when `text` uses parameters that are not defined where they are used: one
  /// diagnostic naming all of them, at the first use of the first (and each other's first use
  /// labelled). A `.param NAME …` line of the text defines NAME for the lines after it.
  package func checkParametersDefined(_ text: String) throws {
    guard let tokens = try? Lexer.tokenize(text) else { return }
    var defined = Set(parameterValues.keys)
    var undefined: [(name: String, span: Span)] = []
    for token in tokens {
      switch token.kind {
      case .dotCommand(let command, let argument) where command.lowercased() == "param":
        if var name = argument.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map(String.init) {
          if name.hasPrefix("$") { name.removeFirst() }
          defined.insert(name)
        }
      case .parameter(let p) where !defined.contains(p) && !undefined.contains(where: { $0.name == p }):
        undefined.append((p, token.span))
      default:
        break
      }
    }
    guard let first = undefined.first else { return }
    if undefined.count == 1 {
      throw Diagnostic(.undefinedParameter, first.name, at: first.span, label: .notDefined, help: .defineParameter(first.name, first.name))
    }
    var d = Diagnostic(.undefinedParameters, undefined.map { "`$\($0.name)`" }.joined(separator: ", "), at: first.span,
      label: .notDefined, help: .defineParameters)
    d.secondaryLabels = undefined.dropFirst().map { Diagnostic.Label($0.span, DiagnosticText.notDefined.string) }
    throw d
  }
}
