// What `Session.execute(_:)` gives back: one result per statement run.

import TerrainStorage
import TerrainSyntax

/// What one statement gave, and where it stands in the text given to `Session.execute(_:)`.
public struct StatementResult: Sendable {
  /// The kind of result.
  public enum Outcome: Sendable {
    /// The rows of a query (`from …`, `compare …`) that does not end with `export`.
    case table(Table)
    /// A statement that loaded, wrote or set something and said so: `loaded 12 rows into t`,
    /// `wrote 3 rows to out.csv`, `2 pilots: …`, `dropped t` (several lines joined by `\n`,
    /// e.g. a load's warnings then its `loaded …` line). The same lines are in `notices`.
    case notice(String)
    /// The text a dot command printed (`.help`, `.tables`, `.schema`, `.explain`, …), rendered in
    /// the session's output mode (a box table by default).
    case output(String)
    /// The statement failed; nothing it would have changed was changed, and no later statement
    /// ran.
    case diagnostic(StatementDiagnostic)
    /// The statement ran and had nothing to say: a `let`, or a setting such as `.mode csv`.
    case done
  }

  /// What the statement gave.
  public let outcome: Outcome
  /// Every notice the statement gave, in order, without line ends (a `compare`'s peers line, a
  /// load's warnings, `loaded …`, `wrote …`).
  public let notices: [String]
  /// The statement's text as written; the whole text for an error found before any statement
  /// ran (a parse error).
  public let statement: String
  /// 1-based line of the statement's first character in the text given to `execute`.
  public let line: Int
  /// 1-based column (in characters) of the statement's first character.
  public let column: Int

  /// The rows, when the outcome is `.table`.
  public var table: Table? {
    if case .table(let t) = outcome { return t }
    return nil
  }

  /// The error, when the outcome is `.diagnostic`.
  public var diagnostic: StatementDiagnostic? {
    if case .diagnostic(let d) = outcome { return d }
    return nil
  }
}

/// An error in a statement: its message, where it is, and the text the shell prints for it.
public struct StatementDiagnostic: Error, Sendable, CustomStringConvertible {
  /// The message, e.g. ``unknown column `popu` in `communes` ``.
  public let message: String
  /// The message's identity in the catalog, `domain.name` (`bind.unknown-column`): stable
  /// across versions and languages, for tests and embedders to recognise an error by. Always
  /// set for terrain's own errors.
  public let id: String?
  /// The short label under the caret (`not found`), if any.
  public let label: String?
  /// The help line (`did you mean `population`?`), if any.
  public let help: String?
  /// The offending text as UTF-8 byte offsets into the text given to `execute`, or nil when the
  /// error has no position (e.g. a cancelled statement).
  public let span: Range<Int>?
  /// 1-based line of the span's start, nil without a span.
  public let line: Int?
  /// 1-based column (in characters) of the span's start, nil without a span.
  public let column: Int?
  /// The error as `run` prints it: `error: …`, the line and a caret under the span, the help
  /// (or `NAME:LINE:COL: error: …` with a source name).
  public let rendered: String

  /// The message.
  public var description: String { message }

  package init(_ d: Diagnostic, source: SourceText) {
    message = d.message
    id = d.id.description
    label = d.label
    help = d.help
    if let s = d.span {
      span = s.start..<s.end
      let at = source.location(of: s.start)
      line = at.line
      column = at.column
    } else {
      span = nil
      line = nil
      column = nil
    }
    rendered = source.render(d)
  }
}
