/*
 * Benchmarks between two threads: A, the measuring thread, always in the
 * root task's address space, and its peer B, either a second thread of the
 * same space ("same") or a thread of the clone ("cross").
 *
 * Each benchmark is one phase: the root task starts B, then A, and drops
 * to priority 1. A and B (priorities 100/101) run until A has done its
 * runs and suspended itself; only then does the root task get the CPU
 * back, and it is always runnable meanwhile, so the kernel never idles
 * (no `hlt`) during a phase. Both threads write the counter values they
 * read to the shared page, always between two timed regions (never inside
 * one), and the root task computes the samples afterwards.
 *
 * A phase where B needs a partner that is not there (the kernel lacks IPC
 * or fault delivery) ends with both blocked or stopped: the root task then
 * finds `done` unset and reports the benchmark as failed.
 */
#include "bench.h"
#include <format.h>
#include <mica/fault.h>
#include <mica_ipc.h>

#define PRIO 100      /* both threads of a phase, unless one must outrank the other */
#define PRIO_HIGH 101
#define STACK_WORDS 2048

static unsigned long stacks[2][STACK_WORDS] __attribute__((aligned(16)));

/* Instruction lengths the fault handlers skip (checked in docs/benchmarks.md
 * against the disassembly): `mov (%rcx),%rax` and `ud2`. */
#define PF_INSN_LEN 3
#define UD_INSN_LEN 2
#define PF_ADDRESS 0x8ul /* page 0 is never mapped (include/mica/layout.h) */

static mica_word_t msg_tag; /* tag of every benchmark message: label 0, no MRs */

/* Record a failed call (outside timed regions; the first one wins). */
static inline void check(mica_word_t status)
{
    if (status && !SH->error)
        SH->error = status;
}

/* A thread's last act. The measuring thread first tells the root task. */
static __attribute__((noreturn)) void finish(mica_cptr_t tcb, int measuring)
{
    if (measuring)
        SH->done = 1;
    for (;;)
        mica_tcb_suspend(tcb);
}

/* ------------------------------------------------------------ Yield */

/* A: t0 before Yield, t1 when it is back. */
static void yield_a(long arg)
{
    struct bench_shared *s = SH;
    (void)arg;
    for (unsigned long i = 0; i < s->runs; i++) {
        uint64_t t0 = bench_now();
        mica_yield();
        uint64_t t1 = bench_now();
        s->t[0][i] = t0;
        s->t[1][i] = t1;
    }
    finish(s->tcb_a, 1);
}

/* B: parked in Yield before A starts; t2 when A's Yield lands here, t3
 * before yielding back (stored one turn later, between two timed regions). */
static void yield_b(long arg)
{
    struct bench_shared *s = SH;
    uint64_t t3 = 0;
    (void)arg;
    mica_yield();
    for (unsigned long i = 0; i < s->runs; i++) {
        uint64_t t2 = bench_now();
        s->t[2][i] = t2;
        if (i)
            s->t[3][i - 1] = t3;
        t3 = bench_now();
        mica_yield();
    }
    s->t[3][s->runs - 1] = t3;
    finish(s->tcb_b, 0);
}

/* ------------------------------------------------------------ Call / ReplyRecv */

/* A: runs + 1 Calls (the last lets the server store its final stamp). */
static void call_client(long arg)
{
    struct bench_shared *s = SH;
    mica_cptr_t ep = s->ep;
    mica_word_t tag = msg_tag;
    (void)arg;
    for (unsigned long i = 0; i <= s->runs; i++) {
        uint64_t t0 = bench_now();
        struct mica_msg m = mica_call(ep, tag, 0, 0, 0, 0);
        uint64_t t1 = bench_now();
        s->t[0][i] = t0;
        s->t[1][i] = t1;
        check(m.status);
    }
    finish(s->tcb_a, 1);
}

/* B for the round trip: nothing but ReplyRecv. */
static void rt_server(long arg)
{
    mica_cptr_t ep = SH->ep;
    mica_word_t tag = msg_tag;
    (void)arg;
    check(mica_recv(ep).status);
    for (;;)
        mica_reply_recv(ep, tag, 0, 0, 0, 0);
}

/* B for the one-way figures: t2 when Call i has arrived, t3 just before
 * replying to it (stored after the next arrival's t2). */
static void ow_server(long arg)
{
    struct bench_shared *s = SH;
    mica_cptr_t ep = s->ep;
    mica_word_t tag = msg_tag;
    unsigned long runs = s->runs;
    uint64_t t3 = 0;
    (void)arg;
    check(mica_recv(ep).status);
    for (unsigned long i = 0;; i++) {
        uint64_t t2 = bench_now();
        if (i <= runs) {
            s->t[2][i] = t2;
            if (i)
                s->t[3][i - 1] = t3;
        }
        t3 = bench_now();
        mica_reply_recv(ep, tag, 0, 0, 0, 0);
    }
}

/* ------------------------------------------------------------ Send, Signal */

static void send_a(long arg)
{
    struct bench_shared *s = SH;
    mica_cptr_t ep = s->ep;
    mica_word_t tag = msg_tag;
    (void)arg;
    for (unsigned long i = 0; i < s->runs; i++) {
        uint64_t t0 = bench_now();
        mica_word_t st = mica_send(ep, tag, 0, 0, 0, 0);
        s->t[0][i] = t0;
        check(st);
    }
    finish(s->tcb_a, 1);
}

/* B, higher priority: t2 as soon as the message is in. */
static void recv_b(long arg)
{
    struct bench_shared *s = SH;
    mica_cptr_t ep = s->ep;
    (void)arg;
    for (unsigned long i = 0;; i++) {
        struct mica_msg m = mica_recv(ep);
        uint64_t t2 = bench_now();
        if (i < s->runs)
            s->t[2][i] = t2;
        check(m.status);
    }
}

static void signal_a(long arg)
{
    struct bench_shared *s = SH;
    mica_cptr_t ntfn = s->ntfn;
    (void)arg;
    for (unsigned long i = 0; i < s->runs; i++) {
        uint64_t t0 = bench_now();
        mica_word_t st = mica_signal(ntfn);
        s->t[0][i] = t0;
        check(st);
    }
    finish(s->tcb_a, 1);
}

/* B, higher priority, waits on the notification (its own cap: `arg`). */
static void wait_b(long arg)
{
    struct bench_shared *s = SH;
    mica_cptr_t ntfn = (mica_cptr_t)arg;
    for (unsigned long i = 0;; i++) {
        struct mica_msg m = mica_wait(ntfn);
        uint64_t t2 = bench_now();
        if (i < s->runs)
            s->t[2][i] = t2;
        check(m.status);
    }
}

/* ------------------------------------------------------------ faults */

/* A load from an unmapped page: `mov (%rcx),%rax`, 3 bytes. */
static inline void page_fault(void)
{
    __asm__ volatile("mov (%%rcx), %%rax" : : "c"(PF_ADDRESS) : "rax", "memory");
}

static inline void undefined_instruction(void)
{
    __asm__ volatile("ud2" : : : "memory");
}

/* A, with B's endpoint as its fault endpoint: runs + 1 faults, each timed
 * from before the faulting instruction to the one after it. */
#define FAULTER(name, fault)                      \
    static void name(long arg)                    \
    {                                             \
        struct bench_shared *s = SH;              \
        (void)arg;                                \
        for (unsigned long i = 0; i <= s->runs; i++) { \
            uint64_t t0 = bench_now();            \
            fault();                              \
            uint64_t t1 = bench_now();            \
            s->t[0][i] = t0;                      \
            s->t[1][i] = t1;                      \
        }                                         \
        finish(s->tcb_a, 1);                      \
    }
FAULTER(pf_faulter, page_fault)
FAULTER(ud_faulter, undefined_instruction)

/* B's first fault message must be the expected kind. */
static void check_fault(struct mica_msg m, mica_word_t label)
{
    check(m.status);
    if (!m.status && mica_tag_label(m.tag) != label)
        check(1000 + mica_tag_label(m.tag));
}

/* The pager: resume the faulter just past the faulting instruction (reply
 * label 0, one MR = the new rip); nothing is mapped. arg = label << 8 | len. */
static void fault_handler_rt(long arg)
{
    mica_cptr_t ep = SH->ep;
    mica_word_t tag = mica_tag(MICA_FAULT_REPLY_RESUME, 1, 0), len = (mica_word_t)arg & 0xff;
    struct mica_msg m = mica_recv(ep);
    check_fault(m, (mica_word_t)arg >> 8);
    for (;;)
        m = mica_reply_recv(ep, tag, m.mr[0] + len, 0, 0, 0);
}

/* The same pager with t2 (fault message in) and t3 (reply about to go). */
static void fault_handler_ow(long arg)
{
    struct bench_shared *s = SH;
    mica_cptr_t ep = s->ep;
    mica_word_t tag = mica_tag(MICA_FAULT_REPLY_RESUME, 1, 0), len = (mica_word_t)arg & 0xff;
    unsigned long runs = s->runs;
    uint64_t t3 = 0;
    struct mica_msg m = mica_recv(ep);
    check_fault(m, (mica_word_t)arg >> 8);
    for (unsigned long i = 0;; i++) {
        uint64_t t2 = bench_now();
        if (i <= runs) {
            s->t[2][i] = t2;
            if (i)
                s->t[3][i - 1] = t3;
        }
        mica_word_t rip = m.mr[0] + len;
        t3 = bench_now();
        m = mica_reply_recv(ep, tag, rip, 0, 0, 0);
    }
}

/* ------------------------------------------------------------ phases */

struct phase {
    void (*a)(long);
    void (*b)(long);
    long b_arg;
    unsigned prio_a, prio_b;
    int cross;   /* B in the clone */
    int a_fault; /* A's fault endpoint is the benchmark endpoint */
};

static struct bench_env *env;
static long fastpath_hits; /* during the last phase; -1 if the kernel does not say */

static long fastpath_count(void)
{
    struct mica_sysret r = mica_debug_ipc_stats(0);
    return r.status ? -1 : (long)r.value;
}

/* Run one phase; NULL or why it failed. */
static const char *run_phase(const struct phase *p)
{
    static char why[96];
    struct bench_shared *s = SH;
    struct mica_aspace *b_as = p->cross ? env->clone : env->self;
    mica_cptr_t b = p->cross ? env->tcb_cross : env->tcb_same;
    mica_word_t b_stack = p->cross ? env->clone->stack_top : (mica_word_t)&stacks[1][STACK_WORDS];
    mica_word_t err;

    s->done = 0;
    s->error = 0;
    s->runs = bench_warmup + bench_iters;
    s->ep = env->ep;
    s->ntfn = env->ntfn_signal;
    s->tcb_a = env->tcb_a;
    s->tcb_b = b;
    if ((err = mica_aspace_configure(env->self, env->tcb_a, p->a_fault ? env->ep : 0, p->prio_a)) ||
        (err = mica_aspace_configure(b_as, b, 0, p->prio_b)) ||
        (err = mica_aspace_start(b, p->b, p->b_arg, b_stack)) ||
        (err = mica_aspace_start(env->tcb_a, p->a, 0, (mica_word_t)&stacks[0][STACK_WORDS]))) {
        format_buf(why, sizeof(why), "starting the threads: error %lu", err);
        return why;
    }
    long before = fastpath_count();
    /* B and A run now; this returns when neither can run any more. */
    mica_tcb_set_priority(MICA_CAP_INIT_TCB, 1);
    mica_tcb_set_priority(MICA_CAP_INIT_TCB, MICA_ROOT_PRIORITY);
    long after = fastpath_count();
    fastpath_hits = before < 0 || after < 0 ? -1 : after - before;
    mica_tcb_suspend(env->tcb_a);
    mica_tcb_suspend(b);
    if (!s->done)
        return "stalled: both threads blocked or stopped before the end";
    if (s->error) {
        format_buf(why, sizeof(why), "a call failed: error %lu", s->error);
        return why;
    }
    return 0;
}

/* Run a phase and report end[i] - start[i] (arrays of the shared page). */
static void measure(const char *name, const struct phase *p, unsigned end, unsigned start)
{
    const char *why = run_phase(p);
    if (why)
        bench_fail(name, "%s", why);
    else
        bench_report_pairs(name, SH->t[end], SH->t[start], fastpath_hits);
}

/* A one-way phase gives two figures: A→B (t2 - t0) and B→A (t1 - t3). */
static void measure_two(const char *to_b, const char *to_a, const struct phase *p)
{
    const char *why = run_phase(p);
    if (why) {
        bench_fail(to_b, "%s", why);
        bench_fail(to_a, "%s", why);
        return;
    }
    bench_report_pairs(to_b, SH->t[2], SH->t[0], fastpath_hits);
    bench_report_pairs(to_a, SH->t[1], SH->t[3], fastpath_hits);
}

/* Signal with nobody waiting: the root task alone. */
static __attribute__((noinline)) void signal_no_waiter(void)
{
    struct bench_shared *s = SH;
    mica_word_t bad = 0;
    s->runs = bench_warmup + bench_iters;
    for (unsigned long i = 0; i < s->runs; i++) {
        uint64_t t0 = bench_now();
        mica_word_t st = mica_signal(env->ntfn_signal);
        uint64_t t1 = bench_now();
        s->t[0][i] = t0;
        s->t[1][i] = t1;
        bad |= st;
    }
    mica_poll(env->ntfn); /* leave the word clear */
    if (bad)
        bench_fail("signal_no_waiter", "Signal failed (error bits 0x%lx)", bad);
    else
        bench_report_pairs("signal_no_waiter", s->t[1], s->t[0], -1);
}

void bench_pairs(struct bench_env *e)
{
    static const char *const ipc_names[] = {
        "ipc_rt_cross", "ipc_rt_same", "ipc_call_cross", "ipc_replyrecv_cross", "ipc_call_same",
        "ipc_replyrecv_same", "ipc_send_recv", "signal_wake_high", "signal_no_waiter",
        "fault_pf_rt", "fault_pf_rt_same", "fault_pf_to_handler", "fault_pf_reply",
        "fault_ud_rt_same",
    };
    env = e;
    msg_tag = mica_tag(0, 0, 0);

    struct phase yield = { yield_a, yield_b, 0, PRIO, PRIO, 0, 0 };
    measure("yield_thread", &yield, 2, 0);
    yield.cross = 1;
    measure("yield_process", &yield, 2, 0);

    if (!bench_have_ipc) {
        for (unsigned i = 0; i < sizeof(ipc_names) / sizeof(ipc_names[0]); i++)
            bench_skip(ipc_names[i], "this kernel has no endpoint IPC");
        return;
    }

    struct phase rt = { call_client, rt_server, 0, PRIO, PRIO, 1, 0 };
    measure("ipc_rt_cross", &rt, 1, 0);
    rt.cross = 0;
    measure("ipc_rt_same", &rt, 1, 0);

    struct phase ow = { call_client, ow_server, 0, PRIO, PRIO, 1, 0 };
    measure_two("ipc_call_cross", "ipc_replyrecv_cross", &ow);
    ow.cross = 0;
    measure_two("ipc_call_same", "ipc_replyrecv_same", &ow);

    struct phase send = { send_a, recv_b, 0, PRIO, PRIO_HIGH, 1, 0 };
    measure("ipc_send_recv", &send, 2, 0);

    struct phase sig = { signal_a, wait_b, (long)e->ntfn, PRIO, PRIO_HIGH, 1, 0 };
    measure("signal_wake_high", &sig, 2, 0);
    signal_no_waiter();

    long pf = MICA_FAULT_PAGE << 8 | PF_INSN_LEN, ud = MICA_FAULT_EXCEPTION << 8 | UD_INSN_LEN;
    struct phase fault = { pf_faulter, fault_handler_rt, pf, PRIO_HIGH, PRIO, 1, 1 };
    measure("fault_pf_rt", &fault, 1, 0);
    fault.cross = 0;
    measure("fault_pf_rt_same", &fault, 1, 0);
    struct phase fault_ow = { pf_faulter, fault_handler_ow, pf, PRIO_HIGH, PRIO, 1, 1 };
    measure_two("fault_pf_to_handler", "fault_pf_reply", &fault_ow);
    struct phase fault_ud = { ud_faulter, fault_handler_rt, ud, PRIO_HIGH, PRIO, 0, 1 };
    measure("fault_ud_rt_same", &fault_ud, 1, 0);
}
