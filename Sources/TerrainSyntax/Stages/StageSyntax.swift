// What a pipeline stage is to the syntax module: its keyword, its grammar, the words the shell
// continues and completes after it, and its help. Each stage is one type, defined with its
// planning in TerrainPlanner/Stages and listed once in `Grammar.terrain` (StageRegistry.swift
// there); the parser is handed that table (`Grammar`), and the executor runs the step the
// planning produces.

/// The `.help` entry of a stage: `| take N`, what it does, and an example that runs on the
/// bundled data.
public struct StageHelp: Sendable {
  public var synopsis: String
  public var text: String
  public var example: String

  public init(synopsis: String, text: String, example: String) {
    self.synopsis = synopsis
    self.text = text
    self.example = example
  }
}

/// One `| stage` as parsed: the node a stage's `parse` produces.
public protocol StageSyntax: Sendable {
  /// The keyword after `|`, lower case.
  static var keyword: String { get }
  /// Its `.help` entry (in the order of `Grammar.stages`).
  static var help: StageHelp { get }
  /// Parses what follows the keyword (already consumed).
  static func parse(_ parser: inout Parser) throws -> Self

  /// Whether a statement may end right after the bare keyword (`| distinct`); when false, a
  /// line ending with the keyword continues on the next one.
  static var mayEndAfterKeyword: Bool { get }
  /// Words of the stage after which a statement cannot end (`by` of `aggregate`).
  static var continuationWords: [String] { get }
  /// Words of the stage the shell offers on Tab (`asc`, `desc` of `sort`).
  static var completionWords: [String] { get }
  /// Words of the stage followed by a table name (`join`): the shell completes table names.
  static var tableWords: [String] { get }
  /// Words of the stage followed by a file path (`export`): the shell completes file names in
  /// its quotes.
  static var pathWords: [String] { get }
  /// Words of the stage followed by `name = …` items that define columns (`select`, `by` of
  /// `aggregate`): the shell completes those names in later stages.
  static var definingWords: [String] { get }
  /// Names other tools give the stage (`filter` for `where`), answered with `otherNameHelp`.
  static var otherNames: [String] { get }
  static var otherNameHelp: DiagnosticText { get }
  /// Whether the stage writes the rows out and so ends the pipeline (`export`).
  static var isSink: Bool { get }

  /// Tables the stage reads besides its input (`join TABLE`).
  var tablesRead: [Name] { get }
}

extension StageSyntax {
  public static var mayEndAfterKeyword: Bool { false }
  public static var continuationWords: [String] { [] }
  public static var completionWords: [String] { [] }
  public static var tableWords: [String] { [] }
  public static var definingWords: [String] { [] }
  public static var pathWords: [String] { [] }
  public static var otherNames: [String] { [] }
  public static var otherNameHelp: DiagnosticText { .didYouMean(keyword) }
  public static var isSink: Bool { false }
  public var tablesRead: [Name] { [] }
}

extension StageNode {
  /// The keyword of the stage, lower case.
  public var keyword: String { type(of: stage).keyword }
  /// Whether the stage is a sink (`export`).
  public var isSink: Bool { type(of: stage).isSink }
}
