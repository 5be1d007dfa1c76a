/*
 * Physical memory map bookkeeping (see memmap.h).
 *
 * The table is kept sorted and coalesced, so every operation is a simple
 * linear walk; at boot there are only a handful of ranges.
 */
#include <bits.h>
#include <memmap.h>
#include <mica/types.h>

void memmap_init(struct memmap *m)
{
    m->n_free = 0;
    m->overflowed = false;
}

static void remove_at(struct memmap *m, unsigned i)
{
    for (unsigned j = i; j + 1 < m->n_free; j++)
        m->free[j] = m->free[j + 1];
    m->n_free--;
}

static bool insert_at(struct memmap *m, unsigned i, uint64_t base, uint64_t end)
{
    if (m->n_free == MEMMAP_MAX_RANGES) {
        m->overflowed = true;
        return false;
    }
    for (unsigned j = m->n_free; j > i; j--)
        m->free[j] = m->free[j - 1];
    m->free[i] = (struct mem_range){ base, end };
    m->n_free++;
    return true;
}

/* Merge range i with its successors while they touch or overlap. */
static void coalesce(struct memmap *m, unsigned i)
{
    while (i + 1 < m->n_free && m->free[i + 1].base <= m->free[i].end) {
        if (m->free[i + 1].end > m->free[i].end)
            m->free[i].end = m->free[i + 1].end;
        remove_at(m, i + 1);
    }
}

void memmap_add(struct memmap *m, uint64_t base, uint64_t len)
{
    uint64_t end;
    if (add_overflows(base, len, &end))
        end = UINT64_MAX;
    base = align_up(base, MICA_PAGE_SIZE);
    end = align_down(end, MICA_PAGE_SIZE);
    if (base >= end)
        return;

    unsigned i = 0;
    while (i < m->n_free && m->free[i].end < base)
        i++;
    if (i < m->n_free && m->free[i].base <= end) {
        /* Touches or overlaps range i: widen it. */
        if (base < m->free[i].base)
            m->free[i].base = base;
        if (end > m->free[i].end)
            m->free[i].end = end;
        coalesce(m, i);
        return;
    }
    insert_at(m, i, base, end);
}

void memmap_reserve(struct memmap *m, uint64_t base, uint64_t len)
{
    uint64_t end;
    if (len == 0)
        return;
    if (add_overflows(base, len, &end))
        end = UINT64_MAX;
    base = align_down(base, MICA_PAGE_SIZE);
    end = align_up(end, MICA_PAGE_SIZE);

    for (unsigned i = 0; i < m->n_free;) {
        struct mem_range r = m->free[i];
        if (!ranges_overlap(r.base, r.end, base, end)) {
            i++;
            continue;
        }
        if (base <= r.base && end >= r.end) { /* covers it entirely */
            remove_at(m, i);
            continue;
        }
        if (base > r.base && end < r.end) { /* punches a hole */
            m->free[i].end = base;
            if (!insert_at(m, i + 1, end, r.end))
                return; /* table full: the upper part is lost, never misused */
            return;
        }
        if (base <= r.base)
            m->free[i].base = end; /* trims the bottom */
        else
            m->free[i].end = base; /* trims the top */
        i++;
    }
}

uint64_t memmap_free_bytes(const struct memmap *m)
{
    uint64_t total = 0;
    for (unsigned i = 0; i < m->n_free; i++)
        total += m->free[i].end - m->free[i].base;
    return total;
}

uint64_t memmap_alloc(struct memmap *m, uint64_t size, uint64_t align, uint64_t limit)
{
    if (size == 0 || !is_pow2(align) || align < MICA_PAGE_SIZE)
        return 0;
    size = align_up(size, MICA_PAGE_SIZE);
    for (unsigned i = 0; i < m->n_free; i++) {
        uint64_t base = align_up(m->free[i].base, align);
        uint64_t end;
        if (base == 0) /* physical page 0 is never handed out: 0 means failure */
            base = align;
        /* align_up saturates near the top of the address space: a base
         * below the range start means no aligned address fits. */
        if (base < m->free[i].base || add_overflows(base, size, &end) ||
            end > m->free[i].end || end > limit)
            continue;
        memmap_reserve(m, base, size);
        return base;
    }
    return 0;
}

bool memmap_split_pow2(uint64_t base, uint64_t end, unsigned max_bits,
                       bool (*emit)(void *ctx, uint64_t paddr, unsigned size_bits),
                       void *ctx)
{
    base = align_up(base, MICA_PAGE_SIZE);
    end = align_down(end, MICA_PAGE_SIZE);
    while (base < end) {
        unsigned bits = base ? ctz64(base) : 63;
        unsigned fit = log2_floor(end - base);
        if (fit < bits)
            bits = fit;
        if (bits > max_bits)
            bits = max_bits;
        if (!emit(ctx, base, bits))
            return false;
        base += BIT(bits);
    }
    return true;
}
