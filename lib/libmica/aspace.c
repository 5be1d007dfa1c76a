/* libmica: cloning the running image into a new address space (see mica_aspace.h). */
#include <elf.h>
#include <mica/layout.h>
#include <mica_aspace.h>
#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n); /* string.c */

/* Defined by the linker when the ELF header lies in a loaded segment, as
 * it does with the default x86_64 link of a static program. */
extern const struct elf64_ehdr __ehdr_start __attribute__((weak));

static mica_word_t fail(struct mica_aspace *as, struct mica_sysret r)
{
    as->error_detail = r.value;
    return r.status;
}

mica_word_t mica_aspace_slot(struct mica_aspace *as, mica_cptr_t *slot)
{
    if (as->slot_next >= as->slot_end) {
        as->error_detail = as->slot_end;
        return MICA_ERR_RANGE;
    }
    *slot = as->slot_next++;
    return MICA_OK;
}

void mica_aspace_self(struct mica_aspace *as)
{
    as->vspace = MICA_CAP_INIT_VSPACE;
    as->ipc_frame = MICA_CAP_INIT_IPC_BUFFER;
    as->ipc_buffer = (mica_word_t)mica_ipc;
    as->stack_top = 0;
}

mica_word_t mica_aspace_alloc(struct mica_aspace *as, unsigned type, unsigned size_bits,
                              mica_cptr_t *slot)
{
    mica_word_t err = mica_aspace_slot(as, slot);
    if (err)
        return err;
    struct mica_sysret r =
        mica_untyped_retype(as->untyped, type, size_bits, MICA_CAP_INIT_CNODE, 0, 0, *slot, 1);
    if (r.status) {
        as->slot_next--; /* the slot stayed empty: use it next time */
        return fail(as, r);
    }
    return MICA_OK;
}

/* Frame_Map's detail for a missing table (docs/objects/frame.md). */
static unsigned missing_table_type(mica_word_t detail)
{
    switch (detail) {
    case 2: return MICA_OBJ_PDPT;
    case 1: return MICA_OBJ_PAGE_DIRECTORY;
    default: return MICA_OBJ_PAGE_TABLE;
    }
}

mica_word_t mica_aspace_map(struct mica_aspace *as, mica_cptr_t vspace, mica_cptr_t frame,
                            mica_word_t vaddr, unsigned rights)
{
    /* At most three tables can be missing; each round adds the top one. */
    for (unsigned round = 0;; round++) {
        struct mica_sysret r = mica_frame_map(frame, vspace, vaddr, rights, MICA_CACHE_WRITEBACK);
        if (r.status != MICA_ERR_NOT_MAPPED || round == 3)
            return r.status ? fail(as, r) : MICA_OK;
        mica_cptr_t table;
        mica_word_t err = mica_aspace_alloc(as, missing_table_type(r.value), 0, &table);
        if (err)
            return err;
        if ((r = mica_page_table_map(table, vspace, vaddr)).status)
            return fail(as, r);
        as->tables++;
    }
}

mica_word_t mica_aspace_share(struct mica_aspace *as, mica_cptr_t frame, mica_word_t vaddr,
                              unsigned rights)
{
    mica_cptr_t copy;
    mica_word_t err = mica_aspace_slot(as, &copy);
    if (err)
        return err;
    struct mica_sysret r = mica_cnode_copy(MICA_CAP_INIT_CNODE, copy, 64, MICA_CAP_INIT_CNODE,
                                           frame, 64, MICA_RIGHTS_ALL);
    if (r.status)
        return fail(as, r);
    return mica_aspace_map(as, as->vspace, copy, vaddr, rights);
}

mica_word_t mica_aspace_page(struct mica_aspace *as, mica_word_t vaddr, unsigned rights,
                             const void *src, mica_word_t offset, mica_word_t len)
{
    mica_cptr_t frame;
    mica_word_t err = mica_aspace_alloc(as, MICA_OBJ_FRAME_4K, 0, &frame);
    if (err)
        return err;
    if (src && len) {
        if (!as->scratch)
            as->scratch = MICA_ASPACE_SCRATCH;
        if ((err = mica_aspace_map(as, MICA_CAP_INIT_VSPACE, frame, as->scratch,
                                   MICA_MAP_READ | MICA_MAP_WRITE)))
            return err;
        memcpy((char *)as->scratch + offset, src, len);
        struct mica_sysret r = mica_frame_unmap(frame);
        if (r.status)
            return fail(as, r);
    }
    return mica_aspace_map(as, as->vspace, frame, vaddr, rights);
}

/* A fresh frame at vaddr in the new space holding a copy of the caller's
 * page at the same address (or zeroes if `copy` is 0). */
static mica_word_t clone_page(struct mica_aspace *as, mica_word_t vaddr, unsigned rights,
                              int copy)
{
    return mica_aspace_page(as, vaddr, rights, copy ? (const void *)vaddr : 0, 0,
                            MICA_PAGE_SIZE);
}

static unsigned segment_rights(uint32_t flags)
{
    return MICA_MAP_READ | ((flags & ELF_PF_W) ? MICA_MAP_WRITE : 0) |
           ((flags & ELF_PF_X) ? MICA_MAP_EXEC : 0);
}

/* The root-task layout's stack (guard page below) and IPC buffer. */
static mica_word_t stack_and_ipc_buffer(struct mica_aspace *as)
{
    mica_word_t err;
    for (unsigned i = 1; i <= MICA_ROOT_STACK_PAGES; i++)
        if ((err = clone_page(as, MICA_ROOT_STACK_TOP - i * MICA_PAGE_SIZE,
                              MICA_MAP_READ | MICA_MAP_WRITE, 0)))
            return err;
    as->stack_top = MICA_ROOT_STACK_TOP;

    if ((err = mica_aspace_alloc(as, MICA_OBJ_FRAME_4K, 0, &as->ipc_frame)) ||
        (err = mica_aspace_map(as, as->vspace, as->ipc_frame, MICA_ROOT_IPC_BUFFER,
                               MICA_MAP_READ | MICA_MAP_WRITE)))
        return err;
    as->ipc_buffer = MICA_ROOT_IPC_BUFFER;
    return MICA_OK;
}

mica_word_t mica_aspace_clone(struct mica_aspace *as)
{
    const struct elf64_ehdr *eh = &__ehdr_start;
    mica_word_t err;
    if (!eh || eh->e_ident[0] != 0x7f || eh->e_ident[1] != 'E' || eh->e_ident[2] != 'L' ||
        eh->e_ident[3] != 'F' || eh->e_phentsize != sizeof(struct elf64_phdr)) {
        as->error_detail = 0;
        return MICA_ERR_INVALID_ARGUMENT; /* the image's headers are not mapped */
    }
    if (!as->scratch)
        as->scratch = MICA_ASPACE_SCRATCH;
    as->image_pages = as->tables = 0;
    if ((err = mica_aspace_alloc(as, MICA_OBJ_VSPACE, 0, &as->vspace)))
        return err;

    const struct elf64_phdr *ph = (const void *)((const char *)eh + eh->e_phoff);
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type != ELF_PT_LOAD || !ph[i].p_memsz)
            continue;
        mica_word_t start = ph[i].p_vaddr & ~(mica_word_t)(MICA_PAGE_SIZE - 1);
        for (mica_word_t va = start; va < ph[i].p_vaddr + ph[i].p_memsz; va += MICA_PAGE_SIZE) {
            if ((err = clone_page(as, va, segment_rights(ph[i].p_flags), 1)))
                return err;
            as->image_pages++;
        }
    }

    return stack_and_ipc_buffer(as);
}

mica_word_t mica_aspace_configure(struct mica_aspace *as, mica_cptr_t tcb, mica_cptr_t fault_ep,
                                  unsigned priority)
{
    struct mica_sysret r = mica_tcb_configure(tcb, fault_ep, MICA_CAP_INIT_CNODE, 0, as->vspace,
                                              as->ipc_buffer, as->ipc_frame, priority, priority);
    return r.status ? fail(as, r) : MICA_OK;
}

mica_word_t mica_aspace_start(mica_cptr_t tcb, void (*fn)(long), long arg, mica_word_t stack_top)
{
    struct mica_user_context regs = { 0 };
    regs.rip = (mica_word_t)fn;
    regs.rsp = (stack_top & ~(mica_word_t)15) - 8; /* as if called: rsp % 16 == 8 */
    regs.rflags = 0x202;
    regs.rdi = (mica_word_t)arg;
    return mica_tcb_write_registers(tcb, 1, MICA_USER_CONTEXT_WORDS, &regs).status;
}
