/*
 * init's memory and slots.
 *
 * RAM: every RAM untyped region of the boot info, not just one. init
 * mirrors the kernel's watermark for each (objects are carved upwards,
 * each aligned to its own size: kernel/object/untyped.c), so it knows
 * where a new object will land before asking: the physical address of
 * every object is known (a PD's untyped reports it) and a failing retype
 * is never needed to find a region with room. Small objects are taken
 * from the smallest region they fit in, so the large regions stay whole
 * for large untyped resources.
 *
 * Slots: init's CSpace is one CNode of 4096 slots (MICA_ROOT_CNODE_BITS).
 * A system has far more caps than that (every page of every PD is a frame
 * cap), but init invokes almost none of them again once they are mapped.
 * Those move to **store** CNodes (2^INIT_STORE_BITS slots each, made as
 * needed), reached only through CNode invocations; init's own slots hold
 * what it does invoke later (TCBs, VSpaces, notifications, endpoints, the
 * device-memory records) and three scratch slots a cap passes through on
 * its way to a PD or a store. So init's 4096 slots bound the number of
 * PDs and endpoints, not how much memory they have.
 */
#include <format.h>
#include <mica_invoke.h>

#include "init.h"

struct ram {
    mica_cptr_t cap;
    uint64_t paddr;
    unsigned bits;
    uint64_t used; /* the kernel's watermark, mirrored */
};

static struct ram ram[MICA_BOOTINFO_MAX_UNTYPED];
static unsigned n_ram;
static uint64_t ram_total;

struct mica_aspace init_aspace;
mica_cptr_t scratch_frame, scratch_table, scratch_cap;

static mica_cptr_t stores[INIT_MAX_STORES];
static unsigned n_stores, store_next = 1u << INIT_STORE_BITS;
static unsigned slots_start;

/* The PCI window's page tables (mica_pci maps configuration space). */
#define PCI_TABLES_BITS 16

static unsigned object_bits(unsigned type, unsigned size_bits)
{
    switch (type) {
    case MICA_OBJ_UNTYPED: return size_bits;
    case MICA_OBJ_TCB: return MICA_TCB_BITS;
    case MICA_OBJ_ENDPOINT: return MICA_ENDPOINT_BITS;
    case MICA_OBJ_NOTIFICATION: return MICA_NOTIFICATION_BITS;
    case MICA_OBJ_CNODE: return size_bits + MICA_SLOT_BITS;
    case MICA_OBJ_FRAME_2M: return MICA_FRAME_2M_BITS;
    default: return MICA_PAGE_TABLE_BITS; /* paging levels, IO page tables, 4 KiB frames */
    }
}

static const char *object_name(unsigned type)
{
    switch (type) {
    case MICA_OBJ_UNTYPED: return "an untyped";
    case MICA_OBJ_TCB: return "a TCB";
    case MICA_OBJ_ENDPOINT: return "an endpoint";
    case MICA_OBJ_NOTIFICATION: return "a notification";
    case MICA_OBJ_CNODE: return "a CNode";
    case MICA_OBJ_VSPACE: return "a VSpace";
    case MICA_OBJ_FRAME_4K: return "a 4 KiB frame";
    case MICA_OBJ_FRAME_2M: return "a 2 MiB frame";
    default: return "a page table";
    }
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

/* Where an object of 2^bits would start in region r, or ~0 if it does not fit. */
static uint64_t fit(const struct ram *r, unsigned bits)
{
    if (bits > r->bits)
        return ~0ull;
    uint64_t start = align_up(r->paddr + r->used, 1ull << bits) - r->paddr;
    return start + (1ull << bits) <= 1ull << r->bits ? start : ~0ull;
}

uint64_t ram_free_bytes(void)
{
    uint64_t free = 0;
    for (unsigned i = 0; i < n_ram; i++)
        free += (1ull << ram[i].bits) - ram[i].used;
    return free;
}

uint64_t store_slots_free(void)
{
    return (uint64_t)(INIT_MAX_STORES - n_stores) * (1u << INIT_STORE_BITS) +
           ((1u << INIT_STORE_BITS) - store_next);
}

unsigned slots_free(void)
{
    return (unsigned)(init_aspace.slot_end - init_aspace.slot_next);
}

/* "4 KiB", "2 MiB", "507 MiB": MiB from 16 MiB up (rounded down) or when exact. */
int size_text(char *buf, unsigned long n, uint64_t bytes)
{
    if (bytes >= (16ull << 20) || (bytes >= (1ull << 20) && !(bytes & ((1ull << 20) - 1))))
        return format_buf(buf, n, "%lu MiB", bytes >> 20);
    return format_buf(buf, n, "%lu KiB", bytes >> 10);
}

int ram_alloc(unsigned type, unsigned size_bits, mica_cptr_t root, mica_word_t offset,
              uint64_t *paddr)
{
    unsigned bits = object_bits(type, size_bits);
    for (unsigned i = 0; i < n_ram; i++) {
        struct ram *r = &ram[i];
        uint64_t start = fit(r, bits);
        if (start == ~0ull)
            continue;
        struct mica_sysret res =
            mica_untyped_retype(r->cap, type, size_bits, root, 0, 0, offset, 1);
        if (res.status == MICA_ERR_NOT_ENOUGH_MEMORY) {
            r->used = 1ull << r->bits; /* the mirror was wrong: never again */
            continue;
        }
        if (res.status)
            return fail("Untyped_Retype of %s: error %lu (%s), detail 0x%lx",
                        object_name(type), res.status, mica_error_name(res.status), res.value);
        r->used = start + (1ull << bits);
        if (paddr)
            *paddr = r->paddr + start;
        return 0;
    }
    char need[32], left[32];
    size_text(need, sizeof(need), 1ull << bits);
    size_text(left, sizeof(left), ram_free_bytes());
    return fail("out of memory: no RAM region has room for %s of %s (%s free in all, in "
                "smaller pieces); ask for less memory", object_name(type), need, left);
}

int ram_alloc_slot(unsigned type, unsigned size_bits, mica_cptr_t slot, uint64_t *paddr)
{
    return ram_alloc(type, size_bits, MICA_CAP_INIT_CNODE, slot, paddr);
}

int slot_take(mica_cptr_t *slot, const char *what)
{
    if (mica_aspace_slot(&init_aspace, slot))
        return fail("out of slots in init's own CSpace (%u slots, %lu free at boot) for %s: "
                    "fewer PDs, endpoints or devices",
                    1u << MICA_ROOT_CNODE_BITS, init_aspace.slot_end - slots_start, what);
    return 0;
}

/* The next free store slot, making a new store CNode when one is full. */
static int store_slot(unsigned *s, unsigned *i)
{
    if (store_next == 1u << INIT_STORE_BITS) {
        if (n_stores == INIT_MAX_STORES)
            return fail("init's cap store is full (%u CNodes of %u slots)", INIT_MAX_STORES,
                        1u << INIT_STORE_BITS);
        mica_cptr_t cn;
        if (slot_take(&cn, "a store CNode") ||
            ram_alloc_slot(MICA_OBJ_CNODE, INIT_STORE_BITS, cn, 0))
            return fail_context("making a store CNode");
        stores[n_stores++] = cn;
        store_next = 0;
    }
    *s = n_stores - 1;
    *i = store_next;
    return 0;
}

int store_put(mica_cptr_t slot, store_ref *ref)
{
    unsigned s, i;
    if (store_slot(&s, &i))
        return -1;
    struct mica_sysret r = mica_cnode_move(stores[s], i, INIT_STORE_BITS, MICA_CAP_INIT_CNODE,
                                           slot, 64);
    if (r.status)
        return fail("moving a cap to the store: error %lu (%s)", r.status, mica_error_name(r.status));
    store_next++;
    if (ref)
        *ref = s << INIT_STORE_BITS | i;
    return 0;
}

int store_alloc(unsigned type, unsigned size_bits, store_ref *ref, uint64_t *paddr)
{
    unsigned s, i;
    if (store_slot(&s, &i) || ram_alloc(type, size_bits, stores[s], i, paddr))
        return -1;
    store_next++;
    *ref = s << INIT_STORE_BITS | i;
    return 0;
}

int store_copy_out(store_ref ref, mica_cptr_t slot)
{
    unsigned s = ref >> INIT_STORE_BITS, i = ref & ((1u << INIT_STORE_BITS) - 1);
    struct mica_sysret r = mica_cnode_copy(MICA_CAP_INIT_CNODE, slot, 64, stores[s], i,
                                           INIT_STORE_BITS, MICA_RIGHTS_ALL);
    if (r.status)
        return fail("copying a stored cap: error %lu (%s)", r.status, mica_error_name(r.status));
    return 0;
}

/* Frame_Map's detail for a missing table (docs/objects/frame.md). */
static unsigned missing_table(mica_word_t detail)
{
    return detail == 2 ? MICA_OBJ_PDPT : detail == 1 ? MICA_OBJ_PAGE_DIRECTORY
                                                     : MICA_OBJ_PAGE_TABLE;
}

int vm_map(mica_cptr_t vspace, mica_cptr_t frame, mica_word_t vaddr, unsigned rights,
           unsigned cache)
{
    /* At most three tables can be missing; each round adds the top one. */
    for (unsigned round = 0;; round++) {
        struct mica_sysret r = mica_frame_map(frame, vspace, vaddr, rights, cache);
        if (!r.status)
            return 0;
        if (r.status != MICA_ERR_NOT_MAPPED || round == 3)
            return fail("Frame_Map at 0x%lx: error %lu (%s), detail 0x%lx", vaddr, r.status,
                        mica_error_name(r.status), r.value);
        if (ram_alloc_slot(missing_table(r.value), 0, scratch_table, 0))
            return -1;
        if ((r = mica_page_table_map(scratch_table, vspace, vaddr)).status) {
            mica_cnode_delete(MICA_CAP_INIT_CNODE, scratch_table, 64);
            return fail("PageTable_Map at 0x%lx: error %lu (%s)", vaddr, r.status,
                        mica_error_name(r.status));
        }
        if (store_put(scratch_table, 0))
            return -1;
    }
}

int alloc_init(const struct mica_bootinfo *bi)
{
    /* RAM regions, smallest first (insertion sort: at most 192). */
    for (unsigned i = 0; i < bi->n_untyped; i++) {
        const struct mica_bootinfo_untyped *u = &bi->untyped[i];
        if (u->flags & MICA_UNTYPED_DEVICE)
            continue;
        unsigned j = n_ram++;
        while (j > 0 && ram[j - 1].bits > u->size_bits) {
            ram[j] = ram[j - 1];
            j--;
        }
        ram[j] = (struct ram){ .cap = bi->slot_untyped_first + i, .paddr = u->paddr,
                               .bits = u->size_bits };
        ram_total += 1ull << u->size_bits;
    }
    if (!n_ram)
        return fail("no RAM untyped to build anything from");
    mica_aspace_self(&init_aspace);
    init_aspace.slot_next = slots_start = bi->slot_empty_first;
    init_aspace.slot_end = bi->slot_empty_end;
    init_aspace.scratch = INIT_COPY_PAGE;
    /* mica_pci maps configuration space through init_aspace: its page
     * tables come from an untyped of their own, so the mirror above stays
     * exact. */
    if (slot_take(&init_aspace.untyped, "the PCI window's untyped") ||
        ram_alloc_slot(MICA_OBJ_UNTYPED, PCI_TABLES_BITS, init_aspace.untyped, 0) ||
        slot_take(&scratch_frame, "scratch") || slot_take(&scratch_table, "scratch") ||
        slot_take(&scratch_cap, "scratch"))
        return -1;
    return 0;
}

void alloc_report(void)
{
    char used[32], free[32];
    size_text(used, sizeof(used), ram_total - ram_free_bytes());
    size_text(free, sizeof(free), ram_free_bytes());
    mica_printf("init: used %s of RAM (%s free), %lu of its own slots (%u free), %u store "
                "CNode(s)\n", used, free, init_aspace.slot_next - slots_start, slots_free(),
                n_stores);
}
