/*
 * CPtr resolution through a tree of CNodes (docs/capabilities.md). Pure
 * logic, host unit-tested (tests/unit/test_cspace.c).
 */
#ifndef KERNEL_CSPACE_H
#define KERNEL_CSPACE_H

#include <arch.h>
#include <cap.h>
#include <stdint.h>

struct lookup {
    struct cte *slot;     /* the slot found, on success */
    unsigned failure;     /* enum mica_lookup_failure, on failure */
    unsigned bits_left;   /* CPtr bits not yet resolved where it stopped */
};

/* The slots of a CNode cap. */
struct cte *cnode_slots(const struct cap *cnode);

/*
 * Resolve the low `depth` bits of cptr (1 <= depth <= 64), most significant
 * first, starting at the CNode cap `root`.
 *   exact: the lookup must consume exactly `depth` bits, ending at a slot
 *          (CNode operations, which name slots);
 *   otherwise resolution stops early at the first slot that does not hold
 *          a CNode (invoking a cap: the rest of the CPtr is ignored).
 * Returns 0 and fills out->slot, or MICA_ERR_LOOKUP_FAILED / MICA_ERR_RANGE
 * with out->failure and out->bits_left set.
 */
int cspace_lookup(const struct cap *root, uint64_t cptr, unsigned depth, bool exact,
                  struct lookup *out);

/* Does the CNode cap `root` resolve a whole 64-bit CPtr by itself (guard +
 * radix = 64, as the root task's CSpace does)? Then a lookup of depth 64
 * takes one step: */
static inline bool cspace_one_level(const struct cap *root)
{
    return root->type == CAP_CNODE && root->guard_bits + root->size_bits == 64;
}
/* ... the slot cptr names in such a root, or NULL if the guard differs. */
static inline struct cte *cspace_one_level_slot(const struct cap *root, uint64_t cptr)
{
    if ((cptr >> root->size_bits) != root->word1)
        return 0;
    return &((struct cte *)arch_phys_to_virt(root->paddr))[cptr & ((1ull << root->size_bits) - 1)];
}

/* The MICA_ERR_LOOKUP_FAILED detail word for a failed lookup. */
static inline uint64_t lookup_detail(const struct lookup *l)
{
    return (uint64_t)l->failure | ((uint64_t)l->bits_left << 8);
}

#endif
