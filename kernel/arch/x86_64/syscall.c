/*
 * The x86_64 side of system calls: decode the register convention of
 * include/mica/syscall.h, hand generic code a struct syscall_args, and put
 * the results back. A non-negative rax is not a Mica call but an
 * UnknownSyscall fault (DESIGN.md §2).
 */
#include "x86.h"
#include <fault.h>
#include <sched.h>
#include <syscall_dispatch.h>
#include <tcb.h>

void syscall_from_user(struct arch_context *ctx)
{
    int64_t number = (int64_t)ctx->rax;
    if (number >= 0) {
        struct fault f = {
            .kind = FAULT_UNKNOWN_SYSCALL,
            .ip = ctx->rip - 2, /* the `syscall` instruction itself */
            .code = ctx->rax,
            .what = "unknown syscall",
        };
        fault_handle(current, &f);
        schedule();
    }
    struct syscall_args a = {
        .number = number,
        .arg = { ctx->rdi, ctx->rsi, ctx->rdx, ctx->r10, ctx->r8, ctx->r9 },
    };
    struct syscall_result r = syscall_dispatch(current, &a);
    ctx->rax = r.status;
    ctx->rdi = r.value;
    schedule();
}
