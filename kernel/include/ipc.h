/*
 * IPC: endpoints, notifications, reply capabilities and message transfer
 * (docs/ipc.md). The syscall layer calls ipc_syscall(); the objects'
 * files implement the operations; ipc.c checks arguments and moves
 * messages.
 */
#ifndef KERNEL_IPC_H
#define KERNEL_IPC_H

#include <cap.h>
#include <mica/cap.h>
#include <stdbool.h>
#include <stdint.h>
#include <tcb.h>

struct tcb;

/* An endpoint: one FIFO queue of threads, all senders or all receivers. */
enum endpoint_state { EP_IDLE, EP_SEND, EP_RECV };
struct endpoint {
    struct tcb *head, *tail;
    uint64_t state; /* enum endpoint_state */
    struct tcb *cancel_at; /* where a cancel of badged sends goes on, or 0 (endpoint.c) */
};

/* A notification: a word of signal bits, waiters, and a bound thread. */
struct notification {
    struct tcb *head, *tail; /* waiting threads (the word is then 0) */
    uint64_t word;
    struct tcb *bound;
};

_Static_assert(sizeof(struct endpoint) <= 32, "endpoint fits its object");
_Static_assert(sizeof(struct notification) <= 32, "notification fits its object");

/* Thread queues of endpoints and notifications (inline: the fastpath uses
 * them too). A thread's links are only meaningful while it is queued. */
static inline void ipc_queue_append(struct tcb **head, struct tcb **tail, struct tcb *t)
{
    t->ipc_next = 0;
    t->ipc_prev = *tail;
    if (*tail)
        (*tail)->ipc_next = t;
    else
        *head = t;
    *tail = t;
}

static inline void ipc_queue_remove(struct tcb **head, struct tcb **tail, struct tcb *t)
{
    if (t->ipc_prev)
        t->ipc_prev->ipc_next = t->ipc_next;
    else
        *head = t->ipc_next;
    if (t->ipc_next)
        t->ipc_next->ipc_prev = t->ipc_prev;
    else
        *tail = t->ipc_prev;
}

/* The first thread waiting on ep leaves the queue. */
static inline struct tcb *endpoint_take_first(struct endpoint *ep)
{
    struct tcb *t = ep->head;
    ep->head = t->ipc_next;
    if (ep->head)
        ep->head->ipc_prev = 0;
    else
        ep->tail = 0, ep->state = EP_IDLE;
    return t;
}

/* t (its state already set) waits on ep, as a sender or a receiver. */
static inline void endpoint_wait(struct endpoint *ep, struct tcb *t, enum endpoint_state state)
{
    t->blocked_on = ep;
    ipc_queue_append(&ep->head, &ep->tail, t);
    ep->state = state;
}

/* The IPC system calls (Call on an endpoint, Send, NBSend, Recv, NBRecv,
 * Reply, ReplyRecv) of thread t, arguments in its saved registers.
 * Results go into the registers of whichever threads they concern. */
void ipc_syscall(struct tcb *t, long number);

/* Move the message s sends (its registers and IPC buffer, or its pending
 * fault) to r, with the given badge; ep is the endpoint it travels
 * through (for unwrapping), or NULL for a reply. */
void ipc_transfer(struct tcb *s, struct tcb *r, uint64_t badge, bool can_grant,
                  struct endpoint *ep);

/* Take t out of whatever IPC it is blocked in. With `report`, its system
 * call returns MICA_ERR_CANCELLED; without, its registers are left alone
 * (they are about to be replaced). A fault-blocked thread is never told:
 * it retries the faulting instruction. t's state is left to the caller. */
void ipc_cancel(struct tcb *t, bool report);

/* The blocked thread t gives up with MICA_ERR_CANCELLED (or retries its
 * fault) and becomes runnable. */
void ipc_cancel_wake(struct tcb *t);

/* Endpoints (kernel/object/endpoint.c). */
void endpoint_send(struct endpoint *ep, struct tcb *t, uint64_t badge, unsigned flags);
void endpoint_recv(struct endpoint *ep, struct tcb *t);
static inline bool endpoint_has_waiters(const struct endpoint *ep) { return ep->head != 0; }
/* The endpoint's last cap is gone: cancel at most `max` of its waiters
 * (MICA_ERR_CANCELLED). True when none is left. */
bool endpoint_cancel_waiters(struct endpoint *ep, unsigned max);
/* Revoke of a badged endpoint cap (cnode.c): senders queued on ep with
 * `badge` (non-zero) are cancelled, in a walk of at most `max` queued
 * threads per call; *walk (0 at first) identifies the caller's walk from
 * one call to the next (the caller keeps it across a preemption). True
 * when the caller's walk is complete. */
bool endpoint_cancel_badged_sends(struct endpoint *ep, uint64_t badge, uint64_t *walk,
                                  unsigned max);
void endpoint_cancel_moves_on(struct endpoint *ep, struct tcb *t);
/* t leaves ep's queue (before it is unlinked): a cancel walk waiting at t
 * goes on at the thread after it. */
static inline void endpoint_leaving(struct endpoint *ep, struct tcb *t)
{
    if (ep->cancel_at == t)
        endpoint_cancel_moves_on(ep, t);
}

/* Notifications (kernel/object/notification.c). */
void notification_signal(struct notification *n, uint64_t badge);
/* Deliver a notification word to t (registers only). */
void notification_deliver(struct tcb *t, uint64_t word);
void notification_wait(struct notification *n, struct tcb *t);
/* The last cap is gone: unbind the bound thread (waiters: below). */
void notification_finalise(struct notification *n);
static inline bool notification_has_waiters(const struct notification *n) { return n->head != 0; }
/* Cancel at most `max` waiters; true when none is left. */
bool notification_cancel_waiters(struct notification *n, unsigned max);
int notification_bind(struct notification *n, struct tcb *t);
int notification_unbind(struct tcb *t);

/* Reply capabilities (kernel/object/reply.c). */
static inline struct tcb *reply_caller(const struct cap *c)
{
    return (struct tcb *)c->word1;
}
/* caller has been received by server: give server a reply cap in its
 * reply slot (replacing any old one) and make caller wait for it. */
void reply_setup(struct tcb *caller, struct tcb *server, bool can_grant);
/* The same when the reply slot is known to be empty (an empty slot is all
 * zero, derivation links included). A reply cap never enters the
 * derivation tree: it is not copied, and has no parent or children. */
static inline void reply_cap_make(struct cte *slot, struct tcb *caller, bool can_grant)
{
    slot->cap.type = CAP_REPLY;
    slot->cap.rights = can_grant ? MICA_RIGHT_GRANT : 0;
    slot->cap.word1 = (uint64_t)caller;
    caller->state = THREAD_BLOCKED_REPLY;
    caller->reply_cte = slot;
}
/* server replies through the reply cap in `slot` (consumed). */
void reply_deliver(struct tcb *server, struct cte *slot);
/* Remove a reply cap without waking its caller (the reply was delivered or
 * the caller is being cancelled). Only the fields reply_cap_make() sets
 * are non-zero. */
static inline void reply_cap_clear(struct cte *slot)
{
    reply_caller(&slot->cap)->reply_cte = 0;
    slot->cap.type = CAP_NULL;
    slot->cap.rights = 0;
    slot->cap.word1 = 0;
}
/* Hooks: a reply cap was deleted unused / moved to another slot. */
void reply_cap_deleted(const struct cap *c);
void reply_cap_moved(struct cte *to);

#endif
