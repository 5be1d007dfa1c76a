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
#include <mica_aspace.h>
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

/*
 * Device memory: caps to frames at chosen physical addresses.
 *
 * The root task receives MMIO space as device untyped regions (boot info,
 * MICA_UNTYPED_DEVICE). Untyped_Retype carves objects from the bottom of a
 * region upwards, so a frame at a given address is reached by splitting:
 * the region is retyped into two untyped halves, the half holding the
 * address is split again, and so on down to the frame's size, which is
 * then retyped into the frame. Each split is remembered, so later frames
 * in the same region reuse the halves already made; a frame asked for
 * twice is the same cap. Slots come from the mica_aspace allocator
 * (as->slot_next .. slot_end); nothing is ever given back.
 */
#define MICA_DEVMEM_RECORDS 512

struct mica_devmem_record {
    uint64_t paddr;
    mica_cptr_t cap;   /* the untyped (or, once made, the frame) */
    uint16_t child;    /* split: index of the first half's record */
    uint8_t bits;      /* log2 size */
    uint8_t state;     /* fresh, split or frame (devmem.c) */
};

struct mica_devmem {
    struct mica_aspace *as;
    const struct mica_bootinfo *bi;
    unsigned n;
    mica_word_t error_detail; /* detail word of the last failure */
    struct mica_devmem_record rec[MICA_DEVMEM_RECORDS];
};

/* Start with the device untyped regions listed in `bi`; slots and the
 * page tables mica_devmem_map makes come from `as` (mica_aspace_self()
 * with untyped, slot_next and slot_end set). */
void mica_devmem_init(struct mica_devmem *dm, struct mica_aspace *as,
                      const struct mica_bootinfo *bi);
/* A cap to the device frame of 2^size_bits bytes (MICA_FRAME_4K_BITS or
 * MICA_FRAME_2M_BITS) at paddr. Errors: MICA_ERR_ALIGNMENT (paddr not
 * aligned to the size), MICA_ERR_INVALID_ARGUMENT (bad size), MICA_ERR_RANGE
 * (no device untyped holds it), MICA_ERR_IN_USE (a frame of another size
 * already covers it), MICA_ERR_NOT_ENOUGH_MEMORY (record table full), or
 * the error of the invocation that failed. */
mica_word_t mica_devmem_frame(struct mica_devmem *dm, uint64_t paddr, unsigned size_bits,
                              mica_cptr_t *frame);
/* Map the device memory [paddr, paddr + size) (4 KiB pages, rounded out)
 * read/write and uncached at vaddr (same offset in the page) in the
 * caller's own address space. */
mica_word_t mica_devmem_map(struct mica_devmem *dm, uint64_t paddr, uint64_t size,
                            mica_word_t vaddr);

#endif
