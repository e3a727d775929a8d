// Fuzz target (b): parse + bind + run against a small fixed catalog.
// Inputs that could touch the file system (`load`, `export`, `.read`, `.save`, `.open`, `.record`, `.lesson`, `pilots` files) are
// skipped; the process also runs with its working directory in a fresh temporary folder.
import Foundation
import TerrainEngine
import TerrainShell

nonisolated(unsafe) var session: Session? = nil
nonisolated(unsafe) var runs = 0

func makeSession() -> Session {
  let s = Session.shell()  // with the dot commands, which the fuzzer exercises too
  s.write = { _ in }
  s.notify = { _ in }
  do {
    s.register(try Table(columns: [
      ("id", .int((0..<12).map { Int64($0) })),
      ("k", .int([1, 2, nil, 2, -5, 9_223_372_036_854_775_807, 0, 1, nil, 3, 3, -9_223_372_036_854_775_807])),
      ("x", .float([1.5, nil, -0.0, 1e308, 2.25, .nan, 3, -7.5, 0.1, nil, 1e-300, 42])),
      ("name", .text(["a", "é", nil, "", "東京", "a", "Ain", "2A", "01001", "x y", nil, "b"])),
      ("flag", .bool([true, false, nil, true, true, false, nil, false, true, true, false, true])),
    ]), as: "t")
    s.register(try Table(columns: [
      ("k", .int([1, 2, 2, nil, 7])),
      ("label", .text(["un", "deux", "two", "none", nil])),
    ]), as: "u")
  } catch {
    fatalError("fuzz tables: \(error)")
  }
  return s
}

/// Before the session target runs: a fresh temporary working folder, and the session dropped
/// at exit.
func setUpSession() {
  let dir = FileManager.default.temporaryDirectory.appendingPathComponent("terrain-fuzz-\(getpid())").path
  try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
  _ = FileManager.default.changeCurrentDirectoryPath(dir)
  // Drop the tables before LeakSanitizer's check at exit: it does not see the text
  // dictionaries of live tables (FUZZING.md, finding 1) and would report them as leaked.
  atexit { session = nil }
}

func fuzzSession(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  let lower = text.lowercased()
  for banned in ["load", "export", ".read", ".save", ".open", ".record", ".lesson", "pilots", ".quit"] where lower.contains(banned) { return -1 }
  // A fresh session now and then so that `let` and `.drop` cannot wear the catalog out,
  // while state still carries over between a few inputs.
  if session == nil || runs % 64 == 0 { session = makeSession() }
  runs += 1
  _ = session!.run(text, name: "fuzz.tq")
  return 0
}
