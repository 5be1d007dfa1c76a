/*
 * The scheduler: runs the first runnable thread, otherwise idles.
 *
 * There is one user thread at this stage (the root task); priorities,
 * round-robin and timeslices arrive with TCB objects (issue 3). When every
 * thread has stopped, nothing can ever run again: after showing for a few
 * timer ticks that the kernel itself is still alive, the machine halts with
 * MICA_EXIT_NO_THREAD so a test run ends by itself.
 */
#include <arch.h>
#include <bits.h>
#include <console.h>
#include <mica/debug.h>
#include <panic.h>
#include <sched.h>
#include <tcb.h>
#include <fault.h>
#include <vspace.h>

#define MAX_THREADS 8
#define DEAD_SYSTEM_TICKS 3

struct tcb *current;
static struct tcb *threads[MAX_THREADS];
static unsigned n_threads;
static uint64_t ticks;
static uint64_t ticks_since_all_stopped;

void sched_add(struct tcb *t)
{
    BUG_ON(n_threads == MAX_THREADS);
    threads[n_threads++] = t;
}

uint64_t sched_ticks(void)
{
    return ticks;
}

/* No thread can ever run again: none runnable, none waiting for an event. */
static bool all_stopped(void)
{
    for (unsigned i = 0; i < n_threads; i++)
        if (threads[i]->state == THREAD_RUNNABLE)
            return false;
    return true;
}

void sched_tick(void)
{
    ticks++;
    if (current || !all_stopped())
        return;
    if (++ticks_since_all_stopped == DEAD_SYSTEM_TICKS) {
        kprintf("mica: all threads have stopped; the kernel handled %u timer ticks since. Halting.\n",
                DEAD_SYSTEM_TICKS);
        machine_halt(MICA_EXIT_NO_THREAD);
    }
}

/* A thread runs in the VSpace its TCB slot names; if that cap is gone
 * (deleted or revoked), the thread cannot run and is stopped. */
static bool has_vspace(struct tcb *t)
{
    const struct cap *vs = &t->slots[TCB_SLOT_VSPACE].cap;
    uint64_t root = vs->type == CAP_VSPACE ? asid_root(vs->word1) : 0;
    if (!root) {
        struct fault f = { .kind = FAULT_EXCEPTION, .ip = t->ctx.rip, .code = 0,
                           .what = "no address space", .detail = "its VSpace cap is gone" };
        fault_handle(t, &f);
        return false;
    }
    t->vspace_root = root;
    return true;
}

void schedule(void)
{
    for (unsigned i = 0; i < n_threads; i++) {
        if (threads[i]->state == THREAD_RUNNABLE && has_vspace(threads[i])) {
            current = threads[i];
            arch_switch_to(current);
        }
    }
    current = 0;
    arch_idle();
}
