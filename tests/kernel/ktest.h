/*
 * The in-QEMU kernel test suite: a root task that exercises the kernel
 * through real system calls and reports with the protocol of
 * include/mica/debug.h, collected by tools/testrun.
 */
#ifndef KTEST_H
#define KTEST_H

#include <libmica.h>
#include <mica/debug.h>

/* A test returns NULL on success or a static failure reason. */
typedef const char *(*ktest_fn)(const struct mica_bootinfo *bi);

struct ktest {
    const char *name;
    ktest_fn fn;
};

/* Fail with a formatted reason (kept in a static buffer). */
const char *ktest_failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define CHECK(cond)                                                             \
    do {                                                                        \
        if (!(cond))                                                            \
            return ktest_failf("%s:%d: check failed: %s", __FILE__, __LINE__, #cond); \
    } while (0)

#define CHECK_EQ(a, b)                                                          \
    do {                                                                        \
        unsigned long long _a = (unsigned long long)(a), _b = (unsigned long long)(b); \
        if (_a != _b)                                                           \
            return ktest_failf("%s:%d: %s == 0x%llx, expected %s == 0x%llx",     \
                               __FILE__, __LINE__, #a, _a, #b, _b);              \
    } while (0)

/* Test tables, one per file. */
extern const struct ktest boot_tests[];
extern const struct ktest cpu_tests[];
extern const struct ktest syscall_tests[];
extern const struct ktest cap_tests[];
extern const struct ktest untyped_tests[];
extern const struct ktest cnode_tests[];
extern const struct ktest vspace_tests[];
extern const struct ktest sched_tests[];

/* The smallest RAM (not device) untyped of at least 2^min_bits bytes, or 0;
 * its size in *bits if bits is not NULL. */
mica_cptr_t ktest_ram_untyped(const struct mica_bootinfo *bi, unsigned min_bits, unsigned *bits);

/* Deliberate faults, selected with the module argument "fault=NAME". */
void ktest_fault(const char *name);

#endif
