// `select`: a projection onto exactly the listed items.

import TerrainStorage
import TerrainSyntax

extension SelectStage: PlannableStage {
  package func plan(_ p: inout StagePlanning) throws {
    let (exprs, names) = try p.planner.bindItems(items, p.binder)
    p.emit(ProjectStep(exprs, names: names), fields: zip(names, exprs).map { Field(name: $0, type: $1.type) })
  }
}
