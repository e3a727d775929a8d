// Writing a file so that readers see either the previous version or the complete new one:
// write a temporary file beside it, fsync, rename over it. Any failure (missing folder,
// permission, disk full, Ctrl-C) removes the temporary file and leaves the old one intact.

import TerrainStorage
import TerrainSyntax

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `path` split into its folder (`.` when none) and its last component.
package func splitPath(_ path: String) -> (folder: String, name: String) {
  guard let slash = path.lastIndex(of: "/") else { return (".", path) }
  let folder = String(path[..<slash])
  let name = String(path[path.index(after: slash)...])
  return (folder.isEmpty ? "/" : folder, name)
}

package func fileStatus(_ path: String, followLinks: Bool = true) -> stat? {
  var st = stat()
  let r = followLinks ? stat(path, &st) : lstat(path, &st)
  return r == 0 ? st : nil
}

package func isKind(_ st: stat, _ kind: mode_t) -> Bool { (st.st_mode & S_IFMT) == kind }

/// A random suffix for temporary names.
private func randomSuffix() -> String {
  String(UInt32.random(in: 0...UInt32.max), radix: 16)
}

/// Creates `path` (or replaces it) with what `body` writes into the buffered writer it is
/// given, atomically. Returns what `body` returns.
///
/// - Throws: `ExportError` naming `path` for file-system failures, `CancelledError` when
///   `body` is cancelled; in both cases nothing is left behind and a previous file is kept.
/// - Parameters:
///   - bufferCapacity: size of the write buffer (tests use a small one).
///   - failAfterBytes: test hook: the write that would go past this many bytes fails (EIO).
///   - afterWrite: test hook called after each write with the bytes written so far.
package func writeFileAtomically(
  path: String, bufferCapacity: Int = 1 << 20, failAfterBytes: Int? = nil,
  afterWrite: ((Int) -> Void)? = nil, body: (ByteWriter) throws -> Int
) throws -> Int {
  func fail(_ entry: DiagnosticMessage, _ arguments: String...) -> ExportError {
    ExportError(path: path, entry, arguments: arguments)
  }
  if path.isEmpty { throw fail(.emptyFileName) }

  // Write through a symbolic link to the file it names, rather than replacing the link.
  var target = path
  if let lst = fileStatus(path, followLinks: false), isKind(lst, S_IFLNK),
    let resolved = realpath(path, nil)
  {
    target = String(cString: resolved)
    free(resolved)
  }

  var keepMode: mode_t?
  if let st = fileStatus(target) {
    if isKind(st, S_IFDIR) { throw fail(.isAFolder) }
    if isKind(st, S_IFCHR) || isKind(st, S_IFIFO) || isKind(st, S_IFSOCK) {
      // `/dev/stdout`, a named pipe: nothing to replace, write straight into it.
      return try writeDirectly(path: path, target: target, bufferCapacity: bufferCapacity, body: body)
    }
    // A file marked read-only is not replaced behind its owner's back (the rename below would
    // not ask the file's permissions, only the folder's).
    if st.st_mode & 0o222 == 0 { throw fail(.readOnlyFile) }
    keepMode = st.st_mode & 0o7777
  }

  let (folder, name) = splitPath(target)
  if name.isEmpty || name == "." || name == ".." { throw fail(.notAFileName) }
  guard let fst = fileStatus(folder) else { throw fail(.folderDoesNotExist, folder) }
  if !isKind(fst, S_IFDIR) { throw fail(.notAFolder, folder) }

  var fd: Int32 = -1
  var temp = ""
  for _ in 0..<8 {
    temp = (folder == "/" ? "" : folder) + "/." + name + ".tmp-\(getpid())-" + randomSuffix()
    fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
    if fd >= 0 || errno != EEXIST { break }
  }
  if fd < 0 { throw fail(.systemError, errorText(errno)) }
  if let mode = keepMode { _ = fchmod(fd, mode) }

  var committed = false
  defer {
    if !committed {
      if fd >= 0 { close(fd) }
      unlink(temp)
    }
  }

  let out = ByteWriter(fileDescriptor: fd, capacity: bufferCapacity)
  out.failAfterFlushedBytes = failAfterBytes
  out.afterWrite = afterWrite
  let result: Int
  do {
    result = try body(out)
  } catch let e as WriteFailure {
    throw fail(.systemError, errorText(e.errorNumber))
  }
  out.flush()
  if out.errorNumber != 0 { throw fail(.systemError, errorText(out.errorNumber)) }
  if fsync(fd) != 0 && errno != EINVAL { throw fail(.systemError, errorText(errno)) }
  let closeResult = close(fd)
  fd = -1
  if closeResult != 0 { throw fail(.systemError, errorText(errno)) }
  if rename(temp, target) != 0 { throw fail(.systemError, errorText(errno)) }
  committed = true

  // Make the rename itself durable (best effort).
  let dfd = open(folder, O_RDONLY | O_CLOEXEC)
  if dfd >= 0 {
    _ = fsync(dfd)
    close(dfd)
  }
  return result
}

/// Writes into an existing device or pipe (no temporary file is possible there).
private func writeDirectly(
  path: String, target: String, bufferCapacity: Int, body: (ByteWriter) throws -> Int
) throws -> Int {
  let fd = open(target, O_WRONLY | O_CLOEXEC)
  if fd < 0 { throw ExportError(path: path, .systemError, errorText(errno)) }
  defer { close(fd) }
  let out = ByteWriter(fileDescriptor: fd, capacity: bufferCapacity)
  let result: Int
  do {
    result = try body(out)
  } catch let e as WriteFailure {
    throw ExportError(path: path, .systemError, errorText(e.errorNumber))
  }
  out.flush()
  if out.errorNumber != 0 { throw ExportError(path: path, .systemError, errorText(out.errorNumber)) }
  return result
}
