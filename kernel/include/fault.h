/*
 * User faults. The arch layer decodes a CPU exception or an unknown syscall
 * into a struct fault; fault_handle() deals with the faulting thread. Until
 * fault endpoints exist (issue 4) it reports the fault on the console in one
 * line and stops the thread; the kernel carries on.
 */
#ifndef KERNEL_FAULT_H
#define KERNEL_FAULT_H

#include <stdint.h>

struct tcb;

enum fault_kind {
    FAULT_PAGE,            /* page fault: addr = faulting address */
    FAULT_UNKNOWN_SYSCALL, /* code = syscall number */
    FAULT_EXCEPTION,       /* other CPU exception: code = vector */
};

struct fault {
    enum fault_kind kind;
    uint64_t ip;
    uint64_t addr;   /* FAULT_PAGE: faulting data or instruction address */
    uint64_t code;   /* syscall number, or exception vector */
    uint64_t error;  /* CPU error code */
    const char *what; /* short name, e.g. "#GP general protection" */
    char detail[96];  /* decoded error code, e.g. "write, not present" */
};

void fault_handle(struct tcb *t, const struct fault *f);

#endif
