// Binding the `date` type in expressions: arithmetic in days and comparison with text
// constants written as dates (converted once, here, never per row).

import TerrainStorage
import TerrainSyntax

extension ExpressionBinder {
  /// `d + n`, `n + d`, `d - n` (a date, `n` days) and `d1 - d2` (an `int` of days); nil when
  /// neither operand is a date. Any other operator or operand type is an error at the operand.
  /// The result is `.arithmetic` with the date operand first; a result outside years 1…9999
  /// is an error when the row is computed, as integer overflow is.
  package func bindDateArithmetic(
    _ op: BinaryOperator, _ x: BoundExpr, _ y: BoundExpr, _ a: Expr, _ b: Expr, span: Span
  ) throws -> BoundExpr? {
    guard x.type == .date || y.type == .date else { return nil }
    // A `null` operand took the date's type from the other side: it stands for days.
    let x = isNullConstant(x) && y.type == .date && op != .subtract ? BoundExpr.constant(.null, .int) : x
    let y = isNullConstant(y) && x.type == .date && op != .subtract ? BoundExpr.constant(.null, .int) : y
    switch (op, x.type, y.type) {
    case (.add, .date, .int), (.subtract, .date, .int):
      return .arithmetic(op == .add ? .add : .subtract, x, y, .date, span: span)
    case (.add, .int, .date):
      return .arithmetic(.add, y, x, .date, span: span)
    case (.subtract, .date, .date):
      return .arithmetic(.subtract, x, y, .int, span: span)
    default:
      let (bad, badType) = x.type == .date && (op == .add || op == .subtract) ? (b, y.type) : (x.type == .date ? (a, x.type) : (b, y.type))
      throw Diagnostic(.dateArithmetic, op.rawValue, quoted(bad), "\(badType)", at: bad.span,
        label: .typeName("\(badType)"), help: .dateArithmeticForms)
    }
  }

  /// For a comparison of a date with a text constant in either form (`d >= "2024-01-01"`,
  /// `"01/07/2024" > d`): the constant as a date; a text that is not a date is an error at its
  /// span. Other operands come back unchanged.
  package func dateComparisonOperands(
    _ x: BoundExpr, _ y: BoundExpr, _ a: Expr, _ b: Expr
  ) throws -> (BoundExpr, BoundExpr) {
    if x.type == .date && y.type == .text { return (x, try dateConstant(y, b)) }
    if y.type == .date && x.type == .text { return (try dateConstant(x, a), y) }
    return (x, y)
  }

  /// A text constant operand as a date constant; anything else unchanged (the caller's type
  /// check then names both types).
  private func dateConstant(_ e: BoundExpr, _ source: Expr) throws -> BoundExpr {
    guard case .constant(let v, _) = e else { return e }
    switch v {
    case .null: return .constant(.null, .date)
    case .text(let s):
      guard let d = CalendarDate.parse(s) else {
        throw Diagnostic(.textNotADate, s, at: source.span, label: .notADate, help: .dateForms)
      }
      return .constant(.date(d), .date)
    default: return e
    }
  }

  private func isNullConstant(_ e: BoundExpr) -> Bool {
    if case .constant(.null, _) = e { return true }
    return false
  }
}
