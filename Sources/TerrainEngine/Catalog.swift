// The session's named tables, some registered from files and loaded on first use.

import Foundation
import TerrainStorage
import TerrainSyntax
import TerrainIO
import TerrainPlanner
import TerrainExecution

/// Named tables of a session, in registration order.
package final class Catalog {
  package struct Entry {
    package var table: Table?
    package var origin: TableOrigin
  }

  private var entries: [String: Entry] = [:]
  /// Names in registration order.
  package private(set) var names: [String] = []
  /// Loads a lazily registered file.
  package var loader: (String) throws -> Table = { path in try loadFile(path: path, options: LoadOptions()).table }

  package init() {}

  /// Registers (or replaces) a loaded table.
  package func set(_ name: String, _ table: Table, origin: TableOrigin) {
    if entries[name] == nil { names.append(name) }
    entries[name] = Entry(table: table, origin: origin)
  }

  /// Registers a file to load on first use.
  package func register(_ name: String, lazyPath path: String) {
    if entries[name] == nil { names.append(name) }
    entries[name] = Entry(table: nil, origin: .lazyFile(path))
  }

  /// Registers every file of `directory` that `load` reads by its extension (`.csv`,
  /// `.csv.gz`, `.xlsx`…), named by file name without its extensions.
  package func registerDirectory(_ directory: String) throws -> [String] {
    let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { FormatRegistry.standard.loadableStem(of: $0) != nil }.sorted()
      // Only files: a FIFO or a device among the data would block or never end on first use.
      .filter { name in
        fileStatus((directory as NSString).appendingPathComponent(name)).map { isKind($0, S_IFREG) } ?? false
      }
    var added: [String] = []
    for f in files {
      let name = tableName(forPath: f)
      let path = (directory as NSString).appendingPathComponent(f)
      register(name, lazyPath: path)
      dataSources[canonicalPath(path)] = name
      added.append(name)
    }
    return added
  }

  /// The files registered from data folders (canonical paths) and their tables: `export`
  /// refuses to replace them.
  package private(set) var dataSources: [String: String] = [:]

  /// The table whose data file `path` is, when `path` is one of the registered data files.
  package func dataSourceTable(at path: String) -> String? { dataSources[canonicalPath(path)] }

  package func contains(_ name: String) -> Bool { entries[name] != nil }

  package func origin(of name: String) -> TableOrigin? { entries[name]?.origin }

  /// Whether the table is in memory (not only registered).
  package func isLoaded(_ name: String) -> Bool { entries[name]?.table != nil }

  /// The table, loading it if it was registered lazily.
  package func table(_ name: String) throws -> Table? {
    guard var entry = entries[name] else { return nil }
    if let t = entry.table { return t }
    guard case .lazyFile(let path) = entry.origin else { return nil }
    let t = try loader(path)
    entry.table = t
    entry.origin = .file(path)
    entries[name] = entry
    return t
  }

  /// Replaces the tables by `tables`, in their order, each with `origin`; files registered
  /// lazily and never read stay registered (after them) unless `tables` names them.
  package func replaceTables(with tables: [(String, Table)], origin: TableOrigin) {
    let incoming = Set(tables.map(\.0))
    let kept = names.filter { entries[$0]?.table == nil && !incoming.contains($0) }
    let keptEntries = kept.compactMap { n in entries[n].map { (n, $0) } }
    entries.removeAll()
    names.removeAll()
    for (name, table) in tables { set(name, table, origin: origin) }
    for (name, entry) in keptEntries {
      names.append(name)
      entries[name] = entry
    }
  }

  /// Forgets every table (used at exit so that leak checkers see all memory released).
  package func removeAll() {
    entries.removeAll()
    names.removeAll()
  }

  package func drop(_ name: String) -> Bool {
    guard entries.removeValue(forKey: name) != nil else { return false }
    names.removeAll { $0 == name }
    return true
  }
}

/// A table name for a file path: its base name without extension, with characters that are
/// not letters, digits or `_` replaced by `_`.
/// `path` with symbolic links resolved (itself when it does not exist).
private func canonicalPath(_ path: String) -> String {
  guard let r = realpath(path, nil) else { return path }
  defer { free(r) }
  return String(cString: r)
}


package func tableName(forPath path: String) -> String {
  let last = (path as NSString).lastPathComponent
  let base = FormatRegistry.standard.loadableStem(of: last) ?? (last as NSString).deletingPathExtension
  var out = String(base.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
  if out.isEmpty { out = "t" }
  if let f = out.first, f.isNumber { out = "t_" + out }
  return out
}
