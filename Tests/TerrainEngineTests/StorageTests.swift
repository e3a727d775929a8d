import XCTest
@testable import TerrainEngine
final class StorageTests: XCTestCase {
  func testDictionary() {
    let d = TextDictionary()
    XCTAssertEqual(d.intern("a"), 0)
    XCTAssertEqual(d.intern("b"), 1)
    XCTAssertEqual(d.intern("a"), 0)
    for i in 0..<1000 { _ = d.intern("x\(i)") }
    XCTAssertEqual(d.code(of: "x999"), 1001)
    XCTAssertNil(d.code(of: "zz"))
    // byte equality, not canonical equivalence
    XCTAssertNotEqual(d.intern("\u{E9}"), d.intern("e\u{301}"))
  }
}
