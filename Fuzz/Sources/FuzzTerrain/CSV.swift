// Fuzz target (c): the CSV reader and its sniffer on arbitrary bytes.
// The first byte picks forced options (or none: the sniffer decides everything); the
// rest is the file. Any input must end in a table or a thrown LoadError.
import TerrainIO

func fuzzCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  guard size > 0 else { return 0 }
  let selector = data[0]
  var options = LoadOptions()
  if selector & 0x80 != 0 {  // forced options
    options.separator = [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t"), UInt8(ascii: "|")][Int(selector & 3)]
    if selector & 0x04 != 0 { options.header = selector & 0x08 != 0 }
    if selector & 0x10 != 0 { options.decimal = UInt8(ascii: ",") }
    if selector & 0x20 != 0 { options.skipBadRows = true }
    if selector & 0x40 != 0 { options.quote = UInt8(ascii: "'"); options.encoding = selector & 0x08 != 0 ? "utf-8" : "windows-1252" }
  }
  let body = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
  _ = try? loadCSV(bytes: body, name: "fuzz.csv", options: options)
  return 0
}
