// `derive`: a projection keeping every column, with the derived ones added or replaced.

import TerrainStorage
import TerrainSyntax

extension DeriveStage: PlannableStage {
  package func plan(_ p: inout StagePlanning) throws {
    let fields = p.fields
    var exprs = fields.indices.map { BoundExpr.column($0, fields[$0].type) }
    var names = fields.map(\.name)
    // Each item sees the columns derived before it in the same stage.
    var scope = p.binder
    for item in items {
      let e = try scope.bind(item.expr)
      let resolved = substituteColumns(e, exprs)
      if let i = names.firstIndex(of: item.name.text) {
        exprs[i] = resolved
      } else {
        names.append(item.name.text)
        exprs.append(resolved)
      }
      scope.fields = zip(names, exprs).map { Field(name: $0, type: $1.type) }
    }
    p.emit(ProjectStep(exprs, names: names), fields: zip(names, exprs).map { Field(name: $0, type: $1.type) })
  }

  /// Replaces references to the current columns by their defining expressions.
  private func substituteColumns(_ e: BoundExpr, _ defs: [BoundExpr]) -> BoundExpr {
    e.replacingColumns { i, t in i < defs.count ? defs[i] : .column(i, t) }
  }
}
