/*
 * Benchmark root task: sets up a shared page, a clone of itself in a
 * second address space, three threads and the IPC objects, then runs every
 * benchmark and reports it (protocol in bench.h; method in
 * docs/benchmarks.md). Not a test: it checks only that it could measure.
 */
#include "bench.h"
#include <format.h>
#include <mica_ipc.h>

unsigned long bench_iters = BENCH_DEFAULT_ITERS, bench_warmup = BENCH_DEFAULT_WARMUP;
uint64_t bench_overhead;
int bench_have_ipc;
uint64_t bench_samples[BENCH_MAX_RUNS];

/* ------------------------------------------------------------ reporting */

static void sift_down(uint64_t *a, unsigned long root, unsigned long n)
{
    for (unsigned long child; (child = 2 * root + 1) < n; root = child) {
        if (child + 1 < n && a[child + 1] > a[child])
            child++;
        if (a[root] >= a[child])
            return;
        uint64_t t = a[root];
        a[root] = a[child];
        a[child] = t;
    }
}

/* Heapsort: O(n log n) without recursion or extra memory. */
static void sort(uint64_t *a, unsigned long n)
{
    for (unsigned long i = n / 2; i-- > 0;)
        sift_down(a, i, n);
    for (unsigned long end = n; end-- > 1;) {
        uint64_t t = a[0];
        a[0] = a[end];
        a[end] = t;
        sift_down(a, 0, end);
    }
}

void bench_stats(uint64_t *s, unsigned long n, uint64_t *median, uint64_t *min, uint64_t *max)
{
    sort(s, n);
    *median = s[n / 2]; /* the upper median when n is even */
    *min = s[0];
    *max = s[n - 1];
}

void bench_report(const char *name, uint64_t *s, unsigned long n, long fastpath)
{
    uint64_t m0, m1, m2;
    if (!n) {
        bench_fail(name, "no samples");
        return;
    }
    bench_stats(s, n, &m0, &m1, &m2);
    unsigned long med = m0, min = m1, max = m2;
    mica_printf("bench: %-22s median %7lu  min %7lu  max %8lu\n", name, med, min, max);
    if (fastpath >= 0)
        mica_printf(BENCH_TAG "%s median=%lu min=%lu max=%lu iters=%lu fastpath=%ld runs=%lu\n",
                    name, med, min, max, n, fastpath, bench_warmup + bench_iters);
    else
        mica_printf(BENCH_TAG "%s median=%lu min=%lu max=%lu iters=%lu\n", name, med, min, max, n);
}

void bench_report_pairs(const char *name, const uint64_t *end, const uint64_t *start,
                        long fastpath)
{
    unsigned long n = 0;
    for (unsigned long i = bench_warmup; i < bench_warmup + bench_iters; i++) {
        if (end[i] < start[i] + bench_overhead) {
            bench_fail(name, "run %lu: end %lu before start %lu + overhead", i,
                       (unsigned long)end[i], (unsigned long)start[i]);
            return;
        }
        bench_samples[n++] = end[i] - start[i] - bench_overhead;
    }
    bench_report(name, bench_samples, n, fastpath);
}

void bench_skip(const char *name, const char *why)
{
    mica_printf("bench: %-22s skipped: %s\n", name, why);
    mica_printf(BENCH_TAG "skip %s: %s\n", name, why);
}

void bench_fail(const char *name, const char *fmt, ...)
{
    char why[160];
    va_list ap;
    va_start(ap, fmt);
    format_buf_v(why, sizeof(why), fmt, ap);
    va_end(ap);
    mica_printf("bench: %-22s FAILED: %s\n", name, why);
    mica_printf(BENCH_TAG "fail %s: %s\n", name, why);
}

/* ------------------------------------------------------------ set-up */

static unsigned long parse_number(const char *s)
{
    unsigned long v = 0;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (unsigned long)(*s++ - '0');
    return v;
}

/* "iters=N warmup=N lsamples=N" on the root task's command line. */
static void parse_args(const char *cmdline)
{
    for (const char *p = cmdline; *p;) {
        if (!mica_strncmp(p, "iters=", 6))
            bench_iters = parse_number(p + 6);
        else if (!mica_strncmp(p, "warmup=", 7))
            bench_warmup = parse_number(p + 7);
        else if (!mica_strncmp(p, "lsamples=", 9))
            bench_latency_samples = parse_number(p + 9);
        while (*p && *p != ' ')
            p++;
        while (*p == ' ')
            p++;
    }
    /* Room in the shared page for warm-up + timed runs + 1 (see pair.c). */
    if (bench_warmup > BENCH_MAX_RUNS / 2)
        bench_warmup = BENCH_MAX_RUNS / 2;
    if (bench_iters > BENCH_MAX_RUNS - 1 - bench_warmup)
        bench_iters = BENCH_MAX_RUNS - 1 - bench_warmup;
    if (bench_iters < 1)
        bench_iters = 1;
}

static void cpuid(unsigned leaf, unsigned r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(0));
}

/* The CPU model the guest sees: vendor and brand string. */
static void report_cpu(void)
{
    unsigned r[4];
    char vendor[13], brand[49];
    cpuid(0, r);
    __builtin_memcpy(vendor, &r[1], 4);
    __builtin_memcpy(vendor + 4, &r[3], 4);
    __builtin_memcpy(vendor + 8, &r[2], 4);
    vendor[12] = 0;
    brand[0] = 0;
    cpuid(0x80000000u, r);
    if (r[0] >= 0x80000004u) {
        for (unsigned i = 0; i < 3; i++) {
            cpuid(0x80000002u + i, r);
            __builtin_memcpy(brand + 16 * i, r, 16);
        }
        brand[48] = 0;
    }
    const char *b = brand;
    while (*b == ' ')
        b++;
    mica_printf("bench: CPU %s \"%s\"\n", vendor, b);
    mica_printf(BENCH_TAG "info cpu_vendor=%s cpu=\"%s\"\n", vendor, b);
}

/* The largest RAM untyped: room for the 2 MiB shared frame and the clone. */
static mica_cptr_t largest_ram_untyped(const struct mica_bootinfo *bi)
{
    mica_cptr_t best = 0;
    unsigned best_bits = 0;
    for (unsigned i = 0; i < bi->n_untyped; i++)
        if (!(bi->untyped[i].flags & MICA_UNTYPED_DEVICE) && bi->untyped[i].size_bits > best_bits) {
            best = bi->slot_untyped_first + i;
            best_bits = bi->untyped[i].size_bits;
        }
    return best;
}

static int setup_failed(const char *what, mica_word_t err, mica_word_t detail)
{
    mica_printf("bench: set-up failed: %s: error %lu (detail 0x%lx)\n", what, err, detail);
    mica_printf(BENCH_TAG "fail setup: %s: error %lu\n", what, err);
    mica_printf(BENCH_TAG "done\n");
    return 1;
}

int main(const struct mica_bootinfo *bi)
{
    static struct mica_aspace self, clone;
    struct bench_env env = { &self, &clone, 0, 0, 0, 0, 0, 0 };
    mica_cptr_t shared, ut = largest_ram_untyped(bi);
    mica_word_t err;

    parse_args(bi->cmdline);
    mica_printf("bench: Mica benchmarks, %lu timed iterations after %lu warm-up\n", bench_iters,
                bench_warmup);
    mica_printf(BENCH_TAG "plan %u\n", BENCH_N_DIRECT + BENCH_N_PAIRS + BENCH_N_LATENCY);
    mica_printf(BENCH_TAG "info iters=%lu warmup=%lu\n", bench_iters, bench_warmup);
    report_cpu();
    if (!ut)
        return setup_failed("no RAM untyped", 0, 0);

    /* Slots: the first 64 free ones for objects in this space, the rest
     * for the clone. Everything comes from one untyped. */
    mica_aspace_self(&self);
    self.untyped = clone.untyped = ut;
    self.slot_next = bi->slot_empty_first;
    self.slot_end = clone.slot_next = bi->slot_empty_first + 64;
    clone.slot_end = bi->slot_empty_end;

    if ((err = mica_aspace_alloc(&self, MICA_OBJ_FRAME_2M, 0, &shared)) ||
        (err = mica_aspace_map(&self, MICA_CAP_INIT_VSPACE, shared, BENCH_SHARED_VA,
                               MICA_MAP_READ | MICA_MAP_WRITE)))
        return setup_failed("shared frame", err, self.error_detail);
    if ((err = mica_aspace_clone(&clone)))
        return setup_failed("clone", err, clone.error_detail);
    if ((err = mica_aspace_share(&clone, shared, BENCH_SHARED_VA, MICA_MAP_READ | MICA_MAP_WRITE)))
        return setup_failed("share", err, clone.error_detail);
    mica_printf(BENCH_TAG "info clone_pages=%u clone_tables=%u\n", clone.image_pages, clone.tables);
    if ((err = mica_aspace_alloc(&self, MICA_OBJ_TCB, 0, &env.tcb_a)) ||
        (err = mica_aspace_alloc(&self, MICA_OBJ_TCB, 0, &env.tcb_same)) ||
        (err = mica_aspace_alloc(&self, MICA_OBJ_TCB, 0, &env.tcb_cross)) ||
        (err = mica_aspace_alloc(&self, MICA_OBJ_ENDPOINT, 0, &env.ep)) ||
        (err = mica_aspace_alloc(&self, MICA_OBJ_NOTIFICATION, 0, &env.ntfn)) ||
        (err = mica_aspace_slot(&self, &env.ntfn_signal)))
        return setup_failed("objects", err, self.error_detail);
    /* Signal ORs the cap's badge into the word: signal with a non-zero one. */
    struct mica_sysret r = mica_cnode_mint(MICA_CAP_INIT_CNODE, env.ntfn_signal, 64,
                                           MICA_CAP_INIT_CNODE, env.ntfn, 64, MICA_RIGHTS_ALL, 1);
    if (r.status)
        return setup_failed("badged notification", r.status, r.value);

    /* A kernel without endpoint IPC answers NBRecv as an unknown call. */
    bench_have_ipc = mica_nb_recv(env.ep).status == MICA_ERR_WOULD_BLOCK;
    int fp_enabled = 0;
    struct mica_sysret st = mica_debug_ipc_stats(&fp_enabled);
    mica_printf(BENCH_TAG "info ipc=%s fastpath=%s\n", bench_have_ipc ? "yes" : "no",
                st.status ? "unknown" : fp_enabled ? "on" : "off");

    bench_calibrate();
    bench_direct(&self);
    bench_pairs(&env);
    bench_latency(&self, bi);
    mica_printf(BENCH_TAG "done\n");
    return 0;
}
