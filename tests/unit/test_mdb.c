/*
 * Host unit tests for kernel/core/mdb.c: the capability derivation tree
 * (insert, remove with children spliced into place, move, is_final,
 * leaf_descendant, hoist_children) and cap_same_object() from kernel/include/cap.h.
 *
 * The randomized test builds forests the way the kernel does (copies are
 * children of the cap they were copied from; objects retyped from an untyped
 * are its children and distinct objects) and checks every step against the
 * structural invariants, an independent list model of the tree, and a
 * brute-force "is this the last cap to its object" count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <bits.h>
#include <cap.h>
#include <mdb.h>
#include <mica/cap.h>

#define PAGE_BITS 12

/* ---- helpers ---------------------------------------------------------- */

static void set_cap(struct cte *c, unsigned type, uint64_t paddr, unsigned size_bits)
{
    memset(&c->cap, 0, sizeof c->cap);
    c->cap.type = (uint8_t)type;
    c->cap.rights = MICA_RIGHTS_ALL;
    c->cap.paddr = paddr;
    c->cap.size_bits = (uint8_t)size_bits;
}

/* A fresh slot holding `type` at paddr, with poisoned links: insert must
 * not trust whatever the slot held before. */
static void poison_links(struct cte *c, struct cte *junk)
{
    c->parent = c->first_child = c->next = c->prev = junk;
}

static void expect_unlinked(const struct cte *c)
{
    assert_null(c->parent);
    assert_null(c->first_child);
    assert_null(c->next);
    assert_null(c->prev);
}

/* parent's children are exactly want[0..n), in order, linked both ways. */
static void expect_children(const struct cte *parent, struct cte *const *want, unsigned n)
{
    if (n == 0) {
        assert_null(parent->first_child);
        return;
    }
    assert_ptr_equal(parent->first_child, want[0]);
    for (unsigned i = 0; i < n; i++) {
        assert_ptr_equal(want[i]->parent, parent);
        assert_ptr_equal(want[i]->prev, i ? want[i - 1] : NULL);
        assert_ptr_equal(want[i]->next, i + 1 < n ? want[i + 1] : NULL);
    }
}

#define EXPECT_CHILDREN(p, ...)                                                 \
    do {                                                                        \
        struct cte *const want_[] = { __VA_ARGS__ };                            \
        expect_children((p), want_, (unsigned)ARRAY_SIZE(want_));               \
    } while (0)

/* A parentless sibling list want[0..n), linked both ways. */
static void expect_root_list(struct cte *const *want, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        assert_null(want[i]->parent);
        assert_ptr_equal(want[i]->prev, i ? want[i - 1] : NULL);
        assert_ptr_equal(want[i]->next, i + 1 < n ? want[i + 1] : NULL);
    }
}

#define EXPECT_ROOT_LIST(...)                                                   \
    do {                                                                        \
        struct cte *const want_[] = { __VA_ARGS__ };                            \
        expect_root_list(want_, (unsigned)ARRAY_SIZE(want_));                   \
    } while (0)

/* Deterministic PRNG (xorshift64*) for the randomized test. */
static uint64_t rng_state;
static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}
static unsigned rng_below(unsigned n) { return n ? (unsigned)(rng() % n) : 0; }

/* ---- cap_same_object -------------------------------------------------- */

static void test_same_object_rules(void **state)
{
    (void)state;
    struct cte a = { 0 }, b = { 0 };
    set_cap(&a, CAP_ENDPOINT, 0x5000, 0);
    set_cap(&b, CAP_ENDPOINT, 0x5000, 0);
    assert_true(cap_same_object(&a.cap, &b.cap));
    /* Mint: different badge and rights, still the same object. */
    b.cap.word1 = 42;
    b.cap.rights = MICA_RIGHT_WRITE;
    assert_true(cap_same_object(&a.cap, &b.cap));
    assert_true(cap_same_object(&b.cap, &a.cap));
    /* Another address, type or size is another object. */
    b.cap.paddr = 0x6000;
    assert_false(cap_same_object(&a.cap, &b.cap));
    set_cap(&b, CAP_NOTIFICATION, 0x5000, 0);
    assert_false(cap_same_object(&a.cap, &b.cap));
    set_cap(&a, CAP_FRAME, 0x200000, PAGE_BITS);
    set_cap(&b, CAP_FRAME, 0x200000, 21);
    assert_false(cap_same_object(&a.cap, &b.cap));
    /* Untyped and null caps never share an object, not even with themselves. */
    set_cap(&a, CAP_UNTYPED, 0x100000, 20);
    b = a;
    assert_false(cap_same_object(&a.cap, &b.cap));
    assert_false(cap_same_object(&a.cap, &a.cap));
    set_cap(&a, CAP_NULL, 0, 0);
    b = a;
    assert_false(cap_same_object(&a.cap, &b.cap));
}

/* ---- insert ----------------------------------------------------------- */

static void test_insert_children_go_first(void **state)
{
    (void)state;
    struct cte p = { 0 }, a = { 0 }, b = { 0 }, c = { 0 }, junk = { 0 };
    set_cap(&p, CAP_UNTYPED, 0x100000, 20);
    mdb_insert_child(NULL, &p);
    expect_unlinked(&p);
    assert_false(mdb_has_children(&p));

    poison_links(&a, &junk);
    mdb_insert_child(&p, &a);
    EXPECT_CHILDREN(&p, &a);
    assert_null(a.first_child);
    assert_true(mdb_has_children(&p));

    poison_links(&b, &junk);
    mdb_insert_child(&p, &b);
    EXPECT_CHILDREN(&p, &b, &a);

    poison_links(&c, &junk);
    mdb_insert_child(&p, &c);
    EXPECT_CHILDREN(&p, &c, &b, &a);
    assert_null(b.first_child);
    assert_null(c.first_child);
    /* The parent itself is untouched. */
    assert_null(p.parent);
    assert_null(p.next);
    assert_null(p.prev);
}

static void test_insert_root_clears_stale_links(void **state)
{
    (void)state;
    struct cte r = { 0 }, junk = { 0 };
    set_cap(&r, CAP_TCB, 0x3000, 0);
    poison_links(&r, &junk);
    mdb_insert_child(NULL, &r);
    expect_unlinked(&r);
    assert_false(mdb_has_children(&r));
    assert_null(mdb_leaf_descendant(&r));
    /* The junk slot was not written through the stale links. */
    expect_unlinked(&junk);
}

static void test_insert_under_child_builds_grandchildren(void **state)
{
    (void)state;
    struct cte u = { 0 }, e = { 0 }, e2 = { 0 };
    set_cap(&u, CAP_UNTYPED, 0x100000, 16);
    set_cap(&e, CAP_ENDPOINT, 0x100000, 0);
    e2 = e;
    mdb_insert_child(NULL, &u);
    mdb_insert_child(&u, &e);
    mdb_insert_child(&e, &e2);
    EXPECT_CHILDREN(&u, &e);
    EXPECT_CHILDREN(&e, &e2);
    assert_null(e2.first_child);
}

/* ---- remove ----------------------------------------------------------- */

static void test_remove_only_leaf(void **state)
{
    (void)state;
    struct cte p = { 0 }, a = { 0 };
    mdb_insert_child(NULL, &p);
    mdb_insert_child(&p, &a);
    mdb_remove(&a);
    expect_unlinked(&a);
    expect_unlinked(&p);
}

static void test_remove_root_leaf(void **state)
{
    (void)state;
    struct cte r = { 0 };
    mdb_insert_child(NULL, &r);
    mdb_remove(&r);
    expect_unlinked(&r);
}

static void test_remove_middle_sibling(void **state)
{
    (void)state;
    struct cte p = { 0 }, a = { 0 }, b = { 0 }, c = { 0 };
    mdb_insert_child(NULL, &p);
    mdb_insert_child(&p, &c);
    mdb_insert_child(&p, &b);
    mdb_insert_child(&p, &a);
    EXPECT_CHILDREN(&p, &a, &b, &c);
    mdb_remove(&b);
    expect_unlinked(&b);
    EXPECT_CHILDREN(&p, &a, &c);
}

static void test_remove_last_sibling(void **state)
{
    (void)state;
    struct cte p = { 0 }, a = { 0 }, b = { 0 };
    mdb_insert_child(NULL, &p);
    mdb_insert_child(&p, &b);
    mdb_insert_child(&p, &a);
    mdb_remove(&b);
    expect_unlinked(&b);
    EXPECT_CHILDREN(&p, &a);
}

static void test_remove_first_child_updates_parent(void **state)
{
    (void)state;
    struct cte p = { 0 }, a = { 0 }, b = { 0 }, c = { 0 };
    mdb_insert_child(NULL, &p);
    mdb_insert_child(&p, &c);
    mdb_insert_child(&p, &b);
    mdb_insert_child(&p, &a);
    mdb_remove(&a);
    expect_unlinked(&a);
    EXPECT_CHILDREN(&p, &b, &c);
    mdb_remove(&b);
    EXPECT_CHILDREN(&p, &c);
    mdb_remove(&c);
    EXPECT_CHILDREN(&p);
}

static void test_remove_with_children_splices_them_in_place(void **state)
{
    (void)state;
    struct cte p = { 0 }, a = { 0 }, x = { 0 }, b = { 0 };
    struct cte k1 = { 0 }, k2 = { 0 }, k3 = { 0 }, g = { 0 };
    mdb_insert_child(NULL, &p);
    mdb_insert_child(&p, &b);
    mdb_insert_child(&p, &x);
    mdb_insert_child(&p, &a);
    mdb_insert_child(&x, &k3);
    mdb_insert_child(&x, &k2);
    mdb_insert_child(&x, &k1);
    mdb_insert_child(&k2, &g);
    EXPECT_CHILDREN(&p, &a, &x, &b);
    EXPECT_CHILDREN(&x, &k1, &k2, &k3);

    mdb_remove(&x);
    expect_unlinked(&x);
    EXPECT_CHILDREN(&p, &a, &k1, &k2, &k3, &b);
    /* Grandchildren stay where they were. */
    EXPECT_CHILDREN(&k2, &g);
    assert_null(k1.first_child);
    assert_null(k3.first_child);
}

static void test_remove_first_child_with_children(void **state)
{
    (void)state;
    struct cte p = { 0 }, x = { 0 }, b = { 0 }, k1 = { 0 }, k2 = { 0 };
    mdb_insert_child(NULL, &p);
    mdb_insert_child(&p, &b);
    mdb_insert_child(&p, &x);
    mdb_insert_child(&x, &k2);
    mdb_insert_child(&x, &k1);
    mdb_remove(&x);
    expect_unlinked(&x);
    EXPECT_CHILDREN(&p, &k1, &k2, &b);
}

static void test_remove_last_child_with_children(void **state)
{
    (void)state;
    struct cte p = { 0 }, a = { 0 }, x = { 0 }, k1 = { 0 }, k2 = { 0 };
    mdb_insert_child(NULL, &p);
    mdb_insert_child(&p, &x);
    mdb_insert_child(&p, &a);
    mdb_insert_child(&x, &k2);
    mdb_insert_child(&x, &k1);
    mdb_remove(&x);
    expect_unlinked(&x);
    EXPECT_CHILDREN(&p, &a, &k1, &k2);
}

static void test_remove_only_child_with_one_child(void **state)
{
    (void)state;
    struct cte p = { 0 }, x = { 0 }, k = { 0 };
    mdb_insert_child(NULL, &p);
    mdb_insert_child(&p, &x);
    mdb_insert_child(&x, &k);
    mdb_remove(&x);
    expect_unlinked(&x);
    EXPECT_CHILDREN(&p, &k);
    assert_null(k.first_child);
}

static void test_remove_root_with_children_makes_parentless_siblings(void **state)
{
    (void)state;
    struct cte r = { 0 }, k1 = { 0 }, k2 = { 0 }, k3 = { 0 }, g = { 0 };
    mdb_insert_child(NULL, &r);
    mdb_insert_child(&r, &k3);
    mdb_insert_child(&r, &k2);
    mdb_insert_child(&r, &k1);
    mdb_insert_child(&k1, &g);
    mdb_remove(&r);
    expect_unlinked(&r);
    EXPECT_ROOT_LIST(&k1, &k2, &k3);
    EXPECT_CHILDREN(&k1, &g);

    /* Removing from that parentless list keeps it consistent. */
    mdb_remove(&k2);
    expect_unlinked(&k2);
    EXPECT_ROOT_LIST(&k1, &k3);
    mdb_remove(&k1); /* g takes k1's place at the head */
    EXPECT_ROOT_LIST(&g, &k3);
    mdb_remove(&k3);
    EXPECT_ROOT_LIST(&g);
}

/* ---- move ------------------------------------------------------------- */

static void test_move_middle_with_children(void **state)
{
    (void)state;
    struct cte p = { 0 }, a = { 0 }, from = { 0 }, b = { 0 }, k1 = { 0 }, k2 = { 0 };
    struct cte to = { 0 };
    mdb_insert_child(NULL, &p);
    mdb_insert_child(&p, &b);
    mdb_insert_child(&p, &from);
    mdb_insert_child(&p, &a);
    mdb_insert_child(&from, &k2);
    mdb_insert_child(&from, &k1);

    mdb_move(&from, &to);
    expect_unlinked(&from);
    EXPECT_CHILDREN(&p, &a, &to, &b);
    EXPECT_CHILDREN(&to, &k1, &k2);
}

static void test_move_first_child_updates_parent(void **state)
{
    (void)state;
    struct cte p = { 0 }, from = { 0 }, b = { 0 }, to = { 0 };
    mdb_insert_child(NULL, &p);
    mdb_insert_child(&p, &b);
    mdb_insert_child(&p, &from);
    mdb_move(&from, &to);
    expect_unlinked(&from);
    EXPECT_CHILDREN(&p, &to, &b);
    assert_null(to.first_child);
}

static void test_move_last_and_only_child(void **state)
{
    (void)state;
    struct cte p = { 0 }, a = { 0 }, from = { 0 }, to = { 0 }, to2 = { 0 };
    mdb_insert_child(NULL, &p);
    mdb_insert_child(&p, &from);
    mdb_move(&from, &to);
    expect_unlinked(&from);
    EXPECT_CHILDREN(&p, &to);
    mdb_insert_child(&p, &a);
    mdb_move(&to, &to2);
    expect_unlinked(&to);
    EXPECT_CHILDREN(&p, &a, &to2);
}

static void test_move_root_with_children_and_back(void **state)
{
    (void)state;
    struct cte r = { 0 }, k1 = { 0 }, k2 = { 0 }, to = { 0 };
    mdb_insert_child(NULL, &r);
    mdb_insert_child(&r, &k2);
    mdb_insert_child(&r, &k1);
    mdb_move(&r, &to);
    expect_unlinked(&r);
    assert_null(to.parent);
    assert_null(to.prev);
    assert_null(to.next);
    EXPECT_CHILDREN(&to, &k1, &k2);
    /* Move back into the original slot. */
    mdb_move(&to, &r);
    expect_unlinked(&to);
    EXPECT_CHILDREN(&r, &k1, &k2);
    assert_null(r.parent);
}

static void test_move_in_parentless_sibling_list(void **state)
{
    (void)state;
    struct cte r = { 0 }, k1 = { 0 }, k2 = { 0 }, k3 = { 0 }, to = { 0 };
    mdb_insert_child(NULL, &r);
    mdb_insert_child(&r, &k3);
    mdb_insert_child(&r, &k2);
    mdb_insert_child(&r, &k1);
    mdb_remove(&r);
    mdb_move(&k2, &to);
    expect_unlinked(&k2);
    EXPECT_ROOT_LIST(&k1, &to, &k3);
}

/* ---- is_final --------------------------------------------------------- */

static void test_is_final_single_cap(void **state)
{
    (void)state;
    static const unsigned types[] = { CAP_UNTYPED, CAP_TCB, CAP_ENDPOINT, CAP_NOTIFICATION,
                                      CAP_CNODE, CAP_VSPACE, CAP_FRAME };
    for (unsigned i = 0; i < ARRAY_SIZE(types); i++) {
        struct cte c = { 0 };
        set_cap(&c, types[i], 0x10000, types[i] == CAP_UNTYPED ? 16 : 0);
        mdb_insert_child(NULL, &c);
        assert_true(mdb_is_final(&c));
    }
}

static void test_is_final_copy_as_child(void **state)
{
    (void)state;
    struct cte u = { 0 }, e = { 0 }, e2 = { 0 }, e3 = { 0 };
    set_cap(&u, CAP_UNTYPED, 0x100000, 16);
    set_cap(&e, CAP_ENDPOINT, 0x100000, 0);
    mdb_insert_child(NULL, &u);
    mdb_insert_child(&u, &e);
    assert_true(mdb_is_final(&e));
    assert_true(mdb_is_final(&u));

    e2 = e;
    e2.cap.word1 = 7; /* a mint with a badge */
    mdb_insert_child(&e, &e2);
    assert_false(mdb_is_final(&e));  /* its first child is a copy */
    assert_false(mdb_is_final(&e2)); /* its parent is a copy */
    assert_true(mdb_is_final(&u));

    /* A grandchild copy: the middle one sees both sides. */
    e3 = e2;
    mdb_insert_child(&e2, &e3);
    assert_false(mdb_is_final(&e3));
    assert_false(mdb_is_final(&e2));
    mdb_remove(&e2);
    EXPECT_CHILDREN(&e, &e3);
    assert_false(mdb_is_final(&e));
    assert_false(mdb_is_final(&e3));
    mdb_remove(&e);
    EXPECT_CHILDREN(&u, &e3);
    assert_true(mdb_is_final(&e3));
}

static void test_is_final_spliced_sibling_copies(void **state)
{
    (void)state;
    struct cte u = { 0 }, other = { 0 }, f = { 0 }, c1 = { 0 }, c2 = { 0 }, c3 = { 0 };
    set_cap(&u, CAP_UNTYPED, 0x200000, 21);
    set_cap(&other, CAP_ENDPOINT, 0x2ff000, 0);
    set_cap(&f, CAP_FRAME, 0x200000, PAGE_BITS);
    mdb_insert_child(NULL, &u);
    mdb_insert_child(&u, &other);
    mdb_insert_child(&u, &f);
    c1 = c2 = c3 = f;
    mdb_insert_child(&f, &c3);
    mdb_insert_child(&f, &c2);
    mdb_insert_child(&f, &c1);

    mdb_remove(&f); /* the original goes: the copies are now siblings */
    EXPECT_CHILDREN(&u, &c1, &c2, &c3, &other);
    assert_false(mdb_is_final(&c1)); /* next is a copy */
    assert_false(mdb_is_final(&c2)); /* both neighbours */
    assert_false(mdb_is_final(&c3)); /* prev is a copy, next is another object */
    assert_true(mdb_is_final(&other));

    mdb_remove(&c2);
    EXPECT_CHILDREN(&u, &c1, &c3, &other);
    assert_false(mdb_is_final(&c1));
    assert_false(mdb_is_final(&c3));

    mdb_remove(&c1);
    EXPECT_CHILDREN(&u, &c3, &other);
    assert_true(mdb_is_final(&c3));
}

static void test_is_final_untyped_never_shares(void **state)
{
    (void)state;
    struct cte u = { 0 }, u2 = { 0 }, u3 = { 0 };
    set_cap(&u, CAP_UNTYPED, 0x400000, 22);
    set_cap(&u2, CAP_UNTYPED, 0x400000, 22); /* same paddr and size as its parent */
    set_cap(&u3, CAP_UNTYPED, 0x400000, 21);
    mdb_insert_child(NULL, &u);
    mdb_insert_child(&u, &u2);
    assert_true(mdb_is_final(&u));
    assert_true(mdb_is_final(&u2));
    mdb_insert_child(&u2, &u3);
    assert_true(mdb_is_final(&u2));
    assert_true(mdb_is_final(&u3));
    /* Spliced as siblings, they still are distinct objects. */
    struct cte u4 = u3;
    mdb_insert_child(&u2, &u4);
    mdb_remove(&u2);
    EXPECT_CHILDREN(&u, &u4, &u3);
    assert_true(mdb_is_final(&u4));
    assert_true(mdb_is_final(&u3));
}

static void test_is_final_different_types_at_same_paddr(void **state)
{
    (void)state;
    struct cte u = { 0 }, cn = { 0 }, pt = { 0 }, fr = { 0 };
    set_cap(&u, CAP_UNTYPED, 0x800000, 16);
    set_cap(&cn, CAP_CNODE, 0x800000, 4);   /* retyped at the untyped's base */
    set_cap(&pt, CAP_PAGE_TABLE, 0x900000, PAGE_BITS);
    set_cap(&fr, CAP_FRAME, 0x900000, PAGE_BITS);
    mdb_insert_child(NULL, &u);
    mdb_insert_child(&u, &cn);
    assert_true(mdb_is_final(&u));
    assert_true(mdb_is_final(&cn));

    /* Neighbours with equal paddr but another type are other objects. */
    struct cte r = { 0 };
    set_cap(&r, CAP_UNTYPED, 0x900000, 16);
    mdb_insert_child(NULL, &r);
    mdb_insert_child(&r, &pt);
    mdb_insert_child(&r, &fr);
    EXPECT_CHILDREN(&r, &fr, &pt);
    assert_true(mdb_is_final(&fr));
    assert_true(mdb_is_final(&pt));

    /* Same type and paddr but another size: another object. */
    struct cte big = { 0 };
    set_cap(&big, CAP_FRAME, 0x900000, 21);
    mdb_insert_child(&fr, &big); /* not a kernel-made tree; is_final only compares */
    assert_true(mdb_is_final(&fr));
    assert_true(mdb_is_final(&big));
}

static void test_is_final_null_caps_are_never_copies(void **state)
{
    (void)state;
    struct cte a = { 0 }, b = { 0 };
    mdb_insert_child(NULL, &a);
    mdb_insert_child(&a, &b);
    assert_true(mdb_is_final(&a));
    assert_true(mdb_is_final(&b));
}

/* ---- hoist_children ---------------------------------------------------- */

static void test_hoist_none_and_zero(void **state)
{
    (void)state;
    struct cte r = { 0 }, a = { 0 };
    mdb_insert_child(NULL, &r);
    assert_int_equal(mdb_hoist_children(&r, 4), 0);
    mdb_insert_child(&r, &a);
    assert_int_equal(mdb_hoist_children(&r, 0), 0);
    assert_ptr_equal(r.first_child, &a);
}

static void test_hoist_some_then_rest_goes_before_in_order(void **state)
{
    (void)state;
    /* p: [x, c, y]; c: [k1, k2, k3]. */
    struct cte p = { 0 }, x = { 0 }, c = { 0 }, y = { 0 }, k1 = { 0 }, k2 = { 0 }, k3 = { 0 };
    mdb_insert_child(NULL, &p);
    mdb_insert_child(&p, &y);
    mdb_insert_child(&p, &c);
    mdb_insert_child(&p, &x);
    mdb_insert_child(&c, &k3);
    mdb_insert_child(&c, &k2);
    mdb_insert_child(&c, &k1);
    assert_int_equal(mdb_hoist_children(&c, 2), 2);
    struct cte *want1[] = { &x, &k1, &k2, &c, &y };
    expect_children(&p, want1, ARRAY_SIZE(want1));
    struct cte *left[] = { &k3 };
    expect_children(&c, left, 1);
    assert_int_equal(mdb_hoist_children(&c, 2), 1);
    struct cte *want2[] = { &x, &k1, &k2, &k3, &c, &y };
    expect_children(&p, want2, ARRAY_SIZE(want2));
    assert_null(c.first_child);
    /* c is a leaf now: removing it is what mdb_remove would have done at once. */
    mdb_remove(&c);
    struct cte *want3[] = { &x, &k1, &k2, &k3, &y };
    expect_children(&p, want3, ARRAY_SIZE(want3));
}

static void test_is_final_run_split_by_hoisting_from_untyped(void **state)
{
    (void)state;
    /* u (untyped) has children [f1, f2, f3], three caps to one frame. */
    struct cte v = { 0 }, u = { 0 }, f1 = { 0 }, f2 = { 0 }, f3 = { 0 };
    set_cap(&v, CAP_UNTYPED, 0x100000, 20);
    set_cap(&u, CAP_UNTYPED, 0x100000, 16);
    set_cap(&f1, CAP_FRAME, 0x100000, 12);
    f2.cap = f3.cap = f1.cap;
    mdb_insert_child(NULL, &v);
    mdb_insert_child(&v, &u);
    mdb_insert_child(&u, &f3);
    mdb_insert_child(&u, &f2);
    mdb_insert_child(&u, &f1);
    assert_int_equal(mdb_hoist_children(&u, 2), 2); /* v: [f1, f2, u]; u: [f3] */
    assert_false(mdb_is_final(&f2));
    assert_false(mdb_is_final(&f3));
    mdb_remove(&f1);
    assert_false(mdb_is_final(&f2)); /* only f2 before u, only f3 below it */
    assert_false(mdb_is_final(&f3));
    mdb_remove(&f2);
    assert_true(mdb_is_final(&f3));
}

static void test_hoist_chain_is_linear(void **state)
{
    (void)state;
    /* A chain of copies, revoked from the top as cte_revoke does: the
     * first child is hoisted from (once) or deleted. */
    static struct cte chain[1000];
    memset(chain, 0, sizeof chain);
    mdb_insert_child(NULL, &chain[0]);
    for (unsigned i = 1; i < ARRAY_SIZE(chain); i++)
        mdb_insert_child(&chain[i - 1], &chain[i]);
    unsigned steps = 0, deleted = 0;
    while (chain[0].first_child) {
        struct cte *c = chain[0].first_child;
        if (c->first_child)
            mdb_hoist_children(c, 8);
        else
            mdb_remove(c), deleted++;
        steps++;
    }
    assert_int_equal(deleted, ARRAY_SIZE(chain) - 1);
    assert_true(steps <= 2 * ARRAY_SIZE(chain));
}

static void test_hoist_from_parentless_root(void **state)
{
    (void)state;
    struct cte r = { 0 }, s2 = { 0 }, k1 = { 0 }, k2 = { 0 };
    mdb_insert_child(NULL, &r);
    mdb_insert_child(&r, &k2);
    mdb_insert_child(&r, &k1);
    r.next = &s2; /* a parentless sibling list, as removal of a root leaves */
    s2.prev = &r;
    assert_int_equal(mdb_hoist_children(&r, 8), 2);
    assert_null(k1.prev);
    assert_ptr_equal(k1.next, &k2);
    assert_ptr_equal(k2.next, &r);
    assert_ptr_equal(r.prev, &k2);
    assert_ptr_equal(r.next, &s2);
    assert_null(k1.parent);
    assert_null(k2.parent);
    assert_null(r.first_child);
}

/* ---- leaf_descendant -------------------------------------------------- */

static void test_leaf_descendant_none(void **state)
{
    (void)state;
    struct cte c = { 0 };
    mdb_insert_child(NULL, &c);
    assert_null(mdb_leaf_descendant(&c));
}

static void test_leaf_descendant_deep_chain(void **state)
{
    (void)state;
    struct cte chain[32];
    memset(chain, 0, sizeof chain);
    mdb_insert_child(NULL, &chain[0]);
    for (unsigned i = 1; i < ARRAY_SIZE(chain); i++)
        mdb_insert_child(&chain[i - 1], &chain[i]);
    for (unsigned i = 0; i + 1 < ARRAY_SIZE(chain); i++)
        assert_ptr_equal(mdb_leaf_descendant(&chain[i]), &chain[ARRAY_SIZE(chain) - 1]);
    assert_null(mdb_leaf_descendant(&chain[ARRAY_SIZE(chain) - 1]));
}

static void test_leaf_descendant_branching_returns_a_leaf_below(void **state)
{
    (void)state;
    struct cte r = { 0 }, a = { 0 }, b = { 0 }, a1 = { 0 }, a2 = { 0 }, b1 = { 0 };
    mdb_insert_child(NULL, &r);
    mdb_insert_child(&r, &b);
    mdb_insert_child(&r, &a);
    mdb_insert_child(&a, &a2);
    mdb_insert_child(&a, &a1);
    mdb_insert_child(&b, &b1);
    struct cte *l = mdb_leaf_descendant(&r);
    assert_non_null(l);
    assert_null(l->first_child);
    /* It really is below r. */
    const struct cte *up = l;
    while (up && up != &r)
        up = up->parent;
    assert_ptr_equal(up, &r);

    /* Revoke-style: deleting leaves one at a time empties the subtree. */
    unsigned n = 0;
    while ((l = mdb_leaf_descendant(&r))) {
        assert_null(l->first_child);
        mdb_remove(l);
        n++;
    }
    assert_int_equal(n, 5);
    expect_unlinked(&r);
}

/* ---- randomized forest ------------------------------------------------ */

#define NSLOTS 40
#define NLISTS (2 * NSLOTS)

static struct cte pool[NSLOTS];
static bool live[NSLOTS];

/* The model: every sibling list as an array. owner is the parent slot, or
 * -1 for a parentless list (roots, and children of removed roots). */
struct mlist {
    bool used;
    int owner;
    unsigned n;
    int items[NSLOTS];
};
static struct mlist lists[NLISTS];

static int idx(const struct cte *c) { return (int)(c - pool); }

static struct mlist *new_list(int owner)
{
    for (unsigned i = 0; i < NLISTS; i++)
        if (!lists[i].used) {
            lists[i] = (struct mlist){ .used = true, .owner = owner };
            return &lists[i];
        }
    fail_msg("model out of lists");
    return NULL;
}

static struct mlist *child_list(int owner)
{
    for (unsigned i = 0; i < NLISTS; i++)
        if (lists[i].used && lists[i].owner == owner && owner >= 0)
            return &lists[i];
    return NULL;
}

static struct mlist *list_of(int s, unsigned *pos)
{
    for (unsigned i = 0; i < NLISTS; i++)
        for (unsigned k = 0; lists[i].used && k < lists[i].n; k++)
            if (lists[i].items[k] == s) {
                *pos = k;
                return &lists[i];
            }
    fail_msg("slot %d is in no model list", s);
    return NULL;
}

static void model_insert(int parent, int child)
{
    struct mlist *l = parent >= 0 ? child_list(parent) : NULL;
    if (!l)
        l = new_list(parent);
    memmove(&l->items[1], &l->items[0], l->n * sizeof l->items[0]);
    l->items[0] = child;
    l->n++;
}

static void model_remove(int s)
{
    unsigned k;
    struct mlist *l = list_of(s, &k), *c = child_list(s);
    unsigned nc = c ? c->n : 0;
    int tail[NSLOTS];
    unsigned nt = l->n - k - 1;
    memcpy(tail, &l->items[k + 1], nt * sizeof tail[0]);
    for (unsigned i = 0; i < nc; i++)
        l->items[k + i] = c->items[i];
    memcpy(&l->items[k + nc], tail, nt * sizeof tail[0]);
    l->n = k + nc + nt;
    if (c)
        c->used = false;
    if (l->n == 0)
        l->used = false;
}

static void model_hoist(int s, unsigned n)
{
    unsigned k;
    struct mlist *l = list_of(s, &k), *c = child_list(s);
    if (!c)
        return;
    if (n > c->n)
        n = c->n;
    memmove(&l->items[k + n], &l->items[k], (l->n - k) * sizeof l->items[0]);
    memcpy(&l->items[k], c->items, n * sizeof c->items[0]);
    l->n += n;
    memmove(&c->items[0], &c->items[n], (c->n - n) * sizeof c->items[0]);
    c->n -= n;
    if (c->n == 0)
        c->used = false;
}

static void model_move(int from, int to)
{
    unsigned k;
    struct mlist *l = list_of(from, &k), *c = child_list(from);
    l->items[k] = to;
    if (c)
        c->owner = to;
}

static bool points_into_live(const struct cte *p)
{
    if (!p)
        return true;
    if (p < pool || p >= pool + NSLOTS)
        return false;
    return live[idx(p)];
}

/* Invariants that hold for any tree, checked from the links alone. */
static void check_structure(void)
{
    unsigned n_live = 0;
    for (int i = 0; i < NSLOTS; i++) {
        const struct cte *c = &pool[i];
        if (!live[i]) {
            expect_unlinked(c);
            continue;
        }
        n_live++;
        assert_true(points_into_live(c->parent));
        assert_true(points_into_live(c->first_child));
        assert_true(points_into_live(c->next));
        assert_true(points_into_live(c->prev));
        if (c->prev) {
            assert_ptr_equal(c->prev->next, c);
            assert_ptr_equal(c->prev->parent, c->parent);
        } else if (c->parent) {
            assert_ptr_equal(c->parent->first_child, c);
        }
        if (c->next) {
            assert_ptr_equal(c->next->prev, c);
            assert_ptr_equal(c->next->parent, c->parent);
        }
        if (c->first_child) {
            assert_ptr_equal(c->first_child->parent, c);
            assert_null(c->first_child->prev);
        }
        /* No cycle through parents. */
        unsigned up = 0;
        for (const struct cte *p = c->parent; p; p = p->parent)
            assert_true(++up < NSLOTS);
    }
    /* Every live slot is reached exactly once from the list heads. */
    unsigned seen[NSLOTS] = { 0 }, visited = 0;
    const struct cte *stack[NSLOTS + 1];
    for (int i = 0; i < NSLOTS; i++) {
        if (!live[i] || pool[i].parent || pool[i].prev)
            continue;
        unsigned sp = 0;
        stack[sp++] = &pool[i];
        while (sp) {
            const struct cte *head = stack[--sp];
            for (const struct cte *c = head; c; c = c->next) {
                assert_true(++visited <= n_live);
                assert_int_equal(seen[idx(c)]++, 0);
                if (c->first_child) {
                    assert_true(sp < ARRAY_SIZE(stack));
                    stack[sp++] = c->first_child;
                }
            }
        }
    }
    assert_int_equal(visited, n_live);
}

/* The links agree exactly with the model's lists. */
static void check_against_model(void)
{
    bool in_list[NSLOTS] = { false }, has_children[NSLOTS] = { false };
    for (unsigned i = 0; i < NLISTS; i++) {
        const struct mlist *l = &lists[i];
        if (!l->used)
            continue;
        const struct cte *parent = l->owner >= 0 ? &pool[l->owner] : NULL;
        if (parent) {
            assert_true(live[l->owner]);
            has_children[l->owner] = l->n > 0;
            assert_ptr_equal(parent->first_child, l->n ? &pool[l->items[0]] : NULL);
        }
        for (unsigned k = 0; k < l->n; k++) {
            const struct cte *c = &pool[l->items[k]];
            assert_true(live[l->items[k]]);
            assert_false(in_list[l->items[k]]);
            in_list[l->items[k]] = true;
            assert_ptr_equal(c->parent, parent);
            assert_ptr_equal(c->prev, k ? &pool[l->items[k - 1]] : NULL);
            assert_ptr_equal(c->next, k + 1 < l->n ? &pool[l->items[k + 1]] : NULL);
        }
    }
    for (int i = 0; i < NSLOTS; i++) {
        assert_int_equal(in_list[i], live[i]);
        if (live[i] && !has_children[i])
            assert_null(pool[i].first_child);
    }
}

/* The kernel's rules hold: children of a non-untyped cap are copies of it,
 * caps to one object are contiguous among siblings, and mdb_is_final()
 * agrees with a count over every live cap. */
static void check_object_rules(void)
{
    for (int i = 0; i < NSLOTS; i++) {
        if (!live[i])
            continue;
        const struct cte *c = &pool[i];
        if (c->parent && c->parent->cap.type != CAP_UNTYPED)
            assert_true(cap_same_object(&c->parent->cap, &c->cap));
        /* Contiguity: if c's object appears earlier in its list, it appears
         * right before c. */
        if (!c->prev || !cap_same_object(&c->prev->cap, &c->cap))
            for (const struct cte *p = c->prev; p; p = p->prev)
                assert_false(cap_same_object(&p->cap, &c->cap));
        unsigned others = 0;
        for (int j = 0; j < NSLOTS; j++)
            if (j != i && live[j] && cap_same_object(&pool[j].cap, &c->cap))
                others++;
        assert_int_equal(mdb_is_final(c), others == 0);
        const struct cte *l = mdb_leaf_descendant(c);
        if (c->first_child) {
            assert_non_null(l);
            assert_null(l->first_child);
            const struct cte *up = l;
            while (up && up != c)
                up = up->parent;
            assert_ptr_equal(up, c);
        } else {
            assert_null(l);
        }
    }
}

static int pick(bool want_live, int type_filter)
{
    int cand[NSLOTS], n = 0;
    for (int i = 0; i < NSLOTS; i++) {
        if (live[i] != want_live)
            continue;
        if (type_filter == 1 && pool[i].cap.type != CAP_UNTYPED)
            continue;
        if (type_filter == 2 && pool[i].cap.type == CAP_UNTYPED)
            continue;
        cand[n++] = i;
    }
    return n ? cand[rng_below((unsigned)n)] : -1;
}

static bool object_is_live(const struct cap *c)
{
    for (int i = 0; i < NSLOTS; i++)
        if (live[i] && cap_same_object(&pool[i].cap, c))
            return true;
    return false;
}

static uint64_t next_paddr;

/* A new object: a fresh address, or (sometimes) `base` if no live cap names
 * that object already (the kernel never creates a second one). */
static struct cap new_object(uint64_t base)
{
    static const unsigned types[] = { CAP_UNTYPED, CAP_UNTYPED, CAP_TCB, CAP_ENDPOINT,
                                      CAP_NOTIFICATION, CAP_CNODE, CAP_FRAME, CAP_PAGE_TABLE };
    struct cap c = { .type = (uint8_t)types[rng_below(ARRAY_SIZE(types))],
                     .rights = MICA_RIGHTS_ALL };
    c.size_bits = c.type == CAP_UNTYPED ? (uint8_t)(12 + rng_below(4))
                : c.type == CAP_CNODE   ? (uint8_t)(1 + rng_below(2))
                : c.type == CAP_FRAME   ? PAGE_BITS : 0;
    c.paddr = base;
    if (!base || rng_below(2) || object_is_live(&c)) {
        c.paddr = next_paddr;
        next_paddr += 0x10000;
    }
    return c;
}

static void test_random_forest_keeps_invariants(void **state)
{
    (void)state;
    memset(pool, 0, sizeof pool);
    memset(live, 0, sizeof live);
    memset(lists, 0, sizeof lists);
    rng_state = 0x9e3779b97f4a7c15ull;
    next_paddr = 0x1000000;
    unsigned counts[5] = { 0 };

    for (unsigned step = 0; step < 30000; step++) {
        unsigned op = rng_below(100);
        int s, d;
        if (op < 8) { /* a new root object (boot-time caps) */
            if ((d = pick(false, 0)) < 0)
                continue;
            pool[d].cap = new_object(0);
            poison_links(&pool[d], &pool[rng_below(NSLOTS)]);
            mdb_insert_child(NULL, &pool[d]);
            model_insert(-1, d);
            live[d] = true;
            counts[0]++;
        } else if (op < 35) { /* Copy/Mint: a child naming the same object */
            if ((s = pick(true, 2)) < 0 || (d = pick(false, 0)) < 0)
                continue;
            pool[d].cap = pool[s].cap;
            pool[d].cap.rights &= (uint8_t)rng_below(16);
            if (rng_below(2))
                pool[d].cap.word1 = rng();
            poison_links(&pool[d], &pool[rng_below(NSLOTS)]);
            mdb_insert_child(&pool[s], &pool[d]);
            model_insert(s, d);
            live[d] = true;
            counts[1]++;
        } else if (op < 55) { /* Retype: a child that is a new object */
            if ((s = pick(true, 1)) < 0 || (d = pick(false, 0)) < 0)
                continue;
            pool[d].cap = new_object(pool[s].cap.paddr);
            poison_links(&pool[d], &pool[rng_below(NSLOTS)]);
            mdb_insert_child(&pool[s], &pool[d]);
            model_insert(s, d);
            live[d] = true;
            counts[2]++;
        } else if (op < 85) { /* Delete: at once, or hoisting children a few at a time */
            if ((s = pick(true, 0)) < 0)
                continue;
            while (rng_below(2) && pool[s].first_child) {
                unsigned n = 1 + rng_below(3);
                assert_true(mdb_hoist_children(&pool[s], n) > 0);
                model_hoist(s, n);
                check_structure();
                check_against_model();
                check_object_rules();
            }
            mdb_remove(&pool[s]);
            model_remove(s);
            memset(&pool[s].cap, 0, sizeof pool[s].cap);
            live[s] = false;
            counts[3]++;
        } else { /* Move */
            if ((s = pick(true, 0)) < 0 || (d = pick(false, 0)) < 0)
                continue;
            pool[d].cap = pool[s].cap;
            mdb_move(&pool[s], &pool[d]);
            model_move(s, d);
            memset(&pool[s].cap, 0, sizeof pool[s].cap);
            live[s] = false;
            live[d] = true;
            counts[4]++;
        }
        check_structure();
        check_against_model();
        check_object_rules();
    }
    for (unsigned i = 0; i < ARRAY_SIZE(counts); i++)
        assert_true(counts[i] > 1000);
}

int main(void)
{
    const struct CMUnitTest mdb_tests[] = {
        cmocka_unit_test(test_same_object_rules),
        cmocka_unit_test(test_insert_children_go_first),
        cmocka_unit_test(test_insert_root_clears_stale_links),
        cmocka_unit_test(test_insert_under_child_builds_grandchildren),
        cmocka_unit_test(test_remove_only_leaf),
        cmocka_unit_test(test_remove_root_leaf),
        cmocka_unit_test(test_remove_middle_sibling),
        cmocka_unit_test(test_remove_last_sibling),
        cmocka_unit_test(test_remove_first_child_updates_parent),
        cmocka_unit_test(test_remove_with_children_splices_them_in_place),
        cmocka_unit_test(test_remove_first_child_with_children),
        cmocka_unit_test(test_remove_last_child_with_children),
        cmocka_unit_test(test_remove_only_child_with_one_child),
        cmocka_unit_test(test_remove_root_with_children_makes_parentless_siblings),
        cmocka_unit_test(test_move_middle_with_children),
        cmocka_unit_test(test_move_first_child_updates_parent),
        cmocka_unit_test(test_move_last_and_only_child),
        cmocka_unit_test(test_move_root_with_children_and_back),
        cmocka_unit_test(test_move_in_parentless_sibling_list),
        cmocka_unit_test(test_is_final_single_cap),
        cmocka_unit_test(test_is_final_copy_as_child),
        cmocka_unit_test(test_is_final_spliced_sibling_copies),
        cmocka_unit_test(test_is_final_untyped_never_shares),
        cmocka_unit_test(test_is_final_different_types_at_same_paddr),
        cmocka_unit_test(test_is_final_null_caps_are_never_copies),
        cmocka_unit_test(test_hoist_none_and_zero),
        cmocka_unit_test(test_hoist_some_then_rest_goes_before_in_order),
        cmocka_unit_test(test_is_final_run_split_by_hoisting_from_untyped),
        cmocka_unit_test(test_hoist_chain_is_linear),
        cmocka_unit_test(test_hoist_from_parentless_root),
        cmocka_unit_test(test_leaf_descendant_none),
        cmocka_unit_test(test_leaf_descendant_deep_chain),
        cmocka_unit_test(test_leaf_descendant_branching_returns_a_leaf_below),
        cmocka_unit_test(test_random_forest_keeps_invariants),
    };
    return cmocka_run_group_tests(mdb_tests, NULL, NULL);
}
