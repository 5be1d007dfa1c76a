/*
 * The 16550 itself: programming it and serving its interrupt sources.
 *
 * Every register access is an IOPort invocation on the driver's port
 * range (the ioport resource UART_RES_PORTS, uart.h). The UART signals
 * one interrupt line for four sources, and the interrupt
 * identification register (IIR) names the most urgent pending one:
 * receiver line status (overrun, parity, framing, break), received data
 * (or a character timeout), transmitter holding register empty (THRE),
 * modem status. hw_service() asks IIR again and again and serves each
 * source until IIR says none is pending, because COM1's line is edge
 * triggered at the I/O APIC: while any source is pending the line stays
 * high and no new edge can come. Reading IIR when it reports THRE clears
 * that indication, so every THRE read is answered (bytes written or the
 * interrupt switched off) before IIR is read again.
 *
 * Register facts: National Semiconductor PC16550D datasheet.
 */
#include "driver.h"
#include "uart.h"
#include <mica_device.h>

/* Register offsets from the base port. */
#define REG_DATA 0 /* RBR (read), THR (write); divisor low with DLAB */
#define REG_IER  1 /* divisor high with DLAB */
#define REG_IIR  2 /* read */
#define REG_FCR  2 /* write */
#define REG_LCR  3
#define REG_MCR  4
#define REG_LSR  5
#define REG_MSR  6
#define REG_SCR  7

#define IER_RX   0x01 /* received data available (and character timeout) */
#define IER_THRE 0x02 /* transmitter holding register empty */
#define IER_LINE 0x04 /* receiver line status */

#define IIR_NONE      0x01 /* no interrupt pending */
#define IIR_ID        0x0e
#define IIR_LINE      0x06
#define IIR_RX        0x04
#define IIR_TIMEOUT   0x0c
#define IIR_THRE      0x02
#define IIR_MODEM     0x00
#define IIR_FIFOS_ON  0xc0 /* both bits set: a 16550A with working FIFOs */

#define FCR_ENABLE 0x01 /* FIFOs on, receive trigger level 1 byte, contents kept */

#define LCR_DLAB  0x80
#define LCR_8N1   0x03

#define MCR_DTR  0x01
#define MCR_RTS  0x02
#define MCR_OUT2 0x08 /* on a PC, gates the UART's interrupt onto the ISA line */

#define LSR_DATA    0x01
#define LSR_OVERRUN 0x02
#define LSR_ERRORS  0x1c /* parity, framing, break */

/* A sane bound on sources served in one call: far above what draining a
 * full tx ring and every blocked writer takes (16 bytes per THRE), low
 * enough that a UART stuck asserting something cannot hold us forever. */
#define SERVICE_ROUNDS 4096

static unsigned fifo_size = 1;

static void port_failed(struct uart *u, unsigned reg, mica_word_t err)
{
    if (u->port_error)
        return;
    u->port_error = err;
    mica_printf("uart: port 0x%x: I/O failed (error %lu); the UART is not served\n",
                u->base + reg, err);
}

/* A failed read gives `fallback`, chosen so that the caller does nothing. */
static uint8_t in(struct uart *u, unsigned reg, uint8_t fallback)
{
    struct mica_sysret r = mica_ioport_in8(u->ports, u->base + reg);
    if (r.status) {
        port_failed(u, reg, r.status);
        return fallback;
    }
    return (uint8_t)r.value;
}

static void out(struct uart *u, unsigned reg, uint8_t v)
{
    struct mica_sysret r = mica_ioport_out8(u->ports, u->base + reg, v);
    if (r.status)
        port_failed(u, reg, r.status);
}

static void set_ier(struct uart *u, uint8_t ier)
{
    u->ier = ier;
    out(u, REG_IER, ier);
}

mica_word_t hw_init(struct uart *u)
{
    /* Is anything there? The scratch register keeps what is written to it. */
    out(u, REG_SCR, 0x5a);
    if (u->port_error)
        return u->port_error;
    if (in(u, REG_SCR, 0) != 0x5a) {
        mica_printf("uart: no UART answers at port 0x%x\n", u->base);
        return MICA_ERR_NOT_SUPPORTED;
    }
    set_ier(u, 0); /* quiet while it is set up */
    /* Line settings stay as the kernel made them (115200 baud, 8N1). LCR
     * is only read, for the report; the divisor is not, because it sits
     * behind DLAB, and while DLAB is set a byte the kernel console writes
     * (it shares COM1) would land in the divisor instead. */
    uint8_t lcr = in(u, REG_LCR, 0);
    out(u, REG_FCR, FCR_ENABLE);
    fifo_size = (in(u, REG_IIR, 0) & IIR_FIFOS_ON) == IIR_FIFOS_ON ? UART_FIFO : 1;
    (void)in(u, REG_LSR, 0); /* clear stale line and modem status */
    (void)in(u, REG_MSR, 0);
    out(u, REG_MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
    if (u->port_error)
        return u->port_error;
    mica_printf("uart: %s at port 0x%x, line %s as the kernel set it, %u-byte transmit FIFO\n",
                fifo_size > 1 ? "16550A" : "8250/16450 (no FIFO)", u->base,
                (lcr & ~LCR_DLAB) == LCR_8N1 ? "8N1" : "not 8N1", fifo_size);
    return MICA_OK;
}

void hw_start(struct uart *u)
{
    set_ier(u, IER_RX | IER_LINE);
}

static void line_status(struct uart *u, uint8_t lsr)
{
    if (lsr & LSR_OVERRUN) {
        u->st.overruns++;
        u->lost++; /* at least one byte; the UART cannot say how many */
    }
    if (lsr & LSR_ERRORS)
        u->st.line_errors++;
}

static void receive(struct uart *u)
{
    while (ring_room(&u->rx)) {
        uint8_t lsr = in(u, REG_LSR, 0);
        line_status(u, lsr);
        if (!(lsr & LSR_DATA))
            break;
        ring_put(&u->rx, in(u, REG_DATA, 0));
        u->st.rx_bytes++;
    }
    clients_rx(u);
    if (!ring_room(&u->rx) && !u->rx_paused) {
        /* Stop taking bytes rather than drop them: they wait in the UART
         * (and, under QEMU, on the host side) until a Read makes room. */
        u->rx_paused = true;
        u->st.rx_paused++;
        set_ier(u, u->ier & ~IER_RX);
    }
}

static void transmit(struct uart *u)
{
    clients_fill_tx(u);
    if (!ring_used(&u->tx)) {
        u->tx_active = false;
        set_ier(u, u->ier & ~IER_THRE);
        clients_tx_idle(u);
        return;
    }
    unsigned n = 0;
    for (; n < fifo_size && ring_used(&u->tx); n++)
        out(u, REG_DATA, ring_get(&u->tx));
    u->st.tx_bytes += n;
    clients_fill_tx(u);
}

bool hw_service(struct uart *u)
{
    bool served = false;
    for (unsigned round = 0; round < SERVICE_ROUNDS; round++) {
        uint8_t iir = in(u, REG_IIR, IIR_NONE);
        if (iir & IIR_NONE)
            return served;
        served = true;
        switch (iir & IIR_ID) {
        case IIR_LINE:
            line_status(u, in(u, REG_LSR, 0));
            break;
        case IIR_RX:
        case IIR_TIMEOUT:
            u->st.rx_events++;
            receive(u);
            break;
        case IIR_THRE:
            u->st.tx_events++;
            transmit(u);
            break;
        case IIR_MODEM:
            (void)in(u, REG_MSR, 0);
            break;
        default:
            mica_printf("uart: IIR 0x%x names no interrupt source; ignored\n", iir);
            return served;
        }
    }
    mica_printf("uart: interrupt sources still pending after %u rounds\n", SERVICE_ROUNDS);
    return served;
}

void hw_tx_start(struct uart *u)
{
    /* Switching THRE interrupts on while the transmitter is empty raises
     * one at once; otherwise it comes when the current bytes are out. */
    if (!u->tx_active) {
        u->tx_active = true;
        set_ier(u, u->ier | IER_THRE);
    }
}

void hw_rx_resume(struct uart *u)
{
    if (u->rx_paused && ring_room(&u->rx)) {
        u->rx_paused = false;
        set_ier(u, u->ier | IER_RX);
    }
}
