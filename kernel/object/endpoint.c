/*
 * Endpoints: synchronous rendezvous (docs/objects/endpoint.md). One FIFO
 * queue holds either senders or receivers. The message moves when the two
 * meet (ipc_transfer); a Call (or a fault) leaves the sender waiting for
 * its reply, with a reply cap in the receiver's TCB.
 *
 * Argument checking is done by the decoder (kernel/core/ipc.c); these
 * operations cannot fail.
 */
#include <arch.h>
#include <fault.h>
#include <ipc.h>
#include <sched.h>
#include <tcb.h>

/* s's message has reached r: s waits for a reply if it called, else goes on. */
static void sent(struct tcb *s, struct tcb *r, unsigned flags, bool s_is_current)
{
    if (flags & IPC_FLAG_CALL) {
        reply_setup(s, r, flags & IPC_FLAG_GRANT_REPLY);
    } else if (!s_is_current) {
        arch_ctx_set_result(&s->ctx, 0, 0); /* its Send returns MICA_OK */
        sched_wake(s);
    }
}

void endpoint_send(struct endpoint *ep, struct tcb *t, uint64_t badge, unsigned flags)
{
    if (ep->state == EP_RECV) {
        struct tcb *r = endpoint_take_first(ep);
        ipc_transfer(t, r, badge, flags & IPC_FLAG_GRANT, ep);
        sched_wake(r);
        sent(t, r, flags, true);
        return;
    }
    t->state = THREAD_BLOCKED_SEND;
    t->ipc_badge = badge;
    t->ipc_flags = (uint8_t)flags;
    endpoint_wait(ep, t, EP_SEND);
}

void endpoint_recv(struct endpoint *ep, struct tcb *t)
{
    if (ep->state == EP_SEND) {
        endpoint_leaving(ep, ep->head);
        struct tcb *s = endpoint_take_first(ep);
        ipc_transfer(s, t, s->ipc_badge, s->ipc_flags & IPC_FLAG_GRANT, ep);
        sent(s, t, s->ipc_flags, false);
        return;
    }
    t->state = THREAD_BLOCKED_RECV;
    endpoint_wait(ep, t, EP_RECV);
}

/*
 * After the Revoke of a badged cap: every sender queued with that badge
 * leaves the queue with MICA_ERR_CANCELLED (a fault sender retries its
 * instruction), as if the endpoint were gone for it. Others keep their
 * place.
 *
 * The queue can be as long as there are threads, so this is a walk of
 * `max` threads per call, which leaves a cursor in the endpoint: the
 * thread it stops at (ep->cancel_at), which carries the walk's badge and
 * number (cancel_badge, cancel_walk). A thread leaving the queue hands the
 * cursor to the one after it. There is one walk at a time: a Revoke that
 * finds another's walk under way carries that one on (its badge) before
 * it starts its own, so every call moves some walk forward and no two
 * Revokes can keep restarting each other. A Revoke keeps its walk's number
 * in *walk (in the TCB of its caller while it is preempted, cnode.c): once
 * the cursor no longer carries it, its walk has reached the end of the
 * queue, by itself or helped.
 */
static uint64_t cancel_walks; /* walks started: the last walk's number */

bool endpoint_cancel_badged_sends(struct endpoint *ep, uint64_t badge, uint64_t *walk,
                                  unsigned max)
{
    struct tcb *t = ep->cancel_at;
    if (*walk && (!t || t->cancel_walk != *walk))
        return true;
    uint64_t b = badge, n = *walk;
    if (t) {
        b = t->cancel_badge, n = t->cancel_walk; /* ours, or one to help along first */
    } else {
        if (ep->state != EP_SEND)
            return true;
        t = ep->head;
        n = *walk = ++cancel_walks;
    }
    for (struct tcb *next; t && max; t = next, max--) {
        next = t->ipc_next;
        if (t->ipc_badge == b) {
            ep->cancel_at = 0; /* t leaves: no hand-over, the cursor is set below */
            ipc_cancel_wake(t);
        }
    }
    ep->cancel_at = t;
    if (t)
        t->cancel_badge = b, t->cancel_walk = n;
    return !t && n == *walk;
}

void endpoint_cancel_moves_on(struct endpoint *ep, struct tcb *t)
{
    struct tcb *next = t->ipc_next;
    ep->cancel_at = next;
    if (next)
        next->cancel_badge = t->cancel_badge, next->cancel_walk = t->cancel_walk;
}

/* Nobody can join the queue any more (no cap is left), so this ends. */
bool endpoint_cancel_waiters(struct endpoint *ep, unsigned max)
{
    while (ep->head && max--)
        ipc_cancel_wake(ep->head);
    return !ep->head;
}
