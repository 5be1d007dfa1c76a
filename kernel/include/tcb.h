/*
 * Thread control block: a thread's saved user state and scheduling state.
 *
 * Until TCB objects are made from untyped memory (issue 3) the kernel only
 * has the root task's thread, set up at boot.
 */
#ifndef KERNEL_TCB_H
#define KERNEL_TCB_H

#include <context.h>
#include <stdint.h>

#define TCB_NAME_MAX 32

enum thread_state {
    THREAD_INACTIVE, /* never started, or suspended */
    THREAD_RUNNABLE, /* running or ready to run */
    THREAD_STOPPED,  /* stopped by a fault with nobody to handle it */
};

struct tcb {
    struct arch_context ctx;
    struct arch_fpu_state fpu;
    enum thread_state state;
    uint64_t vspace_root; /* physical address of the top-level page table */
    char name[TCB_NAME_MAX];
};

void tcb_init(struct tcb *t, const char *name, uint64_t vspace_root);
const char *thread_state_name(enum thread_state s);

#endif
