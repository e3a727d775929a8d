// The entry points of the fuzz targets (`FuzzEntryPoints`) on their committed seeds
// (`Fuzz/corpus/`): each seed is accepted, and every prefix of it and bytes flipped in it end
// in an answer (accepted or refused), never a crash — so the targets keep reading what
// their seeds say they read.

import Foundation
import XCTest

import TerrainEngine

final class FuzzEntryPointsTests: XCTestCase {
  private func seeds(_ target: String) throws -> [(String, [UInt8])] {
    let dir = TestSupport.repositoryRoot.appendingPathComponent("Fuzz/corpus/\(target)")
    let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
    XCTAssertFalse(names.isEmpty, target)
    return try names.map { ($0, Array(try Data(contentsOf: dir.appendingPathComponent($0)))) }
  }

  /// `read` on each seed of `target` (accepted unless `refused` names it), on prefixes of it
  /// and on copies with a byte flipped.
  private func check(_ target: String, refused: Set<String> = [], _ read: (UnsafeRawBufferPointer) -> Bool) throws {
    for (name, bytes) in try seeds(target) {
      XCTAssertEqual(bytes.withUnsafeBytes(read), !refused.contains(name), "\(target)/\(name)")
      let step = max(1, bytes.count / 64)
      for cut in stride(from: 0, to: bytes.count, by: step) { _ = bytes.prefix(cut).withUnsafeBytes(read) }
      var rng = SystemRandomNumberGenerator()
      for _ in 0..<64 where !bytes.isEmpty {
        var flipped = bytes
        flipped[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
        _ = flipped.withUnsafeBytes(read)
      }
    }
  }

  func testParquetScan() throws {
    try check("parquet-scan") { b in
      b.count > 0 && FuzzEntryPoints.parquet(UnsafeRawBufferPointer(rebasing: b[1...]), selector: b[0])
    }
  }

  func testSessionFile() throws { try check("session-file") { FuzzEntryPoints.sessionFile($0) } }

  func testGeoJSON() throws { try check("geojson") { FuzzEntryPoints.geoJSON($0) } }

  func testGzip() throws { try check("gzip") { FuzzEntryPoints.gzip($0) } }

  func testCopyBinary() throws {
    try check("copy-binary") { b in
      guard b.count > 0 else { return false }
      let columns = Int(b[0] & 7) + 1
      guard b.count > columns else { return false }
      let split = Int(b[0] >> 3)
      let stream = UnsafeRawBufferPointer(rebasing: b[(1 + columns)...])
      return FuzzEntryPoints.copyBinary(stream, types: Array(b[1...columns]), split: split == 0 ? stream.count : split)
    }
  }
}
