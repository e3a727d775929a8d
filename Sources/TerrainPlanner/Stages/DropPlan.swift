// `drop`: a projection onto the columns not listed.

import TerrainStorage
import TerrainSyntax

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
