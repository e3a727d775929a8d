// `| derive name = EXPR, …`

public struct DeriveStage: StageSyntax {
  public var items: [NamedExpr]

  public static let keyword = "derive"
  public static let definingWords = ["derive"]
  public static let otherNames = ["mutate"]
  public static let help = StageHelp(synopsis: "| derive name = EXPR, …",
    text: "Adds or replaces columns.", example: "from epci | derive hab_par_km2 = round(population / superficie, 1) | take 5")

  public static func parse(_ p: inout Parser) throws -> DeriveStage {
    DeriveStage(items: try p.parseNamedList(requireExplicit: "derive"))
  }
}
