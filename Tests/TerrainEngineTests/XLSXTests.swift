// Excel workbooks both ways: workbooks written by openpyxl, xlsxwriter and by hand (sparse
// cells, rich text, inline strings, both date systems, error cells) read by ours and compared
// cell by cell with what openpyxl reads; ours read back by openpyxl and python-calamine
// (values, types, number formats, bold frozen header, widths); the bundled data round-tripped;
// every kind of bad file refused with its message, the session intact.

import Foundation
import XCTest

import TerrainEngine
import TerrainIO
import TerrainStorage
import TerrainSyntax

final class XLSXTests: XCTestCase {
  var dir: URL = FileManager.default.temporaryDirectory

  override func setUpWithError() throws {
    dir = try TestSupport.temporaryFolder("terrain-xlsx", for: self)
  }

  func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

  /// Runs a Python script in the test folder; fails the test on a non-zero exit.
  @discardableResult
  func python(_ modules: [String], _ script: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
    let py = try TestSupport.python(modules: modules)
    let r = try TestSupport.runProcess(py, ["-c", script], in: dir)
    XCTAssertEqual(r.status, 0, r.err, file: file, line: line)
    return r.out
  }

  /// A session working in the test folder, with what it prints.
  func session() -> (Session, () -> String) {
    let s = Session.shell()
    s.workingDirectory = dir.path
    final class Box: @unchecked Sendable { var text = "" }
    let box = Box()
    s.write = { box.text += $0 }
    s.notify = { box.text += $0 }
    return (s, { box.text })
  }

  /// The cells of `table` as the Python side prints them (`type:value`, numbers as `num:` and
  /// `%.17g`), header first.
  func cells(_ t: Table) -> [[String]] {
    var rows: [[String]] = [t.columnNames.map { "text:" + $0 }]
    for i in 0..<t.rowCount {
      rows.append(t.columns.map { c in
        switch c.value(at: i) {
        case .null: return "null"
        case .int(let v): return "num:" + String(format: "%.17g", Double(v))
        case .float(let v): return "num:" + String(format: "%.17g", v)
        case .text(let s): return "text:" + s
        case .bool(let b): return "bool:\(b)"
        case .date(let d): return "date:" + CalendarDate.iso(d)
        }
      })
    }
    return rows
  }

  /// Python that prints the non-empty rows of sheet `sheet` of `file` as openpyxl reads them,
  /// from row `skip + 1`, in the `cells` form (one JSON array of rows of strings).
  func openpyxlCells(_ file: String, sheet: String? = nil, skip: Int = 0) -> String {
    """
    import json, datetime, openpyxl
    wb = openpyxl.load_workbook(\(pyString(file)), data_only=True)
    ws = wb[\(sheet.map(pyString) ?? "wb.sheetnames[0]")]
    rows = [r for r in ws.iter_rows(min_row=\(skip + 1), values_only=True) if any(v is not None and v != "" for v in r)]
    used = [k for k in range(max(len(r) for r in rows)) if any(k < len(r) and r[k] is not None for r in rows)]
    def cell(v):
        if v is None or (isinstance(v, str) and v.startswith("#")): return "null"
        if isinstance(v, bool): return "bool:" + ("true" if v else "false")
        if isinstance(v, datetime.datetime): return "date:" + v.date().isoformat()
        if isinstance(v, datetime.date): return "date:" + v.isoformat()
        if isinstance(v, (int, float)): return "num:%.17g" % v
        return "text:" + v
    out = [[cell(r[k] if k < len(r) else None) for k in used] for r in rows]
    print(json.dumps(out))
    """
  }

  func pyString(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "\\'") + "'" }

  func decode(_ json: String) throws -> [[String]] {
    try JSONDecoder().decode([[String]].self, from: Data(json.utf8))
  }

  // MARK: reading others' workbooks

  func testOpenpyxlWorkbookCellByCell() throws {
    try python(
      ["openpyxl"],
      """
      import datetime, openpyxl
      wb = openpyxl.Workbook()
      ws = wb.active
      ws.title = "Données"
      ws.append(["Population légale 2021 — titre fusionné"])
      ws.merge_cells("A1:F1")
      ws.append([])
      ws.append(["code", "nom", None, "population", "part", "fibre", "maj", "note"])
      ws.append(["01001", "L'Abergement-Clémenciat & <Ain> \\"quoted\\"", None, 767, 0.25, True, datetime.date(2024, 1, 15), "#N/A"])
      ws.append(["2A004", "Ajaccio\\u00a0é ü — ñ", None, 71361, 1.5, False, datetime.date(1900, 2, 28), "ok"])
      ws.append([])
      ws.append(["97101", "Les Abymes", None, None, -3.125, None, datetime.date(1950, 5, 1), None])
      ws.append(["97102", "  espacé  ", None, 1e15, 2.0, True, datetime.datetime(2021, 6, 30, 0, 0), "#DIV/0!"])
      wb.save("openpyxl.xlsx")
      """)
    let expected = try decode(try python(["openpyxl"], openpyxlCells("openpyxl.xlsx", skip: 2)))
    var o = LoadOptions()
    o.skip = 2
    let r = try loadFile(path: path("openpyxl.xlsx"), options: o)
    XCTAssertEqual(cells(r.table), expected)
    XCTAssertEqual(r.table.columnNames, ["code", "nom", "population", "part", "fibre", "maj", "note"])
    XCTAssertEqual(r.table.columnTypes, [.text, .text, .int, .float, .bool, .date, .text])
    XCTAssertEqual(r.table.rowCount, 4)
    // Without `skip`, the merged title is the header and the real header a row of text.
    let plain = try loadFile(path: path("openpyxl.xlsx"), options: LoadOptions())
    XCTAssertEqual(plain.table.columnNames.first, "Population légale 2021 — titre fusionné")
    XCTAssertEqual(plain.table.rowCount, 5)
    XCTAssertTrue(
      plain.notices.contains { $0.hasPrefix("4 columns mix types, read as text: `column3` (numbers and texts), ") },
      "\(plain.notices)")
  }

  func testXlsxwriterWorkbooksBothDateSystemsAndInlineStrings() throws {
    for (name, options) in [("x1900.xlsx", "{}"), ("x1904.xlsx", "{'date_1904': True}"), ("xinline.xlsx", "{'constant_memory': True}")] {
      try python(
        ["xlsxwriter"],
        """
        import datetime, xlsxwriter
        wb = xlsxwriter.Workbook(\(pyString(name)), \(options))
        ws = wb.add_worksheet("Feuil1")
        fr = wb.add_format({"num_format": "dd/mm/yyyy"})
        iso = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        dur = wb.add_format({"num_format": "[h]:mm"})
        money = wb.add_format({"num_format": '# ##0,00 "€"'})
        ws.write_row(0, 0, ["id", "libellé", "date", "horodatage", "durée", "montant", "vrai", "formule"])
        for i in range(1, 6):
            ws.write_number(i, 0, i)
            ws.write_string(i, 1, "ligne %d — é&<>" % i)
            ws.write_datetime(i, 2, datetime.date(1960 + i * 10, i, i * 5), fr)
            ws.write_datetime(i, 3, datetime.datetime(2024, 2, 29, i, 30), iso)
            ws.write_number(i, 4, 1.5 * i, dur)
            ws.write_number(i, 5, 1234.5 * i, money)
            ws.write_boolean(i, 6, i % 2 == 0)
            ws.write_formula(i, 7, '="x"&A%d' % (i + 1), None, "x%d" % i)
        wb.close()
        """)
      let r = try loadFile(path: path(name), options: LoadOptions())
      let t = r.table
      XCTAssertEqual(t.columnNames, ["id", "libellé", "date", "horodatage", "durée", "montant", "vrai", "formule"], name)
      XCTAssertEqual(t.columnTypes, [.int, .text, .date, .date, .float, .float, .bool, .text], name)
      XCTAssertEqual(t.rowCount, 5)
      for i in 0..<5 {
        let k = Int64(i + 1)
        XCTAssertEqual(t.value(row: i, column: 0), .int(k))
        XCTAssertEqual(t.value(row: i, column: 1), .text("ligne \(k) — é&<>"))
        XCTAssertEqual(
          t.value(row: i, column: 2), .date(CalendarDate.unchecked(year: 1960 + k * 10, month: k, day: k * 5)), name)
        XCTAssertEqual(t.value(row: i, column: 3), .date(CalendarDate.unchecked(year: 2024, month: 2, day: 29)), name)
        XCTAssertEqual(t.value(row: i, column: 4), .float(1.5 * Double(k)))
        XCTAssertEqual(t.value(row: i, column: 5), .float(1234.5 * Double(k)))
        XCTAssertEqual(t.value(row: i, column: 6), .bool(i % 2 == 1))
        XCTAssertEqual(t.value(row: i, column: 7), .text("x\(k)"))
      }
      XCTAssertTrue(r.notices.contains { $0.contains("horodatage") && $0.contains("times of day") }, "\(r.notices)")
    }
  }

  /// A workbook written by hand: what Excel and other writers may produce beyond what
  /// openpyxl and xlsxwriter do.
  func writeHandmade(_ file: String, sheet: String, strings: String? = nil, workbookPr: String = "") throws {
    let sst = strings.map { "'xl/sharedStrings.xml': '''\($0)''',\n" } ?? ""
    try python(
      [],
      """
      import zipfile
      parts = {
        '[Content_Types].xml': '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        '_rels/.rels': '''<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="/xl/workbook.xml"/></Relationships>''',
        'xl/workbook.xml': '''<?xml version="1.0" encoding="UTF-8"?>
      <x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:rel="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\(workbookPr)<x:sheets><x:sheet name="Feuille &amp; co" sheetId="1" rel:id="rId7"/></x:sheets></x:workbook>''',
        'xl/_rels/workbook.xml.rels': '''<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="sheets/data.xml"/><Relationship Id="rId8" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>''',
        'xl/styles.xml': '''<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="2"><numFmt numFmtId="164" formatCode="&quot;le &quot;d\\\\ mmmm\\\\ yyyy"/><numFmt numFmtId="165" formatCode="0.00&quot; days&quot;"/></numFmts><cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs><cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="14"/></cellXfs></styleSheet>''',
        \(sst)'xl/sheets/data.xml': '''\(sheet)''',
      }
      with zipfile.ZipFile(\(pyString(file)), 'w', zipfile.ZIP_DEFLATED) as z:
          for name, text in parts.items():
              z.writestr(name, text.encode('utf-8'))
      """)
  }

  func testHandmadeSparseOutOfOrderRichTextAndEntities() throws {
    try writeHandmade(
      "hand.xlsx",
      sheet: """
        <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData>
        <row r="2"><c r="D2" t="s"><v>1</v></c><c r="B2" t="s"><v>0</v></c><c r="C2" t="inlineStr"><is><t>j&#xE9;our</t></is></c></row>
        <row r="3"><c r="B3" t="inlineStr"><is><r><t>ri</t></r><r><rPr><b/></rPr><t xml:space="preserve">ch </t></r><rPh><t>ignored</t></rPh></is></c><c r="D3" s="1"><v>45352</v></c><c r="C3" t="str"><f>A1</f><v>str&amp;&lt;</v></c></row>
        <row r="5"><c t="b"><v>1</v></c><c><v>2.5E+3</v></c><c t="e"><v>#REF!</v></c><c s="3"><v>60</v></c></row>
        <row><c r="B6" t="s"><v>2</v></c><c r="D6" t="d"><v>2023-07-14T00:00:00</v></c></row>
        <row r="8"><c r="B8" t="s"><v>3</v></c><c r="C8" s="2"><v>1.25</v></c><c r="D8" s="3"><v>61</v></c><c r="E8"/></row>
        </sheetData></worksheet>
        """,
      strings: """
        <sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" uniqueCount="4000000000"><si><t>nom</t></si><si><t>date</t></si><si><r><t>Rich</t></r><r><t>_x000D_text&#233;</t></r><rPh sb="0" eb="1"><t>フリ</t></rPh></si><si><t><![CDATA[a<b]]></t></si></sst>
        """)
    let r = try loadFile(path: path("hand.xlsx"), options: LoadOptions())
    let t = r.table
    // Column A holds a bool (row 5) but no header: named after its position.
    XCTAssertEqual(t.columnNames, ["column1", "nom", "jéour", "date"])
    XCTAssertEqual(t.columnTypes, [.bool, .text, .text, .date])
    XCTAssertEqual(t.rowCount, 4)
    XCTAssertEqual(t.row(0), [.null, .text("rich "), .text("str&<"), .date(CalendarDate.unchecked(year: 2024, month: 3, day: 1))])
    XCTAssertEqual(t.row(1), [.bool(true), .text("2500"), .null, .date(CalendarDate.unchecked(year: 1900, month: 3, day: 1))])
    XCTAssertEqual(t.row(2), [.null, .text("Rich\rtexté"), .null, .date(CalendarDate.unchecked(year: 2023, month: 7, day: 14))])
    XCTAssertEqual(t.row(3), [.null, .text("a<b"), .text("1.25"), .date(CalendarDate.unchecked(year: 1900, month: 3, day: 1))])
    XCTAssertEqual(
      r.notices,
      ["renamed column: empty name → column1",
       "2 columns mix types, read as text: `nom` (numbers and texts), `jéour` (numbers and texts)"])
    // The 1904 system: serial 0 is 1 January 1904.
    try writeHandmade(
      "h1904.xlsx", sheet: "<worksheet><sheetData><row><c t=\"inlineStr\"><is><t>d</t></is></c></row><row><c s=\"3\"><v>0</v></c></row><row><c s=\"3\"><v>366.75</v></c></row></sheetData></worksheet>",
      workbookPr: "<x:workbookPr date1904=\"true\"/>")
    let d = try loadFile(path: path("h1904.xlsx"), options: LoadOptions()).table
    XCTAssertEqual(d.columns[0].boxedValues, [.date(CalendarDate.unchecked(year: 1904, month: 1, day: 1)), .date(CalendarDate.unchecked(year: 1905, month: 1, day: 1))])
  }

  func testSheetsSkipHeaderTypesAndNulls() throws {
    try python(
      ["openpyxl"],
      """
      import openpyxl
      wb = openpyxl.Workbook()
      wb.active.title = "Résumé"
      wb.active.append(["rien"])
      ws = wb.create_sheet("Données")
      ws.append(["Titre"])
      ws.append(["code", "valeur", "flag"])
      ws.append([1001, "12", "oui"])
      ws.append([2004, "s", "non"])
      ws.append([3, "7", "oui"])
      wb.save("sheets.xlsx")
      """)
    let (s, printed) = session()
    XCTAssertTrue(s.run(#"load "sheets.xlsx" as d with (sheet = "données", skip = 1, types = (code: text, valeur: int), nulls = ("s", "non"))"#), printed())
    let t = try XCTUnwrap(try s.table(named: "d"))
    XCTAssertEqual(t.columnNames, ["code", "valeur", "flag"])
    XCTAssertEqual(t.columnTypes, [.text, .int, .text])
    XCTAssertEqual(t.columns[0].boxedValues, [.text("1001"), .text("2004"), .text("3")])
    XCTAssertEqual(t.columns[1].boxedValues, [.int(12), .null, .int(7)])
    XCTAssertEqual(t.columns[2].boxedValues, [.text("oui"), .null, .text("oui")])
    XCTAssertTrue(s.run(#"load "sheets.xlsx" as h with (sheet = "Données", header = false)"#), printed())
    let h = try XCTUnwrap(try s.table(named: "h"))
    XCTAssertEqual(h.columnNames, ["column1", "column2", "column3"])
    XCTAssertEqual(h.rowCount, 5)
    // A value that cannot take the forced type names its cell.
    XCTAssertFalse(s.run(#"load "sheets.xlsx" as bad with (sheet = "Données", skip = 1, types = (flag: bool))"#))
    XCTAssertTrue(printed().contains(#"value "oui" is not a bool"#) && printed().contains("cell C3"), printed())
    XCTAssertFalse(s.run(#"load "sheets.xlsx" as bad with (sheet = "Feuil9")"#))
    XCTAssertTrue(printed().contains(#"no sheet named "Feuil9" (sheets: "Résumé", "Données")"#), printed())
    XCTAssertFalse(s.run(#"load "sheets.xlsx" as bad with (sep = ";")"#))
    XCTAssertTrue(printed().contains("option `sep` does not apply to xlsx files"), printed())
    XCTAssertNil(try s.table(named: "bad"))
  }

  // MARK: ours, read by others

  func testOursReadByOpenpyxlAndCalamine() throws {
    let t = try Table(columns: [
      ("code", .text(["01001", "2A004", nil, "97101"])),
      ("nom", .text(["L'Abergement & <Ain>", " espace ", "tab\there\u{1}", "_x0041_ é ü"])),
      ("population", .int([767, 71_361, nil, -1_234_567])),
      ("part", .float([0.25, 1.5, 3, nil])),
      ("petit", .float([1e-7, 2.125, .nan, 123_456.789])),
      ("fibre", .bool([true, false, nil, true])),
      ("maj", .date([CalendarDate.days(year: 2024, month: 1, day: 15), CalendarDate.days(year: 1900, month: 2, day: 28), nil, CalendarDate.days(year: 1970, month: 1, day: 1)])),
    ])
    XCTAssertEqual(try exportTable(t, to: path("ours.xlsx"), options: ExportOptions()), 4)
    let out = try python(
      ["openpyxl", "python_calamine"],
      """
      import json, datetime, openpyxl, python_calamine
      wb = openpyxl.load_workbook("ours.xlsx")
      ws = wb.active
      def show(v):
          if isinstance(v, (datetime.date, datetime.datetime)): return "date:" + v.strftime("%Y-%m-%d")
          return repr(v)
      out = {
        "freeze": ws.freeze_panes,
        "bold": [c.font.b for c in ws[1]],
        "rows": [[show(c.value) for c in row] for row in ws.iter_rows()],
        "formats": [c.number_format for c in ws[2]],
        "widths": [ws.column_dimensions[k].width for k in "ABCDEFG"],
        "calamine": [[show(v) for v in r] for r in python_calamine.CalamineWorkbook.from_path("ours.xlsx").get_sheet_by_index(0).to_python()],
      }
      print(json.dumps(out))
      """)
    struct Seen: Decodable {
      var freeze: String
      var bold: [Bool]
      var rows: [[String]]
      var formats: [String]
      var widths: [Double]
      var calamine: [[String]]
    }
    let seen = try JSONDecoder().decode(Seen.self, from: Data(out.utf8))
    XCTAssertEqual(seen.freeze, "A2")
    XCTAssertEqual(seen.bold, [Bool](repeating: true, count: 7))
    XCTAssertEqual(seen.rows[0], ["'code'", "'nom'", "'population'", "'part'", "'petit'", "'fibre'", "'maj'"])
    XCTAssertEqual(seen.rows[1], ["'01001'", #""L'Abergement & <Ain>""#, "767", "0.25", "1e-07", "True", "date:2024-01-15"])
    XCTAssertEqual(seen.rows[2], ["'2A004'", "' espace '", "71361", "1.5", "2.125", "False", "date:1900-02-28"])
    // openpyxl leaves Office's `_x0001_` escape as it is; Excel and calamine decode it.
    XCTAssertEqual(seen.rows[3], ["None", "'tab\\there_x0001_'", "None", "3.0", "None", "None", "None"])
    XCTAssertEqual(seen.calamine[3][1], "'tab\\there\\x01'")
    XCTAssertEqual(seen.rows[4], ["'97101'", "'_x0041_ é ü'", "-1234567", "None", "123456.789", "True", "date:1970-01-01"])
    XCTAssertEqual(seen.formats, ["General", "General", "#,##0", "#,##0.0#", "#,##0.0######", "General", "mm-dd-yy"])
    XCTAssertEqual(seen.widths[0], 7)
    XCTAssertGreaterThan(seen.widths[1], 20)
    XCTAssertEqual(seen.calamine[1], ["'01001'", #""L'Abergement & <Ain>""#, "767.0", "0.25", "1e-07", "True", "date:2024-01-15"])
    XCTAssertEqual(seen.calamine[4], ["'97101'", "'_x0041_ é ü'", "-1234567.0", "''", "123456.789", "True", "date:1970-01-01"])
    // And ours reads ours back.
    let back = try loadFile(path: path("ours.xlsx"), options: LoadOptions()).table
    XCTAssertEqual(back.columnNames, t.columnNames)
    XCTAssertEqual(back.columnTypes, t.columnTypes)
    for k in 0..<t.columnCount where k != 4 {
      XCTAssertEqual(back.columns[k].boxedValues, t.columns[k].boxedValues, t.columnNames[k])
    }
    XCTAssertEqual(back.columns[4].boxedValues, [.float(1e-7), .float(2.125), .null, .float(123_456.789)])
  }

  /// The ZIP64 records a sheet past 4 GB gets, on a small sheet: read by Python's zipfile
  /// (which checks them), openpyxl and ours.
  func testZip64MembersAreValid() throws {
    xlsxAlwaysZip64 = true
    defer { xlsxAlwaysZip64 = false }
    let t = try Table(columns: [("n", .int((0..<3000).map { Int64($0) })), ("t", .text((0..<3000).map { "v\($0 % 7)" }))])
    XCTAssertEqual(try exportTable(t, to: path("z64.xlsx"), options: ExportOptions()), 3000)
    let out = try python(
      ["openpyxl"],
      """
      import zipfile, openpyxl
      z = zipfile.ZipFile("z64.xlsx")
      assert z.testzip() is None
      ws = openpyxl.load_workbook("z64.xlsx").active
      print(ws.max_row, ws["A3001"].value, ws["B3001"].value)
      """)
    XCTAssertEqual(out.trimmingCharacters(in: .whitespacesAndNewlines), "3001 2999 v3")
    let back = try loadFile(path: path("z64.xlsx"), options: LoadOptions()).table
    XCTAssertEqual(back.columns[0].boxedValues, t.columns[0].boxedValues)
    XCTAssertEqual(back.columns[1].boxedValues, t.columns[1].boxedValues)
  }

  func testBundledDataRoundTrips() throws {
    let (s, printed) = session()
    let csv = TestSupport.datasets.appendingPathComponent("epci.csv.gz").path
    XCTAssertTrue(s.run("load \"\(csv)\" as epci\nfrom epci | export \"epci.xlsx\"\nload \"epci.xlsx\" as back"), printed())
    let a = try XCTUnwrap(try s.table(named: "epci"))
    let b = try XCTUnwrap(try s.table(named: "back"))
    XCTAssertEqual(b.columnNames, a.columnNames)
    XCTAssertEqual(b.columnTypes, a.columnTypes)
    XCTAssertEqual(b.rowCount, a.rowCount)
    for k in 0..<a.columnCount {
      XCTAssertEqual(b.columns[k].boxedValues, a.columns[k].boxedValues, a.columnNames[k])
    }
    // With `null = "-"` and no header: the nulls written as text.
    XCTAssertTrue(s.run("from epci | take 3 | export \"nh.xlsx\" with (header = false, null = \"-\")"), printed())
  }

  func testTheSheetIsNamedAfterTheFile() throws {
    let (s, printed) = session()
    let csv = TestSupport.datasets.appendingPathComponent("regions.csv.gz").path
    XCTAssertTrue(s.run("load \"\(csv)\" as r\nfrom r | export \"comparatif [v2].xlsx\""), printed())
    XCTAssertTrue(s.run("load \"comparatif [v2].xlsx\" as back with (sheet = \"comparatif v2\")"), printed())
    XCTAssertEqual(xlsxSheetName("a/b:c*?"), "a/b:c*?".filter { !"/:*?".contains($0) })
    XCTAssertEqual(xlsxSheetName(String(repeating: "é", count: 40)).count, 31)
    XCTAssertEqual(xlsxSheetName("[]"), "Sheet1")
    // A workbook under another name is still read as one (it claims its zip bytes before the
    // zip container would unwrap them).
    XCTAssertTrue(s.run("from r | export \"wb.xlsx\""), printed())
    let folder = s.workingDirectory ?? FileManager.default.currentDirectoryPath
    try FileManager.default.copyItem(atPath: folder + "/wb.xlsx", toPath: folder + "/wb.zip")
    XCTAssertTrue(s.run("load \"wb.zip\" as again"), printed())
    XCTAssertEqual(try s.table(named: "again")?.rowCount, try s.table(named: "r")?.rowCount)
  }

  // MARK: bad files

  func testBadFilesAreRefusedAndTheSessionKept() throws {
    let (s, printed) = session()
    XCTAssertTrue(s.run("load \"\(TestSupport.datasets.appendingPathComponent("epci.csv.gz").path)\" as keep"), printed())
    try Data("code;nom\n1;a\n".utf8).write(to: dir.appendingPathComponent("text.xlsx"))
    try Data([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + [UInt8](repeating: 0, count: 600)).write(to: dir.appendingPathComponent("locked.xlsx"))
    _ = try exportTable(try Table(columns: [("a", .int(Array(0..<5000).map { Int64($0) }))]), to: path("good.xlsx"), options: ExportOptions())
    let good = try Data(contentsOf: dir.appendingPathComponent("good.xlsx"))
    try good.prefix(good.count / 2).write(to: dir.appendingPathComponent("cut.xlsx"))
    try good.prefix(good.count - 30).write(to: dir.appendingPathComponent("cutend.xlsx"))
    var flipped = good
    let middle = good.count / 3
    flipped[middle] ^= 0xFF
    flipped[middle + 1] ^= 0xFF
    try flipped.write(to: dir.appendingPathComponent("flipped.xlsx"))
    try python(
      [],
      """
      import zipfile
      with zipfile.ZipFile("nowb.xlsx", "w") as z:
          z.writestr("[Content_Types].xml", "<Types/>")
      def book(name, sheet, sheets='<sheet name="S"/>'):
          with zipfile.ZipFile(name, "w") as z:
              z.writestr("xl/workbook.xml", '<workbook><sheets>%s</sheets></workbook>' % sheets)
              if sheet is not None:
                  z.writestr("xl/worksheets/sheet1.xml", '<worksheet><sheetData>%s</sheetData></worksheet>' % sheet)
      book("badxml.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>2</v></c><c r="B2" <v>3</v></c></row>')
      book("entity.xlsx", '<row><c t="inlineStr"><is><t>&bogus;</t></is></c></row>')
      book("badref.xlsx", '<row><c r="ZZZZ1"><v>1</v></c></row>')
      book("badsst.xlsx", '<row><c r="A1" t="s"><v>99999999999</v></c></row>')
      book("badnum.xlsx", '<row><c r="A1" t="inlineStr"><is><t>h</t></is></c></row><row r="7"><c r="B7"><v>1x</v></c></row>')
      book("empty.xlsx", '', '<sheet name="Vide"/>')
      book("nosheet.xlsx", None, '')
      """)
    // What the registry can ask to tell a workbook from another zip archive.
    XCTAssertTrue(isXLSXWorkbook(try readWholeFile(path: path("good.xlsx"))))
    XCTAssertFalse(isXLSXWorkbook(try readWholeFile(path: path("nowb.xlsx"))))
    XCTAssertFalse(isXLSXWorkbook(try readWholeFile(path: path("text.xlsx"))))
    let cases: [(String, String)] = [
      ("text.xlsx", "not a zip archive"),
      ("locked.xlsx", "password-protected workbook or an old .xls file"),
      ("cut.xlsx", "truncated or damaged archive"),
      ("cutend.xlsx", "truncated or damaged archive"),
      // Damaged deflated data may inflate to garbage that fails before the checksum is met.
      ("flipped.xlsx", "xl/worksheets/sheet1.xml"),
      ("nowb.xlsx", "part `xl/workbook.xml` is missing"),
      ("badxml.xlsx", "malformed XML in `xl/worksheets/sheet1.xml` at byte"),
      ("badxml.xlsx", "cell A2"),
      ("entity.xlsx", "unknown entity `&bogus;"),
      ("badref.xlsx", #"bad cell reference "ZZZZ1""#),
      ("badsst.xlsx", "refers to shared string"),
      ("badnum.xlsx", #"cell B7 of `xl/worksheets/sheet1.xml` holds "1x""#),
      ("empty.xlsx", #"sheet "Vide" is empty"#),
      ("nosheet.xlsx", "the workbook has no sheets"),
      ("missing.xlsx", "no such file"),
    ]
    for (file, message) in cases {
      XCTAssertFalse(s.run("load \"\(file)\" as keep"), file)
      XCTAssertTrue(printed().contains(message), "\(file): \(message) not in \(printed().suffix(400))")
      XCTAssertTrue(printed().contains(file), file)
      let kept = try XCTUnwrap(try s.table(named: "keep"))
      XCTAssertEqual(kept.columnNames.first, "siren", file)
    }
  }

  func testCancelLeavesNothing() throws {
    let t = try Table(columns: [("n", .int((0..<50_000).map { Int64($0) }))])
    let cancel = CancellationFlag()
    cancel.cancel()
    XCTAssertThrowsError(try exportTable(t, to: path("c.xlsx"), options: ExportOptions(), cancel: cancel)) {
      XCTAssertTrue($0 is CancelledError, "\($0)")
    }
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [])
    XCTAssertEqual(try exportTable(t, to: path("c.xlsx"), options: ExportOptions()), 50_000)
    XCTAssertThrowsError(try loadFile(path: path("c.xlsx"), options: LoadOptions(), cancel: cancel)) {
      XCTAssertTrue($0 is CancelledError, "\($0)")
    }
  }

  func testExportLimits() throws {
    let wide = Table(names: (0...16_384).map { "c\($0)" }, columns: (0...16_384).map { _ in Column.from([.int(1)], type: .int) })
    XCTAssertThrowsError(try exportTable(wide, to: path("wide.xlsx"), options: ExportOptions())) { e in
      XCTAssertTrue("\(e)".contains("at most 16,384 columns"), "\(e)")
    }
    let long = try Table(columns: [("t", .text([String(repeating: "é", count: 40_000)]))])
    XCTAssertThrowsError(try exportTable(long, to: path("long.xlsx"), options: ExportOptions())) { e in
      XCTAssertTrue("\(e)".contains("a text of 40000 characters"), "\(e)")
    }
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [])
  }

  /// The real DGCL workbook (`../shared/data`), against python-calamine.
  func testRealWorkbookAgainstCalamine() throws {
    let file = TestSupport.sharedData.appendingPathComponent("epcicom_dgcl_2026.xlsx")
    guard FileManager.default.fileExists(atPath: file.path) else { throw XCTSkip("../shared/data not found") }
    let out = try python(
      ["python_calamine"],
      """
      import json, python_calamine
      rows = python_calamine.CalamineWorkbook.from_path(\(pyString(file.path))).get_sheet_by_index(0).to_python()
      print(json.dumps({"n": len(rows) - 1, "header": [str(v) for v in rows[0]], "last": [str(v) for v in rows[-1]]}))
      """)
    struct Seen: Decodable {
      var n: Int
      var header: [String]
      var last: [String]
    }
    let seen = try JSONDecoder().decode(Seen.self, from: Data(out.utf8))
    let t = try loadFile(path: file.path, options: LoadOptions()).table
    XCTAssertEqual(t.rowCount, seen.n)
    XCTAssertEqual(t.columnNames, seen.header)
    let last = t.row(t.rowCount - 1).map { v -> String in
      switch v {
      case .int(let i): return "\(Double(i))"
      case .null: return ""
      default: return v.description
      }
    }
    XCTAssertEqual(last, seen.last)
  }
}
