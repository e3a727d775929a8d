// What binding needs to know of a window function (`rank()`, `lag(x)`, `cumsum(x)`, …), and
// what a windowed `derive` collects while its items are bound. The definitions live above, in
// TerrainFunctions/Window, where each one also builds its per-partition loop.

import TerrainStorage
import TerrainSyntax

/// A window function as the binder sees it: name, help, how a call binds.
package protocol WindowFunctionDefinition: Sendable {
  var name: String { get }
  var help: FunctionHelp { get }
  /// Whether the function needs the window's `sort` (every function of SPEC §3.1 does).
  var needsOrder: Bool { get }
  /// Whether the per-partition loop needs to know where runs of equal order keys start
  /// (`rank`, `dense_rank`, `percent_rank`).
  var needsPeers: Bool { get }
  /// Binds a call: per-row arguments, constant parameters, the result type.
  func bind(_ call: WindowCall) throws -> BoundWindowCall
}

extension WindowFunctionDefinition {
  package var needsOrder: Bool { true }
  package var needsPeers: Bool { false }
}

/// A window function call after binding.
package struct BoundWindowCall {
  /// Arguments evaluated on every input row (`x` of `lag(x, 2, 0)`, and its default).
  package var args: [BoundExpr]
  /// Constant parameters (`2` of `lag(x, 2)`, `n` of `ntile(n)` and `rolling_sum(x, n)`).
  package var parameters: [Int]
  package var type: DataType

  package init(args: [BoundExpr], parameters: [Int] = [], type: DataType) {
    self.args = args
    self.parameters = parameters
    self.type = type
  }
}

/// A window function in a `WindowSpec`: its definition.
public struct WindowFunction: Sendable {
  package let definition: any WindowFunctionDefinition
  package init(_ definition: any WindowFunctionDefinition) { self.definition = definition }
  /// The function's name, as written in queries.
  public var rawValue: String { definition.name }
}

/// One window function computed per row over its partition, in the window's order.
public struct WindowSpec: Sendable {
  public var function: WindowFunction
  /// Arguments over the input rows.
  public var args: [BoundExpr]
  public var parameters: [Int]
  public var resultType: DataType
  public var span: Span
  /// The order of text for `cummin`/`cummax` (the session's when the pipeline was planned).
  public var collation: Collation

  package init(function: WindowFunction, args: [BoundExpr], parameters: [Int], resultType: DataType, span: Span,
    collation: Collation = .default) {
    self.function = function
    self.args = args
    self.parameters = parameters
    self.resultType = resultType
    self.span = span
    self.collation = collation
  }
}

/// A window function call being bound: `binder` binds the arguments against the input rows
/// (where aggregates and window functions are not allowed).
package struct WindowCall {
  package let binder: ExpressionBinder
  package let name: Name
  package let args: [Expr]
  package let span: Span

  package init(binder: ExpressionBinder, name: Name, args: [Expr], span: Span) {
    self.binder = binder
    self.name = name
    self.args = args
    self.span = span
  }

  /// A count of arguments in `allowed`.
  package func arity(_ allowed: ClosedRange<Int>) throws {
    guard allowed.contains(args.count) else {
      let expected: ArgumentCount = allowed.count == 1 ? .exactly(allowed.lowerBound) : .between(allowed.lowerBound, allowed.upperBound)
      throw binder.arityError(name, expected, args.count, span)
    }
  }

  /// Argument `i`, any type.
  package func any(_ i: Int, expected: DataType? = nil) throws -> BoundExpr { try binder.bind(args[i], expected: expected) }

  /// A numeric argument.
  package func numeric(_ i: Int) throws -> BoundExpr {
    let b = try binder.bind(args[i], expected: .float)
    guard b.type.isNumeric else { throw binder.typeError(.functionNeedsNumber, [name.text], args[i], b.type) }
    return b
  }

  /// Argument `i` as a constant integer of at least `minimum` (`ntile(4)`, `lag(x, 2)`).
  package func constantInt(_ i: Int, minimum: Int, what: DiagnosticText) throws -> Int {
    let e = args[i]
    let b = try binder.bind(e, expected: .int)
    guard b.type == .int, b.isConstant else {
      throw Diagnostic(.windowParameterNotConstant, what.string, name.text, at: e.span, label: .notAConstantInteger,
        help: .windowParameterExample(name.text, name.text == "ntile" ? "4" : "x, 3"))
    }
    guard case .int(let v) = try binder.constants.value(of: b), v >= Int64(minimum), v <= Int64(Int32.max) else {
      throw Diagnostic(.windowParameterOutOfRange, what.string, name.text, "\(minimum)", "\(Int32.max)", at: e.span,
        label: .outOfRange, help: .helpShowsHowToCall(name.text))
    }
    return Int(v)
  }
}

/// Collects the aggregates and window functions of a windowed `derive` while its items are
/// bound. Each call becomes a placeholder column (`placeholderBase + k`) that the derive's
/// planning maps to the window step's output.
package final class WindowCollector {
  /// Placeholder columns start here, far above any real column index.
  package static let placeholderBase = 1 << 40
  /// Whether the derive has a `sort` (window functions need one).
  package let hasOrder: Bool
  /// Whether the derive has `by` (for messages).
  package let hasPartition: Bool
  /// The definitions of the columns in scope, in input terms: arguments are rewritten with them.
  package var definitions: [BoundExpr] = []
  package private(set) var aggregates: [AggregateSpec] = []
  package private(set) var functions: [WindowSpec] = []
  /// Per placeholder: (is a window function, index in its list).
  package private(set) var slots: [(window: Bool, index: Int)] = []

  package init(hasOrder: Bool, hasPartition: Bool) {
    self.hasOrder = hasOrder
    self.hasPartition = hasPartition
  }

  /// `e` over the input columns (columns derived earlier in the stage replaced by their
  /// definitions); nil when it reads a column a window computes in the same stage.
  package func inInputTerms(_ e: BoundExpr) -> BoundExpr? {
    let defs = definitions
    let r = e.replacingColumns { i, t in i < defs.count ? defs[i] : .column(i, t) }
    return r.columnsRead.contains { $0 >= WindowCollector.placeholderBase } ? nil : r
  }

  package func add(_ spec: AggregateSpec) -> BoundExpr {
    aggregates.append(spec)
    slots.append((false, aggregates.count - 1))
    return .column(WindowCollector.placeholderBase + slots.count - 1, spec.resultType)
  }

  package func add(_ spec: WindowSpec) -> BoundExpr {
    functions.append(spec)
    slots.append((true, functions.count - 1))
    return .column(WindowCollector.placeholderBase + slots.count - 1, spec.resultType)
  }

  /// Whether anything was collected (otherwise the derive is a plain projection).
  package var isEmpty: Bool { slots.isEmpty }
}
