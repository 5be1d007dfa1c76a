/*
 * CPtr resolution (see cspace.h). Each level consumes guard_bits + radix
 * bits (radix >= 1), so a 64-bit CPtr is resolved in at most 64 steps and a
 * CSpace that loops back on itself cannot make the kernel spin.
 */
#include <arch.h>
#include <bits.h>
#include <cspace.h>
#include <mica/cap.h>
#include <mica/errors.h>

struct cte *cnode_slots(const struct cap *cnode)
{
    return arch_phys_to_virt(cnode->paddr);
}

/* Bits [from - n, from) of x, counting from bit 0; n may be 0 or 64. */
static uint64_t bits_below(uint64_t x, unsigned from, unsigned n)
{
    if (n == 0)
        return 0;
    return (from - n >= 64 ? 0 : x >> (from - n)) & MASK(n);
}

static int fail(struct lookup *out, unsigned failure, unsigned bits_left)
{
    out->slot = 0;
    out->failure = failure;
    out->bits_left = bits_left;
    return MICA_ERR_LOOKUP_FAILED;
}

int cspace_lookup(const struct cap *root, uint64_t cptr, unsigned depth, bool exact,
                  struct lookup *out)
{
    if (depth < 1 || depth > MICA_WORD_BITS) {
        fail(out, MICA_LOOKUP_DEPTH_MISMATCH, depth);
        return MICA_ERR_RANGE;
    }
    if (root->type != CAP_CNODE)
        return fail(out, MICA_LOOKUP_INVALID_ROOT, depth);

    /* The common case in one step: a root CNode that resolves the whole
     * CPtr by itself (guard + radix = depth = 64, as the root task's). */
    if (depth == MICA_WORD_BITS && cspace_one_level(root)) {
        if (!(out->slot = cspace_one_level_slot(root, cptr)))
            return fail(out, MICA_LOOKUP_GUARD_MISMATCH, depth);
        out->failure = 0;
        out->bits_left = 0;
        return MICA_OK;
    }

    const struct cap *node = root;
    unsigned left = depth;
    for (;;) {
        unsigned radix = node->size_bits, guard_bits = node->guard_bits;
        if (guard_bits > left || bits_below(cptr, left, guard_bits) != node->word1)
            return fail(out, MICA_LOOKUP_GUARD_MISMATCH, left);
        if (guard_bits + radix > left)
            return fail(out, MICA_LOOKUP_DEPTH_MISMATCH, left);
        uint64_t index = bits_below(cptr, left - guard_bits, radix);
        struct cte *slot = &cnode_slots(node)[index];
        left -= guard_bits + radix;
        if (left == 0 || slot->cap.type != CAP_CNODE) {
            if (left != 0 && exact)
                return fail(out, slot->cap.type == CAP_NULL ? MICA_LOOKUP_MISSING_CAP
                                                            : MICA_LOOKUP_DEPTH_MISMATCH, left);
            out->slot = slot;
            out->failure = 0;
            out->bits_left = left;
            return MICA_OK;
        }
        node = &slot->cap;
    }
}
