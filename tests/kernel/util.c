/*
 * Helpers shared by the test files (declared in ktest.h): slot names, the
 * choice of a boot untyped, cap identification, and the leak check that
 * the KTEST wrapper runs after every test.
 */
#include "ktest.h"
#include <mica_invoke.h>

#define ROOT MICA_CAP_INIT_CNODE
#define D 64 /* depth that names a slot of the root CNode */

mica_word_t ktest_slot(const struct mica_bootinfo *bi, unsigned i)
{
    return bi->slot_empty_first + i;
}

mica_cptr_t ktest_ram_untyped(const struct mica_bootinfo *bi, unsigned min_bits, unsigned *bits)
{
    mica_cptr_t best = 0;
    unsigned best_bits = 99;
    for (unsigned i = 0; i < bi->n_untyped; i++) {
        unsigned b = bi->untyped[i].size_bits;
        if (!(bi->untyped[i].flags & MICA_UNTYPED_DEVICE) && b >= min_bits && b < best_bits) {
            best = bi->slot_untyped_first + i;
            best_bits = b;
        }
    }
    if (bits)
        *bits = best_bits;
    return best;
}

mica_cptr_t ktest_largest_ram_untyped(const struct mica_bootinfo *bi, unsigned *bits)
{
    mica_cptr_t best = 0;
    unsigned best_bits = 0;
    for (unsigned i = 0; i < bi->n_untyped; i++) {
        unsigned b = bi->untyped[i].size_bits;
        if (!(bi->untyped[i].flags & MICA_UNTYPED_DEVICE) && b > best_bits) {
            best = bi->slot_untyped_first + i;
            best_bits = b;
        }
    }
    if (bits)
        *bits = best_bits;
    return best;
}

mica_word_t ktest_ident(mica_cptr_t c)
{
    struct mica_sysret r = mica_debug_cap_identify(c);
    return r.status ? ~0ull : r.value;
}

unsigned ktest_id_type(mica_cptr_t c)
{
    struct mica_sysret r = mica_debug_cap_identify(c);
    return r.status ? 0xffff : MICA_CAP_ID_TYPE(r.value);
}

const char *ktest_cleanup(const struct mica_bootinfo *bi, int report)
{
    const char *leak = 0;
    /* The whole free range, which every test file draws its slots from;
     * the fixed caps and the boot untypeds lie below slot_empty_first. */
    unsigned n_slots = (unsigned)(bi->slot_empty_end - bi->slot_empty_first);
    for (unsigned i = 0; i < n_slots; i++) {
        unsigned type = ktest_id_type(ktest_slot(bi, i));
        if (type != MICA_OBJ_NULL) {
            if (report && !leak)
                leak = ktest_failf("left slot(%u) in use (type %u)", i, type);
            mica_cnode_delete(ROOT, ktest_slot(bi, i), D);
        }
    }
    /* Emptied above; the retype below only borrows it. */
    mica_word_t spare = ktest_slot(bi, n_slots - 1);
    for (unsigned i = 0; i < bi->n_untyped; i++) {
        mica_cptr_t ut = bi->slot_untyped_first + i;
        /* An untyped without live children can be retyped whole. */
        struct mica_sysret r = mica_untyped_retype(ut, MICA_OBJ_UNTYPED, bi->untyped[i].size_bits,
                                                   ROOT, 0, 0, spare, 1);
        if (report && r.status != MICA_OK && !leak)
            leak = ktest_failf("left untyped %u (slot %llu) with children (retype: %llu)", i,
                               (unsigned long long)ut, (unsigned long long)r.status);
        mica_cnode_revoke(ROOT, ut, D);
    }
    return leak;
}

const char *ktest_run(const struct mica_bootinfo *bi, ktest_fn body)
{
    /* The number of the last test that ended with a cleanup: if it was the
     * one just before this, the CSpace is known to be clean already. */
    static unsigned cleaned = ~0u;
    if (cleaned + 1 != ktest_started)
        ktest_cleanup(bi, 0);
    const char *why = body(bi);
    /* A failure's reason lives in ktest_failf's buffer: report no leak over it. */
    const char *leak = ktest_cleanup(bi, !why);
    cleaned = ktest_started;
    return why ? why : leak;
}
