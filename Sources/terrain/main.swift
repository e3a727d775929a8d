// The `terrain` command: scripts, `-c`, standard input, or the interactive shell.

import ArgumentParser
import Foundation
import TerrainEngine
import TerrainIO
import TerrainShell
import TerrainStorage
import TerrainSyntax

struct Terrain: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "terrain",
    abstract: "An interactive analytics shell for French territorial data.",
    discussion: """
      With no script and a terminal on standard input, starts the interactive shell.
      Statements are read from the scripts given, from -c, or from standard input.
      """,
    version: "terrain \(terrainVersion)")

  @Argument(help: "Scripts (.tq) to run in order.")
  var scripts: [String] = []

  @Option(name: .customShort("c"), help: ArgumentHelp("Statements to run.", valueName: "statements"))
  var command: String?

  @Option(name: .customShort("p"), help: ArgumentHelp("A parameter, used as $NAME in statements (repeatable).", valueName: "NAME=VALUE"))
  var parameter: [String] = []

  @Option(help: "Output mode: table, csv, tsv, markdown, json or line.")
  var mode: String = "table"

  @Flag(help: "Print each statement before its result.")
  var echo = false

  @Option(help: ArgumentHelp("Register the files of this folder that load reads (.csv, .csv.gz, .zip…) as tables (instead of the bundled datasets).", valueName: "dir"))
  var data: String?

  @Flag(help: "Start with no table.")
  var noData = false

  @Option(help: ArgumentHelp("Restore the tables and pilots of a file written by `.save` before anything runs.", valueName: "file"))
  var open: String?

  @Option(help: ArgumentHelp("Open a lesson file (exercises checked by `.check`) before anything runs: `.help lessons`.", valueName: "file"))
  var lesson: String?
  @Flag(help: "Print the PostgreSQL statement of each statement of the scripts instead of running them (`load` still reads its file; tables keep their names).")
  var sql = false

  mutating func validate() throws {
    guard OutputMode(rawValue: mode) != nil else {
      throw ValidationError("unknown mode '\(mode)': use " + OutputMode.allCases.map(\.rawValue).joined(separator: ", "))
    }
    for p in parameter where !p.contains("=") || p.hasPrefix("=") {
      throw ValidationError("parameter '\(p)' must be NAME=VALUE")
    }
    for p in parameter {
      let name = String(p.prefix { $0 != "=" })
      if name.hasPrefix("$"), isParameterName(String(name.dropFirst())) {
        throw ValidationError("parameter '\(p)': the name goes without `$` (-p \(p.dropFirst())), and is used as \(name)")
      }
      guard isParameterName(name) else {
        throw ValidationError("parameter '\(p)': '\(name)' is not a name (letters, digits and _), so $\(name) could not use it")
      }
    }
    // One value per name: a second `-p NAME=…` is a mistake, not an override.
    var seen: [String: String] = [:]
    for p in parameter {
      let name = String(p.prefix { $0 != "=" })
      if let earlier = seen[name] { throw ValidationError(DiagnosticMessage.parameterGivenTwice.text([name, earlier, p])) }
      seen[name] = p
    }
    if data != nil && noData { throw ValidationError("--data and --no-data cannot be used together") }
    if command != nil && !scripts.isEmpty {
      throw ValidationError("-c and script files cannot be used together: put the statements in a script, or run them one after the other")
    }
    if sql && scripts.isEmpty && command == nil {
      throw ValidationError("--sql needs a script (terrain --sql FILE.tq) or -c")
    }
  }

  func makeSession() throws -> Session {
    let session = Session.shell()
    session.language = MessageLanguage(environment: ProcessInfo.processInfo.environment)
    session.renderOptions.mode = OutputMode(rawValue: mode) ?? .table
    session.echo = echo
    for p in parameter {
      if let eq = p.firstIndex(of: "=") {
        session.parameters[String(p[..<eq])] = String(p[p.index(after: eq)...])
      }
    }
    if let data {
      var isDir: ObjCBool = false
      guard FileManager.default.fileExists(atPath: data, isDirectory: &isDir), isDir.boolValue else {
        throw ValidationError("--data: '\(data)' is not a folder")
      }
      try session.registerDirectory(data)
    } else if !noData,
      let bundled = locateBundledDatasets(
        environment: ProcessInfo.processInfo.environment, executable: runningExecutablePath(),
        currentDirectory: FileManager.default.currentDirectoryPath)
    {
      try session.registerDirectory(bundled)
    }
    // `chart map` finds the bundled outlines even when the tables come from elsewhere.
    if let bundled = locateBundledDatasets(
      environment: ProcessInfo.processInfo.environment, executable: runningExecutablePath(),
      currentDirectory: FileManager.default.currentDirectoryPath)
    {
      let contours = (bundled as NSString).appendingPathComponent("contours")
      if !session.outlineFolders.contains(contours) { session.outlineFolders.append(contours) }
    }
    return session
  }
}

setvbuf(stdout, nil, _IOFBF, 1 << 16)
// The command owns the process: a file shrinking while `load` maps it is an error, not SIGBUS.
configureAllocator()
installSignalHandlers()
let command: Terrain
do {
  var parsed = try Terrain.parseAsRoot()
  guard let terrain = parsed as? Terrain else {
    // `--help` / `-h` parse as ArgumentParser's own help command: let it print and stop.
    try parsed.run()
    exit(0)
  }
  command = terrain
} catch {
  let code = Terrain.exitCode(for: error)
  if code == .success {
    print(Terrain.fullMessage(for: error))
    exit(0)
  }
  FileHandle.standardError.write(Data(("terrain: " + Terrain.fullMessage(for: error) + "\n").utf8))
  exit(2)
}

let session: Session
do {
  session = try command.makeSession()
} catch {
  FileHandle.standardError.write(Data("terrain: \(Terrain.fullMessage(for: error))\n".utf8))
  exit(2)
}
// Written as bytes (not C strings): a NUL in a cell must not end the output there.
// On a terminal, the modes other than the table (which escapes what it prints and colours
// with escape sequences of its own) have the control characters of the data neutralised;
// redirected to a file, results keep their bytes exactly.
/// The first error (an `errno`) met writing results to the standard output; 0 while none.
nonisolated(unsafe) var resultsWriteError: Int32 = 0

let resultsOnTerminal = isatty(1) != 0
session.write = { s in
  if resultsOnTerminal && session.renderOptions.mode != .table {
    writeBytes(neutraliseTerminalControls(s), to: stdout)
  } else {
    writeBytes(s, to: stdout)
  }
}
session.notify = { s in
  fflush(stdout)
  writeBytes(s, to: stderr)
}
session.resultFileDescriptor = 1
session.flush = { fflush(stdout) }
// Scripts too: colour and fitting to the width only when results go to a terminal.
session.renderOptions.color = isatty(1) != 0 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
session.renderOptions.terminalWidth = terminalColumns()

var ok = true
let interactive = command.command == nil && command.scripts.isEmpty && isatty(0) != 0
installTerminationHandlers(cancel: session.cancel, interactive: interactive)
// Past a file size limit (`ulimit -f`) a write fails with EFBIG, which exports and history
// report, instead of the signal ending the process.
signal(SIGXFSZ, SIG_IGN)
session.shouldStop = { terminationSignal.load(ordering: .relaxed) != 0 }
session.lessonProgressPath = stateFilePath(named: "lessons.json", environment: ProcessInfo.processInfo.environment)
if let file = command.open, !session.openSessionFile(file) {
  fflush(stdout)
  session.catalog.removeAll()
  exit(1)
}
if let file = command.lesson {
  // A lesson that cannot be read is bad usage; one that does not open (an error in it) fails.
  var isFolder: ObjCBool = false
  let exists = FileManager.default.fileExists(atPath: file, isDirectory: &isFolder)
  guard exists, !isFolder.boolValue, FileManager.default.isReadableFile(atPath: file) else {
    let reason = !exists ? "no such file" : isFolder.boolValue ? "it is a folder" : "permission denied"
    FileHandle.standardError.write(Data("terrain: \(DiagnosticMessage.cannotReadLesson.text([file, reason]))\n".utf8))
    exit(2)
  }
  // In the shell, the banner comes first, then the exercise, then the prompt.
  if interactive { showBanner(session) }
  if !session.run(".lesson " + quotedArgument(file), name: nil) {
    fflush(stdout)
    session.catalog.removeAll()
    exit(1)
  }
}
if let c = command.command {
  ok = command.sql ? session.printSQL(of: c, name: nil) : session.run(c, name: nil)
} else if !command.scripts.isEmpty {
  // Every script is read before the first runs: a missing one is bad usage, with nothing done.
  var texts: [String] = []
  for path in command.scripts {
    do {
      texts.append(try readScriptText(path: path, cancel: session.cancel))
    } catch let e as LoadError {
      FileHandle.standardError.write(Data("terrain: \(DiagnosticMessage.cannotReadScript.text([path, e.reason]))\n".utf8))
      exit(2)
    } catch {
      exit(130)
    }
  }
  for (path, text) in zip(command.scripts, texts) {
    if command.sql {
      ok = session.printSQL(of: text, name: path) && ok
      continue
    }
    ok = session.run(text, name: path)
    if !ok || session.quitRequested { break }
  }
} else if isatty(0) != 0 {
  runInteractiveShell(session, bannerShown: command.lesson != nil)
} else {
  do {
    ok = session.run(try readScriptText(path: "/dev/stdin", cancel: session.cancel), name: "<stdin>")
  } catch let e as LoadError {
    FileHandle.standardError.write(Data("terrain: \(DiagnosticMessage.cannotReadScript.text(["<stdin>", e.reason]))\n".utf8))
    exit(2)
  } catch {
    exit(130)
  }
}
// A result that could not be written (a full disk, a closed pipe's reader gone) is a failure,
// not a silent loss: the table mode and results of up to 10,000 rows go through `fwrite`.
if fflush(stdout) != 0 && resultsWriteError == 0 { resultsWriteError = errno }
if resultsWriteError == 0 && ferror(stdout) != 0 { resultsWriteError = EIO }
if resultsWriteError != 0 {
  let reason = String(cString: strerror(resultsWriteError))
  FileHandle.standardError.write(Data("terrain: \(DiagnosticText.cannotWritePath("<stdout>", reason).string)\n".utf8))
  session.catalog.removeAll()
  exitIfTerminated()
  exit(1)
}
// Release the tables before leaving: costs little, and keeps LeakSanitizer's exit check
// (which cannot follow references stored in enum payloads) quiet in sanitizer builds.
session.catalog.removeAll()
exitIfTerminated()
exit(ok ? 0 : 1)
