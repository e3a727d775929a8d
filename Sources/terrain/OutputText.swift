import Foundation

/// `text` as one argument of a dot command: in double quotes when it holds a blank or a quote.
func quotedArgument(_ text: String) -> String {
  text.contains(where: { $0 == " " || $0 == "\t" || $0 == "\"" || $0 == "'" }) ? "\"" + text + "\"" : text
}

/// Writes the UTF-8 bytes of `s` to `file`, NULs included; a short write to the standard
/// output records its error in `resultsWriteError`.
func writeBytes(_ s: String, to file: UnsafeMutablePointer<FILE>) {
  var text = s
  text.withUTF8 { bytes in
    guard let base = bytes.baseAddress else { return }
    if fwrite(base, 1, bytes.count, file) < bytes.count && file == stdout && resultsWriteError == 0 {
      resultsWriteError = errno
    }
  }
}
