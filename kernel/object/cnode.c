/*
 * CNode: an array of capability slots, and the capability operations on
 * them: Copy, Mint, Move, Mutate, Delete, Revoke.
 *
 * Decoding (argument and rights checks, no side effects) is separate from
 * the operations, which cannot fail once decoding succeeded.
 *
 * Destroying an object that holds slots (a CNode, a TCB) empties those
 * slots, which may hold the last caps to further CNodes, and so on. To do
 * that without recursion (a user could build an arbitrarily deep chain),
 * the slot holding the dying object's last cap becomes a "zombie" that
 * remembers the next zombie up: the chain of zombies is the work stack,
 * stored in the dying objects themselves.
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
#include <tcb.h>

static const struct cap null_cap;

void cte_insert(struct cte *parent, struct cte *dest, const struct cap *cap)
{
    dest->cap = *cap;
    mdb_insert_child(parent, dest);
}

/*
 * Take the cap out of slot s (undoing what it holds, unlinking it from the
 * derivation tree). If it was the last cap to an object that holds slots
 * (other than the object at `skip`, already being emptied), s becomes a
 * zombie for those slots whose link up the chain is `up`: returns true.
 */
static bool remove_cap(struct cte *s, struct cte *up, uint64_t skip)
{
    object_cap_deleted(&s->cap);
    struct cap c = s->cap;
    bool final = mdb_is_final(s);
    uint64_t inner;
    unsigned inner_bits;
    mdb_remove(s);
    s->cap = null_cap;
    if (!final)
        return false;
    object_finalise(&c);
    if (!object_slots(&c, &inner, &inner_bits) || inner == skip)
        return false;
    s->cap = (struct cap){ .type = CAP_ZOMBIE, .paddr = inner, .size_bits = (uint8_t)inner_bits,
                           .word2 = (uint64_t)up };
    return true;
}

/* Empty every slot under the zombie in `start`, descending into objects
 * whose last cap is found there, until the whole chain is done. */
static void destroy_slots(struct cte *start)
{
    struct cte *cur = start;
    while (cur) {
        struct cap *z = &cur->cap;
        struct cte *slots = cnode_slots(z);
        uint64_t count = 1ull << z->size_bits, i = z->word1;
        /* Zombies here are links of this very chain (possibly `cur`). */
        while (i < count && (slots[i].cap.type == CAP_NULL || slots[i].cap.type == CAP_ZOMBIE))
            i++;
        z->word1 = i;
        if (i == count) { /* all empty: this object is gone; back up the chain */
            struct cte *up = (struct cte *)z->word2;
            cur->cap = null_cap;
            cur = up;
        } else if (remove_cap(&slots[i], cur, z->paddr)) {
            cur = &slots[i];
        }
    }
}

void cte_delete(struct cte *slot)
{
    if (slot->cap.type == CAP_NULL || slot->cap.type == CAP_ZOMBIE)
        return;
    if (remove_cap(slot, 0, 0))
        destroy_slots(slot);
}

void cte_revoke(struct cte *slot)
{
    struct cap orig = slot->cap;
    struct cte *leaf;
    /* Deleting descendants can destroy objects whose slots hold this very
     * cap; stop as soon as the slot no longer holds what we started with. */
    while (slot->cap.type == orig.type && slot->cap.paddr == orig.paddr &&
           (leaf = mdb_leaf_descendant(slot)))
        cte_delete(leaf);
    if (slot->cap.type == CAP_UNTYPED && slot->cap.paddr == orig.paddr && !mdb_has_children(slot))
        slot->cap.word1 = 0; /* nothing made from it survives: all free again */
    if (slot->cap.type == CAP_ENDPOINT && slot->cap.paddr == orig.paddr && slot->cap.word1)
        endpoint_cancel_badged_sends(arch_phys_to_virt(slot->cap.paddr), slot->cap.word1);
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
    if (revoke)
        cte_revoke(slot);
    else
        cte_delete(slot);
    return inv_ok(0);
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
