// What a program embedding the engine sees besides `Session`: the table and value types of
// TerrainStorage it reads results with (re-exported one by one, so that `import TerrainEngine`
// is enough and the storage internals stay out of sight), and the one process-wide opt-in.

@_exported import class TerrainStorage.Table
@_exported import class TerrainStorage.Column
@_exported import struct TerrainStorage.Field
@_exported import enum TerrainStorage.DataType
@_exported import enum TerrainStorage.Value
@_exported import enum TerrainStorage.CalendarDate
@_exported import enum TerrainStorage.ColumnData
@_exported import struct TerrainStorage.TableBuildError
@_exported import class TerrainStorage.CancellationFlag
import TerrainIO

/// Installs terrain's process-wide signal handler: a SIGBUS handler that turns a file shrinking
/// while `load` reads it into an error ("changed (got shorter) while it was read") instead of
/// killing the process. Once installed, `load` maps regular files into memory (pages are read
/// as the reader goes and can leave memory once parsed); before, it reads them whole with
/// read(2), which needs the file's size in memory but cannot raise a signal.
///
/// A `Session` never installs it by itself: the `terrain` command calls this at start-up. Call
/// it only if the program has no SIGBUS handler of its own; faults outside terrain's mappings
/// are passed on to the handler that was there before. Calling it again does nothing; it cannot
/// be uninstalled.
public func installSignalHandlers() {
  installMappedFileGuard()
}
