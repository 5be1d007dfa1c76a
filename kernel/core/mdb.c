/*
 * The capability derivation tree (see mdb.h).
 *
 * Explicit parent/child/sibling links make every operation local: insert
 * and move are O(1), remove is O(children) to re-parent them, and the
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
