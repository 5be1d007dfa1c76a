/*
 * User faults. The arch layer decodes a CPU exception or an unknown syscall
 * into a struct fault; fault_handle() sends it to the thread's fault
 * endpoint as a Call (docs/faults.md), or, if it has none, reports the
 * fault on the console in one line and stops the thread.
 */
#ifndef KERNEL_FAULT_H
#define KERNEL_FAULT_H

#include <stdint.h>

struct tcb;

enum fault_kind {
    FAULT_NONE,
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
    const char *what;   /* short name, e.g. "#GP general protection" */
    const char *detail; /* for a report, or NULL: the error code decoded then */
};

/* t faulted: send the fault to its fault endpoint (t then waits for the
 * reply), or, without one, report it and stop t. */
void fault_handle(struct tcb *t, const struct fault *f);
/* Report the fault on the console and stop t (no handler involved). */
void fault_stop(struct tcb *t, const struct fault *f, const char *why);
/* The fault message of t's pending fault: its label, its words in w[]
 * (at most MICA_USER_CONTEXT_WORDS), their number in *n. */
uint64_t fault_message(const struct tcb *t, uint64_t *w, unsigned *n);

#endif
