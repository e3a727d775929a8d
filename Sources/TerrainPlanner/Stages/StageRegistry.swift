// Every pipeline stage, in `.help` order. A new stage is one line here, besides its own two
// files: its grammar and planning (this folder) and its operator (TerrainExecution/Operators).

import TerrainSyntax

extension Grammar {
  /// terrain's stages, in the order `.help` lists them: what every parser, the shell and `.help`
  /// are handed (public: the fuzz package parses with it).
  public static let terrain = Grammar(stages: [
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
    ChartStage.self,
  ])
}
