/*
 * Devices: interrupts, I/O ports, PCI addresses and DMA isolation.
 *
 * The numbers here are arguments and results of the IRQControl, IRQHandler,
 * IOPortControl, IOPort, IOSpaceControl, IOSpace and IOPageTable
 * invocations (include/mica/invocation.h; docs/objects/irq.md, ioport.md,
 * iospace.md) and the platform facts in the boot info.
 */
#ifndef MICA_DEVICE_H
#define MICA_DEVICE_H

#include <mica/types.h>

/* IRQControl_GetIOAPIC flags: how the line signals (ACPI MADT terms). */
#define MICA_IRQ_EDGE        0x0 /* edge triggered (the ISA default) */
#define MICA_IRQ_LEVEL       0x1 /* level triggered (PCI INTx) */
#define MICA_IRQ_ACTIVE_HIGH 0x0
#define MICA_IRQ_ACTIVE_LOW  0x2
#define MICA_IRQ_FLAGS_ALL   0x3

/* MSIs a driver can ask IRQControl_GetMSI for: numbers 0 .. count-1. */
#define MICA_IRQ_MSI_COUNT 64

/*
 * IRQControl_GetMSI returns the two values the driver writes into the
 * device's MSI capability: the 32-bit message address and the data word.
 * Without interrupt remapping the address is the local APIC's (0xfee00000
 * | APIC ID << 12) and the data word the vector. With it (boot info flag
 * MICA_PLATFORM_INTREMAP) the address is in the VT-d remappable format:
 * 0xfee00000, bit 4 set, a handle (the index of the kernel's remapping
 * table entry for the MSI: its vector, its destination, the one PCI
 * function allowed to use it) in bits 5-19 and bit 2; the data word is 0.
 */
#define MICA_MSI_ADDRESS(v) ((uint32_t)((v) >> 32))
#define MICA_MSI_DATA(v)    ((uint32_t)(v))
#define MICA_MSI_ADDRESS_BASE 0xfee00000u
#define MICA_MSI_REMAPPABLE   0x10u /* address bit 4: remappable format */
#define MICA_MSI_HANDLE(address) \
    ((((address) >> 5) & 0x7fffu) | (((address) >> 2) & 1u) << 15)
#define MICA_MSI_REMAPPABLE_ADDRESS(handle)                                      \
    (MICA_MSI_ADDRESS_BASE | MICA_MSI_REMAPPABLE | ((uint32_t)(handle) & 0x7fffu) << 5 | \
     ((uint32_t)(handle) >> 15 & 1u) << 2)

/* I/O ports: 0 .. MICA_IOPORT_MAX. */
#define MICA_IOPORT_MAX 0xffff

/*
 * A PCI function's address as the IOSpace and MSI invocations take it:
 * segment (bits 16-31), bus (8-15), device (3-7), function (0-2). The low
 * 16 bits are the PCI requester ID that DMA and the IOMMU see.
 */
#define MICA_PCI_ADDR(seg, bus, dev, fn) \
    (((mica_word_t)(seg) << 16) | ((mica_word_t)(bus) << 8) | ((mica_word_t)(dev) << 3) | (mica_word_t)(fn))
#define MICA_PCI_SEGMENT(a)  ((unsigned)(((a) >> 16) & 0xffff))
#define MICA_PCI_BUS(a)      ((unsigned)(((a) >> 8) & 0xff))
#define MICA_PCI_DEVICE(a)   ((unsigned)(((a) >> 3) & 0x1f))
#define MICA_PCI_FUNCTION(a) ((unsigned)((a) & 0x7))
#define MICA_PCI_ADDR_MAX    0xffffffffull

/*
 * An IOMMU fault as IOSpace_GetFault reports it (0: none recorded since the
 * last call): the page-aligned I/O virtual address the device used, the
 * VT-d fault reason in bits 0-7, bit 8 set for a write (clear for a read),
 * bit 11 always set so a fault at I/O address 0 is not 0. A reason of
 * MICA_IOFAULT_INTERRUPT or above is a blocked interrupt request (address
 * 0): 0x21 handle beyond the table, 0x22 entry not present, 0x25
 * compatibility format, 0x26 another device's entry (VT-d spec. 7.1.3).
 */
#define MICA_IOFAULT_ADDR(w)   ((w) & ~0xfffull)
#define MICA_IOFAULT_REASON(w) ((unsigned)((w) & 0xff))
#define MICA_IOFAULT_WRITE     0x100ull
#define MICA_IOFAULT_VALID     0x800ull
#define MICA_IOFAULT_INTERRUPT 0x20u

/* Platform facts from the ACPI tables, in the boot info. */
#define MICA_PLATFORM_IOMMU 0x1 /* a VT-d IOMMU is in use: IOSpaces work */
#define MICA_PLATFORM_ECAM  0x2 /* PCI Express ECAM (MCFG) was found */
#define MICA_PLATFORM_INTREMAP 0x4 /* VT-d interrupt remapping is on: MSIs and I/O APIC
                                     inputs go through the kernel's remapping entries */

struct mica_bootinfo_platform {
    uint32_t flags;          /* MICA_PLATFORM_* */
    uint32_t ioapic_gsis;    /* GSIs IRQControl_GetIOAPIC accepts: 0 .. ioapic_gsis-1 */
    /* PCI Express configuration space (first MCFG entry): config space of
     * bus b, device d, function f is the 4 KiB at
     * ecam_base + ((b - ecam_bus_first) << 20 | d << 15 | f << 12). */
    uint64_t ecam_base;
    uint16_t ecam_segment;
    uint8_t ecam_bus_first;
    uint8_t ecam_bus_last;
    /* IOMMU: address width of I/O virtual addresses (39 or 48 bits). */
    uint8_t iommu_address_bits;
    uint8_t reserved[3];
    /* ISA IRQ i (0-15) arrives at GSI isa_gsi[i] with isa_flags[i]
     * (MICA_IRQ_*), after the MADT's interrupt source overrides. */
    uint8_t isa_gsi[16];
    uint8_t isa_flags[16];
};

#endif
