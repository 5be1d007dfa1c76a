/*
 * `mksystem --dot FILE`: the system as a Graphviz digraph (`make graph`).
 *
 *   protection domains  boxes: name, priority, and as notes their irqs,
 *                       I/O ports, PCI devices (with BARs) and untyped;
 *   memory regions      ellipses with their size, an edge to each PD that
 *                       maps one, labelled perms@vaddr;
 *   channels            an edge between the two PDs labelled with both
 *                       ids; an arrowhead points at each PD the other end
 *                       may notify; a protected-call channel is drawn bold
 *                       and blue, labelled "pp", pointing at the callee;
 *   endpoints           diamonds, a dotted edge to each PD holding an end,
 *                       labelled with its rights and badge, with an arrow
 *                       into a PD that may receive and one out of a PD
 *                       that may send.
 *
 * Every name in the description is from [A-Za-z0-9_.-], so names need no
 * escaping inside the quoted DOT strings.
 */
#include <inttypes.h>
#include <stdio.h>

#include "mksystem.h"

static void human_size(uint64_t size, char *buf, size_t n)
{
    if (size >= (1ull << 30) && !(size & ((1ull << 30) - 1)))
        snprintf(buf, n, "%" PRIu64 " GiB", size >> 30);
    else if (size >= (1ull << 20) && !(size & ((1ull << 20) - 1)))
        snprintf(buf, n, "%" PRIu64 " MiB", size >> 20);
    else if (size >= (1ull << 10) && !(size & ((1ull << 10) - 1)))
        snprintf(buf, n, "%" PRIu64 " KiB", size >> 10);
    else
        snprintf(buf, n, "%" PRIu64 " bytes", size);
}

static void pd_node(const struct sys *sys, unsigned i, FILE *f)
{
    const struct sys_pd *pd = &sys->pds.v[i];
    char sz[32];

    fprintf(f, "  \"pd:%s\" [shape=box, style=\"rounded,filled\", fillcolor=\"#dce8f8\", label=\"%s\\npriority %u",
            pd->rec.name, pd->rec.name, pd->rec.priority);
    fprintf(f, "\\nprogram %s", sys->programs.v[pd->rec.program].name);
    for (unsigned k = 0; k < sys->irqs.n; k++) {
        const struct sys_irq *q = &sys->irqs.v[k];
        if (q->rec.pd != i)
            continue;
        fprintf(f, "\\nirq %s%sid %u: ", q->rec.name, q->rec.name[0] ? ", " : "", q->rec.id);
        if (q->rec.kind == MICA_SYS_IRQ_ISA)
            fprintf(f, "ISA %u", q->rec.number);
        else if (q->rec.kind == MICA_SYS_IRQ_GSI)
            fprintf(f, "GSI %u %s", q->rec.number, q->rec.flags & MICA_IRQ_LEVEL ? "level" : "edge");
        else
            fprintf(f, "MSI of %s", sys->devices.v[q->rec.number].rec.name);
    }
    for (unsigned k = 0; k < sys->ioports.n; k++) {
        const struct mica_sys_ioport *p = &sys->ioports.v[k].rec;
        if (p->pd == i)
            fprintf(f, "\\nioport %s: 0x%x-0x%x", p->name, p->base, p->base + p->size - 1);
    }
    for (unsigned k = 0; k < sys->devices.n; k++) {
        const struct mica_sys_device *d = &sys->devices.v[k].rec;
        if (d->pd != i)
            continue;
        char pci[16];
        pci_str(d->pci, pci);
        fprintf(f, "\\ndevice %s: %s", d->name, pci);
        for (unsigned b = 0; b < sys->bars.n; b++) {
            const struct mica_sys_bar *bar = &sys->bars.v[b].rec;
            if (bar->device == k)
                fprintf(f, "\\n  BAR%u %s %s@0x%" PRIx64, bar->index, bar->name, perms_str(bar->perms), bar->vaddr);
        }
    }
    for (unsigned k = 0; k < sys->untypeds.n; k++) {
        const struct mica_sys_untyped *u = &sys->untypeds.v[k].rec;
        if (u->pd != i)
            continue;
        human_size(1ull << u->size_bits, sz, sizeof sz);
        fprintf(f, "\\nuntyped %s: %s", u->name, sz);
    }
    fprintf(f, "\"];\n");
}

static int fill(FILE *f, const void *arg)
{
    const struct sys *sys = arg;
    char sz[32];

    fprintf(f, "digraph \"%s\" {\n", sys->name);
    fprintf(f, "  graph [label=\"system %s\", labelloc=t, fontname=\"Helvetica\", rankdir=LR];\n", sys->name);
    fprintf(f, "  node [fontname=\"Helvetica\", fontsize=11];\n");
    fprintf(f, "  edge [fontname=\"Helvetica\", fontsize=9];\n");
    for (unsigned i = 0; i < sys->pds.n; i++)
        pd_node(sys, i, f);
    for (unsigned i = 0; i < sys->regions.n; i++) {
        const struct mica_sys_region *r = &sys->regions.v[i].rec;
        human_size(r->size, sz, sizeof sz);
        fprintf(f, "  \"mr:%s\" [shape=ellipse, style=filled, fillcolor=\"#f4ecd0\", label=\"%s\\n%s", r->name, r->name, sz);
        if (r->page_bits != 12)
            fprintf(f, ", 2 MiB pages");
        if (r->flags & MICA_SYS_REGION_PHYS)
            fprintf(f, "\\nphys 0x%" PRIx64, r->paddr);
        if (r->flags & MICA_SYS_REGION_DEMAND)
            fprintf(f, "\\ndemand-paged");
        fprintf(f, "\"];\n");
    }
    for (unsigned i = 0; i < sys->maps.n; i++) {
        const struct mica_sys_map *m = &sys->maps.v[i].rec;
        fprintf(f, "  \"mr:%s\" -> \"pd:%s\" [label=\"%s@0x%" PRIx64 "%s\", color=\"#8a7a3a\"];\n",
                sys->regions.v[m->region].rec.name, sys->pds.v[m->pd].rec.name, perms_str(m->perms), m->vaddr,
                m->flags & MICA_SYS_MAP_CACHED ? "" : " uncached");
    }
    for (unsigned i = 0; i < sys->channels.n; i++) {
        const struct mica_sys_channel_end *a = &sys->channels.v[i].rec.end[0], *b = &sys->channels.v[i].rec.end[1];
        const char *pa = sys->pds.v[a->pd].rec.name, *pb = sys->pds.v[b->pd].rec.name;
        bool pp = (a->flags | b->flags) & MICA_SYS_END_PP;
        /* Draw from the caller for a pp channel, so the arrow points at the callee. */
        if (b->flags & MICA_SYS_END_PP) {
            const struct mica_sys_channel_end *t = a;
            const char *tn = pa;
            a = b, pa = pb;
            b = t, pb = tn;
        }
        fprintf(f, "  \"pd:%s\" -> \"pd:%s\" [dir=both, arrowhead=%s, arrowtail=%s, label=\"%s%s:%u - %s:%u\"%s];\n",
                pa, pb, a->flags & MICA_SYS_END_NOTIFY ? "normal" : pp ? "normal" : "none",
                b->flags & MICA_SYS_END_NOTIFY ? "normal" : "none", pp ? "pp " : "", pa, a->id, pb, b->id,
                pp ? ", style=bold, color=\"#2050c0\", fontcolor=\"#2050c0\"" : "");
    }
    for (unsigned i = 0; i < sys->endpoints.n; i++)
        fprintf(f, "  \"ep:%s\" [shape=diamond, style=filled, fillcolor=\"#e4f4e0\", label=\"%s\"];\n",
                sys->endpoints.v[i].rec.name, sys->endpoints.v[i].rec.name);
    for (unsigned i = 0; i < sys->endpoint_ends.n; i++) {
        const struct mica_sys_endpoint_end *e = &sys->endpoint_ends.v[i].rec;
        /* Messages flow into a PD that may receive, out of one that may send. */
        fprintf(f, "  \"ep:%s\" -> \"pd:%s\" [style=dotted, dir=both, arrowhead=%s, arrowtail=%s, label=\"%s",
                sys->endpoints.v[e->endpoint].rec.name, sys->pds.v[e->pd].rec.name,
                e->rights & MICA_RIGHT_READ ? "normal" : "none", e->rights & MICA_RIGHT_WRITE ? "inv" : "none",
                rights_str(e->rights));
        if (e->badge)
            fprintf(f, " badge 0x%" PRIx64, e->badge);
        fprintf(f, "\"];\n");
    }
    fprintf(f, "}\n");
    return 0;
}

int sys_write_dot(const struct sys *sys, const char *path)
{
    return write_atomically(path, fill, sys);
}
