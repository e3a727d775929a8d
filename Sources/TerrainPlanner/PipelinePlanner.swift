// Binds a parsed pipeline stage by stage into a `QueryPlan`, checking every name and type
// before any row is read.

import TerrainStorage
import TerrainSyntax
import TerrainIO

/// Looks up a table by name for the planner (loading a lazily registered one if needed).
package protocol TableProvider {
  /// The table called `name`, or a diagnostic at `span` with a suggestion.
  func table(named name: String, at span: Span) throws -> Table
}

package struct PipelinePlanner {
  package let tables: TableProvider
  package let parameters: [String: String]
  package let constants: any ConstantEvaluator
  package let functions: FunctionRegistry

  package init(tables: TableProvider, parameters: [String: String], constants: any ConstantEvaluator, functions: FunctionRegistry) {
    self.tables = tables
    self.parameters = parameters
    self.constants = constants
    self.functions = functions
  }

  /// Binds `pipeline`, whose source must already be resolved (`from TABLE`); `compare` sources
  /// are rewritten by the caller into a table before this.
  package func plan(_ pipeline: Pipeline, source: Table, sourceName: String) throws -> QueryPlan {
    var fields = source.fields
    var fieldsAfter = [fields]
    var steps: [PlanStep] = []
    var export: ExportSink?
    for (position, node) in pipeline.stages.enumerated() {
      if export != nil {
        throw Diagnostic("`export` must be the last stage", at: node.keywordSpan, label: "after export")
      }
      let binder = ExpressionBinder(fields: fields, sourceName: sourceName, parameters: parameters, constants: constants, functions: functions, qualifier: sourceName)
      switch node.stage {
      case .filter(let e):
        steps.append(.filter(try binder.bindPredicate(e)))
      case .select(let items):
        let (exprs, names) = try bindItems(items, binder)
        steps.append(.project(exprs, names: names))
        fields = zip(names, exprs).map { Field(name: $0, type: $1.type) }
      case .derive(let items):
        var exprs = fields.indices.map { BoundExpr.column($0, fields[$0].type) }
        var names = fields.map(\.name)
        // Each item sees the columns derived before it in the same stage.
        var scope = binder
        for item in items {
          let e = try scope.bind(item.expr)
          let resolved = substituteColumns(e, exprs)
          if let i = names.firstIndex(of: item.name.text) {
            exprs[i] = resolved
          } else {
            names.append(item.name.text)
            exprs.append(resolved)
          }
          scope.fields = zip(names, exprs).map { Field(name: $0, type: $1.type) }
        }
        steps.append(.project(exprs, names: names))
        fields = zip(names, exprs).map { Field(name: $0, type: $1.type) }
      case .drop(let cols):
        try checkNamesUnique(cols, what: "dropped", label: "already dropped", help: "name each column once")
        var keep = Array(fields.indices)
        for c in cols {
          guard let i = fields.firstIndex(where: { $0.name == c.text }) else {
            throw unknownColumn(c, fields, sourceName)
          }
          keep.removeAll { $0 == i }
        }
        steps.append(.project(keep.map { .column($0, fields[$0].type) }, names: keep.map { fields[$0].name }))
        fields = keep.map { fields[$0] }
      case .aggregate(let items, let by):
        let (keys, keyNames) = try bindItems(by, binder)
        let collector = AggregateCollector(keyNames: keyNames, keyTypes: keys.map(\.type))
        var aggBinder = binder
        aggBinder.aggregates = collector
        var outputs: [BoundExpr] = []
        var names: [String] = []
        for item in items {
          outputs.append(try aggBinder.bind(item.expr))
          names.append(item.name.text)
        }
        // Group columns come first, in `by` order.
        let allOutputs = keys.indices.map { BoundExpr.column($0, keys[$0].type) } + outputs
        let allNames = keyNames + names
        try checkUnique((by + items).map(\.name))
        steps.append(.aggregate(keys: keys, keyNames: keyNames, specs: collector.specs, outputs: allOutputs, names: allNames))
        fields = zip(allNames, allOutputs).map { Field(name: $0, type: $1.type) }
      case .sort(let keys):
        let bound = try keys.map { (try binder.bind($0.expr), descending: $0.descending) }
        var limit: Int?
        if position + 1 < pipeline.stages.count, case .take(let n) = pipeline.stages[position + 1].stage {
          limit = try takeCount(n, binder)
        }
        steps.append(.sort(bound, limit: limit))
      case .take(let n):
        steps.append(.take(try takeCount(n, binder)))
      case .join(let name, let on, let left):
        let right = try tables.table(named: name.text, at: name.span)
        let step = try bindJoin(on, right: right, rightName: name.text, left: left, fields: fields, sourceName: sourceName)
        steps.append(step.0)
        fields = step.1
      case .distinct(let cols):
        try checkNamesUnique(cols, what: "listed", label: "already listed", help: "name each column once")
        var idx: [Int] = []
        for c in cols {
          guard let i = fields.firstIndex(where: { $0.name == c.text }) else { throw unknownColumn(c, fields, sourceName) }
          idx.append(i)
        }
        if idx.isEmpty { idx = Array(fields.indices) }
        steps.append(.distinct(idx))
        fields = idx.map { fields[$0] }
      case .export(let path, let options):
        export = ExportSink(path: try resolvePath(path), options: try exportOptions(options), span: path.span)
      }
      if case .export = node.stage {} else { fieldsAfter.append(fields) }
    }
    return QueryPlan(source: source, sourceName: sourceName, steps: steps, fieldsAfter: fieldsAfter, export: export)
  }

  private func bindItems(_ items: [NamedExpr], _ binder: ExpressionBinder) throws -> ([BoundExpr], [String]) {
    let exprs = try items.map { try binder.bind($0.expr) }
    try checkUnique(items.map(\.name))
    return (exprs, items.map(\.name.text))
  }

  /// Output names must be unique; the error points at the second use of a name.
  private func checkUnique(_ names: [Name]) throws {
    try checkNamesUnique(names, what: "appears", label: "duplicate name", help: "give one of them another name with `other = …`")
  }

  private func unknownColumn(_ c: Name, _ fields: [Field], _ source: String) -> Diagnostic {
    Diagnostic("unknown column `\(c.text)` in `\(source)`", at: c.span, label: "not found",
      help: closestName(to: c.text, in: fields.map(\.name)).map { "did you mean `\($0)`?" })
  }

  private func takeCount(_ e: Expr, _ binder: ExpressionBinder) throws -> Int {
    let b = try binder.bind(e, expected: .int)
    guard let v = try constants.constantValue(of: b) else {
      throw Diagnostic("`take` needs a constant number of rows", at: e.span, label: "not a constant", help: "e.g. take 10")
    }
    switch v {
    case .int(let n) where n >= 0: return Int(clamping: n)
    case .int, .float:
      throw Diagnostic("`take` needs a whole number of rows, 0 or more", at: e.span, label: "not a row count")
    default:
      throw Diagnostic("`take` needs a number of rows", at: e.span, label: "not a number")
    }
  }

  /// Replaces references to the current columns by their defining expressions (for `derive`).
  private func substituteColumns(_ e: BoundExpr, _ defs: [BoundExpr]) -> BoundExpr {
    e.replacingColumns { i, t in i < defs.count ? defs[i] : .column(i, t) }
  }

  // MARK: join

  private func bindJoin(_ on: Expr, right: Table, rightName: String, left: Bool, fields: [Field], sourceName: String) throws -> (PlanStep, [Field]) {
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
          throw Diagnostic("cannot join \(x.type) with \(y.type)", at: span, label: "\(x.type) vs \(y.type)",
            help: "convert one side, e.g. with text(…) or int(…)")
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
          throw Diagnostic("`join … on \(n.text)` needs a column `\(n.text)` on both sides, but `\(sourceName)` has none",
            at: n.span, label: "not in \(sourceName)",
            help: closestName(to: n.text, in: fields.map(\.name)).map { "did you mean `\($0)`?" })
        }
        guard let ri = right.index(of: n.text) else {
          throw Diagnostic("`join … on \(n.text)` needs a column `\(n.text)` on both sides, but `\(rightName)` has none",
            at: n.span, label: "not in \(rightName)",
            help: "name both sides: `on \(n.text) == \(rightName).COLUMN`")
        }
        usingRight.insert(ri)
        try addPair(.column(li, fields[li].type), .column(ri, right.fields[ri].type), e.span)
      case .binary(.equal, let a, let b, _):
        let (l, r) = refersToRight(b) ? (a, b) : (refersToRight(a) ? (b, a) : (a, b))
        guard refersToRight(r) else {
          throw Diagnostic("one side of the join condition must name a column of `\(rightName)`", at: e.span,
            label: "no `\(rightName).…` here", help: "e.g. on code == \(rightName).code")
        }
        try addPair(try leftBinder.bind(l), try rightBinder.bind(r), e.span)
      default:
        throw Diagnostic("a join condition is `col`, or `a == \(rightName).b` joined with `and`", at: e.span,
          label: "not a join condition")
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
    return (.join(table: right, tableName: rightName, left: left, probeKeys: probeKeys, buildKeys: buildKeys,
      keptRight: kept, names: names), outFields)
  }

  // MARK: export options

  private func exportOptions(_ items: [OptionItem]) throws -> ExportOptions {
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

  /// The value of an option, a constant; a parameter in it takes the type `expected`.
  package func constantOption(_ e: Expr, expected: DataType) throws -> Value {
    let b = try ExpressionBinder(fields: [], sourceName: "options", parameters: parameters, constants: constants, functions: functions).bind(e, expected: expected)
    guard let v = try constants.constantValue(of: b) else {
      throw Diagnostic("an option value must be a constant", at: e.span, label: "not a constant")
    }
    return v
  }

  /// A text option: `"…"`, or a parameter read as text.
  package func textOption(_ e: Expr) throws -> String {
    guard case .text(let s) = try constantOption(e, expected: .text) else {
      throw Diagnostic("expected text in quotes", at: e.span, label: "not text")
    }
    return s
  }

  /// A true/false option: `true`, `false`, or a parameter holding one of them.
  package func boolOption(_ e: Expr) throws -> Bool {
    guard case .bool(let b) = try constantOption(e, expected: .bool) else {
      throw Diagnostic("expected true or false", at: e.span, label: "not a bool")
    }
    return b
  }

  /// The text of a `load` or `export` path: its pieces end to end, each parameter read as text
  /// (an undefined one is reported at its span).
  package func resolvePath(_ path: PathText) throws -> String {
    let binder = ExpressionBinder(fields: [], sourceName: "path", parameters: parameters, constants: constants, functions: functions)
    var out = ""
    for piece in path.pieces {
      switch piece.kind {
      case .literal(let s):
        out += s
      case .parameter(let p):
        guard case .constant(.text(let s), _) = try binder.bind(Expr(kind: .parameter(p), span: piece.span), expected: .text) else {
          throw Diagnostic("parameter `$\(p)` cannot be read as text", at: piece.span)
        }
        out += s
      }
    }
    return out
  }
}

/// A name given twice (`drop a, a`) is an error at its second mention: "column `a` … twice".
package func checkNamesUnique(_ names: [Name], noun: String = "column", what: String, label: String, help: String) throws {
  var seen = Set<String>()
  for n in names where !seen.insert(n.text).inserted {
    throw Diagnostic("\(noun) `\(n.text)` \(what) twice", at: n.span, label: label, help: help)
  }
}
