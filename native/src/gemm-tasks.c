/*
 * Matrix products on this process's cores without OpenBLAS's own threading. A product of at
 * least SPLIT_MIN_MACS multiply-adds is cut into row blocks, and every block, like every smaller
 * product, is one single-threaded sgemm (a task). The calling thread and the helper threads
 * claim tasks from a shared counter until none is left; independent products (a layer's weight
 * and input gradients) go into one batch, so they run side by side.
 *
 * Why not OpenBLAS's threads: they only pay on the two largest products of a training step
 * (the 256x256 ones ran no faster on two threads, the small ones 2-5x slower), while blocks and
 * side-by-side products keep both cores busy for six of the eight. And the result no longer
 * depends on the thread count: the blocks follow from the shape alone, each is computed the same
 * way whichever thread claims it, and a single-threaded sgemm of a row block gives exactly the
 * rows of the whole product, so 1 and 2 threads give the same bits.
 *
 * A helper spins briefly after its last task (a step issues its products a fraction of a
 * millisecond apart) and then sleeps on a condition variable. If a helper is slow to wake, the
 * calling thread simply claims more tasks, so a busy machine costs no more than one thread would.
 */
#include <cblas.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "kernels.h"

/*
 * Products from this size on are cut into row blocks: the 256x256x256 products of a step took
 * 0.19 ms on one core, enough to share; the 256x256x10 ones take 0.01 ms, less than a handoff.
 */
#define SPLIT_MIN_MACS ((int64_t)1 << 23)
/* Row blocks start at multiples of this: sgemm's register blocking, so no block gets a ragged edge inside. */
#define BLOCK_ROW_ALIGN 16
/* Rows per block: a 5,000-row evaluation chunk makes 10 blocks, a 256-row minibatch 2 (one per core of a 2-core machine). */
#define BLOCK_ROWS 512
#define MAX_TASKS 64
#define MAX_HELPERS 15
/* How long an idle helper spins before sleeping, in nanoseconds. */
#define SPIN_NS 200000L

/* One unit of work: a single-threaded sgemm, or, when `run` is set, run(context, index). */
typedef struct {
  bool trans_a, trans_b;
  int64_t m, n, k, lda, ldb;
  const float *a, *b;
  float *c;
  void (*run)(void *context, int index);
  void *context;
  int index;
} task_t;

static task_t tasks[MAX_TASKS];
static int task_count = 0;
/*
 * The current batch and its next unclaimed task in one word: serial << 32 | count << 16 |
 * index. A claim is a compare-and-swap on the whole word, so a thread arriving late from an
 * earlier batch can never claim a task of the next one while its table is being written.
 */
static _Atomic uint64_t work = 0;
static atomic_int finished_tasks = 0;
static atomic_int helpers_wanted = 0;
static atomic_int sleepers = 0;
static pthread_mutex_t wake_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
/* One batch at a time: a second caller (another Node worker thread) runs its products alone. */
static pthread_mutex_t batch_owner = PTHREAD_MUTEX_INITIALIZER;
static int helpers_started = 0;
static int max_threads = 0;

static void run_task(const task_t *t) {
  if (t->run != NULL) {
    t->run(t->context, t->index);
    return;
  }
  cblas_sgemm(CblasRowMajor, t->trans_a ? CblasTrans : CblasNoTrans, t->trans_b ? CblasTrans : CblasNoTrans, (int)t->m, (int)t->n, (int)t->k,
              1.0f, t->a, (int)t->lda, t->b, (int)t->ldb, 0.0f, t->c, (int)t->n);
}

static uint32_t serial_of(uint64_t word) { return (uint32_t)(word >> 32); }

/* Runs tasks of batch `serial` until none is left unclaimed. */
static void drain_tasks(uint32_t serial) {
  uint64_t word = atomic_load_explicit(&work, memory_order_acquire);
  for (;;) {
    const uint64_t count = (word >> 16) & 0xffff, index = word & 0xffff;
    if (serial_of(word) != serial || index >= count) return;
    if (!atomic_compare_exchange_weak_explicit(&work, &word, word + 1, memory_order_acq_rel, memory_order_acquire)) continue;
    run_task(&tasks[index]);
    atomic_fetch_add_explicit(&finished_tasks, 1, memory_order_release);
    word = atomic_load_explicit(&work, memory_order_acquire);
  }
}

static int64_t elapsed_ns(const struct timespec *since) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (int64_t)(now.tv_sec - since->tv_sec) * 1000000000L + (now.tv_nsec - since->tv_nsec);
}

static void *helper_main(void *arg) {
  const int index = (int)(intptr_t)arg;
  uint32_t seen = serial_of(atomic_load(&work));
  for (;;) {
    struct timespec idle_since;
    clock_gettime(CLOCK_MONOTONIC, &idle_since);
    uint32_t serial;
    while ((serial = serial_of(atomic_load_explicit(&work, memory_order_acquire))) == seen) {
      if (elapsed_ns(&idle_since) < SPIN_NS) {
        __builtin_ia32_pause();
        continue;
      }
      pthread_mutex_lock(&wake_lock);
      atomic_fetch_add(&sleepers, 1);
      while ((serial = serial_of(atomic_load(&work))) == seen) pthread_cond_wait(&wake, &wake_lock);
      atomic_fetch_sub(&sleepers, 1);
      pthread_mutex_unlock(&wake_lock);
    }
    seen = serial;
    if (index < atomic_load(&helpers_wanted)) drain_tasks(serial);
  }
  return NULL;
}

static int thread_limit(void) {
  if (max_threads == 0) {
    max_threads = openblas_get_num_threads();
    if (max_threads < 1) max_threads = 1;
  }
  return max_threads;
}

void set_gemm_threads(int threads) { max_threads = threads; }

int gemm_threads(void) { return thread_limit(); }

int gemm_row_blocks(int64_t m, int64_t n, int64_t k, int64_t *bounds) {
  int64_t blocks = m * n * k >= SPLIT_MIN_MACS ? (m + BLOCK_ROWS - 1) / BLOCK_ROWS : 1;
  if (blocks < 2 && m * n * k >= SPLIT_MIN_MACS) blocks = 2;
  int count = 0;
  bounds[0] = 0;
  for (int64_t i = 0; i < blocks && count < GEMM_MAX_BLOCKS; i++) {
    int64_t end = i == blocks - 1 ? m : (m * (i + 1) / blocks + BLOCK_ROW_ALIGN - 1) / BLOCK_ROW_ALIGN * BLOCK_ROW_ALIGN;
    if (end > m) end = m;
    if (end <= bounds[count]) continue;
    bounds[++count] = end;
  }
  // A product too tall for the table keeps its last block to the end (never reached by regsweep's shapes).
  bounds[count] = m;
  return count;
}

/* Appends `p` as one task or as row blocks; returns false when the table is full. */
static bool add_tasks(const gemm_product_t *p) {
  const int64_t lda = p->trans_a ? p->m : p->k;
  const int64_t ldb = p->trans_b ? p->k : p->n;
  int64_t bounds[GEMM_MAX_BLOCKS + 1];
  const int blocks = gemm_row_blocks(p->m, p->n, p->k, bounds);
  for (int i = 0; i < blocks; i++) {
    const int64_t first = bounds[i], end = bounds[i + 1];
    if (task_count == MAX_TASKS) return false;
    // Row block [first, end) of the output: rows of a, or columns of a stored transposed.
    tasks[task_count++] = (task_t){p->trans_a, p->trans_b, end - first, p->n, p->k, lda, ldb,
                                   p->trans_a ? p->a + first : p->a + first * p->k, p->b, p->c + first * p->n, NULL, NULL, 0};
  }
  return true;
}

static void start_helpers(int wanted) {
  while (helpers_started < wanted && helpers_started < MAX_HELPERS) {
    pthread_t thread;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&thread, &attr, helper_main, (void *)(intptr_t)helpers_started) != 0) break;
    pthread_attr_destroy(&attr);
    helpers_started++;
  }
}

/* Every task is one single-threaded sgemm (or calls them); the parallelism is the tasks'. */
static void use_single_threaded_blas(void) {
  static bool blas_single = false;
  if (!blas_single) {
    thread_limit();
    openblas_set_num_threads(1);
    blas_single = true;
  }
}

/* Runs the task table on this thread and the helpers; the caller holds batch_owner, which this releases. */
static void run_table(void) {
  const int helpers = (task_count > 1 ? thread_limit() : 1) - 1;
  if (helpers > 0) start_helpers(helpers);
  atomic_store(&helpers_wanted, helpers);
  atomic_store(&finished_tasks, 0);
  const uint32_t serial = serial_of(atomic_load(&work)) + 1;
  atomic_store_explicit(&work, (uint64_t)serial << 32 | (uint64_t)task_count << 16, memory_order_release);
  if (helpers > 0 && atomic_load(&sleepers) > 0) {
    pthread_mutex_lock(&wake_lock);
    pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&wake_lock);
  }
  drain_tasks(serial);
  while (atomic_load_explicit(&finished_tasks, memory_order_acquire) < task_count) __builtin_ia32_pause();
  pthread_mutex_unlock(&batch_owner);
}

void gemm_run(const gemm_product_t *products, int count) {
  use_single_threaded_blas();
  for (int i = 0; i < count; i++) {
    const gemm_product_t *p = &products[i];
    if (p->m > 0 && p->n > 0 && p->k == 0) memset(p->c, 0, (size_t)(p->m * p->n) * sizeof(float));
  }
  const bool owner = pthread_mutex_trylock(&batch_owner) == 0;
  // Only the owner may touch the table: another thread's batch may be reading it.
  bool fits = owner;
  if (owner) task_count = 0;
  for (int i = 0; fits && i < count; i++) {
    const gemm_product_t *p = &products[i];
    if (p->m > 0 && p->n > 0 && p->k > 0) fits = add_tasks(p);
  }
  if (!fits) {
    // Another thread holds the pool, or the table overflowed: run each product whole, here.
    for (int i = 0; i < count; i++) {
      const gemm_product_t *p = &products[i];
      if (p->m == 0 || p->n == 0 || p->k == 0) continue;
      const task_t whole = {p->trans_a, p->trans_b, p->m, p->n, p->k, p->trans_a ? p->m : p->k, p->trans_b ? p->k : p->n, p->a, p->b, p->c, NULL, NULL, 0};
      run_task(&whole);
    }
    if (owner) pthread_mutex_unlock(&batch_owner);
    return;
  }
  run_table();
}

void gemm_parallel(int count, void (*run)(void *context, int index), void *context) {
  use_single_threaded_blas();
  const bool owner = count <= MAX_TASKS && pthread_mutex_trylock(&batch_owner) == 0;
  if (!owner) {
    // Another thread holds the pool: the same work, one piece after another, here.
    for (int i = 0; i < count; i++) run(context, i);
    return;
  }
  task_count = 0;
  for (int i = 0; i < count; i++) tasks[task_count++] = (task_t){.run = run, .context = context, .index = i};
  run_table();
}

void sgemm_row_major(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const float *a, const float *b, float *out) {
  const gemm_product_t product = {trans_a, trans_b, m, n, k, a, b, out};
  gemm_run(&product, 1);
}
