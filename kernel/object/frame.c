/*
 * Frames: pages of memory (4 KiB or 2 MiB) that user code maps into an
 * address space. One frame cap describes at most one mapping; map the same
 * frame twice with two caps (copies).
 */
#include <arch.h>
#include <bits.h>
#include <device.h>
#include <invocation.h>
#include <mica/cap.h>
#include <mica/errors.h>
#include <mica/invocation.h>
#include <mica/layout.h>
#include <mica/vspace.h>
#include <vspace.h>

/* Check the rights and cache arguments against the frame cap. */
static int check_rights(const struct cap *frame, uint64_t rights, uint64_t cache)
{
    if (!rights || (rights & ~(uint64_t)MICA_MAP_ALL) || cache >= MICA_CACHE_COUNT)
        return MICA_ERR_INVALID_ARGUMENT;
    if (!(frame->rights & MICA_RIGHT_READ))
        return MICA_ERR_NO_RIGHTS;
    if ((rights & MICA_MAP_WRITE) && !(frame->rights & MICA_RIGHT_WRITE))
        return MICA_ERR_NO_RIGHTS;
    return MICA_OK;
}

/* Device memory is never cached, whatever the caller asks. */
static unsigned effective_cache(const struct cap *frame, uint64_t cache)
{
    return (frame->flags & CAP_FLAG_DEVICE) ? MICA_CACHE_UNCACHED : (unsigned)cache;
}

/* Resolve the VSpace passed as extra cap 0. */
int inv_vspace(const struct invocation *inv, uint64_t *root, uint64_t *asid, uint64_t *detail)
{
    struct cte *vs;
    int err = inv_cap(inv, 0, &vs, detail);
    if (err)
        return err;
    if (vs->cap.type != CAP_VSPACE || !(*root = asid_root(vs->cap.word1)))
        return MICA_ERR_INVALID_CAP;
    *asid = vs->cap.word1;
    return MICA_OK;
}

/* MR0 vaddr, MR1 rights (MICA_MAP_*), MR2 cache; cap0 the VSpace. */
static struct syscall_result map(struct invocation *inv)
{
    struct cap *frame = &inv->slot->cap;
    uint64_t vaddr, rights, cache, root, asid, detail = 0, size = 1ull << frame->size_bits;
    unsigned level = mapping_level(frame), missing;
    if (!inv_mr(inv, 0, &vaddr) || !inv_mr(inv, 1, &rights) || !inv_mr(inv, 2, &cache))
        return inv_error(MICA_ERR_TRUNCATED, 0);
    int err = inv_vspace(inv, &root, &asid, &detail);
    if (err)
        return inv_error(err, detail);
    if (frame->word2)
        return inv_error(MICA_ERR_MAPPED, frame->word1);
    if ((err = check_rights(frame, rights, cache)) != MICA_OK)
        return inv_error(err, rights);
    if (!is_aligned(vaddr, size))
        return inv_error(MICA_ERR_ALIGNMENT, vaddr);
    if (vaddr < MICA_USER_MIN || vaddr >= MICA_USER_TOP || size > MICA_USER_TOP - vaddr)
        return inv_error(MICA_ERR_RANGE, vaddr);
    uint64_t *slot = arch_pt_slot(root, vaddr, level, &missing);
    if (!slot)
        return inv_error(MICA_ERR_NOT_MAPPED, missing); /* a page table is missing */
    if (arch_pte_present(*slot))
        return inv_error(MICA_ERR_MAPPED, vaddr);

    *slot = arch_pte_page(frame->paddr, level, (unsigned)rights, effective_cache(frame, cache));
    arch_tlb_flush(root, vaddr);
    frame->word1 = vaddr;
    frame->word2 = asid;
    return inv_ok(0);
}

/* MR0 rights, MR1 cache: change an existing mapping in place. */
static struct syscall_result remap(struct invocation *inv)
{
    struct cap *frame = &inv->slot->cap;
    uint64_t rights, cache, root;
    unsigned missing;
    if (!inv_mr(inv, 0, &rights) || !inv_mr(inv, 1, &cache))
        return inv_error(MICA_ERR_TRUNCATED, 0);
    int err = check_rights(frame, rights, cache);
    if (err)
        return inv_error(err, rights);
    uint64_t *slot = 0;
    if (frame->word2 && (root = asid_root(frame->word2)))
        slot = arch_pt_slot(root, frame->word1, mapping_level(frame), &missing);
    if (!slot || !arch_pte_present(*slot) || arch_pte_addr(*slot) != frame->paddr) {
        frame->word1 = frame->word2 = 0; /* the mapping went away underneath */
        return inv_error(MICA_ERR_NOT_MAPPED, 0);
    }
    *slot = arch_pte_page(frame->paddr, mapping_level(frame), (unsigned)rights,
                          effective_cache(frame, cache));
    arch_tlb_flush(root, frame->word1);
    return inv_ok(0);
}

struct syscall_result frame_invoke(struct invocation *inv)
{
    struct cap *frame = &inv->slot->cap;
    switch (inv->label) {
    case MICA_FRAME_MAP:
        return map(inv);
    case MICA_FRAME_REMAP:
        if (frame->word2 & MAPPING_IO) /* DMA rights are fixed at Frame_MapIO */
            return inv_error(MICA_ERR_ILLEGAL_OPERATION, inv->label);
        return remap(inv);
    case MICA_FRAME_MAP_IO:
        return frame_map_io(inv);
    case MICA_FRAME_UNMAP:
        if (!frame->word2)
            return inv_error(MICA_ERR_NOT_MAPPED, 0);
        mapping_remove(frame);
        return inv_ok(0);
    case MICA_FRAME_GET_ADDRESS:
        return inv_ok(frame->paddr);
    }
    return inv_error(MICA_ERR_ILLEGAL_OPERATION, inv->label);
}
