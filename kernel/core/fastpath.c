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

/* The slot a CPtr names. A CSpace whose root CNode resolves all 64 bits
 * by itself (guard + radix = 64, as the root task's does) takes one step;
 * anything else goes through the general lookup. */
static inline const struct cte *fast_lookup(const struct cap *root, uint64_t cptr)
{
    unsigned radix = root->size_bits;
    if (__builtin_expect(root->type == CAP_CNODE && root->guard_bits + radix == 64, 1)) {
        if ((cptr >> radix) != root->word1)
            return 0;
        return &((const struct cte *)arch_phys_to_virt(root->paddr))[cptr & ((1ull << radix) - 1)];
    }
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

/* The partner's address space, checked now (as has_vspace() in sched.c). */
static __attribute__((noinline)) uint64_t fast_check_vspace(struct tcb *p)
{
    const struct cap *vs = &p->slots[TCB_SLOT_VSPACE].cap;
    uint64_t root = vs->type == CAP_VSPACE ? asid_root(vs->word1) : 0;
    if (root) {
        p->vspace_root = root;
        p->vspace_epoch = vspace_epoch;
    }
    return root;
}

/* The partner may take the CPU directly: nothing ready outranks it and its
 * address space is alive. Returns its page-table root, or 0. */
static inline uint64_t fast_partner_root(struct tcb *p)
{
    if (!sched_none_ready_above(p->priority))
        return 0;
    if (p->vspace_epoch == vspace_epoch)
        return p->vspace_root; /* checked, and no VSpace changed since */
    return fast_check_vspace(p);
}

static inline __attribute__((always_inline, noreturn)) void fast_deliver(struct tcb *to, struct tcb *from, uint64_t badge, uint64_t tag)
{
    arch_ctx_copy_mrs(&to->ctx, &from->ctx, (unsigned)(tag & FAST_TAG_MASK));
    arch_ctx_set_received(&to->ctx, badge, tag & ~KERNEL_TAG_BITS);
    to->state = THREAD_RUNNABLE;
    fastpath_hits++;
    /* As sched_switch_direct(), without re-checking a context its own
     * system call saved. */
    current = to;
    if (!to->timeslice)
        to->timeslice = TIMESLICE_TICKS;
    arch_switch_to_saved(to);
}

void fastpath_call(struct tcb *t)
{
    uint64_t tag = arch_ctx_tag(&t->ctx), badge, root;
    uint8_t rights;
    struct endpoint *ep;
    struct tcb *r;
    if (!fast_tag(tag) || !(ep = fast_endpoint(t, MICA_RIGHT_WRITE, &badge, &rights)) ||
        ep->state != EP_RECV)
        return;
    r = ep->head;
    struct cte *reply = &r->slots[TCB_SLOT_REPLY];
    if (reply->cap.type != CAP_NULL || !(root = fast_partner_root(r)))
        return;

    /* The receiver leaves the queue. */
    ep->head = r->ipc_next;
    if (ep->head)
        ep->head->ipc_prev = 0;
    else
        ep->tail = 0, ep->state = EP_IDLE;
    /* The caller waits for the reply cap the receiver now holds (an empty
     * slot is all zero, links included: only these fields change). */
    reply->cap.type = CAP_REPLY;
    reply->cap.rights = (rights & MICA_RIGHT_GRANT_REPLY) ? MICA_RIGHT_GRANT : 0;
    reply->cap.word1 = (uint64_t)t;
    t->state = THREAD_BLOCKED_REPLY;
    t->reply_cte = reply;
    fast_deliver(r, t, badge, tag);
}

void fastpath_reply_recv(struct tcb *t)
{
    uint64_t tag = arch_ctx_tag(&t->ctx), badge, root;
    uint8_t rights;
    struct endpoint *ep;
    struct cte *reply = &t->slots[TCB_SLOT_REPLY];
    if (!fast_tag(tag) || reply->cap.type != CAP_REPLY)
        return;
    struct tcb *caller = reply_caller(&reply->cap);
    if (caller->fault_kind != FAULT_NONE || !(root = fast_partner_root(caller)) ||
        !(ep = fast_endpoint(t, MICA_RIGHT_READ, &badge, &rights)) || ep->state == EP_SEND ||
        (t->bound_ntfn && t->bound_ntfn->word))
        return;

    /* The reply cap is used up. Only its type, rights and word1 were ever
     * set (see fastpath_call, reply_setup): clear those. */
    reply->cap.type = CAP_NULL;
    reply->cap.rights = 0;
    reply->cap.word1 = 0;
    caller->reply_cte = 0;
    /* t waits on the endpoint. */
    t->state = THREAD_BLOCKED_RECV;
    t->blocked_on = ep;
    t->ipc_next = 0;
    t->ipc_prev = ep->tail;
    if (ep->tail)
        ep->tail->ipc_next = t;
    else
        ep->head = t;
    ep->tail = t;
    ep->state = EP_RECV;
    fast_deliver(caller, t, 0, tag);
}
