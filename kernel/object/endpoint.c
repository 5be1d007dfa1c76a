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
        struct tcb *s = endpoint_take_first(ep);
        ipc_transfer(s, t, s->ipc_badge, s->ipc_flags & IPC_FLAG_GRANT, ep);
        sent(s, t, s->ipc_flags, false);
        return;
    }
    t->state = THREAD_BLOCKED_RECV;
    endpoint_wait(ep, t, EP_RECV);
}

/* Nobody can join the queue any more (no cap is left), so this ends. */
bool endpoint_cancel_waiters(struct endpoint *ep, unsigned max)
{
    while (ep->head && max--)
        ipc_cancel_wake(ep->head);
    return !ep->head;
}
