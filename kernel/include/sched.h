/*
 * The scheduler: 256 priorities, round-robin with a timeslice within a
 * priority, preemption by the LAPIC timer. The highest-priority runnable
 * thread always runs. Runnable threads other than `current` wait in one
 * FIFO queue per priority; a bitmap finds the highest non-empty queue.
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include <stdint.h>

struct tcb;

extern struct tcb *current; /* the thread whose context is live, or NULL in idle */

/* Make t runnable (queue it unless it is current). If it outranks current,
 * schedule() on the way out of the kernel switches to it. */
void sched_make_runnable(struct tcb *t);
/* t stops being runnable (suspended, stopped, destroyed): take it off the queues. */
void sched_remove(struct tcb *t);
/* Change t's priority, keeping the queues and preemption right. */
void sched_set_priority(struct tcb *t, unsigned prio);
/* current gives up the rest of its timeslice to its equals. */
void sched_yield(void);
/* Run the best runnable thread, or idle; never returns. */
__attribute__((noreturn)) void schedule(void);
/* Timer interrupt: account a tick. */
void sched_tick(void);
uint64_t sched_ticks(void);

#endif
