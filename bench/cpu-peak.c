/*
 * How close the evaluation's products come to this CPU's arithmetic peak: float32 FMA
 * throughput of a loop with no memory traffic (24 independent chains, enough to hide the FMA
 * latency on every x86 core we know), on one core and on all of them, against OpenBLAS's sgemm
 * on the evaluation's 5,000x784x256 product, single-threaded and as the row blocks the native
 * engine's scheduler runs (native/src/gemm-tasks.c). docs/performance.md records a run.
 * The FMA peak is the best of three runs: it is a ceiling, and a run the host slowed down says
 * nothing about what the cores can do.
 *
 *   bash bench/cpu-peak.sh [--threads N] [--json]
 *
 * --threads N measures "all cores" on N threads (default: every online core); --json prints
 * one line for npm run bench (bench/arithmetic-floor.ts) instead of two sentences.
 */
#include <cblas.h>
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

extern void openblas_set_num_threads(int threads);

#define CHAINS 24
#define FMA_ROUNDS 40000000L
#define ROWS 5000
#define INPUTS 784
#define UNITS 256
#define BLOCK_ROWS 512
#define REPEATS 15
#define FMA_RUNS 3

static double seconds_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* FLOP per round of the FMA loop: CHAINS FMAs of `lanes` floats, two FLOP each. */
static int lanes = 0;

/*
 * `rounds` rounds of CHAINS independent FMA chains of `vector`s, with the instruction set
 * `isa`; returns the lanes' sum. One definition per instruction set, from this one template.
 */
#define DEFINE_FMA_LOOP(name, isa, vector, set1, fmadd, width)                              \
  __attribute__((target(isa))) static float name(long rounds) {                              \
    vector acc[CHAINS];                                                                      \
    for (int i = 0; i < CHAINS; i++) acc[i] = set1((float)i);                                \
    const vector a = set1(1.0001f), b = set1(0.5f);                                         \
    for (long r = 0; r < rounds; r++) {                                                      \
      _Pragma("GCC unroll 24") for (int i = 0; i < CHAINS; i++) acc[i] = fmadd(a, b, acc[i]); \
    }                                                                                        \
    float values[width], sum = 0;                                                            \
    for (int i = 0; i < CHAINS; i++) {                                                       \
      memcpy(values, &acc[i], sizeof values);                                                \
      for (int j = 0; j < width; j++) sum += values[j];                                      \
    }                                                                                        \
    return sum;                                                                              \
  }

DEFINE_FMA_LOOP(fma_loop_avx512, "avx512f", __m512, _mm512_set1_ps, _mm512_fmadd_ps, 16)
DEFINE_FMA_LOOP(fma_loop_avx2, "avx2,fma", __m256, _mm256_set1_ps, _mm256_fmadd_ps, 8)

/* The sum is printed nowhere but kept, so the compiler cannot drop the loop. */
static volatile float sink;

static void *fma_thread(void *unused) {
  (void)unused;
  sink = lanes == 16 ? fma_loop_avx512(FMA_ROUNDS) : fma_loop_avx2(FMA_ROUNDS);
  return NULL;
}

/* The best of FMA_RUNS runs of the FMA loop on `threads` threads at once, in GFLOPS. */
static double fma_gflops(int threads) {
  double best = 0;
  for (int run = 0; run < FMA_RUNS; run++) {
    pthread_t ids[64];
    const double start = seconds_now();
    for (int t = 1; t < threads; t++) pthread_create(&ids[t], NULL, fma_thread, NULL);
    fma_thread(NULL);
    for (int t = 1; t < threads; t++) pthread_join(ids[t], NULL);
    const double gflops = (double)threads * FMA_ROUNDS * CHAINS * lanes * 2 / (seconds_now() - start) * 1e-9;
    if (gflops > best) best = gflops;
  }
  return best;
}

static float *x, *w, *out;
static int next_block;
static pthread_mutex_t claim = PTHREAD_MUTEX_INITIALIZER;

/* Claims 512-row blocks of the product until none is left, each one single-threaded sgemm. */
static void *block_thread(void *unused) {
  (void)unused;
  for (;;) {
    pthread_mutex_lock(&claim);
    const int first = next_block++ * BLOCK_ROWS;
    pthread_mutex_unlock(&claim);
    if (first >= ROWS) return NULL;
    const int rows = ROWS - first < BLOCK_ROWS ? ROWS - first : BLOCK_ROWS;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, UNITS, INPUTS, 1.0f, x + (long)first * INPUTS, INPUTS, w, UNITS, 0.0f,
                out + (long)first * UNITS, UNITS);
  }
}

static int compare_doubles(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Median GFLOPS of the 5,000x784x256 product over REPEATS runs: whole on one thread, or as blocks on `threads`. */
static double sgemm_gflops(int threads) {
  double times[REPEATS];
  for (int r = 0; r < REPEATS; r++) {
    const double start = seconds_now();
    if (threads == 1) {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, ROWS, UNITS, INPUTS, 1.0f, x, INPUTS, w, UNITS, 0.0f, out, UNITS);
    } else {
      pthread_t ids[64];
      next_block = 0;
      for (int t = 1; t < threads; t++) pthread_create(&ids[t], NULL, block_thread, NULL);
      block_thread(NULL);
      for (int t = 1; t < threads; t++) pthread_join(ids[t], NULL);
    }
    times[r] = seconds_now() - start;
  }
  qsort(times, REPEATS, sizeof times[0], compare_doubles);
  return 2.0 * ROWS * INPUTS * UNITS / times[REPEATS / 2] * 1e-9;
}

/* Reads --threads N and --json; exits with a one-line error on anything else. */
static void read_options(int argc, char **argv, long *threads, int *json) {
  for (int i = 1; i < argc; i++) {
    char *end = NULL;
    if (strcmp(argv[i], "--json") == 0) {
      *json = 1;
    } else if (strcmp(argv[i], "--threads") == 0) {
      const char *value = i + 1 < argc ? argv[++i] : "nothing";
      *threads = strtol(value, &end, 10);
      if (*end != '\0' || end == value || *threads < 1 || *threads > 64) {
        fprintf(stderr, "cpu-peak: --threads takes a whole number from 1 to 64, got %s\n", value);
        exit(2);
      }
    } else {
      fprintf(stderr, "cpu-peak: unknown option %s; use --threads N (1 to 64) and --json\n", argv[i]);
      exit(2);
    }
  }
}

int main(int argc, char **argv) {
  __builtin_cpu_init();
  lanes = __builtin_cpu_supports("avx512f") ? 16 : __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? 8 : 0;
  if (lanes == 0) {
    fprintf(stderr, "cpu-peak: this CPU has neither AVX-512F nor AVX2 with FMA; nothing to measure\n");
    return 2;
  }
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  if (cores > 64) cores = 64;
  int json = 0;
  read_options(argc, argv, &cores, &json);
  openblas_set_num_threads(1);
  x = malloc(sizeof(float) * ROWS * INPUTS);
  w = malloc(sizeof(float) * INPUTS * UNITS);
  out = malloc(sizeof(float) * ROWS * UNITS);
  if (x == NULL || w == NULL || out == NULL) {
    fprintf(stderr, "cpu-peak: cannot allocate the product's 21 MB\n");
    return 1;
  }
  // Pixel-like inputs and small weights, as in the evaluation: no denormals, no overflow.
  for (long i = 0; i < (long)ROWS * INPUTS; i++) x[i] = (float)(i % 256) / 255.0f;
  for (long i = 0; i < (long)INPUTS * UNITS; i++) w[i] = (float)(i % 97 - 48) * 1e-3f;
  const double fma_one = fma_gflops(1), fma_all = fma_gflops((int)cores);
  const double sgemm_one = sgemm_gflops(1), sgemm_all = sgemm_gflops((int)cores);
  if (json) {
    printf("{\"lanes\":%d,\"threads\":%ld,\"fmaRuns\":%d,\"fmaGflops\":{\"oneCore\":%.1f,\"threads\":%.1f},\"sgemmGflops\":{\"oneThread\":%.1f,\"threads\":%.1f}}\n", lanes,
           cores, FMA_RUNS, fma_one, fma_all, sgemm_one, sgemm_all);
  } else {
    printf("FMA peak (%d-lane FMAs, %d chains, best of %d): %.0f GFLOPS on 1 core, %.0f on %ld\n", lanes, CHAINS, FMA_RUNS, fma_one, fma_all, cores);
    printf("sgemm %dx%dx%d (median of %d): %.0f GFLOPS whole on 1 thread, %.0f as %d-row blocks on %ld thread%s\n", ROWS, INPUTS, UNITS, REPEATS,
           sgemm_one, sgemm_all, BLOCK_ROWS, cores, cores == 1 ? "" : "s");
  }
  return 0;
}
