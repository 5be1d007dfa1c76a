/*
 * Untyped_Retype: every creatable type, placement of the new caps, every
 * error path, and the memory accounting (alignment, watermark, reset,
 * child untypeds, revocation of whole object graphs).
 *
 * Every test starts from a clean CSpace (empty test slots, boot untypeds
 * with no children) and must leave it so; the KTEST wrapper checks that
 * afterwards, reports a leak as a failure and repairs it so that one
 * failing test does not cascade into the next.
 */
#include "ktest.h"
#include <mica_invoke.h>

#define ROOT MICA_CAP_INIT_CNODE
#define D 64 /* depth that names a slot of the root CNode */

/* Retype one object of `type` and check the cap the kernel made. */
static const char *retype_one(const struct mica_bootinfo *bi, unsigned type, unsigned size_bits,
                              unsigned expect_type, int expect_size_bits)
{
    mica_cptr_t ut = ktest_ram_untyped(bi, 22, 0);
    CHECK(ut);
    struct mica_sysret r = mica_untyped_retype(ut, type, size_bits, ROOT, 0, 0, ktest_slot(bi, 0), 1);
    CHECK_EQ(r.status, MICA_OK);
    mica_word_t w = ktest_ident(ktest_slot(bi, 0));
    CHECK_EQ(MICA_CAP_ID_TYPE(w), expect_type);
    CHECK_EQ(MICA_CAP_ID_RIGHTS(w), MICA_RIGHTS_ALL);
    if (expect_size_bits >= 0)
        CHECK_EQ(MICA_CAP_ID_SIZE_BITS(w), expect_size_bits);
    CHECK_EQ(w & MICA_CAP_ID_BADGED, 0);
    CHECK_EQ(w & MICA_CAP_ID_MAPPED, 0);
    /* Nothing else was touched. */
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NULL);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_NULL);
    return 0;
}

/* A fresh child untyped of exactly 2^bits bytes in slot(i); *parent is
 * the boot untyped it came from (revoking it cleans everything up). */
#define CHILD_UT(bits, i, parent)                                                        \
    do {                                                                                 \
        parent = ktest_ram_untyped(bi, (bits), 0);                                            \
        CHECK(parent);                                                                   \
        CHECK_EQ(mica_untyped_retype(parent, MICA_OBJ_UNTYPED, (bits), ROOT, 0, 0,       \
                                     ktest_slot(bi, (i)), 1).status, MICA_OK);                 \
    } while (0)

/* ------------------------------------------------------------ every type */

KTEST(retype_untyped_12) { return retype_one(bi, MICA_OBJ_UNTYPED, 12, MICA_OBJ_UNTYPED, 12); }
KTEST(retype_untyped_min_bits)
{
    return retype_one(bi, MICA_OBJ_UNTYPED, MICA_UNTYPED_MIN_BITS, MICA_OBJ_UNTYPED,
                      MICA_UNTYPED_MIN_BITS);
}
KTEST(retype_cnode_radix_5) { return retype_one(bi, MICA_OBJ_CNODE, 5, MICA_OBJ_CNODE, 5); }
KTEST(retype_cnode_min_radix)
{
    return retype_one(bi, MICA_OBJ_CNODE, MICA_CNODE_MIN_BITS, MICA_OBJ_CNODE, MICA_CNODE_MIN_BITS);
}
KTEST(retype_tcb) { return retype_one(bi, MICA_OBJ_TCB, 0, MICA_OBJ_TCB, -1); }
KTEST(retype_endpoint) { return retype_one(bi, MICA_OBJ_ENDPOINT, 0, MICA_OBJ_ENDPOINT, -1); }
KTEST(retype_notification)
{
    return retype_one(bi, MICA_OBJ_NOTIFICATION, 0, MICA_OBJ_NOTIFICATION, -1);
}
KTEST(retype_vspace) { return retype_one(bi, MICA_OBJ_VSPACE, 0, MICA_OBJ_VSPACE, -1); }
KTEST(retype_pdpt) { return retype_one(bi, MICA_OBJ_PDPT, 0, MICA_OBJ_PDPT, -1); }
KTEST(retype_page_directory)
{
    return retype_one(bi, MICA_OBJ_PAGE_DIRECTORY, 0, MICA_OBJ_PAGE_DIRECTORY, -1);
}
KTEST(retype_page_table) { return retype_one(bi, MICA_OBJ_PAGE_TABLE, 0, MICA_OBJ_PAGE_TABLE, -1); }
KTEST(retype_frame_4k)
{
    return retype_one(bi, MICA_OBJ_FRAME_4K, 0, MICA_OBJ_FRAME_4K, MICA_FRAME_4K_BITS);
}
KTEST(retype_frame_2m)
{
    return retype_one(bi, MICA_OBJ_FRAME_2M, 0, MICA_OBJ_FRAME_2M, MICA_FRAME_2M_BITS);
}

/* size_bits is only an argument for untyped and CNode objects. */
KTEST(retype_size_bits_ignored_for_fixed_types)
{
    return retype_one(bi, MICA_OBJ_ENDPOINT, 40, MICA_OBJ_ENDPOINT, -1);
}

/* docs/objects/untyped.md: size_bits is ignored for types other than
 * untyped and CNode, whatever its value. */
KTEST(retype_size_bits_above_64_ignored_for_fixed_types)
{
    return retype_one(bi, MICA_OBJ_ENDPOINT, 65, MICA_OBJ_ENDPOINT, -1);
}

/* The maximum count, in consecutive slots, with the slot after untouched. */
KTEST(retype_max_count_consecutive_slots)
{
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, 0);
    CHECK(ut);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_NOTIFICATION, 0, ROOT, 0, 0, ktest_slot(bi, 1),
                                 MICA_RETYPE_MAX_OBJECTS).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_NULL);
    for (unsigned i = 1; i <= MICA_RETYPE_MAX_OBJECTS; i++)
        CHECK_EQ(ktest_id_type(ktest_slot(bi, i)), MICA_OBJ_NOTIFICATION);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, MICA_RETYPE_MAX_OBJECTS + 1)), MICA_OBJ_NULL);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    for (unsigned i = 1; i <= MICA_RETYPE_MAX_OBJECTS; i++)
        CHECK_EQ(ktest_id_type(ktest_slot(bi, i)), MICA_OBJ_NULL);
    return 0;
}

/* Objects of one call are distinct: deleting one leaves the others. */
KTEST(retype_objects_are_distinct)
{
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, 0);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_CNODE, 2, ROOT, 0, 0, ktest_slot(bi, 0), 3).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 1), D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_CNODE);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NULL);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 2)), MICA_OBJ_CNODE);
    /* Each is a CNode of its own: a cap put in one is not in the other. */
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_ENDPOINT, 0, ktest_slot(bi, 0), 0, 0, 3, 1).status, MICA_OK);
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 5), D, ktest_slot(bi, 2), 3, 2, MICA_RIGHTS_ALL).status,
             MICA_ERR_SLOT_EMPTY);
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 5), D, ktest_slot(bi, 0), 3, 2, MICA_RIGHTS_ALL).status,
             MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 5)), MICA_OBJ_ENDPOINT);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

/* ------------------------------------------------- destination CNodes */

/* Depth 0: the extra cap itself is the destination CNode. */
KTEST(retype_into_cnode_depth_0)
{
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, 0);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_CNODE, 3, ROOT, 0, 0, ktest_slot(bi, 0), 1).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_ENDPOINT, 0, ktest_slot(bi, 0), 0, 0, 6, 2).status, MICA_OK);
    /* The caps are in slots 6 and 7 of that CNode. */
    CHECK_EQ(mica_cnode_move(ROOT, ktest_slot(bi, 1), D, ktest_slot(bi, 0), 6, 3).status, MICA_OK);
    CHECK_EQ(mica_cnode_move(ROOT, ktest_slot(bi, 2), D, ktest_slot(bi, 0), 7, 3).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_ENDPOINT);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 2)), MICA_OBJ_ENDPOINT);
    CHECK_EQ(mica_cnode_move(ROOT, ktest_slot(bi, 3), D, ktest_slot(bi, 0), 5, 3).status, MICA_ERR_SLOT_EMPTY);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NULL);
    return 0;
}

/* (root, index, depth) one level down: a CNode cap in a slot of the root. */
KTEST(retype_into_cnode_named_by_root_slot)
{
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, 0);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_CNODE, 2, ROOT, 0, 0, ktest_slot(bi, 0), 1).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_FRAME_4K, 0, ROOT, ktest_slot(bi, 0), D, 1, 3).status,
             MICA_OK);
    CHECK_EQ(mica_cnode_move(ROOT, ktest_slot(bi, 1), D, ktest_slot(bi, 0), 3, 2).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_FRAME_4K);
    CHECK_EQ(mica_cnode_move(ROOT, ktest_slot(bi, 2), D, ktest_slot(bi, 0), 0, 2).status, MICA_ERR_SLOT_EMPTY);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

/* Two levels down: root -> slot X (CNode C, radix 4) -> C[5] (CNode E, radix
 * 3), named through a copy of the root CNode cap without a guard, so
 * (X << 4 | 5, depth 12 + 4) resolves to C[5]. */
KTEST(retype_into_cnode_two_levels_deep)
{
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, 0);
    mica_word_t x = ktest_slot(bi, 0), r0 = ktest_slot(bi, 1);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_CNODE, 4, ROOT, 0, 0, x, 1).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_CNODE, 3, x, 0, 0, 5, 1).status, MICA_OK);
    CHECK_EQ(mica_cnode_mint(ROOT, r0, D, ROOT, ROOT, D, MICA_RIGHTS_ALL, 0).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_ENDPOINT, 0, r0, x << 4 | 5, 12 + 4, 2, 3).status,
             MICA_OK);
    /* Fetch them back out: E[2..4] are endpoints, E[1] and E[5] are empty. */
    for (unsigned i = 1; i <= 5; i++) {
        struct mica_sysret r = mica_cnode_move(ROOT, ktest_slot(bi, 10 + i), D, r0,
                                               (x << 4 | 5) << 3 | i, 12 + 4 + 3);
        CHECK_EQ(r.status, i >= 2 && i <= 4 ? MICA_OK : MICA_ERR_SLOT_EMPTY);
        CHECK_EQ(ktest_id_type(ktest_slot(bi, 10 + i)), i >= 2 && i <= 4 ? MICA_OBJ_ENDPOINT : MICA_OBJ_NULL);
    }
    CHECK_EQ(mica_cnode_delete(ROOT, r0, D).status, MICA_OK);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    for (unsigned i = 2; i <= 4; i++)
        CHECK_EQ(ktest_id_type(ktest_slot(bi, 10 + i)), MICA_OBJ_NULL);
    return 0;
}

/* The same two-level destination with a full 64-bit depth: a copy of the
 * root CNode cap with a 48-bit guard (48 + 12 + 4 = 64). */
KTEST(retype_into_cnode_depth_64_through_guard)
{
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, 0);
    mica_word_t x = ktest_slot(bi, 0), rg = ktest_slot(bi, 1);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_CNODE, 4, ROOT, 0, 0, x, 1).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_CNODE, 3, x, 0, 0, 5, 1).status, MICA_OK);
    CHECK_EQ(mica_cnode_mint(ROOT, rg, D, ROOT, ROOT, D, MICA_RIGHTS_ALL, 48).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_NOTIFICATION, 0, rg, x << 4 | 5, 64, 7, 1).status,
             MICA_OK);
    CHECK_EQ(mica_cnode_move(ROOT, ktest_slot(bi, 2), D, x, 5 << 3 | 7, 4 + 3).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 2)), MICA_OBJ_NOTIFICATION);
    /* A non-zero bit inside the guard is a guard mismatch at the top. */
    struct mica_sysret r = mica_untyped_retype(ut, MICA_OBJ_NOTIFICATION, 0, rg,
                                               1ull << 20 | x << 4 | 5, 64, 7, 1);
    CHECK_EQ(r.status, MICA_ERR_LOOKUP_FAILED);
    CHECK_EQ(MICA_LOOKUP_KIND(r.value), MICA_LOOKUP_GUARD_MISMATCH);
    CHECK_EQ(MICA_LOOKUP_BITS_LEFT(r.value), 64);
    CHECK_EQ(mica_cnode_delete(ROOT, rg, D).status, MICA_OK);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

/* ------------------------------------------------------ argument errors */

static const char *expect_retype_error(const struct mica_bootinfo *bi, unsigned type,
                                       unsigned size_bits, mica_word_t offset, unsigned count,
                                       mica_word_t status, mica_word_t value)
{
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, 0);
    CHECK(ut);
    struct mica_sysret r = mica_untyped_retype(ut, type, size_bits, ROOT, 0, 0, offset, count);
    CHECK_EQ(r.status, status);
    CHECK_EQ(r.value, value);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_NULL);
    /* Nothing was made: the untyped is still whole. */
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_UNTYPED, 16, ROOT, 0, 0, ktest_slot(bi, 1), 1).status,
             MICA_OK);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

KTEST(retype_err_type_null)
{
    return expect_retype_error(bi, MICA_OBJ_NULL, 0, ktest_slot(bi, 0), 1, MICA_ERR_INVALID_ARGUMENT,
                               MICA_OBJ_NULL);
}
KTEST(retype_err_type_count)
{
    return expect_retype_error(bi, MICA_OBJ_TYPE_COUNT, 0, ktest_slot(bi, 0), 1,
                               MICA_ERR_INVALID_ARGUMENT, MICA_OBJ_TYPE_COUNT);
}
KTEST(retype_err_type_huge)
{
    return expect_retype_error(bi, 0xffffffffu, 0, ktest_slot(bi, 0), 1, MICA_ERR_INVALID_ARGUMENT,
                               0xffffffffu);
}

/* A 64-bit type whose low 32 bits are a valid type is still invalid. */
KTEST(retype_err_type_64bit_not_truncated)
{
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, 0), root = ROOT;
    mica_word_t mr[] = { 1ull << 32 | MICA_OBJ_ENDPOINT, 0, 0, 0, ktest_slot(bi, 0), 1 };
    struct mica_sysret r = mica_invoke(ut, MICA_UNTYPED_RETYPE, mr, 6, &root, 1);
    CHECK_EQ(r.status, MICA_ERR_INVALID_ARGUMENT);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_NULL);
    return 0;
}

KTEST(retype_err_untyped_bits_below_min)
{
    return expect_retype_error(bi, MICA_OBJ_UNTYPED, MICA_UNTYPED_MIN_BITS - 1, ktest_slot(bi, 0), 1,
                               MICA_ERR_RANGE, MICA_UNTYPED_MIN_BITS - 1);
}
KTEST(retype_err_untyped_bits_above_max)
{
    return expect_retype_error(bi, MICA_OBJ_UNTYPED, MICA_UNTYPED_MAX_BITS + 1, ktest_slot(bi, 0), 1,
                               MICA_ERR_RANGE, MICA_UNTYPED_MAX_BITS + 1);
}
KTEST(retype_err_cnode_radix_0)
{
    return expect_retype_error(bi, MICA_OBJ_CNODE, 0, ktest_slot(bi, 0), 1, MICA_ERR_RANGE, 0);
}
KTEST(retype_err_cnode_radix_above_max)
{
    return expect_retype_error(bi, MICA_OBJ_CNODE, MICA_CNODE_MAX_BITS + 1, ktest_slot(bi, 0), 1,
                               MICA_ERR_RANGE, MICA_CNODE_MAX_BITS + 1);
}

/* A 64-bit size whose low 32 bits are in range is still out of range. */
KTEST(retype_err_size_bits_64bit_not_truncated)
{
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, 0), root = ROOT;
    mica_word_t mr[] = { MICA_OBJ_UNTYPED, 1ull << 32 | 12, 0, 0, ktest_slot(bi, 0), 1 };
    struct mica_sysret r = mica_invoke(ut, MICA_UNTYPED_RETYPE, mr, 6, &root, 1);
    CHECK_EQ(r.status, MICA_ERR_RANGE);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_NULL);
    return 0;
}

KTEST(retype_err_count_0)
{
    return expect_retype_error(bi, MICA_OBJ_ENDPOINT, 0, ktest_slot(bi, 0), 0, MICA_ERR_RANGE, 0);
}
KTEST(retype_err_count_above_max)
{
    return expect_retype_error(bi, MICA_OBJ_ENDPOINT, 0, ktest_slot(bi, 0), MICA_RETYPE_MAX_OBJECTS + 1,
                               MICA_ERR_RANGE, MICA_RETYPE_MAX_OBJECTS + 1);
}
KTEST(retype_err_count_64bit_not_truncated)
{
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, 0), root = ROOT;
    mica_word_t mr[] = { MICA_OBJ_ENDPOINT, 0, 0, 0, ktest_slot(bi, 0), 1ull << 32 | 1 };
    struct mica_sysret r = mica_invoke(ut, MICA_UNTYPED_RETYPE, mr, 6, &root, 1);
    CHECK_EQ(r.status, MICA_ERR_RANGE);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_NULL);
    return 0;
}

KTEST(retype_err_offset_past_cnode_end)
{
    return expect_retype_error(bi, MICA_OBJ_ENDPOINT, 0, 1u << MICA_ROOT_CNODE_BITS, 1,
                               MICA_ERR_RANGE, 1u << MICA_ROOT_CNODE_BITS);
}
KTEST(retype_err_range_runs_past_cnode_end)
{
    mica_word_t last = (1u << MICA_ROOT_CNODE_BITS) - 1;
    CHECK_EQ(ktest_id_type(last), MICA_OBJ_NULL);
    const char *why = expect_retype_error(bi, MICA_OBJ_ENDPOINT, 0, last, 2, MICA_ERR_RANGE, last);
    if (why)
        return why;
    CHECK_EQ(ktest_id_type(last), MICA_OBJ_NULL);
    return 0;
}
KTEST(retype_err_offset_huge_no_wraparound)
{
    /* offset + count wraps around to a small number. */
    return expect_retype_error(bi, MICA_OBJ_ENDPOINT, 0, ~0ull, 2, MICA_ERR_RANGE, ~0ull);
}

/* The range check is against the destination CNode's own size. */
KTEST(retype_err_range_past_small_cnode)
{
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, 0);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_CNODE, 2, ROOT, 0, 0, ktest_slot(bi, 0), 1).status, MICA_OK);
    struct mica_sysret r = mica_untyped_retype(ut, MICA_OBJ_ENDPOINT, 0, ktest_slot(bi, 0), 0, 0, 3, 2);
    CHECK_EQ(r.status, MICA_ERR_RANGE);
    CHECK_EQ(r.value, 3);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_ENDPOINT, 0, ktest_slot(bi, 0), 0, 0, 4, 1).status,
             MICA_ERR_RANGE);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_ENDPOINT, 0, ktest_slot(bi, 0), 0, 0, 0, 4).status, MICA_OK);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

/* An occupied slot in the middle: nothing at all is created. */
KTEST(retype_err_occupied_slot_all_or_nothing)
{
    mica_cptr_t parent, ut = ktest_slot(bi, 10);
    CHILD_UT(14, 10, parent); /* 4 frames' worth */
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_ENDPOINT, 0, ROOT, 0, 0, ktest_slot(bi, 2), 1).status,
             MICA_OK);
    struct mica_sysret r = mica_untyped_retype(ut, MICA_OBJ_FRAME_4K, 0, ROOT, 0, 0, ktest_slot(bi, 0), 4);
    CHECK_EQ(r.status, MICA_ERR_SLOT_OCCUPIED);
    CHECK_EQ(r.value, ktest_slot(bi, 2));
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_NULL);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NULL);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 2)), MICA_OBJ_ENDPOINT);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 3)), MICA_OBJ_NULL);
    /* No memory was consumed either: after the endpoint (at 0), three
     * frames still fit at 4K, 8K and 12K. */
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_FRAME_4K, 0, ROOT, 0, 0, ktest_slot(bi, 3), 3).status,
             MICA_OK);
    CHECK_EQ(mica_cnode_revoke(ROOT, parent, D).status, MICA_OK);
    return 0;
}

KTEST(retype_err_first_slot_occupied)
{
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, 0);
    struct mica_sysret r = mica_untyped_retype(ut, MICA_OBJ_ENDPOINT, 0, ROOT, 0, 0, ROOT, 1);
    CHECK_EQ(r.status, MICA_ERR_SLOT_OCCUPIED);
    CHECK_EQ(r.value, ROOT);
    CHECK_EQ(ktest_id_type(ROOT), MICA_OBJ_CNODE);
    return 0;
}

/* Depth 0 and a root that is not a CNode. */
KTEST(retype_err_dest_root_not_cnode)
{
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, 0);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_ENDPOINT, 0, ROOT, 0, 0, ktest_slot(bi, 0), 1).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_ENDPOINT, 0, ktest_slot(bi, 0), 0, 0, 0, 1).status,
             MICA_ERR_INVALID_CAP);
    /* The untyped itself is not a CNode either. */
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_ENDPOINT, 0, ut, 0, 0, 0, 1).status,
             MICA_ERR_INVALID_CAP);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NULL);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

/* A non-zero depth through a root that is not a CNode: invalid root. */
KTEST(retype_err_dest_root_not_cnode_with_depth)
{
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, 0);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_ENDPOINT, 0, ROOT, 0, 0, ktest_slot(bi, 0), 1).status, MICA_OK);
    struct mica_sysret r = mica_untyped_retype(ut, MICA_OBJ_ENDPOINT, 0, ktest_slot(bi, 0), 0, 64, 0, 1);
    CHECK_EQ(r.status, MICA_ERR_LOOKUP_FAILED);
    CHECK_EQ(MICA_LOOKUP_KIND(r.value), MICA_LOOKUP_INVALID_ROOT);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

/* (root, index, 64) names a slot that holds an endpoint, or nothing. */
KTEST(retype_err_dest_slot_not_cnode)
{
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, 0);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_ENDPOINT, 0, ROOT, 0, 0, ktest_slot(bi, 0), 1).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_ENDPOINT, 0, ROOT, ktest_slot(bi, 0), D, 0, 1).status,
             MICA_ERR_INVALID_CAP);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}
KTEST(retype_err_dest_slot_empty)
{
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, 0);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_ENDPOINT, 0, ROOT, ktest_slot(bi, 5), D, 0, 1).status,
             MICA_ERR_INVALID_CAP);
    return 0;
}

KTEST(retype_err_dest_depth_65)
{
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, 0);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_ENDPOINT, 0, ROOT, ROOT, 65, ktest_slot(bi, 0), 1).status,
             MICA_ERR_RANGE);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_NULL);
    return 0;
}
/* 2^32 + 64 is not 64. */
KTEST(retype_err_dest_depth_64bit_not_truncated)
{
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, 0), root = ROOT;
    mica_word_t mr[] = { MICA_OBJ_ENDPOINT, 0, ROOT, 1ull << 32 | 64, ktest_slot(bi, 0), 1 };
    CHECK_EQ(mica_invoke(ut, MICA_UNTYPED_RETYPE, mr, 6, &root, 1).status, MICA_ERR_RANGE);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_NULL);
    return 0;
}
KTEST(retype_err_dest_guard_mismatch)
{
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, 0);
    struct mica_sysret r = mica_untyped_retype(ut, MICA_OBJ_ENDPOINT, 0, ROOT, 1ull << 63 | ROOT, D,
                                               ktest_slot(bi, 0), 1);
    CHECK_EQ(r.status, MICA_ERR_LOOKUP_FAILED);
    CHECK_EQ(MICA_LOOKUP_KIND(r.value), MICA_LOOKUP_GUARD_MISMATCH);
    CHECK_EQ(MICA_LOOKUP_BITS_LEFT(r.value), 64);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_NULL);
    return 0;
}
KTEST(retype_err_dest_depth_mismatch)
{
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, 0);
    struct mica_sysret r = mica_untyped_retype(ut, MICA_OBJ_ENDPOINT, 0, ROOT, ROOT, 63,
                                               ktest_slot(bi, 0), 1);
    CHECK_EQ(r.status, MICA_ERR_LOOKUP_FAILED);
    CHECK_EQ(MICA_LOOKUP_KIND(r.value), MICA_LOOKUP_DEPTH_MISMATCH);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_NULL);
    return 0;
}

/* Fewer than 6 message registers. */
KTEST(retype_err_truncated_5_mrs)
{
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, 0), root = ROOT;
    mica_word_t mr[] = { MICA_OBJ_ENDPOINT, 0, 0, 0, ktest_slot(bi, 0), 1 };
    CHECK_EQ(mica_invoke(ut, MICA_UNTYPED_RETYPE, mr, 5, &root, 1).status, MICA_ERR_TRUNCATED);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_NULL);
    CHECK_EQ(mica_invoke(ut, MICA_UNTYPED_RETYPE, mr, 6, &root, 1).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_ENDPOINT);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}
KTEST(retype_err_truncated_no_mrs)
{
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, 0), root = ROOT;
    CHECK_EQ(mica_invoke(ut, MICA_UNTYPED_RETYPE, 0, 0, &root, 1).status, MICA_ERR_TRUNCATED);
    return 0;
}
KTEST(retype_err_missing_extra_cap)
{
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, 0);
    mica_word_t mr[] = { MICA_OBJ_ENDPOINT, 0, 0, 0, ktest_slot(bi, 0), 1 };
    CHECK_EQ(mica_invoke(ut, MICA_UNTYPED_RETYPE, mr, 6, 0, 0).status, MICA_ERR_TRUNCATED);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_NULL);
    return 0;
}
KTEST(retype_err_extra_cap_empty_slot)
{
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, 0);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_ENDPOINT, 0, ktest_slot(bi, 5), 0, 0, 0, 1).status,
             MICA_ERR_INVALID_CAP);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_ENDPOINT, 0, MICA_CAP_NULL, 0, 0, 0, 1).status,
             MICA_ERR_INVALID_CAP);
    return 0;
}
KTEST(retype_err_extra_cap_lookup_fails)
{
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, 0);
    struct mica_sysret r = mica_untyped_retype(ut, MICA_OBJ_ENDPOINT, 0, 1ull << 40 | ROOT, 0, 0,
                                               ktest_slot(bi, 0), 1);
    CHECK_EQ(r.status, MICA_ERR_LOOKUP_FAILED);
    CHECK_EQ(MICA_LOOKUP_KIND(r.value), MICA_LOOKUP_GUARD_MISMATCH);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_NULL);
    return 0;
}

KTEST(retype_err_wrong_label)
{
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, 0), root = ROOT;
    mica_word_t mr[] = { MICA_OBJ_ENDPOINT, 0, 0, 0, ktest_slot(bi, 0), 1 };
    static const mica_word_t labels[] = { MICA_INV_NONE, MICA_UNTYPED_RETYPE + 1, MICA_CNODE_COPY,
                                          MICA_CNODE_REVOKE, MICA_FRAME_MAP, MICA_TAG_LABEL_MAX };
    for (unsigned i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
        struct mica_sysret r = mica_invoke(ut, labels[i], mr, 6, &root, 1);
        CHECK_EQ(r.status, MICA_ERR_ILLEGAL_OPERATION);
        CHECK_EQ(r.value, labels[i]);
        CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_NULL);
    }
    return 0;
}

/* Untyped labels on objects that are not untyped. */
KTEST(retype_err_invoked_cap_not_untyped)
{
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, 0);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_FRAME_4K, 0, ROOT, 0, 0, ktest_slot(bi, 0), 1).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(ktest_slot(bi, 0), MICA_OBJ_ENDPOINT, 0, ROOT, 0, 0, ktest_slot(bi, 1), 1).status,
             MICA_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(mica_untyped_retype(ROOT, MICA_OBJ_ENDPOINT, 0, ROOT, 0, 0, ktest_slot(bi, 1), 1).status,
             MICA_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(mica_untyped_retype(ktest_slot(bi, 2), MICA_OBJ_ENDPOINT, 0, ROOT, 0, 0, ktest_slot(bi, 1), 1).status,
             MICA_ERR_INVALID_CAP);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NULL);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

/* ------------------------------------------------------------- memory */

KTEST(retype_err_object_larger_than_untyped)
{
    mica_cptr_t parent, ut = ktest_slot(bi, 0);
    CHILD_UT(12, 0, parent);
    struct mica_sysret r = mica_untyped_retype(ut, MICA_OBJ_UNTYPED, 13, ROOT, 0, 0, ktest_slot(bi, 1), 1);
    CHECK_EQ(r.status, MICA_ERR_NOT_ENOUGH_MEMORY);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_FRAME_2M, 0, ROOT, 0, 0, ktest_slot(bi, 1), 1).status,
             MICA_ERR_NOT_ENOUGH_MEMORY);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_CNODE, 7, ROOT, 0, 0, ktest_slot(bi, 1), 1).status,
             MICA_ERR_NOT_ENOUGH_MEMORY);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NULL);
    /* Exactly its size fits. */
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_CNODE, 6, ROOT, 0, 0, ktest_slot(bi, 1), 1).status, MICA_OK);
    CHECK_EQ(mica_cnode_revoke(ROOT, parent, D).status, MICA_OK);
    return 0;
}

/* The largest sizes are in range, just not available. */
KTEST(retype_max_sizes_are_not_enough_memory)
{
    unsigned bits;
    mica_cptr_t ut = ktest_largest_ram_untyped(bi, &bits);
    CHECK(ut && bits < MICA_CNODE_MAX_BITS + MICA_SLOT_BITS);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_UNTYPED, MICA_UNTYPED_MAX_BITS, ROOT, 0, 0,
                                 ktest_slot(bi, 0), 1).status, MICA_ERR_NOT_ENOUGH_MEMORY);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_CNODE, MICA_CNODE_MAX_BITS, ROOT, 0, 0,
                                 ktest_slot(bi, 0), 1).status, MICA_ERR_NOT_ENOUGH_MEMORY);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_FRAME_2M, 0, ROOT, 0, 0, ktest_slot(bi, 0),
                                 MICA_RETYPE_MAX_OBJECTS).status,
             bits >= 21 + 8 ? MICA_OK : MICA_ERR_NOT_ENOUGH_MEMORY);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

/* Too many objects of a size that fits once: the error value is the
 * number of bytes left. */
KTEST(retype_not_enough_memory_reports_bytes_left)
{
    mica_cptr_t parent, ut = ktest_slot(bi, 0);
    CHILD_UT(14, 0, parent);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_FRAME_4K, 0, ROOT, 0, 0, ktest_slot(bi, 1), 3).status, MICA_OK);
    struct mica_sysret r = mica_untyped_retype(ut, MICA_OBJ_FRAME_4K, 0, ROOT, 0, 0, ktest_slot(bi, 4), 2);
    CHECK_EQ(r.status, MICA_ERR_NOT_ENOUGH_MEMORY);
    CHECK_EQ(r.value, 4096);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 4)), MICA_OBJ_NULL);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 5)), MICA_OBJ_NULL);
    CHECK_EQ(mica_cnode_revoke(ROOT, parent, D).status, MICA_OK);
    return 0;
}

/* An object larger than a whole, empty untyped: all of it is left. */
KTEST(retype_not_enough_memory_empty_untyped_bytes_left)
{
    mica_cptr_t parent, ut = ktest_slot(bi, 0);
    CHILD_UT(13, 0, parent);
    /* Two 4 KiB untypeds; the first is 8 KiB-aligned, the second is not. */
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_UNTYPED, 12, ROOT, 0, 0, ktest_slot(bi, 1), 2).status, MICA_OK);
    struct mica_sysret r = mica_untyped_retype(ktest_slot(bi, 1), MICA_OBJ_UNTYPED, 13, ROOT, 0, 0,
                                               ktest_slot(bi, 3), 1);
    CHECK_EQ(r.status, MICA_ERR_NOT_ENOUGH_MEMORY);
    CHECK_EQ(r.value, 4096);
    /* The value is the bytes above the watermark, even when the object
     * could never fit (it is larger than the whole untyped). */
    r = mica_untyped_retype(ktest_slot(bi, 2), MICA_OBJ_UNTYPED, 13, ROOT, 0, 0, ktest_slot(bi, 3), 1);
    CHECK_EQ(r.status, MICA_ERR_NOT_ENOUGH_MEMORY);
    CHECK_EQ(r.value, 4096);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 3)), MICA_OBJ_NULL);
    CHECK_EQ(mica_cnode_revoke(ROOT, parent, D).status, MICA_OK);
    return 0;
}

/* A failed retype consumes nothing: the rest is still there for smaller
 * objects, down to the last byte. */
KTEST(retype_not_enough_memory_leaves_untyped_usable)
{
    mica_cptr_t parent, ut = ktest_slot(bi, 0);
    CHILD_UT(16, 0, parent);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_UNTYPED, 15, ROOT, 0, 0, ktest_slot(bi, 1), 1).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_UNTYPED, 16, ROOT, 0, 0, ktest_slot(bi, 2), 1).status,
             MICA_ERR_NOT_ENOUGH_MEMORY);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_FRAME_4K, 0, ROOT, 0, 0, ktest_slot(bi, 2), 9).status,
             MICA_ERR_NOT_ENOUGH_MEMORY);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 2)), MICA_OBJ_NULL);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_FRAME_4K, 0, ROOT, 0, 0, ktest_slot(bi, 2), 8).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_UNTYPED, MICA_UNTYPED_MIN_BITS, ROOT, 0, 0,
                                 ktest_slot(bi, 10), 1).status, MICA_ERR_NOT_ENOUGH_MEMORY);
    CHECK_EQ(mica_cnode_revoke(ROOT, parent, D).status, MICA_OK);
    return 0;
}

/* Each object is aligned to its own size: after one 4 KiB frame at the
 * start of a 4 MiB untyped, the first 2 MiB frame starts at 2 MiB, so
 * only one fits. */
KTEST(retype_alignment_2m_after_4k)
{
    mica_cptr_t parent, ut = ktest_slot(bi, 0);
    CHILD_UT(22, 0, parent);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_FRAME_4K, 0, ROOT, 0, 0, ktest_slot(bi, 1), 1).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_FRAME_2M, 0, ROOT, 0, 0, ktest_slot(bi, 2), 2).status,
             MICA_ERR_NOT_ENOUGH_MEMORY);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_FRAME_2M, 0, ROOT, 0, 0, ktest_slot(bi, 2), 1).status, MICA_OK);
    /* The watermark is now at the end. */
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_ENDPOINT, 0, ROOT, 0, 0, ktest_slot(bi, 3), 1).status,
             MICA_ERR_NOT_ENOUGH_MEMORY);
    /* Without the 4 KiB frame, two fit. */
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_FRAME_2M, 0, ROOT, 0, 0, ktest_slot(bi, 2), 2).status, MICA_OK);
    CHECK_EQ(mica_cnode_revoke(ROOT, parent, D).status, MICA_OK);
    return 0;
}

/* A TCB (2 KiB) after an endpoint (32 bytes) starts at 2 KiB. */
KTEST(retype_alignment_tcb_after_endpoint)
{
    mica_cptr_t parent, ut = ktest_slot(bi, 0);
    CHILD_UT(12, 0, parent);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_ENDPOINT, 0, ROOT, 0, 0, ktest_slot(bi, 1), 1).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_TCB, 0, ROOT, 0, 0, ktest_slot(bi, 2), 2).status,
             MICA_ERR_NOT_ENOUGH_MEMORY);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_TCB, 0, ROOT, 0, 0, ktest_slot(bi, 2), 1).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_ENDPOINT, 0, ROOT, 0, 0, ktest_slot(bi, 3), 1).status,
             MICA_ERR_NOT_ENOUGH_MEMORY);
    CHECK_EQ(mica_cnode_revoke(ROOT, parent, D).status, MICA_OK);
    return 0;
}

/* Small objects pack: 128 endpoints fill 4 KiB exactly. */
KTEST(retype_small_objects_pack)
{
    mica_cptr_t parent, ut = ktest_slot(bi, 0);
    CHILD_UT(12, 0, parent);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_ENDPOINT, 0, ROOT, 0, 0, ktest_slot(bi, 1), 100).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_NOTIFICATION, 0, ROOT, 0, 0, ktest_slot(bi, 101), 29).status,
             MICA_ERR_NOT_ENOUGH_MEMORY);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_NOTIFICATION, 0, ROOT, 0, 0, ktest_slot(bi, 101), 28).status,
             MICA_OK);
    CHECK_EQ(mica_cnode_revoke(ROOT, parent, D).status, MICA_OK);
    return 0;
}

/* Deleting the newest object while older ones live does not lower the
 * watermark. */
KTEST(retype_watermark_kept_while_children_remain)
{
    mica_cptr_t parent, ut = ktest_slot(bi, 0);
    CHILD_UT(14, 0, parent);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_FRAME_4K, 0, ROOT, 0, 0, ktest_slot(bi, 1), 4).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 4), D).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_FRAME_4K, 0, ROOT, 0, 0, ktest_slot(bi, 4), 1).status,
             MICA_ERR_NOT_ENOUGH_MEMORY);
    CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 1), D).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 2), D).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_FRAME_4K, 0, ROOT, 0, 0, ktest_slot(bi, 4), 1).status,
             MICA_ERR_NOT_ENOUGH_MEMORY);
    CHECK_EQ(mica_cnode_revoke(ROOT, parent, D).status, MICA_OK);
    return 0;
}

/* Once every child has been deleted one by one, the whole untyped is
 * available again (no Revoke needed). */
KTEST(retype_watermark_reset_after_deleting_all_children)
{
    mica_cptr_t parent, ut = ktest_slot(bi, 0);
    CHILD_UT(14, 0, parent);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_FRAME_4K, 0, ROOT, 0, 0, ktest_slot(bi, 1), 3).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_ENDPOINT, 0, ROOT, 0, 0, ktest_slot(bi, 4), 2).status, MICA_OK);
    for (unsigned i = 1; i <= 5; i++)
        CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, i), D).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_UNTYPED, 14, ROOT, 0, 0, ktest_slot(bi, 1), 1).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_UNTYPED);
    CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 1), D).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_FRAME_4K, 0, ROOT, 0, 0, ktest_slot(bi, 1), 4).status, MICA_OK);
    CHECK_EQ(mica_cnode_revoke(ROOT, parent, D).status, MICA_OK);
    return 0;
}

/* A copy of an object keeps the memory in use after the original cap is
 * deleted: the copy takes the original's place under the untyped. */
KTEST(retype_copy_keeps_memory_in_use)
{
    mica_cptr_t parent, ut = ktest_slot(bi, 0);
    CHILD_UT(12, 0, parent);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_TCB, 0, ROOT, 0, 0, ktest_slot(bi, 1), 2).status, MICA_OK);
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 3), D, ROOT, ktest_slot(bi, 2), D, MICA_RIGHTS_ALL).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 1), D).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 2), D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 3)), MICA_OBJ_TCB);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_UNTYPED, 12, ROOT, 0, 0, ktest_slot(bi, 1), 1).status,
             MICA_ERR_NOT_ENOUGH_MEMORY);
    /* Revoking the untyped reaches the copy. */
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 3)), MICA_OBJ_NULL);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_UNTYPED, 12, ROOT, 0, 0, ktest_slot(bi, 1), 1).status, MICA_OK);
    CHECK_EQ(mica_cnode_revoke(ROOT, parent, D).status, MICA_OK);
    return 0;
}

/* Retyped memory is zeroed: a CNode made where a vspace (whose upper half
 * holds the kernel's page-table entries) and a TCB used to be has only
 * empty slots. */
KTEST(retype_reused_memory_is_zeroed)
{
    mica_cptr_t parent, ut = ktest_slot(bi, 0);
    CHILD_UT(12, 0, parent);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_VSPACE, 0, ROOT, 0, 0, ktest_slot(bi, 1), 1).status, MICA_OK);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_TCB, 0, ROOT, 0, 0, ktest_slot(bi, 1), 1).status, MICA_OK);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_CNODE, 6, ROOT, 0, 0, ktest_slot(bi, 1), 1).status, MICA_OK);
    for (unsigned i = 0; i < 64; i++)
        CHECK_EQ(mica_cnode_move(ROOT, ktest_slot(bi, 2), D, ktest_slot(bi, 1), i, 6).status, MICA_ERR_SLOT_EMPTY);
    CHECK_EQ(mica_cnode_revoke(ROOT, parent, D).status, MICA_OK);
    return 0;
}

/* ------------------------------------------------------ child untypeds */

KTEST(retype_from_child_untyped_revoke_parent_deletes_grandchildren)
{
    mica_cptr_t parent, ut = ktest_slot(bi, 0);
    CHILD_UT(14, 0, parent);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_ENDPOINT, 0, ROOT, 0, 0, ktest_slot(bi, 1), 3).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_UNTYPED, 12, ROOT, 0, 0, ktest_slot(bi, 4), 1).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(ktest_slot(bi, 4), MICA_OBJ_NOTIFICATION, 0, ROOT, 0, 0, ktest_slot(bi, 5), 1).status,
             MICA_OK);
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 6), D, ROOT, ktest_slot(bi, 1), D, MICA_RIGHT_READ).status, MICA_OK);
    CHECK_EQ(mica_cnode_revoke(ROOT, parent, D).status, MICA_OK);
    for (unsigned i = 0; i <= 6; i++)
        CHECK_EQ(ktest_id_type(ktest_slot(bi, i)), MICA_OBJ_NULL);
    return 0;
}

/* Deleting a child untyped that has children: they survive under the
 * parent, which still cannot be reused until they are gone. */
KTEST(retype_delete_child_untyped_keeps_grandchildren)
{
    mica_cptr_t parent, ut = ktest_slot(bi, 0);
    unsigned bits;
    parent = ktest_ram_untyped(bi, 14, &bits);
    CHECK(parent);
    CHECK_EQ(mica_untyped_retype(parent, MICA_OBJ_UNTYPED, 14, ROOT, 0, 0, ut, 1).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_ENDPOINT, 0, ROOT, 0, 0, ktest_slot(bi, 1), 1).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, ut, D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ut), MICA_OBJ_NULL);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_ENDPOINT);
    CHECK_EQ(mica_untyped_retype(parent, MICA_OBJ_UNTYPED, bits, ROOT, 0, 0, ktest_slot(bi, 2), 1).status,
             MICA_ERR_NOT_ENOUGH_MEMORY);
    CHECK_EQ(mica_cnode_revoke(ROOT, parent, D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NULL);
    CHECK_EQ(mica_untyped_retype(parent, MICA_OBJ_UNTYPED, bits, ROOT, 0, 0, ktest_slot(bi, 2), 1).status, MICA_OK);
    CHECK_EQ(mica_cnode_revoke(ROOT, parent, D).status, MICA_OK);
    return 0;
}

/* Revoking a child untyped resets only the child. */
KTEST(retype_revoke_child_untyped_resets_only_child)
{
    mica_cptr_t parent, ut = ktest_slot(bi, 0);
    CHILD_UT(16, 9, parent); /* a 64 KiB region to split */
    mica_cptr_t top = ktest_slot(bi, 9);
    CHECK_EQ(mica_untyped_retype(top, MICA_OBJ_UNTYPED, 15, ROOT, 0, 0, ut, 1).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_FRAME_4K, 0, ROOT, 0, 0, ktest_slot(bi, 1), 8).status, MICA_OK);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ut), MICA_OBJ_UNTYPED);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NULL);
    /* The child is whole again ... */
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_UNTYPED, 15, ROOT, 0, 0, ktest_slot(bi, 1), 1).status, MICA_OK);
    /* ... but the parent still holds it: only the other half is free. */
    CHECK_EQ(mica_untyped_retype(top, MICA_OBJ_UNTYPED, 16, ROOT, 0, 0, ktest_slot(bi, 2), 1).status,
             MICA_ERR_NOT_ENOUGH_MEMORY);
    CHECK_EQ(mica_untyped_retype(top, MICA_OBJ_UNTYPED, 15, ROOT, 0, 0, ktest_slot(bi, 2), 1).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(top, MICA_OBJ_UNTYPED, 15, ROOT, 0, 0, ktest_slot(bi, 3), 1).status,
             MICA_ERR_NOT_ENOUGH_MEMORY);
    CHECK_EQ(mica_cnode_revoke(ROOT, parent, D).status, MICA_OK);
    return 0;
}

/* An untyped cap can be moved; its children and watermark go with it. */
KTEST(retype_moved_untyped_keeps_children_and_watermark)
{
    mica_cptr_t parent, ut = ktest_slot(bi, 0);
    CHILD_UT(12, 0, parent);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_FRAME_4K, 0, ROOT, 0, 0, ktest_slot(bi, 1), 1).status, MICA_OK);
    CHECK_EQ(mica_cnode_move(ROOT, ktest_slot(bi, 2), D, ROOT, ut, D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ut), MICA_OBJ_NULL);
    mica_word_t w = ktest_ident(ktest_slot(bi, 2));
    CHECK_EQ(MICA_CAP_ID_TYPE(w), MICA_OBJ_UNTYPED);
    CHECK_EQ(MICA_CAP_ID_SIZE_BITS(w), 12);
    CHECK_EQ(mica_untyped_retype(ktest_slot(bi, 2), MICA_OBJ_ENDPOINT, 0, ROOT, 0, 0, ktest_slot(bi, 3), 1).status,
             MICA_ERR_NOT_ENOUGH_MEMORY);
    CHECK_EQ(mica_cnode_revoke(ROOT, ktest_slot(bi, 2), D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NULL);
    CHECK_EQ(mica_untyped_retype(ktest_slot(bi, 2), MICA_OBJ_FRAME_4K, 0, ROOT, 0, 0, ktest_slot(bi, 1), 1).status,
             MICA_OK);
    CHECK_EQ(mica_cnode_revoke(ROOT, parent, D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 2)), MICA_OBJ_NULL);
    return 0;
}

/* ----------------------------------------------- revoking object graphs */

/* Two CNodes each holding the only cap to the other (and to themselves),
 * plus endpoint copies, unreachable from the root: revoking the untyped
 * destroys them all and frees the memory. */
KTEST(retype_revoke_untyped_with_cnodes_holding_each_other)
{
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, 0);
    mica_word_t a = ktest_slot(bi, 0), b = ktest_slot(bi, 1), e = ktest_slot(bi, 2);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_CNODE, 2, ROOT, 0, 0, a, 2).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_ENDPOINT, 0, ROOT, 0, 0, e, 1).status, MICA_OK);
    CHECK_EQ(mica_cnode_copy(a, 0, 2, ROOT, b, D, MICA_RIGHTS_ALL).status, MICA_OK); /* A[0] = B */
    CHECK_EQ(mica_cnode_copy(b, 0, 2, ROOT, a, D, MICA_RIGHTS_ALL).status, MICA_OK); /* B[0] = A */
    CHECK_EQ(mica_cnode_copy(a, 1, 2, ROOT, a, D, MICA_RIGHTS_ALL).status, MICA_OK); /* A[1] = A */
    CHECK_EQ(mica_cnode_mint(a, 2, 2, ROOT, e, D, MICA_RIGHTS_ALL, 1).status, MICA_OK);
    CHECK_EQ(mica_cnode_mint(b, 2, 2, ROOT, e, D, MICA_RIGHTS_ALL, 2).status, MICA_OK);
    CHECK_EQ(mica_cnode_move(b, 3, 2, ROOT, e, D).status, MICA_OK); /* B[3] = E (original) */
    CHECK_EQ(mica_cnode_delete(ROOT, a, D).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, b, D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(a), MICA_OBJ_NULL);
    CHECK_EQ(ktest_id_type(b), MICA_OBJ_NULL);
    CHECK_EQ(ktest_id_type(e), MICA_OBJ_NULL);
    /* Everything is unreachable now, and the memory is still in use. */
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_UNTYPED, 16, ROOT, 0, 0, ktest_slot(bi, 3), 1).status,
             MICA_ERR_NOT_ENOUGH_MEMORY);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_UNTYPED, 16, ROOT, 0, 0, ktest_slot(bi, 3), 1).status, MICA_OK);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

/* A child untyped whose own cap was moved into a CNode made from it:
 * revoking it destroys the CNode and with it the very slot being revoked.
 * The kernel must stop there; the parent is whole again. */
KTEST(retype_revoke_untyped_whose_cap_lives_in_its_own_cnode)
{
    mica_cptr_t parent, ut = ktest_slot(bi, 0);
    CHILD_UT(12, 0, parent);
    mica_word_t x = ktest_slot(bi, 1);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_CNODE, 1, ROOT, 0, 0, x, 1).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_ENDPOINT, 0, x, 0, 0, 1, 1).status, MICA_OK);
    CHECK_EQ(mica_cnode_move(x, 0, 1, ROOT, ut, D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ut), MICA_OBJ_NULL);
    CHECK_EQ(mica_cnode_revoke(x, 0, 1).status, MICA_OK);
    CHECK_EQ(ktest_id_type(x), MICA_OBJ_NULL);
    unsigned bits;
    CHECK_EQ(parent, ktest_ram_untyped(bi, 12, &bits));
    CHECK_EQ(mica_untyped_retype(parent, MICA_OBJ_UNTYPED, bits, ROOT, 0, 0, ktest_slot(bi, 2), 1).status,
             MICA_OK);
    CHECK_EQ(mica_cnode_revoke(ROOT, parent, D).status, MICA_OK);
    return 0;
}

/* The same, deleting the CNode's cap from the root instead: its slots
 * hold the untyped it was made from. */
KTEST(retype_delete_cnode_holding_its_own_untyped)
{
    mica_cptr_t parent, ut = ktest_slot(bi, 0);
    CHILD_UT(12, 0, parent);
    mica_word_t x = ktest_slot(bi, 1);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_CNODE, 1, ROOT, 0, 0, x, 1).status, MICA_OK);
    CHECK_EQ(mica_cnode_move(x, 1, 1, ROOT, ut, D).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, x, D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(x), MICA_OBJ_NULL);
    unsigned bits;
    CHECK_EQ(parent, ktest_ram_untyped(bi, 12, &bits));
    CHECK_EQ(mica_untyped_retype(parent, MICA_OBJ_UNTYPED, bits, ROOT, 0, 0, ktest_slot(bi, 2), 1).status,
             MICA_OK);
    CHECK_EQ(mica_cnode_revoke(ROOT, parent, D).status, MICA_OK);
    return 0;
}

/* A TCB made from untyped, with copies, dies with the revoke. */
KTEST(retype_revoke_untyped_with_tcbs_and_vspaces)
{
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, 0);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_TCB, 0, ROOT, 0, 0, ktest_slot(bi, 0), 4).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_VSPACE, 0, ROOT, 0, 0, ktest_slot(bi, 4), 2).status, MICA_OK);
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 6), D, ROOT, ktest_slot(bi, 0), D, MICA_RIGHT_READ).status, MICA_OK);
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 7), D, ROOT, ktest_slot(bi, 4), D, MICA_RIGHTS_ALL).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 0), D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 6)), MICA_OBJ_TCB);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    for (unsigned i = 0; i < 8; i++)
        CHECK_EQ(ktest_id_type(ktest_slot(bi, i)), MICA_OBJ_NULL);
    return 0;
}

const struct ktest untyped_tests[] = {
    { "retype_untyped_12", retype_untyped_12 },
    { "retype_untyped_min_bits", retype_untyped_min_bits },
    { "retype_cnode_radix_5", retype_cnode_radix_5 },
    { "retype_cnode_min_radix", retype_cnode_min_radix },
    { "retype_tcb", retype_tcb },
    { "retype_endpoint", retype_endpoint },
    { "retype_notification", retype_notification },
    { "retype_vspace", retype_vspace },
    { "retype_pdpt", retype_pdpt },
    { "retype_page_directory", retype_page_directory },
    { "retype_page_table", retype_page_table },
    { "retype_frame_4k", retype_frame_4k },
    { "retype_frame_2m", retype_frame_2m },
    { "retype_size_bits_ignored_for_fixed_types", retype_size_bits_ignored_for_fixed_types },
    { "retype_size_bits_above_64_ignored_for_fixed_types",
      retype_size_bits_above_64_ignored_for_fixed_types },
    { "retype_max_count_consecutive_slots", retype_max_count_consecutive_slots },
    { "retype_objects_are_distinct", retype_objects_are_distinct },
    { "retype_into_cnode_depth_0", retype_into_cnode_depth_0 },
    { "retype_into_cnode_named_by_root_slot", retype_into_cnode_named_by_root_slot },
    { "retype_into_cnode_two_levels_deep", retype_into_cnode_two_levels_deep },
    { "retype_into_cnode_depth_64_through_guard", retype_into_cnode_depth_64_through_guard },
    { "retype_err_type_null", retype_err_type_null },
    { "retype_err_type_count", retype_err_type_count },
    { "retype_err_type_huge", retype_err_type_huge },
    { "retype_err_type_64bit_not_truncated", retype_err_type_64bit_not_truncated },
    { "retype_err_untyped_bits_below_min", retype_err_untyped_bits_below_min },
    { "retype_err_untyped_bits_above_max", retype_err_untyped_bits_above_max },
    { "retype_err_cnode_radix_0", retype_err_cnode_radix_0 },
    { "retype_err_cnode_radix_above_max", retype_err_cnode_radix_above_max },
    { "retype_err_size_bits_64bit_not_truncated", retype_err_size_bits_64bit_not_truncated },
    { "retype_err_count_0", retype_err_count_0 },
    { "retype_err_count_above_max", retype_err_count_above_max },
    { "retype_err_count_64bit_not_truncated", retype_err_count_64bit_not_truncated },
    { "retype_err_offset_past_cnode_end", retype_err_offset_past_cnode_end },
    { "retype_err_range_runs_past_cnode_end", retype_err_range_runs_past_cnode_end },
    { "retype_err_offset_huge_no_wraparound", retype_err_offset_huge_no_wraparound },
    { "retype_err_range_past_small_cnode", retype_err_range_past_small_cnode },
    { "retype_err_occupied_slot_all_or_nothing", retype_err_occupied_slot_all_or_nothing },
    { "retype_err_first_slot_occupied", retype_err_first_slot_occupied },
    { "retype_err_dest_root_not_cnode", retype_err_dest_root_not_cnode },
    { "retype_err_dest_root_not_cnode_with_depth", retype_err_dest_root_not_cnode_with_depth },
    { "retype_err_dest_slot_not_cnode", retype_err_dest_slot_not_cnode },
    { "retype_err_dest_slot_empty", retype_err_dest_slot_empty },
    { "retype_err_dest_depth_65", retype_err_dest_depth_65 },
    { "retype_err_dest_depth_64bit_not_truncated", retype_err_dest_depth_64bit_not_truncated },
    { "retype_err_dest_guard_mismatch", retype_err_dest_guard_mismatch },
    { "retype_err_dest_depth_mismatch", retype_err_dest_depth_mismatch },
    { "retype_err_truncated_5_mrs", retype_err_truncated_5_mrs },
    { "retype_err_truncated_no_mrs", retype_err_truncated_no_mrs },
    { "retype_err_missing_extra_cap", retype_err_missing_extra_cap },
    { "retype_err_extra_cap_empty_slot", retype_err_extra_cap_empty_slot },
    { "retype_err_extra_cap_lookup_fails", retype_err_extra_cap_lookup_fails },
    { "retype_err_wrong_label", retype_err_wrong_label },
    { "retype_err_invoked_cap_not_untyped", retype_err_invoked_cap_not_untyped },
    { "retype_err_object_larger_than_untyped", retype_err_object_larger_than_untyped },
    { "retype_max_sizes_are_not_enough_memory", retype_max_sizes_are_not_enough_memory },
    { "retype_not_enough_memory_reports_bytes_left", retype_not_enough_memory_reports_bytes_left },
    { "retype_not_enough_memory_empty_untyped_bytes_left",
      retype_not_enough_memory_empty_untyped_bytes_left },
    { "retype_not_enough_memory_leaves_untyped_usable",
      retype_not_enough_memory_leaves_untyped_usable },
    { "retype_alignment_2m_after_4k", retype_alignment_2m_after_4k },
    { "retype_alignment_tcb_after_endpoint", retype_alignment_tcb_after_endpoint },
    { "retype_small_objects_pack", retype_small_objects_pack },
    { "retype_watermark_kept_while_children_remain", retype_watermark_kept_while_children_remain },
    { "retype_watermark_reset_after_deleting_all_children",
      retype_watermark_reset_after_deleting_all_children },
    { "retype_copy_keeps_memory_in_use", retype_copy_keeps_memory_in_use },
    { "retype_reused_memory_is_zeroed", retype_reused_memory_is_zeroed },
    { "retype_from_child_untyped_revoke_parent_deletes_grandchildren",
      retype_from_child_untyped_revoke_parent_deletes_grandchildren },
    { "retype_delete_child_untyped_keeps_grandchildren",
      retype_delete_child_untyped_keeps_grandchildren },
    { "retype_revoke_child_untyped_resets_only_child", retype_revoke_child_untyped_resets_only_child },
    { "retype_moved_untyped_keeps_children_and_watermark",
      retype_moved_untyped_keeps_children_and_watermark },
    { "retype_revoke_untyped_with_cnodes_holding_each_other",
      retype_revoke_untyped_with_cnodes_holding_each_other },
    { "retype_revoke_untyped_whose_cap_lives_in_its_own_cnode",
      retype_revoke_untyped_whose_cap_lives_in_its_own_cnode },
    { "retype_delete_cnode_holding_its_own_untyped", retype_delete_cnode_holding_its_own_untyped },
    { "retype_revoke_untyped_with_tcbs_and_vspaces", retype_revoke_untyped_with_tcbs_and_vspaces },
    { 0, 0 },
};
