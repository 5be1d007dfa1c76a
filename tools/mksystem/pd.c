/*
 * The contents of a protection domain: its program, maps, irqs, I/O
 * ports, PCI devices with their BARs, and untyped. Each element's own
 * attributes are checked here; conflicts between elements are check.c's.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mksystem.h"
#include "xml.h"

#define KIB 0x400ull
#define GIB 0x40000000ull
/* GSIs a description may name; init checks the platform's actual count. */
#define GSI_MAX 255

static void parse_program_image(struct sys_pd *pd, xmlNode *n)
{
    static const char *const allowed[] = {"path", NULL};
    check_attrs(n, allowed);
    check_empty(n);
    if (pd->program_node) {
        error_node(n, "a second <program_image> in PD '%s' (the first is at line %ld)", pd->rec.name,
                   node_line(pd->program_node));
        return;
    }
    pd->program_node = n;
    const char *path = required(n, "path");
    if (path && !*path)
        error_node(n, "path is empty");
    else if (path)
        pd->program_path = xstrdup(path);
}

static void parse_map(struct sys *sys, struct sys_pd *pd, unsigned pd_index, xmlNode *n)
{
    static const char *const allowed[] = {"mr", "vaddr", "perms", "cached", "name", NULL};
    struct sys_map *m = PUSH(sys->maps);
    struct mica_sys_map *rec = &m->rec;
    char mr[MICA_SYS_NAME_MAX] = "";
    bool ok = true, cached = true;
    int region = -1;

    m->node = n;
    rec->pd = pd_index;
    check_attrs(n, allowed);
    check_empty(n);
    if (required_name(n, "mr", mr) < 0)
        ok = false;
    else if ((region = find_region(sys, mr)) < 0) {
        error_node(n, "unknown memory region '%s'", mr);
        ok = false;
    } else {
        rec->region = (uint32_t)region;
        m->region_ok = true;
    }

    if (required_number(n, "vaddr", &rec->vaddr) < 0)
        ok = false;
    if (!perms_attr(n, true, &rec->perms))
        ok = false;

    int r_cached = boolean(n, "cached", &cached);
    if (r_cached < 0)
        ok = false;
    const struct sys_region *reg = region >= 0 ? &sys->regions.v[region] : NULL;
    if (reg && (reg->rec.flags & MICA_SYS_REGION_PHYS)) {
        if (r_cached > 0 && cached) {
            error_node(n, "cached=\"true\" on device memory (region '%s' has a phys_addr): "
                          "device frames are always mapped uncached", mr);
            ok = false;
        }
        cached = false;
    }
    rec->flags = cached ? MICA_SYS_MAP_CACHED : 0;

    int r_name = name_attr(n, "name", rec->name);
    if (r_name < 0)
        ok = false;
    else if (r_name == 0 && mr[0])
        snprintf(rec->name, sizeof rec->name, "%s", mr);
    if (rec->name[0] && !add_resname(pd, rec->name, n, "map"))
        ok = false;

    if (reg) {
        uint64_t page = 1ull << reg->rec.page_bits;
        for (struct sys_map *o = sys->maps.v; o < m; o++)
            if (o->rec.pd == pd_index && o->region_ok && o->rec.region == (uint32_t)region) {
                error_node(n, "memory region '%s' is already mapped into PD '%s' (line %ld)", mr,
                           pd->rec.name, node_line(o->node));
                ok = false;
                break;
            }
        if (rec->vaddr % page) {
            error_node(n, "vaddr 0x%" PRIx64 " is not aligned to the page size 0x%" PRIx64 " of region '%s'",
                       rec->vaddr, page, mr);
            ok = false;
        }
    }
    m->ok = ok && reg && reg->ok;
}

static void parse_irq(struct sys *sys, struct sys_pd *pd, unsigned pd_index, xmlNode *n)
{
    static const char *const allowed[] = {"id", "isa", "gsi", "msi", "trigger", "polarity", "name", NULL};
    struct sys_irq *q = PUSH(sys->irqs);
    struct mica_sys_irq *rec = &q->rec;
    uint64_t v;
    bool ok = true;

    q->node = n;
    rec->pd = pd_index;
    check_attrs(n, allowed);
    check_empty(n);
    if (required_number(n, "id", &v) < 0)
        ok = false;
    else if (v >= MICA_CHANNEL_MAX) {
        error_node(n, "id %" PRIu64 " is out of range (0-%d)", v, MICA_CHANNEL_MAX - 1);
        ok = false;
    } else
        rec->id = (uint32_t)v;

    const char *isa = attr(n, "isa"), *gsi = attr(n, "gsi"), *msi = attr(n, "msi");
    unsigned sources = !!isa + !!gsi + !!msi;
    if (sources != 1) {
        error_node(n, sources ? "gives %s%s%s%s%s: exactly one source is allowed"
                              : "needs one of isa, gsi or msi",
                   isa ? "isa" : "", isa && (gsi || msi) ? " and " : "", gsi ? "gsi" : "",
                   gsi && msi ? " and " : "", msi ? "msi" : "");
        ok = false;
    } else if (isa) {
        rec->kind = MICA_SYS_IRQ_ISA;
        if (number(n, "isa", &v) < 0)
            ok = false;
        else if (v > 15) {
            error_node(n, "isa %" PRIu64 " is not an ISA IRQ (0-15)", v);
            ok = false;
        } else
            rec->number = (uint32_t)v;
    } else if (gsi) {
        rec->kind = MICA_SYS_IRQ_GSI;
        if (number(n, "gsi", &v) < 0)
            ok = false;
        else if (v > GSI_MAX) {
            error_node(n, "gsi %" PRIu64 " is out of range (0-%d)", v, GSI_MAX);
            ok = false;
        } else
            rec->number = (uint32_t)v;
    } else {
        rec->kind = MICA_SYS_IRQ_MSI;
        if (!check_name(n, "msi", msi))
            ok = false;
        else
            q->msi_device = xstrdup(msi);
    }

    const char *trigger = attr(n, "trigger"), *polarity = attr(n, "polarity");
    if ((trigger || polarity) && !gsi) {
        error_node(n, "%s only applies to gsi interrupts (ISA lines follow ACPI, MSIs are edge-triggered)",
                   trigger ? "trigger" : "polarity");
        ok = false;
    }
    if (trigger && !strcmp(trigger, "level"))
        rec->flags |= MICA_IRQ_LEVEL;
    else if (trigger && strcmp(trigger, "edge")) {
        error_node(n, "trigger \"%.40s\" is neither \"edge\" nor \"level\"", trigger);
        ok = false;
    }
    if (polarity && !strcmp(polarity, "low"))
        rec->flags |= MICA_IRQ_ACTIVE_LOW;
    else if (polarity && strcmp(polarity, "high")) {
        error_node(n, "polarity \"%.40s\" is neither \"high\" nor \"low\"", polarity);
        ok = false;
    }

    /* Optional: an irq without a name is found by its channel id only. */
    int r_name = name_attr(n, "name", rec->name);
    if (r_name < 0 || (r_name > 0 && !add_resname(pd, rec->name, n, "irq")))
        ok = false;
    q->ok = ok;
}

static void parse_ioport(struct sys *sys, struct sys_pd *pd, unsigned pd_index, xmlNode *n)
{
    static const char *const allowed[] = {"name", "base", "size", NULL};
    struct sys_ioport *p = PUSH(sys->ioports);
    struct mica_sys_ioport *rec = &p->rec;
    uint64_t base = 0, size = 0;
    bool ok = true;

    p->node = n;
    rec->pd = pd_index;
    check_attrs(n, allowed);
    check_empty(n);
    if (required_name(n, "name", rec->name) < 0 || !add_resname(pd, rec->name, n, "ioport"))
        ok = false;
    int rb = required_number(n, "base", &base), rs = required_number(n, "size", &size);
    if (rb < 0 || rs < 0)
        ok = false;
    else if (size == 0) {
        error_node(n, "size must not be 0 (an empty port range)");
        ok = false;
    } else if (base > MICA_IOPORT_MAX || size > MICA_IOPORT_MAX + 1 - base) {
        error_node(n, "ports 0x%" PRIx64 " + 0x%" PRIx64 " go past the last port 0x%x", base, size,
                   MICA_IOPORT_MAX);
        ok = false;
    } else {
        rec->base = (uint32_t)base;
        rec->size = (uint32_t)size;
    }
    p->ok = ok;
}

static void parse_untyped(struct sys *sys, struct sys_pd *pd, unsigned pd_index, xmlNode *n)
{
    static const char *const allowed[] = {"name", "size", NULL};
    struct sys_untyped *u = PUSH(sys->untypeds);
    uint64_t size;

    u->node = n;
    u->rec.pd = pd_index;
    check_attrs(n, allowed);
    check_empty(n);
    if (required_name(n, "name", u->rec.name) > 0)
        add_resname(pd, u->rec.name, n, "untyped");
    if (required_number(n, "size", &size) < 0)
        return;
    if (size < 4 * KIB || size > GIB || (size & (size - 1)))
        error_node(n, "size 0x%" PRIx64 " is not a power of two from 0x1000 (4 KiB) to 0x40000000 (1 GiB)",
                   size);
    else
        u->rec.size_bits = (uint32_t)__builtin_ctzll(size);
}

/* [ssss:]bb:dd.f, hexadecimal. */
static bool parse_pci(const char *s, uint32_t *out, char *why, size_t why_size)
{
    unsigned long f[4];
    unsigned nf = 0;
    const char *p = s;
    for (;;) {
        if (!isxdigit((unsigned char)*p)) {
            snprintf(why, why_size, "expected a hex number at \"%.20s\"", p);
            return false;
        }
        unsigned long v = 0;
        unsigned digits = 0;
        while (isxdigit((unsigned char)*p)) {
            if (++digits > 4) {
                snprintf(why, why_size, "a field has more than 4 digits");
                return false;
            }
            v = v * 16 + (unsigned long)(isdigit((unsigned char)*p) ? *p - '0' : (tolower((unsigned char)*p) - 'a' + 10));
            p++;
        }
        f[nf++] = v;
        if (*p == ':' && nf < 3) {
            p++;
            continue;
        }
        if (*p == '.' && (nf == 2 || nf == 3)) {
            p++;
            if (!isdigit((unsigned char)p[0]) || p[1]) {
                snprintf(why, why_size, "the function must be one digit 0-7 at the end");
                return false;
            }
            f[nf++] = (unsigned long)(p[0] - '0');
            break;
        }
        snprintf(why, why_size, "expected [ssss:]bb:dd.f");
        return false;
    }
    unsigned long seg = nf == 4 ? f[0] : 0, bus = f[nf - 3], dev = f[nf - 2], fn = f[nf - 1];
    if (seg > 0xffff || bus > 0xff || dev > 0x1f || fn > 7) {
        snprintf(why, why_size, "%s out of range (segment <= ffff, bus <= ff, device <= 1f, function <= 7)",
                 seg > 0xffff ? "segment" : bus > 0xff ? "bus" : dev > 0x1f ? "device" : "function");
        return false;
    }
    *out = (uint32_t)MICA_PCI_ADDR(seg, bus, dev, fn);
    return true;
}

static void parse_bar(struct sys *sys, struct sys_pd *pd, unsigned dev_index, xmlNode *n)
{
    static const char *const allowed[] = {"index", "vaddr", "size", "perms", "name", NULL};
    struct sys_bar *b = PUSH(sys->bars);
    struct mica_sys_bar *rec = &b->rec;
    const struct sys_device *dev = &sys->devices.v[dev_index];
    uint64_t index = 0;
    bool ok = true;

    b->node = n;
    rec->device = dev_index;
    check_attrs(n, allowed);
    check_empty(n);
    int ri = required_number(n, "index", &index);
    if (ri < 0)
        ok = false;
    else if (index > 5) {
        error_node(n, "index %" PRIu64 " is not a BAR (0-5)", index);
        ok = false;
    } else {
        rec->index = (uint32_t)index;
        b->index_ok = true;
        for (struct sys_bar *o = sys->bars.v; o < b; o++)
            if (o->rec.device == dev_index && o->index_ok && o->rec.index == index) {
                error_node(n, "BAR %" PRIu64 " of device '%s' is already mapped (line %ld)", index, dev->rec.name,
                           node_line(o->node));
                ok = false;
            }
    }
    if (required_number(n, "vaddr", &rec->vaddr) < 0)
        ok = false;
    else if (rec->vaddr % MICA_PAGE_SIZE) {
        error_node(n, "vaddr 0x%" PRIx64 " is not page aligned (0x1000)", rec->vaddr);
        ok = false;
    }
    if (required_number(n, "size", &rec->size) < 0)
        ok = false;
    else if (rec->size == 0 || rec->size % MICA_PAGE_SIZE) {
        error_node(n, "size 0x%" PRIx64 " is not a non-zero multiple of 0x1000", rec->size);
        ok = false;
    }
    if (!perms_attr(n, false, &rec->perms))
        ok = false;

    int rn = name_attr(n, "name", rec->name);
    if (rn < 0)
        ok = false;
    else if (rn == 0 && ri > 0 && dev->rec.name[0]) {
        char def[80];
        snprintf(def, sizeof def, "%s_bar%u", dev->rec.name, rec->index);
        if (strlen(def) >= MICA_SYS_NAME_MAX) {
            error_node(n, "the default name '%s' is longer than 31 characters: give the bar a name", def);
            ok = false;
        } else
            memcpy(rec->name, def, strlen(def) + 1);
    }
    if (rec->name[0] && !add_resname(pd, rec->name, n, "bar"))
        ok = false;
    b->ok = ok;
}

static void parse_device(struct sys *sys, struct sys_pd *pd, unsigned pd_index, xmlNode *n)
{
    static const char *const allowed[] = {"name", "address", "vendor", "device", NULL};
    struct sys_device *d = PUSH(sys->devices);
    struct mica_sys_device *rec = &d->rec;
    unsigned index = sys->devices.n - 1;
    uint64_t v;
    bool ok = true;
    int r;

    d->node = n;
    rec->pd = pd_index;
    check_attrs(n, allowed);
    if (required_name(n, "name", rec->name) < 0 || !add_resname(pd, rec->name, n, "pci_device"))
        ok = false;
    const char *address = required(n, "address");
    char why[128];
    if (!address)
        ok = false;
    else if (!parse_pci(address, &rec->pci, why, sizeof why)) {
        error_node(n, "address \"%.40s\" is not a PCI address: %s", address, why);
        ok = false;
    }
    rec->vendor = rec->device = MICA_SYS_ANY_ID;
    if ((r = number(n, "vendor", &v)) < 0)
        ok = false;
    else if (r > 0 && v > 0xfffe) {
        error_node(n, "vendor 0x%" PRIx64 " is not a PCI vendor ID (0-0xfffe)", v);
        ok = false;
    } else if (r > 0)
        rec->vendor = (uint32_t)v;
    if ((r = number(n, "device", &v)) < 0)
        ok = false;
    else if (r > 0 && v > 0xffff) {
        error_node(n, "device 0x%" PRIx64 " is not a PCI device ID (0-0xffff)", v);
        ok = false;
    } else if (r > 0)
        rec->device = (uint32_t)v;
    d->ok = ok;

    for (xmlNode *c = n->children; c; c = c->next) {
        if (is_tag(c, "bar"))
            parse_bar(sys, pd, index, c);
        else if (c->type == XML_ELEMENT_NODE)
            unknown_element(n, c, "allowed: bar");
        else
            check_text(n, c);
    }
}

/* MSI irqs name a pci_device of the same PD, possibly further down. */
static void resolve_msis(struct sys *sys, unsigned pd_index, unsigned first_irq)
{
    for (unsigned i = first_irq; i < sys->irqs.n; i++) {
        struct sys_irq *q = &sys->irqs.v[i];
        if (q->rec.pd != pd_index || !q->msi_device)
            continue;
        int dev = -1;
        for (unsigned d = 0; d < sys->devices.n && dev < 0; d++)
            if (sys->devices.v[d].rec.pd == pd_index && !strcmp(sys->devices.v[d].rec.name, q->msi_device))
                dev = (int)d;
        if (dev < 0) {
            error_node(q->node, "msi names no pci_device '%s' of PD '%s'", q->msi_device,
                       sys->pds.v[pd_index].rec.name);
            q->ok = false;
            continue;
        }
        q->rec.number = (uint32_t)dev;
        q->msi_ok = true;
        for (unsigned j = first_irq; j < i; j++) {
            struct sys_irq *o = &sys->irqs.v[j];
            if (o->msi_ok && o->rec.number == (uint32_t)dev) {
                error_node(q->node, "device '%s' already has an MSI (the irq at line %ld): one per device",
                           q->msi_device, node_line(o->node));
                q->ok = false;
                break;
            }
        }
    }
}

void parse_pd_contents(struct sys *sys, unsigned pd_index)
{
    struct sys_pd *pd = &sys->pds.v[pd_index];
    xmlNode *n = pd->node;
    unsigned first_irq = sys->irqs.n;

    for (xmlNode *c = n->children; c; c = c->next) {
        if (is_tag(c, "program_image"))
            parse_program_image(pd, c);
        else if (is_tag(c, "map"))
            parse_map(sys, pd, pd_index, c);
        else if (is_tag(c, "irq"))
            parse_irq(sys, pd, pd_index, c);
        else if (is_tag(c, "ioport"))
            parse_ioport(sys, pd, pd_index, c);
        else if (is_tag(c, "pci_device"))
            parse_device(sys, pd, pd_index, c);
        else if (is_tag(c, "untyped"))
            parse_untyped(sys, pd, pd_index, c);
        else if (c->type == XML_ELEMENT_NODE)
            unknown_element(n, c, "allowed: program_image, map, irq, ioport, pci_device, untyped");
        else
            check_text(n, c);
    }
    if (!pd->program_node)
        error_node(n, "has no <program_image>");
    resolve_msis(sys, pd_index, first_irq);
}

