/*
 * Notifications (docs/ipc.md, "Notifications"): Signal, Wait and Poll,
 * badges OR-ing into the word, FIFO waiters, who runs after a Signal,
 * rights and wrong caps, cancellation, and binding to a TCB
 * (TCB_BindNotification / UnbindNotification): a bound thread blocked in
 * Recv on an endpoint wakes on a Signal, and nobody else may Wait.
 *
 * Threads as in ipc_tests.c (util.c): they run in the root task's CSpace
 * and VSpace; the root task lowers itself to let them run (ktest_let_run)
 * and then checks what they recorded, so nothing here depends on timing.
 */
#include "ktest.h"
#include <mica_invoke.h>
#include <mica_ipc.h>

#define ROOT MICA_CAP_INIT_CNODE
#define D 64
#define FIRST 300
#define BAD_CPTR (1ull << 63)
#define S0 0x5e50 /* sentinels in MR0-MR3 of a receive */
#define S1 0x5e51
#define S2 0x5e52
#define S3 0x5e53

static mica_cptr_t g_ntfn, g_ep, g_tcb[KTEST_MAX_THREADS];

struct nenv {
    struct ktest_env e;
    mica_cptr_t ntfn; /* the notification, all rights */
    mica_cptr_t ep;   /* an endpoint */
};

static const char *begin(struct nenv *n, const struct mica_bootinfo *bi)
{
    ktest_reset_seen();
    TRY(ktest_env_init(&n->e, bi, FIRST));
    n->ntfn = g_ntfn = ktest_env_new(&n->e, MICA_OBJ_NOTIFICATION);
    n->ep = g_ep = ktest_env_new(&n->e, MICA_OBJ_ENDPOINT);
    CHECK(n->ntfn && n->ep);
    for (unsigned i = 0; i < KTEST_MAX_THREADS; i++)
        g_tcb[i] = 0;
    return 0;
}

/* A copy of the notification with `rights` and badge (0: unbadged). */
static mica_cptr_t badged(struct nenv *n, unsigned rights, mica_word_t badge)
{
    mica_cptr_t s = ktest_env_slot(&n->e);
    struct mica_sysret r = badge ? mica_cnode_mint(ROOT, s, D, ROOT, n->ntfn, D, rights, badge)
                                 : mica_cnode_copy(ROOT, s, D, ROOT, n->ntfn, D, rights);
    return r.status == MICA_OK ? s : 0;
}

static const char *thread(struct nenv *n, long i, ktest_thread_fn fn, unsigned prio, unsigned flags)
{
    TRY(ktest_env_thread(&n->e, &g_tcb[i], fn, i, prio, 0, flags | KTEST_START));
    return 0;
}

static struct mica_msg sys(long number, mica_cptr_t cap)
{
    return mica_ipc_syscall(number, cap, 0, S0, S1, S2, S3);
}

/* ------------------------------------------------------------ threads */

/* Wait once on g_ntfn, mark 100 + i. */
static void th_wait(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    ktest_record(i, sys(MICA_SYS_RECV, g_ntfn));
    ktest_mark(100 + i);
}

/* Recv once on the endpoint g_ep (sentinels in MR0-MR3), mark 100 + i. */
static void th_recv_ep(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    ktest_record(i, sys(MICA_SYS_RECV, g_ep));
    ktest_mark(100 + i);
}

/* Signal g_ntfn between marks 10 + i and 20 + i. */
static void th_signal(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    ktest_mark(10 + i);
    ktest_seen[i].status = mica_signal(g_ntfn);
    ktest_mark(20 + i);
}

/* ------------------------------------------------------------ Signal, Poll */

KTEST(signal_then_poll)
{
    struct nenv n;
    TRY(begin(&n, bi));
    mica_cptr_t b = badged(&n, MICA_RIGHT_WRITE, 0x10);
    CHECK(b);
    CHECK_EQ(mica_signal(b), MICA_OK);
    struct mica_msg m = sys(MICA_SYS_NB_RECV, n.ntfn);
    CHECK_EQ(m.status, MICA_OK);
    CHECK_EQ(m.badge, 0x10);
    CHECK_EQ(m.tag, MICA_TAG_NOTIFICATION);
    CHECK_EQ(m.mr[0], S0); /* message registers untouched */
    CHECK_EQ(m.mr[3], S3);
    /* Poll cleared the word. */
    CHECK_EQ(mica_poll(n.ntfn).status, MICA_ERR_WOULD_BLOCK);
    return ktest_env_done(&n.e);
}

KTEST(poll_zero_word)
{
    struct nenv n;
    TRY(begin(&n, bi));
    struct mica_msg m = sys(MICA_SYS_NB_RECV, n.ntfn);
    CHECK_EQ(m.status, MICA_ERR_WOULD_BLOCK);
    CHECK_EQ(m.mr[0], S0);
    /* An unbadged Signal sets no bit: still nothing to poll. */
    CHECK_EQ(mica_signal(n.ntfn), MICA_OK);
    CHECK_EQ(mica_poll(n.ntfn).status, MICA_ERR_WOULD_BLOCK);
    return ktest_env_done(&n.e);
}

KTEST(badges_or_together)
{
    struct nenv n;
    TRY(begin(&n, bi));
    mica_cptr_t b1 = badged(&n, MICA_RIGHT_WRITE, 0x1), b2 = badged(&n, MICA_RIGHT_WRITE, 0x2);
    mica_cptr_t b5 = badged(&n, MICA_RIGHT_WRITE, 0x5), hi = badged(&n, MICA_RIGHT_WRITE, 1ull << 47);
    CHECK(b1 && b2 && b5 && hi);
    for (unsigned k = 0; k < 10; k++) /* repeated signals of one source are one */
        CHECK_EQ(mica_signal(b2), MICA_OK);
    CHECK_EQ(mica_signal(b1), MICA_OK);
    CHECK_EQ(mica_signal(b5), MICA_OK);
    CHECK_EQ(mica_signal(hi), MICA_OK);
    struct mica_msg m = mica_poll(n.ntfn);
    CHECK_EQ(m.status, MICA_OK);
    CHECK_EQ(m.badge, 0x7 | 1ull << 47);
    CHECK_EQ(mica_poll(n.ntfn).status, MICA_ERR_WOULD_BLOCK);
    return ktest_env_done(&n.e);
}

/* NBSend on a notification is a Signal too, and never blocks. */
KTEST(nbsend_signals)
{
    struct nenv n;
    TRY(begin(&n, bi));
    mica_cptr_t b = badged(&n, MICA_RIGHT_WRITE, 0x40);
    CHECK(b);
    CHECK_EQ(mica_nb_send(b, mica_tag(3, 2, 0), 1, 2, 0, 0), MICA_OK);
    CHECK_EQ(mica_send(b, mica_tag(3, 2, 0), 1, 2, 0, 0), MICA_OK);
    struct mica_msg m = mica_poll(n.ntfn);
    CHECK_EQ(m.status, MICA_OK);
    CHECK_EQ(m.badge, 0x40);
    return ktest_env_done(&n.e);
}

/* Wait with the word already set returns at once. */
KTEST(wait_returns_pending_word)
{
    struct nenv n;
    TRY(begin(&n, bi));
    mica_cptr_t b = badged(&n, MICA_RIGHT_WRITE, 0x300);
    CHECK(b);
    CHECK_EQ(mica_signal(b), MICA_OK);
    struct mica_msg m = sys(MICA_SYS_RECV, n.ntfn);
    CHECK_EQ(m.status, MICA_OK);
    CHECK_EQ(m.badge, 0x300);
    CHECK_EQ(m.tag, MICA_TAG_NOTIFICATION);
    CHECK_EQ(m.mr[1], S1);
    CHECK_EQ(mica_poll(n.ntfn).status, MICA_ERR_WOULD_BLOCK);
    return ktest_env_done(&n.e);
}

KTEST(wait_blocks_until_signal)
{
    struct nenv n;
    TRY(begin(&n, bi));
    mica_cptr_t b = badged(&n, MICA_RIGHT_WRITE, 0x21);
    CHECK(b);
    TRY(thread(&n, 0, th_wait, 100, 0));
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].n, 0);
    CHECK_EQ(mica_signal(b), MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].n, 1);
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    CHECK_EQ(ktest_seen[0].badge, 0x21);
    CHECK_EQ(ktest_seen[0].tag, MICA_TAG_NOTIFICATION);
    CHECK_EQ(ktest_seen[0].mr[2], S2);
    /* The waiter took the word. */
    CHECK_EQ(mica_poll(n.ntfn).status, MICA_ERR_WOULD_BLOCK);
    return ktest_env_done(&n.e);
}

/* An unbadged Signal still wakes a waiter, which receives 0. */
KTEST(unbadged_signal_wakes_waiter)
{
    struct nenv n;
    TRY(begin(&n, bi));
    TRY(thread(&n, 0, th_wait, 100, 0));
    TRY(ktest_let_run());
    CHECK_EQ(mica_signal(n.ntfn), MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    CHECK_EQ(ktest_seen[0].badge, 0);
    CHECK_EQ(ktest_seen[0].tag, MICA_TAG_NOTIFICATION);
    return ktest_env_done(&n.e);
}

/* Waiters are served in arrival order, one per Signal. */
KTEST(fifo_waiters)
{
    struct nenv n;
    static const unsigned prios[] = { 30, 200, 90 };
    TRY(begin(&n, bi));
    mica_cptr_t b[3];
    for (unsigned i = 0; i < 3; i++) {
        b[i] = badged(&n, MICA_RIGHT_WRITE, 1ull << i);
        CHECK(b[i]);
        TRY(thread(&n, i, th_wait, prios[i], 0));
        TRY(ktest_let_run());
    }
    CHECK_EQ(mica_signal(b[0]), MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].n, 1);
    CHECK_EQ(ktest_seen[1].n, 0); /* one Signal, one waiter */
    CHECK_EQ(mica_signal(b[1]), MICA_OK);
    CHECK_EQ(mica_signal(b[2]), MICA_OK);
    TRY(ktest_let_run());
    for (unsigned i = 0; i < 3; i++) {
        CHECK_EQ(ktest_seen[i].status, MICA_OK);
        CHECK_EQ(ktest_seen[i].badge, 1ull << i);
    }
    EXPECT_MARKS(100, 101, 102);
    return ktest_env_done(&n.e);
}

/* ------------------------------------------------------------ errors */

KTEST(signal_needs_write)
{
    struct nenv n;
    TRY(begin(&n, bi));
    mica_cptr_t ro = badged(&n, MICA_RIGHT_READ | MICA_RIGHT_GRANT, 0x1);
    CHECK(ro);
    CHECK_EQ(mica_signal(ro), MICA_ERR_NO_RIGHTS);
    CHECK_EQ(mica_nb_send(ro, 0, 0, 0, 0, 0), MICA_ERR_NO_RIGHTS);
    CHECK_EQ(mica_poll(n.ntfn).status, MICA_ERR_WOULD_BLOCK); /* no bit set */
    return ktest_env_done(&n.e);
}

KTEST(wait_poll_need_read)
{
    struct nenv n;
    TRY(begin(&n, bi));
    mica_cptr_t wo = badged(&n, MICA_RIGHT_WRITE, 0x1);
    CHECK(wo);
    CHECK_EQ(mica_signal(wo), MICA_OK);
    CHECK_EQ(mica_wait(wo).status, MICA_ERR_NO_RIGHTS);
    CHECK_EQ(mica_poll(wo).status, MICA_ERR_NO_RIGHTS);
    /* The word is still there for a cap that may read it. */
    CHECK_EQ(mica_poll(n.ntfn).badge, 0x1);
    return ktest_env_done(&n.e);
}

KTEST(call_on_notification)
{
    struct nenv n;
    TRY(begin(&n, bi));
    mica_cptr_t b = badged(&n, MICA_RIGHTS_ALL, 0x1);
    CHECK(b);
    CHECK_EQ(mica_call(b, mica_tag(1, 0, 0), 0, 0, 0, 0).status, MICA_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(mica_poll(n.ntfn).status, MICA_ERR_WOULD_BLOCK); /* not a Signal either */
    return ktest_env_done(&n.e);
}

/* A notification cap is no reply cap: Reply ignores it; ReplyRecv on it
 * with nothing to answer is a Wait. */
KTEST(replyrecv_on_notification_waits)
{
    struct nenv n;
    TRY(begin(&n, bi));
    mica_cptr_t b = badged(&n, MICA_RIGHT_WRITE, 0x2);
    CHECK(b);
    CHECK_EQ(mica_signal(b), MICA_OK);
    struct mica_msg m = mica_reply_recv(n.ntfn, 0, 0, 0, 0, 0);
    CHECK_EQ(m.status, MICA_OK);
    CHECK_EQ(m.badge, 0x2);
    CHECK_EQ(m.tag, MICA_TAG_NOTIFICATION);
    return ktest_env_done(&n.e);
}

/* ------------------------------------------------------------ who runs */

KTEST(signal_wakes_higher_waiter_at_once)
{
    struct nenv n;
    TRY(begin(&n, bi));
    TRY(thread(&n, 0, th_wait, 150, 0));
    TRY(ktest_let_run());
    TRY(thread(&n, 1, th_signal, 50, 0));
    TRY(ktest_let_run());
    EXPECT_MARKS(11, 100, 21);
    CHECK_EQ(ktest_seen[1].status, MICA_OK);
    return ktest_env_done(&n.e);
}

KTEST(signal_to_lower_waiter_signaller_continues)
{
    struct nenv n;
    TRY(begin(&n, bi));
    TRY(thread(&n, 0, th_wait, 20, 0));
    TRY(ktest_let_run());
    TRY(thread(&n, 1, th_signal, 50, 0));
    TRY(ktest_let_run());
    EXPECT_MARKS(11, 21, 100);
    return ktest_env_done(&n.e);
}

/* The root task blocks in Wait; a thread's Signal wakes it at once. */
KTEST(root_wait_woken_by_thread)
{
    struct nenv n;
    TRY(begin(&n, bi));
    g_ntfn = badged(&n, MICA_RIGHT_WRITE, 0x8000);
    CHECK(g_ntfn);
    TRY(thread(&n, 0, th_signal, 50, 0));
    struct mica_msg m = mica_wait(n.ntfn);
    CHECK_EQ(m.status, MICA_OK);
    CHECK_EQ(m.badge, 0x8000);
    EXPECT_MARKS(10); /* the signaller has not gone on yet */
    TRY(ktest_let_run());
    EXPECT_MARKS(10, 20);
    return ktest_env_done(&n.e);
}

/* ------------------------------------------------------------ cancellation */

KTEST(delete_cancels_waiters)
{
    struct nenv n;
    TRY(begin(&n, bi));
    mica_cptr_t copy = badged(&n, MICA_RIGHTS_ALL, 0);
    CHECK(copy);
    TRY(thread(&n, 0, th_wait, 100, 0));
    TRY(thread(&n, 1, th_wait, 60, 0));
    TRY(ktest_let_run());
    CHECK_EQ(mica_cnode_delete(ROOT, copy, D).status, MICA_OK); /* not the last cap */
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].n, 0);
    CHECK_EQ(mica_cnode_delete(ROOT, n.ntfn, D).status, MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].status, MICA_ERR_CANCELLED);
    CHECK_EQ(ktest_seen[1].status, MICA_ERR_CANCELLED);
    CHECK_EQ(ktest_seen[0].mr[0], S0);
    return ktest_env_done(&n.e);
}

/* A suspended waiter leaves the queue: a Signal meanwhile stays in the
 * word; resumed, the waiter gets CANCELLED. */
KTEST(suspend_waiter_then_resume)
{
    struct nenv n;
    TRY(begin(&n, bi));
    mica_cptr_t b = badged(&n, MICA_RIGHT_WRITE, 0x4);
    CHECK(b);
    TRY(thread(&n, 0, th_wait, 100, 0));
    TRY(ktest_let_run());
    CHECK_EQ(mica_tcb_suspend(g_tcb[0]).status, MICA_OK);
    CHECK_EQ(mica_signal(b), MICA_OK);
    CHECK_EQ(mica_tcb_resume(g_tcb[0]).status, MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].status, MICA_ERR_CANCELLED);
    CHECK_EQ(mica_poll(n.ntfn).badge, 0x4);
    return ktest_env_done(&n.e);
}

/* Deleting a waiting thread takes it out of the queue. */
KTEST(delete_waiting_thread_leaves_queue)
{
    struct nenv n;
    TRY(begin(&n, bi));
    mica_cptr_t b = badged(&n, MICA_RIGHT_WRITE, 0x4);
    CHECK(b);
    TRY(thread(&n, 0, th_wait, 100, 0));
    TRY(ktest_let_run());
    TRY(thread(&n, 1, th_wait, 100, 0));
    TRY(ktest_let_run());
    CHECK_EQ(mica_cnode_delete(ROOT, g_tcb[0], D).status, MICA_OK);
    CHECK_EQ(mica_signal(b), MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].n, 0);
    CHECK_EQ(ktest_seen[1].status, MICA_OK);
    CHECK_EQ(ktest_seen[1].badge, 0x4);
    return ktest_env_done(&n.e);
}

/* New registers take a waiter out of the queue. */
static unsigned long landing_stack[512] __attribute__((aligned(16)));

static void th_landing(long i)
{
    ktest_mark(60 + i);
    for (;;)
        mica_tcb_suspend(g_tcb[i]);
}

KTEST(write_registers_takes_waiter_out)
{
    struct nenv n;
    TRY(begin(&n, bi));
    mica_cptr_t b = badged(&n, MICA_RIGHT_WRITE, 0x9);
    CHECK(b);
    TRY(thread(&n, 0, th_wait, 100, 0));
    TRY(ktest_let_run());
    struct mica_user_context regs = { 0 };
    regs.rip = (mica_word_t)th_landing;
    regs.rsp = (mica_word_t)&landing_stack[511];
    regs.rflags = 0x202;
    CHECK_EQ(mica_tcb_write_registers(g_tcb[0], 1, MICA_USER_CONTEXT_WORDS, &regs).status, MICA_OK);
    CHECK_EQ(mica_signal(b), MICA_OK); /* nobody waits now */
    TRY(ktest_let_run());
    EXPECT_MARKS(60);
    CHECK_EQ(ktest_seen[0].n, 0);
    CHECK_EQ(mica_poll(n.ntfn).badge, 0x9);
    return ktest_env_done(&n.e);
}

/* ------------------------------------------------------------ binding */

/* A thread bound to the notification, blocked in Recv on an endpoint,
 * wakes on a Signal: the word in .badge, MICA_TAG_NOTIFICATION, MRs
 * untouched; the word is cleared. */
KTEST(bound_signal_wakes_endpoint_receiver)
{
    struct nenv n;
    TRY(begin(&n, bi));
    mica_cptr_t b = badged(&n, MICA_RIGHT_WRITE, 0x60);
    CHECK(b);
    TRY(thread(&n, 0, th_recv_ep, 100, 0));
    CHECK_EQ(mica_tcb_bind_notification(g_tcb[0], n.ntfn).status, MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].n, 0);
    CHECK_EQ(mica_signal(b), MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    CHECK_EQ(ktest_seen[0].badge, 0x60);
    CHECK(ktest_seen[0].tag & MICA_TAG_NOTIFICATION);
    CHECK_EQ(mica_tag_label(ktest_seen[0].tag), 0);
    CHECK_EQ(mica_tag_length(ktest_seen[0].tag), 0);
    CHECK_EQ(ktest_seen[0].mr[0], S0);
    CHECK_EQ(ktest_seen[0].mr[3], S3);
    /* It left the endpoint's queue. */
    CHECK_EQ(mica_nb_send(n.ep, mica_tag(1, 0, 0), 0, 0, 0, 0), MICA_ERR_WOULD_BLOCK);
    /* The word was cleared (the root task may poll once it is unbound). */
    CHECK_EQ(mica_tcb_unbind_notification(g_tcb[0]).status, MICA_OK);
    CHECK_EQ(mica_poll(n.ntfn).status, MICA_ERR_WOULD_BLOCK);
    return ktest_env_done(&n.e);
}

/* A bound thread still receives messages on its endpoint normally. */
KTEST(bound_thread_receives_messages)
{
    struct nenv n;
    TRY(begin(&n, bi));
    TRY(thread(&n, 0, th_recv_ep, 100, 0));
    CHECK_EQ(mica_tcb_bind_notification(g_tcb[0], n.ntfn).status, MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(mica_nb_send(n.ep, mica_tag(7, 1, 0), 0x77, 0, 0, 0), MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    CHECK_EQ(ktest_seen[0].tag, mica_tag(7, 1, 0));
    CHECK_EQ(ktest_seen[0].mr[0], 0x77);
    return ktest_env_done(&n.e);
}

/* The word already set when the bound thread calls Recv: it returns at
 * once with the word. */
KTEST(bound_pending_word_returns_at_once)
{
    struct nenv n;
    TRY(begin(&n, bi));
    mica_cptr_t b = badged(&n, MICA_RIGHT_WRITE, 0x3);
    CHECK(b);
    CHECK_EQ(mica_signal(b), MICA_OK);
    TRY(ktest_env_thread(&n.e, &g_tcb[0], th_recv_ep, 0, 100, 0, 0));
    CHECK_EQ(mica_tcb_bind_notification(g_tcb[0], n.ntfn).status, MICA_OK);
    CHECK_EQ(mica_tcb_resume(g_tcb[0]).status, MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].n, 1);
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    CHECK_EQ(ktest_seen[0].badge, 0x3);
    CHECK(ktest_seen[0].tag & MICA_TAG_NOTIFICATION);
    return ktest_env_done(&n.e);
}

/* With both a word pending and a sender queued on the endpoint, the bound
 * thread's Recv returns the word first; the message stays for the next
 * receive. */
static void th_send_ep(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    ktest_seen[i].status = mica_send(g_ep, mica_tag(4, 1, 0), 0x4444, 0, 0, 0);
}

static void th_recv_then_nbrecv(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    ktest_record(i, sys(MICA_SYS_RECV, g_ep));
    struct mica_msg m = sys(MICA_SYS_NB_RECV, g_ep);
    ktest_seen[i].x[0] = m.status;
    ktest_seen[i].x[1] = m.tag;
    ktest_seen[i].x[2] = m.mr[0];
}

KTEST(bound_word_before_queued_message)
{
    struct nenv n;
    mica_cptr_t sender;
    TRY(begin(&n, bi));
    mica_cptr_t b = badged(&n, MICA_RIGHT_WRITE, 0x18);
    CHECK(b);
    TRY(ktest_env_thread(&n.e, &sender, th_send_ep, 1, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    CHECK_EQ(mica_signal(b), MICA_OK);
    TRY(ktest_env_thread(&n.e, &g_tcb[0], th_recv_then_nbrecv, 0, 100, 0, 0));
    CHECK_EQ(mica_tcb_bind_notification(g_tcb[0], n.ntfn).status, MICA_OK);
    CHECK_EQ(mica_tcb_resume(g_tcb[0]).status, MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    CHECK_EQ(ktest_seen[0].badge, 0x18);
    CHECK(ktest_seen[0].tag & MICA_TAG_NOTIFICATION);
    CHECK_EQ(ktest_seen[0].x[0], MICA_OK);
    CHECK_EQ(ktest_seen[0].x[1], mica_tag(4, 1, 0));
    CHECK_EQ(ktest_seen[0].x[2], 0x4444);
    CHECK_EQ(ktest_seen[1].status, MICA_OK);
    return ktest_env_done(&n.e);
}

/* NBRecv on the endpoint by the bound thread: the pending word, then
 * WOULD_BLOCK once it is taken. */
static void th_nbrecv_twice(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    ktest_record(i, sys(MICA_SYS_NB_RECV, g_ep));
    ktest_seen[i].x[0] = sys(MICA_SYS_NB_RECV, g_ep).status;
}

KTEST(bound_nbrecv_returns_word)
{
    struct nenv n;
    TRY(begin(&n, bi));
    mica_cptr_t b = badged(&n, MICA_RIGHT_WRITE, 0x11);
    CHECK(b);
    CHECK_EQ(mica_signal(b), MICA_OK);
    TRY(ktest_env_thread(&n.e, &g_tcb[0], th_nbrecv_twice, 0, 100, 0, 0));
    CHECK_EQ(mica_tcb_bind_notification(g_tcb[0], n.ntfn).status, MICA_OK);
    CHECK_EQ(mica_tcb_resume(g_tcb[0]).status, MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    CHECK_EQ(ktest_seen[0].badge, 0x11);
    CHECK(ktest_seen[0].tag & MICA_TAG_NOTIFICATION);
    CHECK_EQ(ktest_seen[0].x[0], MICA_ERR_WOULD_BLOCK);
    return ktest_env_done(&n.e);
}

/* A binding made while the thread already waits in Recv takes effect at
 * the next Signal. */
KTEST(bind_while_receiving)
{
    struct nenv n;
    TRY(begin(&n, bi));
    mica_cptr_t b = badged(&n, MICA_RIGHT_WRITE, 0x12);
    CHECK(b);
    TRY(thread(&n, 0, th_recv_ep, 100, 0));
    TRY(ktest_let_run());
    CHECK_EQ(mica_tcb_bind_notification(g_tcb[0], n.ntfn).status, MICA_OK);
    CHECK_EQ(mica_signal(b), MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    CHECK_EQ(ktest_seen[0].badge, 0x12);
    CHECK(ktest_seen[0].tag & MICA_TAG_NOTIFICATION);
    return ktest_env_done(&n.e);
}

/* A bound server in ReplyRecv wakes on a Signal too. */
static void th_bound_server(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    struct mica_msg m = mica_recv(g_ep);
    ktest_record(i, m);
    m = mica_ipc_syscall(MICA_SYS_REPLY_RECV, g_ep, mica_tag(0, 1, 0), m.mr[0] + 1, S1, S2, S3);
    ktest_record(i, m);
}

KTEST(bound_signal_wakes_replyrecv)
{
    struct nenv n;
    TRY(begin(&n, bi));
    mica_cptr_t b = badged(&n, MICA_RIGHT_WRITE, 0x13);
    CHECK(b);
    TRY(thread(&n, 0, th_bound_server, 100, 0));
    CHECK_EQ(mica_tcb_bind_notification(g_tcb[0], n.ntfn).status, MICA_OK);
    TRY(ktest_let_run());
    struct mica_msg m = mica_call(n.ep, mica_tag(1, 1, 0), 5, 0, 0, 0);
    CHECK_EQ(m.status, MICA_OK);
    CHECK_EQ(m.mr[0], 6);
    CHECK_EQ(mica_signal(b), MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].n, 2);
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    CHECK_EQ(ktest_seen[0].badge, 0x13);
    CHECK(ktest_seen[0].tag & MICA_TAG_NOTIFICATION);
    return ktest_env_done(&n.e);
}

/* Only the bound thread may Wait or Poll on a bound notification. */
KTEST(wait_on_notification_bound_elsewhere)
{
    struct nenv n;
    TRY(begin(&n, bi));
    mica_cptr_t b = badged(&n, MICA_RIGHT_WRITE, 0x14);
    CHECK(b);
    TRY(thread(&n, 0, th_recv_ep, 100, 0));
    CHECK_EQ(mica_tcb_bind_notification(g_tcb[0], n.ntfn).status, MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(mica_wait(n.ntfn).status, MICA_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(mica_poll(n.ntfn).status, MICA_ERR_ILLEGAL_OPERATION);
    /* Signalling is unaffected. */
    CHECK_EQ(mica_signal(b), MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].badge, 0x14);
    return ktest_env_done(&n.e);
}

/* The bound thread itself may Wait on its notification. */
KTEST(bound_thread_may_wait)
{
    struct nenv n;
    TRY(begin(&n, bi));
    mica_cptr_t b = badged(&n, MICA_RIGHT_WRITE, 0x15);
    CHECK(b);
    TRY(ktest_env_thread(&n.e, &g_tcb[0], th_wait, 0, 100, 0, 0));
    CHECK_EQ(mica_tcb_bind_notification(g_tcb[0], n.ntfn).status, MICA_OK);
    CHECK_EQ(mica_tcb_resume(g_tcb[0]).status, MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].n, 0);
    CHECK_EQ(mica_signal(b), MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    CHECK_EQ(ktest_seen[0].badge, 0x15);
    return ktest_env_done(&n.e);
}

/* A thread binds one notification, a notification one thread. */
KTEST(double_bind_refused)
{
    struct nenv n;
    mica_cptr_t t2;
    TRY(begin(&n, bi));
    mica_cptr_t other = ktest_env_new(&n.e, MICA_OBJ_NOTIFICATION);
    CHECK(other);
    TRY(ktest_env_thread(&n.e, &g_tcb[0], th_wait, 0, 100, 0, 0));
    TRY(ktest_env_thread(&n.e, &t2, th_wait, 1, 100, 0, 0));
    CHECK_EQ(mica_tcb_bind_notification(g_tcb[0], n.ntfn).status, MICA_OK);
    CHECK_EQ(mica_tcb_bind_notification(g_tcb[0], n.ntfn).status, MICA_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(mica_tcb_bind_notification(g_tcb[0], other).status, MICA_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(mica_tcb_bind_notification(t2, n.ntfn).status, MICA_ERR_ILLEGAL_OPERATION);
    /* After Unbind both are free again. */
    CHECK_EQ(mica_tcb_unbind_notification(g_tcb[0]).status, MICA_OK);
    CHECK_EQ(mica_tcb_unbind_notification(g_tcb[0]).status, MICA_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(mica_tcb_bind_notification(t2, n.ntfn).status, MICA_OK);
    CHECK_EQ(mica_tcb_bind_notification(g_tcb[0], other).status, MICA_OK);
    return ktest_env_done(&n.e);
}

KTEST(bind_errors)
{
    struct nenv n;
    TRY(begin(&n, bi));
    mica_cptr_t wo = badged(&n, MICA_RIGHT_WRITE | MICA_RIGHT_GRANT, 0), empty = ktest_env_slot(&n.e);
    CHECK(wo);
    TRY(ktest_env_thread(&n.e, &g_tcb[0], th_wait, 0, 100, 0, 0));
    mica_cptr_t t = g_tcb[0];
    CHECK_EQ(mica_tcb_bind_notification(t, wo).status, MICA_ERR_NO_RIGHTS);
    CHECK_EQ(mica_tcb_bind_notification(t, n.ep).status, MICA_ERR_INVALID_CAP);
    CHECK_EQ(mica_tcb_bind_notification(t, empty).status, MICA_ERR_INVALID_CAP);
    struct mica_sysret r = mica_tcb_bind_notification(t, BAD_CPTR);
    CHECK_EQ(r.status, MICA_ERR_LOOKUP_FAILED);
    CHECK_EQ(MICA_LOOKUP_KIND(r.value), MICA_LOOKUP_GUARD_MISMATCH);
    CHECK_EQ(mica_invoke(t, MICA_TCB_BIND_NOTIFICATION, 0, 0, 0, 0).status, MICA_ERR_TRUNCATED);
    CHECK_EQ(mica_tcb_unbind_notification(t).status, MICA_ERR_ILLEGAL_OPERATION);
    /* None of that bound anything: the root task may still Wait. */
    CHECK_EQ(mica_poll(n.ntfn).status, MICA_ERR_WOULD_BLOCK);
    return ktest_env_done(&n.e);
}

/* After Unbind a Signal no longer wakes the thread's Recv. */
KTEST(unbind_stops_wakeups)
{
    struct nenv n;
    TRY(begin(&n, bi));
    mica_cptr_t b = badged(&n, MICA_RIGHT_WRITE, 0x16);
    CHECK(b);
    TRY(thread(&n, 0, th_recv_ep, 100, 0));
    CHECK_EQ(mica_tcb_bind_notification(g_tcb[0], n.ntfn).status, MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(mica_tcb_unbind_notification(g_tcb[0]).status, MICA_OK);
    CHECK_EQ(mica_signal(b), MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].n, 0);
    CHECK_EQ(mica_poll(n.ntfn).badge, 0x16);
    return ktest_env_done(&n.e);
}

/* Deleting a bound notification ends the binding: the thread can bind
 * another and its Recv waits on the endpoint alone meanwhile. */
KTEST(delete_bound_notification_unbinds)
{
    struct nenv n;
    TRY(begin(&n, bi));
    mica_cptr_t other = ktest_env_new(&n.e, MICA_OBJ_NOTIFICATION);
    CHECK(other);
    TRY(thread(&n, 0, th_recv_ep, 100, 0));
    CHECK_EQ(mica_tcb_bind_notification(g_tcb[0], n.ntfn).status, MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(mica_cnode_delete(ROOT, n.ntfn, D).status, MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].n, 0); /* still waiting on the endpoint */
    CHECK_EQ(mica_tcb_unbind_notification(g_tcb[0]).status, MICA_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(mica_tcb_bind_notification(g_tcb[0], other).status, MICA_OK);
    CHECK_EQ(mica_nb_send(n.ep, mica_tag(2, 1, 0), 0x78, 0, 0, 0), MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].mr[0], 0x78);
    return ktest_env_done(&n.e);
}

/* Deleting the bound thread ends the binding: the notification can be
 * waited on by others and bound again. */
KTEST(delete_bound_thread_unbinds)
{
    struct nenv n;
    mica_cptr_t t2;
    TRY(begin(&n, bi));
    mica_cptr_t b = badged(&n, MICA_RIGHT_WRITE, 0x17);
    CHECK(b);
    TRY(thread(&n, 0, th_recv_ep, 100, 0));
    CHECK_EQ(mica_tcb_bind_notification(g_tcb[0], n.ntfn).status, MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(mica_cnode_delete(ROOT, g_tcb[0], D).status, MICA_OK);
    CHECK_EQ(mica_signal(b), MICA_OK);
    CHECK_EQ(mica_poll(n.ntfn).badge, 0x17);
    TRY(ktest_env_thread(&n.e, &t2, th_wait, 1, 100, 0, 0));
    CHECK_EQ(mica_tcb_bind_notification(t2, n.ntfn).status, MICA_OK);
    return ktest_env_done(&n.e);
}

const struct ktest ntfn_tests[] = {
    { "ntfn_signal_then_poll", signal_then_poll },
    { "ntfn_poll_zero_word_would_block", poll_zero_word },
    { "ntfn_badges_or_together", badges_or_together },
    { "ntfn_nbsend_and_send_signal", nbsend_signals },
    { "ntfn_wait_returns_pending_word", wait_returns_pending_word },
    { "ntfn_wait_blocks_until_signal", wait_blocks_until_signal },
    { "ntfn_unbadged_signal_wakes_waiter", unbadged_signal_wakes_waiter },
    { "ntfn_fifo_waiters", fifo_waiters },
    { "ntfn_signal_needs_write_right", signal_needs_write },
    { "ntfn_wait_poll_need_read_right", wait_poll_need_read },
    { "ntfn_call_illegal", call_on_notification },
    { "ntfn_replyrecv_without_reply_waits", replyrecv_on_notification_waits },
    { "ntfn_signal_wakes_higher_waiter", signal_wakes_higher_waiter_at_once },
    { "ntfn_signal_to_lower_waiter", signal_to_lower_waiter_signaller_continues },
    { "ntfn_root_wait_woken_by_thread", root_wait_woken_by_thread },
    { "ntfn_delete_cancels_waiters", delete_cancels_waiters },
    { "ntfn_suspend_waiter_then_resume", suspend_waiter_then_resume },
    { "ntfn_delete_waiting_thread_leaves_queue", delete_waiting_thread_leaves_queue },
    { "ntfn_write_registers_takes_waiter_out", write_registers_takes_waiter_out },
    { "ntfn_bound_signal_wakes_endpoint_receiver", bound_signal_wakes_endpoint_receiver },
    { "ntfn_bound_thread_receives_messages", bound_thread_receives_messages },
    { "ntfn_bound_pending_word_returns_at_once", bound_pending_word_returns_at_once },
    { "ntfn_bound_nbrecv_returns_word", bound_nbrecv_returns_word },
    { "ntfn_bound_word_before_queued_message", bound_word_before_queued_message },
    { "ntfn_bind_while_receiving", bind_while_receiving },
    { "ntfn_bound_signal_wakes_replyrecv", bound_signal_wakes_replyrecv },
    { "ntfn_wait_on_notification_bound_elsewhere", wait_on_notification_bound_elsewhere },
    { "ntfn_bound_thread_may_wait", bound_thread_may_wait },
    { "ntfn_double_bind_refused", double_bind_refused },
    { "ntfn_bind_errors", bind_errors },
    { "ntfn_unbind_stops_wakeups", unbind_stops_wakeups },
    { "ntfn_delete_bound_notification_unbinds", delete_bound_notification_unbinds },
    { "ntfn_delete_bound_thread_unbinds", delete_bound_thread_unbinds },
    { 0, 0 },
};
