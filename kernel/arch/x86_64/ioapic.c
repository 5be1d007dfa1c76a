/* I/O APIC: placeholder until the IRQ work lands. */
#include "x86.h"
#include <console.h>
void ioapic_init(void) {}
void arch_irq_vector(unsigned v)
{
    kprintf("mica: warning: unexpected interrupt vector %u ignored\n", v);
    lapic_eoi();
}
