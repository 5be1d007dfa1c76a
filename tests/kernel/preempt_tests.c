/*
 * Long kernel operations stopped at preemption points and repeated:
 * Revoke of a long chain of copies, Delete of a big CNode and of a chain
 * of nested CNodes, Retype of a large object, Delete of an endpoint and a
 * notification with many waiters (docs/syscalls.md, "Preemption and
 * restart").
 *
 * No test depends on timing: the debug call DEBUG_PREEMPT makes every
 * n-th preemption point stop the operation as a pending interrupt would,
 * and end the caller's timeslice, so that a "peeker" thread of the same
 * priority runs between two steps and looks at the half-done state. Each
 * test checks that the operation was really preempted (the kernel's
 * count), that it completes correctly when repeated, and what the peeker
 * saw.
 */
#include "ktest.h"
#include <mica_invoke.h>

#define ROOT MICA_CAP_INIT_CNODE
#define SELF MICA_CAP_INIT_TCB
#define D 64

/* --------------------------------------------------------------- helpers */

/* Operations preempted so far; `period` applies from now on. */
static mica_word_t force(mica_word_t period)
{
    return mica_debug_preempt(period);
}

/* Is slot i of the CNode `cn` (radix bits) empty? Copying from it says. */
static int cn_empty(const struct mica_bootinfo *bi, mica_cptr_t cn, unsigned bits, mica_word_t i)
{
    mica_cptr_t spare = ktest_slot(bi, 99);
    struct mica_sysret r = mica_cnode_copy(ROOT, spare, D, cn, i, bits, MICA_RIGHTS_ALL);
    if (r.status == MICA_OK)
        mica_cnode_delete(ROOT, spare, D);
    return r.status == MICA_ERR_SLOT_EMPTY;
}

/* Can the untyped (2^bits bytes) be retyped whole, i.e. has it no children? */
static int whole(const struct mica_bootinfo *bi, mica_cptr_t ut, unsigned bits)
{
    mica_cptr_t spare = ktest_slot(bi, 98);
    struct mica_sysret r = mica_untyped_retype(ut, MICA_OBJ_UNTYPED, bits, ROOT, 0, 0, spare, 1);
    if (r.status == MICA_OK)
        mica_cnode_delete(ROOT, spare, D);
    return r.status == MICA_OK;
}

/*
 * The peeker: runs at the root task's priority whenever a forced
 * preemption ends the root task's timeslice, does what g_peek says once,
 * counts its turns and yields back, until g_stop.
 */
enum peek { PEEK_NOTHING, PEEK_ZOMBIE, PEEK_REVOKE_UT, PEEK_REVOKE_BADGED };
static volatile int g_stop, g_peek;
static volatile unsigned g_turns, g_bad;
static volatile mica_word_t g_ut, g_ut_bits, g_zslot;
static volatile mica_word_t g_seen_status;

/* The peeker has an IPC buffer of its own: it invokes through it. */
static struct mica_ipc_buffer *g_peek_ipc;

static mica_word_t peek_invoke(mica_cptr_t cap, mica_word_t label, const mica_word_t *mr,
                               unsigned length, mica_cptr_t cap0)
{
    return ktest_invoke(g_peek_ipc, cap, label, mr, length, &cap0, cap0 ? 1 : 0).status;
}

static void peek_zombie(void)
{
    mica_cptr_t spare = g_zslot + 1;
    /* A half-destroyed object is no one's: no copy, no move, no invocation,
     * and its memory cannot be retyped. */
    const mica_word_t copy[] = { spare, D, g_zslot, D, MICA_RIGHTS_ALL };
    const mica_word_t revoke[] = { 0, 1 };
    const mica_word_t retype[] = { MICA_OBJ_UNTYPED, g_ut_bits, 0, 0, spare, 1 };
    mica_word_t s[4];
    s[0] = peek_invoke(ROOT, MICA_CNODE_COPY, copy, 5, ROOT);
    s[1] = peek_invoke(ROOT, MICA_CNODE_MOVE, copy, 4, ROOT);
    s[2] = peek_invoke(g_zslot, MICA_CNODE_REVOKE, revoke, 2, 0);
    s[3] = peek_invoke(g_ut, MICA_UNTYPED_RETYPE, retype, 6, ROOT);
    if (s[0] != MICA_ERR_ILLEGAL_OPERATION || s[1] != MICA_ERR_ILLEGAL_OPERATION ||
        s[2] == MICA_OK || s[3] != MICA_ERR_NOT_ENOUGH_MEMORY) {
        for (unsigned k = 0; k < 4; k++)
            ktest_seen[0].x[k] = s[k];
        g_bad++;
    }
}

static void th_peeker(long i, struct mica_ipc_buffer *ipc)
{
    (void)i;
    g_peek_ipc = ipc;
    while (!g_stop) {
        g_turns++;
        if (g_peek == PEEK_ZOMBIE) {
            peek_zombie();
        } else if (g_peek == PEEK_REVOKE_UT || g_peek == PEEK_REVOKE_BADGED) {
            const mica_word_t mr[] = { g_ut, D }; /* g_ut: the cap to revoke */
            g_seen_status = peek_invoke(ROOT, MICA_CNODE_REVOKE, mr, 2, 0);
            g_peek = PEEK_NOTHING;
        }
        mica_yield();
    }
}

static const char *start_peeker(struct ktest_env *e, enum peek what)
{
    mica_cptr_t t;
    g_stop = 0;
    g_turns = g_bad = 0;
    g_peek = what;
    g_seen_status = 0xdead;
    return ktest_env_thread(e, &t, th_peeker, 0, MICA_ROOT_PRIORITY, 0, KTEST_START | KTEST_IPC);
}

static void stop_peeker(void)
{
    g_stop = 1;
    mica_yield();
}

/* The env untyped's size in bits (ktest_env_init picks one of >= 4 MiB). */
static unsigned env_bits(const struct mica_bootinfo *bi, struct ktest_env *e)
{
    unsigned bits = 0;
    for (unsigned i = 0; i < bi->n_untyped; i++)
        if (bi->slot_untyped_first + i == e->ut)
            bits = bi->untyped[i].size_bits;
    return bits;
}

/* A 1 MiB untyped of its own, from the env's, in a fresh env slot. */
static mica_cptr_t new_untyped(struct ktest_env *e)
{
    mica_cptr_t c = ktest_env_slot(e);
    if (!c || mica_untyped_retype(e->ut, MICA_OBJ_UNTYPED, 20, ROOT, 0, 0, c, 1).status != MICA_OK)
        return 0;
    return c;
}

/* A CNode of 2^bits slots in a fresh env slot. */
static mica_cptr_t new_cnode(struct ktest_env *e, unsigned bits)
{
    mica_cptr_t c = ktest_env_slot(e);
    if (!c || mica_untyped_retype(e->ut, MICA_OBJ_CNODE, bits, ROOT, 0, 0, c, 1).status != MICA_OK)
        return 0;
    return c;
}

/* ---------------------------------------------------------------- Revoke */

#define CHAIN_BITS 12
#define CHAIN (1u << CHAIN_BITS)

/* A chain of copies (each a copy of the one before, so each is the child
 * of the one before) in a CNode; revoked from its head with a preemption
 * at every preemption point. Revoke is linear: the number of steps (one
 * preemption each) is at most two per cap. */
KTEST(preempt_revoke_chain)
{
    struct ktest_env e;
    TRY(ktest_env_init(&e, bi, 0));
    mica_cptr_t cn = new_cnode(&e, CHAIN_BITS);
    CHECK(cn);
    CHECK_EQ(mica_untyped_retype(e.ut, MICA_OBJ_ENDPOINT, 0, cn, 0, 0, 0, 1).status, MICA_OK);
    for (unsigned i = 1; i < CHAIN; i++)
        CHECK_EQ(mica_cnode_copy(cn, i, CHAIN_BITS, cn, i - 1, CHAIN_BITS, MICA_RIGHTS_ALL).status,
                 MICA_OK);
    mica_word_t before = force(1);
    struct mica_sysret r = mica_cnode_revoke(cn, 0, CHAIN_BITS);
    mica_word_t steps = force(0) - before;
    CHECK_EQ(r.status, MICA_OK);
    CHECK(steps >= CHAIN - 1);
    CHECK(steps <= 2 * CHAIN);
    CHECK(!cn_empty(bi, cn, CHAIN_BITS, 0));
    for (unsigned i = 1; i < CHAIN; i++)
        CHECK(cn_empty(bi, cn, CHAIN_BITS, i));
    return ktest_env_done(&e);
}

/* Deleting a cap with many children (copies) re-parents them in steps;
 * the children survive, the object with them. */
KTEST(preempt_delete_cap_with_many_children)
{
    struct ktest_env e;
    TRY(ktest_env_init(&e, bi, 0));
    mica_cptr_t cn = new_cnode(&e, 10);
    CHECK(cn);
    CHECK_EQ(mica_untyped_retype(e.ut, MICA_OBJ_NOTIFICATION, 0, cn, 0, 0, 0, 1).status, MICA_OK);
    for (unsigned i = 1; i < 1024; i++)
        CHECK_EQ(mica_cnode_copy(cn, i, 10, cn, 0, 10, MICA_RIGHTS_ALL).status, MICA_OK);
    mica_word_t before = force(1);
    struct mica_sysret r = mica_cnode_delete(cn, 0, 10);
    mica_word_t steps = force(0) - before;
    CHECK_EQ(r.status, MICA_OK);
    CHECK(steps >= 1023 / 16);
    CHECK(cn_empty(bi, cn, 10, 0));
    for (unsigned i = 1; i < 1024; i++)
        CHECK(!cn_empty(bi, cn, 10, i));
    /* They are children of the untyped now: revoking it takes them. */
    return ktest_env_done(&e);
}

/* ----------------------------------------------------------------- Delete */

/* A CNode full of last caps (4096 notifications), deleted with the peeker
 * looking at the zombie between steps. */
KTEST(preempt_delete_big_cnode)
{
    struct ktest_env e;
    TRY(ktest_env_init(&e, bi, 0));
    mica_cptr_t cn = new_cnode(&e, CHAIN_BITS);
    CHECK(cn);
    for (unsigned i = 0; i < CHAIN; i += 256)
        CHECK_EQ(mica_untyped_retype(e.ut, MICA_OBJ_NOTIFICATION, 0, cn, 0, 0, i, 256).status, MICA_OK);
    ktest_env_slot(&e); /* the peeker's spare: cn + 1 */
    g_ut = e.ut;
    g_ut_bits = env_bits(bi, &e);
    g_zslot = cn;
    CHECK(g_ut_bits);
    TRY(start_peeker(&e, PEEK_ZOMBIE));
    mica_word_t before = force(3);
    struct mica_sysret r = mica_cnode_delete(ROOT, cn, D);
    mica_word_t steps = force(0) - before;
    stop_peeker();
    CHECK_EQ(r.status, MICA_OK);
    CHECK(steps >= CHAIN / 3 - 1);
    /* Every forced preemption let the peeker run (a timer interrupt may
     * have preempted the Delete a few more times). */
    if (g_turns < CHAIN / 3 - 1)
        return ktest_failf("%llu preemptions, %u peeker turns", (unsigned long long)steps, g_turns);
    if (g_bad)
        return ktest_failf("the peeker saw copy %llu, move %llu, invoke %llu, retype %llu",
                           (unsigned long long)ktest_seen[0].x[0], (unsigned long long)ktest_seen[0].x[1],
                           (unsigned long long)ktest_seen[0].x[2], (unsigned long long)ktest_seen[0].x[3]);
    CHECK_EQ(ktest_id_type(cn), MICA_OBJ_NULL);
    TRY(ktest_env_done(&e));
    CHECK(whole(bi, e.ut, (unsigned)g_ut_bits));
    return 0;
}

#define NEST 60

/* Each CNode (2 slots) holds the last cap to the next one in slot 0 and a
 * notification in slot 1: deleting the outermost destroys them all, in
 * steps, without recursion. */
static const char *build_nest(struct ktest_env *e, mica_cptr_t ut, mica_cptr_t *outer)
{
    mica_cptr_t c0 = ktest_env_slot(e);
    CHECK(c0);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_CNODE, 1, ROOT, 0, 0, c0, 1).status, MICA_OK);
    for (unsigned k = 0; k < NEST; k++) {
        /* C_k is c0 itself (k = 0) or C_{k-1}[0], named by k zero bits. */
        CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_NOTIFICATION, 0, c0, 0, k, 1, 1).status, MICA_OK);
        if (k + 1 < NEST)
            CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_CNODE, 1, c0, 0, k, 0, 1).status, MICA_OK);
    }
    *outer = c0;
    return 0;
}

KTEST(preempt_delete_nested_cnodes)
{
    struct ktest_env e;
    mica_cptr_t c0, ut;
    TRY(ktest_env_init(&e, bi, 0));
    CHECK(ut = new_untyped(&e));
    TRY(build_nest(&e, ut, &c0));
    mica_word_t before = force(1);
    struct mica_sysret r = mica_cnode_delete(ROOT, c0, D);
    mica_word_t steps = force(0) - before;
    CHECK_EQ(r.status, MICA_OK);
    CHECK(steps >= 2 * NEST - 1);
    CHECK_EQ(ktest_id_type(c0), MICA_OBJ_NULL);
    CHECK(whole(bi, ut, 20)); /* every zombie finished and gone from the tree */
    return ktest_env_done(&e);
}

/* The same deletion, stopped half-way and finished by a Revoke of the
 * untyped (from the peeker) instead of the repeated Delete: the Revoke
 * finds the zombies and completes them; the Delete then finds the slot
 * empty. */
KTEST(preempt_delete_nested_finished_by_revoke)
{
    struct ktest_env e;
    mica_cptr_t c0, ut;
    TRY(ktest_env_init(&e, bi, 0));
    CHECK(ut = new_untyped(&e));
    TRY(build_nest(&e, ut, &c0));
    g_ut = ut;
    TRY(start_peeker(&e, PEEK_REVOKE_UT));
    mica_word_t before = force(7);
    struct mica_sysret r = mica_cnode_delete(ROOT, c0, D);
    force(0);
    stop_peeker();
    CHECK(mica_debug_preempt(0) > before);
    CHECK_EQ(r.status, MICA_OK);
    CHECK_EQ(g_seen_status, MICA_OK);
    CHECK_EQ(ktest_id_type(c0), MICA_OBJ_NULL);
    CHECK(whole(bi, ut, 20));
    return ktest_env_done(&e);
}

/* A TCB whose CSpace slot holds the last cap to a big CNode: Configure
 * replacing it deletes that CNode in steps and is repeated until done. */
KTEST(preempt_tcb_configure_deletes_old_cspace)
{
    struct ktest_env e;
    TRY(ktest_env_init(&e, bi, 0));
    mica_cptr_t cn = new_cnode(&e, 10), t = ktest_env_new(&e, MICA_OBJ_TCB);
    CHECK(cn && t);
    for (unsigned i = 0; i < 1024; i += 256)
        CHECK_EQ(mica_untyped_retype(e.ut, MICA_OBJ_ENDPOINT, 0, cn, 0, 0, i, 256).status, MICA_OK);
    CHECK_EQ(mica_tcb_configure(t, 0, cn, 0, MICA_CAP_INIT_VSPACE, 0, 0, 10, 10).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, cn, D).status, MICA_OK); /* the TCB's copy is the last */
    mica_word_t before = force(2);
    struct mica_sysret r = mica_tcb_configure(t, 0, ROOT, 0, MICA_CAP_INIT_VSPACE, 0, 0, 10, 10);
    mica_word_t steps = force(0) - before;
    CHECK_EQ(r.status, MICA_OK);
    CHECK(steps >= 1024 / 2 - 1);
    return ktest_env_done(&e);
}

/* ----------------------------------------------------------------- Retype */

/* Retype zeroes a large object in chunks, preempted after each: fill the
 * memory with TCBs (non-zero state) first, free it, then make a 1 MiB
 * CNode of it; every slot must be empty. */
KTEST(preempt_retype_zeroes_in_steps)
{
    struct ktest_env e;
    TRY(ktest_env_init(&e, bi, 0));
    /* A 1 MiB untyped of its own, so the CNode lands where the TCBs were. */
    mica_cptr_t sub = new_untyped(&e), tcbs = new_cnode(&e, 9), cn = ktest_env_slot(&e);
    CHECK(sub && tcbs && cn);
    CHECK_EQ(mica_untyped_retype(sub, MICA_OBJ_TCB, 0, tcbs, 0, 0, 0, 256).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(sub, MICA_OBJ_TCB, 0, tcbs, 0, 0, 256, 256).status, MICA_OK);
    CHECK_EQ(mica_cnode_revoke(ROOT, sub, D).status, MICA_OK);
    mica_word_t before = force(1);
    struct mica_sysret r = mica_untyped_retype(sub, MICA_OBJ_CNODE, 14, ROOT, 0, 0, cn, 1);
    mica_word_t steps = force(0) - before;
    CHECK_EQ(r.status, MICA_OK);
    CHECK(steps >= (1u << 20) / (64u << 10) - 1);
    for (unsigned i = 0; i < (1u << 14); i++)
        CHECK(cn_empty(bi, cn, 14, i));
    return ktest_env_done(&e);
}

/* -------------------------------------------- endpoint and notification */

static volatile mica_cptr_t g_obj;

/* Wait on g_obj; when cancelled, try once more (the slot holds the
 * zombie, or nothing, by then: no joining a dying object's queue). */
static void th_waiter(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    ktest_record(i, mica_ipc_syscall(MICA_SYS_RECV, g_obj, 0, 0, 0, 0, 0));
    ktest_seen[i].x[0] = mica_ipc_syscall(MICA_SYS_RECV, g_obj, 0, 0, 0, 0, 0).status;
}

static const char *many_waiters(const struct mica_bootinfo *bi, unsigned type)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(ktest_env_init(&e, bi, 0));
    ktest_reset_seen();
    CHECK(g_obj = ktest_env_new(&e, type));
    for (unsigned i = 0; i < KTEST_MAX_THREADS; i++)
        TRY(ktest_env_thread(&e, &t, th_waiter, i, MICA_ROOT_PRIORITY, 0, KTEST_START));
    TRY(ktest_let_run()); /* all wait now */
    for (unsigned i = 0; i < KTEST_MAX_THREADS; i++)
        CHECK_EQ(ktest_seen[i].n, 0);
    mica_word_t before = force(1);
    struct mica_sysret r = mica_cnode_delete(ROOT, g_obj, D);
    mica_word_t steps = force(0) - before;
    CHECK_EQ(r.status, MICA_OK);
    CHECK(steps >= 1);
    TRY(ktest_let_run());
    for (unsigned i = 0; i < KTEST_MAX_THREADS; i++) {
        CHECK_EQ(ktest_seen[i].n, 1);
        CHECK_EQ(ktest_seen[i].status, MICA_ERR_CANCELLED);
        CHECK_EQ(ktest_seen[i].x[0], MICA_ERR_INVALID_CAP);
    }
    CHECK_EQ(ktest_id_type(g_obj), MICA_OBJ_NULL);
    return ktest_env_done(&e);
}

KTEST(preempt_delete_endpoint_many_waiters) { return many_waiters(bi, MICA_OBJ_ENDPOINT); }
KTEST(preempt_delete_notification_many_waiters) { return many_waiters(bi, MICA_OBJ_NOTIFICATION); }

/* ------------------------------------------- Revoke of a badged cap */

#include <mica_ipc.h>

static volatile mica_cptr_t g_send_cap[KTEST_MAX_THREADS];

/* Send MR0 = i through g_send_cap[i]; record the status. */
static void th_sender(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    ktest_seen[i].status = mica_send(g_send_cap[i], mica_tag(7, 1, 0), (mica_word_t)i, 0, 0, 0);
    ktest_seen[i].n++;
}

/* Senders first..KTEST_MAX_THREADS-1 queued on `ep` in that order, the
 * even ones with badge 5 (through *b5), the odd ones with badge 7. */
static const char *queue_senders(struct ktest_env *e, mica_cptr_t ep, unsigned first,
                                 mica_cptr_t *b5, mica_cptr_t *b7)
{
    mica_cptr_t t;
    *b5 = ktest_env_slot(e);
    *b7 = ktest_env_slot(e);
    CHECK_EQ(mica_cnode_mint(ROOT, *b5, D, ROOT, ep, D, MICA_RIGHT_WRITE, 5).status, MICA_OK);
    CHECK_EQ(mica_cnode_mint(ROOT, *b7, D, ROOT, ep, D, MICA_RIGHT_WRITE, 7).status, MICA_OK);
    for (unsigned i = first; i < KTEST_MAX_THREADS; i++) {
        g_send_cap[i] = i % 2 ? *b7 : *b5;
        TRY(ktest_env_thread(e, &t, th_sender, i, MICA_ROOT_PRIORITY, 0, KTEST_START));
        TRY(ktest_let_run()); /* queued behind the ones before */
        CHECK_EQ(ktest_seen[i].n, 0);
    }
    return 0;
}

/* The senders with badge 5 are cancelled; those with badge 7 are queued
 * still, in order, unless `seven_gone`. */
static const char *check_senders(mica_cptr_t ep, unsigned first, int seven_gone)
{
    TRY(ktest_let_run());
    for (unsigned i = first; i < KTEST_MAX_THREADS; i++) {
        if (i % 2 && !seven_gone) {
            CHECK_EQ(ktest_seen[i].n, 0);
            struct mica_msg m = mica_nb_recv(ep);
            CHECK_EQ(m.status, MICA_OK);
            CHECK_EQ(m.badge, 7);
            CHECK_EQ(m.mr[0], i);
        } else {
            CHECK_EQ(ktest_seen[i].n, 1);
            CHECK_EQ(ktest_seen[i].status, MICA_ERR_CANCELLED);
        }
    }
    CHECK_EQ(mica_nb_recv(ep).status, MICA_ERR_WOULD_BLOCK);
    return ktest_let_run();
}

/* Revoking a badged cap with many senders queued cancels those with its
 * badge in steps (a bounded number of queued threads per step). */
KTEST(preempt_revoke_badged_cancels_in_steps)
{
    struct ktest_env e;
    mica_cptr_t b5, b7;
    TRY(ktest_env_init(&e, bi, 0));
    ktest_reset_seen();
    mica_cptr_t ep = ktest_env_new(&e, MICA_OBJ_ENDPOINT);
    CHECK(ep);
    TRY(queue_senders(&e, ep, 0, &b5, &b7));
    mica_word_t before = force(1);
    struct mica_sysret r = mica_cnode_revoke(ROOT, b5, D);
    mica_word_t steps = force(0) - before;
    CHECK_EQ(r.status, MICA_OK);
    CHECK(steps >= 1);
    TRY(check_senders(ep, 0, 0));
    return ktest_env_done(&e);
}

/* Two Revokes of caps with different badges, each preempted at every
 * preemption point and the other one running in between: neither keeps
 * restarting the other (each finishes), and each cancels its badge's
 * senders. */
KTEST(preempt_revoke_badged_two_at_once)
{
    struct ktest_env e;
    mica_cptr_t b5, b7;
    TRY(ktest_env_init(&e, bi, 0));
    ktest_reset_seen();
    mica_cptr_t ep = ktest_env_new(&e, MICA_OBJ_ENDPOINT);
    CHECK(ep);
    TRY(queue_senders(&e, ep, 1, &b5, &b7)); /* thread 0 is the peeker */
    g_ut = b7;
    TRY(start_peeker(&e, PEEK_NOTHING));
    g_peek = PEEK_REVOKE_BADGED; /* on its first turn: while the Revoke below is preempted */
    mica_word_t before = force(1);
    struct mica_sysret r = mica_cnode_revoke(ROOT, b5, D);
    mica_word_t steps = force(0) - before;
    CHECK_EQ(r.status, MICA_OK);
    CHECK(steps >= 2);
    for (unsigned i = 0; i < 8 && g_peek != PEEK_NOTHING; i++)
        mica_yield(); /* the peeker's Revoke goes on */
    CHECK_EQ(g_peek, PEEK_NOTHING);
    CHECK_EQ(g_seen_status, MICA_OK);
    stop_peeker();
    TRY(check_senders(ep, 1, 1));
    return ktest_env_done(&e);
}

const struct ktest preempt_tests[] = {
    { "preempt_revoke_badged_cancels_in_steps", preempt_revoke_badged_cancels_in_steps },
    { "preempt_revoke_badged_two_at_once", preempt_revoke_badged_two_at_once },
    { "preempt_revoke_chain", preempt_revoke_chain },
    { "preempt_delete_cap_with_many_children", preempt_delete_cap_with_many_children },
    { "preempt_delete_big_cnode", preempt_delete_big_cnode },
    { "preempt_delete_nested_cnodes", preempt_delete_nested_cnodes },
    { "preempt_delete_nested_finished_by_revoke", preempt_delete_nested_finished_by_revoke },
    { "preempt_tcb_configure_deletes_old_cspace", preempt_tcb_configure_deletes_old_cspace },
    { "preempt_retype_zeroes_in_steps", preempt_retype_zeroes_in_steps },
    { "preempt_delete_endpoint_many_waiters", preempt_delete_endpoint_many_waiters },
    { "preempt_delete_notification_many_waiters", preempt_delete_notification_many_waiters },
    { 0, 0 },
};
