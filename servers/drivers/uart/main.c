/*
 * The 16550 UART driver: a user-level process that owns COM1 and serves
 * the serial protocol (mica_serial.h) to its clients. It holds exactly
 * the capabilities of uart.h: the eight I/O ports, the IRQ handler for
 * COM1's line, the notification that handler signals (bound to this
 * thread) and the endpoint it serves on. docs/drivers.md explains.
 *
 * One Recv waits for both kinds of event: a client's Call on the
 * endpoint, or the bound notification when the UART interrupts. COM1's
 * line is edge triggered, and the kernel keeps its I/O APIC input masked
 * from the delivery of an interrupt to its Ack, where an edge is simply
 * lost. So the driver acknowledges first and then serves every pending
 * source of the UART until none is left (docs/objects/irq.md): anything
 * that becomes pending after the Ack raises a new edge, which the kernel
 * signals, and is served on the next round even if this one already saw
 * it (the UART then reports nothing, and that round costs one look).
 */
#include "driver.h"
#include "uart.h"
#include <mica_device.h>
#include <mica_ipc.h>

static uint8_t tx_buf[TX_RING_SIZE], rx_buf[RX_RING_SIZE];
static struct uart uart = {
    .tx = { tx_buf, TX_RING_SIZE, 0, 0 },
    .rx = { rx_buf, RX_RING_SIZE, 0, 0 },
};

_Static_assert((TX_RING_SIZE & (TX_RING_SIZE - 1)) == 0, "tx ring size is a power of two");
_Static_assert((RX_RING_SIZE & (RX_RING_SIZE - 1)) == 0, "rx ring size is a power of two");

void reply_to_ipc_buffer(const struct reply *r)
{
    for (unsigned i = MICA_MSG_REGS_IN_CPU; i < r->length; i++)
        mica_ipc->mr[i] = r->mr[i];
}

/* Copy a request out of the registers and IPC buffer before anything reuses them. */
static void take_request(struct request *q, const struct mica_msg *m)
{
    q->badge = m->badge;
    q->label = mica_tag_label(m->tag);
    q->length = mica_tag_length(m->tag);
    for (unsigned i = 0; i < q->length; i++)
        q->mr[i] = i < MICA_MSG_REGS_IN_CPU ? m->mr[i] : mica_ipc->mr[i];
}

static void interrupt(struct uart *u)
{
    static bool ack_failed;
    u->st.interrupts++;
    struct mica_sysret r = mica_irq_handler_ack(UART_CAP_IRQ);
    if (r.status && !ack_failed) {
        ack_failed = true;
        mica_printf("uart: IRQHandler_Ack failed: error %lu\n", r.status);
    }
    hw_service(u);
}

/* Set-up failed: stay, and answer every request with the reason, so a
 * client learns it instead of waiting for a driver that is not there. */
static __attribute__((noreturn)) void serve_failure(mica_word_t err)
{
    mica_recv(UART_CAP_ENDPOINT);
    for (;;) /* a notification leaves no reply pending: ReplyRecv then only receives */
        mica_reply_recv(UART_CAP_ENDPOINT, mica_tag(err, 0, 0), 0, 0, 0, 0);
}

static mica_word_t setup(const struct mica_bootinfo *bi)
{
    if (bi->slot_empty_end - bi->slot_empty_first < 3 * MICA_SERIAL_WAITERS) {
        mica_printf("uart: %lu free slots; %u are needed for blocked clients\n",
                    bi->slot_empty_end - bi->slot_empty_first, 3 * MICA_SERIAL_WAITERS);
        return MICA_ERR_RANGE;
    }
    clients_init(bi->slot_empty_first);
    mica_word_t err = hw_init(&uart);
    if (err)
        return err;
    struct mica_sysret r = mica_irq_handler_set_notification(UART_CAP_IRQ, UART_CAP_IRQ_NTFN);
    if (r.status) {
        mica_printf("uart: IRQHandler_SetNotification failed: error %lu\n", r.status);
        return r.status;
    }
    if ((r = mica_tcb_bind_notification(MICA_CAP_INIT_TCB, UART_CAP_IRQ_NTFN)).status) {
        mica_printf("uart: TCB_BindNotification failed: error %lu\n", r.status);
        return r.status;
    }
    hw_start(&uart);
    hw_service(&uart); /* input that came before the interrupts were on */
    return uart.port_error;
}

int main(const struct mica_bootinfo *bi)
{
    mica_word_t err = setup(bi);
    if (err) {
        mica_printf("uart: not serving (error %lu); every request is answered with it\n", err);
        serve_failure(err);
    }
    mica_printf("uart: COM1 interrupts arrive at GSI %u; serving clients\n",
                bi->platform.isa_gsi[UART_COM1_ISA_IRQ]);

    static struct request q;
    static struct reply r;
    struct mica_msg m = mica_recv(UART_CAP_ENDPOINT);
    for (;;) {
        if (m.status) {
            mica_printf("uart: receive failed: error %lu\n", m.status);
            m = mica_recv(UART_CAP_ENDPOINT);
            continue;
        }
        if (m.tag & MICA_TAG_NOTIFICATION) {
            if (m.badge & UART_IRQ_BADGE)
                interrupt(&uart);
            m = mica_recv(UART_CAP_ENDPOINT);
            continue;
        }
        take_request(&q, &m);
        if (!clients_request(&uart, &q, &r)) {
            m = mica_recv(UART_CAP_ENDPOINT);
            continue;
        }
        reply_to_ipc_buffer(&r);
        m = mica_reply_recv(UART_CAP_ENDPOINT, mica_tag(r.status, r.length, 0), r.mr[0], r.mr[1],
                            r.mr[2], r.mr[3]);
    }
}
