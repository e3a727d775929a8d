// `Session.workingDirectory`: where relative paths start, without changing the process's
// current directory (the golden files run in parallel, each in its own folder).

import Foundation
import Testing

import TerrainEngine
import TerrainIO

struct WorkingDirectoryTests {
  /// The session's working directory: relative paths start there, the process's current
  /// directory is left alone, and messages name files as they were written.
  @Test func pathsAreRelativeToTheWorkingDirectory() throws {
    let fm = FileManager.default
    let directory = fm.temporaryDirectory.appendingPathComponent("terrain-wd-\(UUID().uuidString)")
    try fm.createDirectory(at: directory.appendingPathComponent("sub"), withIntermediateDirectories: true)
    defer { try? fm.removeItem(at: directory) }
    try "a,b\n1,x\n2,y\n".write(to: directory.appendingPathComponent("sub/in.csv"), atomically: true, encoding: .utf8)
    try "from in | take 1\n".write(to: directory.appendingPathComponent("sub/script.tq"), atomically: true, encoding: .utf8)
    let before = fm.currentDirectoryPath

    let session = Session.shell()
    session.workingDirectory = directory.path
    session.renderOptions.mode = .csv
    var out = ""
    var err = ""
    session.write = { out += $0 }
    session.notify = { err += $0 }
    #expect(session.run("load \"sub/in.csv\"\nfrom in | export \"out.csv\"\n.read sub/script.tq", name: "wd.tq"))
    #expect(err == "loaded 2 rows into in\nwrote 2 rows to out.csv\n")
    #expect(out == "a,b\n1,x\n")
    #expect(fm.fileExists(atPath: directory.appendingPathComponent("out.csv").path))
    #expect(try session.registerDirectory("sub") == ["in"])
    out = ""
    #expect(session.run(".tables", name: "wd.tq"))
    // `.tables` loads the registered file (from the working directory) and shows its path from there.
    #expect(out == "table,rows,columns,source\nin,2,2,sub/in.csv\n")

    err = ""
    #expect(!session.run("load \"sub/missing.csv\"", name: "wd.tq"))
    #expect(err.hasPrefix("wd.tq:1:6: error: cannot open \"sub/missing.csv\""), "\(err)")
    #expect(!err.contains(directory.path))
    err = ""
    #expect(!session.run("from in | export \"nofolder/out.csv\"", name: "wd.tq"))
    #expect(!err.contains(directory.path))
    #expect(err.hasPrefix("wd.tq:1:18: error: cannot write nofolder/out.csv: folder `nofolder` does not exist"), "\(err)")
    #expect(fm.currentDirectoryPath == before)
  }
}
