// The `with (…)` options of `load` and `export`: one typed schema per statement or format,
// bound by one binder (TerrainPlanner's `OptionBinder`), so every option follows the same rules
// (names and aliases, value types, parameters, unknown names with a suggestion, errors at the
// value).

import TerrainStorage
import TerrainSyntax

/// The value of one option once its expression has been evaluated as its `OptionKind`.
public enum OptionValue: Sendable {
  case text(String)
  case bool(Bool)
  case int(Int)
  /// A `character` option: one byte (`"\t"` and `"tab"` give a tab).
  case byte(UInt8)
  case texts([String])
  /// `types = (code: text, pop: int)`: column names and type names, in order.
  case types([(column: String, type: String)])
}

/// What an option's value must be; the binder reads the expression (or a parameter) as this.
public enum OptionKind: Sendable {
  case text
  case bool
  /// A whole number (`skip = 4`), or a parameter holding one.
  case integer
  /// One ASCII character in quotes (`sep = ";"`), or `"\t"` / `"tab"` for a tab.
  case character
  /// One text or a list of texts in brackets (`nulls = ("", "NA")`).
  case texts
  /// `(column: type, …)`.
  case types

  /// How the value is written, for messages (`sep = ";"`).
  public var example: DiagnosticText {
    switch self {
    case .text: return .optionTextExample
    case .bool: return .optionBoolExample
    case .integer: return .optionIntegerExample
    case .character: return .optionCharacterExample
    case .texts: return .optionTextsExample
    case .types: return .optionTypesExample
    }
  }
}

/// A value of the right type that the option does not accept (`decimal = ";"`): the message
/// (a catalog entry and its arguments), the label under the value, an optional help, and for a
/// list the index of the wrong item.
public struct OptionValueError: Error, Sendable {
  public var entry: DiagnosticMessage
  public var arguments: [String]
  public var label: DiagnosticText
  public var help: DiagnosticText?
  public var item: Int?

  public init(
    _ entry: DiagnosticMessage, arguments: [String] = [], label: DiagnosticText = .badValue, help: DiagnosticText? = nil,
    item: Int? = nil
  ) {
    self.entry = entry
    self.arguments = arguments
    self.label = label
    self.help = help
    self.item = item
  }

  /// The message, arguments in place.
  public var message: String { entry.text(arguments) }
}

/// One option: its name and aliases, the kind of value it takes, a line for `.help`, and how a
/// value is checked and stored into the statement's options (`Options`).
public struct OptionSpec<Options>: Sendable {
  public let name: String
  public let aliases: [String]
  public let kind: OptionKind
  public let summary: String
  public let apply: @Sendable (inout Options, OptionValue) throws -> Void

  public init(
    _ name: String, aliases: [String] = [], _ kind: OptionKind, _ summary: String,
    apply: @escaping @Sendable (inout Options, OptionValue) throws -> Void
  ) {
    self.name = name
    self.aliases = aliases
    self.kind = kind
    self.summary = summary
    self.apply = apply
  }
}

/// The options a statement (`load`) or a sink (`export`) accepts, and a check across them once
/// all are applied (`header` does not apply to JSON).
public struct OptionSchema<Options>: Sendable {
  /// `load` or `export`, for messages: "unknown load option `x`".
  public let statement: String
  public let options: [OptionSpec<Options>]
  public let validate: @Sendable (Options) throws -> Void

  public init(
    statement: String, options: [OptionSpec<Options>],
    validate: @escaping @Sendable (Options) throws -> Void = { _ in }
  ) {
    self.statement = statement
    self.options = options
    self.validate = validate
  }

  /// The option called `name` (case-insensitive) or by one of its aliases.
  public func option(named name: String) -> OptionSpec<Options>? {
    let key = name.lowercased()
    return options.first { $0.name == key || $0.aliases.contains(key) }
  }

  /// The options' names, in order, for messages and completion.
  public var names: [String] { options.map(\.name) }
}
