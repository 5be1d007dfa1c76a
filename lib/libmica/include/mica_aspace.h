/*
 * Address spaces for a root task: clone the program's own image into a new
 * VSpace, map and share frames (making the page tables on the way), and run
 * threads in either space.
 *
 * The root task holds no caps to the frames the kernel loaded it into, so
 * a second address space running the same program is built by copying:
 * for every page of every PT_LOAD segment of the running image (found
 * through the ELF header the linker maps at __ehdr_start) a fresh frame is
 * retyped, mapped for a moment at a scratch address in the caller's own
 * space, filled from the live page, unmapped and mapped at the same
 * address in the new space with the segment's own rights (text R+X,
 * rodata R, data and bss R+W). The new space also gets a stack
 * (MICA_ROOT_STACK_PAGES pages below MICA_ROOT_STACK_TOP, unmapped guard
 * page under them) and an IPC-buffer page at MICA_ROOT_IPC_BUFFER, the
 * addresses the root task itself uses, so libmica's `mica_ipc` is right in
 * both. There is no boot-info page in the clone.
 *
 * The copy is a snapshot: globals written after mica_aspace_clone() differ
 * between the two spaces. Share a frame (mica_aspace_share) to exchange
 * data, or pass it in registers (thread argument, IPC).
 *
 * Every object comes from one RAM untyped and every cap goes to the next
 * free slot of the caller's root CNode in [slot_next, slot_end): nothing
 * is freed one by one. Revoking the untyped destroys the clone, its
 * frames, its tables and the scratch tables in the caller's space at once
 * (and empties the slots used).
 *
 * Threads started with mica_aspace_configure() + mica_aspace_start() use
 * the caller's CSpace (its root CNode, MICA_CAP_INIT_CNODE), so cap
 * numbers mean the same in every thread; all threads of one space share
 * its IPC buffer, enough for register-only messages (length ≤ 4, no caps).
 * Give a thread that needs more its own buffer with mica_tcb_configure().
 *
 * Every function returns MICA_OK or the error of the invocation that
 * failed; the detail word of that failure is left in `error_detail`.
 */
#ifndef MICA_ASPACE_H
#define MICA_ASPACE_H

#include <mica_invoke.h>

/* Default scratch address for copying pages: a 4 KiB page in the caller's
 * space that must be free (the root task's layout leaves it so). */
#define MICA_ASPACE_SCRATCH 0x00007ffe00000000ull

struct mica_aspace {
    /* Filled in by the caller (before anything is allocated): */
    mica_cptr_t untyped;   /* RAM untyped every object is retyped from */
    mica_cptr_t slot_next; /* next free slot of the root CNode (depth 64) */
    mica_cptr_t slot_end;  /* first slot not to use */
    mica_word_t scratch;   /* scratch page address; 0 = MICA_ASPACE_SCRATCH */

    /* Set up by mica_aspace_clone() / mica_aspace_self(): */
    mica_cptr_t vspace;    /* the address space (VSpace cap) */
    mica_cptr_t ipc_frame; /* frame of its IPC buffer, mapped at ipc_buffer */
    mica_word_t ipc_buffer;
    mica_word_t stack_top; /* top of the stack made by clone (0 for self) */
    unsigned image_pages;  /* pages copied by clone */
    unsigned tables;       /* page tables made (both spaces) */
    mica_word_t error_detail; /* detail word of the last failure */
};

/* Describe the caller's own address space (MICA_CAP_INIT_VSPACE, its IPC
 * buffer) so the functions below can map into it and run threads in it.
 * untyped/slot_* must be set if anything is to be allocated. */
void mica_aspace_self(struct mica_aspace *as);

/* Make a new VSpace holding a copy of the running program (see above), a
 * stack and an IPC buffer. untyped, slot_next, slot_end (and optionally
 * scratch) must be set. */
mica_word_t mica_aspace_clone(struct mica_aspace *as);

/* A fresh frame mapped at vaddr in as->vspace with `rights`, holding len
 * bytes from src at `offset` in the page (zeroes elsewhere; src NULL: all
 * zero). The copy goes through the scratch page. */
mica_word_t mica_aspace_page(struct mica_aspace *as, mica_word_t vaddr, unsigned rights,
                             const void *src, mica_word_t offset, mica_word_t len);

/* Take the next free slot (for a cap the caller makes itself). */
mica_word_t mica_aspace_slot(struct mica_aspace *as, mica_cptr_t *slot);

/* Retype one object of `type` (size_bits for untyped/CNode) from
 * as->untyped into the next free slot, returned in *slot. */
mica_word_t mica_aspace_alloc(struct mica_aspace *as, unsigned type, unsigned size_bits,
                              mica_cptr_t *slot);

/* Map `frame` (4 KiB or 2 MiB) at vaddr in `vspace` with MICA_MAP_*
 * rights, write-back cached, first making whichever PDPT, page directory
 * and page table are missing on the way. */
mica_word_t mica_aspace_map(struct mica_aspace *as, mica_cptr_t vspace, mica_cptr_t frame,
                            mica_word_t vaddr, unsigned rights);

/* Map a copy of `frame` (a new cap in the next free slot) at vaddr in
 * as->vspace: the same memory is then visible in both spaces. */
mica_word_t mica_aspace_share(struct mica_aspace *as, mica_cptr_t frame, mica_word_t vaddr,
                              unsigned rights);

/* TCB_Configure `tcb` to run in as->vspace with the caller's root CNode,
 * the space's IPC buffer, the given fault endpoint (0: none; a CPtr in the
 * caller's CSpace) and priority (also its MCP). */
mica_word_t mica_aspace_configure(struct mica_aspace *as, mica_cptr_t tcb, mica_cptr_t fault_ep,
                                  unsigned priority);

/* Start (or restart) a configured thread at fn(arg) with its stack just
 * below stack_top (16-byte aligned; fn sees rsp as after a call). A thread
 * blocked or running elsewhere is taken out of what it was doing. */
mica_word_t mica_aspace_start(mica_cptr_t tcb, void (*fn)(long), long arg, mica_word_t stack_top);

#endif
