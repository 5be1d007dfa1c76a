/*
 * IOSpaceControl, IOSpace and IOPageTable: DMA isolation
 * (docs/objects/iospace.md).
 *
 * An IOSpace is the DMA address space of one PCI function. The kernel keeps
 * one record per IOSpace in a static table; IOSpaceControl issues a cap to
 * a free record, whose paddr is the record's physical address, so every
 * copy names the same object and iospace_finalise() runs when the last one
 * goes. The record's index + 1 is the device's domain ID (the tag the
 * hardware puts on cached translations); its generation advances when the
 * IOSpace dies, so mappings recorded in caps (word2 = MAPPING_IO | index |
 * generation << 16) can never touch the next IOSpace of that record.
 *
 * The translation tables are IO page tables retyped from untyped by user
 * space: the first one mapped becomes the root, and only then does the
 * device's context entry point at it; every other table goes into the
 * entry for its I/O address one level up, at the highest level missing.
 * Frames are then mapped for DMA with Frame_MapIO. As with CPU page tables
 * (pagetable.c, vspace.c), a table cap cannot be copied, so a table has
 * one place; removing it empties it, so it never comes back with stale
 * entries; a mapping is removed only if the entry still points at the
 * object, and the IOTLB is invalidated after every removal (iommu.h).
 *
 * Faults the hardware records are queued per IOSpace (IOSPACE_FAULTS, the
 * oldest kept) for IOSpace_GetFault; every fault is also printed.
 */
#include <arch.h>
#include <bits.h>
#include <cnode.h>
#include <device.h>
#include <invocation.h>
#include <iommu.h>
#include <kstring.h>
#include <mica/cap.h>
#include <mica/device.h>
#include <mica/errors.h>
#include <mica/invocation.h>
#include <mica/object.h>
#include <mica/vspace.h>

#define IOSPACE_MAX    256 /* live IOSpaces at once */
#define IOSPACE_FAULTS 8   /* unreported faults kept per IOSpace */
#define INDEX_BITS     16  /* IOSpace word: index | generation << INDEX_BITS */
#define GENERATION_BITS 47 /* the word stays clear of MAPPING_IO (bit 63) */

struct iospace {
    uint64_t pci;        /* the device (MICA_PCI_ADDR) */
    uint64_t generation; /* advanced when the IOSpace dies */
    uint64_t root;       /* the root IO page table, 0 until one is mapped */
    bool live;
    uint8_t fault_first, fault_count; /* ring of unreported faults */
    uint64_t faults[IOSPACE_FAULTS];
};

static struct iospace iospaces[IOSPACE_MAX];

_Static_assert(IOSPACE_MAX <= (1u << INDEX_BITS), "index fits the IOSpace word");
_Static_assert(INDEX_BITS + GENERATION_BITS <= 63, "IOSpace word below MAPPING_IO");

unsigned iommu_address_bits(void)
{
    return iommu_config.address_bits;
}

static unsigned domain_of(const struct iospace *s) { return (unsigned)(s - iospaces) + 1; }

static uint64_t word_of(const struct iospace *s)
{
    return (uint64_t)(s - iospaces) | s->generation << INDEX_BITS;
}

/* The live IOSpace an IOSpace word names, or NULL if it died since. */
static struct iospace *lookup(uint64_t word)
{
    uint64_t i = word & MASK(INDEX_BITS);
    if (i >= IOSPACE_MAX || !iospaces[i].live ||
        iospaces[i].generation != (word & ~MAPPING_IO) >> INDEX_BITS)
        return 0;
    return &iospaces[i];
}

/* Records usable at once: the table, and the domain IDs the hardware has
 * (ID 0 is never used: caching-mode hardware reserves it). */
static unsigned iospace_limit(void)
{
    unsigned ids = iommu_config.domains ? iommu_config.domains - 1 : 0;
    return ids < IOSPACE_MAX ? ids : IOSPACE_MAX;
}

/* ------------------------------------------------------ the table walk */

static unsigned entry_index(uint64_t iova, unsigned level)
{
    return (unsigned)(iova >> (12 + 9 * level)) & (IOMMU_ENTRIES - 1);
}

/* Bytes one level-`level` entry maps. */
static uint64_t entry_span(unsigned level) { return 1ull << (12 + 9 * level); }

static unsigned root_level(void) { return iommu_config.levels - 1; }

/*
 * The level-`level` entry covering iova in the tables under `root` (a
 * level root_level() table), or NULL with *missing = the level of the
 * table that is absent (a large page in the way counts as absent).
 */
static uint64_t *io_slot(uint64_t root, uint64_t iova, unsigned level, unsigned *missing)
{
    uint64_t *table = arch_phys_to_virt(root);
    for (unsigned l = root_level(); l > level; l--) {
        uint64_t e = table[entry_index(iova, l)];
        if (!iommu_pte_present(e) || iommu_pte_leaf(e, l)) {
            *missing = l - 1;
            return 0;
        }
        table = arch_phys_to_virt(iommu_pte_addr(e));
    }
    return &table[entry_index(iova, level)];
}

/* The level of the entry a mapped frame occupies. */
static unsigned frame_level(const struct cap *frame)
{
    return frame->size_bits == MICA_FRAME_2M_BITS ? 1 : 0;
}

/* Does the cap record a mapping in a live IOSpace? */
static struct iospace *mapped_in(const struct cap *c)
{
    return (c->word2 & MAPPING_IO) ? lookup(c->word2) : 0;
}

void io_mapping_remove(struct cap *c)
{
    struct iospace *s = mapped_in(c);
    if (s && s->root) {
        bool table = c->type == CAP_IO_PAGE_TABLE;
        unsigned level = table ? c->level + 1u : frame_level(c), missing;
        if (table && c->level == root_level()) {
            if (s->root == c->paddr) { /* the root: the device loses all access */
                iommu_context_clear(s->pci, domain_of(s));
                s->root = 0;
            }
        } else {
            uint64_t *slot = io_slot(s->root, c->word1, level, &missing);
            /* Only if the entry is still ours: the table above may have
             * been replaced since. */
            if (slot && iommu_pte_present(*slot) && iommu_pte_addr(*slot) == c->paddr &&
                iommu_pte_leaf(*slot, level) == !table) {
                *slot = 0;
                iommu_pte_written(slot, s->pci, domain_of(s), c->word1, level, true, !table);
            }
        }
    }
    c->word1 = 0;
    c->word2 = 0;
    c->level = 0;
}

/* ------------------------------------------------------------- IOSpace */

void iospace_finalise(const struct cap *cap)
{
    struct iospace *s = lookup(cap->word1);
    if (!s)
        return;
    if (s->root)
        iommu_context_clear(s->pci, domain_of(s));
    /* Tables and frames still mapped keep their (now stale) records; the
     * tables are unreachable and are emptied before they can be used again. */
    s->root = 0;
    s->live = false;
    s->generation = (s->generation + 1) & MASK(GENERATION_BITS);
    s->fault_first = s->fault_count = 0;
}

bool iospace_fault(uint64_t pci, uint64_t fault)
{
    for (unsigned i = 0; i < IOSPACE_MAX; i++) {
        struct iospace *s = &iospaces[i];
        if (!s->live || s->pci != pci)
            continue;
        if (s->fault_count < IOSPACE_FAULTS) /* full: the oldest are kept */
            s->faults[(s->fault_first + s->fault_count++) % IOSPACE_FAULTS] = fault;
        return true;
    }
    return false;
}

static struct syscall_result get_fault(struct iospace *s)
{
    iommu_drain_faults(); /* faults recorded but not yet interrupted for */
    if (!s->fault_count)
        return inv_ok(0);
    uint64_t f = s->faults[s->fault_first];
    s->fault_first = (uint8_t)((s->fault_first + 1) % IOSPACE_FAULTS);
    s->fault_count--;
    return inv_ok(f);
}

struct syscall_result iospace_invoke(struct invocation *inv)
{
    struct iospace *s = lookup(inv->slot->cap.word1);
    if (!iommu_config.levels || !s) /* a live cap always resolves; check anyway */
        return inv_error(MICA_ERR_NOT_SUPPORTED, inv->label);
    if (inv->label == MICA_IOSPACE_GET_FAULT)
        return get_fault(s);
    return inv_error(MICA_ERR_ILLEGAL_OPERATION, inv->label);
}

/* ------------------------------------------------------ IOSpaceControl */

/* MR0 PCI address, MR1 index, MR2 depth; cap0 CNode. */
static struct syscall_result issue(struct invocation *inv)
{
    uint64_t pci, index, depth, detail = 0;
    struct cte *dest;
    if (!inv_mr(inv, 0, &pci) || !inv_mr(inv, 1, &index) || !inv_mr(inv, 2, &depth))
        return inv_error(MICA_ERR_TRUNCATED, 0);
    if (pci > MICA_PCI_ADDR_MAX)
        return inv_error(MICA_ERR_RANGE, pci);
    if (!iommu_device_valid(pci)) /* no unit for its segment, no context table for its bus */
        return inv_error(MICA_ERR_NOT_SUPPORTED, pci);
    int err = inv_dest_slot(inv, index, depth, &dest, &detail);
    if (err)
        return inv_error(err, detail);
    struct iospace *free = 0;
    for (unsigned i = 0; i < IOSPACE_MAX; i++) {
        if (iospaces[i].live && iospaces[i].pci == pci)
            return inv_error(MICA_ERR_IN_USE, pci);
        if (!iospaces[i].live && !free && i < iospace_limit())
            free = &iospaces[i];
    }
    if (!free)
        return inv_error(MICA_ERR_NOT_ENOUGH_MEMORY, iospace_limit());

    free->live = true;
    free->pci = pci;
    free->root = 0;
    free->fault_first = free->fault_count = 0;
    struct cap c = {
        .type = CAP_IOSPACE,
        .rights = MICA_RIGHTS_ALL,
        .paddr = arch_kernel_virt_to_phys(free),
        .word1 = word_of(free),
    };
    cte_insert(inv->slot, dest, &c);
    return inv_ok(0);
}

struct syscall_result iospace_control_invoke(struct invocation *inv)
{
    if (inv->label != MICA_IOSPACE_CONTROL_ISSUE)
        return inv_error(MICA_ERR_ILLEGAL_OPERATION, inv->label);
    if (!iommu_config.levels)
        return inv_error(MICA_ERR_NOT_SUPPORTED, inv->label);
    return issue(inv);
}

/* --------------------------------------------------------- IOPageTable */

/* The IOSpace passed as extra cap 0. */
static int inv_iospace(const struct invocation *inv, struct iospace **s, uint64_t *detail)
{
    struct cte *c;
    int err = inv_cap(inv, 0, &c, detail);
    if (err)
        return err;
    if (c->cap.type != CAP_IOSPACE || !(*s = lookup(c->cap.word1)))
        return *detail = 0, MICA_ERR_INVALID_CAP;
    return MICA_OK;
}

/* MR0 I/O address (any inside the region the table will map); cap0 the IOSpace. */
static struct syscall_result table_map(struct invocation *inv)
{
    struct cap *table = &inv->slot->cap;
    struct iospace *s;
    uint64_t iova, detail = 0;
    unsigned level = root_level(), missing;
    uint64_t *slot = 0;
    if (!inv_mr(inv, 0, &iova))
        return inv_error(MICA_ERR_TRUNCATED, 0);
    int err = inv_iospace(inv, &s, &detail);
    if (err)
        return inv_error(err, detail);
    if (table->word2)
        return inv_error(MICA_ERR_MAPPED, table->word1);
    if (iova >> iommu_config.address_bits)
        return inv_error(MICA_ERR_RANGE, iova);
    if (s->root) {
        /* Below the root: the highest level whose table is missing. */
        if (io_slot(s->root, iova, 0, &missing))
            return inv_error(MICA_ERR_MAPPED, iova); /* every table is there */
        level = missing;
        slot = io_slot(s->root, iova, level + 1, &missing);
        if (!slot || iommu_pte_present(*slot))
            return inv_error(MICA_ERR_MAPPED, iova); /* a large page covers iova */
    }

    /* A table comes back from Unmap emptied and a new one from Retype
     * zeroed; the units must see it so before it can be reached. */
    iommu_sync(arch_phys_to_virt(table->paddr), 1ull << MICA_PAGE_TABLE_BITS);
    uint64_t base = level == root_level() ? 0 : align_down(iova, entry_span(level + 1));
    if (slot) {
        *slot = iommu_pte_table(table->paddr);
        iommu_pte_written(slot, s->pci, domain_of(s), base, level + 1, false, false);
    } else {
        s->root = table->paddr;
        iommu_context_set(s->pci, domain_of(s), s->root);
    }
    table->word1 = base;
    table->word2 = MAPPING_IO | word_of(s);
    table->level = (uint8_t)level;
    return inv_ok(level);
}

static struct syscall_result table_unmap(struct cap *table)
{
    if (!table->word2)
        return inv_error(MICA_ERR_NOT_MAPPED, 0);
    io_mapping_remove(table);
    /* Forget everything mapped through it (see pagetable.c): it may point
     * at memory freed while the table was detached. */
    memset(arch_phys_to_virt(table->paddr), 0, 1ull << MICA_PAGE_TABLE_BITS);
    return inv_ok(0);
}

struct syscall_result io_page_table_invoke(struct invocation *inv)
{
    bool map = inv->label == MICA_IO_PAGE_TABLE_MAP;
    if (!map && inv->label != MICA_IO_PAGE_TABLE_UNMAP)
        return inv_error(MICA_ERR_ILLEGAL_OPERATION, inv->label);
    if (!iommu_config.levels)
        return inv_error(MICA_ERR_NOT_SUPPORTED, inv->label);
    return map ? table_map(inv) : table_unmap(&inv->slot->cap);
}

/* ---------------------------------------------------------- Frame_MapIO */

/* MR0 I/O address, MR1 rights (MICA_MAP_READ/WRITE); cap0 the IOSpace. */
struct syscall_result frame_map_io(struct invocation *inv)
{
    struct cap *frame = &inv->slot->cap;
    struct iospace *s;
    uint64_t iova, rights, detail = 0, size = 1ull << frame->size_bits;
    unsigned level = frame_level(frame), missing;
    if (!iommu_config.levels)
        return inv_error(MICA_ERR_NOT_SUPPORTED, inv->label);
    if (!inv_mr(inv, 0, &iova) || !inv_mr(inv, 1, &rights))
        return inv_error(MICA_ERR_TRUNCATED, 0);
    int err = inv_iospace(inv, &s, &detail);
    if (err)
        return inv_error(err, detail);
    if (frame->word2)
        return inv_error(MICA_ERR_MAPPED, frame->word1);
    if (!rights || (rights & ~(uint64_t)(MICA_MAP_READ | MICA_MAP_WRITE)))
        return inv_error(MICA_ERR_INVALID_ARGUMENT, rights); /* no EXEC for devices */
    if (!(frame->rights & MICA_RIGHT_READ) ||
        ((rights & MICA_MAP_WRITE) && !(frame->rights & MICA_RIGHT_WRITE)))
        return inv_error(MICA_ERR_NO_RIGHTS, rights);
    if (frame->flags & CAP_FLAG_DEVICE)
        return inv_error(MICA_ERR_ILLEGAL_OPERATION, inv->label); /* no device-to-device DMA */
    if (level && !iommu_config.large_pages)
        return inv_error(MICA_ERR_NOT_SUPPORTED, frame->size_bits);
    if (!is_aligned(iova, size))
        return inv_error(MICA_ERR_ALIGNMENT, iova);
    if (iova >> iommu_config.address_bits)
        return inv_error(MICA_ERR_RANGE, iova);
    if (!s->root)
        return inv_error(MICA_ERR_NOT_MAPPED, root_level());
    uint64_t *slot = io_slot(s->root, iova, level, &missing);
    if (!slot)
        return inv_error(MICA_ERR_NOT_MAPPED, missing);
    if (iommu_pte_present(*slot))
        return inv_error(MICA_ERR_MAPPED, iova);

    *slot = iommu_pte_page(frame->paddr, level, (unsigned)rights);
    iommu_pte_written(slot, s->pci, domain_of(s), iova, level, false, true);
    frame->word1 = iova;
    frame->word2 = MAPPING_IO | word_of(s);
    return inv_ok(0);
}
