// Resolves names and checks types: `Expr` → `BoundExpr`.

import Foundation
import TerrainStorage
import TerrainSyntax
import TerrainIO

/// Collects the aggregate calls of an `aggregate` stage while its items are bound.
package final class AggregateCollector {
  /// The `by` keys, by name, and their positions in the aggregate's output.
  package let keyNames: [String]
  package let keyTypes: [DataType]
  package private(set) var specs: [AggregateSpec] = []

  package init(keyNames: [String], keyTypes: [DataType]) {
    self.keyNames = keyNames
    self.keyTypes = keyTypes
  }

  /// Adds a spec and returns its column in the aggregate's output (after the keys).
  package func add(_ spec: AggregateSpec) -> BoundExpr {
    specs.append(spec)
    return .column(keyNames.count + specs.count - 1, spec.resultType)
  }
}

/// Binds expressions against the fields of one relation.
/// How many arguments a function takes, for the message when a call gives another count.
package enum ArgumentCount: Sendable {
  case exactly(Int)
  /// From the first to the second, said "1 or 2".
  case between(Int, Int)
  case atLeastOne
}

package struct ExpressionBinder {
  package var fields: [Field]
  /// For messages: `in \`communes\``.
  package var sourceName: String
  package var parameters: [String: ParameterValue]
  /// Folds the expressions that must be constants (`quantile`'s fraction).
  package var constants: any ConstantEvaluator
  /// The scalar functions and aggregates calls can name.
  package var functions: FunctionRegistry
  /// Set while binding the items of `aggregate`.
  package var aggregates: AggregateCollector?
  /// Set while binding the argument of an aggregate (where another aggregate is not allowed).
  package var insideAggregate = false
  /// Set while binding the items of a `derive` (a window when it collects something).
  package var windows: WindowCollector?
  /// Whether `TABLE.col` may name this relation as `TABLE`.
  package var qualifier: String?
  /// The order of text for the aggregates bound here (`min`/`max`): the session's.
  package var collation: Collation = .default

  package init(
    fields: [Field], sourceName: String, parameters: [String: ParameterValue], constants: any ConstantEvaluator,
    functions: FunctionRegistry, qualifier: String? = nil
  ) {
    self.fields = fields
    self.sourceName = sourceName
    self.parameters = parameters
    self.constants = constants
    self.functions = functions
    self.qualifier = qualifier
  }

  // MARK: entry points

  /// Binds an expression that must be a boolean (a `where` condition).
  package func bindPredicate(_ e: Expr) throws -> BoundExpr {
    let b = try bind(e)
    guard b.type == .bool else {
      // `c1 || c2` (SQL's string concatenation read as C's or): the condition is text.
      var bars = false
      if case .binary(.concat, _, _, _) = e.kind { bars = true }
      throw Diagnostic(.conditionNotBool, "\(b.type)", at: e.span,
        label: .typeNotBool("\(b.type)"), help: bars ? .useOrNotBars : .compareIt(snippet(e)))
    }
    return b
  }

  package func bind(_ e: Expr, expected: DataType? = nil) throws -> BoundExpr {
    switch e.kind {
    case .column(let name, let table):
      return try bindColumn(name, table: table, span: e.span)
    case .integer(let digits):
      guard let v = Int64(digits) else {
        if let d = Double(digits), expected == .float { return .constant(.float(d), .float) }
        throw Diagnostic(.integerTooLarge, digits, at: e.span, label: .tooLarge,
          help: .writeAsFloat(digits))
      }
      if expected == .float { return .constant(.float(Double(v)), .float) }
      return .constant(.int(v), .int)
    case .float(let v):
      return .constant(.float(v), .float)
    case .string(let s):
      return .constant(.text(s), .text)
    case .bool(let b):
      return .constant(.bool(b), .bool)
    case .null:
      return .constant(.null, expected ?? .int)
    case .parameter(let p):
      return try bindParameter(p, expected: expected, span: e.span)
    case .negate(let a):
      let x = try bind(a, expected: expected)
      guard x.type.isNumeric else { throw typeError(.minusNeedsNumber, [], a, x.type) }
      return .negate(x, x.type, span: e.span)
    case .not(let a):
      let x = try bind(a, expected: .bool)
      guard x.type == .bool else { throw typeError(.notNeedsCondition, [], a, x.type) }
      return .not(x)
    case .binary(let op, let a, let b, let opSpan):
      return try bindBinary(op, a, b, opSpan: opSpan, span: e.span)
    case .call(let name, let args):
      return try bindCall(name, args, span: e.span)
    case .inList(let a, let items, let negated):
      return try bindIn(a, items, negated: negated)
    case .between(let x, let lo, let hi, let negated):
      let ge = try bindBinary(.greaterEqual, x, lo, opSpan: e.span, span: e.span)
      let le = try bindBinary(.lessEqual, x, hi, opSpan: e.span, span: e.span)
      let both = BoundExpr.and(ge, le)
      return negated ? .not(both) : both
    case .isNull(let a, let negated):
      return .isNull(try bind(a), negated: negated)
    case .caseWhen(let clauses, let otherwise):
      return try bindCase(clauses, otherwise)
    case .like(let a, let pattern, let negated, let caseInsensitive, let opSpan):
      return try bindLike(a, pattern, negated: negated, caseInsensitive: caseInsensitive, opSpan: opSpan)
    }
  }

  // MARK: case, like

  /// `case when … then … else … end`: conditions are conditions; the values (`then`s and
  /// `else`) share one type, `int` with `float` giving `float`, as in `if` and `coalesce`.
  private func bindCase(_ clauses: [WhenClause], _ otherwise: Expr?) throws -> BoundExpr {
    let conditions = try clauses.map { clause -> BoundExpr in
      let c = try bind(clause.condition, expected: .bool)
      guard c.type == .bool else {
        throw Diagnostic(.whenNeedsCondition, quoted(clause.condition), "\(c.type)", at: clause.condition.span,
          label: .typeNotBool("\(c.type)"), help: .compareItInWhen(snippet(clause.condition)))
      }
      return c
    }
    let values = clauses.map(\.value) + (otherwise.map { [$0] } ?? [])
    func branch(_ i: Int) -> String {
      i < clauses.count ? DiagnosticText.thenOfWhen(String(i + 1)).string : DiagnosticText.theElse.string
    }
    var type: DataType?
    var first = 0
    // Typed values are bound once (an aggregate inside is collected once); untyped ones (null,
    // a parameter) take the common type afterwards.
    var typed: [Int: BoundExpr] = [:]
    for (i, v) in values.enumerated() where !isUntyped(v) {
      let b = try bind(v)
      typed[i] = b
      let t = b.type
      guard let current = type else {
        type = t
        first = i
        continue
      }
      if current == t { continue }
      if current.isNumeric && t.isNumeric {
        type = .float
        continue
      }
      var d = Diagnostic(.caseValuesClash, branch(i), "\(t)", branch(first), "\(current)", at: v.span,
        label: .typeName("\(t)"), help: .convertOneValue)
      d.secondaryLabels.append(Diagnostic.Label(values[first].span, DiagnosticText.typeName("\(current)").string))
      throw d
    }
    let t = type ?? .int
    let bound = try values.indices.map { i in cast(try typed[i] ?? bind(values[i], expected: t), t) }
    let pairs = clauses.indices.map { (condition: conditions[$0], value: bound[$0]) }
    let otherwiseValue = otherwise == nil ? BoundExpr.constant(.null, t) : bound[clauses.count]
    return .caseWhen(pairs, otherwise: otherwiseValue, t)
  }

  /// `x like p`, `x not like p`, `x ilike p`: text on both sides.
  private func bindLike(_ a: Expr, _ pattern: Expr, negated: Bool, caseInsensitive: Bool, opSpan: Span) throws -> BoundExpr {
    let op = (negated ? "not " : "") + (caseInsensitive ? "ilike" : "like")
    let x = try bind(a, expected: .text)
    guard x.type == .text else {
      let help: DiagnosticText = isColumnRef(a)
        ? .likeOnNumberColumn(snippet(a), "\(x.type)", snippet(a), op) : .convertWithText(snippet(a))
      throw Diagnostic(.likeNeedsText, op, quoted(a), "\(x.type)", at: a.span, label: .typeNotText("\(x.type)"), help: help)
    }
    let p = try bind(pattern, expected: .text)
    guard p.type == .text else {
      throw Diagnostic(.likePatternNotText, op, quoted(pattern), "\(p.type)", at: pattern.span,
        label: .typeNotText("\(p.type)"), help: .likePatternInQuotes)
    }
    return .like(x, pattern: p, negated: negated, caseInsensitive: caseInsensitive)
  }

  // MARK: names

  private func bindColumn(_ name: Name, table: Name?, span: Span) throws -> BoundExpr {
    if let table {
      guard let q = qualifier, q == table.text else {
        var where_: DiagnosticText = qualifier.map { .onlyQualifier($0) } ?? .columnsWithoutTable
        // After a join, the right table's columns are named without it (`population_epci` when
        // the name clashed, else as they were): say which one exists.
        if let joined = ["\(name.text)_\(table.text)", name.text].first(where: { n in fields.contains { $0.name == n } }) {
          where_ = .joinedColumnIs(table.text + "." + name.text, joined)
        }
        throw Diagnostic(.unknownQualifier, table.text, table.text, name.text, at: table.span,
          label: .notInScope, help: where_)
      }
    }
    if let agg = aggregates {
      if let k = agg.keyNames.firstIndex(of: name.text) { return .column(k, agg.keyTypes[k]) }
      if fields.contains(where: { $0.name == name.text }) {
        throw Diagnostic(.columnNotGrouped, name.text, at: name.span,
          label: .notGrouped, help: .useAggregateOrBy(name.text))
      }
    }
    if let i = fields.firstIndex(where: { $0.name == name.text }) {
      return .column(i, fields[i].type)
    }
    throw unknownColumnError(name.text, at: name.span, in: sourceName, columns: fields.map(\.name))
  }

  private func bindParameter(_ p: String, expected: DataType?, span: Span) throws -> BoundExpr {
    guard let parameter = parameters[p] else {
      throw Diagnostic(.undefinedParameter, p, at: span, label: .notDefined,
        help: .defineParameter(p, p))
    }
    let raw: String
    switch parameter {
    case .typed(let value): return bindTypedParameter(value, expected: expected)
    case .untyped(let text): raw = text
    }
    let trimmed = raw.trimmingCharacters(in: .whitespaces)
    switch expected {
    case .text: return .constant(.text(raw), .text)
    case .int:
      if let v = Int64(trimmed.replacingOccurrences(of: "_", with: "")) { return .constant(.int(v), .int) }
      if let d = Double(trimmed), d.isFinite { return .constant(.float(d), .float) }
      throw Diagnostic(.parameterNotNumber, p, raw, at: span, label: .usedAsNumber)
    case .float:
      if let d = Double(trimmed.replacingOccurrences(of: "_", with: "")), d.isFinite { return .constant(.float(d), .float) }
      throw Diagnostic(.parameterNotNumber, p, raw, at: span, label: .usedAsNumber)
    case .bool:
      switch trimmed.lowercased() {
      case "true": return .constant(.bool(true), .bool)
      case "false": return .constant(.bool(false), .bool)
      default:
        throw Diagnostic(.parameterNotBool, p, raw, at: span, label: .usedAsCondition)
      }
    case .date:
      // Beside a date: a date in either form, or a number of days (`d + $n`).
      if let d = CalendarDate.parse(trimmed) { return .constant(.date(d), .date) }
      if let v = Int64(trimmed) { return .constant(.int(v), .int) }
      throw Diagnostic(.parameterNotDate, p, raw, at: span, label: .notADate, help: .dateForms)
    case nil:
      if let v = Int64(trimmed), !trimmed.hasPrefix("0") || trimmed == "0" { return .constant(.int(v), .int) }
      if let d = Double(trimmed), d.isFinite, !trimmed.hasPrefix("0") || trimmed.hasPrefix("0.") {
        return .constant(.float(d), .float)
      }
      return .constant(.text(raw), .text)
    }
  }

  // MARK: operators

  private func isUntyped(_ e: Expr) -> Bool {
    switch e.kind {
    case .parameter, .null: return true
    default: return false
    }
  }

  /// Binds two operands so that an untyped one (parameter, null) takes the other's type.
  private func bindPair(_ a: Expr, _ b: Expr) throws -> (BoundExpr, BoundExpr) {
    if isUntyped(a) && !isUntyped(b) {
      let y = try bind(b)
      return (try bind(a, expected: y.type), y)
    }
    let x = try bind(a)
    return (x, try bind(b, expected: x.type))
  }

  private func bindBinary(_ op: BinaryOperator, _ a: Expr, _ b: Expr, opSpan: Span, span: Span) throws -> BoundExpr {
    switch op {
    case .and, .or:
      let x = try bind(a, expected: .bool)
      let y = try bind(b, expected: .bool)
      guard x.type == .bool else { throw typeError(.logicNeedsConditions, [op.rawValue], a, x.type) }
      guard y.type == .bool else { throw typeError(.logicNeedsConditions, [op.rawValue], b, y.type) }
      return op == .and ? .and(x, y) : .or(x, y)
    case .concat:
      let x = try bind(a, expected: .text)
      let y = try bind(b, expected: .text)
      return .concat(x.type == .text ? x : .cast(x, .text), y.type == .text ? y : .cast(y, .text))
    case .add, .subtract, .multiply, .divide, .remainder:
      let (x, y) = try bindPair(a, b)
      if let d = try bindDateArithmetic(op, x, y, a, b, span: span) { return d }
      if x.type == .text || y.type == .text, op == .add {
        throw Diagnostic(.plusCannotAddText, at: opSpan, label: .textOperand,
          help: .joinTextWithBars)
      }
      guard x.type.isNumeric else { throw typeError(.operatorNeedsNumbers, [op.rawValue], a, x.type) }
      guard y.type.isNumeric else { throw typeError(.operatorNeedsNumbers, [op.rawValue], b, y.type) }
      let t: DataType = (op == .divide || x.type == .float || y.type == .float) ? .float : .int
      return .arithmetic(ArithmeticOp(rawValue: op.rawValue) ?? .add, cast(x, t), cast(y, t), t, span: span)
    case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual:
      let (x0, y0) = try bindPair(a, b)
      let (x, y) = try dateComparisonOperands(x0, y0, a, b)
      let t = try commonType(x.type, y.type, a, b, opSpan: opSpan, what: "compare")
      return .compare(CompareOp(rawValue: op.rawValue) ?? .equal, cast(x, t), cast(y, t))
    }
  }

  package func cast(_ e: BoundExpr, _ t: DataType) -> BoundExpr {
    if e.type == t { return e }
    if case .constant(let v, _) = e {
      switch (v, t) {
      case (.null, _): return .constant(.null, t)
      case (.int(let i), .float): return .constant(.float(Double(i)), .float)
      default: break
      }
    }
    return .cast(e, t)
  }

  /// The type both operands are compared or combined in.
  package func commonType(_ x: DataType, _ y: DataType, _ a: Expr, _ b: Expr, opSpan: Span, what: String) throws -> DataType {
    if x == y { return x }
    if x.isNumeric && y.isNumeric { return .float }
    // Name the column's type in the message: the column first when there is one.
    let swap = !isColumnRef(a) && isColumnRef(b)
    let (colExpr, colType, otherExpr, otherType) = swap ? (b, y, a, x) : (a, x, b, y)
    var help: DiagnosticText
    if isColumnRef(colExpr), colType == .text, otherType.isNumeric, case .integer(let digits) = otherExpr.kind {
      help = .columnIsTextQuote(snippet(colExpr), digits)
    } else if isColumnRef(colExpr), what == "compare", colType.isNumeric, otherType == .text {
      help = .columnIsNumber(snippet(colExpr))
    } else {
      help = .convertOneSide
    }
    throw Diagnostic(what == "compare" ? .cannotCompare : .cannotCombine, describeOperand(colExpr, colType), describeOperand(otherExpr, otherType),
      at: a.span.merged(b.span), label: .typeVersusType("\(colType)", "\(otherType)"), help: help)
  }

  private func isColumnRef(_ e: Expr) -> Bool {
    if case .column = e.kind { return true }
    return false
  }

  private func describeOperand(_ e: Expr, _ t: DataType) -> String {
    "\(quoted(e)) (\(t))"
  }

  /// A short source-like rendering of an expression for messages: operators written out
  /// (`population * 2`, `-x`, `x is null`) while the whole stays short, else `…`.
  package func snippet(_ e: Expr) -> String {
    guard let s = shortSnippet(e, depth: 0), s.count <= 40 else { return "…" }
    return s
  }

  /// The snippet in backquotes, or `the expression` when it is too long to show.
  package func quoted(_ e: Expr) -> String {
    let s = snippet(e)
    return s == "…" ? DiagnosticText.theExpression.string : "`" + s + "`"
  }

  /// `e` rendered, nested operators in brackets; nil beyond three levels.
  private func shortSnippet(_ e: Expr, depth: Int) -> String? {
    guard depth < 3 else { return nil }
    func operand(_ x: Expr) -> String? {
      guard let s = shortSnippet(x, depth: depth + 1) else { return nil }
      switch x.kind {
      case .binary, .between, .inList, .isNull, .not: return "(" + s + ")"
      default: return s
      }
    }
    switch e.kind {
    case .binary(let op, let a, let b, _):
      guard let l = operand(a), let r = operand(b) else { return nil }
      return "\(l) \(op.rawValue) \(r)"
    case .negate(let a): return operand(a).map { "-" + $0 }
    case .not(let a): return operand(a).map { "not " + $0 }
    case .isNull(let a, let negated): return operand(a).map { $0 + (negated ? " is not null" : " is null") }
    default: return leafSnippet(e)
    }
  }

  private func leafSnippet(_ e: Expr) -> String {
    switch e.kind {
    case .column(let n, let t): return (t.map { $0.text + "." } ?? "") + n.text
    case .integer(let s): return s
    case .float(let v): return formatFloat(v)
    case .string(let s): return "\"\(s)\""
    case .bool(let b): return b ? "true" : "false"
    case .null: return "null"
    case .parameter(let p): return "$" + p
    case .call(let n, _): return n.text + "(…)"
    default: return "…"
    }
  }

  /// `entry` with `arguments`, then the expression quoted and its type (the entry's last two
  /// `{}`: "`-` needs a number, but `name` is text"), labelled with the type.
  package func typeError(_ entry: DiagnosticMessage, _ arguments: [String], _ e: Expr, _ t: DataType) -> Diagnostic {
    Diagnostic(entry, arguments: arguments + [quoted(e), "\(t)"], at: e.span, label: .typeName("\(t)"))
  }

  private func bindIn(_ a: Expr, _ items: [Expr], negated: Bool) throws -> BoundExpr {
    var x = try bind(a)
    var values: [Value] = []
    var others: [BoundExpr] = []
    var boundItems: [BoundExpr] = []
    for item in items {
      let y = try dateComparisonOperands(x, try bind(item, expected: x.type), a, item).1
      _ = try commonType(x.type, y.type, a, item, opSpan: item.span, what: "compare")
      boundItems.append(y)
    }
    let t: DataType = boundItems.contains { $0.type == .float } ? .float : x.type
    x = cast(x, t)
    for y in boundItems {
      let c = cast(y, t)
      if let v = c.constantValue { values.append(v) } else { others.append(c) }
    }
    var result: BoundExpr = .inList(x, values, negated: false)
    for o in others { result = .or(result, .compare(.equal, x, o)) }
    return negated ? .not(result) : result
  }

  // MARK: calls

  private func bindCall(_ name: Name, _ args: [Expr], span: Span) throws -> BoundExpr {
    if let w = functions.window(named: name.text) {
      return try bindWindowFunction(w, name, args, span: span)
    }
    if let agg = functions.aggregate(named: name.text) {
      if let windows, aggregates == nil {
        return try bindWindowAggregate(agg, windows, name, args, span: span)
      }
      return try bindAggregate(agg, name, args, span: span)
    }
    // The special forms (`FunctionRegistry.specialForms`).
    switch name.text {
    case "if":
      try arity(name, args, 3)
      let c = try bind(args[0], expected: .bool)
      guard c.type == .bool else { throw typeError(.ifNeedsCondition, [], args[0], c.type) }
      let (x, y) = try bindPair(args[1], args[2])
      let t = try commonType(x.type, y.type, args[1], args[2], opSpan: span, what: "combine")
      return .conditional(c, cast(x, t), cast(y, t), t)
    case "coalesce":
      guard !args.isEmpty else { throw arityError(name, .atLeastOne, args.count, span) }
      var bound = try args.map { try bind($0) }
      let firstTyped = args.indices.first { !isUntyped(args[$0]) }
      var t = firstTyped.map { bound[$0].type } ?? .int
      for (i, b) in bound.enumerated() where !isUntyped(args[i]) {
        t = try commonType(t, b.type, args[firstTyped ?? 0], args[i], opSpan: span, what: "combine")
      }
      bound = try args.map { try bind($0, expected: t) }
      return .coalesce(bound.map { cast($0, t) }, t)
    default:
      break
    }
    guard let f = functions.scalar(named: name.text) else {
      let all = functions.callableNames + functions.windows.map(\.rawValue)
      throw Diagnostic(.unknownFunction, name.text, at: name.span, label: .notAFunction,
        help: closestName(to: name.text, in: all).map { .didYouMean($0) } ?? .helpFunctionsListsThem)
    }
    let call = try f.definition.bind(FunctionCall(binder: self, name: name, args: args, span: span))
    return .function(call.definition.map(ScalarFunction.init) ?? f, call.args, call.type, span: span)
  }

  private func arity(_ name: Name, _ args: [Expr], _ n: Int) throws {
    guard args.count == n else { throw arityError(name, .exactly(n), args.count, name.span) }
  }

  package func arityError(_ name: Name, _ expected: ArgumentCount, _ got: Int, _ span: Span) -> Diagnostic {
    let entry: DiagnosticMessage
    var counts: [String] = []
    switch expected {
    case .exactly(1): entry = .takesOneArgument
    case .exactly(let n):
      entry = .takesArguments
      counts = [String(n)]
    case .between(let lo, let hi):
      entry = hi == 1 ? .takesOrOneArgument : .takesArgumentsBetween
      counts = [String(lo), String(hi)]
    case .atLeastOne: entry = .takesAtLeastOneArgument
    }
    return Diagnostic(entry, arguments: [name.text] + counts + [String(got)], at: name.span,
      label: .wrongNumberOfArguments, help: .helpShowsHowToCall(name.text))
  }

  private func bindAggregate(_ f: AggregateFunction, _ name: Name, _ args: [Expr], span: Span) throws -> BoundExpr {
    guard let collector = aggregates else {
      if insideAggregate {
        throw Diagnostic(.nestedAggregate, name.text, at: name.span,
          label: .nestedAggregate, help: .aggregateOnce)
      }
      throw Diagnostic(.aggregateOutsideAggregate, name.text, at: name.span,
        label: .notInAggregate, help: .exampleAggregateCall(name.text, name.text))
    }
    // The argument is bound against the input rows, without the aggregate context.
    var inner = self
    inner.aggregates = nil
    inner.insideAggregate = true
    let bound = try f.definition.bind(AggregateCall(binder: inner, name: name, args: args, span: span))
    return collector.add(AggregateSpec(function: f, argument: bound.argument, fraction: bound.fraction,
      resultType: bound.resultType, span: span, collation: collation))
  }
}

// MARK: windows

extension ExpressionBinder {
  /// The binder for the arguments of a call inside a window: the input rows, no aggregate or
  /// window function.
  private var argumentBinder: ExpressionBinder {
    var inner = self
    inner.aggregates = nil
    inner.windows = nil
    inner.insideAggregate = true
    return inner
  }

  /// A window function (`rank()`, `lag(x)`): only in a `derive` with `sort`.
  fileprivate func bindWindowFunction(_ f: WindowFunction, _ name: Name, _ args: [Expr], span: Span) throws -> BoundExpr {
    let call = "`\(name.text)(\(args.isEmpty ? "" : "…"))`"
    guard let windows, aggregates == nil else {
      if insideAggregate {
        throw Diagnostic(.windowNested, call, at: span, label: .nestedWindowFunction, help: .computeWindowFirst)
      }
      throw Diagnostic(.windowOutsideDerive, call, at: span, label: .notInAWindowedDerive,
        help: .windowExample(name.text, args.isEmpty ? "" : "…"))
    }
    if f.definition.needsOrder && !windows.hasOrder {
      throw Diagnostic(.windowNeedsSort, call, at: span, label: .noSortInThisDerive,
        help: .windowSortExample(name.text, args.isEmpty ? "" : "…", windows.hasPartition ? " by …" : ""))
    }
    let bound = try f.definition.bind(WindowCall(binder: argumentBinder, name: name, args: args, span: span))
    let inputArgs = try bound.args.enumerated().map { i, a -> BoundExpr in
      guard let r = windows.inInputTerms(a) else { throw sameStageWindowError(name, i < args.count ? args[i].span : span) }
      return r
    }
    return windows.add(WindowSpec(function: f, args: inputArgs, parameters: bound.parameters, resultType: bound.type, span: span))
  }

  /// An aggregate in a `derive`: computed over the row's group and repeated on each row;
  /// `share(x)` is `x / sum(x)` over the group.
  fileprivate func bindWindowAggregate(_ f: AggregateFunction, _ windows: WindowCollector, _ name: Name, _ args: [Expr],
    span: Span) throws -> BoundExpr {
    let inner = argumentBinder
    if name.text == "share", let sum = functions.aggregate(named: "sum") {
      let call = AggregateCall(binder: inner, name: name, args: args, span: span)
      let x = try call.single()
      _ = try call.numericType(x)
      guard let input = windows.inInputTerms(cast(x, .float)) else { throw sameStageWindowError(name, args[0].span) }
      let total = windows.add(AggregateSpec(function: sum, argument: input, fraction: 0, resultType: .float, span: span,
        collation: collation))
      return .arithmetic(.divide, cast(x, .float), total, .float, span: span)
    }
    let bound = try f.definition.bind(AggregateCall(binder: inner, name: name, args: args, span: span))
    var argument = bound.argument
    if let a = argument {
      guard let r = windows.inInputTerms(a) else { throw sameStageWindowError(name, args.first?.span ?? span) }
      argument = r
    }
    return windows.add(AggregateSpec(function: f, argument: argument, fraction: bound.fraction, resultType: bound.resultType, span: span,
      collation: collation))
  }

  private func sameStageWindowError(_ name: Name, _ span: Span) -> Diagnostic {
    Diagnostic(.windowSameStage, name.text, at: span, label: .computedInThisDerive, help: .windowTwoDerives(name.text))
  }
}

extension Value {
  /// The value as a Double when it is a number.
  package var numeric: Double? {
    switch self {
    case .int(let i): return Double(i)
    case .float(let d): return d
    default: return nil
    }
  }
}

/// The error for a column `name` that `source` (a table or the pipeline's input) lacks: one form
/// wherever a column is looked up by name (expressions, stages, `pilots`). The help names the
/// closest column, else lists them when there are few, else points out a stage keyword written
/// without `|` before it.
package func unknownColumnError(_ name: String, at span: Span, in source: String, columns names: [String]) -> Diagnostic {
  var help: DiagnosticText? = closestName(to: name, in: names).map { .didYouMean($0) }
  if help == nil, names.count <= 12 { help = .columnsList(names.joined(separator: ", ")) }
  if help == nil, Grammar.terrain.stageKeywords.contains(name.lowercased()) { help = .newStageStartsWithBar }
  return Diagnostic(.unknownColumn, name, source, at: span, label: .notFound, help: help)
}
