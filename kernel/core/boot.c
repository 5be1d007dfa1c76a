/*
 * Generic boot: print what the machine has, build the root task, and hand
 * the CPU to the scheduler. After this the kernel allocates nothing.
 */
#include <arch.h>
#include <boot.h>
#include <cmdline.h>
#include <fastpath.h>
#include <console.h>
#include <mica/bootinfo.h>
#include <mica/layout.h>
#include <rootserver.h>
#include <sched.h>
#include <tcb.h>


static void print_memory_summary(const struct mica_bootinfo *bi)
{
    unsigned ram = 0;
    uint64_t device = 0;
    for (unsigned i = 0; i < bi->n_untyped; i++) {
        if (bi->untyped[i].flags & MICA_UNTYPED_DEVICE)
            device += 1ull << bi->untyped[i].size_bits;
        else
            ram++;
    }
    kprintf("memory: %lu MiB RAM, %lu MiB free as %u untyped regions, %lu KiB kept by the kernel\n",
            bi->ram_total >> 20, bi->ram_free >> 20, ram, bi->ram_kernel >> 10);
    kprintf("devices: %lu MiB of MMIO space below 4 GiB as %u device untyped regions\n",
            device >> 20, bi->n_untyped - ram);
}

void kernel_start(struct boot_params *bp)
{
    kprintf("command line: \"%s\", %u boot module(s)\n", bp->cmdline, bp->n_modules);
#if CONFIG_DEBUG
    if (cmdline_has(bp->cmdline, "selftest=kernel-fault")) {
        kprintf("selftest: taking a kernel-mode page fault on purpose\n");
        arch_selftest_kernel_fault();
    }
#endif
    if (cmdline_has(bp->cmdline, "nofastpath")) {
        fastpath_enabled = false;
        kprintf("ipc: fastpath disabled (kernel option nofastpath)\n");
    }
    struct tcb *root;
    print_memory_summary(rootserver_create(bp, &root));
    sched_make_runnable(root);
    kprintf("entering user mode\n\n");
    schedule();
}
