// `| unpivot COL, … | PREFIX* into NAME, VALUE`
// `unpivot COL, … | PREFIX* into NAME, VALUE`: wide to long.

import TerrainStorage
import TerrainSyntax

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
    example: "from regions | select nom, pop_2015, pop_2021 | unpivot pop_* into recensement, habitants | take 4")

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

/// The `kept` columns, then NAME (text: the name of column `listed[j]`) and VALUE (its value,
/// as `valueType`), one row per input row and listed column.
package struct UnpivotStep: LogicalStep {
  package var kept: [Int]
  package var listed: [Int]
  package var listedNames: [String]
  package var valueType: DataType
  package var fields: [Field]

  package init(kept: [Int], listed: [Int], listedNames: [String], valueType: DataType, fields: [Field]) {
    self.kept = kept
    self.listed = listed
    self.listedNames = listedNames
    self.valueType = valueType
    self.fields = fields
  }
}

extension UnpivotStage: PlannableStage {
  package func plan(_ p: inout StagePlanning) throws {
    var listed: [Int] = []
    var spans: [Span] = []
    for item in items {
      if item.prefix {
        let matches = p.fields.indices.filter { p.fields[$0].name.hasPrefix(item.name.text) }
        guard !matches.isEmpty else {
          throw Diagnostic(.unpivotNoPrefixMatch, p.sourceName, item.name.text, at: item.span, label: .noSuchColumn,
            help: closestName(to: item.name.text, in: p.fields.map(\.name)).map { .didYouMean($0) }
              ?? .columnsList(p.fields.map(\.name).joined(separator: ", ")))
        }
        for i in matches where !listed.contains(i) {
          listed.append(i)
          spans.append(item.span)
        }
      } else {
        let i = try p.column(item.name)
        if listed.contains(i) {
          throw Diagnostic(.unpivotDuplicate, item.name.text, at: item.span, label: .listedBefore,
            help: .listEachColumnOnce)
        }
        listed.append(i)
        spans.append(item.span)
      }
    }
    // One type for VALUE: int and float give float; any other mix is an error at the first
    // column whose type differs from the first column's.
    let first = p.fields[listed[0]]
    var valueType = first.type
    for (k, i) in listed.enumerated().dropFirst() {
      let f = p.fields[i]
      if f.type == valueType { continue }
      if f.type.isNumeric && valueType.isNumeric {
        valueType = .float
        continue
      }
      // Numbers and bools become text rather than the reverse.
      let target = valueType == .text || f.type == .text ? "text" : valueType.rawValue
      let convert = f.type == .text ? first.name : f.name
      throw Diagnostic(.unpivotTypeClash, first.name, first.type.rawValue, f.name, f.type.rawValue, at: spans[k],
        label: .isType(f.name, f.type.rawValue),
        help: .unpivotSeparately(first.type.rawValue, f.type.rawValue, convert, target, convert))
    }
    let listedSet = Set(listed)
    let kept = p.fields.indices.filter { !listedSet.contains($0) }
    for n in [nameColumn, valueColumn] where kept.contains(where: { p.fields[$0].name == n.text }) {
      throw Diagnostic(.unpivotNameTaken, n.text, n.text, at: n.span, label: .alreadyAColumn,
        help: .chooseAnotherNameOrDrop(n.text))
    }
    if nameColumn.text == valueColumn.text {
      throw Diagnostic(.intoNeedsTwoNames, at: valueColumn.span, label: .sameAsTheFirst,
        help: .intoExample)
    }
    let fields = kept.map { p.fields[$0] } + [Field(name: nameColumn.text, type: .text), Field(name: valueColumn.text, type: valueType)]
    p.emit(UnpivotStep(kept: kept, listed: listed, listedNames: listed.map { p.fields[$0].name }, valueType: valueType,
      fields: fields), fields: fields)
  }
}
