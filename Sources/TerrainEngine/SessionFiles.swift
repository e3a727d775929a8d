// `.save FILE` and `.open FILE` (and `terrain --open FILE`): the session's tables and pilots in
// one file, a zip of Arrow IPC files with a JSON manifest (TerrainIO/Formats/Arrow/SessionFile.swift
// writes and reads the archive; ARCHITECTURE.md describes the layout).
//
// What is saved: every table held in memory (loaded, `let`, registered from Swift), in
// catalog order, and the pilot set. Files registered lazily and never read (the bundled
// datasets at start-up) are not saved: they are registered again from their files by the
// next session. `.open` reads the whole file before changing anything, then replaces the
// session's tables by the file's (keeping the lazily registered files it does not name) and
// its pilots by the file's.

import Foundation
import TerrainStorage
import TerrainSyntax
import TerrainIO
import TerrainPlanner

/// The version of the manifest's layout that this terrain writes and reads.
private let sessionFormatVersion = 1

extension Session {
  /// `.save FILE`.
  package func saveSession(_ path: String, _ span: Span) throws {
    var tables: [(member: String, table: Table)] = []
    var entries: [[String: Any]] = []
    var members = Set<String>()
    var rows = 0
    for name in catalog.names where catalog.isOpen(name) {
      guard let table = try catalog.table(name) else { continue }
      var member = memberName(for: name, index: tables.count)
      if !members.insert(member).inserted { member = "table\(tables.count + 1).arrow" }
      members.insert(member)
      tables.append((member, table))
      entries.append(["name": name, "member": member, "rows": table.rowCount])
      rows += table.rowCount
    }
    var manifest: [String: Any] = ["format": "terrain-session", "version": sessionFormatVersion, "tables": entries]
    if let p = pilots {
      let type = p.keys.first?.type ?? .text
      manifest["pilots"] = [
        "table": p.tableName, "key": p.keyColumn, "type": type.rawValue,
        "keys": p.keys.map(pilotKeyText), "names": p.displayNames,
      ] as [String: Any]
    }
    let json = try JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys, .prettyPrinted])
    do {
      try writeSessionFile(path: fileSystemPath(path), manifest: Array(json), tables: tables, cancel: cancel)
    } catch let e as ExportError {
      throw fileDiagnostic(e.entry, e.arguments, relativeToWorkingDirectory(e.description), at: span, label: .notWritten)
    }
    let pilotsSaved = pilots.map { DiagnosticText.andPilots(formatCount($0.keys.count, .onePilotCount, .pilotsCount)).string } ?? ""
    notify(DiagnosticText.savedSession(formatCount(tables.count, .oneTableCount, .tablesCount), formatCount(rows, .oneRowCount, .rowsCount),
      pilotsSaved, path).string + "\n")
  }

  /// `.open FILE`: nothing changes unless the whole file reads.
  package func openSession(_ path: String, _ span: Span) throws {
    let restored: (tables: [(String, Table)], pilots: PilotSet?)
    do {
      restored = try readSession(fileSystemPath(path), name: path)
    } catch let e as LoadError {
      throw fileDiagnostic(e.entry, e.arguments, relativeToWorkingDirectory(e.description), at: span, label: .notLoaded)
    }
    catalog.replaceTables(with: restored.tables, origin: .file(fileSystemPath(path)))
    pilots = restored.pilots
    let list = restored.tables.map { "\($0.0) (\(groupedCount($0.1.rowCount)))" }.joined(separator: ", ")
    let count = restored.tables.count
    let pilotsRestored = restored.pilots.map { DiagnosticText.andPilots(formatCount($0.keys.count, .onePilotCount, .pilotsCount)).string } ?? ""
    notify(DiagnosticText.restoredSession(formatCount(count, .oneTableCount, .tablesCount), count > 0 ? ": " + list : "", pilotsRestored, path).string + "\n")
  }

  /// `terrain --open FILE`: `.open FILE`, its error printed through `notify`. Returns whether
  /// it succeeded.
  public func openSessionFile(_ path: String) -> Bool {
    do {
      try openSession(path, Span(0, 0))
      return true
    } catch {
      var d = diagnostic(for: error, span: nil)
      d.span = nil
      notify(SourceText(name: nil, text: "").render(d))
      return false
    }
  }

  /// Reads the session file at `file` (`name` as the user wrote it) entirely.
  private func readSession(_ file: String, name: String) throws -> (tables: [(String, Table)], pilots: PilotSet?) {
    try Session.readSession(try readWholeFile(path: file), name: name, cancel: cancel)
  }

  /// The tables and pilots of a session file's bytes (`name` in errors): what `.open` reads.
  ///
  /// - Throws: `LoadError` naming the file and the part, or `CancelledError`.
  package static func readSession(_ file: FileBytes, name: String, cancel: CancellationFlag?) throws
    -> (tables: [(String, Table)], pilots: PilotSet?)
  {
    let (bytes, members) = try readSessionFile(file, name: name, cancel: cancel)
    func damaged() -> LoadError { LoadError(path: name, line: 0, column: 0, .sessionDamaged, name, "manifest.json") }
    guard let manifest = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
      manifest["format"] as? String == "terrain-session", let version = manifest["version"] as? Int,
      let entries = manifest["tables"] as? [[String: Any]]
    else { throw damaged() }
    guard version <= sessionFormatVersion else {
      throw LoadError(path: name, line: 0, column: 0, .sessionNewerFormat, name, String(version))
    }
    var tables: [(String, Table)] = []
    for entry in entries {
      guard let table = entry["name"] as? String, let member = entry["member"] as? String else { throw damaged() }
      guard let result = members[member] else {
        throw LoadError(path: name, line: 0, column: 0, .sessionMissingMember, name, member)
      }
      tables.append((table, result.table))
    }
    var pilots: PilotSet?
    if let p = manifest["pilots"] as? [String: Any] {
      guard let table = p["table"] as? String, let key = p["key"] as? String,
        let type = (p["type"] as? String).flatMap(DataType.init(rawValue:)), let keys = p["keys"] as? [String],
        let names = p["names"] as? [String], names.count == keys.count
      else { throw damaged() }
      let values = keys.map { pilotKey($0, type) }
      guard !values.contains(.null) else { throw damaged() }
      pilots = PilotSet(tableName: table, keyColumn: key, keys: values, displayNames: names)
    }
    return (tables, pilots)
  }
}

/// The member of the archive holding table `name`: `name.arrow` when the name is a plain
/// file name, else `tableN.arrow`.
private func memberName(for name: String, index: Int) -> String {
  let plain = !name.isEmpty && !name.hasPrefix(".") && name.unicodeScalars.allSatisfy {
    ($0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "_" || $0 == "-") && $0 != "/"
  }
  return plain && name != "manifest" ? name + ".arrow" : "table\(index + 1).arrow"
}

/// A pilot key as text in the manifest, read back by `pilotKey` with the key column's type.
private func pilotKeyText(_ v: Value) -> String {
  switch v {
  case .date(let d): return String(d)
  default: return v.description
  }
}

/// The key written by `pilotKeyText`, as a value of `type` (`.null` when it does not read).
private func pilotKey(_ text: String, _ type: DataType) -> Value {
  switch type {
  case .int: return Int64(text).map(Value.int) ?? .null
  case .float: return Double(text).map(Value.float) ?? .null
  case .text: return .text(text)
  case .bool: return text == "true" ? .bool(true) : text == "false" ? .bool(false) : .null
  case .date: return Int64(text).map(Value.date) ?? .null
  }
}
