/*
 * init: Mica's root task. It shows what the kernel handed it, lists the
 * PCI devices, finds the system image among its boot modules, checks it
 * completely, builds every protection domain it describes, starts them
 * and stays on as their fault handler and pager (docs/init.md).
 *
 * Without an image there is nothing to build: init says so and halts the
 * machine with status 0. A bad image, or a PD that cannot be built, is
 * reported in one line and the machine halts with status 1 before any PD
 * has run.
 */
#include <format.h>
#include <libmica.h>
#include <mica_invoke.h>
#include <stdarg.h>

#include "init.h"

static struct mica_devmem devmem;
static struct mica_pci pci;
static bool have_pci;

/* ------------------------------------------------------------ failures */

static char failure_text[512];

int fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    format_buf_v(failure_text, sizeof(failure_text), fmt, ap);
    va_end(ap);
    return -1;
}

int fail_context(const char *fmt, ...)
{
    char context[160], old[sizeof(failure_text)];
    va_list ap;
    va_start(ap, fmt);
    format_buf_v(context, sizeof(context), fmt, ap);
    va_end(ap);
    memcpy(old, failure_text, sizeof(old));
    format_buf(failure_text, sizeof(failure_text), "%s: %s", context, old);
    return -1;
}

const char *failure(void)
{
    return failure_text;
}


void init_halt(int status)
{
    mica_printf("init: halting the machine\n");
    mica_debug_halt(status);
}

/* ------------------------------------------------------------ boot */

static unsigned current_privilege_level(void)
{
    unsigned short cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    return cs & 3;
}

static void print_boot_summary(const struct mica_bootinfo *bi)
{
    mica_printf("init: hello from the root task, running in ring %u\n", current_privilege_level());
    unsigned device = 0;
    for (unsigned i = 0; i < bi->n_untyped; i++)
        device += (bi->untyped[i].flags & MICA_UNTYPED_DEVICE) != 0;
    mica_printf("init: boot info v%u: %lu MiB RAM, %lu MiB free in %u untyped regions "
                "(+%u device), %u boot module(s)\n",
                bi->version, bi->ram_total >> 20, bi->ram_free >> 20, bi->n_untyped - device,
                device, bi->n_modules);
    mica_printf("init: CSpace of %u slots; untyped caps from slot %lu, slots %lu..%lu free\n",
                1u << bi->root_cnode_bits, bi->slot_untyped_first, bi->slot_empty_first,
                bi->slot_empty_end - 1);
    mica_printf("init: timer at %u Hz, %lu ticks so far\n", bi->timer_hz, mica_debug_ticks());
}

static void scan_pci(const struct mica_bootinfo *bi)
{
    mica_devmem_init(&devmem, &init_aspace, bi);
    mica_word_t err = mica_pci_init(&pci, &devmem, bi, INIT_PCI_WINDOW);
    if (err == MICA_ERR_NOT_SUPPORTED) {
        mica_printf("init: no PCI Express ECAM (ACPI MCFG); PCI devices not scanned\n");
        return;
    }
    if (!err)
        err = mica_pci_scan(&pci);
    if (err) {
        mica_printf("init: PCI scan failed: error %lu (%s), detail 0x%lx\n", err,
                    mica_error_name(err), devmem.error_detail);
        return;
    }
    have_pci = true;
    mica_printf("init: PCI devices:\n");
    for (unsigned i = 0; i < pci.n; i++)
        mica_pci_print(&pci, &pci.dev[i]);
    if (pci.dropped)
        mica_printf("init: %u more PCI functions not recorded (table full)\n", pci.dropped);
}

/* The first boot module that is a system image; the others are named
 * and ignored. NULL if there is none. */
static const struct mica_bootinfo_module *find_image(const struct mica_bootinfo *bi,
                                                     unsigned *number)
{
    const struct mica_bootinfo_module *found = 0;
    for (unsigned i = 0; i < bi->n_modules; i++) {
        const struct mica_bootinfo_module *m = &bi->modules[i];
        /* Boot module numbers as the boot loader counts them: init is 1. */
        if (!m->vaddr)
            mica_printf("init: boot module %u '%s': not mapped by the kernel; ignored\n", i + 2,
                        m->cmdline);
        else if (!image_is_system(m))
            mica_printf("init: boot module %u '%s' (%lu bytes) is not a system image (no "
                        "MICA.SYS magic); ignored\n", i + 2, m->cmdline, m->size);
        else if (found)
            mica_printf("init: boot module %u '%s': a second system image; ignored\n", i + 2,
                        m->cmdline);
        else
            found = m, *number = i + 2;
    }
    return found;
}

int main(const struct mica_bootinfo *bi)
{
    print_boot_summary(bi);
    if (alloc_init(bi)) {
        mica_printf("init: %s; nothing can be built\n", failure());
        init_halt(1);
    }
    scan_pci(bi);
    unsigned number = 0;
    const struct mica_bootinfo_module *m = find_image(bi, &number);
    if (!m) {
        mica_printf("init: no system image among the %u boot module(s): nothing to build. "
                    "Pass one after init (QEMU: -initrd \"init,NAME.img\"; make run "
                    "SYSTEM=systems/NAME.system)\n", bi->n_modules);
        init_halt(0);
    }
    if (!image_check(m, number))
        init_halt(1);
    if (slot_take(&fault_ep, "the fault endpoint") ||
        ram_alloc_slot(MICA_OBJ_ENDPOINT, 0, fault_ep, 0)) {
        mica_printf("init: %s; nothing built\n", failure());
        init_halt(1);
    }
    if (!build_system(bi, &pci, &devmem, have_pci))
        init_halt(1);
    start_system();
    fault_loop();
}
