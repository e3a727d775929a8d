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
    var o = ExportOptions()
    for item in items {
      guard case .expr(let e) = item.value else {
        throw Diagnostic("`types` is an option of `load`, not `export`", at: item.name.span)
      }
      do {
        switch item.name.text.lowercased() {
        case "sep", "separator": o.separator = try ExportOptions.parseSeparator(try textOption(e))
        case "decimal": o.decimalComma = try ExportOptions.parseDecimal(try textOption(e))
        case "bom": o.bom = try boolOption(e)
        case "header": o.header = try boolOption(e)
        case "null": o.null = try textOption(e)
        case "crlf": o.crlf = try boolOption(e)
        case "dialect": o.dialect = try textOption(e)
        default:
          throw Diagnostic("unknown export option `\(item.name.text)`", at: item.name.span, label: "unknown",
            help: closestName(to: item.name.text, in: ["sep", "decimal", "bom", "header", "null", "crlf", "dialect"])
              .map { "did you mean `\($0)`?" } ?? "options: sep, decimal, bom, header, null, crlf, dialect")
        }
      } catch let error as ExportOptionError {
        throw Diagnostic(error.message, at: e.span, label: "bad value")
      }
    }
    do { try o.validate() } catch let error as ExportOptionError {
      throw Diagnostic(error.message, at: items.first?.name.span)
    }
    return o
  }
}
