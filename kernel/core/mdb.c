/*
 * The capability derivation tree (see mdb.h).
 *
 * Explicit parent/child/sibling links make every operation local: insert
 * and move are O(1), remove is O(children) to re-parent them (hoisting
 * re-parents a bounded number at a time, for preemptible deletion), and the
 * "final cap" question looks only at a cap's parent, first child and two
 * neighbours, thanks to the contiguity invariant.
 */
#include <mdb.h>

static void clear_links(struct cte *c)
{
    c->parent = c->first_child = c->next = c->prev = 0;
}

void mdb_insert_child(struct cte *parent, struct cte *child)
{
    clear_links(child);
    if (!parent)
        return;
    child->parent = parent;
    child->next = parent->first_child;
    if (child->next)
        child->next->prev = child;
    parent->first_child = child;
}

/* Replace c by the list of its children in c's sibling list. */
void mdb_remove(struct cte *c)
{
    struct cte *first = c->first_child, *last = first;
    for (struct cte *k = first; k; k = k->next) {
        k->parent = c->parent;
        last = k;
    }
    struct cte *before = c->prev, *after = c->next;
    if (first) {
        first->prev = before;
        last->next = after;
    } else {
        first = after; /* nothing to splice in: before links straight to after */
        last = before;
    }
    if (before)
        before->next = first;
    else if (c->parent)
        c->parent->first_child = first;
    if (after)
        after->prev = last;
    clear_links(c);
}

unsigned mdb_hoist_children(struct cte *c, unsigned max)
{
    struct cte *first = c->first_child, *last = first;
    if (!first || !max)
        return 0;
    unsigned n = 1;
    first->parent = c->parent;
    while (n < max && last->next) {
        last = last->next;
        last->parent = c->parent;
        n++;
    }
    c->first_child = last->next;
    if (c->first_child)
        c->first_child->prev = 0;
    /* Before c: a run of copies split between the hoisted block and c's
     * remaining children then meets at c (see mdb_is_final). */
    first->prev = c->prev;
    if (c->prev)
        c->prev->next = first;
    else if (c->parent)
        c->parent->first_child = first;
    last->next = c;
    c->prev = last;
    return n;
}

void mdb_move(struct cte *from, struct cte *to)
{
    to->parent = from->parent;
    to->first_child = from->first_child;
    to->next = from->next;
    to->prev = from->prev;
    if (to->prev)
        to->prev->next = to;
    else if (to->parent)
        to->parent->first_child = to;
    if (to->next)
        to->next->prev = to;
    for (struct cte *k = to->first_child; k; k = k->next)
        k->parent = to;
    clear_links(from);
}

bool mdb_is_final(const struct cte *c)
{
    const struct cap *cap = &c->cap;
    if (c->parent && cap_same_object(&c->parent->cap, cap))
        return false;
    if (c->first_child && cap_same_object(&c->first_child->cap, cap))
        return false;
    if (c->prev && cap_same_object(&c->prev->cap, cap))
        return false;
    if (c->next && cap_same_object(&c->next->cap, cap))
        return false;
    /* An untyped whose children are being hoisted (mdb_hoist_children)
     * may split a run of copies: its last hoisted child sits right before
     * it, the rest of the run starts its child list. (Any other parent's
     * children are copies of the parent itself, found above.) */
    const struct cte *n = c->next, *p = c->parent;
    if (n && n->cap.type == CAP_UNTYPED && n->first_child &&
        cap_same_object(&n->first_child->cap, cap))
        return false;
    if (!c->prev && p && p->cap.type == CAP_UNTYPED && p->prev &&
        cap_same_object(&p->prev->cap, cap))
        return false;
    return true;
}

struct cte *mdb_leaf_descendant(const struct cte *c)
{
    struct cte *d = c->first_child;
    if (!d)
        return 0;
    while (d->first_child)
        d = d->first_child;
    return d;
}
