/*
 * Thread control blocks. For now only initialisation: TCB objects made from
 * untyped memory, and their invocations, come with issue 3.
 */
#include <kstring.h>
#include <sched.h>
#include <tcb.h>

void tcb_init(struct tcb *t, const char *name, uint64_t vspace_root)
{
    memset(t, 0, sizeof(*t));
    strlcpy(t->name, name, sizeof(t->name));
    t->vspace_root = vspace_root;
    t->state = THREAD_INACTIVE;
    arch_fpu_init_state(&t->fpu);
}

void tcb_finalise(struct tcb *t)
{
    /* Until the scheduler knows TCB objects (issue 3), a TCB made from
     * untyped never runs; only the boot thread is scheduled. */
    t->state = THREAD_INACTIVE;
}

const char *thread_state_name(enum thread_state s)
{
    switch (s) {
    case THREAD_INACTIVE: return "inactive";
    case THREAD_RUNNABLE: return "runnable";
    case THREAD_STOPPED: return "stopped";
    }
    return "?";
}
