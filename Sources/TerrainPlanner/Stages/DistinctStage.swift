// `| distinct [col, …]`
// `distinct [col, …]`: unique rows, or each combination of the columns once.

import TerrainSyntax

public struct DistinctStage: StageSyntax {
  /// Empty: every column.
  public var columns: [Name]

  public static let keyword = "distinct"
  public static let mayEndAfterKeyword = true
  public static let help = StageHelp(synopsis: "| distinct [col, …]",
    text: "Unique rows, or each combination of the given columns once.", example: "from communes | distinct code_region")

  public static func parse(_ p: inout Parser) throws -> DistinctStage {
    if case .identifier = p.current.kind { return DistinctStage(columns: try p.parseNameList()) }
    return DistinctStage(columns: [])
  }
}

/// Unique combinations of the columns at these indices.
package struct DistinctStep: LogicalStep {
  package var columns: [Int]

  package init(_ columns: [Int]) { self.columns = columns }
}

extension DistinctStage: PlannableStage {
  package func plan(_ p: inout StagePlanning) throws {
    let fields = p.fields
    try checkNamesUnique(columns, .columnListedTwice, label: .alreadyListed, help: .nameEachColumnOnce)
    var idx: [Int] = []
    for c in columns {
      idx.append(try p.column(c))
    }
    if idx.isEmpty { idx = Array(fields.indices) }
    p.emit(DistinctStep(idx), fields: idx.map { fields[$0] })
  }
}
