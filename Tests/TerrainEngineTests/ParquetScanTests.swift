// Reading Parquet files by statement: `load` reads the footer, each statement decodes only
// the columns it reads (a corrupt page in another column does not stop it) and skips the
// row groups whose statistics exclude its leading `where` (answers equal to a full load's,
// with nulls, NaN and text bounds); row groups decoded on both cores equal one core's.

import Foundation
import XCTest

import TerrainEngine
import TerrainIO
import TerrainStorage
import TerrainSyntax

final class ParquetScanTests: XCTestCase {
  var dir: URL = FileManager.default.temporaryDirectory

  override func setUpWithError() throws {
    dir = try TestSupport.temporaryFolder("terrain-pqscan", for: self)
  }

  func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

  /// A session with `run`'s output and notices collected.
  func session() -> (Session, () -> String, () -> String) {
    let s = Session.shell()
    let out = Box()
    let notes = Box()
    s.write = { out.text += $0 }
    s.notify = { notes.text += $0 }
    return (s, { out.text }, { notes.text })
  }

  final class Box { var text = "" }

  /// Our own file of three columns, then the body of column `c`'s first page overwritten:
  /// decoding `c` fails, the others are intact.
  func fileWithCorruptColumnC() throws -> String { try fileWithCorruptColumn(2, name: "corrupt.parquet") }

  /// `fileWithCorruptColumnC` with column `column` (0 a, 1 b, 2 c) corrupt instead.
  func fileWithCorruptColumn(_ column: Int, name: String) throws -> String {
    let n = 5000
    let t = try Table(columns: [
      ("a", .int((0..<n).map { Int64($0) })),
      ("b", .float((0..<n).map { Double($0) / 4 })),
      ("c", .text((0..<n).map { "texte \($0 % 17)" })),
    ])
    let f = path(name)
    _ = try exportTable(t, to: f, options: ExportOptions())
    var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: f)))
    try bytes.withUnsafeBufferPointer { b in
      let base = try XCTUnwrap(b.baseAddress)
      let footerLength = Int(bytes[bytes.count - 8]) | Int(bytes[bytes.count - 7]) << 8 | Int(bytes[bytes.count - 6]) << 16
      let meta = try ParquetFileMetadata.read(base, start: bytes.count - 8 - footerLength, end: bytes.count - 8)
      let chunk = meta.rowGroups[0].columns[column]
      var position = Int(chunk.dictionaryPageOffset ?? chunk.dataPageOffset)
      let header = try ParquetPageHeader.read(base, position: &position, end: bytes.count)
      corrupt = (position, Int(header.compressedSize))
    }
    for i in corrupt.start..<(corrupt.start + min(corrupt.count, 64)) { bytes[i] = 0xA5 }
    try Data(bytes).write(to: URL(fileURLWithPath: f))
    return f
  }

  var corrupt = (start: 0, count: 0)

  func testOnlyTheColumnsAStatementReadsAreDecoded() throws {
    let f = try fileWithCorruptColumnC()
    let (s, out, notes) = session()
    s.renderOptions.mode = .csv
    XCTAssertTrue(s.run("load \"\(f)\" as t"), notes())
    XCTAssertTrue(notes().contains("loaded 5000 rows into t"), notes())
    // Column c is never decoded by these: they answer.
    XCTAssertTrue(s.run("from t | where a >= 4000 | aggregate n = count(), s = sum(b)"), notes())
    XCTAssertTrue(out().contains("1000,1124875"), out())
    XCTAssertTrue(s.run("from t | select a, b | take 2"), notes())
    XCTAssertTrue(s.run("from t | sort b desc | take 1 | select a"), notes())
    XCTAssertTrue(out().hasSuffix("a\n4999\n"), out())
    XCTAssertTrue(s.run(".tables"), notes())
    XCTAssertTrue(s.run(".explain from t | aggregate n = count() by a"), notes())
    XCTAssertTrue(out().contains("reads parquet: columns 1 of 3 (a); row groups 1 of 1"), out())
    // A statement that reads c meets the corrupt page: an error naming the file, the column
    // and the row group; the session goes on, its columns decoded so far kept.
    XCTAssertFalse(s.run("from t | aggregate n = count() by c"))
    XCTAssertTrue(notes().contains("column `c`, row group 0"), notes())
    XCTAssertTrue(notes().contains("cannot load table `t`"), notes())
    XCTAssertFalse(s.run("from t"))
    XCTAssertTrue(s.run("from t | aggregate m = max(a)"), notes())
    XCTAssertTrue(out().hasSuffix("m\n4999\n"), out())
    // Embedding API: the whole table is read, hence the error.
    XCTAssertThrowsError(try s.table(named: "t"))
    // `columns = (…)` leaving c out loads the rest whole.
    XCTAssertTrue(s.run("load \"\(f)\" as u with (columns = (\"b\", \"a\"))"), notes())
    XCTAssertEqual(try s.table(named: "u")?.columnNames, ["b", "a"])
  }

  func testAllColumnsDecodedMakeAnOrdinaryTable() throws {
    let t = try Table(columns: [("a", .int([1, 2, 3])), ("s", .text(["x", "y", "z"]))])
    let f = path("small.parquet")
    _ = try exportTable(t, to: f, options: ExportOptions())
    let (s, _, notes) = session()
    XCTAssertTrue(s.run("load \"\(f)\" as t\nlet u = from t | where a > 1 | select s"), notes())
    XCTAssertEqual(try s.query("from u").column("s")?.boxedValues, [.text("y"), .text("z")])
    XCTAssertEqual(try s.query("from t | select a").column("a")?.boxedValues, [.int(1), .int(2), .int(3)])
    XCTAssertEqual(try s.table(named: "t")?.rowCount, 3)
    // A save holds every loaded table, decoded whole.
    XCTAssertTrue(s.run(".save \"\(path("s.terrain"))\""), notes())
    let (s2, _, notes2) = session()
    XCTAssertTrue(s2.run(".open \"\(path("s.terrain"))\""), notes2())
    XCTAssertEqual(try s2.query("from t | aggregate n = sum(a)").columns[0].int(at: 0), 6)
  }

  /// pyarrow's file of 10 row groups of 100 rows: `id` 0…999 in order, `f` floats with NaN
  /// and a null in some groups, `s` text in order, `n` ints all null in groups 2 and 7,
  /// `k` ints 0…9 unordered; statistics written (pyarrow's default).
  func statisticsFile() throws -> String {
    let python = try TestSupport.python(modules: ["pyarrow"])
    let f = path("stats.parquet")
    let script = """
      import sys, math, pyarrow as pa, pyarrow.parquet as pq
      n = 1000
      ids = list(range(n))
      f = [float('nan') if i % 97 == 5 else (None if i % 89 == 3 else i / 10) for i in ids]
      f[300:400] = [float('nan')] * 100
      s = ["k%03d" % (i // 10) for i in ids]
      s[500:600] = ["Élan %d" % i for i in range(100)]
      nn = [None if (i // 100) in (2, 7) else (i % 13) for i in ids]
      k = [(i * 7) % 10 for i in ids]
      t = pa.table({"id": pa.array(ids, pa.int64()), "f": pa.array(f, pa.float64()), "s": pa.array(s, pa.string()),
                    "n": pa.array(nn, pa.int32()), "k": pa.array(k, pa.int64())})
      pq.write_table(t, sys.argv[1], row_group_size=100, compression="snappy")
      """
    let scriptFile = dir.appendingPathComponent("stats.py")
    try script.write(to: scriptFile, atomically: true, encoding: .utf8)
    let r = try TestSupport.runProcess(python, [scriptFile.path, f], in: dir)
    XCTAssertEqual(r.status, 0, r.err)
    return f
  }

  func testRowGroupsExcludedByStatisticsAreSkippedWithTheSameAnswers() throws {
    let f = try statisticsFile()
    // The reference: the same file read whole, registered as a table in memory.
    let whole = Session.shell()
    whole.register(try loadFile(path: f, options: LoadOptions()).table, as: "t")
    let cases: [(String, Int)] = [
      // (statement after `from t | `, row groups read of 10)
      ("where id >= 950 | aggregate n = count(), s = sum(f)", 1),
      ("where id < 0 | aggregate n = count()", 0),
      ("where id > 950.5 | aggregate n = count()", 1),
      ("where 250 > id | select id, s | sort id desc | take 3", 3),
      ("where id == 420 | select id, f, s, n", 1),
      ("where id in (5, 995, 2000) | select id", 2),
      ("where id >= 100 and id < 300 | aggregate n = count()", 2),
      ("where id < 100 or id >= 900 | aggregate n = count()", 2),
      ("where s == \"k042\" | aggregate n = count()", 1),
      ("where s >= \"k09\" and s < \"k1\" | aggregate n = count()", 1),
      ("where s > \"z\" | aggregate n = count()", 1),
      // Text in code point order: "É" is after every ASCII letter, only group 5 has it.
      ("where s >= \"É\" | aggregate n = count()", 1),
      ("where s in (\"Élan 3\", \"k001\") | aggregate n = count()", 2),
      ("where n is null | aggregate c = count()", 2),
      ("where n is not null | aggregate c = count()", 8),
      ("where n > 5 | aggregate c = count()", 8),
      ("where n == 99 | aggregate c = count()", 0),
      // NaN and null floats: no group is skipped unless its bounds prove it.
      // (Group 3 holds NaN only: no bounds, so never skipped.)
      ("where f > 95 | aggregate c = count()", 2),
      ("where f < 1 | aggregate c = count()", 2),
      ("where f != 50 | aggregate c = count()", 10),
      ("where f >= 30 and f < 40 | aggregate c = count()", 1),
      ("where not (id < 900) | aggregate c = count()", 10),
      ("where k == 3 | aggregate c = count()", 10),
      ("where id >= 900 | where k == 3 | aggregate c = count()", 1),
      ("select id, k | where id >= 900 | aggregate c = count()", 10),
      ("where id + 1 > 990 | aggregate c = count()", 10),
    ]
    var csv = RenderOptions()
    csv.mode = .csv
    for (tail, groups) in cases {
      // A fresh load each time: a column decoded by an earlier statement is read from memory.
      let (lazy, _, notes) = session()
      XCTAssertTrue(lazy.run("load \"\(f)\" as t"), notes())
      let q = "from t | " + tail
      var explained = ""
      lazy.write = { explained += $0 }
      XCTAssertTrue(lazy.run(".explain " + q), notes())
      XCTAssertTrue(explained.contains("row groups \(groups) of 10"), "\(q): \(explained)")
      if groups < 10 {
        XCTAssertTrue(explained.contains("(\(10 - groups) skipped by their statistics)"), "\(q): \(explained)")
      }
      let expected = try whole.query(q)
      let got = try lazy.query(q)
      XCTAssertEqual(render(got, options: csv), render(expected, options: csv), q)
    }
    // Groups are skipped only while nothing the statement reads is decoded: once `id` is,
    // the same answers come from memory.
    let (lazy, _, notes) = session()
    XCTAssertTrue(lazy.run("load \"\(f)\" as t"), notes())
    var explained = ""
    lazy.write = { explained += $0 }
    XCTAssertTrue(lazy.run(".explain from t | where id >= 950 | aggregate n = count()"), notes())
    XCTAssertTrue(explained.contains("row groups 1 of 10 (9 skipped"), explained)
    XCTAssertEqual(try lazy.query("from t | select id | aggregate m = max(id)").columns[0].int(at: 0), 999)
    XCTAssertEqual(try lazy.query("from t | where id >= 950 | aggregate n = count()").columns[0].int(at: 0), 50)
    XCTAssertTrue(lazy.run(".explain from t | where id >= 950 | aggregate n = count()"), notes())
    XCTAssertTrue(explained.hasSuffix("row groups 10 of 10\n") || explained.contains("row groups 10 of 10\n"), explained)
  }

  func testBoundsAreGivenOnlyWhereTheirOrderIsTerrains() throws {
    let f = try statisticsFile()
    let file = try ParquetTable(bytes: readWholeFile(path: f), name: "stats.parquet", options: LoadOptions())
    XCTAssertEqual(file.partRowCounts, Array(repeating: 100, count: 10))
    XCTAssertEqual(file.bounds(column: 0, part: 3), ColumnBounds(min: .int(300), max: .int(399), nullCount: 0, rowCount: 100))
    // A group of NaN only: pyarrow writes no bounds for it; terrain proves nothing from them.
    let nan = try XCTUnwrap(file.bounds(column: 1, part: 3))
    XCTAssertNil(nan.min)
    XCTAssertNil(nan.max)
    XCTAssertEqual(file.bounds(column: 2, part: 5)?.min, .text("Élan 0"))
    XCTAssertEqual(file.bounds(column: 3, part: 2)?.nullCount, 100)
    XCTAssertNil(file.bounds(column: 9, part: 0))
    XCTAssertNil(file.bounds(column: 0, part: 10))
  }

  func testRowGroupsDecodedOnBothCoresEqualOneCore() throws {
    let f = try statisticsFile()
    let file = try ParquetTable(bytes: readWholeFile(path: f), name: "stats.parquet", options: LoadOptions())
    let all = Array(file.fields.indices)
    let parallel = try file.decode(columns: all, parts: nil, parallel: true, cancel: nil)
    let serial = try file.decode(columns: all, parts: nil, parallel: false, cancel: nil)
    for (p, s) in zip(parallel, serial) {
      XCTAssertEqual(p.count, 1000)
      for i in 0..<p.count { XCTAssertTrue(sameValue(p.value(at: i), s.value(at: i)), "row \(i)") }
    }
    // Some row groups, end to end, equal those rows of the whole.
    let some = try file.decode(columns: [2, 0, 1], parts: [7, 2, 5], cancel: nil)
    XCTAssertEqual(some[1].count, 300)
    for (k, g) in [7, 2, 5].enumerated() {
      for r in 0..<100 {
        XCTAssertTrue(sameValue(some[0].value(at: k * 100 + r), parallel[2].value(at: g * 100 + r)))
        XCTAssertEqual(some[1].value(at: k * 100 + r), parallel[0].value(at: g * 100 + r))
        XCTAssertTrue(sameValue(some[2].value(at: k * 100 + r), parallel[1].value(at: g * 100 + r)))
      }
    }
  }

  /// pyarrow's file of 4 row groups of 3,000 rows whose columns cut their pages at different
  /// rows (tiny pages, written 100 rows at a time): `a` ints 0…4 (dictionary), `b` floats
  /// whose dictionary overflows (plain pages after dictionary pages), `c` ints with nulls,
  /// `t` text.
  func pagesFile() throws -> String {
    let python = try TestSupport.python(modules: ["pyarrow"])
    let f = path("pages.parquet")
    let script = """
      import sys, pyarrow as pa, pyarrow.parquet as pq
      n = 12000
      a = [(i * 7) % 5 for i in range(n)]
      b = [None if i % 31 == 4 else (i * 37 % 1009) / 4 for i in range(n)]
      c = [None if i % 11 == 0 else (i * 13) % 1000 for i in range(n)]
      t = ["t%d" % (i % 7) for i in range(n)]
      table = pa.table({"a": pa.array(a, pa.int64()), "b": pa.array(b, pa.float64()), "c": pa.array(c, pa.int32()),
                        "t": pa.array(t, pa.string())})
      pq.write_table(table, sys.argv[1], row_group_size=3000, compression="zstd", data_page_size=300,
                     write_batch_size=100, dictionary_pagesize_limit=600)
      """
    let scriptFile = dir.appendingPathComponent("pages.py")
    try script.write(to: scriptFile, atomically: true, encoding: .utf8)
    let r = try TestSupport.runProcess(python, [scriptFile.path, f], in: dir)
    XCTAssertEqual(r.status, 0, r.err)
    return f
  }

  func testCountsReadBatchByBatchEqualAFullLoad() throws {
    let f = try pagesFile()
    let whole = Session.shell()
    whole.register(try loadFile(path: f, options: LoadOptions()).table, as: "t")
    let conditions = [
      "a == 2 and b > 100", "a >= 1 and b < 200.5 and c > 100", "c >= 500 and a <= 3", "b >= 0 and c < 1000",
      "a > 9 and c > 0", "a >= 0 and c >= 0 and b >= 0",
      // Statistics: only some row groups may hold rows.
      "c > 998 and a == 4",
    ]
    for condition in conditions {
      let q = "from t | where \(condition) | aggregate n = count(), m = count()"
      let (lazy, _, notes) = session()
      XCTAssertTrue(lazy.run("load \"\(f)\" as t"), notes())
      let got = try lazy.query(q)
      let expected = try whole.query(q)
      XCTAssertEqual(got.columns[0].int(at: 0), expected.columns[0].int(at: 0), q)
      XCTAssertEqual(got.columns[1].int(at: 0), expected.columns[0].int(at: 0), q)
    }
    // The batches of the file hold every row once, with the values a whole decode gives.
    let file = try ParquetTable(bytes: readWholeFile(path: f), name: "pages.parquet", options: LoadOptions())
    let decoded = try file.decode(columns: [0, 1, 2], parts: [3, 1], cancel: nil)
    let seen = Seen()
    // Batches of a few pages: the columns' pages overlap each batch's ends differently.
    try file.scan(columns: [2, 0, 1], parts: [3, 1], batchRows: 250, cancel: nil) { columns, rows in
      XCTAssertEqual(columns.count, 3)
      var rowsOf: [[Value]] = []
      for r in 0..<rows { rowsOf.append([columns[1].value(at: r), columns[2].value(at: r), columns[0].value(at: r)]) }
      seen.add(rowsOf)
    }
    let expectedRows = (0..<6000).map { r in decoded.map { $0.value(at: r) } }
    XCTAssertEqual(seen.rows.count, 6000)
    XCTAssertEqual(Set(seen.rows.map { "\($0)" }), Set(expectedRows.map { "\($0)" }))
    // A statement that decodes a column first: the count then runs in memory, same answer.
    let (s, _, notes) = session()
    XCTAssertTrue(s.run("load \"\(f)\" as t\nlet m = from t | aggregate x = max(a)"), notes())
    let q = "from t | where a == 2 and b > 100 | aggregate n = count()"
    XCTAssertEqual(try s.query(q).columns[0].int(at: 0), try whole.query(q).columns[0].int(at: 0))
  }

  final class Seen: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var rows: [[Value]] = []
    func add(_ r: [[Value]]) { lock.withLock { rows += r } }
  }

  func testACorruptPageMetWhileCountingNamesItsColumnAndRowGroup() throws {
    let f = try fileWithCorruptColumnC()
    let (s, _, notes) = session()
    XCTAssertTrue(s.run("load \"\(f)\" as t"), notes())
    // Its corrupt column is not read.
    XCTAssertEqual(try s.query("from t | where a >= 10 and b > 3 | aggregate n = count()").columns[0].int(at: 0), 4987)
    let g = try fileWithCorruptColumn(1, name: "corrupt-b.parquet")
    XCTAssertTrue(s.run("load \"\(g)\" as u"), notes())
    XCTAssertFalse(s.run("from u | where a >= 10 and b > 3 | aggregate n = count()"))
    XCTAssertTrue(notes().contains("column `b`, row group 0"), notes())
    XCTAssertTrue(notes().contains("cannot load table `u`"), notes())
    // The session goes on; a count over the intact columns answers.
    XCTAssertEqual(try s.query("from u | where a >= 10 and a < 20 | aggregate n = count()").columns[0].int(at: 0), 10)
  }

  /// Equal values, NaN equal to NaN.
  func sameValue(_ a: Value, _ b: Value) -> Bool {
    if case .float(let x) = a, case .float(let y) = b, x.isNaN, y.isNaN { return true }
    return a == b
  }
}
