/*
 * I/O APICs and MSIs: how device interrupts reach the kernel on x86_64.
 *
 * Every I/O APIC input (global system interrupt, GSI) g below
 * ARCH_IRQ_GSIS has its own vector, VECTOR_IOAPIC_BASE + g, and every MSI
 * number n the vector VECTOR_MSI_BASE + n, all delivered to this CPU
 * (fixed delivery, physical destination). The inputs start masked; irq.c
 * decides when one is unmasked (an IRQHandler with a notification that is
 * not waiting for its Ack) and this file only programs the redirection
 * entries, composes MSI messages and turns a vector back into the kernel's
 * IRQ number.
 *
 * An I/O APIC is programmed indirectly: the register number goes into
 * IOREGSEL (offset 0x00), its value is then read or written through IOWIN
 * (offset 0x10). Register 0x01 (version) gives the highest redirection
 * entry in bits 16-23; entry i is the 64-bit register pair 0x10 + 2i (low)
 * and 0x11 + 2i (high): vector in bits 0-7, delivery mode 8-10 (0: fixed),
 * destination mode 11 (0: physical), polarity 13 (1: active low), trigger
 * mode 15 (1: level), mask 16, destination APIC ID in bits 56-63. Facts:
 * Intel 82093AA I/O APIC datasheet; MSI format: Intel SDM vol. 3,
 * "Message Signalled Interrupts".
 *
 * With VT-d interrupt remapping on (vtd.c), both go through remapping
 * table entries the kernel writes: entry i is the kernel's IRQ number i
 * (GSI g: g; MSI n: ARCH_IRQ_GSIS + n), with the same vector and
 * destination as above, and only the requester ID of the I/O APIC (as the
 * DMAR table gives it) or of the PCI function the MSI was issued for may
 * use it. A redirection entry then holds the remappable format: bit 48
 * set, the entry's index in bits 49-63 (bit 15 of it in bit 11), the
 * vector still in bits 0-7 (the I/O APIC matches EOIs of level-triggered
 * interrupts by it). An MSI address holds it as MICA_MSI_HANDLE says
 * (include/mica/device.h; VT-d specification 5.1.2.2 and 5.1.5.1).
 */
#include "cpu.h"
#include "x86.h"
#include <arch.h>
#include <console.h>
#include <device.h>
#include <iommu.h>
#include <mica/device.h>
#include <platform.h>

#define IOREGSEL 0x00
#define IOWIN    0x10 /* in 32-bit words: IOWIN / 4 */

#define IOAPIC_REG_VERSION 0x01
#define IOAPIC_REG_REDIR(pin) (0x10 + 2 * (pin))

#define REDIR_MASKED     (1u << 16)
#define REDIR_LEVEL      (1u << 15)
#define REDIR_ACTIVE_LOW (1u << 13)

/* No ACPI MADT list: the one I/O APIC every PC chipset (and QEMU q35) has. */
#define DEFAULT_IOAPIC_PADDR 0xfec00000ull

/* MSI address: 0xfee in bits 20-31, destination APIC ID in bits 12-19;
 * redirection hint (bit 3) and destination mode (bit 2) 0: physical. Data:
 * the vector, fixed delivery (bits 8-10 zero), edge (bit 15 zero). */
#define MSI_ADDRESS_BASE 0xfee00000u

_Static_assert(VECTOR_IOAPIC_COUNT == ARCH_IRQ_GSIS, "one vector per routable GSI");
_Static_assert(VECTOR_IOAPIC_BASE + VECTOR_IOAPIC_COUNT <= VECTOR_MSI_BASE, "GSI vectors below MSIs");
_Static_assert(VECTOR_MSI_BASE + MICA_IRQ_MSI_COUNT <= VECTOR_IOMMU_FAULT, "MSI vectors fit");

#define IOAPIC_REG_ID 0x00
#define REDIR_REMAPPABLE_HI (1u << 16) /* bit 48: remappable format */

struct ioapic {
    volatile uint32_t *regs;
    uint32_t gsi_base;
    unsigned pins;
    uint8_t id;
};

static struct ioapic ioapics[PLATFORM_MAX_IOAPICS];
static unsigned n_ioapics;
static unsigned served_gsis;   /* GSIs 0 .. served_gsis-1 all have an input */
static uint8_t cpu_apic_id;    /* where every interrupt is sent */

static uint32_t ioapic_read(const struct ioapic *a, unsigned reg)
{
    a->regs[IOREGSEL / 4] = reg;
    return a->regs[IOWIN / 4];
}

static void ioapic_write(const struct ioapic *a, unsigned reg, uint32_t v)
{
    a->regs[IOREGSEL / 4] = reg;
    a->regs[IOWIN / 4] = v;
}

/* The I/O APIC input for GSI g, or NULL if none serves it. */
static const struct ioapic *input_of(unsigned gsi, unsigned *pin)
{
    for (unsigned i = 0; i < n_ioapics; i++) {
        const struct ioapic *a = &ioapics[i];
        if (gsi >= a->gsi_base && gsi - a->gsi_base < a->pins) {
            *pin = gsi - a->gsi_base;
            return a;
        }
    }
    return 0;
}

static bool gsi_served(unsigned gsi)
{
    unsigned pin;
    return input_of(gsi, &pin) != 0;
}

/* Map one I/O APIC and mask all its inputs. False if nothing answers there. */
static bool add_ioapic(uint64_t paddr, uint32_t gsi_base, int id)
{
    struct ioapic *a = &ioapics[n_ioapics];
    a->regs = paging_map_mmio(paddr);
    a->gsi_base = gsi_base;
    a->id = (uint8_t)(id >= 0 ? (uint32_t)id : (ioapic_read(a, IOAPIC_REG_ID) >> 24) & 0xf);
    uint32_t version = ioapic_read(a, IOAPIC_REG_VERSION);
    if (version == 0xffffffffu) {
        kprintf("mica: warning: no I/O APIC answers at 0x%lx; its GSIs are not served\n", paddr);
        return false;
    }
    a->pins = ((version >> 16) & 0xff) + 1;
    for (unsigned pin = 0; pin < a->pins; pin++) {
        /* Mask first, then aim it at this CPU; the vector follows at setup. */
        ioapic_write(a, IOAPIC_REG_REDIR(pin), REDIR_MASKED);
        ioapic_write(a, IOAPIC_REG_REDIR(pin) + 1, (uint32_t)cpu_apic_id << 24);
    }
    n_ioapics++;
    kprintf("ioapic: I/O APIC at 0x%lx, version 0x%x, GSIs %u-%u, all masked\n", paddr,
            version & 0xff, gsi_base, gsi_base + a->pins - 1);
    return true;
}

void ioapic_init(void)
{
    uint32_t eax, ebx, ecx, edx;
    cpuid(1, &eax, &ebx, &ecx, &edx);
    cpu_apic_id = (uint8_t)(ebx >> 24); /* initial APIC ID of this (the only) CPU */

    if (platform.n_ioapics == 0) {
        kprintf("ioapic: ACPI lists no I/O APIC; assuming the standard one at 0x%llx, GSI base 0\n",
                DEFAULT_IOAPIC_PADDR);
        add_ioapic(DEFAULT_IOAPIC_PADDR, 0, -1);
    }
    for (unsigned i = 0; i < platform.n_ioapics && i < PLATFORM_MAX_IOAPICS; i++)
        add_ioapic(platform.ioapic[i].paddr, platform.ioapic[i].gsi_base, platform.ioapic[i].id);
    while (served_gsis < ARCH_IRQ_GSIS && gsi_served(served_gsis))
        served_gsis++;
    if (served_gsis)
        kprintf("ioapic: GSIs 0-%u can be issued (vectors 0x%x-0x%x), MSIs 0-%u (0x%x-0x%x)\n",
                served_gsis - 1, VECTOR_IOAPIC_BASE, VECTOR_IOAPIC_BASE + served_gsis - 1,
                MICA_IRQ_MSI_COUNT - 1, VECTOR_MSI_BASE, VECTOR_MSI_BASE + MICA_IRQ_MSI_COUNT - 1);
    else
        kprintf("mica: warning: no I/O APIC input can be issued; MSIs 0-%u only\n",
                MICA_IRQ_MSI_COUNT - 1);
}

unsigned arch_irq_gsis(void)
{
    return served_gsis;
}

/* Write the remapping entry for GSI `gsi` of I/O APIC `a`; false if
 * remapping is off. The entry allows the I/O APIC's requester ID only,
 * if the DMAR table gives it; else (and said at boot) any. */
static bool gsi_remap(const struct ioapic *a, unsigned gsi, bool level)
{
    if (!iommu_intremap())
        return false;
    unsigned vector = VECTOR_IOAPIC_BASE + gsi;
    for (unsigned i = 0; i < platform.n_ioapic_sources; i++) {
        const struct platform_ioapic_source *src = &platform.ioapic_source[i];
        if (src->id == a->id)
            return vtd_irte_set(MICA_PCI_ADDR(src->segment, 0, 0, 0) | src->source_id, gsi,
                                vector, cpu_apic_id, level, true);
    }
    return vtd_irte_set(0, gsi, vector, cpu_apic_id, level, false);
}

void arch_irq_gsi_setup(unsigned gsi, unsigned flags)
{
    unsigned pin;
    const struct ioapic *a = input_of(gsi, &pin);
    if (!a || gsi >= ARCH_IRQ_GSIS)
        return;
    uint32_t low = REDIR_MASKED | (VECTOR_IOAPIC_BASE + gsi);
    uint32_t high = (uint32_t)cpu_apic_id << 24;
    if (flags & MICA_IRQ_LEVEL)
        low |= REDIR_LEVEL;
    if (flags & MICA_IRQ_ACTIVE_LOW)
        low |= REDIR_ACTIVE_LOW;
    ioapic_write(a, IOAPIC_REG_REDIR(pin), REDIR_MASKED); /* masked while it changes */
    if (gsi_remap(a, gsi, flags & MICA_IRQ_LEVEL)) {
        high = REDIR_REMAPPABLE_HI | (gsi & 0x7fffu) << 17; /* index 15 bits: 0 (gsi < 64) */
    }
    ioapic_write(a, IOAPIC_REG_REDIR(pin) + 1, high);
    ioapic_write(a, IOAPIC_REG_REDIR(pin), low);
}

void arch_irq_gsi_mask(unsigned gsi, bool masked)
{
    unsigned pin;
    const struct ioapic *a = input_of(gsi, &pin);
    if (!a)
        return;
    uint32_t low = ioapic_read(a, IOAPIC_REG_REDIR(pin));
    low = masked ? low | REDIR_MASKED : low & ~REDIR_MASKED;
    ioapic_write(a, IOAPIC_REG_REDIR(pin), low);
}

uint64_t arch_irq_msi_message(unsigned msi, uint64_t pci)
{
    unsigned index = ARCH_IRQ_GSIS + msi;
    if (vtd_irte_set(pci, index, VECTOR_MSI_BASE + msi, cpu_apic_id, false, true))
        return (uint64_t)MICA_MSI_REMAPPABLE_ADDRESS(index) << 32; /* data 0: no subhandle */
    uint32_t address = MSI_ADDRESS_BASE | (uint32_t)cpu_apic_id << 12;
    uint32_t data = VECTOR_MSI_BASE + msi;
    return (uint64_t)address << 32 | data;
}

void arch_irq_msi_release(unsigned msi)
{
    vtd_irte_clear(ARCH_IRQ_GSIS + msi);
}

void arch_irq_vector(unsigned v)
{
    if (v >= VECTOR_IOAPIC_BASE && v < VECTOR_IOAPIC_BASE + ARCH_IRQ_GSIS) {
        irq_deliver(v - VECTOR_IOAPIC_BASE);
    } else if (v >= VECTOR_MSI_BASE && v < VECTOR_MSI_BASE + MICA_IRQ_MSI_COUNT) {
        irq_deliver(ARCH_IRQ_GSIS + (v - VECTOR_MSI_BASE));
    } else {
        /* A vector the kernel never hands out (a device given a made-up
         * MSI data word): trap.c counts and reports it, and sends the EOI. */
        trap_stray_vector(v);
        return;
    }
    lapic_eoi();
}
