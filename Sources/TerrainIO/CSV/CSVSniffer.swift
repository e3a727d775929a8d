// Guessing the separator and whether the first row is a header, from the first records.

import TerrainStorage
import TerrainSyntax

/// How much of the file the sniffer looks at.
private let sniffMaxRecords = 200
private let sniffMaxBytes = 1 << 20

/// Field counts of the first non-blank records (at most `sniffMaxRecords`, starting within
/// the first `sniffMaxBytes`) when split on `separator`, quotes respected. Stops at an
/// unterminated quote.
package func sampleFieldCounts(
  _ p: UnsafePointer<UInt8>, start: Int, end: Int, separator: UInt8, quote: UInt8
) -> [Int] {
  let scanner = CSVScanner(p: p, end: end, separator: separator, quote: quote)
  var counts: [Int] = []
  var pos = start
  var dummy = FieldSpan(start: 0, end: 0, kind: 0)
  let limit = start + sniffMaxBytes
  while pos < end && counts.count < sniffMaxRecords && (pos < limit || counts.isEmpty) {
    let r = scanner.scanRecord(at: pos, spans: &dummy, capacity: 0)
    if r.unterminatedQuote >= 0 { break }
    if r.fieldCount > 0 { counts.append(r.fieldCount) }
    pos = r.next
  }
  return counts
}

/// The separator among `;` tab `|` `,` that splits the first records into the same number
/// (at least 2) of fields; when several do, the first in that order (so that `1,5;2,5`
/// is read as two decimal-comma numbers, not three fields). When none is consistent, the one
/// whose most common count covers the most records. `,` when nothing splits.
package func sniffSeparator(_ p: UnsafePointer<UInt8>, start: Int, end: Int, quote: UInt8) -> UInt8 {
  let candidates: [UInt8] = [UInt8(ascii: ";"), 0x09, UInt8(ascii: "|"), UInt8(ascii: ",")]
  var best: UInt8 = UInt8(ascii: ",")
  var bestScore = -1.0
  for c in candidates {
    let counts = sampleFieldCounts(p, start: start, end: end, separator: c, quote: quote)
    guard let first = counts.first else { continue }
    if first >= 2 && counts.allSatisfy({ $0 == first }) { return c }
    var frequency: [Int: Int] = [:]
    for n in counts { frequency[n, default: 0] += 1 }
    guard let (mode, hits) = frequency.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key < $1.key) }),
      mode >= 2
    else { continue }
    let score = Double(hits) / Double(counts.count)
    if score > bestScore {
      bestScore = score
      best = c
    }
  }
  return best
}

/// Whether the first record is a header: yes when one of its values is text over a column
/// whose other sampled values are all numbers; no when, short of that, one of its values is
/// a number or a boolean (a data row); yes otherwise (all text: names, most likely).
package func sniffHeader(
  _ p: UnsafePointer<UInt8>, start: Int, end: Int, dialect: CSVDialect, nulls: NullMarkers
) throws -> Bool {
  let scanner = CSVScanner(p: p, end: end, separator: dialect.separator, quote: dialect.quote)
  let scratch = ScratchBytes()
  var pos = start
  var firstShapes: [FieldShape?] = []  // nil = null
  var body: [ColumnInference] = []
  var records = 0
  let limit = start + sniffMaxBytes
  var spans = [FieldSpan](repeating: FieldSpan(start: 0, end: 0, kind: 0), count: 64)
  while pos < end && records < sniffMaxRecords && (pos < limit || records == 0) {
    var r = spans.withUnsafeMutableBufferPointer { buf -> ScannedRecord in
      guard let b = buf.baseAddress else { return ScannedRecord(next: end, fieldCount: 0, unterminatedQuote: -1, contentEnd: end) }
      return scanner.scanRecord(at: pos, spans: b, capacity: buf.count)
    }
    if r.fieldCount > spans.count {
      // More fields than a table may have columns: the load refuses the file afterwards.
      if r.fieldCount > maximumColumnCount { return true }
      spans = try checkedArray(repeating: FieldSpan(start: 0, end: 0, kind: 0), count: r.fieldCount)
      r = spans.withUnsafeMutableBufferPointer { buf -> ScannedRecord in
        guard let b = buf.baseAddress else { return r }
        return scanner.scanRecord(at: pos, spans: b, capacity: buf.count)
      }
    }
    if r.unterminatedQuote >= 0 { break }
    pos = r.next
    if r.fieldCount == 0 { continue }
    for k in 0..<r.fieldCount {
      let bytes = try fieldBytes(spans[k], scanner: scanner, scratch: scratch)
      guard let base = bytes.baseAddress else { continue }
      let isNull = nulls.isNull(base, bytes.count)
      if records == 0 {
        firstShapes.append(isNull ? nil : fieldShape(base, bytes.count))
      } else if k < firstShapes.count && !isNull {
        while body.count <= k { body.append(ColumnInference()) }
        body[k].add(fieldShape(base, bytes.count))
      }
    }
    records += 1
  }
  // Evidence for: a text name over a numeric column.
  for (k, shape) in firstShapes.enumerated() {
    guard let s = shape, k < body.count else { continue }
    let isText = s.intersection(.inferable).isEmpty
    let (type, _) = body[k].decide(dialect: dialect)
    if isText && (type == .int || type == .float) { return true }
  }
  // Evidence against: a value that reads as data.
  for shape in firstShapes {
    guard let s = shape else { continue }
    if s.contains(.leadingZero) || !s.intersection(.inferable).isEmpty { return false }
  }
  return true
}
