/*
 * The in-QEMU kernel test suite: a root task that exercises the kernel
 * through real system calls and reports with the protocol of
 * include/mica/debug.h, collected by tools/testrun.
 */
#ifndef KTEST_H
#define KTEST_H

#include <libmica.h>
#include <mica/debug.h>
#include <mica/message.h>
#include <mica_ipc.h>

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
extern const struct ktest ipc_tests[];
extern const struct ktest ntfn_tests[];
extern const struct ktest fault_ipc_tests[];
extern const struct ktest ioport_tests[];
extern const struct ktest irq_tests[];
extern const struct ktest iospace_tests[];
extern const struct ktest devmem_tests[];
extern const struct ktest entry_tests[];
extern const struct ktest preempt_tests[];
/* Tests that need instruction-counted time (main.c, "icount"). */
extern const struct ktest icount_tests[];

/* ---------------------------------------------------------- helpers (util.c) */

/* Slot i of the root CNode's free range: slot_empty_first + i. The test
 * files keep to their own parts of it (untyped and CNode tests from 0,
 * vspace tests from 100, sched tests from 200, IPC, notification and
 * fault tests from 300, the all-memory cap test from 400 to the end) and
 * leave them empty. */
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

/* Return the reason if a helper returning one failed. */
#define TRY(call)                                                               \
    do {                                                                        \
        const char *_why = (call);                                              \
        if (_why)                                                               \
            return _why;                                                        \
    } while (0)

/* ------------------------------------------- test threads and IPC (util.c) */

/*
 * An environment for tests with threads: every object comes from one RAM
 * untyped (revoked by ktest_env_done), caps go to consecutive free slots
 * from ktest_slot(bi, first). Threads run in the root task's own CSpace and
 * VSpace, each on a stack of its own in the bss, and end by suspending
 * themselves when their function returns. Pages (IPC buffers, shared
 * memory) are mapped in the root VSpace at KTEST_MAP_AREA, under page
 * tables made for the test; KTEST_MAP_AREA + KTEST_HOLES is left unmapped
 * below the same page table, for page-fault tests.
 */
#define KTEST_MAX_THREADS 8
#define KTEST_MAP_AREA 0x0000200000000000ul /* PML4 slot 64: nothing else lives here */
#define KTEST_HOLES    0x100000ul           /* offset of the unmapped half of the 2 MiB */

struct ktest_env {
    const struct mica_bootinfo *bi;
    mica_cptr_t ut;
    unsigned next_slot; /* ktest_slot index of the next free slot */
    unsigned n_threads;
    unsigned n_pages;   /* pages mapped at KTEST_MAP_AREA */
    int tables;         /* page tables for KTEST_MAP_AREA installed */
};

/* A thread's function: its argument and its own IPC buffer (NULL if none). */
typedef void (*ktest_thread_fn)(long arg, struct mica_ipc_buffer *ipc);

#define KTEST_IPC   0x1 /* give the thread an IPC buffer of its own */
#define KTEST_START 0x2 /* resume it at once (else it stays inactive) */

/* Pick the untyped (a RAM untyped of at least 4 MiB); slots from `first`.
 * The root task's IPC buffer names no receive slot afterwards. */
const char *ktest_env_init(struct ktest_env *e, const struct mica_bootinfo *bi, unsigned first);
/* Revoke the untyped (destroying every object, thread and mapping of the
 * test), clear the root task's receive slot and use up any reply cap left
 * in its reply slot. */
const char *ktest_env_done(struct ktest_env *e);
/* A free slot of the environment (left empty), or 0 if none is left. */
mica_cptr_t ktest_env_slot(struct ktest_env *e);
/* One new object of `type` in a fresh slot; 0 on failure. */
mica_cptr_t ktest_env_new(struct ktest_env *e, unsigned type);
/* A fresh zeroed 4 KiB frame mapped read-write at the next page of
 * KTEST_MAP_AREA; its cap in *frame (if not NULL). NULL on failure. */
void *ktest_env_page(struct ktest_env *e, mica_cptr_t *frame);
/* Make sure the page tables for KTEST_MAP_AREA exist. */
const char *ktest_env_tables(struct ktest_env *e);
/* A thread running fn(arg, ipc) at `prio` (MCP the same), with fault
 * endpoint fault_ep (a root CNode slot; 0 for none); its TCB in *tcb. */
const char *ktest_env_thread(struct ktest_env *e, mica_cptr_t *tcb, ktest_thread_fn fn, long arg,
                             unsigned prio, mica_cptr_t fault_ep, unsigned flags);
/* The IPC buffer ktest_env_thread gave the thread with TCB `tcb`, or NULL. */
struct mica_ipc_buffer *ktest_env_ipc_of(struct ktest_env *e, mica_cptr_t tcb);
/* Let every thread of priority 2 and up run until all are blocked or
 * inactive: the root task drops to priority 1 and back to 255. */
const char *ktest_let_run(void);
/* mica_invoke through a given IPC buffer (for threads with their own). */
struct mica_sysret ktest_invoke(struct mica_ipc_buffer *buf, mica_cptr_t cap, mica_word_t label,
                                const mica_word_t *mr, unsigned length, const mica_cptr_t *caps,
                                unsigned n_caps);

/* What test threads saw, one entry per thread (by the index the test
 * gives it): a received message, or a call's status, plus test-specific
 * extras; n counts the results recorded. */
struct ktest_seen {
    mica_word_t status, badge, tag, mr[4];
    mica_word_t x[4];
    int n;
};
extern volatile struct ktest_seen ktest_seen[KTEST_MAX_THREADS];
/* Record a received message in ktest_seen[i] (n counts up). */
void ktest_record(long i, struct mica_msg m);
/* Marks: the order in which threads reached points of interest. */
void ktest_mark(long v);
/* Forget every ktest_seen entry (fields 0xdead, n 0) and every mark. */
void ktest_reset_seen(void);
/* NULL if exactly the marks want[0..n) were made, in that order. */
const char *ktest_expect_marks(const long *want, unsigned n);
#define EXPECT_MARKS(...)                                                       \
    do {                                                                        \
        static const long _want[] = { __VA_ARGS__ };                            \
        TRY(ktest_expect_marks(_want, sizeof(_want) / sizeof(_want[0])));       \
    } while (0)

/* Deliberate faults (and a deadlock), selected with the module argument "fault=NAME". */
void ktest_fault(const struct mica_bootinfo *bi, const char *name);

#endif
