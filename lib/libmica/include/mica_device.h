/*
 * libmica: device invocations (IRQs, I/O ports, IOSpaces; include/mica/
 * device.h, docs/objects/irq.md, ioport.md, iospace.md) and device memory.
 *
 * The slot for a newly issued cap is named as elsewhere: a CNode cap `root`,
 * an `index` and a `depth` (in the root task's CSpace: the slot number and 64).
 */
#ifndef LIBMICA_DEVICE_H
#define LIBMICA_DEVICE_H

#include <mica/bootinfo.h>
#include <mica/device.h>
#include <mica_invoke.h>

/* IRQControl: a handler for I/O APIC input `gsi`, signalled as `flags`
 * (MICA_IRQ_EDGE/LEVEL | MICA_IRQ_ACTIVE_HIGH/LOW). */
struct mica_sysret mica_irq_get_ioapic(mica_cptr_t control, mica_word_t gsi, unsigned flags,
                                       mica_cptr_t root, mica_word_t index, unsigned depth);
/* IRQControl: a handler for MSI number `msi` of the PCI function `pci_addr`;
 * .value holds the address and data to program (MICA_MSI_ADDRESS/DATA). */
struct mica_sysret mica_irq_get_msi(mica_cptr_t control, unsigned msi, mica_word_t pci_addr,
                                    mica_cptr_t root, mica_word_t index, unsigned depth);
/* IRQHandler: signal `ntfn` (with its badge) on each interrupt. */
struct mica_sysret mica_irq_handler_set_notification(mica_cptr_t handler, mica_cptr_t ntfn);
/* IRQHandler: the interrupt was handled; the next one may be delivered. */
struct mica_sysret mica_irq_handler_ack(mica_cptr_t handler);
/* IRQHandler: stop signalling the notification. */
struct mica_sysret mica_irq_handler_clear(mica_cptr_t handler);

/* IOPortControl: a cap to ports first..last (inclusive). */
struct mica_sysret mica_ioport_issue(mica_cptr_t control, unsigned first, unsigned last,
                                     mica_cptr_t root, mica_word_t index, unsigned depth);
/* IOPort: port input and output inside the cap's range; .value is what was read. */
struct mica_sysret mica_ioport_in8(mica_cptr_t ports, unsigned port);
struct mica_sysret mica_ioport_in16(mica_cptr_t ports, unsigned port);
struct mica_sysret mica_ioport_in32(mica_cptr_t ports, unsigned port);
struct mica_sysret mica_ioport_out8(mica_cptr_t ports, unsigned port, uint8_t value);
struct mica_sysret mica_ioport_out16(mica_cptr_t ports, unsigned port, uint16_t value);
struct mica_sysret mica_ioport_out32(mica_cptr_t ports, unsigned port, uint32_t value);

/* IOSpaceControl: the DMA address space of PCI function `pci_addr`. */
struct mica_sysret mica_iospace_issue(mica_cptr_t control, mica_word_t pci_addr,
                                      mica_cptr_t root, mica_word_t index, unsigned depth);
/* IOSpace: the oldest unreported DMA fault (MICA_IOFAULT_*), or .value 0. */
struct mica_sysret mica_iospace_get_fault(mica_cptr_t iospace);
/* IOPageTable: install `table` in `iospace` for the region around `iova`. */
struct mica_sysret mica_io_page_table_map(mica_cptr_t table, mica_cptr_t iospace,
                                          mica_word_t iova);
struct mica_sysret mica_io_page_table_unmap(mica_cptr_t table);
/* Frame: map for DMA at `iova` with `rights` (MICA_MAP_READ | MICA_MAP_WRITE).
 * Undo with mica_frame_unmap. */
struct mica_sysret mica_frame_map_io(mica_cptr_t frame, mica_cptr_t iospace, mica_word_t iova,
                                     unsigned rights);

#endif
