/*
 * The 16550 UART driver: a program of a system (docs/system-description.md)
 * that owns a UART and serves the serial protocol (mica_serial.h) to its
 * clients. It finds everything it holds by the names of the description
 * (uart.h): the UART's I/O ports, its interrupt and the endpoint it
 * serves on. docs/drivers.md explains.
 *
 * It is a program with its own main rather than a component
 * (mica_component.h): a client that cannot be answered at once stays
 * blocked in its Call while the driver goes on serving others, and is
 * answered later from the interrupt path (clients.c), which the
 * component runtime's one-reply-per-call loop cannot express.
 *
 * One Recv waits for both kinds of event: a client's Call on the
 * endpoint, or the PD's notification, which init bound to this thread and
 * which the interrupt signals with MICA_CHANNEL_BADGE(its channel id).
 * COM1's line is edge triggered, and the kernel keeps its I/O APIC input
 * masked from the delivery of an interrupt to its Ack, where an edge is
 * simply lost. So the driver acknowledges first and then serves every
 * pending source of the UART until none is left (docs/objects/irq.md):
 * anything that becomes pending after the Ack raises a new edge, which the
 * kernel signals, and is served on the next round even if this one
 * already saw it (the UART then reports nothing, and that round costs one
 * look).
 */
#include "driver.h"
#include "uart.h"
#include <mica_device.h>
#include <mica_ipc.h>
#include <mica/cap.h>
#include <mica_pd.h>

static uint8_t tx_buf[TX_RING_SIZE], rx_buf[RX_RING_SIZE];
static struct uart uart = {
    .tx = { tx_buf, TX_RING_SIZE, 0, 0 },
    .rx = { rx_buf, RX_RING_SIZE, 0, 0 },
};

_Static_assert((TX_RING_SIZE & (TX_RING_SIZE - 1)) == 0, "tx ring size is a power of two");
_Static_assert((RX_RING_SIZE & (RX_RING_SIZE - 1)) == 0, "rx ring size is a power of two");

static mica_cptr_t endpoint;      /* where requests arrive */
static mica_cptr_t irq_handler;   /* the UART's IRQHandler (Ack) */
static mica_word_t irq_badge;     /* its bit in the notification word */

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
    struct mica_sysret r = mica_irq_handler_ack(irq_handler);
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
    mica_recv(endpoint);
    for (;;) /* a notification leaves no reply pending: ReplyRecv then only receives */
        mica_reply_recv(endpoint, mica_tag(err, 0, 0), 0, 0, 0, 0);
}

static const char *kind_name(unsigned kind)
{
    switch (kind) {
    case MICA_RES_IRQ: return "an irq";
    case MICA_RES_IOPORT: return "an ioport range";
    case MICA_RES_ENDPOINT: return "an endpoint end";
    }
    return "something else";
}

/* The resource `name` of `kind`, or NULL after saying what is missing. */
static const struct mica_pd_resource *resource(const char *name, unsigned kind)
{
    const struct mica_pd_resource *r = mica_resource(name);
    if (!r)
        mica_printf("uart: PD '%s' has no resource '%s' (%s; servers/drivers/uart/uart.h)\n",
                    mica_pd_name(), name, kind_name(kind));
    else if (r->kind != kind)
        mica_printf("uart: resource '%s' of PD '%s' is %s, not %s\n", name, mica_pd_name(),
                    kind_name(r->kind), kind_name(kind));
    else if (!r->cap)
        mica_printf("uart: resource '%s' of PD '%s' comes without a capability\n", name,
                    mica_pd_name());
    else
        return r;
    return 0;
}

/* The UART's interrupt (UART_RES_IRQ), or NULL after saying what is wrong. */
static const struct mica_pd_resource *the_irq(void)
{
    const struct mica_pd_resource *irq = resource(UART_RES_IRQ, MICA_RES_IRQ);
    /* init never writes such an id, but a shift by it must not go wrong. */
    if (irq && irq->id >= MICA_CHANNEL_MAX) {
        mica_printf("uart: irq '%s' is on channel %u, past the last (%u)\n", UART_RES_IRQ,
                    irq->id, MICA_CHANNEL_MAX - 1);
        return 0;
    }
    return irq;
}

static mica_word_t setup(const struct mica_pd_info *pd)
{
    const struct mica_pd_resource *ports = resource(UART_RES_PORTS, MICA_RES_IOPORT);
    const struct mica_pd_resource *irq = the_irq();
    if (!ports || !irq)
        return MICA_ERR_NOT_SUPPORTED;
    if (ports->size < UART_PORTS) {
        mica_printf("uart: ioport range '%s' has %lu ports; a 16550 has %u\n", UART_RES_PORTS,
                    ports->size, UART_PORTS);
        return MICA_ERR_RANGE;
    }
    mica_word_t free = pd->slot_free_end > pd->slot_free_first
                           ? pd->slot_free_end - pd->slot_free_first
                           : 0;
    if (free < UART_REPLY_SLOTS) {
        mica_printf("uart: %lu free slots; %u are needed for blocked clients\n", free,
                    UART_REPLY_SLOTS);
        return MICA_ERR_RANGE;
    }
    uart.ports = ports->cap;
    uart.base = (unsigned)ports->value;
    irq_handler = irq->cap;
    irq_badge = MICA_CHANNEL_BADGE(irq->id);
    clients_init(pd->slot_free_first);
    mica_word_t err = hw_init(&uart);
    if (err)
        return err;
    hw_start(&uart);
    hw_service(&uart); /* input that came before the interrupts were on */
    if (uart.port_error)
        return uart.port_error;
    mica_printf("uart: interrupts arrive at %s %lu on channel %u; serving clients on '%s'\n",
                irq->flags & MICA_RES_IRQ_MSI ? "MSI" : "GSI", irq->value, irq->id,
                UART_RES_ENDPOINT);
    return MICA_OK;
}

int main(const struct mica_bootinfo *bi)
{
    (void)bi;
    const struct mica_pd_info *pd = mica_pd();
    if (!pd) {
        mica_printf("uart: %s: nothing to serve\n", mica_pd_problem());
        return 1;
    }
    /* Without its endpoint the driver cannot even tell clients it failed. */
    const struct mica_pd_resource *ep = resource(UART_RES_ENDPOINT, MICA_RES_ENDPOINT);
    if (!ep)
        return 1;
    if (!(ep->flags & MICA_RIGHT_READ)) {
        mica_printf("uart: endpoint '%s' comes without the read right (rights 0x%x)\n",
                    UART_RES_ENDPOINT, ep->flags);
        return 1;
    }
    endpoint = ep->cap;
    mica_word_t err = setup(pd);
    if (err) {
        mica_printf("uart: not serving (error %lu); every request is answered with it\n", err);
        serve_failure(err);
    }

    static struct request q;
    static struct reply r;
    struct mica_msg m = mica_recv(endpoint);
    for (;;) {
        if (m.status) {
            mica_printf("uart: receive failed: error %lu\n", m.status);
            m = mica_recv(endpoint);
            continue;
        }
        if (m.tag & MICA_TAG_NOTIFICATION) {
            if (m.badge & irq_badge)
                interrupt(&uart);
            m = mica_recv(endpoint);
            continue;
        }
        take_request(&q, &m);
        if (!clients_request(&uart, &q, &r)) {
            m = mica_recv(endpoint);
            continue;
        }
        reply_to_ipc_buffer(&r);
        m = mica_reply_recv(endpoint, mica_tag(r.status, r.length, 0), r.mr[0], r.mr[1],
                            r.mr[2], r.mr[3]);
    }
}
