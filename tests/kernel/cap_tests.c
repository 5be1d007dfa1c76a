/*
 * Capabilities and untyped memory: the main success paths of CNode and
 * Untyped invocations, and the memory accounting that makes them exact.
 * Every test runs under KTEST (ktest.h), which checks it leaves no caps
 * behind and every boot untyped free of children.
 */
#include "ktest.h"
#include <mica_invoke.h>

#define ROOT MICA_CAP_INIT_CNODE
#define D 64 /* depth that names a slot of the root CNode */

KTEST(initial_cspace)
{
    CHECK_EQ(ktest_id_type(MICA_CAP_NULL), MICA_OBJ_NULL);
    CHECK_EQ(ktest_id_type(MICA_CAP_INIT_TCB), MICA_OBJ_TCB);
    CHECK_EQ(ktest_id_type(MICA_CAP_INIT_CNODE), MICA_OBJ_CNODE);
    CHECK_EQ(ktest_id_type(MICA_CAP_INIT_VSPACE), MICA_OBJ_VSPACE);
    CHECK_EQ(ktest_id_type(MICA_CAP_INIT_IPC_BUFFER), MICA_OBJ_FRAME_4K);
    CHECK_EQ(ktest_id_type(MICA_CAP_BOOTINFO_FRAME), MICA_OBJ_FRAME_4K);
    CHECK_EQ(MICA_CAP_ID_SIZE_BITS(mica_debug_cap_identify(ROOT).value), MICA_ROOT_CNODE_BITS);
    CHECK_EQ(bi->root_cnode_bits, MICA_ROOT_CNODE_BITS);
    for (unsigned i = 0; i < bi->n_untyped; i++) {
        struct mica_sysret r = mica_debug_cap_identify(bi->slot_untyped_first + i);
        CHECK_EQ(MICA_CAP_ID_TYPE(r.value), MICA_OBJ_UNTYPED);
        CHECK_EQ(MICA_CAP_ID_SIZE_BITS(r.value), bi->untyped[i].size_bits);
    }
    CHECK_EQ(bi->slot_empty_first, bi->slot_untyped_first + bi->n_untyped);
    CHECK_EQ(bi->slot_empty_end, 1u << MICA_ROOT_CNODE_BITS);
    for (mica_word_t s = bi->slot_empty_first; s < bi->slot_empty_end; s += 97)
        CHECK_EQ(ktest_id_type(s), MICA_OBJ_NULL);
    return 0;
}

KTEST(retype_and_revoke)
{
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, 0);
    CHECK(ut);
    struct mica_sysret r = mica_untyped_retype(ut, MICA_OBJ_ENDPOINT, 0, ROOT, 0, 0, ktest_slot(bi, 0), 4);
    CHECK_EQ(r.status, MICA_OK);
    for (unsigned i = 0; i < 4; i++)
        CHECK_EQ(ktest_id_type(ktest_slot(bi, i)), MICA_OBJ_ENDPOINT);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    for (unsigned i = 0; i < 4; i++)
        CHECK_EQ(ktest_id_type(ktest_slot(bi, i)), MICA_OBJ_NULL);
    CHECK_EQ(ktest_id_type(ut), MICA_OBJ_UNTYPED);
    return 0;
}

/* Fill an untyped completely with 4 KiB frames, twice over: revoke must
 * make exactly the same memory available again. */
KTEST(untyped_exhaust_and_reuse)
{
    unsigned bits;
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, &bits);
    CHECK(ut && bits <= 20);
    unsigned expected = 1u << (bits - 12), made[2] = { 0, 0 };
    for (int round = 0; round < 2; round++) {
        while (made[round] < expected + 1) {
            struct mica_sysret r = mica_untyped_retype(ut, MICA_OBJ_FRAME_4K, 0, ROOT, 0, 0,
                                                       ktest_slot(bi, made[round]), 1);
            if (r.status == MICA_ERR_NOT_ENOUGH_MEMORY)
                break;
            CHECK_EQ(r.status, MICA_OK);
            made[round]++;
        }
        CHECK_EQ(made[round], expected);
        CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
        CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_NULL);
    }
    return 0;
}

KTEST(copy_mint_delete)
{
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, 0);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_ENDPOINT, 0, ROOT, 0, 0, ktest_slot(bi, 0), 1).status, MICA_OK);
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 0), D, MICA_RIGHTS_ALL).status, MICA_OK);
    CHECK_EQ(mica_cnode_mint(ROOT, ktest_slot(bi, 2), D, ROOT, ktest_slot(bi, 0), D, MICA_RIGHT_WRITE, 42).status, MICA_OK);
    struct mica_sysret r = mica_debug_cap_identify(ktest_slot(bi, 2));
    CHECK_EQ(MICA_CAP_ID_RIGHTS(r.value), MICA_RIGHT_WRITE);
    CHECK(r.value & MICA_CAP_ID_BADGED);
    /* A badge is set once. */
    CHECK_EQ(mica_cnode_mint(ROOT, ktest_slot(bi, 3), D, ROOT, ktest_slot(bi, 2), D, MICA_RIGHTS_ALL, 7).status,
             MICA_ERR_ILLEGAL_OPERATION);
    /* Rights never grow again. */
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 3), D, ROOT, ktest_slot(bi, 2), D, MICA_RIGHTS_ALL).status, MICA_OK);
    CHECK_EQ(MICA_CAP_ID_RIGHTS(mica_debug_cap_identify(ktest_slot(bi, 3)).value), MICA_RIGHT_WRITE);
    /* Revoking the original removes every copy and nothing else. */
    CHECK_EQ(mica_cnode_revoke(ROOT, ktest_slot(bi, 0), D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_ENDPOINT);
    for (unsigned i = 1; i < 4; i++)
        CHECK_EQ(ktest_id_type(ktest_slot(bi, i)), MICA_OBJ_NULL);
    CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 0), D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_NULL);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

/* A chain of CNodes, each holding the last cap to the next, is destroyed
 * by deleting its head; afterwards the whole untyped is free again. */
KTEST(cnode_chain_destroyed)
{
    unsigned bits;
    mica_cptr_t ut = ktest_ram_untyped(bi, 18, &bits);
    CHECK(ut);
    const unsigned n = 300;
    /* CNodes of 2 slots (128 bytes): retype each into slot 0 of the previous. */
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_CNODE, 1, ROOT, 0, 0, ktest_slot(bi, 0), 1).status, MICA_OK);
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 0), D, MICA_RIGHTS_ALL).status, MICA_OK);
    for (unsigned i = 1; i < n; i++) {
        /* slot(1) names the newest CNode; put the next one in its slot 0,
         * then move a working copy of it into slot(1). */
        CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_CNODE, 1, ktest_slot(bi, 1), 0, 0, 0, 1).status, MICA_OK);
        CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 2), D).status, MICA_OK);
        CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 2), D, ktest_slot(bi, 1), 0, 1, MICA_RIGHTS_ALL).status, MICA_OK);
        CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 1), D).status, MICA_OK);
        CHECK_EQ(mica_cnode_move(ROOT, ktest_slot(bi, 1), D, ROOT, ktest_slot(bi, 2), D).status, MICA_OK);
    }
    CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 1), D).status, MICA_OK);
    /* Deleting the head destroys all n CNodes without recursion. */
    CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 0), D).status, MICA_OK);
    /* Nothing made from ut survives, so it can be retyped whole. */
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_UNTYPED, bits, ROOT, 0, 0, ktest_slot(bi, 0), 1).status, MICA_OK);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

/*
 * All free memory, every untyped, into frames (2 MiB where an untyped is
 * big enough, else 4 KiB), then revoke everything; three rounds must make
 * exactly the same frames: nothing leaks, nothing is lost.
 */
KTEST(all_memory_into_frames)
{
    mica_word_t first = ktest_slot(bi, 400);
    unsigned long long bytes[3] = { 0 }, frames[3] = { 0 };
    for (int round = 0; round < 3; round++) {
        mica_word_t next = first;
        for (unsigned i = 0; i < bi->n_untyped; i++) {
            mica_cptr_t ut = bi->slot_untyped_first + i;
            unsigned bits = bi->untyped[i].size_bits;
            if (bi->untyped[i].flags & MICA_UNTYPED_DEVICE)
                continue; /* device memory is not "free memory" */
            unsigned frame_bits = bits >= 21 ? 21 : 12;
            unsigned type = bits >= 21 ? MICA_OBJ_FRAME_2M : MICA_OBJ_FRAME_4K;
            unsigned long left = 1ul << (bits - frame_bits);
            while (left) {
                unsigned n = left > MICA_RETYPE_MAX_OBJECTS ? MICA_RETYPE_MAX_OBJECTS : (unsigned)left;
                if (next + n > bi->slot_empty_end)
                    return ktest_failf("out of slots at untyped %u", i);
                struct mica_sysret r = mica_untyped_retype(ut, type, 0, ROOT, 0, 0, next, n);
                if (r.status)
                    return ktest_failf("round %d untyped %u (2^%u): retype %u frames: error %lu",
                                       round, i, bits, n, r.status);
                next += n;
                left -= n;
                frames[round] += n;
                bytes[round] += (unsigned long long)n << frame_bits;
            }
        }
        for (unsigned i = 0; i < bi->n_untyped; i++)
            CHECK_EQ(mica_cnode_revoke(ROOT, bi->slot_untyped_first + i, D).status, MICA_OK);
        CHECK_EQ(ktest_id_type(first), MICA_OBJ_NULL);
        CHECK_EQ(ktest_id_type(next - 1), MICA_OBJ_NULL);
    }
    CHECK_EQ(bytes[0], bi->ram_free);
    CHECK_EQ(bytes[1], bytes[0]);
    CHECK_EQ(bytes[2], bytes[0]);
    CHECK_EQ(frames[1], frames[0]);
    CHECK_EQ(frames[2], frames[0]);
    return 0;
}

/* Device untyped (MMIO space) becomes frames or smaller untyped only. */
KTEST(device_untyped)
{
    mica_cptr_t dev = 0;
    for (unsigned i = 0; i < bi->n_untyped && !dev; i++)
        if ((bi->untyped[i].flags & MICA_UNTYPED_DEVICE) && bi->untyped[i].size_bits >= 21)
            dev = bi->slot_untyped_first + i;
    CHECK(dev);
    static const unsigned refused[] = { MICA_OBJ_TCB, MICA_OBJ_ENDPOINT, MICA_OBJ_NOTIFICATION,
                                        MICA_OBJ_CNODE, MICA_OBJ_VSPACE, MICA_OBJ_PAGE_TABLE };
    for (unsigned i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        struct mica_sysret r = mica_untyped_retype(dev, refused[i], 4, ROOT, 0, 0, ktest_slot(bi, 0), 1);
        if (r.status != MICA_ERR_INVALID_ARGUMENT)
            return ktest_failf("device memory became object type %u (status %lu)", refused[i], r.status);
    }
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_NULL);
    CHECK_EQ(mica_untyped_retype(dev, MICA_OBJ_FRAME_4K, 0, ROOT, 0, 0, ktest_slot(bi, 0), 2).status, MICA_OK);
    CHECK_EQ(mica_untyped_retype(dev, MICA_OBJ_UNTYPED, 16, ROOT, 0, 0, ktest_slot(bi, 2), 1).status, MICA_OK);
    /* A child untyped of device memory is device memory too. */
    CHECK_EQ(mica_untyped_retype(ktest_slot(bi, 2), MICA_OBJ_ENDPOINT, 0, ROOT, 0, 0, ktest_slot(bi, 3), 1).status,
             MICA_ERR_INVALID_ARGUMENT);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_FRAME_4K);
    CHECK_EQ(mica_cnode_revoke(ROOT, dev, D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 2)), MICA_OBJ_NULL);
    return 0;
}

const struct ktest cap_tests[] = {
    { "untyped_device_only_frames_and_untyped", device_untyped },
    { "untyped_all_memory_into_frames_three_times", all_memory_into_frames },
    { "cspace_initial_caps", initial_cspace },
    { "untyped_retype_endpoints_then_revoke", retype_and_revoke },
    { "untyped_exhaust_revoke_reuse_twice", untyped_exhaust_and_reuse },
    { "cnode_copy_mint_badge_rights_revoke_delete", copy_mint_delete },
    { "cnode_chain_of_300_destroyed_iteratively", cnode_chain_destroyed },
    { 0, 0 },
};
