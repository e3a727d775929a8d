// Apache Arrow IPC files (Feather v2): `load` reads them memory-mapped, `export` writes them.
// The same files hold the tables of `.save` (SessionFile.swift).

import TerrainStorage
import TerrainSyntax

extension FileFormat {
  /// Apache Arrow IPC file format (Feather v2).
  package static let arrow = FileFormat(
    name: "arrow", extensions: ["arrow", "feather", "ipc"],
    summary: "Apache Arrow IPC files (Feather v2), uncompressed: read memory-mapped, text kept dictionary-encoded",
    magic: [Array("ARROW1".utf8)],
    reader: { bytes, name, _, cancel in try readArrow(bytes, name: name, cancel: cancel) },
    writer: { table, _, out, cancel in try writeArrowFile(table, to: CountingWriter(out), cancel: cancel) })
}
