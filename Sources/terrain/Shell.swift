// The interactive shell. (A plain line reader until the readline front end lands.)

import Foundation
import TerrainEngine

func runInteractiveShell(_ session: Session) {
  session.renderOptions.color = ProcessInfo.processInfo.environment["NO_COLOR"] == nil
  let tables = session.catalog.names
  print("terrain 0.1 — \(tables.count) tables (\(tables.joined(separator: ", "))). .help for help.")
  var pending = ""
  while !session.quitRequested {
    print(pending.isEmpty ? "terrain> " : "   ...> ", terminator: "")
    fflush(stdout)
    guard let line = readLine() else { break }
    pending += (pending.isEmpty ? "" : "\n") + line
    if line.hasSuffix("|") || line.hasSuffix(",") { continue }
    session.run(pending, name: nil)
    pending = ""
    fflush(stdout)
  }
}
