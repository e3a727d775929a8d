// `.lang [fr|en]`: the language of the session's messages, notices and help.

import TerrainEngine
import TerrainSyntax

extension Session {
  /// `.lang fr`, `.lang en` (also `français`, `english`, or a locale name such as `fr_FR`), or
  /// alone: shows the language.
  func setLanguage(_ argument: String?, _ span: Span) throws {
    guard let argument else { return write(DiagnosticText.languageIs(language.rawValue).string + "\n") }
    switch argument.lowercased() {
    case "fr", "french", "français", "francais": language = .french
    case "en", "english", "anglais": language = .english
    case let name where name.hasPrefix("fr_") || name.hasPrefix("en_"): language = MessageLanguage(locale: name)
    default: throw Diagnostic(.unknownLanguage, argument, at: span, help: .languagesList)
    }
  }
}
