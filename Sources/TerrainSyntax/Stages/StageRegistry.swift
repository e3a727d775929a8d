// Every pipeline stage, in `.help` order. A new stage is one line here, besides its own files.

/// The stages the parser knows, in the order `.help` lists them.
public let stageSyntaxes: [any StageSyntax.Type] = [
  WhereStage.self,
  SelectStage.self,
  DeriveStage.self,
  DropStage.self,
  AggregateStage.self,
  SortStage.self,
  TakeStage.self,
  JoinStage.self,
  DistinctStage.self,
  AppendStage.self,
  UnpivotStage.self,
  PivotStage.self,
  SplitStage.self,
  ExportStage.self,
]

/// The stage whose keyword is `word` (any case).
public func stageSyntax(forKeyword word: String) -> (any StageSyntax.Type)? {
  let w = word.lowercased()
  return stageSyntaxes.first { $0.keyword == w }
}
