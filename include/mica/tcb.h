/*
 * Thread ABI: priorities and the register layout used by
 * TCB_ReadRegisters / WriteRegisters / CopyRegisters (x86_64).
 */
#ifndef MICA_TCB_H
#define MICA_TCB_H

#include <mica/types.h>

#define MICA_MAX_PRIORITY 255 /* priorities 0 (lowest) .. 255 */
#define MICA_ROOT_PRIORITY 255 /* the root task starts at the top, with MCP 255 */

/* Registers in the order Read/WriteRegisters transfer them (message
 * registers 0.. of the IPC buffer). */
struct mica_user_context {
    mica_word_t rip, rsp, rflags;
    mica_word_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
    mica_word_t r8, r9, r10, r11, r12, r13, r14, r15;
    mica_word_t fs_base, gs_base;
};
#define MICA_USER_CONTEXT_WORDS (sizeof(struct mica_user_context) / sizeof(mica_word_t))

/* The selector in DS, ES, FS and GS whenever the kernel has switched to a
 * thread (user data, RPL 3). They are not part of a thread's state: a
 * value the thread loads itself lasts until the kernel next switches to
 * it (docs/objects/tcb.md, "Segment registers"). */
#define MICA_USER_DATA_SELECTOR 0x23

/* CopyRegisters flags. */
#define MICA_COPY_SUSPEND_SOURCE 0x1
#define MICA_COPY_RESUME_DEST    0x2

#endif
