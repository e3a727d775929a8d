// The language messages are shown in: English (the catalog's templates) or French (the
// templates of `DiagnosticCatalogFrench.swift`, keyed by the same identities).

import Foundation

/// A language of terrain's messages, notices and help.
public enum MessageLanguage: String, Sendable, CaseIterable {
  case english = "en"
  case french = "fr"

  /// The language a locale name asks for: French for any name starting with `fr` (`fr_FR.UTF-8`,
  /// `fr_CA`, `fr`), else English.
  public init(locale: String) {
    self = locale.lowercased().hasPrefix("fr") ? .french : .english
  }

  /// The language of the messages' locale in `environment`, in POSIX precedence: `LC_ALL`, then
  /// `LC_MESSAGES`, then `LANG` (the first one set and not empty decides).
  public init(environment: [String: String]) {
    let name = ["LC_ALL", "LC_MESSAGES", "LANG"].lazy.compactMap { environment[$0] }.first { !$0.isEmpty }
    self.init(locale: name ?? "")
  }

  /// The language messages are produced in now, in this process. A `Session` sets it to its own
  /// while it runs statements (and `.lang` changes it); worker threads read it.
  ///
  /// It is one value for the whole process, not one per session or per thread: right for the
  /// shell (one session), but an embedding program should know that two sessions of
  /// different languages running statements at the same time on two threads each set it
  /// for the other too, so that one's messages may come out in the other's language (never
  /// a wrong message or a crash: only its language). Such a program runs the sessions of
  /// one language at a time, or gives them all the same language.
  public static var current: MessageLanguage {
    get { languageLock.withLock { currentLanguage } }
    set { languageLock.withLock { currentLanguage = newValue } }
  }

  /// Runs `body` with `language` as the current one, then puts the previous one back.
  public static func with<T>(_ language: MessageLanguage, _ body: () throws -> T) rethrows -> T {
    let saved = current
    current = language
    defer { current = saved }
    return try body()
  }

  /// The template to use for the catalog entry `key` (`bind.unknown-column`,
  /// `help.did-you-mean`) whose English template is `english`: its translation in the current
  /// language when there is one.
  public static func template(_ key: String, english: String) -> String {
    switch current {
    case .english: return english
    case .french: return frenchCatalog[key] ?? english
    }
  }
}

private let languageLock = NSLock()
nonisolated(unsafe) private var currentLanguage = MessageLanguage.english
