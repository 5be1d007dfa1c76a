/*
 * x86_64 4-level paging.
 *
 * The kernel half of every address space is shared: PML4 entries 256-511
 * are created once at boot (direct map of RAM at DIRECT_MAP_BASE, kernel
 * image at KERNEL_VBASE) and copied into each new address space, so they
 * never change afterwards. The kernel image is mapped with per-section
 * rights: text read+execute, rodata read-only, data and bss read+write, all
 * non-executable except text. Layout: docs/boot.md.
 */
#include "asm.h"
#include "cpu.h"
#include "x86.h"
#include <arch.h>
#include <bits.h>
#include <kstring.h>
#include <mica/layout.h>
#include <mica/types.h>
#include <mica/vspace.h>
#include <console.h>
#include <panic.h>

#define PTE_P    (1ull << 0)
#define PTE_W    (1ull << 1)
#define PTE_U    (1ull << 2)
#define PTE_PWT  (1ull << 3)
#define PTE_PCD  (1ull << 4)
#define PTE_PS   (1ull << 7)
#define PTE_G    (1ull << 8)
#define PTE_NX   (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

#define BOOT_WINDOW_LIMIT (1ull << 30) /* the boot page table maps 1 GiB */
#define LARGE_PAGE (1ull << 21)

static uint64_t kernel_pml4[512] __attribute__((aligned(4096)));
uint64_t arch_phys_window = KERNEL_VBASE; /* DIRECT_MAP_BASE once paging_init is done */
static struct memmap *boot_mem;             /* page-table memory, at boot only */

uint64_t arch_kernel_virt_to_phys(const void *p)
{
    return (uint64_t)p - KERNEL_VBASE;
}

uint64_t paging_kernel_root(void)
{
    return arch_kernel_virt_to_phys(kernel_pml4);
}

static unsigned pt_index(uint64_t vaddr, unsigned level)
{
    return (vaddr >> (12 + 9 * level)) & 511;
}

static uint64_t *alloc_table(struct memmap *mem)
{
    uint64_t pa = memmap_alloc(mem, MICA_PAGE_SIZE, MICA_PAGE_SIZE, BOOT_WINDOW_LIMIT);
    if (!pa)
        return 0;
    uint64_t *t = arch_phys_to_virt(pa);
    memset(t, 0, MICA_PAGE_SIZE);
    return t;
}

/*
 * Return the table `level` (2 = PDPT .. 0 = PT) that covers vaddr below the
 * given top table, creating missing tables when mem is non-NULL. NULL if a
 * table is missing (or memory ran out, or a large page is in the way).
 */
static uint64_t *walk(uint64_t *pml4, uint64_t vaddr, unsigned level, struct memmap *mem,
                      uint64_t table_flags)
{
    uint64_t *table = pml4;
    for (unsigned l = 3; l > level; l--) {
        uint64_t *e = &table[pt_index(vaddr, l)];
        if (!(*e & PTE_P)) {
            uint64_t *next = mem ? alloc_table(mem) : 0;
            if (!next)
                return 0;
            *e = (((uint64_t)next - arch_phys_window) & PTE_ADDR) | table_flags;
        } else if (*e & PTE_PS) {
            return 0;
        }
        table = arch_phys_to_virt(*e & PTE_ADDR);
    }
    return table;
}

static void map_kernel_page(uint64_t vaddr, uint64_t paddr, uint64_t flags, unsigned level)
{
    uint64_t *t = walk(kernel_pml4, vaddr, level, boot_mem, PTE_P | PTE_W);
    if (!t)
        panic("out of boot memory for kernel page tables at %p", (void *)vaddr);
    t[pt_index(vaddr, level)] = (paddr & PTE_ADDR) | flags | (level ? PTE_PS : 0);
}

/* The physical range of the kernel's text and rodata: read-only in every
 * mapping of it, the direct map included. */
static uint64_t image_ro_start(void) { return (uint64_t)_kernel_start - KERNEL_VBASE; }
static uint64_t image_ro_end(void) { return (uint64_t)_rodata_end - KERNEL_VBASE; }

/* All RAM, read-write and never executable, except the kernel's text and
 * rodata, which are read-only here too (4 KiB pages around them). */
static void map_direct(const struct memmap *ram)
{
    const uint64_t flags = PTE_P | PTE_W | PTE_G | PTE_NX;
    for (unsigned i = 0; i < ram->n_free; i++) {
        uint64_t pa = ram->free[i].base, end = ram->free[i].end;
        while (pa < end) {
            if (is_aligned(pa, LARGE_PAGE) && end - pa >= LARGE_PAGE &&
                !ranges_overlap(pa, pa + LARGE_PAGE, image_ro_start(), image_ro_end())) {
                map_kernel_page(DIRECT_MAP_BASE + pa, pa, flags, 1);
                pa += LARGE_PAGE;
            } else {
                bool ro = pa >= image_ro_start() && pa < image_ro_end();
                map_kernel_page(DIRECT_MAP_BASE + pa, pa, ro ? flags & ~PTE_W : flags, 0);
                pa += MICA_PAGE_SIZE;
            }
        }
    }
}

/*
 * Check the kernel half as built (docs/security.md): no page is both
 * writable and executable, no page is user-accessible, and the kernel's
 * text and rodata are writable through no mapping. A violation is a
 * kernel bug: refuse to go on.
 */
static void audit_kernel_mappings(void)
{
    uint64_t leaves = 0;
    for (unsigned i = 256; i < 512; i++) {
        /* A depth-first walk with explicit indices: 4 levels at most. */
        uint64_t *tables[4] = { 0, 0, 0, kernel_pml4 };
        unsigned idx[4] = { 0, 0, 0, i };
        unsigned l = 3;
        for (;;) {
            uint64_t e = tables[l][idx[l]];
            uint64_t va = 0;
            if (e & PTE_P) {
                if (e & PTE_U)
                    panic("kernel mapping audit: user-accessible entry 0x%lx", e);
                if (l > 0 && !(e & PTE_PS)) {
                    l--;
                    tables[l] = arch_phys_to_virt(e & PTE_ADDR);
                    idx[l] = 0;
                    continue;
                }
                for (unsigned k = 3; k > l; k--)
                    va |= (uint64_t)idx[k] << (12 + 9 * k);
                va |= (uint64_t)idx[l] << (12 + 9 * l);
                va |= 0xffff000000000000ull;
                uint64_t pa = e & PTE_ADDR & ~MASK(12 + 9 * l), size = 1ull << (12 + 9 * l);
                if ((e & PTE_W) && !(e & PTE_NX))
                    panic("kernel mapping audit: writable and executable at %p", (void *)va);
                if ((e & PTE_W) && ranges_overlap(pa, pa + size, image_ro_start(), image_ro_end()))
                    panic("kernel mapping audit: kernel text/rodata writable at %p", (void *)va);
                leaves++;
            }
            while (++idx[l] == 512 && l < 3)
                l++;
            if (l == 3)
                break;
        }
    }
    kprintf("mica: kernel mappings checked: %lu pages, none writable and executable, "
            "text and rodata read-only in every mapping\n", leaves);
}

static void map_kernel_image(void)
{
    for (uint64_t va = (uint64_t)_kernel_start; va < (uint64_t)_kernel_end; va += MICA_PAGE_SIZE) {
        uint64_t flags = PTE_P | PTE_G;
        if (va >= (uint64_t)_text_end)
            flags |= PTE_NX;
        if (va >= (uint64_t)_rodata_end)
            flags |= PTE_W;
        map_kernel_page(va, va - KERNEL_VBASE, flags, 0);
    }
}

void paging_init(const struct memmap *ram, struct memmap *mem)
{
    boot_mem = mem;
    /* Pre-create every kernel-half PDPT so user address spaces can share them. */
    for (unsigned i = 256; i < 512; i++) {
        uint64_t *t = alloc_table(mem);
        if (!t)
            panic("out of boot memory for kernel page tables");
        kernel_pml4[i] = ((uint64_t)t - arch_phys_window) | PTE_P | PTE_W;
    }
    map_direct(ram);
    map_kernel_image();
    write_cr4(read_cr4() | CR4_PGE);
    write_cr3(paging_kernel_root());
    arch_phys_window = DIRECT_MAP_BASE;
    audit_kernel_mappings();
}

void *paging_map_mmio(uint64_t paddr)
{
    uint64_t va = DIRECT_MAP_BASE + align_down(paddr, MICA_PAGE_SIZE);
    map_kernel_page(va, paddr, PTE_P | PTE_W | PTE_PCD | PTE_PWT | PTE_G | PTE_NX, 0);
    invlpg(va);
    return (void *)(va + (paddr & (MICA_PAGE_SIZE - 1)));
}

/* Physical addresses the direct-map window can show: PML4 slots 256-383,
 * far below the kernel image's slot 511. */
#define DIRECT_MAP_LIMIT (1ull << 46)

/* The kernel-half entry that maps va (a 4 KiB or a 2 MiB page), or 0. */
static uint64_t kernel_leaf(uint64_t va)
{
    uint64_t *table = kernel_pml4;
    for (unsigned l = 3;; l--) {
        uint64_t e = table[pt_index(va, l)];
        if (!(e & PTE_P))
            return 0;
        if (l == 0 || (e & PTE_PS))
            return e;
        table = arch_phys_to_virt(e & PTE_ADDR);
    }
}

static bool kernel_page_present(uint64_t va)
{
    return kernel_leaf(va) != 0;
}

/* Is the page at pa RAM, i.e. in the direct map as ordinary cacheable
 * memory? Device registers, firmware tables and anything outside RAM are
 * not: the kernel must never read them on a thread's behalf (a read can
 * have side effects, or fault). */
static bool direct_map_ram(uint64_t pa)
{
    if (pa >= DIRECT_MAP_LIMIT)
        return false;
    uint64_t e = kernel_leaf(DIRECT_MAP_BASE + pa);
    return e && !(e & (PTE_PCD | PTE_PWT));
}

/*
 * Boot only (page tables come from the boot allocator): make the physical
 * range [paddr, paddr + len) readable at its direct-map address, for
 * firmware tables that lie outside RAM (ACPI). Pages the direct map
 * already covers stay as they are; the others are mapped read-only,
 * non-executable and uncached, so a firmware table that shares a page
 * with device registers never gives that page a cached alias. Returns
 * the virtual address of paddr, or NULL if the range wraps, lies beyond
 * the direct-map window, or page-table memory ran out.
 */
void *paging_map_boot(uint64_t paddr, uint64_t len)
{
    uint64_t end;
    if (!boot_mem || len == 0 || add_overflows(paddr, len, &end) || end > DIRECT_MAP_LIMIT)
        return 0;
    for (uint64_t pa = align_down(paddr, MICA_PAGE_SIZE); pa < end; pa += MICA_PAGE_SIZE) {
        uint64_t va = DIRECT_MAP_BASE + pa;
        if (kernel_page_present(va))
            continue;
        uint64_t *t = walk(kernel_pml4, va, 0, boot_mem, PTE_P | PTE_W);
        if (!t)
            return 0;
        t[pt_index(va, 0)] = pa | PTE_P | PTE_G | PTE_NX | PTE_PCD | PTE_PWT;
    }
    return arch_phys_to_virt(paddr);
}

void arch_vspace_init(uint64_t paddr)
{
    uint64_t *root = arch_phys_to_virt(paddr);
    for (unsigned i = 256; i < 512; i++)
        root[i] = kernel_pml4[i];
}

uint64_t arch_boot_vspace_create(struct memmap *mem)
{
    uint64_t *root = alloc_table(mem);
    if (!root)
        return 0;
    uint64_t paddr = (uint64_t)root - arch_phys_window;
    arch_vspace_init(paddr);
    return paddr;
}

bool arch_boot_map_user(struct memmap *mem, uint64_t root, uint64_t vaddr, uint64_t paddr,
                        unsigned rights)
{
    if (vaddr < MICA_USER_MIN || vaddr >= MICA_USER_TOP || !is_aligned(vaddr, MICA_PAGE_SIZE))
        return false;
    uint64_t *pt = walk(arch_phys_to_virt(root), vaddr, 0, mem, PTE_P | PTE_W | PTE_U);
    if (!pt || (pt[pt_index(vaddr, 0)] & PTE_P))
        return false;
    uint64_t flags = PTE_P | PTE_U;
    if (rights & MAP_WRITE)
        flags |= PTE_W;
    if (!(rights & MAP_EXEC))
        flags |= PTE_NX;
    pt[pt_index(vaddr, 0)] = (paddr & PTE_ADDR) | flags;
    return true;
}

/* Physical address of a user-readable page, or 0. */
static uint64_t user_page(uint64_t root, uint64_t vaddr)
{
    uint64_t *table = arch_phys_to_virt(root);
    if (vaddr >= MICA_USER_TOP)
        return 0;
    for (unsigned l = 3;; l--) {
        uint64_t e = table[pt_index(vaddr, l)];
        if ((e & (PTE_P | PTE_U)) != (PTE_P | PTE_U))
            return 0;
        if (l == 0)
            return e & PTE_ADDR;
        if (e & PTE_PS) /* large page at this level */
            return (e & PTE_ADDR & ~MASK(12 + 9 * l)) + (vaddr & MASK(12 + 9 * l) & ~MASK(12));
        table = arch_phys_to_virt(e & PTE_ADDR);
    }
}

/*
 * The one way the kernel reads user memory: walk the thread's page tables,
 * then copy through the direct map (never through the user address, so
 * SMAP stays on). Only RAM is copied: a page mapped from device memory is
 * refused like an unmapped one.
 */
bool arch_copy_from_user(uint64_t root, void *buf, uint64_t uaddr, size_t len)
{
    uint8_t *dst = buf;
    while (len) {
        uint64_t pa = user_page(root, uaddr);
        if (!pa || !direct_map_ram(pa))
            return false;
        uint64_t off = uaddr & (MICA_PAGE_SIZE - 1);
        size_t n = MICA_PAGE_SIZE - off < len ? MICA_PAGE_SIZE - off : len;
        memcpy(dst, arch_phys_to_virt(pa + off), n);
        dst += n;
        uaddr += n;
        len -= n;
    }
    return true;
}

/* ------------------------------------------------ user page-table access */

uint64_t *arch_pt_slot(uint64_t root, uint64_t vaddr, unsigned level, unsigned *missing)
{
    uint64_t *table = arch_phys_to_virt(root);
    for (unsigned l = 3; l > level; l--) {
        uint64_t e = table[pt_index(vaddr, l)];
        if (!(e & PTE_P) || (e & PTE_PS)) {
            *missing = l - 1;
            return 0;
        }
        table = arch_phys_to_virt(e & PTE_ADDR);
    }
    return &table[pt_index(vaddr, level)];
}

uint64_t arch_pte_addr(uint64_t e)
{
    /* The kernel never sets PAT bits, so bit 12 is an address bit even in
     * a large-page entry (where it would otherwise select the PAT). */
    return e & PTE_ADDR;
}

uint64_t arch_pte_table(uint64_t paddr)
{
    return (paddr & PTE_ADDR) | PTE_P | PTE_W | PTE_U;
}

/*
 * Cache attributes use the power-on PAT (entries 0-3: WB, WT, UC-, UC), so
 * PWT selects write-through and PCD|PWT uncached without touching the PAT.
 */
uint64_t arch_pte_page(uint64_t paddr, unsigned level, unsigned map_rights, unsigned cache)
{
    uint64_t e = (paddr & PTE_ADDR) | PTE_P | PTE_U;
    if (map_rights & MICA_MAP_WRITE)
        e |= PTE_W;
    if (!(map_rights & MICA_MAP_EXEC))
        e |= PTE_NX;
    if (cache == MICA_CACHE_UNCACHED)
        e |= PTE_PCD | PTE_PWT;
    else if (cache == MICA_CACHE_WRITETHROUGH)
        e |= PTE_PWT;
    if (level)
        e |= PTE_PS;
    return e;
}

uint64_t arch_current_vspace(void)
{
    return read_cr3() & PTE_ADDR;
}

void arch_tlb_flush(uint64_t root, uint64_t vaddr)
{
    /* Without PCIDs, loading CR3 drops every other space's user entries, so
     * only the live address space can hold stale ones. */
    if (arch_current_vspace() != root)
        return;
    if (vaddr == ~0ull)
        write_cr3(read_cr3());
    else
        invlpg(vaddr);
}

void arch_vspace_release(uint64_t root)
{
    if (arch_current_vspace() == root)
        write_cr3(paging_kernel_root());
}
