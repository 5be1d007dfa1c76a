/*
 * Device authority objects: IRQ control and handlers (irq.c), I/O ports
 * (ioport.c), IOSpaces and IO page tables for DMA isolation (iospace.c).
 * Their decoders are in invocation.h; these are the life-cycle hooks the
 * generic object code calls, and the interrupt entry point.
 */
#ifndef KERNEL_DEVICE_H
#define KERNEL_DEVICE_H

#include <cap.h>
#include <stdbool.h>
#include <stdint.h>

struct mica_bootinfo_platform;

/* irq.c */
/* An interrupt arrived on the line or MSI the kernel calls `irq` (an index
 * into its IRQ table, arch-assigned): signal its notification, if any. */
void irq_deliver(unsigned irq);
/* The last cap to an IRQ handler is gone: mask the line, forget its
 * notification, make it issuable again. */
void irq_handler_finalise(const struct cap *cap);
/* Could an interrupt still wake a thread? (A handler has a notification.) */
bool irq_any_bound(void);
/* GSIs the I/O APICs serve (0 .. n-1), for the boot info. */
unsigned irq_ioapic_gsis(void);

/* ioport.c */
/* The last cap to a port range is gone: the range can be issued again. */
void ioport_finalise(const struct cap *cap);

/* iospace.c */
#define MAPPING_IO (1ull << 63) /* word2 of a frame/IO page table mapped for DMA */
/* Remove the DMA mapping a frame or IO page table cap records (word2 has
 * MAPPING_IO), if the tables still say so, and forget it in the cap. */
void io_mapping_remove(struct cap *c);
/* The last cap to an IOSpace is gone: the device loses all DMA access. */
void iospace_finalise(const struct cap *cap);
/* Address width of I/O virtual addresses, or 0 when no IOMMU is in use. */
unsigned iommu_address_bits(void);

/* Boot: platform facts for the root task's boot info. */
void platform_bootinfo(struct mica_bootinfo_platform *p);

#endif
