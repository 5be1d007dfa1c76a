/*
 * Constants shared by the x86_64 assembly and C code (architectural facts
 * from the Intel SDM, vol. 3) and the kernel's own segment and layout choices.
 */
#ifndef ARCH_ASM_H
#define ARCH_ASM_H

#define KERNEL_VBASE     0xffffffff80000000
#define DIRECT_MAP_BASE  0xffff800000000000 /* all RAM: virt = DIRECT_MAP_BASE + phys */

#define CR0_PE (1 << 0)
#define CR0_MP (1 << 1)
#define CR0_EM (1 << 2)
#define CR0_TS (1 << 3)
#define CR0_WP (1 << 16)
#define CR0_PG (1 << 31)
#define CR4_PAE        (1 << 5)
#define CR4_PGE        (1 << 7)
#define CR4_OSFXSR     (1 << 9)
#define CR4_OSXMMEXCPT (1 << 10)
#define CR4_UMIP       (1 << 11)
#define CR4_SMEP       (1 << 20)
#define CR4_SMAP       (1 << 21)

#define MSR_EFER   0xc0000080
#define MSR_STAR   0xc0000081
#define MSR_LSTAR  0xc0000082
#define MSR_CSTAR  0xc0000083 /* syscall from compatibility mode (AMD; Intel raises #UD) */
#define MSR_FMASK  0xc0000084
#define MSR_SYSENTER_CS  0x174 /* 0: sysenter raises #GP(0) */
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define EFER_SCE (1 << 0)
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)

/* GDT selectors (gdt.c builds the table in this order). */
#define SEL_KERNEL_CODE 0x08
#define SEL_KERNEL_DATA 0x10
#define SEL_USER_CODE32 0x18 /* a null descriptor: only sysret's base selector (gdt.c) */
#define SEL_USER_DATA   0x23 /* 0x20 | RPL 3 */
#define SEL_USER_CODE   0x2b /* 0x28 | RPL 3 */
#define SEL_TSS         0x30

/* RFLAGS */
#define RFLAGS_IF   (1 << 9)
#define RFLAGS_RSVD (1 << 1)

/* Pseudo-vector recorded in a context saved by the syscall entry. */
#define VECTOR_SYSCALL 0x100
/* The vector a `syscall` from compatibility mode is reported as (CSTAR):
 * #UD, what Intel CPUs raise for it. No such mode is reachable (gdt.c). */
#define VECTOR_COMPAT_SYSCALL 6
/* Or-ed into the vector by the stub of an error-code exception vector
 * (entry.S) when the CPU pushed no error code: an external interrupt. */
#define VECTOR_NO_ERROR_CODE 0x200

/* Offsets into struct arch_context (context.h); checked there by _Static_assert. */
#define CTX_RAX    0x70
#define CTX_VECTOR 0x78
#define CTX_RIP    0x88
#define CTX_RFLAGS 0x98
#define CTX_RSP    0xa0
#define CTX_SIZE   0xb0

#endif
