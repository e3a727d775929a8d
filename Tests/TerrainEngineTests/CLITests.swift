// Process tests of the built `terrain` binary: exit codes, where output goes, modes, flags.

import Foundation
import XCTest

final class CLITests: XCTestCase {
  static let repoRoot = TestSupport.repositoryRoot

  struct Output {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  func terrain(_ args: [String], stdin: String? = nil, cwd: URL? = nil, home: URL? = nil) throws -> Output {
    guard let bin = TestSupport.terrainBinary else { throw XCTSkip("terrain binary not built") }
    let p = Process()
    p.executableURL = bin
    p.arguments = args
    p.currentDirectoryURL = cwd ?? Self.repoRoot
    var env = ProcessInfo.processInfo.environment
    env["TERRAIN_DATASETS"] = TestSupport.datasets.path
    env["NO_COLOR"] = "1"
    if let home { env["HOME"] = home.path }
    p.environment = env
    let out = Pipe()
    let err = Pipe()
    let inp = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = inp
    try p.run()
    if let stdin { inp.fileHandleForWriting.write(Data(stdin.utf8)) }
    try inp.fileHandleForWriting.close()
    // Read both pipes fully before waiting (outputs here are small).
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return Output(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
  }


  func testCommandSucceeds() throws {
    let r = try terrain(["--mode", "csv", "-c", "from regions | aggregate n = count()"])
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertEqual(r.stdout, "n\n18\n")
    XCTAssertEqual(r.stderr, "")
  }

  func testScriptErrorExitsOneWithLocation() throws {
    let dir = try tempDir()
    let script = dir.appendingPathComponent("bad.tq")
    try "from regions | take 1 | select nom\nfrom regions | where populaton > 1\nfrom regions | take 1\n"
      .write(to: script, atomically: true, encoding: .utf8)
    let r = try terrain(["--mode", "csv", script.path])
    XCTAssertEqual(r.status, 1)
    // The first statement ran, the third did not.
    XCTAssertEqual(r.stdout.components(separatedBy: "\n").first, "nom")
    XCTAssertEqual(r.stdout.components(separatedBy: "\n").count, 3, r.stdout)
    XCTAssertTrue(r.stderr.hasPrefix("\(script.path):2:22: error: unknown column `populaton`"), r.stderr)
    XCTAssertTrue(r.stderr.contains("from regions | where populaton > 1\n"), r.stderr)
    XCTAssertTrue(r.stderr.contains("  │ " + String(repeating: " ", count: 21) + "^^^^^^^^^ not found\n"), r.stderr)
    XCTAssertTrue(r.stderr.contains("did you mean `population`?"), r.stderr)
  }

  func testCommandErrorExitsOne() throws {
    let r = try terrain(["-c", "from regions | where nom = 1"])
    XCTAssertEqual(r.status, 1)
    XCTAssertEqual(r.stdout, "")
    XCTAssertTrue(r.stderr.contains("error:"), r.stderr)
    XCTAssertTrue(r.stderr.contains("=="), r.stderr)
  }

  func testBadUsageExitsTwo() throws {
    let mode = try terrain(["--mode", "nope", "-c", "from regions"])
    XCTAssertEqual(mode.status, 2)
    XCTAssertEqual(mode.stdout, "")
    XCTAssertTrue(mode.stderr.contains("nope"), mode.stderr)
    let flag = try terrain(["--frobnicate", "-c", "from regions"])
    XCTAssertEqual(flag.status, 2)
    XCTAssertEqual(flag.stdout, "")
    let both = try terrain(["--no-data", "--data", "/tmp", "-c", "from regions"])
    XCTAssertEqual(both.status, 2)
    let param = try terrain(["-p", "novalue", "-c", "from regions"])
    XCTAssertEqual(param.status, 2)
  }

  /// `--help` and `-h` print the usage with every option on standard output and exit 0
  /// (a regression: they once reached the session with an unparsed command and aborted).
  func testHelpFlagPrintsUsage() throws {
    for flag in ["--help", "-h"] {
      let r = try terrain([flag])
      XCTAssertEqual(r.status, 0, r.stderr)
      XCTAssertTrue(r.stdout.hasPrefix("OVERVIEW:"), r.stdout)
      for option in ["-c <statements>", "-p <NAME=VALUE>", "--mode <mode>", "--echo", "--data <dir>", "--no-data"] {
        XCTAssertTrue(r.stdout.contains(option), "\(flag): \(option) missing from\n\(r.stdout)")
      }
      XCTAssertFalse(r.stderr.contains("parsable argument"), r.stderr)
    }
  }

  func testVersionFlag() throws {
    let r = try terrain(["--version"])
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertEqual(r.stdout, "terrain 0.1\n")
  }

  /// `-c` with script files used to run the statements and silently ignore the scripts.
  func testCommandAndScriptsTogetherIsBadUsage() throws {
    let dir = try tempDir()
    let script = dir.appendingPathComponent("a.tq")
    try "from regions | take 1 | select nom\n".write(to: script, atomically: true, encoding: .utf8)
    let r = try terrain(["-c", "from regions | take 1 | select code_region", script.path])
    XCTAssertEqual(r.status, 2)
    XCTAssertEqual(r.stdout, "")
    XCTAssertTrue(r.stderr.contains("-c and script files cannot be used together"), r.stderr)
  }

  /// A missing script is found before any script runs: nothing is exported by the first one.
  func testMissingLaterScriptRunsNothing() throws {
    let dir = try tempDir()
    let first = dir.appendingPathComponent("first.tq")
    let out = dir.appendingPathComponent("out.csv")
    try "from regions | take 1 | export \"\(out.path)\"\n".write(to: first, atomically: true, encoding: .utf8)
    let r = try terrain([first.path, dir.appendingPathComponent("missing.tq").path])
    XCTAssertEqual(r.status, 2)
    XCTAssertTrue(r.stderr.contains("cannot read script"), r.stderr)
    XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
  }

  /// `.read` and script paths read pipes too (`.read /dev/stdin` waits for the statements
  /// piped in), and `~/` is the home folder in `.read`, `load` and `export` alike.
  func testPipesAndHomeInPaths() throws {
    let piped = try terrain(["-c", "from regions | take 1 | select nom\n.read /dev/stdin"],
      stdin: "from regions | aggregate n = count()\n")
    XCTAssertEqual(piped.status, 0, piped.stderr)
    XCTAssertTrue(piped.stdout.contains("18"), piped.stdout)
    let home = try tempDir()
    try "from regions | aggregate n = count()\n".write(to: home.appendingPathComponent("q.tq"), atomically: true, encoding: .utf8)
    let r = try terrain(["-c", "from regions | take 3 | export \"~/out.csv\"\nload \"~/out.csv\" as again\n.read ~/q.tq\nfrom again | aggregate n = count()"],
      home: home)
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertTrue(FileManager.default.fileExists(atPath: home.appendingPathComponent("out.csv").path))
    XCTAssertTrue(r.stdout.contains("18") && r.stdout.contains("3"), r.stdout)
    let dir = try terrain(["-c", ".read /tmp"])
    XCTAssertEqual(dir.status, 1)
    XCTAssertTrue(dir.stderr.contains("cannot read"), dir.stderr)
  }

  func testMissingScriptFile() throws {
    let r = try terrain(["/nonexistent/dir/x.tq"])
    XCTAssertNotEqual(r.status, 0)
    XCTAssertEqual(r.stdout, "")
    XCTAssertFalse(r.stderr.isEmpty)
  }

  func testStandardInput() throws {
    let r = try terrain(["--mode", "csv"], stdin: "from regions\n| where code_region == \"84\"\n| select nom\n")
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertEqual(r.stdout, "nom\nAuvergne-Rhône-Alpes\n")
    let bad = try terrain(["--mode", "csv"], stdin: "from regions | take 1 | select nom\nfrom nowhere\n")
    XCTAssertEqual(bad.status, 1)
    XCTAssertTrue(bad.stderr.contains("<stdin>:2:6: error: unknown table `nowhere`"), bad.stderr)
  }

  func testParameters() throws {
    let r = try terrain([
      "--mode", "csv", "-p", "d=69", "-p", "n=1", "-c",
      "from departements | where code_departement == $d | select nom | take $n",
    ])
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertEqual(r.stdout, "nom\nRhône\n")
    let undefined = try terrain(["-c", "from departements | where code_departement == $dep"])
    XCTAssertEqual(undefined.status, 1)
    XCTAssertTrue(undefined.stderr.contains("$dep"), undefined.stderr)
    let notNumber = try terrain(["-p", "n=abc", "-c", "from departements | take $n"])
    XCTAssertEqual(notNumber.status, 1)
    XCTAssertTrue(notNumber.stderr.contains("not a number"), notNumber.stderr)
  }

  /// `-p` parameters in a path: one script writes one file per territory.
  func testParameterInExportPath() throws {
    let dir = try tempDir()
    let r = try terrain(["-p", "d=69", "-p", "dir=\(dir.path)/", "-c",
      "from departements | where code_departement == $d | select nom | export $dir || \"dep_\" || $d || \".csv\""])
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertEqual(r.stdout, "")
    XCTAssertEqual(r.stderr, "wrote 1 row to \(dir.path)/dep_69.csv\n")
    XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent("dep_69.csv"), encoding: .utf8), "nom\nRhône\n")
  }

  /// Found by QA: `-p '$n=5'` and `-p 'a b=1'` were accepted although no `$NAME` can reach
  /// them; the statement then failed on an undefined `$n`.
  func testParameterNameMustBeReachable() throws {
    let dollar = try terrain(["-p", "$n=5", "-c", "from regions | take $n"])
    XCTAssertEqual(dollar.status, 2)
    XCTAssertTrue(dollar.stderr.contains("the name goes without `$` (-p n=5)"), dollar.stderr)
    for bad in ["a b=1", "x-y=1"] {
      let r = try terrain(["-p", bad, "-c", "from regions | take 1"])
      XCTAssertEqual(r.status, 2, bad)
      XCTAssertTrue(r.stderr.contains("is not a name"), r.stderr)
    }
    let ok = try terrain(["--mode", "csv", "-p", "n_1=1", "-p", "é=x", "-c", "from regions | where nom != $é | take $n_1 | select nom"])
    XCTAssertEqual(ok.status, 0, ok.stderr)
    XCTAssertEqual(ok.stdout, "nom\nGuadeloupe\n")
  }

  /// An unknown `.help` topic is an error: stderr, exit code 1, nothing on stdout.
  func testHelpOnUnknownTopicFails() throws {
    let r = try terrain(["-c", ".help agregate"])
    XCTAssertEqual(r.status, 1)
    XCTAssertEqual(r.stdout, "")
    XCTAssertTrue(r.stderr.contains("error: no help on `agregate`"), r.stderr)
    XCTAssertTrue(r.stderr.contains("did you mean `.help aggregate`?"), r.stderr)
  }

  func testModes() throws {
    let q = "from departements | where code_departement in (\"2A\", \"971\") | select code_departement, nom | sort code_departement"
    let csv = try terrain(["--mode", "csv", "-c", q])
    XCTAssertEqual(csv.stdout, "code_departement,nom\n2A,Corse-du-Sud\n971,Guadeloupe\n")
    let tsv = try terrain(["--mode", "tsv", "-c", q])
    XCTAssertEqual(tsv.stdout, "code_departement\tnom\n2A\tCorse-du-Sud\n971\tGuadeloupe\n")
    let json = try terrain(["--mode", "json", "-c", q])
    XCTAssertEqual(json.status, 0, json.stderr)
    let parsed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
    XCTAssertEqual(parsed?.count, 2)
    XCTAssertEqual(parsed?.first?["code_departement"] as? String, "2A")
    XCTAssertEqual(parsed?.last?["nom"] as? String, "Guadeloupe")
    let md = try terrain(["--mode", "markdown", "-c", q])
    let mdLines = md.stdout.split(separator: "\n")
    XCTAssertEqual(mdLines.count, 4, md.stdout)
    XCTAssertTrue(mdLines.first?.hasPrefix("|") ?? false, md.stdout)
    XCTAssertTrue(mdLines[0].contains("code_departement") && mdLines[0].contains("nom"), md.stdout)
    XCTAssertTrue(mdLines[1].contains("---"), md.stdout)
    XCTAssertTrue(mdLines[2].contains("Corse-du-Sud"), md.stdout)
    let line = try terrain(["--mode", "line", "-c", q])
    XCTAssertTrue(line.stdout.contains("nom = Corse-du-Sud"), line.stdout)
    XCTAssertTrue(line.stdout.contains("code_departement = 971"), line.stdout)
    let table = try terrain(["-c", q])
    XCTAssertTrue(table.stdout.contains("Corse-du-Sud"), table.stdout)
    XCTAssertTrue(table.stdout.contains("│"), table.stdout)
    XCTAssertFalse(table.stdout.contains("\u{1B}["), "no colour when not a terminal")
  }

  func testEcho() throws {
    let r = try terrain(["--echo", "--mode", "csv", "-c", "from regions | aggregate n = count(); from regions | take 1 | select code_region"])
    XCTAssertEqual(r.status, 0, r.stderr)
    let lines = r.stdout.components(separatedBy: "\n")
    XCTAssertEqual(lines.first, "from regions | aggregate n = count()")
    XCTAssertEqual(Array(lines[1...2]), ["n", "18"])
    XCTAssertEqual(lines[3], "from regions | take 1 | select code_region")
  }

  func testNoDataAndDataDir() throws {
    let none = try terrain(["--no-data", "-c", "from communes | take 1"])
    XCTAssertEqual(none.status, 1)
    XCTAssertTrue(none.stderr.contains("unknown table `communes`"), none.stderr)
    let dir = try tempDir()
    try "k,v\nx,1\ny,-2\n".write(to: dir.appendingPathComponent("mine.csv"), atomically: true, encoding: .utf8)
    let r = try terrain(["--data", dir.path, "--mode", "csv", "-c", "from mine | aggregate s = sum(v)"])
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertEqual(r.stdout, "s\n-1\n")
    let other = try terrain(["--data", dir.path, "-c", "from communes"])
    XCTAssertEqual(other.status, 1, "--data replaces the bundled datasets")
    let notDir = try terrain(["--data", dir.appendingPathComponent("nope").path, "-c", "from mine"])
    XCTAssertEqual(notDir.status, 2)
  }

  func testNoticesGoToStderrOnly() throws {
    let dir = try tempDir()
    try "k,v\nx,1\ny,2\n".write(to: dir.appendingPathComponent("in.csv"), atomically: true, encoding: .utf8)
    let r = try terrain(
      ["--no-data", "--mode", "csv", "-c", "load \"in.csv\" as t\nfrom t | export \"out.csv\"\nfrom t | aggregate n = count()"],
      cwd: dir)
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertEqual(r.stdout, "n\n2\n")
    XCTAssertTrue(r.stderr.contains("loaded 2 rows into t"), r.stderr)
    XCTAssertTrue(r.stderr.contains("wrote 2 rows to out.csv"), r.stderr)
    let written = try String(contentsOf: dir.appendingPathComponent("out.csv"), encoding: .utf8)
    XCTAssertEqual(written, "k,v\nx,1\ny,2\n")
  }

  func testSeveralScriptsRunInOrderAndStopAtError() throws {
    let dir = try tempDir()
    try "let a = from regions | aggregate n = count()\n".write(to: dir.appendingPathComponent("one.tq"), atomically: true, encoding: .utf8)
    try "from a\n".write(to: dir.appendingPathComponent("two.tq"), atomically: true, encoding: .utf8)
    try "from b\n".write(to: dir.appendingPathComponent("three.tq"), atomically: true, encoding: .utf8)
    try "from a\n".write(to: dir.appendingPathComponent("four.tq"), atomically: true, encoding: .utf8)
    let r = try terrain(["--mode", "csv", "one.tq", "two.tq", "three.tq", "four.tq"], cwd: dir)
    XCTAssertEqual(r.status, 1)
    XCTAssertEqual(r.stdout, "n\n18\n")
    XCTAssertTrue(r.stderr.hasPrefix("three.tq:1:6: error:"), r.stderr)
  }
}

extension XCTestCase {
  /// A fresh temporary folder, removed when the test ends.
  func tempDir() throws -> URL {
    try TestSupport.temporaryFolder("terrain-test", for: self)
  }
}
