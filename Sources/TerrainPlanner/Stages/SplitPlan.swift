// `split COL on "SEP"`: one row per part of a text column.

import TerrainStorage
import TerrainSyntax

/// Column `column` (text) cut at `separator`, one row per part, the other columns repeated.
package struct SplitStep: LogicalStep {
  package var column: Int
  package var separator: String

  package init(column: Int, separator: String) {
    self.column = column
    self.separator = separator
  }
}

extension SplitStage: PlannableStage {
  package func plan(_ p: inout StagePlanning) throws {
    let i = try p.column(column)
    let t = p.fields[i].type
    guard t == .text else {
      throw Diagnostic(.splitNotText, column.text, t.rawValue, at: column.span, label: .typeNotText(t.rawValue),
        help: .convertToTextFirst(column.text, column.text))
    }
    p.emit(SplitStep(column: i, separator: separator), fields: p.fields)
  }
}
