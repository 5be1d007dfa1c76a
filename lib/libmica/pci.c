/* libmica: PCI enumeration over ECAM (see mica_pci.h). */
#include <mica_pci.h>

#define PAIR_BITS 21 /* one 2 MiB frame: the configuration space of two buses */

mica_word_t mica_pci_init(struct mica_pci *pci, struct mica_devmem *dm,
                          const struct mica_bootinfo *bi, mica_word_t window)
{
    const struct mica_bootinfo_platform *p = &bi->platform;
    pci->dm = dm;
    pci->n = pci->dropped = 0;
    for (unsigned i = 0; i < 8; i++)
        pci->mapped[i] = 0;
    if (!(p->flags & MICA_PLATFORM_ECAM))
        return MICA_ERR_NOT_SUPPORTED;
    if ((p->ecam_base | window) & ((1ull << PAIR_BITS) - 1))
        return MICA_ERR_ALIGNMENT;
    pci->ecam_base = p->ecam_base;
    pci->segment = p->ecam_segment;
    pci->bus_first = p->ecam_bus_first;
    pci->bus_last = p->ecam_bus_last;
    pci->window = window;
    return MICA_OK;
}

volatile void *mica_pci_config(struct mica_pci *pci, unsigned bus, unsigned dev, unsigned fn)
{
    if (bus < pci->bus_first || bus > pci->bus_last || dev > 31 || fn > 7)
        return 0;
    unsigned rel = bus - pci->bus_first, pair = rel / 2;
    uint64_t pair_offset = (uint64_t)pair << PAIR_BITS;
    if (!(pci->mapped[pair / 32] & (1u << (pair % 32)))) {
        mica_cptr_t frame;
        if (mica_devmem_frame(pci->dm, pci->ecam_base + pair_offset, PAIR_BITS, &frame) ||
            mica_aspace_map(pci->dm->as, MICA_CAP_INIT_VSPACE, frame, pci->window + pair_offset,
                            MICA_MAP_READ | MICA_MAP_WRITE))
            return 0;
        pci->mapped[pair / 32] |= 1u << (pair % 32);
    }
    return (volatile void *)(pci->window + ((uint64_t)rel << 20) + ((uint64_t)dev << 15) +
                             ((uint64_t)fn << 12));
}

unsigned mica_pci_find_cap(const struct mica_pci_dev *d, uint8_t id)
{
    if (!(mica_pci_read16(d, MICA_PCI_STATUS) & 0x10)) /* no capability list */
        return 0;
    unsigned off = mica_pci_read8(d, MICA_PCI_CAP_PTR) & 0xfc;
    /* At most 48 capabilities fit in 256 bytes: a loop in a broken list ends. */
    for (unsigned n = 0; off >= 0x40 && n < 48; n++) {
        if (mica_pci_read8(d, off) == id)
            return off;
        off = mica_pci_read8(d, off + 1) & 0xfc;
    }
    return 0;
}

/* Size the BARs of a function (type 0: six, type 1: two). */
static void read_bars(struct mica_pci_dev *d)
{
    unsigned count = d->header_type == 0 ? 6 : d->header_type == 1 ? 2 : 0;
    uint16_t command = mica_pci_read16(d, MICA_PCI_COMMAND);
    /* No decoding while a BAR holds the all-ones probe. */
    mica_pci_write16(d, MICA_PCI_COMMAND,
                     command & ~(MICA_PCI_COMMAND_IO | MICA_PCI_COMMAND_MEMORY));
    for (unsigned i = 0; i < count; i++) {
        unsigned off = MICA_PCI_BAR0 + 4 * i;
        uint32_t orig = mica_pci_read32(d, off);
        mica_pci_write32(d, off, 0xffffffff);
        uint32_t probe = mica_pci_read32(d, off);
        mica_pci_write32(d, off, orig);
        struct mica_pci_bar *b = &d->bar[i];
        if (orig & 1) { /* I/O space */
            uint32_t mask = probe & ~3u & 0xffff;
            b->flags = MICA_PCI_BAR_IO;
            b->base = orig & ~3u;
            b->size = mask ? (~mask & 0xffff) + 1 : 0;
            continue;
        }
        uint64_t base = orig & ~0xfull, mask = probe & ~0xfull;
        b->flags = (orig & 0x8) ? MICA_PCI_BAR_PREFETCH : 0;
        if (((orig >> 1) & 3) == 2 && i + 1 < count) { /* 64-bit: the next BAR is the top half */
            uint32_t orig_hi = mica_pci_read32(d, off + 4);
            mica_pci_write32(d, off + 4, 0xffffffff);
            uint32_t probe_hi = mica_pci_read32(d, off + 4);
            mica_pci_write32(d, off + 4, orig_hi);
            base |= (uint64_t)orig_hi << 32;
            mask |= (uint64_t)probe_hi << 32;
            b->flags |= MICA_PCI_BAR_64;
            b->base = base;
            b->size = mask ? ~mask + 1 : 0;
            i++; /* the upper half is not a BAR of its own */
            continue;
        }
        b->base = base;
        b->size = (uint32_t)mask ? (uint32_t)(~(uint32_t)mask + 1) : 0;
    }
    mica_pci_write16(d, MICA_PCI_COMMAND, command);
}

static void scan_bus(struct mica_pci *pci, unsigned bus, unsigned depth)
{
    for (unsigned dev = 0; dev < 32; dev++) {
        for (unsigned fn = 0; fn < 8; fn++) {
            volatile void *cfg = mica_pci_config(pci, bus, dev, fn);
            if (!cfg)
                return;
            struct mica_pci_dev probe = { .config = cfg };
            uint16_t vendor = mica_pci_read16(&probe, MICA_PCI_VENDOR_ID);
            if (vendor == 0xffff) {
                if (fn == 0)
                    break; /* no device: no other functions either */
                continue;
            }
            uint8_t header = mica_pci_read8(&probe, MICA_PCI_HEADER_TYPE);
            if (pci->n == MICA_PCI_MAX_DEVICES) {
                pci->dropped++;
            } else {
                struct mica_pci_dev *d = &pci->dev[pci->n++];
                *d = probe;
                d->bus = (uint8_t)bus;
                d->dev = (uint8_t)dev;
                d->fn = (uint8_t)fn;
                d->header_type = header & 0x7f;
                d->vendor = vendor;
                d->device = mica_pci_read16(d, MICA_PCI_DEVICE_ID);
                d->class_code = mica_pci_read8(d, MICA_PCI_CLASS);
                d->subclass = mica_pci_read8(d, MICA_PCI_SUBCLASS);
                d->prog_if = mica_pci_read8(d, MICA_PCI_PROG_IF);
                d->revision = mica_pci_read8(d, MICA_PCI_REVISION);
                d->irq_pin = d->header_type == 2 ? 0 : mica_pci_read8(d, MICA_PCI_IRQ_PIN);
                d->msi = (uint8_t)mica_pci_find_cap(d, MICA_PCI_CAP_ID_MSI);
                d->msix = (uint8_t)mica_pci_find_cap(d, MICA_PCI_CAP_ID_MSIX);
                read_bars(d);
            }
            /* A bridge: its secondary bus next (bounded, so a misconfigured
             * loop of bridges cannot recurse forever). */
            if ((header & 0x7f) == 1 && depth < 8) {
                unsigned secondary = mica_pci_read8(&probe, MICA_PCI_SECONDARY_BUS);
                if (secondary > bus)
                    scan_bus(pci, secondary, depth + 1);
            }
            if (fn == 0 && !(header & 0x80))
                break; /* single-function device */
        }
    }
}

mica_word_t mica_pci_scan(struct mica_pci *pci)
{
    pci->n = pci->dropped = 0;
    if (!mica_pci_config(pci, pci->bus_first, 0, 0))
        return pci->dm->error_detail ? MICA_ERR_RANGE : MICA_ERR_NOT_SUPPORTED;
    scan_bus(pci, pci->bus_first, 0);
    return MICA_OK;
}

const struct mica_pci_dev *mica_pci_find(const struct mica_pci *pci, uint16_t vendor,
                                         uint16_t device)
{
    for (unsigned i = 0; i < pci->n; i++)
        if (pci->dev[i].vendor == vendor && pci->dev[i].device == device)
            return &pci->dev[i];
    return 0;
}

void mica_pci_enable(const struct mica_pci_dev *d, uint16_t command_bits)
{
    mica_pci_write16(d, MICA_PCI_COMMAND, mica_pci_read16(d, MICA_PCI_COMMAND) | command_bits);
}

mica_word_t mica_pci_msi_enable(const struct mica_pci_dev *d, mica_word_t msi)
{
    unsigned cap = d->msi;
    if (!cap)
        return MICA_ERR_NOT_SUPPORTED;
    uint16_t control = mica_pci_read16(d, cap + 2);
    mica_pci_write32(d, cap + 4, MICA_MSI_ADDRESS(msi));
    unsigned data_off = cap + 8;
    if (control & 0x80) { /* 64-bit address capable */
        mica_pci_write32(d, cap + 8, 0);
        data_off = cap + 12;
    }
    mica_pci_write16(d, data_off, (uint16_t)MICA_MSI_DATA(msi));
    /* One vector (multiple message enable 0), then MSI on and INTx off. */
    control = (uint16_t)((control & ~0x70u) | 0x1);
    mica_pci_write16(d, cap + 2, control);
    mica_pci_enable(d, MICA_PCI_COMMAND_INTX_DISABLE);
    return MICA_OK;
}

mica_word_t mica_pci_addr(const struct mica_pci *pci, const struct mica_pci_dev *d)
{
    return MICA_PCI_ADDR(pci->segment, d->bus, d->dev, d->fn);
}

const char *mica_pci_class_name(uint8_t class_code, uint8_t subclass)
{
    switch (class_code) {
    case 0x00: return "unclassified device";
    case 0x01:
        switch (subclass) {
        case 0x01: return "IDE controller";
        case 0x06: return "SATA controller";
        case 0x08: return "NVMe controller";
        default: return "storage controller";
        }
    case 0x02: return subclass == 0x00 ? "Ethernet controller" : "network controller";
    case 0x03: return "display controller";
    case 0x04: return "multimedia controller";
    case 0x05: return "memory controller";
    case 0x06:
        switch (subclass) {
        case 0x00: return "host bridge";
        case 0x01: return "ISA bridge";
        case 0x04: return "PCI-to-PCI bridge";
        default: return "bridge";
        }
    case 0x07: return "communication controller";
    case 0x08: return subclass == 0x06 ? "IOMMU" : "system peripheral";
    case 0x0c:
        switch (subclass) {
        case 0x03: return "USB controller";
        case 0x05: return "SMBus controller";
        default: return "serial bus controller";
        }
    case 0xff: return "vendor-specific device";
    }
    return "other device";
}

void mica_pci_print(const struct mica_pci *pci, const struct mica_pci_dev *d)
{
    mica_printf("pci %04x:%02x:%02x.%x  %04x:%04x  class %02x%02x%02x  %s%s\n", pci->segment,
                d->bus, d->dev, d->fn, d->vendor, d->device, d->class_code, d->subclass,
                d->prog_if, mica_pci_class_name(d->class_code, d->subclass),
                d->vendor == 0x1234 && d->device == 0x11e8 ? " (QEMU edu)" : "");
    for (unsigned i = 0; i < MICA_PCI_BARS; i++) {
        const struct mica_pci_bar *b = &d->bar[i];
        if (!b->size)
            continue;
        if (b->flags & MICA_PCI_BAR_IO)
            mica_printf("      BAR%u  I/O ports 0x%lx-0x%lx\n", i, b->base, b->base + b->size - 1);
        else
            mica_printf("      BAR%u  memory 0x%lx, %lu KiB%s%s\n", i, b->base, b->size >> 10,
                        (b->flags & MICA_PCI_BAR_64) ? ", 64-bit" : "",
                        (b->flags & MICA_PCI_BAR_PREFETCH) ? ", prefetchable" : "");
    }
    if (d->msi || d->msix || d->irq_pin)
        mica_printf("      interrupts:%s%s%s%c\n", d->msi ? " MSI" : "", d->msix ? " MSI-X" : "",
                    d->irq_pin ? " INT" : "", d->irq_pin ? 'A' + d->irq_pin - 1 : ' ');
}
