/*
 * VSpace objects (the top-level page table of an address space) and the
 * ASID table that names them.
 *
 * The table is a fixed kernel array, so the number of live address spaces
 * is bounded (MICA_MAX_ASIDS - 1); Untyped_Retype of a VSpace fails with
 * MICA_ERR_NOT_ENOUGH_MEMORY when none is free. Each entry has a
 * generation that advances when its VSpace dies, so a cap that still
 * records a mapping in a dead address space can never touch the next
 * address space given the same ASID.
 */
#include <arch.h>
#include <bits.h>
#include <device.h>
#include <mica/vspace.h>
#include <vspace.h>

struct asid_entry asid_table[MICA_MAX_ASIDS];
uint64_t vspace_epoch = 1; /* a new TCB's 0 never matches */
static unsigned asids_used = 1; /* ASID 0 is never used: word 0 means "unmapped" */

bool asid_available(unsigned count)
{
    return count <= MICA_MAX_ASIDS - asids_used;
}

uint64_t asid_assign(uint64_t root)
{
    for (unsigned i = 1; i < MICA_MAX_ASIDS; i++) {
        if (!asid_table[i].root) {
            asid_table[i].root = root;
            asids_used++;
            return i | (asid_table[i].generation << ASID_BITS);
        }
    }
    return 0; /* callers check asid_available() first */
}

static struct asid_entry *lookup(uint64_t word)
{
    uint64_t i = word & MASK(ASID_BITS);
    if (i == 0 || i >= MICA_MAX_ASIDS || !asid_table[i].root ||
        asid_table[i].generation != word >> ASID_BITS)
        return 0;
    return &asid_table[i];
}

void asid_release(uint64_t word)
{
    struct asid_entry *e = lookup(word);
    if (!e)
        return;
    arch_vspace_release(e->root);
    e->root = 0;
    e->generation++;
    asids_used--;
}

unsigned mapping_level(const struct cap *c)
{
    switch (c->type) {
    case CAP_PDPT: return 3;
    case CAP_PAGE_DIRECTORY: return 2;
    case CAP_PAGE_TABLE: return 1;
    default: return c->size_bits == MICA_FRAME_2M_BITS ? 1 : 0;
    }
}

void mapping_remove(struct cap *c)
{
    if (c->word2 & MAPPING_IO) {
        io_mapping_remove(c); /* a DMA mapping in an IOSpace (iospace.c) */
        return;
    }
    uint64_t root = asid_root(c->word2);
    unsigned missing;
    if (root) {
        uint64_t *slot = arch_pt_slot(root, c->word1, mapping_level(c), &missing);
        /* Only if the entry is still ours: the table above may have been
         * replaced since. */
        if (slot && arch_pte_present(*slot) && arch_pte_addr(*slot) == c->paddr) {
            *slot = 0;
            arch_tlb_flush(root, c->type == CAP_FRAME ? c->word1 : ~0ull);
        }
    }
    c->word1 = 0;
    c->word2 = 0;
}
