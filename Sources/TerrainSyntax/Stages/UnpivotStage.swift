// `| unpivot COL, … | PREFIX* into NAME, VALUE`

/// Wide to long: one row per input row and listed column.
public struct UnpivotStage: StageSyntax {
  /// A listed column, or every column starting with `name` when `prefix` (`P21_*`).
  public struct Item: Sendable {
    public var name: Name
    public var prefix: Bool
    /// The name and its `*`.
    public var span: Span
  }

  public var items: [Item]
  public var nameColumn: Name
  public var valueColumn: Name

  public static let keyword = "unpivot"
  public static let continuationWords = ["into"]
  public static let completionWords = ["into"]
  public static let otherNames = ["melt", "pivot_longer", "gather", "stack"]
  public static let otherNameHelp = "use `unpivot COL, … into NAME, VALUE`"
  public static let help = StageHelp(synopsis: "| unpivot COL, … | PREFIX* into NAME, VALUE",
    text: "Wide to long: one row per input row and listed column, in that order, nulls kept; NAME (text) holds the column's name, VALUE its value, the other columns come first. `PREFIX*` lists every column starting with PREFIX, in table order. The listed columns must share a type (int and float give float).",
    example: "from regions | select nom, conso_elec_mwh, conso_gaz_mwh | unpivot conso_* into energie, mwh | take 4")

  public static func parse(_ p: inout Parser) throws -> UnpivotStage {
    var items: [Item] = []
    repeat {
      p.skipNewlines()
      let n = try p.name(.anUnpivotColumn)
      var span = n.span
      var prefix = false
      if p.current.isSymbol("*"), p.current.span.start == n.span.end {
        span = n.span.merged(p.advance().span)
        prefix = true
      }
      items.append(Item(name: n, prefix: prefix, span: span))
    } while p.acceptSymbol(",")
    guard p.acceptClause("into") else {
      throw p.unexpected(.unpivotNeedsInto,
        help: .unpivotExample)
    }
    p.skipNewlines()
    let name = try p.name(.theUnpivotNameColumn)
    guard p.acceptSymbol(",") else {
      throw p.unexpected(.unpivotNeedsValue, name.text, help: .unpivotIntoExample(name.text))
    }
    p.skipNewlines()
    let value = try p.name(.theUnpivotValueColumn)
    return UnpivotStage(items: items, nameColumn: name, valueColumn: value)
  }
}
