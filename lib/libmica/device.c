/* libmica device invocation stubs (see mica_device.h). */
#include <mica_device.h>

struct mica_sysret mica_irq_get_ioapic(mica_cptr_t control, mica_word_t gsi, unsigned flags,
                                       mica_cptr_t root, mica_word_t index, unsigned depth)
{
    mica_word_t mr[] = { gsi, flags, index, depth };
    return mica_invoke(control, MICA_IRQ_CONTROL_GET_IOAPIC, mr, 4, &root, 1);
}

struct mica_sysret mica_irq_get_msi(mica_cptr_t control, unsigned msi, mica_word_t pci_addr,
                                    mica_cptr_t root, mica_word_t index, unsigned depth)
{
    mica_word_t mr[] = { msi, pci_addr, index, depth };
    return mica_invoke(control, MICA_IRQ_CONTROL_GET_MSI, mr, 4, &root, 1);
}

struct mica_sysret mica_irq_handler_set_notification(mica_cptr_t handler, mica_cptr_t ntfn)
{
    return mica_invoke(handler, MICA_IRQ_HANDLER_SET_NOTIFICATION, 0, 0, &ntfn, 1);
}

struct mica_sysret mica_irq_handler_ack(mica_cptr_t handler)
{
    return mica_invoke(handler, MICA_IRQ_HANDLER_ACK, 0, 0, 0, 0);
}

struct mica_sysret mica_irq_handler_clear(mica_cptr_t handler)
{
    return mica_invoke(handler, MICA_IRQ_HANDLER_CLEAR, 0, 0, 0, 0);
}

struct mica_sysret mica_ioport_issue(mica_cptr_t control, unsigned first, unsigned last,
                                     mica_cptr_t root, mica_word_t index, unsigned depth)
{
    mica_word_t mr[] = { first, last, index, depth };
    return mica_invoke(control, MICA_IOPORT_CONTROL_ISSUE, mr, 4, &root, 1);
}

static struct mica_sysret port_in(mica_cptr_t ports, mica_word_t label, unsigned port)
{
    mica_word_t mr[] = { port };
    return mica_invoke(ports, label, mr, 1, 0, 0);
}

static struct mica_sysret port_out(mica_cptr_t ports, mica_word_t label, unsigned port,
                                   mica_word_t value)
{
    mica_word_t mr[] = { port, value };
    return mica_invoke(ports, label, mr, 2, 0, 0);
}

struct mica_sysret mica_ioport_in8(mica_cptr_t ports, unsigned port)
{
    return port_in(ports, MICA_IOPORT_IN8, port);
}

struct mica_sysret mica_ioport_in16(mica_cptr_t ports, unsigned port)
{
    return port_in(ports, MICA_IOPORT_IN16, port);
}

struct mica_sysret mica_ioport_in32(mica_cptr_t ports, unsigned port)
{
    return port_in(ports, MICA_IOPORT_IN32, port);
}

struct mica_sysret mica_ioport_out8(mica_cptr_t ports, unsigned port, uint8_t value)
{
    return port_out(ports, MICA_IOPORT_OUT8, port, value);
}

struct mica_sysret mica_ioport_out16(mica_cptr_t ports, unsigned port, uint16_t value)
{
    return port_out(ports, MICA_IOPORT_OUT16, port, value);
}

struct mica_sysret mica_ioport_out32(mica_cptr_t ports, unsigned port, uint32_t value)
{
    return port_out(ports, MICA_IOPORT_OUT32, port, value);
}

struct mica_sysret mica_iospace_issue(mica_cptr_t control, mica_word_t pci_addr,
                                      mica_cptr_t root, mica_word_t index, unsigned depth)
{
    mica_word_t mr[] = { pci_addr, index, depth };
    return mica_invoke(control, MICA_IOSPACE_CONTROL_ISSUE, mr, 3, &root, 1);
}

struct mica_sysret mica_iospace_get_fault(mica_cptr_t iospace)
{
    return mica_invoke(iospace, MICA_IOSPACE_GET_FAULT, 0, 0, 0, 0);
}

struct mica_sysret mica_io_page_table_map(mica_cptr_t table, mica_cptr_t iospace,
                                          mica_word_t iova)
{
    mica_word_t mr[] = { iova };
    return mica_invoke(table, MICA_IO_PAGE_TABLE_MAP, mr, 1, &iospace, 1);
}

struct mica_sysret mica_io_page_table_unmap(mica_cptr_t table)
{
    return mica_invoke(table, MICA_IO_PAGE_TABLE_UNMAP, 0, 0, 0, 0);
}

struct mica_sysret mica_frame_map_io(mica_cptr_t frame, mica_cptr_t iospace, mica_word_t iova,
                                     unsigned rights)
{
    mica_word_t mr[] = { iova, rights };
    return mica_invoke(frame, MICA_FRAME_MAP_IO, mr, 2, &iospace, 1);
}
