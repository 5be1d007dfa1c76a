/*
 * The x86_64 side of system calls: decode the register convention of
 * include/mica/syscall.h and hand generic code the call. A non-negative
 * rax is not a Mica call but an UnknownSyscall fault (DESIGN.md §2).
 *
 * Call and ReplyRecv have tried the IPC fastpath already (entry.S); it
 * either completed the call or left everything to the general path here.
 */
#include "x86.h"
#include <fault.h>
#include <ipc.h>
#include <mica/errors.h>
#include <mica/syscall.h>
#include <sched.h>
#include <syscall_dispatch.h>
#include <tcb.h>

void syscall_from_user(struct arch_context *ctx)
{
    struct tcb *t = current;
    int64_t number = (int64_t)ctx->rax;
    if (number < MICA_SYS_MIN) { /* no such call: answer at once */
        ctx->rax = MICA_ERR_INVALID_SYSCALL;
        ctx->rdi = 0;
        schedule();
    }
    if (number >= 0) {
        arch_ctx_rewind_syscall(ctx); /* the fault is at the `syscall` itself */
        struct fault f = {
            .kind = FAULT_UNKNOWN_SYSCALL,
            .ip = ctx->rip,
            .code = ctx->rax,
            .what = "unknown syscall",
        };
        fault_handle(t, &f);
        schedule();
    }
    if (number >= MICA_SYS_REPLY && number <= MICA_SYS_CALL) {
        ipc_syscall(t, number);
        schedule();
    }
    struct syscall_args a = {
        .number = number,
        .arg = { ctx->rdi, ctx->rsi, ctx->rdx, ctx->r10, ctx->r8, ctx->r9 },
    };
    struct syscall_result r = syscall_dispatch(t, &a);
    ctx->rax = r.status;
    ctx->rdi = r.value;
    schedule();
}

/*
 * A `syscall` from compatibility mode (entry.S, syscall_compat_entry): the
 * thread's #UD fault at the instruction, as an Intel CPU would raise it.
 * The saved vector is not VECTOR_SYSCALL, so the thread, if its handler
 * resumes it, leaves by iretq with every register restored.
 */
void syscall_compat_from_user(struct arch_context *ctx)
{
    ctx->rip = (uint32_t)(ctx->rip - 2);
    struct fault f = {
        .kind = FAULT_EXCEPTION,
        .ip = ctx->rip,
        .code = VECTOR_COMPAT_SYSCALL,
        .what = "#UD invalid opcode",
        .detail = "syscall from compatibility mode",
    };
    fault_handle(current, &f);
    schedule();
}
