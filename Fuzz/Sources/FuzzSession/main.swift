// Fuzz target (b): parse + bind + run against a small fixed catalog.
// Inputs that could touch the file system (`load`, `export`, `.read`, `pilots` files) are
// skipped; the process also runs with its working directory in a fresh temporary folder.
import Foundation
import TerrainEngine

nonisolated(unsafe) var session: Session? = nil
nonisolated(unsafe) var runs = 0

func makeSession() -> Session {
  let s = Session()
  s.write = { _ in }
  s.notify = { _ in }
  s.catalog.set("t", Table(names: ["id", "k", "x", "name", "flag"], columns: [
    Column.from((0..<12).map { .int(Int64($0)) }, type: .int),
    Column.from([.int(1), .int(2), .null, .int(2), .int(-5), .int(9_223_372_036_854_775_807),
                 .int(0), .int(1), .null, .int(3), .int(3), .int(-9_223_372_036_854_775_807)], type: .int),
    Column.from([.float(1.5), .null, .float(-0.0), .float(1e308), .float(2.25), .float(.nan),
                 .float(3), .float(-7.5), .float(0.1), .null, .float(1e-300), .float(42)], type: .float),
    Column.from([.text("a"), .text("é"), .null, .text(""), .text("東京"), .text("a"),
                 .text("Ain"), .text("2A"), .text("01001"), .text("x y"), .null, .text("b")], type: .text),
    Column.from([.bool(true), .bool(false), .null, .bool(true), .bool(true), .bool(false),
                 .null, .bool(false), .bool(true), .bool(true), .bool(false), .bool(true)], type: .bool),
  ]), origin: .query)
  s.catalog.set("u", Table(names: ["k", "label"], columns: [
    Column.from([.int(1), .int(2), .int(2), .null, .int(7)], type: .int),
    Column.from([.text("un"), .text("deux"), .text("two"), .text("none"), .null], type: .text),
  ]), origin: .query)
  return s
}

@_cdecl("LLVMFuzzerInitialize")
public func setUp(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>) -> CInt {
  let dir = FileManager.default.temporaryDirectory.appendingPathComponent("terrain-fuzz-\(getpid())").path
  try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
  _ = FileManager.default.changeCurrentDirectoryPath(dir)
  // Drop the tables before LeakSanitizer's check at exit: it does not see the text
  // dictionaries of live tables (FUZZING.md, finding 1) and would report them as leaked.
  atexit { session = nil }
  return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSession(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  let lower = text.lowercased()
  for banned in ["load", "export", ".read", "pilots", ".quit"] where lower.contains(banned) { return -1 }
  // A fresh session now and then so that `let` and `.drop` cannot wear the catalog out,
  // while state still carries over between a few inputs.
  if session == nil || runs % 64 == 0 { session = makeSession() }
  runs += 1
  _ = session!.run(text, name: "fuzz.tq")
  return 0
}

// SwiftPM links an executable with `--defsym main=FuzzSession_main`; hand over to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
  _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
  _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

@_cdecl("FuzzSession_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
  var argc = argc
  var argv = argv
  return LLVMFuzzerRunDriver(&argc, &argv, fuzzSession)
}
