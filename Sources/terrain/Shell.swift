// The interactive shell: banner, prompts, statement assembly, history, Ctrl-C, completion.

import Foundation
import TerrainEngine
import TerrainIO
import TerrainStorage
import TerrainSyntax
import TerrainShell

/// Where the shell's own output (banner, prompts, `^C`) goes: the terminal on standard
/// output, or standard error when results are redirected, so a file gets results only.
let shellScreen: UnsafeMutablePointer<FILE> = isatty(1) != 0 ? stdout : stderr

/// Runs the shell; `bannerShown` when the banner was printed already (before a lesson's
/// first exercise).
func runInteractiveShell(_ session: Session, bannerShown: Bool = false) {
  let env = ProcessInfo.processInfo.environment
  session.renderOptions.color = isatty(1) != 0 && env["NO_COLOR"] == nil
  if !bannerShown { showBanner(session) }

  let history = ShellHistory(warn: session.notify)
  history.load()
  var completer = ShellCompleter(
    tableNames: { session.completionTableNames },
    columns: { name in completionColumns(session, name) })
  completer.queryColumns = { text in session.outputColumns(of: text) }
  completer.pilotColumns = { session.pilots.flatMap { completionColumns(session, $0.tableName) } }
  completionProvider = { before, word in completer.complete(before: before, word: word) }
  installShellSignalHandlers(cancel: session.cancel)
  let loop = ShellLoop(
    session: session, reader: LineEditor(), history: history, progress: ProgressIndicator(),
    screen: { fputs($0, shellScreen) }, terminalWidth: terminalColumns, afterStatement: { fflush(stdout) })
  loop.run()
  fflush(stdout)
}

/// Prints the shell's banner on its screen.
func showBanner(_ session: Session) {
  fputs(shellBanner(session) + "\n", shellScreen)
  fflush(shellScreen)
}

/// The columns of `name` for completion. A table registered but not loaded yet is loaded only
/// when its file is small (the bundled ones are), so Tab never stalls on a big file.
func completionColumns(_ session: Session, _ name: String) -> [String]? {
  if let attached = session.attachedColumns(name) { return attached }
  if !session.catalog.isLoaded(name) {
    guard case .lazyFile(let path)? = session.catalog.origin(of: name),
      let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber,
      size.int64Value <= 32 << 20
    else { return nil }
  }
  return (try? session.catalog.table(name))??.fields.map(\.name)
}

/// The version `--version` and the banner show.
let terrainVersion = "0.1"

/// `terrain 0.1 — 6 tables from datasets/ (barometre, communes, departements, epci, fibre, regions). .help for help.`
func shellBanner(_ session: Session) -> String {
  let names = session.catalog.names
  guard !names.isEmpty else { return DiagnosticText.bannerNoTables(terrainVersion).string }
  var folders = Set<String>()
  for n in names {
    switch session.catalog.origin(of: n) {
    case .file(let p)?, .lazyFile(let p)?:
      folders.insert(((p as NSString).deletingLastPathComponent as NSString).lastPathComponent + "/")
    default: break
    }
  }
  let from = folders.count == 1 ? DiagnosticText.bannerFrom(folders.first ?? "").string : ""
  let shown = names.count > 6 ? names.prefix(5).joined(separator: ", ") + ", …" : names.joined(separator: ", ")
  return DiagnosticText.bannerTables(terrainVersion, formatCount(names.count, .oneTableCount, .tablesCount), from, shown).string
}
