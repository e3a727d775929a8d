// `| append TABLE`
// `append TABLE`: the rows of TABLE after the current rows, columns matched by name.

import TerrainStorage
import TerrainSyntax

/// The rows of another table after the current rows, columns matched by name.
public struct AppendStage: StageSyntax {
  public var table: Name

  public static let keyword = "append"
  public static let tableWords = ["append"]
  public static let otherNames = ["union", "concat", "rbind", "bind_rows"]
  public static let otherNameHelp = "use `append TABLE` (columns matched by name)"
  public static let help = StageHelp(synopsis: "| append TABLE",
    text: "The rows of TABLE after the current rows. Columns are matched by name, in the order of the first table, then TABLE's other columns; a column absent on one side is null on its rows; int with float gives float; any other type clash is an error.",
    example: "from regions | where code_region == \"84\" | append departements | take 3")

  public var tablesRead: [Name] { [table] }

  public static func parse(_ p: inout Parser) throws -> AppendStage {
    AppendStage(table: try p.tableName(.aTableNameAfterAppend))
  }
}

/// Output column `i` is input column `left[i]` (nil: null on the input's rows) followed by
/// `table`'s column `right[i]` (nil: null on its rows), both as `fields[i].type`.
package struct AppendStep: LogicalStep {
  package var table: Table
  package var tableName: String
  package var left: [Int?]
  package var right: [Int?]
  package var fields: [Field]

  package init(table: Table, tableName: String, left: [Int?], right: [Int?], fields: [Field]) {
    self.table = table
    self.tableName = tableName
    self.left = left
    self.right = right
    self.fields = fields
  }
}

extension AppendStage: PlannableStage {
  package func plan(_ p: inout StagePlanning) throws {
    let other = try p.planner.tables.table(named: table.text, at: table.span)
    var left: [Int?] = []
    var right: [Int?] = []
    var fields: [Field] = []
    var matched = Set<Int>()
    for (i, f) in p.fields.enumerated() {
      left.append(i)
      guard let j = other.fields.firstIndex(where: { $0.name == f.name }) else {
        right.append(nil)
        fields.append(f)
        continue
      }
      matched.insert(j)
      right.append(j)
      let t = other.fields[j].type
      if t == f.type {
        fields.append(f)
      } else if t.isNumeric && f.type.isNumeric {
        fields.append(Field(name: f.name, type: .float))
      } else {
        let target = f.type == .text || t == .text ? "text" : "int"
        throw Diagnostic(.appendTypeClash, table.text, f.name, f.type.rawValue, t.rawValue, table.text, at: table.span,
          label: .isTypeHere(f.name, t.rawValue),
          help: .appendMakeBothSides(target, f.name, target, f.name, table.text))
      }
    }
    for (j, f) in other.fields.enumerated() where !matched.contains(j) {
      left.append(nil)
      right.append(j)
      fields.append(f)
    }
    p.emit(AppendStep(table: other, tableName: table.text, left: left, right: right, fields: fields), fields: fields)
  }
}
