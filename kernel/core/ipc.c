/*
 * IPC system calls and message transfer (docs/ipc.md).
 *
 * ipc_syscall() decodes: it resolves the capability, checks rights and the
 * message (length, caps named in the IPC buffer) before anything happens,
 * so an error never leaves a half-done operation. The objects' files
 * (endpoint.c, notification.c, reply.c) then do the operation, and
 * ipc_transfer() moves the message when sender and receiver meet.
 */
#include <arch.h>
#include <cnode.h>
#include <cspace.h>
#include <fault.h>
#include <invocation.h>
#include <ipc.h>
#include <mica/cap.h>
#include <mica/errors.h>
#include <mica/message.h>
#include <mica/syscall.h>
#include <mica/tcb.h>
#include <sched.h>
#include <tcb.h>

/* ---------------------------------------------------------- cancellation */

void ipc_cancel(struct tcb *t, bool report)
{
    switch (t->state) {
    case THREAD_BLOCKED_SEND:
    case THREAD_BLOCKED_RECV: {
        struct endpoint *ep = t->blocked_on;
        endpoint_leaving(ep, t);
        ipc_queue_remove(&ep->head, &ep->tail, t);
        if (!ep->head)
            ep->state = EP_IDLE;
        break;
    }
    case THREAD_BLOCKED_NTFN: {
        struct notification *n = t->blocked_on;
        ipc_queue_remove(&n->head, &n->tail, t);
        break;
    }
    case THREAD_BLOCKED_REPLY:
        if (t->reply_cte)
            reply_cap_clear(t->reply_cte);
        break;
    default:
        return;
    }
    if (t->fault_kind != FAULT_NONE)
        t->fault_kind = FAULT_NONE; /* it retries the faulting instruction */
    else if (report)
        arch_ctx_set_result(&t->ctx, MICA_ERR_CANCELLED, 0);
}

void ipc_cancel_wake(struct tcb *t)
{
    ipc_cancel(t, true);
    sched_make_runnable(t);
}

/* ---------------------------------------------------------- cap transfer */

/* Caps that can be copied into another CSpace. */
static bool transferable(const struct cap *c)
{
    return c->type != CAP_NULL && cnode_cap_copyable(c->type);
}

/* A cap the message unwraps to its badge instead of transferring. */
static bool unwraps(const struct cap *c, const struct endpoint *ep)
{
    return ep && c->type == CAP_ENDPOINT && arch_phys_to_virt(c->paddr) == (const void *)ep;
}

/*
 * Resolve the n caps s names in its IPC buffer b: each must be copyable; at
 * most one may need the receiver's slot (the others unwrap: caps to ep).
 * Fills src[] and *unwrapped; returns an error with *detail, or MICA_OK.
 * Used when the message is checked and again when it is delivered (the
 * sender's CSpace may have changed while it waited).
 */
static int resolve_caps(struct tcb *s, const struct mica_ipc_buffer *b, unsigned n,
                        const struct endpoint *ep, struct cte **src, unsigned *unwrapped,
                        uint64_t *detail)
{
    unsigned need_slot = 0;
    *unwrapped = 0;
    for (unsigned i = 0; i < n; i++) {
        struct lookup l;
        int err = cspace_lookup(&s->slots[TCB_SLOT_CSPACE].cap, b->caps[i], MICA_WORD_BITS, false, &l);
        if (err)
            return *detail = lookup_detail(&l), err;
        if (!transferable(&l.slot->cap))
            return *detail = i, MICA_ERR_INVALID_CAP;
        src[i] = l.slot;
        if (unwraps(&l.slot->cap, ep))
            *unwrapped |= 1u << i;
        else
            need_slot++;
    }
    if (need_slot > 1)
        return *detail = 1, MICA_ERR_RANGE;
    return MICA_OK;
}

/*
 * Move the n caps s names to r. All or nothing: every sender cap must still
 * resolve and the receive slot (needed by at most one cap, as the decoder
 * checked) must be empty; otherwise none arrives and the tag says so.
 * Returns the tag bits for the caps part.
 */
static uint64_t transfer_caps(struct tcb *s, struct tcb *r, const struct mica_ipc_buffer *sb,
                              struct mica_ipc_buffer *rb, unsigned n, bool can_grant,
                              struct endpoint *ep)
{
    struct cte *src[MICA_MSG_MAX_CAPS], *dest = 0;
    unsigned unwrapped;
    uint64_t detail;
    if (!can_grant || !sb || resolve_caps(s, sb, n, ep, src, &unwrapped, &detail))
        return MICA_TAG_CAPS_DROPPED;
    if (unwrapped != (1u << n) - 1) { /* one cap needs the receive slot */
        struct lookup l;
        if (!rb || !rb->receive_cnode ||
            cspace_lookup(&r->slots[TCB_SLOT_CSPACE].cap, rb->receive_cnode, MICA_WORD_BITS, false, &l) ||
            l.slot->cap.type != CAP_CNODE ||
            inv_lookup_slot(&l.slot->cap, rb->receive_index, rb->receive_depth, &dest, &detail) ||
            dest->cap.type != CAP_NULL)
            return MICA_TAG_CAPS_DROPPED;
    }
    if (unwrapped && !rb)
        return MICA_TAG_CAPS_DROPPED;
    for (unsigned i = 0; i < n; i++) {
        if (unwrapped & (1u << i)) {
            rb->badges[i] = src[i]->cap.word1;
        } else {
            struct cap c = cnode_cap_derive(&src[i]->cap, MICA_RIGHTS_ALL);
            cte_insert(src[i], dest, &c);
        }
    }
    return ((uint64_t)n << MICA_TAG_CAPS_SHIFT) | ((uint64_t)unwrapped << MICA_TAG_UNWRAPPED_SHIFT);
}

/* ---------------------------------------------------------- transfer */

void ipc_transfer(struct tcb *s, struct tcb *r, uint64_t badge, bool can_grant,
                  struct endpoint *ep)
{
    struct mica_ipc_buffer *rb = tcb_ipc_buffer(r);
    if (s->fault_kind != FAULT_NONE) {
        uint64_t w[MICA_USER_CONTEXT_WORDS];
        unsigned n;
        uint64_t label = fault_message(s, w, &n);
        if (n > MICA_MSG_REGS_IN_CPU && !rb)
            n = MICA_MSG_REGS_IN_CPU;
        for (unsigned i = 0; i < n; i++) {
            if (i < MICA_MSG_REGS_IN_CPU)
                arch_ctx_set_mr(&r->ctx, i, w[i]);
            else
                rb->mr[i] = w[i];
        }
        arch_ctx_set_received(&r->ctx, badge, mica_tag(label, n, 0));
        return;
    }
    uint64_t tag = arch_ctx_tag(&s->ctx);
    unsigned n = mica_tag_length(tag), caps = mica_tag_caps(tag);
    const struct mica_ipc_buffer *sb = tcb_ipc_buffer(s);
    if (n > MICA_MSG_MAX_LENGTH)
        n = MICA_MSG_MAX_LENGTH; /* decoded already; defensive */
    if (n > MICA_MSG_REGS_IN_CPU && (!sb || !rb))
        n = MICA_MSG_REGS_IN_CPU;
    arch_ctx_copy_mrs(&r->ctx, &s->ctx, n < MICA_MSG_REGS_IN_CPU ? n : MICA_MSG_REGS_IN_CPU);
    for (unsigned i = MICA_MSG_REGS_IN_CPU; i < n; i++)
        rb->mr[i] = sb->mr[i];
    uint64_t cap_bits = caps ? transfer_caps(s, r, sb, rb, caps, can_grant, ep) : 0;
    arch_ctx_set_received(&r->ctx, badge,
                          mica_tag(mica_tag_label(tag), n, 0) | cap_bits);
}

/* ---------------------------------------------------------- decoding */

static void result(struct tcb *t, uint64_t status, uint64_t value)
{
    arch_ctx_set_result(&t->ctx, status, value);
}

/*
 * Check the message t is about to send: its length, and the caps it names
 * (which must all resolve to copyable caps, at most one of which needs the
 * receiver's slot; caps to `ep` itself are unwrapped). Returns an error
 * with *detail set, or MICA_OK.
 */
static int check_message(struct tcb *t, bool can_grant, const struct endpoint *ep,
                         uint64_t *detail)
{
    uint64_t tag = arch_ctx_tag(&t->ctx);
    unsigned n = mica_tag_length(tag), caps = mica_tag_caps(tag), unwrapped;
    const struct mica_ipc_buffer *b = tcb_ipc_buffer(t);
    struct cte *src[MICA_MSG_MAX_CAPS];
    *detail = 0;
    if (n > MICA_MSG_MAX_LENGTH)
        return *detail = MICA_MSG_MAX_LENGTH, MICA_ERR_RANGE;
    if (!caps && n <= MICA_MSG_REGS_IN_CPU)
        return MICA_OK;
    if (!b)
        return *detail = MICA_MSG_REGS_IN_CPU, MICA_ERR_RANGE;
    if (caps && !can_grant)
        return MICA_ERR_NO_RIGHTS;
    return resolve_caps(t, b, caps, ep, src, &unwrapped, detail);
}

/* Resolve t's cptr argument; on failure the error is already t's result. */
static struct cte *lookup_arg(struct tcb *t)
{
    struct lookup l;
    int err = cspace_lookup(&t->slots[TCB_SLOT_CSPACE].cap, arch_ctx_cptr(&t->ctx), MICA_WORD_BITS,
                            false, &l);
    if (err) {
        result(t, (uint64_t)err, lookup_detail(&l));
        return 0;
    }
    return l.slot;
}

/* Call, Send, NBSend. */
static void do_send(struct tcb *t, long number)
{
    struct cte *slot = lookup_arg(t);
    if (!slot)
        return;
    struct cap cap = slot->cap;
    uint64_t detail;
    int err;
    if (number == MICA_SYS_CALL && cap.type != CAP_ENDPOINT) {
        struct syscall_args a = { .number = number };
        a.arg[0] = arch_ctx_cptr(&t->ctx);
        a.arg[1] = arch_ctx_tag(&t->ctx);
        for (unsigned i = 0; i < MICA_MSG_REGS_IN_CPU; i++)
            a.arg[2 + i] = arch_ctx_mr(&t->ctx, i);
        struct syscall_result r = invoke(t, slot, &a);
        if (r.status == SYSCALL_PREEMPTED) /* again later, from the `syscall` (preempt.h) */
            return arch_ctx_rewind_syscall(&t->ctx);
        result(t, r.status, r.value);
        return;
    }
    switch (cap.type) {
    case CAP_ENDPOINT: {
        struct endpoint *ep = arch_phys_to_virt(cap.paddr);
        if (!(cap.rights & MICA_RIGHT_WRITE))
            return result(t, MICA_ERR_NO_RIGHTS, MICA_RIGHT_WRITE);
        if ((err = check_message(t, cap.rights & MICA_RIGHT_GRANT, ep, &detail)))
            return result(t, (uint64_t)err, detail);
        if (number == MICA_SYS_NB_SEND && ep->state != EP_RECV)
            return result(t, MICA_ERR_WOULD_BLOCK, 0);
        unsigned flags = (cap.rights & MICA_RIGHT_GRANT ? IPC_FLAG_GRANT : 0) |
                         (cap.rights & MICA_RIGHT_GRANT_REPLY ? IPC_FLAG_GRANT_REPLY : 0) |
                         (number == MICA_SYS_CALL ? IPC_FLAG_CALL : 0);
        result(t, MICA_OK, 0);
        endpoint_send(ep, t, cap.word1, flags);
        return;
    }
    case CAP_NOTIFICATION:
        if (!(cap.rights & MICA_RIGHT_WRITE))
            return result(t, MICA_ERR_NO_RIGHTS, MICA_RIGHT_WRITE);
        result(t, MICA_OK, 0);
        notification_signal(arch_phys_to_virt(cap.paddr), cap.word1);
        return;
    case CAP_REPLY:
        if ((err = check_message(t, cap.rights & MICA_RIGHT_GRANT, 0, &detail)))
            return result(t, (uint64_t)err, detail);
        result(t, MICA_OK, 0);
        reply_deliver(t, slot);
        return;
    default:
        return result(t, MICA_ERR_INVALID_CAP, 0);
    }
}

/* The object t may receive from (endpoint or notification, read right). */
static struct cte *recv_cap(struct tcb *t)
{
    struct cte *slot = lookup_arg(t);
    if (!slot)
        return 0;
    const struct cap *c = &slot->cap;
    if (c->type != CAP_ENDPOINT && c->type != CAP_NOTIFICATION) {
        result(t, MICA_ERR_INVALID_CAP, 0);
        return 0;
    }
    if (!(c->rights & MICA_RIGHT_READ)) {
        result(t, MICA_ERR_NO_RIGHTS, MICA_RIGHT_READ);
        return 0;
    }
    if (c->type == CAP_NOTIFICATION) {
        struct notification *n = arch_phys_to_virt(c->paddr);
        if (n->bound && n->bound != t) {
            result(t, MICA_ERR_ILLEGAL_OPERATION, 0);
            return 0;
        }
    }
    return slot;
}

/* Recv, NBRecv, and the receive half of ReplyRecv, on a checked cap. */
static void do_recv(struct tcb *t, const struct cap *c, bool block)
{
    if (c->type == CAP_NOTIFICATION) {
        struct notification *n = arch_phys_to_virt(c->paddr);
        if (!block && !n->word)
            return result(t, MICA_ERR_WOULD_BLOCK, 0);
        notification_wait(n, t);
        return;
    }
    struct endpoint *ep = arch_phys_to_virt(c->paddr);
    struct notification *bound = t->bound_ntfn;
    if (bound && bound->word) {
        notification_deliver(t, bound->word);
        bound->word = 0;
        return;
    }
    if (!block && ep->state != EP_SEND)
        return result(t, MICA_ERR_WOULD_BLOCK, 0);
    endpoint_recv(ep, t);
}

/* Reply through t's reply slot. Returns false if an error is t's result. */
static bool do_reply(struct tcb *t, bool then_receive)
{
    struct cte *slot = &t->slots[TCB_SLOT_REPLY];
    uint64_t detail;
    if (slot->cap.type != CAP_REPLY) {
        if (then_receive)
            return true; /* nobody to answer: just receive */
        result(t, MICA_ERR_NO_REPLY, 0);
        return false;
    }
    int err = check_message(t, slot->cap.rights & MICA_RIGHT_GRANT, 0, &detail);
    if (err) {
        result(t, (uint64_t)err, detail);
        return false;
    }
    result(t, MICA_OK, 0);
    reply_deliver(t, slot);
    return true;
}

void ipc_syscall(struct tcb *t, long number)
{
    struct cte *slot;
    switch (number) {
    case MICA_SYS_CALL:
    case MICA_SYS_SEND:
    case MICA_SYS_NB_SEND:
        do_send(t, number);
        return;
    case MICA_SYS_RECV:
    case MICA_SYS_NB_RECV:
        if ((slot = recv_cap(t)))
            do_recv(t, &slot->cap, number == MICA_SYS_RECV);
        return;
    case MICA_SYS_REPLY:
        do_reply(t, false);
        return;
    case MICA_SYS_REPLY_RECV:
        /* The receive cap is checked first: an error leaves the reply undone. */
        if ((slot = recv_cap(t))) {
            struct cap c = slot->cap;
            if (do_reply(t, true))
                do_recv(t, &c, true);
        }
        return;
    }
    result(t, MICA_ERR_INVALID_SYSCALL, 0);
}
