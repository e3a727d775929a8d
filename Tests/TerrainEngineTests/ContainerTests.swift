// Compressed and archived files through `load`: `.csv.gz` (one member or several) and `.zip`
// (one delimited member, `file = …`, stored and deflated, ZIP64), and the hostile ones —
// truncated, corrupt, encrypted, a decompression bomb, a directory that lies — each an error
// naming the file, with nothing loaded and the session intact. The files are written by
// Python's own gzip and zipfile modules (and by hand, byte by byte, where Python cannot).

import Foundation
import XCTest

import TerrainEngine
import TerrainIO
import TerrainStorage

final class ContainerTests: XCTestCase {
  var dir: URL!

  override func setUpWithError() throws {
    dir = try TestSupport.temporaryFolder("terrain-containers", for: self)
  }

  override func tearDown() {
    decompressedSizeLimitForTests = nil
  }

  /// Runs `script` (Python, in the test folder) with the gzip and zipfile modules.
  private func python(_ script: String) throws {
    let python = try TestSupport.python(modules: ["gzip", "zipfile"])
    let r = try TestSupport.runProcess(python, ["-c", script], in: dir)
    XCTAssertEqual(r.status, 0, r.err)
  }

  /// Runs `script` in `session` (working directory: the test folder); returns whether it
  /// succeeded, what it printed (CSV) and what it said.
  @discardableResult
  private func run(_ script: String, in session: Session) -> (ok: Bool, out: String, err: String) {
    var out = ""
    var err = ""
    session.write = { out += $0 }
    session.notify = { err += $0 }
    session.workingDirectory = dir.path
    session.renderOptions.mode = .csv
    let ok = session.run(script, name: "s.tq")
    return (ok, out, err)
  }

  /// A session with a table `keep` (2 rows), to check that failed loads leave it alone.
  private func sessionWithATable() throws -> Session {
    try "a\n1\n2\n".write(to: dir.appendingPathComponent("keep.csv"), atomically: true, encoding: .utf8)
    let s = Session.shell()
    XCTAssertTrue(run("load \"keep.csv\"", in: s).ok)
    return s
  }

  /// `load` of `file` fails with a message containing each of `expected`; nothing is
  /// loaded and `keep` is still there.
  private func assertRefused(_ file: String, options: String = "", _ expected: String..., line: UInt = #line) throws {
    let s = try sessionWithATable()
    let r = run("load \"\(file)\" as t\(options)", in: s)
    XCTAssertFalse(r.ok, "\(file) loaded", line: line)
    for e in expected { XCTAssertTrue(r.err.contains(e), "expected \(e) in: \(r.err)", line: line) }
    XCTAssertFalse(s.catalog.contains("t"), "nothing loaded", line: line)
    XCTAssertEqual(run("from keep | aggregate n = count()", in: s).out, "n\n2\n", "the session is intact", line: line)
  }

  // MARK: gzip

  /// A `;`-separated, decimal-comma, Windows-1252 file reads the same compressed: same
  /// table, same notice; the table is named by the file without `.csv.gz`.
  func testAGzippedCSVLoadsLikeTheCSV() throws {
    let text = "code;nom;pop;part\n01001;L'Abergement-Clémenciat;832;12,5\n2A004;Ajaccio;73 056;3,25\n01004;Ambérieu;14 514;0,5\n"
    let latin1 = try XCTUnwrap(text.data(using: .windowsCP1252))
    try latin1.write(to: dir.appendingPathComponent("communes.csv"))
    try python("import gzip; open('communes.csv.gz','wb').write(gzip.compress(open('communes.csv','rb').read(), mtime=0))")
    let plain = run("load \"communes.csv\" as a\nfrom a", in: Session.shell())
    let s = Session.shell()
    let packed = run("load \"communes.csv.gz\"\nfrom communes", in: s)
    XCTAssertTrue(packed.ok, packed.err)
    XCTAssertEqual(packed.out, plain.out)
    XCTAssertTrue(packed.out.contains("2A004,Ajaccio,73056,3.25"), packed.out)
    XCTAssertEqual(s.catalog.names, ["communes"])
    XCTAssertTrue(packed.err.contains("Windows-1252"), packed.err)
    XCTAssertEqual(
      plain.err.replacingOccurrences(of: "into a", with: "into communes"),
      packed.err.replacingOccurrences(of: "communes.csv.gz", with: "communes.csv"))
  }

  /// `cat a.gz b.gz` is one file: the members' texts one after the other.
  func testMultiMemberGzipIsOneFile() throws {
    try python("""
      import gzip
      open('parts.csv.gz','wb').write(gzip.compress(b'a,b\\n1,x\\n', mtime=0) + gzip.compress(b'2,y\\n3,z\\n', mtime=0) + b'\\0' * 8)
      """)
    let r = run("load \"parts.csv.gz\"\nfrom parts | aggregate n = count(), s = sum(a)", in: Session.shell())
    XCTAssertTrue(r.ok, r.err)
    XCTAssertEqual(r.out, "n,s\n3,6\n")
  }

  /// A gzip file without `.gz` is found by its magic bytes.
  func testAGzipFileIsFoundByItsContent() throws {
    try python("import gzip; open('hidden.csv','wb').write(gzip.compress(b'a\\n5\\n', mtime=0))")
    let r = run("load \"hidden.csv\"\nfrom hidden", in: Session.shell())
    XCTAssertTrue(r.ok, r.err)
    XCTAssertEqual(r.out, "a\n5\n")
  }

  func testTruncatedAndCorruptGzipAreRefused() throws {
    try python("""
      import gzip
      data = gzip.compress(b''.join(b'%d,%d\\n' % (i, i * i) for i in range(20000)), mtime=0)
      open('cut.csv.gz','wb').write(data[:len(data) // 2])
      bad = bytearray(data); bad[len(data) // 2] ^= 0xff; open('bad.csv.gz','wb').write(bytes(bad))
      crc = bytearray(data); crc[-6] ^= 1; open('crc.csv.gz','wb').write(bytes(crc))
      open('junk.csv.gz','wb').write(data + b'garbage')
      open('empty.csv.gz','wb').write(b'')
      open('header.csv.gz','wb').write(data[:10])
      """)
    try assertRefused("cut.csv.gz", "\"cut.csv.gz\" is truncated")
    try assertRefused("bad.csv.gz", "\"bad.csv.gz\" is corrupt at byte")
    try assertRefused("crc.csv.gz", "\"crc.csv.gz\" is corrupt at byte", "incorrect data check")
    try assertRefused("junk.csv.gz", "\"junk.csv.gz\" is corrupt at byte", "data that is not gzip")
    try assertRefused("empty.csv.gz", "\"empty.csv.gz\" is truncated")
    try assertRefused("header.csv.gz", "\"header.csv.gz\" is truncated")
  }

  /// 200 MB of zeros in 200 kB: refused when the output passes the memory available (here a
  /// lowered limit), and never allocated beyond it.
  func testAGzipBombIsRefused() throws {
    try python("""
      import gzip, zlib
      c = zlib.compressobj(9, zlib.DEFLATED, 31)
      with open('bomb.csv.gz','wb') as f:
          f.write(c.compress(b'a\\n'))
          for _ in range(200): f.write(c.compress(bytes(1 << 20)))
          f.write(c.flush())
      """)
    decompressedSizeLimitForTests = 8 << 20
    let start = Date()
    try assertRefused("bomb.csv.gz", "\"bomb.csv.gz\" decompresses to more than the 8.4 MB of memory available: not loaded")
    XCTAssertLessThan(Date().timeIntervalSince(start), 10)
  }

  /// Ctrl-C while inflating stops the load.
  func testCancellingAGzipLoadStops() throws {
    try python("import gzip; open('z.csv.gz','wb').write(gzip.compress(b'a\\n' + b'1\\n' * (8 << 20), mtime=0))")
    let flag = CancellationFlag()
    flag.cancel()
    XCTAssertThrowsError(try loadFile(path: dir.appendingPathComponent("z.csv.gz").path, options: LoadOptions(), cancel: flag)) {
      XCTAssertTrue($0 is CancelledError, "\($0)")
    }
  }

  /// A folder of compressed tables registers them by name (`communes.csv.gz` → `communes`).
  func testCompressedFilesOfAFolderRegisterByTheirStem() throws {
    let data = dir.appendingPathComponent("data")
    try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
    try python("""
      import gzip, zipfile
      open('data/communes.csv.gz','wb').write(gzip.compress(b'code,pop\\n01001,832\\n', mtime=0))
      with zipfile.ZipFile('data/epci.zip','w') as z: z.writestr('epci.csv', 'siren\\n200069177\\n')
      """)
    let s = Session.shell()
    XCTAssertEqual(try s.registerDirectory(data.path), ["communes", "epci"])
    let r = run("from communes\nfrom epci", in: s)
    XCTAssertTrue(r.ok, r.err)
    XCTAssertEqual(r.out, "code,pop\n01001,832\nsiren\n200069177\n")
  }

  // MARK: zip

  func testAZipWithOneDelimitedFileLoadsIt() throws {
    try python("""
      import zipfile
      with zipfile.ZipFile('archive.zip','w',zipfile.ZIP_DEFLATED) as z:
          z.writestr('data/', '')
          z.writestr('data/communes.csv', 'code;pop\\n01001;832\\n01002;1,5\\n')
          z.writestr('LISEZMOI.pdf', '%PDF')
          z.writestr('__MACOSX/data/._communes.csv', 'junk')
      """)
    let s = Session.shell()
    let r = run("load \"archive.zip\"\nfrom archive", in: s)
    XCTAssertTrue(r.ok, r.err)
    XCTAssertEqual(r.out, "code,pop\n01001,832.0\n01002,1.5\n")
  }

  /// Several delimited files: an error listing them; `file = …` picks one (by its path or
  /// its name), stored or deflated; a name not there lists what is.
  func testAZipWithSeveralFilesNeedsTheFileOption() throws {
    try python("""
      import zipfile
      with zipfile.ZipFile('two.zip','w') as z:
          z.writestr(zipfile.ZipInfo('stored.csv'), 'a\\n1\\n2\\n')
          z.writestr('sub/deflated.tsv', 'a\\tb\\n3\\tx\\n', compress_type=zipfile.ZIP_DEFLATED)
      """)
    try assertRefused(
      "two.zip", "\"two.zip\" holds several files terrain reads (stored.csv, sub/deflated.tsv): choose one with `with (file = \"stored.csv\")`")
    let s = Session.shell()
    var r = run("load \"two.zip\" as s with (file = \"stored.csv\")\nfrom s | aggregate n = sum(a)", in: s)
    XCTAssertTrue(r.ok, r.err)
    XCTAssertEqual(r.out, "n\n3\n")
    r = run("load \"two.zip\" as d with (file = \"deflated.tsv\")\nfrom d", in: s)
    XCTAssertTrue(r.ok, r.err)
    XCTAssertEqual(r.out, "a,b\n3,x\n")
    try assertRefused(
      "two.zip", options: " with (file = \"other.csv\")",
      "\"two.zip\" holds no file named \"other.csv\" (it holds stored.csv, sub/deflated.tsv)")
  }

  func testAZipWithoutADelimitedFileIsRefused() throws {
    try python("""
      import zipfile
      with zipfile.ZipFile('none.zip','w') as z: z.writestr('notice.pdf', '%PDF')
      with zipfile.ZipFile('empty.zip','w') as z: pass
      """)
    try assertRefused("none.zip", "no delimited file in \"none.zip\" (it holds notice.pdf)")
    try assertRefused("empty.zip", "no delimited file in \"empty.zip\": the archive is empty")
  }

  /// ZIP64: the directory's sizes and offset in the extra field, the 64-bit end record and
  /// its locator (written by hand: Python writes them only for archives past 4 GB or 65,535
  /// members).
  func testAZIP64ArchiveLoads() throws {
    try python("""
      import struct, zlib
      data = b'a,b\\n1,2\\n3,4\\n'
      name = b't.csv'
      crc = zlib.crc32(data)
      local = struct.pack('<IHHHHHIIIHH', 0x04034b50, 45, 0, 0, 0, 0, crc, 0xffffffff, 0xffffffff, len(name), 20) \\
          + name + struct.pack('<HHQQ', 1, 16, len(data), len(data))
      cd_at = len(local) + len(data)
      cd = struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 45, 45, 0, 0, 0, 0, crc, 0xffffffff, 0xffffffff, len(name), 28, 0, 0, 0, 0, 0xffffffff) \\
          + name + struct.pack('<HHQQQ', 1, 24, len(data), len(data), 0)
      z64_at = cd_at + len(cd)
      z64 = struct.pack('<IQHHIIQQQQ', 0x06064b50, 44, 45, 45, 0, 0, 1, 1, len(cd), cd_at)
      locator = struct.pack('<IIQI', 0x07064b50, 0, z64_at, 1)
      end = struct.pack('<IHHHHIIH', 0x06054b50, 0xffff, 0xffff, 0xffff, 0xffff, 0xffffffff, 0xffffffff, 0)
      open('big.zip','wb').write(local + data + cd + z64 + locator + end)
      """)
    let r = run("load \"big.zip\"\nfrom big | aggregate s = sum(b)", in: Session.shell())
    XCTAssertTrue(r.ok, r.err)
    XCTAssertEqual(r.out, "s\n6\n")
  }

  func testDamagedZipsAreRefused() throws {
    try python("""
      import zipfile
      body = ''.join('%d,%d\\n' % (i, i * 7) for i in range(5000))
      with zipfile.ZipFile('ok.zip','w',zipfile.ZIP_DEFLATED) as z: z.writestr('t.csv', 'a,b\\n' + body)
      data = open('ok.zip','rb').read()
      open('cut.zip','wb').write(data[:len(data) // 2])
      open('cutend.zip','wb').write(data[:-10])
      bad = bytearray(data); bad[200] ^= 0x55; open('bad.zip','wb').write(bytes(bad))
      cd = data.rindex(b'PK\\x01\\x02')
      enc = bytearray(data); enc[6] |= 1; enc[cd + 8] |= 1; open('enc.zip','wb').write(bytes(enc))
      meth = bytearray(data); meth[cd + 10] = 12; open('bzip2.zip','wb').write(bytes(meth))
      far = bytearray(data); far[cd + 42:cd + 46] = (10 ** 6).to_bytes(4, 'little'); open('far.zip','wb').write(bytes(far))
      """)
    try assertRefused("cut.zip", "\"cut.zip\" is not a readable zip archive: it has no end-of-archive record")
    try assertRefused("cutend.zip", "\"cutend.zip\" is not a readable zip archive")
    try assertRefused("bad.zip", "\"bad.zip/t.csv\" is")
    try assertRefused("enc.zip", "\"enc.zip/t.csv\" is encrypted")
    try assertRefused("bzip2.zip", "\"bzip2.zip/t.csv\" is compressed with method 12")
    try assertRefused("far.zip", "\"far.zip/t.csv\" is damaged: its header at byte 1000000 is missing or damaged")
  }

  /// The size the directory gives is checked against the memory before anything is
  /// allocated; a directory that lies stops the extraction as soon as the data passes it.
  func testAZipBombIsRefused() throws {
    try python("""
      import zipfile
      with zipfile.ZipFile('bomb.zip','w',zipfile.ZIP_DEFLATED, compresslevel=9) as z:
          with z.open('t.csv','w') as f:
              f.write(b'a\\n')
              for _ in range(200): f.write(bytes(1 << 20))
      data = bytearray(open('bomb.zip','rb').read())
      cd = data.rindex(b'PK\\x01\\x02')
      data[cd + 24:cd + 28] = (1000).to_bytes(4, 'little')
      open('liar.zip','wb').write(bytes(data))
      """)
    decompressedSizeLimitForTests = 8 << 20
    try assertRefused("bomb.zip", "\"bomb.zip/t.csv\" is 209.7 MB but only 8.4 MB of memory is available: not loaded")
    decompressedSizeLimitForTests = nil
    let start = Date()
    try assertRefused("liar.zip", "\"liar.zip/t.csv\" is damaged: its size is not the 1000 bytes the archive's directory gives")
    XCTAssertLessThan(Date().timeIntervalSince(start), 10)
  }
}
