// Fuzz target (parquet): the Parquet reader on arbitrary bytes. The first byte picks whether
// `columns = ("n")` is given; the rest is the file. Any input must end in a table or a
// thrown LoadError (never a crash, a hang or an allocation of what the metadata claims).
import TerrainIO

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzParquet(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  guard size > 0 else { return 0 }
  var options = LoadOptions()
  if data[0] & 1 != 0 { options.columns = ["n"] }
  let body = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
  _ = try? loadParquet(bytes: body, name: "fuzz.parquet", options: options)
  return 0
}

// SwiftPM links an executable with `--defsym main=FuzzParquet_main`; hand over to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
  _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
  _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

@_cdecl("FuzzParquet_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
  var argc = argc
  var argv = argv
  return LLVMFuzzerRunDriver(&argc, &argv, fuzzParquet)
}
