import Foundation
import TerrainStorage
import TerrainSyntax
import TerrainPlanner
import TerrainExecution

/// `date(s)`: text in `YYYY-MM-DD` or `DD/MM/YYYY` (day first) as a date, null when it is not
/// a calendar date (`date("31/02/2024")`); parsed once per distinct string. A date is kept.
struct DateParse: ScalarFunctionImplementation {
  let name = "date"
  let help = FunctionHelp("date(s)", "text `YYYY-MM-DD` or `DD/MM/YYYY` (day first) as a date; null if it is not a real day",
    example: "from regions | select nom, d = date(\"15/03/2024\") | take 2")
  let signatures: [[DataType]] = [[.text], [.date]]

  func bind(_ call: FunctionCall) throws -> BoundCall {
    try call.arity(1)
    let x = try call.any(0, expected: .text)
    guard x.type == .text || x.type == .date else {
      throw call.binder.typeError(.functionNeedsText, [name], call.args[0], x.type)
    }
    return BoundCall([x], .date)
  }

  func canFail(_ args: [BoundExpr], type: DataType) -> Bool { false }

  func kernel(_ args: [BoundExpr], type: DataType, span: Span, compiler: ExpressionCompiler) throws -> Kernel {
    let kernels = try args.kernels(compiler)
    return try compiler.castKernel(kernels[0], from: args[0].type, to: .date, span: span)
  }
}

/// `year(d)`, `month(d)`, `day(d)`, `quarter(d)`, `weekday(d)` (ISO: Monday = 1 … Sunday = 7).
struct DatePart: ScalarFunctionImplementation {
  enum Part { case year, month, day, quarter, weekday }
  let name: String
  let help: FunctionHelp
  let part: Part
  let signatures: [[DataType]] = [[.date]]

  static let year = DatePart(name: "year", help: FunctionHelp("year(d)", "the year of a date",
    example: "from regions | select y = year(date(\"2024-03-15\")) | take 1"), part: .year)
  static let month = DatePart(name: "month", help: FunctionHelp("month(d)", "the month of a date, 1 to 12",
    example: "from regions | select m = month(date(\"2024-03-15\")) | take 1"), part: .month)
  static let day = DatePart(name: "day", help: FunctionHelp("day(d)", "the day of the month, 1 to 31",
    example: "from regions | select j = day(date(\"2024-03-15\")) | take 1"), part: .day)
  static let quarter = DatePart(name: "quarter", help: FunctionHelp("quarter(d)", "the quarter of a date, 1 to 4",
    example: "from regions | select t = quarter(date(\"2024-03-15\")) | take 1"), part: .quarter)
  static let weekday = DatePart(name: "weekday", help: FunctionHelp("weekday(d)", "the ISO day of the week: Monday = 1 … Sunday = 7",
    example: "from regions | select w = weekday(date(\"2024-03-15\")) | take 1"), part: .weekday)

  func bind(_ call: FunctionCall) throws -> BoundCall {
    try call.arity(1)
    return BoundCall([try dateArgument(call, 0)], .int)
  }

  func canFail(_ args: [BoundExpr], type: DataType) -> Bool { false }

  func kernel(_ args: [BoundExpr], type: DataType, span: Span, compiler: ExpressionCompiler) throws -> Kernel {
    let ka = try args.kernels(compiler)[0]
    let scratch = Scratch()
    let out = scratch.ints()
    let part = part
    return { start, n in
      let x = try ka(start, n)
      let a = x.ints()
      switch part {
      case .year: for i in 0..<n { out[i] = CalendarDate.civil(a[i]).year }
      case .month: for i in 0..<n { out[i] = CalendarDate.civil(a[i]).month }
      case .day: for i in 0..<n { out[i] = CalendarDate.civil(a[i]).day }
      case .quarter: for i in 0..<n { out[i] = (CalendarDate.civil(a[i]).month + 2) / 3 }
      case .weekday: for i in 0..<n { out[i] = CalendarDate.weekday(a[i]) }
      }
      return withExtendedLifetime(scratch) { Vec(data: UnsafeRawPointer(out), validity: x.validity, dictionary: nil) }
    }
  }
}

/// `date_trunc("month" | "quarter" | "year", d)`: the first day of the date's month, quarter
/// or year. The unit must be a constant.
struct DateTrunc: ScalarFunctionImplementation {
  let name = "date_trunc"
  let help = FunctionHelp("date_trunc(\"month\" | \"quarter\" | \"year\", d)", "the first day of the date's month, quarter or year",
    example: "from regions | select t = date_trunc(\"quarter\", date(\"2024-05-15\")) | take 1")
  let signatures: [[DataType]] = [[.text, .date]]
  var constantArguments: Set<Int> { [0] }

  static let units = ["month", "quarter", "year"]

  func bind(_ call: FunctionCall) throws -> BoundCall {
    try call.arity(2)
    let u = try call.text(0)
    let value = try call.constant(0, u, what: .dateTruncUnit, example: "\"month\"")
    guard case .text(let unit) = value, Self.units.contains(unit) else {
      throw Diagnostic(.dateTruncUnknownUnit, value.description, at: call.args[0].span, label: .notADateUnit,
        help: .dateTruncUnits)
    }
    return BoundCall([.constant(.text(unit), .text), try dateArgument(call, 1)], .date)
  }

  func canFail(_ args: [BoundExpr], type: DataType) -> Bool { false }

  func kernel(_ args: [BoundExpr], type: DataType, span: Span, compiler: ExpressionCompiler) throws -> Kernel {
    guard case .constant(.text(let unit), _) = args[0] else {
      throw Diagnostic(.dateTruncUnknownUnit, "?", at: span)
    }
    let ka = try compiler.compile(args[1])
    let scratch = Scratch()
    let out = scratch.ints()
    return { start, n in
      let x = try ka(start, n)
      let a = x.ints()
      for i in 0..<n {
        let (y, m, _) = CalendarDate.civil(a[i])
        switch unit {
        case "year": out[i] = CalendarDate.unchecked(year: y, month: 1, day: 1)
        case "quarter": out[i] = CalendarDate.unchecked(year: y, month: (m - 1) / 3 * 3 + 1, day: 1)
        default: out[i] = CalendarDate.unchecked(year: y, month: m, day: 1)
        }
      }
      return withExtendedLifetime(scratch) { Vec(data: UnsafeRawPointer(out), validity: x.validity, dictionary: nil) }
    }
  }
}

/// `make_date(y, m, d)`: the date, null when it is not a calendar date of years 1…9999.
struct MakeDate: ScalarFunctionImplementation {
  let name = "make_date"
  let help = FunctionHelp("make_date(y, m, d)", "the date of year, month, day; null if it is not a real day",
    example: "from regions | select d = make_date(2024, 2, 29) | take 1")
  let signatures: [[DataType]] = [[.int, .int, .int]]

  func bind(_ call: FunctionCall) throws -> BoundCall {
    try call.arity(3)
    return BoundCall([try call.int(0), try call.int(1), try call.int(2)], .date)
  }

  func canFail(_ args: [BoundExpr], type: DataType) -> Bool { false }

  func kernel(_ args: [BoundExpr], type: DataType, span: Span, compiler: ExpressionCompiler) throws -> Kernel {
    let ks = try args.kernels(compiler)
    let scratch = Scratch()
    let out = scratch.ints()
    let outValid = scratch.validity
    return { start, n in
      let y = try ks[0](start, n)
      let m = try ks[1](start, n)
      let d = try ks[2](start, n)
      let (ya, ma, da) = (y.ints(), m.ints(), d.ints())
      for i in 0..<n {
        let present = (y.validity?[i] ?? 1) & (m.validity?[i] ?? 1) & (d.validity?[i] ?? 1)
        if present != 0, let v = CalendarDate.days(year: ya[i], month: ma[i], day: da[i]) {
          out[i] = v
          outValid[i] = 1
        } else {
          out[i] = 0
          outValid[i] = 0
        }
      }
      return withExtendedLifetime(scratch) { Vec(data: UnsafeRawPointer(out), validity: UnsafePointer(outValid), dictionary: nil) }
    }
  }
}

/// `today()`: the current date (UTC), read once per statement.
struct Today: ScalarFunctionImplementation {
  let name = "today"
  let help = FunctionHelp("today()", "the current date (UTC), the same on every row",
    example: "from regions | select d = today() - date(\"2024-01-01\") | take 1")
  let signatures: [[DataType]] = [[]]

  func bind(_ call: FunctionCall) throws -> BoundCall {
    try call.arity(0)
    return BoundCall([], .date)
  }

  func canFail(_ args: [BoundExpr], type: DataType) -> Bool { false }

  func kernel(_ args: [BoundExpr], type: DataType, span: Span, compiler: ExpressionCompiler) throws -> Kernel {
    let seconds = Int64(Date().timeIntervalSince1970.rounded(.down))
    let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
    return try compiler.compile(.constant(.date(days), .date))
  }
}

/// Argument `i` as a date: a date, or a text constant in either form (converted here, an
/// error at its span when it is not a date).
private func dateArgument(_ call: FunctionCall, _ i: Int) throws -> BoundExpr {
  let b = try call.any(i, expected: .date)
  if b.type == .date { return b }
  if b.type == .text, case .constant = b {
    return try call.binder.dateComparisonOperands(.constant(.null, .date), b, call.args[i], call.args[i]).1
  }
  throw Diagnostic(.functionNeedsDate, call.name.text, call.binder.quoted(call.args[i]), "\(b.type)", at: call.args[i].span,
    label: .typeName("\(b.type)"), help: .convertWithDate(call.binder.snippet(call.args[i])))
}
