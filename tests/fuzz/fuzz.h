/*
 * The system-call fuzzer (docs/fuzzing.md): a root task that builds a pool
 * of kernel objects and child threads from a seed, then makes random
 * system calls on random capabilities with boundary-value arguments while
 * keeping itself alive. Shared declarations of its files.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <libmica.h>
#include <mica/cap.h>
#include <mica/debug.h>
#include <mica/message.h>
#include <mica/syscall.h>
#include <mica_ipc.h>

/*
 * The fuzzer's CSpace (after setup), a CNode C of 8 slots with a 49-bit
 * zero guard:
 *   C slot 1..FZ_POOL_CNODES  the pool CNodes P1.. (256 slots each, 4-bit
 *                             zero guard): CPtr (c << 12) | p names slot p
 *                             of Pc, FZ_POOL(c, p)
 *   C slot 7                  the boot CNode R (guard 0): CPtr 0x7000 | r
 *                             names R's slot r, FZ_PRIV(r)
 * Everything the fuzzer must keep (its TCB, CSpaces, VSpace, IPC buffer,
 * the watchdog and its timer) is reachable only through C slot 7. Every
 * CPtr the generator makes goes through fz_cptr_filter(), which never lets
 * one resolve through slot 7, and no cap to R or C is ever put in a pool
 * CNode: random calls can reach pool objects only.
 */
#define FZ_POOL_CNODES 6
#define FZ_POOL_BITS 8
#define FZ_POOL(c, p) (((mica_cptr_t)(c) << 12) | (mica_cptr_t)(p))
#define FZ_PRIV(r) ((mica_cptr_t)0x7000 | (mica_cptr_t)(r))
#define FZ_C_GUARD_BITS 49

/* The watchdog's badge on the fuzzer's own fault endpoint. */
#define FZ_FAULT_BADGE 0xf022

/* Shared between the fuzzer thread and the watchdog thread (watchdog.c).
 * Same address space, one CPU: the watchdog runs only while the fuzzer
 * thread is blocked, so plain volatile accesses are enough. */
struct fz_shared {
    volatile uint64_t progress;      /* bumped by the fuzzer before each call */
    volatile uint64_t call;          /* index of the call in progress */
    volatile int expect_fault;       /* the call in progress is an unknown syscall */
    volatile uint64_t fault_value;   /* what the watchdog "returns" for it */
    volatile uint64_t unblocks;      /* blocked calls the watchdog cut short */
    volatile uint64_t ticks;         /* timer notifications seen */
    volatile uint64_t other_faults;  /* faults of pool threads that reached the watchdog */
    uint64_t seed;
    /* R slots the watchdog uses (its CSpace is R: CPtr = slot). */
    mica_cptr_t w_ep, w_irq, w_irq2, fuzzer_tcb; /* w_irq2: 0 if none */
};
extern struct fz_shared fz_shared;

/* The watchdog thread's entry (watchdog.c). */
void fz_watchdog_main(void);

/* The child threads' loop (child.S): registers only, no memory. */
void fz_child_entry(void);
extern const char fz_child_end[];
extern const signed char fz_child_numbers[16]; /* its call numbers */

/* Known kernel bugs the fuzzer can be told to steer clear of (module
 * argument avoid=, a bit mask; docs/fuzzing.md). */
#define FZ_AVOID_DEVICE_WRITE 0x1 /* issue 12 item 6: Debug_Write from a device frame panics */

#endif
