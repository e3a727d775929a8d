// Read-only views of engine tables for the interactive shell (completion, banner).

import TerrainStorage
import TerrainSyntax
import TerrainIO
import TerrainPlanner
import TerrainExecution

extension Session {
  /// The columns coming out of `text` when it is a query (`from …`, `compare …`,
  /// `let t = from …`) over tables already in memory, found by planning it without running it;
  /// nil otherwise (text that does not parse or plan, or a table still to be read from its file).
  /// The shell completes the columns of the stage being typed with it.
  package func outputColumns(of text: String) -> [String]? {
    guard let nodes = try? Parser.parse(text, grammar: .terrain), nodes.count == 1, let node = nodes.first else { return nil }
    let pipeline: Pipeline
    switch node.statement {
    case .query(let p), .assign(_, let p): pipeline = p
    default: return nil
    }
    let source: String
    switch pipeline.source {
    case .table(let name): source = name.text
    case .compare: source = pilots?.tableName ?? ""
    }
    // Attached tables: planned over their columns only (nothing is fetched for completion).
    if readsAttached(pipeline) {
      guard !pipeline.stages.contains(where: \.isSink) else { return nil }
      return (try? planWithoutReading(pipeline))?.outputFields.map(\.name)
    }
    guard catalog.isOpen(source) else { return nil }
    for stage in pipeline.stages {
      if stage.stage.tablesRead.contains(where: { !catalog.isLoaded($0.text) }) { return nil }
      if stage.isSink { return nil }
    }
    return (try? planQuery(pipeline, decoding: false))?.outputFields.map(\.name)
  }
}
