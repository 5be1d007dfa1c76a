/*
 * Host unit tests for lib/include/cmdline.h: the command-line word helpers
 * the kernel (its options, the root task's name) and init (module names
 * and arguments) share.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <cmdline.h>

static void test_has_whole_words_only(void **state)
{
    (void)state;
    assert_true(cmdline_has("nofastpath", "nofastpath"));
    assert_true(cmdline_has("a nofastpath b", "nofastpath"));
    assert_true(cmdline_has("  a   nofastpath  ", "nofastpath"));
    assert_false(cmdline_has("nofastpathx", "nofastpath"));
    assert_false(cmdline_has("xnofastpath", "nofastpath"));
    assert_false(cmdline_has("nofast path", "nofastpath"));
    assert_false(cmdline_has("nofast", "nofastpath"));
    assert_false(cmdline_has("", "nofastpath"));
    assert_false(cmdline_has("a b", ""));
    assert_true(cmdline_has("selftest=no-msi", "selftest=no-msi"));
}

static void test_args_skip_the_program(void **state)
{
    (void)state;
    assert_string_equal(cmdline_args("path/prog a b"), "a b");
    assert_string_equal(cmdline_args("prog    a"), "a");
    assert_string_equal(cmdline_args("prog"), "");
    assert_string_equal(cmdline_args(""), "");
    assert_string_equal(cmdline_args("prog "), "");
}

static void test_name_is_last_path_component_of_first_word(void **state)
{
    (void)state;
    char name[8];
    cmdline_name("build/servers/uart x/y", name, sizeof(name));
    assert_string_equal(name, "uart");
    cmdline_name("init", name, sizeof(name));
    assert_string_equal(name, "init");
    cmdline_name("dir/", name, sizeof(name));
    assert_string_equal(name, "");
    cmdline_name("", name, sizeof(name));
    assert_string_equal(name, "");
    cmdline_name("a/verylongname", name, sizeof(name)); /* cut to size - 1 */
    assert_string_equal(name, "verylon");
    cmdline_name("abc", name, 1);
    assert_string_equal(name, "");
}

int main(void)
{
    const struct CMUnitTest cmdline_tests[] = {
        cmocka_unit_test(test_has_whole_words_only),
        cmocka_unit_test(test_args_skip_the_program),
        cmocka_unit_test(test_name_is_last_path_component_of_first_word),
    };
    return cmocka_run_group_tests(cmdline_tests, NULL, NULL);
}
