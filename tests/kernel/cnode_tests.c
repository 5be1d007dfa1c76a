/*
 * CNode invocations: Copy, Mint, Move, Mutate, Delete and Revoke, their
 * effect on rights, badges, guards and the derivation tree, every error
 * path, and the safety of destroying CNodes whatever they contain.
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

/* The tests use slot(0 .. 63); untyped_whole() borrows this one. */
#define WHOLE_SLOT 71

static unsigned id_rights(mica_cptr_t c)
{
    return MICA_CAP_ID_RIGHTS(ktest_ident(c));
}

static int id_badged(mica_cptr_t c)
{
    return (ktest_ident(c) & MICA_CAP_ID_BADGED) != 0;
}

/* Make `count` objects of `type` from the untyped `ut` in slot(i) onwards. */
#define MAKE(ut, type, bits, i, count)                                                   \
    CHECK_EQ(mica_untyped_retype((ut), (type), (bits), ROOT, 0, 0, ktest_slot(bi, (i)), (count)).status, \
             MICA_OK)

/* The untyped the tests make their objects from. */
#define UT() ktest_ram_untyped(bi, 16, 0)

/* Is `ut` (of 2^bits bytes) free of children, i.e. retypable whole? */
static int untyped_whole(const struct mica_bootinfo *bi, mica_cptr_t ut, unsigned bits)
{
    struct mica_sysret r = mica_untyped_retype(ut, MICA_OBJ_UNTYPED, bits, ROOT, 0, 0,
                                               ktest_slot(bi, WHOLE_SLOT), 1);
    if (r.status != MICA_OK)
        return 0;
    mica_cnode_delete(ROOT, ktest_slot(bi, WHOLE_SLOT), D);
    return 1;
}

/* A copy of the root CNode cap with the given guard word in slot(i). */
static mica_word_t root_copy(const struct mica_bootinfo *bi, unsigned i, mica_word_t guard_word)
{
    struct mica_sysret r = mica_cnode_mint(ROOT, ktest_slot(bi, i), D, ROOT, ROOT, D, MICA_RIGHTS_ALL,
                                           guard_word);
    return r.status == MICA_OK ? ktest_slot(bi, i) : 0;
}

/* ------------------------------------------------------------ Copy */

KTEST(copy_endpoint_is_same_object)
{
    unsigned bits;
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, &bits);
    MAKE(ut, MICA_OBJ_ENDPOINT, 0, 0, 1);
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 0), D, MICA_RIGHTS_ALL).status, MICA_OK);
    mica_word_t w = ktest_ident(ktest_slot(bi, 1));
    CHECK_EQ(MICA_CAP_ID_TYPE(w), MICA_OBJ_ENDPOINT);
    CHECK_EQ(MICA_CAP_ID_RIGHTS(w), MICA_RIGHTS_ALL);
    CHECK_EQ(w & MICA_CAP_ID_BADGED, 0);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_ENDPOINT);
    /* The copy alone keeps the object (and its memory) alive. */
    CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 0), D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_ENDPOINT);
    CHECK(!untyped_whole(bi, ut, bits));
    CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 1), D).status, MICA_OK);
    CHECK(untyped_whole(bi, ut, bits));
    return 0;
}

static const char *copy_with_rights(const struct mica_bootinfo *bi, unsigned rights)
{
    mica_cptr_t ut = UT();
    MAKE(ut, MICA_OBJ_NOTIFICATION, 0, 0, 1);
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 0), D, rights).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NOTIFICATION);
    CHECK_EQ(id_rights(ktest_slot(bi, 1)), rights);
    CHECK_EQ(id_rights(ktest_slot(bi, 0)), MICA_RIGHTS_ALL);
    /* Rights never come back: a copy of the copy asking for all. */
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 2), D, ROOT, ktest_slot(bi, 1), D, MICA_RIGHTS_ALL).status, MICA_OK);
    CHECK_EQ(id_rights(ktest_slot(bi, 2)), rights);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

KTEST(copy_only_read) { return copy_with_rights(bi, MICA_RIGHT_READ); }
KTEST(copy_only_write) { return copy_with_rights(bi, MICA_RIGHT_WRITE); }
KTEST(copy_only_grant) { return copy_with_rights(bi, MICA_RIGHT_GRANT); }
KTEST(copy_only_grant_reply) { return copy_with_rights(bi, MICA_RIGHT_GRANT_REPLY); }
KTEST(copy_no_rights) { return copy_with_rights(bi, 0); }

KTEST(copy_drops_each_right)
{
    for (unsigned b = 1; b <= MICA_RIGHT_GRANT_REPLY; b <<= 1) {
        const char *why = copy_with_rights(bi, MICA_RIGHTS_ALL & ~b);
        if (why)
            return why;
    }
    return 0;
}

/* Rights are the AND of the source's and the requested ones. */
KTEST(copy_rights_are_intersection)
{
    mica_cptr_t ut = UT();
    MAKE(ut, MICA_OBJ_ENDPOINT, 0, 0, 1);
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 0), D,
                             MICA_RIGHT_READ | MICA_RIGHT_WRITE).status, MICA_OK);
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 2), D, ROOT, ktest_slot(bi, 1), D,
                             MICA_RIGHT_WRITE | MICA_RIGHT_GRANT).status, MICA_OK);
    CHECK_EQ(id_rights(ktest_slot(bi, 2)), MICA_RIGHT_WRITE);
    CHECK_EQ(mica_cnode_mint(ROOT, ktest_slot(bi, 3), D, ROOT, ktest_slot(bi, 1), D,
                             MICA_RIGHT_READ | MICA_RIGHT_GRANT_REPLY, 5).status, MICA_OK);
    CHECK_EQ(id_rights(ktest_slot(bi, 3)), MICA_RIGHT_READ);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

/* Copies of frames start unmapped, even when the source is mapped. */
KTEST(copy_of_mapped_frame_is_unmapped)
{
    mica_word_t orig = ktest_ident(MICA_CAP_INIT_IPC_BUFFER);
    CHECK_EQ(MICA_CAP_ID_TYPE(orig), MICA_OBJ_FRAME_4K);
    CHECK(orig & MICA_CAP_ID_MAPPED);
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 0), D, ROOT, MICA_CAP_INIT_IPC_BUFFER, D,
                             MICA_RIGHTS_ALL).status, MICA_OK);
    mica_word_t w = ktest_ident(ktest_slot(bi, 0));
    CHECK_EQ(MICA_CAP_ID_TYPE(w), MICA_OBJ_FRAME_4K);
    CHECK_EQ(MICA_CAP_ID_SIZE_BITS(w), MICA_FRAME_4K_BITS);
    CHECK_EQ(w & MICA_CAP_ID_MAPPED, 0);
    CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 0), D).status, MICA_OK);
    /* The original and its mapping are untouched (the IPC buffer still works). */
    CHECK_EQ(ktest_ident(MICA_CAP_INIT_IPC_BUFFER), orig);
    return 0;
}

/* A copy of a CNode cap is a CNode cap to the same slots. */
KTEST(copy_cnode_names_same_slots)
{
    mica_cptr_t ut = UT();
    MAKE(ut, MICA_OBJ_CNODE, 3, 0, 1);
    MAKE(ut, MICA_OBJ_ENDPOINT, 0, 1, 1);
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 2), D, ROOT, ktest_slot(bi, 0), D, MICA_RIGHT_READ).status, MICA_OK);
    mica_word_t w = ktest_ident(ktest_slot(bi, 2));
    CHECK_EQ(MICA_CAP_ID_TYPE(w), MICA_OBJ_CNODE);
    CHECK_EQ(MICA_CAP_ID_SIZE_BITS(w), 3);
    CHECK_EQ(MICA_CAP_ID_RIGHTS(w), MICA_RIGHT_READ);
    /* Put through one, take out through the other. */
    CHECK_EQ(mica_cnode_move(ktest_slot(bi, 2), 6, 3, ROOT, ktest_slot(bi, 1), D).status, MICA_OK);
    CHECK_EQ(mica_cnode_move(ROOT, ktest_slot(bi, 1), D, ktest_slot(bi, 0), 6, 3).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_ENDPOINT);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

/* A Copy changes nothing but the rights, so a copy of a guarded CNode cap
 * keeps its guard: a copy of the root CNode cap (52-bit zero guard) names
 * root slots with (slot, 64) exactly like the original. (Regression: Copy
 * once ran Mint's badge/guard path with data 0, dropping the guard.) */
KTEST(copy_cnode_keeps_guard)
{
    mica_cptr_t ut = UT();
    MAKE(ut, MICA_OBJ_ENDPOINT, 0, 0, 1);
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 1), D, ROOT, ROOT, D, MICA_RIGHTS_ALL).status, MICA_OK);
    struct mica_sysret r = mica_cnode_copy(ktest_slot(bi, 1), ktest_slot(bi, 2), D, ROOT, ktest_slot(bi, 0), D,
                                           MICA_RIGHTS_ALL);
    CHECK_EQ(r.status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 2)), MICA_OBJ_ENDPOINT);
    CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 1), D).status, MICA_OK);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

/* ------------------------------------------------------------ Mint */

static const char *mint_badge(const struct mica_bootinfo *bi, unsigned type)
{
    mica_cptr_t ut = UT();
    MAKE(ut, type, 0, 0, 1);
    CHECK(!id_badged(ktest_slot(bi, 0)));
    CHECK_EQ(mica_cnode_mint(ROOT, ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 0), D, MICA_RIGHTS_ALL,
                             0xdeadbeef).status, MICA_OK);
    mica_word_t w = ktest_ident(ktest_slot(bi, 1));
    CHECK_EQ(MICA_CAP_ID_TYPE(w), type);
    CHECK_EQ(MICA_CAP_ID_RIGHTS(w), MICA_RIGHTS_ALL);
    CHECK(w & MICA_CAP_ID_BADGED);
    CHECK(!id_badged(ktest_slot(bi, 0)));
    /* A copy of a badged cap keeps the badge; revoking the original removes both. */
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 2), D, ROOT, ktest_slot(bi, 1), D, MICA_RIGHTS_ALL).status, MICA_OK);
    CHECK(id_badged(ktest_slot(bi, 2)));
    CHECK_EQ(mica_cnode_revoke(ROOT, ktest_slot(bi, 0), D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NULL);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 2)), MICA_OBJ_NULL);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

KTEST(mint_endpoint_badge) { return mint_badge(bi, MICA_OBJ_ENDPOINT); }
KTEST(mint_notification_badge) { return mint_badge(bi, MICA_OBJ_NOTIFICATION); }

KTEST(mint_badge_and_reduce_rights)
{
    mica_cptr_t ut = UT();
    MAKE(ut, MICA_OBJ_ENDPOINT, 0, 0, 1);
    CHECK_EQ(mica_cnode_mint(ROOT, ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 0), D, MICA_RIGHT_WRITE, 1).status,
             MICA_OK);
    CHECK_EQ(id_rights(ktest_slot(bi, 1)), MICA_RIGHT_WRITE);
    CHECK(id_badged(ktest_slot(bi, 1)));
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

/* Badge 0 leaves the cap unbadged; it can be badged later. */
KTEST(mint_badge_zero_leaves_unbadged)
{
    mica_cptr_t ut = UT();
    MAKE(ut, MICA_OBJ_ENDPOINT, 0, 0, 1);
    CHECK_EQ(mica_cnode_mint(ROOT, ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 0), D, MICA_RIGHTS_ALL, 0).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_ENDPOINT);
    CHECK(!id_badged(ktest_slot(bi, 1)));
    CHECK_EQ(mica_cnode_mint(ROOT, ktest_slot(bi, 2), D, ROOT, ktest_slot(bi, 1), D, MICA_RIGHTS_ALL, 3).status, MICA_OK);
    CHECK(id_badged(ktest_slot(bi, 2)));
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

/* Minting a badged cap with badge 0 keeps its badge. */
KTEST(mint_badged_with_zero_keeps_badge)
{
    mica_cptr_t ut = UT();
    MAKE(ut, MICA_OBJ_NOTIFICATION, 0, 0, 1);
    CHECK_EQ(mica_cnode_mint(ROOT, ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 0), D, MICA_RIGHTS_ALL, 8).status, MICA_OK);
    CHECK_EQ(mica_cnode_mint(ROOT, ktest_slot(bi, 2), D, ROOT, ktest_slot(bi, 1), D, MICA_RIGHT_READ, 0).status, MICA_OK);
    CHECK(id_badged(ktest_slot(bi, 2)));
    CHECK_EQ(id_rights(ktest_slot(bi, 2)), MICA_RIGHT_READ);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

KTEST(mint_err_second_badge)
{
    mica_cptr_t ut = UT();
    MAKE(ut, MICA_OBJ_ENDPOINT, 0, 0, 1);
    CHECK_EQ(mica_cnode_mint(ROOT, ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 0), D, MICA_RIGHTS_ALL, 8).status, MICA_OK);
    struct mica_sysret r = mica_cnode_mint(ROOT, ktest_slot(bi, 2), D, ROOT, ktest_slot(bi, 1), D, MICA_RIGHTS_ALL, 9);
    CHECK_EQ(r.status, MICA_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 2)), MICA_OBJ_NULL);
    /* Even the same badge again. */
    CHECK_EQ(mica_cnode_mint(ROOT, ktest_slot(bi, 2), D, ROOT, ktest_slot(bi, 1), D, MICA_RIGHTS_ALL, 8).status,
             MICA_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 2)), MICA_OBJ_NULL);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

static const char *mint_err_badge_on(const struct mica_bootinfo *bi, unsigned type)
{
    mica_cptr_t ut = UT();
    MAKE(ut, type, 0, 0, 1);
    struct mica_sysret r = mica_cnode_mint(ROOT, ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 0), D,
                                           MICA_RIGHTS_ALL, 77);
    CHECK_EQ(r.status, MICA_ERR_INVALID_ARGUMENT);
    CHECK_EQ(r.value, 77);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NULL);
    /* Data 0 is fine: a plain copy. */
    CHECK_EQ(mica_cnode_mint(ROOT, ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 0), D, MICA_RIGHT_READ, 0).status,
             MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), type);
    CHECK_EQ(id_rights(ktest_slot(bi, 1)), MICA_RIGHT_READ);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

KTEST(mint_err_badge_on_frame) { return mint_err_badge_on(bi, MICA_OBJ_FRAME_4K); }
KTEST(mint_err_badge_on_tcb) { return mint_err_badge_on(bi, MICA_OBJ_TCB); }
KTEST(mint_err_badge_on_vspace) { return mint_err_badge_on(bi, MICA_OBJ_VSPACE); }
/* Paging-structure caps are unique: no Copy, no Mint (each table has one
 * place in one address space, so unmapping it cannot leave stale paths). */
KTEST(copy_of_page_tables_refused)
{
    static const unsigned types[] = { MICA_OBJ_PDPT, MICA_OBJ_PAGE_DIRECTORY, MICA_OBJ_PAGE_TABLE };
    mica_cptr_t ut = UT();
    for (unsigned i = 0; i < 3; i++) {
        MAKE(ut, types[i], 0, 0, 1);
        CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 0), D,
                                 MICA_RIGHTS_ALL).status, MICA_ERR_ILLEGAL_OPERATION);
        CHECK_EQ(mica_cnode_mint(ROOT, ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 0), D,
                                 MICA_RIGHTS_ALL, 0).status, MICA_ERR_ILLEGAL_OPERATION);
        CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NULL);
        /* Moving keeps it unique and is allowed. */
        CHECK_EQ(mica_cnode_move(ROOT, ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 0), D).status, MICA_OK);
        CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), types[i]);
        CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    }
    return 0;
}

KTEST(mint_err_untyped)
{
    mica_cptr_t ut = UT();
    CHECK_EQ(mica_cnode_mint(ROOT, ktest_slot(bi, 0), D, ROOT, ut, D, MICA_RIGHTS_ALL, 0).status,
             MICA_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(mica_cnode_mint(ROOT, ktest_slot(bi, 0), D, ROOT, ut, D, MICA_RIGHTS_ALL, 1).status,
             MICA_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_NULL);
    return 0;
}

/* ------------------------------------------------------------ guards */

/* C (radix 4) in slot X; Y = Mint of X with a 3-bit guard 0b101. Through
 * Y, slot j of C is (0b101 << 4 | j, depth 7). */
static const char *guarded(const struct mica_bootinfo *bi, mica_cptr_t ut)
{
    MAKE(ut, MICA_OBJ_CNODE, 4, 0, 1);
    CHECK_EQ(mica_cnode_mint(ROOT, ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 0), D, MICA_RIGHTS_ALL,
                             5 << 8 | 3).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_CNODE);
    CHECK_EQ(MICA_CAP_ID_SIZE_BITS(ktest_ident(ktest_slot(bi, 1))), 4);
    MAKE(ut, MICA_OBJ_ENDPOINT, 0, 2, 1);
    return 0;
}

KTEST(mint_cnode_guard_matching_lookup)
{
    mica_cptr_t ut = UT();
    const char *why = guarded(bi, ut);
    if (why)
        return why;
    CHECK_EQ(mica_cnode_move(ktest_slot(bi, 1), 5 << 4 | 9, 7, ROOT, ktest_slot(bi, 2), D).status, MICA_OK);
    /* It landed in slot 9 of C, as seen through the unguarded cap. */
    CHECK_EQ(mica_cnode_move(ROOT, ktest_slot(bi, 3), D, ktest_slot(bi, 0), 9, 4).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 3)), MICA_OBJ_ENDPOINT);
    /* Only the low `depth` bits of the index count. */
    CHECK_EQ(mica_cnode_move(ktest_slot(bi, 1), ~0ull << 7 | 5 << 4 | 1, 7, ROOT, ktest_slot(bi, 3), D).status,
             MICA_OK);
    CHECK_EQ(mica_cnode_move(ROOT, ktest_slot(bi, 3), D, ktest_slot(bi, 0), 1, 4).status, MICA_OK);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

KTEST(mint_cnode_guard_mismatch)
{
    mica_cptr_t ut = UT();
    const char *why = guarded(bi, ut);
    if (why)
        return why;
    struct mica_sysret r = mica_cnode_move(ktest_slot(bi, 1), 4 << 4 | 9, 7, ROOT, ktest_slot(bi, 2), D);
    CHECK_EQ(r.status, MICA_ERR_LOOKUP_FAILED);
    CHECK_EQ(MICA_LOOKUP_KIND(r.value), MICA_LOOKUP_GUARD_MISMATCH);
    CHECK_EQ(MICA_LOOKUP_BITS_LEFT(r.value), 7);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 2)), MICA_OBJ_ENDPOINT);
    /* As a source too. */
    r = mica_cnode_copy(ROOT, ktest_slot(bi, 3), D, ktest_slot(bi, 1), 7 << 4 | 0, 7, MICA_RIGHTS_ALL);
    CHECK_EQ(r.status, MICA_ERR_LOOKUP_FAILED);
    CHECK_EQ(MICA_LOOKUP_KIND(r.value), MICA_LOOKUP_GUARD_MISMATCH);
    /* The unguarded cap has no guard to match: (j, 4) works, (j, 7) does not end at a slot. */
    r = mica_cnode_delete(ktest_slot(bi, 0), 5 << 4 | 9, 7);
    CHECK_EQ(r.status, MICA_ERR_LOOKUP_FAILED);
    CHECK_EQ(MICA_LOOKUP_KIND(r.value), MICA_LOOKUP_MISSING_CAP);
    CHECK_EQ(MICA_LOOKUP_BITS_LEFT(r.value), 3);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

/* A depth shorter than guard + radix. */
KTEST(mint_cnode_guard_depth_too_short)
{
    mica_cptr_t ut = UT();
    const char *why = guarded(bi, ut);
    if (why)
        return why;
    struct mica_sysret r = mica_cnode_delete(ktest_slot(bi, 1), 1, 2); /* not even the guard fits */
    CHECK_EQ(r.status, MICA_ERR_LOOKUP_FAILED);
    CHECK_EQ(MICA_LOOKUP_KIND(r.value), MICA_LOOKUP_GUARD_MISMATCH);
    CHECK_EQ(MICA_LOOKUP_BITS_LEFT(r.value), 2);
    r = mica_cnode_delete(ktest_slot(bi, 1), 5 << 2, 5); /* guard fits, radix does not */
    CHECK_EQ(r.status, MICA_ERR_LOOKUP_FAILED);
    CHECK_EQ(MICA_LOOKUP_KIND(r.value), MICA_LOOKUP_DEPTH_MISMATCH);
    CHECK_EQ(MICA_LOOKUP_BITS_LEFT(r.value), 5);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

/* The longest guard a radix-4 CNode can take: 60 bits, depth 64. */
KTEST(mint_cnode_guard_60_bits)
{
    mica_cptr_t ut = UT();
    MAKE(ut, MICA_OBJ_CNODE, 4, 0, 1);
    MAKE(ut, MICA_OBJ_ENDPOINT, 0, 2, 1);
    mica_word_t guard = 0xabcdef123456ull; /* 48 significant bits */
    CHECK_EQ(mica_cnode_mint(ROOT, ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 0), D, MICA_RIGHTS_ALL,
                             guard << 8 | 60).status, MICA_OK);
    CHECK_EQ(mica_cnode_move(ktest_slot(bi, 1), guard << 4 | 15, 64, ROOT, ktest_slot(bi, 2), D).status, MICA_OK);
    CHECK_EQ(mica_cnode_move(ROOT, ktest_slot(bi, 2), D, ktest_slot(bi, 0), 15, 4).status, MICA_OK);
    struct mica_sysret r = mica_cnode_move(ktest_slot(bi, 1), (guard ^ 1ull << 40) << 4 | 15, 64, ROOT,
                                           ktest_slot(bi, 2), D);
    CHECK_EQ(r.status, MICA_ERR_LOOKUP_FAILED);
    CHECK_EQ(MICA_LOOKUP_KIND(r.value), MICA_LOOKUP_GUARD_MISMATCH);
    CHECK_EQ(MICA_LOOKUP_BITS_LEFT(r.value), 64);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

KTEST(mint_err_cnode_guard_too_long)
{
    mica_cptr_t ut = UT();
    MAKE(ut, MICA_OBJ_CNODE, 4, 0, 1);
    struct mica_sysret r = mica_cnode_mint(ROOT, ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 0), D,
                                           MICA_RIGHTS_ALL, 61);
    CHECK_EQ(r.status, MICA_ERR_RANGE);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NULL);
    CHECK_EQ(mica_cnode_mint(ROOT, ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 0), D, MICA_RIGHTS_ALL, 255).status,
             MICA_ERR_RANGE);
    /* The root CNode (radix 12) takes at most 52. */
    CHECK_EQ(mica_cnode_mint(ROOT, ktest_slot(bi, 1), D, ROOT, ROOT, D, MICA_RIGHTS_ALL, 53).status,
             MICA_ERR_RANGE);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NULL);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

KTEST(mint_err_cnode_guard_value_too_wide)
{
    mica_cptr_t ut = UT();
    MAKE(ut, MICA_OBJ_CNODE, 4, 0, 1);
    CHECK_EQ(mica_cnode_mint(ROOT, ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 0), D, MICA_RIGHTS_ALL,
                             8 << 8 | 3).status, MICA_ERR_RANGE);
    CHECK_EQ(mica_cnode_mint(ROOT, ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 0), D, MICA_RIGHTS_ALL,
                             1 << 8 | 0).status, MICA_ERR_RANGE);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NULL);
    CHECK_EQ(mica_cnode_mint(ROOT, ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 0), D, MICA_RIGHTS_ALL,
                             7 << 8 | 3).status, MICA_OK);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

/* A minted copy of the root with the root's own guard word behaves like
 * it; with no guard, (slot, 12) names the same slots. */
KTEST(mint_root_cnode_guard_variants)
{
    mica_cptr_t ut = UT();
    MAKE(ut, MICA_OBJ_ENDPOINT, 0, 0, 1);
    mica_word_t r52 = root_copy(bi, 1, 52), r0 = root_copy(bi, 2, 0);
    CHECK(r52 && r0);
    CHECK_EQ(mica_cnode_copy(r52, ktest_slot(bi, 3), D, r0, ktest_slot(bi, 0), 12, MICA_RIGHTS_ALL).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 3)), MICA_OBJ_ENDPOINT);
    /* Without the guard, depth 64 takes the slot from the top 12 bits
     * (0: the null slot) and has 52 bits left over. */
    struct mica_sysret r = mica_cnode_delete(r0, ktest_slot(bi, 3), D);
    CHECK_EQ(r.status, MICA_ERR_LOOKUP_FAILED);
    CHECK_EQ(MICA_LOOKUP_KIND(r.value), MICA_LOOKUP_MISSING_CAP);
    CHECK_EQ(MICA_LOOKUP_BITS_LEFT(r.value), 52);
    CHECK_EQ(mica_cnode_delete(r0, ktest_slot(bi, 3), 12).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 3)), MICA_OBJ_NULL);
    CHECK_EQ(mica_cnode_delete(ROOT, r52, D).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, r0, D).status, MICA_OK);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

/* No right on a CNode cap is checked. */
KTEST(cnode_cap_without_rights_still_works)
{
    mica_cptr_t ut = UT();
    MAKE(ut, MICA_OBJ_ENDPOINT, 0, 0, 1);
    CHECK_EQ(mica_cnode_mint(ROOT, ktest_slot(bi, 1), D, ROOT, ROOT, D, 0, 52).status, MICA_OK);
    CHECK_EQ(id_rights(ktest_slot(bi, 1)), 0);
    CHECK_EQ(mica_cnode_copy(ktest_slot(bi, 1), ktest_slot(bi, 2), D, ktest_slot(bi, 1), ktest_slot(bi, 0), D,
                             MICA_RIGHTS_ALL).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 2)), MICA_OBJ_ENDPOINT);
    CHECK_EQ(id_rights(ktest_slot(bi, 2)), MICA_RIGHTS_ALL);
    CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 1), D).status, MICA_OK);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

/* ------------------------------------------------------------ Move / Mutate */

KTEST(move_keeps_cap_unchanged)
{
    mica_cptr_t ut = UT();
    MAKE(ut, MICA_OBJ_ENDPOINT, 0, 0, 1);
    CHECK_EQ(mica_cnode_mint(ROOT, ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 0), D, MICA_RIGHT_WRITE, 4).status, MICA_OK);
    mica_word_t before = ktest_ident(ktest_slot(bi, 1));
    CHECK_EQ(mica_cnode_move(ROOT, ktest_slot(bi, 2), D, ROOT, ktest_slot(bi, 1), D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NULL);
    CHECK_EQ(ktest_ident(ktest_slot(bi, 2)), before);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

/* A moved copy is still derived from its source. */
KTEST(move_keeps_derivation_from_parent)
{
    mica_cptr_t ut = UT();
    MAKE(ut, MICA_OBJ_ENDPOINT, 0, 0, 1);
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 0), D, MICA_RIGHTS_ALL).status, MICA_OK);
    CHECK_EQ(mica_cnode_move(ROOT, ktest_slot(bi, 2), D, ROOT, ktest_slot(bi, 1), D).status, MICA_OK);
    CHECK_EQ(mica_cnode_revoke(ROOT, ktest_slot(bi, 0), D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 2)), MICA_OBJ_NULL);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_ENDPOINT);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

/* A moved parent keeps its children. */
KTEST(move_keeps_children)
{
    mica_cptr_t ut = UT();
    MAKE(ut, MICA_OBJ_ENDPOINT, 0, 0, 1);
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 0), D, MICA_RIGHTS_ALL).status, MICA_OK);
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 2), D, ROOT, ktest_slot(bi, 0), D, MICA_RIGHTS_ALL).status, MICA_OK);
    CHECK_EQ(mica_cnode_move(ROOT, ktest_slot(bi, 3), D, ROOT, ktest_slot(bi, 0), D).status, MICA_OK);
    CHECK_EQ(mica_cnode_revoke(ROOT, ktest_slot(bi, 3), D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NULL);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 2)), MICA_OBJ_NULL);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 3)), MICA_OBJ_ENDPOINT);
    /* And it is still a child of the untyped. */
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 3)), MICA_OBJ_NULL);
    return 0;
}

/* Moving the only cap does not destroy the object. */
KTEST(move_last_cap_keeps_object)
{
    unsigned bits;
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, &bits);
    MAKE(ut, MICA_OBJ_TCB, 0, 0, 1);
    CHECK_EQ(mica_cnode_move(ROOT, ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 0), D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_TCB);
    CHECK(!untyped_whole(bi, ut, bits));
    CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 1), D).status, MICA_OK);
    CHECK(untyped_whole(bi, ut, bits));
    return 0;
}

/* Move between CNodes: into a nested CNode and back out. */
KTEST(move_between_cnodes)
{
    mica_cptr_t ut = UT();
    MAKE(ut, MICA_OBJ_CNODE, 2, 0, 2);
    MAKE(ut, MICA_OBJ_NOTIFICATION, 0, 2, 1);
    CHECK_EQ(mica_cnode_move(ktest_slot(bi, 0), 3, 2, ROOT, ktest_slot(bi, 2), D).status, MICA_OK);
    CHECK_EQ(mica_cnode_move(ktest_slot(bi, 1), 0, 2, ktest_slot(bi, 0), 3, 2).status, MICA_OK);
    CHECK_EQ(mica_cnode_move(ROOT, ktest_slot(bi, 3), D, ktest_slot(bi, 0), 3, 2).status, MICA_ERR_SLOT_EMPTY);
    CHECK_EQ(mica_cnode_move(ROOT, ktest_slot(bi, 3), D, ktest_slot(bi, 1), 0, 2).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 3)), MICA_OBJ_NOTIFICATION);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

KTEST(mutate_sets_badge_while_moving)
{
    mica_cptr_t ut = UT();
    MAKE(ut, MICA_OBJ_ENDPOINT, 0, 0, 1);
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 0), D, MICA_RIGHT_READ).status, MICA_OK);
    CHECK_EQ(mica_cnode_mutate(ROOT, ktest_slot(bi, 2), D, ROOT, ktest_slot(bi, 1), D, 9).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NULL);
    mica_word_t w = ktest_ident(ktest_slot(bi, 2));
    CHECK_EQ(MICA_CAP_ID_TYPE(w), MICA_OBJ_ENDPOINT);
    CHECK_EQ(MICA_CAP_ID_RIGHTS(w), MICA_RIGHT_READ);
    CHECK(w & MICA_CAP_ID_BADGED);
    CHECK(!id_badged(ktest_slot(bi, 0)));
    /* Still derived from the original. */
    CHECK_EQ(mica_cnode_revoke(ROOT, ktest_slot(bi, 0), D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 2)), MICA_OBJ_NULL);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

KTEST(mutate_badge_zero_is_plain_move)
{
    mica_cptr_t ut = UT();
    MAKE(ut, MICA_OBJ_NOTIFICATION, 0, 0, 1);
    CHECK_EQ(mica_cnode_mutate(ROOT, ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 0), D, 0).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_NULL);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NOTIFICATION);
    CHECK(!id_badged(ktest_slot(bi, 1)));
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

KTEST(mutate_err_second_badge)
{
    mica_cptr_t ut = UT();
    MAKE(ut, MICA_OBJ_ENDPOINT, 0, 0, 1);
    CHECK_EQ(mica_cnode_mint(ROOT, ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 0), D, MICA_RIGHTS_ALL, 8).status, MICA_OK);
    CHECK_EQ(mica_cnode_mutate(ROOT, ktest_slot(bi, 2), D, ROOT, ktest_slot(bi, 1), D, 9).status,
             MICA_ERR_ILLEGAL_OPERATION);
    /* Nothing moved. */
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_ENDPOINT);
    CHECK(id_badged(ktest_slot(bi, 1)));
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 2)), MICA_OBJ_NULL);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

KTEST(mutate_err_badge_on_frame)
{
    mica_cptr_t ut = UT();
    MAKE(ut, MICA_OBJ_FRAME_4K, 0, 0, 1);
    struct mica_sysret r = mica_cnode_mutate(ROOT, ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 0), D, 3);
    CHECK_EQ(r.status, MICA_ERR_INVALID_ARGUMENT);
    CHECK_EQ(r.value, 3);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_FRAME_4K);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NULL);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

/* Mutate sets a CNode's guard as it moves the cap. */
KTEST(mutate_cnode_sets_guard)
{
    mica_cptr_t ut = UT();
    MAKE(ut, MICA_OBJ_CNODE, 4, 0, 1);
    MAKE(ut, MICA_OBJ_ENDPOINT, 0, 2, 1);
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 0), D, MICA_RIGHTS_ALL).status, MICA_OK);
    CHECK_EQ(mica_cnode_mutate(ROOT, ktest_slot(bi, 3), D, ROOT, ktest_slot(bi, 1), D, 2 << 8 | 2).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NULL);
    CHECK_EQ(mica_cnode_move(ktest_slot(bi, 3), 2 << 4 | 6, 6, ROOT, ktest_slot(bi, 2), D).status, MICA_OK);
    CHECK_EQ(mica_cnode_move(ROOT, ktest_slot(bi, 2), D, ktest_slot(bi, 0), 6, 4).status, MICA_OK);
    struct mica_sysret r = mica_cnode_delete(ktest_slot(bi, 3), 2 << 2, 4); /* guard, but no room for the radix */
    CHECK_EQ(r.status, MICA_ERR_LOOKUP_FAILED);
    CHECK_EQ(MICA_LOOKUP_KIND(r.value), MICA_LOOKUP_DEPTH_MISMATCH);
    CHECK_EQ(mica_cnode_mutate(ROOT, ktest_slot(bi, 4), D, ROOT, ktest_slot(bi, 3), D, 1 << 8 | 61).status,
             MICA_ERR_RANGE);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 3)), MICA_OBJ_CNODE);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

/* Untyped caps move, but never with data. */
KTEST(mutate_untyped)
{
    mica_cptr_t parent = UT(), ut = ktest_slot(bi, 0);
    CHECK_EQ(mica_untyped_retype(parent, MICA_OBJ_UNTYPED, 12, ROOT, 0, 0, ut, 1).status, MICA_OK);
    CHECK_EQ(mica_cnode_mutate(ROOT, ktest_slot(bi, 1), D, ROOT, ut, D, 1).status, MICA_ERR_INVALID_ARGUMENT);
    CHECK_EQ(ktest_id_type(ut), MICA_OBJ_UNTYPED);
    CHECK_EQ(mica_cnode_mutate(ROOT, ktest_slot(bi, 1), D, ROOT, ut, D, 0).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ut), MICA_OBJ_NULL);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_UNTYPED);
    CHECK_EQ(mica_cnode_revoke(ROOT, parent, D).status, MICA_OK);
    return 0;
}

/* ------------------------------------------------------------ Delete / Revoke */

KTEST(delete_empty_slot_ok)
{
    CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 0), D).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, MICA_CAP_NULL, D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_NULL);
    return 0;
}

KTEST(revoke_empty_slot_ok)
{
    CHECK_EQ(mica_cnode_revoke(ROOT, ktest_slot(bi, 0), D).status, MICA_OK);
    return 0;
}

KTEST(revoke_without_children_ok)
{
    mica_cptr_t ut = UT();
    MAKE(ut, MICA_OBJ_ENDPOINT, 0, 0, 2);
    CHECK_EQ(mica_cnode_revoke(ROOT, ktest_slot(bi, 0), D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_ENDPOINT);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_ENDPOINT); /* a sibling, not a child */
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

/* Revoke removes the whole subtree below the cap and nothing beside it. */
KTEST(revoke_removes_subtree_only)
{
    mica_cptr_t ut = UT();
    MAKE(ut, MICA_OBJ_ENDPOINT, 0, 0, 1);
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 0), D, MICA_RIGHTS_ALL).status, MICA_OK);
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 2), D, ROOT, ktest_slot(bi, 1), D, MICA_RIGHTS_ALL).status, MICA_OK);
    CHECK_EQ(mica_cnode_mint(ROOT, ktest_slot(bi, 3), D, ROOT, ktest_slot(bi, 2), D, MICA_RIGHTS_ALL, 1).status, MICA_OK);
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 4), D, ROOT, ktest_slot(bi, 0), D, MICA_RIGHTS_ALL).status, MICA_OK);
    CHECK_EQ(mica_cnode_revoke(ROOT, ktest_slot(bi, 1), D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_ENDPOINT);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_ENDPOINT);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 2)), MICA_OBJ_NULL);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 3)), MICA_OBJ_NULL);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 4)), MICA_OBJ_ENDPOINT);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

/* Deleting a cap with children: they live on, and a revoke of the
 * grandparent still reaches them. */
KTEST(delete_with_children_keeps_them_revocable)
{
    mica_cptr_t ut = UT();
    MAKE(ut, MICA_OBJ_ENDPOINT, 0, 0, 1);
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 0), D, MICA_RIGHTS_ALL).status, MICA_OK);
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 2), D, ROOT, ktest_slot(bi, 1), D, MICA_RIGHTS_ALL).status, MICA_OK);
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 3), D, ROOT, ktest_slot(bi, 1), D, MICA_RIGHTS_ALL).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 1), D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NULL);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 2)), MICA_OBJ_ENDPOINT);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 3)), MICA_OBJ_ENDPOINT);
    CHECK_EQ(mica_cnode_revoke(ROOT, ktest_slot(bi, 0), D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 2)), MICA_OBJ_NULL);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 3)), MICA_OBJ_NULL);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_ENDPOINT);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

/* Deleting the original (the untyped's child) while copies live: the
 * copies stay under the untyped, whose revoke deletes them. */
KTEST(delete_original_copies_stay_under_untyped)
{
    unsigned bits;
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, &bits);
    MAKE(ut, MICA_OBJ_NOTIFICATION, 0, 0, 1);
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 0), D, MICA_RIGHTS_ALL).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 0), D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NOTIFICATION);
    CHECK(!untyped_whole(bi, ut, bits));
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NULL);
    CHECK(untyped_whole(bi, ut, bits));
    return 0;
}

/* Delete and revoke through a nested CNode. */
KTEST(delete_and_revoke_in_nested_cnode)
{
    mica_cptr_t ut = UT();
    MAKE(ut, MICA_OBJ_CNODE, 3, 0, 1);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_ENDPOINT, 0, ktest_slot(bi, 0), 0, 0, 4, 2).status, MICA_OK);
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 1), D, ktest_slot(bi, 0), 4, 3, MICA_RIGHTS_ALL).status, MICA_OK);
    CHECK_EQ(mica_cnode_revoke(ktest_slot(bi, 0), 4, 3).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NULL);
    CHECK_EQ(mica_cnode_delete(ktest_slot(bi, 0), 5, 3).status, MICA_OK);
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 1), D, ktest_slot(bi, 0), 5, 3, MICA_RIGHTS_ALL).status,
             MICA_ERR_SLOT_EMPTY);
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 1), D, ktest_slot(bi, 0), 4, 3, MICA_RIGHTS_ALL).status, MICA_OK);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

/* After a revoke, the copy's slot is empty: it can be neither used as a
 * source nor invoked. */
KTEST(revoked_copy_is_gone)
{
    mica_cptr_t ut = UT();
    MAKE(ut, MICA_OBJ_CNODE, 2, 0, 1);
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 0), D, MICA_RIGHTS_ALL).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ktest_slot(bi, 1), 0, 2).status, MICA_OK);
    CHECK_EQ(mica_cnode_revoke(ROOT, ktest_slot(bi, 0), D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NULL);
    CHECK_EQ(mica_cnode_delete(ktest_slot(bi, 1), 0, 2).status, MICA_ERR_INVALID_CAP);
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 2), D, ROOT, ktest_slot(bi, 1), D, MICA_RIGHTS_ALL).status,
             MICA_ERR_SLOT_EMPTY);
    CHECK_EQ(mica_cnode_move(ROOT, ktest_slot(bi, 2), D, ROOT, ktest_slot(bi, 1), D).status, MICA_ERR_SLOT_EMPTY);
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 2), D, ktest_slot(bi, 1), 0, 2, MICA_RIGHTS_ALL).status,
             MICA_ERR_INVALID_CAP);
    /* The original still works. */
    CHECK_EQ(mica_cnode_delete(ktest_slot(bi, 0), 0, 2).status, MICA_OK);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

/* ------------------------------------------------------------ slot errors */

typedef struct mica_sysret (*two_slot_op)(const struct mica_bootinfo *bi, mica_word_t dest,
                                          mica_word_t src);

static struct mica_sysret op_copy(const struct mica_bootinfo *bi, mica_word_t d, mica_word_t s)
{
    (void)bi;
    return mica_cnode_copy(ROOT, d, D, ROOT, s, D, MICA_RIGHTS_ALL);
}
static struct mica_sysret op_mint(const struct mica_bootinfo *bi, mica_word_t d, mica_word_t s)
{
    (void)bi;
    return mica_cnode_mint(ROOT, d, D, ROOT, s, D, MICA_RIGHTS_ALL, 0);
}
static struct mica_sysret op_move(const struct mica_bootinfo *bi, mica_word_t d, mica_word_t s)
{
    (void)bi;
    return mica_cnode_move(ROOT, d, D, ROOT, s, D);
}
static struct mica_sysret op_mutate(const struct mica_bootinfo *bi, mica_word_t d, mica_word_t s)
{
    (void)bi;
    return mica_cnode_mutate(ROOT, d, D, ROOT, s, D, 0);
}

static const char *src_empty(const struct mica_bootinfo *bi, two_slot_op op)
{
    struct mica_sysret r = op(bi, ktest_slot(bi, 1), ktest_slot(bi, 0));
    CHECK_EQ(r.status, MICA_ERR_SLOT_EMPTY);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NULL);
    return 0;
}
KTEST(copy_err_source_empty) { return src_empty(bi, op_copy); }
KTEST(mint_err_source_empty) { return src_empty(bi, op_mint); }
KTEST(move_err_source_empty) { return src_empty(bi, op_move); }
KTEST(mutate_err_source_empty) { return src_empty(bi, op_mutate); }

static const char *dest_occupied(const struct mica_bootinfo *bi, two_slot_op op)
{
    mica_cptr_t ut = UT();
    MAKE(ut, MICA_OBJ_ENDPOINT, 0, 0, 1);
    MAKE(ut, MICA_OBJ_FRAME_4K, 0, 1, 1);
    struct mica_sysret r = op(bi, ktest_slot(bi, 1), ktest_slot(bi, 0));
    CHECK_EQ(r.status, MICA_ERR_SLOT_OCCUPIED);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_ENDPOINT);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_FRAME_4K);
    /* Onto itself. */
    r = op(bi, ktest_slot(bi, 0), ktest_slot(bi, 0));
    CHECK_EQ(r.status, MICA_ERR_SLOT_OCCUPIED);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_ENDPOINT);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}
KTEST(copy_err_dest_occupied) { return dest_occupied(bi, op_copy); }
KTEST(mint_err_dest_occupied) { return dest_occupied(bi, op_mint); }
KTEST(move_err_dest_occupied_and_onto_itself) { return dest_occupied(bi, op_move); }
KTEST(mutate_err_dest_occupied_and_onto_itself) { return dest_occupied(bi, op_mutate); }

KTEST(copy_err_untyped)
{
    mica_cptr_t ut = UT();
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 0), D, ROOT, ut, D, MICA_RIGHTS_ALL).status,
             MICA_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_NULL);
    return 0;
}

KTEST(copy_err_invalid_rights)
{
    mica_cptr_t ut = UT();
    MAKE(ut, MICA_OBJ_ENDPOINT, 0, 0, 1);
    struct mica_sysret r = mica_cnode_copy(ROOT, ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 0), D, 0x10);
    CHECK_EQ(r.status, MICA_ERR_INVALID_ARGUMENT);
    CHECK_EQ(r.value, 0x10);
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 0), D, 0x80000000u).status,
             MICA_ERR_INVALID_ARGUMENT);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NULL);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

/* Rights is a 64-bit word: bit 32 set is invalid, not truncated away. */
KTEST(mint_err_invalid_rights_64bit)
{
    mica_cptr_t ut = UT(), root = ROOT;
    MAKE(ut, MICA_OBJ_ENDPOINT, 0, 0, 1);
    mica_word_t mr[] = { ktest_slot(bi, 1), D, ktest_slot(bi, 0), D, 1ull << 32 | MICA_RIGHTS_ALL, 0 };
    CHECK_EQ(mica_invoke(ROOT, MICA_CNODE_MINT, mr, 6, &root, 1).status, MICA_ERR_INVALID_ARGUMENT);
    CHECK_EQ(mica_invoke(ROOT, MICA_CNODE_COPY, mr, 5, &root, 1).status, MICA_ERR_INVALID_ARGUMENT);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NULL);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

/* ------------------------------------------------------------ lookup errors */

static const char *expect_lookup(struct mica_sysret r, unsigned kind, unsigned bits_left)
{
    CHECK_EQ(r.status, MICA_ERR_LOOKUP_FAILED);
    CHECK_EQ(MICA_LOOKUP_KIND(r.value), kind);
    CHECK_EQ(MICA_LOOKUP_BITS_LEFT(r.value), bits_left);
    return 0;
}
#define EXPECT_LOOKUP(call, kind, left)                                                 \
    do {                                                                                \
        const char *_why = expect_lookup((call), (kind), (left));                       \
        if (_why)                                                                       \
            return _why;                                                                \
    } while (0)

KTEST(depth_0_is_range)
{
    mica_cptr_t ut = UT();
    MAKE(ut, MICA_OBJ_ENDPOINT, 0, 0, 1);
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 1), 0, ROOT, ktest_slot(bi, 0), D, MICA_RIGHTS_ALL).status,
             MICA_ERR_RANGE);
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 0), 0, MICA_RIGHTS_ALL).status,
             MICA_ERR_RANGE);
    CHECK_EQ(mica_cnode_move(ROOT, ktest_slot(bi, 1), 0, ROOT, ktest_slot(bi, 0), D).status, MICA_ERR_RANGE);
    CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 0), 0).status, MICA_ERR_RANGE);
    CHECK_EQ(mica_cnode_revoke(ROOT, ktest_slot(bi, 0), 0).status, MICA_ERR_RANGE);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_ENDPOINT);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NULL);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

KTEST(depth_65_is_range)
{
    mica_cptr_t ut = UT();
    MAKE(ut, MICA_OBJ_ENDPOINT, 0, 0, 1);
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 1), 65, ROOT, ktest_slot(bi, 0), D, MICA_RIGHTS_ALL).status,
             MICA_ERR_RANGE);
    CHECK_EQ(mica_cnode_mint(ROOT, ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 0), 65, MICA_RIGHTS_ALL, 1).status,
             MICA_ERR_RANGE);
    CHECK_EQ(mica_cnode_mutate(ROOT, ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 0), 65, 1).status, MICA_ERR_RANGE);
    CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 0), 65).status, MICA_ERR_RANGE);
    CHECK_EQ(mica_cnode_revoke(ROOT, ktest_slot(bi, 0), 65).status, MICA_ERR_RANGE);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_ENDPOINT);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NULL);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

/* A 64-bit depth of 2^32 + 64 is out of range, not 64. */
KTEST(depth_64bit_not_truncated)
{
    mica_cptr_t ut = UT(), root = ROOT;
    MAKE(ut, MICA_OBJ_ENDPOINT, 0, 0, 1);
    mica_word_t del[] = { ktest_slot(bi, 0), 1ull << 32 | 64 };
    CHECK_EQ(mica_invoke(ROOT, MICA_CNODE_DELETE, del, 2, 0, 0).status, MICA_ERR_RANGE);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_ENDPOINT);
    mica_word_t cp[] = { ktest_slot(bi, 1), D, ktest_slot(bi, 0), 1ull << 32 | 64, MICA_RIGHTS_ALL };
    CHECK_EQ(mica_invoke(ROOT, MICA_CNODE_COPY, cp, 5, &root, 1).status, MICA_ERR_RANGE);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NULL);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

/* Through the root (52-bit guard, radix 12), depth 63 does not end at a slot. */
KTEST(depth_not_ending_at_slot)
{
    mica_cptr_t ut = UT();
    MAKE(ut, MICA_OBJ_ENDPOINT, 0, 0, 1);
    EXPECT_LOOKUP(mica_cnode_delete(ROOT, ktest_slot(bi, 0), 63), MICA_LOOKUP_DEPTH_MISMATCH, 63);
    EXPECT_LOOKUP(mica_cnode_copy(ROOT, ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 0), 63, MICA_RIGHTS_ALL),
                  MICA_LOOKUP_DEPTH_MISMATCH, 63);
    /* 12 bits: not even the guard fits. */
    EXPECT_LOOKUP(mica_cnode_delete(ROOT, ktest_slot(bi, 0), 12), MICA_LOOKUP_GUARD_MISMATCH, 12);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_ENDPOINT);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

/* Bits left over after reaching a non-CNode cap, or an empty slot. */
KTEST(depth_past_non_cnode_or_empty_slot)
{
    mica_cptr_t ut = UT();
    MAKE(ut, MICA_OBJ_ENDPOINT, 0, 0, 1);
    mica_word_t r0 = root_copy(bi, 1, 0);
    CHECK(r0);
    EXPECT_LOOKUP(mica_cnode_delete(r0, ktest_slot(bi, 0) << 1, 13), MICA_LOOKUP_DEPTH_MISMATCH, 1);
    EXPECT_LOOKUP(mica_cnode_delete(r0, ktest_slot(bi, 2) << 1, 13), MICA_LOOKUP_MISSING_CAP, 1);
    EXPECT_LOOKUP(mica_cnode_copy(ROOT, ktest_slot(bi, 3), D, r0, ktest_slot(bi, 0) << 4, 16, MICA_RIGHTS_ALL),
                  MICA_LOOKUP_DEPTH_MISMATCH, 4);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_ENDPOINT);
    CHECK_EQ(mica_cnode_delete(ROOT, r0, D).status, MICA_OK);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

/* An index with bits set above the slot number does not match the root's guard. */
KTEST(index_high_bits_guard_mismatch)
{
    mica_cptr_t ut = UT();
    MAKE(ut, MICA_OBJ_ENDPOINT, 0, 0, 1);
    EXPECT_LOOKUP(mica_cnode_delete(ROOT, 1ull << 63 | ktest_slot(bi, 0), D), MICA_LOOKUP_GUARD_MISMATCH, 64);
    EXPECT_LOOKUP(mica_cnode_delete(ROOT, 1ull << 12 | ktest_slot(bi, 0), D), MICA_LOOKUP_GUARD_MISMATCH, 64);
    EXPECT_LOOKUP(mica_cnode_copy(ROOT, 1ull << 40 | ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 0), D,
                                  MICA_RIGHTS_ALL), MICA_LOOKUP_GUARD_MISMATCH, 64);
    EXPECT_LOOKUP(mica_cnode_move(ROOT, ktest_slot(bi, 1), D, ROOT, 1ull << 52 | ktest_slot(bi, 0), D),
                  MICA_LOOKUP_GUARD_MISMATCH, 64);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_ENDPOINT);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NULL);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

/* ------------------------------------------------------------ invoked-cap errors */

KTEST(invoke_empty_slot_is_invalid_cap)
{
    CHECK_EQ(mica_cnode_delete(ktest_slot(bi, 0), 0, 1).status, MICA_ERR_INVALID_CAP);
    CHECK_EQ(mica_cnode_revoke(MICA_CAP_NULL, 0, 1).status, MICA_ERR_INVALID_CAP);
    CHECK_EQ(mica_cnode_copy(ktest_slot(bi, 0), 0, 1, ROOT, ROOT, D, MICA_RIGHTS_ALL).status,
             MICA_ERR_INVALID_CAP);
    return 0;
}

KTEST(invoke_cptr_lookup_fails)
{
    EXPECT_LOOKUP(mica_cnode_delete(1ull << 63 | ROOT, ktest_slot(bi, 0), D), MICA_LOOKUP_GUARD_MISMATCH, 64);
    EXPECT_LOOKUP(mica_cnode_revoke(1ull << 12 | ROOT, ktest_slot(bi, 0), D), MICA_LOOKUP_GUARD_MISMATCH, 64);
    return 0;
}

/* CNode labels on caps that are not CNodes (a Call on an endpoint is IPC,
 * not an invocation: a notification stands in for "no invocations"). */
KTEST(invoke_cnode_label_on_other_caps)
{
    mica_cptr_t ut = UT();
    MAKE(ut, MICA_OBJ_NOTIFICATION, 0, 0, 1);
    CHECK_EQ(mica_cnode_delete(ktest_slot(bi, 0), 0, 1).status, MICA_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(mica_cnode_revoke(MICA_CAP_INIT_TCB, 0, 1).status, MICA_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(mica_cnode_delete(ut, 0, 1).status, MICA_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(mica_cnode_copy(MICA_CAP_INIT_VSPACE, 0, 1, ROOT, ktest_slot(bi, 0), D, MICA_RIGHTS_ALL).status,
             MICA_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_NOTIFICATION);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

KTEST(cnode_err_wrong_label)
{
    mica_cptr_t root = ROOT;
    mica_word_t mr[] = { ktest_slot(bi, 0), D, ktest_slot(bi, 1), D, MICA_RIGHTS_ALL, 0 };
    static const mica_word_t labels[] = { MICA_INV_NONE, MICA_UNTYPED_RETYPE, MICA_CNODE_COPY - 1,
                                          MICA_CNODE_SAVE_CALLER + 1, MICA_TCB_CONFIGURE, MICA_FRAME_MAP,
                                          MICA_TAG_LABEL_MAX };
    for (unsigned i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
        struct mica_sysret r = mica_invoke(ROOT, labels[i], mr, 6, &root, 1);
        CHECK_EQ(r.status, MICA_ERR_ILLEGAL_OPERATION);
        CHECK_EQ(r.value, labels[i]);
    }
    CHECK_EQ(ktest_id_type(ROOT), MICA_OBJ_CNODE);
    return 0;
}

/* The source root (extra cap 0). */
KTEST(src_root_empty_is_invalid_cap)
{
    mica_cptr_t ut = UT();
    MAKE(ut, MICA_OBJ_ENDPOINT, 0, 0, 1);
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 1), D, ktest_slot(bi, 2), ktest_slot(bi, 0), D, MICA_RIGHTS_ALL).status,
             MICA_ERR_INVALID_CAP);
    CHECK_EQ(mica_cnode_move(ROOT, ktest_slot(bi, 1), D, MICA_CAP_NULL, ktest_slot(bi, 0), D).status,
             MICA_ERR_INVALID_CAP);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NULL);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

KTEST(src_root_not_cnode_is_invalid_root)
{
    mica_cptr_t ut = UT();
    MAKE(ut, MICA_OBJ_ENDPOINT, 0, 0, 1);
    EXPECT_LOOKUP(mica_cnode_copy(ROOT, ktest_slot(bi, 1), D, ktest_slot(bi, 0), ktest_slot(bi, 0), D, MICA_RIGHTS_ALL),
                  MICA_LOOKUP_INVALID_ROOT, 64);
    EXPECT_LOOKUP(mica_cnode_move(ROOT, ktest_slot(bi, 1), D, ut, ktest_slot(bi, 0), D), MICA_LOOKUP_INVALID_ROOT, 64);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NULL);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

KTEST(src_root_lookup_fails)
{
    mica_cptr_t ut = UT();
    MAKE(ut, MICA_OBJ_ENDPOINT, 0, 0, 1);
    EXPECT_LOOKUP(mica_cnode_copy(ROOT, ktest_slot(bi, 1), D, 1ull << 50 | ROOT, ktest_slot(bi, 0), D,
                                  MICA_RIGHTS_ALL), MICA_LOOKUP_GUARD_MISMATCH, 64);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NULL);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

/* ------------------------------------------------------------ truncated messages */

static const char *truncated(const struct mica_bootinfo *bi, mica_word_t label, unsigned length,
                             unsigned n_caps)
{
    mica_cptr_t ut = UT(), root = ROOT;
    MAKE(ut, MICA_OBJ_ENDPOINT, 0, 0, 1);
    /* dest index/depth, src index/depth, rights or badge, badge */
    mica_word_t mr[] = { ktest_slot(bi, 1), D, ktest_slot(bi, 0), D, MICA_RIGHTS_ALL, 0 };
    if (label == MICA_CNODE_DELETE || label == MICA_CNODE_REVOKE) {
        mr[0] = ktest_slot(bi, 0);
        mr[1] = D;
    }
    struct mica_sysret r = mica_invoke(ROOT, label, mr, length, &root, n_caps);
    CHECK_EQ(r.status, MICA_ERR_TRUNCATED);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_ENDPOINT);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NULL);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

KTEST(copy_err_truncated) { return truncated(bi, MICA_CNODE_COPY, 4, 1); }
KTEST(mint_err_truncated) { return truncated(bi, MICA_CNODE_MINT, 5, 1); }
KTEST(move_err_truncated) { return truncated(bi, MICA_CNODE_MOVE, 3, 1); }
KTEST(mutate_err_truncated) { return truncated(bi, MICA_CNODE_MUTATE, 4, 1); }
KTEST(delete_err_truncated) { return truncated(bi, MICA_CNODE_DELETE, 1, 0); }
KTEST(revoke_err_truncated) { return truncated(bi, MICA_CNODE_REVOKE, 0, 0); }
KTEST(copy_err_missing_src_root_cap) { return truncated(bi, MICA_CNODE_COPY, 5, 0); }
KTEST(move_err_missing_src_root_cap) { return truncated(bi, MICA_CNODE_MOVE, 4, 0); }

/* ------------------------------------------------------------ destruction safety */

/* Deleting the last cap to a CNode deletes what it holds: objects whose
 * last caps were inside are destroyed and their memory is free again. */
KTEST(delete_cnode_with_caps_frees_contents)
{
    unsigned bits_a, bits_b;
    mica_cptr_t ua = ktest_ram_untyped(bi, 14, &bits_a), ub = ktest_ram_untyped(bi, bits_a + 1, &bits_b);
    CHECK(ua && ub && ua != ub);
    MAKE(ua, MICA_OBJ_CNODE, 3, 0, 1);
    CHECK_EQ(mica_untyped_retype(ub, MICA_OBJ_ENDPOINT, 0, ktest_slot(bi, 0), 0, 0, 0, 3).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(ub, MICA_OBJ_TCB, 0, ktest_slot(bi, 0), 0, 0, 3, 1).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(ub, MICA_OBJ_CNODE, 2, ktest_slot(bi, 0), 0, 0, 4, 1).status, MICA_OK);
    CHECK_EQ(mica_cnode_copy(ktest_slot(bi, 0), 5, 3, ktest_slot(bi, 0), 0, 3, MICA_RIGHT_READ).status, MICA_OK);
    CHECK_EQ(mica_cnode_mint(ktest_slot(bi, 0), 6, 3, ktest_slot(bi, 0), 1, 3, MICA_RIGHTS_ALL, 4).status, MICA_OK);
    CHECK(!untyped_whole(bi, ub, bits_b));
    CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 0), D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_NULL);
    CHECK(untyped_whole(bi, ub, bits_b));
    CHECK(untyped_whole(bi, ua, bits_a));
    return 0;
}

/* Caps inside a deleted CNode whose objects have copies outside: the
 * objects live on, and the copies stay revocable from the untyped. */
KTEST(delete_cnode_keeps_objects_copied_outside)
{
    unsigned bits;
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, &bits);
    MAKE(ut, MICA_OBJ_CNODE, 2, 0, 1);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_ENDPOINT, 0, ktest_slot(bi, 0), 0, 0, 0, 1).status, MICA_OK);
    CHECK_EQ(mica_cnode_copy(ktest_slot(bi, 0), 1, 2, ktest_slot(bi, 0), 0, 2, MICA_RIGHTS_ALL).status, MICA_OK);
    CHECK_EQ(mica_cnode_mint(ROOT, ktest_slot(bi, 1), D, ktest_slot(bi, 0), 1, 2, MICA_RIGHT_WRITE, 6).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 0), D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_ENDPOINT);
    CHECK(id_badged(ktest_slot(bi, 1)));
    CHECK(!untyped_whole(bi, ut, bits));
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NULL);
    CHECK(untyped_whole(bi, ut, bits));
    return 0;
}

/* A deleted CNode holding a child untyped: the untyped cap dies, the
 * objects made from it live on under the parent untyped. */
KTEST(delete_cnode_holding_untyped_keeps_its_objects)
{
    unsigned bits;
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, &bits);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_UNTYPED, 12, ROOT, 0, 0, ktest_slot(bi, 0), 1).status, MICA_OK);
    MAKE(ut, MICA_OBJ_CNODE, 1, 1, 1);
    MAKE(ktest_slot(bi, 0), MICA_OBJ_NOTIFICATION, 0, 2, 1);
    CHECK_EQ(mica_cnode_move(ktest_slot(bi, 1), 1, 1, ROOT, ktest_slot(bi, 0), D).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 1), D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 2)), MICA_OBJ_NOTIFICATION);
    CHECK(!untyped_whole(bi, ut, bits));
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 2)), MICA_OBJ_NULL);
    CHECK(untyped_whole(bi, ut, bits));
    return 0;
}

/* Deleting a CNode that holds a copy of the root CNode cap, of the root
 * TCB and of the root VSpace leaves all three working. */
KTEST(delete_cnode_holding_root_caps)
{
    mica_cptr_t ut = UT();
    MAKE(ut, MICA_OBJ_CNODE, 2, 0, 1);
    CHECK_EQ(mica_cnode_copy(ktest_slot(bi, 0), 0, 2, ROOT, ROOT, D, MICA_RIGHTS_ALL).status, MICA_OK);
    CHECK_EQ(mica_cnode_copy(ktest_slot(bi, 0), 1, 2, ROOT, MICA_CAP_INIT_TCB, D, MICA_RIGHTS_ALL).status, MICA_OK);
    CHECK_EQ(mica_cnode_copy(ktest_slot(bi, 0), 2, 2, ROOT, MICA_CAP_INIT_VSPACE, D, MICA_RIGHTS_ALL).status,
             MICA_OK);
    CHECK_EQ(mica_cnode_copy(ktest_slot(bi, 0), 3, 2, ROOT, MICA_CAP_INIT_IPC_BUFFER, D, MICA_RIGHTS_ALL).status,
             MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 0), D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ROOT), MICA_OBJ_CNODE);
    CHECK_EQ(ktest_id_type(MICA_CAP_INIT_TCB), MICA_OBJ_TCB);
    CHECK_EQ(ktest_id_type(MICA_CAP_INIT_VSPACE), MICA_OBJ_VSPACE);
    CHECK(ktest_ident(MICA_CAP_INIT_IPC_BUFFER) & MICA_CAP_ID_MAPPED);
    /* The CSpace still resolves and the IPC buffer still carries arguments. */
    MAKE(ut, MICA_OBJ_ENDPOINT, 0, 1, 1);
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 2), D, ROOT, ktest_slot(bi, 1), D, MICA_RIGHT_GRANT).status, MICA_OK);
    CHECK_EQ(id_rights(ktest_slot(bi, 2)), MICA_RIGHT_GRANT);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

/* A CNode whose only cap sits in its own slot 0 (moved there with the
 * CNode itself as destination root) is unreachable; revoking the untyped
 * must destroy it without the kernel going round in circles. */
KTEST(cnode_holding_its_own_cap_revoked_via_untyped)
{
    unsigned bits;
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, &bits);
    MAKE(ut, MICA_OBJ_CNODE, 2, 0, 1);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_ENDPOINT, 0, ktest_slot(bi, 0), 0, 0, 1, 2).status, MICA_OK);
    CHECK_EQ(mica_cnode_move(ktest_slot(bi, 0), 0, 2, ROOT, ktest_slot(bi, 0), D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_NULL);
    CHECK(!untyped_whole(bi, ut, bits));
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    CHECK(untyped_whole(bi, ut, bits));
    /* And the kernel is fine: the CSpace works. */
    MAKE(ut, MICA_OBJ_CNODE, 2, 0, 1);
    CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 0), D).status, MICA_OK);
    CHECK(untyped_whole(bi, ut, bits));
    return 0;
}

/* CNodes holding copies of themselves and of each other (A[0], A[1] = A,
 * A[2] = B, B[0] = A): once the root's caps are deleted nothing reaches
 * them, and only a revoke of the untyped reclaims them. */
KTEST(cnode_self_copies_and_cycle_revoked_via_untyped)
{
    unsigned bits;
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, &bits);
    MAKE(ut, MICA_OBJ_CNODE, 2, 0, 2);
    CHECK_EQ(mica_cnode_copy(ktest_slot(bi, 0), 0, 2, ROOT, ktest_slot(bi, 0), D, MICA_RIGHTS_ALL).status, MICA_OK);
    CHECK_EQ(mica_cnode_copy(ktest_slot(bi, 0), 1, 2, ktest_slot(bi, 0), 0, 2, MICA_RIGHTS_ALL).status, MICA_OK);
    CHECK_EQ(mica_cnode_copy(ktest_slot(bi, 0), 2, 2, ROOT, ktest_slot(bi, 1), D, MICA_RIGHTS_ALL).status, MICA_OK);
    CHECK_EQ(mica_cnode_copy(ktest_slot(bi, 1), 0, 2, ROOT, ktest_slot(bi, 0), D, MICA_RIGHTS_ALL).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 0), D).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 1), D).status, MICA_OK);
    CHECK(!untyped_whole(bi, ut, bits));
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    CHECK(untyped_whole(bi, ut, bits));
    return 0;
}

/* Revoking a CNode cap whose copy lives inside the CNode. */
KTEST(revoke_cnode_cap_with_copy_inside_itself)
{
    mica_cptr_t ut = UT();
    MAKE(ut, MICA_OBJ_CNODE, 2, 0, 1);
    MAKE(ut, MICA_OBJ_ENDPOINT, 0, 1, 1);
    CHECK_EQ(mica_cnode_copy(ktest_slot(bi, 0), 3, 2, ROOT, ktest_slot(bi, 0), D, MICA_RIGHTS_ALL).status, MICA_OK);
    CHECK_EQ(mica_cnode_move(ktest_slot(bi, 0), 1, 2, ROOT, ktest_slot(bi, 1), D).status, MICA_OK);
    CHECK_EQ(mica_cnode_revoke(ROOT, ktest_slot(bi, 0), D).status, MICA_OK);
    /* The inner copy is gone, the CNode and its other contents stay. */
    CHECK_EQ(mica_cnode_move(ROOT, ktest_slot(bi, 2), D, ktest_slot(bi, 0), 3, 2).status, MICA_ERR_SLOT_EMPTY);
    CHECK_EQ(mica_cnode_move(ROOT, ktest_slot(bi, 2), D, ktest_slot(bi, 0), 1, 2).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 2)), MICA_OBJ_ENDPOINT);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

/* Deleting a CNode that holds the last cap to a TCB and a VSpace. */
KTEST(delete_cnode_holding_last_tcb_and_vspace)
{
    unsigned bits;
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, &bits);
    MAKE(ut, MICA_OBJ_CNODE, 1, 0, 1);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_TCB, 0, ktest_slot(bi, 0), 0, 0, 0, 1).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_VSPACE, 0, ktest_slot(bi, 0), 0, 0, 1, 1).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 0), D).status, MICA_OK);
    CHECK(untyped_whole(bi, ut, bits));
    return 0;
}

/* A TCB whose CSpace slot holds the last cap to a CNode (and whose VSpace
 * slot the last cap to a VSpace): deleting the TCB's last cap destroys all
 * three, so the untyped is whole again without a revoke. */
KTEST(delete_tcb_destroys_its_last_cspace_and_vspace)
{
    unsigned bits;
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, &bits);
    MAKE(ut, MICA_OBJ_TCB, 0, 0, 1);
    MAKE(ut, MICA_OBJ_CNODE, 2, 1, 1);
    MAKE(ut, MICA_OBJ_VSPACE, 0, 2, 1);
    MAKE(ut, MICA_OBJ_ENDPOINT, 0, 3, 1);
    CHECK_EQ(mica_cnode_move(ktest_slot(bi, 1), 2, 2, ROOT, ktest_slot(bi, 3), D).status, MICA_OK);
    CHECK_EQ(mica_tcb_configure(ktest_slot(bi, 0), 0, ktest_slot(bi, 1), 0, ktest_slot(bi, 2), 0, 0, 0, 0).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 1), D).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 2), D).status, MICA_OK);
    CHECK(!untyped_whole(bi, ut, bits));
    CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 0), D).status, MICA_OK);
    CHECK(untyped_whole(bi, ut, bits));
    return 0;
}

/* A TCB and its CSpace CNode holding the only caps to each other (the
 * TCB's cap in the CNode, the CNode's in the TCB), unreachable from the
 * root: revoking the untyped destroys both. */
KTEST(tcb_and_cnode_holding_each_other_revoked_via_untyped)
{
    unsigned bits;
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, &bits);
    MAKE(ut, MICA_OBJ_TCB, 0, 0, 1);
    MAKE(ut, MICA_OBJ_CNODE, 2, 1, 1);
    MAKE(ut, MICA_OBJ_VSPACE, 0, 2, 1);
    CHECK_EQ(mica_tcb_configure(ktest_slot(bi, 0), 0, ktest_slot(bi, 1), 0, ktest_slot(bi, 2), 0, 0, 0, 0).status, MICA_OK);
    CHECK_EQ(mica_cnode_move(ktest_slot(bi, 1), 0, 2, ROOT, ktest_slot(bi, 0), D).status, MICA_OK);
    CHECK_EQ(mica_cnode_move(ktest_slot(bi, 1), 1, 2, ROOT, ktest_slot(bi, 2), D).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 1), D).status, MICA_OK);
    for (unsigned i = 0; i < 3; i++)
        CHECK_EQ(ktest_id_type(ktest_slot(bi, i)), MICA_OBJ_NULL);
    CHECK(!untyped_whole(bi, ut, bits));
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    CHECK(untyped_whole(bi, ut, bits));
    return 0;
}

const struct ktest cnode_tests[] = {
    { "copy_endpoint_is_same_object", copy_endpoint_is_same_object },
    { "copy_only_read", copy_only_read },
    { "copy_only_write", copy_only_write },
    { "copy_only_grant", copy_only_grant },
    { "copy_only_grant_reply", copy_only_grant_reply },
    { "copy_no_rights", copy_no_rights },
    { "copy_drops_each_right", copy_drops_each_right },
    { "copy_rights_are_intersection", copy_rights_are_intersection },
    { "copy_of_mapped_frame_is_unmapped", copy_of_mapped_frame_is_unmapped },
    { "copy_cnode_names_same_slots", copy_cnode_names_same_slots },
    { "copy_cnode_keeps_guard", copy_cnode_keeps_guard },
    { "mint_endpoint_badge", mint_endpoint_badge },
    { "mint_notification_badge", mint_notification_badge },
    { "mint_badge_and_reduce_rights", mint_badge_and_reduce_rights },
    { "mint_badge_zero_leaves_unbadged", mint_badge_zero_leaves_unbadged },
    { "mint_badged_with_zero_keeps_badge", mint_badged_with_zero_keeps_badge },
    { "mint_err_second_badge", mint_err_second_badge },
    { "mint_err_badge_on_frame", mint_err_badge_on_frame },
    { "mint_err_badge_on_tcb", mint_err_badge_on_tcb },
    { "mint_err_badge_on_vspace", mint_err_badge_on_vspace },
    { "copy_of_page_tables_refused", copy_of_page_tables_refused },
    { "mint_err_untyped", mint_err_untyped },
    { "mint_cnode_guard_matching_lookup", mint_cnode_guard_matching_lookup },
    { "mint_cnode_guard_mismatch", mint_cnode_guard_mismatch },
    { "mint_cnode_guard_depth_too_short", mint_cnode_guard_depth_too_short },
    { "mint_cnode_guard_60_bits", mint_cnode_guard_60_bits },
    { "mint_err_cnode_guard_too_long", mint_err_cnode_guard_too_long },
    { "mint_err_cnode_guard_value_too_wide", mint_err_cnode_guard_value_too_wide },
    { "mint_root_cnode_guard_variants", mint_root_cnode_guard_variants },
    { "cnode_cap_without_rights_still_works", cnode_cap_without_rights_still_works },
    { "move_keeps_cap_unchanged", move_keeps_cap_unchanged },
    { "move_keeps_derivation_from_parent", move_keeps_derivation_from_parent },
    { "move_keeps_children", move_keeps_children },
    { "move_last_cap_keeps_object", move_last_cap_keeps_object },
    { "move_between_cnodes", move_between_cnodes },
    { "mutate_sets_badge_while_moving", mutate_sets_badge_while_moving },
    { "mutate_badge_zero_is_plain_move", mutate_badge_zero_is_plain_move },
    { "mutate_err_second_badge", mutate_err_second_badge },
    { "mutate_err_badge_on_frame", mutate_err_badge_on_frame },
    { "mutate_cnode_sets_guard", mutate_cnode_sets_guard },
    { "mutate_untyped", mutate_untyped },
    { "delete_empty_slot_ok", delete_empty_slot_ok },
    { "revoke_empty_slot_ok", revoke_empty_slot_ok },
    { "revoke_without_children_ok", revoke_without_children_ok },
    { "revoke_removes_subtree_only", revoke_removes_subtree_only },
    { "delete_with_children_keeps_them_revocable", delete_with_children_keeps_them_revocable },
    { "delete_original_copies_stay_under_untyped", delete_original_copies_stay_under_untyped },
    { "delete_and_revoke_in_nested_cnode", delete_and_revoke_in_nested_cnode },
    { "revoked_copy_is_gone", revoked_copy_is_gone },
    { "copy_err_source_empty", copy_err_source_empty },
    { "mint_err_source_empty", mint_err_source_empty },
    { "move_err_source_empty", move_err_source_empty },
    { "mutate_err_source_empty", mutate_err_source_empty },
    { "copy_err_dest_occupied", copy_err_dest_occupied },
    { "mint_err_dest_occupied", mint_err_dest_occupied },
    { "move_err_dest_occupied_and_onto_itself", move_err_dest_occupied_and_onto_itself },
    { "mutate_err_dest_occupied_and_onto_itself", mutate_err_dest_occupied_and_onto_itself },
    { "copy_err_untyped", copy_err_untyped },
    { "copy_err_invalid_rights", copy_err_invalid_rights },
    { "mint_err_invalid_rights_64bit", mint_err_invalid_rights_64bit },
    { "depth_0_is_range", depth_0_is_range },
    { "depth_65_is_range", depth_65_is_range },
    { "depth_64bit_not_truncated", depth_64bit_not_truncated },
    { "depth_not_ending_at_slot", depth_not_ending_at_slot },
    { "depth_past_non_cnode_or_empty_slot", depth_past_non_cnode_or_empty_slot },
    { "index_high_bits_guard_mismatch", index_high_bits_guard_mismatch },
    { "invoke_empty_slot_is_invalid_cap", invoke_empty_slot_is_invalid_cap },
    { "invoke_cptr_lookup_fails", invoke_cptr_lookup_fails },
    { "invoke_cnode_label_on_other_caps", invoke_cnode_label_on_other_caps },
    { "cnode_err_wrong_label", cnode_err_wrong_label },
    { "src_root_empty_is_invalid_cap", src_root_empty_is_invalid_cap },
    { "src_root_not_cnode_is_invalid_root", src_root_not_cnode_is_invalid_root },
    { "src_root_lookup_fails", src_root_lookup_fails },
    { "copy_err_truncated", copy_err_truncated },
    { "mint_err_truncated", mint_err_truncated },
    { "move_err_truncated", move_err_truncated },
    { "mutate_err_truncated", mutate_err_truncated },
    { "delete_err_truncated", delete_err_truncated },
    { "revoke_err_truncated", revoke_err_truncated },
    { "copy_err_missing_src_root_cap", copy_err_missing_src_root_cap },
    { "move_err_missing_src_root_cap", move_err_missing_src_root_cap },
    { "delete_cnode_with_caps_frees_contents", delete_cnode_with_caps_frees_contents },
    { "delete_cnode_keeps_objects_copied_outside", delete_cnode_keeps_objects_copied_outside },
    { "delete_cnode_holding_untyped_keeps_its_objects",
      delete_cnode_holding_untyped_keeps_its_objects },
    { "delete_cnode_holding_root_caps", delete_cnode_holding_root_caps },
    { "cnode_holding_its_own_cap_revoked_via_untyped", cnode_holding_its_own_cap_revoked_via_untyped },
    { "cnode_self_copies_and_cycle_revoked_via_untyped",
      cnode_self_copies_and_cycle_revoked_via_untyped },
    { "revoke_cnode_cap_with_copy_inside_itself", revoke_cnode_cap_with_copy_inside_itself },
    { "delete_cnode_holding_last_tcb_and_vspace", delete_cnode_holding_last_tcb_and_vspace },
    { "delete_tcb_destroys_its_last_cspace_and_vspace", delete_tcb_destroys_its_last_cspace_and_vspace },
    { "tcb_and_cnode_holding_each_other_revoked_via_untyped",
      tcb_and_cnode_holding_each_other_revoked_via_untyped },
    { 0, 0 },
};
