/*
 * Thread control block: a thread's saved user state, scheduling state and
 * the capability slots that define its environment (CSpace root, VSpace
 * root, IPC buffer frame, fault endpoint).
 *
 * A TCB object is 2^MICA_TCB_BITS bytes made from untyped memory; the root
 * task's TCB is set up by the kernel at boot.
 */
#ifndef KERNEL_TCB_H
#define KERNEL_TCB_H

#include <cap.h>
#include <context.h>
#include <mica/object.h>
#include <stdint.h>

#define TCB_NAME_MAX 32

enum thread_state {
    THREAD_INACTIVE, /* never started, or suspended */
    THREAD_RUNNABLE, /* running or ready to run */
    THREAD_STOPPED,  /* stopped by a fault with nobody to handle it */
};

/* The TCB's own capability slots. */
enum tcb_slot {
    TCB_SLOT_CSPACE = 0,
    TCB_SLOT_VSPACE = 1,
    TCB_SLOT_IPC_BUFFER = 2,
    TCB_SLOT_FAULT_EP = 3,
};
#define TCB_SLOT_BITS 2
#define TCB_SLOT_COUNT (1u << TCB_SLOT_BITS)

struct tcb {
    struct arch_context ctx;
    struct arch_fpu_state fpu;
    struct cte slots[TCB_SLOT_COUNT];
    enum thread_state state;
    uint8_t priority;         /* 0 .. MICA_MAX_PRIORITY */
    uint8_t mcp;              /* highest priority it may give (itself or others) */
    uint8_t queued;           /* in a ready queue */
    uint8_t timeslice;        /* timer ticks left before round-robin */
    struct tcb *sched_next, *sched_prev;
    uint64_t fault_ep;        /* CPtr of its fault endpoint (issue 4), 0 = none */
    uint64_t fs_base, gs_base;
    uint64_t vspace_root;     /* physical address of the top-level page table */
    uint64_t ipc_buffer;      /* user address of the IPC buffer (its frame: slot IPC_BUFFER) */
    char name[TCB_NAME_MAX];
};

_Static_assert(sizeof(struct tcb) <= (1u << MICA_TCB_BITS), "TCB fits its object size");

void tcb_init(struct tcb *t, const char *name, uint64_t vspace_root);
/* The last capability to the TCB is gone: make sure it never runs again. */
void tcb_finalise(struct tcb *t);
const char *thread_state_name(enum thread_state s);

#endif
