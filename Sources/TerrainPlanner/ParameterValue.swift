// A parameter as the binder reads it: text typed by where it stands (`-p NAME=VALUE`), or a
// value set from Swift with its own type.

import TerrainStorage
import TerrainSyntax

/// The value of a `$NAME` parameter.
package enum ParameterValue: Sendable, Equatable {
  /// Text from `-p NAME=VALUE` or `.param`: a constant whose type comes from where it is used
  /// (`code == $d` reads it as text, `take $n` as a number).
  case untyped(String)
  /// A value with its type, set from Swift: used as that type wherever it stands (an int where a
  /// float is expected is widened, as an integer literal is; `.null` is typed by its place, as
  /// `null` is).
  case typed(Value)
}

extension ExpressionBinder {
  /// A typed parameter's constant. A type that does not fit its place is reported by the
  /// operator or function it is given to, as for any constant of that type.
  package func bindTypedParameter(_ value: Value, expected: DataType?) -> BoundExpr {
    switch value {
    case .null: return .constant(.null, expected ?? .int)
    case .int(let v) where expected == .float: return .constant(.float(Double(v)), .float)
    case .int: return .constant(value, .int)
    case .float: return .constant(value, .float)
    case .text: return .constant(value, .text)
    case .bool: return .constant(value, .bool)
    case .date: return .constant(value, .date)
    }
  }
}
