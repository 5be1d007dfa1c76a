/*
 * The IPC fastpath (see fastpath.h). It does exactly what the general path
 * would do for the same call, in far fewer instructions: the conditions
 * below single out the cases where the general path's outcome is simple —
 * a register-only message, a partner that is waiting and will run next by
 * the scheduling rule of docs/ipc.md, nothing to clean up. Any other case
 * returns before touching anything. The kernel suite runs with and without
 * it and must give identical results.
 */
#include <arch.h>
#include <cspace.h>
#include <fastpath.h>
#include <fault.h>
#include <ipc.h>
#include <mica/cap.h>
#include <mica/message.h>
#include <mica/syscall.h>
#include <sched.h>
#include <tcb.h>
#include <vspace.h>

bool fastpath_enabled = true;
uint64_t fastpath_hits;

/* Length <= 4 and no caps; the kernel-set bits are cleared on delivery. */
#define FAST_TAG_MASK ((1ull << MICA_TAG_UNWRAPPED_SHIFT) - 1)
#define KERNEL_TAG_BITS (((1ull << MICA_TAG_LABEL_SHIFT) - 1) & ~FAST_TAG_MASK)

static inline bool fast_tag(uint64_t tag)
{
    return (tag & FAST_TAG_MASK) <= MICA_MSG_REGS_IN_CPU;
}

/* The slot a CPtr names: cspace_lookup()'s one-step case inline, the
 * general lookup for deeper CSpaces. */
static inline const struct cte *fast_lookup(const struct cap *root, uint64_t cptr)
{
    if (__builtin_expect(cspace_one_level(root), 1))
        return cspace_one_level_slot(root, cptr);
    struct lookup l;
    return cspace_lookup(root, cptr, 64, false, &l) ? 0 : l.slot;
}

/* The endpoint cap t names, if it has all of `rights`. */
static inline struct endpoint *fast_endpoint(struct tcb *t, unsigned rights, uint64_t *badge,
                                             uint8_t *cap_rights)
{
    const struct cte *slot = fast_lookup(&t->slots[TCB_SLOT_CSPACE].cap, arch_ctx_cptr(&t->ctx));
    if (!slot)
        return 0;
    const struct cap *c = &slot->cap;
    if (c->type != CAP_ENDPOINT || (c->rights & rights) != rights)
        return 0;
    *badge = c->word1;
    *cap_rights = c->rights;
    return arch_phys_to_virt(c->paddr);
}

/* The partner may take the CPU directly: nothing ready outranks it and its
 * address space was checked since the last VSpace change (if not, the
 * general path checks it, and the next call is fast again). */
static inline bool fast_partner_ok(const struct tcb *p)
{
    return sched_none_ready_above(p->priority) && p->vspace_epoch == vspace_epoch;
}

static inline __attribute__((always_inline, noreturn)) void fast_deliver(struct tcb *to, struct tcb *from, uint64_t badge, uint64_t tag)
{
    arch_ctx_copy_mrs(&to->ctx, &from->ctx, (unsigned)(tag & FAST_TAG_MASK));
    arch_ctx_set_received(&to->ctx, badge, tag & ~KERNEL_TAG_BITS);
    to->state = THREAD_RUNNABLE;
    fastpath_hits++;
    /* As sched_switch_direct(), without re-checking a context its own
     * system call saved. */
    sched_set_current(to);
    arch_switch_to_saved(to);
}

void fastpath_call(struct tcb *t)
{
    uint64_t tag = arch_ctx_tag(&t->ctx), badge;
    uint8_t rights;
    struct endpoint *ep;
    struct tcb *r;
    if (!fast_tag(tag) || !(ep = fast_endpoint(t, MICA_RIGHT_WRITE, &badge, &rights)) ||
        ep->state != EP_RECV)
        return;
    r = ep->head;
    struct cte *reply = &r->slots[TCB_SLOT_REPLY];
    if (reply->cap.type != CAP_NULL || !fast_partner_ok(r))
        return;

    endpoint_take_first(ep);
    /* The caller waits for the reply cap the receiver now holds. */
    reply_cap_make(reply, t, rights & MICA_RIGHT_GRANT_REPLY);
    fast_deliver(r, t, badge, tag);
}

void fastpath_reply_recv(struct tcb *t)
{
    uint64_t tag = arch_ctx_tag(&t->ctx), badge;
    uint8_t rights;
    struct endpoint *ep;
    struct cte *reply = &t->slots[TCB_SLOT_REPLY];
    if (!fast_tag(tag) || reply->cap.type != CAP_REPLY)
        return;
    struct tcb *caller = reply_caller(&reply->cap);
    if (caller->fault_kind != FAULT_NONE || !fast_partner_ok(caller) ||
        !(ep = fast_endpoint(t, MICA_RIGHT_READ, &badge, &rights)) || ep->state == EP_SEND ||
        (t->bound_ntfn && t->bound_ntfn->word))
        return;

    reply_cap_clear(reply); /* used up */
    t->state = THREAD_BLOCKED_RECV;
    endpoint_wait(ep, t, EP_RECV);
    fast_deliver(caller, t, 0, tag);
}
