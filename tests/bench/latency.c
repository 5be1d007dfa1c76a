/*
 * Interrupt latency during long kernel operations (docs/benchmarks.md,
 * "Interrupt latency during long operations").
 *
 * A handler thread H (priority 200) waits on the notification of the
 * PIT's interrupt. The PIT's channel 0 is programmed in one-shot mode
 * (mode 0) with a count C (varied from one firing to the next); under -icount QEMU's PIT runs on the virtual
 * clock, one tick per nanosecond, so its output rises exactly
 * C * 10^9 / 1193182 ticks after the count is loaded. H reads the counter
 * just before the call that loads the count, so it knows when the
 * interrupt becomes pending; when it runs again it reads the counter once
 * more: the difference is one latency sample (it includes the constant
 * path from H's counter read to the port write in the kernel, measured by
 * the `irq_latency_idle` row). H re-arms the PIT at once, so samples keep
 * coming while the root task, at priority 100, runs the long operation:
 * Revoke of a chain of 2^12 / 2^16 copies, Delete of a CNode of 2^12 /
 * 2^16 slots full of caps, Retype of a 64 MiB / 1 GiB CNode from a fresh
 * untyped (all of it zeroed). Reported: the samples' median, minimum and
 * maximum; the maximum is the worst case. Small operations are repeated
 * until they give 1,000 samples ("lsamples=N" on the command line).
 */
#include "bench.h"
#include <format.h>
#include <mica/device.h>
#include <mica_device.h>
#include <mica_invoke.h>
#include <mica_ipc.h>

#define ROOT MICA_CAP_INIT_CNODE
#define SELF MICA_CAP_INIT_TCB
#define D 64
#define PRIO_H 200
#define PRIO_WORK 100
#define STACK_WORDS 2048

#define PIT_CH0 0x40
#define PIT_CMD 0x43
#define PIT_CH0_LOHI_MODE0 0x30
#define PIT_HZ 1193182ull
/* Counts from PIT_COUNT_MIN to PIT_COUNT_MIN + 127 (126 to 233 us), in a
 * fixed pseudo-random order, so samples fall at every phase of the
 * operations' steps rather than at one (a fixed period could alias). */
#define PIT_COUNT_MIN 150
#define MAX_REPEATS 300

unsigned long bench_latency_samples = 1000;

static unsigned long h_stack[STACK_WORDS] __attribute__((aligned(16)));

/* Shared between the root task and H (same address space). */
static struct {
    mica_cptr_t ntfn, handler, ports, tcb_h;
    volatile int active;          /* samples count only while an operation runs */
    volatile uint64_t fire;       /* when the armed interrupt becomes pending */
    volatile unsigned long n;     /* samples in SH->t[0] */
    volatile mica_word_t error;
} L;

static uint32_t lcg = 12345;

static void arm(void)
{
    lcg = lcg * 1103515245u + 12345u;
    unsigned count = PIT_COUNT_MIN + ((lcg >> 16) & 127);
    mica_ioport_out8(L.ports, PIT_CH0, count & 0xff);
    uint64_t t = bench_now();
    L.fire = t + count * 1000000000ull / PIT_HZ;
    mica_word_t e = mica_ioport_out8(L.ports, PIT_CH0, count >> 8).status; /* loads the count */
    if (e && !L.error)
        L.error = e;
}

static void handler_thread(long arg)
{
    (void)arg;
    for (;;) {
        mica_wait(L.ntfn);
        uint64_t t = bench_now();
        if (L.active && L.n < BENCH_MAX_RUNS)
            SH->t[0][L.n++] = t - L.fire;
        mica_irq_handler_ack(L.handler);
        if (L.active)
            arm();
    }
}

/* ----------------------------------------------------------- operations */

struct op {
    const char *name;
    unsigned bits;     /* copies/slots: log2; retype: log2 bytes of the CNode */
    mica_word_t (*prepare)(struct mica_aspace *as, unsigned bits, mica_cptr_t *obj);
    mica_word_t (*run)(mica_cptr_t obj, unsigned bits);
    void (*clean)(mica_cptr_t obj);
};

static mica_cptr_t g_cnode_slot, g_ut_slot;

/* A CNode of 2^bits slots, each holding a copy of the one before (slot 0:
 * an endpoint made from the same untyped). */
static mica_word_t prep_chain(struct mica_aspace *as, unsigned bits, mica_cptr_t *cn)
{
    mica_word_t e;
    *cn = g_cnode_slot;
    if ((e = mica_untyped_retype(as->untyped, MICA_OBJ_CNODE, bits, ROOT, 0, 0, *cn, 1).status) ||
        (e = mica_untyped_retype(as->untyped, MICA_OBJ_ENDPOINT, 0, *cn, 0, 0, 0, 1).status))
        return e;
    for (mica_word_t i = 1; i < (1ul << bits); i++)
        if ((e = mica_cnode_copy(*cn, i, bits, *cn, i - 1, bits, MICA_RIGHTS_ALL).status))
            return e;
    return 0;
}

static mica_word_t run_revoke(mica_cptr_t cn, unsigned bits)
{
    return mica_cnode_revoke(cn, 0, bits).status;
}

/* A CNode of 2^bits slots, every slot a copy of one endpoint. */
static mica_word_t prep_full(struct mica_aspace *as, unsigned bits, mica_cptr_t *cn)
{
    mica_word_t e;
    *cn = g_cnode_slot;
    if ((e = mica_untyped_retype(as->untyped, MICA_OBJ_CNODE, bits, ROOT, 0, 0, *cn, 1).status) ||
        (e = mica_untyped_retype(as->untyped, MICA_OBJ_ENDPOINT, 0, *cn, 0, 0, 0, 1).status))
        return e;
    for (mica_word_t i = 1; i < (1ul << bits); i++)
        if ((e = mica_cnode_copy(*cn, i, bits, *cn, 0, bits, MICA_RIGHTS_ALL).status))
            return e;
    return 0;
}

static mica_word_t run_delete(mica_cptr_t cn, unsigned bits)
{
    (void)bits;
    return mica_cnode_delete(ROOT, cn, D).status;
}

static void clean_cnode(mica_cptr_t cn)
{
    mica_cnode_delete(ROOT, cn, D);
}

/* An untyped of 2^bits bytes, made once per benchmark and revoked after
 * each repetition (so nothing of it is known to be zero: the whole CNode
 * is zeroed every time). */
static mica_word_t prep_untyped(struct mica_aspace *as, unsigned bits, mica_cptr_t *ut)
{
    *ut = g_ut_slot;
    struct mica_sysret r = mica_untyped_retype(as->untyped, MICA_OBJ_UNTYPED, bits, ROOT, 0, 0, *ut, 1);
    return r.status == MICA_ERR_SLOT_OCCUPIED ? 0 : r.status;
}

static mica_word_t run_retype(mica_cptr_t ut, unsigned bits)
{
    return mica_untyped_retype(ut, MICA_OBJ_CNODE, bits - MICA_SLOT_BITS, ROOT, 0, 0,
                               g_cnode_slot, 1).status;
}

static void clean_untyped(mica_cptr_t ut)
{
    mica_cnode_revoke(ROOT, ut, D);
}

static const struct op ops[] = {
    { "irq_latency_revoke_4k", 12, prep_chain, run_revoke, clean_cnode },
    { "irq_latency_revoke_64k", 16, prep_chain, run_revoke, clean_cnode },
    { "irq_latency_delete_4k", 12, prep_full, run_delete, clean_cnode },
    { "irq_latency_delete_64k", 16, prep_full, run_delete, clean_cnode },
    { "irq_latency_retype_64m", 26, prep_untyped, run_retype, clean_untyped },
    { "irq_latency_retype_1g", 30, prep_untyped, run_retype, clean_untyped },
};

/* The baseline: the root task spins in user mode. */
static mica_word_t run_spin(mica_cptr_t obj, unsigned bits)
{
    (void)obj, (void)bits;
    while (L.n < bench_latency_samples)
        __asm__ volatile("" ::: "memory");
    return 0;
}

static void measure(struct mica_aspace *as, const struct op *op)
{
    mica_word_t e = 0;
    L.n = 0;
    L.error = 0;
    for (unsigned rep = 0; rep < MAX_REPEATS && L.n < bench_latency_samples && !e; rep++) {
        mica_cptr_t obj = 0;
        if (op->prepare && (e = op->prepare(as, op->bits, &obj)))
            break;
        mica_tcb_set_priority(SELF, PRIO_WORK);
        L.active = 1;
        arm();
        e = op->run(obj, op->bits);
        L.active = 0;
        mica_tcb_set_priority(SELF, MICA_ROOT_PRIORITY);
        if (op->clean)
            op->clean(obj);
    }
    mica_cnode_delete(ROOT, g_ut_slot, D);
    if (e || L.error)
        return bench_fail(op->name, "error %lu", e ? e : L.error);
    if (!L.n)
        return bench_fail(op->name, "no interrupt arrived");
    unsigned long n = L.n;
    for (unsigned long i = 0; i < n; i++) {
        bench_samples[i] = SH->t[0][i];
    }
    bench_report(op->name, bench_samples, n, -1);
}

static mica_word_t setup(struct mica_aspace *as, const struct mica_bootinfo *bi)
{
    mica_word_t e;
    mica_cptr_t slot;
    if ((e = mica_aspace_alloc(as, MICA_OBJ_NOTIFICATION, 0, &L.ntfn)) ||
        (e = mica_aspace_alloc(as, MICA_OBJ_TCB, 0, &L.tcb_h)) ||
        (e = mica_aspace_slot(as, &g_cnode_slot)) || (e = mica_aspace_slot(as, &g_ut_slot)))
        return e;
    if ((e = mica_aspace_slot(as, &slot)) ||
        (e = mica_ioport_issue(MICA_CAP_IOPORT_CONTROL, PIT_CH0, PIT_CMD, ROOT, slot, D).status))
        return e;
    L.ports = slot;
    if ((e = mica_aspace_slot(as, &slot)) ||
        (e = mica_irq_get_ioapic(MICA_CAP_IRQ_CONTROL, bi->platform.isa_gsi[0],
                                 bi->platform.isa_flags[0], ROOT, slot, D).status))
        return e;
    L.handler = slot;
    /* Channel 0 stopped (output low until a count is loaded), then the
     * notification: nothing arrives before the first arm(). */
    if ((e = mica_ioport_out8(L.ports, PIT_CMD, PIT_CH0_LOHI_MODE0).status) ||
        (e = mica_irq_handler_set_notification(L.handler, L.ntfn).status) ||
        (e = mica_aspace_configure(as, L.tcb_h, 0, PRIO_H)) ||
        (e = mica_aspace_start(L.tcb_h, handler_thread, 0, (mica_word_t)&h_stack[STACK_WORDS])))
        return e;
    return 0;
}

void bench_latency(struct mica_aspace *self, const struct mica_bootinfo *bi)
{
    static const struct op idle = { "irq_latency_idle", 0, 0, run_spin, 0 };
    mica_word_t e = setup(self, bi);
    if (e) {
        bench_fail(idle.name, "set-up: error %lu", e);
        for (unsigned i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
            bench_fail(ops[i].name, "set-up: error %lu", e);
        return;
    }
    measure(self, &idle);
    for (unsigned i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        measure(self, &ops[i]);
    mica_tcb_suspend(L.tcb_h);
}
