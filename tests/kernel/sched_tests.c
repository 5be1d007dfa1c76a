/*
 * Threads and the scheduler: threads made from untyped memory run in the
 * root task's own CSpace and VSpace (no IPC buffer), on stacks in its bss.
 * The root task starts at priority 255; to let the test threads run it
 * lowers itself, and it gets the CPU back only when all of them have
 * suspended themselves, which is itself a check of strict priority order.
 * Every test runs under KTEST (ktest.h), which checks it leaves no caps
 * behind and every boot untyped free of children.
 */
#include "ktest.h"
#include <mica_invoke.h>

#define ROOT MICA_CAP_INIT_CNODE
#define VS MICA_CAP_INIT_VSPACE
#define SELF MICA_CAP_INIT_TCB
#define D 64
#define MAX_THREADS 6
#define STACK_WORDS 2048

static unsigned long stacks[MAX_THREADS][STACK_WORDS] __attribute__((aligned(16)));

struct env {
    const struct mica_bootinfo *bi;
    mica_cptr_t ut;
};

/* This file's slots: ktest_slot(bi, 200) onwards. */
static mica_word_t tslot(const struct mica_bootinfo *bi, unsigned i)
{
    return ktest_slot(bi, 200 + i);
}

static const char *env_init(struct env *e, const struct mica_bootinfo *bi)
{
    e->bi = bi;
    e->ut = ktest_ram_untyped(bi, 16, 0);
    CHECK(e->ut);
    return 0;
}

/* Thread i runs fn(arg) at prio on stack i; resumed now if `start`. */
static const char *spawn(struct env *e, unsigned i, void (*fn)(long), long arg, unsigned prio,
                         int start)
{
    mica_cptr_t tcb = tslot(e->bi, i);
    CHECK_EQ(mica_untyped_retype(e->ut, MICA_OBJ_TCB, 0, ROOT, 0, 0, tcb, 1).status, MICA_OK);
    CHECK_EQ(mica_tcb_configure(tcb, 0, ROOT, 0, VS, 0, 0, prio, prio).status, MICA_OK);
    struct mica_user_context regs = { 0 };
    regs.rip = (mica_word_t)fn;
    regs.rsp = (mica_word_t)&stacks[i][STACK_WORDS - 1]; /* as if called: rsp % 16 == 8 */
    regs.rflags = 0x202;
    regs.rdi = (mica_word_t)arg;
    CHECK_EQ(mica_tcb_write_registers(tcb, start, MICA_USER_CONTEXT_WORDS, &regs).status, MICA_OK);
    return 0;
}

/* Let every lower thread run: drop to priority 1 until they are all done. */
static const char *let_run(void)
{
    CHECK_EQ(mica_tcb_set_priority(SELF, 1).status, MICA_OK);
    CHECK_EQ(mica_tcb_set_priority(SELF, MICA_ROOT_PRIORITY).status, MICA_OK);
    return 0;
}

static const char *cleanup(struct env *e)
{
    CHECK_EQ(mica_cnode_revoke(ROOT, e->ut, D).status, MICA_OK);
    return 0;
}

static __attribute__((noreturn)) void stop_self(long slot)
{
    mica_tcb_suspend((mica_cptr_t)slot);
    /* Not reached when slot is this thread's TCB; if a test passed the
     * wrong slot, end the run visibly instead of spinning forever. */
    mica_printf("ktest: thread did not stop itself (slot %ld)\n", slot);
    mica_debug_halt(3);
}

/* ------------------------------------------------------------ priority order */

static volatile long order[8];
static volatile unsigned n_order;
static mica_word_t order_slot_base;

static void record_and_stop(long who)
{
    order[n_order++] = who;
    stop_self((long)(order_slot_base + (unsigned long)who % 10));
}

KTEST(strict_priority_order)
{
    struct env e;
    const char *why;
    static const unsigned prios[] = { 100, 200, 150, 120, 2 };
    if ((why = env_init(&e, bi)))
        return why;
    n_order = 0;
    order_slot_base = tslot(bi, 0);
    for (unsigned i = 0; i < 5; i++)
        if ((why = spawn(&e, i, record_and_stop, (long)prios[i] * 10 + i, prios[i], 1)))
            return why;
    if ((why = let_run()))
        return why;
    /* The priority-2 thread outranks the root task at 1, so all five ran. */
    CHECK_EQ(n_order, 5);
    static const long expect[] = { 2001, 1502, 1203, 1000, 24 };
    for (unsigned i = 0; i < 5; i++)
        if (order[i] != expect[i])
            return ktest_failf("position %u: thread %ld ran, expected %ld", i, order[i], expect[i]);
    return cleanup(&e);
}

/* ------------------------------------------------------------ round robin */

#define RR_TURNS 24
static volatile long rr_seq[RR_TURNS + 4];
static volatile unsigned rr_n;
static volatile long rr_last;

static void rr_spin(long who)
{
    while (rr_n < RR_TURNS) {
        if (rr_last != who) { /* our turn began: the timer preempted the others */
            rr_last = who;
            rr_seq[rr_n++] = who;
        }
    }
    stop_self((long)(order_slot_base + (unsigned long)who));
}

KTEST(round_robin)
{
    struct env e;
    const char *why;
    if ((why = env_init(&e, bi)))
        return why;
    rr_n = 0;
    rr_last = -1;
    order_slot_base = tslot(bi, 0);
    for (unsigned i = 0; i < 3; i++)
        if ((why = spawn(&e, i, rr_spin, i, 50, 1)))
            return why;
    if ((why = let_run()))
        return why;
    CHECK(rr_n >= RR_TURNS);
    /* Spinning threads of one priority take turns in a fixed rotation. */
    for (unsigned i = 0; i + 3 < RR_TURNS; i++)
        if (rr_seq[i + 3] != rr_seq[i])
            return ktest_failf("turn %u went to %ld, turn %u to %ld: not a rotation", i, rr_seq[i],
                               i + 3, rr_seq[i + 3]);
    CHECK(rr_seq[0] != rr_seq[1] && rr_seq[1] != rr_seq[2] && rr_seq[0] != rr_seq[2]);
    return cleanup(&e);
}

/* ------------------------------------------------------------ preemption */

static volatile unsigned long spin_count;
static volatile int stop_spinning, high_ran, high_saw_frozen, woke_then_checked;
static mica_word_t high_tcb;

static void low_spinner(long self)
{
    while (!stop_spinning)
        spin_count++;
    stop_self(self);
}

static void waker(long self)
{
    while (spin_count < 100000) /* the spinner is running too: round-robin */
        ;
    mica_tcb_resume(high_tcb);
    /* The higher-priority thread ran before this line: preempted at once. */
    woke_then_checked = high_ran ? 1 : -1;
    stop_spinning = 1;
    stop_self(self);
}

static void high(long self)
{
    high_ran = 1;
    unsigned long before = spin_count;
    for (volatile int i = 0; i < 200000; i++)
        ;
    high_saw_frozen = spin_count == before ? 1 : -1; /* lower threads do not run */
    stop_self(self);
}

KTEST(preemption)
{
    struct env e;
    const char *why;
    if ((why = env_init(&e, bi)))
        return why;
    spin_count = 0;
    stop_spinning = high_ran = high_saw_frozen = woke_then_checked = 0;
    high_tcb = tslot(bi, 2);
    if ((why = spawn(&e, 0, low_spinner, (long)tslot(bi, 0), 50, 1)) ||
        (why = spawn(&e, 1, waker, (long)tslot(bi, 1), 50, 1)) ||
        (why = spawn(&e, 2, high, (long)tslot(bi, 2), 200, 0)))
        return why;
    if ((why = let_run()))
        return why;
    CHECK_EQ(high_ran, 1);
    CHECK_EQ(woke_then_checked, 1);
    CHECK_EQ(high_saw_frozen, 1);
    return cleanup(&e);
}

/* ------------------------------------------------------------ registers */

static volatile long reg_result;

static void set_result(long v)
{
    reg_result = v;
    stop_self((long)order_slot_base);
}

static void park_with_pattern(long self)
{
    register long r12 __asm__("r12") = 0x1212121212121212;
    __asm__ volatile("" ::"r"(r12));
    mica_tcb_suspend((mica_cptr_t)self);
    __asm__ volatile("" ::"r"(r12));
    set_result(-1); /* only if resumed without new registers */
}

KTEST(registers)
{
    struct env e;
    const char *why;
    struct mica_user_context regs;
    if ((why = env_init(&e, bi)))
        return why;
    order_slot_base = tslot(bi, 0);
    reg_result = 0;
    if ((why = spawn(&e, 0, park_with_pattern, (long)tslot(bi, 0), 100, 1)) || (why = let_run()))
        return why;
    struct mica_sysret r = mica_tcb_read_registers(tslot(bi, 0), MICA_USER_CONTEXT_WORDS, &regs);
    CHECK_EQ(r.status, MICA_OK);
    CHECK_EQ(r.value, MICA_USER_CONTEXT_WORDS);
    CHECK(regs.rsp > (mica_word_t)stacks[0] && regs.rsp <= (mica_word_t)&stacks[0][STACK_WORDS]);
    CHECK_EQ(regs.r12, 0x1212121212121212);
    CHECK_EQ(regs.rax, MICA_OK); /* the Suspend call's result, already delivered */
    /* Point it somewhere else and resume it there. */
    regs.rip = (mica_word_t)set_result;
    regs.rdi = 77;
    regs.rsp = (mica_word_t)&stacks[0][STACK_WORDS - 1];
    CHECK_EQ(mica_tcb_write_registers(tslot(bi, 0), 1, MICA_USER_CONTEXT_WORDS, &regs).status, MICA_OK);
    if ((why = let_run()))
        return why;
    CHECK_EQ(reg_result, 77);
    /* CopyRegisters: a second thread continues where the first stopped. */
    if ((why = spawn(&e, 1, set_result, 5, 100, 0)))
        return why;
    regs.rdi = 99;
    order_slot_base = tslot(bi, 1); /* set_result stops the thread in slot 1 now */
    CHECK_EQ(mica_tcb_write_registers(tslot(bi, 0), 0, MICA_USER_CONTEXT_WORDS, &regs).status, MICA_OK);
    CHECK_EQ(mica_tcb_copy_registers(tslot(bi, 1), tslot(bi, 0), MICA_COPY_RESUME_DEST).status, MICA_OK);
    if ((why = let_run()))
        return why;
    CHECK_EQ(reg_result, 99);
    return cleanup(&e);
}

KTEST(register_errors)
{
    struct env e;
    const char *why;
    struct mica_user_context regs = { 0 };
    if ((why = env_init(&e, bi)) || (why = spawn(&e, 0, set_result, 1, 100, 0)))
        return why;
    mica_cptr_t t = tslot(bi, 0);
    CHECK_EQ(mica_tcb_read_registers(SELF, 4, &regs).status, MICA_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(mica_tcb_write_registers(SELF, 0, 4, &regs).status, MICA_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(mica_tcb_read_registers(t, 0, &regs).status, MICA_ERR_RANGE);
    CHECK_EQ(mica_tcb_read_registers(t, MICA_USER_CONTEXT_WORDS + 1, &regs).status, MICA_ERR_RANGE);
    CHECK_EQ(mica_tcb_copy_registers(t, t, 0).status, MICA_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(mica_tcb_copy_registers(t, ROOT, 0).status, MICA_ERR_INVALID_CAP);
    CHECK_EQ(mica_tcb_set_fs_base(t, 0x0000800000000000ul).status, MICA_ERR_INVALID_ARGUMENT);
    CHECK_EQ(mica_tcb_set_gs_base(t, 0xffff800000000000ul).status, MICA_ERR_INVALID_ARGUMENT);
    CHECK_EQ(mica_tcb_set_fs_base(t, 0x1000).status, MICA_OK);
    CHECK_EQ(mica_tcb_set_priority(t, 256).status, MICA_ERR_RANGE);
    CHECK_EQ(mica_tcb_set_mcp(t, 300).status, MICA_ERR_RANGE);
    CHECK_EQ(mica_tcb_configure(t, 0, VS, 0, VS, 0, 0, 10, 10).status, MICA_ERR_INVALID_CAP);
    CHECK_EQ(mica_tcb_configure(t, 0, ROOT, 0, ROOT, 0, 0, 10, 10).status, MICA_ERR_INVALID_CAP);
    CHECK_EQ(mica_tcb_configure(t, 0, ROOT, 0, VS, 0, 0, 256, 10).status, MICA_ERR_RANGE);
    CHECK_EQ(mica_tcb_configure(t, 0, ROOT, 0, VS, 0x1234, MICA_CAP_INIT_IPC_BUFFER, 10, 10).status,
             MICA_ERR_ALIGNMENT);
    /* The kernel writes into an IPC buffer: a read-only frame cap will not do. */
    CHECK_EQ(mica_tcb_configure(t, 0, ROOT, 0, VS, 0x7fff00300000ul, MICA_CAP_BOOTINFO_FRAME, 10, 10).status,
             MICA_ERR_NO_RIGHTS);
    CHECK_EQ(mica_invoke(t, MICA_TCB_SET_PRIORITY, 0, 0, 0, 0).status, MICA_ERR_TRUNCATED);
    CHECK_EQ(mica_invoke(t, 999, 0, 0, 0, 0).status, MICA_ERR_ILLEGAL_OPERATION);
    return cleanup(&e);
}

/* A thread whose MCP is 60 cannot raise itself (or anyone) above 60. */
static volatile long mcp_result[3];

static void mcp_probe(long self)
{
    mcp_result[0] = (long)mica_tcb_set_priority((mica_cptr_t)self, 61).status;
    mcp_result[1] = (long)mica_tcb_set_priority((mica_cptr_t)self, 60).status;
    mcp_result[2] = (long)mica_tcb_set_mcp((mica_cptr_t)self, 200).status;
    stop_self(self);
}

KTEST(mcp_limits)
{
    struct env e;
    const char *why;
    if ((why = env_init(&e, bi)) || (why = spawn(&e, 0, mcp_probe, (long)tslot(bi, 0), 40, 0)))
        return why;
    CHECK_EQ(mica_tcb_set_mcp(tslot(bi, 0), 60).status, MICA_OK);
    CHECK_EQ(mica_tcb_resume(tslot(bi, 0)).status, MICA_OK);
    if ((why = let_run()))
        return why;
    CHECK_EQ(mcp_result[0], MICA_ERR_RANGE);
    CHECK_EQ(mcp_result[1], MICA_OK);
    CHECK_EQ(mcp_result[2], MICA_ERR_RANGE);
    return cleanup(&e);
}

/* FS base: the thread reads through %fs what the root task pointed it at. */
static volatile unsigned long fs_target = 0xf5f5f5f5;
static volatile unsigned long fs_seen;

static void read_fs(long self)
{
    unsigned long v;
    __asm__ volatile("mov %%fs:0, %0" : "=r"(v));
    fs_seen = v;
    stop_self(self);
}

KTEST(fs_base)
{
    struct env e;
    const char *why;
    if ((why = env_init(&e, bi)) || (why = spawn(&e, 0, read_fs, (long)tslot(bi, 0), 100, 0)))
        return why;
    CHECK_EQ(mica_tcb_set_fs_base(tslot(bi, 0), (mica_word_t)&fs_target).status, MICA_OK);
    CHECK_EQ(mica_tcb_resume(tslot(bi, 0)).status, MICA_OK);
    if ((why = let_run()))
        return why;
    CHECK_EQ(fs_seen, 0xf5f5f5f5);
    return cleanup(&e);
}

/* TCB_SetName: the name is four words of NUL-terminated printable ASCII.
 * (The kernel prints it in its messages; tests/boot cases of systems show
 * PD names there.) */
KTEST(tcb_set_name)
{
    struct env e;
    const char *why;
    if ((why = env_init(&e, bi)) || (why = spawn(&e, 0, read_fs, (long)tslot(bi, 0), 100, 0)))
        return why;
    mica_cptr_t t = tslot(bi, 0);
    CHECK_EQ(mica_tcb_set_name(t, "worker-1").status, MICA_OK);
    CHECK_EQ(mica_tcb_set_name(t, "").status, MICA_OK);
    /* 40 characters: the wrapper cuts at 31, so the NUL fits. */
    CHECK_EQ(mica_tcb_set_name(t, "0123456789012345678901234567890123456789").status, MICA_OK);
    mica_word_t full[4] = { 0x4141414141414141ull, 0x4141414141414141ull, 0x4141414141414141ull,
                            0x4141414141414141ull };
    struct mica_sysret r = mica_invoke(t, MICA_TCB_SET_NAME, full, 4, 0, 0);
    CHECK_EQ(r.status, MICA_ERR_INVALID_ARGUMENT);
    CHECK_EQ(r.value, 32); /* no NUL in 32 bytes */
    mica_word_t ctl[4] = { 0x0000000a41414141ull, 0, 0, 0 }; /* "AAAA\n" */
    r = mica_invoke(t, MICA_TCB_SET_NAME, ctl, 4, 0, 0);
    CHECK_EQ(r.status, MICA_ERR_INVALID_ARGUMENT);
    CHECK_EQ(r.value, 4); /* the index of the newline */
    mica_word_t high[4] = { 0x0000000000ff4141ull, 0, 0, 0 };
    r = mica_invoke(t, MICA_TCB_SET_NAME, high, 4, 0, 0);
    CHECK_EQ(r.status, MICA_ERR_INVALID_ARGUMENT);
    CHECK_EQ(r.value, 2);
    CHECK_EQ(mica_invoke(t, MICA_TCB_SET_NAME, ctl, 3, 0, 0).status, MICA_ERR_TRUNCATED);
    /* A TCB cap is needed: the name goes to no other object. */
    CHECK_EQ(mica_invoke(e.ut, MICA_TCB_SET_NAME, full, 4, 0, 0).status,
             MICA_ERR_ILLEGAL_OPERATION);
    return cleanup(&e);
}

/* Deleting a thread's last TCB cap, while it runs (itself) or while it is
 * runnable but not running, stops it for good; the kernel carries on. */
static volatile int deleted_self_continued;

static void delete_own_tcb(long self)
{
    mica_cnode_delete(ROOT, (mica_word_t)self, D);
    deleted_self_continued = 1; /* must never run */
    for (;;)
        ;
}

KTEST(delete_threads)
{
    struct env e;
    const char *why;
    deleted_self_continued = 0;
    if ((why = env_init(&e, bi)) ||
        (why = spawn(&e, 0, delete_own_tcb, (long)tslot(bi, 0), 100, 1)) ||
        (why = spawn(&e, 1, low_spinner, (long)tslot(bi, 1), 100, 1)))
        return why;
    stop_spinning = 0;
    /* Delete the spinner while it is runnable, before it ever ran. */
    CHECK_EQ(mica_cnode_delete(ROOT, tslot(bi, 1), D).status, MICA_OK);
    if ((why = let_run()))
        return why;
    CHECK_EQ(deleted_self_continued, 0);
    CHECK_EQ(MICA_CAP_ID_TYPE(mica_debug_cap_identify(tslot(bi, 0)).value), MICA_OBJ_NULL);
    return cleanup(&e);
}

const struct ktest sched_tests[] = {
    { "sched_strict_priority_order", strict_priority_order },
    { "sched_round_robin_within_priority", round_robin },
    { "sched_wakeup_preempts_lower_priority_spinners", preemption },
    { "tcb_read_write_copy_registers", registers },
    { "tcb_register_and_configure_errors", register_errors },
    { "tcb_mcp_limits_priority", mcp_limits },
    { "tcb_fs_base", fs_base },
    { "tcb_set_name", tcb_set_name },
    { "tcb_delete_running_and_runnable_threads", delete_threads },
    { 0, 0 },
};
