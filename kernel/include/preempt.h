/*
 * Preemption points of long kernel operations (docs/syscalls.md,
 * "Preemption and restart").
 *
 * The kernel runs with interrupts off. An operation whose length user
 * space decides (Revoke, deleting a large CNode or an endpoint with many
 * waiters, Retype zeroing) works in bounded steps that leave the objects
 * consistent, and after each step asks preempt_point(). When that says
 * stop, the operation returns OP_PREEMPTED up to the invocation layer,
 * which rewinds the caller to its `syscall` instruction with every
 * argument register intact (nothing is written back) and reschedules:
 * the pending interrupt is taken on the way out, and the caller later
 * repeats the same invocation, which carries on where the objects' state
 * says (decoding has no side effects, so repeating it is harmless).
 */
#ifndef KERNEL_PREEMPT_H
#define KERNEL_PREEMPT_H

#include <stdbool.h>
#include <stdint.h>

/* What a long operation returns. */
enum op_status { OP_DONE = 0, OP_PREEMPTED = 1 };

/* Work units between two looks at the interrupt controller. One unit is
 * about one capability removed, a few children re-parented or a few
 * waiters cancelled (each some tens to hundreds of instructions). */
#define PREEMPT_CHECK_UNITS 16

/* `units` of work were done and the objects are consistent: should the
 * operation stop now? True when an interrupt is pending (looked at every
 * PREEMPT_CHECK_UNITS units; a caller passing PREEMPT_CHECK_UNITS or more
 * forces a look), or, in debug builds, when the test knob says so. */
bool preempt_point(unsigned units);

/* Kernel paths that cannot be repeated (cte_delete_now) run without
 * preemption points between these two. */
void preempt_disable(void);
void preempt_enable(void);

/* Operations preempted since boot (a debug and test statistic). */
extern uint64_t preempt_count;

/* Debug builds: make every `period`-th preemption point stop the
 * operation and end the caller's timeslice, interrupt or not (0: off).
 * Tests use it to interrupt long operations at deterministic places. */
void preempt_debug_force(uint64_t period);

#endif
