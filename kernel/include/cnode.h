/*
 * CNode operations other objects need: deleting and revoking capabilities.
 */
#ifndef KERNEL_CNODE_H
#define KERNEL_CNODE_H

#include <cap.h>

/* Empty a slot. If it held the last capability to an object, the object is
 * destroyed (a CNode's own slots are emptied in turn, iteratively). */
void cte_delete(struct cte *slot);

/* Delete every capability derived from the one in `slot`; an untyped
 * capability with no children left is then reset (its memory is free). */
void cte_revoke(struct cte *slot);

/* Put `cap` into the empty slot `dest` as a child of `parent` (or a root). */
void cte_insert(struct cte *parent, struct cte *dest, const struct cap *cap);

/* Can a cap of this type be copied (Copy, Mint, IPC transfer)? */
bool cnode_cap_copyable(unsigned type);

/* The cap a copy of `src` starts as: never mapped, rights reduced. */
struct cap cnode_cap_derive(const struct cap *src, uint64_t rights);

#endif
