/*
 * Writing the compiled image, exactly as include/mica/system.h describes
 * it: the header, then each record table (8-byte aligned, in the order of
 * the header's fields), then every program ELF (4 KiB aligned). The
 * records are the model's `rec` structures, which were zeroed when made
 * and filled field by field, so padding and unused name bytes are zero.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bits.h>

#include "mksystem.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "mksystem writes the image's little-endian records as they are in memory"
#endif

/* The image's tables in header order, each with the model's records. */
struct table_src {
    struct mica_sys_table *hdr;
    unsigned count;
    size_t entry_size;
    const void *base;   /* the model array */
    size_t stride;      /* size of one model element */
    size_t rec_offset;  /* of `rec` inside the model element */
};

#define TABLE(field, arr, type)                                                                   \
    {&hdr->field, sys->arr.n, sizeof(type), sys->arr.v, sizeof *sys->arr.v,                       \
     offsetof(__typeof__(*sys->arr.v), rec)}

struct image {
    const struct sys *sys;
    struct mica_sys_header hdr;
    struct table_src tables[11];
    uint64_t *program_offset;
};

static int put_zeros(FILE *f, uint64_t n)
{
    static const char zeros[4096];
    while (n) {
        size_t k = n < sizeof zeros ? (size_t)n : sizeof zeros;
        if (fwrite(zeros, 1, k, f) != k)
            return -1;
        n -= k;
    }
    return 0;
}

static int fill(FILE *f, const void *arg)
{
    const struct image *im = arg;
    const struct sys *sys = im->sys;
    uint64_t pos = 0;

    if (fwrite(&im->hdr, sizeof im->hdr, 1, f) != 1)
        return -1;
    pos = sizeof im->hdr;

    /* Programs' table first: it is not a model array of `rec`. */
    if (put_zeros(f, im->hdr.programs.offset - pos))
        return -1;
    pos = im->hdr.programs.offset;
    for (unsigned i = 0; i < sys->programs.n; i++) {
        struct mica_sys_program p;
        memset(&p, 0, sizeof p);
        memcpy(p.name, sys->programs.v[i].name, sizeof p.name);
        p.offset = im->program_offset[i];
        p.size = sys->programs.v[i].size;
        if (fwrite(&p, sizeof p, 1, f) != 1)
            return -1;
        pos += sizeof p;
    }
    for (unsigned t = 0; t < sizeof im->tables / sizeof im->tables[0]; t++) {
        const struct table_src *s = &im->tables[t];
        if (put_zeros(f, s->hdr->offset - pos))
            return -1;
        pos = s->hdr->offset;
        for (unsigned i = 0; i < s->count; i++) {
            const char *rec = (const char *)s->base + (size_t)i * s->stride + s->rec_offset;
            if (fwrite(rec, s->entry_size, 1, f) != 1)
                return -1;
            pos += s->entry_size;
        }
    }
    for (unsigned i = 0; i < sys->programs.n; i++) {
        if (put_zeros(f, im->program_offset[i] - pos))
            return -1;
        if (sys->programs.v[i].size &&
            fwrite(sys->programs.v[i].data, sys->programs.v[i].size, 1, f) != 1)
            return -1;
        pos = im->program_offset[i] + sys->programs.v[i].size;
    }
    return pos == im->hdr.image_size ? 0 : -1;
}

int sys_write_image(const struct sys *sys, const char *path)
{
    struct image im;
    memset(&im, 0, sizeof im);
    im.sys = sys;
    struct mica_sys_header *hdr = &im.hdr;
    hdr->magic = MICA_SYS_MAGIC;
    hdr->version = MICA_SYS_VERSION;
    hdr->header_size = sizeof *hdr;
    memcpy(hdr->name, sys->name, sizeof hdr->name);

    const struct table_src tables[] = {
        TABLE(pds, pds, struct mica_sys_pd),
        TABLE(regions, regions, struct mica_sys_region),
        TABLE(maps, maps, struct mica_sys_map),
        TABLE(channels, channels, struct mica_sys_channel),
        TABLE(irqs, irqs, struct mica_sys_irq),
        TABLE(ioports, ioports, struct mica_sys_ioport),
        TABLE(devices, devices, struct mica_sys_device),
        TABLE(bars, bars, struct mica_sys_bar),
        TABLE(endpoints, endpoints, struct mica_sys_endpoint),
        TABLE(endpoint_ends, endpoint_ends, struct mica_sys_endpoint_end),
        TABLE(untypeds, untypeds, struct mica_sys_untyped),
    };
    _Static_assert(sizeof tables / sizeof tables[0] == sizeof im.tables / sizeof im.tables[0], "tables");
    memcpy(im.tables, tables, sizeof tables);

    uint64_t pos = align_up(sizeof *hdr, 8);
    hdr->programs = (struct mica_sys_table){(uint32_t)pos, sys->programs.n, sizeof(struct mica_sys_program), 0};
    pos = align_up(pos + (uint64_t)sys->programs.n * sizeof(struct mica_sys_program), 8);
    for (unsigned t = 0; t < sizeof tables / sizeof tables[0]; t++) {
        struct table_src *s = &im.tables[t];
        *s->hdr = (struct mica_sys_table){(uint32_t)pos, s->count, (uint32_t)s->entry_size, 0};
        pos = align_up(pos + (uint64_t)s->count * s->entry_size, 8);
    }
    if (pos > UINT32_MAX) {
        fprintf(stderr, "mksystem: the image's tables exceed 4 GiB\n");
        return -1;
    }
    im.program_offset = xmalloc(sizeof *im.program_offset * (sys->programs.n + 1));
    for (unsigned i = 0; i < sys->programs.n; i++) {
        pos = align_up(pos, MICA_PAGE_SIZE);
        im.program_offset[i] = pos;
        pos += sys->programs.v[i].size;
    }
    hdr->image_size = pos;

    int err = write_atomically(path, fill, &im);
    free(im.program_offset);
    return err;
}
