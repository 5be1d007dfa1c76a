/*
 * A PD's devices: PCI functions (with their IOSpace, BARs and MSI), IRQs
 * and I/O ports (docs/init.md, "Devices").
 *
 * init owns PCI configuration space and keeps it: a PD is given what it
 * needs to drive its device, never the device's configuration space,
 * because whoever writes the MSI address and data chooses which vector the
 * device raises, and whoever writes a BAR can move the device's registers
 * over someone else's. So init checks that the function is there and is
 * what the description says, maps the BARs asked for (uncached device
 * frames), programs the MSI capability with the MSI number it allocated,
 * and turns on memory decoding (when BARs are given) and bus mastering
 * (for MSI, or DMA through an IOSpace).
 *
 * Interrupts are issued into init's scratch slot, given the PD's own
 * notification minted with the channel's bit as badge, and then moved to
 * the PD: an IRQ on channel id signals bit id of the PD's word, exactly as
 * a channel does. I/O ports and IOSpaces are issued straight into the PD's
 * CNode.
 */
#include <format.h>
#include <mica_invoke.h>

#include "init.h"

/* Per device of the PD being built: its PCI function and command bits. */
struct dev_state {
    unsigned index;                 /* in img.devices */
    const struct mica_pci_dev *pci;
    uint16_t command;
};

static struct dev_state devs[MICA_PD_RESOURCES_MAX];
static unsigned n_devs;

static const char *pci_text(uint32_t addr)
{
    static char buf[24];
    format_buf(buf, sizeof(buf), "%04x:%02x:%02x.%x", MICA_PCI_SEGMENT(addr), MICA_PCI_BUS(addr),
               MICA_PCI_DEVICE(addr), MICA_PCI_FUNCTION(addr));
    return buf;
}

int device_frame(struct mica_devmem *dm, uint64_t paddr, unsigned bits, mica_cptr_t *frame)
{
    mica_word_t err = mica_devmem_frame(dm, paddr, bits, frame);
    switch (err) {
    case MICA_OK: return 0;
    case MICA_ERR_RANGE:
        return fail("physical address 0x%lx is not device memory the kernel handed out (RAM, "
                    "or outside the MMIO space below 4 GiB)", paddr);
    case MICA_ERR_IN_USE:
        return fail("physical address 0x%lx is already covered by a device frame of another "
                    "page size", paddr);
    case MICA_ERR_NOT_ENOUGH_MEMORY:
        return fail("init's table of device memory is full (%u records)", MICA_DEVMEM_RECORDS);
    default:
        return fail("device frame at 0x%lx: error %lu (%s), detail 0x%lx", paddr, err,
                    mica_error_name(err), dm->error_detail);
    }
}

static struct dev_state *dev_of(unsigned index)
{
    for (unsigned i = 0; i < n_devs; i++)
        if (devs[i].index == index)
            return &devs[i];
    return 0;
}

static int find_devices(struct pd *p, unsigned pd, const struct devices_env *env)
{
    bool iommu = env->bi->platform.flags & MICA_PLATFORM_IOMMU;
    for (unsigned i = 0; i < img.n_devices; i++) {
        const struct mica_sys_device *d = &img.devices[i];
        if (d->pd != pd)
            continue;
        if (!env->have_pci)
            return fail("device '%s' (PCI %s): this machine's PCI configuration space could "
                        "not be read (no ECAM); remove the device", d->name, pci_text(d->pci));
        const struct mica_pci_dev *f = 0;
        for (unsigned k = 0; k < env->pci->n && !f; k++) {
            const struct mica_pci_dev *c = &env->pci->dev[k];
            if (MICA_PCI_SEGMENT(d->pci) == env->pci->segment &&
                MICA_PCI_BUS(d->pci) == c->bus && MICA_PCI_DEVICE(d->pci) == c->dev &&
                MICA_PCI_FUNCTION(d->pci) == c->fn)
                f = c;
        }
        if (!f)
            return fail("device '%s': no PCI function at %s (see init's list of PCI devices); "
                        "correct its address", d->name, pci_text(d->pci));
        if ((d->vendor != MICA_SYS_ANY_ID && d->vendor != f->vendor) ||
            (d->device != MICA_SYS_ANY_ID && d->device != f->device))
            return fail("device '%s': PCI %s is %04x:%04x, not the %04x:%04x the description "
                        "expects; correct its address or IDs", d->name, pci_text(d->pci),
                        f->vendor, f->device, d->vendor & 0xffff, d->device & 0xffff);
        struct dev_state *s = &devs[n_devs++];
        *s = (struct dev_state){ .index = i, .pci = f };
        struct mica_pd_resource *res = pdinfo_add(MICA_RES_DEVICE, d->name);
        res->value = d->pci;
        if (iommu) {
            /* DMA only through its own IOSpace; without an IOMMU, no cap
             * and no bus mastering for DMA (docs/drivers.md). */
            mica_word_t slot;
            if (pd_slot(p, &slot))
                return -1;
            struct mica_sysret r = mica_iospace_issue(MICA_CAP_IOSPACE_CONTROL, d->pci, p->cnode,
                                                      slot, p->cnode_bits);
            if (r.status)
                return fail("device '%s' (PCI %s): IOSpaceControl_Issue refused: error %lu "
                            "(%s)", d->name, pci_text(d->pci), r.status, mica_error_name(r.status));
            res->cap = slot;
            s->command |= MICA_PCI_COMMAND_MASTER;
        }
    }
    return 0;
}

static int build_bars(struct pd *p, unsigned pd, struct mica_devmem *dm)
{
    for (unsigned i = 0; i < img.n_bars; i++) {
        const struct mica_sys_bar *b = &img.bars[i];
        const struct mica_sys_device *d = &img.devices[b->device];
        if (d->pd != pd)
            continue;
        struct dev_state *s = dev_of(b->device);
        const struct mica_pci_bar *bar = &s->pci->bar[b->index];
        if (!bar->size || (bar->flags & MICA_PCI_BAR_IO))
            return fail("bar '%s': BAR %u of device '%s' is not a memory BAR (see init's list "
                        "of PCI devices)", b->name, b->index, d->name);
        if (!bar->base || (bar->base & (MICA_PAGE_SIZE - 1)))
            return fail("bar '%s': BAR %u of device '%s' is at 0x%lx, not an assigned "
                        "page-aligned address", b->name, b->index, d->name, bar->base);
        if (b->size > bar->size)
            return fail("bar '%s': 0x%lx bytes asked for, BAR %u of device '%s' has only 0x%lx",
                        b->name, b->size, b->index, d->name, bar->size);
        for (uint64_t off = 0; off < b->size; off += MICA_PAGE_SIZE) {
            mica_cptr_t frame;
            if (device_frame(dm, bar->base + off, MICA_FRAME_4K_BITS, &frame) ||
                pd_map_copy(p, frame, b->vaddr + off, b->perms, MICA_CACHE_UNCACHED))
                return fail_context("bar '%s' at 0x%lx", b->name, b->vaddr + off);
        }
        struct mica_pd_resource *res = pdinfo_add(MICA_RES_BAR, b->name);
        res->vaddr = b->vaddr;
        res->size = b->size;
        res->value = bar->base;
        res->flags = b->perms;
        s->command |= MICA_PCI_COMMAND_MEMORY;
    }
    return 0;
}

/* The handler in scratch_cap signals the PD's notification with bit id;
 * then it moves to the PD's slot. */
static int deliver(struct pd *p, mica_cptr_t handler, unsigned id, mica_word_t *slot)
{
    struct mica_sysret r = mica_cnode_mint(MICA_CAP_INIT_CNODE, scratch_table, 64,
                                           MICA_CAP_INIT_CNODE, p->ntfn, 64, MICA_RIGHT_WRITE,
                                           MICA_CHANNEL_BADGE(id));
    if (r.status)
        return fail("minting its notification: error %lu (%s)", r.status, mica_error_name(r.status));
    if ((r = mica_irq_handler_set_notification(handler, scratch_table)).status) {
        mica_cnode_delete(MICA_CAP_INIT_CNODE, scratch_table, 64);
        return fail("IRQHandler_SetNotification: error %lu (%s)", r.status,
                    mica_error_name(r.status));
    }
    /* The kernel's copy is a child of this cap: keep it. */
    if (store_put(scratch_table, 0) || pd_slot(p, slot))
        return -1;
    r = mica_cnode_move(p->cnode, *slot, p->cnode_bits, MICA_CAP_INIT_CNODE, handler, 64);
    if (r.status)
        return fail("moving the IRQ handler to the PD: error %lu (%s)", r.status,
                    mica_error_name(r.status));
    return 0;
}

static const char *gsi_refusal(mica_word_t err, const struct devices_env *env)
{
    static char buf[96];
    switch (err) {
    case MICA_ERR_IN_USE: return "it is in use (the kernel issued it before)";
    case MICA_ERR_NOT_SUPPORTED:
    case MICA_ERR_RANGE:
        format_buf(buf, sizeof(buf), "this machine's I/O APIC has GSIs 0 to %u only",
                   env->bi->platform.ioapic_gsis - 1);
        return buf;
    default:
        format_buf(buf, sizeof(buf), "error %lu (%s)", err, mica_error_name(err));
        return buf;
    }
}

static int build_gsi_irq(struct pd *p, const struct mica_sys_irq *q,
                         const struct devices_env *env)
{
    const struct mica_bootinfo_platform *pf = &env->bi->platform;
    unsigned gsi = q->number, flags = q->flags;
    char what[48];
    if (q->kind == MICA_SYS_IRQ_ISA) {
        /* Routed as ACPI says (interrupt source overrides). */
        gsi = pf->isa_gsi[q->number];
        if (!flags)
            flags = pf->isa_flags[q->number];
        format_buf(what, sizeof(what), "ISA IRQ %u (GSI %u)", q->number, gsi);
    } else {
        format_buf(what, sizeof(what), "GSI %u", gsi);
    }
    struct mica_sysret r = mica_irq_get_ioapic(MICA_CAP_IRQ_CONTROL, gsi, flags,
                                               MICA_CAP_INIT_CNODE, scratch_cap, 64);
    if (r.status)
        return fail("irq on channel %u, %s: the kernel refused it: %s; choose another "
                    "interrupt or remove the irq", q->id, what, gsi_refusal(r.status, env));
    mica_word_t slot;
    if (deliver(p, scratch_cap, q->id, &slot)) {
        mica_cnode_delete(MICA_CAP_INIT_CNODE, scratch_cap, 64);
        return fail_context("irq on channel %u, %s", q->id, what);
    }
    struct mica_pd_resource *res = pdinfo_add(MICA_RES_IRQ, q->name);
    res->id = q->id;
    res->cap = slot;
    res->value = gsi;
    return 0;
}

static int build_msi_irq(struct pd *p, const struct mica_sys_irq *q)
{
    const struct mica_sys_device *d = &img.devices[q->number];
    struct dev_state *s = dev_of(q->number);
    if (!s->pci->msi)
        return fail("irq on channel %u: device '%s' (PCI %s) has no MSI capability; give it "
                    "an I/O APIC interrupt (gsi) instead", q->id, d->name, pci_text(d->pci));
    /* MSI numbers are the kernel's, shared by every device: take a free one. */
    struct mica_sysret r = { MICA_ERR_IN_USE, 0 };
    unsigned msi = 0;
    for (; msi < MICA_IRQ_MSI_COUNT; msi++) {
        r = mica_irq_get_msi(MICA_CAP_IRQ_CONTROL, msi, d->pci, MICA_CAP_INIT_CNODE, scratch_cap,
                             64);
        if (r.status != MICA_ERR_IN_USE)
            break;
    }
    if (r.status == MICA_ERR_IN_USE)
        return fail("irq on channel %u: MSI for device '%s': all %u MSI numbers are in use",
                    q->id, d->name, MICA_IRQ_MSI_COUNT);
    if (r.status)
        return fail("irq on channel %u: MSI for device '%s': the kernel refused it: error %lu "
                    "(%s)", q->id, d->name, r.status, mica_error_name(r.status));
    mica_word_t value = r.value, slot;
    if (deliver(p, scratch_cap, q->id, &slot)) {
        mica_cnode_delete(MICA_CAP_INIT_CNODE, scratch_cap, 64);
        return fail_context("irq on channel %u (MSI %u of device '%s')", q->id, msi, d->name);
    }
    /* Configuration space is init's: it writes the address and data. An
     * MSI is a memory write by the device, so it needs bus mastering. */
    mica_word_t err = mica_pci_msi_enable(s->pci, value);
    if (err)
        return fail("irq on channel %u: programming the MSI of device '%s': error %lu (%s)",
                    q->id, d->name, err, mica_error_name(err));
    s->command |= MICA_PCI_COMMAND_MASTER;
    struct mica_pd_resource *res = pdinfo_add(MICA_RES_IRQ, q->name);
    res->id = q->id;
    res->cap = slot;
    res->value = msi;
    res->flags = MICA_RES_IRQ_MSI;
    return 0;
}

static int build_ioports(struct pd *p, unsigned pd)
{
    for (unsigned i = 0; i < img.n_ioports; i++) {
        const struct mica_sys_ioport *io = &img.ioports[i];
        if (io->pd != pd)
            continue;
        mica_word_t slot;
        if (pd_slot(p, &slot))
            return fail_context("ioport '%s'", io->name);
        unsigned last = io->base + io->size - 1;
        struct mica_sysret r = mica_ioport_issue(MICA_CAP_IOPORT_CONTROL, io->base, last,
                                                 p->cnode, slot, p->cnode_bits);
        if (r.status)
            return fail("ioport '%s' (ports 0x%x-0x%x): the kernel refused them: error %lu "
                        "(%s)%s", io->name, io->base, last, r.status, mica_error_name(r.status),
                        r.status == MICA_ERR_IN_USE ? "; some of them are issued already" : "");
        struct mica_pd_resource *res = pdinfo_add(MICA_RES_IOPORT, io->name);
        res->cap = slot;
        res->value = io->base;
        res->size = io->size;
    }
    return 0;
}

int build_devices(struct pd *p, unsigned index, const struct devices_env *env)
{
    n_devs = 0;
    if (find_devices(p, index, env) || build_bars(p, index, env->dm))
        return -1;
    for (unsigned i = 0; i < img.n_irqs; i++) {
        const struct mica_sys_irq *q = &img.irqs[i];
        if (q->pd != index)
            continue;
        if (q->kind == MICA_SYS_IRQ_MSI ? build_msi_irq(p, q) : build_gsi_irq(p, q, env))
            return -1;
    }
    if (build_ioports(p, index))
        return -1;
    for (unsigned i = 0; i < n_devs; i++)
        if (devs[i].command)
            mica_pci_enable(devs[i].pci, devs[i].command);
    return 0;
}
