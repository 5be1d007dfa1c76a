/*
 * Multiboot 1 entry. The loader enters _start32 in 32-bit protected mode,
 * paging off, with eax = Multiboot magic and ebx = physical address of the
 * Multiboot information. We check the CPU, enable PAE paging with a boot page
 * table that maps the first 1 GiB both at 0 (identity, for the jump) and at
 * KERNEL_VBASE (the higher half), enter long mode, and call
 * arch_main(magic, mbi) on the boot stack. arch_main builds the real page
 * tables (docs/boot.md).
 *
 * QEMU only accepts an ELF64 Multiboot kernel when the header carries the
 * a.out-kludge addresses (flag bit 16), so the header gives them: all
 * physical, derived from the link map.
 */
#include "asm.h"

#define MB_MAGIC 0x1badb002
#define MB_FLAGS ((1 << 0) | (1 << 1) | (1 << 16)) /* page-align modules, memory map, addresses */
#define PHYS(x) ((x) - KERNEL_VBASE)

    .section .multiboot, "a"
    .balign 4
mb_header:
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)
    .long PHYS(mb_header)      /* header_addr */
    .long PHYS(_kernel_start)  /* load_addr */
    .long PHYS(_data_end)      /* load_end_addr */
    .long PHYS(_kernel_end)    /* bss_end_addr */
    .long PHYS(_start32)       /* entry_addr */

    .section .boot.text, "ax"
    .code32
    .global _start32
_start32:
    cli
    cld
    mov %eax, %edi
    mov %ebx, %esi
    mov $PHYS(boot_stack_top), %esp

    /* Long mode and NX are required; say so on COM1 instead of triple faulting. */
    mov $0x80000000, %eax
    cpuid
    cmp $0x80000001, %eax
    jb no_long_mode
    mov $0x80000001, %eax
    cpuid
    bt $29, %edx
    jnc no_long_mode
    bt $20, %edx
    jnc no_long_mode

    mov $PHYS(boot_pml4), %eax
    mov %eax, %cr3
    mov %cr4, %eax
    or $CR4_PAE, %eax
    mov %eax, %cr4
    mov $MSR_EFER, %ecx
    rdmsr
    or $(EFER_LME | EFER_NXE | EFER_SCE), %eax
    wrmsr
    mov %cr0, %eax
    or $(CR0_PG | CR0_WP | CR0_PE), %eax
    mov %eax, %cr0

    lgdt PHYS(boot_gdt_ptr)
    ljmp $0x08, $PHYS(start64_low)

no_long_mode:
    mov $PHYS(no_long_mode_msg), %esi
1:  lodsb
    test %al, %al
    jz 3f
    mov %al, %bl
    mov $0x3fd, %dx
2:  inb %dx, %al
    test $0x20, %al
    jz 2b
    mov $0x3f8, %dx
    mov %bl, %al
    outb %al, %dx
    jmp 1b
3:  hlt
    jmp 3b

    .code64
start64_low:
    mov $0x10, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    xor %eax, %eax
    mov %eax, %fs
    mov %eax, %gs
    movabs $start64_high, %rax
    jmp *%rax

    .text
start64_high:
    movabs $boot_stack_top, %rsp
    xor %ebp, %ebp
    mov %edi, %edi          /* upper halves are undefined after the mode switch */
    mov %esi, %esi
    call arch_main
1:  cli
    hlt
    jmp 1b

    .section .boot.data, "aw"
    .balign 4096
    .global boot_pml4
boot_pml4:
    .quad PHYS(boot_pdpt) + 3
    .fill 510, 8, 0
    .quad PHYS(boot_pdpt) + 3
boot_pdpt:
    .quad PHYS(boot_pd) + 3
    .fill 509, 8, 0
    .quad PHYS(boot_pd) + 3
    .quad 0
boot_pd:
    .set i, 0
    .rept 512
    .quad (i << 21) | 0x83  /* present, writable, 2 MiB page */
    .set i, i + 1
    .endr

    .balign 8
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff  /* 0x08: 64-bit kernel code */
    .quad 0x00cf92000000ffff  /* 0x10: kernel data */
boot_gdt_end:
boot_gdt_ptr:
    .word boot_gdt_end - boot_gdt - 1
    .long PHYS(boot_gdt)

no_long_mode_msg:
    .asciz "mica: this CPU lacks long mode or NX; cannot boot\r\n"

    .section .bss
    .balign 16
    .global boot_stack_top
boot_stack:
    .skip 16384
boot_stack_top:
