/*
 * Processes: a program started by the root task in an address space and a
 * CSpace of its own (the way drivers and servers run).
 *
 * mica_process_create() loads a static ELF program (mica_aspace_load), makes
 * its root CNode (2^cnode_bits slots, guarded so that a CPtr is simply a
 * slot number, as in the root task) and its TCB, and writes its boot info:
 * the child starts exactly like the root task — at its ELF entry with
 * rsp = MICA_ROOT_STACK_TOP and rdi = MICA_ROOT_BOOTINFO, where a struct
 * mica_bootinfo written by the parent is mapped read-only. It holds the
 * child's arguments (cmdline), its IPC buffer and stack, its CSpace size and
 * its free slots; RAM and platform fields are the parent's, untyped none.
 *
 * The child's CSpace starts with the root task's fixed slots
 * (include/mica/bootinfo.h): MICA_CAP_INIT_TCB, MICA_CAP_INIT_CNODE,
 * MICA_CAP_INIT_VSPACE and MICA_CAP_INIT_IPC_BUFFER. Capabilities given
 * with mica_process_give() go to slots from MICA_CAP_FIRST_DYNAMIC up (each
 * program documents which slot means what); the boot info's free slots
 * begin after the highest slot given before the start.
 *
 * Every object comes from the parent's mica_aspace allocator (its untyped
 * and slot range), so revoking that untyped destroys the process.
 */
#ifndef MICA_PROCESS_H
#define MICA_PROCESS_H

#include <mica_aspace.h>

#define MICA_PROCESS_NAME_MAX 32

struct mica_process {
    struct mica_aspace as;   /* its address space; allocation state (see above) */
    mica_cptr_t cnode;       /* its root CNode, in the parent's CSpace */
    mica_cptr_t tcb;         /* its thread, in the parent's CSpace */
    unsigned cnode_bits;
    mica_word_t entry;
    mica_cptr_t slot_next;   /* next child slot mica_process_give fills by default */
    char name[MICA_PROCESS_NAME_MAX];
    const char *why;         /* why the program image was refused, if it was */
    const char *args;        /* its arguments (the boot info's cmdline) */
    struct mica_aspace *parent; /* whose allocator it uses (slot_next kept in step) */
    mica_word_t pd_info;     /* copied to the boot info's pd_info at start (0: none) */
};

/* Load `image` (size bytes) as program `name`, with a stack of
 * p->as.stack_pages pages (the one field of *p read before it is reset;
 * 0 = MICA_ROOT_STACK_PAGES), with arguments `args` (may
 * be NULL; the string must live until mica_process_start). Allocation:
 * parent->untyped and the parent's free slots; parent->slot_next moves past
 * the slots used. On MICA_ERR_INVALID_ARGUMENT, p->why says what is wrong
 * with the image. */
mica_word_t mica_process_create(struct mica_process *p, struct mica_aspace *parent,
                                const void *image, mica_word_t size, unsigned cnode_bits,
                                const char *name, const char *args);

/* Copy (badge 0) or mint (with `badge`, for endpoints and notifications)
 * the parent's cap `cap` into the child's slot `slot` with `rights`. */
mica_word_t mica_process_give(struct mica_process *p, mica_cptr_t cap, mica_cptr_t slot,
                              unsigned rights, mica_word_t badge);

/* Write the boot info and start the child at `priority` (also its MCP).
 * fault_ep: an endpoint in the parent's CSpace its faults go to, or 0. */
mica_word_t mica_process_start(struct mica_process *p, const struct mica_bootinfo *parent_bi,
                               unsigned priority, mica_cptr_t fault_ep);

#endif
