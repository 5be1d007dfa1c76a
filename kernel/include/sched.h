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
/* IPC woke t (docs/ipc.md, "Who runs next"): it runs at once if current
 * blocked and nothing ready outranks t, or if t outranks a still runnable
 * current and everything ready; otherwise it is queued at the tail. The
 * decision is taken by the next schedule(). */
void sched_wake(struct tcb *t);
/* The highest priority of a ready (queued) thread, or -1. */
int sched_best_priority(void);
/* The IPC fastpath: current has blocked and t (RUNNABLE, not queued, with
 * its vspace_root set) takes the CPU, as schedule() would choose. */
__attribute__((noreturn)) void sched_switch_direct(struct tcb *t);
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
