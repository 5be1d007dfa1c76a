/*
 * init as the system's fault handler and pager (docs/init.md, "Faults").
 *
 * Every PD's thread has init's fault endpoint, badged with the PD's index
 * + 1, so a fault arrives here as a message naming its PD
 * (include/mica/fault.h, docs/faults.md). init runs at priority 255: it
 * answers each fault before any PD runs on.
 *
 * A page fault in a demand-paged map, for an access the map allows, is
 * served: the region's frame for that page is made (zeroed by the kernel)
 * on the first touch by any PD, kept in a table of (region, page) ->
 * frame, and a copy mapped for the PD that faulted; the reply resumes it
 * at the faulting instruction. Every PD mapping the region sees the same
 * frame. Each region has a slice of the table of its own, one entry per
 * page, and the build made sure that RAM and store slots are left for
 * every page of every region (demand_reserve): a PD can use up the
 * demand-paged regions it maps, never the share of another. A touch just
 * past the end of one is reported as such.
 *
 * Anything else is reported in one line naming the PD, the fault and
 * where it happened (which map, BAR or part of the PD's layout), and the
 * thread is suspended by the reply's label (docs/faults.md, "The reply");
 * the other PDs run on.
 */
#include <format.h>
#include <mica/fault.h>
#include <mica_invoke.h>
#include <mica_ipc.h>

#include "init.h"

mica_cptr_t fault_ep;

/* The pager's table: a slice per demand-paged region, from
 * regions[r].demand, one entry per page: the page's frame (its store ref
 * + 1), or 0 while the page has none. */
static store_ref demand[INIT_DEMAND_PAGES];

#define REPLY_STOP 1 /* any label but MICA_FAULT_REPLY_RESUME suspends */

/* ------------------------------------------------------------ where */

static const struct mica_sys_map *map_at(unsigned pd, mica_word_t addr)
{
    for (unsigned i = 0; i < img.n_maps; i++) {
        const struct mica_sys_map *m = &img.maps[i];
        if (m->pd == pd && addr >= m->vaddr && addr - m->vaddr < img.regions[m->region].size)
            return m;
    }
    return 0;
}

static const struct mica_sys_bar *bar_at(unsigned pd, mica_word_t addr)
{
    for (unsigned i = 0; i < img.n_bars; i++) {
        const struct mica_sys_bar *b = &img.bars[i];
        if (img.devices[b->device].pd == pd && addr >= b->vaddr && addr - b->vaddr < b->size)
            return b;
    }
    return 0;
}

/* A demand-paged map of PD pd that addr lies past the end of (by less
 * than the map's size), or NULL. */
static const struct mica_sys_map *demand_map_before(unsigned pd, mica_word_t addr)
{
    for (unsigned i = 0; i < img.n_maps; i++) {
        const struct mica_sys_map *m = &img.maps[i];
        uint64_t size = img.regions[m->region].size;
        if (m->pd == pd && (img.regions[m->region].flags & MICA_SYS_REGION_DEMAND) &&
            addr >= m->vaddr + size && addr - (m->vaddr + size) < size)
            return m;
    }
    return 0;
}

static bool in(mica_word_t addr, mica_word_t base, mica_word_t size)
{
    return addr >= base && addr - base < size;
}

static mica_word_t pages(mica_word_t bytes)
{
    return (bytes + MICA_PAGE_SIZE - 1) & ~(mica_word_t)(MICA_PAGE_SIZE - 1);
}

/* What is at addr in PD pd ("map 'buf'", "the stack", ...), NULL if
 * nothing; *rights gets what the mapping allows. */
static const char *area(unsigned pd, mica_word_t addr, unsigned *rights)
{
    static char buf[64];
    const struct pd *p = &pds[pd];
    const struct mica_sys_map *m = map_at(pd, addr);
    const struct mica_sys_bar *b = bar_at(pd, addr);
    *rights = MICA_MAP_READ | MICA_MAP_WRITE;
    if (m) {
        *rights = m->perms;
        format_buf(buf, sizeof(buf), "map '%s'", m->name);
        return buf;
    }
    if (b) {
        *rights = b->perms;
        format_buf(buf, sizeof(buf), "BAR '%s'", b->name);
        return buf;
    }
    for (unsigned i = 0; i < p->elf->n_segments; i++) {
        const struct elf_segment *s = &p->elf->seg[i];
        mica_word_t base = s->vaddr & ~(mica_word_t)(MICA_PAGE_SIZE - 1);
        if (in(addr, base, pages(s->vaddr + s->memsz) - base)) {
            *rights = MICA_MAP_READ | ((s->flags & ELF_PF_W) ? MICA_MAP_WRITE : 0) |
                      ((s->flags & ELF_PF_X) ? MICA_MAP_EXEC : 0);
            return (s->flags & ELF_PF_X) ? "the program's code"
                   : (s->flags & ELF_PF_W) ? "the program's data"
                                           : "the program's read-only data";
        }
    }
    mica_word_t stack = MICA_ROOT_STACK_TOP - p->sys->stack_size;
    if (in(addr, stack, p->sys->stack_size))
        return "the stack";
    if (in(addr, MICA_ROOT_AREA, stack - MICA_ROOT_AREA))
        return "the unmapped pages below the stack (stack overflow?)";
    if (in(addr, MICA_ROOT_IPC_BUFFER, MICA_PAGE_SIZE))
        return "the IPC buffer";
    *rights = MICA_MAP_READ;
    if (in(addr, MICA_ROOT_BOOTINFO, pages(sizeof(struct mica_bootinfo))))
        return "the boot info";
    if (in(addr, MICA_PD_INFO, pages(sizeof(struct mica_pd_info))))
        return "the PD info";
    *rights = MICA_MAP_READ | MICA_MAP_WRITE;
    if (in(addr, MICA_PD_HEAP, p->sys->heap_size))
        return "the heap";
    return 0;
}

/* ------------------------------------------------------------ the pager */

/* Page tables of every level a map of `size` bytes at vaddr may need: the
 * 2 MiB, 1 GiB and 512 GiB blocks its range touches. */
static uint64_t map_tables(uint64_t vaddr, uint64_t size)
{
    uint64_t last = vaddr + size - 1, n = 0;
    for (unsigned shift = 21; shift <= 39; shift += 9)
        n += (last >> shift) - (vaddr >> shift) + 1;
    return n;
}

int demand_reserve(void)
{
    uint64_t pages = 0, tables = 0, copies = 0;
    for (unsigned i = 0; i < img.n_regions; i++) {
        if (!(img.regions[i].flags & MICA_SYS_REGION_DEMAND))
            continue;
        regions[i].demand = (uint32_t)pages; /* image_check kept the sum in the table */
        pages += img.regions[i].size >> MICA_FRAME_4K_BITS;
    }
    for (unsigned i = 0; i < img.n_maps; i++) {
        const struct mica_sys_region *r = &img.regions[img.maps[i].region];
        if (r->flags & MICA_SYS_REGION_DEMAND) {
            tables += map_tables(img.maps[i].vaddr, r->size);
            copies += r->size >> MICA_FRAME_4K_BITS;
        }
    }
    if (!pages)
        return 0;
    /* Store slots: each frame, each mapped copy, each table. */
    uint64_t slots = pages + copies + tables;
    if (slots > store_slots_free())
        return fail("the demand-paged regions may need %lu slots of init's cap store, %lu are "
                    "left; ask for less demand-paged memory", slots, store_slots_free());
    /* RAM: the frames, the tables and the store CNodes (each with room
     * for its alignment). */
    uint64_t cnodes = (slots + (1u << INIT_STORE_BITS) - 1) >> INIT_STORE_BITS;
    uint64_t cnode_bytes = 1ull << (INIT_STORE_BITS + MICA_SLOT_BITS);
    uint64_t need = (pages + tables) * MICA_PAGE_SIZE + cnodes * 2 * cnode_bytes;
    if (need > ram_free_bytes()) {
        char need_text[32], left[32];
        size_text(need_text, sizeof(need_text), need);
        size_text(left, sizeof(left), ram_free_bytes());
        return fail("the demand-paged regions (%lu pages) may need %s of RAM with their page "
                    "tables and store CNodes, %s is left after the build; ask for less memory",
                    pages, need_text, left);
    }
    return 0;
}

/* Back the page of demand map m at addr for PD pd. */
static int page_in(unsigned pd, const struct mica_sys_map *m, mica_word_t addr)
{
    uint64_t page = (addr - m->vaddr) / MICA_PAGE_SIZE;
    store_ref *d = &demand[regions[m->region].demand + page];
    if (!*d) {
        store_ref frame;
        if (store_alloc(MICA_OBJ_FRAME_4K, 0, &frame, 0))
            return -1;
        *d = frame + 1;
    }
    unsigned cache = (m->flags & MICA_SYS_MAP_CACHED) ? MICA_CACHE_WRITEBACK
                                                        : MICA_CACHE_UNCACHED;
    if (store_copy_out(*d - 1, scratch_cap))
        return -1;
    if (vm_map(pds[pd].vspace, scratch_cap, m->vaddr + page * MICA_PAGE_SIZE, m->perms,
               cache)) {
        mica_cnode_delete(MICA_CAP_INIT_CNODE, scratch_cap, 64);
        return -1;
    }
    return store_put(scratch_cap, 0);
}

/* ------------------------------------------------------------ reports */

static const char *const exception_names[32] = {
    "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
    "#BR bound range", "#UD invalid opcode", "#NM device not available", "#DF double fault",
    "coprocessor overrun", "#TS invalid TSS", "#NP segment not present", "#SS stack fault",
    "#GP general protection", "#PF page fault", "vector 15", "#MF x87 floating point",
    "#AC alignment check", "#MC machine check", "#XM SIMD floating point",
    "#VE virtualization", "#CP control protection", "vector 22", "vector 23", "vector 24",
    "vector 25", "vector 26", "vector 27", "#HV hypervisor injection",
    "#VC VMM communication", "#SX security", "vector 31",
};

static bool has_error_code(mica_word_t vector)
{
    return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21 ||
           vector == 29 || vector == 30;
}

static void stopped(unsigned pd, const char *what)
{
    mica_printf("init: PD '%s' faulted: %s; PD stopped\n", pds[pd].name, what);
}

/* A page fault: served (true) or reported (false). */
static bool page_fault(unsigned pd, const struct mica_msg *m)
{
    mica_word_t ip = m->mr[MICA_FAULT_PAGE_IP], addr = m->mr[MICA_FAULT_PAGE_ADDR];
    mica_word_t error = m->mr[MICA_FAULT_PAGE_ERROR];
    bool write = error & MICA_PF_WRITE, fetch = error & MICA_PF_IFETCH;
    bool present = error & MICA_PF_PRESENT;
    unsigned rights;
    const char *where = area(pd, addr, &rights);
    bool allowed = !(write && !(rights & MICA_MAP_WRITE)) && !(fetch && !(rights & MICA_MAP_EXEC));
    const struct mica_sys_map *map = map_at(pd, addr);
    char place[160];
    if (map && (img.regions[map->region].flags & MICA_SYS_REGION_DEMAND) && !present &&
        allowed) {
        if (!page_in(pd, map, addr))
            return true;
        format_buf(place, sizeof(place), "in demand-paged map '%s': %s", map->name, failure());
    } else if (!where && (map = demand_map_before(pd, addr))) {
        char size[32];
        size_text(size, sizeof(size), img.regions[map->region].size);
        format_buf(place, sizeof(place), "past the end of demand-paged map '%s' (%s): beyond "
                   "the PD's share of demand-paged memory", map->name, size);
    } else if (!where) {
        format_buf(place, sizeof(place), "%s",
                   addr >= MICA_USER_TOP ? "outside user space" : "outside any region");
    } else if (!allowed) {
        /* A map or BAR goes by its name: "read-only map 'buf'". */
        bool named = map || bar_at(pd, addr);
        format_buf(place, sizeof(place), write ? (named ? "write to read-only %s"
                                                        : "write to %s (read-only)")
                                               : (named ? "instruction fetch from "
                                                          "non-executable %s"
                                                        : "instruction fetch from %s (not "
                                                          "executable)"),
                   where);
    } else {
        format_buf(place, sizeof(place), "in %s", where);
    }
    char what[256];
    format_buf(what, sizeof(what), "page fault at 0x%lx (%s, %s%s), rip 0x%lx, %s", addr,
               fetch ? "instruction fetch" : write ? "write" : "read",
               present ? "protection violation" : "not present",
               (error & MICA_PF_RSVD) ? ", reserved bit set" : "", ip, place);
    stopped(pd, what);
    return false;
}

static void exception(unsigned pd, const struct mica_msg *m)
{
    mica_word_t vector = m->mr[MICA_FAULT_EXC_VECTOR], error = m->mr[MICA_FAULT_EXC_ERROR];
    /* MR4 (rflags) is in the IPC buffer; rip, vector, error, rsp are not. */
    char what[160];
    const char *name = vector < 32 ? exception_names[vector] : "exception";
    if (has_error_code(vector))
        format_buf(what, sizeof(what), "%s (error code 0x%lx), rip 0x%lx, rsp 0x%lx", name,
                   error, m->mr[MICA_FAULT_EXC_IP], m->mr[MICA_FAULT_EXC_SP]);
    else
        format_buf(what, sizeof(what), "%s, rip 0x%lx, rsp 0x%lx", name,
                   m->mr[MICA_FAULT_EXC_IP], m->mr[MICA_FAULT_EXC_SP]);
    stopped(pd, what);
}

/* One fault message: true to resume the thread, false to stop it. */
static bool handle(const struct mica_msg *m)
{
    mica_word_t label = mica_tag_label(m->tag);
    if (m->badge == 0 || m->badge > img.n_pds) {
        mica_printf("init: a message with badge %lu on the fault endpoint (no such PD); "
                    "sender stopped\n", m->badge);
        return false;
    }
    unsigned pd = (unsigned)(m->badge - 1);
    char what[96];
    switch (label) {
    case MICA_FAULT_PAGE: return page_fault(pd, m);
    case MICA_FAULT_UNKNOWN_SYSCALL:
        /* MR0 rip (of the syscall instruction), MR3 rax: the number. */
        format_buf(what, sizeof(what), "unknown syscall %lu, rip 0x%lx", m->mr[3], m->mr[0]);
        stopped(pd, what);
        return false;
    case MICA_FAULT_EXCEPTION: exception(pd, m); return false;
    default:
        format_buf(what, sizeof(what), "a message with label %lu, not a fault", label);
        stopped(pd, what);
        return false;
    }
}

void fault_loop(void)
{
    struct mica_msg m = mica_recv(fault_ep);
    for (;;) {
        if (m.status) {
            mica_printf("init: receiving a fault failed: error %lu (%s)\n", m.status,
                        mica_error_name(m.status));
            m = mica_recv(fault_ep);
            continue;
        }
        mica_word_t label = handle(&m) ? MICA_FAULT_REPLY_RESUME : REPLY_STOP;
        m = mica_reply_recv(fault_ep, mica_tag(label, 0, 0), 0, 0, 0, 0);
    }
}
