/*
 * Platform facts the kernel learns from the firmware's ACPI tables at boot
 * (acpi.c): where the interrupt controllers, the IOMMUs and PCI Express
 * configuration space are. Filled once by acpi_parse(); read-only after.
 */
#ifndef KERNEL_PLATFORM_H
#define KERNEL_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

#define PLATFORM_MAX_IOAPICS 8
#define PLATFORM_MAX_IOMMUS  8

struct platform_ioapic {
    uint64_t paddr;    /* register window */
    uint32_t gsi_base; /* first GSI it serves */
    uint8_t id;
};

struct platform_iommu {  /* a VT-d DMA remapping unit (DMAR DRHD) */
    uint64_t paddr;      /* register window */
    uint16_t segment;    /* PCI segment it serves */
    bool include_all;    /* serves every device of the segment not claimed by another */
};

/* An I/O APIC a DMAR remapping unit lists in its device scope: the
 * requester ID (source ID) its interrupt messages carry. */
struct platform_ioapic_source {
    uint8_t id;         /* I/O APIC ID (the MADT's), the scope's enumeration ID */
    uint16_t segment;   /* PCI segment of the unit that lists it */
    uint16_t source_id; /* bus << 8 | device << 3 | function */
};

struct platform {
    bool acpi;           /* ACPI tables were found and checked */
    uint64_t lapic_paddr;
    unsigned n_ioapics;
    struct platform_ioapic ioapic[PLATFORM_MAX_IOAPICS];
    /* ISA IRQ i arrives at GSI isa_gsi[i], signalled as isa_flags[i]
     * (MICA_IRQ_*): identity/edge/active-high unless the MADT overrides. */
    uint8_t isa_gsi[16];
    uint8_t isa_flags[16];
    /* PCI Express ECAM (first MCFG entry). */
    bool ecam;
    uint64_t ecam_base;
    uint16_t ecam_segment;
    uint8_t ecam_bus_first, ecam_bus_last;
    /* VT-d (DMAR). */
    unsigned n_iommus;
    struct platform_iommu iommu[PLATFORM_MAX_IOMMUS];
    uint8_t dmar_host_address_width; /* DMAR's HAW + 1: physical address bits */
    bool dmar_intremap;              /* DMAR flags: interrupt remapping supported */
    unsigned n_ioapic_sources;
    struct platform_ioapic_source ioapic_source[PLATFORM_MAX_IOAPICS];
};

extern struct platform platform;

#endif
