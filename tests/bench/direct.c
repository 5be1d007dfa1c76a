/*
 * What the root task measures alone, at priority 255 with no other thread
 * runnable: the counter read itself, the tick calibration, a null system
 * call, Yield with nobody to yield to, and Frame map/unmap.
 */
#include "bench.h"

/* Not a Mica call number: the kernel enters, decodes, answers
 * MICA_ERR_INVALID_SYSCALL and leaves. The shortest round trip through
 * the kernel a thread can make (no invocation, no capability lookup). */
#define NULL_SYSCALL (-1000L)

#define MAP_VA 0x0000200000000000ull /* PML4 slot 64: nothing else lives there */

#define CALIB_LOOPS 100000
#define CALIB_INSNS (1 + 2 * CALIB_LOOPS) /* mov, then dec + jnz per loop */

static uint64_t calib_loop(void)
{
    unsigned long c;
    uint64_t t0 = bench_now();
    __asm__ volatile("mov %1, %0\n"
                     "1: dec %0\n"
                     "jnz 1b"
                     : "=&r"(c)
                     : "i"(CALIB_LOOPS)
                     : "cc");
    uint64_t t1 = bench_now();
    return t1 - t0;
}

void bench_calibrate(void)
{
    struct bench_shared *s = SH;
    unsigned long runs = bench_warmup + bench_iters, n = 0;

    /* Two reads back to back: what one read adds to a timed region. */
    for (unsigned long i = 0; i < runs; i++) {
        uint64_t t0 = bench_now();
        uint64_t t1 = bench_now();
        s->t[0][i] = t1 - t0;
    }
    for (unsigned long i = bench_warmup; i < runs; i++)
        bench_samples[n++] = s->t[0][i];
    uint64_t med, min, max;
    bench_stats(bench_samples, n, &med, &min, &max);
    bench_overhead = med;
    mica_printf("bench: counter read (rdtscp) costs %lu ticks (min %lu, max %lu); "
                "subtracted from every sample\n", (unsigned long)med, (unsigned long)min,
                (unsigned long)max);
    mica_printf(BENCH_TAG "info counter=rdtscp overhead=%lu overhead_min=%lu overhead_max=%lu\n",
                (unsigned long)med, (unsigned long)min, (unsigned long)max);

    /* What a tick is: a loop of known length. */
    uint64_t best = ~0ull;
    for (int i = 0; i < 5; i++) {
        uint64_t t = calib_loop() - bench_overhead;
        if (t < best)
            best = t;
    }
    unsigned long milli = (unsigned long)(best * 1000 + CALIB_INSNS / 2) / CALIB_INSNS;
    mica_printf("bench: %u instructions (dec/jnz loop) took %lu ticks: %lu.%03lu ticks per "
                "instruction\n", CALIB_INSNS, (unsigned long)best, milli / 1000, milli % 1000);
    mica_printf(BENCH_TAG "info calib_insns=%u calib_ticks=%lu\n", CALIB_INSNS, (unsigned long)best);
}

/* Not inlined: tools/bench/trace.sh finds the timed region by function. */
static __attribute__((noinline)) void null_syscall(void)
{
    struct bench_shared *s = SH;
    for (unsigned long i = 0; i < s->runs; i++) {
        uint64_t t0 = bench_now();
        mica_syscall2(NULL_SYSCALL, 0, 0);
        uint64_t t1 = bench_now();
        s->t[0][i] = t0;
        s->t[1][i] = t1;
    }
    bench_report_pairs("null_syscall", s->t[1], s->t[0], -1);
}

static __attribute__((noinline)) void yield_self(void)
{
    struct bench_shared *s = SH;
    for (unsigned long i = 0; i < s->runs; i++) {
        uint64_t t0 = bench_now();
        mica_yield();
        uint64_t t1 = bench_now();
        s->t[0][i] = t0;
        s->t[1][i] = t1;
    }
    bench_report_pairs("yield_self", s->t[1], s->t[0], -1);
}

/* Map and unmap one 4 KiB page whose page tables are already there. */
static __attribute__((noinline)) void frame_map_unmap(struct mica_aspace *self)
{
    struct bench_shared *s = SH;
    mica_cptr_t frame;
    mica_word_t err;
    const char *names[] = { "frame_map", "frame_unmap", "frame_map_unmap" };
    if ((err = mica_aspace_alloc(self, MICA_OBJ_FRAME_4K, 0, &frame)) ||
        (err = mica_aspace_map(self, MICA_CAP_INIT_VSPACE, frame, MAP_VA,
                               MICA_MAP_READ | MICA_MAP_WRITE)) ||
        (err = mica_frame_unmap(frame).status)) {
        for (unsigned i = 0; i < 3; i++)
            bench_fail(names[i], "set-up: error %lu", err);
        return;
    }
    mica_word_t bad = 0;
    for (unsigned long i = 0; i < s->runs; i++) {
        uint64_t t0 = bench_now();
        mica_word_t e1 = mica_frame_map(frame, MICA_CAP_INIT_VSPACE, MAP_VA,
                                        MICA_MAP_READ | MICA_MAP_WRITE, MICA_CACHE_WRITEBACK).status;
        uint64_t t1 = bench_now();
        mica_word_t e2 = mica_frame_unmap(frame).status;
        uint64_t t2 = bench_now();
        s->t[0][i] = t0;
        s->t[1][i] = t1;
        s->t[2][i] = t2;
        bad |= e1 | e2;
    }
    if (bad) {
        for (unsigned i = 0; i < 3; i++)
            bench_fail(names[i], "map/unmap failed (error bits 0x%lx)", bad);
        return;
    }
    bench_report_pairs(names[0], s->t[1], s->t[0], -1);
    bench_report_pairs(names[1], s->t[2], s->t[1], -1);
    /* Both together: two timed regions, so two counter reads come off. */
    for (unsigned long i = 0; i < s->runs; i++)
        s->t[3][i] = s->t[2][i] - bench_overhead;
    bench_report_pairs(names[2], s->t[3], s->t[0], -1);
}

void bench_direct(struct mica_aspace *self)
{
    SH->runs = bench_warmup + bench_iters;
    null_syscall();
    yield_self();
    frame_map_unmap(self);
}
