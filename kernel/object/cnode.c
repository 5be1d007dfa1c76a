/*
 * CNode: an array of capability slots, and the capability operations on
 * them: Copy, Mint, Move, Mutate, Delete, Revoke.
 *
 * Decoding (argument and rights checks, no side effects) is separate from
 * the operations, which cannot fail once decoding succeeded. Delete and
 * Revoke can be long, though: they work in bounded steps with preemption
 * points between them (preempt.h) and may stop half-way, leaving the
 * objects consistent; the repeated invocation carries on.
 *
 * Deleting a cap with children first moves them out from under it a few
 * at a time (mdb_hoist_children). Revoke deletes the revoked cap's first
 * child, or hoists that child's children first: every cap is re-parented
 * at most once, so revoking N caps takes O(N) steps.
 *
 * Destroying an object with more to do than one step (a CNode or TCB with
 * slots to empty, an endpoint or notification with waiters to cancel)
 * turns the slot of its last cap into a "zombie" that keeps that cap's
 * place in the derivation tree until the object is finished: a restarted
 * Delete on the slot resumes it, a Revoke of an ancestor (the untyped)
 * reaches it and finishes it, and the untyped cannot be reset (its memory
 * reused) before. Emptying a CNode may destroy further CNodes, as deeply
 * nested as a user likes; to do that without recursion, each zombie found
 * in a dying object links to the zombie of the object holding it, and the
 * top zombie of such a chain remembers the innermost one, where work goes
 * on (cap.h). No user can name a zombie's object any more: its last cap is
 * gone, and a zombie cannot be copied, moved or invoked.
 */
#include <arch.h>
#include <cnode.h>
#include <cspace.h>
#include <invocation.h>
#include <ipc.h>
#include <kstring.h>
#include <mdb.h>
#include <mica/cap.h>
#include <mica/errors.h>
#include <mica/invocation.h>
#include <object.h>
#include <preempt.h>
#include <tcb.h>

#define HOIST_PER_STEP  8  /* children re-parented in one step */
#define SCAN_PER_STEP   64 /* empty slots of a dying object passed in one step */
#define CANCEL_PER_STEP 4  /* waiters of a dying endpoint/notification cancelled in one step */

static const struct cap null_cap;

void cte_insert(struct cte *parent, struct cte *dest, const struct cap *cap)
{
    dest->cap = *cap;
    mdb_insert_child(parent, dest);
}

/* ---------------------------------------------------------------- zombies */

/* The top zombie of z's chain. An inner zombie's link leads towards it (a
 * top taken into another chain becomes inner, so there may be hops). */
static struct cte *zombie_top(struct cte *z)
{
    struct cte *t = z;
    while (zombie_up(&t->cap))
        t = zombie_link(&t->cap);
    if (t != z && zombie_up(&z->cap))
        zombie_set_link(&z->cap, t); /* one hop next time */
    return t;
}

/*
 * s holds the last cap c to an object, finalised already, and is a leaf of
 * the derivation tree. If the object has more to do, s becomes its zombie:
 * inside the chain of `top`, one level below `up` (its innermost zombie
 * now), or the top of a new chain (up == NULL). Returns false otherwise.
 */
static bool zombify(struct cte *s, const struct cap *c, struct cte *up, struct cte *top)
{
    uint64_t paddr;
    unsigned bits = 0, kind;
    if (object_slots(c, &paddr, &bits)) {
        kind = ZOMBIE_SLOTS;
    } else if (c->type == CAP_ENDPOINT && endpoint_has_waiters(arch_phys_to_virt(c->paddr))) {
        kind = ZOMBIE_ENDPOINT, paddr = c->paddr;
    } else if (c->type == CAP_NOTIFICATION &&
               notification_has_waiters(arch_phys_to_virt(c->paddr))) {
        kind = ZOMBIE_NOTIFICATION, paddr = c->paddr;
    } else {
        return false;
    }
    s->cap = (struct cap){ .type = CAP_ZOMBIE, .rights = (uint8_t)kind, .paddr = paddr,
                           .size_bits = (uint8_t)bits, .word2 = (uint64_t)up };
    zombie_set_link(&s->cap, up ? top : s);
    if (up)
        zombie_set_link(&top->cap, s);
    return true;
}

/*
 * One step of emptying slot s (neither empty nor a zombie): re-parent a
 * bounded number of its children, or, once it has none, remove the cap.
 * Removing the last cap to an object finalises it, and makes s a zombie
 * (see zombify) if there is more to do. Returns true once the cap is gone.
 */
static bool remove_step(struct cte *s, struct cte *up, struct cte *top)
{
    if (mdb_hoist_children(s, HOIST_PER_STEP))
        return false;
    object_cap_deleted(&s->cap);
    struct cap c = s->cap;
    bool final = mdb_is_final(s);
    if (final)
        object_finalise(&c);
    if (!final || !zombify(s, &c, up, top)) {
        mdb_remove(s); /* a leaf: O(1) */
        s->cap = null_cap;
    }
    return true;
}

/* The zombie `cur` (innermost in top's chain) is finished: the chain goes
 * on one level up, or ends if it was the top. */
static void zombie_done(struct cte *top, struct cte *cur)
{
    struct cte *up = zombie_up(&cur->cap);
    mdb_remove(cur); /* zombies have no children */
    cur->cap = null_cap;
    if (up)
        zombie_set_link(&top->cap, up);
}

/* The top zombie t2 of another chain was found in an object top's chain is
 * emptying (at cur): its chain becomes part of this one, and work goes on
 * at its innermost zombie. */
static void zombie_take(struct cte *top, struct cte *cur, struct cte *t2)
{
    struct cte *inner = zombie_link(&t2->cap);
    t2->cap.word2 = (uint64_t)cur;
    zombie_set_link(&t2->cap, top);
    zombie_set_link(&top->cap, inner);
}

/* One bounded step of emptying the slots of the innermost zombie cur. */
static void empty_slots_step(struct cte *top, struct cte *cur)
{
    struct cap *z = &cur->cap;
    struct cte *slots = arch_phys_to_virt(z->paddr);
    uint32_t count = 1u << z->size_bits, i = zombie_progress(z);
    uint32_t end = count - i > SCAN_PER_STEP ? i + SCAN_PER_STEP : count;
    /* Zombies of this very chain may sit here (an object that holds the
     * last cap to one that holds its own): they are passed over. */
    while (i < end && (slots[i].cap.type == CAP_NULL ||
                       (slots[i].cap.type == CAP_ZOMBIE && zombie_top(&slots[i]) == top)))
        i++;
    zombie_set_progress(z, i);
    if (i == count)
        zombie_done(top, cur); /* all empty: the object is gone */
    else if (i < end && slots[i].cap.type == CAP_ZOMBIE)
        zombie_take(top, cur, zombie_top(&slots[i]));
    else if (i < end)
        remove_step(&slots[i], cur, top);
}

/* One bounded step of the chain whose top zombie is `top`. */
static void zombie_step(struct cte *top)
{
    struct cte *cur = zombie_link(&top->cap);
    switch (zombie_kind(&cur->cap)) {
    case ZOMBIE_ENDPOINT:
        if (endpoint_cancel_waiters(arch_phys_to_virt(cur->cap.paddr), CANCEL_PER_STEP))
            zombie_done(top, cur);
        return;
    case ZOMBIE_NOTIFICATION:
        if (notification_cancel_waiters(arch_phys_to_virt(cur->cap.paddr), CANCEL_PER_STEP))
            zombie_done(top, cur);
        return;
    default:
        empty_slots_step(top, cur);
    }
}

/* Finish the chain of the top zombie `top` (its slot is then empty). */
static int zombie_run(struct cte *top)
{
    for (;;) {
        zombie_step(top);
        if (top->cap.type != CAP_ZOMBIE)
            return OP_DONE;
        if (preempt_point(1))
            return OP_PREEMPTED;
    }
}

/* ------------------------------------------------------- delete, revoke */

int cte_delete(struct cte *slot)
{
    for (;;) {
        if (slot->cap.type == CAP_NULL)
            return OP_DONE;
        if (slot->cap.type == CAP_ZOMBIE)
            return zombie_run(zombie_top(slot));
        if (!remove_step(slot, 0, 0) && preempt_point(1))
            return OP_PREEMPTED;
    }
}

void cte_delete_now(struct cte *slot)
{
    preempt_disable();
    cte_delete(slot);
    preempt_enable();
}

int cte_revoke(struct cte *slot, struct tcb *caller)
{
    struct cap orig = slot->cap;
    /* Deleting descendants can destroy objects whose slots hold this very
     * cap; stop as soon as the slot no longer holds what we started with. */
    while (slot->cap.type == orig.type && slot->cap.paddr == orig.paddr && slot->first_child) {
        struct cte *c = slot->first_child;
        if (c->first_child)
            mdb_hoist_children(c, HOIST_PER_STEP); /* c's children become slot's */
        else if (cte_delete(c) == OP_PREEMPTED)
            return OP_PREEMPTED;
        if (preempt_point(1))
            return OP_PREEMPTED;
    }
    if (slot->cap.type == CAP_UNTYPED && slot->cap.paddr == orig.paddr && !mdb_has_children(slot))
        untyped_reset(&slot->cap); /* nothing made from it survives: all free again */
    if (slot->cap.type == CAP_ENDPOINT && slot->cap.paddr == orig.paddr && slot->cap.word1) {
        /* The walk this Revoke started before it was preempted, if this
         * is its repetition: the caller is repeating it (nothing rewrote
         * its registers, it did not fault since) on the same endpoint and
         * badge. Otherwise this is a new walk. */
        struct endpoint *ep = arch_phys_to_virt(slot->cap.paddr);
        uint64_t badge = slot->cap.word1;
        uint64_t walk = caller->restart_ep == ep && caller->restart_badge == badge
                            ? caller->restart_walk : 0;
        caller->restart_walk = 0;
        while (!endpoint_cancel_badged_sends(ep, badge, &walk, CANCEL_PER_STEP))
            if (preempt_point(1)) {
                caller->restart_walk = walk;
                caller->restart_ep = ep;
                caller->restart_badge = badge;
                return OP_PREEMPTED;
            }
    }
    return OP_DONE;
}

/* ---------------------------------------------------------------- decode */

int inv_lookup_slot(const struct cap *root, uint64_t index, uint64_t depth, struct cte **slot,
                    uint64_t *detail)
{
    struct lookup l;
    int err = cspace_lookup(root, index, depth > 64 ? 0 : (unsigned)depth, true, &l);
    if (err) {
        *detail = lookup_detail(&l);
        return err;
    }
    *slot = l.slot;
    return MICA_OK;
}

struct slot_args {
    struct cte *dest;
    struct cte *src;
};

/* MR0 dest index, MR1 dest depth, cap0 source root, MR2 src index, MR3 src depth. */
static int decode_two_slots(struct invocation *inv, struct slot_args *a, uint64_t *detail)
{
    uint64_t di, dd, si, sd;
    struct cte *src_root;
    *detail = 0;
    if (!inv_mr(inv, 0, &di) || !inv_mr(inv, 1, &dd) || !inv_mr(inv, 2, &si) ||
        !inv_mr(inv, 3, &sd))
        return MICA_ERR_TRUNCATED;
    int err = inv_lookup_slot(&inv->slot->cap, di, dd, &a->dest, detail);
    if (err)
        return err;
    if ((err = inv_cap(inv, 0, &src_root, detail)) != MICA_OK)
        return err;
    if ((err = inv_lookup_slot(&src_root->cap, si, sd, &a->src, detail)) != MICA_OK)
        return err;
    if (a->src->cap.type == CAP_NULL)
        return MICA_ERR_SLOT_EMPTY;
    if (a->dest->cap.type != CAP_NULL)
        return MICA_ERR_SLOT_OCCUPIED;
    return MICA_OK;
}

/*
 * The badge/guard word of Mint and Mutate. Endpoint and notification
 * badges can be set only once; a CNode's guard word is
 * (guard << 8) | guard_bits, and guard + radix may not exceed 64 bits.
 */
static int apply_data(struct cap *c, uint64_t data)
{
    switch (c->type) {
    case CAP_ENDPOINT:
    case CAP_NOTIFICATION:
        if (data == 0)
            return MICA_OK;
        if (c->word1 != 0)
            return MICA_ERR_ILLEGAL_OPERATION; /* already badged */
        c->word1 = data;
        return MICA_OK;
    case CAP_CNODE: {
        unsigned bits = data & 0xff;
        uint64_t guard = data >> 8;
        if (bits + c->size_bits > 64 || (bits < 56 && (guard >> bits) != 0))
            return MICA_ERR_RANGE;
        c->guard_bits = (uint8_t)bits;
        c->word1 = guard;
        return MICA_OK;
    }
    default:
        return data ? MICA_ERR_INVALID_ARGUMENT : MICA_OK;
    }
}

/* Untyped and page-table caps (CPU and IO) are unique: one cap per untyped region
 * (exact accounting), one cap and one location per table (so unmapping it
 * can never leave a second path to stale entries). A reply cap is one-shot:
 * it names one waiting caller, once. */
bool cnode_cap_copyable(unsigned type)
{
    switch (type) {
    case CAP_UNTYPED:
    case CAP_ZOMBIE:
    case CAP_PDPT:
    case CAP_PAGE_DIRECTORY:
    case CAP_PAGE_TABLE:
    case CAP_IO_PAGE_TABLE:
    case CAP_REPLY:
        return false;
    }
    return true;
}

struct cap cnode_cap_derive(const struct cap *src, uint64_t rights)
{
    struct cap c = *src;
    c.rights &= (uint8_t)rights;
    if (c.type == CAP_FRAME || c.type == CAP_PDPT || c.type == CAP_PAGE_DIRECTORY ||
        c.type == CAP_PAGE_TABLE) {
        c.word1 = 0;
        c.word2 = 0;
    }
    return c;
}

static struct syscall_result copy_or_mint(struct invocation *inv, bool mint)
{
    struct slot_args a;
    uint64_t detail, rights, data = 0;
    int err = decode_two_slots(inv, &a, &detail);
    if (err)
        return inv_error(err, detail);
    if (!inv_mr(inv, 4, &rights) || (mint && !inv_mr(inv, 5, &data)))
        return inv_error(MICA_ERR_TRUNCATED, 0);
    if (rights & ~(uint64_t)MICA_RIGHTS_ALL)
        return inv_error(MICA_ERR_INVALID_ARGUMENT, rights);
    if (!cnode_cap_copyable(a.src->cap.type))
        return inv_error(MICA_ERR_ILLEGAL_OPERATION, a.src->cap.type);
    struct cap c = cnode_cap_derive(&a.src->cap, rights);
    if (mint && (err = apply_data(&c, data)) != MICA_OK) /* Copy keeps badge and guard */
        return inv_error(err, data);
    cte_insert(a.src, a.dest, &c);
    return inv_ok(0);
}

/* Move the cap in src (as `c`) to the empty slot dest. */
static void move_cap(struct cte *src, struct cte *dest, const struct cap *c)
{
    dest->cap = *c;
    mdb_move(src, dest);
    src->cap = null_cap;
    if (c->type == CAP_REPLY)
        reply_cap_moved(dest);
}

static struct syscall_result move_or_mutate(struct invocation *inv, bool mutate)
{
    struct slot_args a;
    uint64_t detail, data = 0;
    int err = decode_two_slots(inv, &a, &detail);
    if (err)
        return inv_error(err, detail);
    if (mutate && !inv_mr(inv, 4, &data))
        return inv_error(MICA_ERR_TRUNCATED, 0);
    if (a.src->cap.type == CAP_ZOMBIE)
        return inv_error(MICA_ERR_ILLEGAL_OPERATION, 0);
    struct cap c = a.src->cap;
    if (mutate && (err = apply_data(&c, data)) != MICA_OK)
        return inv_error(err, data);
    move_cap(a.src, a.dest, &c);
    return inv_ok(0);
}

/* MR0 index, MR1 depth: the invoker's pending reply cap goes there. */
static struct syscall_result save_caller(struct invocation *inv)
{
    uint64_t index, depth, detail = 0;
    struct cte *dest, *reply = &inv->thread->slots[TCB_SLOT_REPLY];
    if (!inv_mr(inv, 0, &index) || !inv_mr(inv, 1, &depth))
        return inv_error(MICA_ERR_TRUNCATED, 0);
    int err = inv_lookup_slot(&inv->slot->cap, index, depth, &dest, &detail);
    if (err)
        return inv_error(err, detail);
    if (dest->cap.type != CAP_NULL)
        return inv_error(MICA_ERR_SLOT_OCCUPIED, 0);
    if (reply->cap.type != CAP_REPLY)
        return inv_error(MICA_ERR_NO_REPLY, 0);
    struct cap c = reply->cap;
    move_cap(reply, dest, &c);
    return inv_ok(0);
}

static struct syscall_result delete_or_revoke(struct invocation *inv, bool revoke)
{
    uint64_t index, depth, detail = 0;
    struct cte *slot;
    if (!inv_mr(inv, 0, &index) || !inv_mr(inv, 1, &depth))
        return inv_error(MICA_ERR_TRUNCATED, 0);
    int err = inv_lookup_slot(&inv->slot->cap, index, depth, &slot, &detail);
    if (err)
        return inv_error(err, detail);
    return inv_done_or_preempted(revoke ? cte_revoke(slot, inv->thread) : cte_delete(slot));
}

struct syscall_result cnode_invoke(struct invocation *inv)
{
    switch (inv->label) {
    case MICA_CNODE_COPY: return copy_or_mint(inv, false);
    case MICA_CNODE_MINT: return copy_or_mint(inv, true);
    case MICA_CNODE_MOVE: return move_or_mutate(inv, false);
    case MICA_CNODE_MUTATE: return move_or_mutate(inv, true);
    case MICA_CNODE_DELETE: return delete_or_revoke(inv, false);
    case MICA_CNODE_REVOKE: return delete_or_revoke(inv, true);
    case MICA_CNODE_SAVE_CALLER: return save_caller(inv);
    }
    return inv_error(MICA_ERR_ILLEGAL_OPERATION, inv->label);
}
