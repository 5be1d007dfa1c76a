/*
 * Endpoint IPC (docs/ipc.md): Send, NBSend, Call, Recv, NBRecv, Reply and
 * ReplyRecv on success and error paths, badges, FIFO queues, who runs
 * after a wake-up, nested calls, long messages, capability transfer, reply
 * caps (SaveCaller, one-shot, cancellation) and the fastpath.
 *
 * Test threads run in the root task's CSpace and VSpace (util.c). The root
 * task stays at priority 255 while it sets a test up and lowers itself
 * (ktest_let_run) to let the threads run until each is blocked or has
 * ended; it then looks at what they recorded and at the queues, mostly
 * with the non-blocking calls, so a kernel that loses a message fails the
 * test instead of hanging the suite. Every test runs under KTEST: it
 * leaves no caps behind (ktest_env_done revokes the untyped everything
 * came from).
 */
#include "ktest.h"
#include <mica_invoke.h>
#include <mica_ipc.h>

#define ROOT MICA_CAP_INIT_CNODE
#define VS MICA_CAP_INIT_VSPACE
#define SELF MICA_CAP_INIT_TCB
#define D 64
#define FIRST 300 /* this file's slots: ktest_slot(bi, 300) onwards */
#define BAD_CPTR (1ull << 63) /* does not match the root CNode's guard */

/* Sentinels the receive calls pass in MR0-MR3: a register the message
 * does not write keeps its sentinel. */
#define S0 0x5e50
#define S1 0x5e51
#define S2 0x5e52
#define S3 0x5e53

/* ------------------------------------------------------------ shared state */

/* Objects the threads use (set by each test before its threads run). */
static mica_cptr_t g_ep, g_ep2, g_ep3, g_slot;

static void reset(void)
{
    ktest_reset_seen();
    g_ep = g_ep2 = g_ep3 = g_slot = 0;
}

/* Start: a clean record and an environment with one endpoint in g_ep. */
static const char *begin(struct ktest_env *e, const struct mica_bootinfo *bi)
{
    reset();
    TRY(ktest_env_init(e, bi, FIRST));
    g_ep = ktest_env_new(e, MICA_OBJ_ENDPOINT);
    CHECK(g_ep);
    return 0;
}

/* A copy of cap c in a new slot with `rights` (and a badge if non-zero). */
static mica_cptr_t derive(struct ktest_env *e, mica_cptr_t c, unsigned rights, mica_word_t badge)
{
    mica_cptr_t s = ktest_env_slot(e);
    struct mica_sysret r = badge ? mica_cnode_mint(ROOT, s, D, ROOT, c, D, rights, badge)
                                 : mica_cnode_copy(ROOT, s, D, ROOT, c, D, rights);
    return r.status == MICA_OK ? s : 0;
}

static struct mica_msg sys(long number, mica_cptr_t cap, mica_word_t tag)
{
    return mica_ipc_syscall(number, cap, tag, 0, 0, 0, 0);
}

/* Root-side sends naming caps in the root task's IPC buffer. */
static struct mica_msg root_send_caps(long number, mica_cptr_t ep, mica_word_t label, unsigned length,
                                      unsigned n, mica_cptr_t c0, mica_cptr_t c1, mica_cptr_t c2)
{
    mica_ipc->caps[0] = c0;
    mica_ipc->caps[1] = c1;
    mica_ipc->caps[2] = c2;
    return mica_ipc_syscall(number, ep, mica_tag(label, length, n), 11, 12, 13, 14);
}

static void root_receive_into(mica_cptr_t slot)
{
    mica_ipc->receive_cnode = slot ? ROOT : 0;
    mica_ipc->receive_index = slot;
    mica_ipc->receive_depth = D;
}

/* ------------------------------------------------------------ thread bodies */

/* Receive once on g_ep (with sentinels in MR0-3), record it. */
static void th_recv(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    ktest_record(i, mica_ipc_syscall(MICA_SYS_RECV, g_ep, 0, S0, S1, S2, S3));
    ktest_mark(i);
}

/* Receive on g_ep until an error, recording each message. */
static void th_sink(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    struct mica_msg m;
    do {
        m = mica_ipc_syscall(MICA_SYS_RECV, g_ep, 0, S0, S1, S2, S3);
        ktest_record(i, m);
    } while (m.status == MICA_OK);
}

/* Receive once on g_ep into g_slot (own IPC buffer), record the message
 * and the buffer's badges. */
static void th_recv_cap(long i, struct mica_ipc_buffer *ipc)
{
    ipc->receive_cnode = g_slot ? ROOT : 0;
    ipc->receive_index = g_slot;
    ipc->receive_depth = D;
    ipc->badges[0] = ipc->badges[1] = ipc->badges[2] = 0xbad;
    ktest_record(i, mica_ipc_syscall(MICA_SYS_RECV, g_ep, 0, S0, S1, S2, S3));
    for (unsigned k = 0; k < 3; k++)
        ktest_seen[i].x[k] = ipc->badges[k];
}

/* Send once on g_ep: label 7, MR0 = 100 + i; record the status. */
static void th_send(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    ktest_seen[i].status = mica_send(g_ep, mica_tag(7, 1, 0), 100 + (mica_word_t)i, 0, 0, 0);
    ktest_seen[i].n++;
    ktest_mark(i);
}

/* Call g_ep once with MR0 = 100 + i; record the reply. */
static void th_call(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    ktest_record(i, mica_call(g_ep, mica_tag(8, 1, 0), 100 + (mica_word_t)i, 0, 0, 0));
    ktest_mark(i);
}

/* A server: receive on g_ep, reply MR0 + 1 with label 9, for ever. */
static void th_server(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    struct mica_msg m = mica_recv(g_ep);
    while (m.status == MICA_OK) {
        ktest_record(i, m);
        m = mica_reply_recv(g_ep, mica_tag(9, 2, 0), m.mr[0] + 1, m.badge, 0, 0);
    }
    ktest_record(i, m);
}

/* ============================================================ error paths */

/* One IPC system call on caps of every non-IPC type: INVALID_CAP, detail 0. */
static const char *wrong_types(const struct mica_bootinfo *bi, long number)
{
    struct ktest_env e;
    TRY(begin(&e, bi));
    mica_cptr_t caps[] = { ktest_env_new(&e, MICA_OBJ_FRAME_4K), ktest_env_new(&e, MICA_OBJ_TCB),
                           ktest_env_new(&e, MICA_OBJ_PAGE_TABLE), ROOT, VS, e.ut };
    for (unsigned i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
        CHECK(caps[i]);
        struct mica_msg m = sys(number, caps[i], mica_tag(1, 0, 0));
        if (m.status != MICA_ERR_INVALID_CAP || m.badge != 0)
            return ktest_failf("syscall %ld on cap %u (type %u): status %llu detail %llu", number, i,
                               ktest_id_type(caps[i]), (unsigned long long)m.status,
                               (unsigned long long)m.badge);
    }
    return ktest_env_done(&e);
}

KTEST(send_wrong_type) { return wrong_types(bi, MICA_SYS_SEND); }
KTEST(nbsend_wrong_type) { return wrong_types(bi, MICA_SYS_NB_SEND); }
KTEST(recv_wrong_type) { return wrong_types(bi, MICA_SYS_RECV); }
KTEST(nbrecv_wrong_type) { return wrong_types(bi, MICA_SYS_NB_RECV); }
KTEST(replyrecv_wrong_type) { return wrong_types(bi, MICA_SYS_REPLY_RECV); }

KTEST(empty_slot)
{
    struct ktest_env e;
    TRY(begin(&e, bi));
    mica_cptr_t empty = ktest_env_slot(&e);
    static const long calls[] = { MICA_SYS_SEND, MICA_SYS_NB_SEND, MICA_SYS_RECV, MICA_SYS_NB_RECV,
                                  MICA_SYS_REPLY_RECV, MICA_SYS_CALL };
    for (unsigned i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
        struct mica_msg m = sys(calls[i], empty, mica_tag(1, 0, 0));
        if (m.status != MICA_ERR_INVALID_CAP)
            return ktest_failf("syscall %ld on an empty slot: status %llu", calls[i],
                               (unsigned long long)m.status);
        m = sys(calls[i], MICA_CAP_NULL, mica_tag(1, 0, 0));
        if (m.status != MICA_ERR_INVALID_CAP)
            return ktest_failf("syscall %ld on slot 0: status %llu", calls[i],
                               (unsigned long long)m.status);
    }
    return ktest_env_done(&e);
}

KTEST(lookup_failure)
{
    struct ktest_env e;
    TRY(begin(&e, bi));
    static const long calls[] = { MICA_SYS_SEND, MICA_SYS_NB_SEND, MICA_SYS_RECV, MICA_SYS_NB_RECV,
                                  MICA_SYS_REPLY_RECV, MICA_SYS_CALL };
    for (unsigned i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
        struct mica_msg m = sys(calls[i], BAD_CPTR, mica_tag(1, 0, 0));
        if (m.status != MICA_ERR_LOOKUP_FAILED || MICA_LOOKUP_KIND(m.badge) != MICA_LOOKUP_GUARD_MISMATCH)
            return ktest_failf("syscall %ld on a bad CPtr: status %llu detail 0x%llx", calls[i],
                               (unsigned long long)m.status, (unsigned long long)m.badge);
    }
    return ktest_env_done(&e);
}

KTEST(send_needs_write)
{
    struct ktest_env e;
    TRY(begin(&e, bi));
    mica_cptr_t ro = derive(&e, g_ep, MICA_RIGHTS_ALL & ~MICA_RIGHT_WRITE, 0);
    CHECK(ro);
    CHECK_EQ(sys(MICA_SYS_SEND, ro, mica_tag(1, 0, 0)).status, MICA_ERR_NO_RIGHTS);
    CHECK_EQ(sys(MICA_SYS_NB_SEND, ro, mica_tag(1, 0, 0)).status, MICA_ERR_NO_RIGHTS);
    CHECK_EQ(sys(MICA_SYS_CALL, ro, mica_tag(1, 0, 0)).status, MICA_ERR_NO_RIGHTS);
    /* The same cap still receives: NBRecv finds nothing. */
    CHECK_EQ(sys(MICA_SYS_NB_RECV, ro, 0).status, MICA_ERR_WOULD_BLOCK);
    return ktest_env_done(&e);
}

KTEST(recv_needs_read)
{
    struct ktest_env e;
    TRY(begin(&e, bi));
    mica_cptr_t wo = derive(&e, g_ep, MICA_RIGHTS_ALL & ~MICA_RIGHT_READ, 0);
    CHECK(wo);
    CHECK_EQ(sys(MICA_SYS_RECV, wo, 0).status, MICA_ERR_NO_RIGHTS);
    CHECK_EQ(sys(MICA_SYS_NB_RECV, wo, 0).status, MICA_ERR_NO_RIGHTS);
    CHECK_EQ(sys(MICA_SYS_REPLY_RECV, wo, 0).status, MICA_ERR_NO_RIGHTS);
    /* The same cap still sends: NBSend finds no receiver. */
    CHECK_EQ(sys(MICA_SYS_NB_SEND, wo, mica_tag(1, 0, 0)).status, MICA_ERR_WOULD_BLOCK);
    return ktest_env_done(&e);
}

KTEST(reply_without_caller)
{
    struct ktest_env e;
    TRY(begin(&e, bi));
    struct mica_msg m = sys(MICA_SYS_REPLY, 0, mica_tag(1, 1, 0));
    CHECK_EQ(m.status, MICA_ERR_NO_REPLY);
    CHECK_EQ(mica_reply(0, 0, 0, 0, 0), MICA_ERR_NO_REPLY);
    return ktest_env_done(&e);
}

/* Length 121..127 is refused before anything happens: a waiting receiver
 * stays waiting and later receives the one good message. */
KTEST(length_over_120)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(ktest_env_thread(&e, &t, th_sink, 0, 100, 0, KTEST_IPC | KTEST_START));
    TRY(ktest_let_run());
    for (unsigned len = MICA_MSG_MAX_LENGTH + 1; len <= 127; len++) {
        static const long calls[] = { MICA_SYS_SEND, MICA_SYS_NB_SEND, MICA_SYS_CALL };
        for (unsigned k = 0; k < 3; k++) {
            struct mica_msg m = sys(calls[k], g_ep, mica_tag(3, len, 0));
            if (m.status != MICA_ERR_RANGE || m.badge != MICA_MSG_MAX_LENGTH)
                return ktest_failf("syscall %ld, length %u: status %llu detail %llu", calls[k], len,
                                   (unsigned long long)m.status, (unsigned long long)m.badge);
        }
    }
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].n, 0);
    CHECK_EQ(mica_nb_send(g_ep, mica_tag(4, 1, 0), 77, 0, 0, 0), MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].n, 1);
    CHECK_EQ(mica_tag_label(ktest_seen[0].tag), 4);
    CHECK_EQ(ktest_seen[0].mr[0], 77);
    return ktest_env_done(&e);
}

/* A thread without an IPC buffer may send only MR0-MR3 and no caps. */
static void th_no_buffer_sender(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    struct mica_msg m = mica_ipc_syscall(MICA_SYS_SEND, g_ep, mica_tag(3, 5, 0), 1, 2, 3, 4);
    ktest_seen[i].x[0] = m.status;
    ktest_seen[i].x[1] = m.badge;
    m = mica_ipc_syscall(MICA_SYS_CALL, g_ep, mica_tag(3, 0, 1), 1, 2, 3, 4);
    ktest_seen[i].x[2] = m.status;
    ktest_seen[i].x[3] = m.badge;
    ktest_seen[i].status = mica_send(g_ep, mica_tag(3, 4, 0), 1, 2, 3, 4);
    ktest_seen[i].n++;
}

KTEST(long_message_needs_buffer)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(ktest_env_thread(&e, &t, th_no_buffer_sender, 0, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].x[0], MICA_ERR_RANGE);
    CHECK_EQ(ktest_seen[0].x[1], 4);
    CHECK_EQ(ktest_seen[0].x[2], MICA_ERR_RANGE);
    CHECK_EQ(ktest_seen[0].x[3], 4);
    CHECK_EQ(ktest_seen[0].n, 0); /* blocked in the third, good, Send */
    struct mica_msg m = mica_nb_recv(g_ep);
    CHECK_EQ(m.status, MICA_OK);
    CHECK_EQ(mica_tag_length(m.tag), 4);
    CHECK_EQ(m.mr[3], 4);
    CHECK_EQ(mica_nb_recv(g_ep).status, MICA_ERR_WOULD_BLOCK); /* the bad ones were never queued */
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    return ktest_env_done(&e);
}

/* Cap-transfer errors from the root task to a waiting receiver; after each
 * the receiver is still waiting and its receive slot empty. */
struct xfer_env {
    struct ktest_env e;
    mica_cptr_t rx;   /* receiver thread */
    mica_cptr_t ntfn; /* a transferable cap */
};

static const char *xfer_begin(struct xfer_env *x, const struct mica_bootinfo *bi)
{
    TRY(begin(&x->e, bi));
    g_slot = ktest_env_slot(&x->e);
    x->ntfn = ktest_env_new(&x->e, MICA_OBJ_NOTIFICATION);
    CHECK(g_slot && x->ntfn);
    TRY(ktest_env_thread(&x->e, &x->rx, th_recv_cap, 0, 100, 0, KTEST_IPC | KTEST_START));
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].n, 0);
    return 0;
}

/* Nothing arrived so far; a plain message sent through `via` does now,
 * with no cap. */
static const char *xfer_end(struct xfer_env *x, mica_cptr_t via)
{
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].n, 0);
    CHECK_EQ(mica_nb_send(via, mica_tag(5, 1, 0), 55, 0, 0, 0), MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].n, 1);
    CHECK_EQ(ktest_seen[0].mr[0], 55);
    CHECK_EQ(mica_tag_caps(ktest_seen[0].tag), 0);
    CHECK_EQ(ktest_id_type(g_slot), MICA_OBJ_NULL);
    return ktest_env_done(&x->e);
}

#define EXPECT_SEND_ERROR(m, err, detail)                                       \
    do {                                                                        \
        struct mica_msg _m = (m);                                               \
        CHECK_EQ(_m.status, err);                                               \
        CHECK_EQ(_m.badge, detail);                                             \
    } while (0)

KTEST(caps_need_grant)
{
    struct xfer_env x;
    TRY(xfer_begin(&x, bi));
    mica_cptr_t nogrant = derive(&x.e, g_ep, MICA_RIGHT_READ | MICA_RIGHT_WRITE | MICA_RIGHT_GRANT_REPLY, 0);
    CHECK(nogrant);
    EXPECT_SEND_ERROR(root_send_caps(MICA_SYS_NB_SEND, nogrant, 5, 1, 1, x.ntfn, 0, 0), MICA_ERR_NO_RIGHTS, 0);
    EXPECT_SEND_ERROR(root_send_caps(MICA_SYS_SEND, nogrant, 5, 1, 1, x.ntfn, 0, 0), MICA_ERR_NO_RIGHTS, 0);
    /* Through the same cap without caps the message goes. */
    return xfer_end(&x, nogrant);
}

KTEST(extra_cap_lookup_failed)
{
    struct xfer_env x;
    TRY(xfer_begin(&x, bi));
    struct mica_msg m = root_send_caps(MICA_SYS_NB_SEND, g_ep, 5, 1, 1, BAD_CPTR, 0, 0);
    CHECK_EQ(m.status, MICA_ERR_LOOKUP_FAILED);
    CHECK_EQ(MICA_LOOKUP_KIND(m.badge), MICA_LOOKUP_GUARD_MISMATCH);
    m = root_send_caps(MICA_SYS_SEND, g_ep, 5, 1, 2, x.ntfn, BAD_CPTR, 0);
    CHECK_EQ(m.status, MICA_ERR_LOOKUP_FAILED);
    return xfer_end(&x, g_ep);
}

KTEST(extra_cap_empty)
{
    struct xfer_env x;
    TRY(xfer_begin(&x, bi));
    mica_cptr_t empty = ktest_env_slot(&x.e);
    mica_cptr_t badged = derive(&x.e, g_ep, MICA_RIGHT_WRITE, 0x77);
    CHECK(badged);
    EXPECT_SEND_ERROR(root_send_caps(MICA_SYS_NB_SEND, g_ep, 5, 1, 1, empty, 0, 0), MICA_ERR_INVALID_CAP, 0);
    EXPECT_SEND_ERROR(root_send_caps(MICA_SYS_NB_SEND, g_ep, 5, 1, 2, x.ntfn, empty, 0), MICA_ERR_INVALID_CAP, 1);
    EXPECT_SEND_ERROR(root_send_caps(MICA_SYS_SEND, g_ep, 5, 1, 3, badged, x.ntfn, empty), MICA_ERR_INVALID_CAP, 2);
    return xfer_end(&x, g_ep);
}

KTEST(extra_cap_not_transferable)
{
    struct xfer_env x;
    TRY(xfer_begin(&x, bi));
    mica_cptr_t pt = ktest_env_new(&x.e, MICA_OBJ_PAGE_TABLE), pd = ktest_env_new(&x.e, MICA_OBJ_PAGE_DIRECTORY);
    mica_cptr_t badged = derive(&x.e, g_ep, MICA_RIGHT_WRITE, 0x77);
    CHECK(pt && pd && badged);
    EXPECT_SEND_ERROR(root_send_caps(MICA_SYS_NB_SEND, g_ep, 5, 1, 1, x.e.ut, 0, 0), MICA_ERR_INVALID_CAP, 0);
    EXPECT_SEND_ERROR(root_send_caps(MICA_SYS_NB_SEND, g_ep, 5, 1, 2, badged, pt, 0), MICA_ERR_INVALID_CAP, 1);
    EXPECT_SEND_ERROR(root_send_caps(MICA_SYS_SEND, g_ep, 5, 1, 1, pd, 0, 0), MICA_ERR_INVALID_CAP, 0);
    /* Nothing was derived from the refused caps. */
    CHECK_EQ(ktest_id_type(g_slot), MICA_OBJ_NULL);
    return xfer_end(&x, g_ep);
}

KTEST(two_caps_need_receive_slot)
{
    struct xfer_env x;
    TRY(xfer_begin(&x, bi));
    mica_cptr_t frame = ktest_env_new(&x.e, MICA_OBJ_FRAME_4K);
    mica_cptr_t other = ktest_env_new(&x.e, MICA_OBJ_ENDPOINT);
    CHECK(frame && other);
    EXPECT_SEND_ERROR(root_send_caps(MICA_SYS_NB_SEND, g_ep, 5, 1, 2, x.ntfn, frame, 0), MICA_ERR_RANGE, 1);
    /* An endpoint cap to another endpoint is transferred, not unwrapped. */
    EXPECT_SEND_ERROR(root_send_caps(MICA_SYS_SEND, g_ep, 5, 1, 2, other, x.ntfn, 0), MICA_ERR_RANGE, 1);
    return xfer_end(&x, g_ep);
}

/* ============================================================ success paths */

KTEST(send_recv_registers)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(ktest_env_thread(&e, &t, th_recv, 0, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].n, 0);
    CHECK_EQ(mica_send(g_ep, mica_tag(0x1234, 4, 0), 0xa0, 0xa1, 0xa2, 0xa3), MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].n, 1);
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    CHECK_EQ(ktest_seen[0].badge, 0); /* unbadged cap */
    CHECK_EQ(mica_tag_label(ktest_seen[0].tag), 0x1234);
    CHECK_EQ(mica_tag_length(ktest_seen[0].tag), 4);
    CHECK_EQ(mica_tag_caps(ktest_seen[0].tag), 0);
    CHECK_EQ(ktest_seen[0].tag & (MICA_TAG_NOTIFICATION | MICA_TAG_CAPS_DROPPED), 0);
    CHECK_EQ(ktest_seen[0].mr[0], 0xa0);
    CHECK_EQ(ktest_seen[0].mr[1], 0xa1);
    CHECK_EQ(ktest_seen[0].mr[2], 0xa2);
    CHECK_EQ(ktest_seen[0].mr[3], 0xa3);
    return ktest_env_done(&e);
}

/* Only the first `length` of MR0-MR3 are written. */
KTEST(recv_keeps_unwritten_registers)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(ktest_env_thread(&e, &t, th_recv, 0, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    CHECK_EQ(mica_send(g_ep, mica_tag(2, 1, 0), 0xb0, 0xb1, 0xb2, 0xb3), MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    CHECK_EQ(mica_tag_length(ktest_seen[0].tag), 1);
    CHECK_EQ(ktest_seen[0].mr[0], 0xb0);
    CHECK_EQ(ktest_seen[0].mr[1], S1);
    CHECK_EQ(ktest_seen[0].mr[2], S2);
    CHECK_EQ(ktest_seen[0].mr[3], S3);
    return ktest_env_done(&e);
}

/* Sender bits 9-15 of the tag are the kernel's: a sender's are ignored. */
KTEST(tag_kernel_bits_ignored)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(ktest_env_thread(&e, &t, th_recv, 0, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    mica_word_t tag = mica_tag(MICA_TAG_LABEL_MAX, 2, 0) | 0xfe00; /* bits 9-15 */
    CHECK_EQ(mica_send(g_ep, tag, 1, 2, 0, 0), MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    CHECK_EQ(ktest_seen[0].tag, mica_tag(MICA_TAG_LABEL_MAX, 2, 0)); /* the whole 48-bit label */
    return ktest_env_done(&e);
}

/* The same through Call and ReplyRecv (the fastpath's case), both ways. */
static void th_dirty_server(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    struct mica_msg m = mica_recv(g_ep);
    while (m.status == MICA_OK) {
        ktest_record(i, m);
        m = mica_reply_recv(g_ep, mica_tag(9, 1, 0) | 0xfe00, m.mr[0] + 1, 0, 0, 0);
    }
}

KTEST(call_tag_kernel_bits_ignored)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(ktest_env_thread(&e, &t, th_dirty_server, 0, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    for (mica_word_t i = 0; i < 3; i++) {
        struct mica_msg m = mica_call(g_ep, mica_tag(5, 1, 0) | 0xfe00, i, 0, 0, 0);
        CHECK_EQ(m.status, MICA_OK);
        CHECK_EQ(m.tag, mica_tag(9, 1, 0));
        CHECK_EQ(m.mr[0], i + 1);
        CHECK_EQ(ktest_seen[0].tag, mica_tag(5, 1, 0));
    }
    return ktest_env_done(&e);
}

static void th_send_regs(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    ktest_seen[i].status = mica_send(g_ep, mica_tag(21, 3, 0), 0xc0, 0xc1, 0xc2, 0xc3);
    ktest_seen[i].n++;
}

/* The root task blocks in Recv; a lower thread's Send wakes it. */
KTEST(root_recv_blocks_until_send)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(ktest_env_thread(&e, &t, th_send_regs, 0, 100, 0, KTEST_START));
    struct mica_msg m = mica_ipc_syscall(MICA_SYS_RECV, g_ep, 0, S0, S1, S2, S3);
    CHECK_EQ(m.status, MICA_OK);
    CHECK_EQ(mica_tag_label(m.tag), 21);
    CHECK_EQ(mica_tag_length(m.tag), 3);
    CHECK_EQ(m.mr[0], 0xc0);
    CHECK_EQ(m.mr[2], 0xc2);
    CHECK_EQ(m.mr[3], S3);
    CHECK_EQ(ktest_seen[0].n, 0); /* woken before the sender went on */
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].n, 1);
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    return ktest_env_done(&e);
}

KTEST(call_reply_roundtrip)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(ktest_env_thread(&e, &t, th_server, 0, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    struct mica_msg m = mica_call(g_ep, mica_tag(3, 1, 0), 41, 0, 0, 0);
    CHECK_EQ(m.status, MICA_OK);
    CHECK_EQ(m.badge, 0);
    CHECK_EQ(mica_tag_label(m.tag), 9);
    CHECK_EQ(mica_tag_length(m.tag), 2);
    CHECK_EQ(m.mr[0], 42);
    CHECK_EQ(m.mr[1], 0); /* the badge the server saw */
    CHECK_EQ(ktest_seen[0].n, 1);
    CHECK_EQ(mica_tag_label(ktest_seen[0].tag), 3);
    return ktest_env_done(&e);
}

/* A server loop of ReplyRecv answers many calls; each caller's badge
 * reaches the server, and the replies come back with badge 0. */
KTEST(replyrecv_server_loop)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    mica_cptr_t b1 = derive(&e, g_ep, MICA_RIGHT_WRITE, 0x1111), b2 = derive(&e, g_ep, MICA_RIGHT_WRITE, 0x2222);
    CHECK(b1 && b2);
    TRY(ktest_env_thread(&e, &t, th_server, 0, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    for (mica_word_t i = 0; i < 20; i++) {
        mica_cptr_t c = (i & 1) ? b2 : b1;
        struct mica_msg m = mica_call(c, mica_tag(3, 1, 0), i * 7, 0, 0, 0);
        CHECK_EQ(m.status, MICA_OK);
        CHECK_EQ(m.badge, 0);
        CHECK_EQ(m.mr[0], i * 7 + 1);
        CHECK_EQ(m.mr[1], (i & 1) ? 0x2222 : 0x1111);
    }
    CHECK_EQ(ktest_seen[0].n, 20);
    return ktest_env_done(&e);
}

/* A first ReplyRecv with nobody to answer simply receives. */
static void th_replyrecv_first(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    ktest_record(i, mica_reply_recv(g_ep, mica_tag(1, 1, 0), 5, 0, 0, 0));
}

KTEST(replyrecv_without_reply_receives)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(ktest_env_thread(&e, &t, th_replyrecv_first, 0, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].n, 0); /* waiting */
    CHECK_EQ(mica_nb_send(g_ep, mica_tag(6, 1, 0), 66, 0, 0, 0), MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    CHECK_EQ(mica_tag_label(ktest_seen[0].tag), 6);
    CHECK_EQ(ktest_seen[0].mr[0], 66);
    return ktest_env_done(&e);
}

KTEST(nbsend_no_receiver)
{
    struct ktest_env e;
    TRY(begin(&e, bi));
    struct mica_msg m = mica_ipc_syscall(MICA_SYS_NB_SEND, g_ep, mica_tag(1, 2, 0), 1, 2, 0, 0);
    CHECK_EQ(m.status, MICA_ERR_WOULD_BLOCK);
    /* Nothing was queued. */
    CHECK_EQ(mica_nb_recv(g_ep).status, MICA_ERR_WOULD_BLOCK);
    return ktest_env_done(&e);
}

KTEST(nbrecv_nothing_pending)
{
    struct ktest_env e;
    TRY(begin(&e, bi));
    struct mica_msg m = mica_ipc_syscall(MICA_SYS_NB_RECV, g_ep, 0, S0, S1, S2, S3);
    CHECK_EQ(m.status, MICA_ERR_WOULD_BLOCK);
    CHECK_EQ(m.mr[0], S0); /* on error no message register is written */
    CHECK_EQ(m.mr[3], S3);
    /* Nothing was queued: a non-blocking send finds no receiver. */
    CHECK_EQ(mica_nb_send(g_ep, mica_tag(1, 0, 0), 0, 0, 0, 0), MICA_ERR_WOULD_BLOCK);
    return ktest_env_done(&e);
}

/* The non-blocking calls look only for the other side: NBSend with only
 * senders queued, NBRecv with only receivers queued, find nobody. */
KTEST(nb_calls_ignore_same_side_waiters)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    g_ep2 = ktest_env_new(&e, MICA_OBJ_ENDPOINT);
    CHECK(g_ep2);
    TRY(ktest_env_thread(&e, &t, th_send, 0, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    CHECK_EQ(mica_nb_send(g_ep, mica_tag(1, 0, 0), 0, 0, 0, 0), MICA_ERR_WOULD_BLOCK);
    mica_cptr_t keep = g_ep;
    g_ep = g_ep2;
    TRY(ktest_env_thread(&e, &t, th_recv, 1, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    CHECK_EQ(mica_nb_recv(g_ep2).status, MICA_ERR_WOULD_BLOCK);
    /* Both are still waiting. */
    CHECK_EQ(mica_nb_recv(keep).mr[0], 100);
    CHECK_EQ(mica_nb_send(g_ep2, mica_tag(1, 1, 0), 0x31, 0, 0, 0), MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    CHECK_EQ(ktest_seen[1].mr[0], 0x31);
    return ktest_env_done(&e);
}

KTEST(nbsend_to_waiting_receiver)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(ktest_env_thread(&e, &t, th_recv, 0, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    CHECK_EQ(mica_nb_send(g_ep, mica_tag(12, 2, 0), 0xd0, 0xd1, 0, 0), MICA_OK);
    CHECK_EQ(mica_nb_send(g_ep, mica_tag(12, 2, 0), 0xd0, 0xd1, 0, 0), MICA_ERR_WOULD_BLOCK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    CHECK_EQ(mica_tag_label(ktest_seen[0].tag), 12);
    CHECK_EQ(ktest_seen[0].mr[1], 0xd1);
    return ktest_env_done(&e);
}

KTEST(nbrecv_takes_blocked_sender)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(ktest_env_thread(&e, &t, th_send, 0, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].n, 0); /* blocked in Send */
    struct mica_msg m = mica_nb_recv(g_ep);
    CHECK_EQ(m.status, MICA_OK);
    CHECK_EQ(mica_tag_label(m.tag), 7);
    CHECK_EQ(m.mr[0], 100);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].n, 1);
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    CHECK_EQ(mica_nb_recv(g_ep).status, MICA_ERR_WOULD_BLOCK);
    return ktest_env_done(&e);
}

/* NBRecv takes a waiting caller too: the root task can then Reply. */
KTEST(nbrecv_takes_blocked_caller)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(ktest_env_thread(&e, &t, th_call, 0, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    struct mica_msg m = mica_nb_recv(g_ep);
    CHECK_EQ(m.status, MICA_OK);
    CHECK_EQ(mica_tag_label(m.tag), 8);
    CHECK_EQ(m.mr[0], 100);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].n, 0); /* still waiting for the reply */
    CHECK_EQ(mica_reply(mica_tag(13, 1, 0), 0xe0, 0, 0, 0), MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].n, 1);
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    CHECK_EQ(ktest_seen[0].badge, 0);
    CHECK_EQ(mica_tag_label(ktest_seen[0].tag), 13);
    CHECK_EQ(ktest_seen[0].mr[0], 0xe0);
    return ktest_env_done(&e);
}

/* Badged senders: the receiver sees each sender's badge. */
static mica_cptr_t g_badged[4];

static void th_send_badged(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    ktest_seen[i].status = mica_send(g_badged[i], mica_tag(7, 1, 0), 100 + (mica_word_t)i, 0, 0, 0);
    ktest_seen[i].n++;
}

KTEST(badges_delivered)
{
    struct ktest_env e;
    mica_cptr_t t;
    static const mica_word_t badges[] = { 1, 0xbeef, 0x0000ffffffffffffull };
    TRY(begin(&e, bi));
    for (unsigned i = 0; i < 3; i++) {
        g_badged[i] = derive(&e, g_ep, MICA_RIGHT_WRITE, badges[i]);
        CHECK(g_badged[i]);
        CHECK(ktest_ident(g_badged[i]) & MICA_CAP_ID_BADGED);
        TRY(ktest_env_thread(&e, &t, th_send_badged, i, 100, 0, KTEST_START));
        TRY(ktest_let_run());
    }
    for (unsigned i = 0; i < 3; i++) {
        struct mica_msg m = mica_nb_recv(g_ep);
        CHECK_EQ(m.status, MICA_OK);
        CHECK_EQ(m.mr[0], 100 + i);
        CHECK_EQ(m.badge, badges[i]);
    }
    return ktest_env_done(&e);
}

/* Senders queue in arrival order, whatever their priorities. */
KTEST(fifo_senders)
{
    struct ktest_env e;
    mica_cptr_t t;
    static const unsigned prios[] = { 30, 90, 60, 10 };
    TRY(begin(&e, bi));
    for (unsigned i = 0; i < 4; i++) {
        TRY(ktest_env_thread(&e, &t, th_send, i, prios[i], 0, KTEST_START));
        TRY(ktest_let_run()); /* it blocks in Send before the next one starts */
    }
    for (unsigned i = 0; i < 4; i++) {
        struct mica_msg m = mica_nb_recv(g_ep);
        CHECK_EQ(m.status, MICA_OK);
        if (m.mr[0] != 100 + i)
            return ktest_failf("receive %u got the message of thread %llu", i,
                               (unsigned long long)m.mr[0] - 100);
    }
    TRY(ktest_let_run());
    for (unsigned i = 0; i < 4; i++)
        CHECK_EQ(ktest_seen[i].status, MICA_OK);
    return ktest_env_done(&e);
}

KTEST(fifo_receivers)
{
    struct ktest_env e;
    mica_cptr_t t;
    static const unsigned prios[] = { 40, 120, 80 };
    TRY(begin(&e, bi));
    for (unsigned i = 0; i < 3; i++) {
        TRY(ktest_env_thread(&e, &t, th_recv, i, prios[i], 0, KTEST_START));
        TRY(ktest_let_run());
    }
    for (unsigned i = 0; i < 3; i++)
        CHECK_EQ(mica_nb_send(g_ep, mica_tag(1, 1, 0), 500 + i, 0, 0, 0), MICA_OK);
    TRY(ktest_let_run());
    for (unsigned i = 0; i < 3; i++) {
        CHECK_EQ(ktest_seen[i].status, MICA_OK);
        CHECK_EQ(ktest_seen[i].mr[0], 500 + i);
    }
    return ktest_env_done(&e);
}

/* Callers queue in order too; a server answers them in that order. */
KTEST(fifo_callers)
{
    struct ktest_env e;
    mica_cptr_t t;
    static const unsigned prios[] = { 20, 70, 50 };
    TRY(begin(&e, bi));
    for (unsigned i = 0; i < 3; i++) {
        TRY(ktest_env_thread(&e, &t, th_call, i, prios[i], 0, KTEST_START));
        TRY(ktest_let_run());
    }
    for (unsigned i = 0; i < 3; i++) {
        struct mica_msg m = mica_nb_recv(g_ep);
        CHECK_EQ(m.status, MICA_OK);
        CHECK_EQ(m.mr[0], 100 + i);
        CHECK_EQ(mica_reply(mica_tag(0, 1, 0), 900 + i, 0, 0, 0), MICA_OK);
    }
    TRY(ktest_let_run());
    for (unsigned i = 0; i < 3; i++) {
        CHECK_EQ(ktest_seen[i].status, MICA_OK);
        CHECK_EQ(ktest_seen[i].mr[0], 900 + i);
    }
    return ktest_env_done(&e);
}

/* ============================================================ who runs next */

/* A sender that marks before (10 + i) and after (20 + i) its Send. */
static void th_mark_send(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    ktest_mark(10 + i);
    ktest_seen[i].status = mica_send(g_ep, mica_tag(1, 1, 0), (mica_word_t)i, 0, 0, 0);
    ktest_mark(20 + i);
}

/* A thread that only marks 30 + i. */
static void th_mark(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    ktest_mark(30 + i);
}

/* Send to a waiting receiver of higher priority: it runs at once. */
KTEST(send_wakes_higher_receiver_at_once)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(ktest_env_thread(&e, &t, th_recv, 0, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    TRY(ktest_env_thread(&e, &t, th_mark_send, 1, 50, 0, KTEST_START));
    TRY(ktest_let_run());
    EXPECT_MARKS(11, 0, 21);
    return ktest_env_done(&e);
}

/* Send to a waiting receiver of lower priority: the sender goes on. */
KTEST(send_to_lower_receiver_sender_continues)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(ktest_env_thread(&e, &t, th_recv, 0, 20, 0, KTEST_START));
    TRY(ktest_let_run());
    TRY(ktest_env_thread(&e, &t, th_mark_send, 1, 50, 0, KTEST_START));
    TRY(ktest_let_run());
    EXPECT_MARKS(11, 21, 0);
    return ktest_env_done(&e);
}

/* Send to an equal-priority receiver: no preemption either. */
KTEST(send_to_equal_receiver_sender_continues)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(ktest_env_thread(&e, &t, th_recv, 0, 50, 0, KTEST_START));
    TRY(ktest_let_run());
    TRY(ktest_env_thread(&e, &t, th_mark_send, 1, 50, 0, KTEST_START));
    TRY(ktest_let_run());
    EXPECT_MARKS(11, 21, 0);
    return ktest_env_done(&e);
}

/* After the higher receiver ran, the sender keeps its turn: it continues
 * before another ready thread of its own priority. */
KTEST(sender_keeps_its_turn)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(ktest_env_thread(&e, &t, th_recv, 0, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    TRY(ktest_env_thread(&e, &t, th_mark_send, 1, 50, 0, KTEST_START));
    TRY(ktest_env_thread(&e, &t, th_mark, 2, 50, 0, KTEST_START));
    TRY(ktest_let_run());
    EXPECT_MARKS(11, 0, 21, 32);
    return ktest_env_done(&e);
}

/* A caller that marks before (10 + i) and after (20 + i) a Call. */
static void th_mark_call(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    ktest_mark(10 + i);
    ktest_record(i, mica_call(g_ep, mica_tag(1, 1, 0), (mica_word_t)i, 0, 0, 0));
    ktest_mark(20 + i);
}

/* A server that marks on receipt (40 + i), replies, marks again (50 + i). */
static void th_mark_server(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    struct mica_msg m = mica_recv(g_ep);
    ktest_mark(40 + i);
    ktest_seen[i].status = mica_reply(mica_tag(0, 1, 0), m.mr[0] + 1000, 0, 0, 0);
    ktest_mark(50 + i);
}

/* Call: the caller blocks, so the server runs at once unless a ready
 * thread outranks it; here one does (30 > 20). */
KTEST(call_partner_waits_for_higher_ready_thread)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(ktest_env_thread(&e, &t, th_mark_server, 0, 20, 0, KTEST_START));
    TRY(ktest_let_run());
    TRY(ktest_env_thread(&e, &t, th_mark, 1, 30, 0, KTEST_START));
    TRY(ktest_env_thread(&e, &t, th_mark_call, 2, 60, 0, KTEST_START));
    TRY(ktest_let_run());
    /* 60 calls; 30 runs; 20 receives, replies (60 runs at once), ends. */
    EXPECT_MARKS(12, 31, 40, 22, 50);
    CHECK_EQ(ktest_seen[2].mr[0], 1002);
    return ktest_env_done(&e);
}

/* ...and here the ready thread has the server's own priority, so the
 * server is not outranked and runs at once, before it. */
KTEST(call_partner_runs_at_once)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(ktest_env_thread(&e, &t, th_mark_server, 0, 20, 0, KTEST_START));
    TRY(ktest_let_run());
    TRY(ktest_env_thread(&e, &t, th_mark, 1, 20, 0, KTEST_START));
    TRY(ktest_env_thread(&e, &t, th_mark_call, 2, 60, 0, KTEST_START));
    TRY(ktest_let_run());
    EXPECT_MARKS(12, 40, 22, 50, 31);
    return ktest_env_done(&e);
}

/* Reply to a lower-priority caller: the server goes on first. */
KTEST(reply_to_lower_caller_server_continues)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(ktest_env_thread(&e, &t, th_mark_server, 0, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    TRY(ktest_env_thread(&e, &t, th_mark_call, 1, 50, 0, KTEST_START));
    TRY(ktest_let_run());
    EXPECT_MARKS(11, 40, 50, 21);
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    CHECK_EQ(ktest_seen[1].mr[0], 1001);
    return ktest_env_done(&e);
}

/* Reply to a higher-priority caller: it runs at once. */
KTEST(reply_to_higher_caller_runs_at_once)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(ktest_env_thread(&e, &t, th_mark_server, 0, 50, 0, KTEST_START));
    TRY(ktest_let_run());
    TRY(ktest_env_thread(&e, &t, th_mark_call, 1, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    EXPECT_MARKS(11, 40, 21, 50);
    return ktest_env_done(&e);
}

/* ReplyRecv: the server blocks, so the caller runs at once even though
 * its priority is lower than the server's, unless outranked. */
static void th_mark_rr_server(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    struct mica_msg m = mica_recv(g_ep);
    ktest_mark(40 + i);
    m = mica_reply_recv(g_ep, mica_tag(0, 1, 0), m.mr[0] + 1000, 0, 0, 0);
    ktest_mark(50 + i); /* only after a second message */
}

KTEST(replyrecv_caller_runs_at_once)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(ktest_env_thread(&e, &t, th_mark_rr_server, 0, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    TRY(ktest_env_thread(&e, &t, th_mark_call, 2, 50, 0, KTEST_START));
    TRY(ktest_env_thread(&e, &t, th_mark, 1, 50, 0, KTEST_START));
    TRY(ktest_let_run());
    /* 2 calls, 100 answers and blocks: 2 is not outranked by the ready 1. */
    EXPECT_MARKS(12, 40, 22, 31);
    CHECK_EQ(ktest_seen[2].mr[0], 1002);
    return ktest_env_done(&e);
}

/* ReplyRecv: the server blocks, but the caller it wakes is outranked by a
 * ready thread (which the server resumed while it held the call): that
 * one runs first. */
static void th_resuming_server(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    struct mica_msg m = mica_recv(g_ep);
    mica_tcb_resume(g_slot);
    ktest_mark(40 + i);
    mica_reply_recv(g_ep, mica_tag(0, 1, 0), m.mr[0] + 1000, 0, 0, 0);
}

KTEST(replyrecv_caller_outranked)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(ktest_env_thread(&e, &g_slot, th_mark, 1, 60, 0, 0)); /* resumed by the server */
    TRY(ktest_env_thread(&e, &t, th_resuming_server, 0, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    TRY(ktest_env_thread(&e, &t, th_mark_call, 2, 50, 0, KTEST_START));
    TRY(ktest_let_run());
    EXPECT_MARKS(12, 40, 31, 22);
    CHECK_EQ(ktest_seen[2].mr[0], 1002);
    return ktest_env_done(&e);
}

/* ============================================================ nested calls */

/* Middle tier: receives on g_ep, calls g_ep2 with MR0 + 1, replies with
 * the answer + 1; a ReplyRecv loop. */
static void th_middle(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    struct mica_msg m = mica_recv(g_ep);
    while (m.status == MICA_OK) {
        struct mica_msg r = mica_call(g_ep2, mica_tag(2, 1, 0), m.mr[0] + 1, 0, 0, 0);
        ktest_record(i, r);
        m = mica_reply_recv(g_ep, mica_tag(0, 1, 0), r.mr[0] + 1, 0, 0, 0);
    }
}

/* Bottom tier: receives on g_ep2, calls g_ep3 (if set) with MR0 * 2,
 * replies with the answer * 2 (or MR0 * 2 at the bottom). */
static void th_lower(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    struct mica_msg m = mica_recv(g_ep2);
    while (m.status == MICA_OK) {
        mica_word_t v = m.mr[0] * 2;
        if (g_ep3) {
            struct mica_msg r = mica_call(g_ep3, mica_tag(3, 1, 0), v, 0, 0, 0);
            ktest_record(i, r);
            v = r.mr[0] * 2;
        }
        m = mica_reply_recv(g_ep2, mica_tag(0, 1, 0), v, 0, 0, 0);
    }
}

static void th_bottom(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    struct mica_msg m = mica_recv(g_ep3);
    while (m.status == MICA_OK) {
        ktest_seen[i].n++;
        m = mica_reply_recv(g_ep3, mica_tag(0, 1, 0), m.mr[0] + 3, 0, 0, 0);
    }
}

KTEST(nested_call_chain)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    g_ep2 = ktest_env_new(&e, MICA_OBJ_ENDPOINT);
    CHECK(g_ep2);
    TRY(ktest_env_thread(&e, &t, th_middle, 0, 100, 0, KTEST_START));
    TRY(ktest_env_thread(&e, &t, th_lower, 1, 90, 0, KTEST_START));
    TRY(ktest_let_run());
    for (mica_word_t x = 1; x <= 5; x++) {
        struct mica_msg m = mica_call(g_ep, mica_tag(1, 1, 0), x, 0, 0, 0);
        CHECK_EQ(m.status, MICA_OK);
        CHECK_EQ(m.mr[0], (x + 1) * 2 + 1);
        CHECK_EQ(ktest_seen[0].mr[0], (x + 1) * 2);
    }
    return ktest_env_done(&e);
}

/* Four levels with mixed priorities: root -> 60 -> 150 -> 30. */
KTEST(nested_call_chain_four_levels)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    g_ep2 = ktest_env_new(&e, MICA_OBJ_ENDPOINT);
    g_ep3 = ktest_env_new(&e, MICA_OBJ_ENDPOINT);
    CHECK(g_ep2 && g_ep3);
    TRY(ktest_env_thread(&e, &t, th_middle, 0, 60, 0, KTEST_START));
    TRY(ktest_env_thread(&e, &t, th_lower, 1, 150, 0, KTEST_START));
    TRY(ktest_env_thread(&e, &t, th_bottom, 2, 30, 0, KTEST_START));
    TRY(ktest_let_run());
    for (mica_word_t x = 1; x <= 4; x++) {
        struct mica_msg m = mica_call(g_ep, mica_tag(1, 1, 0), x, 0, 0, 0);
        CHECK_EQ(m.status, MICA_OK);
        CHECK_EQ(m.mr[0], ((x + 1) * 2 + 3) * 2 + 1);
        CHECK_EQ(ktest_seen[2].n, (int)x);
    }
    return ktest_env_done(&e);
}

/* ============================================================ long messages */

static void th_long_send(long i, struct mica_ipc_buffer *ipc)
{
    for (unsigned k = 4; k < MICA_MSG_MAX_LENGTH; k++)
        ipc->mr[k] = 0x1000 + k;
    ktest_seen[i].status = mica_ipc_syscall(MICA_SYS_SEND, g_ep, mica_tag(9, MICA_MSG_MAX_LENGTH, 0), 0x1000,
                                      0x1001, 0x1002, 0x1003).status;
    ktest_seen[i].n++;
}

KTEST(long_message_thread_to_root)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(ktest_env_thread(&e, &t, th_long_send, 0, 100, 0, KTEST_IPC | KTEST_START));
    TRY(ktest_let_run());
    for (unsigned k = 4; k < MICA_MSG_MAX_LENGTH; k++)
        mica_ipc->mr[k] = 0;
    struct mica_msg m = mica_nb_recv(g_ep);
    CHECK_EQ(m.status, MICA_OK);
    CHECK_EQ(mica_tag_length(m.tag), MICA_MSG_MAX_LENGTH);
    for (unsigned k = 0; k < 4; k++)
        CHECK_EQ(m.mr[k], 0x1000 + k);
    for (unsigned k = 4; k < MICA_MSG_MAX_LENGTH; k++)
        if (mica_ipc->mr[k] != 0x1000 + k)
            return ktest_failf("MR%u is 0x%llx", k, (unsigned long long)mica_ipc->mr[k]);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    return ktest_env_done(&e);
}

/* Receive on g_ep into the own buffer; x[0] = first wrong MR index (or
 * 999), x[1] = length seen. MR k is expected to be 0x2000 + k. */
static void th_long_recv(long i, struct mica_ipc_buffer *ipc)
{
    for (unsigned k = 0; k < MICA_MSG_MAX_LENGTH; k++)
        ipc->mr[k] = 0;
    struct mica_msg m = mica_recv(g_ep);
    ktest_record(i, m);
    unsigned len = mica_tag_length(m.tag), bad = 999;
    for (unsigned k = 0; k < len && bad == 999; k++)
        if ((k < 4 ? m.mr[k] : ipc->mr[k]) != 0x2000 + k)
            bad = k;
    ktest_seen[i].x[0] = bad;
    ktest_seen[i].x[1] = len;
}

KTEST(long_message_root_to_thread)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(ktest_env_thread(&e, &t, th_long_recv, 0, 100, 0, KTEST_IPC | KTEST_START));
    TRY(ktest_let_run());
    for (unsigned k = 4; k < MICA_MSG_MAX_LENGTH; k++)
        mica_ipc->mr[k] = 0x2000 + k;
    CHECK_EQ(mica_send(g_ep, mica_tag(3, MICA_MSG_MAX_LENGTH, 0), 0x2000, 0x2001, 0x2002, 0x2003), MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    CHECK_EQ(ktest_seen[0].x[1], MICA_MSG_MAX_LENGTH);
    CHECK_EQ(ktest_seen[0].x[0], 999);
    return ktest_env_done(&e);
}

/* A receiver without an IPC buffer gets MR0-MR3 and a tag saying so. */
KTEST(long_message_to_receiver_without_buffer)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(ktest_env_thread(&e, &t, th_recv, 0, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    for (unsigned k = 4; k < 10; k++)
        mica_ipc->mr[k] = k;
    CHECK_EQ(mica_nb_send(g_ep, mica_tag(3, 10, 0), 0xf0, 0xf1, 0xf2, 0xf3), MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    CHECK_EQ(mica_tag_label(ktest_seen[0].tag), 3);
    CHECK_EQ(mica_tag_length(ktest_seen[0].tag), 4);
    CHECK_EQ(ktest_seen[0].mr[3], 0xf3);
    return ktest_env_done(&e);
}

/* A server with an IPC buffer: checks a 60-register request (MR k =
 * 0x2000 + k) and replies with 120 registers (MR k = 3 * k). */
static void th_long_server(long i, struct mica_ipc_buffer *ipc)
{
    struct mica_msg m = mica_recv(g_ep);
    while (m.status == MICA_OK) {
        unsigned len = mica_tag_length(m.tag), bad = 999;
        for (unsigned k = 0; k < len && bad == 999; k++)
            if ((k < 4 ? m.mr[k] : ipc->mr[k]) != 0x2000 + k)
                bad = k;
        ktest_seen[i].x[0] = bad;
        ktest_seen[i].x[1] = len;
        ktest_seen[i].n++;
        for (unsigned k = 4; k < MICA_MSG_MAX_LENGTH; k++)
            ipc->mr[k] = 3 * k;
        m = mica_reply_recv(g_ep, mica_tag(0, MICA_MSG_MAX_LENGTH, 0), 0, 3, 6, 9);
    }
}

KTEST(long_call_and_reply)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(ktest_env_thread(&e, &t, th_long_server, 0, 100, 0, KTEST_IPC | KTEST_START));
    TRY(ktest_let_run());
    for (unsigned round = 0; round < 3; round++) {
        for (unsigned k = 4; k < MICA_MSG_MAX_LENGTH; k++)
            mica_ipc->mr[k] = 0x2000 + k;
        struct mica_msg m = mica_call(g_ep, mica_tag(1, 60, 0), 0x2000, 0x2001, 0x2002, 0x2003);
        CHECK_EQ(m.status, MICA_OK);
        CHECK_EQ(ktest_seen[0].x[1], 60);
        CHECK_EQ(ktest_seen[0].x[0], 999);
        CHECK_EQ(mica_tag_length(m.tag), MICA_MSG_MAX_LENGTH);
        CHECK_EQ(m.mr[3], 9);
        for (unsigned k = 4; k < MICA_MSG_MAX_LENGTH; k++)
            if (mica_ipc->mr[k] != 3 * k)
                return ktest_failf("round %u: reply MR%u is 0x%llx", round, k,
                                   (unsigned long long)mica_ipc->mr[k]);
    }
    return ktest_env_done(&e);
}

/* The message is copied when sender and receiver meet: a change to the
 * blocked sender's IPC buffer before that is what arrives. */
static void th_send_mr4(long i, struct mica_ipc_buffer *ipc)
{
    ipc->mr[4] = 1;
    ktest_seen[i].status = mica_ipc_syscall(MICA_SYS_SEND, g_ep, mica_tag(1, 5, 0), 0, 0, 0, 0).status;
    ktest_seen[i].n++;
}

KTEST(message_copied_at_rendezvous)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(ktest_env_thread(&e, &t, th_send_mr4, 0, 100, 0, KTEST_IPC | KTEST_START));
    TRY(ktest_let_run());
    struct mica_ipc_buffer *theirs = ktest_env_ipc_of(&e, t);
    CHECK(theirs);
    CHECK_EQ(theirs->mr[4], 1);
    theirs->mr[4] = 2;
    struct mica_msg m = mica_nb_recv(g_ep);
    CHECK_EQ(m.status, MICA_OK);
    CHECK_EQ(mica_tag_length(m.tag), 5);
    CHECK_EQ(mica_ipc->mr[4], 2);
    return ktest_env_done(&e);
}

/* ============================================================ cap transfer */

/* Root -> thread: a badged notification cap arrives as a child copy that
 * works (signals through it reach the notification). */
KTEST(cap_transfer_copy_arrives_and_works)
{
    struct xfer_env x;
    TRY(xfer_begin(&x, bi));
    mica_cptr_t minted = derive(&x.e, x.ntfn, MICA_RIGHT_WRITE, 0x8);
    CHECK(minted);
    struct mica_msg m = root_send_caps(MICA_SYS_NB_SEND, g_ep, 5, 2, 1, minted, 0, 0);
    CHECK_EQ(m.status, MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    CHECK_EQ(mica_tag_label(ktest_seen[0].tag), 5);
    CHECK_EQ(mica_tag_length(ktest_seen[0].tag), 2);
    CHECK_EQ(mica_tag_caps(ktest_seen[0].tag), 1);
    CHECK_EQ(mica_tag_unwrapped(ktest_seen[0].tag), 0);
    CHECK_EQ(ktest_seen[0].tag & MICA_TAG_CAPS_DROPPED, 0);
    CHECK_EQ(ktest_seen[0].mr[1], 12);
    mica_word_t id = ktest_ident(g_slot);
    CHECK_EQ(MICA_CAP_ID_TYPE(id), MICA_OBJ_NOTIFICATION);
    CHECK_EQ(MICA_CAP_ID_RIGHTS(id), MICA_RIGHT_WRITE);
    CHECK(id & MICA_CAP_ID_BADGED);
    /* The sender keeps its cap. */
    CHECK_EQ(ktest_id_type(minted), MICA_OBJ_NOTIFICATION);
    CHECK_EQ(mica_signal(g_slot), MICA_OK);
    m = mica_poll(x.ntfn);
    CHECK_EQ(m.status, MICA_OK);
    CHECK_EQ(m.badge, 0x8);
    /* The copy is a child of the sent cap: revoking that removes it. */
    CHECK_EQ(mica_cnode_revoke(ROOT, minted, D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(g_slot), MICA_OBJ_NULL);
    CHECK_EQ(ktest_id_type(minted), MICA_OBJ_NOTIFICATION);
    return ktest_env_done(&x.e);
}

/* Thread -> root: a mapped frame's cap arrives without the mapping, and
 * mapping the copy shows the same memory. */
static void th_send_frame(long i, struct mica_ipc_buffer *ipc)
{
    ipc->caps[0] = g_slot;
    ktest_seen[i].status = mica_ipc_syscall(MICA_SYS_SEND, g_ep, mica_tag(4, 1, 1), 0x44, 0, 0, 0).status;
    ktest_seen[i].n++;
}

KTEST(cap_transfer_thread_to_root)
{
    struct ktest_env e;
    mica_cptr_t t, frame;
    TRY(begin(&e, bi));
    volatile mica_word_t *page = ktest_env_page(&e, &frame);
    CHECK(page);
    page[3] = 0xfeedface;
    g_slot = derive(&e, frame, MICA_RIGHT_READ, 0); /* what the thread sends */
    mica_cptr_t rx = ktest_env_slot(&e);
    CHECK(g_slot && rx);
    TRY(ktest_env_thread(&e, &t, th_send_frame, 0, 100, 0, KTEST_IPC | KTEST_START));
    TRY(ktest_let_run());
    root_receive_into(rx);
    struct mica_msg m = mica_nb_recv(g_ep);
    CHECK_EQ(m.status, MICA_OK);
    CHECK_EQ(mica_tag_caps(m.tag), 1);
    CHECK_EQ(m.tag & MICA_TAG_CAPS_DROPPED, 0);
    CHECK_EQ(m.mr[0], 0x44);
    mica_word_t id = ktest_ident(rx);
    CHECK_EQ(MICA_CAP_ID_TYPE(id), MICA_OBJ_FRAME_4K);
    CHECK_EQ(MICA_CAP_ID_RIGHTS(id), MICA_RIGHT_READ);
    CHECK_EQ(id & MICA_CAP_ID_MAPPED, 0);
    mica_word_t va = KTEST_MAP_AREA + 0x80000;
    CHECK_EQ(mica_frame_map(rx, VS, va, MICA_MAP_READ, 0).status, MICA_OK);
    CHECK_EQ(((volatile mica_word_t *)va)[3], 0xfeedface);
    CHECK_EQ(mica_frame_unmap(rx).status, MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    return ktest_env_done(&e);
}

/* An endpoint cap to the endpoint the message travels through is
 * unwrapped: its badge arrives in badges[], nothing in the slot. */
KTEST(cap_unwrap_same_endpoint)
{
    struct xfer_env x;
    TRY(xfer_begin(&x, bi));
    mica_cptr_t b = derive(&x.e, g_ep, MICA_RIGHT_WRITE, 0x55);
    CHECK(b);
    CHECK_EQ(root_send_caps(MICA_SYS_NB_SEND, g_ep, 5, 1, 1, b, 0, 0).status, MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    CHECK_EQ(mica_tag_unwrapped(ktest_seen[0].tag), 1);
    CHECK_EQ(mica_tag_caps(ktest_seen[0].tag), 1);
    CHECK_EQ(ktest_seen[0].tag & MICA_TAG_CAPS_DROPPED, 0);
    CHECK_EQ(ktest_seen[0].x[0], 0x55);
    CHECK_EQ(ktest_id_type(g_slot), MICA_OBJ_NULL);
    return ktest_env_done(&x.e);
}

/* Unwrapping needs no receive slot. */
KTEST(cap_unwrap_without_receive_slot)
{
    struct xfer_env x;
    TRY(xfer_begin(&x, bi));
    /* xfer_begin's receiver named g_slot; this one names none. */
    mica_cptr_t t;
    mica_cptr_t keep = g_slot;
    g_slot = 0;
    TRY(ktest_env_thread(&x.e, &t, th_recv_cap, 1, 90, 0, KTEST_IPC | KTEST_START));
    TRY(ktest_let_run());
    g_slot = keep;
    mica_cptr_t b = derive(&x.e, g_ep, MICA_RIGHT_WRITE, 0x66);
    CHECK(b);
    /* The first receiver takes a plain message, the second the cap. */
    CHECK_EQ(mica_nb_send(g_ep, mica_tag(1, 0, 0), 0, 0, 0, 0), MICA_OK);
    CHECK_EQ(root_send_caps(MICA_SYS_NB_SEND, g_ep, 5, 0, 1, b, 0, 0).status, MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[1].status, MICA_OK);
    CHECK_EQ(mica_tag_unwrapped(ktest_seen[1].tag), 1);
    CHECK_EQ(ktest_seen[1].tag & MICA_TAG_CAPS_DROPPED, 0);
    CHECK_EQ(ktest_seen[1].x[0], 0x66);
    return ktest_env_done(&x.e);
}

/* Three caps: unwrapped, copied, unwrapped. */
KTEST(cap_unwrap_and_copy_mixed)
{
    struct xfer_env x;
    TRY(xfer_begin(&x, bi));
    mica_cptr_t b1 = derive(&x.e, g_ep, MICA_RIGHT_WRITE, 1), b3 = derive(&x.e, g_ep, MICA_RIGHT_READ, 3);
    CHECK(b1 && b3);
    CHECK_EQ(root_send_caps(MICA_SYS_SEND, g_ep, 5, 4, 3, b1, x.ntfn, b3).status, MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    CHECK_EQ(mica_tag_caps(ktest_seen[0].tag), 3);
    CHECK_EQ(mica_tag_unwrapped(ktest_seen[0].tag), 5); /* bits 0 and 2 */
    CHECK_EQ(ktest_seen[0].tag & MICA_TAG_CAPS_DROPPED, 0);
    CHECK_EQ(ktest_seen[0].x[0], 1);
    CHECK_EQ(ktest_seen[0].x[2], 3);
    CHECK_EQ(ktest_id_type(g_slot), MICA_OBJ_NOTIFICATION);
    return ktest_env_done(&x.e);
}

/* A badged cap to a different endpoint is copied, badge and all. */
KTEST(cap_other_endpoint_copied)
{
    struct xfer_env x;
    TRY(xfer_begin(&x, bi));
    mica_cptr_t other = ktest_env_new(&x.e, MICA_OBJ_ENDPOINT);
    CHECK(other);
    mica_cptr_t b = derive(&x.e, other, MICA_RIGHT_WRITE | MICA_RIGHT_GRANT, 0x99);
    CHECK(b);
    CHECK_EQ(root_send_caps(MICA_SYS_NB_SEND, g_ep, 5, 0, 1, b, 0, 0).status, MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    CHECK_EQ(mica_tag_caps(ktest_seen[0].tag), 1);
    CHECK_EQ(mica_tag_unwrapped(ktest_seen[0].tag), 0);
    mica_word_t id = ktest_ident(g_slot);
    CHECK_EQ(MICA_CAP_ID_TYPE(id), MICA_OBJ_ENDPOINT);
    CHECK_EQ(MICA_CAP_ID_RIGHTS(id), MICA_RIGHT_WRITE | MICA_RIGHT_GRANT);
    CHECK(id & MICA_CAP_ID_BADGED);
    /* The received copy is an endpoint cap with write: NBSend finds no receiver. */
    CHECK_EQ(mica_nb_send(g_slot, mica_tag(1, 0, 0), 0, 0, 0, 0), MICA_ERR_WOULD_BLOCK);
    return ktest_env_done(&x.e);
}

/* An occupied receive slot: the message arrives, the cap does not, and
 * the slot keeps what it had. */
KTEST(cap_into_occupied_slot_dropped)
{
    struct xfer_env x;
    TRY(xfer_begin(&x, bi));
    mica_cptr_t frame = ktest_env_new(&x.e, MICA_OBJ_FRAME_4K);
    CHECK(frame);
    CHECK_EQ(mica_cnode_copy(ROOT, g_slot, D, ROOT, frame, D, MICA_RIGHTS_ALL).status, MICA_OK);
    CHECK_EQ(root_send_caps(MICA_SYS_NB_SEND, g_ep, 6, 3, 1, x.ntfn, 0, 0).status, MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    CHECK_EQ(mica_tag_label(ktest_seen[0].tag), 6);
    CHECK_EQ(mica_tag_length(ktest_seen[0].tag), 3);
    CHECK_EQ(ktest_seen[0].mr[2], 13);
    CHECK(ktest_seen[0].tag & MICA_TAG_CAPS_DROPPED);
    CHECK_EQ(mica_tag_caps(ktest_seen[0].tag), 0);
    CHECK_EQ(ktest_id_type(g_slot), MICA_OBJ_FRAME_4K);
    CHECK_EQ(ktest_id_type(x.ntfn), MICA_OBJ_NOTIFICATION);
    CHECK_EQ(mica_cnode_delete(ROOT, g_slot, D).status, MICA_OK);
    return ktest_env_done(&x.e);
}

/* A dropped transfer is not half done: an unwrappable cap next to the
 * one that could not be placed is not reported as unwrapped. */
KTEST(cap_dropped_transfer_not_half_done)
{
    struct xfer_env x;
    TRY(xfer_begin(&x, bi));
    mica_cptr_t frame = ktest_env_new(&x.e, MICA_OBJ_FRAME_4K);
    mica_cptr_t b = derive(&x.e, g_ep, MICA_RIGHT_WRITE, 0x31);
    CHECK(frame && b);
    CHECK_EQ(mica_cnode_copy(ROOT, g_slot, D, ROOT, frame, D, MICA_RIGHTS_ALL).status, MICA_OK);
    CHECK_EQ(root_send_caps(MICA_SYS_NB_SEND, g_ep, 6, 1, 2, b, x.ntfn, 0).status, MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    CHECK(ktest_seen[0].tag & MICA_TAG_CAPS_DROPPED);
    CHECK_EQ(mica_tag_caps(ktest_seen[0].tag), 0);
    CHECK_EQ(mica_tag_unwrapped(ktest_seen[0].tag), 0);
    CHECK_EQ(ktest_id_type(g_slot), MICA_OBJ_FRAME_4K);
    CHECK_EQ(mica_cnode_delete(ROOT, g_slot, D).status, MICA_OK);
    return ktest_env_done(&x.e);
}

/* No receive slot named: dropped. */
KTEST(cap_without_receive_slot_dropped)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    mica_cptr_t n = ktest_env_new(&e, MICA_OBJ_NOTIFICATION);
    CHECK(n);
    g_slot = 0;
    TRY(ktest_env_thread(&e, &t, th_recv_cap, 0, 100, 0, KTEST_IPC | KTEST_START));
    TRY(ktest_let_run());
    CHECK_EQ(root_send_caps(MICA_SYS_NB_SEND, g_ep, 6, 1, 1, n, 0, 0).status, MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    CHECK(ktest_seen[0].tag & MICA_TAG_CAPS_DROPPED);
    CHECK_EQ(mica_tag_caps(ktest_seen[0].tag), 0);
    CHECK_EQ(ktest_seen[0].mr[0], 11);
    return ktest_env_done(&e);
}

/* A receiver without an IPC buffer has no receive slot: dropped. */
KTEST(cap_to_receiver_without_buffer_dropped)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    mica_cptr_t n = ktest_env_new(&e, MICA_OBJ_NOTIFICATION);
    CHECK(n);
    TRY(ktest_env_thread(&e, &t, th_recv, 0, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    CHECK_EQ(root_send_caps(MICA_SYS_NB_SEND, g_ep, 6, 2, 1, n, 0, 0).status, MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    CHECK(ktest_seen[0].tag & MICA_TAG_CAPS_DROPPED);
    CHECK_EQ(mica_tag_caps(ktest_seen[0].tag), 0);
    CHECK_EQ(ktest_seen[0].mr[1], 12);
    return ktest_env_done(&e);
}

/* Receive into slot 3 of the CNode g_slot names (4 slots: depth 2). */
static void th_recv_into_cnode(long i, struct mica_ipc_buffer *ipc)
{
    ipc->receive_cnode = g_slot;
    ipc->receive_index = 3;
    ipc->receive_depth = 2;
    ktest_record(i, mica_recv(g_ep));
}

/* A receive_cnode that is not a CNode: no receive slot, dropped. */
KTEST(cap_receive_cnode_not_a_cnode)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    mica_cptr_t n = ktest_env_new(&e, MICA_OBJ_NOTIFICATION);
    CHECK(n);
    g_slot = ktest_env_new(&e, MICA_OBJ_FRAME_4K); /* the receiver's receive_cnode */
    CHECK(g_slot);
    TRY(ktest_env_thread(&e, &t, th_recv_into_cnode, 0, 100, 0, KTEST_IPC | KTEST_START));
    TRY(ktest_let_run());
    CHECK_EQ(root_send_caps(MICA_SYS_NB_SEND, g_ep, 6, 1, 1, n, 0, 0).status, MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    CHECK(ktest_seen[0].tag & MICA_TAG_CAPS_DROPPED);
    CHECK_EQ(ktest_id_type(g_slot), MICA_OBJ_FRAME_4K);
    return ktest_env_done(&e);
}

KTEST(cap_into_other_cnode)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    mica_cptr_t n = ktest_env_new(&e, MICA_OBJ_NOTIFICATION), out = ktest_env_slot(&e);
    g_slot = ktest_env_slot(&e);
    CHECK(n && g_slot);
    CHECK_EQ(mica_untyped_retype(e.ut, MICA_OBJ_CNODE, 2, ROOT, 0, 0, g_slot, 1).status, MICA_OK);
    TRY(ktest_env_thread(&e, &t, th_recv_into_cnode, 0, 100, 0, KTEST_IPC | KTEST_START));
    TRY(ktest_let_run());
    CHECK_EQ(root_send_caps(MICA_SYS_NB_SEND, g_ep, 6, 0, 1, n, 0, 0).status, MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    CHECK_EQ(mica_tag_caps(ktest_seen[0].tag), 1);
    CHECK_EQ(ktest_seen[0].tag & MICA_TAG_CAPS_DROPPED, 0);
    /* Slot 3 of that CNode holds it: move it out to look. */
    CHECK_EQ(mica_cnode_move(ROOT, out, D, g_slot, 2, 2).status, MICA_ERR_SLOT_EMPTY);
    CHECK_EQ(mica_cnode_move(ROOT, out, D, g_slot, 3, 2).status, MICA_OK);
    CHECK_EQ(ktest_id_type(out), MICA_OBJ_NOTIFICATION);
    return ktest_env_done(&e);
}

/* The sender's cap is deleted while the sender waits: the message still
 * arrives, without the cap. */
static void th_send_cap_slot(long i, struct mica_ipc_buffer *ipc)
{
    ipc->caps[0] = g_slot;
    ktest_seen[i].status = mica_ipc_syscall(MICA_SYS_SEND, g_ep, mica_tag(4, 1, 1), 0x45, 0, 0, 0).status;
    ktest_seen[i].n++;
}

KTEST(cap_deleted_while_sender_waits)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    mica_cptr_t n = ktest_env_new(&e, MICA_OBJ_NOTIFICATION);
    CHECK(n);
    g_slot = derive(&e, n, MICA_RIGHTS_ALL, 0);
    mica_cptr_t rx = ktest_env_slot(&e);
    CHECK(g_slot && rx);
    TRY(ktest_env_thread(&e, &t, th_send_cap_slot, 0, 100, 0, KTEST_IPC | KTEST_START));
    TRY(ktest_let_run());
    CHECK_EQ(mica_cnode_delete(ROOT, g_slot, D).status, MICA_OK);
    root_receive_into(rx);
    struct mica_msg m = mica_nb_recv(g_ep);
    CHECK_EQ(m.status, MICA_OK);
    CHECK_EQ(m.mr[0], 0x45);
    CHECK(m.tag & MICA_TAG_CAPS_DROPPED);
    CHECK_EQ(mica_tag_caps(m.tag), 0);
    CHECK_EQ(ktest_id_type(rx), MICA_OBJ_NULL);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    return ktest_env_done(&e);
}

/* A server replying with a cap (own IPC buffer); x[0] = status of the
 * reply with the cap, x[1] = status of a plain reply after it failed. */
static void th_cap_replier(long i, struct mica_ipc_buffer *ipc)
{
    struct mica_msg m = mica_recv(g_ep);
    ktest_record(i, m);
    ipc->caps[0] = g_slot;
    ktest_seen[i].x[0] = mica_ipc_syscall(MICA_SYS_REPLY, 0, mica_tag(0, 1, 1), 0x71, 0, 0, 0).status;
    if (ktest_seen[i].x[0] != MICA_OK)
        ktest_seen[i].x[1] = mica_reply(mica_tag(0, 1, 0), 0x72, 0, 0, 0);
}

/* With grant-reply on the caller's cap a reply carries a cap. */
KTEST(reply_with_cap_grant_reply)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    mica_cptr_t n = ktest_env_new(&e, MICA_OBJ_NOTIFICATION), rx = ktest_env_slot(&e);
    mica_cptr_t c = derive(&e, g_ep, MICA_RIGHT_WRITE | MICA_RIGHT_GRANT_REPLY, 0);
    g_slot = n;
    CHECK(n && rx && c);
    TRY(ktest_env_thread(&e, &t, th_cap_replier, 0, 100, 0, KTEST_IPC | KTEST_START));
    TRY(ktest_let_run());
    root_receive_into(rx);
    struct mica_msg m = mica_call(c, mica_tag(1, 0, 0), 0, 0, 0, 0);
    CHECK_EQ(m.status, MICA_OK);
    TRY(ktest_let_run()); /* the server records its reply's status */
    CHECK_EQ(ktest_seen[0].x[0], MICA_OK);
    CHECK_EQ(m.mr[0], 0x71);
    CHECK_EQ(mica_tag_caps(m.tag), 1);
    CHECK_EQ(m.tag & MICA_TAG_CAPS_DROPPED, 0);
    CHECK_EQ(ktest_id_type(rx), MICA_OBJ_NOTIFICATION);
    return ktest_env_done(&e);
}

/* Without grant-reply the reply with a cap is refused, the reply cap
 * stays, and a plain reply then gets through. */
KTEST(reply_with_cap_needs_grant_reply)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    mica_cptr_t n = ktest_env_new(&e, MICA_OBJ_NOTIFICATION), rx = ktest_env_slot(&e);
    mica_cptr_t c = derive(&e, g_ep, MICA_RIGHT_WRITE | MICA_RIGHT_GRANT | MICA_RIGHT_READ, 0);
    g_slot = n;
    CHECK(n && rx && c);
    TRY(ktest_env_thread(&e, &t, th_cap_replier, 0, 100, 0, KTEST_IPC | KTEST_START));
    TRY(ktest_let_run());
    root_receive_into(rx);
    struct mica_msg m = mica_call(c, mica_tag(1, 0, 0), 0, 0, 0, 0);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].x[0], MICA_ERR_NO_RIGHTS);
    CHECK_EQ(ktest_seen[0].x[1], MICA_OK);
    CHECK_EQ(m.status, MICA_OK);
    CHECK_EQ(m.mr[0], 0x72);
    CHECK_EQ(mica_tag_caps(m.tag), 0);
    CHECK_EQ(ktest_id_type(rx), MICA_OBJ_NULL);
    return ktest_env_done(&e);
}

/* ============================================================ reply caps */

/* The root task as a server with a thread's Call pending (received by
 * NBRecv). */
static const char *root_takes_call(struct ktest_env *e, mica_cptr_t *t, long i, unsigned flags)
{
    TRY(ktest_env_thread(e, t, th_call, i, 100, 0, flags | KTEST_START));
    TRY(ktest_let_run());
    struct mica_msg m = mica_nb_recv(g_ep);
    CHECK_EQ(m.status, MICA_OK);
    CHECK_EQ(m.mr[0], 100 + (mica_word_t)i);
    return 0;
}

KTEST(save_caller_and_send_later)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    mica_cptr_t saved = ktest_env_slot(&e);
    TRY(root_takes_call(&e, &t, 0, 0));
    CHECK_EQ(mica_cnode_save_caller(ROOT, saved, D).status, MICA_OK);
    mica_word_t id = ktest_ident(saved);
    CHECK_EQ(MICA_CAP_ID_TYPE(id), MICA_OBJ_REPLY);
    /* The reply slot is empty now. */
    CHECK_EQ(mica_reply(mica_tag(0, 0, 0), 0, 0, 0, 0), MICA_ERR_NO_REPLY);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].n, 0);
    CHECK_EQ(mica_send(saved, mica_tag(0x33, 2, 0), 0x99, 0x98, 0, 0), MICA_OK);
    CHECK_EQ(ktest_id_type(saved), MICA_OBJ_NULL); /* one-shot */
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    CHECK_EQ(ktest_seen[0].badge, 0);
    CHECK_EQ(mica_tag_label(ktest_seen[0].tag), 0x33);
    CHECK_EQ(ktest_seen[0].mr[0], 0x99);
    CHECK_EQ(ktest_seen[0].mr[1], 0x98);
    return ktest_env_done(&e);
}

KTEST(saved_reply_nbsend)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    mica_cptr_t saved = ktest_env_slot(&e);
    TRY(root_takes_call(&e, &t, 0, 0));
    CHECK_EQ(mica_cnode_save_caller(ROOT, saved, D).status, MICA_OK);
    CHECK_EQ(mica_nb_send(saved, mica_tag(0, 1, 0), 0x97, 0, 0, 0), MICA_OK);
    CHECK_EQ(ktest_id_type(saved), MICA_OBJ_NULL);
    CHECK_EQ(mica_nb_send(saved, mica_tag(0, 1, 0), 0x97, 0, 0, 0), MICA_ERR_INVALID_CAP);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    CHECK_EQ(ktest_seen[0].mr[0], 0x97);
    return ktest_env_done(&e);
}

/* A thread server defers one reply while it answers another client. */
static void th_deferring_server(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    struct mica_msg first = mica_recv(g_ep);
    ktest_seen[i].x[0] = mica_cnode_save_caller(ROOT, g_slot, D).status;
    ktest_seen[i].x[1] = ktest_id_type(g_slot);
    struct mica_msg second = mica_recv(g_ep);
    ktest_seen[i].x[2] = mica_reply(mica_tag(0, 1, 0), second.mr[0] + 1, 0, 0, 0);
    ktest_mark(40);
    ktest_seen[i].x[3] = mica_send(g_slot, mica_tag(0, 1, 0), first.mr[0] * 10, 0, 0, 0);
    ktest_mark(41);
}

KTEST(deferred_reply_from_thread_server)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    g_slot = ktest_env_slot(&e);
    TRY(ktest_env_thread(&e, &t, th_deferring_server, 0, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    TRY(ktest_env_thread(&e, &t, th_mark_call, 1, 50, 0, KTEST_START));
    TRY(ktest_env_thread(&e, &t, th_mark_call, 2, 40, 0, KTEST_START));
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].x[0], MICA_OK);
    CHECK_EQ(ktest_seen[0].x[1], MICA_OBJ_REPLY);
    CHECK_EQ(ktest_seen[0].x[2], MICA_OK);
    CHECK_EQ(ktest_seen[0].x[3], MICA_OK);
    CHECK_EQ(ktest_seen[1].status, MICA_OK);
    CHECK_EQ(ktest_seen[1].mr[0], 10); /* 1 * 10: the deferred reply */
    CHECK_EQ(ktest_seen[2].status, MICA_OK);
    CHECK_EQ(ktest_seen[2].mr[0], 3);
    EXPECT_MARKS(11, 12, 40, 41, 21, 22);
    CHECK_EQ(ktest_id_type(g_slot), MICA_OBJ_NULL);
    return ktest_env_done(&e);
}

KTEST(reply_cap_cannot_be_copied)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    mica_cptr_t saved = ktest_env_slot(&e), dest = ktest_env_slot(&e), moved = ktest_env_slot(&e);
    TRY(root_takes_call(&e, &t, 0, 0));
    CHECK_EQ(mica_cnode_save_caller(ROOT, saved, D).status, MICA_OK);
    CHECK_EQ(mica_cnode_copy(ROOT, dest, D, ROOT, saved, D, MICA_RIGHTS_ALL).status, MICA_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(ktest_id_type(dest), MICA_OBJ_NULL);
    CHECK_EQ(mica_cnode_mint(ROOT, dest, D, ROOT, saved, D, MICA_RIGHTS_ALL, 5).status, MICA_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(ktest_id_type(dest), MICA_OBJ_NULL);
    /* Moving is fine, and the moved cap still replies. */
    CHECK_EQ(mica_cnode_move(ROOT, moved, D, ROOT, saved, D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(saved), MICA_OBJ_NULL);
    CHECK_EQ(ktest_id_type(moved), MICA_OBJ_REPLY);
    CHECK_EQ(mica_send(moved, mica_tag(0, 1, 0), 0x96, 0, 0, 0), MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    CHECK_EQ(ktest_seen[0].mr[0], 0x96);
    return ktest_env_done(&e);
}

/* What a reply cap is not: it cannot be received on, called, or sent. */
KTEST(reply_cap_wrong_uses)
{
    struct ktest_env e;
    mica_cptr_t t, t2;
    TRY(begin(&e, bi));
    mica_cptr_t saved = ktest_env_slot(&e);
    g_slot = ktest_env_slot(&e);
    TRY(root_takes_call(&e, &t, 0, 0));
    CHECK_EQ(mica_cnode_save_caller(ROOT, saved, D).status, MICA_OK);
    CHECK_EQ(sys(MICA_SYS_RECV, saved, 0).status, MICA_ERR_INVALID_CAP);
    CHECK_EQ(sys(MICA_SYS_NB_RECV, saved, 0).status, MICA_ERR_INVALID_CAP);
    CHECK_EQ(sys(MICA_SYS_REPLY_RECV, saved, 0).status, MICA_ERR_INVALID_CAP);
    CHECK_EQ(sys(MICA_SYS_CALL, saved, mica_tag(1, 0, 0)).status, MICA_ERR_ILLEGAL_OPERATION);
    /* As an extra cap: not transferable. A receiver waits meanwhile. */
    TRY(ktest_env_thread(&e, &t2, th_recv_cap, 1, 90, 0, KTEST_IPC | KTEST_START));
    TRY(ktest_let_run());
    EXPECT_SEND_ERROR(root_send_caps(MICA_SYS_NB_SEND, g_ep, 5, 1, 1, saved, 0, 0), MICA_ERR_INVALID_CAP, 0);
    CHECK_EQ(ktest_id_type(g_slot), MICA_OBJ_NULL);
    CHECK_EQ(ktest_id_type(saved), MICA_OBJ_REPLY);
    /* Still usable after all that. */
    CHECK_EQ(mica_send(saved, mica_tag(0, 1, 0), 0x95, 0, 0, 0), MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].mr[0], 0x95);
    CHECK_EQ(ktest_seen[1].n, 0);
    return ktest_env_done(&e);
}

KTEST(save_caller_errors)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    mica_cptr_t saved = ktest_env_slot(&e), frame = ktest_env_new(&e, MICA_OBJ_FRAME_4K);
    CHECK(frame);
    /* Nothing to save. */
    CHECK_EQ(mica_cnode_save_caller(ROOT, saved, D).status, MICA_ERR_NO_REPLY);
    CHECK_EQ(ktest_id_type(saved), MICA_OBJ_NULL);
    TRY(root_takes_call(&e, &t, 0, 0));
    /* Occupied destination: refused, the reply cap stays pending. */
    CHECK_EQ(mica_cnode_save_caller(ROOT, frame, D).status, MICA_ERR_SLOT_OCCUPIED);
    CHECK_EQ(ktest_id_type(frame), MICA_OBJ_FRAME_4K);
    CHECK_EQ(mica_cnode_save_caller(ROOT, BAD_CPTR, D).status, MICA_ERR_LOOKUP_FAILED);
    CHECK_EQ(mica_reply(mica_tag(0, 1, 0), 0x94, 0, 0, 0), MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    CHECK_EQ(ktest_seen[0].mr[0], 0x94);
    return ktest_env_done(&e);
}

KTEST(reply_is_one_shot)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(root_takes_call(&e, &t, 0, 0));
    CHECK_EQ(mica_reply(mica_tag(0, 1, 0), 1, 0, 0, 0), MICA_OK);
    CHECK_EQ(mica_reply(mica_tag(0, 1, 0), 2, 0, 0, 0), MICA_ERR_NO_REPLY);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].n, 1);
    CHECK_EQ(ktest_seen[0].mr[0], 1);
    return ktest_env_done(&e);
}

/* A reply's own message is checked first: a bad one leaves the reply cap. */
KTEST(reply_message_errors_keep_reply_cap)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(root_takes_call(&e, &t, 0, 0));
    struct mica_msg m = sys(MICA_SYS_REPLY, 0, mica_tag(0, 121, 0));
    CHECK_EQ(m.status, MICA_ERR_RANGE);
    CHECK_EQ(m.badge, MICA_MSG_MAX_LENGTH);
    mica_ipc->caps[0] = BAD_CPTR; /* the caller's cap had grant-reply */
    CHECK_EQ(sys(MICA_SYS_REPLY, 0, mica_tag(0, 0, 1)).status, MICA_ERR_LOOKUP_FAILED);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].n, 0);
    CHECK_EQ(mica_reply(mica_tag(0, 1, 0), 0x93, 0, 0, 0), MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].mr[0], 0x93);
    return ktest_env_done(&e);
}

/* A reply to a caller with an IPC buffer carries MR4 and up. */
KTEST(reply_long_message)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(root_takes_call(&e, &t, 0, KTEST_IPC));
    for (unsigned k = 4; k < 12; k++)
        mica_ipc->mr[k] = 0x300 + k;
    CHECK_EQ(mica_reply(mica_tag(0, 12, 0), 0x300, 0x301, 0x302, 0x303), MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    CHECK_EQ(mica_tag_length(ktest_seen[0].tag), 12);
    struct mica_ipc_buffer *theirs = ktest_env_ipc_of(&e, t);
    CHECK(theirs);
    for (unsigned k = 4; k < 12; k++)
        CHECK_EQ(theirs->mr[k], 0x300 + k);
    return ktest_env_done(&e);
}

KTEST(delete_saved_reply_cancels_caller)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    mica_cptr_t saved = ktest_env_slot(&e);
    TRY(root_takes_call(&e, &t, 0, 0));
    CHECK_EQ(mica_cnode_save_caller(ROOT, saved, D).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, saved, D).status, MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].n, 1);
    CHECK_EQ(ktest_seen[0].status, MICA_ERR_CANCELLED);
    return ktest_env_done(&e);
}

/* Receiving a second Call with the first reply cap unsaved cancels it. */
KTEST(second_call_cancels_unsaved_reply)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(ktest_env_thread(&e, &t, th_call, 0, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    TRY(ktest_env_thread(&e, &t, th_call, 1, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    CHECK_EQ(mica_nb_recv(g_ep).mr[0], 100);
    CHECK_EQ(mica_nb_recv(g_ep).mr[0], 101);
    CHECK_EQ(mica_reply(mica_tag(0, 1, 0), 0x92, 0, 0, 0), MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].status, MICA_ERR_CANCELLED);
    CHECK_EQ(ktest_seen[1].status, MICA_OK);
    CHECK_EQ(ktest_seen[1].mr[0], 0x92);
    return ktest_env_done(&e);
}

/* A server that receives a Call and then waits elsewhere (g_ep2). */
static void th_receive_and_park(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    ktest_record(i, mica_recv(g_ep));
    mica_recv(g_ep2);
}

KTEST(delete_server_holding_reply_cancels_caller)
{
    struct ktest_env e;
    mica_cptr_t server, t;
    TRY(begin(&e, bi));
    g_ep2 = ktest_env_new(&e, MICA_OBJ_ENDPOINT);
    CHECK(g_ep2);
    TRY(ktest_env_thread(&e, &server, th_receive_and_park, 0, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    TRY(ktest_env_thread(&e, &t, th_call, 1, 50, 0, KTEST_START));
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    CHECK_EQ(ktest_seen[1].n, 0);
    CHECK_EQ(mica_cnode_delete(ROOT, server, D).status, MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[1].n, 1);
    CHECK_EQ(ktest_seen[1].status, MICA_ERR_CANCELLED);
    return ktest_env_done(&e);
}

/* The caller is deleted first: its reply cap disappears with it. */
KTEST(reply_after_caller_deleted)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(root_takes_call(&e, &t, 0, 0));
    CHECK_EQ(mica_cnode_delete(ROOT, t, D).status, MICA_OK);
    CHECK_EQ(mica_reply(mica_tag(0, 1, 0), 1, 0, 0, 0), MICA_ERR_NO_REPLY);
    return ktest_env_done(&e);
}

KTEST(saved_reply_after_caller_deleted)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    mica_cptr_t saved = ktest_env_slot(&e);
    TRY(root_takes_call(&e, &t, 0, 0));
    CHECK_EQ(mica_cnode_save_caller(ROOT, saved, D).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, t, D).status, MICA_OK);
    mica_word_t type = ktest_id_type(saved);
    mica_cnode_delete(ROOT, saved, D); /* leave nothing behind either way */
    CHECK_EQ(type, MICA_OBJ_NULL);
    return ktest_env_done(&e);
}

/* ReplyRecv checks its whole request first: a bad reply half (length
 * 121) is reported, nothing is sent and nothing received; the reply cap
 * stays, the caller keeps waiting, and a good ReplyRecv then answers it and
 * receives (docs/objects/endpoint.md, reply.md). */
static void th_bad_replyrecv_server(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    ktest_record(i, mica_recv(g_ep));
    struct mica_msg m = mica_ipc_syscall(MICA_SYS_REPLY_RECV, g_ep, mica_tag(0, 121, 0), 1, 0, 0, 0);
    ktest_seen[i].x[0] = m.status;
    ktest_seen[i].x[1] = m.badge;
    m = mica_reply_recv(g_ep, mica_tag(0, 1, 0), 0x55, 0, 0, 0);
    ktest_seen[i].x[2] = m.status;
    ktest_seen[i].x[3] = m.mr[0];
}

KTEST(replyrecv_reply_error_reported)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(ktest_env_thread(&e, &t, th_bad_replyrecv_server, 0, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    TRY(ktest_env_thread(&e, &t, th_call, 1, 50, 0, KTEST_START));
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].n, 1);
    CHECK_EQ(ktest_seen[0].x[0], MICA_ERR_RANGE); /* the bad reply, reported */
    CHECK_EQ(ktest_seen[0].x[1], MICA_MSG_MAX_LENGTH);
    /* The good ReplyRecv answered the caller and now waits for a message. */
    CHECK_EQ(ktest_seen[1].status, MICA_OK);
    CHECK_EQ(ktest_seen[1].mr[0], 0x55);
    CHECK_EQ(mica_nb_send(g_ep, mica_tag(6, 1, 0), 0x66, 0, 0, 0), MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].x[2], MICA_OK);
    CHECK_EQ(ktest_seen[0].x[3], 0x66);
    return ktest_env_done(&e);
}

/* A reply cap saved in a CNode that is then destroyed: the caller is
 * cancelled. */
KTEST(saved_reply_in_deleted_cnode)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    mica_cptr_t cn = ktest_env_slot(&e);
    CHECK(cn);
    CHECK_EQ(mica_untyped_retype(e.ut, MICA_OBJ_CNODE, 2, ROOT, 0, 0, cn, 1).status, MICA_OK);
    TRY(root_takes_call(&e, &t, 0, 0));
    CHECK_EQ(mica_cnode_save_caller(cn, 1, 2).status, MICA_OK);
    CHECK_EQ(mica_reply(mica_tag(0, 0, 0), 0, 0, 0, 0), MICA_ERR_NO_REPLY);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].n, 0);
    CHECK_EQ(mica_cnode_delete(ROOT, cn, D).status, MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].n, 1);
    CHECK_EQ(ktest_seen[0].status, MICA_ERR_CANCELLED);
    return ktest_env_done(&e);
}

/* Mutate moves a reply cap (badge word 0) but cannot badge it. */
KTEST(reply_cap_mutate)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    mica_cptr_t saved = ktest_env_slot(&e), moved = ktest_env_slot(&e), other = ktest_env_slot(&e);
    TRY(root_takes_call(&e, &t, 0, 0));
    CHECK_EQ(mica_cnode_save_caller(ROOT, saved, D).status, MICA_OK);
    CHECK_EQ(mica_cnode_mutate(ROOT, other, D, ROOT, saved, D, 5).status, MICA_ERR_INVALID_ARGUMENT);
    CHECK_EQ(ktest_id_type(saved), MICA_OBJ_REPLY);
    CHECK_EQ(ktest_id_type(other), MICA_OBJ_NULL);
    CHECK_EQ(mica_cnode_mutate(ROOT, moved, D, ROOT, saved, D, 0).status, MICA_OK);
    CHECK_EQ(ktest_id_type(saved), MICA_OBJ_NULL);
    CHECK_EQ(mica_send(moved, mica_tag(0, 1, 0), 0x90, 0, 0, 0), MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].mr[0], 0x90);
    return ktest_env_done(&e);
}

/* ============================================================ cancellation */

KTEST(delete_endpoint_cancels_receiver)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(ktest_env_thread(&e, &t, th_recv, 0, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].n, 0);
    CHECK_EQ(mica_cnode_delete(ROOT, g_ep, D).status, MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].n, 1);
    CHECK_EQ(ktest_seen[0].status, MICA_ERR_CANCELLED);
    CHECK_EQ(ktest_seen[0].mr[0], S0); /* no message registers written */
    return ktest_env_done(&e);
}

KTEST(delete_endpoint_cancels_senders_and_callers)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    mica_cptr_t copy = derive(&e, g_ep, MICA_RIGHTS_ALL, 0x5);
    CHECK(copy);
    TRY(ktest_env_thread(&e, &t, th_send, 0, 100, 0, KTEST_START));
    TRY(ktest_env_thread(&e, &t, th_call, 1, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    /* Deleting a cap that is not the last one changes nothing. */
    CHECK_EQ(mica_cnode_delete(ROOT, copy, D).status, MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].n, 0);
    CHECK_EQ(ktest_seen[1].n, 0);
    CHECK_EQ(mica_cnode_delete(ROOT, g_ep, D).status, MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].status, MICA_ERR_CANCELLED);
    CHECK_EQ(ktest_seen[1].status, MICA_ERR_CANCELLED);
    return ktest_env_done(&e);
}

/* A caller whose message was received waits on its reply cap, not on the
 * endpoint: deleting the endpoint does not affect it. */
KTEST(delete_endpoint_after_call_received)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(root_takes_call(&e, &t, 0, 0));
    CHECK_EQ(mica_cnode_delete(ROOT, g_ep, D).status, MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].n, 0);
    CHECK_EQ(mica_reply(mica_tag(0, 1, 0), 0x89, 0, 0, 0), MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    CHECK_EQ(ktest_seen[0].mr[0], 0x89);
    return ktest_env_done(&e);
}

/* Revoking the untyped the endpoint came from cancels its waiters too. */
KTEST(revoke_endpoint_cancels_receiver)
{
    struct ktest_env e, e2;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    /* The endpoint from a second untyped, the thread from the first. */
    e2 = e;
    e2.ut = ktest_ram_untyped(bi, 12, 0);
    CHECK(e2.ut && e2.ut != e.ut);
    e2.next_slot = e.next_slot + 50;
    g_ep = ktest_env_new(&e2, MICA_OBJ_ENDPOINT);
    CHECK(g_ep);
    TRY(ktest_env_thread(&e, &t, th_recv, 0, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    CHECK_EQ(mica_cnode_revoke(ROOT, e2.ut, D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(g_ep), MICA_OBJ_NULL);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].status, MICA_ERR_CANCELLED);
    return ktest_env_done(&e);
}

/* Call through g_badged[i] with MR0 = 100 + i; record the reply. */
static void th_call_badged(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    ktest_record(i, mica_call(g_badged[i], mica_tag(8, 1, 0), 100 + (mica_word_t)i, 0, 0, 0));
}

/* Revoking a badged endpoint cap cancels the senders and callers queued
 * with its badge (through the revoked cap, or a copy of it that Revoke
 * deleted); a sender with another badge keeps its place. */
KTEST(revoke_badged_cancels_its_senders)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    mica_cptr_t minted = derive(&e, g_ep, MICA_RIGHT_WRITE, 5);
    CHECK(minted);
    g_badged[0] = derive(&e, minted, MICA_RIGHT_WRITE, 0); /* a copy: badge 5 too */
    g_badged[1] = derive(&e, g_ep, MICA_RIGHT_WRITE, 7);
    g_badged[2] = minted;
    g_badged[3] = derive(&e, minted, MICA_RIGHT_WRITE, 0);
    CHECK(g_badged[0] && g_badged[1] && g_badged[3]);
    TRY(ktest_env_thread(&e, &t, th_send_badged, 0, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    TRY(ktest_env_thread(&e, &t, th_send_badged, 1, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    TRY(ktest_env_thread(&e, &t, th_call_badged, 2, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    TRY(ktest_env_thread(&e, &t, th_call_badged, 3, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    for (unsigned i = 0; i < 4; i++)
        CHECK_EQ(ktest_seen[i].n, 0);
    CHECK_EQ(mica_cnode_revoke(ROOT, minted, D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(g_badged[0]), MICA_OBJ_NULL);
    CHECK_EQ(ktest_id_type(g_badged[3]), MICA_OBJ_NULL);
    CHECK_EQ(ktest_id_type(minted), MICA_OBJ_ENDPOINT);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].n, 1);
    CHECK_EQ(ktest_seen[0].status, MICA_ERR_CANCELLED);
    CHECK_EQ(ktest_seen[1].n, 0);
    CHECK_EQ(ktest_seen[2].n, 1);
    CHECK_EQ(ktest_seen[2].status, MICA_ERR_CANCELLED);
    CHECK_EQ(ktest_seen[3].n, 1);
    CHECK_EQ(ktest_seen[3].status, MICA_ERR_CANCELLED);
    /* Only the badge-7 sender is left. */
    struct mica_msg m = mica_nb_recv(g_ep);
    CHECK_EQ(m.status, MICA_OK);
    CHECK_EQ(m.badge, 7);
    CHECK_EQ(m.mr[0], 101);
    CHECK_EQ(mica_nb_recv(g_ep).status, MICA_ERR_WOULD_BLOCK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[1].status, MICA_OK);
    return ktest_env_done(&e);
}

/* Revoking an unbadged cap (or a badged one with nobody queued) cancels
 * nobody. */
KTEST(revoke_unbadged_cancels_nobody)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    mica_cptr_t copy = derive(&e, g_ep, MICA_RIGHT_WRITE, 0);
    g_badged[0] = derive(&e, g_ep, MICA_RIGHT_WRITE, 9);
    mica_cptr_t other = derive(&e, g_ep, MICA_RIGHT_WRITE, 10);
    CHECK(copy && g_badged[0] && other);
    TRY(ktest_env_thread(&e, &t, th_send_badged, 0, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    CHECK_EQ(mica_cnode_revoke(ROOT, copy, D).status, MICA_OK);
    CHECK_EQ(mica_cnode_revoke(ROOT, other, D).status, MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].n, 0);
    struct mica_msg m = mica_nb_recv(g_ep);
    CHECK_EQ(m.status, MICA_OK);
    CHECK_EQ(m.badge, 9);
    return ktest_env_done(&e);
}

/* A suspended receiver leaves the queue and sees CANCELLED when resumed. */
KTEST(suspend_receiver_then_resume)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(ktest_env_thread(&e, &t, th_recv, 0, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    CHECK_EQ(mica_tcb_suspend(t).status, MICA_OK);
    CHECK_EQ(mica_nb_send(g_ep, mica_tag(1, 0, 0), 0, 0, 0, 0), MICA_ERR_WOULD_BLOCK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].n, 0);
    CHECK_EQ(mica_tcb_resume(t).status, MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].n, 1);
    CHECK_EQ(ktest_seen[0].status, MICA_ERR_CANCELLED);
    return ktest_env_done(&e);
}

KTEST(suspend_sender_then_resume)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(ktest_env_thread(&e, &t, th_send, 0, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    CHECK_EQ(mica_tcb_suspend(t).status, MICA_OK);
    CHECK_EQ(mica_nb_recv(g_ep).status, MICA_ERR_WOULD_BLOCK);
    CHECK_EQ(mica_tcb_resume(t).status, MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].status, MICA_ERR_CANCELLED);
    return ktest_env_done(&e);
}

/* Suspended while waiting for its reply: CANCELLED on resume. */
KTEST(suspend_caller_awaiting_reply)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(root_takes_call(&e, &t, 0, 0));
    CHECK_EQ(mica_tcb_suspend(t).status, MICA_OK);
    CHECK_EQ(mica_tcb_resume(t).status, MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].n, 1);
    CHECK_EQ(ktest_seen[0].status, MICA_ERR_CANCELLED);
    /* Whatever the root task's reply cap now is, a reply does not reach
     * the thread a second time. */
    mica_reply(mica_tag(0, 1, 0), 1, 0, 0, 0);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].n, 1);
    return ktest_env_done(&e);
}

/* Resume leaves a blocked thread blocked. */
KTEST(resume_leaves_blocked_thread_blocked)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(ktest_env_thread(&e, &t, th_recv, 0, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    CHECK_EQ(mica_tcb_resume(t).status, MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].n, 0);
    CHECK_EQ(mica_nb_send(g_ep, mica_tag(2, 1, 0), 0x91, 0, 0, 0), MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[0].status, MICA_OK);
    CHECK_EQ(ktest_seen[0].mr[0], 0x91);
    return ktest_env_done(&e);
}

/* New registers take a thread out of its IPC. */
static void th_landing(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    ktest_mark(60 + i);
    for (;;)
        mica_tcb_suspend((mica_cptr_t)ktest_seen[i].x[3]);
}

static unsigned long landing_stack[512] __attribute__((aligned(16)));

KTEST(write_registers_takes_thread_out_of_ipc)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(ktest_env_thread(&e, &t, th_recv, 0, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    ktest_seen[0].x[3] = t;
    struct mica_user_context regs = { 0 };
    regs.rip = (mica_word_t)th_landing;
    regs.rsp = (mica_word_t)&landing_stack[511];
    regs.rflags = 0x202;
    regs.rdi = 0;
    CHECK_EQ(mica_tcb_write_registers(t, 1, MICA_USER_CONTEXT_WORDS, &regs).status, MICA_OK);
    CHECK_EQ(mica_nb_send(g_ep, mica_tag(1, 0, 0), 0, 0, 0, 0), MICA_ERR_WOULD_BLOCK);
    TRY(ktest_let_run());
    EXPECT_MARKS(60);
    CHECK_EQ(ktest_seen[0].n, 0); /* the Recv never returned */
    return ktest_env_done(&e);
}

KTEST(delete_blocked_sender_leaves_queue)
{
    struct ktest_env e;
    mica_cptr_t t0, t1;
    TRY(begin(&e, bi));
    TRY(ktest_env_thread(&e, &t0, th_send, 0, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    TRY(ktest_env_thread(&e, &t1, th_send, 1, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    CHECK_EQ(mica_cnode_delete(ROOT, t0, D).status, MICA_OK);
    struct mica_msg m = mica_nb_recv(g_ep);
    CHECK_EQ(m.status, MICA_OK);
    CHECK_EQ(m.mr[0], 101);
    CHECK_EQ(mica_nb_recv(g_ep).status, MICA_ERR_WOULD_BLOCK);
    return ktest_env_done(&e);
}

/* ============================================================ segment registers */

/*
 * DS, ES, FS and GS are not saved per thread: the kernel loads
 * MICA_USER_DATA_SELECTOR into all four whenever it switches to a thread,
 * so a value one thread loads never reaches another (docs/objects/tcb.md).
 * Each side loads selectors of its own (user data and null selectors with
 * other RPLs, none equal to the reset value) just before switching, and
 * reads them first thing after being switched to.
 */
static const unsigned short sel_a[4] = { 0x20, 0x21, 0x22, 0x02 };
static const unsigned short sel_b[4] = { 0x01, 0x03, 0x20, 0x21 };
static unsigned g_sel_len; /* message length the selector server replies with */

static inline __attribute__((always_inline)) void sels_load(const unsigned short *s)
{
    __asm__ volatile("mov %0, %%ds; mov %1, %%es; mov %2, %%fs; mov %3, %%gs"
                     : : "r"(s[0]), "r"(s[1]), "r"(s[2]), "r"(s[3]) : "memory");
}

static inline __attribute__((always_inline)) void sels_read(mica_word_t *w)
{
    unsigned long ds, es, fs, gs;
    __asm__ volatile("mov %%ds, %0; mov %%es, %1; mov %%fs, %2; mov %%gs, %3"
                     : "=r"(ds), "=r"(es), "=r"(fs), "=r"(gs) : : "memory");
    w[0] = ds & 0xffff, w[1] = es & 0xffff, w[2] = fs & 0xffff, w[3] = gs & 0xffff;
}

/* NULL if w holds the reset value in all four registers (`other`: what
 * the other thread loaded, for the failure reason). */
static const char *sels_reset(const mica_word_t *w, const unsigned short *other, const char *who)
{
    for (unsigned k = 0; k < 4; k++)
        if (w[k] != MICA_USER_DATA_SELECTOR)
            return ktest_failf("%s: %cS = 0x%llx, expected 0x%x (the other thread loaded 0x%x)",
                               who, "DEFG"[k], (unsigned long long)w[k], MICA_USER_DATA_SELECTOR,
                               other[k]);
    return 0;
}

/* A server: on each message, record its selectors, load sel_b, reply
 * (g_sel_len words). */
static void th_sel_server(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    struct mica_msg m = mica_recv(g_ep);
    while (m.status == MICA_OK) {
        mica_word_t w[4];
        sels_read(w);
        for (unsigned k = 0; k < 4; k++)
            ktest_seen[i].x[k] = w[k];
        ktest_seen[i].n++;
        sels_load(sel_b);
        m = mica_reply_recv(g_ep, mica_tag(9, g_sel_len, 0), 0, 0, 0, 0);
    }
}

/* The root task calls the server (message length len) with sel_a loaded;
 * neither sees the other's selectors. */
static const char *selectors_through_call(const struct mica_bootinfo *bi, unsigned len)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    g_sel_len = len;
    TRY(ktest_env_thread(&e, &t, th_sel_server, 0, 100, 0, KTEST_IPC | KTEST_START));
    TRY(ktest_let_run());
    for (unsigned k = 0; k < MICA_MSG_MAX_LENGTH && k < 8; k++)
        mica_ipc->mr[k] = 0;
    for (int round = 1; round <= 3; round++) {
        mica_word_t mine[4];
        sels_load(sel_a);
        struct mica_msg m = mica_call(g_ep, mica_tag(1, len, 0), 0, 0, 0, 0);
        sels_read(mine);
        CHECK_EQ(m.status, MICA_OK);
        CHECK_EQ(ktest_seen[0].n, round);
        mica_word_t theirs[4] = { ktest_seen[0].x[0], ktest_seen[0].x[1], ktest_seen[0].x[2],
                                  ktest_seen[0].x[3] };
        TRY(sels_reset(theirs, sel_a, "server"));
        TRY(sels_reset(mine, sel_b, "root task"));
    }
    return ktest_env_done(&e);
}

/* Register-only Call and ReplyRecv: the fastpath when it is enabled. */
KTEST(selectors_not_shared_fastpath) { return selectors_through_call(bi, 1); }
/* Five-word messages: always the general path. */
KTEST(selectors_not_shared_slowpath) { return selectors_through_call(bi, 5); }

/* Two threads of one priority take turns by Yield, each loading its own
 * selectors before yielding. */
static void th_sel_yield(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    mica_word_t w[4];
    sels_read(w);                 /* first run: after the other's Yield */
    for (unsigned k = 0; k < 4; k++)
        ktest_seen[i].x[k] = w[k];
    sels_load(i ? sel_b : sel_a);
    mica_yield();
    sels_read(w);                 /* after the other's Yield again */
    for (unsigned k = 0; k < 4; k++)
        ktest_seen[i].mr[k] = w[k];
    ktest_seen[i].n++;
}

KTEST(selectors_not_shared_yield)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(ktest_env_thread(&e, &t, th_sel_yield, 0, 100, 0, KTEST_START));
    TRY(ktest_env_thread(&e, &t, th_sel_yield, 1, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    for (unsigned i = 0; i < 2; i++) {
        CHECK_EQ(ktest_seen[i].n, 1);
        mica_word_t first[4], later[4];
        for (unsigned k = 0; k < 4; k++)
            first[k] = ktest_seen[i].x[k], later[k] = ktest_seen[i].mr[k];
        const unsigned short *other = i ? sel_a : sel_b;
        TRY(sels_reset(later, other, i ? "thread b, after yield" : "thread a, after yield"));
        TRY(sels_reset(first, other, i ? "thread b, first run" : "thread a, first run"));
    }
    return ktest_env_done(&e);
}

/* ============================================================ fastpath */

/* Root <-> server ping-pong with register-only messages: with the
 * fastpath on, its hit count grows; with it off (kernel option
 * nofastpath), it does not. */
static int cmdline_has(const char *s, const char *word)
{
    unsigned long n = mica_strlen(word);
    for (const char *p = s; *p; p++)
        if ((p == s || p[-1] == ' ') && mica_strncmp(p, word, n) == 0 && (p[n] == 0 || p[n] == ' '))
            return 1;
    return 0;
}

KTEST(fastpath_taken_when_enabled)
{
    struct ktest_env e;
    mica_cptr_t t;
    int enabled = -1;
    TRY(begin(&e, bi));
    TRY(ktest_env_thread(&e, &t, th_server, 0, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    struct mica_sysret before = mica_debug_ipc_stats(&enabled);
    CHECK_EQ(before.status, MICA_OK);
    CHECK_EQ(enabled, !cmdline_has(bi->kernel_cmdline, "nofastpath"));
    for (mica_word_t i = 0; i < 50; i++) {
        struct mica_msg m = mica_call(g_ep, mica_tag(1, 1, 0), i, 0, 0, 0);
        CHECK_EQ(m.status, MICA_OK);
        CHECK_EQ(m.mr[0], i + 1);
    }
    struct mica_sysret after = mica_debug_ipc_stats(0);
    CHECK_EQ(after.status, MICA_OK);
    if (enabled)
        CHECK(after.value >= before.value + 50); /* at least the Calls; ReplyRecvs too */
    else
        CHECK_EQ(after.value, before.value);
    return ktest_env_done(&e);
}

/* Long messages and caps never take the fastpath. */
KTEST(fastpath_not_for_long_messages)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(ktest_env_thread(&e, &t, th_long_server, 0, 100, 0, KTEST_IPC | KTEST_START));
    TRY(ktest_let_run());
    struct mica_sysret before = mica_debug_ipc_stats(0);
    for (unsigned i = 0; i < 5; i++) {
        for (unsigned k = 4; k < 8; k++) /* the last reply overwrote them */
            mica_ipc->mr[k] = 0x2000 + k;
        struct mica_msg m = mica_call(g_ep, mica_tag(1, 8, 0), 0x2000, 0x2001, 0x2002, 0x2003);
        CHECK_EQ(m.status, MICA_OK);
        CHECK_EQ(mica_tag_length(m.tag), MICA_MSG_MAX_LENGTH);
        CHECK_EQ(ktest_seen[0].x[0], 999);
    }
    CHECK_EQ(mica_debug_ipc_stats(0).value, before.value);
    return ktest_env_done(&e);
}

/* Registers a Call does not use survive it, on both sides, on whichever
 * path it takes: rbx and r12-r15 are preserved, and of MR0-MR3 only the
 * received length is written. One IPC system call with patterns in those
 * registers; returns non-zero if any of them changed. */
static int syscall_with_patterns(long nr, mica_cptr_t cap, struct mica_msg *m)
{
    register mica_word_t rax __asm__("rax") = (mica_word_t)nr;
    register mica_word_t rdi __asm__("rdi") = cap;
    register mica_word_t rsi __asm__("rsi") = m->tag;
    register mica_word_t rdx __asm__("rdx") = m->mr[0];
    register mica_word_t r10 __asm__("r10") = m->mr[1];
    register mica_word_t r8 __asm__("r8") = m->mr[2];
    register mica_word_t r9 __asm__("r9") = m->mr[3];
    register mica_word_t rbx __asm__("rbx") = 0xabababababababab;
    register mica_word_t r12 __asm__("r12") = 0xc12c12c12c12c12c;
    register mica_word_t r13 __asm__("r13") = 0xc13c13c13c13c13c;
    register mica_word_t r14 __asm__("r14") = 0xc14c14c14c14c14c;
    register mica_word_t r15 __asm__("r15") = 0xc15c15c15c15c15c;
    __asm__ volatile("syscall"
                     : "+r"(rax), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8), "+r"(r9),
                       "+r"(rbx), "+r"(r12), "+r"(r13), "+r"(r14), "+r"(r15)
                     :
                     : "rcx", "r11", "memory");
    *m = (struct mica_msg){ rax, rdi, rsi, { rdx, r10, r8, r9 } };
    return rbx != 0xabababababababab || r12 != 0xc12c12c12c12c12c || r13 != 0xc13c13c13c13c13c ||
           r14 != 0xc14c14c14c14c14c || r15 != 0xc15c15c15c15c15c;
}

/* Server: replies (MR0 ^ 0xff, MR1 ^ 0xff) with length 2; x[0] = first
 * round (1-based) whose registers changed, else 0. */
static void th_reg_server(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    struct mica_msg m = { 0, 0, 0, { 0, 0, 0, 0 } };
    int clobbered = syscall_with_patterns(MICA_SYS_RECV, g_ep, &m);
    ktest_seen[i].x[0] = 0;
    for (unsigned n = 0; m.status == MICA_OK; n++) {
        if (clobbered && !ktest_seen[i].x[0])
            ktest_seen[i].x[0] = n + 1;
        ktest_seen[i].n++;
        m = (struct mica_msg){ 0, 0, mica_tag(0, 2, 0), { m.mr[0] ^ 0xff, m.mr[1] ^ 0xff, 0x3333, 0x4444 } };
        clobbered = syscall_with_patterns(MICA_SYS_REPLY_RECV, g_ep, &m);
    }
}

KTEST(call_preserves_registers)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(ktest_env_thread(&e, &t, th_reg_server, 0, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    for (mica_word_t i = 0; i < 10; i++) {
        struct mica_msg m = { 0, 0, mica_tag(1, 4, 0), { i, i + 1, 0x8888, 0x9999 } };
        CHECK_EQ(syscall_with_patterns(MICA_SYS_CALL, g_ep, &m), 0);
        CHECK_EQ(m.status, MICA_OK);
        CHECK_EQ(m.badge, 0);
        CHECK_EQ(m.tag, mica_tag(0, 2, 0));
        CHECK_EQ(m.mr[0], i ^ 0xff);
        CHECK_EQ(m.mr[1], (i + 1) ^ 0xff);
        CHECK_EQ(m.mr[2], 0x8888);
        CHECK_EQ(m.mr[3], 0x9999);
    }
    CHECK_EQ(ktest_seen[0].n, 10);
    CHECK_EQ(ktest_seen[0].x[0], 0);
    return ktest_env_done(&e);
}

/* Many round trips between two threads (neither of them the root task),
 * mixing register-only and long messages. */
static void th_pinger(long i, struct mica_ipc_buffer *ipc)
{
    mica_word_t bad = 0;
    for (mica_word_t k = 0; k < 200; k++) {
        unsigned len = (k % 5 == 4) ? 6 : 2;
        ipc->mr[4] = k * 3;
        ipc->mr[5] = k * 5;
        struct mica_msg m = mica_call(g_ep, mica_tag(1, len, 0), k, k * 2, 0, 0);
        if (!bad && (m.status != MICA_OK || m.mr[0] != k + 1 || m.mr[1] != k * 2 + 1))
            bad = k + 1;
    }
    ktest_seen[i].x[0] = bad;
    ktest_seen[i].n++;
}

static void th_ponger(long i, struct mica_ipc_buffer *ipc)
{
    struct mica_msg m = mica_recv(g_ep);
    mica_word_t bad = 0;
    for (mica_word_t k = 0; m.status == MICA_OK; k++) {
        unsigned len = mica_tag_length(m.tag);
        if (!bad && (m.mr[0] != k || (len == 6 && (ipc->mr[4] != k * 3 || ipc->mr[5] != k * 5))))
            bad = k + 1;
        ktest_seen[i].x[0] = bad;
        ktest_seen[i].n++;
        m = mica_reply_recv(g_ep, mica_tag(0, 2, 0), m.mr[0] + 1, m.mr[1] + 1, 0, 0);
    }
}

KTEST(pingpong_between_threads)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(begin(&e, bi));
    TRY(ktest_env_thread(&e, &t, th_ponger, 0, 80, 0, KTEST_IPC | KTEST_START));
    TRY(ktest_let_run());
    TRY(ktest_env_thread(&e, &t, th_pinger, 1, 80, 0, KTEST_IPC | KTEST_START));
    TRY(ktest_let_run());
    CHECK_EQ(ktest_seen[1].n, 1);
    CHECK_EQ(ktest_seen[1].x[0], 0);
    CHECK_EQ(ktest_seen[0].n, 200);
    CHECK_EQ(ktest_seen[0].x[0], 0);
    return ktest_env_done(&e);
}

const struct ktest ipc_tests[] = {
    { "ipc_send_wrong_cap_type", send_wrong_type },
    { "ipc_nbsend_wrong_cap_type", nbsend_wrong_type },
    { "ipc_recv_wrong_cap_type", recv_wrong_type },
    { "ipc_nbrecv_wrong_cap_type", nbrecv_wrong_type },
    { "ipc_replyrecv_wrong_cap_type", replyrecv_wrong_type },
    { "ipc_empty_slot", empty_slot },
    { "ipc_lookup_failure", lookup_failure },
    { "ipc_send_needs_write_right", send_needs_write },
    { "ipc_recv_needs_read_right", recv_needs_read },
    { "ipc_reply_without_caller", reply_without_caller },
    { "ipc_length_over_120_refused", length_over_120 },
    { "ipc_long_message_needs_ipc_buffer", long_message_needs_buffer },
    { "ipc_caps_need_grant_right", caps_need_grant },
    { "ipc_extra_cap_lookup_failed", extra_cap_lookup_failed },
    { "ipc_extra_cap_empty", extra_cap_empty },
    { "ipc_extra_cap_not_transferable", extra_cap_not_transferable },
    { "ipc_two_caps_need_receive_slot", two_caps_need_receive_slot },
    { "ipc_send_recv_registers", send_recv_registers },
    { "ipc_recv_keeps_unwritten_registers", recv_keeps_unwritten_registers },
    { "ipc_tag_kernel_bits_ignored", tag_kernel_bits_ignored },
    { "ipc_call_tag_kernel_bits_ignored", call_tag_kernel_bits_ignored },
    { "ipc_root_recv_blocks_until_send", root_recv_blocks_until_send },
    { "ipc_call_reply_roundtrip", call_reply_roundtrip },
    { "ipc_replyrecv_server_loop_badges", replyrecv_server_loop },
    { "ipc_replyrecv_without_reply_receives", replyrecv_without_reply_receives },
    { "ipc_nbsend_no_receiver_would_block", nbsend_no_receiver },
    { "ipc_nbrecv_nothing_would_block", nbrecv_nothing_pending },
    { "ipc_nb_calls_ignore_same_side_waiters", nb_calls_ignore_same_side_waiters },
    { "ipc_nbsend_to_waiting_receiver", nbsend_to_waiting_receiver },
    { "ipc_nbrecv_takes_blocked_sender", nbrecv_takes_blocked_sender },
    { "ipc_nbrecv_takes_blocked_caller", nbrecv_takes_blocked_caller },
    { "ipc_badges_delivered", badges_delivered },
    { "ipc_fifo_senders", fifo_senders },
    { "ipc_fifo_receivers", fifo_receivers },
    { "ipc_fifo_callers", fifo_callers },
    { "ipc_sched_send_wakes_higher_receiver", send_wakes_higher_receiver_at_once },
    { "ipc_sched_send_to_lower_receiver", send_to_lower_receiver_sender_continues },
    { "ipc_sched_send_to_equal_receiver", send_to_equal_receiver_sender_continues },
    { "ipc_sched_sender_keeps_its_turn", sender_keeps_its_turn },
    { "ipc_sched_call_partner_outranked", call_partner_waits_for_higher_ready_thread },
    { "ipc_sched_call_partner_runs_at_once", call_partner_runs_at_once },
    { "ipc_sched_reply_to_lower_caller", reply_to_lower_caller_server_continues },
    { "ipc_sched_reply_to_higher_caller", reply_to_higher_caller_runs_at_once },
    { "ipc_sched_replyrecv_caller_runs", replyrecv_caller_runs_at_once },
    { "ipc_sched_replyrecv_caller_outranked", replyrecv_caller_outranked },
    { "ipc_nested_call_chain", nested_call_chain },
    { "ipc_nested_call_chain_four_levels", nested_call_chain_four_levels },
    { "ipc_long_message_thread_to_root", long_message_thread_to_root },
    { "ipc_long_message_root_to_thread", long_message_root_to_thread },
    { "ipc_long_message_receiver_without_buffer", long_message_to_receiver_without_buffer },
    { "ipc_long_call_and_reply", long_call_and_reply },
    { "ipc_message_copied_at_rendezvous", message_copied_at_rendezvous },
    { "ipc_cap_transfer_copy_works", cap_transfer_copy_arrives_and_works },
    { "ipc_cap_transfer_thread_to_root", cap_transfer_thread_to_root },
    { "ipc_cap_unwrap_same_endpoint", cap_unwrap_same_endpoint },
    { "ipc_cap_unwrap_without_receive_slot", cap_unwrap_without_receive_slot },
    { "ipc_cap_unwrap_and_copy_mixed", cap_unwrap_and_copy_mixed },
    { "ipc_cap_other_endpoint_copied", cap_other_endpoint_copied },
    { "ipc_cap_into_occupied_slot_dropped", cap_into_occupied_slot_dropped },
    { "ipc_cap_dropped_transfer_not_half_done", cap_dropped_transfer_not_half_done },
    { "ipc_cap_without_receive_slot_dropped", cap_without_receive_slot_dropped },
    { "ipc_cap_to_receiver_without_buffer_dropped", cap_to_receiver_without_buffer_dropped },
    { "ipc_cap_receive_cnode_not_a_cnode", cap_receive_cnode_not_a_cnode },
    { "ipc_cap_into_other_cnode", cap_into_other_cnode },
    { "ipc_cap_deleted_while_sender_waits", cap_deleted_while_sender_waits },
    { "ipc_reply_with_cap_grant_reply", reply_with_cap_grant_reply },
    { "ipc_reply_with_cap_needs_grant_reply", reply_with_cap_needs_grant_reply },
    { "ipc_save_caller_and_send_later", save_caller_and_send_later },
    { "ipc_saved_reply_nbsend", saved_reply_nbsend },
    { "ipc_deferred_reply_from_thread_server", deferred_reply_from_thread_server },
    { "ipc_reply_cap_cannot_be_copied", reply_cap_cannot_be_copied },
    { "ipc_reply_cap_wrong_uses", reply_cap_wrong_uses },
    { "ipc_save_caller_errors", save_caller_errors },
    { "ipc_reply_is_one_shot", reply_is_one_shot },
    { "ipc_reply_message_errors_keep_reply_cap", reply_message_errors_keep_reply_cap },
    { "ipc_reply_long_message", reply_long_message },
    { "ipc_replyrecv_reply_error_reported", replyrecv_reply_error_reported },
    { "ipc_saved_reply_in_deleted_cnode", saved_reply_in_deleted_cnode },
    { "ipc_reply_cap_mutate", reply_cap_mutate },
    { "ipc_delete_saved_reply_cancels_caller", delete_saved_reply_cancels_caller },
    { "ipc_second_call_cancels_unsaved_reply", second_call_cancels_unsaved_reply },
    { "ipc_delete_server_cancels_caller", delete_server_holding_reply_cancels_caller },
    { "ipc_reply_after_caller_deleted", reply_after_caller_deleted },
    { "ipc_saved_reply_after_caller_deleted", saved_reply_after_caller_deleted },
    { "ipc_delete_endpoint_cancels_receiver", delete_endpoint_cancels_receiver },
    { "ipc_delete_endpoint_cancels_senders", delete_endpoint_cancels_senders_and_callers },
    { "ipc_delete_endpoint_after_call_received", delete_endpoint_after_call_received },
    { "ipc_revoke_endpoint_cancels_receiver", revoke_endpoint_cancels_receiver },
    { "ipc_revoke_badged_cancels_its_senders", revoke_badged_cancels_its_senders },
    { "ipc_revoke_unbadged_cancels_nobody", revoke_unbadged_cancels_nobody },
    { "ipc_suspend_receiver_then_resume", suspend_receiver_then_resume },
    { "ipc_suspend_sender_then_resume", suspend_sender_then_resume },
    { "ipc_suspend_caller_awaiting_reply", suspend_caller_awaiting_reply },
    { "ipc_resume_leaves_blocked_thread_blocked", resume_leaves_blocked_thread_blocked },
    { "ipc_write_registers_leaves_ipc", write_registers_takes_thread_out_of_ipc },
    { "ipc_delete_blocked_sender_leaves_queue", delete_blocked_sender_leaves_queue },
    { "ipc_selectors_not_shared_fastpath", selectors_not_shared_fastpath },
    { "ipc_selectors_not_shared_slowpath", selectors_not_shared_slowpath },
    { "ipc_selectors_not_shared_yield", selectors_not_shared_yield },
    { "ipc_fastpath_taken_when_enabled", fastpath_taken_when_enabled },
    { "ipc_fastpath_not_for_long_messages", fastpath_not_for_long_messages },
    { "ipc_call_preserves_registers", call_preserves_registers },
    { "ipc_pingpong_between_threads", pingpong_between_threads },
    { 0, 0 },
};
