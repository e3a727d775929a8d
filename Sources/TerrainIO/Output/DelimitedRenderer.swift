// CSV (RFC 4180) and TSV writers, streaming row by row from the typed buffers.

import TerrainStorage
import TerrainSyntax

/// The settings of a delimited file, after the dialect and options are resolved.
package struct DelimitedFormat: Equatable {
  package var separator: UInt8 = UInt8(ascii: ",")
  /// CSV quoting when true; TSV escapes (`\t`, `\n`, `\r`) when false.
  package var quoting = true
  package var decimalComma = false
  /// Dates written `DD/MM/YYYY` (the `excel-fr` dialect) instead of `YYYY-MM-DD`.
  package var frenchDates = false
  package var header = true
  /// Text written for a null.
  package var nullText = ""
  package var crlf = false
  package var bom = false
  /// A float with no fractional part written as an integer (`137470`, not `137470.0`).
  package var wholeFloatsAsIntegers = false

  package static let csv = DelimitedFormat()
  package static let tsv = DelimitedFormat(separator: 0x09, quoting: false)

  package var textStyle: TextStyle {
    quoting ? .csv(separator: separator, quoteEmpty: nullText.isEmpty) : .tsv
  }
}

/// Writes `table` as delimited text; returns the number of data rows written.
package func writeDelimited(
  _ table: Table, format: DelimitedFormat, to out: ByteWriter, cancel: CancellationFlag?
) throws -> Int {
  let style = format.textStyle
  let sep = format.separator
  let point: UInt8 = format.decimalComma ? UInt8(ascii: ",") : UInt8(ascii: ".")
  // A float holds the separator only with odd settings (`,` with a decimal comma).
  let quoteFloats = format.quoting && sep == point

  if format.bom { out.append([0xEF, 0xBB, 0xBF]) }

  func endLine() {
    if format.crlf { out.append(0x0D, 0x0A) } else { out.append(0x0A) }
  }

  if format.header {
    for (c, f) in table.fields.enumerated() {
      if c > 0 { out.append(sep) }
      // An empty name is still a field: quote it so a one-column header is not a blank line.
      writeText(f.name, style: format.quoting ? .csv(separator: sep, quoteEmpty: true) : style, to: out)
    }
    endLine()
  }

  let n = safeRowCount(table)
  let encoded = EncodedDictionary.forColumns(table, rows: n, style: style)
  let slots = CellSlot.slots(table, encoded: encoded)
  let nullBytes: [UInt8] = {
    let w = ByteWriter(capacity: 16)
    // A null written as text is quoted like any text, except that an empty null stays empty.
    if !format.nullText.isEmpty { writeText(format.nullText, style: style, to: w) }
    return w.bytes()
  }()
  let columnCount = slots.count
  let numbers = NumberWriter()
  // One column whose only value is null or "" would give blank lines, which readers skip.
  let quoteBlankRow = format.quoting && columnCount == 1 && nullBytes.isEmpty
  let decimalComma = format.decimalComma
  let crlf = format.crlf
  let frenchDates = format.frenchDates
  let wholeFloats = format.wholeFloatsAsIntegers

  try withExtendedLifetime((table, encoded)) {
    try nullBytes.withUnsafeBufferPointer { nullBuf in
      try slots.withUnsafeBufferPointer { slots in
        try writeRowBlocks(rowCount: n, to: out, cancel: cancel) { rows, out in
          for i in rows {
            var c = 0
            while c < columnCount {
              if c > 0 { out.append(sep) }
              let s = slots[c]
              if s.isNull(i) {
                if quoteBlankRow { out.append(0x22, 0x22) } else { out.append(nullBuf) }
              } else {
                switch s.kind {
                case .int:
                  numbers.writeInt(s.values.assumingMemoryBound(to: Int64.self)[i], to: out)
                case .float:
                  let v = s.values.assumingMemoryBound(to: Double.self)[i]
                  if wholeFloats, let whole = wholeInteger(v) {
                    numbers.writeInt(whole, to: out)
                  } else if quoteFloats {
                    out.append(0x22)
                    numbers.writeFloat(v, decimalComma: decimalComma, to: out)
                    out.append(0x22)
                  } else {
                    numbers.writeFloat(v, decimalComma: decimalComma, to: out)
                  }
                case .date:
                  s.writeDate(i, french: frenchDates, to: out)
                case .bool, .text, .textDirect:
                  s.writeBoolOrText(i, table: table, style: style, to: out)
                }
              }
              c += 1
            }
            if crlf { out.append(0x0D, 0x0A) } else { out.append(0x0A) }
          }
        }
      }
    }
  }
  return n
}
