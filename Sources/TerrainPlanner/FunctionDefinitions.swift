// What binding needs to know of a scalar function or an aggregate, and the registry of them the
// binder is given. The definitions live above, in TerrainFunctions, where each one also holds
// its kernel (or accumulator) builder; the planner never depends on them.

import TerrainStorage
import TerrainSyntax

/// The `.help` entry of a function or aggregate.
package struct FunctionHelp: Sendable {
  package var synopsis: String
  package var text: String
  /// A statement that runs on the bundled data.
  package var example: String

  package init(_ synopsis: String, _ text: String, example: String) {
    self.synopsis = synopsis
    self.text = text
    self.example = example
  }
}

/// A scalar function as the binder sees it: its name, how a call binds (arity, argument types,
/// casts, result type), whether it can fail, its help.
package protocol ScalarFunctionDefinition: Sendable {
  var name: String { get }
  var help: FunctionHelp { get }
  /// The argument types of its calls, one list per form it accepts. A test calls every form on
  /// extreme values (and, for each argument after the first, extreme constants).
  var signatures: [[DataType]] { get }
  /// Binds a call: arguments checked and cast, the result type.
  func bind(_ call: FunctionCall) throws -> BoundCall
  /// Whether a call bound by `bind` (its bound arguments and result type) can raise an error on
  /// some input (an overflow): such expressions must only see the rows they are meant for.
  /// There is no default: each definition answers, and a test checks that every form said not
  /// to fail never throws on extreme inputs.
  func canFail(_ args: [BoundExpr], type: DataType) -> Bool
  /// The arguments that must be constants (a regular expression, compiled when the call is
  /// bound): the registry test gives them constants only.
  var constantArguments: Set<Int> { get }
}

extension ScalarFunctionDefinition {
  package var constantArguments: Set<Int> { [] }
}

/// A call after binding: its arguments (cast as the kernel expects them) and result type.
package struct BoundCall {
  package var args: [BoundExpr]
  package var type: DataType
  /// The definition the call runs with, when binding specialised it (a regular expression
  /// compiled once, for this call); nil: the registry's.
  package var definition: (any ScalarFunctionDefinition)?

  package init(_ args: [BoundExpr], _ type: DataType, definition: (any ScalarFunctionDefinition)? = nil) {
    self.args = args
    self.type = type
    self.definition = definition
  }
}

/// An aggregate as the binder sees it.
package protocol AggregateDefinition: Sendable {
  var name: String { get }
  var help: FunctionHelp { get }
  /// Binds a call inside `aggregate`: its argument (nil for `count()`), constant parameters,
  /// the result type.
  func bind(_ call: AggregateCall) throws -> BoundAggregate
}

/// An aggregate call after binding.
package struct BoundAggregate {
  /// nil for `count()`.
  package var argument: BoundExpr?
  /// For `quantile`.
  package var fraction: Double
  package var resultType: DataType

  package init(argument: BoundExpr?, fraction: Double = 0, resultType: DataType) {
    self.argument = argument
    self.fraction = fraction
    self.resultType = resultType
  }
}

/// A scalar function in a bound expression (`.function`): its definition.
public struct ScalarFunction: Sendable {
  package let definition: any ScalarFunctionDefinition
  package init(_ definition: any ScalarFunctionDefinition) { self.definition = definition }
  /// The function's name, as written in queries.
  public var rawValue: String { definition.name }
}

/// An aggregate in an `AggregateSpec`: its definition.
public struct AggregateFunction: Sendable {
  package let definition: any AggregateDefinition
  package init(_ definition: any AggregateDefinition) { self.definition = definition }
  /// The aggregate's name, as written in queries.
  public var rawValue: String { definition.name }
}

/// The scalar functions and aggregates a binder knows, in `.help` order.
package struct FunctionRegistry: Sendable {
  /// The calls the binder handles itself rather than through a definition (`if(c, a, b)`,
  /// `coalesce(a, b, …)`): callable like functions, so listed with them by completion and by
  /// the suggestions for an unknown function.
  package static let specialForms = ["if", "coalesce"]

  /// Every name that can be called outside a window: scalar functions, aggregates and the
  /// special forms, in `.help` order.
  package var callableNames: [String] {
    scalars.map(\.rawValue) + FunctionRegistry.specialForms + aggregates.map(\.rawValue)
  }

  package let scalars: [ScalarFunction]
  package let aggregates: [AggregateFunction]
  /// The window functions (`rank()`, `lag(x)`, …), allowed only in a windowed `derive`.
  package let windows: [WindowFunction]
  private let scalarIndex: [String: Int]
  private let aggregateIndex: [String: Int]
  private let windowIndex: [String: Int]

  /// Later definitions of a name already taken are ignored (a test checks that names are unique).
  package init(scalars: [any ScalarFunctionDefinition], aggregates: [any AggregateDefinition],
    windows: [any WindowFunctionDefinition] = []) {
    self.scalars = scalars.map(ScalarFunction.init)
    self.aggregates = aggregates.map(AggregateFunction.init)
    self.windows = windows.map(WindowFunction.init)
    var w: [String: Int] = [:]
    for (i, f) in windows.enumerated() where w[f.name] == nil { w[f.name] = i }
    windowIndex = w
    var s: [String: Int] = [:]
    for (i, f) in scalars.enumerated() where s[f.name] == nil { s[f.name] = i }
    var a: [String: Int] = [:]
    for (i, f) in aggregates.enumerated() where a[f.name] == nil { a[f.name] = i }
    scalarIndex = s
    aggregateIndex = a
  }

  package func scalar(named name: String) -> ScalarFunction? { scalarIndex[name].map { scalars[$0] } }
  package func aggregate(named name: String) -> AggregateFunction? { aggregateIndex[name].map { aggregates[$0] } }
  package func window(named name: String) -> WindowFunction? { windowIndex[name].map { windows[$0] } }
}

/// A call being bound, with the checks and conversions definitions share (their messages are
/// the binder's).
package struct FunctionCall {
  package let binder: ExpressionBinder
  package let name: Name
  package let args: [Expr]
  package let span: Span

  /// Exactly `n` arguments.
  package func arity(_ n: Int) throws {
    guard args.count == n else { throw arityError(.exactly(n), name.span) }
  }

  /// A count of arguments in `allowed` (said as "1 or 2").
  package func arity(_ allowed: ClosedRange<Int>) throws {
    guard allowed.contains(args.count) else { throw arityError(.between(allowed.lowerBound, allowed.upperBound), span) }
  }

  /// At least one argument.
  package func arityAtLeastOne() throws {
    guard !args.isEmpty else { throw arityError(.atLeastOne, span) }
  }

  package func arityError(_ expected: ArgumentCount, _ span: Span) -> Diagnostic {
    binder.arityError(name, expected, args.count, span)
  }

  /// Argument `i`, any type.
  package func any(_ i: Int, expected: DataType? = nil) throws -> BoundExpr { try binder.bind(args[i], expected: expected) }

  /// A numeric argument; `expected` types an untyped one (a parameter or null).
  package func numeric(_ i: Int, expected: DataType? = .float) throws -> BoundExpr {
    let b = try binder.bind(args[i], expected: expected)
    guard b.type.isNumeric else { throw binder.typeError(.functionNeedsNumber, [name.text], args[i], b.type) }
    return b
  }

  package func text(_ i: Int) throws -> BoundExpr {
    let e = args[i]
    let b = try binder.bind(e, expected: .text)
    guard b.type == .text else {
      throw Diagnostic(.functionNeedsText, name.text, binder.quoted(e), "\(b.type)", at: e.span, label: .typeName("\(b.type)"),
        help: .convertWithText(binder.snippet(e)))
    }
    return b
  }

  package func int(_ i: Int) throws -> BoundExpr {
    let b = try binder.bind(args[i], expected: .int)
    guard b.type == .int else { throw binder.typeError(.functionNeedsInteger, [name.text], args[i], b.type) }
    return b
  }

  /// Every argument, bound, then cast to the type they compare in (an error names the first
  /// argument and the one that does not fit).
  package func compared() throws -> BoundCall {
    let bound = try args.map { try binder.bind($0) }
    var t = bound[0].type
    for (i, b) in bound.enumerated() {
      t = try binder.commonType(t, b.type, args[0], args[i], opSpan: span, what: "compare")
    }
    return BoundCall(bound.map { binder.cast($0, t) }, t)
  }

  package func cast(_ e: BoundExpr, _ t: DataType) -> BoundExpr { binder.cast(e, t) }

  /// The value of argument `i`, bound as `b`, which must read no column (`what`, a phrase
  /// such as `pattern`, names it in the error; `example` is a constant to write instead).
  package func constant(_ i: Int, _ b: BoundExpr, what: DiagnosticText, example: String) throws -> Value {
    guard let v = try binder.constants.constantValue(of: b) else {
      throw Diagnostic(.argumentMustBeConstant, what.string, name.text, at: args[i].span, label: .readsAColumn,
        help: .writeItInQuotes(example))
    }
    return v
  }
}

/// An aggregate call being bound: `binder` binds against the input rows, where another
/// aggregate is not allowed.
package struct AggregateCall {
  package let binder: ExpressionBinder
  package let name: Name
  package let args: [Expr]
  package let span: Span

  package func arityError(_ expected: ArgumentCount) -> Diagnostic {
    binder.arityError(name, expected, args.count, span)
  }

  /// The one argument of `sum(x)`-style aggregates.
  package func single() throws -> BoundExpr {
    guard args.count == 1 else { throw arityError(.exactly(1)) }
    return try binder.bind(args[0])
  }

  /// The type of a numeric argument, else the aggregate's type error.
  package func numericType(_ argument: BoundExpr?) throws -> DataType {
    guard let t = argument?.type, t.isNumeric else {
      throw binder.typeError(.functionNeedsNumbers, [name.text], args[0], argument?.type ?? .text)
    }
    return t
  }
}
