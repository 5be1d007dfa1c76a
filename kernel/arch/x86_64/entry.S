/*
 * Kernel entry and exit: interrupt/exception stubs, the syscall entry, and
 * the return to user mode.
 *
 * User state is saved straight into the current thread's struct
 * arch_context: the TSS rsp0 (for interrupts) and `cur_ctx_end` (for
 * syscall) point just past it, so the CPU's own pushes and ours fill it in.
 * Then we switch to the single kernel stack and call C. The kernel is not
 * preemptible: interrupts stay off in the kernel except in the idle loop.
 * Kernel-mode exceptions build the same frame on the kernel stack.
 */
#include "asm.h"
#include <mica/syscall.h>

.macro SAVE_GPRS
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
.endm

.macro RESTORE_GPRS
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
.endm

/*
 * One 16-byte stub per vector, for the vector number in assembler symbol n.
 * The CPU pushes an error code only for some exceptions (SDM vol. 3, 6.13);
 * the others push a zero so every frame has the same shape.
 *
 * A device can send any vector as an interrupt (an MSI's data word names
 * it), exception vectors included, and for an interrupt the CPU pushes no
 * error code, even on a vector whose exception has one (SDM vol. 3, 6.13).
 * The stubs of those vectors let trap_error_vector tell the two apart.
 */
.macro VECTOR_STUB
    .balign 16
    .if (n == 8 || (n >= 10 && n <= 14) || n == 17 || n == 21 || n == 29 || n == 30)
    push $n
    jmp trap_error_vector
    .else
    push $0
    push $n
    jmp trap_common
    .endif
.endm

    .text
    .balign 16
    .global trap_vectors
trap_vectors:
    .set n, 0
    .rept 256
    VECTOR_STUB
    .set n, n + 1
    .endr

/* Table of stub addresses, used by idt.c. */
    .section .rodata
    .balign 8
    .global trap_vector_table
trap_vector_table:
    .set n, 0
    .rept 256
    .quad trap_vectors + n * 16
    .set n, n + 1
    .endr

    .text
/*
 * An error-code vector, its number just pushed. In 64-bit mode the CPU
 * aligns rsp to 16 bytes before it pushes the 40-byte frame (SDM vol. 3,
 * 6.14.2), so with an error code and the vector rsp is 8 mod 16 here and
 * without one 0 mod 16. No error code means an external interrupt on an
 * exception vector: put a zero error code under the vector, mark the
 * vector VECTOR_NO_ERROR_CODE (trap.c never takes it for an exception),
 * and carry on with the usual frame.
 */
trap_error_vector:
    testb $8, %spl
    jnz trap_common
    push (%rsp)                         /* the vector again, one slot lower */
    movq $0, 8(%rsp)                    /* where it was: the error code */
    orq $VECTOR_NO_ERROR_CODE, (%rsp)
trap_common:
    /* An interrupt gate leaves AC as the interrupted code had it (user
     * code may set it with popf): AC=1 would switch SMAP off for the
     * kernel. Start from clean flags (AC, DF, IF and the rest clear). */
    push $RFLAGS_RSVD
    popfq
    SAVE_GPRS
    testb $3, (CTX_RIP + 8)(%rsp)      /* saved cs: came from user mode? */
    jz 1f
    mov %rsp, %rdi                      /* rdi = &current->ctx */
    movabs $kernel_stack_top, %rsp
    xor %ebp, %ebp
    call trap_from_user                 /* does not return */
    ud2
1:  mov %rsp, %rdi                      /* frame on the kernel stack */
    call trap_from_kernel
    RESTORE_GPRS
    add $16, %rsp
    iretq

/*
 * The frame of a `syscall` (rcx = user rip, r11 = user rflags), saved in
 * the current thread's context in the shape an interrupt leaves: the user
 * rsp is parked first (nothing is pushed on the user's stack), then ss,
 * rsp, rflags, cs, rip, a zero error code, `vector`, the GPRs.
 */
.macro SYSCALL_FRAME vector
    mov %rsp, user_rsp_scratch(%rip)
    mov cur_ctx_end(%rip), %rsp
    push $SEL_USER_DATA
    push user_rsp_scratch(%rip)
    push %r11
    push $SEL_USER_CODE
    push %rcx
    push $0
    push $\vector
    SAVE_GPRS
.endm

/*
 * syscall: rcx = user rip, r11 = user rflags, IF cleared by FMASK. Build the
 * same frame an interrupt would, in the current thread's context.
 */
    .global syscall_entry
syscall_entry:
    SYSCALL_FRAME VECTOR_SYSCALL
    mov %rsp, %rbx                      /* &current->ctx, which is current itself */
    movabs $kernel_stack_top, %rsp
    xor %ebp, %ebp
    /* The IPC fastpath (kernel/core/fastpath.c) first: it completes the
     * call and never returns, or returns having changed nothing. */
    cmp $MICA_SYS_REPLY_RECV, %rax     /* unsigned: below is neither Call nor ReplyRecv */
    jb 2f
    cmpb $0, fastpath_enabled(%rip)
    je 2f
    mov %rbx, %rdi
    cmp $MICA_SYS_REPLY_RECV, %rax
    jne 1f                              /* then it is Call */
    call fastpath_reply_recv
    jmp 2f
1:  call fastpath_call
2:  mov %rbx, %rdi
    call syscall_from_user              /* does not return */
    ud2

/*
 * syscall from compatibility mode (MSR_CSTAR). Unreachable: no 32-bit user
 * code segment exists (gdt.c). Should one ever appear, the call must not
 * run on the thread's stack in ring 0: save the thread exactly as the
 * 64-bit entry does and make it a fault of the thread (syscall.c).
 */
    .global syscall_compat_entry
syscall_compat_entry:
    SYSCALL_FRAME VECTOR_COMPAT_SYSCALL
    mov %rsp, %rdi
    movabs $kernel_stack_top, %rsp
    xor %ebp, %ebp
    call syscall_compat_from_user       /* does not return */
    ud2

/*
 * arch_return_to_user(ctx): load a saved user context and leave the kernel.
 * A context saved by `syscall` leaves by `sysret` (rcx and r11 are clobbered
 * by the ABI anyway, so their saved values are not loaded: the registers
 * are read in place rather than popped, one instruction each and none for
 * the two skipped); any other leaves by `iretq`, restoring every register.
 * C code guarantees rip is a canonical user address and rflags is sane.
 */
    .global arch_return_to_user
arch_return_to_user:
    mov %rdi, %rsp
    cmpq $VECTOR_SYSCALL, CTX_VECTOR(%rsp)
    jne 1f
    mov 0x00(%rsp), %r15
    mov 0x08(%rsp), %r14
    mov 0x10(%rsp), %r13
    mov 0x18(%rsp), %r12
    mov 0x28(%rsp), %r10                /* 0x20: r11 */
    mov 0x30(%rsp), %r9
    mov 0x38(%rsp), %r8
    mov 0x40(%rsp), %rbp
    mov 0x48(%rsp), %rdi
    mov 0x50(%rsp), %rsi
    mov 0x58(%rsp), %rdx                /* 0x60: rcx */
    mov 0x68(%rsp), %rbx
    mov CTX_RAX(%rsp), %rax
    mov CTX_RIP(%rsp), %rcx
    mov CTX_RFLAGS(%rsp), %r11
    mov CTX_RSP(%rsp), %rsp             /* user rsp */
    sysretq
1:  RESTORE_GPRS
    add $16, %rsp
    iretq

/*
 * arch_idle(): wait for interrupts on a fresh kernel stack. An interrupt
 * arrives through trap_common → trap_from_kernel, which may switch to a
 * thread and never come back here.
 */
    .global arch_idle
arch_idle:
    movabs $kernel_stack_top, %rsp
    xor %ebp, %ebp
1:  sti
    hlt
    cli
    jmp 1b

    .bss
    .balign 8
    .global cur_ctx_end
cur_ctx_end:
    .quad 0
user_rsp_scratch:
    .quad 0
    .balign 16
    .global kernel_stack_top
kernel_stack:
    .skip 16384
kernel_stack_top:
