/*
 * The benchmark root task (`make bench`, docs/benchmarks.md).
 *
 * Every figure is a number of time-stamp-counter ticks; under QEMU's
 * `-icount shift=0,sleep=off` one tick is one executed guest instruction,
 * user and kernel. A timed region starts with one counter read and ends
 * with another, possibly in another thread; the cost of a read is measured
 * the same way (two reads back to back) and subtracted from every sample.
 *
 * Results go to the serial console, one line per benchmark, for
 * tools/bench:
 *   "@@mica-bench plan N"                       N benchmarks follow
 *   "@@mica-bench info KEY=VALUE ..."           run facts (cpu, counter, calibration)
 *   "@@mica-bench NAME median=N min=N max=N iters=N [fastpath=N runs=N]"
 *   "@@mica-bench skip NAME: REASON"            not measurable on this kernel
 *   "@@mica-bench fail NAME: REASON"            measuring went wrong
 *   "@@mica-bench done"
 */
#ifndef BENCH_H
#define BENCH_H

#include <libmica.h>
#include <mica_aspace.h>

#define BENCH_TAG "@@mica-bench "

/* Iterations: warm-up (not recorded) + timed. The root task's command line
 * may change them ("iters=N warmup=N"). */
#define BENCH_DEFAULT_ITERS  10000
#define BENCH_DEFAULT_WARMUP 1000
#define BENCH_MAX_RUNS       40000 /* warm-up + timed, bounded by the shared page */

/*
 * Memory shared by every benchmark thread, in both address spaces: one
 * 2 MiB frame at the same address in each. Timestamps go to t[k][i]
 * (run i; which k means what is up to each benchmark), outside any timed
 * region; the root task turns them into samples afterwards.
 */
#define BENCH_SHARED_VA 0x0000100000000000ull
#define BENCH_TS_ARRAYS 4

struct bench_shared {
    volatile unsigned long done; /* set by the measuring thread when it has finished */
    volatile mica_word_t error;  /* first failed call's status, 0 if none */
    unsigned long runs;          /* warm-up + timed iterations */
    mica_cptr_t ep, ntfn;        /* the endpoint / notification of this benchmark */
    mica_cptr_t tcb_a, tcb_b;    /* the two threads (each suspends itself when done) */
    uint64_t t[BENCH_TS_ARRAYS][BENCH_MAX_RUNS];
};

#define SH ((struct bench_shared *)BENCH_SHARED_VA)

/*
 * The counter read: rdtscp (it waits for earlier instructions) and the
 * two halves combined, all in one asm statement so that every read is the
 * same three instructions wherever it is inlined. A compiler barrier too.
 */
static inline uint64_t bench_now(void)
{
    uint64_t t;
    __asm__ volatile("rdtscp\n\t"
                     "shl $32, %%rdx\n\t"
                     "or %%rdx, %%rax"
                     : "=a"(t)
                     :
                     : "rcx", "rdx", "memory");
    return t;
}

/* ------------------------------------------------------------ main.c */

extern unsigned long bench_iters, bench_warmup;
extern uint64_t bench_overhead; /* ticks of one counter read, subtracted from samples */
extern int bench_have_ipc;      /* the kernel implements endpoint IPC */

/* Sort s[0..n) and give its median, minimum and maximum. */
void bench_stats(uint64_t *s, unsigned long n, uint64_t *median, uint64_t *min, uint64_t *max);

/* Report one benchmark from samples[0..n) (already corrected); the array is
 * sorted in place. fastpath < 0: no fastpath count. */
void bench_report(const char *name, uint64_t *samples, unsigned long n, long fastpath);
void bench_skip(const char *name, const char *why);
void bench_fail(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Samples end[i] - start[i] - overhead for the timed runs (warm-up
 * skipped) into the root task's sample buffer, then report them. */
void bench_report_pairs(const char *name, const uint64_t *end, const uint64_t *start,
                        long fastpath);

/* Scratch sample buffer of the root task (BENCH_MAX_RUNS entries). */
extern uint64_t bench_samples[];

/* ------------------------------------------------------------ direct.c */

/* Benchmarks the root task runs alone: the counter itself, the tick
 * calibration, null syscall, Yield with nobody to yield to, Frame map/unmap. */
void bench_calibrate(void);
void bench_direct(struct mica_aspace *self);
#define BENCH_N_DIRECT 5

/* ------------------------------------------------------------ pair.c */

/* Benchmarks between two threads; the peer lives in the root task's own
 * address space or in the clone. */
struct bench_env {
    struct mica_aspace *self, *clone;
    mica_cptr_t tcb_a, tcb_same, tcb_cross; /* three TCBs, see pair.c */
    mica_cptr_t ep, ntfn;                  /* an endpoint, a notification (read/wait) */
    mica_cptr_t ntfn_signal;               /* a copy of ntfn with badge 1 (signal) */
};
void bench_pairs(struct bench_env *env);
#define BENCH_N_PAIRS 16

/* ------------------------------------------------------------ latency.c */

/* Worst-case interrupt latency while the root task runs long kernel
 * operations (Revoke, Delete of a big CNode, Retype of a large object). */
void bench_latency(struct mica_aspace *self, const struct mica_bootinfo *bi);
/* Samples each latency figure wants at least (command line "lsamples=N"). */
extern unsigned long bench_latency_samples;
#define BENCH_N_LATENCY 7

#endif
