/*
 * Address spaces: page-table levels and frames mapped into the root task's
 * own VSpace, with the TLB kept honest across unmap and remap.
 * Every test runs under KTEST (ktest.h), which checks it leaves no caps
 * behind and every boot untyped free of children.
 */
#include "ktest.h"
#include <mica_invoke.h>

#define ROOT MICA_CAP_INIT_CNODE
#define VS MICA_CAP_INIT_VSPACE
#define D 64
#define AREA 0x0000100000000000ul /* PML4 slot 32: nothing of the root task lives here */

enum { PDPT, PD, PT, F1, F1B, F2, F2M, N_SLOTS };

/* This file's slots: ktest_slot(bi, 100) onwards. */
static mica_word_t s(const struct mica_bootinfo *bi, unsigned i)
{
    return ktest_slot(bi, 100 + i);
}

/* Retype the paging structures and frames the tests use from one untyped. */
static const char *setup(const struct mica_bootinfo *bi, mica_cptr_t *ut)
{
    *ut = ktest_ram_untyped(bi, 23, 0);
    CHECK(*ut);
    CHECK_EQ(mica_untyped_retype(*ut, MICA_OBJ_FRAME_2M, 0, ROOT, 0, 0, s(bi, F2M), 1).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(*ut, MICA_OBJ_PDPT, 0, ROOT, 0, 0, s(bi, PDPT), 1).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(*ut, MICA_OBJ_PAGE_DIRECTORY, 0, ROOT, 0, 0, s(bi, PD), 1).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(*ut, MICA_OBJ_PAGE_TABLE, 0, ROOT, 0, 0, s(bi, PT), 1).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(*ut, MICA_OBJ_FRAME_4K, 0, ROOT, 0, 0, s(bi, F1), 1).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(*ut, MICA_OBJ_FRAME_4K, 0, ROOT, 0, 0, s(bi, F2), 1).status, MICA_OK);
    CHECK_EQ(mica_cnode_copy(ROOT, s(bi, F1B), D, ROOT, s(bi, F1), D, MICA_RIGHTS_ALL).status, MICA_OK);
    return 0;
}

static const char *map_tables(const struct mica_bootinfo *bi)
{
    CHECK_EQ(mica_page_table_map(s(bi, PDPT), VS, AREA).status, MICA_OK);
    CHECK_EQ(mica_page_table_map(s(bi, PD), VS, AREA).status, MICA_OK);
    CHECK_EQ(mica_page_table_map(s(bi, PT), VS, AREA).status, MICA_OK);
    return 0;
}

KTEST(write_remap_read)
{
    mica_cptr_t ut;
    const char *why;
    if ((why = setup(bi, &ut)) || (why = map_tables(bi)))
        return why;
    volatile unsigned long *v1 = (unsigned long *)AREA, *v2 = (unsigned long *)(AREA + 0x1000);

    CHECK_EQ(mica_frame_map(s(bi, F1), VS, AREA, MICA_MAP_READ | MICA_MAP_WRITE, 0).status, MICA_OK);
    CHECK_EQ(*v1, 0); /* fresh frames are zeroed */
    *v1 = 0x1111;
    CHECK_EQ(mica_frame_map(s(bi, F1B), VS, AREA + 0x1000, MICA_MAP_READ, 0).status, MICA_OK);
    CHECK_EQ(*v2, 0x1111); /* the same frame through a second mapping */

    /* Replace the frame under v1: the old translation must be gone. */
    CHECK_EQ(mica_frame_unmap(s(bi, F1)).status, MICA_OK);
    CHECK_EQ(mica_frame_map(s(bi, F2), VS, AREA, MICA_MAP_READ | MICA_MAP_WRITE, 0).status, MICA_OK);
    CHECK_EQ(*v1, 0);
    *v1 = 0x2222;
    CHECK_EQ(*v2, 0x1111);
    CHECK_EQ(*v1, 0x2222);

    /* Map F1 back at v1's old neighbour and see the value written long ago. */
    CHECK_EQ(mica_frame_map(s(bi, F1), VS, AREA + 0x2000, MICA_MAP_READ, 0).status, MICA_OK);
    CHECK_EQ(*(volatile unsigned long *)(AREA + 0x2000), 0x1111);

    struct mica_sysret a1 = mica_frame_get_address(s(bi, F1)), a2 = mica_frame_get_address(s(bi, F2));
    CHECK_EQ(a1.status, MICA_OK);
    CHECK(a1.value != a2.value && (a1.value & 0xfff) == 0);
    CHECK_EQ(mica_frame_get_address(s(bi, F1B)).value, a1.value);
    CHECK(mica_debug_cap_identify(s(bi, F2)).value & MICA_CAP_ID_MAPPED);

    /* Revoking the untyped unmaps and destroys everything in one go. */
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    for (unsigned i = 0; i < N_SLOTS; i++)
        CHECK_EQ(MICA_CAP_ID_TYPE(mica_debug_cap_identify(s(bi, i)).value), MICA_OBJ_NULL);
    return 0;
}

KTEST(map_errors)
{
    mica_cptr_t ut;
    const char *why;
    if ((why = setup(bi, &ut)))
        return why;
    /* No page tables yet at AREA. */
    struct mica_sysret r = mica_frame_map(s(bi, F1), VS, AREA, MICA_MAP_READ, 0);
    CHECK_EQ(r.status, MICA_ERR_NOT_MAPPED);
    CHECK_EQ(mica_page_table_map(s(bi, PT), VS, AREA).status, MICA_ERR_NOT_MAPPED);
    if ((why = map_tables(bi)))
        return why;
    CHECK_EQ(mica_page_table_map(s(bi, PT), VS, AREA + 0x400000).status, MICA_ERR_MAPPED); /* cap already mapped */
    CHECK_EQ(mica_frame_map(s(bi, F1), VS, AREA + 8, MICA_MAP_READ, 0).status, MICA_ERR_ALIGNMENT);
    CHECK_EQ(mica_frame_map(s(bi, F2M), VS, AREA + 0x1000, MICA_MAP_READ, 0).status, MICA_ERR_ALIGNMENT);
    CHECK_EQ(mica_frame_map(s(bi, F1), VS, 0, MICA_MAP_READ, 0).status, MICA_ERR_RANGE);
    CHECK_EQ(mica_frame_map(s(bi, F1), VS, 0xffffffff80000000ul, MICA_MAP_READ, 0).status, MICA_ERR_RANGE);
    CHECK_EQ(mica_frame_map(s(bi, F1), VS, AREA, 0, 0).status, MICA_ERR_INVALID_ARGUMENT);
    CHECK_EQ(mica_frame_map(s(bi, F1), VS, AREA, 8, 0).status, MICA_ERR_INVALID_ARGUMENT);
    CHECK_EQ(mica_frame_map(s(bi, F1), VS, AREA, MICA_MAP_READ, MICA_CACHE_COUNT).status, MICA_ERR_INVALID_ARGUMENT);
    CHECK_EQ(mica_frame_map(s(bi, F1), s(bi, PT), AREA, MICA_MAP_READ, 0).status, MICA_ERR_INVALID_CAP);
    CHECK_EQ(mica_frame_map(s(bi, F1), VS, AREA, MICA_MAP_READ, 0).status, MICA_OK);
    CHECK_EQ(mica_frame_map(s(bi, F1), VS, AREA + 0x1000, MICA_MAP_READ, 0).status, MICA_ERR_MAPPED);
    CHECK_EQ(mica_frame_map(s(bi, F2), VS, AREA, MICA_MAP_READ, 0).status, MICA_ERR_MAPPED); /* over F1 */
    /* The PT occupies the 2 MiB slot a large frame would need. */
    CHECK_EQ(mica_frame_map(s(bi, F2M), VS, AREA, MICA_MAP_READ, 0).status, MICA_ERR_MAPPED);
    /* A read-only cap cannot make a writable mapping. */
    CHECK_EQ(mica_cnode_delete(ROOT, s(bi, F1B), D).status, MICA_OK);
    CHECK_EQ(mica_cnode_copy(ROOT, s(bi, F1B), D, ROOT, s(bi, F2), D, MICA_RIGHT_READ).status, MICA_OK);
    CHECK_EQ(mica_frame_map(s(bi, F1B), VS, AREA + 0x3000, MICA_MAP_READ | MICA_MAP_WRITE, 0).status,
             MICA_ERR_NO_RIGHTS);
    CHECK_EQ(mica_frame_remap(s(bi, F1), MICA_MAP_READ | MICA_MAP_WRITE, 0).status, MICA_OK);
    CHECK_EQ(mica_frame_unmap(s(bi, F1)).status, MICA_OK);
    CHECK_EQ(mica_frame_unmap(s(bi, F1)).status, MICA_ERR_NOT_MAPPED);
    CHECK_EQ(mica_frame_remap(s(bi, F1), MICA_MAP_READ, 0).status, MICA_ERR_NOT_MAPPED);
    CHECK_EQ(mica_page_table_unmap(s(bi, PT)).status, MICA_OK);
    CHECK_EQ(mica_page_table_unmap(s(bi, PT)).status, MICA_ERR_NOT_MAPPED);
    /* 2 MiB frame where the page table was. */
    CHECK_EQ(mica_frame_map(s(bi, F2M), VS, AREA, MICA_MAP_READ | MICA_MAP_WRITE, 0).status, MICA_OK);
    *(volatile unsigned long *)(AREA + 0x1ff000) = 7;
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

/* Deleting paging structures while frames are mapped through them. */
KTEST(delete_tables_under_frames)
{
    mica_cptr_t ut;
    const char *why;
    if ((why = setup(bi, &ut)) || (why = map_tables(bi)))
        return why;
    CHECK_EQ(mica_frame_map(s(bi, F1), VS, AREA, MICA_MAP_READ | MICA_MAP_WRITE, 0).status, MICA_OK);
    *(volatile unsigned long *)AREA = 5;
    CHECK_EQ(mica_cnode_delete(ROOT, s(bi, PD), D).status, MICA_OK); /* PT and F1 now unreachable */
    /* A new PD and PT in the same place; F1's stale record must not hurt it. */
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_PAGE_DIRECTORY, 0, ROOT, 0, 0, s(bi, PD), 1).status, MICA_OK);
    CHECK_EQ(mica_page_table_map(s(bi, PD), VS, AREA).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, s(bi, PT), D).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_PAGE_TABLE, 0, ROOT, 0, 0, s(bi, PT), 1).status, MICA_OK);
    CHECK_EQ(mica_page_table_map(s(bi, PT), VS, AREA).status, MICA_OK);
    CHECK_EQ(mica_frame_map(s(bi, F2), VS, AREA, MICA_MAP_READ | MICA_MAP_WRITE, 0).status, MICA_OK);
    CHECK_EQ(*(volatile unsigned long *)AREA, 0);
    CHECK_EQ(mica_cnode_delete(ROOT, s(bi, F1), D).status, MICA_OK); /* must not unmap F2 */
    CHECK_EQ(*(volatile unsigned long *)AREA, 0);
    *(volatile unsigned long *)AREA = 9;
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

/* A second VSpace made from untyped, with frames mapped in it, is torn
 * down by revoking the untyped; the ASID it used is reusable. */
KTEST(vspace_lifecycle)
{
    mica_cptr_t ut = ktest_ram_untyped(bi, 20, 0);
    CHECK(ut);
    for (int round = 0; round < 3; round++) {
        CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_VSPACE, 0, ROOT, 0, 0, s(bi, 0), 1).status, MICA_OK);
        CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_PDPT, 0, ROOT, 0, 0, s(bi, 1), 1).status, MICA_OK);
        CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_PAGE_DIRECTORY, 0, ROOT, 0, 0, s(bi, 2), 1).status, MICA_OK);
        CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_PAGE_TABLE, 0, ROOT, 0, 0, s(bi, 3), 1).status, MICA_OK);
        CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_FRAME_4K, 0, ROOT, 0, 0, s(bi, 4), 1).status, MICA_OK);
        CHECK_EQ(mica_page_table_map(s(bi, 1), s(bi, 0), 0x400000).status, MICA_OK);
        CHECK_EQ(mica_page_table_map(s(bi, 2), s(bi, 0), 0x400000).status, MICA_OK);
        CHECK_EQ(mica_page_table_map(s(bi, 3), s(bi, 0), 0x400000).status, MICA_OK);
        CHECK_EQ(mica_frame_map(s(bi, 4), s(bi, 0), 0x400000, MICA_MAP_READ, 0).status, MICA_OK);
        if (round == 1) /* delete the VSpace first; the frame's record goes stale */
            CHECK_EQ(mica_cnode_delete(ROOT, s(bi, 0), D).status, MICA_OK);
        CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
        CHECK_EQ(MICA_CAP_ID_TYPE(mica_debug_cap_identify(s(bi, 4)).value), MICA_OBJ_NULL);
    }
    return 0;
}

/*
 * A table unmapped while frames are mapped through it comes back empty:
 * otherwise a frame deleted meanwhile (and its memory reused) would still
 * be reachable through the table's old entry.
 */
KTEST(unmapped_table_comes_back_empty)
{
    mica_cptr_t ut;
    const char *why;
    if ((why = setup(bi, &ut)) || (why = map_tables(bi)))
        return why;
    CHECK_EQ(mica_frame_map(s(bi, F1), VS, AREA, MICA_MAP_READ | MICA_MAP_WRITE, 0).status, MICA_OK);
    *(volatile unsigned long *)AREA = 0xabc;
    CHECK_EQ(mica_page_table_unmap(s(bi, PT)).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, s(bi, F1), D).status, MICA_OK);
    CHECK_EQ(mica_page_table_map(s(bi, PT), VS, AREA).status, MICA_OK);
    /* The old entry is gone: the slot at AREA is free for a new frame. */
    CHECK_EQ(mica_frame_map(s(bi, F2), VS, AREA, MICA_MAP_READ, 0).status, MICA_OK);
    CHECK_EQ(*(volatile unsigned long *)AREA, 0);
    /* Same one level up: a page directory unmapped with a table in it. */
    CHECK_EQ(mica_page_table_unmap(s(bi, PD)).status, MICA_OK);
    CHECK_EQ(mica_page_table_map(s(bi, PD), VS, AREA).status, MICA_OK);
    CHECK_EQ(mica_frame_map(s(bi, F1B), VS, AREA + 0x1000, MICA_MAP_READ, 0).status, MICA_ERR_NOT_MAPPED);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

const struct ktest vspace_tests[] = {
    { "vspace_unmapped_table_comes_back_empty", unmapped_table_comes_back_empty },
    { "vspace_write_remap_read_no_stale_tlb", write_remap_read },
    { "vspace_map_errors", map_errors },
    { "vspace_delete_tables_under_mapped_frames", delete_tables_under_frames },
    { "vspace_create_map_revoke_three_times", vspace_lifecycle },
    { 0, 0 },
};
