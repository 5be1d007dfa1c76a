/*
 * Invocation labels. An invocation is a Call (MICA_SYS_CALL) on a
 * capability that is not an endpoint: the kernel decodes the message label
 * below, the message registers and any extra capabilities (named in the IPC
 * buffer) as the operation's arguments. Arguments per label are documented
 * in the object pages under docs/ and in lib/libmica's per-invocation functions.
 *
 * Reply: rax = MICA_OK or an error; rdi carries the result value (or, on
 * error, a detail such as a lookup-failure word).
 */
#ifndef MICA_INVOCATION_H
#define MICA_INVOCATION_H

enum mica_invocation {
    MICA_INV_NONE = 0,

    /* Untyped */
    MICA_UNTYPED_RETYPE = 1,

    /* CNode */
    MICA_CNODE_COPY = 16,
    MICA_CNODE_MINT = 17,
    MICA_CNODE_MOVE = 18,
    MICA_CNODE_MUTATE = 19,
    MICA_CNODE_DELETE = 20,
    MICA_CNODE_REVOKE = 21,
    MICA_CNODE_SAVE_CALLER = 22, /* move the invoker's pending reply cap into a slot */

    /* TCB */
    MICA_TCB_CONFIGURE = 32,
    MICA_TCB_SET_PRIORITY = 33,
    MICA_TCB_SET_MCP = 34,
    MICA_TCB_READ_REGISTERS = 35,
    MICA_TCB_WRITE_REGISTERS = 36,
    MICA_TCB_COPY_REGISTERS = 37,
    MICA_TCB_RESUME = 38,
    MICA_TCB_SUSPEND = 39,
    MICA_TCB_SET_FS_BASE = 40,
    MICA_TCB_SET_GS_BASE = 41,
    MICA_TCB_BIND_NOTIFICATION = 42,
    MICA_TCB_UNBIND_NOTIFICATION = 43,
    MICA_TCB_SET_NAME = 44,       /* MR0-MR3: the name, 32 bytes little-endian, NUL-terminated */

    /* Page-table levels (PDPT, page directory, page table) */
    MICA_PAGE_TABLE_MAP = 48,
    MICA_PAGE_TABLE_UNMAP = 49,

    /* Frames */
    MICA_FRAME_MAP = 64,
    MICA_FRAME_UNMAP = 65,
    MICA_FRAME_REMAP = 66,
    MICA_FRAME_GET_ADDRESS = 67,
    MICA_FRAME_MAP_IO = 68,       /* MR0 I/O address, MR1 rights (MICA_MAP_READ/WRITE);
                                     cap0 the IOSpace: map for DMA */

    /* IRQControl (docs/objects/irq.md). The new handler cap goes to the
     * slot (cap0 CNode, index, depth). */
    MICA_IRQ_CONTROL_GET_IOAPIC = 80, /* MR0 GSI, MR1 flags (MICA_IRQ_*), MR2 index, MR3 depth */
    MICA_IRQ_CONTROL_GET_MSI = 81,    /* MR0 MSI number (< MICA_IRQ_MSI_COUNT), MR1 PCI address
                                         (MICA_PCI_ADDR), MR2 index, MR3 depth; result: the
                                         MSI address and data (MICA_MSI_ADDRESS/DATA) */

    /* IRQHandler */
    MICA_IRQ_HANDLER_SET_NOTIFICATION = 84, /* cap0 a notification with write right */
    MICA_IRQ_HANDLER_ACK = 85,              /* the interrupt was handled: deliver the next */
    MICA_IRQ_HANDLER_CLEAR = 86,            /* stop signalling the notification */

    /* IOPortControl and IOPort (docs/objects/ioport.md) */
    MICA_IOPORT_CONTROL_ISSUE = 88, /* MR0 first port, MR1 last port (inclusive), MR2 index,
                                       MR3 depth; cap0 CNode: a cap to ports first..last */
    MICA_IOPORT_IN8 = 90,           /* MR0 port; result: the value read */
    MICA_IOPORT_IN16 = 91,
    MICA_IOPORT_IN32 = 92,
    MICA_IOPORT_OUT8 = 93,          /* MR0 port, MR1 value */
    MICA_IOPORT_OUT16 = 94,
    MICA_IOPORT_OUT32 = 95,

    /* IOSpaceControl, IOSpace and IOPageTable (docs/objects/iospace.md) */
    MICA_IOSPACE_CONTROL_ISSUE = 96, /* MR0 PCI address (MICA_PCI_ADDR), MR1 index, MR2 depth;
                                        cap0 CNode: the device's DMA address space */
    MICA_IOSPACE_GET_FAULT = 100,    /* result: the oldest unreported DMA fault of the
                                        device (MICA_IOFAULT_*), or 0 */
    MICA_IO_PAGE_TABLE_MAP = 104,    /* MR0 I/O address; cap0 the IOSpace */
    MICA_IO_PAGE_TABLE_UNMAP = 105,
};

#endif
