// Buffers grown by input fail as load errors, not as a stop of the process (issue 17): the
// CSV reader's columns, field scratch and text dictionaries under a memory budget
// forced small, and the storage's checked allocations themselves.

import Foundation
import XCTest

import TerrainIO
import TerrainStorage

final class MemoryLimitTests: XCTestCase {
  override func tearDown() {
    availableMemoryOverride = nil
    checkedAllocationThreshold = 64 << 20
  }

  /// Loads `text` as a CSV named `name` with every allocation checked against `budget` bytes.
  private func load(_ text: String, name: String, budget: Int) throws -> LoadResult {
    availableMemoryOverride = budget
    checkedAllocationThreshold = 0
    defer {
      availableMemoryOverride = nil
      checkedAllocationThreshold = 64 << 20
    }
    var bytes = Array(text.utf8)
    return try bytes.withUnsafeMutableBytes {
      try loadCSV(bytes: UnsafeRawBufferPointer($0), name: name, options: LoadOptions())
    }
  }

  private func assertOutOfMemory(_ text: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertThrowsError(try load(text, name: name, budget: 2_000_000), file: file, line: line) { error in
      let message = "\(error)"
      XCTAssertTrue(message.contains("\"\(name)\" needs more memory than is available"), message, file: file, line: line)
      XCTAssertTrue(message.hasSuffix("not loaded"), message, file: file, line: line)
    }
  }

  func testColumnsBeyondTheMemoryAreAnError() throws {
    // 600,000 rows of two int columns: 9.6 MB of column buffers from a 2.4 MB file.
    let text = "a,b\n" + String(repeating: "1,2\n", count: 600_000)
    assertOutOfMemory(text, "columns.csv")
    // The same file within its budget loads.
    XCTAssertEqual(try load(text, name: "columns.csv", budget: 64_000_000).table.rowCount, 600_000)
  }

  func testManyColumnsBeyondTheMemoryAreAnError() throws {
    // 100,000 one-letter columns of 3 rows: a 600 kB file whose columns' own structures (their
    // lanes' targets, dictionaries, fields) need tens of MB — the fault campaign's 900,000
    // columns stopped the process under `prlimit --as=800M` before they were counted.
    let header = (0..<100_000).map { "c\($0)" }.joined(separator: ",")
    let row = String(repeating: "a,", count: 99_999) + "a"
    let text = header + "\n" + row + "\n" + row + "\n" + row + "\n"
    assertOutOfMemory(text, "wide.csv")
    XCTAssertEqual(try load(text, name: "wide.csv", budget: 2_000_000_000).table.columns.count, 100_000)
  }

  func testAQuotedFieldBeyondTheMemoryIsAnError() {
    // One quoted field of 3 MB with doubled quotes: its unescaped copy grows past the budget.
    let text = "a\n\"" + String(repeating: "x\"\"", count: 1_000_000) + "\"\n"
    assertOutOfMemory(text, "quoted.csv")
  }

  func testDistinctTextBeyondTheMemoryIsAnError() {
    // 150,000 distinct 20-byte values: the dictionary's arena and strings outgrow 2 MB.
    var text = "s\n"
    text.reserveCapacity(150_000 * 21 + 2)
    for i in 0..<150_000 { text += String(format: "value-%014d\n", i) }
    assertOutOfMemory(text, "distinct.csv")
  }

  func testCheckedAllocationsRefuseImpossibleSizes() throws {
    XCTAssertThrowsError(try ColumnBuffer<Int64>(checkedZeroed: Int.max / 4))
    XCTAssertThrowsError(try ColumnBuffer<Int64>(checkedZeroed: 1 << 60))
    let builder = BufferBuilder<Int64>(capacity: 16)
    XCTAssertThrowsError(try builder.reserve(Int.max))
    XCTAssertThrowsError(try builder.reserve(1 << 58))
    try builder.append(7)
    XCTAssertEqual(builder.count, 1)
    let d = TextDictionary()
    let code = try "abc".utf8CString.withUnsafeBytes { try d.checkedIntern(bytes: UnsafeRawBufferPointer(rebasing: $0.dropLast())) }
    XCTAssertEqual(d.string(Int(code)), "abc")
    availableMemoryOverride = 1000
    checkedAllocationThreshold = 0
    XCTAssertThrowsError(try String(repeating: "y", count: 5000).utf8CString.withUnsafeBytes {
      try d.checkedIntern(bytes: UnsafeRawBufferPointer(rebasing: $0.dropLast()))
    })
    XCTAssertEqual(d.count, 1, "a refused value leaves the dictionary unchanged")
  }

  /// `withCheckedRoom` makes a Swift array only after its probe passed, under the lock every
  /// checked allocation takes (recursive: a dictionary growing inside it does not deadlock),
  /// and threads allocating through it at once all get their arrays.
  func testWithCheckedRoomAllocatesOnlyWhatThereIsRoomFor() throws {
    let made = try withCheckedRoom(for: 8_000) { [Int64](repeating: 3, count: 1000) }
    XCTAssertEqual(made.count, 1000)
    let nested = try withCheckedRoom(for: 64) { () throws -> UInt32 in
      let d = TextDictionary()
      return try d.checkedIntern(String(repeating: "z", count: 100_000))
    }
    XCTAssertEqual(nested, 0)
    availableMemoryOverride = 1000
    checkedAllocationThreshold = 0
    var ran = false
    XCTAssertThrowsError(try withCheckedRoom(for: 80_000) { () -> [Int64] in
      ran = true
      return [Int64](repeating: 0, count: 10_000)
    }) { error in
      XCTAssertEqual((error as? AllocationFailure)?.bytes, 80_000)
    }
    XCTAssertFalse(ran, "a refused allocation never runs")
    XCTAssertThrowsError(try withCheckedRoom(for: -1) { 0 }, "a negative size is refused")
    availableMemoryOverride = nil
    checkedAllocationThreshold = 64 << 20
    let counts = SimpleLock()
    nonisolated(unsafe) var total = 0
    DispatchQueue.concurrentPerform(iterations: 8) { _ in
      for _ in 0..<200 {
        let a = try? withCheckedRoom(for: 4096) { [UInt8](repeating: 1, count: 4096) }
        counts.withLock { total += a?.count ?? 0 }
      }
    }
    XCTAssertEqual(total, 8 * 200 * 4096)
  }
}
