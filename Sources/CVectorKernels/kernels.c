// Two forms of each kernel (see CVectorKernels.h): baseline C, which the compiler vectorises
// with SSE2, and AVX2 intrinsics, chosen once per process by `__builtin_cpu_supports`.
//
// Contraction into fused multiply-adds is off: each operation rounds as the language says.

#include "CVectorKernels.h"

#include <string.h>

#pragma clang fp contract(off)

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define TERRAIN_HAVE_AVX2_FORMS 1
#include <immintrin.h>
#else
#define TERRAIN_HAVE_AVX2_FORMS 0
#endif

// ---------------------------------------------------------------- baseline forms

static inline uint64_t bits(double x) {
  uint64_t u;
  memcpy(&u, &x, sizeof u);
  return u;
}

static inline double from_bits(uint64_t u) {
  double x;
  memcpy(&x, &u, sizeof x);
  return x;
}

#define TERRAIN_ZIP_LOOP(EXPR)          \
  for (long i = 0; i < n; i++) {        \
    double r = (EXPR);                  \
    out[i] = r;                         \
    bad |= bits(r - r);                 \
  }

static uint64_t zip_baseline(terrain_f64_op op, long n, const double *a, const double *b, double *out) {
  uint64_t bad = 0;
  switch (op) {
  case TERRAIN_F64_ADD: TERRAIN_ZIP_LOOP(a[i] + b[i]) break;
  case TERRAIN_F64_SUBTRACT: TERRAIN_ZIP_LOOP(a[i] - b[i]) break;
  case TERRAIN_F64_MULTIPLY: TERRAIN_ZIP_LOOP(a[i] * b[i]) break;
  case TERRAIN_F64_DIVIDE: TERRAIN_ZIP_LOOP(a[i] / b[i]) break;
  }
  return bad;
}

static uint64_t map_baseline(terrain_f64_op op, long n, const double *a, double c, double *out) {
  uint64_t bad = 0;
  switch (op) {
  case TERRAIN_F64_ADD: TERRAIN_ZIP_LOOP(a[i] + c) break;
  case TERRAIN_F64_SUBTRACT: TERRAIN_ZIP_LOOP(a[i] - c) break;
  case TERRAIN_F64_MULTIPLY: TERRAIN_ZIP_LOOP(a[i] * c) break;
  case TERRAIN_F64_DIVIDE: TERRAIN_ZIP_LOOP(a[i] / c) break;
  }
  return bad;
}

static void masked_sum_baseline(long n, const double *a, const uint8_t *valid, double *sum, int64_t *count) {
  double s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  long i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int k = 0; k < 8; k++) s[k] += from_bits(bits(a[i + k]) & (0 - (uint64_t)(valid[i + k] & 1)));
  }
  for (; i < n; i++) s[0] += from_bits(bits(a[i]) & (0 - (uint64_t)(valid[i] & 1)));
  int64_t c = 0;
  for (long j = 0; j < n; j++) c += valid[j] & 1;
  *sum = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
  *count = c;
}

static inline int leaf_holds(const terrain_range_leaf *leaf, long i) {
  if (leaf->is_float) {
    double v = ((const double *)leaf->values)[i];
    return (v >= leaf->float_low) & (v <= leaf->float_high);
  }
  int64_t v = ((const int64_t *)leaf->values)[i];
  return ((uint64_t)v - (uint64_t)leaf->int_low) <= leaf->int_width;
}

static long count_ranges_rows(long from, long n, const uint8_t *valid, const terrain_range_leaf *a,
  const terrain_range_leaf *b, const terrain_range_leaf *c) {
  long total = 0;
  for (long i = from; i < n; i++) {
    total += (valid[i] & 1) & leaf_holds(a, i) & leaf_holds(b, i) & (c ? leaf_holds(c, i) : 1);
  }
  return total;
}

// ---------------------------------------------------------------- AVX2 forms

#if TERRAIN_HAVE_AVX2_FORMS

#define TERRAIN_AVX2 __attribute__((target("avx2,popcnt")))

// Four results at a time; the flag is the OR of (r - r), as in the baseline.
#define TERRAIN_AVX2_LOOP(VEXPR, SEXPR)                                      \
  {                                                                          \
    __m256i flag = _mm256_setzero_si256();                                   \
    long i = 0;                                                              \
    for (; i + 4 <= n; i += 4) {                                             \
      __m256d r = (VEXPR);                                                   \
      _mm256_storeu_pd(out + i, r);                                          \
      flag = _mm256_or_si256(flag, _mm256_castpd_si256(_mm256_sub_pd(r, r))); \
    }                                                                        \
    uint64_t lanes[4];                                                       \
    _mm256_storeu_si256((__m256i *)lanes, flag);                             \
    bad = lanes[0] | lanes[1] | lanes[2] | lanes[3];                         \
    for (; i < n; i++) {                                                     \
      double r = (SEXPR);                                                    \
      out[i] = r;                                                            \
      bad |= bits(r - r);                                                    \
    }                                                                        \
  }

#define VA _mm256_loadu_pd(a + i)
#define VB _mm256_loadu_pd(b + i)

TERRAIN_AVX2 static uint64_t zip_avx2(terrain_f64_op op, long n, const double *a, const double *b, double *out) {
  uint64_t bad = 0;
  switch (op) {
  case TERRAIN_F64_ADD: TERRAIN_AVX2_LOOP(_mm256_add_pd(VA, VB), a[i] + b[i]) break;
  case TERRAIN_F64_SUBTRACT: TERRAIN_AVX2_LOOP(_mm256_sub_pd(VA, VB), a[i] - b[i]) break;
  case TERRAIN_F64_MULTIPLY: TERRAIN_AVX2_LOOP(_mm256_mul_pd(VA, VB), a[i] * b[i]) break;
  case TERRAIN_F64_DIVIDE: TERRAIN_AVX2_LOOP(_mm256_div_pd(VA, VB), a[i] / b[i]) break;
  }
  return bad;
}

TERRAIN_AVX2 static uint64_t map_avx2(terrain_f64_op op, long n, const double *a, double c, double *out) {
  uint64_t bad = 0;
  const __m256d vc = _mm256_set1_pd(c);
  switch (op) {
  case TERRAIN_F64_ADD: TERRAIN_AVX2_LOOP(_mm256_add_pd(VA, vc), a[i] + c) break;
  case TERRAIN_F64_SUBTRACT: TERRAIN_AVX2_LOOP(_mm256_sub_pd(VA, vc), a[i] - c) break;
  case TERRAIN_F64_MULTIPLY: TERRAIN_AVX2_LOOP(_mm256_mul_pd(VA, vc), a[i] * c) break;
  case TERRAIN_F64_DIVIDE: TERRAIN_AVX2_LOOP(_mm256_div_pd(VA, vc), a[i] / c) break;
  }
  return bad;
}

#undef VA
#undef VB

// Rows i % 8 in 0...3 go to `lo`'s lanes, 4...7 to `hi`'s: the baseline's s0...s7, lane for lane.
TERRAIN_AVX2 static void masked_sum_avx2(long n, const double *a, const uint8_t *valid, double *sum, int64_t *count) {
  const __m256i one = _mm256_set1_epi64x(1);
  const __m256i zero = _mm256_setzero_si256();
  __m256d lo = _mm256_setzero_pd(), hi = _mm256_setzero_pd();
  long i = 0;
  for (; i + 8 <= n; i += 8) {
    uint32_t v0, v1;
    memcpy(&v0, valid + i, 4);
    memcpy(&v1, valid + i + 4, 4);
    __m256i m0 = _mm256_sub_epi64(zero, _mm256_and_si256(_mm256_cvtepu8_epi64(_mm_cvtsi32_si128((int)v0)), one));
    __m256i m1 = _mm256_sub_epi64(zero, _mm256_and_si256(_mm256_cvtepu8_epi64(_mm_cvtsi32_si128((int)v1)), one));
    lo = _mm256_add_pd(lo, _mm256_and_pd(_mm256_loadu_pd(a + i), _mm256_castsi256_pd(m0)));
    hi = _mm256_add_pd(hi, _mm256_and_pd(_mm256_loadu_pd(a + i + 4), _mm256_castsi256_pd(m1)));
  }
  double s[8];
  _mm256_storeu_pd(s, lo);
  _mm256_storeu_pd(s + 4, hi);
  for (; i < n; i++) s[0] += from_bits(bits(a[i]) & (0 - (uint64_t)(valid[i] & 1)));
  // The count: 32 validity bytes at a time, each byte's low bit.
  __m256i counts = _mm256_setzero_si256();
  const __m256i ones8 = _mm256_set1_epi8(1);
  long j = 0;
  for (; j + 32 <= n; j += 32) {
    __m256i v = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(valid + j)), ones8);
    counts = _mm256_add_epi64(counts, _mm256_sad_epu8(v, zero));
  }
  uint64_t c4[4];
  _mm256_storeu_si256((__m256i *)c4, counts);
  int64_t c = (int64_t)(c4[0] + c4[1] + c4[2] + c4[3]);
  for (; j < n; j++) c += valid[j] & 1;
  *sum = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
  *count = c;
}

// One bit per row of the 64 rows at `base` where `leaf` holds.
TERRAIN_AVX2 static inline uint64_t leaf_bits64(const terrain_range_leaf *leaf, long base) {
  uint64_t bits = 0;
  if (leaf->is_float) {
    const double *p = (const double *)leaf->values + base;
    const __m256d lo = _mm256_set1_pd(leaf->float_low), hi = _mm256_set1_pd(leaf->float_high);
    for (int k = 0; k < 16; k++) {
      __m256d v = _mm256_loadu_pd(p + 4 * k);
      __m256d in = _mm256_and_pd(_mm256_cmp_pd(v, lo, _CMP_GE_OQ), _mm256_cmp_pd(v, hi, _CMP_LE_OQ));
      bits |= (uint64_t)_mm256_movemask_pd(in) << (4 * k);
    }
  } else {
    // Unsigned v - low <= width, as a signed comparison of both sides with the sign bit flipped.
    const int64_t *p = (const int64_t *)leaf->values + base;
    const __m256i sign = _mm256_set1_epi64x((long long)0x8000000000000000ULL);
    const __m256i low = _mm256_set1_epi64x((long long)leaf->int_low);
    const __m256i width = _mm256_xor_si256(_mm256_set1_epi64x((long long)leaf->int_width), sign);
    for (int k = 0; k < 16; k++) {
      __m256i d = _mm256_xor_si256(_mm256_sub_epi64(_mm256_loadu_si256((const __m256i *)(p + 4 * k)), low), sign);
      __m256i out = _mm256_cmpgt_epi64(d, width);
      bits |= (uint64_t)(~_mm256_movemask_pd(_mm256_castsi256_pd(out)) & 0xF) << (4 * k);
    }
  }
  return bits;
}

TERRAIN_AVX2 static long count_ranges_avx2(long n, const uint8_t *valid, const terrain_range_leaf *a,
  const terrain_range_leaf *b, const terrain_range_leaf *c) {
  long total = 0;
  long i = 0;
  for (; i + 64 <= n; i += 64) {
    // Each validity byte's low bit, moved to the byte's top bit for movemask.
    __m256i v0 = _mm256_slli_epi16(_mm256_loadu_si256((const __m256i *)(valid + i)), 7);
    __m256i v1 = _mm256_slli_epi16(_mm256_loadu_si256((const __m256i *)(valid + i + 32)), 7);
    uint64_t bits = (uint64_t)(uint32_t)_mm256_movemask_epi8(v0) | ((uint64_t)(uint32_t)_mm256_movemask_epi8(v1) << 32);
    bits &= leaf_bits64(a, i);
    bits &= leaf_bits64(b, i);
    if (c) bits &= leaf_bits64(c, i);
    total += __builtin_popcountll(bits);
  }
  return total + count_ranges_rows(i, n, valid, a, b, c);
}

#endif

// ---------------------------------------------------------------- dispatch

static int force_baseline = 0;

static int use_avx2(void) {
#if TERRAIN_HAVE_AVX2_FORMS
  static int decided = -1;
  int d = __atomic_load_n(&decided, __ATOMIC_RELAXED);
  if (d < 0) {
    __builtin_cpu_init();
    d = __builtin_cpu_supports("avx2") ? 1 : 0;
    __atomic_store_n(&decided, d, __ATOMIC_RELAXED);
  }
  return d && !__atomic_load_n(&force_baseline, __ATOMIC_RELAXED);
#else
  return 0;
#endif
}

int terrain_vector_kernels_avx2(void) { return use_avx2(); }

void terrain_vector_kernels_force_baseline(int on) { __atomic_store_n(&force_baseline, on ? 1 : 0, __ATOMIC_RELAXED); }

uint64_t terrain_f64_zip(terrain_f64_op op, long n, const double *a, const double *b, double *out) {
#if TERRAIN_HAVE_AVX2_FORMS
  if (use_avx2()) return zip_avx2(op, n, a, b, out);
#endif
  return zip_baseline(op, n, a, b, out);
}

uint64_t terrain_f64_map_constant(terrain_f64_op op, long n, const double *a, double c, double *out) {
#if TERRAIN_HAVE_AVX2_FORMS
  if (use_avx2()) return map_avx2(op, n, a, c, out);
#endif
  return map_baseline(op, n, a, c, out);
}

void terrain_f64_masked_sum(long n, const double *a, const uint8_t *valid, double *sum, int64_t *count) {
#if TERRAIN_HAVE_AVX2_FORMS
  if (use_avx2()) {
    masked_sum_avx2(n, a, valid, sum, count);
    return;
  }
#endif
  masked_sum_baseline(n, a, valid, sum, count);
}

long terrain_count_ranges(long n, const uint8_t *valid, const terrain_range_leaf *a, const terrain_range_leaf *b,
  const terrain_range_leaf *c) {
#if TERRAIN_HAVE_AVX2_FORMS
  if (use_avx2()) return count_ranges_avx2(n, valid, a, b, c);
#endif
  return count_ranges_rows(0, n, valid, a, b, c);
}
