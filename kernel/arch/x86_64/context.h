/*
 * The register state of a user thread as saved on kernel entry. Field order
 * is fixed by entry.S: general registers as pushed by SAVE_GPRS, then the
 * vector and error code, then the CPU's interrupt frame.
 */
#ifndef ARCH_CONTEXT_H
#define ARCH_CONTEXT_H

#include "asm.h"
#include <stddef.h>
#include <stdint.h>

struct arch_context {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector; /* exception/interrupt vector, or VECTOR_SYSCALL */
    uint64_t error;  /* CPU error code, or 0 */
    uint64_t rip, cs, rflags, rsp, ss;
};

_Static_assert(offsetof(struct arch_context, rax) == CTX_RAX, "CTX_RAX");
_Static_assert(offsetof(struct arch_context, vector) == CTX_VECTOR, "CTX_VECTOR");
_Static_assert(offsetof(struct arch_context, rip) == CTX_RIP, "CTX_RIP");
_Static_assert(offsetof(struct arch_context, rflags) == CTX_RFLAGS, "CTX_RFLAGS");
_Static_assert(offsetof(struct arch_context, rsp) == CTX_RSP, "CTX_RSP");
_Static_assert(sizeof(struct arch_context) == CTX_SIZE, "CTX_SIZE");

/*
 * The IPC registers of a saved context (include/mica/syscall.h): generic
 * code reads and writes messages through these, never by register name.
 */
static inline uint64_t arch_ctx_cptr(const struct arch_context *c) { return c->rdi; }
static inline uint64_t arch_ctx_tag(const struct arch_context *c) { return c->rsi; }
static inline uint64_t arch_ctx_mr(const struct arch_context *c, unsigned i)
{
    switch (i) {
    case 0: return c->rdx;
    case 1: return c->r10;
    case 2: return c->r8;
    default: return c->r9;
    }
}
static inline void arch_ctx_set_mr(struct arch_context *c, unsigned i, uint64_t v)
{
    switch (i) {
    case 0: c->rdx = v; break;
    case 1: c->r10 = v; break;
    case 2: c->r8 = v; break;
    default: c->r9 = v; break;
    }
}
/* Copy the first n (<= 4) message registers from one context to another. */
static inline void arch_ctx_copy_mrs(struct arch_context *to, const struct arch_context *from,
                                     unsigned n)
{
    switch (n) {
    default: to->r9 = from->r9; /* fall through */
    case 3: to->r8 = from->r8; /* fall through */
    case 2: to->r10 = from->r10; /* fall through */
    case 1: to->rdx = from->rdx; /* fall through */
    case 0: break;
    }
}
static inline uint64_t arch_ctx_sp(const struct arch_context *c) { return c->rsp; }
static inline uint64_t arch_ctx_flags(const struct arch_context *c) { return c->rflags; }

/* A system call's status and result value (or error detail). */
static inline void arch_ctx_set_result(struct arch_context *c, uint64_t status, uint64_t value)
{
    c->rax = status;
    c->rdi = value;
}
/* A received message: status OK, badge, tag (the MRs are set separately). */
static inline void arch_ctx_set_received(struct arch_context *c, uint64_t badge, uint64_t tag)
{
    c->rax = 0;
    c->rdi = badge;
    c->rsi = tag;
}
/* The thread's registers point at the `syscall` instruction again (for
 * an unknown syscall: the fault handler sees, and may skip, it). */
static inline void arch_ctx_rewind_syscall(struct arch_context *c) { c->rip -= 2; }

/* FPU/SSE state saved with fxsave (512 bytes, 16-byte aligned). */
struct arch_fpu_state {
    uint8_t data[512];
} __attribute__((aligned(16)));

/* Set up a fresh user context that starts at rip with the given stack. */
void arch_context_init_user(struct arch_context *ctx, uint64_t rip, uint64_t rsp, uint64_t arg0);

struct mica_user_context;
/* Convert between a saved context and the ABI register layout (fs/gs base
 * are not part of arch_context and are left alone). Writing forces a full
 * register restore on the next return to user mode. */
void arch_context_to_user(const struct arch_context *ctx, struct mica_user_context *u);
void arch_context_from_user(struct arch_context *ctx, const struct mica_user_context *u);
/* Set register i (struct mica_user_context order, below fs_base) only;
 * like arch_context_from_user, forces a full restore. */
void arch_context_set_user_reg(struct arch_context *ctx, unsigned i, uint64_t v);
/* Is v usable as a user FS/GS base (canonical)? */
int arch_valid_user_base(uint64_t v);

/* Give a thread the clean FPU/SSE state captured at boot. */
void arch_fpu_init_state(struct arch_fpu_state *fpu);

/* Leave the kernel into the given user context (entry.S). */
__attribute__((noreturn)) void arch_return_to_user(struct arch_context *ctx);

#endif
