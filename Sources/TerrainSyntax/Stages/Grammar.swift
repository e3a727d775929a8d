// The stage table the parser and the shell are handed. The syntax module knows what a stage is
// (`StageSyntax`) but not which stages exist: those are defined with their planning in
// TerrainPlanner/Stages and listed once in `Grammar.terrain` (TerrainPlanner/Stages/StageRegistry.swift).

/// The pipeline stages a parser knows, in `.help` order, and the words derived from them: the
/// keywords, the words after which a statement cannot end, the words the shell completes.
/// `Grammar(stages: [])` knows the statements and expressions but no stage.
public struct Grammar: Sendable {
  /// The stages, in the order `.help` lists them.
  public let stages: [any StageSyntax.Type]
  /// The stage keywords, in `.help` order.
  public let stageKeywords: [String]
  /// Keywords after which a statement cannot end: operators, statement keywords and clauses,
  /// and each stage's keyword (unless it may stand alone) and continuation words.
  public let continuation: Set<String>
  /// Stage words followed by a table name (`join`).
  public let stageTableWords: [String]
  /// Stage words followed by a file path (`export`).
  public let stagePathWords: [String]
  /// Stage words followed by `name = …` items that define columns (`select`, `by`).
  public let definingWords: [String]
  /// Keywords offered in expressions and after stage arguments, without duplicates.
  public let completion: [String]

  public init(stages: [any StageSyntax.Type]) {
    self.stages = stages
    stageKeywords = stages.map { $0.keyword }
    continuation = Set(
      ["and", "or", "not", "in", "between", "is", "as", "with", "key", "against", "on", "where", "like", "ilike", "case",
        "when", "then", "else"]
        + Parser.statementKeywords
        + stages.flatMap { ($0.mayEndAfterKeyword ? [] : [$0.keyword]) + $0.continuationWords })
    stageTableWords = stages.flatMap { $0.tableWords }
    stagePathWords = stages.flatMap { $0.pathWords }
    definingWords = stages.flatMap { $0.definingWords }
    var seen = Set<String>()
    completion = (SyntaxWords.expression + SyntaxWords.statementClauses + stages.flatMap { $0.completionWords })
      .filter { seen.insert($0).inserted }
  }

  /// The stage whose keyword is `word` (any case).
  public func stage(forKeyword word: String) -> (any StageSyntax.Type)? {
    let w = word.lowercased()
    return stages.first { $0.keyword == w }
  }
}
