/*
 * Notifications: a word of signal bits (docs/objects/notification.md).
 * Signal ORs a badge in and wakes the first waiter, or the bound thread
 * if it waits in Recv on an endpoint; Wait takes the word and clears it.
 * Argument checking is done by the decoder (kernel/core/ipc.c).
 */
#include <ipc.h>
#include <mica/errors.h>
#include <mica/message.h>
#include <sched.h>
#include <tcb.h>

void notification_deliver(struct tcb *t, uint64_t word)
{
    arch_ctx_set_received(&t->ctx, word, MICA_TAG_NOTIFICATION);
}

void notification_signal(struct notification *n, uint64_t badge)
{
    struct tcb *t = n->head;
    if (t) { /* waiters exist only while the word is 0 */
        ipc_queue_remove(&n->head, &n->tail, t);
        notification_deliver(t, badge);
        sched_wake(t);
        return;
    }
    t = n->bound;
    if (t && t->state == THREAD_BLOCKED_RECV) {
        ipc_cancel(t, false); /* leaves the endpoint's queue */
        notification_deliver(t, n->word | badge);
        n->word = 0;
        sched_wake(t);
        return;
    }
    n->word |= badge;
}

void notification_wait(struct notification *n, struct tcb *t)
{
    if (n->word) {
        notification_deliver(t, n->word);
        n->word = 0;
        return;
    }
    t->state = THREAD_BLOCKED_NTFN;
    t->blocked_on = n;
    ipc_queue_append(&n->head, &n->tail, t);
}

int notification_bind(struct notification *n, struct tcb *t)
{
    if (t->bound_ntfn || n->bound || n->head)
        return MICA_ERR_ILLEGAL_OPERATION;
    n->bound = t;
    t->bound_ntfn = n;
    return MICA_OK;
}

int notification_unbind(struct tcb *t)
{
    if (!t->bound_ntfn)
        return MICA_ERR_ILLEGAL_OPERATION;
    t->bound_ntfn->bound = 0;
    t->bound_ntfn = 0;
    return MICA_OK;
}

void notification_finalise(struct notification *n)
{
    if (n->bound)
        notification_unbind(n->bound);
}

bool notification_cancel_waiters(struct notification *n, unsigned max)
{
    while (n->head && max--)
        ipc_cancel_wake(n->head);
    return !n->head;
}
