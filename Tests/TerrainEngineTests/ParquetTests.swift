// Parquet in and out: a corpus written by pyarrow (every encoding × compression × page
// version × nulls or not, dictionary fallback, empty file, one row, many row groups), files
// written by DuckDB and Polars, all read by terrain and compared cell by cell with what
// pyarrow reads; terrain's files read back by pyarrow, DuckDB and Polars; the real data
// round-tripped; corrupt and hostile files refused with errors that name the part.

import Foundation
import XCTest

import TerrainEngine
import TerrainIO
import TerrainStorage
import TerrainSyntax

final class ParquetTests: XCTestCase {
  var dir: URL = FileManager.default.temporaryDirectory

  override func setUpWithError() throws {
    dir = try TestSupport.temporaryFolder("terrain-parquet", for: self)
  }

  func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

  /// Runs `script` with Python (`modules` importable), arguments after it; returns stdout.
  func runPython(_ script: String, modules: [String], _ arguments: [String] = []) throws -> String {
    let python = try TestSupport.python(modules: modules)
    let file = dir.appendingPathComponent("script-\(UUID().uuidString).py")
    try script.write(to: file, atomically: true, encoding: .utf8)
    let r = try TestSupport.runProcess(python, [file.path] + arguments, in: dir)
    XCTAssertEqual(r.status, 0, r.err)
    return r.out
  }

  func load(_ file: String, columns: [String]? = nil) throws -> LoadResult {
    var o = LoadOptions()
    o.columns = columns
    return try loadFile(path: path(file), options: o, given: columns == nil ? [] : ["columns"])
  }

  /// Compares `table` with `expected` (column name → cells, each null or `[tag, value]` with
  /// tag i, f, b, d or t), cell by cell.
  func assertCells(_ table: Table, _ expected: [String: [Any]], columns names: [String], _ what: String,
    file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(table.columnNames, names, what, file: file, line: line)
    for name in names {
      guard let column = table.column(name), let cells = expected[name] else {
        XCTFail("\(what): no column \(name)", file: file, line: line)
        continue
      }
      XCTAssertEqual(column.count, cells.count, "\(what).\(name): row count", file: file, line: line)
      var failures = 0
      for (i, cell) in cells.enumerated() where i < column.count && failures < 3 {
        let got = column.value(at: i)
        let ok: Bool
        if let pair = cell as? [Any], pair.count == 2, let tag = pair[0] as? String {
          switch (tag, got) {
          case ("i", .int(let v)): ok = (pair[1] as? NSNumber)?.int64Value == v
          case ("f", .float(let v)):
            let e = (pair[1] as? NSNumber)?.doubleValue ?? .nan
            ok = e == v || abs(e - v) <= 1e-12 * max(abs(e), abs(v))
          case ("b", .bool(let v)): ok = (pair[1] as? Bool) == v
          case ("d", .date): ok = (pair[1] as? String) == got.description
          case ("t", .text(let v)): ok = (pair[1] as? String) == v
          default: ok = false
          }
        } else {
          ok = got.isNull
        }
        if !ok {
          failures += 1
          XCTFail("\(what).\(name)[\(i)]: expected \(cell), got \(got)", file: file, line: line)
        }
      }
    }
  }

  /// Normalises values read by Python tools into `[tag, value]` cells (shared by the scripts).
  static let pythonNormalise = """
    import datetime, decimal, json, math
    def norm(v):
        if v is None: return None
        if isinstance(v, bool): return ["b", v]
        if isinstance(v, int): return ["i", v]
        if isinstance(v, float): return None if math.isnan(v) else ["f", v]
        if isinstance(v, decimal.Decimal): return ["f", float(v)]
        if isinstance(v, datetime.datetime): return ["d", v.date().isoformat()]
        if isinstance(v, datetime.date): return ["d", v.isoformat()]
        if isinstance(v, bytes): return ["t", v.decode("utf-8", "replace")]
        if isinstance(v, str): return ["t", v]
        raise TypeError(type(v))
    def columns(d):
        return {k: [norm(x) for x in vs] for k, vs in d.items()}

    """

  /// The corpus: for each file, its columns as pyarrow reads them.
  static let corpusScript = pythonNormalise + """
    import os, random, sys
    import pyarrow as pa, pyarrow.parquet as pq
    out = sys.argv[1]
    manifest = []
    def table(n, nulls, seed=7):
        rnd = random.Random(seed)
        def col(gen):
            return [None if nulls and rnd.random() < 0.15 else gen(i) for i in range(n)]
        return pa.table({
          "i64": pa.array(col(lambda i: rnd.randint(-2**62, 2**62)), pa.int64()),
          "i64s": pa.array(col(lambda i: i * 3 - 1000), pa.int64()),
          "i32": pa.array(col(lambda i: rnd.randint(-2**31, 2**31 - 1)), pa.int32()),
          "i16": pa.array(col(lambda i: rnd.randint(-300, 300)), pa.int16()),
          "u32": pa.array(col(lambda i: rnd.randint(0, 2**32 - 1)), pa.uint32()),
          "f64": pa.array(col(lambda i: rnd.uniform(-1e6, 1e6)), pa.float64()),
          "f32": pa.array(col(lambda i: rnd.uniform(-10, 10)), pa.float32()),
          "b": pa.array(col(lambda i: rnd.random() < 0.3), pa.bool_()),
          "s": pa.array(col(lambda i: rnd.choice(["Paris", "Lyon", "Saint-Étienne", "", "Aÿ-Champagne"])), pa.string()),
          "code": pa.array(col(lambda i: f"{rnd.randint(0, 99999):05d}-{i}"), pa.string()),
          "d": pa.array(col(lambda i: datetime.date(1900, 1, 1) + datetime.timedelta(days=rnd.randint(0, 60000))), pa.date32()),
          "ts": pa.array(col(lambda i: datetime.datetime(1960, 1, 1) + datetime.timedelta(seconds=rnd.randint(0, 3 * 10**9))), pa.timestamp("us")),
          "dec": pa.array(col(lambda i: decimal.Decimal(rnd.randint(-10**6, 10**6)) / 100), pa.decimal128(12, 2)),
        })
    def write(name, t, **kw):
        f = os.path.join(out, name)
        pq.write_table(t, f, **kw)
        manifest.append({"file": name, "columns": t.column_names, "cells": columns(pq.read_table(f).to_pydict())})
    delta = {"i64": "DELTA_BINARY_PACKED", "i64s": "DELTA_BINARY_PACKED", "i32": "DELTA_BINARY_PACKED",
             "i16": "DELTA_BINARY_PACKED", "u32": "DELTA_BINARY_PACKED", "d": "DELTA_BINARY_PACKED",
             "ts": "DELTA_BINARY_PACKED", "s": "DELTA_LENGTH_BYTE_ARRAY", "code": "DELTA_BYTE_ARRAY",
             "f64": "BYTE_STREAM_SPLIT", "f32": "BYTE_STREAM_SPLIT", "b": "RLE"}
    split = {"i64": "BYTE_STREAM_SPLIT", "i32": "BYTE_STREAM_SPLIT", "dec": "BYTE_STREAM_SPLIT", "f64": "BYTE_STREAM_SPLIT"}
    encodings = {"dict": {}, "plain": {"use_dictionary": False},
                 "delta": {"use_dictionary": False, "column_encoding": delta},
                 "split": {"use_dictionary": False, "column_encoding": split},
                 "fallback": {"dictionary_pagesize_limit": 512}}
    for nulls in (False, True):
        t = table(1000, nulls)
        for enc, kw in encodings.items():
            for comp in ("none", "snappy", "gzip", "zstd", "lz4"):
                for version in ("1.0", "2.0"):
                    name = f"{enc}-{comp}-v{version[0]}-{'nulls' if nulls else 'full'}.parquet"
                    try:
                        write(name, t, compression=comp, data_page_version=version, row_group_size=400,
                              data_page_size=2048, **kw)
                    except Exception as e:
                        print(f"skipped {name}: {e}", file=sys.stderr)
    t = table(300, True)
    write("empty.parquet", t.slice(0, 0))
    write("one-row.parquet", t.slice(0, 1))
    write("many-groups.parquet", t, row_group_size=7, compression="zstd")
    write("int96.parquet", pa.table({"ts": t["ts"]}), use_deprecated_int96_timestamps=True)
    write("required.parquet", pa.table({"x": pa.array([1, 2, 3], pa.int64())},
          schema=pa.schema([pa.field("x", pa.int64(), nullable=False)])))
    try:
        import duckdb
        f = os.path.join(out, "duckdb.parquet")
        duckdb.sql(f\"\"\"COPY (SELECT range AS i, CASE WHEN range % 11 = 0 THEN NULL ELSE 'c' || (range % 7) END AS s,
            range * 0.5 AS f, DATE '2020-01-01' + range::INT AS d, range % 2 = 0 AS b, (range % 200 - 100)::TINYINT AS t8,
            (range / 7)::DECIMAL(10, 3) AS dec FROM range(5000)) TO '{f}' (FORMAT parquet)\"\"\")
        manifest.append({"file": "duckdb.parquet", "columns": ["i", "s", "f", "d", "b", "t8", "dec"],
                         "cells": columns(pq.read_table(f).to_pydict())})
    except ImportError:
        print("skipped duckdb", file=sys.stderr)
    try:
        import polars as pl
        f = os.path.join(out, "polars.parquet")
        df = pl.DataFrame({"i": list(range(3000)), "s": [None if i % 13 == 0 else f"v{i % 40}" for i in range(3000)],
                           "f": [i / 3 for i in range(3000)], "d": [datetime.date(2024, 1, 1) + datetime.timedelta(days=i % 400) for i in range(3000)]})
        df.write_parquet(f, row_group_size=1000)
        manifest.append({"file": "polars.parquet", "columns": df.columns, "cells": columns(pq.read_table(f).to_pydict())})
    except ImportError:
        print("skipped polars", file=sys.stderr)
    print(json.dumps(manifest))
    """

  func testCorpusWrittenByPyArrowDuckDBAndPolars() throws {
    let out = try runPython(Self.corpusScript, modules: ["pyarrow", "duckdb", "polars"], [dir.path])
    assertManifest(out, atLeast: 107)
  }

  /// Loads every file of a manifest printed by a script (a JSON list of `file`, `columns`,
  /// `cells`) and compares it cell by cell; there must be at least `atLeast` files.
  func assertManifest(_ out: String, atLeast: Int, file: StaticString = #filePath, line: UInt = #line) {
    guard let manifest = (try? JSONSerialization.jsonObject(with: Data(out.utf8))) as? [[String: Any]] else {
      return XCTFail("no manifest", file: file, line: line)
    }
    XCTAssertGreaterThanOrEqual(manifest.count, atLeast, file: file, line: line)
    for entry in manifest {
      guard let name = entry["file"] as? String, let names = entry["columns"] as? [String],
        let cells = entry["cells"] as? [String: [Any]]
      else { continue }
      do {
        let r = try load(name)
        assertCells(r.table, cells, columns: names, name, file: file, line: line)
      } catch {
        XCTFail("\(name): \(error)", file: file, line: line)
      }
    }
  }

  /// Pages of 8-byte PLAIN values go straight into the column (their definition levels lent
  /// the end of the rows before them): pages without nulls, pages with one null (which turn
  /// out not to fit and are decoded from a copy), a required column, several pages per chunk
  /// and several row groups; text with and without a dictionary, whose row groups' values
  /// are merged in turn. Values equal to pyarrow's, cell by cell.
  func testPagesDecompressedInPlaceKeepTheirValues() throws {
    let script = Self.pythonNormalise + """
      import os, sys
      import pyarrow as pa, pyarrow.parquet as pq
      out = sys.argv[1]
      n = 5000
      t = pa.table({
        "i": pa.array([None if i % 997 == 3 else i * 7919 - 10**6 for i in range(n)], pa.int64()),
        "f": pa.array([None if i % 1499 == 5 else i / 7 for i in range(n)], pa.float64()),
        "r": pa.array([i * 3 for i in range(n)], pa.int64()),
        "s": pa.array([None if i % 1201 == 9 else f"v{(i * 31) % 50}" for i in range(n)], pa.string()),
      }, schema=pa.schema([pa.field("i", pa.int64()), pa.field("f", pa.float64()),
                           pa.field("r", pa.int64(), nullable=False), pa.field("s", pa.string())]))
      manifest = []
      for name, kw in (("plain", {"use_dictionary": False}), ("dict", {"use_dictionary": ["s"]})):
          f = os.path.join(out, name + ".parquet")
          pq.write_table(t, f, compression="zstd", data_page_size=1024, write_batch_size=100, row_group_size=1800, **kw)
          manifest.append({"file": name + ".parquet", "columns": t.column_names,
                           "cells": columns(pq.read_table(f).to_pydict())})
      print(json.dumps(manifest))
      """
    let out = try runPython(script, modules: ["pyarrow"], [dir.path])
    assertManifest(out, atLeast: 2)
  }

  /// Terrain's files, read by pyarrow, DuckDB and Polars.
  static let readBackScript = pythonNormalise + """
    import sys
    import pyarrow.parquet as pq, duckdb, polars as pl
    result = {}
    for f in sys.argv[1:]:
        a = pq.read_table(f).to_pydict()
        rel = duckdb.sql(f"SELECT * FROM '{f}'")
        names = rel.columns
        rows = rel.fetchall()
        d = {n: [r[i] for r in rows] for i, n in enumerate(names)}
        p = pl.read_parquet(f).to_dict(as_series=False)
        result[f] = {"pyarrow": columns(a), "duckdb": columns(d), "polars": columns(p)}
    print(json.dumps(result))
    """

  func testOurFilesReadByPyArrowDuckDBAndPolars() throws {
    let s = Session.shell()
    let t = try Table(columns: [
      ("n", .int([1, nil, -3, Int64.max, Int64.min, 0])),
      ("x", .float([1.5, nil, -0.0, 1e300, -2.25, 3])),
      ("ok", .bool([true, false, nil, true, true, false])),
      ("nom", .text(["Lyon", "Saint-Étienne", nil, "Lyon", "", "Aÿ"])),
      ("jour", .date([CalendarDate.unchecked(year: 2024, month: 2, day: 29), nil, 0, -1, 10_000, 20_000])),
    ])
    s.register(t, as: "t")
    let empty = try Table(columns: [("n", .int([])), ("s", .text([]))])
    s.register(empty, as: "e")
    XCTAssertTrue(s.run("from t | export \"\(path("ours.parquet"))\"\nfrom e | export \"\(path("empty.parquet"))\""))
    let out = try runPython(Self.readBackScript, modules: ["pyarrow", "duckdb", "polars"], [path("ours.parquet"), path("empty.parquet")])
    guard let result = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: [String: [String: [Any]]]] else {
      return XCTFail("no result")
    }
    for (f, table) in [(path("ours.parquet"), t), (path("empty.parquet"), empty)] {
      for tool in ["pyarrow", "duckdb", "polars"] {
        guard let cells = result[f]?[tool] else { XCTFail("\(tool) read nothing"); continue }
        assertCells(table, cells, columns: table.columnNames, "\(tool) reading \(f)")
      }
      // And terrain reads its own file back.
      let back = try loadFile(path: f, options: LoadOptions()).table
      XCTAssertEqual(back.columnTypes, table.columnTypes)
      for c in 0..<table.columnCount {
        XCTAssertEqual(back.columns[c].boxedValues, table.columns[c].boxedValues, table.columnNames[c])
      }
    }
  }

  func testStatisticsAndRowGroupsOfOurFiles() throws {
    let n = 2_500_000
    let t = try Table(columns: [
      ("i", .int((0..<n).map { Int64($0) })),
      ("s", .text((0..<n).map { $0 % 1000 == 0 ? nil : "v\($0 % 37)" })),
    ])
    _ = try exportTable(t, to: path("big.parquet"), options: ExportOptions())
    let out = try runPython("""
      import pyarrow.parquet as pq, sys, json
      m = pq.ParquetFile(sys.argv[1]).metadata
      g = [m.row_group(i) for i in range(m.num_row_groups)]
      print(json.dumps([[r.num_rows, r.column(0).statistics.min, r.column(0).statistics.max,
                         r.column(1).statistics.null_count, r.column(1).statistics.min, r.column(1).statistics.max,
                         r.column(0).compression] for r in g]))
      """, modules: ["pyarrow"], [path("big.parquet")])
    let groups = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[Any]])
    XCTAssertEqual(groups.count, 3)
    XCTAssertEqual(groups.map { ($0[0] as? Int) ?? 0 }, [1 << 20, 1 << 20, n - 2 << 20])
    XCTAssertEqual(groups[1][1] as? Int, 1 << 20)
    XCTAssertEqual(groups[1][2] as? Int, (2 << 20) - 1)
    XCTAssertEqual(groups[0][3] as? Int, (1 << 20) / 1000 + 1)
    XCTAssertEqual(groups[0][4] as? String, "v0")
    XCTAssertEqual(groups[0][5] as? String, "v9")
    XCTAssertEqual(groups[0][6] as? String, "ZSTD")
    let back = try loadFile(path: path("big.parquet"), options: LoadOptions()).table
    XCTAssertEqual(back.rowCount, n)
    XCTAssertEqual(back.columns[1].boxedValues, t.columns[1].boxedValues)
    XCTAssertEqual(back.columns[0].int(at: n - 1), Int64(n - 1))
  }

  func testRealDataRoundTrips() throws {
    let s = Session.shell()
    let source = TestSupport.repositoryRoot.appendingPathComponent("datasets/communes.csv.gz").path
    XCTAssertTrue(s.run("load \"\(source)\" as c\nfrom c | export \"\(path("communes.parquet"))\"\nload \"\(path("communes.parquet"))\" as p"))
    let a = try XCTUnwrap(try s.table(named: "c"))
    let b = try XCTUnwrap(try s.table(named: "p"))
    XCTAssertEqual(a.columnNames, b.columnNames)
    XCTAssertEqual(a.columnTypes, b.columnTypes)
    XCTAssertGreaterThan(a.rowCount, 30_000)
    for c in 0..<a.columnCount {
      XCTAssertEqual(a.columns[c].boxedValues, b.columns[c].boxedValues, a.columnNames[c])
    }
    let out = try runPython("""
      import pyarrow.parquet as pq, sys
      t = pq.read_table(sys.argv[1])
      print(t.num_rows, t.num_columns, t.column("nom")[0], t.schema.field("population").type)
      """, modules: ["pyarrow"], [path("communes.parquet")])
    XCTAssertEqual(out.trimmingCharacters(in: .whitespacesAndNewlines), "\(a.rowCount) \(a.columnCount) \(a.columns[1].text(at: 0) ?? "") int64")
  }

  func testNestedColumnsAndTheColumnsOption() throws {
    _ = try runPython("""
      import pyarrow as pa, pyarrow.parquet as pq, sys
      pq.write_table(pa.table({"a": [1, 2], "l": [[1, 2], []], "st": [{"x": 1}, {"x": 2}], "s": ["u", "v"]}), sys.argv[1])
      """, modules: ["pyarrow"], [path("nested.parquet")])
    XCTAssertThrowsError(try load("nested.parquet")) { e in
      XCTAssertTrue("\(e)".contains("column `l` is nested"), "\(e)")
    }
    let r = try load("nested.parquet", columns: ["s", "a"])
    XCTAssertEqual(r.table.columnNames, ["s", "a"])
    XCTAssertEqual(r.table.columns[1].boxedValues, [.int(1), .int(2)])
    XCTAssertEqual(r.table.columns[0].boxedValues, [.text("u"), .text("v")])
    XCTAssertThrowsError(try load("nested.parquet", columns: ["zz"])) { e in
      XCTAssertTrue("\(e)".contains("no column named \"zz\" (columns: a, l, st, s)"), "\(e)")
    }
    // Through the language, and an option parquet does not read.
    let s = Session.shell()
    var messages = ""
    s.notify = { messages += $0 }
    XCTAssertTrue(s.run("load \"\(path("nested.parquet"))\" as n with (columns = (\"a\"))"))
    XCTAssertEqual(try s.table(named: "n")?.columnNames, ["a"])
    XCTAssertFalse(s.run("load \"\(path("nested.parquet"))\" as m with (sep = \";\")"))
    XCTAssertTrue(messages.contains("option `sep` does not apply to parquet files"), messages)
  }

  func testColumnsOptionForDelimitedText() throws {
    try "code,nom,pop\n01001,A,10\n01002,B,20\n".write(toFile: path("c.csv"), atomically: true, encoding: .utf8)
    let r = try load("c.csv", columns: ["pop", "code"])
    XCTAssertEqual(r.table.columnNames, ["pop", "code"])
    XCTAssertEqual(r.table.columns[1].boxedValues, [.text("01001"), .text("01002")])
    XCTAssertThrowsError(try load("c.csv", columns: ["x"])) { e in
      XCTAssertTrue("\(e)".contains("no column named \"x\" (columns: code, nom, pop)"), "\(e)")
    }
  }

  // MARK: corrupt and hostile files

  /// A small valid file written by terrain: column `n` (int) and `s` (text, dictionary).
  func validFile() throws -> [UInt8] {
    let t = try Table(columns: [("n", .int((0..<100).map { Int64($0) })), ("s", .text((0..<100).map { "v\($0 % 5)" }))])
    _ = try exportTable(t, to: path("valid.parquet"), options: ExportOptions())
    return Array(try Data(contentsOf: dir.appendingPathComponent("valid.parquet")))
  }

  /// Loads `bytes` as a Parquet file through a session, then reads every column: the load
  /// (a bad footer) or the statement (a bad column chunk: `load` reads the footer only) must
  /// fail with a message containing every one of `parts`, and the session must still hold its
  /// table and run; the bad file's table, if the load registered it, cannot be read.
  func assertRefused(_ bytes: [UInt8], _ parts: [String], file: StaticString = #filePath, line: UInt = #line) throws {
    let f = path("bad-\(UUID().uuidString).parquet")
    try Data(bytes).write(to: URL(fileURLWithPath: f))
    let s = Session.shell()
    var messages = ""
    s.notify = { messages += $0 }
    s.register(try Table(columns: [("k", .int([7]))]), as: "keep")
    XCTAssertFalse(s.run("load \"\(f)\" as bad\nfrom bad"), file: file, line: line)
    for p in parts { XCTAssertTrue(messages.contains(p), "\(messages) lacks \(p)", file: file, line: line) }
    XCTAssertEqual(try s.query("from keep").columns[0].int(at: 0), 7, file: file, line: line)
    if s.tableNames.contains("bad") { XCTAssertThrowsError(try s.table(named: "bad"), file: file, line: line) }
  }

  /// Offsets of the header fields of the first page of column `column`, row group 0:
  /// field id → offset of its value; nested headers' fields as 100 × outer + inner.
  func pageHeaderFields(_ bytes: [UInt8], column: Int) throws -> (start: Int, fields: [Int: Int]) {
    try bytes.withUnsafeBufferPointer { b in
      let base = try XCTUnwrap(b.baseAddress)
      let footerLength = Int(bytes[bytes.count - 8]) | Int(bytes[bytes.count - 7]) << 8 | Int(bytes[bytes.count - 6]) << 16
      let meta = try ParquetFileMetadata.read(base, start: bytes.count - 8 - footerLength, end: bytes.count - 8)
      let chunk = meta.rowGroups[0].columns[column]
      let start = Int(chunk.dictionaryPageOffset ?? chunk.dataPageOffset)
      var r = ThriftReader(base: base, start: start, end: bytes.count)
      var fields: [Int: Int] = [:]
      try r.readStruct { r, id, t in
        fields[Int(id)] = r.position
        if t == .structure {
          try r.readStruct { r, inner, t in
            fields[Int(id) * 100 + Int(inner)] = r.position
            try r.skip(t)
          }
        } else {
          try r.skip(t)
        }
      }
      return (start, fields)
    }
  }

  func testCorruptFilesAreErrorsNamingThePart() throws {
    let valid = try validFile()
    // Wrong magic, at either end.
    var bad = valid
    bad[0] = UInt8(ascii: "X")
    try assertRefused(bad, ["is not a Parquet file"])
    try assertRefused(Array(valid.dropLast(3)), ["is not a Parquet file"])
    // A footer longer than the file.
    bad = valid
    bad[bad.count - 6] = 0x7F
    try assertRefused(bad, ["truncated Parquet file"])
    // The footer cut short (its length says less than it holds).
    bad = Array(valid[0..<8]) + Array(valid.suffix(40))
    bad[bad.count - 8] = 32
    bad[bad.count - 7] = 0
    try assertRefused(bad, ["malformed Parquet footer"])
    // A page that decompresses to another size than its header says: the header's
    // uncompressed size (field 2, a one- or two-byte varint) changed by one.
    var (_, fields) = try pageHeaderFields(valid, column: 0)
    bad = valid
    bad[try XCTUnwrap(fields[2])] ^= 0x02
    try assertRefused(bad, ["column `n`, row group 0", "decompress"])
    // A dictionary smaller than its indices: the dictionary page says it holds 1 value.
    (_, fields) = try pageHeaderFields(valid, column: 1)
    bad = valid
    let count = try XCTUnwrap(fields[701])
    XCTAssertEqual(bad[count], 10)  // zigzag(5)
    bad[count] = 2  // zigzag(1)
    try assertRefused(bad, ["column `s`, row group 0", "dictionary index 4 out of range (the dictionary has 1 values)"])
  }

  /// A file of `pages` (bytes after the magic) and a footer built with `footer`.
  func handMade(pages: [UInt8] = [], footer: (inout ThriftWriter) -> Void) -> [UInt8] {
    var w = ThriftWriter()
    footer(&w)
    let n = w.bytes.count
    return Array("PAR1".utf8) + pages + w.bytes + [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), 0, 0] + Array("PAR1".utf8)
  }

  /// A footer: one optional INT64 column `x`, one row group of `rows` rows whose chunk
  /// starts at `offset` and is `size` bytes.
  func footer(rows: Int64, offset: Int64, size: Int64, fileRows: Int64? = nil) -> (inout ThriftWriter) -> Void {
    { w in
      w.beginStruct()
      w.int(1, 1)
      w.listField(2, .structure, count: 2)
      w.beginStruct()
      w.string(4, "schema")
      w.int(5, 1)
      w.endStruct()
      w.beginStruct()
      w.int(1, 2)
      w.int(3, 1)
      w.string(4, "x")
      w.endStruct()
      w.int(3, fileRows ?? rows, .i64)
      w.listField(4, .structure, count: 1)
      w.beginStruct()
      w.listField(1, .structure, count: 1)
      w.beginStruct()
      w.int(2, offset, .i64)
      w.beginStruct(3)
      w.int(1, 2)
      w.int(4, 0)
      w.int(5, rows, .i64)
      w.int(7, size, .i64)
      w.int(9, offset, .i64)
      w.endStruct()
      w.endStruct()
      w.int(3, rows, .i64)
      w.endStruct()
      w.endStruct()
    }
  }

  func testAbsurdSizesAreRefusedBeforeAnyAllocation() throws {
    // A trillion rows in a tiny file: refused by the memory check, nothing allocated.
    try assertRefused(handMade(footer: footer(rows: 1 << 40, offset: 4, size: 0)), ["holds 1099511627776 rows"])
    // Row groups that do not add up to the footer's count.
    try assertRefused(handMade(footer: footer(rows: 10, offset: 4, size: 0, fileRows: 11)), ["10 rows in all, the footer says 11"])
    // A chunk beyond the end of the file.
    try assertRefused(handMade(footer: footer(rows: 10, offset: 1 << 40, size: 100)), ["column `x`, row group 0", "outside the file"])
    // A page claiming more bytes than its chunk, and one claiming to unpack to 2 GB.
    var page = ThriftWriter()
    page.beginStruct()
    page.int(1, 0)
    page.int(2, 80)
    page.int(3, 1_000_000)
    page.endStruct()
    try assertRefused(
      handMade(pages: page.bytes + [UInt8](repeating: 0, count: 80), footer: footer(rows: 10, offset: 4, size: Int64(page.bytes.count) + 80)),
      ["column `x`, row group 0", "a page claims 1000000 bytes"])
    // A page with fewer values than the row group's rows.
    page = ThriftWriter()
    page.beginStruct()
    page.int(1, 0)
    page.int(2, 4 + 2 + 8)
    page.int(3, 4 + 2 + 8)
    page.beginStruct(5)
    page.int(1, 1)
    page.int(2, 0)
    page.int(3, 3)
    page.int(4, 3)
    page.endStruct()
    page.endStruct()
    let body: [UInt8] = [2, 0, 0, 0, 2, 1] + [UInt8](repeating: 0, count: 8)
    try assertRefused(
      handMade(pages: page.bytes + body, footer: footer(rows: 10, offset: 4, size: Int64(page.bytes.count + body.count))),
      ["column `x`, row group 0", "its pages hold 1 values, the row group has 10 rows"])
    // That same page is a valid one-row file.
    let f = path("one.parquet")
    try Data(handMade(pages: page.bytes + body, footer: footer(rows: 1, offset: 4, size: Int64(page.bytes.count + body.count))))
      .write(to: URL(fileURLWithPath: f))
    XCTAssertEqual(try loadFile(path: f, options: LoadOptions()).table.columns[0].boxedValues, [.int(0)])
  }

  func testARunValueWiderThanItsBitWidthIsAnError() throws {
    // A dictionary page of two INT64 values (11, 22), then a data page of 10 rows: levels one
    // run of ones, indices of 1 bit one run of value `run` (one byte).
    func file(run: UInt8) -> [UInt8] {
      var dictionary = ThriftWriter()
      dictionary.beginStruct()
      dictionary.int(1, 2)
      dictionary.int(2, 16)
      dictionary.int(3, 16)
      dictionary.beginStruct(7)
      dictionary.int(1, 2)
      dictionary.int(2, 0)
      dictionary.endStruct()
      dictionary.endStruct()
      let values: [UInt8] = [11, 0, 0, 0, 0, 0, 0, 0, 22, 0, 0, 0, 0, 0, 0, 0]
      let body: [UInt8] = [2, 0, 0, 0, 20, 1] + [1, 20, run]
      var data = ThriftWriter()
      data.beginStruct()
      data.int(1, 0)
      data.int(2, Int64(body.count))
      data.int(3, Int64(body.count))
      data.beginStruct(5)
      data.int(1, 10)
      data.int(2, 8)
      data.int(3, 3)
      data.int(4, 3)
      data.endStruct()
      data.endStruct()
      let pages = dictionary.bytes + values + data.bytes + body
      return handMade(pages: pages, footer: footer(rows: 10, offset: 4, size: Int64(pages.count)))
    }
    let f = path("runs.parquet")
    try Data(file(run: 1)).write(to: URL(fileURLWithPath: f))
    XCTAssertEqual(try loadFile(path: f, options: LoadOptions()).table.columns[0].boxedValues, Array(repeating: .int(22), count: 10))
    // Index 3 of 1 bit: an error, not a read past the dictionary (which has 2 = 2^1 values, so
    // its indices are not checked one by one).
    try assertRefused(file(run: 3), ["column `x`, row group 0", "a run's value out of range: 3"])
  }

  func testDeepThriftNestingIsBounded() throws {
    // A footer of structs nested 10,000 deep.
    var bytes = Array("PAR1".utf8)
    let footer = [UInt8](repeating: 0x1C, count: 10_000) + [UInt8](repeating: 0, count: 10_000)
    let n = footer.count
    bytes += footer + [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), 0, 0] + Array("PAR1".utf8)
    try assertRefused(bytes, ["deeper than 32 levels"])
  }
}
