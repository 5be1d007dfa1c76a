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

/* ---------------------------------------------------------- helpers (util.c) */

/* Slot i of the root CNode's free range: slot_empty_first + i. The test
 * files keep to their own parts of it (untyped and CNode tests from 0,
 * vspace tests from 100, sched tests from 200, the all-memory cap test
 * from 400 to the end) and leave them empty. */
mica_word_t ktest_slot(const struct mica_bootinfo *bi, unsigned i);

/* The smallest RAM (not device) untyped of at least 2^min_bits bytes, or 0;
 * its size in *bits if bits is not NULL. */
mica_cptr_t ktest_ram_untyped(const struct mica_bootinfo *bi, unsigned min_bits, unsigned *bits);

/* The largest RAM (not device) untyped, or 0; its size in *bits if bits
 * is not NULL. */
mica_cptr_t ktest_largest_ram_untyped(const struct mica_bootinfo *bi, unsigned *bits);

/* The Debug_CapIdentify word of a root-CNode cptr, or ~0 if the lookup fails. */
mica_word_t ktest_ident(mica_cptr_t c);

/* The object type of a root-CNode cptr (MICA_OBJ_NULL for an empty slot),
 * or 0xffff if the lookup fails. */
unsigned ktest_id_type(mica_cptr_t c);

/* Empty every slot of the free range (never the fixed caps or the boot
 * untypeds below it) and revoke every boot untyped. If `report`, returns
 * the first leftover found (a slot still in use, or an untyped with live
 * children, i.e. not retypeable whole), or NULL if everything was clean. */
const char *ktest_cleanup(const struct mica_bootinfo *bi, int report);

/* Run a test body with leak checking: a silent ktest_cleanup first when the
 * test before it was not run this way (it repairs whatever other tests
 * left), then the body, then a reporting ktest_cleanup. A leak fails the
 * test, but is never reported over the body's own failure reason. */
const char *ktest_run(const struct mica_bootinfo *bi, ktest_fn body);

/* Number of tests the driver has started so far (ktest_run uses it to
 * see whether the test before this one was its own). */
extern unsigned ktest_started;

/* Define a test `fn` whose body (the braces that follow) runs under
 * ktest_run: it starts from a clean CSpace and must leave it so. */
#define KTEST(fn)                                                                  \
    static const char *fn##_body(const struct mica_bootinfo *bi __attribute__((unused))); \
    static const char *fn(const struct mica_bootinfo *bi)                           \
    {                                                                               \
        return ktest_run(bi, fn##_body);                                            \
    }                                                                               \
    static const char *fn##_body(const struct mica_bootinfo *bi __attribute__((unused)))

/* Deliberate faults, selected with the module argument "fault=NAME". */
void ktest_fault(const char *name);

#endif
