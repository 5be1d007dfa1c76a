/*
 * The edu driver's contract with init: what init hands the driver and where.
 *
 * QEMU's `edu` device (PCI 1234:11e8) is a teaching device: a factorial
 * unit, an interrupt it raises on request, and a DMA engine that copies
 * between RAM and a 4 KiB buffer inside the device (QEMU hw/misc/edu.c,
 * docs/specs/edu.rst). init (servers/init/edu.c) finds it on the PCI bus,
 * programs its configuration space (memory decoding, MSI, bus mastering)
 * and starts the driver (servers/drivers/edu/main.c) in an address space
 * and a CSpace of its own, with exactly the caps below. docs/drivers.md,
 * "The edu driver", explains who does what and why.
 */
#ifndef EDU_H
#define EDU_H

#include <mica/bootinfo.h>

#define EDU_VENDOR_ID 0x1234
#define EDU_DEVICE_ID 0x11e8

/*
 * The driver's CSpace: 2^EDU_CNODE_BITS slots. Besides the fixed slots every
 * process has (MICA_CAP_INIT_TCB, _CNODE, _VSPACE, _IPC_BUFFER) init fills
 * these; the boot info's free slots begin after them.
 */
#define EDU_CNODE_BITS   8
#define EDU_SLOT_REGS    (MICA_CAP_FIRST_DYNAMIC + 0) /* device frame: BAR0's first 4 KiB */
#define EDU_SLOT_IRQ     (MICA_CAP_FIRST_DYNAMIC + 1) /* IRQHandler of the device's MSI */
#define EDU_SLOT_UNTYPED (MICA_CAP_FIRST_DYNAMIC + 2) /* RAM untyped, 2^EDU_UNTYPED_BITS bytes */
#define EDU_SLOT_IOSPACE (MICA_CAP_FIRST_DYNAMIC + 3) /* its IOSpace; empty without an IOMMU */
#define EDU_SLOT_CONSOLE (MICA_CAP_FIRST_DYNAMIC + 4) /* endpoint of the serial driver
                                                         (mica_serial.h), write right; empty:
                                                         print on the kernel console */
#define EDU_SLOT_END     (MICA_CAP_FIRST_DYNAMIC + 5) /* free slots start here or later */

/* The driver's own memory: notification, watchdog thread, page tables, DMA
 * buffers and IO page tables, with room to spare for alignment. */
#define EDU_UNTYPED_BITS 17

/* Drivers run above their clients, so an interrupt is served as soon as it
 * arrives (init runs at 100 once it starts drivers; servers/init/console.h). */
#define EDU_PRIORITY 200

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
