/*
 * The scheduler (see sched.h).
 *
 * current is never in a queue. When it is preempted by a higher-priority
 * thread it goes back to the head of its queue (it keeps its turn); when
 * its timeslice ends or it yields, to the tail (round-robin).
 *
 * When no thread can ever run again (none runnable, and no blocked thread
 * that a device interrupt could still wake through an IRQ handler's
 * notification, irq.c), the kernel shows for a few timer ticks that it is
 * still alive, then halts with MICA_EXIT_NO_THREAD so a test run ends by
 * itself.
 */
#include <arch.h>
#include <bits.h>
#include <console.h>
#include <device.h>
#include <fault.h>
#include <format.h>
#include <ipc.h>
#include <mica/debug.h>
#include <mica/tcb.h>
#include <panic.h>
#include <sched.h>
#include <tcb.h>
#include <vspace.h>

#define DEAD_SYSTEM_TICKS 3

struct queue {
    struct tcb *head, *tail;
};

struct tcb *current;
static struct queue queues[SCHED_PRIORITIES];
uint64_t sched_bitmap[SCHED_PRIORITIES / 64]; /* bit p % 64 of word p / 64: queue p not empty */
uint64_t sched_bitmap_words;                   /* bit w: sched_bitmap[w] is not empty */
static bool resched;            /* current's turn is over (timeslice or yield) */
static struct tcb *candidate;   /* woken by IPC in this kernel entry (sched_wake) */
static uint64_t ticks;
static uint64_t idle_ticks;

uint64_t sched_ticks(void)
{
    return ticks;
}

/* ---------------------------------------------------- the dead-system report */

#define REPORT_MAX_THREADS 32 /* lines; the rest are only counted */

/* "'name'", or the TCB's address for a thread nobody named. */
static const char *thread_label(const struct tcb *t, char *buf, size_t size)
{
    if (t->name[0])
        format_buf(buf, size, "'%s'", t->name);
    else
        format_buf(buf, size, "unnamed thread (TCB 0x%lx)", arch_virt_to_phys(t));
    return buf;
}

/* The thread whose reply slot holds t's reply cap, or NULL (saved in a
 * CNode, or gone). */
static const struct tcb *reply_holder(const struct tcb *t)
{
    const struct cte *c = t->reply_cte;
    for (const struct tcb *h = tcb_all; c && h; h = h->all_next)
        if (c >= h->slots && c < h->slots + TCB_SLOT_COUNT)
            return h;
    return 0;
}

/* One line: what the blocked (or fault-stopped) thread t waits for. */
static void report_thread(const struct tcb *t)
{
    char who[64], other[64];
    uint64_t obj = t->blocked_on ? arch_virt_to_phys(t->blocked_on) : 0;
    bool fault = t->fault_kind != FAULT_NONE;
    thread_label(t, who, sizeof(who));
    switch (t->state) {
    case THREAD_BLOCKED_SEND:
        kprintf("mica:   %s (priority %u): %s endpoint 0x%lx with badge 0x%lx\n", who, t->priority,
                fault ? "sending a fault message to" :
                (t->ipc_flags & IPC_FLAG_CALL) ? "calling" : "sending to", obj, t->ipc_badge);
        break;
    case THREAD_BLOCKED_RECV:
        if (t->bound_ntfn)
            kprintf("mica:   %s (priority %u): receiving on endpoint 0x%lx or its notification 0x%lx\n",
                    who, t->priority, obj, arch_virt_to_phys(t->bound_ntfn));
        else
            kprintf("mica:   %s (priority %u): receiving on endpoint 0x%lx\n", who, t->priority, obj);
        break;
    case THREAD_BLOCKED_NTFN:
        kprintf("mica:   %s (priority %u): waiting on notification 0x%lx\n", who, t->priority, obj);
        break;
    case THREAD_BLOCKED_REPLY: {
        const struct tcb *h = reply_holder(t);
        const char *what = fault ? "its fault handler's reply" : "a reply";
        if (h)
            kprintf("mica:   %s (priority %u): waiting for %s from %s\n", who, t->priority, what,
                    thread_label(h, other, sizeof(other)));
        else
            kprintf("mica:   %s (priority %u): waiting for %s (the reply cap is saved in a CNode)\n",
                    who, t->priority, what);
        break;
    }
    case THREAD_STOPPED:
        kprintf("mica:   %s (priority %u): stopped by a fault\n", who, t->priority);
        break;
    default:
        break;
    }
}

/*
 * No thread can run and no interrupt can wake one: say so, listing every
 * thread that is blocked (waiting for something that can no longer
 * happen: a deadlock, or servers left waiting for clients) or stopped by
 * a fault, so that a system which ended as intended (no blocked thread, or
 * only idle servers) can be told from one that hung.
 */
static void report_stuck_threads(void)
{
    unsigned blocked = 0, stopped = 0, inactive = 0, listed = 0;
    for (const struct tcb *t = tcb_all; t; t = t->all_next) {
        if (thread_blocked(t->state))
            blocked++;
        else if (t->state == THREAD_STOPPED)
            stopped++;
        else
            inactive++;
    }
    if (blocked + stopped)
        kprintf("mica: no thread can run, and no interrupt can wake one; blocked for ever or stopped:\n");
    for (const struct tcb *t = tcb_all; t; t = t->all_next) {
        if (!thread_blocked(t->state) && t->state != THREAD_STOPPED)
            continue;
        if (listed++ == REPORT_MAX_THREADS) {
            kprintf("mica:   ... and %u more\n", blocked + stopped - REPORT_MAX_THREADS);
            break;
        }
        report_thread(t);
    }
    kprintf("mica: all threads have stopped (%u blocked, %u stopped by a fault, %u inactive); "
            "the kernel handled %u timer ticks since. Halting.\n", blocked, stopped, inactive,
            DEAD_SYSTEM_TICKS);
}

static void enqueue(struct tcb *t, bool front)
{
    struct queue *q = &queues[t->priority];
    t->sched_prev = t->sched_next = 0;
    if (!q->head) {
        q->head = q->tail = t;
    } else if (front) {
        t->sched_next = q->head;
        q->head->sched_prev = t;
        q->head = t;
    } else {
        t->sched_prev = q->tail;
        q->tail->sched_next = t;
        q->tail = t;
    }
    sched_bitmap[t->priority / 64] |= BIT(t->priority % 64);
    sched_bitmap_words |= BIT(t->priority / 64);
    t->queued = 1;
}

static void dequeue(struct tcb *t)
{
    struct queue *q = &queues[t->priority];
    if (t->sched_prev)
        t->sched_prev->sched_next = t->sched_next;
    else
        q->head = t->sched_next;
    if (t->sched_next)
        t->sched_next->sched_prev = t->sched_prev;
    else
        q->tail = t->sched_prev;
    if (!q->head) {
        sched_bitmap[t->priority / 64] &= ~BIT(t->priority % 64);
        if (!sched_bitmap[t->priority / 64])
            sched_bitmap_words &= ~BIT(t->priority / 64);
    }
    t->sched_next = t->sched_prev = 0;
    t->queued = 0;
}


void sched_wake(struct tcb *t)
{
    t->state = THREAD_RUNNABLE;
    if (candidate && candidate != t && candidate->state == THREAD_RUNNABLE && !candidate->queued)
        enqueue(candidate, false); /* two woken in one entry: the earlier waits its turn */
    candidate = t;
}


void sched_make_runnable(struct tcb *t)
{
    t->state = THREAD_RUNNABLE;
    if (t != current && !t->queued)
        enqueue(t, false);
}

void sched_remove(struct tcb *t)
{
    if (t->queued)
        dequeue(t);
    if (candidate == t)
        candidate = 0;
}

void sched_set_priority(struct tcb *t, unsigned prio)
{
    bool was_queued = t->queued;
    if (was_queued)
        dequeue(t);
    t->priority = (uint8_t)prio;
    if (was_queued)
        enqueue(t, false);
}

void sched_yield(void)
{
    resched = true;
    if (current)
        current->timeslice = TIMESLICE_TICKS; /* a full turn next time */
}

void sched_tick(void)
{
    ticks++;
    if (current) {
        if (current->timeslice <= 1) {
            current->timeslice = TIMESLICE_TICKS;
            resched = true;
        } else {
            current->timeslice--;
        }
        return;
    }
    /* A thread waiting for a device interrupt (irq.c) is waiting for an
     * event too: the system is not dead while one can still arrive. */
    if (sched_best_priority() >= 0 || irq_any_bound()) {
        idle_ticks = 0;
        return;
    }
    if (++idle_ticks == DEAD_SYSTEM_TICKS) {
        report_stuck_threads();
        machine_halt(MICA_EXIT_NO_THREAD);
    }
}

/* A thread runs in the VSpace its TCB slot names; if that cap is gone
 * (deleted or revoked), the thread cannot run and is stopped. */
static bool has_vspace(struct tcb *t)
{
    if (t->vspace_epoch == vspace_epoch)
        return true; /* checked, and no VSpace changed since */
    const struct cap *vs = &t->slots[TCB_SLOT_VSPACE].cap;
    uint64_t root = vs->type == CAP_VSPACE ? asid_root(vs->word1) : 0;
    if (root) {
        t->vspace_root = root;
        t->vspace_epoch = vspace_epoch; /* also what the IPC fastpath relies on */
        return true;
    }
    struct fault f = { .kind = FAULT_EXCEPTION, .ip = t->ctx.rip, .code = 0,
                       .what = "no address space", .detail = "its VSpace cap is gone" };
    fault_stop(t, &f, 0);
    return false;
}

static __attribute__((noinline, noreturn)) void schedule_general(void);

void schedule(void)
{
    /* Most system calls change nothing: the caller keeps the CPU unless its
     * turn is over, a ready thread outranks it or address spaces changed
     * (has_vspace). Nobody changes a running thread's registers, page
     * tables or FPU owner meanwhile, so it just resumes. */
    struct tcb *cur = current;
    if (!candidate && !resched && cur && cur->state == THREAD_RUNNABLE &&
        cur->vspace_epoch == vspace_epoch && sched_none_ready_above(cur->priority))
        arch_resume(cur);
    schedule_general();
}

static void schedule_general(void)
{
    struct tcb *cur = current, *cand = candidate;
    bool cur_runs = cur && cur->state == THREAD_RUNNABLE;
    if (!cand) {
        if (cur_runs && !resched && sched_none_ready_above(cur->priority) && has_vspace(cur))
            arch_switch_to(cur);
    } else {
        candidate = 0;
        if (cand != cur && cand->state == THREAD_RUNNABLE && !cand->queued) {
            if ((!cur_runs || cand->priority > cur->priority) &&
                sched_none_ready_above(cand->priority)) {
                if (cur_runs)
                    enqueue(cur, true); /* preempted: it keeps its turn */
                if (has_vspace(cand))
                    sched_switch_direct(cand);
                goto pick;
            }
            enqueue(cand, false);
        }
    }
    if (cur && cur->state == THREAD_RUNNABLE) { /* has_vspace() may have stopped it */
        int best = sched_best_priority();
        bool keep = best < cur->priority || (best == cur->priority && !resched);
        if (keep && has_vspace(cur)) {
            resched = false;
            arch_switch_to(cur);
        }
        if (cur->state == THREAD_RUNNABLE) /* lost the CPU but still wants it */
            enqueue(cur, !resched || best > cur->priority);
    }
pick:
    resched = false;
    int best;
    while ((best = sched_best_priority()) >= 0) {
        struct tcb *t = queues[best].head;
        dequeue(t);
        if (has_vspace(t))
            sched_switch_direct(t);
    }
    current = 0;
    arch_idle();
}
