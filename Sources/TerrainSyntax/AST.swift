// The parsed form of statements: names are still names, nothing is typed yet.

/// A name written in the source, with where it was written.
public struct Name: Sendable, Equatable {
  public var text: String
  public var span: Span

  package init(text: String, span: Span) {
    self.text = text
    self.span = span
  }
}

/// Binary operators, by their source spelling.
public enum BinaryOperator: String, Sendable {
  case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%"
  case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
  case and, or
  case concat = "||"

  package var isComparison: Bool {
    switch self {
    case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual: return true
    default: return false
    }
  }
  package var isArithmetic: Bool {
    switch self {
    case .add, .subtract, .multiply, .divide, .remainder: return true
    default: return false
    }
  }
}

/// An expression as written.
public indirect enum ExprKind: Sendable {
  /// `population` or `communes.population`.
  case column(Name, table: Name?)
  /// `12` (digits kept as text until the type is known, so overflow is reported at its span).
  case integer(String)
  /// `1.5`, `2e6`.
  case float(Double)
  /// `"Lyon"`.
  case string(String)
  /// `true`, `false`.
  case bool(Bool)
  /// `null`.
  case null
  /// `$dep`.
  case parameter(String)
  /// `-x`, `not x`.
  case negate(Expr)
  case not(Expr)
  /// `a + b`, `a == b`, `a and b`.
  case binary(BinaryOperator, Expr, Expr, operatorSpan: Span)
  /// `round(x, 1)`, `count()`.
  case call(Name, [Expr])
  /// `x in (a, b)`, `x not in (…)`.
  case inList(Expr, [Expr], negated: Bool)
  /// `x between a and b`.
  case between(Expr, Expr, Expr, negated: Bool)
  /// `x is null`, `x is not null`.
  case isNull(Expr, negated: Bool)
  /// `case when c then v … [else e] end` (no `else`: null).
  case caseWhen([WhenClause], otherwise: Expr?)
  /// `x like "F%"`, `x not like …`, `x ilike …` (`operatorSpan`: the keyword(s)).
  case like(Expr, pattern: Expr, negated: Bool, caseInsensitive: Bool, operatorSpan: Span)
}

/// One `when CONDITION then VALUE` of a `case`.
public struct WhenClause: Sendable {
  public var condition: Expr
  public var value: Expr

  public init(condition: Expr, value: Expr) {
    self.condition = condition
    self.value = value
  }
}

public struct Expr: Sendable {
  public var kind: ExprKind
  public var span: Span

  public init(kind: ExprKind, span: Span) {
    self.kind = kind
    self.span = span
  }
}

/// `name = expr`, or a bare column (`expr` is then that column and `name` its name).
public struct NamedExpr: Sendable {
  public var name: Name
  public var expr: Expr
  /// Whether the item was written `name = expr`.
  public var explicit: Bool
}

public struct SortKey: Sendable {
  public var expr: Expr
  public var descending: Bool
}

/// `with (name = value, …)`; a value is an expression or, for `types`, a list of `col: type`.
public struct OptionItem: Sendable {
  public enum Value: Sendable {
    case expr(Expr)
    case typeList([(Name, Name)])
    /// `("NA", "-")`.
    case list([Expr])
  }
  public var name: Name
  public var value: Value
}

/// A text written where the grammar takes a file path (`load`, `export`): a string, a
/// parameter read as text, or pieces of those joined with `||`, as in
/// `export "fiche_" || $siren || ".csv"`. Resolved when the statement runs, so that an
/// undefined parameter is reported at its span.
public struct PathText: Sendable {
  public enum PieceKind: Sendable {
    case literal(String)
    case parameter(String)
  }
  public struct Piece: Sendable {
    public var kind: PieceKind
    public var span: Span
  }
  /// At least one piece, in order.
  public var pieces: [Piece]
  /// From the first piece to the last.
  public var span: Span
}

/// One `| stage` of a pipeline: a value of the stage's own type (one of the parser's
/// `Grammar.stages`).
public struct StageNode: Sendable {
  public var stage: any StageSyntax
  /// The whole stage, keyword included.
  public var span: Span
  /// The stage keyword.
  public var keywordSpan: Span
}

/// `compare pilots on … [against peers where …]`.
public struct CompareSource: Sendable {
  public var indicators: [NamedExpr]
  /// Per indicator, whether it was followed by `asc` (a lower value is better: rank 1 is the
  /// lowest); `desc`, the default, ranks the highest first.
  public var ascending: [Bool]
  public var peers: Expr?
  public var span: Span
}

public enum PipelineSource: Sendable {
  case table(Name)
  case compare(CompareSource)
}

public struct Pipeline: Sendable {
  public var source: PipelineSource
  public var stages: [StageNode]
  public var span: Span
}

/// `pilots TABLE key COL = k, …` or `pilots TABLE where EXPR`.
public struct PilotsStatement: Sendable {
  public var table: Name
  public var key: Name?
  public var keys: [Expr]
  public var predicate: Expr?
}

/// A top-level statement.
public enum Statement: Sendable {
  case load(path: PathText, alias: Name?, options: [OptionItem])
  case assign(Name, Pipeline)
  case query(Pipeline)
  case pilots(PilotsStatement)
  /// `attach "CONNINFO" as NAME [with (schema = "public")]`: a PostgreSQL database whose
  /// tables are then `NAME.table`.
  case attach(conninfo: PathText, name: Name, options: [OptionItem])
  /// `.name rest-of-line`.
  case dot(name: String, argument: String)
}

public struct StatementNode: Sendable {
  public var statement: Statement
  public var span: Span
}
