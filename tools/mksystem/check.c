/*
 * Whole-system checks: what no single element can know on its own.
 *
 * The programs are found and read first (their ELF segments take part in
 * the address-space checks), then, per PD, every map and BAR is checked
 * against the user address range, the heap, the program's segments and
 * the maps and BARs before it; then channel ids, interrupt sources, PCI
 * functions, I/O port ranges, protected-call priorities and the limits
 * init relies on. Each conflict is reported once, at the later of the two
 * elements, naming the earlier one.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <bits.h>

#include "mksystem.h"

/* A program larger than this is surely not one. */
#define PROGRAM_SIZE_MAX (256ull << 20)

/* ---------------------------------------------------------------- programs */

static bool regular_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = xmalloc(n);
    snprintf(p, n, "%s%s%s", dir, *dir && dir[strlen(dir) - 1] != '/' ? "/" : "", name);
    return p;
}

/* The description's directory ("." if none), for relative program paths. */
static char *input_dir(const char *input)
{
    const char *slash = strrchr(input, '/');
    if (!slash)
        return xstrdup(".");
    size_t n = (size_t)(slash - input);
    char *d = xmalloc(n + 2);
    memcpy(d, input, n ? n : 1);
    return d;
}

static void append(char *buf, size_t size, const char *s)
{
    size_t n = strlen(buf);
    if (n + 1 < size)
        snprintf(buf + n, size - n, "%s%s", n ? ", " : "", s);
}

/*
 * A program_image path: a plain file name is looked for in each --search
 * directory in order, then next to the description; a path with a '/' is
 * taken relative to the description's directory (or as is if absolute).
 * Returns the candidate that exists, NULL with `looked` listing where not.
 */
static char *locate(const char *path, const struct options *opt, char *looked, size_t looked_size)
{
    char *dir = input_dir(opt->input);
    char *found = NULL;
    looked[0] = 0;
    if (path[0] == '/') {
        append(looked, looked_size, path);
        if (regular_file(path))
            found = xstrdup(path);
    } else if (strchr(path, '/')) {
        char *c = join(dir, path);
        append(looked, looked_size, c);
        if (regular_file(c))
            found = c;
        else
            free(c);
    } else {
        for (unsigned i = 0; i < opt->n_search && !found; i++) {
            char *c = join(opt->search[i], path);
            append(looked, looked_size, c);
            if (regular_file(c))
                found = c;
            else
                free(c);
        }
        if (!found) {
            char *c = join(dir, path);
            append(looked, looked_size, c);
            if (regular_file(c))
                found = c;
            else
                free(c);
        }
    }
    free(dir);
    return found;
}

static bool read_file(const char *path, unsigned char **data, size_t *size, char *why, size_t why_size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, why_size, "cannot open: %s", strerror(errno));
        return false;
    }
    struct stat st;
    if (fstat(fileno(f), &st) || st.st_size < 0 || (uint64_t)st.st_size > PROGRAM_SIZE_MAX) {
        snprintf(why, why_size, "larger than %llu MiB", PROGRAM_SIZE_MAX >> 20);
        fclose(f);
        return false;
    }
    *size = (size_t)st.st_size;
    *data = xmalloc(*size);
    if (*size && fread(*data, 1, *size, f) != *size) {
        snprintf(why, why_size, "cannot read: %s", ferror(f) ? strerror(errno) : "file shrank");
        fclose(f);
        free(*data);
        *data = NULL;
        return false;
    }
    fclose(f);
    return true;
}

static void load_program(struct sys *sys, struct sys_pd *pd, const struct options *opt)
{
    char looked[2048], why[256];
    xmlNode *n = pd->program_node;
    char *found = locate(pd->program_path, opt, looked, sizeof looked);
    if (!found) {
        error_node(n, "program file '%s' not found (looked for %s)%s", pd->program_path, looked,
                   opt->n_search || strchr(pd->program_path, '/') ? "" : "; give --search DIR");
        return;
    }
    char *real = realpath(found, NULL);
    if (!real)
        real = xstrdup(found);
    for (unsigned i = 0; i < sys->programs.n; i++)
        if (!strcmp(sys->programs.v[i].path, real)) {
            pd->rec.program = i;
            pd->program_ok = true;
            free(real);
            free(found);
            return;
        }

    unsigned char *data = NULL;
    size_t size = 0;
    struct elf_image elf;
    if (!read_file(found, &data, &size, why, sizeof why)) {
        error_node(n, "program file '%s': %s", found, why);
        goto out;
    }
    enum elf_error err = elf_parse(data, size, MICA_USER_MIN, MICA_ROOT_AREA, &elf);
    if (err != ELF_OK) {
        char where[64] = "";
        if (err == ELF_ERR_SEGMENT_OUTSIDE_USER || err == ELF_ERR_ENTRY || err == ELF_ERR_WRONG_MACHINE)
            snprintf(where, sizeof where, " (%s 0x%" PRIx64 ")",
                     err == ELF_ERR_WRONG_MACHINE ? "machine" : "address", elf.bad_value);
        else if (elf.bad_index >= 0)
            snprintf(where, sizeof where, " (program header %d)", elf.bad_index);
        error_node(n, "'%s' is not a loadable program: %s%s", found, elf_strerror(err), where);
        free(data);
        goto out;
    }
    struct sys_program *p = PUSH(sys->programs);
    const char *base = strrchr(pd->program_path, '/');
    /* The file name, cut to fit, in printable ASCII (init checks). */
    snprintf(p->name, sizeof p->name, "%s", base ? base + 1 : pd->program_path);
    for (char *c = p->name; *c; c++)
        if (*c < 0x20 || *c > 0x7e)
            *c = '_';
    p->path = real;
    real = NULL;
    p->data = data;
    p->size = size;
    p->elf = elf;
    pd->rec.program = sys->programs.n - 1;
    pd->program_ok = true;
out:
    free(real);
    free(found);
}

/* ---------------------------------------------------------------- address spaces */

/* Something occupying [lo, hi) of a PD's address space. */
struct range {
    uint64_t lo, hi;
    char what[96];
    char where[24]; /* ", line N" for a map or BAR */
};

static bool overlaps(uint64_t a, uint64_t a_end, uint64_t b, uint64_t b_end)
{
    return a < b_end && b < a_end;
}

/* One map or BAR to place. */
struct placement {
    xmlNode *node;
    uint64_t vaddr, size;
    const char *kind; /* "map" or "bar" */
    const char *name;
};

static int by_node_line(const void *a, const void *b)
{
    long x = node_line(((const struct placement *)a)->node), y = node_line(((const struct placement *)b)->node);
    return (x > y) - (x < y);
}

static void check_address_space(struct sys *sys, unsigned pd_index)
{
    struct sys_pd *pd = &sys->pds.v[pd_index];
    ARRAY(struct range) used = {0};
    ARRAY(struct placement) todo = {0};

    if (pd->program_ok) {
        const struct sys_program *p = &sys->programs.v[pd->rec.program];
        for (unsigned i = 0; i < p->elf.n_segments; i++) {
            const struct elf_segment *s = &p->elf.seg[i];
            struct range *r = PUSH(used);
            r->lo = align_down(s->vaddr, MICA_PAGE_SIZE);
            r->hi = align_up(s->vaddr + s->memsz, MICA_PAGE_SIZE);
            snprintf(r->what, sizeof r->what, "segment %u (%c%c%c) of program '%s'", i,
                     s->flags & ELF_PF_R ? 'r' : '-', s->flags & ELF_PF_W ? 'w' : '-',
                     s->flags & ELF_PF_X ? 'x' : '-', p->name);
            if (pd->rec.heap_size && overlaps(r->lo, r->hi, MICA_PD_HEAP, MICA_PD_HEAP + pd->rec.heap_size))
                error_node(pd->program_node,
                           "%s (0x%" PRIx64 "-0x%" PRIx64 ") overlaps the heap of PD '%s' (0x%llx-0x%llx)", r->what,
                           r->lo, r->hi, pd->rec.name, MICA_PD_HEAP, MICA_PD_HEAP + pd->rec.heap_size);
        }
    }
    if (pd->rec.heap_size) {
        struct range *r = PUSH(used);
        r->lo = MICA_PD_HEAP;
        r->hi = MICA_PD_HEAP + pd->rec.heap_size;
        snprintf(r->what, sizeof r->what, "the heap");
    }

    for (unsigned i = 0; i < sys->maps.n; i++) {
        struct sys_map *m = &sys->maps.v[i];
        if (m->rec.pd != pd_index || !m->ok)
            continue;
        struct placement *p = PUSH(todo);
        *p = (struct placement){m->node, m->rec.vaddr, sys->regions.v[m->rec.region].rec.size, "map", m->rec.name};
    }
    for (unsigned i = 0; i < sys->bars.n; i++) {
        struct sys_bar *b = &sys->bars.v[i];
        if (sys->devices.v[b->rec.device].rec.pd != pd_index || !b->ok)
            continue;
        struct placement *p = PUSH(todo);
        *p = (struct placement){b->node, b->rec.vaddr, b->rec.size, "bar", b->rec.name};
    }
    if (todo.n)
        qsort(todo.v, todo.n, sizeof *todo.v, by_node_line);

    for (unsigned i = 0; i < todo.n; i++) {
        struct placement *p = &todo.v[i];
        if (p->vaddr < MICA_USER_MIN) {
            error_node(p->node, "vaddr 0x%" PRIx64 " is below the lowest user address 0x%llx", p->vaddr,
                       MICA_USER_MIN);
            continue;
        }
        if (p->vaddr >= MICA_ROOT_AREA || p->size > MICA_ROOT_AREA - p->vaddr) {
            error_node(p->node,
                       "vaddr 0x%" PRIx64 " + size 0x%" PRIx64 " reaches the area at 0x%llx and above "
                       "(stack, IPC buffer, boot info, PD info)",
                       p->vaddr, p->size, MICA_ROOT_AREA);
            continue;
        }
        uint64_t end = p->vaddr + p->size;
        bool clash = false;
        for (unsigned j = 0; j < used.n && !clash; j++)
            if (overlaps(p->vaddr, end, used.v[j].lo, used.v[j].hi)) {
                error_node(p->node,
                           "vaddr 0x%" PRIx64 " (size 0x%" PRIx64 ") overlaps %s (0x%" PRIx64 "-0x%" PRIx64
                           "%s) of PD '%s'",
                           p->vaddr, p->size, used.v[j].what, used.v[j].lo, used.v[j].hi, used.v[j].where,
                           pd->rec.name);
                clash = true;
            }
        if (clash)
            continue;
        struct range *r = PUSH(used);
        r->lo = p->vaddr;
        r->hi = end;
        snprintf(r->what, sizeof r->what, "%s '%s'", p->kind, p->name);
        snprintf(r->where, sizeof r->where, ", line %ld", node_line(p->node));
    }
    free(used.v);
    free(todo.v);
}

/* ---------------------------------------------------------------- channel ids */

struct id_use {
    xmlNode *node;
    unsigned pd, id;
    const char *kind;
};

static int id_use_by_line(const void *a, const void *b)
{
    long x = node_line(((const struct id_use *)a)->node), y = node_line(((const struct id_use *)b)->node);
    return (x > y) - (x < y);
}

/* Channel ends and irqs share each PD's ids 0 .. MICA_CHANNEL_MAX-1. */
static void check_channel_ids(struct sys *sys)
{
    ARRAY(struct id_use) uses = {0};
    for (unsigned i = 0; i < sys->irqs.n; i++)
        if (sys->irqs.v[i].ok)
            *PUSH(uses) = (struct id_use){sys->irqs.v[i].node, sys->irqs.v[i].rec.pd, sys->irqs.v[i].rec.id, "irq"};
    for (unsigned i = 0; i < sys->channels.n; i++)
        for (unsigned k = 0; k < 2 && k < sys->channels.v[i].n_ends; k++)
            if (sys->channels.v[i].end_ok[k])
                *PUSH(uses) = (struct id_use){sys->channels.v[i].end_node[k], sys->channels.v[i].rec.end[k].pd,
                                              sys->channels.v[i].rec.end[k].id, "channel end"};
    if (!uses.n)
        return;
    qsort(uses.v, uses.n, sizeof *uses.v, id_use_by_line);
    xmlNode **first = xmalloc(sizeof *first * sys->pds.n * MICA_CHANNEL_MAX);
    const char **kind = xmalloc(sizeof *kind * sys->pds.n * MICA_CHANNEL_MAX);
    for (unsigned i = 0; i < uses.n; i++) {
        struct id_use *u = &uses.v[i];
        size_t slot = (size_t)u->pd * MICA_CHANNEL_MAX + u->id;
        if (first[slot]) {
            error_node(u->node, "id %u of PD '%s' is already used by the %s at line %ld "
                                "(channel ends and irqs share a PD's ids)",
                       u->id, sys->pds.v[u->pd].rec.name, kind[slot], node_line(first[slot]));
            for (unsigned c = 0; c < sys->channels.n; c++)
                for (unsigned k = 0; k < 2; k++)
                    if (sys->channels.v[c].end_node[k] == u->node)
                        sys->channels.v[c].ok = false;
            continue;
        }
        first[slot] = u->node;
        kind[slot] = u->kind;
    }
    free(first);
    free(kind);
    free(uses.v);
}

/* A protected call goes to a PD of strictly higher priority, so a chain
 * of calls can never come back around to its caller. */
static void check_pp(struct sys *sys)
{
    for (unsigned i = 0; i < sys->channels.n; i++) {
        struct sys_channel *ch = &sys->channels.v[i];
        if (ch->n_ends != 2 || !ch->end_ok[0] || !ch->end_ok[1])
            continue;
        for (unsigned k = 0; k < 2; k++) {
            const struct mica_sys_channel_end *me = &ch->rec.end[k], *other = &ch->rec.end[1 - k];
            if (!(me->flags & MICA_SYS_END_PP))
                continue;
            const struct sys_pd *caller = &sys->pds.v[me->pd], *callee = &sys->pds.v[other->pd];
            if (caller->rec.priority >= callee->rec.priority)
                error_node(ch->end_node[k],
                           "pp=\"true\" but PD '%s' (priority %u) is not of lower priority than the PD it "
                           "calls, '%s' (priority %u)",
                           caller->rec.name, caller->rec.priority, callee->rec.name, callee->rec.priority);
        }
    }
}

/* ---------------------------------------------------------------- devices */

static void check_irq_sources(struct sys *sys)
{
    for (unsigned i = 0; i < sys->irqs.n; i++) {
        struct sys_irq *q = &sys->irqs.v[i];
        if (!q->ok || q->rec.kind == MICA_SYS_IRQ_MSI)
            continue;
        for (unsigned j = 0; j < i; j++) {
            struct sys_irq *o = &sys->irqs.v[j];
            if (o->ok && o->rec.kind == q->rec.kind && o->rec.number == q->rec.number) {
                error_node(q->node, "%s %u is already given to PD '%s' (line %ld)",
                           q->rec.kind == MICA_SYS_IRQ_ISA ? "ISA IRQ" : "GSI", q->rec.number,
                           sys->pds.v[o->rec.pd].rec.name, node_line(o->node));
                break;
            }
        }
    }
}

static void check_devices(struct sys *sys)
{
    for (unsigned i = 0; i < sys->devices.n; i++) {
        struct sys_device *d = &sys->devices.v[i];
        if (!d->ok)
            continue;
        for (unsigned j = 0; j < i; j++) {
            struct sys_device *o = &sys->devices.v[j];
            if (o->ok && o->rec.pci == d->rec.pci) {
                char pci[16];
                pci_str(d->rec.pci, pci);
                error_node(d->node, "PCI function %s is already given to PD '%s' as '%s' (line %ld)", pci,
                           sys->pds.v[o->rec.pd].rec.name, o->rec.name, node_line(o->node));
                break;
            }
        }
    }
    for (unsigned i = 0; i < sys->ioports.n; i++) {
        struct sys_ioport *p = &sys->ioports.v[i];
        if (!p->ok)
            continue;
        for (unsigned j = 0; j < i; j++) {
            struct sys_ioport *o = &sys->ioports.v[j];
            if (o->ok && overlaps(p->rec.base, p->rec.base + p->rec.size, o->rec.base, o->rec.base + o->rec.size)) {
                error_node(p->node, "ports 0x%x-0x%x overlap ioport '%s' (0x%x-0x%x) of PD '%s' (line %ld)",
                           p->rec.base, p->rec.base + p->rec.size - 1, o->rec.name, o->rec.base,
                           o->rec.base + o->rec.size - 1, sys->pds.v[o->rec.pd].rec.name, node_line(o->node));
                break;
            }
        }
    }
}

/* ---------------------------------------------------------------- limits */

/* The records init writes into each PD's info (mica_pd_info.res). */
static void check_resource_counts(struct sys *sys)
{
    unsigned *count = xmalloc(sizeof *count * (sys->pds.n ? sys->pds.n : 1));
    for (unsigned i = 0; i < sys->maps.n; i++)
        count[sys->maps.v[i].rec.pd]++;
    for (unsigned i = 0; i < sys->channels.n; i++)
        for (unsigned k = 0; k < 2 && k < sys->channels.v[i].n_ends; k++)
            if (sys->channels.v[i].end_ok[k])
                count[sys->channels.v[i].rec.end[k].pd] += sys->channels.v[i].rec.end[k].flags & MICA_SYS_END_PP ? 2 : 1;
    for (unsigned i = 0; i < sys->irqs.n; i++)
        count[sys->irqs.v[i].rec.pd]++;
    for (unsigned i = 0; i < sys->ioports.n; i++)
        count[sys->ioports.v[i].rec.pd]++;
    for (unsigned i = 0; i < sys->devices.n; i++)
        count[sys->devices.v[i].rec.pd]++;
    for (unsigned i = 0; i < sys->bars.n; i++)
        count[sys->devices.v[sys->bars.v[i].rec.device].rec.pd]++;
    for (unsigned i = 0; i < sys->endpoint_ends.n; i++)
        if (sys->endpoint_ends.v[i].ok)
            count[sys->endpoint_ends.v[i].rec.pd]++;
    for (unsigned i = 0; i < sys->untypeds.n; i++)
        count[sys->untypeds.v[i].rec.pd]++;
    for (unsigned i = 0; i < sys->pds.n; i++)
        if (count[i] > MICA_PD_RESOURCES_MAX)
            error_node(sys->pds.v[i].node, "has %u resources (maps, channel ends, irqs, ...); at most %d fit in its PD info",
                       count[i], MICA_PD_RESOURCES_MAX);
    free(count);
}

void sys_check(struct sys *sys, const struct options *opt)
{
    if (!sys->root || !xmlStrEqual(sys->root->name, (const xmlChar *)"system"))
        return;
    if (!sys->pds.n) {
        error_at(node_line(sys->root), "<system>: the system has no <protection_domain>");
        return;
    }
    if (sys->pds.n > MICA_SYS_MAX_PDS)
        error_node(sys->pds.v[MICA_SYS_MAX_PDS].node, "more than %d protection domains", MICA_SYS_MAX_PDS);
    /* init keeps a fixed table of each (their frames, their caps). */
    if (sys->regions.n > MICA_SYS_MAX_REGIONS)
        error_node(sys->regions.v[MICA_SYS_MAX_REGIONS].node, "more than %d memory regions (%u given)",
                   MICA_SYS_MAX_REGIONS, sys->regions.n);
    if (sys->endpoints.n > MICA_SYS_MAX_ENDPOINTS)
        error_node(sys->endpoints.v[MICA_SYS_MAX_ENDPOINTS].node, "more than %d endpoints (%u given)",
                   MICA_SYS_MAX_ENDPOINTS, sys->endpoints.n);
    for (unsigned i = 0; i < sys->pds.n; i++)
        if (sys->pds.v[i].program_path)
            load_program(sys, &sys->pds.v[i], opt);
    for (unsigned i = 0; i < sys->pds.n; i++)
        check_address_space(sys, i);
    check_channel_ids(sys);
    check_pp(sys);
    check_irq_sources(sys);
    check_devices(sys);
    check_resource_counts(sys);
    for (unsigned i = 0; i < sys->regions.n; i++) {
        bool used = false;
        for (unsigned j = 0; j < sys->maps.n && !used; j++)
            used = sys->maps.v[j].rec.region == i && sys->maps.v[j].ok;
        if (!used && sys->regions.v[i].ok)
            warning_at(node_line(sys->regions.v[i].node), "memory region '%s' is mapped by no PD",
                       sys->regions.v[i].rec.name);
    }
}
