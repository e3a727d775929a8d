// Calendar arithmetic for the `date` type: a date is stored as an `Int64` count of days since
// 1970-01-01 (negative before), in the proleptic Gregorian calendar. Int64 rather than Int32 so
// that date columns share the integer buffers, kernels, sort keys and hashing; the range the
// language accepts is years 1…9999 (what `YYYY-MM-DD` can write).

/// Days-since-epoch helpers for the `date` type (Howard Hinnant's civil-calendar algorithms).
public enum CalendarDate {
  /// The smallest day number the language produces: 0001-01-01.
  public static let minDay: Int64 = -719_162
  /// The largest day number the language produces: 9999-12-31.
  public static let maxDay: Int64 = 2_932_896

  /// Whether `year` is a Gregorian leap year.
  @inline(__always)
  public static func isLeap(_ year: Int64) -> Bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
  }

  /// The number of days in `month` (1…12) of `year`, 0 for a month out of range.
  public static func daysInMonth(_ year: Int64, _ month: Int64) -> Int64 {
    switch month {
    case 1, 3, 5, 7, 8, 10, 12: return 31
    case 4, 6, 9, 11: return 30
    case 2: return isLeap(year) ? 29 : 28
    default: return 0
    }
  }

  /// The day number of a calendar date, or nil when it is not a valid date of years 1…9999
  /// (`31/02/2024`, month 13, year 0).
  public static func days(year: Int64, month: Int64, day: Int64) -> Int64? {
    guard year >= 1 && year <= 9999, month >= 1 && month <= 12,
          day >= 1 && day <= daysInMonth(year, month) else { return nil }
    return unchecked(year: year, month: month, day: day)
  }

  /// The day number of a date known to be valid.
  @inline(__always)
  public static func unchecked(year: Int64, month: Int64, day: Int64) -> Int64 {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = (month + 9) % 12
    let doy = (153 * mp + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
  }

  /// Year, month (1…12) and day (1…31) of a day number.
  @inline(__always)
  public static func civil(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
  }

  /// ISO weekday: Monday = 1 … Sunday = 7 (1970-01-01 was a Thursday).
  @inline(__always)
  public static func weekday(_ days: Int64) -> Int64 {
    let w = (days + 3) % 7  // 0 = Monday
    return (w < 0 ? w + 7 : w) + 1
  }

  /// Which written form a text is in, if either.
  public enum Form: Sendable { case iso, french }

  /// Parses `YYYY-MM-DD` or `DD/MM/YYYY` (day first) exactly — no spaces, two-digit day and
  /// month, four-digit year. Returns the form and the day number, the day number nil when the
  /// text has a date's shape but is not a calendar date (`31/02/2024`); nil when it has neither
  /// shape.
  public static func parseShape(_ bytes: UnsafeBufferPointer<UInt8>) -> (form: Form, days: Int64?)? {
    guard bytes.count == 10 else { return nil }
    @inline(__always) func digit(_ i: Int) -> Int64? {
      let c = bytes[i]
      return c >= 48 && c <= 57 ? Int64(c - 48) : nil
    }
    @inline(__always) func number(_ from: Int, _ n: Int) -> Int64? {
      var v: Int64 = 0
      for i in from..<(from + n) {
        guard let d = digit(i) else { return nil }
        v = v * 10 + d
      }
      return v
    }
    if bytes[4] == 45 && bytes[7] == 45 {  // YYYY-MM-DD
      guard let y = number(0, 4), let m = number(5, 2), let d = number(8, 2) else { return nil }
      return (.iso, days(year: y, month: m, day: d))
    }
    if bytes[2] == 47 && bytes[5] == 47 {  // DD/MM/YYYY
      guard let d = number(0, 2), let m = number(3, 2), let y = number(6, 4) else { return nil }
      return (.french, days(year: y, month: m, day: d))
    }
    return nil
  }

  /// The day number of a text in either form, nil when it is not a valid date.
  public static func parse(_ text: String) -> Int64? {
    var s = text
    return s.withUTF8 { parseShape($0)?.days }
  }

  /// `YYYY-MM-DD`.
  public static func iso(_ days: Int64) -> String {
    let (y, m, d) = civil(days)
    return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2)
  }

  /// `DD/MM/YYYY` (the `excel-fr` dialect).
  public static func french(_ days: Int64) -> String {
    let (y, m, d) = civil(days)
    return pad(d, 2) + "/" + pad(m, 2) + "/" + pad(y, 4)
  }

  private static func pad(_ v: Int64, _ width: Int) -> String {
    let s = String(v)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
  }
}
