// Fuzz target (d): the Arrow IPC reader on arbitrary bytes. Any input must end in a table or
// a thrown LoadError: every offset and length of the footer, the messages and the buffers is
// checked against the input.
import TerrainIO

func fuzzArrow(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  _ = try? loadArrow(bytes: UnsafeRawBufferPointer(start: data, count: size), name: "fuzz.arrow")
  return 0
}
