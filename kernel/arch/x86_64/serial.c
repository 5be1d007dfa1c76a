/*
 * COM1 16550 UART, polled output only: the kernel console. Device drivers
 * proper live in user space; this is the one the kernel keeps for its own
 * messages (DESIGN.md §2).
 */
#include "cpu.h"
#include "x86.h"

#define COM1 0x3f8
#define REG_DATA 0
#define REG_IER 1
#define REG_FCR 2
#define REG_LCR 3
#define REG_MCR 4
#define REG_LSR 5
#define LSR_THR_EMPTY 0x20

void serial_init(void)
{
    outb(COM1 + REG_IER, 0x00); /* no interrupts */
    outb(COM1 + REG_LCR, 0x80); /* DLAB: set divisor */
    outb(COM1 + 0, 0x01);       /* 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + REG_LCR, 0x03); /* 8N1 */
    outb(COM1 + REG_FCR, 0xc7); /* enable and clear FIFOs */
    outb(COM1 + REG_MCR, 0x03); /* DTR, RTS */
}

static void serial_put(char c)
{
    /* Bounded wait: a wedged UART must not hang the kernel forever. */
    for (unsigned i = 0; i < 100000 && !(inb(COM1 + REG_LSR) & LSR_THR_EMPTY); i++)
        cpu_relax();
    outb(COM1 + REG_DATA, (uint8_t)c);
}

void arch_console_putc(char c)
{
    if (c == '\n')
        serial_put('\r');
    serial_put(c);
}
