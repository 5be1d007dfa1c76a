/*
 * badimage: damaged copies of a valid system image, for the boot tests
 * that check init refuses a bad image in one clear line before building
 * anything (servers/init/image.c, tests/boot/init-image-*.case).
 *
 *   badimage --list                  the kinds of damage, one per line
 *   badimage --all BASE.img DIR      DIR/KIND.img for every kind
 *   badimage KIND BASE.img OUT.img   one kind
 *
 * BASE.img is what tools/mksystem makes of tests/systems/base.system: a
 * valid image with at least one record in every table. Each kind breaks
 * one rule of the format (include/mica/system.h) that init checks, and
 * only that one, so the refusal a case expects is the one for that rule.
 * Every offset, record layout and limit comes from include/mica/system.h
 * (and the ELF structures from lib/elf/elf.h): nothing here repeats one,
 * so a change to the format changes the damaged images with it. The few
 * numbers written here are the damage itself (ISA IRQ 16, BAR 6, ...).
 *
 * A kind picks its victim by what the record is (the last PD, an MSI
 * irq, a pp channel end, ...), not by index: if the base system lacks
 * one, badimage says so and fails. The records a case's expected line
 * names are those of tests/systems/base.system.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <mica/cap.h>
#include <mica/device.h>
#include <mica/object.h>
#include <mica/system.h>
#include <mica/vspace.h>

#include "../../lib/elf/elf.h"

/* ------------------------------------------------------------ the image */

struct image {
    unsigned char *bytes;
    size_t size;        /* of the file; the header's image_size may say otherwise */
};

enum table_id {
    T_PROGRAMS, T_PDS, T_REGIONS, T_MAPS, T_CHANNELS, T_IRQS, T_IOPORTS, T_DEVICES, T_BARS,
    T_ENDPOINTS, T_ENDPOINT_ENDS, T_UNTYPEDS, T_COUNT
};

#define TABLE(field, type) { #field, offsetof(struct mica_sys_header, field), sizeof(type) }
static const struct {
    const char *name;
    size_t field;       /* of its struct mica_sys_table in the header */
    size_t entry;       /* sizeof its record */
} tables[T_COUNT] = {
    [T_PROGRAMS] = TABLE(programs, struct mica_sys_program),
    [T_PDS] = TABLE(pds, struct mica_sys_pd),
    [T_REGIONS] = TABLE(regions, struct mica_sys_region),
    [T_MAPS] = TABLE(maps, struct mica_sys_map),
    [T_CHANNELS] = TABLE(channels, struct mica_sys_channel),
    [T_IRQS] = TABLE(irqs, struct mica_sys_irq),
    [T_IOPORTS] = TABLE(ioports, struct mica_sys_ioport),
    [T_DEVICES] = TABLE(devices, struct mica_sys_device),
    [T_BARS] = TABLE(bars, struct mica_sys_bar),
    [T_ENDPOINTS] = TABLE(endpoints, struct mica_sys_endpoint),
    [T_ENDPOINT_ENDS] = TABLE(endpoint_ends, struct mica_sys_endpoint_end),
    [T_UNTYPEDS] = TABLE(untypeds, struct mica_sys_untyped),
};

static struct mica_sys_header *header(struct image *im)
{
    return (struct mica_sys_header *)im->bytes;
}

static struct mica_sys_table *table(struct image *im, enum table_id t)
{
    return (struct mica_sys_table *)(im->bytes + tables[t].field);
}

static uint32_t count(struct image *im, enum table_id t)
{
    return table(im, t)->count;
}

static void *record(struct image *im, enum table_id t, uint32_t i)
{
    return im->bytes + table(im, t)->offset + (size_t)i * tables[t].entry;
}

/* Typed records; pointers are good until the image grows (grow()). */
#define PROGRAM(im, i)  ((struct mica_sys_program *)record(im, T_PROGRAMS, i))
#define PD(im, i)       ((struct mica_sys_pd *)record(im, T_PDS, i))
#define REGION(im, i)   ((struct mica_sys_region *)record(im, T_REGIONS, i))
#define MAP(im, i)      ((struct mica_sys_map *)record(im, T_MAPS, i))
#define CHANNEL(im, i)  ((struct mica_sys_channel *)record(im, T_CHANNELS, i))
#define IRQ(im, i)      ((struct mica_sys_irq *)record(im, T_IRQS, i))
#define IOPORT(im, i)   ((struct mica_sys_ioport *)record(im, T_IOPORTS, i))
#define DEVICE(im, i)   ((struct mica_sys_device *)record(im, T_DEVICES, i))
#define BAR(im, i)      ((struct mica_sys_bar *)record(im, T_BARS, i))
#define ENDPOINT(im, i) ((struct mica_sys_endpoint *)record(im, T_ENDPOINTS, i))
#define END(im, i)      ((struct mica_sys_endpoint_end *)record(im, T_ENDPOINT_ENDS, i))
#define UNTYPED(im, i)  ((struct mica_sys_untyped *)record(im, T_UNTYPEDS, i))
#define LAST(im, t)     (count(im, t) - 1)

static size_t align_up(size_t v, size_t a)
{
    return (v + a - 1) / a * a;
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) {
        fprintf(stderr, "badimage: out of memory (%zu bytes)\n", n);
        exit(1);
    }
    return p;
}

/* Move table t to the end of the image with n more records, each a copy
 * of record `from`; the image grows to hold it. Returns the index of the
 * first new record. */
static uint32_t grow(struct image *im, enum table_id t, uint32_t n, uint32_t from)
{
    struct mica_sys_table old = *table(im, t);
    size_t entry = tables[t].entry;
    size_t at = align_up(im->size, 8);
    size_t size = at + ((size_t)old.count + n) * entry;
    im->bytes = xrealloc(im->bytes, size);
    memset(im->bytes + im->size, 0, size - im->size);
    memcpy(im->bytes + at, im->bytes + old.offset, old.count * entry);
    for (uint32_t i = 0; i < n; i++)
        memcpy(im->bytes + at + (old.count + i) * entry, im->bytes + old.offset + from * entry,
               entry);
    table(im, t)->offset = (uint32_t)at;
    table(im, t)->count = old.count + n;
    im->size = size;
    header(im)->image_size = size;
    return old.count;
}

/* Names: without their NUL, with a character the tool never writes. */
static void name_without_nul(char *name)
{
    size_t len = strnlen(name, MICA_SYS_NAME_MAX);
    memset(name + len, 'x', MICA_SYS_NAME_MAX - len);
}

static const char *name_with_slash(char *name)
{
    if (strnlen(name, MICA_SYS_NAME_MAX) < 3)
        return "the name to damage is shorter than 3 characters";
    name[2] = '/';
    return NULL;
}

/* The program's ELF headers, checked enough to edit them. */
static struct elf64_ehdr *program_elf(struct image *im, uint32_t i, struct elf64_phdr **ph)
{
    struct mica_sys_program *p = PROGRAM(im, i);
    struct elf64_ehdr *eh = (struct elf64_ehdr *)(im->bytes + p->offset);
    if (p->size < sizeof(*eh) || memcmp(eh->e_ident, "\177ELF", 4) ||
        eh->e_phentsize != sizeof(**ph) || eh->e_phoff > p->size ||
        eh->e_phnum > (p->size - eh->e_phoff) / sizeof(**ph))
        return NULL;
    *ph = (struct elf64_phdr *)((unsigned char *)eh + eh->e_phoff);
    return eh;
}

/* ------------------------------------------------------------ kinds */

/* Each returns NULL, or why the base image cannot be damaged that way. */
typedef const char *damage_fn(struct image *im);

/* --- the header and the file */

static const char *bad_magic(struct image *im)
{
    header(im)->magic ^= 0xffull << 56; /* "MICA.SY\xac": init takes it for another module */
    return NULL;
}

static const char *bad_version(struct image *im)
{
    header(im)->version = MICA_SYS_VERSION + 1;
    return NULL;
}

static const char *bad_header_size(struct image *im)
{
    header(im)->header_size = sizeof(struct mica_sys_header) - 8;
    return NULL;
}

static const char *image_size_large(struct image *im)
{
    header(im)->image_size = im->size + 1;
    return NULL;
}

static const char *truncated(struct image *im)
{
    im->size -= 1;
    return NULL;
}

static const char *shorter_than_header(struct image *im)
{
    im->size = sizeof(struct mica_sys_header) - 1;
    return NULL;
}

static const char *image_size_below_header(struct image *im)
{
    header(im)->image_size = sizeof(struct mica_sys_header) - 1;
    return NULL;
}

/* image_size ends where the programs begin: every table still fits. */
static const char *image_size_without_programs(struct image *im)
{
    uint64_t first = im->size;
    for (uint32_t i = 0; i < count(im, T_PROGRAMS); i++)
        if (PROGRAM(im, i)->offset < first)
            first = PROGRAM(im, i)->offset;
    for (int t = 0; t < T_COUNT; t++) {
        const struct mica_sys_table *tb = table(im, t);
        if (tb->offset + (uint64_t)tb->count * tables[t].entry > first)
            return "a table lies after the first program";
    }
    header(im)->image_size = first;
    return NULL;
}

static const char *system_name_without_nul(struct image *im)
{
    name_without_nul(header(im)->name);
    return NULL;
}

/* --- tables */

static const char *table_overlaps_header(struct image *im)
{
    table(im, T_CHANNELS)->offset = 0;
    return NULL;
}

/* The last table ends 8 bytes past the image: the smallest overrun that
 * keeps the table aligned. */
static const char *table_past_end(struct image *im)
{
    struct mica_sys_table *tb = table(im, T_UNTYPEDS);
    size_t bytes = (size_t)tb->count * tables[T_UNTYPEDS].entry;
    tb->offset = (uint32_t)(align_up(im->size, 8) - bytes + 8);
    return NULL;
}

static const char *table_count_overflow(struct image *im)
{
    table(im, T_MAPS)->count = UINT32_MAX; /* offset + count * size overflows 32 bits */
    return NULL;
}

static const char *table_misaligned(struct image *im)
{
    table(im, T_PDS)->offset += 4;
    return NULL;
}

static const char *entry_size(struct image *im)
{
    table(im, T_IRQS)->entry_size -= 8; /* as an image from before a field was added */
    return NULL;
}

/* --- programs */

static const char *no_programs(struct image *im)
{
    table(im, T_PROGRAMS)->count = 0;
    return NULL;
}

static const char *program_name_control_char(struct image *im)
{
    PROGRAM(im, LAST(im, T_PROGRAMS))->name[1] = '\x01';
    return NULL;
}

static const char *program_outside(struct image *im)
{
    struct mica_sys_program *p = PROGRAM(im, LAST(im, T_PROGRAMS));
    p->size = header(im)->image_size - p->offset + 1;
    return NULL;
}

static const char *program_in_header(struct image *im)
{
    PROGRAM(im, LAST(im, T_PROGRAMS))->offset = 0;
    return NULL;
}

static const char *program_empty(struct image *im)
{
    PROGRAM(im, LAST(im, T_PROGRAMS))->size = 0;
    return NULL;
}

static const char *program_not_elf(struct image *im)
{
    struct mica_sys_program *p = PROGRAM(im, LAST(im, T_PROGRAMS));
    memcpy(im->bytes + p->offset, "TEXT", 4);
    return NULL;
}

/* The program record ends after the ELF program headers: its segments'
 * bytes are outside what init may read as the program. */
static const char *program_cut(struct image *im)
{
    uint32_t i = LAST(im, T_PROGRAMS);
    struct elf64_phdr *ph;
    struct elf64_ehdr *eh = program_elf(im, i, &ph);
    if (!eh)
        return "its last program is not an ELF file";
    uint64_t cut = eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(*ph);
    for (unsigned k = 0; k < eh->e_phnum; k++)
        if (ph[k].p_type == ELF_PT_LOAD && ph[k].p_offset + ph[k].p_filesz > cut) {
            PROGRAM(im, i)->size = cut;
            return NULL;
        }
    return "its last program has no segment data after its headers";
}

static const char *program_in_root_area(struct image *im)
{
    struct elf64_phdr *ph;
    struct elf64_ehdr *eh = program_elf(im, LAST(im, T_PROGRAMS), &ph);
    if (!eh)
        return "its last program is not an ELF file";
    for (int k = eh->e_phnum - 1; k >= 0; k--)
        if (ph[k].p_type == ELF_PT_LOAD && ph[k].p_memsz) {
            ph[k].p_vaddr = ph[k].p_paddr = MICA_ROOT_AREA;
            return NULL;
        }
    return "its last program has no loadable segment";
}

/* The whole program (segments and entry) moved to MICA_PD_HEAP: still a
 * valid executable, but where its PD's heap goes. */
static const char *program_over_heap(struct image *im)
{
    uint32_t i = LAST(im, T_PROGRAMS);
    struct elf64_phdr *ph;
    struct elf64_ehdr *eh = program_elf(im, i, &ph);
    if (!eh)
        return "its last program is not an ELF file";
    uint64_t low = UINT64_MAX;
    for (unsigned k = 0; k < eh->e_phnum; k++)
        if (ph[k].p_type == ELF_PT_LOAD && ph[k].p_memsz && ph[k].p_vaddr < low)
            low = ph[k].p_vaddr;
    if (low == UINT64_MAX)
        return "its last program has no loadable segment";
    uint64_t delta = MICA_PD_HEAP - (low & ~(MICA_PAGE_SIZE - 1));
    for (unsigned k = 0; k < eh->e_phnum; k++)
        if (ph[k].p_type == ELF_PT_LOAD) {
            ph[k].p_vaddr += delta;
            ph[k].p_paddr += delta;
        }
    eh->e_entry += delta;
    for (uint32_t k = 0; k < count(im, T_PDS); k++)
        if (PD(im, k)->program == i && PD(im, k)->heap_size)
            return NULL;
    return "no PD with a heap runs its last program";
}

/* --- PDs */

static const char *no_pds(struct image *im)
{
    table(im, T_PDS)->count = 0;
    return NULL;
}

static const char *too_many_pds(struct image *im)
{
    grow(im, T_PDS, MICA_SYS_MAX_PDS + 1 - count(im, T_PDS), LAST(im, T_PDS));
    return NULL;
}

static const char *pd_name_without_nul(struct image *im)
{
    name_without_nul(PD(im, LAST(im, T_PDS))->name);
    return NULL;
}

static const char *pd_name_with_slash(struct image *im)
{
    return name_with_slash(PD(im, LAST(im, T_PDS))->name);
}

static const char *pd_name_empty(struct image *im)
{
    memset(PD(im, LAST(im, T_PDS))->name, 0, MICA_SYS_NAME_MAX);
    return NULL;
}

static const char *pd_name_twice(struct image *im)
{
    if (count(im, T_PDS) < 2)
        return "it has fewer than 2 PDs";
    memcpy(PD(im, LAST(im, T_PDS))->name, PD(im, 0)->name, MICA_SYS_NAME_MAX);
    return NULL;
}

static const char *pd_program(struct image *im)
{
    PD(im, LAST(im, T_PDS))->program = count(im, T_PROGRAMS);
    return NULL;
}

static const char *pd_priority(struct image *im)
{
    PD(im, LAST(im, T_PDS))->priority = MICA_SYS_PRIORITY_MAX + 1;
    return NULL;
}

static const char *pd_stack_not_page_multiple(struct image *im)
{
    PD(im, LAST(im, T_PDS))->stack_size += 1;
    return NULL;
}

static const char *pd_stack_too_big(struct image *im)
{
    PD(im, LAST(im, T_PDS))->stack_size = MICA_SYS_STACK_MAX + MICA_PAGE_SIZE;
    return NULL;
}

static const char *pd_heap_too_big(struct image *im)
{
    PD(im, LAST(im, T_PDS))->heap_size = MICA_SYS_HEAP_MAX + MICA_PAGE_SIZE;
    return NULL;
}

/* --- regions and maps */

static const char *too_many_regions(struct image *im)
{
    grow(im, T_REGIONS, MICA_SYS_MAX_REGIONS + 1 - count(im, T_REGIONS), LAST(im, T_REGIONS));
    return NULL;
}

static const char *region_name_with_slash(struct image *im)
{
    return name_with_slash(REGION(im, LAST(im, T_REGIONS))->name);
}

static const char *region_page_size(struct image *im)
{
    REGION(im, LAST(im, T_REGIONS))->page_bits = MICA_FRAME_4K_BITS + 1;
    return NULL;
}

static const char *region_size(struct image *im)
{
    struct mica_sys_region *r = REGION(im, LAST(im, T_REGIONS));
    r->size += (1ull << r->page_bits) / 2;
    return NULL;
}

static const char *region_flags(struct image *im)
{
    REGION(im, LAST(im, T_REGIONS))->flags |= 1u << 31;
    return NULL;
}

/* An eager region of normal RAM, for the physical-address kinds. */
static struct mica_sys_region *ram_region(struct image *im)
{
    for (uint32_t i = count(im, T_REGIONS); i-- > 0;)
        if (!REGION(im, i)->flags)
            return REGION(im, i);
    return NULL;
}

static const char *region_phys_misaligned(struct image *im)
{
    struct mica_sys_region *r = ram_region(im);
    if (!r)
        return "it has no eager RAM region";
    r->flags = MICA_SYS_REGION_PHYS;
    r->paddr = 0xfe000000ull + (1ull << r->page_bits) / 2; /* only the alignment matters */
    return NULL;
}

/* Page-aligned, but paddr + size wraps past 2^64. */
static const char *region_phys_wraps(struct image *im)
{
    struct mica_sys_region *r = ram_region(im);
    if (!r)
        return "it has no eager RAM region";
    r->flags = MICA_SYS_REGION_PHYS;
    r->paddr = 0ull - (1ull << r->page_bits);
    if (r->size <= (1ull << r->page_bits))
        return "its RAM region is a single page";
    return NULL;
}

static const char *region_demand_phys(struct image *im)
{
    struct mica_sys_region *r = ram_region(im);
    if (!r)
        return "it has no eager RAM region";
    r->flags = MICA_SYS_REGION_DEMAND | MICA_SYS_REGION_PHYS;
    r->paddr = 0;
    return NULL;
}

static const char *map_name_without_nul(struct image *im)
{
    name_without_nul(MAP(im, LAST(im, T_MAPS))->name);
    return NULL;
}

static const char *map_pd(struct image *im)
{
    MAP(im, LAST(im, T_MAPS))->pd = count(im, T_PDS);
    return NULL;
}

static const char *map_region(struct image *im)
{
    MAP(im, LAST(im, T_MAPS))->region = count(im, T_REGIONS);
    return NULL;
}

static const char *map_misaligned(struct image *im)
{
    struct mica_sys_map *m = MAP(im, LAST(im, T_MAPS));
    m->vaddr += (1ull << REGION(im, m->region)->page_bits) / 2;
    return NULL;
}

static const char *map_not_readable(struct image *im)
{
    MAP(im, LAST(im, T_MAPS))->perms = MICA_MAP_WRITE;
    return NULL;
}

static const char *map_flags(struct image *im)
{
    MAP(im, LAST(im, T_MAPS))->flags |= 1u << 31;
    return NULL;
}

/* The map's last page reaches MICA_ROOT_AREA, where the PD's fixed layout is. */
static const char *map_into_root_area(struct image *im)
{
    struct mica_sys_map *m = MAP(im, LAST(im, T_MAPS));
    const struct mica_sys_region *r = REGION(im, m->region);
    m->vaddr = MICA_ROOT_AREA - r->size + (1ull << r->page_bits);
    return NULL;
}

static const char *map_over_heap(struct image *im)
{
    struct mica_sys_map *m = MAP(im, LAST(im, T_MAPS));
    if (!PD(im, m->pd)->heap_size)
        return "its last map's PD has no heap";
    m->vaddr = MICA_PD_HEAP;
    return NULL;
}

/* --- channels */

static const char *channel_pd(struct image *im)
{
    CHANNEL(im, LAST(im, T_CHANNELS))->end[1].pd = count(im, T_PDS);
    return NULL;
}

static const char *channel_flags(struct image *im)
{
    CHANNEL(im, LAST(im, T_CHANNELS))->end[1].flags |= 1u << 31;
    return NULL;
}

static const char *channel_one_pd(struct image *im)
{
    struct mica_sys_channel *c = CHANNEL(im, LAST(im, T_CHANNELS));
    c->end[1].pd = c->end[0].pd;
    return NULL;
}

static const char *channel_id(struct image *im)
{
    CHANNEL(im, LAST(im, T_CHANNELS))->end[0].id = MICA_CHANNEL_MAX;
    return NULL;
}

/* A second copy of the last channel: both its ends' ids are used twice. */
static const char *channel_id_twice(struct image *im)
{
    grow(im, T_CHANNELS, 1, LAST(im, T_CHANNELS));
    return NULL;
}

/* The end of the higher-priority PD (or either of equals) may call: calls must go up. */
static const char *channel_call_down(struct image *im)
{
    struct mica_sys_channel *c = CHANNEL(im, LAST(im, T_CHANNELS));
    unsigned k = PD(im, c->end[0].pd)->priority >= PD(im, c->end[1].pd)->priority ? 0 : 1;
    c->end[k].flags |= MICA_SYS_END_PP;
    return NULL;
}

/* --- irqs */

static const char *irq_name_without_nul(struct image *im)
{
    name_without_nul(IRQ(im, LAST(im, T_IRQS))->name);
    return NULL;
}

static const char *irq_pd(struct image *im)
{
    IRQ(im, LAST(im, T_IRQS))->pd = count(im, T_PDS);
    return NULL;
}

static const char *irq_id(struct image *im)
{
    IRQ(im, LAST(im, T_IRQS))->id = MICA_CHANNEL_MAX;
    return NULL;
}

/* An irq on the id of a channel end of its own PD. */
static const char *irq_id_twice(struct image *im)
{
    for (uint32_t i = count(im, T_IRQS); i-- > 0;)
        for (uint32_t c = 0; c < count(im, T_CHANNELS); c++)
            for (unsigned k = 0; k < 2; k++)
                if (CHANNEL(im, c)->end[k].pd == IRQ(im, i)->pd) {
                    IRQ(im, i)->id = CHANNEL(im, c)->end[k].id;
                    return NULL;
                }
    return "no PD has both an irq and a channel end";
}

static const char *irq_flags(struct image *im)
{
    IRQ(im, LAST(im, T_IRQS))->flags |= 1u << 31;
    return NULL;
}

static const char *irq_isa_number(struct image *im)
{
    for (uint32_t i = count(im, T_IRQS); i-- > 0;)
        if (IRQ(im, i)->kind == MICA_SYS_IRQ_ISA) {
            IRQ(im, i)->number = 16; /* ISA IRQs are 0 to 15 */
            return NULL;
        }
    return "it has no ISA irq";
}

static const char *irq_kind(struct image *im)
{
    IRQ(im, LAST(im, T_IRQS))->kind = 0;
    return NULL;
}

static int msi_irq(struct image *im)
{
    for (uint32_t i = count(im, T_IRQS); i-- > 0;)
        if (IRQ(im, i)->kind == MICA_SYS_IRQ_MSI)
            return (int)i;
    return -1;
}

static const char *irq_msi_device(struct image *im)
{
    int i = msi_irq(im);
    if (i < 0)
        return "it has no MSI irq";
    IRQ(im, (uint32_t)i)->number = count(im, T_DEVICES);
    return NULL;
}

/* An irq of a PD that does not own the device becomes that device's MSI. */
static const char *irq_msi_of_other_pd(struct image *im)
{
    for (uint32_t i = count(im, T_IRQS); i-- > 0;)
        for (uint32_t d = 0; d < count(im, T_DEVICES); d++)
            if (DEVICE(im, d)->pd != IRQ(im, i)->pd) {
                IRQ(im, i)->kind = MICA_SYS_IRQ_MSI;
                IRQ(im, i)->number = d;
                IRQ(im, i)->flags = 0;
                return NULL;
            }
    return "no irq belongs to a PD without a device";
}

/* A copy of the MSI irq on a free channel id of its PD. */
static const char *irq_msi_twice(struct image *im)
{
    int i = msi_irq(im);
    if (i < 0)
        return "it has no MSI irq";
    uint32_t pd = IRQ(im, (uint32_t)i)->pd;
    uint64_t used = 0;
    for (uint32_t q = 0; q < count(im, T_IRQS); q++)
        if (IRQ(im, q)->pd == pd && IRQ(im, q)->id < 64)
            used |= 1ull << IRQ(im, q)->id;
    for (uint32_t c = 0; c < count(im, T_CHANNELS); c++)
        for (unsigned k = 0; k < 2; k++)
            if (CHANNEL(im, c)->end[k].pd == pd && CHANNEL(im, c)->end[k].id < 64)
                used |= 1ull << CHANNEL(im, c)->end[k].id;
    unsigned id = 0;
    while (id < MICA_CHANNEL_MAX && (used & (1ull << id)))
        id++;
    if (id == MICA_CHANNEL_MAX)
        return "its MSI irq's PD has no free channel id";
    uint32_t copy = grow(im, T_IRQS, 1, (uint32_t)i);
    IRQ(im, copy)->id = id;
    memset(IRQ(im, copy)->name, 0, MICA_SYS_NAME_MAX);
    return NULL;
}

/* --- I/O ports, devices, BARs */

static const char *ioport_name_with_slash(struct image *im)
{
    return name_with_slash(IOPORT(im, LAST(im, T_IOPORTS))->name);
}

static const char *ioport_pd(struct image *im)
{
    IOPORT(im, LAST(im, T_IOPORTS))->pd = count(im, T_PDS);
    return NULL;
}

/* The range's last port is one past MICA_IOPORT_MAX. */
static const char *ioport_range(struct image *im)
{
    struct mica_sys_ioport *p = IOPORT(im, LAST(im, T_IOPORTS));
    p->base = MICA_IOPORT_MAX + 2 - p->size;
    return NULL;
}

static const char *device_name_with_slash(struct image *im)
{
    return name_with_slash(DEVICE(im, LAST(im, T_DEVICES))->name);
}

static const char *device_pd(struct image *im)
{
    DEVICE(im, LAST(im, T_DEVICES))->pd = count(im, T_PDS);
    return NULL;
}

static const char *device_vendor(struct image *im)
{
    DEVICE(im, LAST(im, T_DEVICES))->vendor = 0x10000; /* IDs are 16 bits */
    return NULL;
}

static const char *device_twice(struct image *im)
{
    grow(im, T_DEVICES, 1, LAST(im, T_DEVICES));
    return NULL;
}

static const char *bar_name_without_nul(struct image *im)
{
    name_without_nul(BAR(im, LAST(im, T_BARS))->name);
    return NULL;
}

static const char *bar_device(struct image *im)
{
    BAR(im, LAST(im, T_BARS))->device = count(im, T_DEVICES);
    return NULL;
}

static const char *bar_index(struct image *im)
{
    BAR(im, LAST(im, T_BARS))->index = 6; /* a PCI function has BARs 0 to 5 */
    return NULL;
}

static const char *bar_size(struct image *im)
{
    BAR(im, LAST(im, T_BARS))->size = 0;
    return NULL;
}

static const char *bar_executable(struct image *im)
{
    BAR(im, LAST(im, T_BARS))->perms |= MICA_MAP_EXEC;
    return NULL;
}

static const char *bar_over_heap(struct image *im)
{
    struct mica_sys_bar *b = BAR(im, LAST(im, T_BARS));
    if (b->device >= count(im, T_DEVICES) || !PD(im, DEVICE(im, b->device)->pd)->heap_size)
        return "its last BAR's PD has no heap";
    b->vaddr = MICA_PD_HEAP;
    return NULL;
}

/* --- endpoints and untyped */

static const char *too_many_endpoints(struct image *im)
{
    grow(im, T_ENDPOINTS, MICA_SYS_MAX_ENDPOINTS + 1 - count(im, T_ENDPOINTS),
         LAST(im, T_ENDPOINTS));
    return NULL;
}

static const char *endpoint_name_without_nul(struct image *im)
{
    name_without_nul(ENDPOINT(im, LAST(im, T_ENDPOINTS))->name);
    return NULL;
}

static const char *endpoint_end_name_with_slash(struct image *im)
{
    return name_with_slash(END(im, LAST(im, T_ENDPOINT_ENDS))->name);
}

static const char *endpoint_end_endpoint(struct image *im)
{
    END(im, LAST(im, T_ENDPOINT_ENDS))->endpoint = count(im, T_ENDPOINTS);
    return NULL;
}

static const char *endpoint_end_pd(struct image *im)
{
    END(im, LAST(im, T_ENDPOINT_ENDS))->pd = count(im, T_PDS);
    return NULL;
}

static const char *endpoint_end_no_rights(struct image *im)
{
    END(im, LAST(im, T_ENDPOINT_ENDS))->rights = 0;
    return NULL;
}

static const char *untyped_name_empty(struct image *im)
{
    memset(UNTYPED(im, LAST(im, T_UNTYPEDS))->name, 0, MICA_SYS_NAME_MAX);
    return NULL;
}

static const char *untyped_pd(struct image *im)
{
    UNTYPED(im, LAST(im, T_UNTYPEDS))->pd = count(im, T_PDS);
    return NULL;
}

static const char *untyped_too_big(struct image *im)
{
    UNTYPED(im, LAST(im, T_UNTYPEDS))->size_bits = 31; /* 1 GiB is the largest */
    return NULL;
}

static const char *untyped_too_small(struct image *im)
{
    UNTYPED(im, LAST(im, T_UNTYPEDS))->size_bits = MICA_PAGE_BITS - 1;
    return NULL;
}

/* MICA_PD_RESOURCES_MAX more untyped for one PD: past the limit whatever
 * it had before. */
static const char *too_many_resources(struct image *im)
{
    grow(im, T_UNTYPEDS, MICA_PD_RESOURCES_MAX, LAST(im, T_UNTYPEDS));
    return NULL;
}

static const struct kind {
    const char *name;
    damage_fn *damage;
    const char *what;
} kinds[] = {
    { "magic", bad_magic, "the magic number is not MICA_SYS_MAGIC" },
    { "version", bad_version, "version MICA_SYS_VERSION + 1" },
    { "header-size", bad_header_size, "header_size 8 bytes short" },
    { "image-size-large", image_size_large, "image_size one byte more than the file" },
    { "truncated", truncated, "the file's last byte cut off" },
    { "short", shorter_than_header, "the file cut one byte short of the header" },
    { "image-size-below-header", image_size_below_header, "image_size smaller than the header" },
    { "image-size-no-programs", image_size_without_programs,
      "image_size ends where the programs begin" },
    { "system-name-no-nul", system_name_without_nul, "the system name without its NUL" },
    { "table-overlaps-header", table_overlaps_header, "the channel table at offset 0" },
    { "table-past-end", table_past_end, "the untyped table ends 8 bytes past the image" },
    { "table-count-overflow", table_count_overflow, "the map table has 2^32 - 1 entries" },
    { "table-misaligned", table_misaligned, "the PD table 4 bytes off 8-byte alignment" },
    { "entry-size", entry_size, "irq records 8 bytes shorter than struct mica_sys_irq" },
    { "no-programs", no_programs, "an empty program table" },
    { "program-name-control-char", program_name_control_char,
      "the last program's name has byte 0x01" },
    { "program-outside", program_outside, "the last program ends one byte past the image" },
    { "program-in-header", program_in_header, "the last program at offset 0" },
    { "program-empty", program_empty, "the last program of 0 bytes" },
    { "program-not-elf", program_not_elf, "the last program's ELF magic overwritten" },
    { "program-cut", program_cut, "the last program's size ends after its ELF headers" },
    { "program-root-area", program_in_root_area,
      "a segment of the last program moved to MICA_ROOT_AREA" },
    { "program-over-heap", program_over_heap, "the last program moved to MICA_PD_HEAP" },
    { "no-pds", no_pds, "an empty PD table" },
    { "too-many-pds", too_many_pds, "MICA_SYS_MAX_PDS + 1 PDs" },
    { "pd-name-no-nul", pd_name_without_nul, "the last PD's name without its NUL" },
    { "pd-name-bad-char", pd_name_with_slash, "the last PD's name with a '/'" },
    { "pd-name-empty", pd_name_empty, "the last PD's name empty" },
    { "pd-name-twice", pd_name_twice, "the last PD named like the first" },
    { "pd-program", pd_program, "the last PD's program index one past the table" },
    { "pd-priority", pd_priority, "the last PD at MICA_SYS_PRIORITY_MAX + 1" },
    { "pd-stack-size", pd_stack_not_page_multiple,
      "the last PD's stack one byte more than a page multiple" },
    { "pd-stack-too-big", pd_stack_too_big,
      "the last PD's stack a page more than MICA_SYS_STACK_MAX" },
    { "pd-heap-too-big", pd_heap_too_big,
      "the last PD's heap a page more than MICA_SYS_HEAP_MAX" },
    { "too-many-regions", too_many_regions, "MICA_SYS_MAX_REGIONS + 1 regions" },
    { "region-name-bad-char", region_name_with_slash, "the last region's name with a '/'" },
    { "region-page-size", region_page_size, "the last region's pages of 8 KiB" },
    { "region-size", region_size, "the last region's size half a page more" },
    { "region-flags", region_flags, "the last region with an unknown flag" },
    { "region-phys-misaligned", region_phys_misaligned,
      "a RAM region made physical at an address half a page off" },
    { "region-phys-wraps", region_phys_wraps,
      "a RAM region made physical at the last page below 2^64" },
    { "region-demand-phys", region_demand_phys, "a region both demand-paged and physical" },
    { "map-name-no-nul", map_name_without_nul, "the last map's name without its NUL" },
    { "map-pd", map_pd, "the last map's PD index one past the table" },
    { "map-region", map_region, "the last map's region index one past the table" },
    { "map-misaligned", map_misaligned, "the last map half a page off its region's pages" },
    { "map-not-readable", map_not_readable, "the last map writable but not readable" },
    { "map-flags", map_flags, "the last map with an unknown flag" },
    { "map-root-area", map_into_root_area, "the last map's last page at MICA_ROOT_AREA" },
    { "map-over-heap", map_over_heap, "the last map at MICA_PD_HEAP" },
    { "channel-pd", channel_pd, "the last channel's second end in a PD one past the table" },
    { "channel-flags", channel_flags, "the last channel's second end with an unknown flag" },
    { "channel-one-pd", channel_one_pd, "both ends of the last channel in one PD" },
    { "channel-id", channel_id, "the last channel's first end on id MICA_CHANNEL_MAX" },
    { "channel-id-twice", channel_id_twice, "the last channel twice" },
    { "channel-call-down", channel_call_down,
      "the higher-priority end of the last channel may call (pp)" },
    { "irq-name-no-nul", irq_name_without_nul, "the last irq's name without its NUL" },
    { "irq-pd", irq_pd, "the last irq's PD index one past the table" },
    { "irq-id", irq_id, "the last irq on id MICA_CHANNEL_MAX" },
    { "irq-id-twice", irq_id_twice, "an irq on the id of its PD's channel end" },
    { "irq-flags", irq_flags, "the last irq with an unknown flag" },
    { "irq-isa-number", irq_isa_number, "an ISA irq on IRQ 16" },
    { "irq-kind", irq_kind, "the last irq of kind 0" },
    { "irq-msi-device", irq_msi_device, "an MSI irq's device index one past the table" },
    { "irq-msi-other-pd", irq_msi_of_other_pd, "an irq made the MSI of another PD's device" },
    { "irq-msi-twice", irq_msi_twice, "a second MSI irq for the same device" },
    { "ioport-name-bad-char", ioport_name_with_slash, "the last I/O port range's name with a '/'" },
    { "ioport-pd", ioport_pd, "the last I/O port range's PD index one past the table" },
    { "ioport-range", ioport_range, "the last I/O port range ends one port past 0xffff" },
    { "device-name-bad-char", device_name_with_slash, "the last device's name with a '/'" },
    { "device-pd", device_pd, "the last device's PD index one past the table" },
    { "device-vendor", device_vendor, "the last device's vendor ID 0x10000" },
    { "device-twice", device_twice, "the last device twice" },
    { "bar-name-no-nul", bar_name_without_nul, "the last BAR's name without its NUL" },
    { "bar-device", bar_device, "the last BAR's device index one past the table" },
    { "bar-index", bar_index, "the last BAR is BAR 6" },
    { "bar-size", bar_size, "the last BAR of 0 bytes" },
    { "bar-executable", bar_executable, "the last BAR executable" },
    { "bar-over-heap", bar_over_heap, "the last BAR at MICA_PD_HEAP" },
    { "too-many-endpoints", too_many_endpoints, "MICA_SYS_MAX_ENDPOINTS + 1 endpoints" },
    { "endpoint-name-no-nul", endpoint_name_without_nul,
      "the last endpoint's name without its NUL" },
    { "endpoint-end-name-bad-char", endpoint_end_name_with_slash,
      "the last endpoint end's name with a '/'" },
    { "endpoint-end-endpoint", endpoint_end_endpoint,
      "the last endpoint end's endpoint index one past the table" },
    { "endpoint-end-pd", endpoint_end_pd, "the last endpoint end's PD index one past the table" },
    { "endpoint-end-rights", endpoint_end_no_rights, "the last endpoint end with no rights" },
    { "untyped-name-empty", untyped_name_empty, "the last untyped's name empty" },
    { "untyped-pd", untyped_pd, "the last untyped's PD index one past the table" },
    { "untyped-too-big", untyped_too_big, "the last untyped of 2^31 bytes" },
    { "untyped-too-small", untyped_too_small, "the last untyped of half a page" },
    { "too-many-resources", too_many_resources,
      "MICA_PD_RESOURCES_MAX more untyped for the last untyped's PD" },
};
#define N_KINDS (sizeof(kinds) / sizeof(kinds[0]))

/* ------------------------------------------------------------ files */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("badimage: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static struct image read_image(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die("cannot open base image %s: %s", path, strerror(errno));
    struct image im = { 0 };
    size_t cap = 0;
    for (;;) {
        if (im.size == cap)
            im.bytes = xrealloc(im.bytes, cap = cap ? cap * 2 : 65536);
        size_t n = fread(im.bytes + im.size, 1, cap - im.size, f);
        im.size += n;
        if (n == 0)
            break;
    }
    if (ferror(f))
        die("cannot read base image %s: %s", path, strerror(errno));
    fclose(f);
    return im;
}

/* The base must be a good image of this tree's format with a record in
 * every table: every kind damages exactly one thing in it. */
static void check_base(struct image *im, const char *path)
{
    const char *how = "tools/mksystem from tests/systems/base.system";
    if (im->size < sizeof(struct mica_sys_header))
        die("%s: %zu bytes, shorter than a system image header (%zu bytes); make it with %s",
            path, im->size, sizeof(struct mica_sys_header), how);
    struct mica_sys_header *h = header(im);
    if (h->magic != MICA_SYS_MAGIC)
        die("%s: not a system image (no MICA.SYS magic); make it with %s", path, how);
    if (h->version != MICA_SYS_VERSION || h->header_size != sizeof(*h))
        die("%s: format version %u with a %u-byte header, this badimage reads version %u "
            "(%zu bytes): rebuild it with this tree's mksystem", path, h->version,
            h->header_size, MICA_SYS_VERSION, sizeof(*h));
    if (h->image_size != im->size)
        die("%s: its header says %llu bytes but the file has %zu", path,
            (unsigned long long)h->image_size, im->size);
    for (int t = 0; t < T_COUNT; t++) {
        const struct mica_sys_table *tb = table(im, t);
        if (tb->entry_size != tables[t].entry)
            die("%s: table '%s' has records of %u bytes, this badimage reads %zu: rebuild it "
                "with this tree's mksystem", path, tables[t].name, tb->entry_size,
                tables[t].entry);
        if (tb->count == 0)
            die("%s: table '%s' is empty; the base image needs at least one record in every "
                "table (tests/systems/base.system)", path, tables[t].name);
        if (tb->offset % 8 || tb->offset < sizeof(*h) ||
            tb->offset + (uint64_t)tb->count * tb->entry_size > im->size)
            die("%s: table '%s' (offset 0x%x, %u records) is misaligned or outside the file",
                path, tables[t].name, tb->offset, tb->count);
    }
    for (uint32_t i = 0; i < count(im, T_PROGRAMS); i++) {
        const struct mica_sys_program *p = PROGRAM(im, i);
        if (p->offset < sizeof(*h) || p->offset > im->size || p->size > im->size - p->offset)
            die("%s: program %u lies outside the file", path, i);
    }
}

static void write_image(const char *path, const struct image *im)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(im->bytes, 1, im->size, f) != im->size || fclose(f) != 0)
        die("cannot write %s: %s", path, strerror(errno));
}

static const struct kind *find_kind(const char *name)
{
    for (size_t i = 0; i < N_KINDS; i++)
        if (!strcmp(kinds[i].name, name))
            return &kinds[i];
    return NULL;
}

static void make(const struct kind *k, const struct image *base, const char *base_path,
                 const char *out)
{
    struct image im = { xrealloc(NULL, base->size), base->size };
    memcpy(im.bytes, base->bytes, base->size);
    const char *why = k->damage(&im);
    if (why)
        die("%s: cannot make kind '%s' (%s): %s", base_path, k->name, k->what, why);
    write_image(out, &im);
    free(im.bytes);
}

static void usage(void)
{
    fprintf(stderr,
            "usage: badimage --list\n"
            "       badimage --all BASE.img DIR      write DIR/KIND.img for every kind\n"
            "       badimage KIND BASE.img OUT.img   write one kind\n"
            "BASE.img: a valid system image with a record in every table "
            "(tests/systems/base.system)\n");
    exit(2);
}

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "--list")) {
        for (size_t i = 0; i < N_KINDS; i++)
            printf("%-28s %s\n", kinds[i].name, kinds[i].what);
        return 0;
    }
    if (argc != 4)
        usage();
    if (!strcmp(argv[1], "--all")) {
        struct image base = read_image(argv[2]);
        check_base(&base, argv[2]);
        const char *dir = argv[3];
        struct stat st;
        if (mkdir(dir, 0777) != 0 && errno != EEXIST)
            die("cannot make directory %s: %s", dir, strerror(errno));
        if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
            die("%s is not a directory", dir);
        for (size_t i = 0; i < N_KINDS; i++) {
            size_t n = strlen(dir) + strlen(kinds[i].name) + 6;
            char *out = xrealloc(NULL, n);
            snprintf(out, n, "%s/%s.img", dir, kinds[i].name);
            make(&kinds[i], &base, argv[2], out);
            free(out);
        }
        free(base.bytes);
        return 0;
    }
    if (argv[1][0] == '-') {
        fprintf(stderr, "badimage: unknown option '%s'\n", argv[1]);
        usage();
    }
    const struct kind *k = find_kind(argv[1]);
    if (!k) {
        fprintf(stderr, "badimage: unknown kind '%s' (badimage --list shows them)\n", argv[1]);
        return 2;
    }
    struct image base = read_image(argv[2]);
    check_base(&base, argv[2]);
    make(k, &base, argv[2], argv[3]);
    free(base.bytes);
    return 0;
}
