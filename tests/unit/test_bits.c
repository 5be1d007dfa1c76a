/*
 * Host unit tests for lib/include/bits.h: the bit and alignment helpers
 * every other piece of kernel arithmetic relies on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <bits.h>

#define TOP_PAGE 0xfffffffffffff000ull /* align_down(UINT64_MAX, 4096) */

/* Values around every interesting boundary, reused by the property tests. */
static const uint64_t samples[] = {
    0, 1, 2, 3, 0xfff, 0x1000, 0x1001, 0x1fff, 0x200000, 0x1fffff,
    0x7fffffffffffffffull, 0x8000000000000000ull, 0x8000000000000001ull,
    0xffffffffffffe000ull, 0xffffffffffffefffull, TOP_PAGE, 0xfffffffffffff001ull,
    0xfffffffffffffffeull, UINT64_MAX,
};

static void test_is_pow2_zero_and_boundaries(void **state)
{
    (void)state;
    assert_false(is_pow2(0));
    assert_true(is_pow2(1));
    assert_true(is_pow2(2));
    assert_false(is_pow2(3));
    assert_false(is_pow2(6));
    assert_true(is_pow2(0x1000));
    assert_false(is_pow2(0x1001));
    assert_true(is_pow2(1ull << 63));
    assert_false(is_pow2((1ull << 63) + 1));
    assert_false(is_pow2((1ull << 63) - 1));
    assert_false(is_pow2(UINT64_MAX));
    for (unsigned n = 0; n < 64; n++) {
        assert_true(is_pow2(BIT(n)));
        if (n > 1)
            assert_false(is_pow2(BIT(n) - 1));
        if (n > 0)
            assert_false(is_pow2(BIT(n) + 1));
    }
}

static void test_align_down_edge_cases(void **state)
{
    (void)state;
    assert_int_equal(align_down(0, 0x1000), 0);
    assert_int_equal(align_down(1, 0x1000), 0);
    assert_int_equal(align_down(0xfff, 0x1000), 0);
    assert_int_equal(align_down(0x1000, 0x1000), 0x1000);
    assert_int_equal(align_down(0x1fff, 0x1000), 0x1000);
    assert_int_equal(align_down(UINT64_MAX, 0x1000), TOP_PAGE);
    assert_int_equal(align_down(UINT64_MAX, 1), UINT64_MAX);
    assert_int_equal(align_down(UINT64_MAX, 1ull << 63), 1ull << 63);
    assert_int_equal(align_down((1ull << 63) - 1, 1ull << 63), 0);
    assert_int_equal(align_down(0x12345, 2), 0x12344);
}

static void test_align_up_edge_cases(void **state)
{
    (void)state;
    assert_int_equal(align_up(0, 0x1000), 0);
    assert_int_equal(align_up(0, 1ull << 63), 0);
    assert_int_equal(align_up(1, 0x1000), 0x1000);
    assert_int_equal(align_up(0xfff, 0x1000), 0x1000);
    assert_int_equal(align_up(0x1000, 0x1000), 0x1000);
    assert_int_equal(align_up(0x1001, 0x1000), 0x2000);
    assert_int_equal(align_up(0x12345, 1), 0x12345);
    assert_int_equal(align_up(1, 1ull << 63), 1ull << 63);
    assert_int_equal(align_up(1ull << 63, 1ull << 63), 1ull << 63);
    /* Exactly representable results close to the top do not saturate. */
    assert_int_equal(align_up(0xffffffffffffe001ull, 0x1000), TOP_PAGE);
    assert_int_equal(align_up(TOP_PAGE, 0x1000), TOP_PAGE);
    assert_int_equal(align_up(UINT64_MAX, 1), UINT64_MAX);
}

static void test_align_up_saturates_instead_of_wrapping_near_uint64_max(void **state)
{
    (void)state;
    /* x + align - 1 wraps for all of these: the result clamps to the
     * highest aligned value instead of wrapping to (almost) zero. */
    assert_int_equal(align_up(0xfffffffffffff001ull, 0x1000), TOP_PAGE);
    assert_int_equal(align_up(0xfffffffffffffffeull, 0x1000), TOP_PAGE);
    assert_int_equal(align_up(UINT64_MAX, 0x1000), TOP_PAGE);
    assert_int_equal(align_up(UINT64_MAX, 2), 0xfffffffffffffffeull);
    assert_int_equal(align_up(0xffffffffffe00001ull, 0x200000), 0xffffffffffe00000ull);
    assert_int_equal(align_up((1ull << 63) + 1, 1ull << 63), 1ull << 63);
    assert_int_equal(align_up(UINT64_MAX, 1ull << 63), 1ull << 63);
    /* Saturated results are still aligned, and never zero for x != 0. */
    for (unsigned b = 1; b < 64; b++) {
        uint64_t r = align_up(UINT64_MAX, BIT(b));
        assert_true(is_aligned(r, BIT(b)));
        assert_int_equal(r, align_down(UINT64_MAX, BIT(b)));
        assert_int_not_equal(r, 0);
    }
}

static void test_align_up_and_down_properties_over_samples(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(samples); i++) {
        uint64_t x = samples[i];
        for (unsigned b = 0; b < 64; b++) {
            uint64_t a = BIT(b);
            uint64_t down = align_down(x, a), up = align_up(x, a);
            assert_true(is_aligned(down, a));
            assert_true(is_aligned(up, a));
            assert_true(down <= x);
            assert_true(x - down < a);
            if (x <= align_down(UINT64_MAX, a)) {
                /* Representable: the smallest aligned value >= x. */
                assert_true(up >= x);
                assert_true(up - x < a);
            } else {
                assert_int_equal(up, align_down(UINT64_MAX, a));
            }
            assert_int_equal(is_aligned(x, a), down == x);
        }
    }
}

static void test_is_aligned_zero_one_and_top(void **state)
{
    (void)state;
    assert_true(is_aligned(0, 0x1000));
    assert_true(is_aligned(0, 1ull << 63));
    assert_true(is_aligned(12345, 1));
    assert_true(is_aligned(UINT64_MAX, 1));
    assert_false(is_aligned(UINT64_MAX, 2));
    assert_true(is_aligned(0x200000, 0x200000));
    assert_false(is_aligned(0x201000, 0x200000));
    assert_true(is_aligned(0x201000, 0x1000));
    assert_true(is_aligned(1ull << 63, 1ull << 63));
    assert_false(is_aligned((1ull << 63) + 0x1000, 1ull << 63));
}

static void test_ctz64_bit0_bit63_and_every_bit(void **state)
{
    (void)state;
    assert_int_equal(ctz64(1), 0);
    assert_int_equal(ctz64(1ull << 63), 63);
    assert_int_equal(ctz64(UINT64_MAX), 0);
    assert_int_equal(ctz64(0x1000), 12);
    assert_int_equal(ctz64(0x3000), 12);
    assert_int_equal(ctz64(0xfffffffffffff000ull), 12);
    for (unsigned n = 0; n < 64; n++) {
        assert_int_equal(ctz64(BIT(n)), n);
        assert_int_equal(ctz64(~MASK(n)), n); /* all bits from n upwards */
    }
}

static void test_log2_floor_bit0_bit63_and_between(void **state)
{
    (void)state;
    assert_int_equal(log2_floor(1), 0);
    assert_int_equal(log2_floor(2), 1);
    assert_int_equal(log2_floor(3), 1);
    assert_int_equal(log2_floor(0xfff), 11);
    assert_int_equal(log2_floor(0x1000), 12);
    assert_int_equal(log2_floor(0x1fff), 12);
    assert_int_equal(log2_floor(1ull << 63), 63);
    assert_int_equal(log2_floor(UINT64_MAX), 63);
    for (unsigned n = 0; n < 64; n++) {
        assert_int_equal(log2_floor(BIT(n)), n);
        assert_int_equal(log2_floor(MASK(n + 1)), n); /* bits 0..n set */
        if (n > 0)
            assert_int_equal(log2_floor(BIT(n) - 1), n - 1);
    }
}

static void test_bit_and_mask_including_mask64(void **state)
{
    (void)state;
    assert_int_equal(BIT(0), 1);
    assert_int_equal(BIT(12), 0x1000);
    assert_int_equal(BIT(63), 0x8000000000000000ull);
    assert_int_equal(MASK(0), 0);
    assert_int_equal(MASK(1), 1);
    assert_int_equal(MASK(12), 0xfff);
    assert_int_equal(MASK(63), 0x7fffffffffffffffull);
    assert_int_equal(MASK(64), UINT64_MAX);
    /* Run time widths too: MASK(64) must not evaluate the 1 << 64 shift
     * (UBSan would abort this binary if it did). */
    volatile unsigned width = 64;
    assert_int_equal(MASK(width), UINT64_MAX);
    for (unsigned n = 0; n <= 64; n++) {
        uint64_t m = MASK(n);
        unsigned popcount = (unsigned)__builtin_popcountll(m);
        assert_int_equal(popcount, n);
        assert_true(m == 0 || ctz64(m) == 0);
    }
    static const int arr[7];
    assert_int_equal(ARRAY_SIZE(arr), 7);
}

static void test_ranges_overlap_empty_ranges_overlap_nothing(void **state)
{
    (void)state;
    /* An empty range inside a non-empty one. */
    assert_false(ranges_overlap(5, 5, 0, 10));
    assert_false(ranges_overlap(0, 10, 5, 5));
    /* Two identical empty ranges. */
    assert_false(ranges_overlap(5, 5, 5, 5));
    /* Empty at the very edges. */
    assert_false(ranges_overlap(0, 0, 0, 10));
    assert_false(ranges_overlap(10, 10, 0, 10));
    /* Inverted ranges (end < base) count as empty. */
    assert_false(ranges_overlap(10, 0, 0, 20));
    assert_false(ranges_overlap(0, 20, 10, 0));
}

static void test_ranges_overlap_adjacent_ranges_do_not_overlap(void **state)
{
    (void)state;
    assert_false(ranges_overlap(0, 0x1000, 0x1000, 0x2000));
    assert_false(ranges_overlap(0x1000, 0x2000, 0, 0x1000));
    assert_false(ranges_overlap(0, 1, 1, 2));
    assert_false(ranges_overlap(0, 0x1000, 0x2000, 0x3000)); /* disjoint with gap */
    assert_false(ranges_overlap(0, 1ull << 63, 1ull << 63, UINT64_MAX));
    /* One shared byte is enough. */
    assert_true(ranges_overlap(0, 0x1001, 0x1000, 0x2000));
    assert_true(ranges_overlap(0x1000, 0x2000, 0, 0x1001));
    assert_true(ranges_overlap(0, (1ull << 63) + 1, 1ull << 63, UINT64_MAX));
}

static void test_ranges_overlap_nested_identical_and_partial(void **state)
{
    (void)state;
    assert_true(ranges_overlap(0, 100, 10, 20));  /* b inside a */
    assert_true(ranges_overlap(10, 20, 0, 100));  /* a inside b */
    assert_true(ranges_overlap(10, 20, 10, 20));  /* identical */
    assert_true(ranges_overlap(10, 11, 10, 11));  /* identical single byte */
    assert_true(ranges_overlap(0, 15, 10, 20));   /* partial, a lower */
    assert_true(ranges_overlap(15, 30, 10, 20));  /* partial, a higher */
    assert_true(ranges_overlap(0, UINT64_MAX, UINT64_MAX - 1, UINT64_MAX));
    assert_true(ranges_overlap(0, UINT64_MAX, 0, 1));
}

static void test_add_overflows_reports_wrap_and_stores_sum(void **state)
{
    (void)state;
    uint64_t sum = 0xdead;
    assert_false(add_overflows(0, 0, &sum));
    assert_int_equal(sum, 0);
    assert_false(add_overflows(1, 2, &sum));
    assert_int_equal(sum, 3);
    assert_false(add_overflows(UINT64_MAX, 0, &sum));
    assert_int_equal(sum, UINT64_MAX);
    assert_false(add_overflows(0, UINT64_MAX, &sum));
    assert_int_equal(sum, UINT64_MAX);
    assert_false(add_overflows(UINT64_MAX - 1, 1, &sum));
    assert_int_equal(sum, UINT64_MAX);
    assert_false(add_overflows(1ull << 63, (1ull << 63) - 1, &sum));
    assert_int_equal(sum, UINT64_MAX);

    assert_true(add_overflows(UINT64_MAX, 1, &sum));
    assert_true(add_overflows(1, UINT64_MAX, &sum));
    assert_true(add_overflows(1ull << 63, 1ull << 63, &sum));
    assert_true(add_overflows(UINT64_MAX, UINT64_MAX, &sum));
    assert_true(add_overflows(0xffffffffffffff00ull, 0x100, &sum));
}

int main(void)
{
    const struct CMUnitTest bits_tests[] = {
        cmocka_unit_test(test_is_pow2_zero_and_boundaries),
        cmocka_unit_test(test_align_down_edge_cases),
        cmocka_unit_test(test_align_up_edge_cases),
        cmocka_unit_test(test_align_up_saturates_instead_of_wrapping_near_uint64_max),
        cmocka_unit_test(test_align_up_and_down_properties_over_samples),
        cmocka_unit_test(test_is_aligned_zero_one_and_top),
        cmocka_unit_test(test_ctz64_bit0_bit63_and_every_bit),
        cmocka_unit_test(test_log2_floor_bit0_bit63_and_between),
        cmocka_unit_test(test_bit_and_mask_including_mask64),
        cmocka_unit_test(test_ranges_overlap_empty_ranges_overlap_nothing),
        cmocka_unit_test(test_ranges_overlap_adjacent_ranges_do_not_overlap),
        cmocka_unit_test(test_ranges_overlap_nested_identical_and_partial),
        cmocka_unit_test(test_add_overflows_reports_wrap_and_stores_sum),
    };
    return cmocka_run_group_tests(bits_tests, NULL, NULL);
}
