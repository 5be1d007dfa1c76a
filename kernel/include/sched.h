/*
 * The scheduler. For now it knows one user thread (the root task) and the
 * idle loop; priorities and round-robin come with TCB objects (issue 3).
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include <stdint.h>

struct tcb;

extern struct tcb *current; /* the thread whose context is live, or NULL in idle */

void sched_add(struct tcb *t);
/* Run the best runnable thread, or idle; never returns. */
__attribute__((noreturn)) void schedule(void);
/* Timer interrupt: account a tick. */
void sched_tick(void);
uint64_t sched_ticks(void);

#endif
