/*
 * Kernel test suite driver. With no arguments it runs every test table and
 * prints one protocol line per test; with "fault=NAME" it takes the named
 * user fault instead (the boot test cases check the kernel's report), with
 * "test=NAME" it runs only that test, with "icount" the tests that need
 * instruction-counted time (QEMU -icount: a device's timer then fires at a
 * fixed point of the guest's execution, whatever the host's load), which
 * the Makefile runs in boots of their own.
 */
#include "ktest.h"
#include <format.h>

static const struct ktest *const tables[] = { boot_tests, cpu_tests, syscall_tests, cap_tests, vspace_tests, sched_tests,
                                               untyped_tests, cnode_tests, ipc_tests, ntfn_tests,
                                               fault_ipc_tests, ioport_tests, irq_tests,
                                               iospace_tests, devmem_tests, entry_tests, preempt_tests, 0 };
static const struct ktest *const icount_tables[] = { icount_tests, 0 };

static char reason[256];

unsigned ktest_started;

const char *ktest_failf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    format_buf_v(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    return reason;
}

static unsigned count_tests(const struct ktest *const *tables)
{
    unsigned n = 0;
    for (unsigned t = 0; tables[t]; t++)
        for (const struct ktest *k = tables[t]; k->name; k++)
            n++;
    return n;
}

static int run_all(const struct mica_bootinfo *bi, const struct ktest *const *tables)
{
    unsigned failed = 0;
    mica_printf(MICA_TEST_TAG MICA_TEST_PLAN " %u\n", count_tests(tables));
    for (unsigned t = 0; tables[t]; t++) {
        for (const struct ktest *k = tables[t]; k->name; k++) {
            ktest_started++;
            const char *why = k->fn(bi);
            if (why) {
                failed++;
                mica_printf(MICA_TEST_TAG MICA_TEST_FAIL " %s: %s\n", k->name, why);
            } else {
                mica_printf(MICA_TEST_TAG MICA_TEST_OK " %s\n", k->name);
            }
        }
    }
    mica_printf(MICA_TEST_TAG MICA_TEST_DONE "\n");
    return failed ? 1 : 0;
}

/* "test=NAME": only that test, with the same protocol (boot cases that
 * check the kernel's console lines around one test). */
static const struct ktest *find(const struct ktest *const *tables, const char *name)
{
    for (unsigned t = 0; tables[t]; t++)
        for (const struct ktest *k = tables[t]; k->name; k++)
            if (mica_strcmp(k->name, name) == 0)
                return k;
    return 0;
}

static int run_one(const struct mica_bootinfo *bi, const char *name)
{
    const struct ktest *k = find(tables, name);
    if (!k)
        k = find(icount_tables, name);
    if (!k) {
        mica_printf("ktest: no test named '%s'\n", name);
        return 1;
    }
    mica_printf(MICA_TEST_TAG MICA_TEST_PLAN " 1\n");
    ktest_started++;
    const char *why = k->fn(bi);
    if (why)
        mica_printf(MICA_TEST_TAG MICA_TEST_FAIL " %s: %s\n", k->name, why);
    else
        mica_printf(MICA_TEST_TAG MICA_TEST_OK " %s\n", k->name);
    mica_printf(MICA_TEST_TAG MICA_TEST_DONE "\n");
    return why ? 1 : 0;
}

int main(const struct mica_bootinfo *bi)
{
    if (mica_strncmp(bi->cmdline, "test=", 5) == 0)
        return run_one(bi, bi->cmdline + 5);
    if (mica_strncmp(bi->cmdline, "fault=", 6) == 0) {
        ktest_fault(bi, bi->cmdline + 6);
        return 1; /* only reached if the fault did not happen */
    }
    if (mica_strncmp(bi->cmdline, "icount", 6) == 0)
        return run_all(bi, icount_tables);
    return run_all(bi, tables);
}
