// `| export "file" [with (…)]`: the sink that ends a pipeline.
// `export "file" [with (…)]`: the sink; it adds no step, it sets where the rows are written.

import TerrainSyntax
import TerrainIO

public struct ExportStage: StageSyntax {
  public var path: PathText
  public var options: [OptionItem]

  public static let keyword = "export"
  public static let isSink = true
  public static let continuationWords = ["with"]
  public static let completionWords = ["with"]
  public static let pathWords = ["export"]
  public static let help = StageHelp(synopsis: "| export \"file.csv\" [with (dialect = \"excel-fr\", sep, decimal, bom, header, null, format)]",
    text: "Writes the rows atomically (.xlsx: one sheet, bold frozen header, typed cells), in the format of the extension (`.help formats`; another extension is an error) or of `format = \"…\"`. The path may be a `$parameter`, or strings and parameters joined with `||`: export \"fiche_\" || $siren || \".csv\". With a database attached as pg, export \"pg.t\" writes its table t in one transaction: created, or with (mode = \"replace\") or (mode = \"append\") (`.help attach`).", example: "from regions | export \"/tmp/regions.csv\" with (dialect = \"excel-fr\")")

  public static func parse(_ p: inout Parser) throws -> ExportStage {
    let path = try p.parsePath(after: "export", example: "export \"out.csv\"")
    return ExportStage(path: path, options: try p.parseWithOptions())
  }
}

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
