/*
 * Thread control blocks: creation state, destruction, and the TCB
 * invocations (Configure, SetPriority, SetMCP, Read/Write/CopyRegisters,
 * Resume, Suspend, SetFSBase, SetGSBase, SetName).
 *
 * Priorities are checked against the *invoking* thread's maximum
 * controlled priority (MCP): no thread can give any thread, itself
 * included, a priority or MCP above its own MCP.
 */
#include <arch.h>
#include <stddef.h>
#include <cnode.h>
#include <cspace.h>
#include <ipc.h>
#include <invocation.h>
#include <kstring.h>
#include <mica/cap.h>
#include <mica/errors.h>
#include <mica/invocation.h>
#include <mica/layout.h>
#include <mica/tcb.h>
#include <preempt.h>
#include <sched.h>
#include <tcb.h>
#include <vspace.h>

struct tcb *tcb_all;

void tcb_init(struct tcb *t, const char *name, uint64_t vspace_root)
{
    memset(t, 0, sizeof(*t));
    t->all_next = tcb_all;
    if (tcb_all)
        tcb_all->all_prev = t;
    tcb_all = t;
    strlcpy(t->name, name, sizeof(t->name));
    t->vspace_root = vspace_root;
    t->state = THREAD_INACTIVE;
    arch_fpu_init_state(&t->fpu);
    arch_context_init_user(&t->ctx, 0, 0, 0);
}

struct mica_ipc_buffer *tcb_ipc_buffer(const struct tcb *t)
{
    const struct cap *f = &t->slots[TCB_SLOT_IPC_BUFFER].cap;
    if (f->type != CAP_FRAME || !t->ipc_buffer)
        return 0;
    return arch_phys_to_virt(f->paddr + (t->ipc_buffer & ((1ull << f->size_bits) - 1)));
}

void tcb_finalise(struct tcb *t)
{
    /* Out of every queue; a reply cap naming it disappears. Its own slots
     * (a reply cap it holds among them) are emptied by the caller. */
    ipc_cancel(t, false);
    if (t->bound_ntfn)
        notification_unbind(t);
    sched_remove(t);
    t->state = THREAD_INACTIVE;
    arch_tcb_release(t);
    if (current == t)
        current = 0; /* the syscall in progress returns to nobody */
    if (t->all_prev)
        t->all_prev->all_next = t->all_next;
    else if (tcb_all == t)
        tcb_all = t->all_next;
    if (t->all_next)
        t->all_next->all_prev = t->all_prev;
    t->all_next = t->all_prev = 0;
}

const char *thread_state_name(enum thread_state s)
{
    switch (s) {
    case THREAD_INACTIVE: return "inactive";
    case THREAD_RUNNABLE: return "runnable";
    case THREAD_STOPPED: return "stopped";
    case THREAD_BLOCKED_SEND: return "blocked sending";
    case THREAD_BLOCKED_RECV: return "blocked receiving";
    case THREAD_BLOCKED_REPLY: return "waiting for a reply";
    case THREAD_BLOCKED_NTFN: return "waiting for a notification";
    }
    return "?";
}

static struct tcb *tcb_of(const struct cte *slot)
{
    return arch_phys_to_virt(slot->cap.paddr);
}

/* Stop t: out of any IPC (its call returns MICA_ERR_CANCELLED when it is
 * resumed) and off the run queues. */
static void suspend(struct tcb *t)
{
    ipc_cancel(t, true);
    sched_remove(t);
    t->state = THREAD_INACTIVE;
}

/* Only a suspended or stopped thread is resumed; a blocked one stays in
 * its IPC. */
static void resume(struct tcb *t)
{
    if (t->state == THREAD_INACTIVE || t->state == THREAD_STOPPED)
        sched_make_runnable(t);
}

/*
 * Replace one of the TCB's own slots with a copy of `src`'s cap. Deleting
 * the old cap can destroy objects (its last CNode, and whatever that held),
 * possibly the source slot or the TCB itself: insert only if both the
 * invoked TCB cap and the source are still what they were. Deleting may
 * stop at a preemption point (OP_PREEMPTED): Configure is then repeated
 * from the start, which redoes the slots already set (deleting a copy
 * and making it again) and goes on with the one left half-deleted.
 */
static int set_slot(const struct invocation *inv, const struct cap *tcb_cap, struct tcb *t,
                    unsigned which, struct cte *src, const struct cap *cap)
{
    struct cap expected = src ? src->cap : (struct cap){ 0 };
    if (cte_delete(&t->slots[which]) == OP_PREEMPTED)
        return OP_PREEMPTED;
    bool tcb_alive = inv->slot->cap.type == CAP_TCB && inv->slot->cap.paddr == tcb_cap->paddr;
    if (src && tcb_alive && src->cap.type == expected.type && src->cap.paddr == expected.paddr &&
        t->slots[which].cap.type == CAP_NULL)
        cte_insert(src, &t->slots[which], cap);
    return OP_DONE;
}

/*
 * Configure: MR0 fault endpoint (a CPtr in the invoker's CSpace, 0: none),
 * MR1 CSpace guard word (0 keeps the cap's), MR2 IPC buffer address (0:
 * none), MR3 priority, MR4 MCP; cap0 CSpace root CNode, cap1 VSpace, cap2
 * IPC buffer frame (if MR2 != 0).
 */
static struct syscall_result configure(struct invocation *inv, struct tcb *t)
{
    uint64_t fault_cptr, guard, buffer, prio, mcp, detail = 0;
    struct cte *cspace, *vspace, *frame = 0, *fault_ep = 0;
    if (!inv_mr(inv, 0, &fault_cptr) || !inv_mr(inv, 1, &guard) || !inv_mr(inv, 2, &buffer) ||
        !inv_mr(inv, 3, &prio) || !inv_mr(inv, 4, &mcp))
        return inv_error(MICA_ERR_TRUNCATED, 0);
    int err;
    if (fault_cptr) {
        struct lookup l;
        if ((err = cspace_lookup(&inv->thread->slots[TCB_SLOT_CSPACE].cap, fault_cptr,
                                 MICA_WORD_BITS, false, &l)))
            return inv_error(err, lookup_detail(&l));
        fault_ep = l.slot;
        if (fault_ep->cap.type != CAP_ENDPOINT)
            return inv_error(MICA_ERR_INVALID_CAP, fault_cptr);
        if (!(fault_ep->cap.rights & MICA_RIGHT_WRITE))
            return inv_error(MICA_ERR_NO_RIGHTS, MICA_RIGHT_WRITE);
    }
    if ((err = inv_cap(inv, 0, &cspace, &detail)) || (err = inv_cap(inv, 1, &vspace, &detail)))
        return inv_error(err, detail);
    if (cspace->cap.type != CAP_CNODE)
        return inv_error(MICA_ERR_INVALID_CAP, 0);
    if (vspace->cap.type != CAP_VSPACE)
        return inv_error(MICA_ERR_INVALID_CAP, 1);
    if (buffer) {
        if ((err = inv_cap(inv, 2, &frame, &detail)))
            return inv_error(err, detail);
        if (frame->cap.type != CAP_FRAME || (frame->cap.flags & CAP_FLAG_DEVICE))
            return inv_error(MICA_ERR_INVALID_CAP, 2);
        if ((frame->cap.rights & (MICA_RIGHT_READ | MICA_RIGHT_WRITE)) !=
            (MICA_RIGHT_READ | MICA_RIGHT_WRITE))
            return inv_error(MICA_ERR_NO_RIGHTS, 2); /* the kernel writes replies there */
        uint64_t frame_size = 1ull << frame->cap.size_bits;
        if ((buffer & 7) || (buffer & (frame_size - 1)) + sizeof(struct mica_ipc_buffer) > frame_size)
            return inv_error(MICA_ERR_ALIGNMENT, buffer); /* must lie inside the frame */
        if (buffer >= MICA_USER_TOP)
            return inv_error(MICA_ERR_RANGE, buffer);
    }
    if (prio > MICA_MAX_PRIORITY || mcp > MICA_MAX_PRIORITY || prio > inv->thread->mcp ||
        mcp > inv->thread->mcp)
        return inv_error(MICA_ERR_RANGE, inv->thread->mcp);
    struct cap cs = cspace->cap;
    if (guard) {
        unsigned bits = guard & 0xff;
        if (bits + cs.size_bits > 64 || (bits < 56 && (guard >> 8 >> bits) != 0))
            return inv_error(MICA_ERR_RANGE, guard);
        cs.guard_bits = (uint8_t)bits;
        cs.word1 = guard >> 8;
    }

    struct cap vs = vspace->cap, fr = frame ? frame->cap : (struct cap){ 0 };
    struct cap fe = fault_ep ? fault_ep->cap : (struct cap){ 0 };
    fr.word1 = fr.word2 = 0; /* the TCB's copy records no mapping */
    struct cap tcb_cap = inv->slot->cap;
    vspace_epoch++; /* t's address space changes */
    if (set_slot(inv, &tcb_cap, t, TCB_SLOT_CSPACE, cspace, &cs) ||
        set_slot(inv, &tcb_cap, t, TCB_SLOT_VSPACE, vspace, &vs) ||
        set_slot(inv, &tcb_cap, t, TCB_SLOT_IPC_BUFFER, frame, &fr) ||
        set_slot(inv, &tcb_cap, t, TCB_SLOT_FAULT_EP, fault_ep, &fe))
        return inv_done_or_preempted(OP_PREEMPTED);
    t->ipc_buffer = buffer;
    t->mcp = (uint8_t)mcp;
    sched_set_priority(t, (unsigned)prio);
    return inv_ok(0);
}

static struct syscall_result set_priority(struct invocation *inv, struct tcb *t, bool is_mcp)
{
    uint64_t v;
    if (!inv_mr(inv, 0, &v))
        return inv_error(MICA_ERR_TRUNCATED, 0);
    if (v > MICA_MAX_PRIORITY || v > inv->thread->mcp)
        return inv_error(MICA_ERR_RANGE, inv->thread->mcp);
    if (is_mcp)
        t->mcp = (uint8_t)v;
    else
        sched_set_priority(t, (unsigned)v);
    return inv_ok(0);
}

static void read_context(const struct tcb *t, struct mica_user_context *u)
{
    arch_context_to_user(&t->ctx, u);
    u->fs_base = t->fs_base;
    u->gs_base = t->gs_base;
}

/* MR0 count: the first `count` registers (struct mica_user_context order)
 * go to the caller's IPC buffer message registers 0.. */
static struct syscall_result read_registers(struct invocation *inv, struct tcb *t)
{
    uint64_t count;
    struct mica_user_context u;
    if (!inv_mr(inv, 0, &count))
        return inv_error(MICA_ERR_TRUNCATED, 0);
    if (count == 0 || count > MICA_USER_CONTEXT_WORDS)
        return inv_error(MICA_ERR_RANGE, count);
    if (t == inv->thread)
        return inv_error(MICA_ERR_ILLEGAL_OPERATION, 0); /* its live registers are in flux */
    if (!inv->ipc)
        return inv_error(MICA_ERR_TRUNCATED, 0);
    read_context(t, &u);
    memcpy(inv->ipc->mr, &u, count * sizeof(mica_word_t));
    return inv_ok(count);
}

bool tcb_write_user_regs(struct tcb *t, const uint64_t *w, unsigned n)
{
    const unsigned fs = offsetof(struct mica_user_context, fs_base) / sizeof(mica_word_t);
    const unsigned gs = offsetof(struct mica_user_context, gs_base) / sizeof(mica_word_t);
    bool ok = true;
    t->restart_walk = 0; /* whatever it was repeating, it now runs these registers */
    for (unsigned i = 0; i < n && i < fs; i++)
        arch_context_set_user_reg(&t->ctx, i, w[i]);
    if (n > fs) {
        if (arch_valid_user_base(w[fs]))
            t->fs_base = w[fs];
        else
            ok = false;
    }
    if (n > gs) {
        if (arch_valid_user_base(w[gs]))
            t->gs_base = w[gs];
        else
            ok = false;
    }
    return ok;
}

/* Registers are about to be rewritten: a blocked thread leaves its IPC
 * (it restarts from the new registers) and waits to be resumed. */
static void restart(struct tcb *t)
{
    t->restart_walk = 0;
    if (thread_blocked(t->state)) {
        ipc_cancel(t, false); /* its registers are replaced next */
        t->state = THREAD_INACTIVE;
    }
}

/* MR0 flags (bit 0: resume), MR1 count, MR2.. the registers. */
static struct syscall_result write_registers(struct invocation *inv, struct tcb *t)
{
    uint64_t flags, count, w[MICA_USER_CONTEXT_WORDS];
    if (!inv_mr(inv, 0, &flags) || !inv_mr(inv, 1, &count))
        return inv_error(MICA_ERR_TRUNCATED, 0);
    if (count == 0 || count > MICA_USER_CONTEXT_WORDS)
        return inv_error(MICA_ERR_RANGE, count);
    if (t == inv->thread)
        return inv_error(MICA_ERR_ILLEGAL_OPERATION, 0);
    for (unsigned i = 0; i < count; i++)
        if (!inv_mr(inv, 2 + i, &w[i]))
            return inv_error(MICA_ERR_TRUNCATED, 2 + i);
    const unsigned fs = offsetof(struct mica_user_context, fs_base) / sizeof(mica_word_t);
    for (unsigned i = fs; i < count; i++)
        if (!arch_valid_user_base(w[i]))
            return inv_error(MICA_ERR_INVALID_ARGUMENT, 0);
    restart(t);
    tcb_write_user_regs(t, w, (unsigned)count);
    if (flags & 1)
        resume(t);
    return inv_ok(0);
}

/* cap0 source TCB, MR0 flags (MICA_COPY_*). */
static struct syscall_result copy_registers(struct invocation *inv, struct tcb *t)
{
    uint64_t flags, detail = 0;
    struct cte *src_slot;
    struct mica_user_context u;
    if (!inv_mr(inv, 0, &flags))
        return inv_error(MICA_ERR_TRUNCATED, 0);
    int err = inv_cap(inv, 0, &src_slot, &detail);
    if (err)
        return inv_error(err, detail);
    if (src_slot->cap.type != CAP_TCB)
        return inv_error(MICA_ERR_INVALID_CAP, 0);
    struct tcb *src = tcb_of(src_slot);
    if (flags & ~(uint64_t)(MICA_COPY_SUSPEND_SOURCE | MICA_COPY_RESUME_DEST))
        return inv_error(MICA_ERR_INVALID_ARGUMENT, flags);
    if (src == inv->thread || t == inv->thread || src == t)
        return inv_error(MICA_ERR_ILLEGAL_OPERATION, 0);
    if (flags & MICA_COPY_SUSPEND_SOURCE)
        suspend(src);
    restart(t);
    read_context(src, &u);
    arch_context_from_user(&t->ctx, &u);
    t->fs_base = u.fs_base;
    t->gs_base = u.gs_base;
    if (flags & MICA_COPY_RESUME_DEST)
        resume(t);
    return inv_ok(0);
}

static struct syscall_result set_base(struct invocation *inv, struct tcb *t, bool fs)
{
    uint64_t base;
    if (!inv_mr(inv, 0, &base))
        return inv_error(MICA_ERR_TRUNCATED, 0);
    if (!arch_valid_user_base(base))
        return inv_error(MICA_ERR_INVALID_ARGUMENT, base);
    if (fs)
        t->fs_base = base;
    else
        t->gs_base = base;
    return inv_ok(0);
}

/* cap0: the notification (read right). */
static struct syscall_result bind_notification(struct invocation *inv, struct tcb *t)
{
    struct cte *n;
    uint64_t detail = 0;
    int err = inv_cap(inv, 0, &n, &detail);
    if (err)
        return inv_error(err, detail);
    if (n->cap.type != CAP_NOTIFICATION)
        return inv_error(MICA_ERR_INVALID_CAP, 0);
    if (!(n->cap.rights & MICA_RIGHT_READ))
        return inv_error(MICA_ERR_NO_RIGHTS, MICA_RIGHT_READ);
    err = notification_bind(arch_phys_to_virt(n->cap.paddr), t);
    return err ? inv_error(err, 0) : inv_ok(0);
}

/*
 * MR0-MR3: the thread's new name, the bytes of the four words in
 * little-endian order, NUL-terminated (at most TCB_NAME_MAX - 1
 * characters), printable ASCII only: the kernel prints it in its own
 * messages (faults, halts, panics).
 */
static struct syscall_result set_name(struct invocation *inv, struct tcb *t)
{
    char name[TCB_NAME_MAX];
    _Static_assert(TCB_NAME_MAX == 4 * sizeof(uint64_t), "the name fills MR0-MR3");
    for (unsigned i = 0; i < 4; i++) {
        uint64_t w;
        if (!inv_mr(inv, i, &w))
            return inv_error(MICA_ERR_TRUNCATED, 0);
        for (unsigned b = 0; b < 8; b++)
            name[i * 8 + b] = (char)(w >> (8 * b));
    }
    unsigned len = 0;
    while (len < TCB_NAME_MAX && name[len])
        len++;
    if (len == TCB_NAME_MAX)
        return inv_error(MICA_ERR_INVALID_ARGUMENT, TCB_NAME_MAX); /* no NUL */
    for (unsigned i = 0; i < len; i++)
        if (name[i] < 0x20 || name[i] > 0x7e)
            return inv_error(MICA_ERR_INVALID_ARGUMENT, i);
    strlcpy(t->name, name, sizeof(t->name));
    return inv_ok(0);
}

struct syscall_result tcb_invoke(struct invocation *inv)
{
    struct tcb *t = tcb_of(inv->slot);
    switch (inv->label) {
    case MICA_TCB_CONFIGURE: return configure(inv, t);
    case MICA_TCB_SET_PRIORITY: return set_priority(inv, t, false);
    case MICA_TCB_SET_MCP: return set_priority(inv, t, true);
    case MICA_TCB_READ_REGISTERS: return read_registers(inv, t);
    case MICA_TCB_WRITE_REGISTERS: return write_registers(inv, t);
    case MICA_TCB_COPY_REGISTERS: return copy_registers(inv, t);
    case MICA_TCB_RESUME:
        resume(t);
        return inv_ok(0);
    case MICA_TCB_SUSPEND:
        suspend(t);
        return inv_ok(0);
    case MICA_TCB_SET_FS_BASE: return set_base(inv, t, true);
    case MICA_TCB_SET_GS_BASE: return set_base(inv, t, false);
    case MICA_TCB_BIND_NOTIFICATION: return bind_notification(inv, t);
    case MICA_TCB_SET_NAME: return set_name(inv, t);
    case MICA_TCB_UNBIND_NOTIFICATION: {
        int err = notification_unbind(t);
        return err ? inv_error(err, 0) : inv_ok(0);
    }
    }
    return inv_error(MICA_ERR_ILLEGAL_OPERATION, inv->label);
}
