/* Boot info and the root task's initial address space. */
#include "ktest.h"
#include <mica/layout.h>
#include <stdbool.h>

static int str_terminated(const char *s, unsigned size)
{
    for (unsigned i = 0; i < size; i++)
        if (!s[i])
            return 1;
    return 0;
}

static const char *header(const struct mica_bootinfo *bi)
{
    CHECK_EQ((unsigned long)bi, MICA_ROOT_BOOTINFO);
    CHECK_EQ(bi->magic, MICA_BOOTINFO_MAGIC);
    CHECK_EQ(bi->version, MICA_BOOTINFO_VERSION);
    CHECK_EQ(bi->size, sizeof(*bi));
    CHECK(str_terminated(bi->cmdline, sizeof(bi->cmdline)));
    CHECK(str_terminated(bi->kernel_cmdline, sizeof(bi->kernel_cmdline)));
    CHECK(bi->timer_hz >= 10 && bi->timer_hz <= 10000);
    return 0;
}

static const char *layout(const struct mica_bootinfo *bi)
{
    unsigned long sp;
    __asm__ volatile("mov %%rsp, %0" : "=r"(sp));
    CHECK_EQ(bi->ipc_buffer, MICA_ROOT_IPC_BUFFER);
    CHECK_EQ(bi->stack_top, MICA_ROOT_STACK_TOP);
    CHECK(sp < MICA_ROOT_STACK_TOP && sp > MICA_ROOT_STACK_TOP - MICA_ROOT_STACK_PAGES * MICA_PAGE_SIZE);
    CHECK((unsigned long)&main < MICA_ROOT_AREA);
    return 0;
}

static const char *memory_accounting(const struct mica_bootinfo *bi)
{
    unsigned long long sum = 0;
    CHECK(bi->n_untyped > 0 && bi->n_untyped <= MICA_BOOTINFO_MAX_UNTYPED);
    for (unsigned i = 0; i < bi->n_untyped; i++)
        if (!(bi->untyped[i].flags & MICA_UNTYPED_DEVICE))
            sum += 1ull << bi->untyped[i].size_bits;
    CHECK_EQ(sum, bi->ram_free);
    CHECK(bi->ram_free > 0 && bi->ram_free < bi->ram_total);
    CHECK_EQ(bi->ram_kernel, bi->ram_total - bi->ram_free);
    /* QEMU is given 512 MiB; the kernel keeps a few MiB at most. */
    CHECK(bi->ram_total > (500ull << 20) && bi->ram_total <= (512ull << 20));
    CHECK(bi->ram_kernel < (8ull << 20));
    return 0;
}

static const char *untyped_shape(const struct mica_bootinfo *bi)
{
    for (unsigned i = 0; i < bi->n_untyped; i++) {
        const struct mica_bootinfo_untyped *u = &bi->untyped[i];
        CHECK(u->size_bits >= MICA_PAGE_BITS && u->size_bits <= 47);
        if (u->paddr & ((1ull << u->size_bits) - 1))
            return ktest_failf("untyped %u at 0x%lx not aligned to its size 2^%u", i,
                               u->paddr, u->size_bits);
        CHECK_EQ(u->flags & ~MICA_UNTYPED_DEVICE, 0);
        CHECK(u->paddr >= 0x100000); /* the BIOS area below 1 MiB is never handed out */
        if (u->flags & MICA_UNTYPED_DEVICE) {
            /* Device space lies below 4 GiB and never covers the LAPIC. */
            CHECK(u->paddr + (1ull << u->size_bits) <= (1ull << 32));
            CHECK(u->paddr > 0xfee00000ull || u->paddr + (1ull << u->size_bits) <= 0xfee00000ull);
        }
    }
    return 0;
}

/* RAM regions come first, then device regions; each group is sorted and
 * no two regions (of either kind) overlap. */
static const char *untyped_disjoint(const struct mica_bootinfo *bi)
{
    unsigned devices = 0;
    for (unsigned i = 0; i < bi->n_untyped; i++) {
        const struct mica_bootinfo_untyped *a = &bi->untyped[i];
        bool dev = a->flags & MICA_UNTYPED_DEVICE;
        if (!dev && devices)
            return ktest_failf("RAM untyped %u listed after a device untyped", i);
        devices += dev;
        if (i && dev == !!(bi->untyped[i - 1].flags & MICA_UNTYPED_DEVICE) &&
            bi->untyped[i - 1].paddr >= a->paddr)
            return ktest_failf("untyped %u at 0x%lx is out of order", i, a->paddr);
        for (unsigned j = 0; j < i; j++) {
            const struct mica_bootinfo_untyped *b = &bi->untyped[j];
            if (a->paddr < b->paddr + (1ull << b->size_bits) && b->paddr < a->paddr + (1ull << a->size_bits))
                return ktest_failf("untyped %u (0x%lx) overlaps untyped %u (0x%lx)", i, a->paddr, j, b->paddr);
        }
    }
    CHECK(devices > 0); /* q35 has MMIO windows below 4 GiB */
    return 0;
}

/* The test runner passes one extra module; it must be listed and its
 * memory must not have been handed out as untyped. */
static const char *modules(const struct mica_bootinfo *bi)
{
    CHECK_EQ(bi->n_modules, 1);
    const struct mica_bootinfo_module *m = &bi->modules[0];
    CHECK(m->size > 0);
    CHECK_EQ(m->paddr & (MICA_PAGE_SIZE - 1), 0);
    CHECK(str_terminated(m->cmdline, sizeof(m->cmdline)));
    for (unsigned i = 0; i < bi->n_untyped; i++) {
        const struct mica_bootinfo_untyped *u = &bi->untyped[i];
        unsigned long long end = u->paddr + (1ull << u->size_bits);
        if (m->paddr < end && u->paddr < m->paddr + m->size)
            return ktest_failf("module at 0x%lx overlaps untyped %u", m->paddr, i);
    }
    return 0;
}

static int initialised = 42;
static char zeroed[8192];

static const char *data_and_bss(const struct mica_bootinfo *bi)
{
    (void)bi;
    CHECK_EQ(initialised, 42);
    initialised = 43; /* data is writable */
    CHECK_EQ(initialised, 43);
    for (unsigned i = 0; i < sizeof(zeroed); i++)
        if (zeroed[i])
            return ktest_failf("bss byte %u is 0x%x, not zero", i, zeroed[i]);
    zeroed[sizeof(zeroed) - 1] = 1;
    return 0;
}

static const char *stack_pages(const struct mica_bootinfo *bi)
{
    /* The lowest stack page is far below anything this test uses. */
    volatile unsigned long *low = (unsigned long *)(bi->stack_top - MICA_ROOT_STACK_PAGES * MICA_PAGE_SIZE);
    for (unsigned i = 0; i < MICA_PAGE_SIZE / 8; i++)
        low[i] = 0x5a5a000000000000ull | i;
    for (unsigned i = 0; i < MICA_PAGE_SIZE / 8; i++)
        CHECK_EQ(low[i], 0x5a5a000000000000ull | i);
    return 0;
}

static const char *ipc_buffer(const struct mica_bootinfo *bi)
{
    volatile unsigned long *buf = (unsigned long *)bi->ipc_buffer;
    for (unsigned i = 0; i < MICA_PAGE_SIZE / 8; i++)
        CHECK_EQ(buf[i], 0); /* handed over zeroed */
    for (unsigned i = 0; i < MICA_PAGE_SIZE / 8; i++)
        buf[i] = ~(unsigned long)i;
    for (unsigned i = 0; i < MICA_PAGE_SIZE / 8; i++)
        CHECK_EQ(buf[i], ~(unsigned long)i);
    return 0;
}

const struct ktest boot_tests[] = {
    { "bootinfo_header", header },
    { "bootinfo_layout", layout },
    { "bootinfo_memory_accounting", memory_accounting },
    { "bootinfo_untyped_aligned", untyped_shape },
    { "bootinfo_untyped_disjoint_sorted", untyped_disjoint },
    { "bootinfo_modules_reserved", modules },
    { "image_data_and_bss", data_and_bss },
    { "stack_pages_writable", stack_pages },
    { "ipc_buffer_zeroed_writable", ipc_buffer },
    { 0, 0 },
};
