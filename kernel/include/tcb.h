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
#include <stdbool.h>
#include <stdint.h>

#define TCB_NAME_MAX 32

enum thread_state {
    THREAD_INACTIVE,      /* never started, or suspended */
    THREAD_RUNNABLE,      /* running or ready to run */
    THREAD_STOPPED,       /* stopped by a fault with nobody to handle it */
    THREAD_BLOCKED_SEND,  /* in an endpoint's queue, waiting for a receiver */
    THREAD_BLOCKED_RECV,  /* in an endpoint's queue, waiting for a sender */
    THREAD_BLOCKED_REPLY, /* sent a Call (or a fault); a reply cap names it */
    THREAD_BLOCKED_NTFN,  /* in a notification's queue, waiting for a signal */
};

static inline bool thread_blocked(enum thread_state s)
{
    return s >= THREAD_BLOCKED_SEND;
}

/* The TCB's own capability slots. */
enum tcb_slot {
    TCB_SLOT_CSPACE = 0,
    TCB_SLOT_VSPACE = 1,
    TCB_SLOT_IPC_BUFFER = 2,
    TCB_SLOT_FAULT_EP = 3, /* copy of its fault endpoint cap, or empty */
    TCB_SLOT_REPLY = 4,    /* the reply cap of the last Call it received */
};
#define TCB_SLOT_BITS 3
#define TCB_SLOT_COUNT (1u << TCB_SLOT_BITS)

/* A blocked sender's flags (tcb.ipc_flags). */
#define IPC_FLAG_CALL        0x1 /* wants a reply */
#define IPC_FLAG_GRANT       0x2 /* its cap had the grant right */
#define IPC_FLAG_GRANT_REPLY 0x4 /* the reply may carry caps */

struct endpoint;
struct notification;

struct tcb {
    struct arch_context ctx;
    struct arch_fpu_state fpu;
    struct cte slots[TCB_SLOT_COUNT];
    enum thread_state state;
    uint8_t priority;         /* 0 .. MICA_MAX_PRIORITY */
    uint8_t mcp;              /* highest priority it may give (itself or others) */
    uint8_t queued;           /* in a ready queue */
    uint8_t timeslice;        /* timer ticks left before round-robin */
    uint8_t ipc_flags;        /* IPC_FLAG_*, while blocked sending */
    uint8_t fault_kind;       /* enum fault_kind of a fault being handled, or FAULT_NONE */
    struct tcb *sched_next, *sched_prev;
    /* IPC: the queue it waits in (endpoint or notification), its place in
     * it, and what it sends. */
    void *blocked_on;
    struct tcb *ipc_next, *ipc_prev;
    uint64_t ipc_badge;       /* badge of the cap it sends with */
    uint64_t cancel_badge, cancel_walk; /* its endpoint's cancel_at: that walk (endpoint.c) */
    /* Its Revoke stopped in this cancel walk, on that endpoint and badge
     * (cnode.c); walk 0 if it is not repeating such a Revoke. */
    uint64_t restart_walk, restart_badge;
    void *restart_ep;
    struct cte *reply_cte;    /* BLOCKED_REPLY: the slot of the reply cap naming it */
    struct notification *bound_ntfn;
    /* The fault being handled (fault_kind != FAULT_NONE). */
    uint64_t fault_ip, fault_addr, fault_code, fault_error;
    uint64_t fs_base, gs_base;
    uint64_t vspace_root;     /* physical address of the top-level page table */
    uint64_t vspace_epoch;    /* vspace_epoch when vspace_root was last checked */
    uint64_t ipc_buffer;      /* user address of the IPC buffer (its frame: slot IPC_BUFFER) */
    struct tcb *all_next, *all_prev; /* every live TCB (tcb_all), for the halt report */
    char name[TCB_NAME_MAX];
};

_Static_assert(sizeof(struct tcb) <= (1u << MICA_TCB_BITS), "TCB fits its object size");
/* The syscall entry (entry.S) passes &current->ctx as the thread itself. */
_Static_assert(__builtin_offsetof(struct tcb, ctx) == 0, "ctx is a TCB's first member");

void tcb_init(struct tcb *t, const char *name, uint64_t vspace_root);
/* The kernel's view of t's IPC buffer (through the frame cap in its TCB
 * slot, so a buffer whose frame cap is gone is simply absent), or NULL. */
struct mica_ipc_buffer *tcb_ipc_buffer(const struct tcb *t);
/* Overwrite the first n (<= MICA_USER_CONTEXT_WORDS) registers of t in
 * struct mica_user_context order. An invalid (non-canonical) FS/GS base is
 * not written, and the result is then false; the other registers are. */
bool tcb_write_user_regs(struct tcb *t, const uint64_t *w, unsigned n);
/* The last capability to the TCB is gone: make sure it never runs again. */
void tcb_finalise(struct tcb *t);
const char *thread_state_name(enum thread_state s);
/* Every TCB made and not yet finalised, newest first (all_next links). */
extern struct tcb *tcb_all;

#endif
