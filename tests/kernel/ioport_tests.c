/*
 * IOPortControl and IOPort (docs/objects/ioport.md): issuing port ranges,
 * real port input and output (COM1's scratch register, PCI configuration
 * mechanism #1), the range checks of every access, refusal of overlapping
 * and kernel-owned ranges, and the life cycle of a range: it stays issued
 * while any copy of its cap exists and can be issued again after the last
 * one is deleted or revoked.
 */
#include "ktest.h"
#include <mica_device.h>
#include <mica_invoke.h>

#define ROOT MICA_CAP_INIT_CNODE
#define CTRL MICA_CAP_IOPORT_CONTROL
#define D 64 /* depth that names a slot of the root CNode */

#define COM1     0x3f8
#define COM1_END 0x3ff
#define COM1_MCR 0x3fc /* modem control */
#define COM1_SCR 0x3ff /* 16550 scratch register: free for anyone, the kernel never uses it */
#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_CONFIG_DATA    0xcfc

/* Issue ports first..last into slot(i). */
static struct mica_sysret issue(const struct mica_bootinfo *bi, unsigned first, unsigned last,
                                unsigned i)
{
    return mica_ioport_issue(CTRL, first, last, ROOT, ktest_slot(bi, i), D);
}

/* Raw invocation with `n` message registers. */
static struct mica_sysret raw(mica_cptr_t cap, mica_word_t label, const mica_word_t *mr, unsigned n)
{
    return mica_invoke(cap, label, mr, n, 0, 0);
}

/* ---------------------------------------------------------------- success */

KTEST(issue_and_use_com1_scratch)
{
    mica_cptr_t p = ktest_slot(bi, 0);
    CHECK_EQ(issue(bi, COM1, COM1_END, 0).status, MICA_OK);
    mica_word_t w = ktest_ident(p);
    CHECK_EQ(MICA_CAP_ID_TYPE(w), MICA_OBJ_IOPORT);
    CHECK_EQ(MICA_CAP_ID_RIGHTS(w), MICA_RIGHTS_ALL);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NULL);
    static const uint8_t patterns[] = { 0x5a, 0xa5, 0x00, 0xff };
    for (unsigned i = 0; i < sizeof(patterns); i++) {
        CHECK_EQ(mica_ioport_out8(p, COM1_SCR, patterns[i]).status, MICA_OK);
        struct mica_sysret r = mica_ioport_in8(p, COM1_SCR);
        CHECK_EQ(r.status, MICA_OK);
        CHECK_EQ(r.value, patterns[i]);
    }
    CHECK_EQ(mica_cnode_delete(ROOT, p, D).status, MICA_OK);
    return 0;
}

/* 16- and 32-bit accesses: the PCI host bridge 00:00.0's ID through
 * configuration mechanism #1 (q35: Intel 0x8086, MCH 0x29c0). */
KTEST(in16_in32_pci_config_ids)
{
    mica_cptr_t p = ktest_slot(bi, 0);
    CHECK_EQ(issue(bi, PCI_CONFIG_ADDRESS, PCI_CONFIG_DATA + 3, 0).status, MICA_OK);
    struct mica_sysret old = mica_ioport_in32(p, PCI_CONFIG_ADDRESS);
    CHECK_EQ(old.status, MICA_OK);
    CHECK_EQ(mica_ioport_out32(p, PCI_CONFIG_ADDRESS, 0x80000000u).status, MICA_OK); /* 00:00.0, reg 0 */
    struct mica_sysret r = mica_ioport_in32(p, PCI_CONFIG_ADDRESS);
    CHECK_EQ(r.value, 0x80000000u);
    r = mica_ioport_in32(p, PCI_CONFIG_DATA);
    CHECK_EQ(r.status, MICA_OK);
    CHECK_EQ(r.value, 0x29c08086u);
    r = mica_ioport_in16(p, PCI_CONFIG_DATA);
    CHECK_EQ(r.status, MICA_OK);
    CHECK_EQ(r.value, 0x8086);
    r = mica_ioport_in16(p, PCI_CONFIG_DATA + 2);
    CHECK_EQ(r.value, 0x29c0);
    r = mica_ioport_in8(p, PCI_CONFIG_DATA + 1);
    CHECK_EQ(r.value, 0x80);
    CHECK_EQ(mica_ioport_out32(p, PCI_CONFIG_ADDRESS, (uint32_t)old.value).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, p, D).status, MICA_OK);
    return 0;
}

/* 16- and 32-bit output: the byte that lands in the scratch register. */
KTEST(out16_out32_reach_the_device)
{
    mica_cptr_t p = ktest_slot(bi, 0);
    CHECK_EQ(issue(bi, COM1, COM1_END, 0).status, MICA_OK);
    /* 0x3fe is the read-only modem status register; the high byte goes to 0x3ff. */
    CHECK_EQ(mica_ioport_out16(p, COM1_SCR - 1, 0xa500).status, MICA_OK);
    CHECK_EQ(mica_ioport_in8(p, COM1_SCR).value, 0xa5);
    struct mica_sysret r = mica_ioport_in16(p, COM1_SCR - 1);
    CHECK_EQ(r.status, MICA_OK);
    CHECK_EQ(r.value >> 8, 0xa5);
    /* 0x3fc..0x3ff: modem control (rewritten unchanged), line and modem
     * status (read-only), scratch. */
    struct mica_sysret mcr = mica_ioport_in8(p, COM1_MCR);
    CHECK_EQ(mcr.status, MICA_OK);
    CHECK_EQ(mica_ioport_out32(p, COM1_MCR, 0x3c000000u | (uint32_t)mcr.value).status, MICA_OK);
    CHECK_EQ(mica_ioport_in8(p, COM1_SCR).value, 0x3c);
    CHECK_EQ(mica_ioport_in8(p, COM1_MCR).value, mcr.value);
    r = mica_ioport_in32(p, COM1_MCR);
    CHECK_EQ(r.value >> 24, 0x3c);
    CHECK_EQ(mica_cnode_delete(ROOT, p, D).status, MICA_OK);
    return 0;
}

/* A single port, and the very last one. */
KTEST(single_port_ranges)
{
    CHECK_EQ(issue(bi, COM1_SCR, COM1_SCR, 0).status, MICA_OK);
    CHECK_EQ(mica_ioport_out8(ktest_slot(bi, 0), COM1_SCR, 0x42).status, MICA_OK);
    CHECK_EQ(mica_ioport_in8(ktest_slot(bi, 0), COM1_SCR).value, 0x42);
    CHECK_EQ(mica_ioport_in16(ktest_slot(bi, 0), COM1_SCR).status, MICA_ERR_RANGE);
    CHECK_EQ(issue(bi, MICA_IOPORT_MAX, MICA_IOPORT_MAX, 1).status, MICA_OK);
    CHECK_EQ(mica_ioport_in8(ktest_slot(bi, 1), MICA_IOPORT_MAX).status, MICA_OK);
    /* 16 bits from 0xffff would wrap to port 0. */
    struct mica_sysret r = mica_ioport_in16(ktest_slot(bi, 1), MICA_IOPORT_MAX);
    CHECK_EQ(r.status, MICA_ERR_RANGE);
    CHECK_EQ(r.value, MICA_IOPORT_MAX);
    /* A request reaching up to it is refused at its very last port. */
    r = issue(bi, COM1_SCR + 1, MICA_IOPORT_MAX, 2);
    CHECK_EQ(r.status, MICA_ERR_IN_USE);
    CHECK_EQ(r.value, MICA_IOPORT_MAX);
    CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 0), D).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 1), D).status, MICA_OK);
    return 0;
}

/* ----------------------------------------------------- issuing: refusals */

KTEST(overlapping_issue_in_use)
{
    CHECK_EQ(issue(bi, COM1, COM1_END, 0).status, MICA_OK);
    static const struct {
        unsigned first, last, taken;
    } cases[] = {
        { COM1, COM1_END, COM1 },          /* the same range */
        { 0x3f0, COM1, COM1 },             /* touching its first port */
        { COM1_END, 0x400, COM1_END },     /* touching its last port */
        { 0x3f9, 0x3fa, 0x3f9 },           /* inside it */
        { 0x300, 0x4ff, COM1 },            /* around it */
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct mica_sysret r = issue(bi, cases[i].first, cases[i].last, 1);
        if (r.status != MICA_ERR_IN_USE || r.value != cases[i].taken)
            return ktest_failf("ports 0x%x-0x%x: status %lu detail 0x%lx, expected IN_USE 0x%x",
                               cases[i].first, cases[i].last, r.status, r.value, cases[i].taken);
        CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NULL);
    }
    /* Neighbours on both sides are free. */
    CHECK_EQ(issue(bi, 0x3f0, COM1 - 1, 1).status, MICA_OK);
    CHECK_EQ(issue(bi, COM1_END + 1, COM1_END + 1, 2).status, MICA_OK);
    for (unsigned i = 0; i < 3; i++)
        CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, i), D).status, MICA_OK);
    return 0;
}

/* The 8259 PICs stay the kernel's; the ports around them, the PIT's among
 * them, can be issued. */
KTEST(pic_ports_kernel_owned)
{
    static const struct {
        unsigned first, last, taken;
    } cases[] = {
        { 0x20, 0x21, 0x20 }, { 0x21, 0x21, 0x21 }, { 0x00, 0xff, 0x20 },
        { 0x10, 0x20, 0x20 }, { 0xa1, 0xb0, 0xa1 }, { 0x22, 0xa0, 0xa0 },
        { 0, MICA_IOPORT_MAX, 0x20 },
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct mica_sysret r = issue(bi, cases[i].first, cases[i].last, 0);
        if (r.status != MICA_ERR_IN_USE || r.value != cases[i].taken)
            return ktest_failf("ports 0x%x-0x%x: status %lu detail 0x%lx, expected IN_USE 0x%x",
                               cases[i].first, cases[i].last, r.status, r.value, cases[i].taken);
    }
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_NULL);
    CHECK_EQ(issue(bi, 0x00, 0x1f, 0).status, MICA_OK);
    CHECK_EQ(issue(bi, 0x22, 0x9f, 1).status, MICA_OK); /* PIT 0x40-0x43, 0x61 included */
    CHECK_EQ(issue(bi, 0xa2, 0xff, 2).status, MICA_OK);
    for (unsigned i = 0; i < 3; i++)
        CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, i), D).status, MICA_OK);
    return 0;
}

KTEST(issue_bad_ranges)
{
    struct mica_sysret r = issue(bi, 0x3ff, 0x3f8, 0);
    CHECK_EQ(r.status, MICA_ERR_RANGE);
    CHECK_EQ(r.value, 0x3ff);
    r = issue(bi, 0x3f8, MICA_IOPORT_MAX + 1, 0);
    CHECK_EQ(r.status, MICA_ERR_RANGE);
    CHECK_EQ(r.value, MICA_IOPORT_MAX + 1);
    mica_word_t mr[] = { 0x3f8, ~0ull, ktest_slot(bi, 0), D };
    r = mica_invoke(CTRL, MICA_IOPORT_CONTROL_ISSUE, mr, 4, (const mica_cptr_t[]){ ROOT }, 1);
    CHECK_EQ(r.status, MICA_ERR_RANGE);
    CHECK_EQ(r.value, ~0ull);
    /* first above 0xffff is also first > last. */
    mica_word_t mr2[] = { 0x10000, 0x3f8, ktest_slot(bi, 0), D };
    r = mica_invoke(CTRL, MICA_IOPORT_CONTROL_ISSUE, mr2, 4, (const mica_cptr_t[]){ ROOT }, 1);
    CHECK_EQ(r.status, MICA_ERR_RANGE);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_NULL);
    return 0;
}

KTEST(issue_bad_slots)
{
    /* Occupied: nothing is issued, so the range stays free. */
    CHECK_EQ(issue(bi, 0x2f8, 0x2ff, 0).status, MICA_OK);
    struct mica_sysret r = issue(bi, COM1, COM1_END, 0);
    CHECK_EQ(r.status, MICA_ERR_SLOT_OCCUPIED);
    CHECK_EQ(MICA_CAP_ID_TYPE(ktest_ident(ktest_slot(bi, 0))), MICA_OBJ_IOPORT);
    r = mica_ioport_issue(CTRL, COM1, COM1_END, ROOT, CTRL, D); /* the control cap's own slot */
    CHECK_EQ(r.status, MICA_ERR_SLOT_OCCUPIED);
    /* An index the root CNode does not have (its 52-bit guard is zero). */
    r = mica_ioport_issue(CTRL, COM1, COM1_END, ROOT, 1ull << 12, D);
    CHECK_EQ(r.status, MICA_ERR_LOOKUP_FAILED);
    CHECK_EQ(MICA_LOOKUP_KIND(r.value), MICA_LOOKUP_GUARD_MISMATCH);
    /* A depth that does not end at a slot. */
    r = mica_ioport_issue(CTRL, COM1, COM1_END, ROOT, ktest_slot(bi, 1), 12);
    CHECK_EQ(r.status, MICA_ERR_LOOKUP_FAILED);
    CHECK_EQ(issue(bi, COM1, COM1_END, 1).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 0), D).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 1), D).status, MICA_OK);
    return 0;
}

KTEST(issue_wrong_caps)
{
    mica_cptr_t ut = ktest_ram_untyped(bi, 16, 0);
    CHECK(ut);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_NOTIFICATION, 0, ROOT, 0, 0, ktest_slot(bi, 0), 1).status,
             MICA_OK);
    mica_cptr_t ntfn = ktest_slot(bi, 0);
    /* The destination CNode argument is not a CNode. */
    struct mica_sysret r = mica_ioport_issue(CTRL, COM1, COM1_END, ntfn, ktest_slot(bi, 1), D);
    CHECK_EQ(r.status, MICA_ERR_INVALID_CAP);
    /* ... or an empty slot. */
    r = mica_ioport_issue(CTRL, COM1, COM1_END, ktest_slot(bi, 2), ktest_slot(bi, 1), D);
    CHECK_EQ(r.status, MICA_ERR_INVALID_CAP);
    /* Issue invoked on something that is not IOPortControl. */
    r = mica_ioport_issue(ut, COM1, COM1_END, ROOT, ktest_slot(bi, 1), D);
    CHECK_EQ(r.status, MICA_ERR_ILLEGAL_OPERATION);
    r = mica_ioport_issue(MICA_CAP_IRQ_CONTROL, COM1, COM1_END, ROOT, ktest_slot(bi, 1), D);
    CHECK(r.status != MICA_OK);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NULL);
    /* IOPortControl answers no other label, IOPort no Issue. */
    r = mica_ioport_in8(CTRL, COM1_SCR);
    CHECK_EQ(r.status, MICA_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(r.value, MICA_IOPORT_IN8);
    CHECK_EQ(issue(bi, COM1, COM1_END, 1).status, MICA_OK);
    r = mica_ioport_issue(ktest_slot(bi, 1), 0x2f8, 0x2ff, ROOT, ktest_slot(bi, 2), D);
    CHECK_EQ(r.status, MICA_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(r.value, MICA_IOPORT_CONTROL_ISSUE);
    r = raw(ktest_slot(bi, 1), MICA_IOPORT_OUT32 + 1, (const mica_word_t[]){ COM1 }, 1);
    CHECK_EQ(r.status, MICA_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 2)), MICA_OBJ_NULL);
    /* An IOPort cap is no CNode either. */
    r = mica_ioport_issue(CTRL, 0x2f8, 0x2ff, ktest_slot(bi, 1), 0, D);
    CHECK_EQ(r.status, MICA_ERR_INVALID_CAP);
    CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 1), D).status, MICA_OK);
    CHECK_EQ(mica_cnode_revoke(ROOT, ut, D).status, MICA_OK);
    return 0;
}

KTEST(truncated_messages)
{
    mica_word_t mr[] = { COM1, COM1_END, ktest_slot(bi, 0), D };
    /* Three registers, or no CNode cap. */
    struct mica_sysret r = mica_invoke(CTRL, MICA_IOPORT_CONTROL_ISSUE, mr, 3,
                                       (const mica_cptr_t[]){ ROOT }, 1);
    CHECK_EQ(r.status, MICA_ERR_TRUNCATED);
    r = mica_invoke(CTRL, MICA_IOPORT_CONTROL_ISSUE, mr, 4, 0, 0);
    CHECK_EQ(r.status, MICA_ERR_TRUNCATED);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, 0)), MICA_OBJ_NULL);
    CHECK_EQ(issue(bi, COM1, COM1_END, 0).status, MICA_OK);
    mica_cptr_t p = ktest_slot(bi, 0);
    CHECK_EQ(raw(p, MICA_IOPORT_IN8, 0, 0).status, MICA_ERR_TRUNCATED);
    CHECK_EQ(raw(p, MICA_IOPORT_OUT8, (const mica_word_t[]){ COM1_SCR }, 1).status, MICA_ERR_TRUNCATED);
    CHECK_EQ(raw(p, MICA_IOPORT_OUT32, (const mica_word_t[]){ COM1 }, 1).status, MICA_ERR_TRUNCATED);
    CHECK_EQ(mica_cnode_delete(ROOT, p, D).status, MICA_OK);
    return 0;
}

/* ------------------------------------------------------ access refusals */

KTEST(access_outside_range)
{
    mica_cptr_t p = ktest_slot(bi, 0);
    CHECK_EQ(issue(bi, COM1, COM1_END, 0).status, MICA_OK);
    static const struct {
        unsigned width;
        mica_word_t port;
    } bad[] = {
        { 1, COM1 - 1 }, { 1, COM1_END + 1 }, { 2, COM1_END }, { 4, COM1_END - 2 },
        { 4, COM1 - 1 }, { 1, 0x103ff }, { 1, ~0ull }, { 2, 0 }, { 4, 1ull << 32 | COM1 },
    };
    static const mica_word_t in_label[] = { 0, MICA_IOPORT_IN8, MICA_IOPORT_IN16, 0, MICA_IOPORT_IN32 };
    static const mica_word_t out_label[] = { 0, MICA_IOPORT_OUT8, MICA_IOPORT_OUT16, 0, MICA_IOPORT_OUT32 };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct mica_sysret r = raw(p, in_label[bad[i].width], &bad[i].port, 1);
        if (r.status != MICA_ERR_RANGE || r.value != bad[i].port)
            return ktest_failf("in%u 0x%lx: status %lu detail 0x%lx", bad[i].width * 8,
                               bad[i].port, r.status, r.value);
        mica_word_t mr[] = { bad[i].port, 0 };
        r = raw(p, out_label[bad[i].width], mr, 2);
        if (r.status != MICA_ERR_RANGE || r.value != bad[i].port)
            return ktest_failf("out%u 0x%lx: status %lu detail 0x%lx", bad[i].width * 8,
                               bad[i].port, r.status, r.value);
    }
    /* The widest accesses that still fit. */
    CHECK_EQ(mica_ioport_in32(p, COM1_END - 3).status, MICA_OK);
    CHECK_EQ(mica_ioport_in16(p, COM1_END - 1).status, MICA_OK);
    CHECK_EQ(mica_ioport_in32(p, COM1).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, p, D).status, MICA_OK);
    return 0;
}

KTEST(output_value_wider_than_access)
{
    mica_cptr_t p = ktest_slot(bi, 0);
    CHECK_EQ(issue(bi, COM1, COM1_END, 0).status, MICA_OK);
    CHECK_EQ(mica_ioport_out8(p, COM1_SCR, 0x11).status, MICA_OK);
    static const struct {
        mica_word_t label, port, value;
    } bad[] = {
        { MICA_IOPORT_OUT8, COM1_SCR, 0x100 },
        { MICA_IOPORT_OUT16, COM1_SCR - 1, 0x10000 },
        { MICA_IOPORT_OUT32, COM1_MCR, 1ull << 32 },
        { MICA_IOPORT_OUT8, COM1_SCR, ~0ull },
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        mica_word_t mr[] = { bad[i].port, bad[i].value };
        struct mica_sysret r = raw(p, bad[i].label, mr, 2);
        CHECK_EQ(r.status, MICA_ERR_INVALID_ARGUMENT);
        CHECK_EQ(r.value, bad[i].value);
    }
    CHECK_EQ(mica_ioport_in8(p, COM1_SCR).value, 0x11); /* nothing was written */
    CHECK_EQ(mica_cnode_delete(ROOT, p, D).status, MICA_OK);
    return 0;
}

/* ----------------------------------------------------- the range's life */

KTEST(delete_frees_range)
{
    for (int round = 0; round < 3; round++) {
        CHECK_EQ(issue(bi, COM1, COM1_END, 0).status, MICA_OK);
        CHECK_EQ(issue(bi, COM1, COM1_END, 1).status, MICA_ERR_IN_USE);
        CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 0), D).status, MICA_OK);
    }
    CHECK_EQ(issue(bi, COM1, COM1_END, 1).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 1), D).status, MICA_OK);
    return 0;
}

/* Copies share the range: it is free only after the last one is gone.
 * A read-only copy can read but not write. */
KTEST(copies_keep_range_until_last_deleted)
{
    mica_cptr_t a = ktest_slot(bi, 0), b = ktest_slot(bi, 1), c = ktest_slot(bi, 2);
    CHECK_EQ(issue(bi, COM1, COM1_END, 0).status, MICA_OK);
    CHECK_EQ(mica_cnode_copy(ROOT, b, D, ROOT, a, D, MICA_RIGHTS_ALL).status, MICA_OK);
    CHECK_EQ(mica_cnode_mint(ROOT, c, D, ROOT, b, D, MICA_RIGHT_READ, 0).status, MICA_OK);
    CHECK_EQ(MICA_CAP_ID_TYPE(ktest_ident(c)), MICA_OBJ_IOPORT);
    CHECK_EQ(MICA_CAP_ID_RIGHTS(ktest_ident(c)), MICA_RIGHT_READ);

    CHECK_EQ(mica_cnode_delete(ROOT, a, D).status, MICA_OK);
    CHECK_EQ(issue(bi, COM1, COM1_END, 3).status, MICA_ERR_IN_USE);
    CHECK_EQ(mica_ioport_out8(b, COM1_SCR, 0x77).status, MICA_OK); /* the copy keeps the range */
    CHECK_EQ(mica_ioport_in8(b, COM1_SCR).value, 0x77);

    CHECK_EQ(mica_cnode_delete(ROOT, b, D).status, MICA_OK);
    CHECK_EQ(issue(bi, 0x3fc, 0x3fc, 3).status, MICA_ERR_IN_USE);
    CHECK_EQ(mica_ioport_in8(c, COM1_SCR).value, 0x77);
    struct mica_sysret r = mica_ioport_out8(c, COM1_SCR, 0x11);
    CHECK_EQ(r.status, MICA_ERR_NO_RIGHTS);
    CHECK_EQ(r.value, MICA_RIGHT_WRITE);
    CHECK_EQ(mica_ioport_in8(c, COM1_SCR).value, 0x77);

    CHECK_EQ(mica_cnode_delete(ROOT, c, D).status, MICA_OK);
    CHECK_EQ(issue(bi, COM1, COM1_END, 3).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 3), D).status, MICA_OK);
    return 0;
}

/* A write-only copy can write but not read; a copy with no rights neither. */
KTEST(rights_of_copies)
{
    mica_cptr_t a = ktest_slot(bi, 0), w = ktest_slot(bi, 1), none = ktest_slot(bi, 2);
    CHECK_EQ(issue(bi, COM1, COM1_END, 0).status, MICA_OK);
    CHECK_EQ(mica_cnode_copy(ROOT, w, D, ROOT, a, D, MICA_RIGHT_WRITE).status, MICA_OK);
    CHECK_EQ(mica_cnode_copy(ROOT, none, D, ROOT, a, D, 0).status, MICA_OK);
    CHECK_EQ(mica_ioport_out8(w, COM1_SCR, 0x24).status, MICA_OK);
    struct mica_sysret r = mica_ioport_in8(w, COM1_SCR);
    CHECK_EQ(r.status, MICA_ERR_NO_RIGHTS);
    CHECK_EQ(r.value, MICA_RIGHT_READ);
    CHECK_EQ(mica_ioport_in32(w, COM1).status, MICA_ERR_NO_RIGHTS);
    CHECK_EQ(mica_ioport_in8(none, COM1_SCR).status, MICA_ERR_NO_RIGHTS);
    CHECK_EQ(mica_ioport_out16(none, COM1_SCR - 1, 0).status, MICA_ERR_NO_RIGHTS);
    CHECK_EQ(mica_ioport_in8(a, COM1_SCR).value, 0x24);
    /* Revoking the issued cap deletes its copies, and the range is free. */
    CHECK_EQ(mica_cnode_revoke(ROOT, a, D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(w), MICA_OBJ_NULL);
    CHECK_EQ(ktest_id_type(none), MICA_OBJ_NULL);
    CHECK_EQ(mica_cnode_delete(ROOT, a, D).status, MICA_OK);
    CHECK_EQ(issue(bi, COM1, COM1_END, 0).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, a, D).status, MICA_OK);
    return 0;
}

/* Move keeps the range; a badge cannot be minted onto a port cap. */
KTEST(move_keeps_range_no_badges)
{
    mica_cptr_t a = ktest_slot(bi, 0), b = ktest_slot(bi, 1);
    CHECK_EQ(issue(bi, COM1, COM1_END, 0).status, MICA_OK);
    CHECK_EQ(mica_cnode_mint(ROOT, b, D, ROOT, a, D, MICA_RIGHTS_ALL, 5).status,
             MICA_ERR_INVALID_ARGUMENT);
    CHECK_EQ(mica_cnode_mutate(ROOT, b, D, ROOT, a, D, 5).status, MICA_ERR_INVALID_ARGUMENT);
    CHECK_EQ(mica_cnode_move(ROOT, b, D, ROOT, a, D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(a), MICA_OBJ_NULL);
    CHECK_EQ(mica_ioport_out8(b, COM1_SCR, 0x31).status, MICA_OK);
    CHECK_EQ(mica_ioport_in8(b, COM1_SCR).value, 0x31);
    CHECK_EQ(issue(bi, COM1, COM1_END, 0).status, MICA_ERR_IN_USE);
    CHECK_EQ(mica_cnode_delete(ROOT, b, D).status, MICA_OK);
    CHECK_EQ(issue(bi, COM1, COM1_END, 0).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, a, D).status, MICA_OK);
    return 0;
}

/* Issued caps are children of the IOPortControl cap that issued them:
 * revoking it (here a copy of it) frees their ranges. */
KTEST(revoke_control_frees_ranges)
{
    mica_cptr_t ctl = ktest_slot(bi, 0);
    CHECK_EQ(mica_cnode_copy(ROOT, ctl, D, ROOT, CTRL, D, MICA_RIGHTS_ALL).status, MICA_OK);
    CHECK_EQ(MICA_CAP_ID_TYPE(ktest_ident(ctl)), MICA_OBJ_IOPORT_CONTROL);
    CHECK_EQ(mica_ioport_issue(ctl, COM1, COM1_END, ROOT, ktest_slot(bi, 1), D).status, MICA_OK);
    CHECK_EQ(mica_ioport_issue(ctl, 0x2f8, 0x2ff, ROOT, ktest_slot(bi, 2), D).status, MICA_OK);
    CHECK_EQ(mica_cnode_copy(ROOT, ktest_slot(bi, 3), D, ROOT, ktest_slot(bi, 1), D,
                             MICA_RIGHTS_ALL).status, MICA_OK);
    CHECK_EQ(issue(bi, 0x2f8, 0x2f8, 4).status, MICA_ERR_IN_USE);
    CHECK_EQ(mica_cnode_revoke(ROOT, ctl, D).status, MICA_OK);
    for (unsigned i = 1; i <= 3; i++)
        CHECK_EQ(ktest_id_type(ktest_slot(bi, i)), MICA_OBJ_NULL);
    CHECK_EQ(issue(bi, 0x2f8, COM1_END, 4).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, ktest_slot(bi, 4), D).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, ctl, D).status, MICA_OK);
    return 0;
}

const struct ktest ioport_tests[] = {
    { "ioport_issue_and_use_com1_scratch", issue_and_use_com1_scratch },
    { "ioport_in16_in32_pci_config_ids", in16_in32_pci_config_ids },
    { "ioport_out16_out32_reach_the_device", out16_out32_reach_the_device },
    { "ioport_single_port_ranges", single_port_ranges },
    { "ioport_overlapping_issue_in_use", overlapping_issue_in_use },
    { "ioport_pic_ports_kernel_owned", pic_ports_kernel_owned },
    { "ioport_issue_bad_ranges", issue_bad_ranges },
    { "ioport_issue_bad_slots", issue_bad_slots },
    { "ioport_issue_wrong_caps", issue_wrong_caps },
    { "ioport_truncated_messages", truncated_messages },
    { "ioport_access_outside_range", access_outside_range },
    { "ioport_output_value_wider_than_access", output_value_wider_than_access },
    { "ioport_delete_frees_range", delete_frees_range },
    { "ioport_copies_keep_range_until_last_deleted", copies_keep_range_until_last_deleted },
    { "ioport_rights_of_copies", rights_of_copies },
    { "ioport_move_keeps_range_no_badges", move_keeps_range_no_badges },
    { "ioport_revoke_control_frees_ranges", revoke_control_frees_ranges },
    { 0, 0 },
};
