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
 * frame. The table has INIT_DEMAND_PAGES entries for the whole system.
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

struct demand_page {
    uint32_t region;
    store_ref frame;
    uint64_t page;      /* page number in the region */
};

static struct demand_page demand[INIT_DEMAND_PAGES];
static unsigned n_demand;

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

/* Back the page of demand map m at addr for PD pd. */
static int page_in(unsigned pd, const struct mica_sys_map *m, mica_word_t addr)
{
    uint64_t page = (addr - m->vaddr) / MICA_PAGE_SIZE;
    struct demand_page *d = 0;
    for (unsigned i = 0; i < n_demand && !d; i++)
        if (demand[i].region == m->region && demand[i].page == page)
            d = &demand[i];
    if (!d) {
        if (n_demand == INIT_DEMAND_PAGES)
            return fail("init's table of demand pages is full (%u pages in the system)",
                        INIT_DEMAND_PAGES);
        store_ref frame;
        if (store_alloc(MICA_OBJ_FRAME_4K, 0, &frame, 0))
            return -1;
        d = &demand[n_demand++];
        *d = (struct demand_page){ .region = m->region, .page = page, .frame = frame };
    }
    unsigned cache = (m->flags & MICA_SYS_MAP_CACHED) ? MICA_CACHE_WRITEBACK
                                                        : MICA_CACHE_UNCACHED;
    if (store_copy_out(d->frame, scratch_cap))
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
