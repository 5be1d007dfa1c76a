/*
 * CNode operations other objects need: deleting and revoking capabilities.
 */
#ifndef KERNEL_CNODE_H
#define KERNEL_CNODE_H

#include <cap.h>

/* Empty a slot. If it held the last capability to an object, the object is
 * destroyed (a CNode's own slots are emptied in turn, iteratively). May
 * stop at a preemption point (OP_PREEMPTED, preempt.h), the slot then
 * holding the cap with fewer children, or a zombie: calling it again on
 * the same slot goes on. */
int cte_delete(struct cte *slot);

/* cte_delete to the end, without preemption points: for kernel paths that
 * cannot be repeated, deleting caps whose destruction is short. */
void cte_delete_now(struct cte *slot);

/* Delete every capability derived from the one in `slot`; an untyped
 * capability with no children left is then reset (its memory is free).
 * May stop at a preemption point (OP_PREEMPTED); calling it again goes on. */
struct tcb;
int cte_revoke(struct cte *slot, struct tcb *caller);

/* Put `cap` into the empty slot `dest` as a child of `parent` (or a root). */
void cte_insert(struct cte *parent, struct cte *dest, const struct cap *cap);

/* Can a cap of this type be copied (Copy, Mint, IPC transfer)? */
bool cnode_cap_copyable(unsigned type);

/* The cap a copy of `src` starts as: never mapped, rights reduced. */
struct cap cnode_cap_derive(const struct cap *src, uint64_t rights);

#endif
