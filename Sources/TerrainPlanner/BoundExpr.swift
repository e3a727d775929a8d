// Typed expressions: names resolved to column indices, types checked, casts explicit.

import TerrainStorage
import TerrainSyntax
import TerrainIO

/// Arithmetic on two operands of the same numeric type (`divide` is always on floats).
public enum ArithmeticOp: String, Sendable {
  case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%"
}

/// Comparison of two operands of the same type.
public enum CompareOp: String, Sendable {
  case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="

  /// The same comparison with its operands swapped (`a < b` ⇔ `b > a`).
  package var swapped: CompareOp {
    switch self {
    case .less: return .greater
    case .lessEqual: return .greaterEqual
    case .greater: return .less
    case .greaterEqual: return .lessEqual
    default: return self
    }
  }
}

/// A typed expression over the columns of one relation.
///
/// Invariants: every `column` index is valid for the relation it was bound against; operands of
/// `arithmetic`, `compare` and `conditional` have the result's (or a common) type, with `cast`
/// nodes inserted by the binder; constants hold a value of their type or null.
public indirect enum BoundExpr: Sendable {
  /// Column `index` of the input, e.g. `population`.
  case column(Int, DataType)
  /// `12`, `"69"`, a typed `null`.
  case constant(Value, DataType)
  /// `float(x)` inserted where an int meets a float. From int/float/text/bool to another type.
  case cast(BoundExpr, DataType)
  /// `a + b` (overflow on ints is an error reported at `span`).
  case arithmetic(ArithmeticOp, BoundExpr, BoundExpr, DataType, span: Span)
  /// `-a`.
  case negate(BoundExpr, DataType, span: Span)
  /// `a < b` on operands of one type.
  case compare(CompareOp, BoundExpr, BoundExpr)
  case and(BoundExpr, BoundExpr)
  case or(BoundExpr, BoundExpr)
  case not(BoundExpr)
  /// `a is null` (or `is not null` when negated): never null itself.
  case isNull(BoundExpr, negated: Bool)
  /// `a in (1, 2)` with constants of `a`'s type.
  case inList(BoundExpr, [Value], negated: Bool)
  /// `a || b` on text.
  case concat(BoundExpr, BoundExpr)
  /// `round(x, 1)` and the other scalar functions (their definitions are in a `FunctionRegistry`).
  case function(ScalarFunction, [BoundExpr], DataType, span: Span)
  /// `if(c, a, b)`.
  case conditional(BoundExpr, BoundExpr, BoundExpr, DataType)
  /// `coalesce(a, b, …)`.
  case coalesce([BoundExpr], DataType)
  /// `case when c then v … else e end`: the value of the first clause whose condition is true
  /// (null and false go on), else `e` (a null constant when the source has no `else`).
  case caseWhen([(condition: BoundExpr, value: BoundExpr)], otherwise: BoundExpr, DataType)
  /// `x like "F%"` (`%` any text, `_` one character), `not like`, `ilike` (case-insensitive).
  case like(BoundExpr, pattern: BoundExpr, negated: Bool, caseInsensitive: Bool)

  /// The expression's result type.
  public var type: DataType {
    switch self {
    case .column(_, let t), .constant(_, let t), .cast(_, let t): return t
    case .arithmetic(_, _, _, let t, _), .negate(_, let t, _): return t
    case .compare, .and, .or, .not, .isNull, .inList, .like: return .bool
    case .concat: return .text
    case .function(_, _, let t, _), .conditional(_, _, _, let t), .coalesce(_, let t), .caseWhen(_, _, let t): return t
    }
  }

  /// The direct sub-expressions.
  public var children: [BoundExpr] {
    switch self {
    case .column, .constant: return []
    case .cast(let a, _), .negate(let a, _, _), .not(let a), .isNull(let a, _), .inList(let a, _, _): return [a]
    case .arithmetic(_, let a, let b, _, _), .compare(_, let a, let b), .and(let a, let b), .or(let a, let b),
      .concat(let a, let b):
      return [a, b]
    case .function(_, let args, _, _), .coalesce(let args, _): return args
    case .conditional(let c, let a, let b, _): return [c, a, b]
    case .caseWhen(let clauses, let otherwise, _): return clauses.flatMap { [$0.condition, $0.value] } + [otherwise]
    case .like(let a, let p, _, _): return [a, p]
    }
  }

  /// The same node with each direct sub-expression replaced by `f` of it.
  public func mappingChildren(_ f: (BoundExpr) throws -> BoundExpr) rethrows -> BoundExpr {
    switch self {
    case .column, .constant: return self
    case .cast(let a, let t): return .cast(try f(a), t)
    case .arithmetic(let op, let a, let b, let t, let s): return .arithmetic(op, try f(a), try f(b), t, span: s)
    case .negate(let a, let t, let s): return .negate(try f(a), t, span: s)
    case .compare(let op, let a, let b): return .compare(op, try f(a), try f(b))
    case .and(let a, let b): return .and(try f(a), try f(b))
    case .or(let a, let b): return .or(try f(a), try f(b))
    case .not(let a): return .not(try f(a))
    case .isNull(let a, let n): return .isNull(try f(a), negated: n)
    case .inList(let a, let vs, let n): return .inList(try f(a), vs, negated: n)
    case .concat(let a, let b): return .concat(try f(a), try f(b))
    case .function(let fn, let args, let t, let s): return .function(fn, try args.map(f), t, span: s)
    case .conditional(let c, let a, let b, let t): return .conditional(try f(c), try f(a), try f(b), t)
    case .coalesce(let args, let t): return .coalesce(try args.map(f), t)
    case .caseWhen(let clauses, let otherwise, let t):
      return .caseWhen(try clauses.map { (try f($0.condition), try f($0.value)) }, otherwise: try f(otherwise), t)
    case .like(let a, let p, let n, let ci): return .like(try f(a), pattern: try f(p), negated: n, caseInsensitive: ci)
    }
  }

  /// The same expression with each column reference replaced by `f(index, type)`.
  package func replacingColumns(_ f: (Int, DataType) -> BoundExpr) -> BoundExpr {
    if case .column(let i, let t) = self { return f(i, t) }
    return mappingChildren { $0.replacingColumns(f) }
  }

  /// Whether the expression reads no column (so it can be folded to a constant).
  public var isConstant: Bool {
    if case .column = self { return false }
    return children.allSatisfy(\.isConstant)
  }

  /// The constant value, if this is a constant.
  public var constantValue: Value? {
    if case .constant(let v, _) = self { return v }
    return nil
  }

  /// The column indices read.
  public var columnsRead: Set<Int> {
    if case .column(let i, _) = self { return [i] }
    return children.reduce(into: Set<Int>()) { $0.formUnion($1.columnsRead) }
  }

  /// Whether evaluating the expression can raise an error on some input (integer overflow,
  /// float overflow in `exp`/`pow`, a float too large for `int`; functions answer for
  /// themselves). Such expressions must only
  /// see the rows they are meant for, so they are not evaluated under a mask.
  public var canFail: Bool {
    switch self {
    case .arithmetic(let op, _, _, let t, _) where t == .int && op != .remainder: return true
    case .arithmetic(_, _, _, let t, _) where t == .date: return true
    case .negate(_, let t, _) where t == .int: return true
    case .function(let f, let args, let t, _) where f.definition.canFail(args, type: t): return true
    case .cast(let a, let t) where t == .int && a.type == .float: return true
    default: break
    }
    return children.contains { $0.canFail }
  }

  /// Nesting depth (for limits).
  public var depth: Int { 1 + (children.map(\.depth).max() ?? 0) }

  /// A readable form for `.explain`, with column names from `names`.
  public func describe(_ names: [String]) -> String {
    func d(_ e: BoundExpr) -> String { e.describe(names) }
    switch self {
    case .column(let i, _): return i < names.count ? names[i] : "#\(i)"
    case .constant(let v, let t):
      if case .text(let s) = v { return "\"\(s)\"" }
      return v.isNull ? "null::\(t)" : v.description
    case .cast(let a, let t): return "\(t)(\(d(a)))"
    case .arithmetic(let op, let a, let b, _, _): return "(\(d(a)) \(op.rawValue) \(d(b)))"
    case .negate(let a, _, _): return "-\(d(a))"
    case .compare(let op, let a, let b): return "(\(d(a)) \(op.rawValue) \(d(b)))"
    case .and(let a, let b): return "(\(d(a)) and \(d(b)))"
    case .or(let a, let b): return "(\(d(a)) or \(d(b)))"
    case .not(let a): return "not \(d(a))"
    case .isNull(let a, let n): return "(\(d(a)) is \(n ? "not " : "")null)"
    case .inList(let a, let vs, let n):
      let items = vs.map { v -> String in
        if case .text(let s) = v { return "\"\(s)\"" }
        return v.description
      }
      return "(\(d(a)) \(n ? "not " : "")in (\(items.joined(separator: ", "))))"
    case .concat(let a, let b): return "(\(d(a)) || \(d(b)))"
    case .function(let f, let args, _, _): return "\(f.rawValue)(\(args.map(d).joined(separator: ", ")))"
    case .conditional(let c, let a, let b, _): return "if(\(d(c)), \(d(a)), \(d(b)))"
    case .coalesce(let args, _): return "coalesce(\(args.map(d).joined(separator: ", ")))"
    case .caseWhen(let clauses, let otherwise, _):
      let whens = clauses.map { "when \(d($0.condition)) then \(d($0.value))" }.joined(separator: " ")
      if case .constant(let v, _) = otherwise, v.isNull { return "case \(whens) end" }
      return "case \(whens) else \(d(otherwise)) end"
    case .like(let a, let p, let n, let ci): return "(\(d(a)) \(n ? "not " : "")\(ci ? "ilike" : "like") \(d(p)))"
    }
  }
}

/// One aggregate computed per group, over an argument evaluated on the input rows.
public struct AggregateSpec: Sendable {
  public var function: AggregateFunction
  /// nil for `count()`.
  public var argument: BoundExpr?
  /// For `quantile`.
  public var fraction: Double
  public var resultType: DataType
  public var span: Span
  /// The order of text for `min`/`max` (the session's when the pipeline was planned).
  public var collation: Collation

  package init(function: AggregateFunction, argument: BoundExpr? = nil, fraction: Double, resultType: DataType, span: Span,
    collation: Collation = .default) {
    self.function = function
    self.argument = argument
    self.fraction = fraction
    self.resultType = resultType
    self.span = span
    self.collation = collation
  }
}
