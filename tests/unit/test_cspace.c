/*
 * Host unit tests for kernel/core/cspace.c: CPtr resolution through CNodes
 * (radix, guard, depth, exact and non-exact lookups, every failure kind and
 * its bits_left), and lookup_detail() from kernel/include/cspace.h.
 *
 * CNodes are heap arrays of struct cte whose address is stored in the cap's
 * paddr; arch_phys_to_virt() below is the identity and counts its calls, so
 * a test can see how many levels a lookup walked. An alarm turns a lookup
 * that never terminates into a failure instead of a hang.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <arch.h>
#include <bits.h>
#include <cap.h>
#include <cspace.h>
#include <mica/cap.h>
#include <mica/errors.h>

/* ---- the one arch hook cspace.c needs --------------------------------- */

static unsigned phys_to_virt_calls;

void *arch_phys_to_virt(uint64_t paddr)
{
    phys_to_virt_calls++;
    return (void *)(uintptr_t)paddr;
}

/* ---- helpers ---------------------------------------------------------- */

#define MAX_NODES 64
static struct cte *nodes[MAX_NODES];
static unsigned n_nodes;

/* A zeroed CNode of 2^radix slots, freed after the test. */
static struct cte *new_cnode(unsigned radix)
{
    assert_true(n_nodes < MAX_NODES);
    size_t bytes = sizeof(struct cte) << radix;
    struct cte *s = aligned_alloc(sizeof(struct cte), bytes);
    assert_non_null(s);
    memset(s, 0, bytes);
    nodes[n_nodes++] = s;
    return s;
}

static int free_cnodes(void **state)
{
    (void)state;
    for (unsigned i = 0; i < n_nodes; i++)
        free(nodes[i]);
    n_nodes = 0;
    return 0;
}

static struct cap cnode_cap(const struct cte *slots, unsigned radix, unsigned guard_bits,
                            uint64_t guard)
{
    return (struct cap){ .type = CAP_CNODE, .rights = MICA_RIGHTS_ALL,
                         .size_bits = (uint8_t)radix, .guard_bits = (uint8_t)guard_bits,
                         .paddr = (uint64_t)(uintptr_t)slots, .word1 = guard };
}

static struct cap endpoint_cap(uint64_t paddr)
{
    return (struct cap){ .type = CAP_ENDPOINT, .rights = MICA_RIGHTS_ALL, .paddr = paddr };
}

/* Run a lookup with `out` pre-filled with junk, so every field is checked
 * to have been written. */
static int lookup(const struct cap *root, uint64_t cptr, unsigned depth, bool exact,
                  struct lookup *out)
{
    memset(out, 0xa5, sizeof *out);
    phys_to_virt_calls = 0;
    return cspace_lookup(root, cptr, depth, exact, out);
}

static void expect_found(const struct cap *root, uint64_t cptr, unsigned depth, bool exact,
                         const struct cte *want, unsigned bits_left)
{
    struct lookup l;
    assert_int_equal(lookup(root, cptr, depth, exact, &l), MICA_OK);
    assert_ptr_equal(l.slot, want);
    assert_int_equal(l.failure, 0);
    assert_int_equal(l.bits_left, bits_left);
}

static void expect_failure(const struct cap *root, uint64_t cptr, unsigned depth, bool exact,
                           unsigned failure, unsigned bits_left)
{
    struct lookup l;
    assert_int_equal(lookup(root, cptr, depth, exact, &l), MICA_ERR_LOOKUP_FAILED);
    assert_null(l.slot);
    assert_int_equal(l.failure, failure);
    assert_int_equal(l.bits_left, bits_left);
    assert_int_equal(lookup_detail(&l), (uint64_t)failure | (uint64_t)bits_left << 8);
}

/* Both modes behave the same for this lookup. */
static void expect_found_both(const struct cap *root, uint64_t cptr, unsigned depth,
                              const struct cte *want)
{
    expect_found(root, cptr, depth, true, want, 0);
    expect_found(root, cptr, depth, false, want, 0);
}

static void expect_failure_both(const struct cap *root, uint64_t cptr, unsigned depth,
                                unsigned failure, unsigned bits_left)
{
    expect_failure(root, cptr, depth, true, failure, bits_left);
    expect_failure(root, cptr, depth, false, failure, bits_left);
}

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

#define ROOT_BITS 12 /* MICA_ROOT_CNODE_BITS: the kernel's initial CSpace */

/* ---- single level: the initial CSpace --------------------------------- */

static void test_root_cnode_cptr_is_slot_index(void **state)
{
    (void)state;
    struct cte *slots = new_cnode(ROOT_BITS);
    struct cap root = cnode_cap(slots, ROOT_BITS, 64 - ROOT_BITS, 0);
    for (uint64_t i = 0; i < (1u << ROOT_BITS); i++) {
        slots[i].cap = endpoint_cap(0x1000 * (i + 1));
        expect_found_both(&root, i, 64, &slots[i]);
        assert_int_equal(phys_to_virt_calls, 1);
    }
    /* Empty slots are found too (naming a destination slot). */
    memset(&slots[7].cap, 0, sizeof slots[7].cap);
    expect_found_both(&root, 7, 64, &slots[7]);
}

static void test_cnode_cap_in_last_slot_is_not_entered(void **state)
{
    (void)state;
    struct cte *slots = new_cnode(ROOT_BITS), *inner = new_cnode(2);
    struct cap root = cnode_cap(slots, ROOT_BITS, 64 - ROOT_BITS, 0);
    slots[1].cap = cnode_cap(inner, 2, 0, 0);
    /* All bits are used up at the root: the slot holding the CNode is the answer. */
    expect_found_both(&root, 1, 64, &slots[1]);
    assert_int_equal(phys_to_virt_calls, 1);
    /* The root slot holding a cap to the root itself: same. */
    slots[2].cap = root;
    expect_found_both(&root, 2, 64, &slots[2]);
}

static void test_root_guard_mismatch_on_high_bits(void **state)
{
    (void)state;
    struct cte *slots = new_cnode(ROOT_BITS);
    struct cap root = cnode_cap(slots, ROOT_BITS, 64 - ROOT_BITS, 0);
    static const uint64_t bad[] = {
        1ull << ROOT_BITS, (1ull << ROOT_BITS) | 5, 1ull << 40, 1ull << 63, UINT64_MAX,
        0xffffffffffff000ull, 0x8000000000000fffull,
    };
    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++)
        expect_failure_both(&root, bad[i], 64, MICA_LOOKUP_GUARD_MISMATCH, 64);
    for (unsigned b = ROOT_BITS; b < 64; b++)
        expect_failure_both(&root, (1ull << b) | 3, 64, MICA_LOOKUP_GUARD_MISMATCH, 64);
}

static void test_nonzero_guard_value(void **state)
{
    (void)state;
    struct cte *slots = new_cnode(4);
    struct cap root = cnode_cap(slots, 4, 4, 0xa);
    expect_found_both(&root, 0xa3, 8, &slots[3]);
    expect_found_both(&root, 0xaf, 8, &slots[15]);
    expect_failure_both(&root, 0xb3, 8, MICA_LOOKUP_GUARD_MISMATCH, 8);
    expect_failure_both(&root, 0x23, 8, MICA_LOOKUP_GUARD_MISMATCH, 8);
    expect_failure_both(&root, 0x03, 8, MICA_LOOKUP_GUARD_MISMATCH, 8);
    /* Only the low `depth` bits of the CPtr are resolved (from their most
     * significant end); bits above `depth` are ignored. */
    expect_found_both(&root, 0xff00 | 0xa3, 8, &slots[3]);
    expect_found_both(&root, 0xffffffffffffffa3ull, 8, &slots[3]);
}

/* ---- two levels ------------------------------------------------------- */

/* Root: 40-bit guard 0, radix 8. Its slot 0x25 holds L2: 6-bit guard 0x2a,
 * radix 10. 40 + 8 + 6 + 10 = 64 bits. */
#define L1_IDX   0x25u
#define L2_GUARD 0x2au
static uint64_t two_level_cptr(uint64_t guard2, uint64_t idx2)
{
    return ((uint64_t)L1_IDX << 16) | (guard2 << 10) | idx2;
}

static void build_two_level(struct cap *root, struct cte **l1, struct cte **l2)
{
    *l1 = new_cnode(8);
    *l2 = new_cnode(10);
    *root = cnode_cap(*l1, 8, 40, 0);
    (*l1)[L1_IDX].cap = cnode_cap(*l2, 10, 6, L2_GUARD);
    (*l1)[3].cap = endpoint_cap(0x3000);
    (*l2)[0x3ff].cap = endpoint_cap(0x4000);
}

static void test_two_level_exact_depth(void **state)
{
    (void)state;
    struct cap root;
    struct cte *l1, *l2;
    build_two_level(&root, &l1, &l2);

    expect_found_both(&root, two_level_cptr(L2_GUARD, 0x3ff), 64, &l2[0x3ff]);
    assert_int_equal(phys_to_virt_calls, 2);
    /* An empty slot of L2 at the exact depth is found as well. */
    expect_found_both(&root, two_level_cptr(L2_GUARD, 0), 64, &l2[0]);
    expect_found_both(&root, two_level_cptr(L2_GUARD, 0x155), 64, &l2[0x155]);
    /* Depth 48 ends at the root slot holding the L2 cap: that slot itself. */
    expect_found_both(&root, L1_IDX, 48, &l1[L1_IDX]);
    assert_int_equal(phys_to_virt_calls, 1);
    /* ... and at another root slot. */
    expect_found_both(&root, 3, 48, &l1[3]);
}

static void test_two_level_failures_report_bits_left(void **state)
{
    (void)state;
    struct cap root;
    struct cte *l1, *l2;
    build_two_level(&root, &l1, &l2);

    /* L2's guard wrong: 16 bits were left on reaching it. */
    expect_failure_both(&root, two_level_cptr(0x2b, 1), 64, MICA_LOOKUP_GUARD_MISMATCH, 16);
    expect_failure_both(&root, two_level_cptr(0, 1), 64, MICA_LOOKUP_GUARD_MISMATCH, 16);
    /* Depth 60: 12 bits left at L2, guard (6) fits, guard + radix (16) does not. */
    expect_failure_both(&root, two_level_cptr(L2_GUARD, 0x3ff) >> 4, 60,
                        MICA_LOOKUP_DEPTH_MISMATCH, 12);
    /* Depth 50: 2 bits left at L2, fewer than its guard. */
    expect_failure_both(&root, two_level_cptr(L2_GUARD, 0) >> 14, 50,
                        MICA_LOOKUP_GUARD_MISMATCH, 2);
    /* Depth 54: exactly L2's guard is left; guard matches, no radix bits. */
    expect_failure_both(&root, two_level_cptr(L2_GUARD, 0) >> 10, 54,
                        MICA_LOOKUP_DEPTH_MISMATCH, 6);
    expect_failure_both(&root, two_level_cptr(0x15, 0) >> 10, 54,
                        MICA_LOOKUP_GUARD_MISMATCH, 6);
}

static void test_deep_chain_of_eight_levels(void **state)
{
    (void)state;
    struct cte *lv[8];
    for (unsigned i = 0; i < 8; i++)
        lv[i] = new_cnode(8);
    for (unsigned i = 0; i + 1 < 8; i++)
        lv[i][i + 1].cap = cnode_cap(lv[i + 1], 8, 0, 0);
    lv[7][0x77].cap = endpoint_cap(0x7000);
    struct cap root = cnode_cap(lv[0], 8, 0, 0);
    uint64_t cptr = 0x0102030405060777ull;
    expect_found_both(&root, cptr, 64, &lv[7][0x77]);
    assert_int_equal(phys_to_virt_calls, 8);
    /* Every level boundary names the slot there. */
    for (unsigned d = 8; d < 64; d += 8)
        expect_found_both(&root, cptr >> (64 - d), d, &lv[d / 8 - 1][d / 8]);
    /* In between, the next level cannot consume its radix. */
    expect_failure_both(&root, cptr >> 4, 60, MICA_LOOKUP_DEPTH_MISMATCH, 4);
}

/* ---- stopping early --------------------------------------------------- */

/* Root without guard, radix 4: slot 1 an endpoint, slot 2 empty, slot 3 a
 * zombie (a CNode being destroyed), slot 4 a CNode of radix 4. */
static struct cap build_mixed(struct cte **slots, struct cte **inner)
{
    *slots = new_cnode(4);
    *inner = new_cnode(4);
    (*slots)[1].cap = endpoint_cap(0x1000);
    (*slots)[3].cap = (struct cap){ .type = CAP_ZOMBIE, .size_bits = 4,
                                    .paddr = (uint64_t)(uintptr_t)*inner };
    (*slots)[4].cap = cnode_cap(*inner, 4, 0, 0);
    (*inner)[9].cap = endpoint_cap(0x9000);
    return cnode_cap(*slots, 4, 0, 0);
}

static void test_exact_lookup_ending_early(void **state)
{
    (void)state;
    struct cte *slots, *inner;
    struct cap root = build_mixed(&slots, &inner);
    /* A non-CNode with bits left: the depth does not end at a slot. */
    expect_failure(&root, 0x19, 8, true, MICA_LOOKUP_DEPTH_MISMATCH, 4);
    expect_failure(&root, 0x3, 5, true, MICA_LOOKUP_DEPTH_MISMATCH, 1);
    expect_failure(&root, 0x1000000000000000ull, 64, true, MICA_LOOKUP_DEPTH_MISMATCH, 60);
    /* An empty slot with bits left: nothing there. */
    expect_failure(&root, 0x29, 8, true, MICA_LOOKUP_MISSING_CAP, 4);
    expect_failure(&root, 0x2000000000000000ull, 64, true, MICA_LOOKUP_MISSING_CAP, 60);
    /* A zombie is not a CNode to walk through. */
    expect_failure(&root, 0x39, 8, true, MICA_LOOKUP_DEPTH_MISMATCH, 4);
    /* The CNode in slot 4 is entered. */
    expect_found_both(&root, 0x49, 8, &inner[9]);
    expect_failure(&root, 0x9, 5, true, MICA_LOOKUP_DEPTH_MISMATCH, 1);
}

static void test_non_exact_lookup_stops_at_first_non_cnode(void **state)
{
    (void)state;
    struct cte *slots, *inner;
    struct cap root = build_mixed(&slots, &inner);
    /* The remaining CPtr bits are ignored, whatever they are. */
    expect_found(&root, 0x19, 8, false, &slots[1], 4);
    expect_found(&root, 0x1f, 8, false, &slots[1], 4);
    expect_found(&root, 0x1000000000000000ull, 64, false, &slots[1], 60);
    expect_found(&root, 0x1fffffffffffffffull, 64, false, &slots[1], 60);
    expect_found(&root, 0x3, 5, false, &slots[1], 1);
    /* An empty slot is where it stops, too (the caller finds it empty). */
    expect_found(&root, 0x29, 8, false, &slots[2], 4);
    expect_found(&root, 0x39, 8, false, &slots[3], 4);
    /* Through the inner CNode to its endpoint, with 56 bits to spare. */
    expect_found(&root, 0x4900000000000000ull, 64, false, &inner[9], 56);
    assert_int_equal(phys_to_virt_calls, 2);
    /* The inner CNode still needs its radix: not enough bits is a failure. */
    expect_failure(&root, 0x9, 5, false, MICA_LOOKUP_DEPTH_MISMATCH, 1);
}

/* ---- depth limits ----------------------------------------------------- */

static void test_depth_out_of_range(void **state)
{
    (void)state;
    struct cte *slots = new_cnode(ROOT_BITS);
    struct cap root = cnode_cap(slots, ROOT_BITS, 64 - ROOT_BITS, 0);
    struct cap not_cnode = endpoint_cap(0x1000);
    static const unsigned depths[] = { 0, 65, 128, 255, 256, 1000, UINT32_MAX };
    for (unsigned i = 0; i < ARRAY_SIZE(depths); i++)
        for (int exact = 0; exact < 2; exact++) {
            struct lookup l;
            assert_int_equal(lookup(&root, 0, depths[i], exact, &l), MICA_ERR_RANGE);
            assert_null(l.slot);
            assert_int_equal(l.failure, MICA_LOOKUP_DEPTH_MISMATCH);
            assert_int_equal(l.bits_left, depths[i]);
            assert_int_equal(phys_to_virt_calls, 0);
            /* The depth is checked before the root. */
            assert_int_equal(lookup(&not_cnode, 0, depths[i], exact, &l), MICA_ERR_RANGE);
            assert_null(l.slot);
        }
}

static void test_depth_below_first_level(void **state)
{
    (void)state;
    struct cte *slots = new_cnode(ROOT_BITS);
    struct cap root = cnode_cap(slots, ROOT_BITS, 64 - ROOT_BITS, 0);
    /* Fewer bits than the guard: the guard cannot match. */
    for (unsigned d = 1; d < 64 - ROOT_BITS; d++)
        expect_failure_both(&root, 0, d, MICA_LOOKUP_GUARD_MISMATCH, d);
    /* The whole guard fits (and matches) but not the radix. */
    for (unsigned d = 64 - ROOT_BITS; d < 64; d++)
        expect_failure_both(&root, 0, d, MICA_LOOKUP_DEPTH_MISMATCH, d);
    /* ... unless it does not match: the guard is checked first. */
    for (unsigned d = 64 - ROOT_BITS; d < 64; d++)
        expect_failure_both(&root, 1ull << (d - 1), d, MICA_LOOKUP_GUARD_MISMATCH, d);
    assert_int_equal(phys_to_virt_calls, 0);

    /* Without a guard, too few bits for the radix is a depth mismatch. */
    struct cte *small = new_cnode(4);
    struct cap r4 = cnode_cap(small, 4, 0, 0);
    for (unsigned d = 1; d < 4; d++)
        expect_failure_both(&r4, 0, d, MICA_LOOKUP_DEPTH_MISMATCH, d);
    expect_found_both(&r4, 0xf, 4, &small[15]);
    expect_found_both(&r4, 0xfff5, 4, &small[5]);
}

static void test_invalid_root(void **state)
{
    (void)state;
    struct cte *slots = new_cnode(2);
    static const unsigned types[] = { CAP_NULL, CAP_UNTYPED, CAP_TCB, CAP_ENDPOINT,
                                      CAP_NOTIFICATION, CAP_FRAME, CAP_ZOMBIE };
    for (unsigned i = 0; i < ARRAY_SIZE(types); i++) {
        /* Even with every CNode field set, only the type counts. */
        struct cap c = cnode_cap(slots, 2, 0, 0);
        c.type = (uint8_t)types[i];
        expect_failure_both(&c, 0, 64, MICA_LOOKUP_INVALID_ROOT, 64);
        expect_failure_both(&c, 3, 2, MICA_LOOKUP_INVALID_ROOT, 2);
        expect_failure_both(&c, 0, 1, MICA_LOOKUP_INVALID_ROOT, 1);
        assert_int_equal(phys_to_virt_calls, 0);
    }
}

/* ---- cycles ----------------------------------------------------------- */

static void test_self_cycle_radix_4_terminates(void **state)
{
    (void)state;
    struct cte *s = new_cnode(4);
    struct cap root = cnode_cap(s, 4, 0, 0);
    s[0].cap = root;
    s[5].cap = root;
    /* 16 levels of 4 bits each, ending exactly at a slot. */
    expect_found_both(&root, 0, 64, &s[0]);
    assert_int_equal(phys_to_virt_calls, 16);
    expect_found_both(&root, 0x5555555555555555ull, 64, &s[5]);
    expect_found_both(&root, 0x5555555555555553ull, 64, &s[3]);
    /* Leaving the cycle at an empty slot with bits to go. */
    expect_failure(&root, 0x5553000000000000ull, 64, true, MICA_LOOKUP_MISSING_CAP, 48);
    expect_found(&root, 0x5553000000000000ull, 64, false, &s[3], 48);
}

static void test_self_cycle_radix_1_walks_64_levels(void **state)
{
    (void)state;
    struct cte *s = new_cnode(1); /* MICA_CNODE_MIN_BITS */
    struct cap root = cnode_cap(s, 1, 0, 0);
    s[1].cap = root;
    expect_found_both(&root, UINT64_MAX, 64, &s[1]);
    assert_int_equal(phys_to_virt_calls, 64);
    expect_found_both(&root, UINT64_MAX - 1, 64, &s[0]);
    assert_int_equal(phys_to_virt_calls, 64);
    expect_failure(&root, 1ull << 63, 64, true, MICA_LOOKUP_MISSING_CAP, 62);
    s[0].cap = root;
    expect_found_both(&root, 0x0123456789abcdefull, 64, &s[1]);
    assert_int_equal(phys_to_virt_calls, 64);
}

static void test_cycles_that_do_not_divide_64_end_in_depth_mismatch(void **state)
{
    (void)state;
    /* Radix 3: 21 levels use 63 bits, one bit is left. */
    struct cte *s = new_cnode(3);
    struct cap root = cnode_cap(s, 3, 0, 0);
    s[0].cap = root;
    expect_failure_both(&root, 0, 64, MICA_LOOKUP_DEPTH_MISMATCH, 1);
    assert_int_equal(phys_to_virt_calls, 21);

    /* 2-bit guard + radix 3: 12 levels use 60 bits, then guard fits but radix not. */
    struct cte *g = new_cnode(3);
    struct cap groot = cnode_cap(g, 3, 2, 0);
    g[0].cap = groot;
    expect_failure_both(&groot, 0, 64, MICA_LOOKUP_DEPTH_MISMATCH, 4);
    assert_int_equal(phys_to_virt_calls, 12);
    /* The same CPtr with a guard bit set on the 5th level. */
    expect_failure_both(&groot, 1ull << (64 - 4 * 5 - 1), 64, MICA_LOOKUP_GUARD_MISMATCH, 44);

    /* Two CNodes pointing at each other: A (radix 2) -> B (radix 3) -> A ...
     * 12 pairs use 60 bits; A takes 2 more; B cannot take 3 of the last 2. */
    struct cte *a = new_cnode(2), *b = new_cnode(3);
    struct cap ca = cnode_cap(a, 2, 0, 0), cb = cnode_cap(b, 3, 0, 0);
    a[1].cap = cb;
    b[2].cap = ca;
    uint64_t cptr = 0;
    for (unsigned i = 0; i < 12; i++)
        cptr = (cptr << 5) | (1u << 3) | 2u; /* A picks 1, B picks 2: 60 bits */
    cptr = (cptr << 2) | 1u;                 /* A once more: 62 bits */
    cptr <<= 2;                              /* 2 bits left for B */
    expect_failure_both(&ca, cptr, 64, MICA_LOOKUP_DEPTH_MISMATCH, 2);
    assert_int_equal(phys_to_virt_calls, 25);
}

/* ---- full-width guards ------------------------------------------------ */

static void test_guard_of_64_minus_radix_bits(void **state)
{
    (void)state;
    static const unsigned radixes[] = { 1, 2, 4, 8, 12 };
    rng_state = 0x243f6a8885a308d3ull;
    for (unsigned r = 0; r < ARRAY_SIZE(radixes); r++) {
        unsigned radix = radixes[r], gbits = 64 - radix;
        struct cte *s = new_cnode(radix);
        for (unsigned trial = 0; trial < 8; trial++) {
            uint64_t guard = trial == 0 ? 0 : trial == 1 ? MASK(gbits) : rng() & MASK(gbits);
            struct cap root = cnode_cap(s, radix, gbits, guard);
            uint64_t idx = rng() & MASK(radix);
            uint64_t cptr = (guard << radix) | idx;
            expect_found_both(&root, cptr, 64, &s[idx]);
            /* Any single guard bit flipped is a mismatch at full depth. */
            for (unsigned b = radix; b < 64; b++)
                expect_failure_both(&root, cptr ^ (1ull << b), 64, MICA_LOOKUP_GUARD_MISMATCH,
                                    64);
            /* Index bits flipped: another slot. */
            for (unsigned b = 0; b < radix; b++)
                expect_found_both(&root, cptr ^ (1ull << b), 64, &s[idx ^ (1ull << b)]);
        }
    }
}

/* ---- lookup_detail ---------------------------------------------------- */

static void test_lookup_detail_encoding(void **state)
{
    (void)state;
    static const unsigned failures[] = { MICA_LOOKUP_INVALID_ROOT, MICA_LOOKUP_MISSING_CAP,
                                         MICA_LOOKUP_DEPTH_MISMATCH,
                                         MICA_LOOKUP_GUARD_MISMATCH };
    for (unsigned f = 0; f < ARRAY_SIZE(failures); f++)
        for (unsigned left = 0; left <= 64; left++) {
            struct lookup l = { .slot = NULL, .failure = failures[f], .bits_left = left };
            uint64_t v = lookup_detail(&l);
            assert_int_equal(v, failures[f] + 256ull * left);
            assert_int_equal(MICA_LOOKUP_KIND(v), failures[f]);
            assert_int_equal(MICA_LOOKUP_BITS_LEFT(v), left);
            assert_int_equal(v >> 16, 0);
        }

    /* From real lookups. */
    struct cap root;
    struct cte *l1, *l2;
    build_two_level(&root, &l1, &l2);
    struct lookup l;
    assert_int_equal(lookup(&root, two_level_cptr(0x2b, 1), 64, false, &l),
                     MICA_ERR_LOOKUP_FAILED);
    assert_int_equal(lookup_detail(&l), 0x1004);
    assert_int_equal(MICA_LOOKUP_KIND(lookup_detail(&l)), MICA_LOOKUP_GUARD_MISMATCH);
    assert_int_equal(MICA_LOOKUP_BITS_LEFT(lookup_detail(&l)), 16);
    assert_int_equal(lookup(&root, 1ull << 63, 64, true, &l), MICA_ERR_LOOKUP_FAILED);
    assert_int_equal(lookup_detail(&l), MICA_LOOKUP_GUARD_MISMATCH | (64u << 8));
    struct cap ep = endpoint_cap(0x1000);
    assert_int_equal(lookup(&ep, 0, 64, false, &l), MICA_ERR_LOOKUP_FAILED);
    assert_int_equal(lookup_detail(&l), MICA_LOOKUP_INVALID_ROOT | (64u << 8));
}

/* ---- randomized paths ------------------------------------------------- */

/* A random chain of CNodes with random radix and guards; a CPtr built along
 * it resolves to the end, every prefix ending at a level names that level's
 * slot, and each single-bit change fails (or lands) exactly where the model
 * says. */
static void test_random_paths(void **state)
{
    (void)state;
    rng_state = 0x13198a2e03707344ull;
    for (unsigned trial = 0; trial < 200; trial++) {
        free_cnodes(NULL);
        enum { MAXL = 10 };
        unsigned radix[MAXL], gbits[MAXL], end[MAXL], n = 0, total = 0;
        uint64_t guard[MAXL], idx[MAXL];
        struct cte *node[MAXL];
        /* Levels until the bits run out (at least one level). */
        while (n < MAXL) {
            unsigned r = 1 + rng_below(6), g = rng_below(3) ? rng_below(9) : 0;
            if (total + r + g > 64 || (n > 0 && rng_below(4) == 0))
                break;
            radix[n] = r;
            gbits[n] = g;
            guard[n] = g ? rng() & MASK(g) : 0;
            idx[n] = rng() & MASK(r);
            node[n] = new_cnode(r);
            total += r + g;
            end[n] = total;
            n++;
        }
        assert_true(n >= 1);
        for (unsigned i = 0; i + 1 < n; i++)
            node[i][idx[i]].cap = cnode_cap(node[i + 1], radix[i + 1], gbits[i + 1], guard[i + 1]);
        node[n - 1][idx[n - 1]].cap = endpoint_cap(0x1000);
        struct cap root = cnode_cap(node[0], radix[0], gbits[0], guard[0]);

        uint64_t cptr = 0;
        for (unsigned i = 0; i < n; i++) {
            if (gbits[i])
                cptr = (cptr << gbits[i]) | guard[i];
            cptr = (cptr << radix[i]) | idx[i];
        }
        /* Junk above the depth is ignored. */
        uint64_t junk = total < 64 ? rng() << total : 0;

        expect_found_both(&root, cptr | junk, total, &node[n - 1][idx[n - 1]]);
        assert_int_equal(phys_to_virt_calls, n);
        for (unsigned i = 0; i + 1 < n; i++)
            expect_found_both(&root, cptr >> (total - end[i]), end[i], &node[i][idx[i]]);
        if (total < 64) {
            /* A full-width CPtr: non-exact stops at the endpoint, bits to spare. */
            uint64_t wide = (cptr << (64 - total)) | (rng() & MASK(64 - total));
            expect_found(&root, wide, 64, false, &node[n - 1][idx[n - 1]], 64 - total);
            expect_failure(&root, wide, 64, true, MICA_LOOKUP_DEPTH_MISMATCH, 64 - total);
        }

        /* Flip each bit of the path once. */
        for (unsigned i = 0, start = 0; i < n; start = end[i], i++) {
            unsigned left_here = total - start; /* bits left on reaching level i */
            for (unsigned k = 0; k < gbits[i] + radix[i]; k++) {
                unsigned bit = total - start - 1 - k; /* from the top of the level */
                uint64_t bad = cptr ^ (1ull << bit);
                if (k < gbits[i]) {
                    expect_failure_both(&root, bad, total, MICA_LOOKUP_GUARD_MISMATCH,
                                        left_here);
                    continue;
                }
                uint64_t other = idx[i] ^ (1ull << (gbits[i] + radix[i] - 1 - k));
                unsigned after = total - end[i];
                if (after == 0) {
                    expect_found_both(&root, bad, total, &node[i][other]);
                } else {
                    expect_failure(&root, bad, total, true, MICA_LOOKUP_MISSING_CAP, after);
                    expect_found(&root, bad, total, false, &node[i][other], after);
                }
            }
        }
    }
}

static int setup_alarm(void **state)
{
    (void)state;
    alarm(60); /* a lookup that loops forever kills the binary instead of hanging */
    return 0;
}

#define T(f) cmocka_unit_test_teardown(f, free_cnodes)

int main(void)
{
    const struct CMUnitTest cspace_tests[] = {
        T(test_root_cnode_cptr_is_slot_index),
        T(test_cnode_cap_in_last_slot_is_not_entered),
        T(test_root_guard_mismatch_on_high_bits),
        T(test_nonzero_guard_value),
        T(test_two_level_exact_depth),
        T(test_two_level_failures_report_bits_left),
        T(test_deep_chain_of_eight_levels),
        T(test_exact_lookup_ending_early),
        T(test_non_exact_lookup_stops_at_first_non_cnode),
        T(test_depth_out_of_range),
        T(test_depth_below_first_level),
        T(test_invalid_root),
        T(test_self_cycle_radix_4_terminates),
        T(test_self_cycle_radix_1_walks_64_levels),
        T(test_cycles_that_do_not_divide_64_end_in_depth_mismatch),
        T(test_guard_of_64_minus_radix_bits),
        T(test_lookup_detail_encoding),
        T(test_random_paths),
    };
    return cmocka_run_group_tests(cspace_tests, setup_alarm, NULL);
}
