/*
 * Starting the 16550 UART driver (servers/drivers/uart) from its boot
 * module: a process of its own holding exactly the caps uart.h lists.
 *
 * The I/O ports and the IRQ handler are issued straight into the
 * driver's CNode, so init never holds them itself; the notification and
 * the endpoint are made here and copied over, and init keeps a badged cap
 * to the endpoint for its own console. Once started, the driver is asked
 * for its statistics: the answer (or the error it gives instead) says
 * whether it is really serving.
 */
#include <cmdline.h>
#include <mica_serial.h>

#include "../drivers/uart/uart.h"
#include "console.h"

static struct mica_process uart_proc;
static mica_cptr_t server_ep; /* the endpoint itself, unbadged: clients' caps are minted from it */
static mica_cptr_t client_ep; /* init's own, badge SERIAL_BADGE_INIT */

mica_cptr_t uart_client(void)
{
    return client_ep;
}

static mica_word_t mint_client(mica_cptr_t ep, mica_cptr_t slot, mica_word_t badge)
{
    return mica_cnode_mint(MICA_CAP_INIT_CNODE, slot, 64, MICA_CAP_INIT_CNODE, ep, 64,
                           MICA_RIGHT_WRITE, badge).status;
}

mica_word_t uart_client_mint(struct init_env *env, mica_word_t badge, mica_cptr_t *cap)
{
    if (!client_ep)
        return MICA_ERR_NOT_SUPPORTED;
    if (!badge)
        return MICA_ERR_INVALID_ARGUMENT; /* unbadged would be anonymous */
    mica_word_t err = mica_aspace_slot(&env->alloc, cap);
    return err ? err : mint_client(server_ep, *cap, badge);
}

static mica_word_t failed(const char *what, mica_word_t err, mica_word_t detail)
{
    mica_printf("init: uart driver: %s failed: error %lu (detail 0x%lx)\n", what, err, detail);
    return err;
}

/* The caps of uart.h, into the driver's CSpace. */
static mica_word_t give_caps(struct init_env *env, struct mica_process *p, mica_cptr_t ntfn,
                             mica_cptr_t ep)
{
    const struct mica_bootinfo_platform *pf = &env->bi->platform;
    unsigned gsi = pf->isa_gsi[UART_COM1_ISA_IRQ], flags = pf->isa_flags[UART_COM1_ISA_IRQ];
    mica_word_t err;
    struct mica_sysret r = mica_ioport_issue(MICA_CAP_IOPORT_CONTROL, UART_COM1_PORT,
                                             UART_COM1_PORT + UART_PORTS - 1, p->cnode,
                                             UART_CAP_PORTS, p->cnode_bits);
    if (r.status)
        return failed("IOPortControl_Issue for ports 0x3f8-0x3ff", r.status, r.value);
    r = mica_irq_get_ioapic(MICA_CAP_IRQ_CONTROL, gsi, flags, p->cnode, UART_CAP_IRQ,
                            p->cnode_bits);
    if (r.status) {
        mica_printf("init: uart driver: COM1 is ISA IRQ %u at GSI %u (flags 0x%x)\n",
                    UART_COM1_ISA_IRQ, gsi, flags);
        return failed("IRQControl_GetIOAPIC", r.status, r.value);
    }
    /* A badge on the notification cap: the IRQ handler signals with it. */
    if ((err = mica_process_give(p, ntfn, UART_CAP_IRQ_NTFN, MICA_RIGHTS_ALL, UART_IRQ_BADGE)) ||
        (err = mica_process_give(p, ep, UART_CAP_ENDPOINT, MICA_RIGHT_READ, 0)))
        return failed("giving caps", err, p->as.error_detail);
    return MICA_OK;
}

mica_word_t start_uart(struct init_env *env, const struct mica_bootinfo_module *m)
{
    struct mica_process *p = &uart_proc;
    mica_cptr_t ntfn, ep, client;
    if (client_ep) { /* COM1 is taken: a second one could get neither ports nor IRQ */
        mica_printf("init: uart driver: already running; module '%s' ignored\n", m->cmdline);
        return MICA_ERR_IN_USE;
    }
    /* init's own objects first: the process's allocation continues after them. */
    mica_word_t err;
    if ((err = mica_aspace_alloc(&env->alloc, MICA_OBJ_NOTIFICATION, 0, &ntfn)) ||
        (err = mica_aspace_alloc(&env->alloc, MICA_OBJ_ENDPOINT, 0, &ep)) ||
        (err = mica_aspace_slot(&env->alloc, &client)))
        return failed("making its notification and endpoint", err, env->alloc.error_detail);
    err = mica_process_create(p, &env->alloc, (const void *)m->vaddr, m->size, UART_CNODE_BITS,
                              "uart", cmdline_args(m->cmdline));
    if (err == MICA_ERR_INVALID_ARGUMENT && p->why) {
        mica_printf("init: uart driver: module '%s' (%lu bytes) refused: %s\n", m->cmdline,
                    m->size, p->why);
        return err;
    }
    if (err)
        return failed("loading its program", err, p->as.error_detail);
    if ((err = give_caps(env, p, ntfn, ep)))
        return err;
    if ((err = mint_client(ep, client, SERIAL_BADGE_INIT)))
        return failed("minting init's endpoint cap", err, 0);
    if ((err = mica_process_start(p, env->bi, DRIVER_PRIORITY, 0)))
        return failed("starting it", err, p->as.error_detail);
    /* It runs above init: by now it has set up, or given up. */
    struct mica_serial_stats st;
    if ((err = mica_serial_stats(client, &st))) {
        mica_printf("init: uart driver: started, but it is not serving: error %lu\n", err);
        return err;
    }
    mica_printf("init: uart driver started: %u-page image, CSpace of %u slots, priority %u\n",
                p->as.image_pages, 1u << p->cnode_bits, DRIVER_PRIORITY);
    server_ep = ep;
    client_ep = client;
    return MICA_OK;
}
