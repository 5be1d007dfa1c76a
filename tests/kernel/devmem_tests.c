/*
 * Device memory (docs/objects/device-untyped.md): what device untyped can
 * become, that a device frame is a different thing from a RAM frame and
 * can never turn into one or the other way round, which physical ranges
 * are and are not device untyped (RAM, the kernel's interrupt controller
 * and IOMMU registers, the PCI ECAM window), and real device access:
 * PCI configuration space through an ECAM device frame reached by
 * splitting a device untyped down to the address wanted.
 *
 * Fixed addresses are q35's: local APIC 0xfee00000, I/O APIC 0xfec00000,
 * VT-d 0xfed90000 (when QEMU has intel-iommu), HPET 0xfed00000.
 */
#include "ktest.h"
#include <mica_device.h>
#include <mica_invoke.h>
#include <stdbool.h>

#define ROOT MICA_CAP_INIT_CNODE
#define VS MICA_CAP_INIT_VSPACE
#define D 64 /* depth that names a slot of the root CNode */

#define PAGE 4096ull
#define LAPIC_PAGE  0xfee00000ull
#define MSI_WINDOW  0xfee00000ull /* 1 MiB: local APIC / MSI addresses */
#define IOAPIC_PAGE 0xfec00000ull
#define VTD_PAGE    0xfed90000ull
#define HPET_PAGE   0xfed00000ull

#define DEVICE_SLOTS 0   /* slots 0..99: untyped halves and device frames */
#define ENV_SLOTS    100 /* slots from 100: the RAM objects of a test */

#define PCI_Q35_MCH  0x29c08086u /* 00:00.0 device << 16 | vendor */
#define PCI_Q35_LPC  0x29188086u /* 00:1f.0 */
#define PCI_STD_VGA  0x11111234u /* 00:01.0, QEMU's default VGA */

static bool is_device(const struct mica_bootinfo *bi, unsigned i)
{
    return bi->untyped[i].flags & MICA_UNTYPED_DEVICE;
}

static uint64_t ut_end(const struct mica_bootinfo *bi, unsigned i)
{
    return bi->untyped[i].paddr + (1ull << bi->untyped[i].size_bits);
}

/* Bytes of [base, end) covered by boot untypeds of the given kind. */
static uint64_t covered(const struct mica_bootinfo *bi, uint64_t base, uint64_t end, bool device)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < bi->n_untyped; i++) {
        if (is_device(bi, i) != device)
            continue;
        uint64_t lo = bi->untyped[i].paddr > base ? bi->untyped[i].paddr : base;
        uint64_t hi = ut_end(bi, i) < end ? ut_end(bi, i) : end;
        if (lo < hi)
            n += hi - lo;
    }
    return n;
}

/* The boot info index of the device untyped holding paddr, or -1. */
static int device_untyped_at(const struct mica_bootinfo *bi, uint64_t paddr)
{
    for (unsigned i = 0; i < bi->n_untyped; i++)
        if (is_device(bi, i) && paddr >= bi->untyped[i].paddr && paddr < ut_end(bi, i))
            return (int)i;
    return -1;
}

/* A device untyped of at least 2^bits bytes, or 0. */
static mica_cptr_t device_untyped(const struct mica_bootinfo *bi, unsigned bits)
{
    for (unsigned i = 0; i < bi->n_untyped; i++)
        if (is_device(bi, i) && bi->untyped[i].size_bits >= bits)
            return bi->slot_untyped_first + i;
    return 0;
}

/*
 * A 4 KiB device frame at paddr, the way a driver gets one: retype the
 * device untyped holding it into two halves, keep the half with paddr,
 * and so on down to 4 KiB, which becomes the frame. Slots come from
 * slot(*next) up; ktest_cleanup (revoking the boot untyped) undoes it.
 */
static const char *device_frame(const struct mica_bootinfo *bi, uint64_t paddr, unsigned *next,
                                mica_cptr_t *frame)
{
    int i = device_untyped_at(bi, paddr);
    if (i < 0)
        return ktest_failf("no device untyped holds 0x%lx", paddr);
    mica_cptr_t ut = bi->slot_untyped_first + (unsigned)i;
    uint64_t base = bi->untyped[i].paddr;
    for (unsigned bits = bi->untyped[i].size_bits; bits > 12; bits--) {
        mica_cptr_t halves = ktest_slot(bi, *next);
        CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_UNTYPED, bits - 1, ROOT, 0, 0, halves, 2).status,
                 MICA_OK);
        *next += 2;
        bool upper = paddr >= base + (1ull << (bits - 1));
        ut = halves + upper;
        base += upper ? 1ull << (bits - 1) : 0;
    }
    *frame = ktest_slot(bi, (*next)++);
    CHECK_EQ(mica_untyped_retype(ut, MICA_OBJ_FRAME_4K, 0, ROOT, 0, 0, *frame, 1).status, MICA_OK);
    struct mica_sysret r = mica_frame_get_address(*frame);
    CHECK_EQ(r.status, MICA_OK);
    CHECK_EQ(r.value, paddr);
    return 0;
}

/* Revoke the boot device untyped holding paddr: every frame and split
 * made from it goes. */
static const char *release(const struct mica_bootinfo *bi, uint64_t paddr)
{
    int u = device_untyped_at(bi, paddr);
    CHECK(u >= 0);
    CHECK_EQ(mica_cnode_revoke(ROOT, bi->slot_untyped_first + (unsigned)u, D).status, MICA_OK);
    return 0;
}

/* Where test frames are mapped: the environment's page table area. */
static volatile uint8_t *map_page(unsigned n)
{
    return (volatile uint8_t *)(KTEST_MAP_AREA + n * PAGE);
}

/* Config space of bus/dev/fn (bus relative to the first ECAM bus). */
static uint64_t ecam(const struct mica_bootinfo *bi, unsigned bus, unsigned dev, unsigned fn)
{
    return bi->platform.ecam_base + ((uint64_t)bus << 20 | dev << 15 | fn << 12);
}

static uint32_t rd32(volatile uint8_t *p, unsigned off)
{
    return *(volatile uint32_t *)(p + off);
}

/* ------------------------------------------------------ what it becomes */

/* Every object type but untyped and frames is refused, from a boot device
 * untyped and from a child of one; nothing is made by a refused call. */
KTEST(untyped_only_frames_and_untyped)
{
    mica_cptr_t dev = device_untyped(bi, 21);
    CHECK(dev);
    mica_cptr_t child = ktest_slot(bi, 0);
    CHECK_EQ(mica_untyped_retype(dev, MICA_OBJ_UNTYPED, 16, ROOT, 0, 0, child, 1).status, MICA_OK);
    for (unsigned type = 1; type < MICA_OBJ_TYPE_COUNT; type++) {
        if (type == MICA_OBJ_UNTYPED || type == MICA_OBJ_FRAME_4K || type == MICA_OBJ_FRAME_2M)
            continue;
        mica_cptr_t from[] = { dev, child };
        for (unsigned k = 0; k < 2; k++) {
            struct mica_sysret r = mica_untyped_retype(from[k], type, type == MICA_OBJ_CNODE ? 4 : 0,
                                                       ROOT, 0, 0, ktest_slot(bi, 1), 1);
            if (r.status != MICA_ERR_INVALID_ARGUMENT || r.value != type)
                return ktest_failf("device %s became type %u: status %lu detail %lu",
                                   k ? "child untyped" : "untyped", type, r.status, r.value);
            CHECK_EQ(ktest_id_type(ktest_slot(bi, 1)), MICA_OBJ_NULL);
        }
    }
    /* What it can become. */
    CHECK_EQ(mica_untyped_retype(child, MICA_OBJ_FRAME_4K, 0, ROOT, 0, 0, ktest_slot(bi, 1), 2).status,
             MICA_OK);
    CHECK_EQ(mica_untyped_retype(child, MICA_OBJ_UNTYPED, 12, ROOT, 0, 0, ktest_slot(bi, 3), 1).status,
             MICA_OK);
    CHECK_EQ(mica_untyped_retype(dev, MICA_OBJ_FRAME_2M, 0, ROOT, 0, 0, ktest_slot(bi, 4), 1).status,
             MICA_OK);
    mica_word_t w = ktest_ident(ktest_slot(bi, 1));
    CHECK_EQ(MICA_CAP_ID_TYPE(w), MICA_OBJ_FRAME_4K);
    CHECK_EQ(MICA_CAP_ID_SIZE_BITS(w), 12);
    CHECK_EQ(MICA_CAP_ID_RIGHTS(w), MICA_RIGHTS_ALL);
    CHECK_EQ(MICA_CAP_ID_TYPE(ktest_ident(ktest_slot(bi, 3))), MICA_OBJ_UNTYPED);
    w = ktest_ident(ktest_slot(bi, 4));
    CHECK_EQ(MICA_CAP_ID_TYPE(w), MICA_OBJ_FRAME_2M);
    CHECK_EQ(MICA_CAP_ID_SIZE_BITS(w), 21);
    /* A grandchild untyped is still device memory. */
    CHECK_EQ(mica_untyped_retype(ktest_slot(bi, 3), MICA_OBJ_NOTIFICATION, 0, ROOT, 0, 0,
                                 ktest_slot(bi, 5), 1).status, MICA_ERR_INVALID_ARGUMENT);
    CHECK_EQ(mica_cnode_revoke(ROOT, dev, D).status, MICA_OK);
    for (unsigned i = 0; i <= 5; i++)
        CHECK_EQ(ktest_id_type(ktest_slot(bi, i)), MICA_OBJ_NULL);
    return 0;
}

/* ------------------------------------------------ device versus RAM frames */

/*
 * The device flag is fixed when a frame is made, from its untyped, and
 * nothing changes it. Debug_CapIdentify reports both kinds alike (type
 * frame), so the flag is observed through what the kernel refuses a
 * device frame: to be a thread's IPC buffer (the kernel writes there).
 */
KTEST(device_flag_fixed_at_retype)
{
    struct ktest_env e;
    TRY(ktest_env_init(&e, bi, ENV_SLOTS));
    unsigned next = DEVICE_SLOTS;
    mica_cptr_t dev_frame, tcb = ktest_env_new(&e, MICA_OBJ_TCB);
    mica_cptr_t ram_frame = ktest_env_new(&e, MICA_OBJ_FRAME_4K);
    CHECK(tcb && ram_frame);
    CHECK(bi->platform.flags & MICA_PLATFORM_ECAM);
    TRY(device_frame(bi, bi->platform.ecam_base, &next, &dev_frame));
    CHECK_EQ(ktest_ident(dev_frame), ktest_ident(ram_frame));

    const mica_word_t buffer = 0x10000000;
    struct mica_sysret r = mica_tcb_configure(tcb, 0, ROOT, 0, VS, buffer, dev_frame, 10, 10);
    CHECK_EQ(r.status, MICA_ERR_INVALID_CAP);
    CHECK_EQ(r.value, 2);
    /* Copies, rights-reduced copies and moved caps stay device frames. */
    mica_cptr_t copy = ktest_env_slot(&e), moved = ktest_env_slot(&e);
    CHECK_EQ(mica_cnode_copy(ROOT, copy, D, ROOT, dev_frame, D, MICA_RIGHTS_ALL).status, MICA_OK);
    CHECK_EQ(mica_tcb_configure(tcb, 0, ROOT, 0, VS, buffer, copy, 10, 10).status, MICA_ERR_INVALID_CAP);
    CHECK_EQ(mica_cnode_move(ROOT, moved, D, ROOT, copy, D).status, MICA_OK);
    CHECK_EQ(mica_tcb_configure(tcb, 0, ROOT, 0, VS, buffer, moved, 10, 10).status, MICA_ERR_INVALID_CAP);
    /* No badge or data word can be put on a frame cap. */
    CHECK_EQ(mica_cnode_mint(ROOT, copy, D, ROOT, dev_frame, D, MICA_RIGHTS_ALL, 1).status,
             MICA_ERR_INVALID_ARGUMENT);
    CHECK_EQ(mica_cnode_mutate(ROOT, copy, D, ROOT, moved, D, 1).status, MICA_ERR_INVALID_ARGUMENT);
    /* Untyped caps cannot be copied at all, device or RAM. */
    mica_cptr_t spare = ktest_env_slot(&e);
    CHECK_EQ(mica_cnode_copy(ROOT, spare, D, ROOT, device_untyped(bi, 12), D, MICA_RIGHTS_ALL).status,
             MICA_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(mica_cnode_copy(ROOT, spare, D, ROOT, e.ut, D, MICA_RIGHTS_ALL).status,
             MICA_ERR_ILLEGAL_OPERATION);

    /* The RAM frame, and one from a child of a RAM untyped, are accepted. */
    CHECK_EQ(mica_tcb_configure(tcb, 0, ROOT, 0, VS, buffer, ram_frame, 10, 10).status, MICA_OK);
    mica_cptr_t child = ktest_env_slot(&e);
    CHECK_EQ(mica_untyped_retype(e.ut, MICA_OBJ_UNTYPED, 16, ROOT, 0, 0, child, 1).status, MICA_OK);
    mica_cptr_t ram2 = ktest_env_slot(&e);
    CHECK_EQ(mica_untyped_retype(child, MICA_OBJ_FRAME_4K, 0, ROOT, 0, 0, ram2, 1).status, MICA_OK);
    CHECK_EQ(mica_tcb_configure(tcb, 0, ROOT, 0, VS, buffer, ram2, 10, 10).status, MICA_OK);

    /* Their addresses: each in an untyped of its own kind only. */
    uint64_t dev_pa = mica_frame_get_address(dev_frame).value;
    uint64_t ram_pa = mica_frame_get_address(ram2).value;
    CHECK_EQ(covered(bi, dev_pa, dev_pa + PAGE, true), PAGE);
    CHECK_EQ(covered(bi, dev_pa, dev_pa + PAGE, false), 0);
    CHECK_EQ(covered(bi, ram_pa, ram_pa + PAGE, false), PAGE);
    CHECK_EQ(covered(bi, ram_pa, ram_pa + PAGE, true), 0);
    TRY(release(bi, dev_pa));
    CHECK_EQ(ktest_id_type(dev_frame), MICA_OBJ_NULL);
    CHECK_EQ(ktest_id_type(moved), MICA_OBJ_NULL); /* a copy: revoked with it */
    TRY(ktest_env_done(&e));
    return 0;
}

/*
 * No RAM is device untyped: on q35 all RAM (free or the kernel's) lies
 * below the PCI hole, so every device untyped starts at or above the end
 * of the highest RAM untyped; the root task's own pages (boot info, IPC
 * buffer: kernel-allocated RAM) are in no untyped at all.
 */
KTEST(no_ram_in_device_untyped)
{
    uint64_t ram_top = 0;
    for (unsigned i = 0; i < bi->n_untyped; i++)
        if (!is_device(bi, i) && ut_end(bi, i) > ram_top)
            ram_top = ut_end(bi, i);
    CHECK(ram_top > (256ull << 20));
    for (unsigned i = 0; i < bi->n_untyped; i++)
        if (is_device(bi, i) && bi->untyped[i].paddr < ram_top)
            return ktest_failf("device untyped %u at 0x%lx lies below the top of RAM 0x%lx", i,
                               bi->untyped[i].paddr, ram_top);
    static const mica_cptr_t own[] = { MICA_CAP_INIT_IPC_BUFFER, MICA_CAP_BOOTINFO_FRAME };
    for (unsigned k = 0; k < 2; k++) {
        struct mica_sysret r = mica_frame_get_address(own[k]);
        CHECK_EQ(r.status, MICA_OK);
        CHECK(r.value < ram_top);
        CHECK_EQ(covered(bi, r.value, r.value + PAGE, true), 0);
        CHECK_EQ(covered(bi, r.value, r.value + PAGE, false), 0);
        CHECK_EQ(device_untyped_at(bi, r.value), -1);
    }
    return 0;
}

/* ------------------------------------------ which ranges are device memory */

/* The kernel's own registers are in no device untyped, so no frame can
 * ever be made over them; the reservations are exact, not blanket: the
 * HPET next to them is device memory. */
KTEST(kernel_registers_not_device)
{
    CHECK_EQ(covered(bi, MSI_WINDOW, MSI_WINDOW + (1ull << 20), true), 0);
    CHECK_EQ(device_untyped_at(bi, LAPIC_PAGE), -1);
    CHECK_EQ(covered(bi, IOAPIC_PAGE, IOAPIC_PAGE + PAGE, true), 0);
    /* (Without an IOMMU in use the page may or may not be device memory:
     * that depends on whether the firmware listed a unit at all.) */
    if (bi->platform.flags & MICA_PLATFORM_IOMMU)
        CHECK_EQ(covered(bi, VTD_PAGE, VTD_PAGE + PAGE, true), 0);
    CHECK_EQ(covered(bi, HPET_PAGE, HPET_PAGE + PAGE, true), PAGE);
    CHECK_EQ(covered(bi, IOAPIC_PAGE + PAGE, IOAPIC_PAGE + 2 * PAGE, true), PAGE);
    /* And trying: the split finds nothing to start from. */
    unsigned next = DEVICE_SLOTS;
    mica_cptr_t f;
    CHECK(device_frame(bi, LAPIC_PAGE, &next, &f) != 0);
    CHECK(device_frame(bi, IOAPIC_PAGE, &next, &f) != 0);
    CHECK_EQ(next, DEVICE_SLOTS);
    CHECK_EQ(ktest_id_type(ktest_slot(bi, DEVICE_SLOTS)), MICA_OBJ_NULL);
    return 0;
}

KTEST(ecam_window_is_device_memory)
{
    CHECK(bi->platform.flags & MICA_PLATFORM_ECAM);
    CHECK(bi->platform.ecam_bus_first <= bi->platform.ecam_bus_last);
    uint64_t base = bi->platform.ecam_base;
    uint64_t size = ((uint64_t)(bi->platform.ecam_bus_last - bi->platform.ecam_bus_first) + 1) << 20;
    CHECK_EQ(base, 0xb0000000ull); /* q35's MCFG */
    CHECK_EQ(size, 256ull << 20);
    CHECK_EQ(covered(bi, base, base + size, true), size);
    CHECK_EQ(covered(bi, base, base + size, false), 0);
    return 0;
}

/* --------------------------------------------------------- real devices */

/*
 * PCI configuration space through ECAM device frames: the q35 host bridge
 * and LPC bridge IDs, and all-ones from a function that does not exist.
 * The frame maps whatever cache attribute is asked for (the kernel makes
 * device mappings uncached regardless; the page tables are not visible
 * from user space, so that part is checked by the reads working).
 */
KTEST(ecam_vendor_ids_through_device_frames)
{
    struct ktest_env e;
    TRY(ktest_env_init(&e, bi, ENV_SLOTS));
    TRY(ktest_env_tables(&e));
    CHECK(bi->platform.flags & MICA_PLATFORM_ECAM);
    static const struct {
        unsigned dev, fn;
        uint32_t id;
        unsigned cache;
    } fns[] = {
        { 0, 0, PCI_Q35_MCH, MICA_CACHE_WRITEBACK },
        { 31, 0, PCI_Q35_LPC, MICA_CACHE_WRITETHROUGH },
        { 0, 1, 0xffffffffu, MICA_CACHE_UNCACHED }, /* the MCH has one function */
    };
    unsigned next = DEVICE_SLOTS;
    for (unsigned i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
        mica_cptr_t f;
        TRY(device_frame(bi, ecam(bi, 0, fns[i].dev, fns[i].fn), &next, &f));
        volatile uint8_t *cfg = map_page(i);
        CHECK_EQ(mica_frame_map(f, VS, (mica_word_t)cfg, MICA_MAP_READ | MICA_MAP_WRITE, fns[i].cache).status,
                 MICA_OK);
        CHECK(ktest_ident(f) & MICA_CAP_ID_MAPPED);
        if (rd32(cfg, 0) != fns[i].id)
            return ktest_failf("00:%02x.%u: ID 0x%08x, expected 0x%08x", fns[i].dev, fns[i].fn,
                               rd32(cfg, 0), fns[i].id);
        if (i == 0) {
            CHECK_EQ(*(volatile uint16_t *)cfg, 0x8086);
            /* Remapping with another attribute changes nothing either. */
            CHECK_EQ(mica_frame_remap(f, MICA_MAP_READ, MICA_CACHE_WRITEBACK).status, MICA_OK);
            CHECK_EQ(*(volatile uint16_t *)(cfg + 2), 0x29c0);
        }
        CHECK_EQ(mica_frame_unmap(f).status, MICA_OK);
        TRY(release(bi, bi->platform.ecam_base)); /* the next split starts afresh */
        next = DEVICE_SLOTS;
    }
    TRY(ktest_env_done(&e));
    return 0;
}

/*
 * Device memory is never zeroed or touched by the kernel: a pattern
 * written into the VGA framebuffer (a BAR of 00:01.0, found through ECAM)
 * through one device frame is still there after the frame and every
 * untyped split for it were revoked and a new frame made at the address.
 * A RAM frame made the same way would read zero.
 */
KTEST(device_memory_never_zeroed)
{
    struct ktest_env e;
    TRY(ktest_env_init(&e, bi, ENV_SLOTS));
    TRY(ktest_env_tables(&e));
    unsigned next = DEVICE_SLOTS;
    mica_cptr_t cfg_frame;
    TRY(device_frame(bi, ecam(bi, 0, 1, 0), &next, &cfg_frame));
    volatile uint8_t *cfg = map_page(0);
    CHECK_EQ(mica_frame_map(cfg_frame, VS, (mica_word_t)cfg, MICA_MAP_READ, 0).status, MICA_OK);
    CHECK_EQ(rd32(cfg, 0), PCI_STD_VGA);
    uint64_t fb = rd32(cfg, 0x10) & ~0xfull; /* BAR0: the framebuffer */
    CHECK_EQ(mica_frame_unmap(cfg_frame).status, MICA_OK);
    TRY(release(bi, bi->platform.ecam_base));
    CHECK(fb >= 0x80000000ull && fb < (1ull << 32));

    volatile uint32_t *px = (volatile uint32_t *)map_page(1);
    static const uint32_t pattern[] = { 0xdeadbeef, 0x01234567, 0x89abcdef, 0x5a5aa5a5 };
    for (int round = 0; round < 2; round++) {
        mica_cptr_t f;
        next = DEVICE_SLOTS;
        TRY(device_frame(bi, fb, &next, &f));
        CHECK_EQ(mica_frame_map(f, VS, (mica_word_t)px, MICA_MAP_READ | MICA_MAP_WRITE, 0).status, MICA_OK);
        for (unsigned i = 0; i < 4; i++) {
            if (round == 0)
                px[i * 256] = pattern[i];
            else if (px[i * 256] != pattern[i])
                return ktest_failf("framebuffer word %u is 0x%08x after a new retype, wrote 0x%08x",
                                   i * 256, px[i * 256], pattern[i]);
        }
        CHECK_EQ(mica_frame_unmap(f).status, MICA_OK);
        TRY(release(bi, fb));
        CHECK_EQ(ktest_id_type(f), MICA_OBJ_NULL);
    }
    TRY(ktest_env_done(&e));
    return 0;
}

/*
 * The kernel copies from user memory only when it is RAM: DebugWrite on a
 * device frame (PCI configuration space here) is refused like an unmapped
 * page, with nothing read from the device, and a buffer that runs from RAM
 * into the device page writes exactly its RAM part. (Before, the kernel
 * read the device page through its direct map, which does not map device
 * memory: a kernel-mode page fault.)
 */
KTEST(debug_write_refuses_device_memory)
{
    struct ktest_env e;
    TRY(ktest_env_init(&e, bi, ENV_SLOTS));
    volatile uint8_t *ram = ktest_env_page(&e, 0); /* map_page(0) */
    CHECK(ram == map_page(0));
    unsigned next = DEVICE_SLOTS;
    mica_cptr_t f;
    TRY(device_frame(bi, ecam(bi, 0, 0, 0), &next, &f));
    volatile uint8_t *cfg = map_page(1);
    CHECK_EQ(mica_frame_map(f, VS, (mica_word_t)cfg, MICA_MAP_READ, MICA_CACHE_UNCACHED).status,
             MICA_OK);
    CHECK_EQ(rd32(cfg, 0), PCI_Q35_MCH); /* the mapping works for the thread itself */

    mica_word_t written = 99;
    CHECK_EQ(mica_debug_write((const void *)cfg, 16, &written), MICA_ERR_BAD_ADDRESS);
    CHECK_EQ(written, 0);
    ram[PAGE - 3] = '[';
    ram[PAGE - 2] = ']';
    ram[PAGE - 1] = '\n';
    written = 99;
    CHECK_EQ(mica_debug_write((const void *)(ram + PAGE - 3), 3 + 16, &written),
             MICA_ERR_BAD_ADDRESS);
    CHECK_EQ(written, 3);
    CHECK_EQ(mica_frame_unmap(f).status, MICA_OK);
    TRY(release(bi, bi->platform.ecam_base));
    return ktest_env_done(&e);
}

const struct ktest devmem_tests[] = {
    { "devmem_untyped_only_frames_and_untyped", untyped_only_frames_and_untyped },
    { "devmem_debug_write_refuses_device_memory", debug_write_refuses_device_memory },
    { "devmem_device_flag_fixed_at_retype", device_flag_fixed_at_retype },
    { "devmem_no_ram_in_device_untyped", no_ram_in_device_untyped },
    { "devmem_kernel_registers_not_device", kernel_registers_not_device },
    { "devmem_ecam_window_is_device_memory", ecam_window_is_device_memory },
    { "devmem_ecam_vendor_ids_through_device_frames", ecam_vendor_ids_through_device_frames },
    { "devmem_device_memory_never_zeroed", device_memory_never_zeroed },
    { 0, 0 },
};
