/*
 * The IPC fastpath (docs/ipc.md): Call and ReplyRecv with register-only
 * messages, when the partner runs next anyway. Each function either
 * completes the call and switches to the partner (never returning), or
 * returns having changed nothing, and the general path takes over.
 */
#ifndef KERNEL_FASTPATH_H
#define KERNEL_FASTPATH_H

#include <stdbool.h>
#include <stdint.h>

struct tcb;

extern bool fastpath_enabled;  /* cleared by the kernel option "nofastpath" */
extern uint64_t fastpath_hits; /* calls completed by the fastpath */

void fastpath_call(struct tcb *t);
void fastpath_reply_recv(struct tcb *t);

#endif
