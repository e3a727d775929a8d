// `load`: reading a CSV file into a columnar table in two passes over its bytes.
//
// The file is mapped, not copied. Pass 1 finds the records, checks their field counts and
// infers each column's type from its values: a column that reads as int or float after a
// sample of rows is no longer inferred there, pass 2 checks each of its values instead, and
// the first value that would have changed the type starts the load again with every value
// inferred (so the types are always those of full inference). Pass 2 parses every field straight into
// preallocated typed buffers (rows are written at their index, chunk by chunk from
// checkpoints taken in pass 1), dropping the parsed pages of the mapping as it goes. From
// 4 MB on, both passes run on two threads over the two halves of the file, with the same
// results, errors and text codes as one thread. No row or field ever becomes a `String`
// except distinct text values, interned once.

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import Dispatch
import TerrainStorage
import TerrainSyntax

/// Loads the CSV file at `path` (a leading `~/` is the home folder).
///
/// - Throws: `LoadError` when the file cannot be read or is malformed (nothing is loaded),
///   `CancelledError` when `cancel` is set while loading.
public func loadCSV(path: String, options: LoadOptions, cancel: CancellationFlag? = nil) throws -> LoadResult {
  var csv = options
  csv.format = "csv"
  return try loadFile(path: path, options: csv, cancel: cancel)
}

/// Loads CSV from bytes in memory; `name` stands for the file in errors.
public func loadCSV(
  bytes: UnsafeRawBufferPointer, name: String, options: LoadOptions, cancel: CancellationFlag? = nil
) throws -> LoadResult {
  try CSVReader(name: name, options: options, cancel: cancel).load(FileBytes(borrowing: bytes))
}

/// Loads CSV from `bytes` as the format registry hands them over: a mapped file's pages then
/// leave memory once parsed (borrowed bytes stay until the caller frees them).
package func loadCSV(
  fileBytes bytes: FileBytes, name: String, options: LoadOptions, cancel: CancellationFlag? = nil
) throws -> LoadResult {
  try CSVReader(name: name, options: options, cancel: cancel).load(bytes)
}

/// Rows per pass-2 chunk (a variable for tests).
nonisolated(unsafe) package var csvRowsPerCheckpoint = 1 << 16
/// Files from this size on are read on two threads (below, threads cost more than they
/// save); a variable for tests.
nonisolated(unsafe) package var csvParallelThreshold = 4 << 20
/// Rows read before an int or float column's type is settled and left to pass 2 to check
/// (a variable for tests; `Int.max` infers every value in pass 1).
nonisolated(unsafe) package var csvInferenceSampleRows = 10_000
/// Parsed bytes of a mapped file are dropped from memory in steps of this size.
private let releaseStep = 2 << 20
private let rowsPerCancelCheck = 4096
/// The most columns a loaded table may have (a 200 MB line of `1,` is not a header).
package let maximumColumnCount = 1_000_000
/// The memory one column of a CSV file takes in each lane of pass 2 besides its values, about
/// (measured: 1.4 GB of peak memory in all for 900,000 text columns of 40 rows in two lanes).
let csvBytesPerColumn = 640

/// One load: options, the bytes, what the passes learn.
private final class CSVReader {
  let name: String
  let options: LoadOptions
  let cancel: CancellationFlag?
  var notices: [String] = []

  init(name: String, options: LoadOptions, cancel: CancellationFlag?) {
    self.name = name
    self.options = options
    self.cancel = cancel
  }

  func fail(_ entry: DiagnosticMessage, _ arguments: String...) -> LoadError {
    var e = LoadError(path: name, line: 0, column: 0, entry)
    e.arguments = arguments
    return e
  }

  /// The table of `raw`; a buffer that the file's content would grow beyond the memory
  /// available ends the load with an error naming the file, not a stop of the process.
  func load(_ raw: FileBytes) throws -> LoadResult {
    try failingAllocationsAsLoadErrors(path: name) { try loadUnchecked(raw) }
  }

  private func loadUnchecked(_ raw: FileBytes) throws -> LoadResult {
    // Options.
    guard let encoding = CSVEncodingChoice(name: options.encoding) else {
      throw fail(.unknownEncoding, options.encoding ?? "")
    }
    let quote = options.quote ?? UInt8(ascii: "\"")
    if quote == 0x0A || quote == 0x0D || quote >= 0x80 {
      throw fail(.badQuote)
    }
    if let s = options.separator, s == 0x0A || s == 0x0D || s == quote || s >= 0x80 {
      throw fail(.badSeparator)
    }
    if let d = options.decimal, d != UInt8(ascii: ".") && d != UInt8(ascii: ",") {
      throw fail(.badDecimalMark)
    }
    let thousands = options.thousands.flatMap { $0.utf8.count == 1 ? $0.utf8.first : nil }
    if let t = thousands, t == options.decimal || t == options.separator {
      throw fail(.thousandsClash, describe(t))
    }
    let grouping = DigitGrouping(explicit: thousands)

    // Bytes as UTF-8.
    let (bytes, start) = try decodeToUTF8(raw, encoding: encoding, path: name, notices: &notices)
    // `p` points into `bytes`, which must outlive every use of it.
    defer { withExtendedLifetime(bytes) {} }
    let p = bytes.base
    let end = bytes.count
    var first = start
    // `skip = N`: title lines before the header (raw lines: a quote there means nothing).
    if let n = options.skip, n > 0 {
      var skipped = 0
      while skipped < n && first < end {
        first = lineStart(after: first, p: p, end: end)
        skipped += 1
      }
      if first >= end { throw fail(.skipPastEnd, String(n)) }
    }
    while first < end && (p[first] == 0x0A || p[first] == 0x0D) { first += 1 }
    if first >= end { throw fail(.emptyFile) }

    // Excel's "sep=;" first line names the separator.
    var declaredSeparator: UInt8?
    if first + 5 <= end, p[first] | 0x20 == UInt8(ascii: "s"), p[first + 1] | 0x20 == UInt8(ascii: "e"),
      p[first + 2] | 0x20 == UInt8(ascii: "p"), p[first + 3] == UInt8(ascii: "="),
      first + 5 == end || p[first + 5] == 0x0A || p[first + 5] == 0x0D
    {
      let s = p[first + 4]
      if s != 0x0A && s != 0x0D && s != quote && s < 0x80 {
        declaredSeparator = s
        first += 5
        while first < end && (p[first] == 0x0A || p[first] == 0x0D) { first += 1 }
        if first >= end { throw fail(.emptyFile) }
      }
    }

    // Dialect.
    let nulls = NullMarkers(options.nulls ?? LoadOptions.defaultNulls)
    let separator = options.separator ?? declaredSeparator
      ?? sniffSeparator(p, start: first, end: end, quote: quote)
    var dialect = CSVDialect(separator: separator, quote: quote, header: true, forcedDecimal: options.decimal)
    dialect.header = try options.header ?? sniffHeader(p, start: first, end: end, dialect: dialect, nulls: nulls)
    let scanner = CSVScanner(p: p, end: end, separator: separator, quote: quote)
    let scratch = ScratchBytes()

    // First record: the number of columns, and their names.
    var probe = FieldSpan(start: 0, end: 0, kind: 0)
    let r0 = scanner.scanRecord(at: first, spans: &probe, capacity: 0)
    if r0.unterminatedQuote >= 0 {
      throw positioned(r0.unterminatedQuote, in: p, end: end, from: start, .unterminatedQuote, describe(quote))
    }
    let columnCount = r0.fieldCount
    if columnCount > maximumColumnCount {
      throw fail(.tooManyColumns, groupedCount(columnCount), groupedCount(maximumColumnCount))
    }
    let spans = UnsafeMutablePointer<FieldSpan>.allocate(capacity: columnCount + 1)
    defer { spans.deallocate() }
    spans.initialize(repeating: FieldSpan(start: 0, end: 0, kind: 0), count: columnCount + 1)
    _ = scanner.scanRecord(at: first, spans: spans, capacity: columnCount + 1)
    var rawNames: [String] = []
    for k in 0..<columnCount {
      if dialect.header {
        let b = try fieldBytes(spans[k], scanner: scanner, scratch: scratch)
        rawNames.append(trimmed(String(decoding: UnsafeRawBufferPointer(b), as: UTF8.self)))
      } else {
        rawNames.append("column\(k + 1)")
      }
    }
    let names = uniqueNames(rawNames)
    let dataStart = dialect.header ? r0.next : first

    // Forced types.
    var forced = [DataType?](repeating: nil, count: columnCount)
    for (columnName, type) in options.types.sorted(by: { $0.key < $1.key }) {
      guard let k = names.firstIndex(of: columnName) else {
        throw fail(.typesUnknownColumn, columnName, names.joined(separator: ", "))
      }
      forced[k] = type
    }

    // Names that say "code" keep the column text when its values are all int, so such a
    // column's type cannot be checked value by value in pass 2: inferred in full.
    let codeNamed = names.map(looksLikeCodeName)
    /// Passes 1 and 2 over the data rows; with `speculate`, int and float columns are
    /// inferred from a sample and checked in pass 2 (`InferenceContradicted` when a value
    /// does not fit).
    func readRows(speculate: Bool) throws -> LoadResult {
      // Pass 1: records, field counts, types; on both cores for larger files (the second half
      // read from the line start after its middle, kept only if the first half ends there).
      let context = Pass1Context(
        scanner: scanner, columnCount: columnCount, forced: forced, names: names, nulls: nulls, dialect: dialect,
        start: start, skipBadRows: options.skipBadRows, grouping: grouping,
        suggestSkip: options.skip == nil, sampleRows: speculate ? max(1, csvInferenceSampleRows) : Int.max,
        codeNamed: codeNamed, bytes: bytes)
      let head = Pass1Part(columnCount: columnCount, forced: forced, from: dataStart)
      defer { head.free() }
      var split = end
      // A forced float column's check depends on the values before it: read in order then.
      if end - dataStart >= csvParallelThreshold && !forced.contains(.float) {
        split = lineStart(after: dataStart + (end - dataStart) / 2, p: p, end: end)
      }
      if split < end {
        let tail = Pass1Part(columnCount: columnCount, forced: forced, from: split)
        defer { tail.free() }
        performConcurrently(iterations: 2) { i in
          let part = i == 0 ? head : tail
          do { try self.scanRecords(part, limit: i == 0 ? split : end, context: context) } catch { part.error = error }
        }
        if let error = head.error { throw error }
        if head.pos == split {
          if let error = tail.error { throw error }
          head.append(tail)
        } else {
          // The middle was inside a quoted field: read the rest in order.
          try scanRecords(head, limit: end, context: context)
        }
      } else {
        try scanRecords(head, limit: end, context: context)
      }
      let inference = head.inference
      let skipped = head.skipped
      let checkpoints = head.checkpoints
      let rowCount = head.rowCount
      let sampled = head.sampled

      // Types.
      var fields: [Field] = []
      var outputs: [(DataType, UInt8)] = []
      var checked: [Bool] = []
      for k in 0..<columnCount {
        var type: DataType
        var decimal = UInt8(ascii: ".")
        if let f = forced[k] {
          type = f
          if f == .float { decimal = inference[k].forcedFloatDecimal(dialect: dialect) }
        } else {
          (type, decimal) = inference[k].decide(dialect: dialect)
          if type == .int && codeNamed[k] { type = .text }
        }
        fields.append(Field(name: names[k], type: type))
        outputs.append((type, decimal))
        // A column left after the sample is int or float (or text, which no value can change).
        checked.append(sampled[k] && (type == .int || type == .float))
      }

      // Pass 2: values, chunk by chunk; on both cores over two row ranges for larger files.
      let laneCount = end - dataStart >= csvParallelThreshold && checkpoints.count >= 2 ? 2 : 1
      // What each column costs besides its values (its lanes' targets and dictionaries, its
      // column and field): a file of a million one-letter columns needs over a gigabyte for
      // that alone, refused here like any other allocation the memory cannot give.
      let (overhead, overflow) = columnCount.multipliedReportingOverflow(by: csvBytesPerColumn * laneCount)
      try checkRoom(for: overflow ? -1 : overhead)
      let writer = try CSVColumnWriter(columns: outputs, rowCount: rowCount, grouping: grouping, checked: checked)
      let lanes = try writer.makeLanes(laneCount)
      // Lane i takes checkpoints bounds[i]..<bounds[i + 1], about the same number of rows each.
      var bounds = [0]
      for i in 1..<laneCount {
        let target = rowCount * i / laneCount
        var c = bounds[i - 1] + 1
        while c + 1 < checkpoints.count && checkpoints[c].row < target { c += 1 }
        bounds.append(c)
      }
      bounds.append(checkpoints.count)
      let runLane = { (l: Int) throws in
        let lane = lanes[l]
        let laneScratch = l == 0 ? scratch : ScratchBytes()
        var released = bounds[l] < checkpoints.count ? checkpoints[bounds[l]].offset : end
        for i in bounds[l]..<bounds[l + 1] {
          let c = checkpoints[i]
          let next = i + 1 < checkpoints.count ? checkpoints[i + 1] : nil
          let rows = (next?.row ?? rowCount) - c.row
          try writer.fill(
            lane: lane, scanner: scanner, from: c.offset, firstRow: c.row, count: rows, skipped: skipped,
            skippedIndex: c.skipped, nulls: nulls, scratch: laneScratch, cancel: self.cancel)
          // Parsed bytes leave memory (a mapped file's pages only).
          let upTo = next?.offset ?? end
          if upTo - released >= releaseStep || next == nil {
            bytes.release(from: released, to: upTo)
            released = upTo
          }
        }
      }
      if laneCount == 1 {
        try runLane(0)
      } else {
        var errors = [Error?](repeating: nil, count: laneCount)
        errors.withUnsafeMutableBufferPointer { errs in
          let e = errs
          performConcurrently(iterations: laneCount) { l in
            do { try runLane(l) } catch { e[l] = error }
          }
        }
        let thrown = errors.compactMap { $0 }
        if let error = thrown.first(where: { !($0 is InferenceContradicted) }) ?? thrown.first { throw error }
        try writer.merge()
      }
      // A number pass 1 read as such but beyond its type's range (`1e400`): an error at it,
      // not a silent null.
      if let unfit = lanes.map(\.firstUnfit).min(by: { $0.offset < $1.offset }), unfit.offset != Int.max {
        let column = names.indices.contains(unfit.column) ? names[unfit.column] : "?"
        let entry: DiagnosticMessage = fields.indices.contains(unfit.column) && fields[unfit.column].type == .int
          ? .integerBeyondRange : .floatBeyondRange
        throw positioned(unfit.offset, in: p, end: end, from: start, entry, column)
      }
      let columns = writer.finish()

      let groupedColumns = (0..<columnCount).filter {
        (inference[$0].grouped || writer.readGroups($0)) && (fields[$0].type == .int || fields[$0].type == .float)
      }
      if !groupedColumns.isEmpty {
        let list = groupedColumns.prefix(6).map { names[$0] }.joined(separator: ", ") + (groupedColumns.count > 6 ? ", …" : "")
        notices.append(DiagnosticText.readDigitGroups(list).string)
      }
      if columnCount == 1, let hint = likelySeparator(p, from: first, end: end, used: separator, quote: quote) {
        notices.append(DiagnosticText.oneColumnHint(describe(hint), describe(hint)).string)
      }

      if !skipped.isEmpty {
        let shown = lineNumbers(of: skipped.prefix(5).map(\.start), in: p, end: end, from: start)
        let list = shown.map(String.init).joined(separator: ", ") + (skipped.count > 5 ? ", …" : "")
        notices.append((skipped.count == 1 ? DiagnosticText.skippedMalformedRow(list) : .skippedMalformedRows(groupedCount(skipped.count), list)).string)
      }
      return LoadResult(table: Table(fields: fields, columns: columns, rowCount: rowCount), notices: notices)
    }

    // Sampling needs every value's shape to be checkable by pass 2's parsers alone (digit
    // groups named by the user change how every field is read: inferred in full).
    var speculate = grouping.explicit == nil && csvInferenceSampleRows < Int.max
    while true {
      do {
        return try readRows(speculate: speculate)
      } catch is InferenceContradicted where speculate {
        // A value after the sample does not fit the sampled type: every value inferred.
        speculate = false
      }
    }
  }

  /// Reads records from `part.pos` until `limit` (or just past it: the record there ends
  /// where it ends), counting rows, taking checkpoints, checking field counts and forced
  /// types, and inferring types; throws the first error met.
  fileprivate func scanRecords(_ part: Pass1Part, limit: Int, context c: Pass1Context) throws {
    let scanner = c.scanner
    let p = scanner.p
    let end = scanner.end
    let columnCount = c.columnCount
    let forced = c.forced
    let nulls = c.nulls
    let inference = part.inference
    let spans = UnsafeMutablePointer<FieldSpan>.allocate(capacity: columnCount + 1)
    defer { spans.deallocate() }
    spans.initialize(repeating: FieldSpan(start: 0, end: 0, kind: 0), count: columnCount + 1)
    let scratch = ScratchBytes()
    let groupScratch = ScratchBytes()
    let grouping = c.grouping
    var active = part.active
    var rowCount = part.rowCount
    var pos = part.pos
    defer {
      part.active = active
      part.rowCount = rowCount
      part.pos = pos
    }
    let rowsPerCheckpoint = csvRowsPerCheckpoint
    var sinceCheck = 0
    var released = pos
    while pos < limit {
      sinceCheck += 1
      if sinceCheck >= rowsPerCancelCheck {
        sinceCheck = 0
        if cancel?.isCancelled == true { throw CancelledError() }
        if pos - released >= releaseStep {
          c.bytes.release(from: released, to: pos)
          released = pos
        }
      }
      if active.isEmpty, let plain = scanner.plainRecord(at: pos), plain.fieldCount == columnCount {
        // Nothing left to infer or check: the record is only counted.
        if rowCount % rowsPerCheckpoint == 0 {
          part.checkpoints.append(RowCheckpoint(offset: pos, row: rowCount, skipped: part.skipped.count))
        }
        rowCount += 1
        pos = plain.next
        continue
      }
      let r = scanner.scanRecord(at: pos, spans: spans, capacity: columnCount + 1)
      if r.fieldCount == 0 {
        pos = r.next
        continue
      }
      if r.unterminatedQuote >= 0 {
        if c.skipBadRows {
          let resume = scanner.lineAfter(r.unterminatedQuote)
          part.skipped.append(SkippedRecord(start: pos, resume: resume))
          pos = resume
          continue
        }
        throw positioned(r.unterminatedQuote, in: p, end: end, from: c.start, .unterminatedQuote, describe(scanner.quote))
      }
      if r.fieldCount != columnCount {
        if c.skipBadRows {
          part.skipped.append(SkippedRecord(start: pos, resume: r.next))
          pos = r.next
          continue
        }
        // A one-field first line followed by wider rows: title lines above the real header.
        if columnCount == 1 && c.dialect.header && c.suggestSkip && r.fieldCount > 1 {
          let line = linePosition(of: pos, in: p, count: end, from: c.start).line
          throw positioned(pos, in: p, end: end, from: c.start, .titleLinesBeforeHeader,
            arguments: [String(r.fieldCount), String(line - 1)])
        }
        let at = r.fieldCount > columnCount ? spans[columnCount].rawStart : r.contentEnd
        let entry: DiagnosticMessage = c.dialect.header
          ? (r.fieldCount == 1 ? .oneFieldNotAsHeader : .fieldCountNotAsHeader)
          : (r.fieldCount == 1 ? .oneFieldNotAsFirstRow : .fieldCountNotAsFirstRow)
        let counts = r.fieldCount == 1 ? [String(columnCount)] : [String(r.fieldCount), String(columnCount)]
        throw positioned(at, in: p, end: end, from: c.start, entry, arguments: counts)
      }
      if rowCount % rowsPerCheckpoint == 0 {
        part.checkpoints.append(RowCheckpoint(offset: pos, row: rowCount, skipped: part.skipped.count))
      }
      var closed = false
      for k in active {
        let span = spans[k]
        let b = try fieldBytes(span, scanner: scanner, scratch: scratch)
        guard let base = b.baseAddress, !nulls.isNull(base, b.count) else { continue }
        var shape = fieldShape(base, b.count)
        // `1 234`: a number once its digit groups are taken out (any field when the user named
        // the separator, since `1.234` is also a number without it).
        if grouping.explicit != nil || shape.isEmpty {
          let out = try groupScratch.reserve(b.count)
          if let m = grouping.ungroup(base, b.count, into: out) {
            let ungrouped = fieldShape(out, m)
            if !ungrouped.isEmpty { shape = ungrouped.union(.grouped) }
          }
        }
        if let type = forced[k] {
          try check(shape, forced: type, column: k, names: c.names, span: span, value: b,
                    inference: &inference[k], dialect: c.dialect, p: p, end: end, start: c.start)
        } else {
          inference[k].add(shape)
          if !inference[k].isOpen { closed = true }
        }
      }
      if closed { active = active.filter { forced[$0] != nil || inference[$0].isOpen } }
      rowCount += 1
      pos = r.next
      if rowCount == c.sampleRows {
        // The sample is read: int and float columns are now pass 2's to check.
        for k in active where c.settles(k, inference[k]) { part.sampled[k] = true }
        active = active.filter { !part.sampled[$0] }
      }
    }
  }

  /// Checks a value of a column whose type is forced.
  private func check(
    _ shape: FieldShape, forced type: DataType, column k: Int, names: [String], span: FieldSpan,
    value: UnsafeBufferPointer<UInt8>, inference: inout ColumnInference, dialect: CSVDialect,
    p: UnsafePointer<UInt8>, end: Int, start: Int
  ) throws {
    let ok: Bool
    switch type {
    case .text: ok = true
    case .int: ok = shape.contains(.intSyntax)
    case .bool: ok = shape.contains(.bool) || shape.contains(.zeroOrOne)
    case .date: ok = shape.contains(.dateShape)
    case .float:
      if !shape.contains(.pointNumber) { inference.pointOK = false }
      if !shape.contains(.commaNumber) { inference.commaOK = false }
      ok = (inference.pointOK && dialect.allowsDecimalPoint) || (inference.commaOK && dialect.allowsDecimalComma)
    }
    if ok { return }
    var text = String(decoding: UnsafeRawBufferPointer(value), as: UTF8.self)
    if text.count > 40 { text = String(text.prefix(40)) + "…" }
    let mixedMarks = type == .float && (shape.contains(.pointNumber) || shape.contains(.commaNumber))
    let entry: DiagnosticMessage
    switch type {
    case .int: entry = .valueNotInt
    case .float: entry = mixedMarks ? .valueNotFloatMixedMarks : .valueNotFloat
    case .bool: entry = .valueNotBool
    case .text: entry = .valueNotText
    case .date: entry = .valueNotDate
    }
    throw positioned(span.rawStart, in: p, end: end, from: start, entry, text, names[k])
  }

  private func positioned(
    _ offset: Int, in p: UnsafePointer<UInt8>, end: Int, from: Int, _ entry: DiagnosticMessage, _ arguments: String...
  ) -> LoadError {
    positioned(offset, in: p, end: end, from: from, entry, arguments: arguments)
  }

  private func positioned(
    _ offset: Int, in p: UnsafePointer<UInt8>, end: Int, from: Int, _ entry: DiagnosticMessage, arguments: [String]
  ) -> LoadError {
    let (line, column) = linePosition(of: offset, in: p, count: end, from: from)
    var e = LoadError(path: name, line: line, column: column, entry)
    e.arguments = arguments
    return e
  }

  /// The separator a one-column file probably has: the first of `;`, tab, `|`, `,` found
  /// outside quotes on its first line, other than the one used.
  private func likelySeparator(_ p: UnsafePointer<UInt8>, from: Int, end: Int, used: UInt8, quote: UInt8) -> UInt8? {
    var counts: [UInt8: Int] = [:]
    var inQuotes = false
    var i = from
    while i < end && p[i] != 0x0A && p[i] != 0x0D {
      let b = p[i]
      if b == quote {
        inQuotes.toggle()
      } else if !inQuotes && b != used && (b == UInt8(ascii: ";") || b == 9 || b == UInt8(ascii: "|") || b == UInt8(ascii: ",")) {
        counts[b, default: 0] += 1
      }
      i += 1
    }
    return [UInt8(ascii: ";"), 9, UInt8(ascii: "|"), UInt8(ascii: ",")].first { counts[$0] != nil }
  }

  private func describe(_ quote: UInt8) -> String {
    if quote == 9 { return "\"\\t\"" }
    return quote == UInt8(ascii: "\"") ? "'\"'" : "\"\(Character(Unicode.Scalar(quote)))\""
  }

  /// Names made unique: an empty name becomes `column<k>`, a repeated one `name_2`, `name_3`…
  private func uniqueNames(_ raw: [String]) -> [String] {
    var taken = Set(raw.filter { !$0.isEmpty })
    var seen = Set<String>()
    // The next suffix to try per base name, so that 20,000 copies of one name stay linear.
    var nextSuffix: [String: Int] = [:]
    var result: [String] = []
    result.reserveCapacity(raw.count)
    var renamed: [String] = []
    var renamedCount = 0
    func fresh(_ base: String, first: Int) -> String {
      var n = max(first, nextSuffix[base] ?? first)
      while taken.contains("\(base)_\(n)") || seen.contains("\(base)_\(n)") { n += 1 }
      nextSuffix[base] = n + 1
      return "\(base)_\(n)"
    }
    for (k, name) in raw.enumerated() {
      var final = name
      if name.isEmpty {
        final = "column\(k + 1)"
        if taken.contains(final) || seen.contains(final) { final = fresh(final, first: 2) }
        renamedCount += 1
        if renamed.count < 5 { renamed.append(DiagnosticText.renamedEmptyName(final).string) }
      } else if seen.contains(name) {
        final = fresh(name, first: 2)
        renamedCount += 1
        if renamed.count < 5 { renamed.append(DiagnosticText.renamedDuplicate(name, final).string) }
      }
      seen.insert(final)
      taken.insert(final)
      result.append(final)
    }
    if renamedCount > 0 {
      let more = renamedCount > renamed.count ? DiagnosticText.andMore(String(renamedCount - renamed.count)).string : ""
      let list = renamed.joined(separator: ", ") + more
      notices.append((renamedCount == 1 ? DiagnosticText.renamedColumn(list) : .renamedColumns(list)).string)
    }
    return result
  }
}

/// `s` without surrounding spaces and tabs.
private func trimmed(_ s: String) -> String {
  var sub = Substring(s)
  while let f = sub.first, f == " " || f == "\t" { sub = sub.dropFirst() }
  while let l = sub.last, l == " " || l == "\t" { sub = sub.dropLast() }
  return String(sub)
}

/// Line numbers of sorted offsets, in one scan.
private func lineNumbers(of offsets: [Int], in p: UnsafePointer<UInt8>, end: Int, from: Int) -> [Int] {
  var result: [Int] = []
  var line = 1
  var i = from
  for target in offsets {
    while i < target && i < end {
      let b = p[i]
      if b == 0x0A || (b == 0x0D && !(i + 1 < end && p[i + 1] == 0x0A)) { line += 1 }
      i += 1
    }
    result.append(line)
  }
  return result
}

/// What pass 1 reads with, shared by its parts.
private struct Pass1Context {
  let scanner: CSVScanner
  let columnCount: Int
  let forced: [DataType?]
  let names: [String]
  let nulls: NullMarkers
  let dialect: CSVDialect
  /// Where line 1 starts (for error positions).
  let start: Int
  let skipBadRows: Bool
  /// How numbers with digit groups (`1 234`) are recognised.
  let grouping: DigitGrouping
  /// Whether a one-column header followed by wider rows suggests `skip` (not when given).
  let suggestSkip: Bool
  /// Rows of a part after which its int and float columns are no longer inferred (`Int.max`:
  /// every value inferred).
  let sampleRows: Int
  /// Columns whose name makes an int column text (`looksLikeCodeName`): always inferred.
  let codeNamed: [Bool]
  /// The bytes read, whose pages behind each part leave memory as it goes (a mapped file's:
  /// pass 2 reads them back from the page cache), so that the file and the columns are not
  /// all in memory at once.
  let bytes: FileBytes

  /// Whether column `k`, inferred as `inference` says so far, can be left to pass 2 to check:
  /// not forced, not named like a code, and read as int or float.
  func settles(_ k: Int, _ inference: ColumnInference) -> Bool {
    guard forced[k] == nil, !codeNamed[k], inference.sawValue else { return false }
    let type = inference.decide(dialect: dialect).0
    return type == .int || type == .float
  }
}

/// What pass 1 learns from one stretch of records.
private final class Pass1Part {
  let inference: UnsafeMutablePointer<ColumnInference>
  let columnCount: Int
  /// Columns whose values still need reading.
  var active: [Int]
  /// Columns whose type was settled after the sample (checked by pass 2).
  var sampled: [Bool]
  var skipped: [SkippedRecord] = []
  /// Rows counted from the part's start.
  var checkpoints: [RowCheckpoint] = []
  var rowCount = 0
  /// Where reading stopped (or resumes).
  var pos: Int
  var error: Error?

  init(columnCount: Int, forced: [DataType?], from: Int) {
    self.columnCount = columnCount
    inference = UnsafeMutablePointer<ColumnInference>.allocate(capacity: columnCount + 1)
    inference.initialize(repeating: ColumnInference(), count: columnCount + 1)
    active = (0..<columnCount).filter { forced[$0] != .text }
    sampled = [Bool](repeating: false, count: columnCount)
    pos = from
  }

  func free() { inference.deallocate() }

  /// Takes in the part that follows this one (which started where this one stopped).
  func append(_ next: Pass1Part) {
    for k in 0..<columnCount {
      let a = inference[k]
      let b = next.inference[k]
      inference[k].possible = a.possible.intersection(b.possible)
      inference[k].sawValue = a.sawValue || b.sawValue
      inference[k].pointOK = a.pointOK && b.pointOK
      inference[k].commaOK = a.commaOK && b.commaOK
      inference[k].grouped = a.grouped || b.grouped
      sampled[k] = sampled[k] || next.sampled[k]
    }
    let rows = rowCount
    let skips = skipped.count
    for c in next.checkpoints {
      checkpoints.append(RowCheckpoint(offset: c.offset, row: c.row + rows, skipped: c.skipped + skips))
    }
    skipped.append(contentsOf: next.skipped)
    rowCount += next.rowCount
    pos = next.pos
  }
}

/// A value after the sample does not have the type the sample gave its column: the load
/// starts again with every value inferred.
package struct InferenceContradicted: Error {
  package init() {}
}

/// The start of the line after the line end at or after `from` (`end` when none).
private func lineStart(after from: Int, p: UnsafePointer<UInt8>, end: Int) -> Int {
  var i = from
  while i < end && p[i] != 0x0A { i += 1 }
  return min(end, i + 1)
}
