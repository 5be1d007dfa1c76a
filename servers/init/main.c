/*
 * init: Mica's root task. It shows what the kernel handed it, lists the
 * PCI devices, starts a driver for each boot module it knows (uart.c,
 * edu.c) and then runs a small console through the user-level UART
 * driver (console.c). Without that driver it stays on the kernel console
 * and halts the machine when it is done, as it always did.
 */
#include <cmdline.h>
#include <libmica.h>
#include <mica/tcb.h>
#include <mica_serial.h>
#include <stdbool.h>

#include "console.h"

/* Where the configuration space of the PCI buses is mapped in init. */
#define PCI_WINDOW 0x0000700000000000ull

static struct init_env env;

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

/* Allocation: every object from the largest RAM untyped, every cap into
 * the free slots. False if there is no RAM to use. */
static bool setup_alloc(struct init_env *e, const struct mica_bootinfo *bi)
{
    int best = -1;
    for (unsigned i = 0; i < bi->n_untyped; i++)
        if (!(bi->untyped[i].flags & MICA_UNTYPED_DEVICE) &&
            (best < 0 || bi->untyped[i].size_bits > bi->untyped[best].size_bits))
            best = (int)i;
    if (best < 0) {
        mica_printf("init: no RAM untyped to build anything from\n");
        return false;
    }
    e->bi = bi;
    mica_aspace_self(&e->alloc);
    e->alloc.untyped = bi->slot_untyped_first + (unsigned)best;
    e->alloc.slot_next = bi->slot_empty_first;
    e->alloc.slot_end = bi->slot_empty_end;
    mica_devmem_init(&e->devmem, &e->alloc, bi);
    return true;
}

void print_pci(const struct init_env *e)
{
    mica_printf("init: PCI devices:\n");
    for (unsigned i = 0; i < e->pci.n; i++)
        mica_pci_print(&e->pci, &e->pci.dev[i]);
    if (e->pci.dropped)
        mica_printf("init: %u more PCI functions not recorded (table full)\n", e->pci.dropped);
}

static void scan_pci(struct init_env *e)
{
    mica_word_t err = mica_pci_init(&e->pci, &e->devmem, e->bi, PCI_WINDOW);
    if (err == MICA_ERR_NOT_SUPPORTED) {
        mica_printf("init: no PCI Express ECAM (ACPI MCFG); PCI devices not scanned\n");
        return;
    }
    if (!err)
        err = mica_pci_scan(&e->pci);
    if (err) {
        mica_printf("init: PCI scan failed: error %lu (detail 0x%lx)\n", err,
                    e->devmem.error_detail);
        return;
    }
    e->have_pci = 1;
    print_pci(e);
}

static const struct {
    const char *name;
    mica_word_t (*start)(struct init_env *, const struct mica_bootinfo_module *);
} drivers[] = {
    { "uart", start_uart },
    { "edu", start_edu },
};

static void start_modules(struct init_env *e)
{
    for (unsigned i = 0; i < e->bi->n_modules; i++) {
        const struct mica_bootinfo_module *m = &e->bi->modules[i];
        char name[MICA_PROCESS_NAME_MAX];
        cmdline_name(m->cmdline, name, sizeof(name));
        unsigned d = 0;
        while (d < sizeof(drivers) / sizeof(drivers[0]) && mica_strcmp(drivers[d].name, name))
            d++;
        if (d == sizeof(drivers) / sizeof(drivers[0]))
            mica_printf("init: boot module '%s': no driver called '%s'; ignored\n", m->cmdline,
                        name);
        else if (!m->vaddr)
            mica_printf("init: boot module '%s': not mapped by the kernel; not started\n",
                        m->cmdline);
        else
            drivers[d].start(e, m); /* each reports its own failure */
    }
}

int main(const struct mica_bootinfo *bi)
{
    print_boot_summary(bi);
    if (setup_alloc(&env, bi)) {
        scan_pci(&env);
        /* Drivers run above init (console.h). */
        struct mica_sysret r = mica_tcb_set_priority(MICA_CAP_INIT_TCB, INIT_PRIORITY);
        if (r.status)
            mica_printf("init: cannot lower its own priority: error %lu\n", r.status);
        start_modules(&env);
    }
    mica_cptr_t serial = uart_client();
    if (serial) {
        mica_printf("init: console moves to the uart driver\n");
        mica_serial_console(serial);
        console_run(&env, serial);
    }
    mica_printf("init: no uart driver; the console stays with the kernel\n");
    mica_printf("init: nothing more to do yet; halting the machine\n");
    return 0;
}
