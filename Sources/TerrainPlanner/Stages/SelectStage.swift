// `| select col, name = EXPR, …`
// `select`: a projection onto exactly the listed items.

import TerrainStorage
import TerrainSyntax

public struct SelectStage: StageSyntax {
  public var items: [NamedExpr]

  public static let keyword = "select"
  public static let definingWords = ["select"]
  public static let help = StageHelp(synopsis: "| select col, name = EXPR, …",
    text: "Keeps or computes exactly these columns.", example: "from communes | select nom, densite = population / superficie | take 5")

  public static func parse(_ p: inout Parser) throws -> SelectStage {
    SelectStage(items: try p.parseNamedList())
  }
}

extension SelectStage: PlannableStage {
  package func plan(_ p: inout StagePlanning) throws {
    let (exprs, names) = try p.planner.bindItems(items, p.binder)
    p.emit(ProjectStep(exprs, names: names), fields: zip(names, exprs).map { Field(name: $0, type: $1.type) })
  }
}
