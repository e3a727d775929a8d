// The CSV reader's dialect once sniffed.

import TerrainStorage
import TerrainSyntax

/// The dialect after sniffing: everything the two passes need to know.
package struct CSVDialect {
  package var separator: UInt8
  package var quote: UInt8
  package var header: Bool
  /// The decimal mark forced by the options, if any.
  package var forcedDecimal: UInt8?

  /// Whether numeric columns may be read with a decimal comma.
  package var allowsDecimalComma: Bool {
    if let d = forcedDecimal { return d == UInt8(ascii: ",") }
    return separator != UInt8(ascii: ",")
  }

  /// Whether numeric columns may be read with a decimal point.
  package var allowsDecimalPoint: Bool {
    if let d = forcedDecimal { return d == UInt8(ascii: ".") }
    return true
  }
}

