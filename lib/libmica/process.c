/* libmica: starting programs in their own address space and CSpace (see mica_process.h). */
#include <mica/layout.h>
#include <mica_process.h>

void *memcpy(void *dst, const void *src, unsigned long n);  /* string.c */
void *memset(void *dst, int c, unsigned long n);

/* The guard word making a CPtr a plain slot number (cnode.c: guard << 8 | guard bits). */
static mica_word_t flat_guard(unsigned cnode_bits)
{
    return 64 - cnode_bits;
}

static mica_word_t fail(struct mica_process *p, struct mica_sysret r)
{
    p->as.error_detail = r.value;
    return r.status;
}

/* The child's objects come from the parent's allocator: take its state
 * before allocating (the parent may have allocated since), hand it back
 * after, so the two never reuse a slot. */
static void borrow(struct mica_process *p)
{
    p->as.untyped = p->parent->untyped;
    p->as.slot_next = p->parent->slot_next;
    p->as.slot_end = p->parent->slot_end;
}

static mica_word_t sync(struct mica_process *p, mica_word_t err)
{
    p->parent->slot_next = p->as.slot_next;
    return err;
}

static mica_word_t create(struct mica_process *p, struct mica_aspace *parent,
                          const void *image, mica_word_t size, unsigned cnode_bits,
                          const char *name, const char *args)
{
    mica_word_t err;
    unsigned stack_pages = p->as.stack_pages; /* the one field the caller may preset */
    memset(p, 0, sizeof(*p));
    p->as.stack_pages = stack_pages;
    p->parent = parent;
    p->args = args ? args : "";
    borrow(p);
    p->as.scratch = parent->scratch;
    p->cnode_bits = cnode_bits;
    p->slot_next = MICA_CAP_FIRST_DYNAMIC;
    unsigned i = 0;
    for (; name[i] && i < MICA_PROCESS_NAME_MAX - 1; i++)
        p->name[i] = name[i];
    p->name[i] = '\0';
    if (cnode_bits < 5 || cnode_bits > 16) {
        p->as.error_detail = cnode_bits;
        return MICA_ERR_RANGE; /* room for the fixed slots, and a sane size */
    }
    if ((err = mica_aspace_load(&p->as, image, size, &p->entry, &p->why)))
        return err;
    if ((err = mica_aspace_alloc(&p->as, MICA_OBJ_CNODE, cnode_bits, &p->cnode)) ||
        (err = mica_aspace_alloc(&p->as, MICA_OBJ_TCB, 0, &p->tcb)))
        return err;
    struct mica_sysret r;
    /* Its own fixed slots: TCB, CNode (guarded like the root task's), VSpace, IPC buffer. */
    if ((r = mica_cnode_copy(p->cnode, MICA_CAP_INIT_TCB, cnode_bits, MICA_CAP_INIT_CNODE,
                             p->tcb, 64, MICA_RIGHTS_ALL)).status ||
        (r = mica_cnode_mint(p->cnode, MICA_CAP_INIT_CNODE, cnode_bits, MICA_CAP_INIT_CNODE,
                             p->cnode, 64, MICA_RIGHTS_ALL, flat_guard(cnode_bits))).status ||
        (r = mica_cnode_copy(p->cnode, MICA_CAP_INIT_VSPACE, cnode_bits, MICA_CAP_INIT_CNODE,
                             p->as.vspace, 64, MICA_RIGHTS_ALL)).status ||
        (r = mica_cnode_copy(p->cnode, MICA_CAP_INIT_IPC_BUFFER, cnode_bits, MICA_CAP_INIT_CNODE,
                             p->as.ipc_frame, 64, MICA_RIGHTS_ALL)).status)
        return fail(p, r);
    return MICA_OK;
}

mica_word_t mica_process_create(struct mica_process *p, struct mica_aspace *parent,
                                const void *image, mica_word_t size, unsigned cnode_bits,
                                const char *name, const char *args)
{
    return sync(p, create(p, parent, image, size, cnode_bits, name, args));
}

mica_word_t mica_process_give(struct mica_process *p, mica_cptr_t cap, mica_cptr_t slot,
                              unsigned rights, mica_word_t badge)
{
    if (slot < MICA_CAP_FIRST_DYNAMIC || slot >= (1ull << p->cnode_bits)) {
        p->as.error_detail = slot;
        return MICA_ERR_RANGE;
    }
    struct mica_sysret r =
        badge ? mica_cnode_mint(p->cnode, slot, p->cnode_bits, MICA_CAP_INIT_CNODE, cap, 64,
                                rights, badge)
              : mica_cnode_copy(p->cnode, slot, p->cnode_bits, MICA_CAP_INIT_CNODE, cap, 64,
                                rights);
    if (r.status)
        return fail(p, r);
    if (slot >= p->slot_next)
        p->slot_next = slot + 1;
    return MICA_OK;
}

/* The child's boot info, assembled here and copied into its pages. */
static struct mica_bootinfo child_bi;

static mica_word_t start(struct mica_process *p, const struct mica_bootinfo *parent_bi,
                         unsigned priority, mica_cptr_t fault_ep)
{
    mica_word_t err;
    struct mica_bootinfo *bi = &child_bi;
    borrow(p);
    memset(bi, 0, sizeof(*bi));
    bi->magic = MICA_BOOTINFO_MAGIC;
    bi->version = MICA_BOOTINFO_VERSION;
    bi->size = sizeof(*bi);
    bi->ram_total = parent_bi->ram_total;
    bi->ipc_buffer = p->as.ipc_buffer;
    bi->stack_top = p->as.stack_top;
    bi->slot_untyped_first = p->slot_next;
    bi->slot_empty_first = p->slot_next;
    bi->slot_empty_end = 1ull << p->cnode_bits;
    bi->root_cnode_bits = p->cnode_bits;
    bi->timer_hz = parent_bi->timer_hz;
    bi->platform = parent_bi->platform;
    bi->pd_info = p->pd_info;
    unsigned i = 0;
    for (; p->args[i] && i < MICA_BOOTINFO_CMDLINE_MAX - 1; i++)
        bi->cmdline[i] = p->args[i];
    bi->cmdline[i] = '\0';
    memcpy(bi->kernel_cmdline, parent_bi->kernel_cmdline, sizeof(bi->kernel_cmdline));
    for (mica_word_t off = 0; off < sizeof(*bi); off += MICA_PAGE_SIZE) {
        mica_word_t len = sizeof(*bi) - off < MICA_PAGE_SIZE ? sizeof(*bi) - off : MICA_PAGE_SIZE;
        if ((err = mica_aspace_page(&p->as, MICA_ROOT_BOOTINFO + off, MICA_MAP_READ,
                                    (const char *)bi + off, 0, len)))
            return err;
    }
    struct mica_sysret r = mica_tcb_configure(p->tcb, fault_ep, p->cnode, flat_guard(p->cnode_bits),
                                              p->as.vspace, p->as.ipc_buffer, p->as.ipc_frame,
                                              priority, priority);
    if (r.status)
        return fail(p, r);
    struct mica_user_context regs = { 0 };
    regs.rip = p->entry;
    regs.rsp = p->as.stack_top;
    regs.rflags = 0x202;
    regs.rdi = MICA_ROOT_BOOTINFO;
    if ((r = mica_tcb_write_registers(p->tcb, 1, MICA_USER_CONTEXT_WORDS, &regs)).status)
        return fail(p, r);
    return MICA_OK;
}

mica_word_t mica_process_start(struct mica_process *p, const struct mica_bootinfo *parent_bi,
                               unsigned priority, mica_cptr_t fault_ep)
{
    return sync(p, start(p, parent_bi, priority, fault_ep));
}
