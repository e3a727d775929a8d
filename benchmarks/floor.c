/* Memory-bandwidth floor for Q1 (benchmarks/README.md, shared/BENCHMARKS.md).
 *
 *     cc -O3 -pthread floor.c -o floor && ./floor N RUNS
 *
 * Q1 (`where ftth == 1 and debit > 500 and annee >= 1990 | aggregate n = count()`) has to read
 * three 8-byte columns of N values: ftth and annee (Int64) and debit (Float64). This program
 * holds three such arrays, touched once before timing, and sums all three, branch-free with
 * eight independent accumulators per column (what the compiler vectorises), with 1 thread and
 * with 2 threads (each summing half of every column). It prints one line per thread count:
 *
 *     floor 1t MEDIAN_MS
 *     floor 2t MEDIAN_MS
 *
 * the median of RUNS timed passes after one warm-up, and the checksum so that no pass is
 * optimised away. No engine can answer Q1 from these columns faster than it can read them.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef struct {
    const int64_t *ftth, *annee;
    const double *debit;
    size_t lo, hi;
    double out;
} Part;

static void *sum_part(void *arg) {
    Part *p = (Part *)arg;
    int64_t ia[8] = {0}, ib[8] = {0};
    double d[8] = {0};
    size_t i = p->lo;
    for (; i + 8 <= p->hi; i += 8) {
        for (int k = 0; k < 8; k++) {
            ia[k] += p->ftth[i + k];
            ib[k] += p->annee[i + k];
            d[k] += p->debit[i + k];
        }
    }
    double total = 0;
    for (; i < p->hi; i++) total += (double)p->ftth[i] + (double)p->annee[i] + p->debit[i];
    for (int k = 0; k < 8; k++) total += (double)ia[k] + (double)ib[k] + d[k];
    p->out = total;
    return NULL;
}

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double pass(const int64_t *ftth, const int64_t *annee, const double *debit, size_t n, int threads,
                   double *check) {
    Part parts[2];
    pthread_t tid[2];
    double t0 = now_ms();
    for (int k = 0; k < threads; k++) {
        parts[k] = (Part){ftth, annee, debit, n * k / threads, n * (k + 1) / threads, 0};
        if (k > 0) pthread_create(&tid[k], NULL, sum_part, &parts[k]);
    }
    sum_part(&parts[0]);
    for (int k = 1; k < threads; k++) pthread_join(tid[k], NULL);
    double t = now_ms() - t0;
    for (int k = 0; k < threads; k++) *check += parts[k].out;
    return t;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: floor N RUNS\n");
        return 2;
    }
    long long nn = atoll(argv[1]);
    int runs = atoi(argv[2]);
    if (nn <= 0 || nn > (1LL << 33) || runs <= 0 || runs > 1000) {
        fprintf(stderr, "floor: N must be in 1…2^33 and RUNS in 1…1000\n");
        return 2;
    }
    size_t n = (size_t)nn;
    int64_t *ftth = malloc(n * sizeof *ftth), *annee = malloc(n * sizeof *annee);
    double *debit = malloc(n * sizeof *debit);
    double *times = malloc((size_t)runs * sizeof *times);
    if (!ftth || !annee || !debit || !times) {
        fprintf(stderr, "floor: out of memory\n");
        return 1;
    }
    uint64_t x = 88172645463325252ULL;  /* xorshift: values of the columns' ranges */
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        ftth[i] = (x % 10) < 8;
        annee[i] = 1900 + (int64_t)(x % 125);
        debit[i] = (double)(x % 2000) + 0.5;
    }
    double check = 0;
    for (int threads = 1; threads <= 2; threads++) {
        pass(ftth, annee, debit, n, threads, &check);  /* warm-up */
        for (int r = 0; r < runs; r++) times[r] = pass(ftth, annee, debit, n, threads, &check);
        qsort(times, (size_t)runs, sizeof *times, cmp);
        printf("floor %dt %.3f\n", threads, times[runs / 2]);
    }
    printf("checksum %.0f\n", check);
    return 0;
}
