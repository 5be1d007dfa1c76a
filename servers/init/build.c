/*
 * Building the system from a checked image (docs/init.md, "Building").
 *
 * In order, so that nothing a PD is given can be missing when it is built:
 *
 *  1. every PD's kernel objects: TCB, CNode, VSpace, its notification and,
 *     if another PD may call it (a pp channel end), its endpoint; then the
 *     endpoints of the description;
 *  2. the memory regions: eager ones get their frames now (zeroed by the
 *     kernel), physical ones their device frames; demand-paged ones
 *     nothing (faults.c makes their frames on first touch);
 *  3. each PD in file order: program segments, stack, IPC buffer, thread
 *     (fault endpoint: init's, badge = index + 1; bound notification;
 *     name; priority), heap, maps, channels, devices (devices.c),
 *     endpoint ends, untyped, then its PD info and boot info (pdinfo.c);
 *     then the check that what demand paging may still need is left
 *     (faults.c, demand_reserve);
 *  4. start_system(): every thread resumed, highest priority first.
 *
 * A failure anywhere stops the build before any PD runs: the line names
 * the PD, the resource and the error. Every frame and table ends up in the
 * cap store (alloc.c), so a PD's size costs init no slots of its own.
 */
#include <format.h>
#include <mica_invoke.h>

#include "init.h"

struct pd pds[MICA_SYS_MAX_PDS];
struct region_state regions[MICA_SYS_MAX_REGIONS];
static mica_cptr_t endpoints[MICA_SYS_MAX_ENDPOINTS];
static const struct mica_bootinfo *boot;

/* The guard that makes a CPtr a plain slot number (as the root task's own). */
static mica_word_t flat_guard(unsigned cnode_bits)
{
    return 64 - cnode_bits;
}

static int drop(mica_cptr_t slot)
{
    mica_cnode_delete(MICA_CAP_INIT_CNODE, slot, 64);
    return -1;
}

static int sysret_fail(struct mica_sysret r, const char *what)
{
    return fail("%s: error %lu (%s), detail 0x%lx", what, r.status, mica_error_name(r.status),
                r.value);
}

int pd_slot(struct pd *p, mica_word_t *slot)
{
    *slot = 0;
    if (p->slot_next >= 1ull << p->cnode_bits)
        return fail("its CSpace of %u slots is full", 1u << p->cnode_bits);
    *slot = p->slot_next++;
    return 0;
}

/* Copy init's cap into the PD's slot with rights (and a badge, 0: none). */
static int give(struct pd *p, mica_word_t slot, mica_cptr_t cap, unsigned rights,
                mica_word_t badge)
{
    struct mica_sysret r =
        badge ? mica_cnode_mint(p->cnode, slot, p->cnode_bits, MICA_CAP_INIT_CNODE, cap, 64,
                                rights, badge)
              : mica_cnode_copy(p->cnode, slot, p->cnode_bits, MICA_CAP_INIT_CNODE, cap, 64,
                                rights);
    return r.status ? sysret_fail(r, "giving a cap") : 0;
}

int pd_map_copy(struct pd *p, mica_cptr_t frame, mica_word_t vaddr, unsigned rights,
                unsigned cache)
{
    struct mica_sysret r = mica_cnode_copy(MICA_CAP_INIT_CNODE, scratch_cap, 64,
                                           MICA_CAP_INIT_CNODE, frame, 64, MICA_RIGHTS_ALL);
    if (r.status)
        return sysret_fail(r, "copying a frame cap");
    if (vm_map(p->vspace, scratch_cap, vaddr, rights, cache))
        return drop(scratch_cap);
    return store_put(scratch_cap, 0);
}

/* A stored frame mapped into the PD (through a copy). */
static int pd_map_stored(struct pd *p, store_ref frame, mica_word_t vaddr, unsigned rights,
                         unsigned cache)
{
    if (store_copy_out(frame, scratch_cap))
        return -1;
    if (vm_map(p->vspace, scratch_cap, vaddr, rights, cache))
        return drop(scratch_cap);
    return store_put(scratch_cap, 0);
}

int pd_page(struct pd *p, mica_word_t vaddr, unsigned rights, const void *src,
            mica_word_t offset, mica_word_t len)
{
    if (ram_alloc_slot(MICA_OBJ_FRAME_4K, 0, scratch_frame, 0))
        return -1;
    if (src && len) {
        /* Filled through init's own copy page, then moved over. */
        if (vm_map(MICA_CAP_INIT_VSPACE, scratch_frame, INIT_COPY_PAGE,
                   MICA_MAP_READ | MICA_MAP_WRITE, MICA_CACHE_WRITEBACK))
            return drop(scratch_frame);
        memcpy((char *)INIT_COPY_PAGE + offset, src, len);
        struct mica_sysret r = mica_frame_unmap(scratch_frame);
        if (r.status) {
            drop(scratch_frame);
            return sysret_fail(r, "Frame_Unmap");
        }
    }
    if (vm_map(p->vspace, scratch_frame, vaddr, rights, MICA_CACHE_WRITEBACK))
        return drop(scratch_frame);
    return store_put(scratch_frame, 0);
}

/* A zeroed frame of 2^bits bytes at vaddr. */
static int pd_zero(struct pd *p, mica_word_t vaddr, unsigned bits, unsigned rights)
{
    if (bits == MICA_FRAME_4K_BITS)
        return pd_page(p, vaddr, rights, 0, 0, 0);
    if (ram_alloc_slot(MICA_OBJ_FRAME_2M, 0, scratch_frame, 0))
        return -1;
    if (vm_map(p->vspace, scratch_frame, vaddr, rights, MICA_CACHE_WRITEBACK))
        return drop(scratch_frame);
    return store_put(scratch_frame, 0);
}

/* ------------------------------------------------------------ phase 1 */

/* Does a channel let another PD call PD i (a pp end facing it)? */
static bool called(unsigned i)
{
    for (unsigned c = 0; c < img.n_channels; c++)
        for (unsigned k = 0; k < 2; k++)
            if (img.channels[c].end[k].pd == i &&
                (img.channels[c].end[1 - k].flags & MICA_SYS_END_PP))
                return true;
    return false;
}

static bool has_untyped(unsigned i)
{
    for (unsigned u = 0; u < img.n_untypeds; u++)
        if (img.untypeds[u].pd == i)
            return true;
    return false;
}

static int make_object(unsigned type, unsigned size_bits, mica_cptr_t *slot, const char *what)
{
    if (slot_take(slot, what) || ram_alloc_slot(type, size_bits, *slot, 0))
        return fail_context("making its %s", what);
    return 0;
}

static int make_pd_objects(unsigned i)
{
    struct pd *p = &pds[i];
    p->sys = &img.pds[i];
    p->name = p->sys->name;
    p->elf = &img.elf[p->sys->program];
    /* Room for every cap it is given, and as many again for its own use. */
    unsigned caps = INIT_PD_SLOT_RESOURCES + image_pd_resources(i);
    p->cnode_bits = INIT_PD_CNODE_MIN_BITS;
    while ((1u << p->cnode_bits) < 2 * caps)
        p->cnode_bits++;
    if (has_untyped(i) && p->cnode_bits < INIT_PD_CNODE_UNTYPED_BITS)
        p->cnode_bits = INIT_PD_CNODE_UNTYPED_BITS;
    if (make_object(MICA_OBJ_TCB, 0, &p->tcb, "TCB") ||
        make_object(MICA_OBJ_CNODE, p->cnode_bits, &p->cnode, "CNode") ||
        make_object(MICA_OBJ_VSPACE, 0, &p->vspace, "VSpace") ||
        make_object(MICA_OBJ_NOTIFICATION, 0, &p->ntfn, "notification") ||
        (called(i) && make_object(MICA_OBJ_ENDPOINT, 0, &p->ep, "endpoint")))
        return -1;
    return 0;
}

/* ------------------------------------------------------------ phase 2 */

static int make_region(unsigned i, struct mica_devmem *dm)
{
    const struct mica_sys_region *r = &img.regions[i];
    struct region_state *s = &regions[i];
    uint64_t page = 1ull << r->page_bits;
    s->pages = r->size / page;
    if (r->flags & MICA_SYS_REGION_DEMAND)
        return 0; /* frames on first touch */
    if (r->flags & MICA_SYS_REGION_PHYS) {
        /* Device frames now, so a bad address is reported once, here. */
        s->paddr = r->paddr;
        for (uint64_t k = 0; k < s->pages; k++) {
            mica_cptr_t frame;
            if (device_frame(dm, r->paddr + k * page, r->page_bits, &frame))
                return -1;
        }
        return 0;
    }
    unsigned type = r->page_bits == MICA_FRAME_2M_BITS ? MICA_OBJ_FRAME_2M : MICA_OBJ_FRAME_4K;
    for (uint64_t k = 0; k < s->pages; k++) {
        store_ref ref;
        uint64_t paddr;
        if (store_alloc(type, 0, &ref, &paddr))
            return -1;
        if (k == 0)
            s->first = ref, s->paddr = paddr;
        else if (ref != s->first + k)
            return fail("internal: store slots of region not consecutive");
    }
    return 0;
}

/* ------------------------------------------------------------ phase 3 */

static int build_image(struct pd *p)
{
    const struct mica_sys_program *prog = &img.programs[p->sys->program];
    const uint8_t *file = img.base + prog->offset;
    for (unsigned i = 0; i < p->elf->n_segments; i++) {
        const struct elf_segment *sg = &p->elf->seg[i];
        unsigned rights = MICA_MAP_READ | ((sg->flags & ELF_PF_W) ? MICA_MAP_WRITE : 0) |
                          ((sg->flags & ELF_PF_X) ? MICA_MAP_EXEC : 0);
        mica_word_t file_end = sg->vaddr + sg->filesz;
        for (mica_word_t va = sg->vaddr & ~(mica_word_t)(MICA_PAGE_SIZE - 1);
             va < sg->vaddr + sg->memsz; va += MICA_PAGE_SIZE) {
            /* The part of this page backed by the file: [lo, hi). */
            mica_word_t lo = va > sg->vaddr ? va : sg->vaddr;
            mica_word_t hi = va + MICA_PAGE_SIZE < file_end ? va + MICA_PAGE_SIZE : file_end;
            if (pd_page(p, va, rights, lo < hi ? file + sg->offset + (lo - sg->vaddr) : 0,
                        lo - va, lo < hi ? hi - lo : 0))
                return fail_context("loading program '%s' at 0x%lx", prog->name, va);
            p->image_pages++;
        }
    }
    return 0;
}

/* Stack, IPC buffer and the thread itself (not started). */
static int build_thread(struct pd *p, unsigned index)
{
    for (mica_word_t off = MICA_PAGE_SIZE; off <= p->sys->stack_size; off += MICA_PAGE_SIZE)
        if (pd_page(p, MICA_ROOT_STACK_TOP - off, MICA_MAP_READ | MICA_MAP_WRITE, 0, 0, 0))
            return fail_context("making its stack");
    struct mica_sysret r;
    if (ram_alloc_slot(MICA_OBJ_FRAME_4K, 0, scratch_frame, 0) ||
        vm_map(p->vspace, scratch_frame, MICA_ROOT_IPC_BUFFER, MICA_MAP_READ | MICA_MAP_WRITE,
               MICA_CACHE_WRITEBACK))
        return fail_context("making its IPC buffer");
    /* Its fixed slots, as the root task has them (bootinfo.h). */
    if (give(p, MICA_CAP_INIT_TCB, p->tcb, MICA_RIGHTS_ALL, 0) ||
        give(p, MICA_CAP_INIT_VSPACE, p->vspace, MICA_RIGHTS_ALL, 0) ||
        give(p, MICA_CAP_INIT_IPC_BUFFER, scratch_frame, MICA_RIGHTS_ALL, 0) ||
        give(p, INIT_PD_SLOT_NOTIFICATION, p->ntfn, MICA_RIGHT_READ | MICA_RIGHT_WRITE, 0) ||
        (p->ep && give(p, INIT_PD_SLOT_ENDPOINT, p->ep, MICA_RIGHT_READ, 0)))
        return fail_context("filling its CSpace");
    r = mica_cnode_mint(p->cnode, MICA_CAP_INIT_CNODE, p->cnode_bits, MICA_CAP_INIT_CNODE,
                        p->cnode, 64, MICA_RIGHTS_ALL, flat_guard(p->cnode_bits));
    if (r.status)
        return sysret_fail(r, "giving it its CNode");
    p->slot_next = INIT_PD_SLOT_RESOURCES;
    /* Faults go to init, with the PD's index + 1 as the badge. */
    r = mica_cnode_mint(MICA_CAP_INIT_CNODE, scratch_cap, 64, MICA_CAP_INIT_CNODE, fault_ep, 64,
                        MICA_RIGHT_WRITE, index + 1);
    if (r.status)
        return sysret_fail(r, "minting its fault endpoint");
    unsigned prio = p->sys->priority;
    r = mica_tcb_configure(p->tcb, scratch_cap, p->cnode, flat_guard(p->cnode_bits), p->vspace,
                           MICA_ROOT_IPC_BUFFER, scratch_frame, prio, prio);
    if (r.status)
        return sysret_fail(r, "TCB_Configure");
    if (store_put(scratch_cap, 0) || store_put(scratch_frame, 0))
        return -1;
    if ((r = mica_tcb_bind_notification(p->tcb, p->ntfn)).status)
        return sysret_fail(r, "binding its notification");
    if ((r = mica_tcb_set_name(p->tcb, p->name)).status)
        return sysret_fail(r, "naming its thread");
    return 0;
}

static int build_heap(struct pd *p)
{
    const uint64_t big = 1ull << MICA_FRAME_2M_BITS;
    uint64_t size = p->sys->heap_size;
    for (uint64_t off = 0; off < size;) {
        /* 2 MiB frames where they fit: fewer caps, fewer tables. */
        unsigned bits = !(off & (big - 1)) && size - off >= big ? MICA_FRAME_2M_BITS
                                                                : MICA_FRAME_4K_BITS;
        if (pd_zero(p, MICA_PD_HEAP + off, bits, MICA_MAP_READ | MICA_MAP_WRITE))
            return fail_context("making its heap (0x%lx bytes)", size);
        off += 1ull << bits;
    }
    return 0;
}

static int build_map(struct pd *p, const struct mica_sys_map *m, struct mica_devmem *dm)
{
    const struct mica_sys_region *r = &img.regions[m->region];
    const struct region_state *s = &regions[m->region];
    unsigned cache = (m->flags & MICA_SYS_MAP_CACHED) ? MICA_CACHE_WRITEBACK
                                                        : MICA_CACHE_UNCACHED;
    uint64_t page = 1ull << r->page_bits;
    struct mica_pd_resource *res = pdinfo_add(MICA_RES_MEMORY, m->name);
    res->vaddr = m->vaddr;
    res->size = r->size;
    res->flags = m->perms | (cache == MICA_CACHE_UNCACHED ? MICA_RES_UNCACHED : 0) |
                 ((r->flags & MICA_SYS_REGION_DEMAND) ? MICA_RES_DEMAND : 0);
    res->value = s->paddr;
    if (r->flags & MICA_SYS_REGION_DEMAND)
        return 0; /* the pager maps on first touch (faults.c) */
    for (uint64_t k = 0; k < s->pages; k++) {
        int err;
        if (r->flags & MICA_SYS_REGION_PHYS) {
            mica_cptr_t frame;
            err = device_frame(dm, r->paddr + k * page, r->page_bits, &frame) ||
                  pd_map_copy(p, frame, m->vaddr + k * page, m->perms, cache);
        } else {
            err = pd_map_stored(p, s->first + (store_ref)k, m->vaddr + k * page, m->perms,
                                cache);
        }
        if (err)
            return fail_context("map '%s' of region '%s' at 0x%lx", m->name, r->name,
                                m->vaddr + k * page);
    }
    return 0;
}

static int build_channels(struct pd *p, unsigned index)
{
    for (unsigned c = 0; c < img.n_channels; c++) {
        for (unsigned k = 0; k < 2; k++) {
            const struct mica_sys_channel_end *e = &img.channels[c].end[k];
            const struct mica_sys_channel_end *o = &img.channels[c].end[1 - k];
            if (e->pd != index)
                continue;
            const struct pd *q = &pds[o->pd];
            struct mica_pd_resource *res = pdinfo_add(MICA_RES_CHANNEL, "");
            res->id = e->id;
            mica_word_t slot;
            /* Its signal sets bit o->id in the other PD's word. */
            if (e->flags & MICA_SYS_END_NOTIFY) {
                if (pd_slot(p, &slot) ||
                    give(p, slot, q->ntfn, MICA_RIGHT_WRITE, MICA_CHANNEL_BADGE(o->id)))
                    return fail_context("channel %u to PD '%s'", e->id, q->name);
                res->cap = slot;
            }
            if (e->flags & MICA_SYS_END_PP) {
                struct mica_pd_resource *ppc = pdinfo_add(MICA_RES_PPC, "");
                ppc->id = e->id;
                if (pd_slot(p, &slot) ||
                    give(p, slot, q->ep, MICA_RIGHT_WRITE | MICA_RIGHT_GRANT_REPLY,
                         MICA_PPC_BADGE(o->id)))
                    return fail_context("protected calls on channel %u to PD '%s'", e->id,
                                        q->name);
                ppc->cap = slot;
            }
        }
    }
    return 0;
}

static int build_endpoints_and_untyped(struct pd *p, unsigned index)
{
    for (unsigned i = 0; i < img.n_endpoint_ends; i++) {
        const struct mica_sys_endpoint_end *e = &img.endpoint_ends[i];
        if (e->pd != index)
            continue;
        mica_word_t slot;
        if (pd_slot(p, &slot) || give(p, slot, endpoints[e->endpoint], e->rights, e->badge))
            return fail_context("endpoint '%s'", e->name);
        struct mica_pd_resource *res = pdinfo_add(MICA_RES_ENDPOINT, e->name);
        res->cap = slot;
        res->flags = e->rights;
        res->value = e->badge;
    }
    for (unsigned i = 0; i < img.n_untypeds; i++) {
        const struct mica_sys_untyped *u = &img.untypeds[i];
        if (u->pd != index)
            continue;
        mica_word_t slot;
        uint64_t paddr;
        char size[24];
        size_text(size, sizeof(size), 1ull << u->size_bits);
        if (pd_slot(p, &slot) ||
            ram_alloc_slot(MICA_OBJ_UNTYPED, u->size_bits, scratch_cap, &paddr))
            return fail_context("untyped '%s' (%s)", u->name, size);
        /* Untyped caps are moved, never copied: init keeps no way to use it. */
        struct mica_sysret r = mica_cnode_move(p->cnode, slot, p->cnode_bits,
                                               MICA_CAP_INIT_CNODE, scratch_cap, 64);
        if (r.status) {
            drop(scratch_cap);
            return sysret_fail(r, "moving the untyped to the PD");
        }
        struct mica_pd_resource *res = pdinfo_add(MICA_RES_UNTYPED, u->name);
        res->cap = slot;
        res->size = 1ull << u->size_bits;
        res->value = paddr;
    }
    return 0;
}

static int build_pd(unsigned index, const struct devices_env *env)
{
    struct pd *p = &pds[index];
    pdinfo_begin(p);
    if (build_image(p) || build_thread(p, index) || build_heap(p))
        return -1;
    for (unsigned i = 0; i < img.n_maps; i++)
        if (img.maps[i].pd == index && build_map(p, &img.maps[i], env->dm))
            return -1;
    if (build_channels(p, index) || build_devices(p, index, env) ||
        build_endpoints_and_untyped(p, index) || pdinfo_write(p, boot))
        return -1;
    /* Entered like the root task: at its entry, rsp at the stack top, rdi
     * the boot info; started later (start_system). */
    struct mica_user_context regs = { 0 };
    regs.rip = p->elf->entry;
    regs.rsp = MICA_ROOT_STACK_TOP;
    regs.rflags = 0x202;
    regs.rdi = MICA_ROOT_BOOTINFO;
    struct mica_sysret r = mica_tcb_write_registers(p->tcb, 0, MICA_USER_CONTEXT_WORDS, &regs);
    if (r.status)
        return sysret_fail(r, "TCB_WriteRegisters");
    char stack[24], heap[24];
    size_text(stack, sizeof(stack), p->sys->stack_size);
    size_text(heap, sizeof(heap), p->sys->heap_size);
    mica_printf("init: PD '%s': priority %u, %u image pages, stack %s, heap %s, %u resource%s, "
                "CSpace of %u slots\n", p->name, p->sys->priority, p->image_pages, stack, heap,
                pdinfo_count(), PLURAL(pdinfo_count()), 1u << p->cnode_bits);
    return 0;
}

static bool refuse_pd(unsigned i)
{
    mica_printf("init: PD '%s' cannot be built: %s; system not started\n", img.pds[i].name,
                failure());
    return false;
}

bool build_system(const struct mica_bootinfo *bi, struct mica_pci *pci, struct mica_devmem *dm,
                  bool have_pci)
{
    boot = bi;
    const struct devices_env env = { .bi = bi, .pci = pci, .dm = dm, .have_pci = have_pci };
    mica_printf("init: building system '%s' from '%s': %u PD%s, %u region%s, %u channel%s\n",
                img.h->name, img.path, img.n_pds, PLURAL(img.n_pds), img.n_regions,
                PLURAL(img.n_regions), img.n_channels, PLURAL(img.n_channels));
    for (unsigned i = 0; i < img.n_pds; i++)
        if (make_pd_objects(i))
            return refuse_pd(i);
    for (unsigned i = 0; i < img.n_endpoints; i++) {
        if (slot_take(&endpoints[i], "an endpoint") ||
            ram_alloc_slot(MICA_OBJ_ENDPOINT, 0, endpoints[i], 0)) {
            mica_printf("init: endpoint '%s' cannot be made: %s; system not started\n",
                        img.endpoints[i].name, failure());
            return false;
        }
    }
    for (unsigned i = 0; i < img.n_regions; i++) {
        if (make_region(i, dm)) {
            mica_printf("init: memory region '%s' cannot be made: %s; system not started\n",
                        img.regions[i].name, failure());
            return false;
        }
    }
    for (unsigned i = 0; i < img.n_pds; i++)
        if (build_pd(i, &env))
            return refuse_pd(i);
    if (demand_reserve()) {
        mica_printf("init: demand paging cannot be promised: %s; system not started\n",
                    failure());
        return false;
    }
    return true;
}

void start_system(void)
{
    /* Highest priority first, ties in file order. init runs at 255 until
     * it waits for the first fault, so the order is the order they get
     * the CPU in. */
    bool started[MICA_SYS_MAX_PDS] = { false };
    for (unsigned n = 0; n < img.n_pds; n++) {
        int best = -1;
        for (unsigned i = 0; i < img.n_pds; i++)
            if (!started[i] && (best < 0 || pds[i].sys->priority > pds[best].sys->priority))
                best = (int)i;
        started[best] = true;
        struct mica_sysret r = mica_tcb_resume(pds[best].tcb);
        if (r.status)
            mica_printf("init: PD '%s' cannot be started: TCB_Resume: error %lu (%s)\n",
                        pds[best].name, r.status, mica_error_name(r.status));
    }
    alloc_report();
    mica_printf("init: system '%s': %u protection domain%s running\n", img.h->name, img.n_pds,
                PLURAL(img.n_pds));
}
