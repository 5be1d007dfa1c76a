/* libmica: frames at chosen physical addresses of device memory (see mica_device.h). */
#include <mica_device.h>

enum { FRESH, SPLIT, FRAME };

void mica_devmem_init(struct mica_devmem *dm, struct mica_aspace *as,
                      const struct mica_bootinfo *bi)
{
    dm->as = as;
    dm->bi = bi;
    dm->n = 0;
    dm->error_detail = 0;
    /* The boot info's device regions are the roots, in its order. */
    for (unsigned i = 0; i < bi->n_untyped && dm->n < MICA_DEVMEM_RECORDS; i++) {
        if (!(bi->untyped[i].flags & MICA_UNTYPED_DEVICE))
            continue;
        dm->rec[dm->n++] = (struct mica_devmem_record){
            .paddr = bi->untyped[i].paddr,
            .cap = bi->slot_untyped_first + i,
            .bits = bi->untyped[i].size_bits,
            .state = FRESH,
        };
    }
}

static int contains(const struct mica_devmem_record *r, uint64_t paddr)
{
    return paddr >= r->paddr && paddr - r->paddr < (1ull << r->bits);
}

static mica_word_t fail(struct mica_devmem *dm, mica_word_t status, mica_word_t detail)
{
    dm->error_detail = detail;
    return status;
}

/* Retype `count` objects from record r's untyped into consecutive new slots. */
static mica_word_t carve(struct mica_devmem *dm, struct mica_devmem_record *r, unsigned type,
                         unsigned size_bits, unsigned count, mica_cptr_t *first)
{
    struct mica_aspace *as = dm->as;
    if (as->slot_end - as->slot_next < count)
        return fail(dm, MICA_ERR_RANGE, as->slot_end);
    *first = as->slot_next;
    struct mica_sysret res = mica_untyped_retype(r->cap, type, size_bits, MICA_CAP_INIT_CNODE,
                                                 0, 0, *first, count);
    if (res.status)
        return fail(dm, res.status, res.value);
    as->slot_next += count;
    return MICA_OK;
}

mica_word_t mica_devmem_frame(struct mica_devmem *dm, uint64_t paddr, unsigned size_bits,
                              mica_cptr_t *frame)
{
    if (size_bits != MICA_FRAME_4K_BITS && size_bits != MICA_FRAME_2M_BITS)
        return fail(dm, MICA_ERR_INVALID_ARGUMENT, size_bits);
    if (paddr & ((1ull << size_bits) - 1))
        return fail(dm, MICA_ERR_ALIGNMENT, paddr);
    unsigned i = 0;
    while (i < dm->n && !(contains(&dm->rec[i], paddr) && dm->rec[i].bits >= size_bits))
        i++;
    /* Roots come first and do not overlap; the first hit is the root. */
    if (i == dm->n)
        return fail(dm, MICA_ERR_RANGE, paddr);
    for (;;) {
        struct mica_devmem_record *r = &dm->rec[i];
        if (r->state == FRAME) {
            if (r->bits != size_bits)
                return fail(dm, MICA_ERR_IN_USE, r->paddr);
            *frame = r->cap;
            return MICA_OK;
        }
        if (r->bits == size_bits) {
            if (r->state == SPLIT)
                return fail(dm, MICA_ERR_IN_USE, r->paddr); /* smaller frames are in it */
            mica_cptr_t f;
            unsigned type = size_bits == MICA_FRAME_4K_BITS ? MICA_OBJ_FRAME_4K : MICA_OBJ_FRAME_2M;
            mica_word_t err = carve(dm, r, type, 0, 1, &f);
            if (err)
                return err;
            r->cap = f; /* the untyped stays in its slot, as the frame's parent */
            r->state = FRAME;
            *frame = f;
            return MICA_OK;
        }
        if (r->state == FRESH) {
            if (dm->n + 2 > MICA_DEVMEM_RECORDS)
                return fail(dm, MICA_ERR_NOT_ENOUGH_MEMORY, dm->n);
            mica_cptr_t halves;
            mica_word_t err = carve(dm, r, MICA_OBJ_UNTYPED, r->bits - 1u, 2, &halves);
            if (err)
                return err;
            for (unsigned h = 0; h < 2; h++)
                dm->rec[dm->n + h] = (struct mica_devmem_record){
                    .paddr = r->paddr + h * (1ull << (r->bits - 1)),
                    .cap = halves + h,
                    .bits = (uint8_t)(r->bits - 1),
                    .state = FRESH,
                };
            r->child = (uint16_t)dm->n;
            r->state = SPLIT;
            dm->n += 2;
        }
        i = r->child + (contains(&dm->rec[r->child], paddr) ? 0 : 1);
    }
}

mica_word_t mica_devmem_map(struct mica_devmem *dm, uint64_t paddr, uint64_t size,
                            mica_word_t vaddr)
{
    uint64_t offset = paddr & (MICA_PAGE_SIZE - 1);
    if ((vaddr & (MICA_PAGE_SIZE - 1)) != offset)
        return fail(dm, MICA_ERR_ALIGNMENT, vaddr);
    for (uint64_t done = 0; done < size + offset; done += MICA_PAGE_SIZE) {
        mica_cptr_t frame;
        mica_word_t err = mica_devmem_frame(dm, paddr - offset + done, MICA_FRAME_4K_BITS, &frame);
        if (err)
            return err;
        if ((err = mica_aspace_map(dm->as, MICA_CAP_INIT_VSPACE, frame, vaddr - offset + done,
                                   MICA_MAP_READ | MICA_MAP_WRITE)))
            return fail(dm, err, dm->as->error_detail);
    }
    return MICA_OK;
}
