// Float kernels whose best form needs instructions beyond baseline x86-64 (SSE2): each is
// compiled twice, for the baseline and for AVX2, and the AVX2 form is chosen at run time when
// the processor has it. Both forms give bit-identical results (same operations, same order of
// additions), so an answer never depends on the machine.

#ifndef TERRAIN_CVECTORKERNELS_H
#define TERRAIN_CVECTORKERNELS_H

#include <stdint.h>

/// An element-wise operation of `terrain_f64_zip` / `terrain_f64_map_constant`.
typedef enum {
  TERRAIN_F64_ADD = 0,
  TERRAIN_F64_SUBTRACT = 1,
  TERRAIN_F64_MULTIPLY = 2,
  TERRAIN_F64_DIVIDE = 3,
} terrain_f64_op;

/// out[i] = a[i] op b[i] for i < n. Returns non-zero bits when some result is ±inf or NaN
/// (the OR of (r - r) over the results), 0 when every result is finite.
uint64_t terrain_f64_zip(terrain_f64_op op, long n, const double *a, const double *b, double *out);

/// out[i] = a[i] op c for i < n; returns the same flag as `terrain_f64_zip`.
uint64_t terrain_f64_map_constant(terrain_f64_op op, long n, const double *a, double c, double *out);

/// The sum of a[i] over the rows i < n whose valid[i] has its low bit set, and their number.
///
/// Eight partial sums: row i goes to sum i % 8 (the rows past the last multiple of 8 to sum 0),
/// and the result is ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)). A row not counted adds
/// +0.0 (its bits are and-ed away), so an infinite value in a masked row changes nothing.
void terrain_f64_masked_sum(long n, const double *a, const uint8_t *valid, double *sum, int64_t *count);

/// One test of `terrain_count_ranges`: an int column's value v holds when
/// (uint64_t)(v - int_low) <= int_width (a closed range, wrapping subtraction), a float column's
/// when float_low <= v && v <= float_high (never for NaN).
typedef struct {
  const void *values;
  int is_float;
  int64_t int_low;
  uint64_t int_width;
  double float_low;
  double float_high;
} terrain_range_leaf;

/// The rows i < n where valid[i] has its low bit set and `a`, `b` and (when not NULL) `c` all
/// hold.
long terrain_count_ranges(long n, const uint8_t *valid, const terrain_range_leaf *a, const terrain_range_leaf *b,
  const terrain_range_leaf *c);

/// Whether the AVX2 forms are in use (for `.explain`-like diagnostics and tests); 0 or 1.
int terrain_vector_kernels_avx2(void);

/// Forces the baseline forms (1) or lets the processor decide again (0): for tests that check
/// both forms give the same bits.
void terrain_vector_kernels_force_baseline(int on);

#endif
