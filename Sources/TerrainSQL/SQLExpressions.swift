// Bound expressions, casts and constants as PostgreSQL expressions, with terrain's rules.

import Foundation
import TerrainStorage
import TerrainSyntax
import TerrainPlanner

/// The PostgreSQL type of a terrain type.
package func sqlType(_ t: DataType) -> String {
  switch t {
  case .int: return "bigint"
  case .float: return "double precision"
  case .text: return "text"
  case .bool: return "boolean"
  case .date: return "date"
  }
}

/// A constant; `bare` writes an integer without its cast (where the other operand gives the
/// type: `population > 10000`). Elsewhere an integer is a bigint, as in terrain (PostgreSQL
/// would make `2147483647 + 1` an int4 and fail).
func literal(_ v: Value, _ t: DataType, bare: Bool = false) -> String {
  switch v {
  case .null: return "NULL::\(sqlType(t))"
  case .int(let i): return bare ? String(i) : "\(i)::bigint"
  case .float(let d):
    if d.isNaN { return "'NaN'::float8" }
    if d.isInfinite { return d < 0 ? "'-Infinity'::float8" : "'Infinity'::float8" }
    return "'\(d)'::float8"
  case .text(let s): return quoteSQLText(s)
  case .bool(let b): return b ? "TRUE" : "FALSE"
  case .date(let d): return "DATE '\(CalendarDate.iso(d))'"
  }
}

/// Whether a SQL text needs no brackets as an operand (a name, a number, a quoted constant).
private func isAtom(_ s: String) -> Bool {
  if s.hasPrefix("(") && s.hasSuffix(")") && balanced(s) { return true }
  // A call: `count(*)`, `min(t0."x")`.
  if s.hasSuffix(")"), let open = s.firstIndex(of: "("), open > s.startIndex,
    s[..<open].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), balanced(String(s[open...])) {
    return true
  }
  // A cast of an atom: `t0."population"::float8`.
  if let r = s.range(of: "::", options: .backwards), s[r.upperBound...].allSatisfy({ $0.isLetter || $0.isNumber }),
    !s[..<r.lowerBound].isEmpty, isAtom(String(s[..<r.lowerBound])) {
    return true
  }
  return !s.contains { " +-*/%<>=|,:".contains($0) } || (s.hasPrefix("'") && s.hasSuffix("'") && !s.dropFirst().dropLast().contains("'"))
}

/// Whether the brackets of `s` opened first closes last (`(a) + (b)` is not).
private func balanced(_ s: String) -> Bool {
  var depth = 0
  var inQuote = false
  for (i, ch) in s.enumerated() {
    if ch == "'" || ch == "\"" { inQuote.toggle() }
    if inQuote { continue }
    if ch == "(" { depth += 1 }
    if ch == ")" {
      depth -= 1
      if depth == 0 && i < s.count - 1 { return false }
    }
  }
  return true
}

func paren(_ s: String) -> String { isAtom(s) ? s : "(\(s))" }

/// `value` converted from `from` to `to` as terrain's casts do: a float to int truncates
/// (PostgreSQL's cast rounds), text that is not a number or a date is null (PostgreSQL's cast
/// fails), a date is written `YYYY-MM-DD`.
func castSQL(_ value: String, from: DataType, to: DataType) -> String {
  let x = paren(value)
  if from == to { return value }
  switch (from, to) {
  case (.int, .float): return "\(x)::float8"
  case (.bool, .int): return "\(x)::int4::bigint"
  case (.bool, .float): return "\(x)::int4::float8"
  case (.float, .int): return "trunc(\(x))::bigint"
  case (.int, .bool), (.float, .bool): return "(\(x) <> 0)"
  case (.text, .int):
    // Out of range is null too (PostgreSQL's cast fails): checked on the numeric value.
    let t = "btrim(\(value))"
    return "CASE WHEN \(t) ~ '^[+-]?[0-9]+$' AND abs(\(t)::numeric) <= 9223372036854775807 THEN \(t)::bigint "
      + "WHEN \(t) ~ '\(floatPattern)' AND abs(\(t)::numeric) < 9.2e18 THEN trunc(\(t)::numeric)::bigint END"
  case (.text, .float):
    // "inf", "nan" and "1e400" are not numbers in terrain (null); a tiny value is 0.
    let t = "replace(btrim(\(value)), ',', '.')"
    return "CASE WHEN \(t) ~ '\(floatPattern)' THEN CASE WHEN abs(\(t)::numeric) >= 1.7976931348623157e308 THEN NULL "
      + "WHEN abs(\(t)::numeric) < 1e-300 THEN 0::float8 ELSE \(t)::float8 END END"
  case (.text, .bool):
    return "CASE lower(\(value)) WHEN 'true' THEN TRUE WHEN 'false' THEN FALSE END"
  case (.text, .date):
    return dateFromText("btrim(\(value))")
  case (.date, .text): return "to_char(\(x), 'YYYY-MM-DD')"
  case (.float, .text):
    // terrain writes a whole float with `.0` (`12.0`), PostgreSQL without.
    return "CASE WHEN \(x) = trunc(\(x)) AND abs(\(x)) < 1e15 THEN trunc(\(x))::numeric::text || '.0' ELSE \(x)::text END"
  case (_, .text): return "\(x)::text"
  default: return "\(x)::\(sqlType(to))"
  }
}

/// A decimal number as text (terrain's parse of text to a number).
private let floatPattern = "^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$"

/// `YYYY-MM-DD` or `DD/MM/YYYY` (day first) as a date, null when it is not a real day (a
/// PostgreSQL cast would fail on `2023-02-30`).
func dateFromText(_ t: String) -> String {
  let iso = validDate(y: "substr(\(t), 1, 4)::int", m: "substr(\(t), 6, 2)::int", d: "substr(\(t), 9, 2)::int")
  let fr = validDate(y: "substr(\(t), 7, 4)::int", m: "substr(\(t), 4, 2)::int", d: "substr(\(t), 1, 2)::int")
  return "CASE WHEN \(t) ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN \(iso) WHEN \(t) ~ '^[0-9]{2}/[0-9]{2}/[0-9]{4}$' THEN \(fr) END"
}

/// `make_date(y, m, d)` when it is a real day, else null (PostgreSQL's `make_date` fails).
func validDate(y: String, m: String, d: String) -> String {
  "CASE WHEN \(m) BETWEEN 1 AND 12 AND \(d) BETWEEN 1 AND 31 AND \(y) BETWEEN 1 AND 9999 "
    + "AND \(d) <= extract(day from make_date(\(y), \(m), 1) + interval '1 month' - interval '1 day') "
    + "THEN make_date(\(y), \(m), \(d)) END"
}

extension SQLCompiler {
  /// The SQL of `e` over `columns` (the SQL of each input column, inlined).
  mutating func sql(_ e: BoundExpr, _ columns: [SQLColumn]) throws -> String {
    func s(_ x: BoundExpr) throws -> String { try sql(x, columns) }
    switch e {
    case .column(let i, _):
      guard i < columns.count else { return "NULL" }
      return paren(columns[i].sql)
    case .constant(let v, let t):
      return literal(v, t)
    case .cast(let a, let t):
      return castNoted(try s(a), from: a.type, to: t)
    case .arithmetic(let op, let a, let b, let t, _):
      // One side's type gives the other's: `x + 1` stays a bigint operation.
      var x = a.isConstant && !b.isConstant ? try bareOperand(a, columns) : paren(try s(a))
      if a.isConstant && b.isConstant && e.canFail { x = unfoldable(x) }
      let y = b.isConstant && !a.isConstant ? try bareOperand(b, columns) : paren(try s(b))
      switch (op, t) {
      case (.divide, _):
        // `/` is float division (the binder made both sides floats); `x / 0` is null. A divisor
        // that is a constant other than 0 needs no NULLIF (the statement reads as a person's).
        switch b.constantValue {
        case .float(let d)? where d != 0 && d.isFinite: return "\(x) / \(y)"
        case .int(let d)? where d != 0: return "\(x) / \(y)"
        default: break
        }
        note("`/` divides floats and `x / 0` is null, as in terrain: NULLIF(divisor, 0)")
        return "\(x) / NULLIF(\(y), 0)"
      case (.remainder, .int):
        return "\(x) % NULLIF(\(y), 0)"
      case (.remainder, _):
        // No float `%` in PostgreSQL: x - y·trunc(x / y), null for y = 0.
        return "\(x) - \(y) * trunc(\(x) / NULLIF(\(y), 0))"
      case (_, .date):
        // date ± days (PostgreSQL adds an integer of days to a date).
        return "\(x) \(op.rawValue) (\(y))::int4"
      case (.subtract, .int) where a.type == .date:
        return "(\(x) - \(y))::bigint"
      default:
        return "\(x) \(op.rawValue) \(y)"
      }
    case .negate(let a, _, _):
      return "- \(a.isConstant && e.canFail ? unfoldable(try s(a)) : paren(try s(a)))"
    case .compare(let op, let a, let b):
      let x = a.isConstant && !b.isConstant ? try bareOperand(a, columns) : paren(try s(a))
      let y = b.isConstant && !a.isConstant ? try bareOperand(b, columns) : paren(try s(b))
      let sqlOp: String
      switch op {
      case .equal: sqlOp = "="
      case .notEqual: sqlOp = "<>"
      default: sqlOp = op.rawValue
      }
      // `<` `>` on text compare code points in terrain whatever the collation; equality is exact
      // (deterministic collations compare bytes).
      if a.type == .text && op != .equal && op != .notEqual {
        note("`<` `>` on text compare code points, as in terrain: COLLATE \"C\"")
        return "\(x) COLLATE \"C\" \(sqlOp) \(y)"
      }
      if a.type == .text { textEquality() }
      return "\(x) \(sqlOp) \(y)"
    case .and(let a, let b): return "\(paren(try s(a))) AND \(paren(try s(b)))"
    case .or(let a, let b): return "\(paren(try s(a))) OR \(paren(try s(b)))"
    case .not(let a): return "NOT \(paren(try s(a)))"
    case .isNull(let a, let negated): return "\(paren(try s(a))) IS \(negated ? "NOT " : "")NULL"
    case .inList(let a, let values, let negated):
      if a.type == .text { textEquality() }
      let items = values.map { literal($0, a.type, bare: true) }.joined(separator: ", ")
      return "\(paren(try s(a))) \(negated ? "NOT " : "")IN (\(items))"
    case .concat(let a, let b): return "\(paren(try s(a))) || \(paren(try s(b)))"
    case .function(let f, let args, let t, let span):
      return try function(f, args, type: t, span: span, columns)
    case .conditional(let c, let a, let b, _):
      return "CASE WHEN \(try s(c)) THEN \(try s(a)) ELSE \(try s(b)) END"
    case .coalesce(let args, _):
      return "COALESCE(" + (try args.map(s)).joined(separator: ", ") + ")"
    case .caseWhen(let clauses, let otherwise, _):
      let whens = try clauses.map { "WHEN \(try s($0.condition)) THEN \(try s($0.value))" }.joined(separator: " ")
      return "CASE \(whens) ELSE \(try s(otherwise)) END"
    case .like(let a, let p, let negated, let ci):
      // terrain's patterns have no escape character: `ESCAPE ''` turns PostgreSQL's off.
      return "\(paren(try s(a))) \(negated ? "NOT " : "")\(ci ? "ILIKE" : "LIKE") \(paren(try s(p))) ESCAPE ''"
    }
  }

  /// `castSQL`, with a note in the SQL where text is read as a number, bool or date.
  mutating func castNoted(_ value: String, from: DataType, to: DataType) -> String {
    if from == .text && to != .text {
      note("text that is not a \(to == .date ? "date" : to == .bool ? "bool" : "number") gives null, as in terrain (a PostgreSQL cast would fail)")
    }
    return castSQL(value, from: from, to: to)
  }

  /// A constant that PostgreSQL does not fold while planning (`+ 0 * pg_backend_pid()`, a
  /// stable function): an error of a constant operation (`9223372036854775807 + 1`) then
  /// happens only on the rows that compute it, as in terrain (a branch of `if` not taken
  /// raises nothing), not when the statement is planned.
  func unfoldable(_ x: String) -> String { "(\(paren(x)) + 0 * pg_backend_pid())" }

  /// A constant operand whose partner gives the type.
  mutating func bareOperand(_ e: BoundExpr, _ columns: [SQLColumn]) throws -> String {
    if case .constant(let v, let t) = e { return literal(v, t, bare: true) }
    return paren(try sql(e, columns))
  }

  /// An integer argument PostgreSQL takes as an int4 (`left(s, 2)`), or its SQL.
  mutating func intArgument(_ e: BoundExpr, _ columns: [SQLColumn]) throws -> String {
    if case .constant(.int(let v), _) = e, v >= Int64(Int32.min), v <= Int64(Int32.max) { return String(v) }
    return "(\(try sql(e, columns)))::int4"
  }

  mutating func function(_ f: ScalarFunction, _ args: [BoundExpr], type: DataType, span: Span, _ columns: [SQLColumn]) throws -> String {
    let name = f.rawValue
    var a = try args.map { try sql($0, columns) }
    if let first = args.first, first.type.isNumeric, args.allSatisfy(\.isConstant), f.definition.canFail(args, type: type) {
      a[0] = unfoldable(a[0])
    }
    func arg(_ i: Int) -> String { i < a.count ? a[i] : "NULL" }
    func notCompiled(_ reason: DiagnosticText) -> Diagnostic {
      Diagnostic(.sqlFunctionNotCompiled, name, reason.string, at: span, label: .notInSQL, help: .sqlRunInTerrain)
    }
    switch name {
    case "abs": return "abs(\(arg(0)))"
    case "round":
      guard args.count == 2, case .int(let digits)? = args[1].constantValue else { throw notCompiled(.sqlReasonDigits) }
      if type == .int {
        // numeric's round is half away from zero; the bigint cast raises an overflow.
        return digits >= 0 ? arg(0) : "round(\(paren(arg(0)))::numeric, \(digits))::bigint"
      }
      note("round is half away from zero on the float's binary value, as in terrain (PostgreSQL's round of a float is half to even)")
      return roundHalfAway(arg(0), digits: digits)
    case "floor", "ceil": return type == .int ? arg(0) : "\(name)(\(arg(0)))"
    case "sqrt": return "CASE WHEN \(paren(arg(0))) >= 0 THEN sqrt(\(arg(0))) END"
    case "ln": return "CASE WHEN \(paren(arg(0))) > 0 THEN ln(\(arg(0))) END"
    case "log10": return "CASE WHEN \(paren(arg(0))) > 0 THEN log(\(arg(0))) END"
    case "exp": return "exp(\(arg(0)))"
    case "pow":
      // terrain: NaN (a negative base to a fractional power) and 0 to a negative power are null.
      let x = paren(arg(0)), y = paren(arg(1))
      return "CASE WHEN \(x) = 0 AND \(y) < 0 THEN NULL WHEN \(x) < 0 AND \(y) <> trunc(\(y)) THEN NULL ELSE power(\(arg(0)), \(arg(1))) END"
    case "least", "greatest":
      // Nulls skipped in both; text compares code points in terrain.
      let items = type == .text ? a.map { "\(paren($0)) COLLATE \"C\"" } : a
      return "\(name)(" + items.joined(separator: ", ") + ")"
    case "lower", "upper":
      // Unicode case mapping: the ICU collation's when there is one (ß → SS as in terrain).
      if let c = options.frenchCollation { return "\(name)(\(paren(arg(0))) COLLATE \(quoteSQLIdentifier(c)))" }
      return "\(name)(\(arg(0)))"
    case "length": return "char_length(\(arg(0)))::bigint"
    case "trim":
      // terrain trims Unicode white space and line breaks, PostgreSQL's trim only spaces.
      return "btrim(\(arg(0)), E' \\t\\n\\r\\u000B\\f\\u0085\\u00A0\\u1680\\u2000\\u2001\\u2002\\u2003\\u2004\\u2005\\u2006\\u2007\\u2008\\u2009\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000')"
    case "substr":
      if args.count == 3 {
        let len = try intArgument(args[2], columns)
        return "CASE WHEN \(len) >= 0 THEN substr(\(arg(0)), \(try intArgument(args[1], columns)), \(len)) END"
      }
      return "substr(\(arg(0)), \(try intArgument(args[1], columns)))"
    case "replace": return "replace(\(arg(0)), \(arg(1)), \(arg(2)))"
    case "starts_with": return "starts_with(\(arg(0)), \(arg(1)))"
    case "contains": return "strpos(\(arg(0)), \(arg(1))) > 0"
    case "left", "right": return "\(name)(\(arg(0)), \(try intArgument(args[1], columns)))"
    case "lpad":
      let n = try intArgument(args[1], columns)
      return "CASE WHEN \(n) <= 0 THEN '' ELSE lpad(\(arg(0)), \(n), \(arg(2))) END"
    case "split_part":
      if case .text("")? = args.count > 1 ? args[1].constantValue : nil { throw notCompiled(.sqlReasonEmptySeparator) }
      let n = try intArgument(args[2], columns)
      return "CASE WHEN \(n) = 0 THEN '' ELSE split_part(\(arg(0)), \(arg(1)), \(n)) END"
    case "matches":
      note("regular expressions run as PostgreSQL's (POSIX ARE); terrain's are ICU's: the common syntax means the same")
      return "\(paren(arg(0))) ~ \(paren(arg(1)))"
    case "regexp_replace":
      note("regular expressions run as PostgreSQL's (POSIX ARE); terrain's are ICU's: the common syntax means the same")
      // terrain's `$1` is PostgreSQL's `\1`.
      let template = args.count > 2 ? replacementTemplate(args[2]) : nil
      return "regexp_replace(\(arg(0)), \(arg(1)), \(template ?? "regexp_replace(\(arg(2)), '\\$([0-9])', '\\\\\\1', 'g')"), 'g')"
    case "regexp_extract":
      note("regular expressions run as PostgreSQL's (POSIX ARE); terrain's are ICU's: the common syntax means the same")
      // The whole pattern in a group of its own: group 0 is element 1, group g element g + 1.
      let g = args.count > 2 ? "(\(try intArgument(args[2], columns)) + 1)" : "1"
      return "(regexp_match(\(arg(0)), '(' || \(paren(arg(1))) || ')'))[\(g)]"
    case "int", "float", "text", "date":
      return castNoted(arg(0), from: args.first?.type ?? .text, to: type)
    case "year", "month", "day", "quarter":
      return "extract(\(name) from \(arg(0)))::bigint"
    case "weekday": return "extract(isodow from \(arg(0)))::bigint"
    case "date_trunc": return "date_trunc(\(arg(0)), \(arg(1)))::date"
    case "make_date":
      return validDate(y: "(\(arg(0)))::int", m: "(\(arg(1)))::int", d: "(\(arg(2)))::int")
    case "today":
      // terrain's today is the UTC date.
      return "(now() AT TIME ZONE 'UTC')::date"
    default:
      throw notCompiled(.sqlReasonUnknown)
    }
  }

  /// A replacement template with `$1` written as PostgreSQL's `\1`, when it is a constant.
  func replacementTemplate(_ e: BoundExpr) -> String? {
    guard case .text(let t)? = e.constantValue else { return nil }
    var out = ""
    var chars = Array(t)[...]
    while let c = chars.popFirst() {
      if c == "\\", let n = chars.popFirst() {
        out += n == "\\" ? "\\\\" : String(n)
      } else if c == "$", let n = chars.first, n.isASCII, n.isNumber {
        out += "\\"
      } else if c == "\\" {
        out += "\\\\"
      } else {
        out.append(c)
      }
    }
    return quoteSQLText(out)
  }

  /// `round(x, digits)` on a float as terrain computes it: x·10^d rounded half away from zero
  /// on its binary value, then divided back (PostgreSQL's float round is half to even, and its
  /// numeric round would see the decimal value).
  func roundHalfAway(_ x: String, digits: Int64) -> String {
    let d = max(-308, min(308, digits))
    let m = Foundation.pow(10.0, Double(Swift.abs(d)))
    let scaled = d == 0 ? paren(x) : d > 0 ? "(\(paren(x)) * '\(m)'::float8)" : "(\(paren(x)) / '\(m)'::float8)"
    let rounded = "(trunc(\(scaled)) + CASE WHEN abs(\(scaled) - trunc(\(scaled))) >= 0.5 THEN sign(\(scaled)) ELSE 0 END)"
    if d == 0 { return rounded }
    return d > 0 ? "\(rounded) / '\(m)'::float8" : "\(rounded) * '\(m)'::float8"
  }

  // MARK: aggregates and windows

  /// An aggregate over the rows of a group (and whether it holds a window: `share`).
  mutating func aggregateSQL(_ s: AggregateSpec, filter: String?) throws -> (String, Bool) {
    let x = try s.argument.map { try sql($0, block.columns) } ?? "*"
    let f = filter.map { " FILTER (WHERE \($0))" } ?? ""
    let argType = s.argument?.type ?? .int
    switch s.function.rawValue {
    case "count": return ("count(\(x))\(f)", false)
    case "count_distinct": return ("count(DISTINCT \(x))\(f)", false)
    // A sum of bigints is a numeric in PostgreSQL: the cast back raises terrain's overflow.
    case "sum":
      guard argType == .int else { return ("sum(\(x))\(f)", false) }
      note("a sum of bigints is a numeric in PostgreSQL: cast back to bigint, an overflow is an error as in terrain")
      return ("sum(\(x))\(f)::bigint", false)
    case "avg": return ("avg(\(x))\(f)::float8", false)
    case "stddev": return ("stddev_samp(\(x))\(f)::float8", false)
    case "min", "max": return (try extreme(s, x, f), false)
    case "median": return ("percentile_cont(0.5) WITHIN GROUP (ORDER BY \(x))\(f)", false)
    case "quantile": return ("percentile_cont(\(literal(.float(s.fraction), .float))) WITHIN GROUP (ORDER BY \(x))\(f)", false)
    case "share":
      // The group's sum over the sum of every row (a window over the groups); 0 gives null.
      return ("sum(\(x))\(f)::float8 / NULLIF(sum(sum(\(x))) OVER (), 0)", true)
    default:
      throw Diagnostic(.sqlFunctionNotCompiled, s.function.rawValue, DiagnosticText.sqlReasonUnknown.string, at: s.span,
        label: .notInSQL, help: .sqlRunInTerrain)
    }
  }

  /// `median`/`quantile` over the row's group in a `derive` (PostgreSQL has no ordered-set
  /// aggregate as a window): the same rows grouped by the partition in a subquery, joined back
  /// on the partition keys (`IS NOT DISTINCT FROM`: a null key is a group too). Returns the
  /// value's SQL in the current SELECT.
  mutating func groupedQuantile(_ s: AggregateSpec, partition: [String]) throws -> String {
    let alias = nextAlias("g")
    var grouped = block
    grouped.columns = partition.enumerated().map { SQLColumn(sql: $1, name: "__key\($0 + 1)", type: .int) }
    let (agg, _) = try aggregateSQL(s, filter: nil)
    grouped.columns.append(SQLColumn(sql: agg, name: "__value", type: .float, aggregated: true))
    grouped.groupBy = partition
    grouped.aggregated = true
    grouped.order = []
    let on = partition.enumerated().map { "\($1) IS NOT DISTINCT FROM \(alias).\(quoteSQLIdentifier("__key\($0 + 1)"))" }
    block.from += "\n  LEFT JOIN ⟦\(alias)⟧ ON " + (on.isEmpty ? "TRUE" : on.joined(separator: " AND "))
    block.subqueries.append((alias, grouped))
    return "\(alias).\(quoteSQLIdentifier("__value"))"
  }

  /// min/max: text in the collation's order, bools as `bool_and`/`bool_or`.
  mutating func extreme(_ s: AggregateSpec, _ x: String, _ f: String) throws -> String {
    let isMin = s.function.rawValue == "min"
    switch s.argument?.type {
    case .text?: return "\(s.function.rawValue)(\(paren(x)) COLLATE \(collationName(s.collation)))\(f)"
    case .bool?: return "\(isMin ? "bool_and" : "bool_or")(\(x))\(f)"
    default: return "\(s.function.rawValue)(\(x))\(f)"
    }
  }

  /// A windowed `derive`: aggregates over the row's group and window functions in the
  /// window's order, added as columns after the current ones.
  mutating func window(_ w: WindowStep) throws {
    let readsWindow = (w.partition + w.order.map(\.0) + w.aggregates.compactMap(\.argument) + w.functions.flatMap(\.args))
      .contains { $0.columnsRead.contains { $0 < block.columns.count && block.columns[$0].windowed } }
    if block.aggregated || block.limit != nil || readsWindow { wrap() }
    let partition = try w.partition.map { try sql($0, block.columns) }
    let by = partition.isEmpty ? "" : "PARTITION BY " + partition.joined(separator: ", ")
    var keys: [OrderKey] = []
    for (e, desc) in w.order {
      keys.append(OrderKey(sql: try sql(e, block.columns), descending: desc, collation: e.type == .text ? w.collation : nil, hidden: false))
    }
    func over(_ parts: String...) -> String { "OVER (" + ([by] + parts).filter { !$0.isEmpty }.joined(separator: " ") + ")" }
    var added: [SQLColumn] = []
    var taken = Set(block.columns.map(\.name))
    func add(_ sql: String, _ t: DataType) {
      let n = fresh("__window\(added.count)", taken)
      taken.insert(n)
      added.append(SQLColumn(sql: sql, name: n, type: t, windowed: true))
    }
    for s in w.aggregates {
      let name = s.function.rawValue
      if name == "count_distinct", let e = s.argument {
        // No `count(DISTINCT x) OVER` in PostgreSQL: the distinct values (null as one) are the
        // dense rank upwards plus the dense rank downwards minus one, less one if a null is there.
        let x = try sql(e, block.columns)
        let key = e.type == .text ? "\(paren(x)) COLLATE \"C\"" : x
        add("(dense_rank() \(over("ORDER BY \(key) NULLS LAST")) + dense_rank() \(over("ORDER BY \(key) DESC NULLS FIRST")) - 1 "
          + "- max(CASE WHEN \(paren(x)) IS NULL THEN 1 ELSE 0 END) \(over()))::bigint", .int)
        continue
      }
      if name == "median" || name == "quantile" {
        add(try groupedQuantile(s, partition: partition), s.resultType)
        continue
      }
      guard ["count", "sum", "avg", "stddev", "min", "max"].contains(name) else {
        throw Diagnostic(.sqlFunctionNotCompiled, name, DiagnosticText.sqlReasonUnknown.string, at: s.span, label: .notInSQL,
          help: .sqlRunInTerrain)
      }
      let (agg, _) = try aggregateSQL(s, filter: nil)
      // `sum(x)::bigint` becomes `sum(x) OVER (…)::bigint`.
      if agg.hasSuffix("::bigint") || agg.hasSuffix("::float8") {
        let cast = agg.hasSuffix("::bigint") ? "::bigint" : "::float8"
        add("(\(agg.dropLast(cast.count)) \(over()))\(cast)", s.resultType)
      } else {
        add("\(agg) \(over())", s.resultType)
      }
    }
    let ordered = windowOrder(keys, tieBreakers: true)
    let whole = "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING"
    let running = "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"
    for f in w.functions {
      let a = try f.args.map { try sql($0, block.columns) }
      func arg(_ i: Int) -> String { i < a.count ? a[i] : "NULL" }
      func param(_ i: Int) -> Int { i < f.parameters.count ? f.parameters[i] : 1 }
      let argType = f.args.first?.type ?? .int
      switch f.function.rawValue {
      case "row_number": add("row_number() \(over(ordered))", .int)
      // Ties share a rank: only the window's own keys order them.
      case "rank", "dense_rank": add("\(f.function.rawValue)() \(over(windowOrder(keys, tieBreakers: false)))", .int)
      case "percent_rank": add("percent_rank() \(over(windowOrder(keys, tieBreakers: false)))", .float)
      case "ntile": add("(ntile(\(param(0))) \(over(ordered)))::bigint", .int)
      case "lag", "lead":
        let d = f.args.count > 1 ? ", \(arg(1))" : ""
        add("\(f.function.rawValue)(\(arg(0)), \(param(0))\(d)) \(over(ordered))", f.resultType)
      case "first": add("first_value(\(arg(0))) \(over(ordered, whole))", f.resultType)
      case "last": add("last_value(\(arg(0))) \(over(ordered, whole))", f.resultType)
      case "cumsum":
        add(argType == .int ? "(sum(\(arg(0))) \(over(ordered, running)))::bigint" : "sum(\(arg(0))) \(over(ordered, running))", f.resultType)
      case "cummin", "cummax":
        let m = f.function.rawValue == "cummin" ? "min" : "max"
        let x = argType == .text ? "\(paren(arg(0))) COLLATE \(collationName(f.collation))" : arg(0)
        let fn = argType == .bool ? (m == "min" ? "bool_and" : "bool_or") : m
        add("\(fn)(\(x)) \(over(ordered, running))", f.resultType)
      case "rolling_sum", "rolling_avg":
        let frame = "ROWS BETWEEN \(max(0, param(0) - 1)) PRECEDING AND CURRENT ROW"
        if f.function.rawValue == "rolling_avg" {
          add("(avg(\(arg(0))) \(over(ordered, frame)))::float8", f.resultType)
        } else {
          add(argType == .int ? "(sum(\(arg(0))) \(over(ordered, frame)))::bigint" : "sum(\(arg(0))) \(over(ordered, frame))", f.resultType)
        }
      default:
        throw Diagnostic(.sqlFunctionNotCompiled, f.function.rawValue, DiagnosticText.sqlReasonUnknown.string, at: f.span,
          label: .notInSQL, help: .sqlRunInTerrain)
      }
    }
    block.columns += added
  }
}
