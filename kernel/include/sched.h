/*
 * The scheduler: 256 priorities, round-robin with a timeslice within a
 * priority, preemption by the LAPIC timer. The highest-priority runnable
 * thread always runs. Runnable threads other than `current` wait in one
 * FIFO queue per priority; a bitmap finds the highest non-empty queue.
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include <arch.h>
#include <bits.h>
#include <mica/tcb.h>
#include <stdbool.h>
#include <stdint.h>
#include <tcb.h>

#define SCHED_PRIORITIES (MICA_MAX_PRIORITY + 1)
#define TIMESLICE_TICKS 2 /* timer ticks per turn */

extern struct tcb *current; /* the thread whose context is live, or NULL in idle */

/* Make t runnable (queue it unless it is current). If it outranks current,
 * schedule() on the way out of the kernel switches to it. */
void sched_make_runnable(struct tcb *t);
/* IPC woke t (docs/ipc.md, "Who runs next"): it runs at once if current
 * blocked and nothing ready outranks t, or if t outranks a still runnable
 * current and everything ready; otherwise it is queued at the tail. The
 * decision is taken by the next schedule(). */
void sched_wake(struct tcb *t);
/* The ready queues' bitmaps (sched.c), for the inline functions below. */
extern uint64_t sched_bitmap[SCHED_PRIORITIES / 64];
extern uint64_t sched_bitmap_words;

/* The highest priority of a ready (queued) thread, or -1. */
static inline int sched_best_priority(void)
{
    if (!sched_bitmap_words)
        return -1;
    unsigned w = log2_floor(sched_bitmap_words);
    return (int)(w * 64 + log2_floor(sched_bitmap[w]));
}

/* Is no ready thread of a priority above p? */
static inline __attribute__((always_inline)) bool sched_none_ready_above(unsigned p)
{
    if (!sched_bitmap_words)
        return true;
    unsigned w = p / 64;
    if (sched_bitmap_words >> w >> 1)
        return false; /* a higher word has a ready thread */
    return (sched_bitmap[w] >> (p % 64) >> 1) == 0;
}

/* t takes the CPU (its context is switched to next). */
static inline void sched_set_current(struct tcb *t)
{
    current = t;
    if (!t->timeslice)
        t->timeslice = TIMESLICE_TICKS;
}

/* t (RUNNABLE, not queued, vspace_root checked) takes the CPU: used by
 * schedule() and by the IPC fastpath when current has blocked. */
static inline __attribute__((noreturn)) void sched_switch_direct(struct tcb *t)
{
    sched_set_current(t);
    arch_switch_to(t);
}
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
