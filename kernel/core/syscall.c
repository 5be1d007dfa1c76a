/*
 * System call dispatch. IPC calls arrive with issue 4; until then they
 * answer MICA_ERR_INVALID_SYSCALL like any number the kernel does not know.
 * The debug calls exist only in debug builds (CONFIG_DEBUG).
 */
#include <arch.h>
#include <console.h>
#include <invocation.h>
#include <mica/debug.h>
#include <mica/errors.h>
#include <mica/syscall.h>
#include <mica/types.h>
#include <panic.h>
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
    case MICA_SYS_CALL:
        return invoke(t, a); /* endpoint IPC arrives with issue 4 */
    case MICA_SYS_YIELD:
        return ok(0); /* a single thread: nothing else to run */
#if CONFIG_DEBUG
    case MICA_SYS_DEBUG_PUTCHAR:
    case MICA_SYS_DEBUG_WRITE:
    case MICA_SYS_DEBUG_TICKS:
    case MICA_SYS_DEBUG_HALT:
        return debug_call(t, a);
#endif
    default:
        (void)t;
        return error(MICA_ERR_INVALID_SYSCALL, 0);
    }
}
