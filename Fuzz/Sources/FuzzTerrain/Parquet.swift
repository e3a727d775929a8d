// Fuzz target (parquet): the Parquet reader on arbitrary bytes. The first byte picks whether
// `columns = ("n")` is given; the rest is the file. Any input must end in a table or a
// thrown LoadError (never a crash, a hang or an allocation of what the metadata claims).
import TerrainIO

func fuzzParquet(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  guard size > 0 else { return 0 }
  var options = LoadOptions()
  if data[0] & 1 != 0 { options.columns = ["n"] }
  let body = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
  _ = try? loadParquet(bytes: body, name: "fuzz.parquet", options: options)
  return 0
}
