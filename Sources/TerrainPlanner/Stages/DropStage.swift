// `| drop col, …`
// `drop`: a projection onto the columns not listed.

import TerrainStorage
import TerrainSyntax

public struct DropStage: StageSyntax {
  public var columns: [Name]

  public static let keyword = "drop"
  public static let help = StageHelp(synopsis: "| drop col, …", text: "Removes columns.",
    example: "from regions | drop superficie | take 3")

  public static func parse(_ p: inout Parser) throws -> DropStage {
    DropStage(columns: try p.parseNameList())
  }
}

extension DropStage: PlannableStage {
  package func plan(_ p: inout StagePlanning) throws {
    let fields = p.fields
    try checkNamesUnique(columns, .columnDroppedTwice, label: .alreadyDropped, help: .nameEachColumnOnce)
    var keep = Array(fields.indices)
    for c in columns {
      let i = try p.column(c)
      keep.removeAll { $0 == i }
    }
    p.emit(ProjectStep(keep.map { .column($0, fields[$0].type) }, names: keep.map { fields[$0].name }),
      fields: keep.map { fields[$0] })
  }
}
