/*
 * IOSpaces (docs/objects/iospace.md): IOSpaceControl_Issue, IO page tables
 * and Frame_MapIO with every success and error path, deletion and revoke
 * with mappings in place, and the acceptance test with QEMU's edu device:
 * DMA through the IOMMU reaches exactly the frames mapped in the device's
 * IOSpace, and everything else is blocked and reported.
 *
 * The suite also runs without an IOMMU (kernel-noiommu): there every test
 * checks that the boot info says so and that the invocations it would use
 * fail with MICA_ERR_NOT_SUPPORTED.
 */
#include "ktest.h"
#include <mica_device.h>
#include <mica_invoke.h>
#include <mica_ipc.h>
#include <mica_pci.h>

#define ROOT MICA_CAP_INIT_CNODE
#define VS   MICA_CAP_INIT_VSPACE
#define CTRL MICA_CAP_IOSPACE_CONTROL
#define D 64
#define FIRST 600 /* this file's slots: ktest_slot(bi, 600) onwards */
#define RW (MICA_MAP_READ | MICA_MAP_WRITE)
#define KIB 0x400ul
#define MIB 0x100000ul
#define GIB 0x40000000ul

/* A PCI function with no device behind it: enough for the kernel's
 * bookkeeping, which never looks at the device. */
#define FAKE  MICA_PCI_ADDR(0, 0x10, 2, 3)
#define FAKE2 MICA_PCI_ADDR(0, 0x10, 2, 4)

static const mica_cptr_t root_cap = ROOT;

static int have_iommu(const struct mica_bootinfo *bi)
{
    return (bi->platform.flags & MICA_PLATFORM_IOMMU) != 0;
}

/* IO page table levels: the root's level is levels - 1. */
static unsigned levels(const struct mica_bootinfo *bi)
{
    return bi->platform.iommu_address_bits > 39 ? 4 : 3;
}

/* Without an IOMMU: the boot info says so and Issue is refused. */
static const char *no_iommu(const struct mica_bootinfo *bi, mica_cptr_t dest)
{
    CHECK_EQ(bi->platform.iommu_address_bits, 0);
    CHECK_EQ(mica_iospace_issue(CTRL, FAKE, ROOT, dest, D).status, MICA_ERR_NOT_SUPPORTED);
    CHECK_EQ(ktest_id_type(dest), MICA_OBJ_NULL);
    return 0;
}

static mica_cptr_t slot(const struct mica_bootinfo *bi, unsigned i)
{
    return ktest_slot(bi, FIRST + i);
}

/* Issue an IOSpace for `pci` into a fresh slot of the environment. */
static mica_cptr_t issue(struct ktest_env *e, mica_word_t pci)
{
    mica_cptr_t s = ktest_env_slot(e);
    if (!s || mica_iospace_issue(CTRL, pci, ROOT, s, D).status != MICA_OK)
        return 0;
    return s;
}

/* Map `n` new IO page tables for iova into the IOSpace, root first; the
 * caps go to t[0..n). Each must land one level below the one before. */
static const char *tables(struct ktest_env *e, mica_cptr_t ios, mica_word_t iova, unsigned first_level,
                          unsigned n, mica_cptr_t *t)
{
    for (unsigned i = 0; i < n; i++) {
        t[i] = ktest_env_new(e, MICA_OBJ_IO_PAGE_TABLE);
        CHECK(t[i]);
        struct mica_sysret r = mica_io_page_table_map(t[i], ios, iova);
        CHECK_EQ(r.status, MICA_OK);
        CHECK_EQ(r.value, first_level - i);
    }
    return 0;
}

/* ----------------------------------------------------------------- support */

/* The boot info and the kernel agree on whether there is an IOMMU; without
 * one, every IOSpace-related invocation fails with NOT_SUPPORTED before
 * looking at its arguments; with one, the same calls get as far as their
 * arguments. */
KTEST(iospace_support)
{
    struct ktest_env e;
    TRY(ktest_env_init(&e, bi, FIRST));
    mica_cptr_t table = ktest_env_new(&e, MICA_OBJ_IO_PAGE_TABLE), frame = 0, dest = ktest_env_slot(&e);
    CHECK(table && dest && ktest_env_page(&e, &frame));
    CHECK_EQ(ktest_id_type(table), MICA_OBJ_IO_PAGE_TABLE);
    mica_word_t mr[3] = { FAKE, dest, D };
    /* Labels the objects do not have are refused either way. */
    CHECK_EQ(mica_invoke(CTRL, MICA_IOSPACE_GET_FAULT, 0, 0, 0, 0).status, MICA_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(mica_page_table_map(table, VS, KTEST_MAP_AREA).status, MICA_ERR_ILLEGAL_OPERATION);
    if (!have_iommu(bi)) {
        TRY(no_iommu(bi, dest));
        CHECK_EQ(mica_invoke(CTRL, MICA_IOSPACE_CONTROL_ISSUE, mr, 0, 0, 0).status, MICA_ERR_NOT_SUPPORTED);
        CHECK_EQ(mica_io_page_table_map(table, ROOT, 0).status, MICA_ERR_NOT_SUPPORTED);
        CHECK_EQ(mica_io_page_table_unmap(table).status, MICA_ERR_NOT_SUPPORTED);
        CHECK_EQ(mica_frame_map_io(frame, ROOT, 0, MICA_MAP_READ).status, MICA_ERR_NOT_SUPPORTED);
    } else {
        unsigned bits = bi->platform.iommu_address_bits;
        CHECK(bits == 39 || bits == 48);
        CHECK_EQ(mica_invoke(CTRL, MICA_IOSPACE_CONTROL_ISSUE, mr, 2, 0, 0).status, MICA_ERR_TRUNCATED);
        CHECK_EQ(mica_io_page_table_map(table, ROOT, 0).status, MICA_ERR_INVALID_CAP);
        CHECK_EQ(mica_io_page_table_unmap(table).status, MICA_ERR_NOT_MAPPED);
        CHECK_EQ(mica_frame_map_io(frame, ROOT, 0, MICA_MAP_READ).status, MICA_ERR_INVALID_CAP);
    }
    return ktest_env_done(&e);
}

/* ------------------------------------------------------------------- issue */

KTEST(iospace_issue)
{
    mica_cptr_t a = slot(bi, 0), b = slot(bi, 1), c = slot(bi, 2);
    if (!have_iommu(bi))
        return no_iommu(bi, a);

    /* Arguments: message, address, destination. */
    mica_word_t mr[3] = { FAKE, a, D };
    CHECK_EQ(mica_invoke(CTRL, MICA_IOSPACE_CONTROL_ISSUE, mr, 3, 0, 0).status, MICA_ERR_TRUNCATED);
    struct mica_sysret r = mica_iospace_issue(CTRL, 1ull << 32, ROOT, a, D);
    CHECK_EQ(r.status, MICA_ERR_RANGE);
    CHECK_EQ(r.value, 1ull << 32);
    r = mica_iospace_issue(CTRL, MICA_PCI_ADDR(1, 0, 3, 0), ROOT, a, D); /* no unit serves segment 1 */
    CHECK_EQ(r.status, MICA_ERR_NOT_SUPPORTED);
    CHECK_EQ(r.value, MICA_PCI_ADDR(1, 0, 3, 0));
    CHECK_EQ(mica_iospace_issue(CTRL, FAKE, VS, a, D).status, MICA_ERR_INVALID_CAP);
    CHECK_EQ(mica_iospace_issue(CTRL, FAKE, ROOT, a, 3).status, MICA_ERR_LOOKUP_FAILED);
    CHECK_EQ(mica_iospace_issue(CTRL, FAKE, ROOT, MICA_CAP_INIT_VSPACE, D).status,
             MICA_ERR_SLOT_OCCUPIED);
    CHECK_EQ(mica_invoke(CTRL, MICA_IOSPACE_GET_FAULT, 0, 0, 0, 0).status, MICA_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(ktest_id_type(a), MICA_OBJ_NULL);

    /* One IOSpace per PCI function, however many copies of its cap. */
    CHECK_EQ(mica_iospace_issue(CTRL, FAKE, ROOT, a, D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(a), MICA_OBJ_IOSPACE);
    r = mica_iospace_issue(CTRL, FAKE, ROOT, b, D);
    CHECK_EQ(r.status, MICA_ERR_IN_USE);
    CHECK_EQ(r.value, FAKE);
    CHECK_EQ(mica_iospace_issue(CTRL, FAKE2, ROOT, b, D).status, MICA_OK); /* the next function */
    CHECK_EQ(mica_cnode_copy(ROOT, c, D, ROOT, a, D, MICA_RIGHT_READ).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, a, D).status, MICA_OK);
    CHECK_EQ(mica_iospace_issue(CTRL, FAKE, ROOT, a, D).status, MICA_ERR_IN_USE); /* c lives */
    r = mica_iospace_get_fault(c);
    CHECK_EQ(r.status, MICA_OK);
    CHECK_EQ(r.value, 0);
    CHECK_EQ(mica_invoke(c, MICA_IOSPACE_CONTROL_ISSUE, mr, 3, &root_cap, 1).status,
             MICA_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(mica_invoke(c, MICA_FRAME_MAP, mr, 3, 0, 0).status, MICA_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(mica_cnode_mint(ROOT, a, D, ROOT, c, D, MICA_RIGHTS_ALL, 5).status,
             MICA_ERR_INVALID_ARGUMENT);

    /* The last copy gone, the device can be issued again. */
    CHECK_EQ(mica_cnode_delete(ROOT, c, D).status, MICA_OK);
    CHECK_EQ(mica_iospace_issue(CTRL, FAKE, ROOT, a, D).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, a, D).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, b, D).status, MICA_OK);
    return 0;
}

/* The record table is bounded; revoking IOSpaceControl takes every IOSpace. */
KTEST(iospace_many)
{
    enum { MAX = 256 };
    if (!have_iommu(bi))
        return no_iommu(bi, slot(bi, 0));
    for (unsigned i = 0; i < MAX; i++) {
        struct mica_sysret r = mica_iospace_issue(CTRL, MICA_PCI_ADDR(0, 0x40 + i / 256, 0, 0) + i % 256,
                                                  ROOT, slot(bi, i), D);
        if (r.status != MICA_OK)
            return ktest_failf("IOSpace %u: error %llu", i, (unsigned long long)r.status);
    }
    CHECK_EQ(mica_iospace_issue(CTRL, FAKE, ROOT, slot(bi, MAX), D).status, MICA_ERR_NOT_ENOUGH_MEMORY);
    CHECK_EQ(mica_cnode_revoke(ROOT, CTRL, D).status, MICA_OK);
    for (unsigned i = 0; i < MAX; i++)
        CHECK_EQ(ktest_id_type(slot(bi, i)), MICA_OBJ_NULL);
    CHECK_EQ(ktest_id_type(CTRL), MICA_OBJ_IOSPACE_CONTROL);
    CHECK_EQ(mica_iospace_issue(CTRL, MICA_PCI_ADDR(0, 0x40, 0, 0), ROOT, slot(bi, 0), D).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, slot(bi, 0), D).status, MICA_OK);
    return 0;
}

/* ------------------------------------------------------------- IO page tables */

#define X (4 * MIB) /* an I/O address the tests build tables for (2 MiB aligned) */

KTEST(iospace_tables)
{
    if (!have_iommu(bi))
        return no_iommu(bi, slot(bi, 0));
    struct ktest_env e;
    TRY(ktest_env_init(&e, bi, FIRST));
    const unsigned L = levels(bi), r = L - 1;
    const mica_word_t limit = 1ull << bi->platform.iommu_address_bits;
    mica_cptr_t ios = issue(&e, FAKE), ios2 = issue(&e, FAKE2), t[4], frame;
    mica_cptr_t extra = ktest_env_new(&e, MICA_OBJ_IO_PAGE_TABLE);
    CHECK(ios && ios2 && extra && ktest_env_page(&e, &frame));
    mica_cptr_t io_frame = ktest_env_slot(&e);
    CHECK_EQ(mica_cnode_copy(ROOT, io_frame, D, ROOT, frame, D, MICA_RIGHTS_ALL).status, MICA_OK);

    /* Arguments. */
    mica_word_t mr[1] = { X };
    CHECK_EQ(mica_invoke(extra, MICA_IO_PAGE_TABLE_MAP, mr, 0, &ios, 1).status, MICA_ERR_TRUNCATED);
    CHECK_EQ(mica_invoke(extra, MICA_IO_PAGE_TABLE_MAP, mr, 1, 0, 0).status, MICA_ERR_TRUNCATED);
    CHECK_EQ(mica_io_page_table_map(extra, CTRL, X).status, MICA_ERR_INVALID_CAP);
    CHECK_EQ(mica_io_page_table_map(extra, VS, X).status, MICA_ERR_INVALID_CAP);
    CHECK_EQ(mica_io_page_table_map(extra, slot(bi, 900), X).status, MICA_ERR_INVALID_CAP);
    struct mica_sysret res = mica_io_page_table_map(extra, ios, limit);
    CHECK_EQ(res.status, MICA_ERR_RANGE);
    CHECK_EQ(res.value, limit);
    CHECK_EQ(mica_io_page_table_unmap(extra).status, MICA_ERR_NOT_MAPPED);

    /* No root yet: a frame needs the root table first. */
    res = mica_frame_map_io(io_frame, ios, X, RW);
    CHECK_EQ(res.status, MICA_ERR_NOT_MAPPED);
    CHECK_EQ(res.value, r);

    /* Each table lands at the highest level missing for X, root first. */
    TRY(tables(&e, ios, X, r, L, t));
    res = mica_io_page_table_map(extra, ios, X + 0x123);
    CHECK_EQ(res.status, MICA_ERR_MAPPED); /* nothing is missing there */
    CHECK_EQ(res.value, X + 0x123);
    res = mica_io_page_table_map(t[L - 1], ios2, X);
    CHECK_EQ(res.status, MICA_ERR_MAPPED); /* one place per table */
    CHECK_EQ(res.value, X & ~(2 * MIB - 1));
    res = mica_io_page_table_map(extra, ios, X + 2 * MIB); /* the next 2 MiB: a level-0 table */
    CHECK_EQ(res.status, MICA_OK);
    CHECK_EQ(res.value, 0);
    CHECK_EQ(mica_io_page_table_unmap(extra).status, MICA_OK);
    res = mica_io_page_table_map(extra, ios, X + GIB); /* the next GiB: a level-1 table */
    CHECK_EQ(res.status, MICA_OK);
    CHECK_EQ(res.value, 1);
    CHECK_EQ(mica_frame_map_io(io_frame, ios, X, RW).status, MICA_OK);

    /* Unmapping a table empties it: what was below is unreachable. */
    CHECK_EQ(mica_io_page_table_unmap(t[L - 2]).status, MICA_OK);
    CHECK_EQ(mica_io_page_table_unmap(t[L - 2]).status, MICA_ERR_NOT_MAPPED);
    res = mica_io_page_table_map(t[L - 2], ios, X);
    CHECK_EQ(res.status, MICA_OK);
    CHECK_EQ(res.value, 1);
    CHECK_EQ(mica_frame_unmap(io_frame).status, MICA_OK); /* its entry is gone: forgotten */
    res = mica_frame_map_io(io_frame, ios, X, RW);
    CHECK_EQ(res.status, MICA_ERR_NOT_MAPPED);
    CHECK_EQ(res.value, 0);
    /* t[L-1] still records its old place: it must be unmapped first. */
    CHECK_EQ(mica_io_page_table_map(t[L - 1], ios, X).status, MICA_ERR_MAPPED);
    CHECK_EQ(mica_io_page_table_unmap(t[L - 1]).status, MICA_OK);
    res = mica_io_page_table_map(t[L - 1], ios, X);
    CHECK_EQ(res.status, MICA_OK);
    CHECK_EQ(res.value, 0);
    CHECK_EQ(mica_frame_map_io(io_frame, ios, X, RW).status, MICA_OK);

    /* Wrong object types either way round; tables are not copyable. */
    mica_cptr_t cpu_pt = ktest_env_new(&e, MICA_OBJ_PAGE_TABLE), s = ktest_env_slot(&e);
    CHECK(cpu_pt && s);
    CHECK_EQ(mica_page_table_map(t[0], VS, KTEST_MAP_AREA).status, MICA_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(mica_io_page_table_map(cpu_pt, ios, X).status, MICA_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(mica_frame_map_io(t[0], ios, X, RW).status, MICA_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(mica_cnode_copy(ROOT, s, D, ROOT, t[0], D, MICA_RIGHTS_ALL).status, MICA_ERR_ILLEGAL_OPERATION);

    /* Unmapping the root takes the device's context entry away. */
    CHECK_EQ(mica_io_page_table_unmap(t[0]).status, MICA_OK);
    CHECK_EQ(mica_frame_unmap(io_frame).status, MICA_OK);
    res = mica_frame_map_io(io_frame, ios, X, RW);
    CHECK_EQ(res.status, MICA_ERR_NOT_MAPPED);
    CHECK_EQ(res.value, r);
    res = mica_io_page_table_map(t[0], ios, 5 * GIB);
    CHECK_EQ(res.status, MICA_OK);
    CHECK_EQ(res.value, r);
    CHECK_EQ(mica_cnode_delete(ROOT, ios, D).status, MICA_OK); /* not made from the untyped */
    CHECK_EQ(mica_cnode_delete(ROOT, ios2, D).status, MICA_OK);
    return ktest_env_done(&e);
}

/* ------------------------------------------------------------------ Frame_MapIO */

KTEST(iospace_frames)
{
    if (!have_iommu(bi))
        return no_iommu(bi, slot(bi, 0));
    struct ktest_env e;
    TRY(ktest_env_init(&e, bi, FIRST));
    const unsigned L = levels(bi);
    const mica_word_t limit = 1ull << bi->platform.iommu_address_bits, Y = X + 2 * MIB;
    mica_cptr_t big = ktest_env_new(&e, MICA_OBJ_FRAME_2M); /* first: it needs 2 MiB alignment */
    mica_cptr_t ios = issue(&e, FAKE), t[4], cpu, other;
    volatile uint64_t *page = ktest_env_page(&e, &cpu);
    CHECK(big && ios && page && ktest_env_page(&e, &other));
    mica_cptr_t f = ktest_env_slot(&e), ro = ktest_env_slot(&e), wo = ktest_env_slot(&e);
    CHECK_EQ(mica_cnode_copy(ROOT, f, D, ROOT, cpu, D, MICA_RIGHTS_ALL).status, MICA_OK);
    CHECK_EQ(mica_cnode_copy(ROOT, ro, D, ROOT, cpu, D, MICA_RIGHT_READ).status, MICA_OK);
    CHECK_EQ(mica_cnode_copy(ROOT, wo, D, ROOT, cpu, D, MICA_RIGHT_WRITE).status, MICA_OK);
    TRY(tables(&e, ios, X, L - 1, L, t));

    /* Arguments, in the order the kernel checks them. */
    mica_word_t mr[2] = { X, RW };
    CHECK_EQ(mica_invoke(f, MICA_FRAME_MAP_IO, mr, 1, &ios, 1).status, MICA_ERR_TRUNCATED);
    CHECK_EQ(mica_invoke(f, MICA_FRAME_MAP_IO, mr, 2, 0, 0).status, MICA_ERR_TRUNCATED);
    CHECK_EQ(mica_frame_map_io(f, VS, X, RW).status, MICA_ERR_INVALID_CAP);
    CHECK_EQ(mica_frame_map_io(f, CTRL, X, RW).status, MICA_ERR_INVALID_CAP);
    struct mica_sysret res = mica_frame_map_io(cpu, ios, X, RW); /* mapped in the CPU space */
    CHECK_EQ(res.status, MICA_ERR_MAPPED);
    CHECK_EQ(res.value, KTEST_MAP_AREA);
    CHECK_EQ(mica_frame_map_io(f, ios, X, 0).status, MICA_ERR_INVALID_ARGUMENT);
    CHECK_EQ(mica_frame_map_io(f, ios, X, MICA_MAP_EXEC).status, MICA_ERR_INVALID_ARGUMENT);
    CHECK_EQ(mica_frame_map_io(f, ios, X, MICA_MAP_READ | MICA_MAP_EXEC).status, MICA_ERR_INVALID_ARGUMENT);
    CHECK_EQ(mica_frame_map_io(f, ios, X, 8).status, MICA_ERR_INVALID_ARGUMENT);
    CHECK_EQ(mica_frame_map_io(ro, ios, X, RW).status, MICA_ERR_NO_RIGHTS);
    CHECK_EQ(mica_frame_map_io(wo, ios, X, MICA_MAP_WRITE).status, MICA_ERR_NO_RIGHTS);
    res = mica_frame_map_io(f, ios, X + 0x800, RW);
    CHECK_EQ(res.status, MICA_ERR_ALIGNMENT);
    CHECK_EQ(res.value, X + 0x800);
    res = mica_frame_map_io(f, ios, limit, RW);
    CHECK_EQ(res.status, MICA_ERR_RANGE);
    CHECK_EQ(res.value, limit);
    res = mica_frame_map_io(f, ios, limit - 0x1000, RW); /* the root has nothing there */
    CHECK_EQ(res.status, MICA_ERR_NOT_MAPPED);
    CHECK_EQ(res.value, L - 2);
    res = mica_frame_map_io(f, ios, Y, RW); /* no level-0 table for this 2 MiB */
    CHECK_EQ(res.status, MICA_ERR_NOT_MAPPED);
    CHECK_EQ(res.value, 0);
    CHECK_EQ(ktest_ident(f) & MICA_CAP_ID_MAPPED, 0);

    /* Success; one mapping per cap and per entry. */
    CHECK_EQ(mica_frame_map_io(f, ios, X, RW).status, MICA_OK);
    CHECK(ktest_ident(f) & MICA_CAP_ID_MAPPED);
    CHECK_EQ(mica_frame_map_io(ro, ios, X + 0x1000, MICA_MAP_READ).status, MICA_OK);
    res = mica_frame_map_io(other, ios, X, RW);
    CHECK_EQ(res.status, MICA_ERR_MAPPED);
    CHECK_EQ(res.value, KTEST_MAP_AREA + 0x1000); /* `other` is CPU-mapped: that comes first */
    mica_cptr_t other_io = ktest_env_slot(&e);
    CHECK_EQ(mica_cnode_copy(ROOT, other_io, D, ROOT, other, D, MICA_RIGHTS_ALL).status, MICA_OK);
    res = mica_frame_map_io(other_io, ios, X, RW);
    CHECK_EQ(res.status, MICA_ERR_MAPPED); /* the entry is taken */
    CHECK_EQ(res.value, X);
    res = mica_frame_map_io(f, ios, X + 0x2000, RW);
    CHECK_EQ(res.status, MICA_ERR_MAPPED); /* the cap is taken */
    CHECK_EQ(res.value, X);
    CHECK_EQ(mica_frame_map(f, VS, KTEST_MAP_AREA + 0x10000, RW, 0).status, MICA_ERR_MAPPED);
    CHECK_EQ(mica_frame_remap(f, MICA_MAP_READ, 0).status, MICA_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(mica_io_page_table_map(ktest_env_new(&e, MICA_OBJ_IO_PAGE_TABLE), ios, X).status,
             MICA_ERR_MAPPED);
    CHECK_EQ(mica_frame_get_address(f).value, mica_frame_get_address(cpu).value);
    page[0] = 0x5a5a; /* the CPU mapping is untouched by the DMA one */
    CHECK_EQ(page[0], 0x5a5a);

    /* Unmap frees the entry for another frame; a cap can then map again. */
    CHECK_EQ(mica_frame_unmap(f).status, MICA_OK);
    CHECK_EQ(mica_frame_unmap(f).status, MICA_ERR_NOT_MAPPED);
    CHECK_EQ(ktest_ident(f) & MICA_CAP_ID_MAPPED, 0);
    CHECK_EQ(mica_frame_map_io(other_io, ios, X, MICA_MAP_WRITE).status, MICA_OK);
    CHECK_EQ(mica_frame_map_io(f, ios, X + 0x2000, MICA_MAP_READ).status, MICA_OK);

    /* 2 MiB frames go into a level-1 entry. */
    res = mica_frame_map_io(big, ios, Y + 0x1000, RW);
    CHECK_EQ(res.status, MICA_ERR_ALIGNMENT);
    CHECK_EQ(mica_frame_map_io(big, ios, Y, RW).status, MICA_OK);
    res = mica_io_page_table_map(ktest_env_new(&e, MICA_OBJ_IO_PAGE_TABLE), ios, Y + 0x1000);
    CHECK_EQ(res.status, MICA_ERR_MAPPED); /* a large page is in the way */
    CHECK_EQ(res.value, Y + 0x1000);
    mica_cptr_t spare = ktest_env_slot(&e);
    CHECK_EQ(mica_cnode_copy(ROOT, spare, D, ROOT, cpu, D, MICA_RIGHTS_ALL).status, MICA_OK);
    res = mica_frame_map_io(spare, ios, Y + 0x1000, RW);
    CHECK_EQ(res.status, MICA_ERR_NOT_MAPPED); /* no level-0 table under a large page */
    CHECK_EQ(res.value, 0);
    CHECK_EQ(mica_frame_unmap(big).status, MICA_OK);
    res = mica_io_page_table_map(ktest_env_new(&e, MICA_OBJ_IO_PAGE_TABLE), ios, Y + 0x1000);
    CHECK_EQ(res.status, MICA_OK);
    CHECK_EQ(res.value, 0);
    CHECK_EQ(mica_frame_map_io(spare, ios, Y + 0x1000, RW).status, MICA_OK);
    CHECK_EQ(mica_frame_map_io(big, ios, Y, RW).status, MICA_ERR_MAPPED); /* now a table is */

    /* Device memory is never a DMA target. */
    mica_cptr_t dev = 0;
    for (unsigned i = 0; i < bi->n_untyped && !dev; i++)
        if (bi->untyped[i].flags & MICA_UNTYPED_DEVICE)
            dev = bi->slot_untyped_first + i;
    mica_cptr_t dframe = ktest_env_slot(&e);
    CHECK(dev && dframe);
    CHECK_EQ(mica_untyped_retype(dev, MICA_OBJ_FRAME_4K, 0, ROOT, 0, 0, dframe, 1).status, MICA_OK);
    res = mica_frame_map_io(dframe, ios, X + 0x3000, RW);
    CHECK_EQ(res.status, MICA_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(res.value, MICA_FRAME_MAP_IO);
    CHECK_EQ(mica_cnode_revoke(ROOT, dev, D).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, ios, D).status, MICA_OK);
    return ktest_env_done(&e);
}

/* ------------------------------------------------ deletion with mappings in place */

/* The IOSpace goes while tables and frames are mapped in it: their caps
 * keep stale records, which Unmap forgets; nothing reaches the next
 * IOSpace of the same device. */
KTEST(iospace_delete_mapped)
{
    if (!have_iommu(bi))
        return no_iommu(bi, slot(bi, 0));
    struct ktest_env e;
    TRY(ktest_env_init(&e, bi, FIRST));
    const unsigned L = levels(bi);
    mica_cptr_t ios = issue(&e, FAKE), copy = ktest_env_slot(&e), t[4], f, g;
    CHECK(ios && copy && ktest_env_page(&e, &f) && ktest_env_page(&e, &g));
    CHECK_EQ(mica_frame_unmap(f).status, MICA_OK);
    CHECK_EQ(mica_frame_unmap(g).status, MICA_OK);
    TRY(tables(&e, ios, X, L - 1, L, t));
    CHECK_EQ(mica_frame_map_io(f, ios, X, RW).status, MICA_OK);
    CHECK_EQ(mica_cnode_copy(ROOT, copy, D, ROOT, ios, D, MICA_RIGHTS_ALL).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, ios, D).status, MICA_OK);
    CHECK_EQ(mica_frame_map_io(g, copy, X + 0x1000, RW).status, MICA_OK); /* the copy still works */
    CHECK_EQ(mica_cnode_delete(ROOT, copy, D).status, MICA_OK);

    /* A new IOSpace for the same device starts empty. */
    mica_cptr_t ios2 = issue(&e, FAKE);
    CHECK(ios2);
    CHECK_EQ(mica_iospace_get_fault(ios2).value, 0);
    struct mica_sysret res = mica_frame_map_io(f, ios2, X, RW);
    CHECK_EQ(res.status, MICA_ERR_MAPPED); /* stale record: unmap first */
    CHECK(ktest_ident(f) & MICA_CAP_ID_MAPPED);
    CHECK_EQ(mica_frame_unmap(f).status, MICA_OK);
    CHECK_EQ(mica_frame_unmap(f).status, MICA_ERR_NOT_MAPPED);
    res = mica_frame_map_io(f, ios2, X, RW);
    CHECK_EQ(res.status, MICA_ERR_NOT_MAPPED);
    CHECK_EQ(res.value, L - 1);
    CHECK_EQ(mica_io_page_table_map(t[0], ios2, X).status, MICA_ERR_MAPPED);
    for (unsigned i = 0; i < L; i++)
        CHECK_EQ(mica_io_page_table_unmap(t[i]).status, MICA_OK);
    TRY(tables(&e, ios2, X, L - 1, L, t)); /* emptied: each lands as before */
    CHECK_EQ(mica_frame_map_io(f, ios2, X + 0x1000, RW).status, MICA_OK); /* g's old place is free */

    /* Deleting caps with stale records is harmless. */
    CHECK_EQ(mica_cnode_delete(ROOT, g, D).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, ios2, D).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, t[0], D).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, f, D).status, MICA_OK);
    return ktest_env_done(&e);
}

/* Revoking the untyped the IO page tables came from, while they are mapped
 * and frames are mapped through them. */
KTEST(iospace_revoke_tables)
{
    if (!have_iommu(bi))
        return no_iommu(bi, slot(bi, 0));
    struct ktest_env e;
    TRY(ktest_env_init(&e, bi, FIRST));
    const unsigned L = levels(bi);
    mica_cptr_t ios = issue(&e, FAKE), ut = ktest_env_slot(&e), t[4], f, g;
    CHECK(ios && ut && ktest_env_page(&e, &f) && ktest_env_page(&e, &g));
    CHECK_EQ(mica_frame_unmap(f).status, MICA_OK);
    CHECK_EQ(mica_frame_unmap(g).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(e.ut, MICA_OBJ_UNTYPED, 16, ROOT, 0, 0, ut, 1).status, MICA_OK);
    for (int round = 0; round < 2; round++) {
        for (unsigned i = 0; i < L; i++) {
            t[i] = ktest_env_slot(&e);
            CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_IO_PAGE_TABLE, 0, ROOT, 0, 0, t[i], 1).status,
                     MICA_OK);
            struct mica_sysret res = mica_io_page_table_map(t[i], ios, X);
            CHECK_EQ(res.status, MICA_OK);
            CHECK_EQ(res.value, L - 1 - i);
        }
        CHECK_EQ(mica_frame_map_io(f, ios, X, RW).status, MICA_OK);
        CHECK_EQ(mica_frame_map_io(g, ios, X + 0x1000, MICA_MAP_READ).status, MICA_OK);
        CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
        for (unsigned i = 0; i < L; i++)
            CHECK_EQ(ktest_id_type(t[i]), MICA_OBJ_NULL);
        /* The frames' records are of a live IOSpace whose tables are gone. */
        struct mica_sysret res = mica_frame_map_io(g, ios, X + 0x2000, RW);
        CHECK_EQ(res.status, MICA_ERR_MAPPED);
        CHECK_EQ(mica_frame_unmap(f).status, MICA_OK);
        CHECK_EQ(mica_frame_unmap(g).status, MICA_OK);
        res = mica_frame_map_io(f, ios, X, RW);
        CHECK_EQ(res.status, MICA_ERR_NOT_MAPPED);
        CHECK_EQ(res.value, L - 1); /* no root: the context entry went with it */
    }
    CHECK_EQ(mica_iospace_get_fault(ios).value, 0);
    CHECK_EQ(mica_cnode_delete(ROOT, ios, D).status, MICA_OK);
    return ktest_env_done(&e);
}

/* --------------------------------------------------------- DMA with edu */

/*
 * QEMU's edu device (docs/specs/edu.rst, hw/misc/edu.c): BAR0 registers,
 * a 4 KiB buffer inside the device at DMA address 0x40000, one DMA
 * engine started through the command register and finished by a timer
 * about 100 ms (virtual) later, when it raises its MSI. DMA addresses are
 * masked to 28 bits, so every address used here is below 256 MiB.
 */
#define EDU_VENDOR     0x1234
#define EDU_DEVICE     0x11e8
#define EDU_ID         0x00
#define EDU_IRQ_STATUS 0x24
#define EDU_IRQ_ACK    0x64
#define EDU_DMA_SRC    0x80
#define EDU_DMA_DST    0x88
#define EDU_DMA_COUNT  0x90
#define EDU_DMA_CMD    0x98
#define EDU_CMD_START  0x1
#define EDU_CMD_TO_RAM 0x2 /* direction: device buffer to memory */
#define EDU_CMD_IRQ    0x4 /* raise the interrupt when done */
#define EDU_IRQ_DMA    0x100
#define EDU_BUFFER     0x40000
#define DMA_BYTES      2048 /* QEMU 7.2 aborts on a transfer that ends at the buffer's end */
#define EDU_MSI        7 /* the MSI number asked of IRQControl */
#define DMA_LIMIT      (256 * MIB)

#define ECAM_WINDOW 0x0000300000000000ul /* PML4 slot 96: free in the root task */
#define EDU_MMIO    0x0000310000000000ul
#define IOVA_A      (16 * MIB)
#define IOVA_B      (IOVA_A + 0x1000)
#define IOVA_HOLE   (IOVA_A + 0x5000) /* under the same tables, nothing mapped */
#define WORDS       (DMA_BYTES / 8) /* words a DMA moves */
#define PAGE_WORDS  (MICA_PAGE_SIZE / 8)

static struct mica_aspace aspace;
static struct mica_devmem devmem;
static struct mica_pci pci;

struct edu {
    volatile uint8_t *mmio;
    const struct mica_pci_dev *dev;
    mica_cptr_t ios, ntfn, irq;
    mica_cptr_t victim; /* a frame outside the IOSpace (from another untyped) */
};

static uint32_t edu_rd32(struct edu *u, unsigned r) { return *(volatile uint32_t *)(u->mmio + r); }
static void edu_wr32(struct edu *u, unsigned r, uint32_t v) { *(volatile uint32_t *)(u->mmio + r) = v; }
static void edu_wr64(struct edu *u, unsigned r, uint64_t v) { *(volatile uint64_t *)(u->mmio + r) = v; }

/* One DMA of DMA_BYTES, waiting for the device's interrupt. */
static const char *edu_dma(struct edu *u, uint64_t src, uint64_t dst, int to_ram)
{
    edu_wr64(u, EDU_DMA_SRC, src);
    edu_wr64(u, EDU_DMA_DST, dst);
    edu_wr64(u, EDU_DMA_COUNT, DMA_BYTES);
    edu_wr64(u, EDU_DMA_CMD, EDU_CMD_START | EDU_CMD_IRQ | (to_ram ? EDU_CMD_TO_RAM : 0));
    struct mica_msg m = mica_wait(u->ntfn);
    CHECK_EQ(m.status, MICA_OK);
    CHECK_EQ(edu_rd32(u, EDU_DMA_CMD) & EDU_CMD_START, 0); /* the transfer is over */
    CHECK(edu_rd32(u, EDU_IRQ_STATUS) & EDU_IRQ_DMA);
    edu_wr32(u, EDU_IRQ_ACK, EDU_IRQ_DMA);
    CHECK_EQ(mica_irq_handler_ack(u->irq).status, MICA_OK);
    return 0;
}

/* The next fault the IOSpace reports must be this one. */
static const char *next_fault(struct edu *u, uint64_t addr, unsigned reason, int write)
{
    struct mica_sysret r = mica_iospace_get_fault(u->ios);
    CHECK_EQ(r.status, MICA_OK);
    CHECK_EQ(r.value, addr | reason | (write ? MICA_IOFAULT_WRITE : 0) | MICA_IOFAULT_VALID);
    CHECK_EQ(MICA_IOFAULT_ADDR(r.value), addr);
    CHECK_EQ(MICA_IOFAULT_REASON(r.value), reason);
    return 0;
}

/* This fault, and then no other. */
static const char *only_fault(struct edu *u, uint64_t addr, unsigned reason, int write)
{
    TRY(next_fault(u, addr, reason, write));
    CHECK_EQ(mica_iospace_get_fault(u->ios).value, 0);
    return 0;
}

/* Find edu, map its registers, route its MSI to a notification. */
static const char *edu_open(struct ktest_env *e, struct edu *u)
{
    const struct mica_bootinfo *bi = e->bi;
    aspace = (struct mica_aspace){ .untyped = e->ut, .slot_next = slot(bi, 1000),
                                   .slot_end = slot(bi, 2000) };
    mica_aspace_self(&aspace);
    mica_devmem_init(&devmem, &aspace, bi);
    CHECK_EQ(mica_pci_init(&pci, &devmem, bi, ECAM_WINDOW), MICA_OK);
    CHECK_EQ(mica_pci_scan(&pci), MICA_OK);
    u->dev = mica_pci_find(&pci, EDU_VENDOR, EDU_DEVICE);
    if (!u->dev)
        return "no edu device (QEMU -device edu) found on the PCI bus";
    CHECK(u->dev->bar[0].size >= MICA_PAGE_SIZE && !(u->dev->bar[0].flags & MICA_PCI_BAR_IO));
    CHECK_EQ(mica_devmem_map(&devmem, u->dev->bar[0].base, MICA_PAGE_SIZE, EDU_MMIO), MICA_OK);
    u->mmio = (volatile uint8_t *)EDU_MMIO;
    CHECK_EQ(edu_rd32(u, EDU_ID) & 0xffff, 0x00ed);

    u->ntfn = ktest_env_new(e, MICA_OBJ_NOTIFICATION);
    u->irq = ktest_env_slot(e);
    CHECK(u->ntfn && u->irq);
    struct mica_sysret r = mica_irq_get_msi(MICA_CAP_IRQ_CONTROL, EDU_MSI, mica_pci_addr(&pci, u->dev),
                                            ROOT, u->irq, D);
    CHECK_EQ(r.status, MICA_OK);
    CHECK_EQ(mica_irq_handler_set_notification(u->irq, u->ntfn).status, MICA_OK);
    CHECK_EQ(mica_pci_msi_enable(u->dev, r.value), MICA_OK);
    mica_pci_enable(u->dev, MICA_PCI_COMMAND_MEMORY | MICA_PCI_COMMAND_MASTER);
    return 0;
}

/* No more DMA or interrupts from edu. */
static void edu_close(struct edu *u)
{
    if (!u->dev)
        return;
    mica_pci_write16(u->dev, MICA_PCI_COMMAND,
                     mica_pci_read16(u->dev, MICA_PCI_COMMAND) & ~MICA_PCI_COMMAND_MASTER);
    unsigned msi = u->dev->msi;
    if (msi)
        mica_pci_write16(u->dev, msi + 2, mica_pci_read16(u->dev, msi + 2) & ~1u);
}

/* A RAM frame below 256 MiB (edu can address it), mapped only in the root
 * task's CPU address space at va. */
static const char *victim_frame(struct ktest_env *e, mica_word_t va, mica_cptr_t *frame, uint64_t *pa)
{
    const struct mica_bootinfo *bi = e->bi;
    *frame = ktest_env_slot(e);
    CHECK(*frame);
    for (unsigned i = 0; i < bi->n_untyped; i++) {
        const struct mica_bootinfo_untyped *u = &bi->untyped[i];
        if ((u->flags & MICA_UNTYPED_DEVICE) || u->paddr + (1ull << u->size_bits) > DMA_LIMIT ||
            u->paddr < 32 * MIB)
            continue;
        if (mica_untyped_retype(bi->slot_untyped_first + i, MICA_OBJ_FRAME_4K, 0, ROOT, 0, 0, *frame, 1)
                .status == MICA_OK)
            break;
    }
    CHECK_EQ(ktest_id_type(*frame), MICA_OBJ_FRAME_4K);
    *pa = mica_frame_get_address(*frame).value;
    CHECK(*pa >= 32 * MIB && *pa < DMA_LIMIT); /* never one of the IOVAs used */
    CHECK_EQ(mica_frame_map(*frame, VS, va, RW, 0).status, MICA_OK);
    return 0;
}

/* The first DMA_BYTES of dst are those of src. */
static const char *copied(const uint64_t *dst, const uint64_t *src)
{
    for (unsigned i = 0; i < WORDS; i++)
        if (dst[i] != src[i])
            return ktest_failf("DMA through the IOMMU: word %u is 0x%llx, expected 0x%llx", i,
                               (unsigned long long)dst[i], (unsigned long long)src[i]);
    return 0;
}

/* Map frame `io` (a copy of a CPU-mapped frame) for DMA. */
static const char *map_io(struct edu *u, mica_cptr_t io, mica_word_t iova, unsigned rights)
{
    CHECK_EQ(mica_frame_map_io(io, u->ios, iova, rights).status, MICA_OK);
    return 0;
}

/* IO page tables for IOVA_A, made from the untyped `ut` (so revoking it
 * takes them all). */
static const char *edu_tables(struct ktest_env *e, struct edu *u, mica_cptr_t ut, unsigned L)
{
    for (unsigned i = 0; i < L; i++) {
        mica_cptr_t t = ktest_env_slot(e);
        CHECK(t);
        CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_IO_PAGE_TABLE, 0, ROOT, 0, 0, t, 1).status, MICA_OK);
        struct mica_sysret r = mica_io_page_table_map(t, u->ios, IOVA_A);
        CHECK_EQ(r.status, MICA_OK);
        CHECK_EQ(r.value, L - 1 - i);
    }
    return 0;
}

static void fill(uint64_t *p, unsigned words, uint64_t v)
{
    for (unsigned i = 0; i < words; i++)
        p[i] = v ? v | i : 0;
}

/* Is p still v | i everywhere (0 everywhere for v 0)? */
static const char *unchanged(const uint64_t *p, uint64_t v, const char *what)
{
    for (unsigned i = 0; i < PAGE_WORDS; i++)
        if (p[i] != (v ? v | i : 0))
            return ktest_failf("blocked DMA changed %s: word %u is 0x%llx", what, i,
                               (unsigned long long)p[i]);
    return 0;
}

#define PATTERN_A 0xa000000000000000ull
#define SECRET    0x5ec2e70000000000ull

static const char *edu_body(struct ktest_env *e, struct edu *u)
{
    const unsigned L = levels(e->bi);
    mica_cptr_t a_cpu, b_cpu, c_cpu, a_io = ktest_env_slot(e), b_io = ktest_env_slot(e);
    mica_cptr_t tut = ktest_env_slot(e);
    uint64_t *a = ktest_env_page(e, &a_cpu), *b = ktest_env_page(e, &b_cpu), pc = 0;
    uint64_t *c = (uint64_t *)(KTEST_MAP_AREA + 0x80000);
    CHECK(a && b && a_io && b_io && tut);
    TRY(victim_frame(e, (mica_word_t)c, &c_cpu, &pc));
    u->victim = c_cpu;
    fill(a, PAGE_WORDS, PATTERN_A);
    fill(b, PAGE_WORDS, 0);
    fill(c, PAGE_WORDS, SECRET);
    TRY(edu_open(e, u));
    u->ios = issue(e, mica_pci_addr(&pci, u->dev));
    CHECK(u->ios);
    CHECK_EQ(mica_untyped_retype(e->ut, MICA_OBJ_UNTYPED, 16, ROOT, 0, 0, tut, 1).status, MICA_OK);
    TRY(edu_tables(e, u, tut, L));
    CHECK_EQ(mica_cnode_copy(ROOT, a_io, D, ROOT, a_cpu, D, MICA_RIGHTS_ALL).status, MICA_OK);
    CHECK_EQ(mica_cnode_copy(ROOT, b_io, D, ROOT, b_cpu, D, MICA_RIGHTS_ALL).status, MICA_OK);
    TRY(map_io(u, a_io, IOVA_A, MICA_MAP_READ));
    TRY(map_io(u, b_io, IOVA_B, MICA_MAP_WRITE));

    /* Both directions through mapped frames: A -> device -> B. */
    TRY(edu_dma(u, IOVA_A, EDU_BUFFER, 0));
    TRY(edu_dma(u, EDU_BUFFER, IOVA_B, 1));
    TRY(copied(b, a));
    for (unsigned i = WORDS; i < PAGE_WORDS; i++)
        CHECK_EQ(b[i], 0); /* exactly DMA_BYTES moved */
    CHECK_EQ(mica_iospace_get_fault(u->ios).value, 0);

    /* Another process's memory by its physical address: writing and
     * reading it are blocked, and reported oldest first. */
    TRY(edu_dma(u, EDU_BUFFER, pc, 1));
    TRY(unchanged(c, SECRET, "the victim frame"));
    TRY(edu_dma(u, pc, EDU_BUFFER, 0));
    TRY(next_fault(u, pc, 5, 1));
    TRY(only_fault(u, pc, 6, 0));
    TRY(edu_dma(u, EDU_BUFFER, IOVA_B, 1)); /* what did the device get? */
    for (unsigned i = 0; i < WORDS; i++)
        CHECK(b[i] != c[i]);
    CHECK_EQ(mica_iospace_get_fault(u->ios).value, 0);

    /* An unmapped I/O address under the device's own tables; and a frame
     * mapped for reading only is not written. */
    TRY(edu_dma(u, IOVA_A, EDU_BUFFER, 0));
    TRY(edu_dma(u, EDU_BUFFER, IOVA_HOLE, 1));
    TRY(only_fault(u, IOVA_HOLE, 5, 1));
    fill(a, PAGE_WORDS, PATTERN_A ^ 0x0100000000000000ull);
    /* Mapped afresh: QEMU checks a translation it has cached (from the
     * read above) without recording a fault, and blocks silently. */
    CHECK_EQ(mica_frame_unmap(a_io).status, MICA_OK);
    TRY(map_io(u, a_io, IOVA_A, MICA_MAP_READ));
    TRY(edu_dma(u, EDU_BUFFER, IOVA_A, 1));
    TRY(unchanged(a, PATTERN_A ^ 0x0100000000000000ull, "a read-only DMA frame"));
    TRY(only_fault(u, IOVA_A, 5, 1));
    fill(a, PAGE_WORDS, PATTERN_A);

    /* After Unmap the translation the device used a moment ago is gone. */
    fill(b, PAGE_WORDS, 0);
    CHECK_EQ(mica_frame_unmap(b_io).status, MICA_OK);
    TRY(edu_dma(u, EDU_BUFFER, IOVA_B, 1));
    TRY(unchanged(b, 0, "an unmapped frame"));
    TRY(only_fault(u, IOVA_B, 5, 1));
    TRY(map_io(u, b_io, IOVA_B, MICA_MAP_WRITE));
    TRY(edu_dma(u, EDU_BUFFER, IOVA_B, 1));
    TRY(copied(b, a));

    /* Revoking the untyped under the tables: the root goes, and with it
     * the device's context entry. */
    fill(b, PAGE_WORDS, 0);
    CHECK_EQ(mica_cnode_revoke(ROOT, tut, D).status, MICA_OK);
    TRY(edu_dma(u, EDU_BUFFER, IOVA_B, 1));
    TRY(unchanged(b, 0, "a frame whose tables were revoked"));
    TRY(only_fault(u, IOVA_B, 2, 1));
    CHECK_EQ(mica_frame_unmap(b_io).status, MICA_OK);
    TRY(edu_tables(e, u, tut, L));
    TRY(map_io(u, b_io, IOVA_B, MICA_MAP_WRITE));
    TRY(edu_dma(u, EDU_BUFFER, IOVA_B, 1));
    TRY(copied(b, a));

    /* Without its IOSpace the device reaches nothing. */
    fill(b, PAGE_WORDS, 0);
    CHECK_EQ(mica_cnode_delete(ROOT, u->ios, D).status, MICA_OK);
    TRY(edu_dma(u, EDU_BUFFER, IOVA_B, 1));
    TRY(unchanged(b, 0, "a frame of a deleted IOSpace"));
    return 0;
}

/* The acceptance test: DMA isolation with a real (emulated) device. */
KTEST(iospace_edu_dma)
{
    if (!have_iommu(bi))
        return no_iommu(bi, slot(bi, 0));
    struct ktest_env e;
    struct edu u = { 0 };
    TRY(ktest_env_init(&e, bi, FIRST));
    const char *why = edu_body(&e, &u);
    edu_close(&u);
    TRY(why);
    /* What did not come from the environment's untyped: the victim frame,
     * the IRQ handler and the device memory mica_devmem split up. */
    CHECK_EQ(mica_cnode_delete(ROOT, u.victim, D).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, u.irq, D).status, MICA_OK);
    for (unsigned i = 0; i < bi->n_untyped; i++)
        if (bi->untyped[i].flags & MICA_UNTYPED_DEVICE)
            CHECK_EQ(mica_cnode_revoke(ROOT, bi->slot_untyped_first + i, D).status, MICA_OK);
    return ktest_env_done(&e);
}

const struct ktest iospace_tests[] = {
    { "iospace_support", iospace_support },
    { "iospace_issue", iospace_issue },
    { "iospace_many", iospace_many },
    { "iospace_tables", iospace_tables },
    { "iospace_frames", iospace_frames },
    { "iospace_delete_mapped", iospace_delete_mapped },
    { "iospace_revoke_tables", iospace_revoke_tables },
    { "iospace_edu_dma", iospace_edu_dma },
    { 0, 0 },
};
