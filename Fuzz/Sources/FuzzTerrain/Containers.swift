// Fuzz target (d): the gzip and zip containers on arbitrary bytes, then the format of the
// file inside. Byte 0 picks the name the bytes are loaded under (bit 0: `fuzz.csv.gz` or
// `fuzz.zip`, which chooses the container when the magic bytes do not) and bit 1 asks for
// `file = "a.csv"`; the rest is the file. Any input must end in a table or a thrown LoadError,
// within the memory libFuzzer allows (decompressed output is bounded by the memory available
// and by what deflate can expand the input to).
import TerrainIO

func fuzzContainers(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  guard size > 0 else { return 0 }
  let selector = data[0]
  var options = LoadOptions()
  if selector & 2 != 0 { options.file = "a.csv" }
  let name = selector & 1 == 0 ? "fuzz.csv.gz" : "fuzz.zip"
  let body = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
  _ = try? loadBytes(body, name: name, options: options, given: options.file == nil ? [] : ["file"])
  return 0
}
