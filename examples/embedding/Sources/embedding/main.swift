// Embedding terrain: a table built from Swift arrays, a query with a typed parameter, a file
// loaded, an error with its position, and the cells read back. Prints plain lines that
// EmbeddingTests checks.

import Foundation
import TerrainEngine

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The address of the SIGBUS handler in place (the Swift runtime's backtracer, or none).
func sigbusHandler() -> Int {
  var action = sigaction()
  sigaction(SIGBUS, nil, &action)
  #if canImport(Glibc)
    return unsafeBitCast(action.__sigaction_handler.sa_sigaction, to: Int.self)
  #else
    return unsafeBitCast(action.__sigaction_u.__sa_sigaction, to: Int.self)
  #endif
}

/// A cell as text, read with the typed accessor of its column's type.
func cell(_ column: Column, _ row: Int) -> String {
  switch column.type {
  case .int: return column.int(at: row).map { String($0) } ?? "null"
  case .float: return column.float(at: row).map { String($0) } ?? "null"
  case .text: return column.text(at: row) ?? "null"
  case .bool: return column.bool(at: row).map { String($0) } ?? "null"
  case .date: return column.date(at: row).map(CalendarDate.iso) ?? "null"
  }
}

func show(_ results: [StatementResult]) {
  for result in results {
    switch result.outcome {
    case .table(let table):
      print("table \(table.rowCount) rows: " + zip(table.columnNames, table.columnTypes).map { "\($0) \($1.rawValue)" }.joined(separator: ", "))
      for row in 0..<table.rowCount {
        print("  " + table.columns.map { cell($0, row) }.joined(separator: " | "))
      }
    case .notice(let text):
      print("notice: \(text)")
    case .output(let text):
      print("output: \(text.split(separator: "\n").count) lines")
    case .diagnostic(let d):
      print("error at \(d.line ?? 0):\(d.column ?? 0): \(d.message)")
    case .done:
      print("done: \(result.statement)")
    }
  }
}

let handlerBefore = sigbusHandler()
let session = Session()

do {
  let communes = try Table(columns: [
    ("nom", .text(["Lyon", "Villeurbanne", "Oullins", nil])),
    ("population", .int([522_250, 156_928, 26_500, 1_200])),
    ("superficie", .float([47.87, 14.52, 4.36, nil])),
  ])
  session.register(communes, as: "communes")
} catch {
  print("cannot build the table: \(error)")
  exit(1)
}

// A typed parameter: an int, compared with an int column.
session.setParameter("min", .int(20_000))
show(session.execute("""
  from communes | where population > $min | derive densite = round(population / superficie, 1)
    | sort population desc
  """))

// A file, its path given as a typed text parameter; then a table defined by `let`, read from Swift.
let path = FileManager.default.temporaryDirectory.appendingPathComponent("embedding-\(getpid()).csv").path
do {
  try "code;nom\n69;Rhône\n01;Ain\n".write(toFile: path, atomically: true, encoding: .utf8)
} catch {
  print("cannot write \(path): \(error)")
  exit(1)
}
defer { try? FileManager.default.removeItem(atPath: path) }
session.setParameter("f", .text(path))
show(session.execute("load $f as departements; let grandes = from communes | where population > 100000"))
if let grandes = try session.table(named: "grandes"), let nom = grandes.column(named: "nom") {
  print("grandes: " + (0..<grandes.rowCount).map { nom.text(at: $0) ?? "null" }.joined(separator: ", "))
}
if let departements = try session.table(named: "departements") {
  print("departements.code: \(departements.value(row: 1, column: "code"))")
}

// Execution stops at the first error, which says where it is.
show(session.execute("from communes | take 1\nfrom communes | select popu\nfrom communes"))

try? FileManager.default.removeItem(atPath: path)
print("tables: " + session.tableNames.joined(separator: ", "))
print("SIGBUS handler unchanged: \(sigbusHandler() == handlerBefore)")
