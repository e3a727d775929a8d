// `export "file" [with (…)]`: the sink; it adds no step, it sets where the rows are written.

import TerrainSyntax
import TerrainIO

extension ExportStage: PlannableStage {
  package func plan(_ p: inout StagePlanning) throws {
    p.export = ExportSink(path: try p.planner.resolvePath(path), options: try p.planner.exportOptions(options), span: path.span)
  }
}

extension PipelinePlanner {
  fileprivate func exportOptions(_ items: [OptionItem]) throws -> ExportOptions {
    try OptionBinder(parameters: parameters, constants: constants, functions: functions).bind(items, ExportOptions.schema, into: ExportOptions())
  }
}
