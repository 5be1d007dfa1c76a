/*
 * Fault messages. When a thread faults and its TCB holds a fault endpoint
 * (TCB_Configure), the kernel makes the fault a Call on that endpoint on
 * the thread's behalf: the handler receives a message with one of the
 * labels below, the badge of the fault endpoint cap, and a reply cap. The
 * thread waits until the handler replies.
 *
 * The reply decides how the thread goes on:
 *   label MICA_FAULT_REPLY_RESUME (0): the thread resumes. Message registers
 *       0..n-1 of the reply (n = its length, at most MICA_USER_CONTEXT_WORDS)
 *       replace the first n registers of struct mica_user_context (rip, rsp,
 *       rflags, rax, ...); n = 0 leaves them as they are, so the faulting
 *       instruction runs again. rflags keeps only the flags user code may
 *       change; a non-canonical fs_base/gs_base is ignored.
 *   any other label: the thread is suspended (TCB_Resume restarts it).
 * Without a fault endpoint the kernel reports the fault on the console and
 * stops the thread. docs/faults.md has the details.
 */
#ifndef MICA_FAULT_H
#define MICA_FAULT_H

enum mica_fault_label {
    MICA_FAULT_PAGE = 1,            /* page fault */
    MICA_FAULT_UNKNOWN_SYSCALL = 2, /* `syscall` with a non-negative rax */
    MICA_FAULT_EXCEPTION = 3,       /* any other CPU exception */
};

/* Page fault: MR0 rip, MR1 faulting address, MR2 error code. */
#define MICA_FAULT_PAGE_IP     0
#define MICA_FAULT_PAGE_ADDR   1
#define MICA_FAULT_PAGE_ERROR  2
#define MICA_FAULT_PAGE_LENGTH 3
/* Error code bits (as the CPU reports them). */
#define MICA_PF_PRESENT 0x1  /* the page was present: a protection violation */
#define MICA_PF_WRITE   0x2  /* a write (else a read) */
#define MICA_PF_USER    0x4  /* always set: user mode */
#define MICA_PF_RSVD    0x8  /* a reserved bit was set in a paging entry */
#define MICA_PF_IFETCH  0x10 /* an instruction fetch */

/* Unknown syscall: MR0.. the thread's registers in struct mica_user_context
 * order (include/mica/tcb.h): rip is the address of the `syscall`
 * instruction itself, rax the call number. To emulate the call, reply with
 * length 4: rip + 2, rsp, rflags and the result in rax. */
#define MICA_FAULT_SYSCALL_LENGTH 20

/* Other exceptions: MR0 rip, MR1 vector, MR2 error code (0 if the
 * exception has none), MR3 rsp, MR4 rflags. */
#define MICA_FAULT_EXC_IP      0
#define MICA_FAULT_EXC_VECTOR  1
#define MICA_FAULT_EXC_ERROR   2
#define MICA_FAULT_EXC_SP      3
#define MICA_FAULT_EXC_FLAGS   4
#define MICA_FAULT_EXC_LENGTH  5

/* Reply labels. */
#define MICA_FAULT_REPLY_RESUME 0

#endif
