/*
 * The DMA remapping hardware as the generic IOSpace code (iospace.c) sees
 * it; the x86_64 implementation is VT-d (kernel/arch/x86_64/vtd.c).
 *
 * iospace.c owns the policy: which device has which IOSpace, the domain
 * IDs, the IO page tables user space supplies (made from untyped), the
 * walk through them and the mapping records in caps. The arch side owns
 * the hardware: the units' registers, the root and context tables (boot
 * memory), the entry formats, cache and TLB invalidation, fault records.
 *
 * IO page table levels: a table of level n holds 512 entries that each
 * map 2^(12 + 9n) bytes, so level 0 entries map 4 KiB frames and level 1
 * entries 2 MiB frames or level-0 tables. The root of an IOSpace is a
 * table of level iommu_config.levels - 1, named by the device's context
 * entry.
 */
#ifndef KERNEL_IOMMU_H
#define KERNEL_IOMMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IOMMU_ENTRIES 512 /* entries per IO page table */

/* What the hardware in use offers; all zero when there is none. Fixed at boot. */
struct iommu_config {
    unsigned levels;       /* IO page table levels (3 or 4); 0: no IOMMU in use */
    unsigned address_bits; /* I/O virtual addresses are below 2^address_bits */
    unsigned domains;      /* domain IDs 1 .. domains-1 can be used */
    bool large_pages;      /* level-1 entries can map 2 MiB frames */
};
extern struct iommu_config iommu_config;

/* Is interrupt remapping on: every MSI and I/O APIC input goes through a
 * remapping entry of the kernel's, and no device can raise a vector of its
 * own choosing (x86_64: vtd.c, ioapic.c). */
bool iommu_intremap(void);

/* Can a device with this PCI address (MICA_PCI_ADDR) be given an IOSpace:
 * does a unit serve its segment, with a context table for its bus? */
bool iommu_device_valid(uint64_t pci);

/* Point the device's context entry at root (a level levels-1 table) with
 * this domain ID, or clear it; either way no unit keeps a cached copy of
 * the old entry or of translations tagged with the domain. */
void iommu_context_set(uint64_t pci, unsigned domain, uint64_t root);
void iommu_context_clear(uint64_t pci, unsigned domain);

/* IO page table entries (level as above). */
uint64_t iommu_pte_table(uint64_t paddr);  /* points to a table, read-write */
uint64_t iommu_pte_page(uint64_t paddr, unsigned level, unsigned map_rights); /* MICA_MAP_READ/WRITE */
bool iommu_pte_present(uint64_t e);
bool iommu_pte_leaf(uint64_t e, unsigned level); /* maps a frame (not a table) */
uint64_t iommu_pte_addr(uint64_t e);

/* Make memory the units read (a table just zeroed) visible to them. */
void iommu_sync(const void *p, size_t len);

/*
 * The entry at *slot (a level-`level` entry covering iova, in an IOSpace of
 * the device `pci` with domain ID `domain`) was just written: make the
 * units see it, and if it was present before, drop their cached
 * translations through it (one page for a leaf, the domain otherwise).
 */
void iommu_pte_written(uint64_t *slot, uint64_t pci, unsigned domain, uint64_t iova,
                       unsigned level, bool was_present, bool was_leaf);

/* Read and clear the units' fault records now (also done by the fault
 * interrupt): each goes to iospace_fault() and is printed. */
void iommu_drain_faults(void);

/* iospace.c: a DMA fault of device `pci`, as a MICA_IOFAULT_* word, for its
 * IOSpace. Returns false if the device has no IOSpace. */
bool iospace_fault(uint64_t pci, uint64_t fault);

#endif
