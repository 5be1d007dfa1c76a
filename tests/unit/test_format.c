/*
 * lib/fmt/format.c: the printf-style formatter the kernel console and
 * libmica share. Checked against the C library's snprintf for the
 * conversions both support, and for truncation and odd inputs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "format.h"

#define SAME(...)                                                   \
    do {                                                            \
        char ours[128], libc[128];                                  \
        int n1 = format_buf(ours, sizeof(ours), __VA_ARGS__);       \
        int n2 = snprintf(libc, sizeof(libc), __VA_ARGS__);         \
        assert_string_equal(ours, libc);                            \
        assert_int_equal(n1, n2);                                   \
    } while (0)

static void test_integers_match_libc(void **state)
{
    (void)state;
    SAME("%d %d %d", 0, -1, 2147483647);
    SAME("%d", (int)-2147483647 - 1);
    SAME("%u %x %X", 4294967295u, 0xdeadbeefu, 0xabcdefu);
    SAME("%ld %lu %lx", -9223372036854775807L - 1, 18446744073709551615UL, 0x123456789abcdefUL);
    SAME("%lld %llx", -5LL, 0xffffffffffffffffULL);
    SAME("%zu %zx", (size_t)12345, (size_t)0xfff);
    SAME("%i", 42);
}

static void test_width_and_flags_match_libc(void **state)
{
    (void)state;
    SAME("[%5d] [%-5d] [%05d]", 42, 42, 42);
    SAME("[%016lx]", 0xffffffff80100000UL);
    SAME("[%05d]", -42);
    SAME("[%*d]", 7, 3);
    SAME("[%8s] [%-8s]", "ab", "ab");
    SAME("[%3s]", "longer");
    SAME("[%c%c]", 'o', 'k');
}

/* No format attribute: lets tests pass formats the compiler would reject. */
static int unchecked(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = format_buf_v(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

static void test_pointer_and_percent(void **state)
{
    (void)state;
    char buf[64];
    format_buf(buf, sizeof(buf), "%p %%", (void *)0x1000);
    assert_string_equal(buf, "0x1000 %");
    format_buf(buf, sizeof(buf), "%p", (void *)0);
    assert_string_equal(buf, "0x0");
}

static void test_null_string_prints_null(void **state)
{
    (void)state;
    char buf[32];
    unchecked(buf, sizeof(buf), "%s", (const char *)NULL);
    assert_string_equal(buf, "(null)");
}

static void test_unknown_conversion_is_shown_literally(void **state)
{
    (void)state;
    char buf[32];
    unchecked(buf, sizeof(buf), "a%qb");
    assert_string_equal(buf, "a%qb");
    unchecked(buf, sizeof(buf), "end%");
    assert_string_equal(buf, "end%");
}

static void test_truncation_terminates_and_reports_full_length(void **state)
{
    (void)state;
    char buf[8];
    memset(buf, 'X', sizeof(buf));
    int n = format_buf(buf, sizeof(buf), "%s", "0123456789");
    assert_int_equal(n, 10);
    assert_string_equal(buf, "0123456");
    n = format_buf(buf, 1, "abc");
    assert_int_equal(n, 3);
    assert_int_equal(buf[0], '\0');
    /* size 0: nothing is written at all */
    buf[0] = 'Q';
    n = format_buf(buf, 0, "abc");
    assert_int_equal(n, 3);
    assert_int_equal(buf[0], 'Q');
}

static void test_huge_width_is_bounded(void **state)
{
    (void)state;
    char buf[16];
    int n = format_buf(buf, sizeof(buf), "%99999d", 1);
    /* The parser caps widths, so output stays finite and terminated. */
    assert_int_equal(n, 1024);
    assert_int_equal(strlen(buf), sizeof(buf) - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integers_match_libc),
        cmocka_unit_test(test_width_and_flags_match_libc),
        cmocka_unit_test(test_pointer_and_percent),
        cmocka_unit_test(test_null_string_prints_null),
        cmocka_unit_test(test_unknown_conversion_is_shown_literally),
        cmocka_unit_test(test_truncation_terminates_and_reports_full_length),
        cmocka_unit_test(test_huge_width_is_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
