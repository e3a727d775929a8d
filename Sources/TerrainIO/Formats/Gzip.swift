// gzip-compressed files (`communes.csv.gz`): inflated into memory, then read by the format
// of the name without `.gz`; also the inflation of gzip-compressed map outlines (`gunzip`).

import TerrainStorage
import TerrainSyntax

extension FileContainer {
  /// gzip (RFC 1952). Members one after the other (`cat a.gz b.gz`) are one file; the
  /// output is bounded by the memory available (`decompressionLimit()`), whatever the file
  /// says its size is.
  package static let gzip = FileContainer(name: "gzip", extensions: ["gz"], magic: [[0x1F, 0x8B]]) {
    bytes, name, _, cancel in
    let limit = decompressionLimit()
    let inner = try gunzip(bytes, name: name, limit: limit, cancel: cancel) {
      LoadError(path: name, line: 0, column: 0, .decompressedTooLarge, name, byteSizeText(limit))
    }
    return (gzipInnerName(name), inner)
  }
}

/// The inflated bytes of the gzip file `name`: inflation stops as soon as the output passes
/// `limit` bytes (the memory available for `load`, a format's own bound for others), which
/// throws `tooLarge()`; nothing beyond the limit (and a block) is ever allocated.
package func gunzip(_ bytes: FileBytes, name: String, limit: Int, cancel: CancellationFlag?,
  tooLarge: @escaping () -> LoadError) throws -> FileBytes {
  let target = InflateTarget(path: name, name: name, fileOffset: 0, limit: limit, tooLarge: tooLarge)
  return try inflate(bytes.buffer, wrapping: .gzip, sizeHint: gzipSizeHint(bytes.buffer), target: target, cancel: cancel)
}

/// The size the last member's trailer gives (ISIZE: the size modulo 2³², a hint only).
private func gzipSizeHint(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
  guard bytes.count >= 18 else { return 0 }
  var size = 0
  for i in 1...4 { size = size << 8 | Int(bytes[bytes.count - i]) }
  return size
}

/// `dir/communes.csv.gz` → `dir/communes.csv`; a name without `.gz` (a gzip file found by its
/// content) is kept.
package func gzipInnerName(_ name: String) -> String {
  guard fileExtension(name) == "gz" else { return name }
  return String(name.dropLast(3))
}
