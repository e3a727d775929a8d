// The one libFuzzer driver of every target: `FuzzTerrain TARGET [libFuzzer arguments…]`.
// SwiftPM links the executable with `--defsym main=FuzzTerrain_main`; that function picks the
// target by name, removes the name from the arguments and hands over to libFuzzer's
// `LLVMFuzzerRunDriver` with the target's function. `LLVMFuzzerTestOneInput` (which the
// fuzzer runtime needs at link time) calls the target picked.
#if canImport(Glibc)
  import Glibc
#endif

/// A fuzz target: one input in, 0 (or -1: not to be added to the corpus) out.
typealias FuzzTarget = (UnsafePointer<UInt8>, Int) -> CInt

/// Every target by the name `Fuzz/run` gives it, with what runs once before it.
let fuzzTargets: [String: (run: FuzzTarget, setUp: () -> Void)] = [
  "parser": (fuzzParser, {}),
  "session": (fuzzSession, setUpSession),
  "csv": (fuzzCSV, {}),
  "xlsx": (fuzzXLSX, {}),
  "arrow": (fuzzArrow, {}),
  "containers": (fuzzContainers, {}),
  "parquet": (fuzzParquet, {}),
  "parquet-scan": (fuzzParquetScan, {}),
  "session-file": (fuzzSessionFile, {}),
  "geojson": (fuzzGeoJSON, {}),
  "gzip": (fuzzGzip, {}),
  "copy-binary": (fuzzCopyBinary, {}),
]

/// The target picked by `FuzzTerrain_main`.
nonisolated(unsafe) var selectedTarget: FuzzTarget = { _, _ in 0 }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  selectedTarget(data, size)
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
  _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
  _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

@_cdecl("FuzzTerrain_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
  guard let argv, argc >= 2, let first = argv[1], let target = fuzzTargets[String(cString: first)] else {
    let names = fuzzTargets.keys.sorted().joined(separator: " | ")
    fputs("usage: FuzzTerrain \(names) [libFuzzer arguments…]\n", stderr)
    return 2
  }
  selectedTarget = target.run
  target.setUp()
  // The arguments without the target's name, still ending in a null pointer.
  var rest: [UnsafeMutablePointer<CChar>?] = [argv[0]]
  for i in 2..<Int(argc) { rest.append(argv[i]) }
  rest.append(nil)
  var count = argc - 1
  return rest.withUnsafeMutableBufferPointer { buffer in
    var list = buffer.baseAddress
    return LLVMFuzzerRunDriver(&count, &list) { data, size in fuzzOneInput(data, size) }
  }
}
