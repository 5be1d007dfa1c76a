/*
 * init: starting the edu driver (servers/drivers/edu; docs/drivers.md,
 * "The edu driver").
 *
 * init owns configuration space, so it does everything there itself and
 * hands the driver only what the driver needs to drive the device:
 *
 *   - the device frame of BAR0's first 4 KiB (all the registers; the rest
 *     of the 1 MiB BAR decodes nothing),
 *   - an IRQHandler for one MSI of the device, whose address and data init
 *     writes into the device's MSI capability,
 *   - with an IOMMU, the device's IOSpace; without one, nothing for DMA:
 *     the driver then does no DMA at all (no DMA without isolation),
 *   - a RAM untyped for the driver's own objects (notification, watchdog
 *     thread, page tables, DMA buffers, IO page tables),
 *   - a cap to the serial driver's endpoint for its output, if there is one.
 *
 * The driver makes its own objects rather than receiving them ready-made:
 * it knows how many IO page tables its IOSpace needs (3 or 4 levels) and
 * which buffers it wants, and everything it can make is bounded by the
 * untyped's size. Memory of its own is all it can map for DMA.
 *
 * Why the driver does not get its function's configuration space (its
 * 4 KiB of ECAM): whoever writes it chooses the MSI address and data, that
 * is which interrupt vector the device raises, and without interrupt
 * remapping nothing checks that choice, so the driver could make the device
 * raise the vectors of other devices or the kernel's own. It could also
 * move the BAR over another device's registers. None of that is needed to
 * drive the device.
 *
 * init keeps a copy of every cap it gives (and the parent of the untyped),
 * so it can take the device back by revoking them.
 */
#include "init.h"
#include <cmdline.h>

#include "../drivers/edu/edu.h"
#include "console.h"

static struct mica_process edu_process;
static char edu_args[32];

static mica_word_t refuse(mica_word_t err, const char *why)
{
    mica_printf("init: edu: %s; driver not started\n", why);
    return err;
}

static mica_word_t failed(mica_word_t err, mica_word_t detail, const char *what)
{
    mica_printf("init: edu: %s failed: error %lu, detail 0x%lx; driver not started\n", what, err,
                detail);
    return err;
}

/* An IRQHandler for the first free MSI number; *msi_value is what to write
 * into the device's MSI capability. */
static mica_word_t get_msi(struct init_env *env, mica_word_t pci, mica_cptr_t *handler,
                           unsigned *msi, mica_word_t *msi_value)
{
    mica_word_t err = mica_aspace_slot(&env->alloc, handler);
    if (err)
        return failed(err, env->alloc.error_detail, "taking a slot");
    /* MSI numbers are the kernel's, shared by all devices: take a free one. */
    struct mica_sysret r = { MICA_ERR_IN_USE, 0 };
    for (unsigned n = 0; n < MICA_IRQ_MSI_COUNT && r.status == MICA_ERR_IN_USE; n++) {
        r = mica_irq_get_msi(MICA_CAP_IRQ_CONTROL, n, pci, MICA_CAP_INIT_CNODE, *handler, 64);
        *msi = n;
    }
    if (r.status)
        return failed(r.status, r.value, "IRQControl_GetMSI");
    *msi_value = r.value;
    return MICA_OK;
}

/* "ssss:bb:dd.f", the driver's argument. */
static void format_pci_addr(char *a, mica_word_t pci)
{
    static const char hex[] = "0123456789abcdef";
    unsigned seg = MICA_PCI_SEGMENT(pci), bus = MICA_PCI_BUS(pci), dev = MICA_PCI_DEVICE(pci);
    for (int s = 12; s >= 0; s -= 4)
        *a++ = hex[(seg >> s) & 0xf];
    *a++ = ':';
    *a++ = hex[bus >> 4];
    *a++ = hex[bus & 0xf];
    *a++ = ':';
    *a++ = hex[dev >> 4];
    *a++ = hex[dev & 0xf];
    *a++ = '.';
    *a++ = hex[MICA_PCI_FUNCTION(pci)];
    *a = '\0';
}

mica_word_t start_edu(struct init_env *env, const struct mica_bootinfo_module *m)
{
    const struct mica_bootinfo *bi = env->bi;
    if (!env->have_pci)
        return refuse(MICA_ERR_NOT_SUPPORTED, "no PCI configuration space (no ECAM)");
    const struct mica_pci_dev *d = mica_pci_find(&env->pci, EDU_VENDOR_ID, EDU_DEVICE_ID);
    if (!d)
        return refuse(MICA_ERR_NOT_SUPPORTED, "no edu device (PCI 1234:11e8) on the bus");
    const struct mica_pci_bar *bar0 = &d->bar[0];
    if (!bar0->size || (bar0->flags & MICA_PCI_BAR_IO) || !bar0->base ||
        (bar0->base & (MICA_PAGE_SIZE - 1)))
        return refuse(MICA_ERR_INVALID_ARGUMENT, "BAR0 is not an assigned memory BAR");
    if (!d->msi)
        return refuse(MICA_ERR_NOT_SUPPORTED, "the device has no MSI capability");
    mica_word_t pci = mica_pci_addr(&env->pci, d);
    int iommu = (bi->platform.flags & MICA_PLATFORM_IOMMU) != 0;

    /* The driver's resources, all made before anything is programmed. */
    mica_cptr_t regs, irq, iospace = 0, untyped;
    unsigned msi;
    mica_word_t msi_value, err;
    if ((err = mica_devmem_frame(&env->devmem, bar0->base, MICA_FRAME_4K_BITS, &regs)))
        return failed(err, env->devmem.error_detail, "making the register frame");
    if ((err = get_msi(env, pci, &irq, &msi, &msi_value)))
        return err;
    if (iommu) {
        if ((err = mica_aspace_slot(&env->alloc, &iospace)))
            return failed(err, env->alloc.error_detail, "taking a slot");
        struct mica_sysret r =
            mica_iospace_issue(MICA_CAP_IOSPACE_CONTROL, pci, MICA_CAP_INIT_CNODE, iospace, 64);
        if (r.status)
            return failed(r.status, r.value, "IOSpaceControl_Issue");
    }
    if ((err = mica_aspace_alloc(&env->alloc, MICA_OBJ_UNTYPED, EDU_UNTYPED_BITS, &untyped)))
        return failed(err, env->alloc.error_detail, "making the driver's untyped");

    format_pci_addr(edu_args, pci);
    struct mica_process *p = &edu_process;
    if ((err = mica_process_create(p, &env->alloc, (const void *)m->vaddr, m->size,
                                   EDU_CNODE_BITS, "edu", edu_args))) {
        if (err == MICA_ERR_INVALID_ARGUMENT && p->why)
            mica_printf("init: edu: module '%s' refused: %s\n", m->cmdline, p->why);
        return failed(err, p->as.error_detail, "loading the driver");
    }
    if ((err = mica_process_give(p, regs, EDU_SLOT_REGS, MICA_RIGHT_READ | MICA_RIGHT_WRITE, 0)) ||
        (err = mica_process_give(p, irq, EDU_SLOT_IRQ, MICA_RIGHTS_ALL, 0)) ||
        (iospace && (err = mica_process_give(p, iospace, EDU_SLOT_IOSPACE, MICA_RIGHTS_ALL, 0))))
        return failed(err, p->as.error_detail, "giving the driver its caps");
    /* Untyped caps cannot be copied (their memory would be handed out
     * twice): the untyped moves; init's own untyped it came from stays its
     * parent, so revoking that still takes it back. */
    struct mica_sysret r = mica_cnode_move(p->cnode, EDU_SLOT_UNTYPED, p->cnode_bits,
                                           MICA_CAP_INIT_CNODE, untyped, 64);
    if (r.status)
        return failed(r.status, r.value, "moving the untyped to the driver");
    /* Its console: the serial driver, if there is one, so that its lines
     * and everyone else's leave through one queue instead of mixing. */
    mica_cptr_t serial = uart_client();
    if (serial && (err = mica_process_give(p, serial, EDU_SLOT_CONSOLE, MICA_RIGHT_WRITE, 0)))
        return failed(err, p->as.error_detail, "giving the driver its console");
    /* Its free slots begin after the whole layout, whatever was left empty. */
    if (p->slot_next < EDU_SLOT_END)
        p->slot_next = EDU_SLOT_END;

    /* Configuration space: interrupts by MSI (INTx off), register decoding
     * and bus mastering on. An MSI is a memory write by the device, so it
     * needs bus mastering even where the device does no DMA. */
    if (cmdline_has(cmdline_args(m->cmdline), "selftest=no-msi")) {
        /* For the tests: an interrupt that never comes must be reported by
         * the driver, not waited for forever (tests/boot/edu-no-msi.case). */
        mica_printf("init: edu: selftest=no-msi: leaving the device's MSI capability off\n");
    } else if ((err = mica_pci_msi_enable(d, msi_value))) {
        return failed(err, 0, "programming MSI");
    }
    mica_pci_enable(d, MICA_PCI_COMMAND_MEMORY | MICA_PCI_COMMAND_MASTER);

    /* Said before the start: the driver runs above init at once. */
    mica_printf("init: edu: starting the driver for %s at priority %u: registers at 0x%lx, "
                "MSI %u, %s\n", edu_args, EDU_PRIORITY, bar0->base, msi,
                iospace ? "DMA through its IOSpace" : "no IOMMU, so no IOSpace and no DMA");
    if ((err = mica_process_start(p, bi, EDU_PRIORITY, 0)))
        return failed(err, p->as.error_detail, "starting the driver");
    return MICA_OK;
}
