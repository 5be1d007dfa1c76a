/*
 * A user-space PCI library over PCI Express ECAM (memory-mapped
 * configuration space), the way a Mica driver or the root task finds its
 * devices: the kernel reports where ECAM is (boot info, platform.ecam_*,
 * from the ACPI MCFG table) and hands its memory out as device untyped;
 * the library maps the configuration space of a pair of buses at a time
 * (one 2 MiB device frame, made with mica_devmem) into a window of the
 * caller's address space and reads it there. No kernel call is involved
 * in a configuration access.
 *
 * mica_pci_scan() walks bus ecam_bus_first and, depth first, every bus
 * behind a PCI-to-PCI bridge, and records each function found: IDs, class,
 * header type, interrupt pin, the offsets of its MSI and MSI-X
 * capabilities, and its BARs (address, size, kind; sized by the usual
 * write-all-ones probe with decoding switched off for the moment).
 */
#ifndef MICA_PCI_H
#define MICA_PCI_H

#include <mica_device.h>

#define MICA_PCI_MAX_DEVICES 64
#define MICA_PCI_BARS 6

/* Configuration space offsets (PCI Local Bus Specification, type 0/1 headers). */
#define MICA_PCI_VENDOR_ID   0x00
#define MICA_PCI_DEVICE_ID   0x02
#define MICA_PCI_COMMAND     0x04
#define MICA_PCI_STATUS      0x06
#define MICA_PCI_REVISION    0x08
#define MICA_PCI_PROG_IF     0x09
#define MICA_PCI_SUBCLASS    0x0a
#define MICA_PCI_CLASS       0x0b
#define MICA_PCI_HEADER_TYPE 0x0e
#define MICA_PCI_BAR0        0x10
#define MICA_PCI_SECONDARY_BUS 0x19 /* type 1 (bridge) header */
#define MICA_PCI_CAP_PTR     0x34
#define MICA_PCI_IRQ_LINE    0x3c
#define MICA_PCI_IRQ_PIN     0x3d

#define MICA_PCI_COMMAND_IO     0x1
#define MICA_PCI_COMMAND_MEMORY 0x2
#define MICA_PCI_COMMAND_MASTER 0x4 /* the device may do DMA */
#define MICA_PCI_COMMAND_INTX_DISABLE 0x400

#define MICA_PCI_CAP_ID_MSI  0x05
#define MICA_PCI_CAP_ID_MSIX 0x11

/* struct mica_pci_bar.flags */
#define MICA_PCI_BAR_IO       0x1 /* an I/O port range (else memory) */
#define MICA_PCI_BAR_64       0x2 /* a 64-bit memory BAR (uses two slots) */
#define MICA_PCI_BAR_PREFETCH 0x4

struct mica_pci_bar {
    uint64_t base;  /* physical address or first port; 0 if unassigned */
    uint64_t size;  /* 0: BAR not implemented */
    uint8_t flags;  /* MICA_PCI_BAR_* */
};

struct mica_pci_dev {
    uint8_t bus, dev, fn;
    uint8_t header_type;   /* 0 device, 1 PCI-to-PCI bridge, 2 CardBus */
    uint16_t vendor, device;
    uint8_t class_code, subclass, prog_if, revision;
    uint8_t irq_pin;       /* 0 none, 1-4 INTA#-INTD# */
    uint8_t msi;           /* config offset of the MSI capability, 0 if none */
    uint8_t msix;          /* config offset of the MSI-X capability, 0 if none */
    struct mica_pci_bar bar[MICA_PCI_BARS];
    volatile void *config; /* its 4 KiB of configuration space, mapped */
};

struct mica_pci {
    struct mica_devmem *dm;
    uint64_t ecam_base;
    unsigned segment, bus_first, bus_last;
    mica_word_t window;    /* config space of bus b at window + ((b - bus_first) << 20) */
    uint32_t mapped[8];    /* bit per bus pair: its 2 MiB are mapped */
    unsigned n;
    struct mica_pci_dev dev[MICA_PCI_MAX_DEVICES];
    unsigned dropped;      /* functions found beyond MICA_PCI_MAX_DEVICES */
};

/* Set up over the boot info's ECAM facts; window is a 2 MiB-aligned free
 * virtual range of (bus_last - bus_first + 1) MiB (rounded up to 2 MiB) in
 * the caller's space. MICA_ERR_NOT_SUPPORTED if the machine has no ECAM,
 * MICA_ERR_ALIGNMENT if ECAM or window is not 2 MiB aligned. */
mica_word_t mica_pci_init(struct mica_pci *pci, struct mica_devmem *dm,
                          const struct mica_bootinfo *bi, mica_word_t window);
/* Enumerate every function (see above). Returns MICA_OK or the error of
 * mapping configuration space. */
mica_word_t mica_pci_scan(struct mica_pci *pci);
/* The first function with these IDs, or NULL. */
const struct mica_pci_dev *mica_pci_find(const struct mica_pci *pci, uint16_t vendor,
                                         uint16_t device);
/* The configuration space of bus:dev.fn, mapped on demand, or NULL on
 * error (outside the bus range, mapping failed). */
volatile void *mica_pci_config(struct mica_pci *pci, unsigned bus, unsigned dev, unsigned fn);

/* Configuration space accessors (offset must be aligned to the width). */
static inline uint8_t mica_pci_read8(const struct mica_pci_dev *d, unsigned off)
{
    return ((volatile uint8_t *)d->config)[off];
}
static inline uint16_t mica_pci_read16(const struct mica_pci_dev *d, unsigned off)
{
    return ((volatile uint16_t *)d->config)[off / 2];
}
static inline uint32_t mica_pci_read32(const struct mica_pci_dev *d, unsigned off)
{
    return ((volatile uint32_t *)d->config)[off / 4];
}
static inline void mica_pci_write16(const struct mica_pci_dev *d, unsigned off, uint16_t v)
{
    ((volatile uint16_t *)d->config)[off / 2] = v;
}
static inline void mica_pci_write32(const struct mica_pci_dev *d, unsigned off, uint32_t v)
{
    ((volatile uint32_t *)d->config)[off / 4] = v;
}

/* Offset of the first capability with `id`, or 0. */
unsigned mica_pci_find_cap(const struct mica_pci_dev *d, uint8_t id);
/* Set bits in the command register (MICA_PCI_COMMAND_*). */
void mica_pci_enable(const struct mica_pci_dev *d, uint16_t command_bits);
/* Program and enable the device's MSI capability with one vector, using
 * the value IRQControl_GetMSI returned (MICA_MSI_ADDRESS / MICA_MSI_DATA),
 * and turn legacy INTx off. MICA_ERR_NOT_SUPPORTED if it has no MSI. */
mica_word_t mica_pci_msi_enable(const struct mica_pci_dev *d, mica_word_t msi);
/* The device's PCI address as IRQ and IOSpace invocations take it. */
mica_word_t mica_pci_addr(const struct mica_pci *pci, const struct mica_pci_dev *d);

/* "network controller", "bridge", ... (PCI class codes), never NULL. */
const char *mica_pci_class_name(uint8_t class_code, uint8_t subclass);
/* One line per function, BARs and MSI on the following lines, through mica_printf. */
void mica_pci_print(const struct mica_pci *pci, const struct mica_pci_dev *d);

#endif
