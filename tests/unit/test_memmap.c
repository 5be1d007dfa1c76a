/*
 * Host unit tests for kernel/core/memmap.c: the free physical range set,
 * the boot allocator and the power-of-two splitter that turns free memory
 * into untyped capabilities.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <bits.h>
#include <memmap.h>
#include <mica/bootinfo.h>
#include <mica/types.h>

#define PAGE     MICA_PAGE_SIZE
#define MiB      0x100000ull
#define GiB      0x40000000ull
#define TOP_PAGE 0xfffffffffffff000ull /* highest page-aligned address */

/* ---- helpers ---------------------------------------------------------- */

/* The table must always be sorted, disjoint, non-adjacent and page aligned. */
static void check_invariants(const struct memmap *m)
{
    assert_true(m->n_free <= MEMMAP_MAX_RANGES);
    for (unsigned i = 0; i < m->n_free; i++) {
        const struct mem_range *r = &m->free[i];
        assert_true(is_aligned(r->base, PAGE));
        assert_true(is_aligned(r->end, PAGE));
        assert_true(r->base < r->end);
        if (i > 0)
            assert_true(m->free[i - 1].end < r->base); /* gap: merged otherwise */
    }
}

static void expect_ranges(const struct memmap *m, const struct mem_range *want, unsigned n)
{
    check_invariants(m);
    assert_int_equal(m->n_free, n);
    for (unsigned i = 0; i < n; i++) {
        assert_int_equal(m->free[i].base, want[i].base);
        assert_int_equal(m->free[i].end, want[i].end);
    }
}

#define EXPECT_RANGES(m, ...)                                                   \
    do {                                                                        \
        static const struct mem_range want_[] = { __VA_ARGS__ };                \
        expect_ranges((m), want_, (unsigned)ARRAY_SIZE(want_));                 \
    } while (0)

#define EXPECT_EMPTY(m)                                                         \
    do {                                                                        \
        check_invariants(m);                                                    \
        assert_int_equal((m)->n_free, 0);                                       \
    } while (0)

/* True if [base, end) does not overlap any free range. */
static int not_free(const struct memmap *m, uint64_t base, uint64_t end)
{
    for (unsigned i = 0; i < m->n_free; i++)
        if (ranges_overlap(base, end, m->free[i].base, m->free[i].end))
            return 0;
    return 1;
}

/* True if [base, end) lies inside one free range. */
static int is_free(const struct memmap *m, uint64_t base, uint64_t end)
{
    for (unsigned i = 0; i < m->n_free; i++)
        if (base >= m->free[i].base && end <= m->free[i].end)
            return 1;
    return 0;
}

/* Fill the table with MEMMAP_MAX_RANGES three-page ranges with one-page
 * gaps: range i is [0x2000 + 0x4000 i, 0x5000 + 0x4000 i). */
static void fill_table(struct memmap *m)
{
    memmap_init(m);
    for (unsigned i = 0; i < MEMMAP_MAX_RANGES; i++)
        memmap_add(m, 0x2000 + 0x4000ull * i, 3 * PAGE);
    assert_int_equal(m->n_free, MEMMAP_MAX_RANGES);
    assert_false(m->overflowed);
    assert_int_equal(m->free[0].base, 0x2000);
    assert_int_equal(m->free[MEMMAP_MAX_RANGES - 1].end, 0x5000 + 0x4000ull * (MEMMAP_MAX_RANGES - 1));
    check_invariants(m);
}

/* Deterministic PRNG (xorshift64*) for the property tests. */
static uint64_t rng_state;
static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}
static uint64_t rng_below(uint64_t n) { return n ? rng() % n : 0; }

/* ---- memmap_init / memmap_add ----------------------------------------- */

static void test_init_gives_empty_map_with_no_free_bytes(void **state)
{
    (void)state;
    struct memmap m;
    memset(&m, 0xa5, sizeof(m)); /* garbage, as on the kernel stack */
    memmap_init(&m);
    EXPECT_EMPTY(&m);
    assert_false(m.overflowed);
    assert_int_equal(memmap_free_bytes(&m), 0);
}

static void test_add_unaligned_range_shrinks_inward_to_pages(void **state)
{
    (void)state;
    struct memmap m;
    memmap_init(&m);
    memmap_add(&m, 0x1234, 0x3000); /* [0x1234, 0x4234) -> [0x2000, 0x4000) */
    EXPECT_RANGES(&m, { 0x2000, 0x4000 });

    memmap_add(&m, 0x9fc00 - 0x9e400, 0x9e400); /* [0x1800, 0x9fc00) */
    EXPECT_RANGES(&m, { 0x2000, 0x9f000 });
    assert_int_equal(memmap_free_bytes(&m), 0x9f000 - 0x2000);
}

static void test_add_less_than_a_whole_page_adds_nothing(void **state)
{
    (void)state;
    struct memmap m;
    memmap_init(&m);
    memmap_add(&m, 0x1000, 0);       /* empty */
    memmap_add(&m, 0x1001, 0xfff);   /* inside one page, touches its end */
    memmap_add(&m, 0x1800, 0x1000);  /* straddles two pages, covers neither */
    memmap_add(&m, 0x5000, 0xfff);   /* aligned start, one byte short */
    memmap_add(&m, UINT64_MAX - 10, 5);
    EXPECT_EMPTY(&m);
    assert_false(m.overflowed);
}

static void test_add_exact_pages_keeps_bounds(void **state)
{
    (void)state;
    struct memmap m;
    memmap_init(&m);
    memmap_add(&m, 0, PAGE);
    memmap_add(&m, 0x100000, 0x1fee0000);
    EXPECT_RANGES(&m, { 0, 0x1000 }, { 0x100000, 0x1ffe0000 });
}

static void test_add_whose_end_overflows_is_clamped_to_top_page(void **state)
{
    (void)state;
    struct memmap m;
    memmap_init(&m);
    memmap_add(&m, 0xffffffff00000000ull, UINT64_MAX); /* base + len wraps */
    EXPECT_RANGES(&m, { 0xffffffff00000000ull, TOP_PAGE });

    memmap_init(&m);
    memmap_add(&m, 0, UINT64_MAX);
    EXPECT_RANGES(&m, { 0, TOP_PAGE });
    assert_int_equal(memmap_free_bytes(&m), TOP_PAGE);
}

static void test_add_adjacent_ranges_merge_on_either_side(void **state)
{
    (void)state;
    struct memmap m;
    memmap_init(&m);
    memmap_add(&m, 0x10000, 0x1000);
    memmap_add(&m, 0x11000, 0x1000); /* touches the top */
    EXPECT_RANGES(&m, { 0x10000, 0x12000 });
    memmap_add(&m, 0xf000, 0x1000);  /* touches the bottom */
    EXPECT_RANGES(&m, { 0xf000, 0x12000 });
    /* Unaligned pieces that become adjacent only after shrinking. */
    memmap_add(&m, 0x12000, 0x1800); /* -> [0x12000, 0x13000) */
    memmap_add(&m, 0xd800, 0x1800);  /* -> [0xe000, 0xf000) */
    EXPECT_RANGES(&m, { 0xe000, 0x13000 });
}

static void test_add_overlapping_and_contained_ranges_merge(void **state)
{
    (void)state;
    struct memmap m;
    memmap_init(&m);
    memmap_add(&m, 0x10000, 0x10000);  /* [0x10000, 0x20000) */
    memmap_add(&m, 0x18000, 0x10000);  /* overlaps the top */
    EXPECT_RANGES(&m, { 0x10000, 0x28000 });
    memmap_add(&m, 0x8000, 0x10000);   /* overlaps the bottom */
    EXPECT_RANGES(&m, { 0x8000, 0x28000 });
    memmap_add(&m, 0x12000, 0x1000);   /* already inside: no change */
    EXPECT_RANGES(&m, { 0x8000, 0x28000 });
    memmap_add(&m, 0x8000, 0x20000);   /* identical */
    EXPECT_RANGES(&m, { 0x8000, 0x28000 });
    memmap_add(&m, 0x1000, 0x100000);  /* superset */
    EXPECT_RANGES(&m, { 0x1000, 0x101000 });
    assert_int_equal(memmap_free_bytes(&m), 0x100000);
}

static void test_add_bridging_range_coalesces_every_range_it_touches(void **state)
{
    (void)state;
    struct memmap m;
    memmap_init(&m);
    memmap_add(&m, 0x1000, 0x1000);
    memmap_add(&m, 0x4000, 0x1000);
    memmap_add(&m, 0x7000, 0x1000);
    memmap_add(&m, 0xa000, 0x1000);
    memmap_add(&m, 0x20000, 0x1000);
    EXPECT_RANGES(&m, { 0x1000, 0x2000 }, { 0x4000, 0x5000 }, { 0x7000, 0x8000 },
                  { 0xa000, 0xb000 }, { 0x20000, 0x21000 });
    /* [0x2000, 0xa000) touches the first range's end and the fourth's base. */
    memmap_add(&m, 0x2000, 0x8000);
    EXPECT_RANGES(&m, { 0x1000, 0xb000 }, { 0x20000, 0x21000 });
    /* One range swallowing everything, extending beyond both ends. */
    memmap_add(&m, 0, 0x30000);
    EXPECT_RANGES(&m, { 0, 0x30000 });
}

static void test_add_out_of_order_stays_sorted(void **state)
{
    (void)state;
    struct memmap m;
    memmap_init(&m);
    memmap_add(&m, 0x100000000ull, GiB); /* above 4 GiB first */
    memmap_add(&m, 0x100000, 0x1000);
    memmap_add(&m, 0x50000, 0x1000);
    memmap_add(&m, 0x80000000ull, 0x1000);
    memmap_add(&m, 0x1000, 0x1000);
    memmap_add(&m, 0x200000, 0x1000);
    EXPECT_RANGES(&m, { 0x1000, 0x2000 }, { 0x50000, 0x51000 }, { 0x100000, 0x101000 },
                  { 0x200000, 0x201000 }, { 0x80000000ull, 0x80001000ull },
                  { 0x100000000ull, 0x140000000ull });
}

static void test_add_table_overflow_sets_flag_and_never_corrupts(void **state)
{
    (void)state;
    struct memmap m;
    fill_table(&m);
    struct mem_range before[MEMMAP_MAX_RANGES];
    memcpy(before, m.free, sizeof(before));

    /* Disjoint new ranges above, below and between: all dropped. */
    memmap_add(&m, 0x200000, 0x1000);  /* above everything */
    assert_true(m.overflowed);
    memmap_add(&m, 0, 0x1000);         /* below everything (page 0) */
    memmap_add(&m, 0x100000000ull, GiB);
    assert_int_equal(m.n_free, MEMMAP_MAX_RANGES);
    assert_memory_equal(m.free, before, sizeof(before));
    check_invariants(&m);

    /* Growing an existing range needs no slot and still works. */
    memmap_add(&m, 0x1000, 0x1000); /* adjacent below the first range */
    assert_int_equal(m.n_free, MEMMAP_MAX_RANGES);
    assert_int_equal(m.free[0].base, 0x1000);
    assert_int_equal(m.free[0].end, 0x5000);
    /* Bridging the gap between two ranges frees a slot ... */
    memmap_add(&m, 0x5000, 0x1000);
    assert_int_equal(m.free[0].end, 0x9000);
    assert_int_equal(m.n_free, MEMMAP_MAX_RANGES - 1);
    /* ... which a new disjoint range can then take. */
    memmap_add(&m, 0x400000, 0x1000);
    assert_int_equal(m.n_free, MEMMAP_MAX_RANGES);
    assert_int_equal(m.free[MEMMAP_MAX_RANGES - 1].base, 0x400000);
    assert_true(m.overflowed); /* sticky */
    check_invariants(&m);
}

/* ---- memmap_reserve ---------------------------------------------------- */

static void test_reserve_trims_bottom_of_range(void **state)
{
    (void)state;
    struct memmap m;
    memmap_init(&m);
    memmap_add(&m, 0x10000, 0x10000);
    memmap_reserve(&m, 0x10000, 0x3000);
    EXPECT_RANGES(&m, { 0x13000, 0x20000 });
    /* Starting below the range also trims its bottom. */
    memmap_reserve(&m, 0x8000, 0xc000); /* [0x8000, 0x14000) */
    EXPECT_RANGES(&m, { 0x14000, 0x20000 });
}

static void test_reserve_trims_top_of_range(void **state)
{
    (void)state;
    struct memmap m;
    memmap_init(&m);
    memmap_add(&m, 0x10000, 0x10000);
    memmap_reserve(&m, 0x1e000, 0x2000); /* exactly the top two pages */
    EXPECT_RANGES(&m, { 0x10000, 0x1e000 });
    memmap_reserve(&m, 0x1c000, 0x100000); /* runs past the end */
    EXPECT_RANGES(&m, { 0x10000, 0x1c000 });
}

static void test_reserve_inside_range_punches_a_hole(void **state)
{
    (void)state;
    struct memmap m;
    memmap_init(&m);
    memmap_add(&m, 0x1000, 0x20000);       /* [0x1000, 0x21000) */
    memmap_add(&m, 0x100000, 0x1000);      /* a later range must shift up intact */
    memmap_reserve(&m, 0x8000, 0x2000);
    EXPECT_RANGES(&m, { 0x1000, 0x8000 }, { 0xa000, 0x21000 }, { 0x100000, 0x101000 });
    assert_int_equal(memmap_free_bytes(&m), 0x20000 - 0x2000 + 0x1000);
}

static void test_reserve_grows_outward_to_whole_pages(void **state)
{
    (void)state;
    struct memmap m;
    memmap_init(&m);
    memmap_add(&m, 0x1000, 0x10000); /* [0x1000, 0x11000) */
    /* Two bytes straddling a page boundary take both pages. */
    memmap_reserve(&m, 0x4fff, 2);
    EXPECT_RANGES(&m, { 0x1000, 0x4000 }, { 0x6000, 0x11000 });
    /* A single byte takes its whole page. */
    memmap_reserve(&m, 0x8123, 1);
    EXPECT_RANGES(&m, { 0x1000, 0x4000 }, { 0x6000, 0x8000 }, { 0x9000, 0x11000 });
    /* Unaligned both ends: [0xa800, 0xb800) -> [0xa000, 0xc000). */
    memmap_reserve(&m, 0xa800, 0x1000);
    EXPECT_RANGES(&m, { 0x1000, 0x4000 }, { 0x6000, 0x8000 }, { 0x9000, 0xa000 },
                  { 0xc000, 0x11000 });
}

static void test_reserve_removes_whole_ranges(void **state)
{
    (void)state;
    struct memmap m;
    memmap_init(&m);
    memmap_add(&m, 0x1000, 0x1000);
    memmap_add(&m, 0x4000, 0x2000);
    memmap_add(&m, 0x9000, 0x1000);
    memmap_reserve(&m, 0x4000, 0x2000); /* exactly the middle range */
    EXPECT_RANGES(&m, { 0x1000, 0x2000 }, { 0x9000, 0xa000 });
    memmap_reserve(&m, 0x800, 0x1900);  /* unaligned superset of the first */
    EXPECT_RANGES(&m, { 0x9000, 0xa000 });
    memmap_reserve(&m, 0x9000, 0x1000);
    EXPECT_EMPTY(&m);
    assert_int_equal(memmap_free_bytes(&m), 0);
}

static void test_reserve_spanning_several_ranges(void **state)
{
    (void)state;
    struct memmap m;
    memmap_init(&m);
    memmap_add(&m, 0x1000, 0x4000);   /* A [0x1000, 0x5000) */
    memmap_add(&m, 0x6000, 0x1000);   /* B */
    memmap_add(&m, 0x8000, 0x2000);   /* C */
    memmap_add(&m, 0xb000, 0x4000);   /* D [0xb000, 0xf000) */
    memmap_add(&m, 0x20000, 0x1000);  /* E untouched */
    /* From the middle of A to the middle of D. */
    memmap_reserve(&m, 0x3000, 0xa000); /* [0x3000, 0xd000) */
    EXPECT_RANGES(&m, { 0x1000, 0x3000 }, { 0xd000, 0xf000 }, { 0x20000, 0x21000 });
}

static void test_reserve_outside_free_ranges_or_empty_changes_nothing(void **state)
{
    (void)state;
    struct memmap m;
    memmap_init(&m);
    memmap_add(&m, 0x4000, 0x4000); /* [0x4000, 0x8000) */
    memmap_reserve(&m, 0x1000, 0x3000);   /* ends exactly at its base */
    memmap_reserve(&m, 0x8000, 0x3000);   /* starts exactly at its end */
    memmap_reserve(&m, 0x5000, 0);        /* empty, inside */
    memmap_reserve(&m, 0x5800, 0);        /* empty, unaligned, inside */
    memmap_reserve(&m, 0x100000000ull, GiB);
    EXPECT_RANGES(&m, { 0x4000, 0x8000 });
    assert_false(m.overflowed);

    memmap_init(&m);
    memmap_reserve(&m, 0x1000, 0x1000); /* on an empty map */
    EXPECT_EMPTY(&m);
}

static void test_reserve_whose_end_overflows_removes_everything_above(void **state)
{
    (void)state;
    struct memmap m;
    memmap_init(&m);
    memmap_add(&m, 0x1000, 0x10000);
    memmap_add(&m, 0x100000000ull, GiB);
    memmap_add(&m, 0xffffffff00000000ull, UINT64_MAX); /* up to the top page */
    memmap_reserve(&m, 0x8000, UINT64_MAX);
    EXPECT_RANGES(&m, { 0x1000, 0x8000 });
}

static void test_reserve_hole_in_full_table_sets_overflowed_and_keeps_lower_part(void **state)
{
    (void)state;
    struct memmap m;
    fill_table(&m);
    uint64_t base = m.free[10].base; /* range 10 is [base, base + 0x3000) */
    struct mem_range before[MEMMAP_MAX_RANGES];
    memcpy(before, m.free, sizeof(before));
    uint64_t free_before = memmap_free_bytes(&m);

    memmap_reserve(&m, base + 0x1000, 0x1000); /* hole in the middle page */
    assert_true(m.overflowed);
    assert_int_equal(m.n_free, MEMMAP_MAX_RANGES);
    check_invariants(&m);
    /* The reserved page is not free; the page below still is; the page
     * above is lost (leaked), which is safe: it is never handed out. */
    assert_true(not_free(&m, base + 0x1000, base + 0x2000));
    assert_true(is_free(&m, base, base + 0x1000));
    assert_int_equal(m.free[10].end, base + 0x1000);
    assert_true(not_free(&m, base + 0x2000, base + 0x3000));
    assert_int_equal(memmap_free_bytes(&m), free_before - 0x2000);
    /* Nothing else moved. */
    for (unsigned i = 0; i < MEMMAP_MAX_RANGES; i++) {
        if (i == 10)
            continue;
        assert_int_equal(m.free[i].base, before[i].base);
        assert_int_equal(m.free[i].end, before[i].end);
    }
}

/* ---- memmap_free_bytes -------------------------------------------------- */

static void test_free_bytes_sums_all_ranges(void **state)
{
    (void)state;
    struct memmap m;
    memmap_init(&m);
    memmap_add(&m, 0x1000, 0x1000);
    assert_int_equal(memmap_free_bytes(&m), 0x1000);
    memmap_add(&m, 0x100000, 0x100000);
    memmap_add(&m, 0x100000000ull, 4 * GiB);
    assert_int_equal(memmap_free_bytes(&m), 0x1000 + 0x100000 + 4 * GiB);
    memmap_add(&m, 0x180000, 0x100000); /* half overlaps: adds 0x80000 */
    assert_int_equal(memmap_free_bytes(&m), 0x1000 + 0x180000 + 4 * GiB);
    memmap_reserve(&m, 0x100000000ull, GiB);
    assert_int_equal(memmap_free_bytes(&m), 0x1000 + 0x180000 + 3 * GiB);
}

/* ---- memmap_alloc -------------------------------------------------------- */

static void test_alloc_honours_alignment(void **state)
{
    (void)state;
    struct memmap m;
    memmap_init(&m);
    memmap_add(&m, 0x3000, 0x1000000 - 0x3000); /* [0x3000, 16 MiB) */

    uint64_t p = memmap_alloc(&m, 0x1000, 0x200000, UINT64_MAX);
    assert_int_equal(p, 0x200000);
    /* The unaligned gap below stays free. */
    EXPECT_RANGES(&m, { 0x3000, 0x200000 }, { 0x201000, 0x1000000 });

    p = memmap_alloc(&m, 0x3000, 0x10000, UINT64_MAX);
    assert_int_equal(p, 0x10000);
    p = memmap_alloc(&m, 0x1000, 0x1000, UINT64_MAX);
    assert_int_equal(p, 0x3000);
    for (unsigned b = 12; b <= 22; b++) {
        p = memmap_alloc(&m, 0x1000, BIT(b), UINT64_MAX);
        assert_int_not_equal(p, 0);
        assert_true(is_aligned(p, BIT(b)));
    }
    check_invariants(&m);
}

static void test_alloc_honours_limit(void **state)
{
    (void)state;
    struct memmap m;
    memmap_init(&m);
    memmap_add(&m, 0x1000, 0xff000);          /* [4 KiB, 1 MiB): too small */
    memmap_add(&m, 0x1000000, 0x1000000);     /* [16 MiB, 32 MiB) */

    /* 2 MiB only fits in the second range; the limit is exclusive of the end. */
    assert_int_equal(memmap_alloc(&m, 0x200000, 0x1000, 0x11fffff), 0);
    assert_int_equal(memmap_alloc(&m, 0x200000, 0x1000, 0x1000000), 0);
    assert_int_equal(memmap_free_bytes(&m), 0xff000 + 0x1000000); /* failures take nothing */
    assert_int_equal(memmap_alloc(&m, 0x200000, 0x1000, 0x1200000), 0x1000000);

    /* A small block fits low, below a tight limit. */
    uint64_t p = memmap_alloc(&m, 0x1000, 0x1000, 0x2000);
    assert_int_equal(p, 0x1000);
    /* Nothing left below 0x2000. */
    assert_int_equal(memmap_alloc(&m, 0x1000, 0x1000, 0x2000), 0);
    /* limit 0 admits nothing. */
    assert_int_equal(memmap_alloc(&m, 0x1000, 0x1000, 0), 0);
    check_invariants(&m);
}

static void test_alloc_never_returns_page_zero(void **state)
{
    (void)state;
    struct memmap m;
    memmap_init(&m);
    memmap_add(&m, 0, 0x4000); /* [0, 0x4000) */
    assert_int_equal(memmap_alloc(&m, 0x1000, 0x1000, UINT64_MAX), 0x1000);
    assert_int_equal(memmap_alloc(&m, 0x1000, 0x1000, UINT64_MAX), 0x2000);
    assert_int_equal(memmap_alloc(&m, 0x1000, 0x1000, UINT64_MAX), 0x3000);
    /* Only page 0 is left: that is "nothing fits", and page 0 stays free. */
    assert_int_equal(memmap_alloc(&m, 0x1000, 0x1000, UINT64_MAX), 0);
    EXPECT_RANGES(&m, { 0, 0x1000 });

    /* With a larger alignment the first candidate is `align`, not 0. */
    memmap_init(&m);
    memmap_add(&m, 0, 0x400000);
    assert_int_equal(memmap_alloc(&m, 0x1000, 0x200000, UINT64_MAX), 0x200000);
    EXPECT_RANGES(&m, { 0, 0x200000 }, { 0x201000, 0x400000 });
}

static void test_alloc_returns_zero_when_nothing_fits_or_arguments_invalid(void **state)
{
    (void)state;
    struct memmap m;
    memmap_init(&m);
    assert_int_equal(memmap_alloc(&m, 0x1000, 0x1000, UINT64_MAX), 0); /* empty map */

    memmap_add(&m, 0x1000, 0x3000);    /* [0x1000, 0x4000) */
    memmap_add(&m, 0x11000, 0x2000);   /* [0x11000, 0x13000) */
    assert_int_equal(memmap_alloc(&m, 0x4000, 0x1000, UINT64_MAX), 0);  /* too big */
    assert_int_equal(memmap_alloc(&m, 0x2000, 0x4000, UINT64_MAX), 0);  /* fits only unaligned */
    assert_int_equal(memmap_alloc(&m, 0, 0x1000, UINT64_MAX), 0);       /* size 0 */
    assert_int_equal(memmap_alloc(&m, UINT64_MAX, 0x1000, UINT64_MAX), 0);
    assert_int_equal(memmap_alloc(&m, 0x1000, 0, UINT64_MAX), 0);       /* align 0 */
    assert_int_equal(memmap_alloc(&m, 0x1000, 0x3000, UINT64_MAX), 0);  /* not a power of 2 */
    assert_int_equal(memmap_alloc(&m, 0x1000, 0x800, UINT64_MAX), 0);   /* below a page */
    assert_int_equal(memmap_alloc(&m, 0x1000, 1, UINT64_MAX), 0);
    /* Failed calls changed nothing. */
    EXPECT_RANGES(&m, { 0x1000, 0x4000 }, { 0x11000, 0x13000 });
}

static void test_alloc_removes_allocated_range_from_free_set(void **state)
{
    (void)state;
    struct memmap m;
    memmap_init(&m);
    memmap_add(&m, 0x100000, 0x100000);
    uint64_t total = memmap_free_bytes(&m);

    uint64_t a = memmap_alloc(&m, 0x5000, 0x1000, UINT64_MAX);
    uint64_t b = memmap_alloc(&m, 0x5000, 0x1000, UINT64_MAX);
    assert_int_equal(a, 0x100000);
    assert_int_equal(b, 0x105000);
    assert_true(not_free(&m, a, a + 0x5000));
    assert_true(not_free(&m, b, b + 0x5000));
    assert_int_equal(memmap_free_bytes(&m), total - 0xa000);
    EXPECT_RANGES(&m, { 0x10a000, 0x200000 });

    /* Exhaust the map page by page: every result is distinct and free. */
    uint64_t prev = b, p;
    unsigned n = 0;
    while ((p = memmap_alloc(&m, 0x1000, 0x1000, UINT64_MAX)) != 0) {
        assert_true(p > prev);
        assert_true(not_free(&m, p, p + 0x1000));
        prev = p;
        n++;
    }
    assert_int_equal(n, (0x200000 - 0x10a000) / 0x1000);
    EXPECT_EMPTY(&m);
}

static void test_alloc_rounds_size_up_to_whole_pages(void **state)
{
    (void)state;
    struct memmap m;
    memmap_init(&m);
    memmap_add(&m, 0x10000, 0x10000);
    assert_int_equal(memmap_alloc(&m, 1, 0x1000, UINT64_MAX), 0x10000);
    EXPECT_RANGES(&m, { 0x11000, 0x20000 });
    assert_int_equal(memmap_alloc(&m, 0x1001, 0x1000, UINT64_MAX), 0x11000);
    EXPECT_RANGES(&m, { 0x13000, 0x20000 });
    /* Rounded size must also fit: 0xd001 bytes need 14 pages, only 13 left. */
    assert_int_equal(memmap_alloc(&m, 0xd001, 0x1000, UINT64_MAX), 0);
    assert_int_equal(memmap_alloc(&m, 0xd000, 0x1000, UINT64_MAX), 0x13000);
    EXPECT_EMPTY(&m);
}

static void test_alloc_takes_lowest_range_that_fits(void **state)
{
    (void)state;
    struct memmap m;
    memmap_init(&m);
    memmap_add(&m, 0x1000, 0x2000);     /* 2 pages */
    memmap_add(&m, 0x10000, 0x8000);    /* 8 pages */
    memmap_add(&m, 0x100000, 0x100000); /* 256 pages */
    assert_int_equal(memmap_alloc(&m, 0x4000, 0x1000, UINT64_MAX), 0x10000);
    assert_int_equal(memmap_alloc(&m, 0x2000, 0x1000, UINT64_MAX), 0x1000);
    assert_int_equal(memmap_alloc(&m, 0x8000, 0x1000, UINT64_MAX), 0x100000);
    assert_int_equal(memmap_alloc(&m, 0x4000, 0x1000, UINT64_MAX), 0x14000);
    EXPECT_RANGES(&m, { 0x108000, 0x200000 });
}

/*
 * Regression: when align_up() of a free range's base saturates, the
 * candidate used to be align_down(UINT64_MAX, align), BELOW the range's
 * base, and memory that was not free was returned. Expected: 0.
 */
static void test_alloc_with_saturating_alignment_returns_only_free_memory(void **state)
{
    (void)state;
    struct memmap m;
    memmap_init(&m);
    memmap_add(&m, 0xffffffffffe01000ull, 0x1fe000); /* [..e01000, TOP_PAGE) */
    assert_false(is_free(&m, 0xffffffffffe00000ull, 0xffffffffffe01000ull));
    uint64_t p = memmap_alloc(&m, 0x1000, 0x200000, UINT64_MAX);
    assert_int_equal(p, 0);
    EXPECT_RANGES(&m, { 0xffffffffffe01000ull, TOP_PAGE });
}

/* ---- memmap_split_pow2 --------------------------------------------------- */

/*
 * Streaming checker for memmap_split_pow2: the blocks must be naturally
 * aligned powers of two between a page and 2^max_bits, lowest first, and
 * tile [align_up(base), align_down(end)) exactly -- checked both by
 * continuity (no gap, no overlap) and by summing. They must also be maximal
 * (the greedy split): no block could have been doubled.
 */
struct split_check {
    uint64_t lo, hi;
    unsigned max_bits;
    uint64_t next, sum, count;
    struct { uint64_t paddr; unsigned bits; } first[16]; /* first blocks, for exact checks */
    unsigned stop_after; /* emit returns false on this call (1-based); 0: never */
};

static void split_check_init(struct split_check *c, uint64_t base, uint64_t end,
                             unsigned max_bits)
{
    memset(c, 0, sizeof(*c));
    c->lo = align_up(base, PAGE);
    c->hi = align_down(end, PAGE);
    c->max_bits = max_bits;
    c->next = c->lo;
}

static bool split_check_emit(void *ctx, uint64_t p, unsigned bits)
{
    struct split_check *c = ctx;
    assert_in_range(bits, MICA_PAGE_BITS, c->max_bits < 63 ? c->max_bits : 63);
    assert_true(is_aligned(p, BIT(bits)));
    assert_int_equal(p, c->next);
    uint64_t block_end;
    assert_false(add_overflows(p, BIT(bits), &block_end));
    assert_true(block_end <= c->hi);
    if (bits < 63 && bits < c->max_bits) {
        uint64_t dbl_end;
        bool can_double = is_aligned(p, BIT(bits + 1)) &&
                          !add_overflows(p, BIT(bits + 1), &dbl_end) && dbl_end <= c->hi;
        assert_false(can_double);
    }
    if (c->count < ARRAY_SIZE(c->first)) {
        c->first[c->count].paddr = p;
        c->first[c->count].bits = bits;
    }
    c->next = block_end;
    c->sum += BIT(bits);
    c->count++;
    return c->stop_after == 0 || c->count < c->stop_after;
}

/* Split [base, end) and check the whole result; returns the block count. */
static uint64_t split_and_check(struct split_check *c, uint64_t base, uint64_t end,
                                unsigned max_bits)
{
    split_check_init(c, base, end, max_bits);
    assert_true(memmap_split_pow2(base, end, max_bits, split_check_emit, c));
    if (c->lo >= c->hi) {
        assert_int_equal(c->count, 0);
    } else {
        assert_int_equal(c->next, c->hi);
        assert_int_equal(c->sum, c->hi - c->lo);
    }
    return c->count;
}

#define EXPECT_BLOCK(c, i, p, b)                                                \
    do {                                                                        \
        assert_int_equal((c)->first[i].paddr, (p));                             \
        assert_int_equal((c)->first[i].bits, (b));                              \
    } while (0)

static void test_split_pow2_small_ranges_give_expected_blocks(void **state)
{
    (void)state;
    struct split_check c;
    assert_int_equal(split_and_check(&c, 0x1000, 0x8000, 63), 3);
    EXPECT_BLOCK(&c, 0, 0x1000, 12);
    EXPECT_BLOCK(&c, 1, 0x2000, 13);
    EXPECT_BLOCK(&c, 2, 0x4000, 14);

    assert_int_equal(split_and_check(&c, 0x3000, 0x9000, 63), 3);
    EXPECT_BLOCK(&c, 0, 0x3000, 12);
    EXPECT_BLOCK(&c, 1, 0x4000, 14);
    EXPECT_BLOCK(&c, 2, 0x8000, 12);

    assert_int_equal(split_and_check(&c, 0x200000, 0x400000, 63), 1);
    EXPECT_BLOCK(&c, 0, 0x200000, 21);

    /* [1 MiB + 4 KiB, 3 MiB): rises to 512 KiB, then one 1 MiB block. */
    assert_int_equal(split_and_check(&c, 0x101000, 0x300000, 63), 9);
    EXPECT_BLOCK(&c, 0, 0x101000, 12);
    EXPECT_BLOCK(&c, 7, 0x180000, 19);
    EXPECT_BLOCK(&c, 8, 0x200000, 20);
}

static void test_split_pow2_unaligned_bounds_shrink_inward(void **state)
{
    (void)state;
    struct split_check c;
    assert_int_equal(split_and_check(&c, 0x1001, 0x3fff, 63), 1);
    EXPECT_BLOCK(&c, 0, 0x2000, 12);
    assert_int_equal(split_and_check(&c, 0x1fffff, 0x400001, 63), 1);
    EXPECT_BLOCK(&c, 0, 0x200000, 21);
}

static void test_split_pow2_empty_or_sub_page_range_emits_nothing(void **state)
{
    (void)state;
    struct split_check c;
    assert_int_equal(split_and_check(&c, 0x1000, 0x1000, 63), 0);
    assert_int_equal(split_and_check(&c, 0x1001, 0x1fff, 63), 0);
    assert_int_equal(split_and_check(&c, 0x5000, 0x1000, 63), 0); /* inverted */
    assert_int_equal(split_and_check(&c, UINT64_MAX - 5, UINT64_MAX, 63), 0);
    assert_int_equal(split_and_check(&c, 0, 0, 63), 0);
}

static void test_split_pow2_covers_range_exactly_with_natural_alignment(void **state)
{
    (void)state;
    static const struct { uint64_t base, end; } cases[] = {
        { 0x1000, 0x1ffe0000 },            /* QEMU 512 MiB, low page skipped */
        { 0x172000, 0x1ffe0000 },
        { 0x100000, 0x9f000 + 0x100000 },
        { 0x7ff000, 0x801000 },            /* straddles a big alignment boundary */
        { 0x100000000ull, 0x340001000ull },
        { 0x1000, 0x8000000000000000ull },
        { 0x1000, TOP_PAGE },
        { 0x8000000000000000ull, TOP_PAGE },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct split_check c;
        uint64_t n = split_and_check(&c, cases[i].base, cases[i].end, 63);
        /* At most two blocks per bit position (one rising, one falling). */
        assert_true(n <= 2 * (64 - MICA_PAGE_BITS));
    }
}

static void test_split_pow2_from_address_zero(void **state)
{
    (void)state;
    struct split_check c;
    assert_int_equal(split_and_check(&c, 0, 0x100000, 63), 1);
    EXPECT_BLOCK(&c, 0, 0, 20);

    split_and_check(&c, 0, 0x9f000, 63);
    EXPECT_BLOCK(&c, 0, 0, 19);
    EXPECT_BLOCK(&c, 1, 0x80000, 16);

    /* The whole address space below the top page. */
    split_and_check(&c, 0, TOP_PAGE, 63);
    EXPECT_BLOCK(&c, 0, 0, 63);
    EXPECT_BLOCK(&c, 1, 0x8000000000000000ull, 62);
}

static void test_split_pow2_respects_max_bits(void **state)
{
    (void)state;
    struct split_check c;
    assert_int_equal(split_and_check(&c, 0, 0x1000000, 21), 8); /* 16 MiB in 2 MiB blocks */
    for (unsigned i = 0; i < 8; i++)
        EXPECT_BLOCK(&c, i, i * 0x200000ull, 21);

    /* max_bits = 12: every block is one page. */
    assert_int_equal(split_and_check(&c, 0x1000, 0x40000, 12), 0x3f);

    static const unsigned limits[] = { 12, 13, 16, 20, 21, 30, 39, 47, 63, 64, 200 };
    for (size_t i = 0; i < ARRAY_SIZE(limits); i++) {
        split_and_check(&c, 0x3000, 0x3000 + 0x4000000, limits[i]);
        uint64_t end = limits[i] + 10 < 63 ? BIT(limits[i] + 10) + 0x5000 : TOP_PAGE;
        split_and_check(&c, 0x1000, end, limits[i]);
    }
}

static void test_split_pow2_stops_early_when_emit_returns_false(void **state)
{
    (void)state;
    struct split_check c;
    split_check_init(&c, 0x1000, 0x8000, 63);
    c.stop_after = 2;
    assert_false(memmap_split_pow2(0x1000, 0x8000, 63, split_check_emit, &c));
    assert_int_equal(c.count, 2); /* no third call after the refusal */
    EXPECT_BLOCK(&c, 1, 0x2000, 13);

    split_check_init(&c, 0x200000, 0x400000, 63);
    c.stop_after = 1;
    assert_false(memmap_split_pow2(0x200000, 0x400000, 63, split_check_emit, &c));
    assert_int_equal(c.count, 1); /* refusing the last (only) block still fails */
}

static void test_split_pow2_random_ranges_tile_exactly(void **state)
{
    (void)state;
    rng_state = 0x9e3779b97f4a7c15ull;
    for (unsigned iter = 0; iter < 3000; iter++) {
        unsigned scale = 12 + (unsigned)rng_below(52); /* up to 2^63 */
        uint64_t base = rng_below(BIT(scale));
        uint64_t end = base + rng_below(BIT(scale));
        unsigned max_bits = 12 + (unsigned)rng_below(53);
        if (max_bits + 10 < scale) /* keep the block count small */
            max_bits = scale - 10;
        struct split_check c;
        split_and_check(&c, base, end, max_bits);
    }
}

/* ---- whole-boot scenario -------------------------------------------------- */

static bool count_untyped(void *ctx, uint64_t paddr, unsigned size_bits)
{
    uint64_t *acc = ctx; /* acc[0]: blocks, acc[1]: bytes */
    assert_true(is_aligned(paddr, BIT(size_bits)));
    acc[0]++;
    acc[1] += BIT(size_bits);
    return true;
}

static void test_qemu_like_layout_gives_expected_free_memory(void **state)
{
    (void)state;
    struct memmap m;
    memmap_init(&m);
    /* QEMU -m 512: low RAM up to the EBDA, high RAM up to the ACPI tables. */
    memmap_add(&m, 0, 0x9fc00);
    memmap_add(&m, 0x100000, 0x1ffe0000 - 0x100000);
    EXPECT_RANGES(&m, { 0, 0x9f000 }, { 0x100000, 0x1ffe0000 });
    uint64_t ram_total = memmap_free_bytes(&m);
    assert_int_equal(ram_total, 0x9f000 + 0x1fee0000);

    memmap_reserve(&m, 0x9500, 0x58);                  /* Multiboot info */
    memmap_reserve(&m, 0x100000, 0x15a3c8 - 0x100000);   /* kernel image */
    memmap_reserve(&m, 0x15b000, 0x16f2a0 - 0x15b000);   /* root task module */
    memmap_reserve(&m, 0x170000, 0x171010 - 0x170000);   /* second module */
    EXPECT_RANGES(&m, { 0, 0x9000 }, { 0xa000, 0x9f000 }, { 0x172000, 0x1ffe0000 });
    uint64_t free_bytes = 0x9000 + (0x9f000 - 0xa000) + (0x1ffe0000 - 0x172000);
    assert_int_equal(memmap_free_bytes(&m), free_bytes);
    assert_int_equal(ram_total - free_bytes, 0x1000 + 0x5b000 + 0x15000 + 0x2000);

    /* Boot allocations: a page table page (low as possible, not page 0)
     * and a 2 MiB-aligned block below 4 GiB. */
    uint64_t pt = memmap_alloc(&m, 0x1000, 0x1000, 4 * GiB);
    assert_int_equal(pt, 0x1000);
    uint64_t big = memmap_alloc(&m, 0x200000, 0x200000, 4 * GiB);
    assert_int_equal(big, 0x200000);
    free_bytes -= 0x1000 + 0x200000;
    assert_int_equal(memmap_free_bytes(&m), free_bytes);
    check_invariants(&m);

    /* What is left becomes untyped memory: it must fit the boot-info table. */
    uint64_t acc[2] = { 0, 0 };
    for (unsigned i = 0; i < m.n_free; i++)
        assert_true(memmap_split_pow2(m.free[i].base, m.free[i].end, 47, count_untyped, acc));
    assert_int_equal(acc[1], free_bytes);
    assert_true(acc[0] <= MICA_BOOTINFO_MAX_UNTYPED);
}

/* ---- model-based test ---------------------------------------------------- */

/*
 * Random add / reserve / alloc sequences compared against a page bitmap.
 * 100 pages allow at most 50 ranges, so the table never overflows.
 */
#define MODEL_PAGES 100

static void model_compare(const struct memmap *m, const bool *page_free)
{
    check_invariants(m);
    assert_false(m->overflowed);
    unsigned r = 0, count = 0;
    for (unsigned p = 0; p < MODEL_PAGES;) {
        if (!page_free[p]) {
            p++;
            continue;
        }
        unsigned q = p;
        while (q < MODEL_PAGES && page_free[q])
            q++;
        assert_true(r < m->n_free);
        assert_int_equal(m->free[r].base, (uint64_t)p * PAGE);
        assert_int_equal(m->free[r].end, (uint64_t)q * PAGE);
        count += q - p;
        r++;
        p = q;
    }
    assert_int_equal(m->n_free, r);
    assert_int_equal(memmap_free_bytes(m), (uint64_t)count * PAGE);
}

static uint64_t model_alloc(bool *page_free, uint64_t size, uint64_t align, uint64_t limit)
{
    uint64_t pages = align_up(size, PAGE) / PAGE;
    for (unsigned p = 0; p < MODEL_PAGES;) {
        if (!page_free[p]) {
            p++;
            continue;
        }
        unsigned q = p;
        while (q < MODEL_PAGES && page_free[q])
            q++;
        uint64_t base = align_up((uint64_t)p * PAGE, align);
        if (base == 0)
            base = align;
        uint64_t end = base + pages * PAGE;
        if (end <= (uint64_t)q * PAGE && end <= limit) {
            for (uint64_t i = base / PAGE; i < end / PAGE; i++)
                page_free[i] = false;
            return base;
        }
        p = q;
    }
    return 0;
}

static void test_random_operations_match_page_bitmap_model(void **state)
{
    (void)state;
    const uint64_t space = (uint64_t)MODEL_PAGES * PAGE;
    bool page_free[MODEL_PAGES];
    struct memmap m;
    rng_state = 0x0123456789abcdefull;

    for (unsigned round = 0; round < 50; round++) {
        memset(page_free, 0, sizeof(page_free));
        memmap_init(&m);
        for (unsigned step = 0; step < 200; step++) {
            uint64_t base = rng_below(space);
            uint64_t len = rng_below(24 * PAGE);
            if (len > space - base)
                len = space - base;
            switch (rng_below(4)) {
            case 0:
            case 1: /* add: only pages entirely inside become free */
                memmap_add(&m, base, len);
                for (unsigned p = 0; p < MODEL_PAGES; p++)
                    if ((uint64_t)p * PAGE >= base && (uint64_t)(p + 1) * PAGE <= base + len)
                        page_free[p] = true;
                break;
            case 2: /* reserve: every page touched stops being free */
                memmap_reserve(&m, base, len);
                for (unsigned p = 0; p < MODEL_PAGES; p++)
                    if (ranges_overlap((uint64_t)p * PAGE, (uint64_t)(p + 1) * PAGE,
                                       base, base + len))
                        page_free[p] = false;
                break;
            default: { /* alloc */
                uint64_t size = 1 + rng_below(6 * PAGE);
                uint64_t align = BIT(12 + rng_below(4));
                uint64_t limit = rng_below(2) ? UINT64_MAX : rng_below(space + PAGE);
                uint64_t want = model_alloc(page_free, size, align, limit);
                uint64_t got = memmap_alloc(&m, size, align, limit);
                assert_int_equal(got, want);
                break;
            }
            }
            model_compare(&m, page_free);
        }
    }
}

int main(void)
{
    const struct CMUnitTest memmap_tests[] = {
        cmocka_unit_test(test_init_gives_empty_map_with_no_free_bytes),
        cmocka_unit_test(test_add_unaligned_range_shrinks_inward_to_pages),
        cmocka_unit_test(test_add_less_than_a_whole_page_adds_nothing),
        cmocka_unit_test(test_add_exact_pages_keeps_bounds),
        cmocka_unit_test(test_add_whose_end_overflows_is_clamped_to_top_page),
        cmocka_unit_test(test_add_adjacent_ranges_merge_on_either_side),
        cmocka_unit_test(test_add_overlapping_and_contained_ranges_merge),
        cmocka_unit_test(test_add_bridging_range_coalesces_every_range_it_touches),
        cmocka_unit_test(test_add_out_of_order_stays_sorted),
        cmocka_unit_test(test_add_table_overflow_sets_flag_and_never_corrupts),
        cmocka_unit_test(test_reserve_trims_bottom_of_range),
        cmocka_unit_test(test_reserve_trims_top_of_range),
        cmocka_unit_test(test_reserve_inside_range_punches_a_hole),
        cmocka_unit_test(test_reserve_grows_outward_to_whole_pages),
        cmocka_unit_test(test_reserve_removes_whole_ranges),
        cmocka_unit_test(test_reserve_spanning_several_ranges),
        cmocka_unit_test(test_reserve_outside_free_ranges_or_empty_changes_nothing),
        cmocka_unit_test(test_reserve_whose_end_overflows_removes_everything_above),
        cmocka_unit_test(test_reserve_hole_in_full_table_sets_overflowed_and_keeps_lower_part),
        cmocka_unit_test(test_free_bytes_sums_all_ranges),
        cmocka_unit_test(test_alloc_honours_alignment),
        cmocka_unit_test(test_alloc_honours_limit),
        cmocka_unit_test(test_alloc_never_returns_page_zero),
        cmocka_unit_test(test_alloc_returns_zero_when_nothing_fits_or_arguments_invalid),
        cmocka_unit_test(test_alloc_removes_allocated_range_from_free_set),
        cmocka_unit_test(test_alloc_rounds_size_up_to_whole_pages),
        cmocka_unit_test(test_alloc_takes_lowest_range_that_fits),
        cmocka_unit_test(test_alloc_with_saturating_alignment_returns_only_free_memory),
        cmocka_unit_test(test_split_pow2_small_ranges_give_expected_blocks),
        cmocka_unit_test(test_split_pow2_unaligned_bounds_shrink_inward),
        cmocka_unit_test(test_split_pow2_empty_or_sub_page_range_emits_nothing),
        cmocka_unit_test(test_split_pow2_covers_range_exactly_with_natural_alignment),
        cmocka_unit_test(test_split_pow2_from_address_zero),
        cmocka_unit_test(test_split_pow2_respects_max_bits),
        cmocka_unit_test(test_split_pow2_stops_early_when_emit_returns_false),
        cmocka_unit_test(test_split_pow2_random_ranges_tile_exactly),
        cmocka_unit_test(test_qemu_like_layout_gives_expected_free_memory),
        cmocka_unit_test(test_random_operations_match_page_bitmap_model),
    };
    return cmocka_run_group_tests(memmap_tests, NULL, NULL);
}
