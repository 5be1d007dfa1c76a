/*
 * Root-task construction (see rootserver.h).
 *
 * The module is validated completely by elf_parse() before anything is
 * allocated; each segment is then copied into fresh zeroed frames (so file
 * layout and page alignment do not matter) and mapped with exactly its ELF
 * rights: text never writable, data never executable.
 */
#include <arch.h>
#include <bits.h>
#include <cmdline.h>
#include <cnode.h>
#include <device.h>
#include <console.h>
#include <elf.h>
#include <kstring.h>
#include <mica/bootinfo.h>
#include <mica/cap.h>
#include <mica/tcb.h>
#include <mica/debug.h>
#include <mica/layout.h>
#include <stdarg.h>
#include <panic.h>
#include <rootserver.h>
#include <vspace.h>

#define ROOT_NAME_MAX TCB_NAME_MAX

static __attribute__((noreturn, format(printf, 1, 2))) void refuse(const char *fmt, ...)
{
    va_list ap;
    kprintf("mica: boot: ");
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
    kprintf("\nmica: boot: cannot start the root task; halting.\n");
    machine_halt(MICA_EXIT_BOOT_FAIL);
}

/* "path/to/prog args" -> "prog" ("root" if there is no name). */
static void program_name(const char *cmdline, char *name, size_t size)
{
    cmdline_name(cmdline, name, size);
    if (!name[0])
        strlcpy(name, "root", size);
}

static uint64_t alloc_zeroed(struct memmap *mem, uint64_t size, const char *name)
{
    uint64_t pa = memmap_alloc(mem, size, MICA_PAGE_SIZE, UINT64_MAX);
    if (!pa)
        refuse("out of memory while loading '%s'", name);
    memset(arch_phys_to_virt(pa), 0, align_up(size, MICA_PAGE_SIZE));
    return pa;
}

static void map_or_refuse(struct memmap *mem, uint64_t root, uint64_t va, uint64_t pa,
                          unsigned rights, const char *name)
{
    if (!arch_boot_map_user(mem, root, va, pa, rights))
        refuse("cannot map the root task '%s' at 0x%lx (out of memory)", name, va);
}

static void load_segment(struct memmap *mem, uint64_t root, const uint8_t *file,
                         const struct elf_segment *s, const char *name)
{
    unsigned rights = MAP_READ | ((s->flags & ELF_PF_W) ? MAP_WRITE : 0) |
                      ((s->flags & ELF_PF_X) ? MAP_EXEC : 0);
    uint64_t file_end = s->vaddr + s->filesz;
    for (uint64_t va = align_down(s->vaddr, MICA_PAGE_SIZE); va < s->vaddr + s->memsz;
         va += MICA_PAGE_SIZE) {
        uint64_t pa = alloc_zeroed(mem, MICA_PAGE_SIZE, name);
        /* The part of this page backed by file bytes: [lo, hi). */
        uint64_t lo = va > s->vaddr ? va : s->vaddr;
        uint64_t hi = va + MICA_PAGE_SIZE < file_end ? va + MICA_PAGE_SIZE : file_end;
        if (lo < hi)
            memcpy((uint8_t *)arch_phys_to_virt(pa) + (lo - va), file + s->offset + (lo - s->vaddr),
                   hi - lo);
        map_or_refuse(mem, root, va, pa, rights, name);
    }
}

/* Where map_modules() put module i (0: not mapped). */
static uint64_t module_vaddr[BOOT_MAX_MODULES];

/* Map the other modules read-only into the root task, so it can read the
 * programs and data it was given (they stay reserved, never untyped). */
static void map_modules(struct memmap *mem, uint64_t root, const struct boot_params *bp,
                        const char *name)
{
    uint64_t va = MICA_ROOT_MODULES;
    for (unsigned i = 1; i < bp->n_modules && i <= MICA_BOOTINFO_MAX_MODULES; i++) {
        const struct boot_module *m = &bp->modules[i];
        uint64_t pages = align_up(m->size, MICA_PAGE_SIZE) / MICA_PAGE_SIZE;
        if (!m->size || !is_aligned(m->paddr, MICA_PAGE_SIZE) ||
            pages * MICA_PAGE_SIZE > MICA_ROOT_MODULES_END - va) {
            kprintf("mica: warning: boot module %u ('%s') not mapped for the root task "
                    "(empty, unaligned or too large)\n", i, m->cmdline);
            continue;
        }
        module_vaddr[i] = va;
        for (uint64_t p = 0; p < pages; p++)
            map_or_refuse(mem, root, va + p * MICA_PAGE_SIZE, m->paddr + p * MICA_PAGE_SIZE,
                          MAP_READ, name);
        va += (pages + 1) * MICA_PAGE_SIZE;
    }
}

struct untyped_list {
    struct mica_bootinfo *bi;
    uint64_t dropped;
    uint8_t flags; /* MICA_UNTYPED_DEVICE for device memory */
};

static bool add_untyped(void *ctx, uint64_t paddr, unsigned size_bits)
{
    struct untyped_list *l = ctx;
    if (l->bi->n_untyped == MICA_BOOTINFO_MAX_UNTYPED) {
        l->dropped += BIT(size_bits);
        return true;
    }
    l->bi->untyped[l->bi->n_untyped++] = (struct mica_bootinfo_untyped){
        .paddr = paddr, .size_bits = (uint8_t)size_bits, .flags = l->flags,
    };
    if (!l->flags)
        l->bi->ram_free += BIT(size_bits);
    return true;
}

static void fill_bootinfo(struct mica_bootinfo *bi, const struct boot_params *bp)
{
    bi->magic = MICA_BOOTINFO_MAGIC;
    bi->version = MICA_BOOTINFO_VERSION;
    bi->size = sizeof(*bi);
    bi->ipc_buffer = MICA_ROOT_IPC_BUFFER;
    bi->stack_top = MICA_ROOT_STACK_TOP;
    bi->timer_hz = arch_timer_hz();
    bi->cpu_protections = arch_cpu_protections();
    platform_bootinfo(&bi->platform);
    strlcpy(bi->cmdline, cmdline_args(bp->modules[0].cmdline), sizeof(bi->cmdline));
    strlcpy(bi->kernel_cmdline, bp->cmdline, sizeof(bi->kernel_cmdline));
    for (unsigned i = 1; i < bp->n_modules && bi->n_modules < MICA_BOOTINFO_MAX_MODULES; i++) {
        struct mica_bootinfo_module *m = &bi->modules[bi->n_modules++];
        m->paddr = bp->modules[i].paddr;
        m->size = bp->modules[i].size;
        m->vaddr = module_vaddr[i];
        strlcpy(m->cmdline, bp->modules[i].cmdline, sizeof(m->cmdline));
    }

    bi->root_cnode_bits = MICA_ROOT_CNODE_BITS;
    bi->slot_untyped_first = MICA_CAP_FIRST_DYNAMIC;

    /* Last: whatever RAM is still free becomes untyped. */
    struct untyped_list l = { bi, 0, 0 };
    const struct memmap *mem = bp->mem;
    for (unsigned i = 0; i < mem->n_free; i++)
        memmap_split_pow2(mem->free[i].base, mem->free[i].end, 47, add_untyped, &l);
    l.flags = MICA_UNTYPED_DEVICE; /* then the device windows, after all RAM */
    for (unsigned i = 0; bp->device && i < bp->device->n_free; i++)
        memmap_split_pow2(bp->device->free[i].base, bp->device->free[i].end, 47, add_untyped, &l);
    if (l.dropped)
        kprintf("mica: warning: boot info holds %u untyped regions; %lu KiB left unused\n",
                MICA_BOOTINFO_MAX_UNTYPED, l.dropped / 1024);
    bi->ram_total = bp->ram_total;
    bi->ram_kernel = bp->ram_total - bi->ram_free;
    bi->slot_empty_first = bi->slot_untyped_first + bi->n_untyped;
    bi->slot_empty_end = 1ull << MICA_ROOT_CNODE_BITS;
}

/* Capabilities of the initial CSpace (fixed slots: include/mica/bootinfo.h). */
static void fill_cspace(struct cte *slots, struct tcb *t, uint64_t tcb_pa, uint64_t cnode_pa, uint64_t vspace,
                        uint64_t ipc_pa, uint64_t bi_pa, const struct mica_bootinfo *bi)
{
    uint64_t asid = asid_assign(vspace);
    const struct cap caps[] = {
        [MICA_CAP_INIT_TCB] = { .type = CAP_TCB, .rights = MICA_RIGHTS_ALL, .paddr = tcb_pa },
        /* Guard: the top 64 - radix bits of a CPtr must be zero, so a CPtr
         * is just a slot number. */
        [MICA_CAP_INIT_CNODE] = { .type = CAP_CNODE, .rights = MICA_RIGHTS_ALL,
                                  .size_bits = MICA_ROOT_CNODE_BITS,
                                  .guard_bits = 64 - MICA_ROOT_CNODE_BITS, .paddr = cnode_pa },
        [MICA_CAP_INIT_VSPACE] = { .type = CAP_VSPACE, .rights = MICA_RIGHTS_ALL, .paddr = vspace,
                                   .word1 = asid },
        [MICA_CAP_INIT_IPC_BUFFER] = { .type = CAP_FRAME, .rights = MICA_RIGHTS_ALL,
                                       .size_bits = MICA_PAGE_BITS, .paddr = ipc_pa,
                                       .word1 = MICA_ROOT_IPC_BUFFER, .word2 = asid },
        [MICA_CAP_BOOTINFO_FRAME] = { .type = CAP_FRAME, .rights = MICA_RIGHT_READ,
                                      .size_bits = MICA_PAGE_BITS, .paddr = bi_pa,
                                      .word1 = MICA_ROOT_BOOTINFO, .word2 = asid },
        [MICA_CAP_IRQ_CONTROL] = { .type = CAP_IRQ_CONTROL, .rights = MICA_RIGHTS_ALL },
        [MICA_CAP_IOPORT_CONTROL] = { .type = CAP_IOPORT_CONTROL, .rights = MICA_RIGHTS_ALL },
        [MICA_CAP_IOSPACE_CONTROL] = { .type = CAP_IOSPACE_CONTROL, .rights = MICA_RIGHTS_ALL },
    };
    for (unsigned i = 1; i < ARRAY_SIZE(caps); i++)
        cte_insert(0, &slots[i], &caps[i]);
    for (unsigned i = 0; i < bi->n_untyped; i++) {
        struct cap u = { .type = CAP_UNTYPED, .rights = MICA_RIGHTS_ALL,
                         .size_bits = bi->untyped[i].size_bits, .paddr = bi->untyped[i].paddr,
                         .flags = (bi->untyped[i].flags & MICA_UNTYPED_DEVICE) ? CAP_FLAG_DEVICE : 0 };
        cte_insert(0, &slots[bi->slot_untyped_first + i], &u);
    }
    /* The thread's own slots hold copies (children) of its CSpace, VSpace
     * and IPC-buffer caps. */
    cte_insert(&slots[MICA_CAP_INIT_CNODE], &t->slots[TCB_SLOT_CSPACE], &caps[MICA_CAP_INIT_CNODE]);
    cte_insert(&slots[MICA_CAP_INIT_VSPACE], &t->slots[TCB_SLOT_VSPACE], &caps[MICA_CAP_INIT_VSPACE]);
    /* Copies never carry a mapping: one mapping, one cap. */
    struct cap ipc_copy = caps[MICA_CAP_INIT_IPC_BUFFER];
    ipc_copy.word1 = ipc_copy.word2 = 0;
    cte_insert(&slots[MICA_CAP_INIT_IPC_BUFFER], &t->slots[TCB_SLOT_IPC_BUFFER], &ipc_copy);
}

const struct mica_bootinfo *rootserver_create(struct boot_params *bp, struct tcb **thread)
{
    char name[ROOT_NAME_MAX];
    struct elf_image img;

    if (bp->n_modules == 0)
        refuse("no root task: pass its ELF file as the first Multiboot module "
               "(QEMU: -initrd FILE)");
    const struct boot_module *mod = &bp->modules[0];
    program_name(mod->cmdline, name, sizeof(name));
    if (mod->size == 0)
        refuse("root task module '%s' is empty", name);

    const uint8_t *file = arch_phys_to_virt(mod->paddr);
    enum elf_error err = elf_parse(file, mod->size, MICA_USER_MIN, MICA_ROOT_AREA, &img);
    if (err != ELF_OK && img.bad_index >= 0)
        refuse("root task module '%s' (%lu bytes) refused: %s (program header %d, value 0x%lx)",
               name, mod->size, elf_strerror(err), img.bad_index, img.bad_value);
    if (err != ELF_OK && img.bad_value)
        refuse("root task module '%s' (%lu bytes) refused: %s (value 0x%lx)", name, mod->size,
               elf_strerror(err), img.bad_value);
    if (err != ELF_OK)
        refuse("root task module '%s' (%lu bytes) refused: %s", name, mod->size, elf_strerror(err));

    uint64_t root = arch_boot_vspace_create(bp->mem);
    if (!root)
        refuse("out of memory for the address space of '%s'", name);
    /* Boot info first, so its page-table pages are allocated before the
     * free memory is turned into the untyped list. */
    uint64_t bi_pa = alloc_zeroed(bp->mem, sizeof(struct mica_bootinfo), name);
    for (uint64_t i = 0; i < MICA_BOOTINFO_PAGES; i++)
        map_or_refuse(bp->mem, root, MICA_ROOT_BOOTINFO + i * MICA_PAGE_SIZE,
                      bi_pa + i * MICA_PAGE_SIZE, MAP_READ, name);
    for (unsigned i = 0; i < img.n_segments; i++)
        load_segment(bp->mem, root, file, &img.seg[i], name);
    for (uint64_t i = 1; i <= MICA_ROOT_STACK_PAGES; i++)
        map_or_refuse(bp->mem, root, MICA_ROOT_STACK_TOP - i * MICA_PAGE_SIZE,
                      alloc_zeroed(bp->mem, MICA_PAGE_SIZE, name), MAP_READ | MAP_WRITE, name);
    map_modules(bp->mem, root, bp, name);
    uint64_t ipc_pa = alloc_zeroed(bp->mem, MICA_PAGE_SIZE, name);
    map_or_refuse(bp->mem, root, MICA_ROOT_IPC_BUFFER, ipc_pa, MAP_READ | MAP_WRITE, name);
    uint64_t cnode_bytes = (1ull << MICA_ROOT_CNODE_BITS) << MICA_SLOT_BITS;
    uint64_t cnode_pa = memmap_alloc(bp->mem, cnode_bytes, cnode_bytes, UINT64_MAX);
    if (!cnode_pa)
        refuse("out of memory for the root CNode of '%s'", name);
    memset(arch_phys_to_virt(cnode_pa), 0, cnode_bytes);

    uint64_t tcb_pa = alloc_zeroed(bp->mem, 1ull << MICA_TCB_BITS, name);
    struct tcb *t = *thread = arch_phys_to_virt(tcb_pa);

    struct mica_bootinfo *bi = arch_phys_to_virt(bi_pa);
    fill_bootinfo(bi, bp);

    tcb_init(t, name, root);
    t->priority = t->mcp = MICA_ROOT_PRIORITY;
    t->ipc_buffer = MICA_ROOT_IPC_BUFFER;
    fill_cspace(arch_phys_to_virt(cnode_pa), t, tcb_pa, cnode_pa, root, ipc_pa, bi_pa, bi);
    arch_context_init_user(&t->ctx, img.entry, MICA_ROOT_STACK_TOP, MICA_ROOT_BOOTINFO);
    t->state = THREAD_RUNNABLE;
    kprintf("root task: '%s', entry 0x%lx, %u segments\n", name, img.entry, img.n_segments);
    return bi;
}
