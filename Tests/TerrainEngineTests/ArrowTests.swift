// Arrow IPC files (Feather v2) and the session files of `.save` / `.open`: round trips, files
// read by pyarrow, Polars and DuckDB, files written by them read by terrain, hostile files.

import Foundation
import XCTest

import TerrainEngine
import TerrainIO
import TerrainStorage
import TerrainSyntax

final class ArrowTests: XCTestCase {
  var dir: URL = FileManager.default.temporaryDirectory

  override func setUpWithError() throws {
    dir = try TestSupport.temporaryFolder("terrain-arrow", for: self)
  }

  func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

  /// A table with every type, nulls, extreme values, and text with accents, CJK and empty.
  func everyType(rows: Int = 7) throws -> Table {
    let ints: [Int64?] = [0, -1, Int64.max, Int64.min, nil, 42, 7]
    let floats: [Double?] = [1.5, -0.0, .nan, .infinity, nil, 1e-300, -2.25]
    let texts: [String?] = ["Lyon", "", nil, "Alès", "東京", "Lyon", "é\u{301}"]
    let bools: [Bool?] = [true, false, nil, true, true, false, nil]
    let dates: [Int64?] = [0, CalendarDate.minDay, CalendarDate.maxDay, nil, 19_000, -1, 1]
    func cycle<T>(_ a: [T]) -> [T] { (0..<rows).map { a[$0 % a.count] } }
    return try Table(columns: [
      ("n", .int(cycle(ints))), ("x", .float(cycle(floats))), ("nom", .text(cycle(texts))),
      ("b", .bool(cycle(bools))), ("d", .date(cycle(dates))), ("plein", .int((0..<rows).map { Int64($0) })),
    ])
  }

  /// Asserts that two tables hold the same names, types and cells (NaN equal to NaN, -0.0
  /// told from 0.0).
  func assertSameTable(_ a: Table, _ b: Table, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.fields, b.fields, file: file, line: line)
    XCTAssertEqual(a.rowCount, b.rowCount, file: file, line: line)
    for c in 0..<min(a.columnCount, b.columnCount) {
      for r in 0..<min(a.rowCount, b.rowCount) {
        let (x, y) = (a.value(row: r, column: c), b.value(row: r, column: c))
        if case .float(let u) = x, case .float(let v) = y {
          XCTAssertTrue(u.bitPattern == v.bitPattern || (u.isNaN && v.isNaN), "\(a.fields[c].name)[\(r)]: \(u) vs \(v)",
            file: file, line: line)
        } else {
          XCTAssertEqual(x, y, "\(a.fields[c].name)[\(r)]", file: file, line: line)
        }
      }
    }
  }

  // MARK: round trips

  func testRoundTripKeepsEveryTypeNullAndDictionary() throws {
    let saved = arrowRowsPerBatch
    defer { arrowRowsPerBatch = saved }
    for batchRows in [1 << 19, 3, 1] {
      arrowRowsPerBatch = batchRows
      let t = try everyType(rows: 23)
      XCTAssertEqual(try exportTable(t, to: path("t.arrow"), options: ExportOptions()), 23)
      let back = try loadFile(path: path("t.arrow"), options: LoadOptions())
      XCTAssertEqual(back.notices, [])
      assertSameTable(t, back.table)
      // The dictionary comes back as it was: same values, same codes.
      guard case .text(let codes, let d) = t.columns[2].values, case .text(let codes2, let d2) = back.table.columns[2].values
      else { return XCTFail("text columns") }
      XCTAssertEqual(d.allStrings(), d2.allStrings())
      XCTAssertEqual(Array(codes.buffer), Array(codes2.buffer))
      XCTAssertNil(back.table.columns[5].validity, "a column without nulls gets no mask")
    }
  }

  func testEmptyTableAndFeatherExtensions() throws {
    let t = try Table(columns: [("a", .int([])), ("s", .text([]))])
    for name in ["e.arrow", "e.feather", "e.ipc"] {
      XCTAssertEqual(try exportTable(t, to: path(name), options: ExportOptions()), 0)
      let back = try loadFile(path: path(name), options: LoadOptions()).table
      XCTAssertEqual(back.rowCount, 0)
      XCTAssertEqual(back.fields, t.fields)
    }
    // By content, whatever the extension.
    try FileManager.default.copyItem(atPath: path("e.arrow"), toPath: path("e.data"))
    XCTAssertEqual(try loadFile(path: path("e.data"), options: LoadOptions()).table.fields, t.fields)
  }

  func testOptionsThatDoNotApplyAreRefused() throws {
    _ = try exportTable(try everyType(), to: path("t.arrow"), options: ExportOptions())
    let s = Session.shell()
    let r = s.execute("load \"\(path("t.arrow"))\" with (sep = \";\")")
    XCTAssertEqual(r.last?.diagnostic?.id, "load.option-does-not-apply")
    let e = s.execute("from t | export \"\(path("u.arrow"))\" with (sep = \";\")")
    XCTAssertNotNil(e.last?.diagnostic)
  }

  // MARK: other tools

  /// Each engine's rows of `file`, every cell as text (`float.hex()` for floats, ISO dates),
  /// keyed by engine.
  func pythonRows(_ file: String) throws -> [String: [[String?]]] {
    let python = try TestSupport.python(modules: ["pyarrow", "polars", "duckdb"])
    let script = """
      import sys, json, datetime, pyarrow as pa, polars as pl, duckdb
      def cell(v):
          if v is None: return None
          if isinstance(v, bool): return 'true' if v else 'false'
          if isinstance(v, float): return v.hex()
          if isinstance(v, (datetime.date,)): return v.isoformat()
          return str(v)
      t = pa.ipc.open_file(sys.argv[1]).read_all()
      out = {'pyarrow': [[cell(v) for v in row.values()] for row in t.to_pylist()]}
      out['polars'] = [[cell(v) for v in row] for row in pl.read_ipc(sys.argv[1]).rows()]
      out['duckdb'] = [[cell(v) for v in row] for row in duckdb.sql('select * from t').fetchall()]
      print(json.dumps(out))
      """
    let r = try TestSupport.runProcess(python, ["-c", script, file], in: dir)
    XCTAssertEqual(r.status, 0, r.err)
    return try JSONDecoder().decode([String: [[String?]]].self, from: Data(r.out.utf8))
  }

  func testPyarrowPolarsAndDuckDBReadOurFiles() throws {
    let saved = arrowRowsPerBatch
    defer { arrowRowsPerBatch = saved }
    arrowRowsPerBatch = 5
    let t = try everyType(rows: 12)
    _ = try exportTable(t, to: path("ours.arrow"), options: ExportOptions())
    let engines = try pythonRows(path("ours.arrow"))
    XCTAssertEqual(engines.keys.sorted(), ["duckdb", "polars", "pyarrow"])
    for (engine, rows) in engines {
      XCTAssertEqual(rows.count, t.rowCount, engine)
      for (r, row) in rows.enumerated() {
        for (c, cell) in row.enumerated() {
          let v = t.value(row: r, column: c)
          let at = "\(engine) \(t.fields[c].name)[\(r)]"
          switch v {
          case .null: XCTAssertNil(cell, at)
          case .float(let x):
            guard let s = cell, let y = Double(s) else { XCTFail("\(at): \(cell ?? "null")"); continue }
            XCTAssertTrue(x.bitPattern == y.bitPattern || (x.isNaN && y.isNaN), "\(at): \(x) vs \(y)")
          default: XCTAssertEqual(cell, v.description, at)
          }
        }
      }
    }
  }

  func testWeReadPyarrowAndPolarsFiles() throws {
    let python = try TestSupport.python(modules: ["pyarrow", "polars"])
    let script = """
      import datetime, pyarrow as pa, pyarrow.feather as feather, polars as pl
      t = pa.table({
       'i8': pa.array([1, -2, None], pa.int8()), 'i16': pa.array([1, None, 300], pa.int16()),
       'i32': pa.array([None, 5, -7], pa.int32()), 'u8': pa.array([255, 0, None], pa.uint8()),
       'u16': pa.array([1, 2, 3], pa.uint16()), 'u32': pa.array([4000000000, 2, None], pa.uint32()),
       'u64': pa.array([1, 2, None], pa.uint64()), 'f16': pa.array([1.5, None, -2.25], pa.float16()),
       'f32': pa.array([1.5, None, 3.25], pa.float32()), 'f64': pa.array([1.5, -0.0, None]),
       'b': pa.array([True, None, False]), 's': pa.array(['a', 'é', None]),
       'ls': pa.array(['x', None, 'zz'], pa.large_string()),
       'sv': pa.array(['short', 'a string longer than twelve bytes', None], pa.string_view()),
       'd32': pa.array([datetime.date(2024, 1, 2), None, datetime.date(1900, 3, 1)]),
       'd64': pa.array([datetime.date(2024, 1, 2), None, datetime.date(1969, 12, 31)], pa.date64()),
       'ts': pa.array([datetime.datetime(2024, 1, 2, 23, 59), None, datetime.datetime(1969, 12, 31, 12)], pa.timestamp('us')),
       'dict8': pa.array(['p', 'q', None]).cast(pa.dictionary(pa.int8(), pa.string())),
       'dictl': pa.array(['p', 'q', 'p']).cast(pa.dictionary(pa.uint16(), pa.large_string())),
       'n': pa.nulls(3),
      })
      feather.write_feather(t, 'plain.feather', compression='uncompressed')
      feather.write_feather(t, 'lz4.feather')
      feather.write_feather(t, 'zstd.feather', compression='zstd')
      with pa.ipc.new_file('batches.arrow', t.schema) as w:
          for b in [t.slice(0, 1), t.slice(1, 2)]: w.write_table(b)
      pl.DataFrame({'a': [1, 2, None], 's': ['x', None, 'y'],
                    'c': pl.Series(['u', 'v', 'u'], dtype=pl.Categorical)}).write_ipc('polars.arrow', compression='uncompressed')
      feather.write_feather(pa.table({'l': pa.array([[1], [2, 3]])}), 'list.arrow', compression='uncompressed')
      feather.write_feather(pa.table({'u': pa.array([2**63], pa.uint64())}), 'u64.arrow', compression='uncompressed')
      feather.write_feather(pa.table({'n': pa.nulls(100000)}), 'nulls.arrow', compression='uncompressed')
      d1 = pa.DictionaryArray.from_arrays(pa.array([0, 1, 0], pa.int32()), pa.array(['a', 'b']))
      d2 = pa.DictionaryArray.from_arrays(pa.array([2, 1, 0], pa.int32()), pa.array(['a', 'b', 'c']))
      s = pa.schema([('x', d1.type)])
      with pa.ipc.new_file('delta.arrow', s, options=pa.ipc.IpcWriteOptions(emit_dictionary_deltas=True)) as w:
          w.write_batch(pa.record_batch([d1], schema=s))
          w.write_batch(pa.record_batch([d2], schema=s))
      """
    let r = try TestSupport.runProcess(python, ["-c", script], in: dir)
    XCTAssertEqual(r.status, 0, r.err)
    let expected: [String: [String]] = [
      "i8": ["1", "-2", "null"], "i16": ["1", "null", "300"], "i32": ["null", "5", "-7"], "u8": ["255", "0", "null"],
      "u16": ["1", "2", "3"], "u32": ["4000000000", "2", "null"], "u64": ["1", "2", "null"],
      "f16": ["1.5", "null", "-2.25"], "f32": ["1.5", "null", "3.25"], "f64": ["1.5", "-0.0", "null"],
      "b": ["true", "null", "false"], "s": ["a", "é", "null"], "ls": ["x", "null", "zz"],
      "sv": ["short", "a string longer than twelve bytes", "null"], "d32": ["2024-01-02", "null", "1900-03-01"],
      "d64": ["2024-01-02", "null", "1969-12-31"], "ts": ["2024-01-02", "null", "1969-12-31"],
      "dict8": ["p", "q", "null"], "dictl": ["p", "q", "p"], "n": ["null", "null", "null"],
    ]
    // pyarrow's Feather defaults (LZ4) too.
    for file in ["plain.feather", "batches.arrow", "lz4.feather"] {
      let result = try loadFile(path: path(file), options: LoadOptions())
      let t = result.table
      XCTAssertEqual(t.columnNames, ["i8", "i16", "i32", "u8", "u16", "u32", "u64", "f16", "f32", "f64", "b", "s", "ls", "sv",
        "d32", "d64", "ts", "dict8", "dictl", "n"], file)
      for (c, name) in t.columnNames.enumerated() {
        XCTAssertEqual((0..<t.rowCount).map { t.value(row: $0, column: c).description }, expected[name], "\(file) \(name)")
      }
      XCTAssertEqual(t.column("ts")?.type, .date)
      XCTAssertEqual(result.notices, ["column `ts`: timestamps read as dates (the time of day is dropped)"])
    }
    // A delta dictionary adds `c` to the first batch's `a`, `b`.
    let delta = try loadFile(path: path("delta.arrow"), options: LoadOptions()).table
    XCTAssertEqual(delta.columns[0].boxedValues, ["a", "b", "a", "c", "b", "a"].map(Value.text))
    let polars = try loadFile(path: path("polars.arrow"), options: LoadOptions()).table
    XCTAssertEqual(polars.columnTypes, [.int, .text, .text])
    XCTAssertEqual(polars.row(2), [.null, .text("y"), .text("u")])
    func error(_ file: String) -> LoadError? {
      do {
        _ = try loadFile(path: path(file), options: LoadOptions())
        return nil
      } catch {
        return error as? LoadError
      }
    }
    XCTAssertEqual(error("zstd.feather")?.entry.id, DiagnosticMessage.arrowCompressed.id)
    XCTAssertEqual(error("zstd.feather")?.message.contains("ZSTD"), true)
    XCTAssertEqual(error("list.arrow")?.message, "column `l` is of Arrow type list, which terrain does not load (it loads integers, floats, bools, strings, dates and timestamps)")
    // Rows that take no room (a column of the null type) cannot be more than the bytes could hold.
    XCTAssertEqual(error("nulls.arrow")?.entry.id, DiagnosticMessage.arrowTooManyRows.id)
    XCTAssertEqual(error("u64.arrow")?.message, "record batch 1, column u: value 9223372036854775808 is beyond the 64-bit integer range")
  }

  // MARK: hostile files

  func ownFile() throws -> [UInt8] {
    let saved = arrowRowsPerBatch
    defer { arrowRowsPerBatch = saved }
    arrowRowsPerBatch = 4
    _ = try exportTable(try everyType(rows: 9), to: path("h.arrow"), options: ExportOptions())
    return Array(try Data(contentsOf: dir.appendingPathComponent("h.arrow")))
  }

  /// Reads `bytes` as an Arrow file: the table or the load error.
  func read(_ bytes: [UInt8]) -> Result<Table, LoadError> {
    bytes.withUnsafeBytes { raw in
      do {
        return .success(try readArrow(FileBytes(borrowing: raw), name: "h.arrow", cancel: nil).table)
      } catch let e as LoadError {
        return .failure(e)
      } catch {
        XCTFail("not a LoadError: \(error)")
        return .failure(LoadError(path: "", line: 0, column: 0, .emptyFile))
      }
    }
  }

  func testTruncatedAndCorruptFilesGiveErrors() throws {
    let good = try ownFile()
    guard case .success = read(good) else { return XCTFail("the file itself") }
    for n in 0..<good.count {
      guard case .failure(let e) = read(Array(good.prefix(n))) else { return XCTFail("prefix of \(n) bytes loaded") }
      XCTAssertEqual(e.path, "h.arrow")
    }
    // Every byte changed, in turn: loads or fails cleanly (never crashes).
    var failures = 0
    for i in 0..<good.count {
      var bad = good
      bad[i] ^= 0xA5
      if case .failure = read(bad) { failures += 1 }
    }
    XCTAssertGreaterThan(failures, 0)
  }

  func testBufferPastTheEndNamesTheBatchAndColumn() throws {
    var bytes = try ownFile()
    // Find the buffers of record batch 2 through the footer, and move the second one away.
    let footerLength = Int(bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: bytes.count - 10, as: Int32.self) })
    let position: Int = try bytes.withUnsafeBufferPointer { b in
      guard let base = b.baseAddress else { throw FlatBufferError() }
      let footerStart = b.count - 10 - footerLength
      let footer = try FlatBuffer(base: base + footerStart, count: footerLength).root()
      guard let blocks = try footer.vector(3, elementSize: 24) else { throw FlatBufferError() }
      let offset = Int(try footer.structField(blocks, stride: 24, index: 1, offset: 0, as: Int64.self))
      let message = try FlatBuffer(base: base + offset + 8, count: b.count - offset - 8).root()
      guard let header = try message.table(2), let buffers = try header.vector(2, elementSize: 16) else {
        throw FlatBufferError()
      }
      // Buffer 1 (the values of column `n`): its offset field.
      return offset + 8 + buffers.start + 16
    }
    for k in 0..<8 { bytes[position + k] = k == 6 ? 0x7F : 0 }
    guard case .failure(let e) = read(bytes) else { return XCTFail("loaded") }
    XCTAssertEqual(e.message, "record batch 2, column n: buffer past the end of the file")
    XCTAssertEqual(e.description, "h.arrow: record batch 2, column n: buffer past the end of the file")
  }

  // MARK: sessions

  func sessionWithTables() throws -> (Session, () -> String) {
    let s = Session.shell()
    var notices = ""
    s.notify = { notices += $0 }
    s.register(try everyType(rows: 30), as: "types")
    s.register(try Table(columns: [("code", .text(["01", "2A", "69"])), ("nom", .text(["Ain", "Corse-du-Sud", "Rhône"])),
      ("pop", .int([650_000, 160_000, 1_900_000]))]), as: "deps")
    XCTAssertTrue(s.run("let grands = from deps | where pop > 500000\npilots deps key code = \"69\", \"01\""), notices)
    return (s, { notices })
  }

  func testSaveOpenRoundTripWithPilots() throws {
    let (s, _) = try sessionWithTables()
    let file = path("travail.terrain")
    let saved = s.execute(".save \"\(file)\"")
    XCTAssertNil(saved.last?.diagnostic)
    XCTAssertEqual(saved.last?.notices, ["saved 3 tables (35 rows) and 2 pilots to \(file)"])

    let t = Session.shell()
    t.register(try Table(columns: [("x", .int([1]))]), as: "ancienne")
    let opened = t.execute(".open \"\(file)\"")
    XCTAssertNil(opened.last?.diagnostic)
    XCTAssertEqual(opened.last?.notices, ["restored 3 tables: types (30), deps (3), grands (2) and 2 pilots from \(file)"])
    XCTAssertEqual(t.tableNames, ["types", "deps", "grands"])
    for name in ["types", "deps", "grands"] {
      assertSameTable(try XCTUnwrap(try s.table(named: name)), try XCTUnwrap(try t.table(named: name)))
    }
    let pilots = t.execute(".pilots")
    XCTAssertEqual(pilots.last?.output?.contains("Rhône"), true)
    XCTAssertNil(t.execute("compare pilots on pop").last?.diagnostic)
    // The members are Arrow files that unzip gives as they are.
    let python = try? TestSupport.python(modules: ["pyarrow"])
    if let python {
      let r = try TestSupport.runProcess(python, ["-c", """
        import sys, zipfile, json, pyarrow as pa
        z = zipfile.ZipFile(sys.argv[1])
        z.testzip()
        m = json.loads(z.read('manifest.json'))
        print([(e['name'], pa.ipc.open_file(pa.py_buffer(z.read(e['member']))).read_all().num_rows) for e in m['tables']])
        """, file], in: dir)
      XCTAssertEqual(r.out, "[('types', 30), ('deps', 3), ('grands', 2)]\n", r.err)
    }
  }

  func testCorruptSessionFileLeavesTheSessionIntact() throws {
    let (s, _) = try sessionWithTables()
    let file = path("s.terrain")
    XCTAssertNil(s.execute(".save \"\(file)\"").last?.diagnostic)
    let good = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
    let (t, _) = try sessionWithTables()
    XCTAssertTrue(t.run("let autre = from deps | take 1\npilots deps key code = \"2A\""))
    let before = t.tableNames
    var cases: [(String, [UInt8])] = [("empty", []), ("garbage", Array("not a session".utf8))]
    for n in stride(from: 0, to: good.count, by: max(1, good.count / 97)) { cases.append(("prefix \(n)", Array(good.prefix(n)))) }
    // A damaged Arrow member: its magic.
    if let at = (0..<(good.count - 6)).first(where: { Array(good[$0..<($0 + 6)]) == Array("ARROW1".utf8) }) {
      var bad = good
      bad[at] = 0
      cases.append(("member magic", bad))
    }
    // A letter changed inside a value, the structure intact: the member's CRC says so (without
    // it, `Corse-du-Sud` would come back as `Corse-du-Sue`).
    let value = Array("Corse-du-Sud".utf8)
    let valueAt = try XCTUnwrap((0..<(good.count - value.count)).first { Array(good[$0..<($0 + value.count)]) == value })
    var flipped = good
    flipped[valueAt + 11] = UInt8(ascii: "e")
    try Data(flipped).write(to: URL(fileURLWithPath: path("flipped.terrain")))
    let flippedOpen = t.execute(".open \"\(path("flipped.terrain"))\"").last?.diagnostic
    XCTAssertEqual(flippedOpen?.id, "load.session-damaged")
    XCTAssertTrue(flippedOpen?.message.contains(".arrow cannot be read") == true, flippedOpen?.message ?? "")
    XCTAssertEqual(t.tableNames, before)
    for (what, bytes) in cases {
      try Data(bytes).write(to: URL(fileURLWithPath: path("bad.terrain")))
      let r = t.execute(".open \"\(path("bad.terrain"))\"")
      XCTAssertNotNil(r.last?.diagnostic, what)
      XCTAssertEqual(t.tableNames, before, what)
      XCTAssertEqual(t.execute(".pilots").last?.output?.contains("Corse-du-Sud"), true, what)
    }
    XCTAssertEqual(t.execute(".open \"\(path("missing.terrain"))\"").last?.diagnostic?.id, "load.cannot-open")
  }

  func testTerrainOpenOnTheBinary() throws {
    guard let bin = TestSupport.terrainBinary else { throw XCTSkip("terrain binary not built") }
    let file = path("cli.terrain")
    let env = ["TERRAIN_DATASETS": TestSupport.datasets.path, "NO_COLOR": "1"]
    let save = try TestSupport.runProcess(bin, ["-c", """
      let grandes = from regions | where population > 5000000 | select nom, population
      pilots regions key nom = "Bretagne"
      .save "\(file)"
      """], in: dir, environment: env)
    XCTAssertEqual(save.status, 0, save.err)
    let open = try TestSupport.runProcess(bin, ["--no-data", "--open", file, "--mode", "csv", "-c", "from grandes | aggregate n = count()\n.pilots"],
      in: dir, environment: env)
    XCTAssertEqual(open.status, 0, open.err)
    XCTAssertTrue(open.out.hasPrefix("n\n"), open.out)
    XCTAssertTrue(open.out.contains("Bretagne"), open.out)
    XCTAssertTrue(open.err.contains("restored 2 tables: regions (18), grandes ("), open.err)
    let missing = try TestSupport.runProcess(bin, ["--open", path("nope.terrain"), "-c", "from regions"], in: dir, environment: env)
    XCTAssertEqual(missing.status, 1)
    XCTAssertTrue(missing.err.contains("cannot open"), missing.err)
    XCTAssertEqual(missing.out, "")
  }
}

extension StatementResult {
  /// The text a dot command printed, if that is what the statement gave.
  fileprivate var output: String? {
    if case .output(let s) = outcome { return s }
    return nil
  }
}
