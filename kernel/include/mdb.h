/*
 * The capability derivation tree ("mapping database"). Pure pointer logic
 * over struct cte, host unit-tested (tests/unit/test_mdb.c).
 *
 * Invariants: a cap's children were derived from it; caps to one object
 * (copies) always form a contiguous run among their siblings, so whether a
 * cap is the last one to its object is decided by its neighbours alone.
 */
#ifndef KERNEL_MDB_H
#define KERNEL_MDB_H

#include <cap.h>
#include <stdbool.h>

/* Link `child` (not yet in any tree) as the first child of `parent`.
 * parent may be NULL: the child is then a root with no siblings. */
void mdb_insert_child(struct cte *parent, struct cte *child);

/* Unlink c; its children take its place, in order, under c's parent.
 * O(number of children): long operations hoist them first (below). */
void mdb_remove(struct cte *c);

/* Move c's first `max` children (or all, if fewer) out from under c: they
 * become siblings right before c, in order, under c's parent. Returns how
 * many moved. O(max); repeated until c is a leaf, then mdb_remove(c), it
 * leaves the tree as mdb_remove(c) alone would, in bounded steps. */
unsigned mdb_hoist_children(struct cte *c, unsigned max);

/* `to` (an unlinked slot) takes over `from`'s place in the tree; `from`
 * ends up unlinked. Children now point at `to`. */
void mdb_move(struct cte *from, struct cte *to);

static inline bool mdb_has_children(const struct cte *c) { return c->first_child != 0; }

/* Is c the only capability to its object? */
bool mdb_is_final(const struct cte *c);

/* A descendant of c with no children, or NULL if c has none. */
struct cte *mdb_leaf_descendant(const struct cte *c);

#endif
