// The float kernels of CVectorKernels: the AVX2 forms give the same bits as the baseline forms
// and as the Swift loops they replaced, on values chosen to hit every edge (NaN, ±inf, ±0,
// subnormals, huge and tiny magnitudes, masked rows holding infinities) and on lengths that
// leave every possible tail.

import XCTest
import CVectorKernels
import TerrainExecution

final class VectorKernelTests: XCTestCase {
  override func tearDown() {
    terrain_vector_kernels_force_baseline(0)
    super.tearDown()
  }

  /// Values from a fixed-seed generator, a fifth of them edge values.
  private func values(_ n: Int, seed: UInt64) -> [Double] {
    var state = seed
    func next() -> UInt64 {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return state >> 11
    }
    let edges: [Double] = [
      0, -0.0, .infinity, -.infinity, .nan, 1e308, -1e308, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, 2.2250738585072014e-308, 1, -1, 3, 0.1,
    ]
    return (0..<n).map { _ in
      let r = next()
      if r % 5 == 0 { return edges[Int(r / 5 % UInt64(edges.count))] }
      return Double(Int64(r % 2_000_001) - 1_000_000) / Double(1 + r % 977)
    }
  }

  private func validity(_ n: Int, seed: UInt64) -> [UInt8] {
    var state = seed
    return (0..<n).map { _ in
      state = state &* 2_862_933_555_777_941_757 &+ 3_037_000_493
      // Bytes other than 0 and 1 too: only the low bit counts.
      return UInt8(truncatingIfNeeded: state >> 56) & 0x03
    }
  }

  private func sameBits(_ a: [Double], _ b: [Double], file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, file: file, line: line)
    for i in a.indices where a[i].bitPattern != b[i].bitPattern && !(a[i].isNaN && b[i].isNaN) {
      XCTFail("row \(i): \(a[i]) != \(b[i])", file: file, line: line)
      return
    }
  }

  private let lengths = [0, 1, 3, 4, 5, 7, 8, 9, 31, 32, 33, 63, 2047, 2048]
  private let ops: [(terrain_f64_op, (Double, Double) -> Double)] = [
    (TERRAIN_F64_ADD, { $0 + $1 }), (TERRAIN_F64_SUBTRACT, { $0 - $1 }),
    (TERRAIN_F64_MULTIPLY, { $0 * $1 }), (TERRAIN_F64_DIVIDE, { $0 / $1 }),
  ]

  /// Runs `body` with the processor's own choice of forms, then with the baseline forced.
  private func bothForms<R>(_ body: () -> R) -> (chosen: R, baseline: R) {
    terrain_vector_kernels_force_baseline(0)
    let chosen = body()
    terrain_vector_kernels_force_baseline(1)
    let baseline = body()
    terrain_vector_kernels_force_baseline(0)
    return (chosen, baseline)
  }

  /// Runs a kernel writing `expected.count` results and its non-finite flag in both forms, and
  /// checks both against `expected` (bits) and its flag.
  private func checkBothForms(_ expected: [Double], _ what: String, _ kernel: (UnsafeMutablePointer<Double>) -> UInt64) {
    let expectedFlag = expected.reduce(UInt64(0)) { $0 | ($1 - $1).bitPattern }
    let (chosen, baseline) = bothForms { () -> ([Double], UInt64) in
      var out = [Double](repeating: 7, count: expected.count + 1)
      let flag = kernel(&out)
      return (Array(out.prefix(expected.count)), flag)
    }
    for (form, got) in [("chosen", chosen), ("baseline", baseline)] {
      sameBits(got.0, expected)
      XCTAssertEqual(got.1 != 0, expectedFlag != 0, "\(what), \(form) form")
    }
  }

  func testZipAndMapMatchSwiftBitForBit() {
    if terrain_vector_kernels_avx2() == 0 { print("VectorKernelTests: no AVX2 here, only the baseline forms are compared with Swift") }
    for n in lengths {
      let a = values(n, seed: UInt64(n) &+ 1)
      let b = values(n, seed: UInt64(n) &+ 99)
      for (op, f) in ops {
        checkBothForms(zip(a, b).map(f), "zip op \(op.rawValue) n \(n)") { terrain_f64_zip(op, n, a, b, $0) }
        for c in [1.1, -0.0, 0.0, 1e300, .infinity, .nan, 3] {
          checkBothForms(a.map { f($0, c) }, "map op \(op.rawValue) c \(c) n \(n)") { terrain_f64_map_constant(op, n, a, c, $0) }
        }
      }
    }
  }

  func testMaskedSumMatchesTheSwiftLoopBitForBit() {
    // The order of additions, spelled out: 1e16 in sum 0, a 1 in each other sum, and the ninth
    // row (past the last multiple of 8) in sum 0, where 1e16 + 1 rounds back to 1e16.
    let ordered = [1e16, 1, 1, 1, 1, 1, 1, 1, 1]
    let (chosen, baseline) = bothForms { () -> Double in
      var sum = 0.0
      var count: Int64 = 0
      terrain_f64_masked_sum(9, ordered, [UInt8](repeating: 1, count: 9), &sum, &count)
      return sum
    }
    XCTAssertEqual(chosen, 10_000_000_000_000_006)
    XCTAssertEqual(baseline, 10_000_000_000_000_006)
    for n in lengths + [4096 + 13] {
      // Moderate values of mixed magnitudes (where the order of additions shows in the last
      // bits), and the same with edges (±inf, NaN and 1e308 swamp the rest).
      let finite = values(n, seed: UInt64(n) &+ 5).enumerated().map { i, v in
        (v.magnitude < 1e300 ? v : 12.5) * [1.0, 1e-3, 3, 0.1, 7, 1e2, 0.5][i % 7]
      }
      for a in [finite, values(n, seed: UInt64(n) &+ 7)] {
        let valid = validity(n, seed: UInt64(n) &+ 3)
        let expected = a.withUnsafeBufferPointer { ap in
          valid.withUnsafeBufferPointer { vp -> (Double, Int64) in
            guard let pa = ap.baseAddress, let pv = vp.baseAddress else { return (0, 0) }
            return maskedSum(pa, pv, n) { $0 }
          }
        }
        let (chosen, baseline) = bothForms { () -> (Double, Int64) in
          var sum = 0.0
          var count: Int64 = 0
          terrain_f64_masked_sum(n, a, valid, &sum, &count)
          return (sum, count)
        }
        for got in [chosen, baseline] {
          XCTAssertEqual(got.1, expected.1, "count, n \(n)")
          if expected.0.isNaN {
            XCTAssertTrue(got.0.isNaN, "n \(n)")
          } else {
            XCTAssertEqual(got.0.bitPattern, expected.0.bitPattern, "n \(n): \(got.0) vs \(expected.0)")
          }
        }
      }
    }
  }

  func testRangeCountsMatchARowByRowCount() {
    let intEdges: [Int64] = [.min, .min + 1, -1, 0, 1, 1989, 1990, 1991, .max - 1, .max]
    for n in lengths + [64, 65, 127, 128, 129, 4096 + 7] {
      var state = UInt64(n) &+ 11
      func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state >> 7
      }
      let ints: [Int64] = (0..<n).map { _ in
        let r = next()
        return r % 4 == 0 ? intEdges[Int(r / 4 % UInt64(intEdges.count))] : 1900 + Int64(r % 125)
      }
      let ints2: [Int64] = (0..<n).map { _ in Int64(next() % 3) - 1 }
      let floats = values(n, seed: UInt64(n) &+ 17)
      let valid = validity(n, seed: UInt64(n) &+ 19)
      // (low, width) pairs: a plain range, one that wraps (v >= .min + 1 is width .max - 1…), a point.
      let intRanges: [(Int64, UInt64)] = [(1990, UInt64(bitPattern: Int64.max &- 1990)), (.min, UInt64.max), (0, 0), (-1, 1),
        (.min + 1, UInt64(bitPattern: Int64.max) &* 2), (.max, 0)]
      let floatRanges: [(Double, Double)] = [(500.nextUp, .infinity), (-.infinity, 0), (-0.0, 0.0), (1, -1), (-.infinity, .infinity)]
      ints.withUnsafeBufferPointer { ip in
        ints2.withUnsafeBufferPointer { jp in
          floats.withUnsafeBufferPointer { fp in
            guard let ip = ip.baseAddress, let jp = jp.baseAddress, let fp = fp.baseAddress else { return }
            for (low, width) in intRanges {
              for (flo, fhi) in floatRanges {
                var a = terrain_range_leaf(values: ip, is_float: 0, int_low: low, int_width: width, float_low: 0, float_high: 0)
                var b = terrain_range_leaf(values: fp, is_float: 1, int_low: 0, int_width: 0, float_low: flo, float_high: fhi)
                var c = terrain_range_leaf(values: jp, is_float: 0, int_low: 0, int_width: 0, float_low: 0, float_high: 0)
                var expectedTwo = 0, expectedThree = 0
                for i in 0..<n where valid[i] & 1 == 1 && UInt64(bitPattern: ints[i] &- low) <= width && floats[i] >= flo && floats[i] <= fhi {
                  expectedTwo += 1
                  if ints2[i] == 0 { expectedThree += 1 }
                }
                let (chosen, baseline) = bothForms { () -> (Int, Int) in
                  (terrain_count_ranges(n, valid, &a, &b, nil), terrain_count_ranges(n, valid, &b, &a, &c))
                }
                XCTAssertEqual(chosen.0, expectedTwo, "n \(n) int \(low)+\(width) float \(flo)…\(fhi)")
                XCTAssertEqual(baseline.0, expectedTwo, "n \(n) int \(low)+\(width) float \(flo)…\(fhi)")
                XCTAssertEqual(chosen.1, expectedThree, "n \(n) int \(low)+\(width) float \(flo)…\(fhi)")
                XCTAssertEqual(baseline.1, expectedThree, "n \(n) int \(low)+\(width) float \(flo)…\(fhi)")
              }
            }
          }
        }
      }
    }
  }
}
