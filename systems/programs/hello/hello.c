/*
 * hello: the smallest system (systems/hello.system). One component that
 * says who it is, lists what init gave it, and tries out what it found:
 * the named region "notes" and its heap.
 */
#include <mica_component.h>
#include <stdbool.h>

/* The region is zeroed by init; write a pattern over all of it and read
 * it back. */
static void try_region(void)
{
    mica_word_t size;
    volatile mica_word_t *notes = mica_resource_vaddr("notes", &size);
    if (!notes) {
        mica_printf("hello: FAIL: no region called 'notes'\n");
        return;
    }
    mica_word_t words = size / sizeof(mica_word_t), nonzero = 0, wrong = 0;
    for (mica_word_t i = 0; i < words; i++)
        nonzero += notes[i] != 0;
    for (mica_word_t i = 0; i < words; i++)
        notes[i] = i * 0x9e3779b97f4a7c15ull;
    for (mica_word_t i = 0; i < words; i++)
        wrong += notes[i] != i * 0x9e3779b97f4a7c15ull;
    if (nonzero || wrong)
        mica_printf("hello: FAIL: region 'notes': %lu words not zeroed, %lu read back wrong\n",
                    nonzero, wrong);
    else
        mica_printf("hello: region 'notes': %lu bytes at 0x%lx, zeroed, written and read back\n",
                    size, (mica_word_t)notes);
}

static void fill(unsigned char *p, mica_word_t n, unsigned char v)
{
    for (mica_word_t i = 0; i < n; i++)
        p[i] = (unsigned char)(v + i);
}

static bool intact(const unsigned char *p, mica_word_t n, unsigned char v)
{
    for (mica_word_t i = 0; i < n; i++)
        if (p[i] != (unsigned char)(v + i))
            return false;
    return true;
}

/* Three blocks, written, checked for overlap, freed in an order that
 * makes the allocator merge with both neighbours: the heap must end as
 * one free block again. */
static void try_heap(void)
{
    const struct mica_pd_info *pd = mica_pd();
    mica_word_t free0, largest0, free1, largest1;
    mica_heap_stats(&free0, &largest0);
    static const mica_word_t sizes[3] = { 100, 4000, 17 };
    unsigned char *block[3];
    for (unsigned i = 0; i < 3; i++) {
        block[i] = mica_malloc(sizes[i]);
        if (!block[i] || (mica_word_t)block[i] & 15) {
            mica_printf("hello: FAIL: mica_malloc(%lu) gave 0x%lx\n", sizes[i],
                        (mica_word_t)block[i]);
            return;
        }
        fill(block[i], sizes[i], (unsigned char)(i * 50));
    }
    for (unsigned i = 0; i < 3; i++) {
        if (!intact(block[i], sizes[i], (unsigned char)(i * 50))) {
            mica_printf("hello: FAIL: heap block %u was overwritten\n", i);
            return;
        }
    }
    bool too_big = mica_malloc(pd->heap_size) == NULL;
    mica_free(block[1]);
    mica_free(block[0]);
    mica_free(block[2]);
    mica_heap_stats(&free1, &largest1);
    unsigned char *zeroed = mica_calloc(10, 10); /* where block 0 was: written before */
    bool zero = zeroed != NULL;
    for (unsigned i = 0; zero && i < 100; i++)
        zero = zeroed[i] == 0;
    mica_free(zeroed);
    if (!too_big || free1 != free0 || largest1 != largest0 || !zero)
        mica_printf("hello: FAIL: heap: too big refused %d, free %lu -> %lu, largest %lu -> %lu, "
                    "calloc zeroed %d\n", too_big, free0, free1, largest0, largest1, zero);
    else
        mica_printf("hello: heap: %lu bytes at 0x%lx; 3 blocks allocated, written and freed, "
                    "all %lu bytes free again in one block\n", pd->heap_size, pd->heap_base,
                    free1);
}

void init(void)
{
    const struct mica_pd_info *pd = mica_pd();
    mica_printf("hello: hello, world, from PD '%s' of system '%s' (priority %u)\n",
                mica_pd_name(), pd->system, pd->priority);
    for (const struct mica_pd_resource *r = mica_resource_next(NULL, 0); r;
         r = mica_resource_next(r, 0))
        mica_printf("hello: resource '%s': %s, 0x%lx bytes at 0x%lx\n", r->name,
                    mica_resource_kind_name(r->kind), r->size, r->vaddr);
    try_region();
    try_heap();
    mica_printf("hello: done; nothing left to do but wait for events\n");
}

void notified(mica_channel_t ch)
{
    mica_printf("hello: notified on channel %u, which it does not have\n", ch);
}
