/*
 * `mksystem --list`: the compiled system, one line per record, in table
 * order. Resources are written PD/NAME (names may contain dots; an irq
 * without a name is just PD). Only what the description decides
 * appears (no file sizes or paths), so the listing of a description does
 * not change when its programs are rebuilt; the tests compare it.
 */
#include <inttypes.h>
#include <stdio.h>

#include "mksystem.h"

static const char *pd_name(const struct sys *sys, uint32_t pd)
{
    return sys->pds.v[pd].rec.name;
}

static void list_end(const struct sys *sys, const struct mica_sys_channel_end *e, FILE *out)
{
    fprintf(out, "%s id %u%s%s", pd_name(sys, e->pd), e->id, e->flags & MICA_SYS_END_PP ? " pp" : "",
            e->flags & MICA_SYS_END_NOTIFY ? " notify" : "");
}

void sys_list(const struct sys *sys, FILE *out)
{
    fprintf(out, "system %s\n", sys->name);
    for (unsigned i = 0; i < sys->programs.n; i++)
        fprintf(out, "program %u %s\n", i, sys->programs.v[i].name);
    for (unsigned i = 0; i < sys->pds.n; i++) {
        const struct mica_sys_pd *p = &sys->pds.v[i].rec;
        fprintf(out, "pd %u %s: program %s priority %u budget %" PRIu64 " period %" PRIu64
                     " stack 0x%" PRIx64 " heap 0x%" PRIx64 "\n",
                i, p->name, sys->programs.v[p->program].name, p->priority, p->budget, p->period, p->stack_size,
                p->heap_size);
    }
    for (unsigned i = 0; i < sys->regions.n; i++) {
        const struct mica_sys_region *r = &sys->regions.v[i].rec;
        fprintf(out, "region %u %s: size 0x%" PRIx64 " page 0x%llx %s", i, r->name, r->size, 1ull << r->page_bits,
                r->flags & MICA_SYS_REGION_DEMAND ? "demand" : "eager");
        if (r->flags & MICA_SYS_REGION_PHYS)
            fprintf(out, " phys 0x%" PRIx64, r->paddr);
        fputc('\n', out);
    }
    for (unsigned i = 0; i < sys->maps.n; i++) {
        const struct mica_sys_map *m = &sys->maps.v[i].rec;
        fprintf(out, "map %s/%s: region %s vaddr 0x%" PRIx64 " size 0x%" PRIx64 " %s %s\n", pd_name(sys, m->pd),
                m->name, sys->regions.v[m->region].rec.name, m->vaddr, sys->regions.v[m->region].rec.size,
                perms_str(m->perms), m->flags & MICA_SYS_MAP_CACHED ? "cached" : "uncached");
    }
    for (unsigned i = 0; i < sys->channels.n; i++) {
        fprintf(out, "channel %u: ", i);
        list_end(sys, &sys->channels.v[i].rec.end[0], out);
        fprintf(out, " <-> ");
        list_end(sys, &sys->channels.v[i].rec.end[1], out);
        fputc('\n', out);
    }
    for (unsigned i = 0; i < sys->irqs.n; i++) {
        const struct sys_irq *q = &sys->irqs.v[i];
        /* An irq's name is optional: PD/NAME when it has one, else PD. */
        fprintf(out, "irq %s%s%s id %u: ", pd_name(sys, q->rec.pd), q->rec.name[0] ? "/" : "", q->rec.name,
                q->rec.id);
        if (q->rec.kind == MICA_SYS_IRQ_ISA)
            fprintf(out, "isa %u", q->rec.number);
        else if (q->rec.kind == MICA_SYS_IRQ_GSI)
            fprintf(out, "gsi %u %s %s", q->rec.number, q->rec.flags & MICA_IRQ_LEVEL ? "level" : "edge",
                    q->rec.flags & MICA_IRQ_ACTIVE_LOW ? "low" : "high");
        else
            fprintf(out, "msi device %s", sys->devices.v[q->rec.number].rec.name);
        fputc('\n', out);
    }
    for (unsigned i = 0; i < sys->ioports.n; i++) {
        const struct mica_sys_ioport *p = &sys->ioports.v[i].rec;
        fprintf(out, "ioport %s/%s: base 0x%x size %u\n", pd_name(sys, p->pd), p->name, p->base, p->size);
    }
    for (unsigned i = 0; i < sys->devices.n; i++) {
        const struct mica_sys_device *d = &sys->devices.v[i].rec;
        char pci[16];
        pci_str(d->pci, pci);
        fprintf(out, "device %u %s/%s: pci %s", i, pd_name(sys, d->pd), d->name, pci);
        if (d->vendor != MICA_SYS_ANY_ID)
            fprintf(out, " vendor 0x%04x", d->vendor);
        if (d->device != MICA_SYS_ANY_ID)
            fprintf(out, " device 0x%04x", d->device);
        fputc('\n', out);
    }
    for (unsigned i = 0; i < sys->bars.n; i++) {
        const struct mica_sys_bar *b = &sys->bars.v[i].rec;
        const struct mica_sys_device *d = &sys->devices.v[b->device].rec;
        fprintf(out, "bar %s/%s: device %s bar %u vaddr 0x%" PRIx64 " size 0x%" PRIx64 " %s\n", pd_name(sys, d->pd),
                b->name, d->name, b->index, b->vaddr, b->size, perms_str(b->perms));
    }
    for (unsigned i = 0; i < sys->endpoints.n; i++)
        fprintf(out, "endpoint %u %s\n", i, sys->endpoints.v[i].rec.name);
    for (unsigned i = 0; i < sys->endpoint_ends.n; i++) {
        const struct mica_sys_endpoint_end *e = &sys->endpoint_ends.v[i].rec;
        fprintf(out, "endpoint_end %s/%s: endpoint %s rights %s badge 0x%" PRIx64 "\n", pd_name(sys, e->pd), e->name,
                sys->endpoints.v[e->endpoint].rec.name, rights_str(e->rights), e->badge);
    }
    for (unsigned i = 0; i < sys->untypeds.n; i++) {
        const struct mica_sys_untyped *u = &sys->untypeds.v[i].rec;
        fprintf(out, "untyped %s/%s: size 0x%llx\n", pd_name(sys, u->pd), u->name, 1ull << u->size_bits);
    }
}
