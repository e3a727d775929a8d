// Where a participant stands in each lesson, kept between sessions in one JSON file of the
// state folder (`$XDG_STATE_HOME/terrain/lessons.json`, else `$HOME/.terrain_lessons.json`):
//
//   {"version": 1, "lessons": {"/abs/path/exercices.lesson": {"current": "title", "solved": ["title", …]}}}
//
// Lessons are keyed by the lesson file's absolute path, exercises by title (so that adding an
// exercise to the file keeps everyone's place). Each save reads the file, changes this lesson's
// entry and replaces the file atomically (temporary file, rename), under a lock beside it, so
// two shells never lose each other's progress and a failure leaves the previous file whole. A
// file that cannot be read as progress counts as empty (and is replaced at the next save).

import Foundation
import TerrainIO

/// A participant's place in one lesson.
package struct LessonProgress: Codable, Equatable, Sendable {
  /// The title of the exercise shown.
  package var current: String
  /// The titles of the exercises `.check` accepted, in the order they were solved.
  package var solved: [String]

  package init(current: String, solved: [String] = []) {
    self.current = current
    self.solved = solved
  }
}

private struct ProgressFile: Codable {
  var version = 1
  var lessons: [String: LessonProgress] = [:]
}

/// The lessons' progress file at `path`.
package struct LessonProgressStore: Sendable {
  /// The JSON file.
  package let path: String
  /// Progress files larger than this are not read (they are not ours).
  static let sizeLimit = 4 << 20

  package init(path: String) { self.path = path }

  /// The progress of the lesson `key` (its file's absolute path), or nil.
  package func load(_ key: String) -> LessonProgress? {
    withFileLock(path + ".lock") { read().lessons[key] }
  }

  /// Records `progress` for the lesson `key`, keeping the other lessons' entries.
  /// - Throws: `ExportError` naming the file when it cannot be written (the previous file stays).
  package func save(_ progress: LessonProgress, for key: String) throws {
    try withFileLock(path + ".lock") {
      var file = read()
      file.lessons[key] = progress
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
      let data = try encoder.encode(file)
      _ = try writeFileAtomically(path: path) { out in
        out.append(String(decoding: data, as: UTF8.self) + "\n")
        return data.count
      }
    }
  }

  private func read() -> ProgressFile {
    guard let text = try? readScriptText(path: path), text.utf8.count <= Self.sizeLimit,
      let file = try? JSONDecoder().decode(ProgressFile.self, from: Data(text.utf8)), file.version == 1
    else { return ProgressFile() }
    return file
  }
}
