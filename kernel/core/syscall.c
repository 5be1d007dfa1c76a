/*
 * System call dispatch for what is not IPC (the IPC calls go to
 * ipc_syscall(), which also hands Call on a non-endpoint to invoke()):
 * Yield and, in debug builds (CONFIG_DEBUG), the debug calls.
 */
#include <arch.h>
#include <cap.h>
#include <console.h>
#include <fastpath.h>
#include <cspace.h>
#include <mica/cap.h>
#include <mica/object.h>
#include <invocation.h>
#include <mica/debug.h>
#include <mica/errors.h>
#include <mica/syscall.h>
#include <mica/types.h>
#include <panic.h>
#include <preempt.h>
#include <sched.h>
#include <syscall_dispatch.h>
#include <tcb.h>

#define DEBUG_WRITE_MAX (64 * 1024) /* bound the time spent in one call */

static struct syscall_result ok(uint64_t value)
{
    return (struct syscall_result){ MICA_OK, value };
}

static struct syscall_result error(uint64_t status, uint64_t value)
{
    return (struct syscall_result){ status, value };
}

#if CONFIG_DEBUG
static struct syscall_result debug_write(struct tcb *t, uint64_t buf, uint64_t len)
{
    char chunk[128];
    uint64_t done = 0;
    if (len > DEBUG_WRITE_MAX)
        return error(MICA_ERR_INVALID_ARGUMENT, 0);
    while (done < len) {
        /* Chunks never cross a page, so a fault reports exactly how much
         * was written before the first unreadable page. */
        uint64_t page_left = MICA_PAGE_SIZE - ((buf + done) & (MICA_PAGE_SIZE - 1));
        uint64_t n = len - done < sizeof(chunk) ? len - done : sizeof(chunk);
        if (n > page_left)
            n = page_left;
        if (buf + done < buf || !arch_copy_from_user(t->vspace_root, chunk, buf + done, n))
            return error(MICA_ERR_BAD_ADDRESS, done);
        for (uint64_t i = 0; i < n; i++)
            kputc(chunk[i]);
        done += n;
    }
    return ok(done);
}

static const uint8_t mica_types[CAP_TYPE_COUNT] = {
    [CAP_UNTYPED] = MICA_OBJ_UNTYPED, [CAP_TCB] = MICA_OBJ_TCB,
    [CAP_ENDPOINT] = MICA_OBJ_ENDPOINT, [CAP_NOTIFICATION] = MICA_OBJ_NOTIFICATION,
    [CAP_CNODE] = MICA_OBJ_CNODE, [CAP_VSPACE] = MICA_OBJ_VSPACE, [CAP_PDPT] = MICA_OBJ_PDPT,
    [CAP_PAGE_DIRECTORY] = MICA_OBJ_PAGE_DIRECTORY, [CAP_PAGE_TABLE] = MICA_OBJ_PAGE_TABLE,
    [CAP_FRAME] = MICA_OBJ_FRAME_4K, [CAP_REPLY] = MICA_OBJ_REPLY,
    [CAP_IRQ_CONTROL] = MICA_OBJ_IRQ_CONTROL, [CAP_IRQ_HANDLER] = MICA_OBJ_IRQ_HANDLER,
    [CAP_IOPORT_CONTROL] = MICA_OBJ_IOPORT_CONTROL, [CAP_IOPORT] = MICA_OBJ_IOPORT,
    [CAP_IOSPACE_CONTROL] = MICA_OBJ_IOSPACE_CONTROL, [CAP_IOSPACE] = MICA_OBJ_IOSPACE,
    [CAP_IO_PAGE_TABLE] = MICA_OBJ_IO_PAGE_TABLE,
};

/* Describe the cap at cptr (a debugging and testing aid). */
static struct syscall_result debug_cap_identify(struct tcb *t, uint64_t cptr)
{
    struct lookup l;
    int err = cspace_lookup(&t->slots[TCB_SLOT_CSPACE].cap, cptr, MICA_WORD_BITS, false, &l);
    if (err)
        return error((uint64_t)err, lookup_detail(&l));
    const struct cap *c = &l.slot->cap;
    uint64_t type = c->type < CAP_TYPE_COUNT ? mica_types[c->type] : 0;
    if (c->type == CAP_FRAME && c->size_bits == MICA_FRAME_2M_BITS)
        type = MICA_OBJ_FRAME_2M;
    uint64_t w = type | ((uint64_t)c->rights << 8) | ((uint64_t)c->size_bits << 16);
    bool mappable = c->type == CAP_FRAME || c->type == CAP_PDPT ||
                    c->type == CAP_PAGE_DIRECTORY || c->type == CAP_PAGE_TABLE ||
                    c->type == CAP_IO_PAGE_TABLE;
    if (mappable && c->word2)
        w |= MICA_CAP_ID_MAPPED;
    if ((c->type == CAP_ENDPOINT || c->type == CAP_NOTIFICATION) && c->word1)
        w |= MICA_CAP_ID_BADGED;
    return ok(w);
}

static struct syscall_result debug_call(struct tcb *t, const struct syscall_args *a)
{
    switch (a->number) {
    case MICA_SYS_DEBUG_PUTCHAR:
        kputc((char)a->arg[0]);
        return ok(0);
    case MICA_SYS_DEBUG_WRITE:
        return debug_write(t, a->arg[0], a->arg[1]);
    case MICA_SYS_DEBUG_TICKS:
        return ok(sched_ticks());
    case MICA_SYS_DEBUG_CAP_IDENTIFY:
        return debug_cap_identify(t, a->arg[0]);
    case MICA_SYS_DEBUG_IPC_STATS:
        /* The tag register carries the second result: enabled or not. */
        arch_ctx_set_received(&t->ctx, fastpath_hits, fastpath_enabled);
        return ok(fastpath_hits);
    case MICA_SYS_DEBUG_PREEMPT:
        preempt_debug_force(a->arg[0]);
        return ok(preempt_count);
    case MICA_SYS_DEBUG_HALT:
        kprintf("mica: thread '%s' halted the machine (status %ld)\n", t->name, (long)a->arg[0]);
        machine_halt(a->arg[0] == 0 ? MICA_EXIT_SUCCESS : MICA_EXIT_FAILURE);
    }
    return error(MICA_ERR_INVALID_SYSCALL, 0);
}
#endif

struct syscall_result syscall_dispatch(struct tcb *t, const struct syscall_args *a)
{
    switch (a->number) {
    case MICA_SYS_YIELD:
        sched_yield();
        return ok(0);
#if CONFIG_DEBUG
    case MICA_SYS_DEBUG_PUTCHAR:
    case MICA_SYS_DEBUG_WRITE:
    case MICA_SYS_DEBUG_TICKS:
    case MICA_SYS_DEBUG_HALT:
    case MICA_SYS_DEBUG_CAP_IDENTIFY:
    case MICA_SYS_DEBUG_IPC_STATS:
    case MICA_SYS_DEBUG_PREEMPT:
        return debug_call(t, a);
#endif
    default:
        (void)t;
        return error(MICA_ERR_INVALID_SYSCALL, 0);
    }
}
