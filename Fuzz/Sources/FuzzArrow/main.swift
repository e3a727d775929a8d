// Fuzz target (d): the Arrow IPC reader on arbitrary bytes. Any input must end in a table or
// a thrown LoadError: every offset and length of the footer, the messages and the buffers is
// checked against the input.
import TerrainIO

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzArrow(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  _ = try? loadArrow(bytes: UnsafeRawBufferPointer(start: data, count: size), name: "fuzz.arrow")
  return 0
}

// SwiftPM links an executable with `--defsym main=FuzzArrow_main`; hand over to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
  _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
  _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

@_cdecl("FuzzArrow_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
  var argc = argc
  var argv = argv
  return LLVMFuzzerRunDriver(&argc, &argv, fuzzArrow)
}
