// Read-only views of engine tables for the interactive shell (completion, banner).

extension Session {
  /// Names of the dot commands, without the leading `.`, in `.help` order.
  public static var dotCommandNames: [String] { dotCommands.map(\.name) }

  /// Every `.help` topic: statements, stages, functions, aggregates and dot commands (with `.`).
  public static var helpTopicNames: [String] { allHelpTopicNames }
}
