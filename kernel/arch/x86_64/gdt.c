/*
 * Global descriptor table and task-state segment.
 *
 * The selector order is dictated by syscall/sysret (SDM vol. 2, SYSRET):
 * kernel code, kernel data, then the user code32 slot, user data, user
 * code64. SYSRET to 64-bit mode takes its selectors from STAR without
 * reading the table, so the code32 slot is kept empty: there is no 32-bit
 * (compatibility-mode) code segment a thread could far-jump to, and with
 * it no way to run `syscall`, `sysenter` or `int 0x80` outside 64-bit mode
 * (docs/security.md). The LDT is loaded null on every CPU: the reset-state
 * LDTR (base 0) would otherwise point into user memory, where a thread
 * could write a call gate to ring 0 or a 32-bit code segment.
 *
 * The TSS supplies rsp0 (where an interrupt from user mode pushes its frame:
 * the end of the current thread's saved context) and IST stacks so that
 * double faults, NMIs and machine checks always have a good stack. Its I/O
 * bitmap offset lies past its limit: no port is open to ring 3 through it.
 */
#include "asm.h"
#include "x86.h"
#include <stdint.h>

#define IST_STACK_SIZE 4096

struct tss tss;
static uint8_t ist_stacks[3][IST_STACK_SIZE] __attribute__((aligned(16)));

static uint64_t gdt[8] = {
    0,
    0x00209a0000000000, /* 0x08 kernel code: present, DPL0, long mode */
    0x0000920000000000, /* 0x10 kernel data */
    0,                  /* 0x18 user code32: deliberately null (see above) */
    0x0000f30000000000, /* 0x20 user data: DPL3, accessed (the kernel loads it: no GDT write) */
    0x0020fa0000000000, /* 0x28 user code: DPL3, long mode */
    0, 0,               /* 0x30 TSS (16-byte system descriptor) */
};

static void gdt_set_tss(void)
{
    uint64_t base = (uint64_t)&tss;
    uint64_t limit = sizeof(tss) - 1;
    gdt[6] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
             (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt[7] = base >> 32;
}

void gdt_init(void)
{
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) ptr = { sizeof(gdt) - 1, (uint64_t)gdt };

    for (int i = 0; i < 3; i++)
        tss.ist[i] = (uint64_t)ist_stacks[i] + IST_STACK_SIZE;
    tss.iomap_base = sizeof(tss); /* no I/O bitmap: all ports closed to ring 3 */
    gdt_set_tss();

    __asm__ volatile("lgdt %0" ::"m"(ptr));
    __asm__ volatile("mov %0, %%ds; mov %0, %%es; mov %0, %%ss" ::"r"(SEL_KERNEL_DATA));
    __asm__ volatile("mov %0, %%fs; mov %0, %%gs" ::"r"(0));
    /* Reload cs with a far return. */
    __asm__ volatile("pushq %0; leaq 1f(%%rip), %%rax; pushq %%rax; lretq; 1:"
                     ::"i"(SEL_KERNEL_CODE) : "rax", "memory");
    __asm__ volatile("ltr %w0" ::"r"(SEL_TSS));
    __asm__ volatile("lldt %w0" ::"r"(0)); /* null LDT: every LDT selector faults */
}

