/*
 * paging: the PDs of systems/paging.system, which try init's demand pager
 * (docs/init.md, "The pager"). One program, three roles, chosen by the
 * PD's name:
 *
 *   writer  maps the demand-paged region "scratch" read/write. Pages it
 *           touches first read as zeroes; what it writes there stays.
 *           Then it tells the reader (channel 0) and reads an address
 *           outside any region: init reports it and stops it.
 *   reader  maps the same region read-only, at another address. Once
 *           told, it finds the writer's data in the same pages (the
 *           region's frames are shared), a page nobody wrote still zero,
 *           and then writes to its read-only map: init reports that too.
 *   hog     runs first: touches every page of the large demand region
 *           "big" (all of them are backed: the region is its share), then
 *           the page just past it, which is beyond its share; init
 *           reports that and stops it.
 *
 * The other PDs carry on after each report, and their demand faults are
 * still served after hog used up its region, so the lines show the
 * order: hog, its report, writer, its report, reader, its report.
 */
#include <mica_component.h>
#include <stdbool.h>

#define PAGE 4096ul

/* The pages of "scratch" the writer fills, and one nobody writes. */
static const mica_word_t written[] = { 0, 1, 2, 1023 };
#define UNTOUCHED 3

/* Outside every map of the writer: reading it is a fault init reports. */
#define NOWHERE 0x50000000ul

static mica_word_t pattern(mica_word_t page, mica_word_t word)
{
    return (page << 32 | word) * 0x9e3779b97f4a7c15ull + 1;
}

/* The region called name: its address (NULL if missing or not demand-paged). */
static volatile mica_word_t *demand_region(const char *name, mica_word_t *size)
{
    const struct mica_pd_resource *r = mica_resource(name);
    if (!r || r->kind != MICA_RES_MEMORY || !(r->flags & MICA_RES_DEMAND)) {
        mica_printf("%s: FAIL: no demand-paged region '%s'\n", mica_pd_name(), name);
        return 0;
    }
    *size = r->size;
    return (volatile mica_word_t *)r->vaddr;
}

/* Words of the page that are not zero. */
static mica_word_t nonzero(volatile mica_word_t *page)
{
    mica_word_t n = 0;
    for (mica_word_t i = 0; i < PAGE / 8; i++)
        n += page[i] != 0;
    return n;
}

/* Words of the page that do not hold the pattern of page p. */
static mica_word_t wrong(volatile mica_word_t *page, mica_word_t p)
{
    mica_word_t n = 0;
    for (mica_word_t i = 0; i < PAGE / 8; i++)
        n += page[i] != pattern(p, i);
    return n;
}

static void writer(void)
{
    mica_word_t size;
    volatile mica_word_t *s = demand_region("scratch", &size);
    if (!s)
        return;
    unsigned n = sizeof(written) / sizeof(written[0]), bad = 0;
    /* Each first touch is a read: a page fault init serves with a new
     * frame the kernel zeroed. */
    for (unsigned k = 0; k < n; k++)
        bad += nonzero(s + written[k] * PAGE / 8) != 0;
    if (bad) {
        mica_printf("writer: FAIL: %u fresh pages of 'scratch' not zero\n", bad);
        return;
    }
    mica_printf("writer: %u fresh pages of 'scratch' (%lu MiB, demand-paged, at 0x%lx) read "
                "as zeroes\n", n, size >> 20, (mica_word_t)s);
    for (unsigned k = 0; k < n; k++)
        for (mica_word_t i = 0; i < PAGE / 8; i++)
            s[written[k] * PAGE / 8 + i] = pattern(written[k], i);
    for (unsigned k = 0; k < n; k++)
        bad += wrong(s + written[k] * PAGE / 8, written[k]) != 0;
    if (bad) {
        mica_printf("writer: FAIL: %u pages lost what was written\n", bad);
        return;
    }
    mica_printf("writer: wrote pages 0, 1, 2 and 1023 and read them back\n");
    mica_word_t err = mica_notify(0);
    if (err)
        mica_printf("writer: FAIL: notifying the reader: error %lu\n", err);
    mica_printf("writer: reading 0x%lx, outside any region\n", NOWHERE);
    mica_word_t v = *(volatile mica_word_t *)NOWHERE;
    mica_printf("writer: FAIL: still running after reading 0x%lx at 0x%lx\n", v, NOWHERE);
}

static void reader(void)
{
    mica_word_t size;
    volatile mica_word_t *s = demand_region("scratch", &size);
    if (!s)
        return;
    unsigned n = sizeof(written) / sizeof(written[0]), bad = 0;
    for (unsigned k = 0; k < n; k++)
        bad += wrong(s + written[k] * PAGE / 8, written[k]) != 0;
    if (bad) {
        mica_printf("reader: FAIL: %u of the writer's pages differ at 0x%lx\n", bad,
                    (mica_word_t)s);
        return;
    }
    mica_printf("reader: the writer's %u pages are in 'scratch' at 0x%lx too\n", n,
                (mica_word_t)s);
    if (nonzero(s + UNTOUCHED * PAGE / 8)) {
        mica_printf("reader: FAIL: page %u, never written, is not zero\n", UNTOUCHED);
        return;
    }
    mica_printf("reader: page %u, which nobody wrote, reads as zeroes\n", UNTOUCHED);
    mica_printf("reader: writing to 0x%lx, mapped read-only\n", (mica_word_t)s);
    s[0] = 1;
    mica_printf("reader: FAIL: still running after writing to a read-only map\n");
}

static void hog(void)
{
    mica_word_t size;
    volatile mica_word_t *b = demand_region("big", &size);
    if (!b)
        return;
    mica_word_t n = size / PAGE, bad = 0;
    mica_printf("hog: touching the %lu pages of 'big' one by one\n", n);
    for (mica_word_t p = 0; p < n; p++)
        b[p * PAGE / 8] = p + 1;
    for (mica_word_t p = 0; p < n; p++)
        bad += b[p * PAGE / 8] != p + 1;
    if (bad) {
        mica_printf("hog: FAIL: %lu pages of 'big' lost what was written\n", bad);
        return;
    }
    mica_printf("hog: all %lu pages of 'big' backed; touching the page after it, at 0x%lx\n",
                n, (mica_word_t)(b + size / 8));
    b[size / 8] = 1;
    mica_printf("hog: FAIL: still running after writing past the end of 'big'\n");
}

void init(void)
{
    const char *me = mica_pd_name();
    if (!mica_strcmp(me, "writer"))
        writer();
    else if (!mica_strcmp(me, "hog"))
        hog();
    else if (mica_strcmp(me, "reader"))
        mica_printf("%s: FAIL: no role for a PD of this name\n", me);
}

void notified(mica_channel_t ch)
{
    if (!mica_strcmp(mica_pd_name(), "reader") && ch == 0)
        reader();
    else
        mica_printf("%s: FAIL: unexpected notification on channel %u\n", mica_pd_name(), ch);
}
