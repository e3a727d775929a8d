// JSON: an array of objects, one row per line.
//
//   [
//   {"a":1,"b":"x"},
//   {"a":2,"b":null}
//   ]
//
// An empty table is `[]`. NaN and infinities are written as null (JSON has no such numbers).

import TerrainStorage
import TerrainSyntax

/// Writes `table` as a JSON array of objects; returns the number of rows written. With
/// `wholeFloatsAsIntegers`, a float with no fractional part is written as an integer.
package func writeJSON(_ table: Table, crlf: Bool = false, wholeFloatsAsIntegers: Bool = false, to out: ByteWriter,
  cancel: CancellationFlag?) throws -> Int
{
  let n = safeRowCount(table)
  func endLine() {
    if crlf { out.append(0x0D, 0x0A) } else { out.append(0x0A) }
  }
  if n == 0 {
    out.append(UInt8(ascii: "["), UInt8(ascii: "]"))
    endLine()
    return 0
  }
  // `{"a":` for the first column, `,"b":` for the others, one after the other.
  let keyWriter = ByteWriter(capacity: 256)
  var keyOffsets = [0]
  for (c, f) in table.fields.enumerated() {
    keyWriter.append(c == 0 ? UInt8(ascii: "{") : UInt8(ascii: ","))
    writeText(f.name, style: .json, to: keyWriter)
    keyWriter.append(UInt8(ascii: ":"))
    keyOffsets.append(keyWriter.count)
  }
  let keys = keyWriter.base
  let encoded = EncodedDictionary.forColumns(table, rows: n, style: .json)
  let slots = CellSlot.slots(table, encoded: encoded)
  let columnCount = slots.count
  let numbers = NumberWriter()

  out.append(UInt8(ascii: "["))
  endLine()
  try withExtendedLifetime((table, encoded, keyWriter)) {
    try slots.withUnsafeBufferPointer { slots in
      try keyOffsets.withUnsafeBufferPointer { keyOffsets in
        try writeRowBlocks(rowCount: n, to: out, cancel: cancel) { rows, out in
          for i in rows {
            if columnCount == 0 { out.append(UInt8(ascii: "{")) }
            var c = 0
            while c < columnCount {
              out.append(keys + keyOffsets[c], keyOffsets[c + 1] - keyOffsets[c])
              let s = slots[c]
              if s.isNull(i) {
                out.appendLiteral("null")
              } else {
                switch s.kind {
                case .int:
                  numbers.writeInt(s.values.assumingMemoryBound(to: Int64.self)[i], to: out)
                case .float:
                  let v = s.values.assumingMemoryBound(to: Double.self)[i]
                  if wholeFloatsAsIntegers, let whole = wholeInteger(v) {
                    numbers.writeInt(whole, to: out)
                  } else if v.isFinite {
                    numbers.writeFloat(v, decimalComma: false, to: out)
                  } else {
                    out.appendLiteral("null")
                  }
                case .date:
                  out.append(UInt8(ascii: "\""))
                  s.writeDate(i, french: false, to: out)
                  out.append(UInt8(ascii: "\""))
                case .bool, .text, .textDirect:
                  s.writeBoolOrText(i, table: table, style: .json, to: out)
                }
              }
              c += 1
            }
            out.append(UInt8(ascii: "}"))
            if i + 1 < n { out.append(UInt8(ascii: ",")) }
            if crlf { out.append(0x0D, 0x0A) } else { out.append(0x0A) }
          }
        }
      }
    }
  }
  out.append(UInt8(ascii: "]"))
  endLine()
  try checkpoint(out, cancel)
  return n
}
