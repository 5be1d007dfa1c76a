/*
 * Address spaces: ASIDs name live VSpaces, so a frame or page-table cap can
 * record where it is mapped without pointing at memory that may be reused.
 * A mapped cap stores its vaddr in word1 and an ASID word (ASID plus the
 * ASID's generation) in word2; 0 means unmapped.
 */
#ifndef KERNEL_VSPACE_H
#define KERNEL_VSPACE_H

#include <cap.h>
#include <stdbool.h>
#include <stdint.h>

/* Can `count` more address spaces be created? */
bool asid_available(unsigned count);
/* Register a new VSpace (PML4 at root); returns its ASID word. */
uint64_t asid_assign(uint64_t root);
/* The VSpace is being destroyed: its ASID word stops resolving. */
void asid_release(uint64_t asid_word);
/* The PML4 an ASID word names, or 0 if that VSpace is gone. */
uint64_t asid_root(uint64_t asid_word);

/* Remove the mapping a frame or page-table cap records, if the page tables
 * still say so, and forget it in the cap. */
void mapping_remove(struct cap *c);

/* The level of page-table entry a mapped object occupies (see arch.h). */
unsigned mapping_level(const struct cap *c);

#endif
