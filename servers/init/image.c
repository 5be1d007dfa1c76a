/*
 * Checking the system image (include/mica/system.h) before anything is
 * built.
 *
 * The image comes from a boot module: whatever bytes were passed, possibly
 * not what tools/mksystem wrote (truncated, from another version, damaged,
 * made by hand). Every offset, count and record size is checked against
 * the module's bytes, every index against its table, every name for its
 * NUL, every number against the range the builder relies on, and every
 * program is parsed as an ELF executable, all before the first object is
 * made: a bad image is refused with one line naming the first problem,
 * never half-built. The rules are the ones the tool enforces
 * (docs/system-description.md) where the builder depends on them; rules
 * that the kernel enforces anyway at build time (two maps at one address)
 * are left to the build, which names the resource that failed.
 */
#include <format.h>
#include <stdarg.h>

#include "init.h"

struct image img;

static const struct mica_bootinfo_module *mod;
static unsigned mod_number;
static unsigned res_count[MICA_SYS_MAX_PDS];
static uint64_t channel_ids[MICA_SYS_MAX_PDS]; /* ids used by channel ends and irqs */

/* One line: the image, the problem, and that nothing was built. */
static bool bad(const char *fmt, ...)
{
    char why[256];
    va_list ap;
    va_start(ap, fmt);
    format_buf_v(why, sizeof(why), fmt, ap);
    va_end(ap);
    mica_printf("init: system image '%s' (module %u, %lu bytes): %s; nothing built\n",
                mod->cmdline, mod_number, mod->size, why);
    return false;
}

bool image_is_system(const struct mica_bootinfo_module *m)
{
    return m->vaddr && m->size >= sizeof(uint64_t) &&
           *(const uint64_t *)m->vaddr == MICA_SYS_MAGIC;
}

/* Why a name field is unusable, or NULL. strict: [A-Za-z0-9_.-] only
 * (the tool's rule for the names programs look up and threads carry). */
static const char *name_problem(const char *n, bool strict)
{
    static char why[48];
    unsigned len = 0;
    while (len < MICA_SYS_NAME_MAX && n[len])
        len++;
    if (len == MICA_SYS_NAME_MAX)
        return "not NUL-terminated";
    if (len == 0)
        return "empty";
    for (unsigned i = 0; i < len; i++) {
        char c = n[i];
        bool ok = strict ? (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                               (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'
                         : c >= 0x20 && c <= 0x7e;
        if (!ok) {
            format_buf(why, sizeof(why), "has byte 0x%02x at %u", (unsigned char)c, i);
            return why;
        }
    }
    return 0;
}

static bool check_table(const char *name, const struct mica_sys_table *t, uint32_t entry_size,
                        const void **records, unsigned *count)
{
    if (t->entry_size != entry_size)
        return bad("table '%s' has entries of %u bytes, this init reads %u (image from another "
                   "version of mksystem?)", name, t->entry_size, entry_size);
    uint64_t end = (uint64_t)t->offset + (uint64_t)t->count * entry_size;
    if (t->count && t->offset < img.h->header_size)
        return bad("table '%s' (offset 0x%x, %u entries of %u bytes) overlaps the header", name,
                   t->offset, t->count, entry_size);
    if (t->count && end > img.size)
        return bad("table '%s' (offset 0x%x, %u entries of %u bytes) runs past the image end "
                   "(0x%lx)", name, t->offset, t->count, entry_size, img.size);
    if (t->count && t->offset % 8)
        return bad("table '%s' at offset 0x%x is not 8-byte aligned", name, t->offset);
    *records = img.base + t->offset;
    *count = t->count;
    return true;
}

static bool check_header(void)
{
    const struct mica_sys_header *h = img.h;
    if (mod->size < sizeof(*h))
        return bad("shorter than its header (%lu bytes): truncated", sizeof(*h));
    if (h->version != MICA_SYS_VERSION)
        return bad("version %u, this init reads version %u: rebuild it with this tree's "
                   "mksystem", h->version, MICA_SYS_VERSION);
    if (h->header_size != sizeof(*h))
        return bad("header size %u, expected %lu", h->header_size, sizeof(*h));
    if (h->image_size > mod->size)
        return bad("its header says %lu bytes but the module has only %lu: truncated",
                   h->image_size, mod->size);
    if (h->image_size < sizeof(*h))
        return bad("its header says %lu bytes, less than the header itself", h->image_size);
    img.size = h->image_size;
    const char *why = name_problem(h->name, false);
    if (why)
        return bad("the system name is %s", why);
    return check_table("programs", &h->programs, sizeof(struct mica_sys_program),
                       (const void **)&img.programs, &img.n_programs) &&
           check_table("pds", &h->pds, sizeof(struct mica_sys_pd), (const void **)&img.pds,
                       &img.n_pds) &&
           check_table("regions", &h->regions, sizeof(struct mica_sys_region),
                       (const void **)&img.regions, &img.n_regions) &&
           check_table("maps", &h->maps, sizeof(struct mica_sys_map), (const void **)&img.maps,
                       &img.n_maps) &&
           check_table("channels", &h->channels, sizeof(struct mica_sys_channel),
                       (const void **)&img.channels, &img.n_channels) &&
           check_table("irqs", &h->irqs, sizeof(struct mica_sys_irq), (const void **)&img.irqs,
                       &img.n_irqs) &&
           check_table("ioports", &h->ioports, sizeof(struct mica_sys_ioport),
                       (const void **)&img.ioports, &img.n_ioports) &&
           check_table("devices", &h->devices, sizeof(struct mica_sys_device),
                       (const void **)&img.devices, &img.n_devices) &&
           check_table("bars", &h->bars, sizeof(struct mica_sys_bar), (const void **)&img.bars,
                       &img.n_bars) &&
           check_table("endpoints", &h->endpoints, sizeof(struct mica_sys_endpoint),
                       (const void **)&img.endpoints, &img.n_endpoints) &&
           check_table("endpoint_ends", &h->endpoint_ends, sizeof(struct mica_sys_endpoint_end),
                       (const void **)&img.endpoint_ends, &img.n_endpoint_ends) &&
           check_table("untypeds", &h->untypeds, sizeof(struct mica_sys_untyped),
                       (const void **)&img.untypeds, &img.n_untypeds);
}

static bool check_programs(void)
{
    if (img.n_programs == 0 || img.n_programs > MICA_SYS_MAX_PDS)
        return bad("%u programs (1 to %u allowed)", img.n_programs, MICA_SYS_MAX_PDS);
    for (unsigned i = 0; i < img.n_programs; i++) {
        const struct mica_sys_program *p = &img.programs[i];
        const char *why = name_problem(p->name, false);
        if (why)
            return bad("program %u: name %s", i, why);
        if (p->offset < img.h->header_size || p->size == 0 || p->offset > img.size ||
            p->size > img.size - p->offset)
            return bad("program %u ('%s', offset 0x%lx, %lu bytes) lies outside the image", i,
                       p->name, p->offset, p->size);
        enum elf_error e = elf_parse(img.base + p->offset, p->size, MICA_USER_MIN,
                                     MICA_ROOT_AREA, &img.elf[i]);
        if (e != ELF_OK)
            return bad("program %u ('%s') is not a loadable program: %s", i, p->name,
                       elf_strerror(e));
    }
    return true;
}

static bool page_multiple(uint64_t v)
{
    return !(v & (MICA_PAGE_SIZE - 1));
}

/* Does [a, a + n) overlap [b, b + m)? (No overflow: callers bound both.) */
static bool overlap(uint64_t a, uint64_t n, uint64_t b, uint64_t m)
{
    return a < b + m && b < a + n;
}

static bool check_pds(void)
{
    if (img.n_pds == 0)
        return bad("no protection domains");
    if (img.n_pds > MICA_SYS_MAX_PDS)
        return bad("%u protection domains, at most %u", img.n_pds, MICA_SYS_MAX_PDS);
    for (unsigned i = 0; i < img.n_pds; i++) {
        const struct mica_sys_pd *p = &img.pds[i];
        const char *why = name_problem(p->name, true);
        if (why)
            return bad("PD %u: name %s", i, why);
        for (unsigned j = 0; j < i; j++)
            if (!mica_strcmp(img.pds[j].name, p->name))
                return bad("two PDs called '%s' (%u and %u)", p->name, j, i);
        if (p->program >= img.n_programs)
            return bad("PD '%s': program %u out of range (%u programs)", p->name, p->program,
                       img.n_programs);
        if (p->priority > MICA_SYS_PRIORITY_MAX)
            return bad("PD '%s': priority %u above %u (255 is init's own)", p->name,
                       p->priority, MICA_SYS_PRIORITY_MAX);
        if (!p->stack_size || !page_multiple(p->stack_size) || p->stack_size > MICA_SYS_STACK_MAX)
            return bad("PD '%s': stack size 0x%lx is not a page multiple from 0x1000 to 0x%llx",
                       p->name, p->stack_size, MICA_SYS_STACK_MAX);
        if (!page_multiple(p->heap_size) || p->heap_size > MICA_SYS_HEAP_MAX)
            return bad("PD '%s': heap size 0x%lx is not a page multiple up to 0x%llx", p->name,
                       p->heap_size, MICA_SYS_HEAP_MAX);
        const struct elf_image *e = &img.elf[p->program];
        for (unsigned s = 0; s < e->n_segments; s++)
            if (overlap(e->seg[s].vaddr, e->seg[s].memsz, MICA_PD_HEAP, p->heap_size))
                return bad("PD '%s': its program's segment at 0x%lx overlaps its heap at 0x%llx",
                           p->name, e->seg[s].vaddr, MICA_PD_HEAP);
    }
    return true;
}

static const char *pd_name(uint32_t pd)
{
    return img.pds[pd].name;
}

static bool check_regions(void)
{
    uint64_t demand_pages = 0;
    if (img.n_regions > MICA_SYS_MAX_REGIONS)
        return bad("%u memory regions, at most %u", img.n_regions, MICA_SYS_MAX_REGIONS);
    for (unsigned i = 0; i < img.n_regions; i++) {
        const struct mica_sys_region *r = &img.regions[i];
        const char *why = name_problem(r->name, true);
        if (why)
            return bad("region %u: name %s", i, why);
        if (r->page_bits != MICA_FRAME_4K_BITS && r->page_bits != MICA_FRAME_2M_BITS)
            return bad("region '%s': page size 2^%u, not 4 KiB or 2 MiB", r->name, r->page_bits);
        uint64_t page = 1ull << r->page_bits;
        if (!r->size || r->size & (page - 1) || r->size > MICA_ROOT_AREA)
            return bad("region '%s': size 0x%lx is not a non-zero multiple of its page size "
                       "(0x%lx)", r->name, r->size, page);
        if (r->flags & ~(uint32_t)(MICA_SYS_REGION_PHYS | MICA_SYS_REGION_DEMAND))
            return bad("region '%s': unknown flags 0x%x", r->name, r->flags);
        if ((r->flags & MICA_SYS_REGION_PHYS) &&
            (r->paddr & (page - 1) || r->paddr + r->size < r->paddr))
            return bad("region '%s': physical address 0x%lx not aligned to its page size, or "
                       "the region wraps around", r->name, r->paddr);
        if ((r->flags & MICA_SYS_REGION_DEMAND) &&
            ((r->flags & MICA_SYS_REGION_PHYS) || r->page_bits != MICA_FRAME_4K_BITS))
            return bad("region '%s': a demand-paged region has 4 KiB pages and no physical "
                       "address", r->name);
        if (r->flags & MICA_SYS_REGION_DEMAND)
            demand_pages += r->size >> MICA_FRAME_4K_BITS;
    }
    /* The pager's table has a slice for every page of every demand-paged
     * region (faults.c): they must all fit. */
    if (demand_pages > INIT_DEMAND_PAGES)
        return bad("demand-paged regions of %lu pages (%lu MiB) in all, more than the %u "
                   "(%u MiB) init's pager can back", demand_pages, demand_pages >> 8,
                   INIT_DEMAND_PAGES, INIT_DEMAND_PAGES >> 8);
    return true;
}

/* A map or BAR at [vaddr, vaddr + size) of PD pd: inside the space maps may use. */
static const char *range_problem(uint32_t pd, uint64_t vaddr, uint64_t size)
{
    if (vaddr < MICA_USER_MIN || vaddr >= MICA_ROOT_AREA || size > MICA_ROOT_AREA - vaddr)
        return "outside 0x1000 .. 0x7fff00000000 (maps stay below the PD's fixed layout)";
    if (overlap(vaddr, size, MICA_PD_HEAP, img.pds[pd].heap_size))
        return "overlaps the PD's heap";
    return 0;
}

static bool check_maps(void)
{
    for (unsigned i = 0; i < img.n_maps; i++) {
        const struct mica_sys_map *m = &img.maps[i];
        const char *why = name_problem(m->name, true);
        if (why)
            return bad("map %u: name %s", i, why);
        if (m->pd >= img.n_pds)
            return bad("map '%s': PD %u out of range (%u PDs)", m->name, m->pd, img.n_pds);
        if (m->region >= img.n_regions)
            return bad("map '%s' of PD '%s': region %u out of range (%u regions)", m->name,
                       pd_name(m->pd), m->region, img.n_regions);
        const struct mica_sys_region *r = &img.regions[m->region];
        if (m->vaddr & ((1ull << r->page_bits) - 1))
            return bad("map '%s' of PD '%s': address 0x%lx not aligned to region '%s''s pages",
                       m->name, pd_name(m->pd), m->vaddr, r->name);
        if (!(m->perms & MICA_MAP_READ) || (m->perms & ~(uint32_t)MICA_MAP_ALL))
            return bad("map '%s' of PD '%s': perms 0x%x (read needed; read, write, execute "
                       "only)", m->name, pd_name(m->pd), m->perms);
        if (m->flags & ~(uint32_t)MICA_SYS_MAP_CACHED)
            return bad("map '%s' of PD '%s': unknown flags 0x%x", m->name, pd_name(m->pd),
                       m->flags);
        if ((why = range_problem(m->pd, m->vaddr, r->size)))
            return bad("map '%s' of PD '%s' at 0x%lx (0x%lx bytes): %s", m->name,
                       pd_name(m->pd), m->vaddr, r->size, why);
        res_count[m->pd]++;
    }
    return true;
}

/* Channel id `id` of PD pd, used by a channel end or an IRQ. */
static bool take_id(uint32_t pd, uint32_t id, const char *what)
{
    if (id >= MICA_CHANNEL_MAX)
        return bad("%s of PD '%s': channel id %u out of range (0 to %u)", what, pd_name(pd), id,
                   MICA_CHANNEL_MAX - 1);
    if (channel_ids[pd] & (1ull << id))
        return bad("%s of PD '%s': channel id %u used twice", what, pd_name(pd), id);
    channel_ids[pd] |= 1ull << id;
    return true;
}

static bool check_channels(void)
{
    for (unsigned i = 0; i < img.n_channels; i++) {
        const struct mica_sys_channel *c = &img.channels[i];
        char what[32];
        format_buf(what, sizeof(what), "channel %u", i);
        for (unsigned k = 0; k < 2; k++) {
            const struct mica_sys_channel_end *e = &c->end[k];
            if (e->pd >= img.n_pds)
                return bad("channel %u: PD %u out of range (%u PDs)", i, e->pd, img.n_pds);
            if (e->flags & ~(uint32_t)(MICA_SYS_END_PP | MICA_SYS_END_NOTIFY))
                return bad("channel %u: unknown end flags 0x%x", i, e->flags);
        }
        if (c->end[0].pd == c->end[1].pd)
            return bad("channel %u: both ends in PD '%s'", i, pd_name(c->end[0].pd));
        for (unsigned k = 0; k < 2; k++) {
            const struct mica_sys_channel_end *e = &c->end[k], *o = &c->end[1 - k];
            if (!take_id(e->pd, e->id, what))
                return false;
            if ((e->flags & MICA_SYS_END_PP) &&
                img.pds[e->pd].priority >= img.pds[o->pd].priority)
                return bad("channel %u: PD '%s' (priority %u) may call PD '%s' (priority %u) only "
                           "from a lower priority", i, pd_name(e->pd),
                           img.pds[e->pd].priority, pd_name(o->pd), img.pds[o->pd].priority);
            res_count[e->pd] += (e->flags & MICA_SYS_END_PP) ? 2 : 1;
        }
    }
    return true;
}

static bool check_devices(void)
{
    /* Each is a resource of its PD: more cannot pass the per-PD limit. */
    if (img.n_devices > MICA_SYS_MAX_PDS * MICA_PD_RESOURCES_MAX)
        return bad("%u PCI devices, more than %u PDs can hold", img.n_devices,
                   MICA_SYS_MAX_PDS * MICA_PD_RESOURCES_MAX);
    for (unsigned i = 0; i < img.n_devices; i++) {
        const struct mica_sys_device *d = &img.devices[i];
        const char *why = name_problem(d->name, true);
        if (why)
            return bad("device %u: name %s", i, why);
        if (d->pd >= img.n_pds)
            return bad("device '%s': PD %u out of range (%u PDs)", d->name, d->pd, img.n_pds);
        if ((d->vendor > 0xffff && d->vendor != MICA_SYS_ANY_ID) ||
            (d->device > 0xffff && d->device != MICA_SYS_ANY_ID))
            return bad("device '%s' of PD '%s': vendor/device ID 0x%x:0x%x out of range",
                       d->name, pd_name(d->pd), d->vendor, d->device);
        for (unsigned j = 0; j < i; j++)
            if (img.devices[j].pci == d->pci)
                return bad("device '%s' of PD '%s': PCI function %02x:%02x.%x given twice",
                           d->name, pd_name(d->pd), MICA_PCI_BUS(d->pci), MICA_PCI_DEVICE(d->pci),
                           MICA_PCI_FUNCTION(d->pci));
        res_count[d->pd]++;
    }
    for (unsigned i = 0; i < img.n_bars; i++) {
        const struct mica_sys_bar *b = &img.bars[i];
        const char *why = name_problem(b->name, true);
        if (why)
            return bad("bar %u: name %s", i, why);
        if (b->device >= img.n_devices)
            return bad("bar '%s': device %u out of range (%u devices)", b->name, b->device,
                       img.n_devices);
        uint32_t pd = img.devices[b->device].pd;
        if (b->index >= MICA_PCI_BARS)
            return bad("bar '%s' of PD '%s': BAR %u (0 to 5)", b->name, pd_name(pd), b->index);
        if (!b->size || !page_multiple(b->size) || !page_multiple(b->vaddr))
            return bad("bar '%s' of PD '%s': address 0x%lx and size 0x%lx must be page "
                       "multiples, size not 0", b->name, pd_name(pd), b->vaddr, b->size);
        if (!(b->perms & MICA_MAP_READ) ||
            (b->perms & ~(uint32_t)(MICA_MAP_READ | MICA_MAP_WRITE)))
            return bad("bar '%s' of PD '%s': perms 0x%x (read needed; read, write only)",
                       b->name, pd_name(pd), b->perms);
        if ((why = range_problem(pd, b->vaddr, b->size)))
            return bad("bar '%s' of PD '%s' at 0x%lx (0x%lx bytes): %s", b->name, pd_name(pd),
                       b->vaddr, b->size, why);
        res_count[pd]++;
    }
    return true;
}

static bool check_irqs(void)
{
    uint64_t msi_devices[(MICA_SYS_MAX_PDS * MICA_PD_RESOURCES_MAX + 63) / 64] = { 0 };
    for (unsigned i = 0; i < img.n_irqs; i++) {
        const struct mica_sys_irq *q = &img.irqs[i];
        char what[32];
        format_buf(what, sizeof(what), "irq %u", i);
        /* The name is optional (""); one given is a resource name like any other. */
        const char *why = q->name[0] ? name_problem(q->name, true) : 0;
        if (why)
            return bad("irq %u: name %s", i, why);
        if (q->pd >= img.n_pds)
            return bad("irq %u: PD %u out of range (%u PDs)", i, q->pd, img.n_pds);
        if (!take_id(q->pd, q->id, what))
            return false;
        if (q->flags & ~(uint32_t)MICA_IRQ_FLAGS_ALL)
            return bad("irq %u of PD '%s': unknown flags 0x%x", i, pd_name(q->pd), q->flags);
        switch (q->kind) {
        case MICA_SYS_IRQ_ISA:
            if (q->number > 15)
                return bad("irq %u of PD '%s': ISA IRQ %u (0 to 15)", i, pd_name(q->pd),
                           q->number);
            break;
        case MICA_SYS_IRQ_GSI: break; /* the kernel knows which GSIs exist */
        case MICA_SYS_IRQ_MSI:
            if (q->number >= img.n_devices)
                return bad("irq %u of PD '%s': MSI of device %u out of range (%u devices)", i,
                           pd_name(q->pd), q->number, img.n_devices);
            if (img.devices[q->number].pd != q->pd)
                return bad("irq %u of PD '%s': MSI of device '%s', which is PD '%s''s", i,
                           pd_name(q->pd), img.devices[q->number].name,
                           pd_name(img.devices[q->number].pd));
            if (msi_devices[q->number / 64] & (1ull << (q->number % 64)))
                return bad("irq %u of PD '%s': a second MSI for device '%s'", i, pd_name(q->pd),
                           img.devices[q->number].name);
            msi_devices[q->number / 64] |= 1ull << (q->number % 64);
            break;
        default: return bad("irq %u of PD '%s': unknown kind %u", i, pd_name(q->pd), q->kind);
        }
        res_count[q->pd]++;
    }
    return true;
}

static bool check_ioports(void)
{
    for (unsigned i = 0; i < img.n_ioports; i++) {
        const struct mica_sys_ioport *p = &img.ioports[i];
        const char *why = name_problem(p->name, true);
        if (why)
            return bad("ioport %u: name %s", i, why);
        if (p->pd >= img.n_pds)
            return bad("ioport '%s': PD %u out of range (%u PDs)", p->name, p->pd, img.n_pds);
        if (!p->size || p->base > MICA_IOPORT_MAX || p->size > MICA_IOPORT_MAX + 1 - p->base)
            return bad("ioport '%s' of PD '%s': ports 0x%x + %u outside 0 .. 0xffff", p->name,
                       pd_name(p->pd), p->base, p->size);
        res_count[p->pd]++;
    }
    return true;
}

static bool check_endpoints(void)
{
    if (img.n_endpoints > MICA_SYS_MAX_ENDPOINTS)
        return bad("%u endpoints, at most %u", img.n_endpoints, MICA_SYS_MAX_ENDPOINTS);
    for (unsigned i = 0; i < img.n_endpoints; i++) {
        const char *why = name_problem(img.endpoints[i].name, true);
        if (why)
            return bad("endpoint %u: name %s", i, why);
    }
    for (unsigned i = 0; i < img.n_endpoint_ends; i++) {
        const struct mica_sys_endpoint_end *e = &img.endpoint_ends[i];
        const char *why = name_problem(e->name, true);
        if (why)
            return bad("endpoint end %u: name %s", i, why);
        if (e->endpoint >= img.n_endpoints)
            return bad("endpoint end '%s': endpoint %u out of range (%u endpoints)", e->name,
                       e->endpoint, img.n_endpoints);
        if (e->pd >= img.n_pds)
            return bad("endpoint end '%s': PD %u out of range (%u PDs)", e->name, e->pd,
                       img.n_pds);
        if (!e->rights || (e->rights & ~(uint32_t)MICA_RIGHTS_ALL))
            return bad("endpoint end '%s' of PD '%s': rights 0x%x", e->name, pd_name(e->pd),
                       e->rights);
        res_count[e->pd]++;
    }
    for (unsigned i = 0; i < img.n_untypeds; i++) {
        const struct mica_sys_untyped *u = &img.untypeds[i];
        const char *why = name_problem(u->name, true);
        if (why)
            return bad("untyped %u: name %s", i, why);
        if (u->pd >= img.n_pds)
            return bad("untyped '%s': PD %u out of range (%u PDs)", u->name, u->pd, img.n_pds);
        if (u->size_bits < 12 || u->size_bits > 30)
            return bad("untyped '%s' of PD '%s': 2^%u bytes (4 KiB to 1 GiB)", u->name,
                       pd_name(u->pd), u->size_bits);
        res_count[u->pd]++;
    }
    return true;
}

unsigned image_pd_resources(unsigned pd)
{
    return res_count[pd];
}

bool image_check(const struct mica_bootinfo_module *m, unsigned module)
{
    mod = m;
    mod_number = module;
    img.base = (const uint8_t *)m->vaddr;
    img.h = (const struct mica_sys_header *)m->vaddr;
    img.module = module;
    img.path = m->cmdline;
    for (unsigned i = 0; i < MICA_SYS_MAX_PDS; i++)
        res_count[i] = 0, channel_ids[i] = 0;
    if (!check_header())
        return false;
    if (img.n_pds == 0)
        return bad("no protection domains");
    if (!check_programs() || !check_pds() || !check_regions() ||
        !check_maps() || !check_channels() || !check_devices() || !check_irqs() ||
        !check_ioports() || !check_endpoints())
        return false;
    for (unsigned i = 0; i < img.n_pds; i++)
        if (res_count[i] > MICA_PD_RESOURCES_MAX)
            return bad("PD '%s' has %u resources, at most %u", pd_name(i), res_count[i],
                       MICA_PD_RESOURCES_MAX);
    return true;
}
