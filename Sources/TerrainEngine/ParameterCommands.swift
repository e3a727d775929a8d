// Parameters in the shell: `.param NAME VALUE`, `.param` (the list), and the check that a
// script's parameters are all defined before its first statement runs.

import TerrainStorage
import TerrainSyntax
import TerrainIO

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
