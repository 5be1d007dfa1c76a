/*
 * Interrupt descriptor table: 256 interrupt gates to the stubs in entry.S.
 * All but #BP are DPL0, so `int $n` from user mode is a #GP; `int3` stays
 * usable as a breakpoint. Double fault, NMI and
 * machine check run on their own IST stacks (gdt.c).
 */
#include "asm.h"
#include "x86.h"
#include <stdint.h>

struct idt_entry {
    uint16_t offset_lo;
    uint16_t selector;
    uint8_t ist;
    uint8_t type;
    uint16_t offset_mid;
    uint32_t offset_hi;
    uint32_t reserved;
} __attribute__((packed));

static struct idt_entry idt[256];

static void set_gate(unsigned vec, uint64_t handler, unsigned ist, unsigned dpl)
{
    idt[vec] = (struct idt_entry){
        .offset_lo = handler & 0xffff,
        .selector = SEL_KERNEL_CODE,
        .ist = ist,
        .type = 0x8e | (dpl << 5), /* present, 64-bit interrupt gate */
        .offset_mid = (handler >> 16) & 0xffff,
        .offset_hi = handler >> 32,
    };
}

void idt_init(void)
{
    for (unsigned v = 0; v < 256; v++)
        set_gate(v, trap_vector_table[v], 0, 0);
    set_gate(2, trap_vector_table[2], 2, 0);   /* NMI */
    set_gate(3, trap_vector_table[3], 0, 3);   /* int3 from user mode: #BP, for debuggers */
    set_gate(8, trap_vector_table[8], 1, 0);   /* double fault */
    set_gate(18, trap_vector_table[18], 3, 0); /* machine check */

    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) ptr = { sizeof(idt) - 1, (uint64_t)idt };
    __asm__ volatile("lidt %0" ::"m"(ptr));
}
