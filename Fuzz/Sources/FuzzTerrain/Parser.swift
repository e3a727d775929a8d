// Fuzz target (a): the lexer and the parser (with terrain's stages) on arbitrary bytes.
// Any input must end in a parse tree or a thrown Diagnostic; a trap, a stack overflow or
// a hang is a bug.
import TerrainPlanner
import TerrainSyntax

func fuzzParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  _ = try? Parser.parse(text, grammar: .terrain)
  return 0
}
