/*
 * The edu driver's contract with the system description that runs it
 * (systems/default.system): the resources it looks up by name in its PD
 * info (mica_pd.h), and the device's registers.
 *
 * QEMU's `edu` device (PCI 1234:11e8) is a teaching device: a factorial
 * unit, an interrupt it raises on request, and a DMA engine that copies
 * between RAM and a 4 KiB buffer inside the device (QEMU hw/misc/edu.c,
 * docs/specs/edu.rst). init builds the driver's protection domain from the
 * description: it maps the registers, programs the device's configuration
 * space (memory decoding, MSI, bus mastering; init keeps configuration
 * space to itself) and hands over the caps below. docs/drivers.md, "The edu
 * driver", explains who does what and why.
 */
#ifndef EDU_H
#define EDU_H

#include <mica/types.h>

/* What its pci_device's vendor and device attributes say, so that init
 * refuses to start the driver on any other function. */
#define EDU_VENDOR_ID 0x1234
#define EDU_DEVICE_ID 0x11e8

/*
 * Resources of the driver's protection domain:
 *
 *   EDU_RES_DEVICE   <pci_device name="edu" address="00:03.0" ...>: its
 *                    IOSpace (cap 0 without an IOMMU: then no DMA at all)
 *   EDU_RES_REGS     <bar index="0" name="edu_regs" size="0x1000" perms="rw"/>
 *                    inside it: the registers, mapped uncached
 *   EDU_RES_IRQ      <irq id="N" msi="edu" name="edu_irq"/>: the device's
 *                    MSI, which init writes into the device's MSI
 *                    capability; it signals the PD's notification with
 *                    MICA_CHANNEL_BADGE(N). Any other source (isa, gsi)
 *                    is taken as given, for a description that wants to
 *                    show a wrong one (systems/edu-nomsi.system).
 *   EDU_RES_UNTYPED  <untyped name="edu_mem" size="0x20000"/>: RAM for the
 *                    driver's own objects (watchdog thread, page tables,
 *                    DMA buffers, IO page tables), at least
 *                    2^EDU_UNTYPED_MIN_BITS bytes
 *   EDU_RES_SERIAL   optional: an end of the uart driver's endpoint with the
 *                    write right (mica_serial.h); its lines go there, else
 *                    to the kernel console
 */
#define EDU_RES_DEVICE  "edu"
#define EDU_RES_REGS    "edu_regs"
#define EDU_RES_IRQ     "edu_irq"
#define EDU_RES_UNTYPED "edu_mem"
#define EDU_RES_SERIAL  "serial"
#define EDU_UNTYPED_MIN_BITS 16

/*
 * The driver's own mappings (DMA buffers, the watchdog's stack), made from
 * its untyped in a window of its address space that no map or bar of the
 * description may overlap (the driver checks, and refuses to start if one
 * does). It lies above the heap area (MICA_PD_HEAP_END).
 */
#define EDU_VA_PRIVATE      0x0000200000000000ull
#define EDU_VA_PRIVATE_SIZE 0x200000ull

/* Registers (BAR0, 32-bit unless noted). */
#define EDU_REG_ID          0x00 /* 0xRRrr00ed: major RR, minor rr */
#define EDU_REG_LIVENESS    0x04 /* reads back the inverse of what was written */
#define EDU_REG_FACTORIAL   0x08 /* write n: computes n! (mod 2^32), read the result */
#define EDU_REG_STATUS      0x20
#define EDU_REG_IRQ_STATUS  0x24 /* why the device interrupted (EDU_IRQ_*) */
#define EDU_REG_IRQ_RAISE   0x60 /* OR the value into the interrupt status, interrupt */
#define EDU_REG_IRQ_ACK     0x64 /* clear these bits of the interrupt status */
#define EDU_REG_DMA_SRC     0x80 /* 64-bit: source address */
#define EDU_REG_DMA_DST     0x88 /* 64-bit: destination address */
#define EDU_REG_DMA_COUNT   0x90 /* 64-bit: bytes */
#define EDU_REG_DMA_CMD     0x98 /* 64-bit: EDU_DMA_* */

#define EDU_ID_MAGIC_MASK   0xff
#define EDU_ID_MAGIC        0xed

#define EDU_STATUS_COMPUTING 0x01 /* a factorial is being computed */
#define EDU_STATUS_IRQ_FACT  0x80 /* interrupt when a factorial is done */

#define EDU_IRQ_FACT 0x001        /* a factorial is done */
#define EDU_IRQ_DMA  0x100        /* a DMA transfer is done */

#define EDU_DMA_START   0x1
#define EDU_DMA_TO_RAM  0x2       /* device buffer -> RAM (clear: RAM -> device buffer) */
#define EDU_DMA_IRQ     0x4       /* interrupt (EDU_IRQ_DMA) when done */

/* The device's own buffer, as the DMA engine addresses it. */
#define EDU_BUFFER      0x40000
#define EDU_BUFFER_SIZE 4096
/* The device keeps only the low 28 bits of a RAM address (its default
 * dma_mask): the driver's I/O addresses stay below 256 MiB. */
#define EDU_DMA_MASK    ((1ull << 28) - 1)

#endif
