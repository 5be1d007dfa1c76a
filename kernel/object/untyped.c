/*
 * Untyped memory: the only source of kernel objects. Retype carves objects
 * from an untyped region above its watermark, each aligned to its own size,
 * zeroes them (device memory is never touched) and puts their caps, as
 * children of the untyped cap, into consecutive empty slots of a CNode.
 * When an untyped has no children left its watermark drops back to zero.
 *
 * Zeroing can be long (a 1 GiB CNode), so it happens in 64 KiB chunks with
 * a preemption point after each (preempt.h). The cap's zeroed mark records
 * how far memory above the watermark is known to be zero: a preempted
 * Retype, repeated, goes on from there, and memory zeroed once is not
 * zeroed again until it is used. An untyped made by Retype starts with
 * nothing known zero: its memory is zeroed when objects are made from it.
 */
#include <arch.h>
#include <bits.h>
#include <cnode.h>
#include <cspace.h>
#include <invocation.h>
#include <kstring.h>
#include <mdb.h>
#include <mica/errors.h>
#include <mica/invocation.h>
#include <mica/object.h>
#include <object.h>
#include <preempt.h>
#include <vspace.h>

struct retype_args {
    unsigned type;
    unsigned size_bits;  /* argument as given */
    unsigned obj_bits;   /* log2 of each object's size */
    struct cte *dest;    /* first destination slot */
    uint64_t count;
    uint64_t first;      /* physical address of the first object */
};

static bool device_allowed(unsigned type)
{
    return type == MICA_OBJ_UNTYPED || type == MICA_OBJ_FRAME_4K || type == MICA_OBJ_FRAME_2M;
}

/*
 * MR0 type, MR1 size_bits, cap0 root CNode, MR2 node index, MR3 node depth
 * (0: the root itself is the destination CNode), MR4 first slot offset,
 * MR5 number of objects.
 */
static int decode_retype(struct invocation *inv, struct retype_args *a, uint64_t *detail)
{
    uint64_t type, size_bits, index, depth, offset, count;
    struct cte *root, *node_slot;
    const struct cap *ut = &inv->slot->cap;
    *detail = 0;
    if (!inv_mr(inv, 0, &type) || !inv_mr(inv, 1, &size_bits) || !inv_mr(inv, 2, &index) ||
        !inv_mr(inv, 3, &depth) || !inv_mr(inv, 4, &offset) || !inv_mr(inv, 5, &count))
        return MICA_ERR_TRUNCATED;
    if (type == MICA_OBJ_NULL || type >= MICA_OBJ_TYPE_COUNT)
        return *detail = type, MICA_ERR_INVALID_ARGUMENT;
    /* size_bits matters only for untyped and CNode objects. */
    bool sized = type == MICA_OBJ_UNTYPED || type == MICA_OBJ_CNODE;
    if ((sized && size_bits > 64) ||
        !(a->obj_bits = object_size_bits((unsigned)type, sized ? (unsigned)size_bits : 0)))
        return *detail = size_bits, MICA_ERR_RANGE;
    if ((ut->flags & CAP_FLAG_DEVICE) && !device_allowed((unsigned)type))
        return *detail = type, MICA_ERR_INVALID_ARGUMENT;
    if (count < 1 || count > MICA_RETYPE_MAX_OBJECTS)
        return *detail = count, MICA_ERR_RANGE;
    if (type == MICA_OBJ_VSPACE && !asid_available((unsigned)count))
        return *detail = count, MICA_ERR_NOT_ENOUGH_MEMORY; /* no free ASID */

    int err = inv_cap(inv, 0, &root, detail);
    if (err)
        return err;
    if (depth == 0) {
        node_slot = root;
    } else if ((err = inv_lookup_slot(&root->cap, index, depth, &node_slot, detail)) != MICA_OK) {
        return err;
    }
    if (node_slot->cap.type != CAP_CNODE)
        return MICA_ERR_INVALID_CAP;
    uint64_t slots = 1ull << node_slot->cap.size_bits;
    if (offset >= slots || count > slots - offset)
        return *detail = offset, MICA_ERR_RANGE;
    a->dest = &cnode_slots(&node_slot->cap)[offset];
    for (uint64_t i = 0; i < count; i++)
        if (a->dest[i].cap.type != CAP_NULL)
            return *detail = offset + i, MICA_ERR_SLOT_OCCUPIED;

    /* Memory: above the watermark, or from the start if nothing made from
     * this untyped survives. */
    uint64_t used = mdb_has_children(inv->slot) ? ut->word1 : 0;
    uint64_t size = 1ull << ut->size_bits;
    uint64_t start = align_up(ut->paddr + used, 1ull << a->obj_bits) - ut->paddr;
    if (a->obj_bits > ut->size_bits || start > size || count > (size - start) >> a->obj_bits)
        return *detail = size - used, MICA_ERR_NOT_ENOUGH_MEMORY; /* bytes above the watermark */

    a->type = (unsigned)type;
    a->size_bits = (unsigned)size_bits;
    a->count = count;
    a->first = ut->paddr + start;
    return MICA_OK;
}

/* Make [zeroed mark, end) of the untyped zero, a chunk at a time. */
static int zero_up_to(struct cap *ut, uint64_t end)
{
    const uint64_t chunk = 1ull << UNTYPED_ZERO_CHUNK_BITS, size = 1ull << ut->size_bits;
    uint64_t z = untyped_zeroed(ut);
    if (z < ut->word1)
        z = ut->word1; /* below the watermark: in use, not ours to zero */
    while (z < end) {
        uint64_t next = (z | (chunk - 1)) + 1;
        if (next > size)
            next = size;
        memzero8(arch_phys_to_virt(ut->paddr + z), next - z);
        untyped_set_zeroed(ut, next);
        z = next;
        if (z < end && preempt_point(PREEMPT_CHECK_UNITS))
            return OP_PREEMPTED;
    }
    return OP_DONE;
}

static int retype(struct cte *ut_slot, const struct retype_args *a)
{
    struct cap *ut = &ut_slot->cap;
    bool device = ut->flags & CAP_FLAG_DEVICE;
    uint64_t obj_size = 1ull << a->obj_bits;
    uint64_t end = a->first + a->count * obj_size - ut->paddr;
    if (!mdb_has_children(ut_slot))
        untyped_reset(ut); /* what the decoder assumed */
    /* A new untyped needs no zeroing: whatever is made from it is. */
    if (!device && a->type != MICA_OBJ_UNTYPED && zero_up_to(ut, end) == OP_PREEMPTED)
        return OP_PREEMPTED;
    for (uint64_t i = 0; i < a->count; i++) {
        struct cap c = object_create(a->type, a->first + i * obj_size, a->size_bits, device);
        cte_insert(ut_slot, &a->dest[i], &c);
    }
    if (!device && untyped_zeroed(ut) < end)
        untyped_set_zeroed(ut, end); /* [end, mark) stays zero (none: rounded down) */
    ut->word1 = end;
    return OP_DONE;
}

struct syscall_result untyped_invoke(struct invocation *inv)
{
    struct retype_args a;
    uint64_t detail;
    if (inv->label != MICA_UNTYPED_RETYPE)
        return inv_error(MICA_ERR_ILLEGAL_OPERATION, inv->label);
    int err = decode_retype(inv, &a, &detail);
    if (err)
        return inv_error(err, detail);
    return inv_done_or_preempted(retype(inv->slot, &a));
}
