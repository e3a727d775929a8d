// `| join [left] TABLE on COND`
// `join [left] TABLE on COND`: a hash join step.

import TerrainStorage
import TerrainSyntax

public struct JoinStage: StageSyntax {
  public var table: Name
  public var on: Expr
  public var left: Bool

  public static let keyword = "join"
  public static let continuationWords = ["on"]
  public static let completionWords = ["on", "left"]
  public static let tableWords = ["join"]
  public static let help = StageHelp(synopsis: "| join [left] TABLE on col | on a == TABLE.b [and …]",
    text: "Hash join; a shared column appears once; clashing right columns get `_TABLE`.",
    example: "from communes | join epci on epci == epci.siren | take 3")

  public var tablesRead: [Name] { [table] }

  public static func parse(_ p: inout Parser) throws -> JoinStage {
    let left = p.acceptKeyword("left")
    let table = try p.tableName(.tableNameAfterJoin)
    guard p.acceptKeyword("on") else {
      throw p.unexpected(.expectedOnAfterJoin, table.text, help: .exampleJoinOn)
    }
    return JoinStage(table: table, on: try p.parseExpr(), left: left)
  }
}

/// `probeKeys` over the input, `buildKeys` over `table`; the output is the input's columns
/// then `table`'s columns at `keptRight`, named `names`.
package struct JoinStep: LogicalStep {
  package var table: Table
  package var tableName: String
  package var left: Bool
  package var probeKeys: [BoundExpr]
  package var buildKeys: [BoundExpr]
  package var keptRight: [Int]
  package var names: [String]

  package init(table: Table, tableName: String, left: Bool, probeKeys: [BoundExpr], buildKeys: [BoundExpr],
    keptRight: [Int], names: [String]) {
    self.table = table
    self.tableName = tableName
    self.left = left
    self.probeKeys = probeKeys
    self.buildKeys = buildKeys
    self.keptRight = keptRight
    self.names = names
  }
}

extension JoinStage: PlannableStage {
  package func plan(_ p: inout StagePlanning) throws {
    let right = try p.planner.tables.table(named: table.text, at: table.span)
    let (step, fields) = try p.planner.bindJoin(on, right: right, rightName: table.text, left: left, fields: p.fields,
      sourceName: p.sourceName)
    p.emit(step, fields: fields)
  }
}

extension PipelinePlanner {
  fileprivate func bindJoin(_ on: Expr, right: Table, rightName: String, left: Bool, fields: [Field], sourceName: String) throws -> (PlanStep, [Field]) {
    var probeKeys: [BoundExpr] = []
    var buildKeys: [BoundExpr] = []
    var usingRight: Set<Int> = []
    let leftBinder = ExpressionBinder(fields: fields, sourceName: sourceName, parameters: parameters, constants: constants, functions: functions,
      qualifier: sourceName == rightName ? nil : sourceName)
    let rightBinder = ExpressionBinder(fields: right.fields, sourceName: rightName, parameters: parameters, constants: constants, functions: functions, qualifier: rightName)

    func refersToRight(_ e: Expr) -> Bool {
      if case .column(_, let t?) = e.kind { return t.text == rightName }
      return false
    }
    func addPair(_ l: BoundExpr, _ r: BoundExpr, _ span: Span) throws {
      var (x, y) = (l, r)
      if x.type != y.type {
        guard x.type.isNumeric && y.type.isNumeric else {
          throw Diagnostic(.cannotJoinTypes, "\(x.type)", "\(y.type)", at: span, label: .typeVersusType("\(x.type)", "\(y.type)"),
            help: .convertOneSideForJoin)
        }
        x = leftBinder.cast(x, .float)
        y = rightBinder.cast(y, .float)
      }
      probeKeys.append(x)
      buildKeys.append(y)
    }
    func walk(_ e: Expr) throws {
      switch e.kind {
      case .binary(.and, let a, let b, _):
        try walk(a)
        try walk(b)
      case .column(let n, nil):
        guard let li = fields.firstIndex(where: { $0.name == n.text }) else {
          throw Diagnostic(.joinColumnMissing, n.text, n.text, sourceName,
            at: n.span, label: .notIn(sourceName),
            help: closestName(to: n.text, in: fields.map(\.name)).map { .didYouMean($0) })
        }
        guard let ri = right.index(of: n.text) else {
          throw Diagnostic(.joinColumnMissing, n.text, n.text, rightName,
            at: n.span, label: .notIn(rightName),
            help: .nameBothSides(n.text, rightName))
        }
        usingRight.insert(ri)
        try addPair(.column(li, fields[li].type), .column(ri, right.fields[ri].type), e.span)
      case .binary(.equal, let a, let b, _):
        let (l, r) = refersToRight(b) ? (a, b) : (refersToRight(a) ? (b, a) : (a, b))
        guard refersToRight(r) else {
          throw Diagnostic(.joinConditionNeedsRightColumn, rightName, at: e.span,
            label: .noQualifiedColumnHere(rightName), help: .exampleJoinCondition(rightName))
        }
        try addPair(try leftBinder.bind(l), try rightBinder.bind(r), e.span)
      default:
        throw Diagnostic(.notAJoinCondition, rightName, at: e.span,
          label: .notAJoinCondition)
      }
    }
    try walk(on)
    let kept = right.fields.indices.filter { !usingRight.contains($0) }
    let leftNames = Set(fields.map(\.name))
    var names = fields.map(\.name)
    var outFields = fields
    for i in kept {
      var n = right.fields[i].name
      if leftNames.contains(n) { n = "\(n)_\(rightName)" }
      while names.contains(n) { n += "_" }
      names.append(n)
      outFields.append(Field(name: n, type: right.fields[i].type))
    }
    return (JoinStep(table: right, tableName: rightName, left: left, probeKeys: probeKeys, buildKeys: buildKeys,
      keptRight: kept, names: names), outFields)
  }
}
