// Binds the `with (…)` options of a statement against its `OptionSchema`: one set of rules for
// `load`, `export` and every format.

import TerrainIO
import TerrainStorage
import TerrainSyntax

/// Evaluates option values (constants, parameters read as the option's type) and applies them
/// through the schema; every error points at the option's name or value.
package struct OptionBinder {
  package let parameters: [String: ParameterValue]
  package let constants: any ConstantEvaluator
  package let functions: FunctionRegistry

  package init(parameters: [String: ParameterValue], constants: any ConstantEvaluator, functions: FunctionRegistry) {
    self.parameters = parameters
    self.constants = constants
    self.functions = functions
  }

  /// `defaults` with `items` applied, then the schema's check across options.
  package func bind<Options>(_ items: [OptionItem], _ schema: OptionSchema<Options>, into defaults: Options) throws -> Options {
    var options = defaults
    for item in items {
      guard let spec = schema.option(named: item.name.text) else {
        throw unknownOption(item.name, schema)
      }
      let value = try evaluate(item, as: spec.kind)
      do {
        try spec.apply(&options, value)
      } catch let e as OptionValueError {
        throw Diagnostic(e.entry, arguments: e.arguments, at: span(of: item, item: e.item), label: e.label, help: e.help)
      }
    }
    do {
      try schema.validate(options)
    } catch let e as OptionValueError {
      throw Diagnostic(e.entry, arguments: e.arguments, at: items.first?.name.span, help: e.help)
    }
    return options
  }

  private func unknownOption<Options>(_ name: Name, _ schema: OptionSchema<Options>) -> Diagnostic {
    let names = schema.names
    if schema.statement == "export" && name.text.lowercased() == "types" {
      return Diagnostic(.typesIsALoadOption, at: name.span)
    }
    return Diagnostic(.unknownOption, schema.statement, name.text, at: name.span, label: .unknown,
      help: closestName(to: name.text, in: names).map { .didYouMean($0) } ?? .optionsList(names.joined(separator: ", ")))
  }

  /// The span a value error points at: the list item it names, else the value.
  private func span(of item: OptionItem, item index: Int?) -> Span {
    switch item.value {
    case .expr(let e): return e.span
    case .list(let es):
      if let i = index, es.indices.contains(i) { return es[i].span }
      return es.first?.span ?? item.name.span
    case .typeList(let pairs):
      if let i = index, pairs.indices.contains(i) { return pairs[i].1.span }
      return item.name.span
    }
  }

  private func evaluate(_ item: OptionItem, as kind: OptionKind) throws -> OptionValue {
    switch (kind, item.value) {
    case (.types, .typeList(let pairs)):
      return .types(pairs.map { (column: $0.0.text, type: $0.1.text) })
    case (.types, _):
      throw Diagnostic(.optionTakes, item.name.text, kind.example.string, at: item.name.span, help: .exampleTypes)
    case (.texts, .list(let es)):
      return .texts(try es.map { try text($0) })
    case (.texts, .expr(let e)):
      return .texts([try text(e)])
    case (_, .expr(let e)):
      switch kind {
      case .text: return .text(try text(e))
      case .bool: return .bool(try bool(e))
      case .integer: return .int(try integer(e))
      case .character: return .byte(try character(e, option: item.name.text))
      case .texts, .types: return .texts([])  // handled above
      }
    case (_, .list), (_, .typeList):
      throw Diagnostic(.optionTakesNoList, item.name.text, at: item.name.span, help: .itTakes(kind.example.string))
    }
  }

  /// The value of an option, a constant; a parameter in it takes the type `expected`.
  package func constant(_ e: Expr, expected: DataType) throws -> Value {
    let b = try ExpressionBinder(fields: [], sourceName: "options", parameters: parameters, constants: constants, functions: functions)
      .bind(e, expected: expected)
    guard let v = try constants.constantValue(of: b) else {
      throw Diagnostic(.optionValueNotConstant, at: e.span, label: .notAConstant)
    }
    return v
  }

  /// A text option: `"…"`, or a parameter read as text.
  package func text(_ e: Expr) throws -> String {
    guard case .text(let s) = try constant(e, expected: .text) else {
      throw Diagnostic(.expectedTextInQuotes, at: e.span, label: .notText)
    }
    return s
  }

  /// A true/false option: `true`, `false`, or a parameter holding one of them.
  package func bool(_ e: Expr) throws -> Bool {
    guard case .bool(let b) = try constant(e, expected: .bool) else {
      throw Diagnostic(.expectedTrueOrFalse, at: e.span, label: .notABool)
    }
    return b
  }

  /// A whole-number option: `4`, or a parameter read as an integer.
  package func integer(_ e: Expr) throws -> Int {
    guard case .int(let n) = try constant(e, expected: .int), let m = Int(exactly: n) else {
      throw Diagnostic(.expectedWholeNumber, at: e.span, label: .notAnInteger)
    }
    return m
  }

  /// One ASCII character; `"\t"` (a real tab or the two characters) and `"tab"` give a tab.
  private func character(_ e: Expr, option: String) throws -> UInt8 {
    let s = try text(e)
    if s == "\t" || s == "\\t" || s.lowercased() == "tab" { return 9 }
    guard s.utf8.count == 1, let b = s.utf8.first else {
      throw Diagnostic(.optionNotOneCharacter, option, quotedText(s), at: e.span, label: .notOneCharacter)
    }
    return b
  }
}
