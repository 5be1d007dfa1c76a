/*
 * Architecture-neutral system call dispatch. The arch layer decodes the
 * registers (include/mica/syscall.h) into struct syscall_args.
 */
#ifndef KERNEL_SYSCALL_DISPATCH_H
#define KERNEL_SYSCALL_DISPATCH_H

#include <stdint.h>

struct tcb;

struct syscall_args {
    int64_t number;   /* negative: a Mica call */
    uint64_t arg[6];  /* cptr/arg0, tag/arg1, message registers 0..3 */
};

struct syscall_result {
    uint64_t status; /* MICA_OK or an error code; returned in rax */
    uint64_t value;  /* call-specific result; returned in rdi */
};

/* Kernel-internal status: the operation stopped at a preemption point
 * (preempt.h). Nothing is returned; the caller repeats the call. */
#define SYSCALL_PREEMPTED (~0ull)

struct syscall_result syscall_dispatch(struct tcb *t, const struct syscall_args *a);

#endif
