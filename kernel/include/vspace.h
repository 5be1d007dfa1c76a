/*
 * Address spaces: ASIDs name live VSpaces, so a frame or page-table cap can
 * record where it is mapped without pointing at memory that may be reused.
 * A mapped cap stores its vaddr in word1 and an ASID word (ASID plus the
 * ASID's generation) in word2; 0 means unmapped.
 */
#ifndef KERNEL_VSPACE_H
#define KERNEL_VSPACE_H

#include <cap.h>
#include <mica/vspace.h>
#include <stdbool.h>
#include <stdint.h>

/* Can `count` more address spaces be created? */
bool asid_available(unsigned count);
/* Register a new VSpace (PML4 at root); returns its ASID word. */
uint64_t asid_assign(uint64_t root);
/* The VSpace is being destroyed: its ASID word stops resolving. */
void asid_release(uint64_t asid_word);
/* Advanced whenever a VSpace cap is deleted or a TCB is given a VSpace,
 * so a thread whose address space was checked at the current epoch
 * (tcb.vspace_epoch) needs no new check before it runs. */
extern uint64_t vspace_epoch;

/* The ASID table (vspace.c): an ASID word is index | generation << bits. */
#define ASID_BITS 16
struct asid_entry {
    uint64_t root;       /* PML4 physical address, 0 if free */
    uint64_t generation; /* advanced on release */
};
extern struct asid_entry asid_table[];

/* The PML4 an ASID word names, or 0 if that VSpace is gone. (Inline: the
 * IPC fastpath checks the partner's address space on every call.) */
static inline uint64_t asid_root(uint64_t word)
{
    uint64_t i = word & ((1ull << ASID_BITS) - 1);
    /* Entry 0 is never assigned (root 0); words beyond the table cannot
     * be made, but check rather than trust. */
    if (i >= MICA_MAX_ASIDS || asid_table[i].generation != word >> ASID_BITS)
        return 0;
    return asid_table[i].root;
}

/* Remove the mapping a frame or page-table cap records, if the page tables
 * still say so, and forget it in the cap. */
void mapping_remove(struct cap *c);

/* The level of page-table entry a mapped object occupies (see arch.h). */
unsigned mapping_level(const struct cap *c);

#endif
