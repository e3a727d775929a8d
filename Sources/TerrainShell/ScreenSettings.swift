// Settings of the numbers on screen (`.decimals`) and of introspection output (`.schema`,
// `.describe`) that depend on whether a person is reading it.

import TerrainStorage
import TerrainSyntax
import TerrainIO
import TerrainEngine

extension Session {
  /// `.decimals [N|auto]`: fixes the decimals of float columns in table mode, goes back to
  /// choosing them per column, or (alone) shows the setting.
  func setDecimals(_ argument: String?, _ span: Span) throws {
    guard let argument else {
      return write(DiagnosticText.decimalsAre(renderOptions.decimals.map(String.init) ?? "auto").string + "\n")
    }
    if argument.lowercased() == "auto" {
      renderOptions.decimals = nil
    } else if let n = Int(argument), (0...15).contains(n) {
      renderOptions.decimals = n
    } else {
      throw Diagnostic(.decimalsNeedsNumber, argument, at: span)
    }
  }

  /// The render options of introspection (`.schema`, `.describe`): every row outside a
  /// terminal (scripts, pipes), where eliding rows would lose them for good.
  var introspectionOptions: RenderOptions {
    var options = renderOptions
    if options.terminalWidth == nil { options.maxRows = 0 }
    return options
  }
}
