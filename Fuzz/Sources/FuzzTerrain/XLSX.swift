// Fuzz target (xlsx): the xlsx reader (zip directory, inflate, XML tokenizer, shared strings,
// styles, sheet) on arbitrary bytes. Byte 0 picks what the rest is: bits 0–1 = 0: the whole
// file; 1: a sheet's XML, wrapped in a stored zip with a minimal workbook; 2: shared strings,
// a 0 byte, then the sheet; 3: styles, a 0 byte, then the sheet. Bits 2–3: `skip` (0–3); bit
// 4: `header = false`; bit 5: the workbook says `date1904`. Any input must end in a table or a
// thrown LoadError.
import TerrainIO

private let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
  var c = UInt32(n)
  for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
  return c
}

private func crc32(_ bytes: [UInt8]) -> UInt32 {
  var c: UInt32 = 0xFFFF_FFFF
  for b in bytes { c = crcTable[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
  return c ^ 0xFFFF_FFFF
}

/// A zip archive of `parts`, stored (not compressed), with correct CRCs.
private func storedZip(_ parts: [(String, [UInt8])]) -> [UInt8] {
  var out: [UInt8] = []
  var directory: [UInt8] = []
  func u16(_ v: Int, _ a: inout [UInt8]) { a += [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
  func u32(_ v: Int, _ a: inout [UInt8]) { u16(v & 0xFFFF, &a); u16(v >> 16 & 0xFFFF, &a) }
  for (name, data) in parts {
    let offset = out.count
    let crc = Int(crc32(data))
    let n = Array(name.utf8)
    u32(0x0403_4B50, &out); u16(20, &out); u16(0, &out); u16(0, &out); u32(0, &out)
    u32(crc, &out); u32(data.count, &out); u32(data.count, &out); u16(n.count, &out); u16(0, &out)
    out += n + data
    u32(0x0201_4B50, &directory); u16(20, &directory); u16(20, &directory); u16(0, &directory); u16(0, &directory)
    u32(0, &directory); u32(crc, &directory); u32(data.count, &directory); u32(data.count, &directory)
    u16(n.count, &directory); u16(0, &directory); u16(0, &directory); u16(0, &directory); u16(0, &directory)
    u32(0, &directory); u32(offset, &directory)
    directory += n
  }
  let start = out.count
  out += directory
  u32(0x0605_4B50, &out); u16(0, &out); u16(0, &out); u16(parts.count, &out); u16(parts.count, &out)
  u32(directory.count, &out); u32(start, &out); u16(0, &out)
  return out
}

func fuzzXLSX(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  guard size > 0 else { return 0 }
  let selector = data[0]
  var options = LoadOptions()
  options.skip = Int(selector >> 2 & 3)
  if selector & 0x10 != 0 { options.header = false }
  let body = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
  var file = body
  if selector & 3 != 0 {
    let split = body.firstIndex(of: 0) ?? body.count
    let first = Array(body[..<split])
    let rest = split < body.count ? Array(body[(split + 1)...]) : []
    let pr = selector & 0x20 != 0 ? "<workbookPr date1904=\"1\"/>" : ""
    var parts: [(String, [UInt8])] = [
      ("xl/workbook.xml", Array("<workbook>\(pr)<sheets><sheet name=\"S\"/></sheets></workbook>".utf8)),
    ]
    switch selector & 3 {
    case 1: parts.append(("xl/worksheets/sheet1.xml", body))
    case 2: parts += [("xl/sharedStrings.xml", first), ("xl/worksheets/sheet1.xml", rest)]
    default: parts += [("xl/styles.xml", first), ("xl/worksheets/sheet1.xml", rest)]
    }
    file = storedZip(parts)
  }
  file.withUnsafeBytes { raw in
    _ = try? loadXLSX(bytes: raw, name: "fuzz.xlsx", options: options)
  }
  return 0
}
